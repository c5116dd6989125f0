//! The issue commands: `issues`, `show`, `history`, and the triage actions.
//! Every action goes through [`act`], which calls `secdesk::app::issue::act`
//! and prints one line saying what changed (`-v`: the whole issue).

pub mod announce;
pub mod assign;
pub mod claim;
pub mod dismiss;
pub mod history;
pub mod issues;
pub mod merge;
pub mod note;
pub mod relate;
pub mod release_status;
pub mod reopen;
pub mod severity;
pub mod show;
pub mod unclaim;

use crate::App;
use clap::Subcommand;
use secdesk::app::issue;
use secdesk::cli;
use secdesk::triage::IssueId;

pub use secdesk::app::issue::Ask;

/// Commands that read or change issues.
#[derive(Subcommand, Debug)]
pub enum IssueCommand {
    Issues(issues::IssueListCommand),
    Show(show::IssueShowCommand),
    History(history::IssueHistoryCommand),
    Claim(claim::IssueClaimCommand),
    Unclaim(unclaim::IssueUnclaimCommand),
    Assign(assign::IssueAssignCommand),
    ReleaseStatus(release_status::IssueReleaseStatusCommand),
    Severity(severity::IssueSeverityCommand),
    Note(note::IssueNoteCommand),
    Dismiss(dismiss::IssueDismissCommand),
    Reopen(reopen::IssueReopenCommand),
    Announce(announce::IssueAnnounceCommand),
    Merge(merge::IssueMergeCommand),
    Relate(relate::IssueRelateCommand),
}

impl IssueCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        match self {
            IssueCommand::Issues(c) => c.execute(app),
            IssueCommand::Show(c) => c.execute(app),
            IssueCommand::History(c) => c.execute(app),
            IssueCommand::Claim(c) => c.execute(app),
            IssueCommand::Unclaim(c) => c.execute(app),
            IssueCommand::Assign(c) => c.execute(app),
            IssueCommand::ReleaseStatus(c) => c.execute(app),
            IssueCommand::Severity(c) => c.execute(app),
            IssueCommand::Note(c) => c.execute(app),
            IssueCommand::Dismiss(c) => c.execute(app),
            IssueCommand::Reopen(c) => c.execute(app),
            IssueCommand::Announce(c) => c.execute(app),
            IssueCommand::Merge(c) => c.execute(app),
            IssueCommand::Relate(c) => c.execute(app),
        }
    }
}

/// Applies one request as the acting member, then prints one line saying
/// what changed (or that nothing did); `--json` prints the changed issue,
/// `-v` the whole issue as `show` does.
pub fn act(app: &mut App, id: IssueId, ask: Ask) -> anyhow::Result<()> {
    let actor = app.actor()?;
    let acted = issue::act(&mut app.ctx.desk(), &actor, id, ask)?;
    if app.json || app.verbose {
        if let Some(why) = &acted.unchanged {
            cli::log("secdesk", &format!("{why}; nothing changed"));
        }
        return app.emit(&acted.issue);
    }
    app.emit(&acted)
}
