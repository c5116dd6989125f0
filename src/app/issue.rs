//! Issues: list, show, history, and every triage action.
//!
//! Every action goes through [`act`]: resolve the id (following merges),
//! read the facts, let `triage::rules::plan` decide, apply the plan and
//! its history in one write transaction, then load the changed issue.

pub mod fixes;
pub mod history;
pub mod list;
pub mod show;

pub use history::{IssueHistory, history};
pub use list::{IssueList, ListQuery, list};
pub use show::{IssueShow, show};

use super::{Desk, Result};
use crate::store::Tx;
use crate::text;
use crate::triage::rules::{self, Effect, Facts, Plan, Request, Rules};
use crate::triage::{HistoryAction, IssueId, Refused, ReleaseStatus, Severity, State};
use std::fmt;

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
/// merge), why nothing changed when the request was already so, and what
/// changed. Its `Display` is one line saying what changed (`#5 claimed by
/// alice`), or that nothing did; its `Serialize` is the changed issue, as
/// `show --json` prints it.
#[derive(Debug)]
pub struct Acted {
    /// The changed issue.
    pub issue: IssueShow,
    /// Set when the request changed nothing ("already claimed by you").
    pub unchanged: Option<String>,
    /// The issue the request was about (before a merge, the merged one).
    pub id: IssueId,
    /// What changed, one phrase per change a person would name, in order.
    pub changes: Vec<String>,
    /// The state before and after, when the action moved it.
    pub state: Option<(State, State)>,
}

impl serde::Serialize for Acted {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.issue.serialize(s)
    }
}

impl fmt::Display for Acted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unchanged {
            // The reason names the issue already.
            return write!(f, "{why}; nothing changed");
        }
        write!(f, "#{} {}", self.id, self.changes.join("; "))?;
        if let Some((from, to)) = self.state {
            write!(f, "; now {to} (was {from})")?;
        }
        Ok(())
    }
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
    let done = desk.store.write(|tx| {
        let (target, request) = resolve(tx, id, ask)?;
        let r = tx.reader();
        let other = match &request {
            Request::Relate { other } => Some(*other),
            Request::Merge { into, .. } => Some(*into),
            _ => None,
        };
        let facts = r.facts(target, other)?.ok_or(Refused::NoSuchIssue(id))?;
        let plan = rules::plan(&facts, actor, &request, rules)?;
        if plan.unchanged.is_some() {
            return Ok::<_, super::Error>((target, target, facts, plan, None));
        }
        let severity = r.issue_summary(target)?.and_then(|s| s.severity);
        tx.apply(target, actor, now, &plan, releases)?;
        let shown = match request {
            Request::Merge { into, .. } => into,
            _ => target,
        };
        Ok((target, shown, facts, plan, severity))
    })?;
    let (target, shown, facts, plan, severity) = done;
    let issue = show(desk, shown)?;
    let state = (shown == target && issue.summary.state != facts.state)
        .then_some((facts.state, issue.summary.state))
        .filter(|(_, to)| !said_by(&plan, *to));
    Ok(Acted {
        changes: changes(&facts, severity, &plan, actor),
        unchanged: plan.unchanged,
        id: target,
        state,
        issue,
    })
}

/// One phrase per change, from the plan and the facts it was made from:
/// `claimed by alice`, `25.11: affected → fixed (3.8)`, `merged into #5`.
fn changes(facts: &Facts, severity: Option<Severity>, plan: &Plan, actor: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (action, detail) in &plan.history {
        let phrase = match action {
            HistoryAction::Claimed => match detail.strip_prefix("taken over ") {
                Some(rest) => format!("claimed by {actor}, taken over {rest}"),
                None => format!("claimed by {actor}"),
            },
            HistoryAction::Unclaimed => format!("unclaimed by {actor}"),
            HistoryAction::Assigned => format!("assigned {detail}"),
            HistoryAction::Note => format!(
                "{}note added: {}",
                if plan
                    .effects
                    .iter()
                    .any(|e| matches!(e, Effect::PublicNote(_)))
                {
                    "public "
                } else {
                    ""
                },
                text::ellipsize(&text::one_line(detail), 60)
            ),
            HistoryAction::Dismissed => format!("dismissed: {detail}"),
            // The state it is now in, and was, follows.
            HistoryAction::Reopened => "reopened".to_string(),
            HistoryAction::Announced => format!("announced: {detail}"),
            HistoryAction::Related => format!("related to {detail}"),
            // Said from the effects below, with what they were before.
            HistoryAction::ReleaseStatus | HistoryAction::Severity => continue,
            other => format!("{other}: {detail}"),
        };
        out.push(phrase);
    }
    for effect in &plan.effects {
        match effect {
            Effect::Release {
                release,
                status,
                reference,
                reason,
            } => {
                let was = facts
                    .releases
                    .get(release)
                    .copied()
                    .unwrap_or(ReleaseStatus::Unknown);
                let mut phrase = format!("{release}: {was} → {status}");
                if let Some(r) = reference {
                    phrase.push_str(&format!(" ({r})"));
                }
                if let Some(r) = reason {
                    phrase.push_str(&format!(": {r}"));
                }
                out.push(phrase);
            }
            Effect::Severity(level) => {
                let was = severity.map_or("-".to_string(), |s| s.to_string());
                out.push(format!("severity: {was} → {level}"));
            }
            Effect::Merge(into) => out.push(format!("merged into #{into}")),
            _ => {}
        }
    }
    out
}

/// Whether a phrase already says the state an action moved the issue to
/// (a claim says `claimed`, a dismissal `dismissed`), so the line does not
/// add `now claimed` after `claimed by alice`.
fn said_by(plan: &Plan, to: State) -> bool {
    plan.history.iter().any(|(action, _)| {
        matches!(
            (action, to),
            (
                HistoryAction::Claimed | HistoryAction::Assigned,
                State::Claimed
            ) | (HistoryAction::Unclaimed, State::New)
                | (HistoryAction::Dismissed, State::Dismissed)
                | (HistoryAction::Announced, State::Announced)
        )
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
