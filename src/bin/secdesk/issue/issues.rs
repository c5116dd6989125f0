//! `secdesk issues`: list issues, with filters.

use crate::App;
use secdesk::app::issue::{ListQuery, list};

/// List issues, oldest first.
///
/// Filters combine: every one given must hold.
#[derive(clap::Args, Debug)]
pub struct IssueListCommand {
    /// Only issues in this state: new, claimed, triaged, fixed, announced,
    /// dismissed.
    #[arg(long, value_name = "STATE")]
    state: Option<String>,

    /// Only issues carried by this source: oss-security, full-disclosure,
    /// debian, redhat, suse, gentoo, other.
    #[arg(long, value_name = "SOURCE")]
    source: Option<String>,

    /// Only issues opened at or after this date (YYYY-MM-DD, midnight UTC)
    /// or instant (RFC 3339).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,

    /// Only issues this member holds.
    #[arg(long, value_name = "MEMBER")]
    claimed_by: Option<String>,

    /// Only open issues nobody holds.
    #[arg(long, conflicts_with = "claimed_by")]
    unclaimed: bool,

    /// With --release-status: only issues whose status in this release is
    /// that status (a missing status counts as unknown).
    #[arg(long, value_name = "RELEASE", requires = "release_status")]
    release: Option<String>,

    /// The status to look for in --release: unknown, affected,
    /// not-affected, fixed, wontfix.
    #[arg(long, value_name = "STATUS", requires = "release")]
    release_status: Option<String>,
}

impl IssueListCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let query = ListQuery {
            state: self.state,
            source: self.source,
            since: self.since,
            claimed_by: self.claimed_by,
            unclaimed: self.unclaimed,
            release_status: self.release.zip(self.release_status),
        };
        let issues = list(&mut app.ctx.desk(), &query)?;
        app.emit(&issues)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn filters_parse() {
        let c = Cli::try_parse_from([
            "secdesk",
            "issues",
            "--state",
            "new",
            "--source",
            "debian",
            "--since",
            "2026-01-01",
            "--json",
        ]);
        assert!(c.is_ok(), "{c:?}");
    }
}
