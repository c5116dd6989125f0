//! `secdesk-ingest`: read the local sources given (`--maildir`, `--eml`,
//! `--mbox`) or, without any, every configured IMAP mailbox; say so when
//! there is nothing to read. [`check`] refuses a source that is not what
//! its flag says before anything is read or the database is opened.

use crate::config::Config;
use crate::mail::fetch;
use crate::mail::ingest::{self, Local, Options, Run, Summary};
use crate::mail::source::{maildir, mbox};
use crate::store::{self, Store};
use crate::time::Instant;
use std::fmt;
use std::path::{Path, PathBuf};

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

/// A local source that is not what its flag says (missing, a file for a
/// directory, no Maildir in a `--maildir` tree, not an mbox): the
/// invocation is wrong, exit 2; nothing is read and no database created.
#[derive(Debug, thiserror::Error)]
#[error("{flag} {path}: {problem}")]
pub struct BadSource {
    /// The flag that named it: `--maildir`, `--eml` or `--mbox`.
    pub flag: &'static str,
    /// The path as given.
    pub path: PathBuf,
    /// What is wrong with it, and what to give instead.
    pub problem: String,
}

/// Checks every local source before a run: a `--maildir` must be a
/// directory holding a Maildir (`cur/` or `new/`) at any depth, an
/// `--eml` a directory holding a file, an `--mbox` a file that is empty or
/// starts with `From `. The first one that is not is the error. Only the
/// directories and the first bytes of the files are read.
pub fn check(local: &[Local]) -> Result<(), BadSource> {
    for source in local {
        let (flag, path, problem) = match source {
            Local::Maildir(p) => ("--maildir", p, check_dir(p, true)),
            Local::Files(p) => ("--eml", p, check_dir(p, false)),
            Local::Mbox(p) => ("--mbox", p, check_mbox(p)),
        };
        if let Some(problem) = problem {
            return Err(BadSource {
                flag,
                path: path.clone(),
                problem,
            });
        }
    }
    Ok(())
}

fn missing(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_string(),
        _ => format!("cannot be read: {e}"),
    }
}

fn check_dir(path: &Path, maildir: bool) -> Option<String> {
    match std::fs::metadata(path) {
        Err(e) => return Some(missing(&e)),
        Ok(m) if !m.is_dir() => {
            return Some("is a file, not a directory (an mbox file is read with --mbox)".into());
        }
        Ok(_) => {}
    }
    let found = if maildir {
        maildir::holds_maildir(path)
    } else {
        maildir::holds_file(path)
    };
    match found {
        Err(e) => Some(missing(&e)),
        Ok(true) => None,
        Ok(false) if maildir => Some(
            "holds no Maildir (no cur/ or new/ directory in it or below); a folder of message files is read with --eml"
                .into(),
        ),
        Ok(false) => Some("holds no files to read as messages".into()),
    }
}

fn check_mbox(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Err(e) => return Some(missing(&e)),
        Ok(m) if m.is_dir() => {
            return Some("is a directory, not an mbox file (a Maildir is read with --maildir, a folder of message files with --eml)".into());
        }
        Ok(_) => {}
    }
    match mbox::looks_like_mbox(path) {
        Err(e) => Some(missing(&e)),
        Ok(true) => None,
        Ok(false) => Some(
            "is not an mbox file: its first line does not start with `From ` (a single message file is read with --eml DIR, from a folder holding it)"
                .into(),
        ),
    }
}
