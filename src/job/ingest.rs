//! `secdesk-ingest`: read the local sources given (`--maildir`, `--mbox`)
//! or, without any, every configured IMAP mailbox; say so when there is
//! nothing to read.

use crate::config::Config;
use crate::mail::fetch;
use crate::mail::ingest::{self, Local, Options, Run, Summary};
use crate::store::{self, Store};
use crate::time::Instant;
use std::fmt;

/// What a run did.
#[derive(Debug, Clone)]
pub enum Ran {
    /// No local source given and no IMAP account configured.
    NothingToRead,
    /// Mail was read; the summary counts it.
    Read(Summary),
}

impl Ran {
    /// Files or mailboxes that could not be read: the run exits 1.
    pub fn failed(&self) -> bool {
        matches!(self, Ran::Read(s) if !s.errors.is_empty())
    }
}

impl fmt::Display for Ran {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ran::NothingToRead => f.write_str(
                "ingest: no IMAP accounts configured and no --maildir or --mbox given; nothing to do",
            ),
            Ran::Read(summary) => summary.fmt(f),
        }
    }
}

/// Reads `local` when given, else every configured IMAP mailbox, and
/// stores what it finds. Per-file, per-mailbox and per-message failures are
/// in the summary (and in `log` as they happen), not an error: the rest is
/// stored. With `verbose`, every duplicate and copy is named in `log` too.
pub fn run(
    store: &mut Store,
    config: &Config,
    local: &[Local],
    now: Instant,
    verbose: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Ran, store::Error> {
    if local.is_empty() && config.imap.is_empty() {
        return Ok(Ran::NothingToRead);
    }
    let mut run = Run::new(now, Options::new(config, verbose), log);
    if local.is_empty() {
        fetch::ingest_imap(store, &config.imap, &mut run)?;
    } else {
        ingest::ingest_local(store, local, &mut run)?;
    }
    Ok(Ran::Read(run.finish()))
}
