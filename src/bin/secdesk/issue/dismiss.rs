//! `secdesk dismiss ID --reason REASON`: close an issue without a fix.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::refusal::Refusal;
use secdesk::triage::rules::Request;
use secdesk::triage::{self, DismissReason, IssueId};

/// Close an issue without a fix: not-packaged, not-a-vulnerability,
/// embargoed, duplicate, or other (with --text).
///
/// `reopen` undoes it. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueDismissCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// not-packaged, not-a-vulnerability, embargoed, duplicate or other.
    #[arg(long, value_name = "REASON")]
    reason: String,

    /// More words (required with --reason other).
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
}

impl IssueDismissCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let reason = triage::word(
            "reason",
            &self.reason,
            DismissReason::parse,
            DismissReason::expected(),
        )
        .map_err(Refusal::from)?;
        act(
            app,
            self.id,
            Ask::Plain(Request::Dismiss {
                reason,
                text: self.text,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn dismiss_needs_a_reason() {
        assert!(
            Cli::try_parse_from([
                "secdesk", "dismiss", "3", "--reason", "other", "--text", "x"
            ])
            .is_ok(),
            "dismiss 3 --reason other --text x"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "dismiss", "3"]).is_err(),
            "dismiss 3"
        );
    }
}
