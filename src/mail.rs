//! Inbound mail: where it is read from, how it is parsed and classified, and
//! how ingest stores it and correlates it into issues.
//!
//! [`parse`](mod@parse) and [`classify`](mod@classify) are pure and never fail; [`source`] reads
//! Maildirs, mbox files and IMAP mailboxes; [`ingest`] is the shell that
//! ties them to the store and to [`crate::triage::correlate`]; [`fetch`]
//! drives IMAP accounts (cursors, retries, health) and mirrors issue state
//! back to the mailboxes.

pub mod classify;
pub mod fetch;
pub mod health;
pub mod ingest;
pub mod parse;
pub mod source;

pub use classify::{Classified, Source, classify};
pub use parse::{ParseProblem, Parsed, parse};
