//! The issue commands: `issues`, `show`, `history`, and the triage actions.
//! Every action goes through [`act`]: resolve the id, check the request
//! against the rules, apply it and its history in one transaction, print
//! the changed issue.

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
use secdesk::cli;
use secdesk::triage::rules::{self, Request, Rules};
use secdesk::triage::{IssueId, Refused};

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

/// What a person asks for. `relate` and `merge` name another issue, which
/// is resolved (through earlier merges) inside the same transaction.
pub enum Ask {
    /// A request about one issue.
    Plain(Request),
    /// `relate ID OTHER`.
    Relate(IssueId),
    /// `merge ID INTO_ID`.
    Merge(IssueId),
}

/// Applies one request to one issue as the acting member, then prints the
/// changed issue. Everything happens in one write transaction, so two
/// people claiming at once cannot both win.
pub fn act(app: &mut App, id: IssueId, ask: Ask) -> anyhow::Result<()> {
    let actor = app.actor()?;
    let releases = app.ctx.config.releases.clone();
    let members: Vec<String> = app.ctx.config.team.iter().map(|m| m.id.clone()).collect();
    let now = app.ctx.now;
    let (target, unchanged) = app.ctx.store.write(|tx| {
        let r = tx.reader();
        let target = r.resolve(id)?.ok_or(Refused::NoSuchIssue(id))?;
        let (other_id, request) = match ask {
            Ask::Plain(request) => (None, request),
            Ask::Relate(o) => {
                let o = r.resolve(o)?.ok_or(Refused::NoSuchIssue(o))?;
                (Some(o), Request::Relate { other: o })
            }
            Ask::Merge(o) => {
                let into = r.resolve(o)?.ok_or(Refused::NoSuchIssue(o))?;
                let state = r.facts(into, None)?.ok_or(Refused::NoSuchIssue(o))?.state;
                (
                    Some(into),
                    Request::Merge {
                        into,
                        into_state: state,
                    },
                )
            }
        };
        let facts = r.facts(target, other_id)?.ok_or(Refused::NoSuchIssue(id))?;
        let rules = Rules {
            releases: &releases,
            members: &members,
        };
        let plan = rules::plan(&facts, &actor, &request, rules)?;
        if let Some(why) = plan.unchanged {
            return Ok::<_, anyhow::Error>((target, Some(why)));
        }
        tx.apply(target, &actor, now, &plan, &releases)?;
        let shown = match request {
            Request::Merge { into, .. } => into,
            _ => target,
        };
        Ok((shown, None))
    })?;
    if let Some(why) = unchanged {
        cli::log("secdesk", &format!("{why}; nothing changed"));
    }
    let shown = show::load(app, target)?;
    app.emit(&shown)
}
