//! `secdesk status`: how the desk stands, at a glance.

use crate::App;
use secdesk::app::status::status;

/// Show issue counts by state, the unclaimed issues with their age, and
/// whether ingest is healthy.
#[derive(clap::Args, Debug)]
pub struct StatusCommand {}

impl StatusCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let status = status(&mut app.ctx.desk())?;
        app.emit(&status)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn status_takes_no_arguments() {
        assert!(
            Cli::try_parse_from(["secdesk", "status", "--json"]).is_ok(),
            "status --json"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "status", "x"]).is_err(),
            "status x"
        );
    }
}
