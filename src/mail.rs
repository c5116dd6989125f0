//! Inbound mail: where it is read from, how it is parsed and classified, and
//! how ingest stores it and correlates it into issues.
//!
//! [`parse`] and [`classify`] are pure and never fail; [`source`] reads
//! Maildirs, mbox files and IMAP mailboxes; [`ingest`] is the shell that
//! ties them to the store and to [`crate::triage::correlate`].

pub mod classify;
pub mod ingest;
pub mod parse;
pub mod source;

pub use classify::{Classified, Source, classify};
pub use parse::{ParseProblem, Parsed, parse};
