//! Where mail is read from: Maildir folders and mbox files on disk, and
//! IMAP mailboxes.
//!
//! Each source yields [`Incoming`] messages in a stable order (so a killed
//! run and its rerun process the same sequence) and reports unreadable
//! entries as [`ReadError`]s without stopping. Every source reads at most a
//! limit of bytes of one message (`max_message_bytes`) and streams past the
//! rest, marking the message as cut ([`Incoming::cut`]), so memory stays
//! bounded whatever comes in. A message read from IMAP
//! carries its [`Location`] on the server, which the store records for
//! mirroring: the store imports this type, not the other way round.

pub mod imap;
pub mod maildir;
pub mod mbox;

use super::Source;
use std::path::PathBuf;

/// One message as read, before parsing.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The bytes as stored: all of them, or the first `max_message_bytes`.
    pub raw: Vec<u8>,
    /// When the message was larger than the limit and `raw` holds only its
    /// beginning: its whole size in bytes (as far as it is known).
    pub cut: Option<u64>,
    /// Where it came from, for people (`maildir:DIR/cur/NAME`).
    pub origin: String,
    /// The source the folder it was found in stands for, if any.
    pub hint: Option<Source>,
    /// Where it lies on an IMAP server, for mirroring.
    pub location: Option<Location>,
}

/// Where a message lies on an IMAP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The account's name.
    pub account: String,
    /// The mailbox.
    pub mailbox: String,
    /// The mailbox's UIDVALIDITY when the message was fetched.
    pub uidvalidity: u32,
    /// The message's UID.
    pub uid: u32,
}

/// An entry that could not be read; the run goes on without it.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {error}")]
pub struct ReadError {
    /// The file or directory.
    pub path: PathBuf,
    /// What the operating system said (in the message, not a `source()`,
    /// so that it is said once).
    pub error: std::io::Error,
}
