//! `secdesk reopen ID`: open a dismissed or announced issue again.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Open a dismissed or announced issue again; its state then follows from
/// its claim and release statuses. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueReopenCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,
}

impl IssueReopenCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(app, self.id, Ask::Plain(Request::Reopen))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn reopen_takes_one_id() {
        assert!(
            Cli::try_parse_from(["secdesk", "reopen", "#3"]).is_ok(),
            "reopen #3"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "reopen"]).is_err(),
            "reopen"
        );
    }
}
