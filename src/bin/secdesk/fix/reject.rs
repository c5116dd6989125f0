//! `secdesk fix reject ISSUE RELEASE COMMIT --reason TEXT`.

use crate::App;
use crate::issue::show::parse_id;
use secdesk::app::fix;
use secdesk::triage::IssueId;

/// Reject a proposed commit for one release, with a reason: it is never
/// proposed again for that release of that issue.
///
/// The status does not change; the rejection is in the issue's history.
#[derive(clap::Args, Debug)]
pub struct FixRejectCommand {
    /// The issue number.
    #[arg(value_name = "ISSUE", value_parser = parse_id)]
    issue: IssueId,

    /// A release from `fixes.branches`.
    #[arg(value_name = "RELEASE")]
    release: String,

    /// The proposed commit (7 or more hex digits of it).
    #[arg(value_name = "COMMIT")]
    commit: String,

    /// Why it is not the fix (required).
    #[arg(long, value_name = "TEXT")]
    reason: String,
}

impl FixRejectCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let actor = app.actor()?;
        let v = fix::reject(
            &mut app.ctx.desk(),
            &actor,
            self.issue,
            &self.release,
            &self.commit,
            &self.reason,
        )?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn reason_is_required() {
        let base = ["secdesk", "fix", "reject", "3", "26.05", "abc1234"];
        assert!(Cli::try_parse_from(base).is_err());
        let mut with = base.to_vec();
        with.extend(["--reason", "wrong package"]);
        assert!(Cli::try_parse_from(with).is_ok());
    }
}
