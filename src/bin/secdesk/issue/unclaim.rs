//! `secdesk unclaim ID`: give an issue back.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Give back an issue you hold, so that it shows as unclaimed again.
///
/// Only the holder can; a fixed, announced or dismissed issue keeps its
/// holder. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueUnclaimCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,
}

impl IssueUnclaimCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(app, self.id, Ask::Plain(Request::Unclaim))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn unclaim_takes_one_id() {
        assert!(
            Cli::try_parse_from(["secdesk", "unclaim", "3"]).is_ok(),
            "unclaim 3"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "unclaim"]).is_err(),
            "unclaim"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "unclaim", "x"]).is_err(),
            "unclaim x"
        );
    }
}
