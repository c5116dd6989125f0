//! The timer jobs' shells: gather what a pure module needs from the store
//! and configuration, call it, queue and deliver the mail it produced.
//! A binary calls one function here; everything between reading the
//! database and talking SMTP is visible in one place.

pub mod advisory_render;
pub mod fix_track;
pub mod ingest;
pub mod monitor;
pub mod rotate_notify;
pub mod site_render;
pub mod triage_report;

use crate::config::Config;
use crate::outbox::Delivery;
use crate::store;

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// A mail could not be composed (an address in the configuration that
    /// does not parse).
    #[error(transparent)]
    Compose(#[from] crate::outbox::compose::Error),
    /// A secret the job needs (the Bat-Signal's contacts or token key)
    /// could not be read.
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    /// The team's announcement template could not be read or used.
    #[error("advisory.template_file {path}: {error}")]
    Template {
        /// The template file.
        path: std::path::PathBuf,
        /// Why.
        error: String,
    },
    /// A rendered file could not be written.
    #[error("cannot write {path}: {error}")]
    Write {
        /// The file or directory.
        path: std::path::PathBuf,
        /// Why.
        error: String,
    },
}

/// Where the outbox delivers: SMTP when configured, else `.eml` files.
pub fn delivery(config: &Config) -> Delivery {
    match &config.smtp {
        Some(smtp) => Delivery::Smtp(smtp.clone()),
        None => Delivery::Files(config.outbox_dir.clone()),
    }
}

/// The From address: `smtp.from`, or a local one for `.eml` files.
pub fn from_address(config: &Config) -> String {
    match &config.smtp {
        Some(smtp) => smtp.from.clone(),
        None => "secdesk <secdesk@localhost>".to_string(),
    }
}
