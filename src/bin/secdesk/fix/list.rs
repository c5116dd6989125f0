//! `secdesk fix list ISSUE`.

use crate::App;
use crate::issue::show::parse_id;
use secdesk::app::fix;
use secdesk::triage::IssueId;

/// Show, per release of an issue, its branch and status, the commits
/// proposed as its fix, and whether its channel has the recorded fix.
///
/// Proposals come from the last `secdesk-fix-track` run: commits on the
/// release's branch naming one of the issue's CVEs (in the message or an
/// added file's name), or cherry-picked from one that does; rejected ones
/// are left out.
#[derive(clap::Args, Debug)]
pub struct FixListCommand {
    /// The issue number.
    #[arg(value_name = "ISSUE", value_parser = parse_id)]
    issue: IssueId,
}

impl FixListCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let v = fix::list(&mut app.ctx.desk(), self.issue)?;
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn takes_an_issue_and_json() {
        assert!(Cli::try_parse_from(["secdesk", "fix", "list", "3", "--json"]).is_ok());
        assert!(Cli::try_parse_from(["secdesk", "fix", "list"]).is_err());
    }
}
