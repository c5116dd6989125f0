//! `secdesk merge ID INTO_ID`: fold one issue into another.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;

/// Fold issue ID into INTO_ID: its CVEs, messages, notes, history and
/// release statuses move; ID then points to INTO_ID, and later mail naming
/// its CVEs lands on INTO_ID.
///
/// Only people merge; ingest only links issues as related. Prints what
/// changed (-v: the whole surviving issue).
#[derive(clap::Args, Debug)]
pub struct IssueMergeCommand {
    /// The issue that goes away.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// The issue that stays.
    #[arg(value_name = "INTO_ID", value_parser = parse_id)]
    into: IssueId,
}

impl IssueMergeCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(app, self.id, Ask::Merge(self.into))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn merge_takes_two_ids() {
        assert!(
            Cli::try_parse_from(["secdesk", "merge", "3", "4"]).is_ok(),
            "merge 3 4"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "merge", "3"]).is_err(),
            "merge 3"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "merge", "3", "0"]).is_err(),
            "merge 3 0"
        );
    }
}
