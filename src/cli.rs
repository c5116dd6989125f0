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
use crate::store::{self, Store};
use crate::time::{self, Instant};
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// A database that could not be opened, with the setting that chose its
/// path, so that a wrong path can be traced to the flag or key to change.
#[derive(Debug)]
pub struct DatabaseError {
    /// What the store said (in the message, not a `source()`: said once).
    pub error: store::Error,
    /// `--db`, or `database` in which configuration file.
    pub chosen_by: String,
}

impl std::fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            store::Error::Missing { .. } => write!(
                f,
                "{} ({}); create it with `secdesk init`, or read mail into it with `secdesk-ingest`",
                self.error, self.chosen_by
            ),
            other => write!(f, "{other}; the path is {}", self.chosen_by),
        }
    }
}

impl std::error::Error for DatabaseError {}

impl Ctx {
    /// Loads the configuration (exit 2 when it is wrong), reads the clock
    /// once unless `--now` was given, and opens the database, which must
    /// exist: programs that only read, and the timer jobs that mail from
    /// it, refuse a missing file (exit 1) rather than work on a new empty
    /// one.
    pub fn open(args: &CommonArgs) -> anyhow::Result<Ctx> {
        Ctx::with_store(args, Store::open)
    }

    /// [`Ctx::open`] for the programs that may create the database:
    /// `secdesk-ingest` and `secdesk init`.
    pub fn create(args: &CommonArgs) -> anyhow::Result<Ctx> {
        Ctx::with_store(args, Store::create)
    }

    fn with_store(
        args: &CommonArgs,
        open: fn(&Path) -> store::Result<Store>,
    ) -> anyhow::Result<Ctx> {
        let (config, origin) = Ctx::config(args)?;
        let now = args.now.unwrap_or_else(chrono::Utc::now);
        let (path, chosen_by) = Ctx::database(args, &config, &origin);
        let store = open(&path).map_err(|error| DatabaseError { error, chosen_by })?;
        Ok(Ctx {
            config,
            origin,
            store,
            now,
        })
    }

    /// The database path in force and what chose it: `--db`, else
    /// `database` in the configuration file (relative to the file's
    /// directory), else the embedded default in the working directory.
    pub fn database(args: &CommonArgs, config: &Config, origin: &Origin) -> (PathBuf, String) {
        match (&args.db, origin) {
            (Some(db), _) => (db.clone(), "set by --db".into()),
            (None, Origin::File(file)) => (
                config.database.clone(),
                format!("set by `database` in {}", file.display()),
            ),
            (None, Origin::Embedded) => (
                config.database.clone(),
                "the default in the working directory, as no configuration file was found (--config, $SECDESK_CONFIG, /etc/secdesk/config.json)".into(),
            ),
        }
    }

    /// `secdesk init`: creates the database the configuration (or `--db`)
    /// names, with every migration, or finds it there already.
    pub fn init(args: &CommonArgs) -> anyhow::Result<(Ctx, Initialized)> {
        let (config, origin) = Ctx::config(args)?;
        let (path, chosen_by) = Ctx::database(args, &config, &origin);
        let existed = std::fs::symlink_metadata(&path).is_ok();
        let ctx = Ctx::create(args)?;
        let done = Initialized {
            database: path,
            created: !existed,
            schema_version: store::migrations::MIGRATIONS.len(),
            chosen_by,
        };
        Ok((ctx, done))
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

/// What `secdesk init` did.
#[derive(Debug, serde::Serialize)]
pub struct Initialized {
    /// The database file.
    pub database: PathBuf,
    /// Whether this run created it (false: it was there already).
    pub created: bool,
    /// Its schema version now (the number of migrations applied).
    pub schema_version: usize,
    /// What chose the path (`--db`, `database` in which file).
    #[serde(skip)]
    pub chosen_by: String,
}

impl std::fmt::Display for Initialized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.database.display();
        let version = self.schema_version;
        if self.created {
            write!(
                f,
                "created database {path} (schema version {version}; the path is {})",
                self.chosen_by
            )
        } else {
            write!(
                f,
                "database {path} exists already (schema version {version}); nothing changed"
            )
        }
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

/// A value's text for stdout: laid out for the page when stdout is a
/// terminal (its listings fit [`page_width`], see [`crate::layout`]), at
/// full width otherwise, so scripts, pipes and files read whole lines.
pub fn text<T: std::fmt::Display>(value: &T) -> String {
    match page_width() {
        Some(width) => format!("{value:width$}"),
        None => value.to_string(),
    }
}

/// The terminal's width in columns when stdout is a terminal: `$COLUMNS`
/// when set to a number, else what the terminal says. `None` for pipes and
/// files. Never colour: nothing secdesk prints carries escape codes, so
/// `NO_COLOR` and dumb terminals need nothing more.
pub fn page_width() -> Option<usize> {
    use std::io::IsTerminal;
    let out = std::io::stdout();
    if !out.is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    columns
        .or_else(|| {
            rustix::termios::tcgetwinsize(&out)
                .ok()
                .map(|w| usize::from(w.ws_col))
        })
        .filter(|w| *w > 0)
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

/// After a timer job's successful run (one that exits 0): its metrics file
/// and heartbeat ping (`job::monitor::succeeded`), each problem logged.
/// Never changes the exit code: the job did its work, and a missed update
/// is what monitoring sees. `run` carries the run's own figures
/// (`Run::default()` for a job with none).
pub fn succeeded(program: &str, ctx: &mut Ctx, run: crate::job::monitor::Run) {
    let done = crate::job::monitor::succeeded(&mut ctx.store, &ctx.config, program, ctx.now, run);
    for problem in &done.problems {
        log(program, problem);
    }
}

/// How every timer job ends: on success its metrics and heartbeat
/// (`succeeded`), then its one summary line, then exit 1 when it carried
/// on past failures (the next run retries them), else 0.
pub fn job_done(
    program: &str,
    ctx: &mut Ctx,
    failed: bool,
    run: crate::job::monitor::Run,
    summary: &dyn std::fmt::Display,
) -> anyhow::Result<ExitCode> {
    if !failed {
        succeeded(program, ctx, run);
    }
    print(&summary.to_string())?;
    Ok(exit_for(failed))
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
/// which reaches here only as a [`Refusal`], and a local mail source that
/// is not one), 1 for everything else.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let usage = err.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<config::Error>()
            || e.is::<Refusal>()
            || e.is::<crate::job::ingest::BadSource>()
            || e.downcast_ref::<app::Error>()
                .is_some_and(app::Error::is_refusal)
            // `#[error(transparent)]` hides the wrapped error from the chain.
            || e.downcast_ref::<crate::job::Error>()
                .is_some_and(|j| matches!(j, crate::job::Error::Config(_)))
    });
    if usage { 2 } else { 1 }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
