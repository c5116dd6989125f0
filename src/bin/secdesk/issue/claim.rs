//! `secdesk claim ID`: take an issue.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Take an issue: you hold it and handle it until it is fixed or you hand
/// it over.
///
/// Refused when someone else holds it, unless --steal with --reason says
/// why (both recorded in the history). Claiming an issue you hold already
/// changes nothing. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueClaimCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// Take it over from its current holder.
    #[arg(long, requires = "reason")]
    steal: bool,

    /// Why you take it over (with --steal).
    #[arg(long, value_name = "TEXT", requires = "steal")]
    reason: Option<String>,
}

impl IssueClaimCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let steal = if self.steal { self.reason } else { None };
        act(app, self.id, Ask::Plain(Request::Claim { steal }))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn steal_needs_a_reason() {
        assert!(Cli::try_parse_from(["secdesk", "claim", "3", "--steal"]).is_err());
        assert!(
            Cli::try_parse_from(["secdesk", "claim", "3", "--steal", "--reason", "on leave"])
                .is_ok()
        );
        assert!(Cli::try_parse_from(["secdesk", "claim", "#3", "--as", "alice"]).is_ok());
    }
}
