//! `secdesk-ingest`: read the local sources given (`--maildir`, `--eml`,
//! `--mbox`) or, without any, every configured IMAP mailbox; say so when
//! there is nothing to read. [`check`] refuses a source that is not what
//! its flag says before anything is read or the database is opened.
//! With a Bat-Signal configured, every message is first offered to
//! [`SignalReplies`]: a reply to a page acks or declines its role and is
//! not stored.

use crate::app::signal::Replied;
use crate::config::Config;
use crate::mail::Parsed;
use crate::mail::fetch;
use crate::mail::ingest::{self, Intercept, Intercepted, Local, Options, Run, Summary};
use crate::mail::source::{maildir, mbox};
use crate::store::{self, Store, Tx};
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

    /// What monitoring is told of the run: the messages it stored (new,
    /// or another copy of a known Message-ID).
    pub fn monitored(&self) -> crate::job::monitor::Run {
        let ingested = match self {
            Ran::NothingToRead => 0,
            Ran::Read(s) => s.new + s.copies,
        };
        crate::job::monitor::Run {
            messages_ingested: Some(ingested),
        }
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
    let mut replies = SignalReplies::new(config);
    let mut run = Run::new(now, Options::new(config, verbose), log);
    if config.signal.is_some() {
        run = run.with_intercept(&mut replies);
    }
    if local.is_empty() {
        fetch::ingest_imap(store, &config.imap, &mut run)?;
    } else {
        ingest::ingest_local(store, local, &mut run)?;
    }
    Ok(Ran::Read(run.finish()))
}

/// Replies to Bat-Signal pages, taken out of correlation: a message with a
/// token-shaped word in its subject or in a plus-address of
/// `signal.reply_to` (`signal::reply::read`) goes to
/// `app::signal::reply`, which records the ack or decline, or refuses the
/// token with a history row. Such a message is never stored: it may come
/// from a private contact (a pager gateway), whose address must not reach
/// the database. The token key is read the first time a message carries
/// a token-shaped word, never otherwise.
pub struct SignalReplies<'c> {
    config: &'c Config,
    /// The token key once read: `Ok(None)` when none is configured, the
    /// error's words when it could not be read.
    secret: Option<Result<Option<String>, String>>,
}

impl<'c> SignalReplies<'c> {
    /// Nothing read yet.
    pub fn new(config: &'c Config) -> SignalReplies<'c> {
        SignalReplies {
            config,
            secret: None,
        }
    }
}

impl Intercept for SignalReplies<'_> {
    fn intercept(
        &mut self,
        tx: &Tx<'_>,
        raw: &[u8],
        parsed: &Parsed,
        now: Instant,
    ) -> Result<Option<Intercepted>, store::Error> {
        let Some(signal) = &self.config.signal else {
            return Ok(None);
        };
        let Some(reply) = crate::signal::reply::read(
            signal.reply_to.as_deref(),
            &parsed.subject,
            raw,
            &parsed.text,
            &parsed.from,
        ) else {
            return Ok(None);
        };
        let secret = self
            .secret
            .get_or_insert_with(|| signal.read_token_secret().map_err(|e| e.to_string()));
        let secret = match secret {
            Ok(s) => s.as_deref().map(str::as_bytes),
            Err(e) => {
                return Ok(Some(Intercepted::Failed(format!(
                    "a Bat-Signal reply, not read: {e}; tried again next run"
                ))));
            }
        };
        let taken = match crate::app::signal::reply(
            tx,
            self.config,
            secret,
            &reply.text,
            reply.declines,
            now,
        ) {
            Ok(None) => return Ok(None),
            Ok(Some(Replied::Recorded { line, member })) => {
                let team = self
                    .config
                    .member(&member)
                    .and_then(|m| m.email.as_deref())
                    .map(str::to_ascii_lowercase);
                // The token is the authority (a pager gateway answers from
                // its own address); a sender other than the team address is
                // said, by its domain only.
                let line = match (&reply.from, team) {
                    (Some(from), Some(team)) if *from == team => line,
                    _ => format!(
                        "{line} (from an address at {}, not {member}'s team address)",
                        reply.from_domain.as_deref().unwrap_or("no domain")
                    ),
                };
                Intercepted::Taken {
                    line: line.replace('\n', "; "),
                    refused: false,
                }
            }
            Ok(Some(Replied::Again(line))) => Intercepted::Taken {
                line,
                refused: false,
            },
            Ok(Some(Replied::Refused(line))) => Intercepted::Taken {
                line,
                refused: true,
            },
            Err(crate::app::Error::Store(e)) => return Err(e),
            Err(crate::app::Error::Refused(why)) => Intercepted::Taken {
                line: format!("Bat-Signal reply refused: {why}"),
                refused: true,
            },
        };
        Ok(Some(taken))
    }
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
