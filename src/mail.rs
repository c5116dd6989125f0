//! Inbound mail: where it is read from, how it is parsed and classified, and
//! how ingest stores it and correlates it into issues.
//!
//! [`parse`](mod@parse) and [`classify`](mod@classify) are pure and never fail; [`source`] reads
//! Maildirs, mbox files and IMAP mailboxes; [`ingest`] is the shell that
//! ties them to the store and to [`crate::triage::correlate`]; [`fetch`]
//! drives IMAP accounts (cursors, retries, health) and mirrors issue state
//! back to the mailboxes.
//!
//! [`Health`], one mailbox's ingest health, is kept here as plain data: the
//! store returns it, and the report and `secdesk status` read it without
//! importing the store or the IMAP code.

/// A regular expression from a pattern literal, compiled on first use.
/// Defined before the `mod` lines so that every module below may use it.
macro_rules! re {
    ($vis:vis $name:ident, $pattern:expr) => {
        $vis static $name: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new($pattern).expect("the pattern is a valid literal")
        });
    };
}

pub mod about;
pub mod classify;
pub mod cve;
pub mod fetch;
pub mod health;
pub mod ingest;
pub mod parse;
pub mod source;

pub use classify::{Classified, Source, classify};
pub use parse::{ParseProblem, Parsed, parse};

use crate::time::Instant;
use serde::Serialize;

/// One mailbox's ingest health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The account's name.
    pub account: String,
    /// The mailbox.
    pub mailbox: String,
    /// When secdesk last tried to fetch it (UTC).
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub last_attempt: Option<Instant>,
    /// When a fetch last succeeded (UTC).
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub last_success: Option<Instant>,
    /// The last failure, cleared by a success.
    pub last_error: Option<String>,
    /// Messages fetched from it, ever.
    pub fetched: i64,
}
