//! The application layer: every operator action and view, callable the
//! same way from the `secdesk` CLI, a timer job, a mail-reply handler or a
//! renderer.
//!
//! Each function takes a [`Desk`] (the store, the configuration and `now`)
//! and, for actions, the acting member, and returns a typed result that
//! implements both `Display` (the text people read) and `Serialize` (the
//! `--json` shape). The binaries parse arguments, call one function here
//! and print what it returns. This layer reads and writes through `store`
//! and decides nothing itself: the rules are `triage`, `rota` and `report`.
//! It never reads the clock and never uses clap or anyhow.

pub mod advisory;
pub mod fix;
pub mod issue;
pub mod message;
pub mod rota;
pub mod signal;
pub mod status;

use crate::config::Config;
use crate::refusal::Refusal;
use crate::store::{self, Store};
use crate::time::Instant;

/// What every action and view works with: one open database, the
/// configuration in force, and the instant the run works at (UTC).
pub struct Desk<'a> {
    /// The open database.
    pub store: &'a mut Store,
    /// The configuration in force.
    pub config: &'a Config,
    /// The instant the run works at (UTC), read once at the edge.
    pub now: Instant,
}

/// Why an action or view did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed: exit 1, the next run retries.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// A rule refused the request, or it was asked wrongly: exit 2,
    /// nothing changed.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl Error {
    /// Whether this is a refusal (exit 2) rather than a failure (exit 1).
    pub fn is_refusal(&self) -> bool {
        matches!(self, Error::Refused(_))
    }
}

impl From<crate::triage::Refused> for Error {
    fn from(r: crate::triage::Refused) -> Error {
        Error::Refused(r.into())
    }
}

impl From<crate::rota::Refused> for Error {
    fn from(r: crate::rota::Refused) -> Error {
        Error::Refused(r.into())
    }
}

/// Results of this layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::signal::Refused> for Error {
    fn from(r: crate::signal::Refused) -> Error {
        Error::Refused(r.into())
    }
}

impl From<crate::advisory::draft::Refused> for Error {
    fn from(r: crate::advisory::draft::Refused) -> Error {
        Error::Refused(r.into())
    }
}

impl From<crate::fix::Refused> for Error {
    fn from(r: crate::fix::Refused) -> Error {
        Error::Refused(r.into())
    }
}
