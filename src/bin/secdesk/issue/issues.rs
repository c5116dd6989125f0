//! `secdesk issues`: list issues, with filters.

use crate::App;
use secdesk::app::issue::{ListQuery, list};

/// List issues, most severe first (critical, high, medium, low, then
/// issues without a severity), oldest first within a severity.
///
/// Filters combine: every one given must hold.
#[derive(clap::Args, Debug)]
pub struct IssueListCommand {
    /// Only issues in this state: open (new, claimed or triaged), new,
    /// claimed, triaged, fixed, announced, dismissed.
    ///
    /// Repeat it or separate states with commas to list issues in any of
    /// them: `--state new --state claimed`, `--state fixed,announced`.
    #[arg(long, value_name = "STATE", value_delimiter = ',')]
    state: Vec<String>,

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

    /// Only the issue holding this CVE id (CVE-YYYY-NNNN, any case).
    #[arg(long, value_name = "CVE")]
    cve: Option<String>,

    /// Only issues naming this package (any case; the names `show` lists
    /// under `packages:`).
    #[arg(long, value_name = "NAME")]
    package: Option<String>,

    /// Only issues with a message whose subject or text holds every word
    /// of TEXT.
    ///
    /// Words match whole, in any case and without accents (`needrestart`,
    /// `Perl`, `CVE-2024-48990`); a word ending in * matches as a prefix
    /// (`needrest*`). Punctuation and words like AND or NOT are searched
    /// as text, never read as operators.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    search: Option<String>,

    /// Only issues with a message that has parse problems (no Message-ID,
    /// no date, undecodable parts, …); `show` names the messages.
    #[arg(long)]
    problems: bool,
}

impl IssueListCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let query = ListQuery {
            states: self.state,
            source: self.source,
            since: self.since,
            claimed_by: self.claimed_by,
            unclaimed: self.unclaimed,
            release_status: self.release.zip(self.release_status),
            cve: self.cve,
            package: self.package,
            search: self.search,
            problems: self.problems,
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

    #[test]
    fn lookup_filters_parse_and_states_repeat() {
        let c = Cli::try_parse_from([
            "secdesk",
            "issues",
            "--state",
            "new",
            "--state",
            "fixed,announced",
            "--cve",
            "cve-2024-48990",
            "--package",
            "needrestart",
            "--search",
            "perl module",
            "--problems",
        ]);
        assert!(c.is_ok(), "{c:?}");
    }
}
