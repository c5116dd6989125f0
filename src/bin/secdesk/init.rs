//! `secdesk init`: create the database, on purpose.

use secdesk::cli::{self, CommonArgs, Ctx};

/// Create the database that the configuration's `database` (or --db)
/// names, with every migration applied.
///
/// Every other `secdesk` command, secdesk-rotate-notify and
/// secdesk-triage-report refuse a database file that does not exist, so a
/// wrong path is an error rather than a new, empty database;
/// secdesk-ingest creates it too. Run where the database already exists,
/// this brings its schema up to date and changes nothing else. A relative
/// `database` is taken relative to the configuration file's directory.
#[derive(clap::Args, Debug)]
pub struct InitCommand {}

impl InitCommand {
    /// Runs the command: it opens the database itself, as the only
    /// `secdesk` command that may create it.
    pub fn execute(&self, common: &CommonArgs, json: bool) -> anyhow::Result<()> {
        let (_ctx, done) = Ctx::init(common)?;
        if json {
            cli::print_json(&done)
        } else {
            cli::print(&done.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn init_takes_no_arguments() {
        assert!(Cli::try_parse_from(["secdesk", "init", "--db", "x.sqlite"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "init", "x"]).is_err());
    }
}
