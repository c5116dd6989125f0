//! `secdesk release-status ID RELEASE STATUS`: record one release's status.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::refusal::Refusal;
use secdesk::triage::rules::Request;
use secdesk::triage::{self, IssueId, ReleaseStatus};

/// Record how one supported release stands: unknown, affected,
/// not-affected, fixed (needs --ref) or wontfix (needs --reason).
///
/// The release must be one the configuration lists. On an issue nobody
/// holds, you claim it too. The issue's state follows: triaged once every
/// release has a status, fixed once no release is affected and one is
/// fixed. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueReleaseStatusCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// A release from the configuration's `releases`.
    #[arg(value_name = "RELEASE")]
    release: String,

    /// unknown, affected, not-affected, fixed or wontfix.
    #[arg(value_name = "STATUS")]
    status: String,

    /// The fix: a PR, commit or version (required for fixed).
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,

    /// Why (required for wontfix).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

impl IssueReleaseStatusCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let status = triage::word(
            "status",
            &self.status,
            ReleaseStatus::parse,
            ReleaseStatus::expected(),
        )
        .map_err(Refusal::from)?;
        let request = Request::SetRelease {
            release: self.release,
            status,
            reference: self.reference,
            reason: self.reason,
        };
        act(app, self.id, Ask::Plain(request))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn ref_and_reason_are_flags() {
        let c = Cli::try_parse_from([
            "secdesk",
            "release-status",
            "3",
            "25.05",
            "fixed",
            "--ref",
            "PR #1",
        ]);
        assert!(c.is_ok(), "{c:?}");
    }
}
