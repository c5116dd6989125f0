//! `secdesk`: the operator CLI. Each subcommand lives in its own file; this
//! file only parses the command line and dispatches.

mod advisory;
mod check_config;
mod fix;
mod init;
mod issue;
mod message;
mod rota;
mod signal;
mod status;

use clap::{CommandFactory, Parser, Subcommand};
use secdesk::cli::generate::{self, GenerateArgs};
use secdesk::cli::{self, CommonArgs, Ctx};
use std::process::ExitCode;

const NAME: &str = "secdesk";

/// The security team's front desk: list, show and work issues.
///
/// Every listing and show takes --json: stdout then holds one JSON document
/// (or nothing, on error), keys in snake_case, instants in RFC 3339 UTC.
///
/// Exit codes: 0 done; 1 the database or the system failed; 2 the request
/// is wrong (unknown issue, bad value, bad configuration) or a rule refused
/// it; nothing changed.
#[derive(Parser, Debug)]
#[command(name = NAME, version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,

    // Read by `generate::intercept` before this struct is parsed; here so
    // that --help lists --generate and --out-dir.
    #[command(flatten)]
    _generate: GenerateArgs,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    /// After an action, print the whole issue as `show` does, instead of
    /// one line saying what changed.
    #[arg(short, long, global = true)]
    verbose: bool,

    /// Act as this team member (for commands that change issues).
    ///
    /// Default: $SECDESK_USER, then the team member whose `unix_user` is
    /// your login ($USER). A name that is not a team member is refused.
    #[arg(long = "as", value_name = "MEMBER", global = true)]
    as_member: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Init(init::InitCommand),
    #[command(flatten)]
    Issue(issue::IssueCommand),
    Message(message::MessageShowCommand),
    Rota(rota::RotaCommand),
    Signal(signal::SignalCommand),
    Advisory(advisory::AdvisoryCommand),
    Fix(fix::FixCommand),
    Status(status::StatusCommand),
    CheckConfig(check_config::CheckConfigCommand),
}

/// What every subcommand works with.
pub struct App {
    /// Configuration, database and `now`.
    pub ctx: Ctx,
    /// Whether to print JSON.
    pub json: bool,
    /// `-v`: after an action, the whole issue instead of one line.
    pub verbose: bool,
    /// `--as`, if given.
    pub as_member: Option<String>,
}

impl App {
    /// Prints either the JSON or the text form of one output value.
    pub fn emit<T: serde::Serialize + std::fmt::Display>(&self, value: &T) -> anyhow::Result<()> {
        if self.json {
            cli::print_json(value)
        } else {
            cli::print(&cli::text(value))
        }
    }

    /// Who is acting: `--as`, else `$SECDESK_USER`, else the team member
    /// mapped to the Unix login. Refused (exit 2) when nobody matches.
    pub fn actor(&self) -> anyhow::Result<String> {
        let env_user = std::env::var("SECDESK_USER").ok();
        let login = std::env::var("USER")
            .ok()
            .or_else(|| std::env::var("LOGNAME").ok());
        let actor = secdesk::triage::identify(
            &self.ctx.config.team,
            self.as_member.as_deref(),
            env_user.as_deref(),
            login.as_deref(),
        );
        Ok(actor.map_err(secdesk::refusal::Refusal::from)?)
    }
}

fn main() -> ExitCode {
    if let Some(code) = generate::intercept(Cli::command()) {
        return code;
    }
    cli::finish(NAME, run(Cli::parse()))
}

fn run(args: Cli) -> anyhow::Result<ExitCode> {
    // Before Ctx::open: check-config opens no database.
    if let Command::CheckConfig(cmd) = &args.command {
        cmd.execute(&args.common, args.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    // The only command that may create the database: every other one
    // refuses a missing file.
    if let Command::Init(cmd) = &args.command {
        cmd.execute(&args.common, args.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = Ctx::open(&args.common)?;
    let mut app = App {
        ctx,
        json: args.json,
        verbose: args.verbose,
        as_member: args.as_member,
    };
    match args.command {
        Command::Issue(cmd) => cmd.execute(&mut app)?,
        Command::Message(cmd) => cmd.execute(&mut app)?,
        Command::Rota(cmd) => cmd.execute(&mut app)?,
        Command::Signal(cmd) => cmd.execute(&mut app)?,
        Command::Advisory(cmd) => cmd.execute(&mut app)?,
        Command::Fix(cmd) => cmd.execute(&mut app)?,
        Command::Status(cmd) => cmd.execute(&mut app)?,
        Command::CheckConfig(_) | Command::Init(_) => {} // Ran above.
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn args_are_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn common_flags_work_before_and_after_the_subcommand() {
        let a = Cli::try_parse_from([
            "secdesk",
            "--db",
            "x.sqlite",
            "issues",
            "--now",
            "2026-01-01T00:00:00Z",
        ])
        .unwrap();
        assert_eq!(
            a.common.db.as_deref(),
            Some(std::path::Path::new("x.sqlite"))
        );
        assert!(a.common.now.is_some());
    }
}
