//! `secdesk dismiss ID --reason REASON`: close an issue without a fix.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::rules::Request;
use secdesk::triage::{self, DismissReason, IssueId};

/// Close an issue without a fix: not-packaged, not-a-vulnerability,
/// embargoed, duplicate, or other (with --text).
///
/// `reopen` undoes it. Prints the issue.
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
        )?;
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
