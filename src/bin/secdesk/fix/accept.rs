//! `secdesk fix accept ISSUE RELEASE [COMMIT]`.

use crate::App;
use crate::issue::show::parse_id;
use secdesk::app::fix;
use secdesk::triage::IssueId;

/// Accept a proposed commit as the fix of one release: records the
/// release `fixed` with the full commit id.
///
/// Without COMMIT the one proposal is taken; when several are proposed,
/// name one (7 or more hex digits of it). Same effect, history and state
/// change as `secdesk release-status ISSUE RELEASE fixed --ref COMMIT`.
/// Prints what changed (-v: the whole issue; --json: the issue).
#[derive(clap::Args, Debug)]
pub struct FixAcceptCommand {
    /// The issue number.
    #[arg(value_name = "ISSUE", value_parser = parse_id)]
    issue: IssueId,

    /// A release from `fixes.branches`.
    #[arg(value_name = "RELEASE")]
    release: String,

    /// The proposed commit (default: the only proposal).
    #[arg(value_name = "COMMIT")]
    commit: Option<String>,
}

impl FixAcceptCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let actor = app.actor()?;
        let acted = fix::accept(
            &mut app.ctx.desk(),
            &actor,
            self.issue,
            &self.release,
            self.commit.as_deref(),
        )?;
        if app.json || app.verbose {
            return app.emit(&acted.issue);
        }
        app.emit(&acted)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn commit_is_optional() {
        assert!(Cli::try_parse_from(["secdesk", "fix", "accept", "3", "26.05"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "fix", "accept", "3", "26.05", "abc1234"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "fix", "accept", "3"]).is_err());
    }
}
