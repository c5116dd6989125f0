//! What the binaries share: the common flags, the checked context they
//! become, printing, and the mapping of results to exit codes.
//!
//! This is the edge: it may use clap and anyhow; nothing else in the
//! library does. Exit codes are interface:
//! 0 done (also nothing to do, also mail stored with problems);
//! 1 the job failed at run time and the next timer run retries;
//! 2 the invocation or configuration is wrong, or a rule refused the
//! request; nothing changed.

pub mod generate;

use crate::app;
use crate::config::{self, Config, Origin};
use crate::refusal::Refusal;
use crate::store::Store;
use crate::time::{self, Instant};
use anyhow::Context as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags every binary takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CommonArgs {
    /// Configuration file (JSON).
    ///
    /// Default: $SECDESK_CONFIG, then /etc/secdesk/config.json when it
    /// exists, then the embedded defaults (database ./secdesk.sqlite, no
    /// IMAP, mail written to ./outbox as .eml files).
    #[arg(long, value_name = "FILE", env = "SECDESK_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Database file; overrides `database` in the configuration.
    #[arg(long, value_name = "FILE", global = true)]
    pub db: Option<PathBuf>,

    /// Run as if it were this instant (RFC 3339, e.g. 2026-11-22T09:00:00Z).
    ///
    /// Default: the system clock. For tests and replays.
    #[arg(long, value_name = "RFC3339", global = true, value_parser = parse_now)]
    pub now: Option<Instant>,
}

fn parse_now(text: &str) -> Result<Instant, String> {
    time::parse(text).ok_or_else(|| {
        format!("expected an RFC 3339 instant like 2026-11-22T09:00:00Z, got {text:?}")
    })
}

/// A request that is wrong as asked: exit 2, nothing changed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The checked context a binary works in: configuration, database, `now`.
pub struct Ctx {
    /// The configuration in force.
    pub config: Config,
    /// Where it came from.
    pub origin: Origin,
    /// The open database.
    pub store: Store,
    /// The instant the run works at (UTC).
    pub now: Instant,
}

impl Ctx {
    /// Loads the configuration (exit 2 when it is wrong), reads the clock
    /// once unless `--now` was given, and opens the database.
    pub fn open(args: &CommonArgs) -> anyhow::Result<Ctx> {
        let (config, origin) = Ctx::config(args)?;
        let now = args.now.unwrap_or_else(chrono::Utc::now);
        let path = args.db.clone().unwrap_or_else(|| config.database.clone());
        let store = Store::open(&path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        Ok(Ctx {
            config,
            origin,
            store,
            now,
        })
    }

    /// The application layer's view of this context.
    pub fn desk(&mut self) -> crate::app::Desk<'_> {
        crate::app::Desk {
            store: &mut self.store,
            config: &self.config,
            now: self.now,
        }
    }

    /// Loads only the configuration.
    pub fn config(args: &CommonArgs) -> anyhow::Result<(Config, Origin)> {
        Ok(Config::locate(args.config.as_deref())?)
    }
}

/// Writes to stdout; a closed pipe surfaces as an error that [`finish`]
/// turns into a quiet exit 0 (`secdesk issues | head`).
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    print(&text)
}

/// Logs one line to stderr (journald picks it up), prefixed with the
/// program name.
pub fn log(program: &str, message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{program}: {message}");
}

/// Exit 1 when a job carried on past failures, else 0.
pub fn exit_for(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Maps a binary's result to its exit code, printing the error once.
pub fn finish(program: &str, result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            log(program, &format!("{err:#}"));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// 2 for wrong requests and configuration (and every rule's refusal,
/// which reaches here only as a [`Refusal`]), 1 for everything else.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let usage = err.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<config::Error>()
            || e.is::<Refusal>()
            || e.downcast_ref::<app::Error>()
                .is_some_and(app::Error::is_refusal)
    });
    if usage { 2 } else { 1 }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
