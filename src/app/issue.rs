//! Issues: list, show, history, and every triage action.
//!
//! Every action goes through [`act`]: resolve the id (following merges),
//! read the facts, let `triage::rules::plan` decide, apply the plan and
//! its history in one write transaction, then load the changed issue.

pub mod history;
pub mod list;
pub mod show;

pub use history::{IssueHistory, history};
pub use list::{IssueList, ListQuery, list};
pub use show::{IssueShow, show};

use super::{Desk, Result};
use crate::store::Tx;
use crate::triage::rules::{self, Request, Rules};
use crate::triage::{IssueId, Refused};

/// What a person asks for. `relate` and `merge` name another issue, which
/// is resolved (through earlier merges) inside the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// A request about one issue.
    Plain(Request),
    /// `relate ID OTHER`.
    Relate(IssueId),
    /// `merge ID INTO_ID`.
    Merge(IssueId),
}

/// What an action did: the issue as it now stands (the survivor, after a
/// merge), and why nothing changed when the request was already so.
#[derive(Debug)]
pub struct Acted {
    /// The changed issue.
    pub issue: IssueShow,
    /// Set when the request changed nothing ("already claimed by you").
    pub unchanged: Option<String>,
}

/// Applies one request to one issue as `actor` (a team member id, checked
/// by `triage::identify`). Everything happens in one write transaction, so
/// two people claiming at once cannot both win. Refusals change nothing.
pub fn act(desk: &mut Desk<'_>, actor: &str, id: IssueId, ask: Ask) -> Result<Acted> {
    let releases = &desk.config.releases;
    let members: Vec<String> = desk.config.team.iter().map(|m| m.id.clone()).collect();
    let rules = Rules {
        releases,
        members: &members,
    };
    let now = desk.now;
    let (shown, unchanged) = desk.store.write(|tx| {
        let (target, request) = resolve(tx, id, ask)?;
        let r = tx.reader();
        let other = match &request {
            Request::Relate { other } => Some(*other),
            Request::Merge { into, .. } => Some(*into),
            _ => None,
        };
        let facts = r.facts(target, other)?.ok_or(Refused::NoSuchIssue(id))?;
        let plan = rules::plan(&facts, actor, &request, rules)?;
        if let Some(why) = plan.unchanged {
            return Ok::<_, super::Error>((target, Some(why)));
        }
        tx.apply(target, actor, now, &plan, releases)?;
        let shown = match request {
            Request::Merge { into, .. } => into,
            _ => target,
        };
        Ok((shown, None))
    })?;
    Ok(Acted {
        issue: show(desk, shown)?,
        unchanged,
    })
}

/// The issue a request is about and the request itself, with every issue
/// id it names resolved through earlier merges.
fn resolve(tx: &Tx<'_>, id: IssueId, ask: Ask) -> Result<(IssueId, Request)> {
    let r = tx.reader();
    let target = r.resolve(id)?.ok_or(Refused::NoSuchIssue(id))?;
    let request = match ask {
        Ask::Plain(request) => request,
        Ask::Relate(o) => Request::Relate {
            other: r.resolve(o)?.ok_or(Refused::NoSuchIssue(o))?,
        },
        Ask::Merge(o) => {
            let into = r.resolve(o)?.ok_or(Refused::NoSuchIssue(o))?;
            let into_state = r.facts(into, None)?.ok_or(Refused::NoSuchIssue(o))?.state;
            Request::Merge { into, into_state }
        }
    };
    Ok((target, request))
}
