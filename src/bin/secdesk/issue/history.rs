//! `secdesk history ID`: every change to an issue.

use super::show::parse_id;
use crate::App;
use secdesk::app::issue::history;
use secdesk::triage::IssueId;

/// Show every change to an issue: when, who, what, oldest first.
#[derive(clap::Args, Debug)]
pub struct IssueHistoryCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,
}

impl IssueHistoryCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let history = history(&mut app.ctx.desk(), self.id)?;
        app.emit(&history)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn history_takes_one_id() {
        assert!(
            Cli::try_parse_from(["secdesk", "history", "3", "--json"]).is_ok(),
            "history 3 --json"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "history"]).is_err(),
            "history"
        );
    }
}
