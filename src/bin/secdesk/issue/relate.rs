//! `secdesk relate ID OTHER`: link two issues.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;

/// Link two issues as related (both show the link). Prints what changed (-v: the first issue).
#[derive(clap::Args, Debug)]
pub struct IssueRelateCommand {
    /// One issue.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// The other issue.
    #[arg(value_name = "OTHER", value_parser = parse_id)]
    other: IssueId,
}

impl IssueRelateCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(app, self.id, Ask::Relate(self.other))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn relate_takes_two_ids() {
        assert!(
            Cli::try_parse_from(["secdesk", "relate", "3", "4"]).is_ok(),
            "relate 3 4"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "relate", "3"]).is_err(),
            "relate 3"
        );
    }
}
