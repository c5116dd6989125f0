//! Fix tracking for people: per release of an issue, the commits the scan
//! proposes and the channel state of the recorded fix (`list`, also part
//! of `show`); `accept` records `fixed` with the full commit id through
//! `issue::act`, exactly as `secdesk release-status … fixed --ref` does,
//! so history, reports and advisories (OSV `GIT` ranges) see it; `reject`
//! records why a commit is not the fix, and it is never proposed again
//! there. Nothing here changes a status without a person asking.

pub use crate::app::issue::fixes::{ReleaseFix, channel_line, proposal_line, release_fixes};

use crate::app::issue::{self, Acted, Ask};
use crate::app::{Desk, Result};
use crate::fix::{self, Proposal, Refused};
use crate::store;
use crate::triage::rules::Request;
use crate::triage::{IssueId, ReleaseStatus};
use serde::Serialize;
use std::fmt;

/// `secdesk fix list ISSUE`: each release's status, branch, proposals and
/// channel.
#[derive(Debug, Serialize)]
pub struct FixList {
    /// The issue.
    pub issue: IssueId,
    /// Its title.
    pub title: String,
    /// Each configured release, in configuration order.
    pub releases: Vec<FixListRelease>,
}

/// One release in [`FixList`].
#[derive(Debug, Serialize)]
pub struct FixListRelease {
    /// The release.
    pub release: String,
    /// Its branch (`fixes.branches`).
    pub branch: Option<String>,
    /// Its status.
    pub status: ReleaseStatus,
    /// Its fix reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Proposals and channel.
    #[serde(flatten)]
    pub fix: ReleaseFix,
}

/// Lists what fix tracking proposes for each release of `id`.
pub fn list(desk: &mut Desk<'_>, id: IssueId) -> Result<FixList> {
    let fixes = desk.config.fixes.as_ref().ok_or(Refused::NotConfigured)?;
    let shown = issue::show(desk, id)?;
    let config = desk.config;
    let target = shown.summary.id;
    let mut per = desk.store.read(|r| release_fixes(r, config, target))?;
    let releases = config
        .releases
        .iter()
        .map(|rel| {
            let e = shown.releases.get(rel);
            FixListRelease {
                release: rel.clone(),
                branch: fixes.branches.get(rel).cloned(),
                status: e.map_or(ReleaseStatus::Unknown, |e| e.entry.status),
                reference: e.and_then(|e| e.entry.reference.clone()),
                fix: per.remove(rel).unwrap_or_default(),
            }
        })
        .collect();
    Ok(FixList {
        issue: target,
        title: shown.summary.title.clone(),
        releases,
    })
}

impl fmt::Display for FixList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "#{}  {}", self.issue, self.title)?;
        for r in &self.releases {
            let reference = r
                .reference
                .as_deref()
                .map_or(String::new(), |x| format!("  {x}"));
            writeln!(
                f,
                "  {:<12} {:<24} {}{reference}",
                r.release,
                r.branch.as_deref().unwrap_or("-"),
                r.status
            )?;
            if let Some(line) = channel_line(r.branch.as_deref(), &r.fix) {
                writeln!(f, "  {:<12} {line}", "")?;
            }
            for p in &r.fix.proposals {
                writeln!(f, "  {:<12} {}", "", proposal_line(p))?;
            }
            if r.fix.proposals.is_empty() && r.fix.fixed_by.is_none() {
                writeln!(f, "  {:<12} nothing proposed", "")?;
            }
        }
        Ok(())
    }
}

fn proposals_of(
    desk: &mut Desk<'_>,
    id: IssueId,
    release: &str,
) -> Result<(IssueId, Vec<Proposal>)> {
    let fixes = desk.config.fixes.as_ref().ok_or(Refused::NotConfigured)?;
    if !fixes.branches.contains_key(release) {
        return Err(Refused::NoBranch {
            release: release.to_string(),
            known: fixes
                .branches
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into());
    }
    let config = desk.config;
    let found = desk.store.read(|r| {
        let Some(target) = r.resolve(id)? else {
            return Ok::<_, store::Error>(None);
        };
        let mut per = release_fixes(r, config, target)?;
        Ok(Some((
            target,
            per.remove(release).unwrap_or_default().proposals,
        )))
    })?;
    Ok(found.ok_or(crate::triage::Refused::NoSuchIssue(id))?)
}

/// Accepts a proposal: records `release` of `id` as `fixed` with the full
/// commit id, as `actor`, through `issue::act`. Without `commit`, the one
/// proposal is taken; with several, one must be named (a prefix of 7 or
/// more hex digits).
pub fn accept(
    desk: &mut Desk<'_>,
    actor: &str,
    id: IssueId,
    release: &str,
    commit: Option<&str>,
) -> Result<Acted> {
    let (target, proposals) = proposals_of(desk, id, release)?;
    let chosen = match commit {
        Some(typed) => fix::pick(&proposals, typed).ok_or_else(|| Refused::NotProposed {
            issue: target,
            release: release.to_string(),
            commit: typed.to_string(),
        })?,
        None => match proposals.as_slice() {
            [] => {
                return Err(Refused::NothingProposed {
                    issue: target,
                    release: release.to_string(),
                }
                .into());
            }
            [one] => one,
            many => {
                return Err(Refused::Several {
                    issue: target,
                    release: release.to_string(),
                    commits: many
                        .iter()
                        .map(|p| fix::short(&p.commit))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
                .into());
            }
        },
    };
    let request = Request::SetRelease {
        release: release.to_string(),
        status: ReleaseStatus::Fixed,
        reference: Some(chosen.commit.clone()),
        reason: None,
    };
    issue::act(desk, actor, target, Ask::Plain(request))
}

/// What `reject` did: the commit is not the fix of that release.
#[derive(Debug, Serialize)]
pub struct Rejected {
    /// The issue.
    pub issue: IssueId,
    /// The release.
    pub release: String,
    /// The rejected commit (full id).
    pub commit: String,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {}: proposal {} rejected: {}; it is not proposed again",
            self.issue,
            self.release,
            fix::short(&self.commit),
            crate::text::one_line(&self.reason)
        )
    }
}

/// Rejects a proposal with a reason (and a history row); that commit is
/// never proposed again for that release of that issue.
pub fn reject(
    desk: &mut Desk<'_>,
    actor: &str,
    id: IssueId,
    release: &str,
    commit: &str,
    reason: &str,
) -> Result<Rejected> {
    if reason.trim().is_empty() {
        return Err(Refused::NoReason.into());
    }
    let members: Vec<String> = desk.config.team.iter().map(|m| m.id.clone()).collect();
    if !members.iter().any(|m| m == actor) {
        return Err(crate::triage::Refused::NotAMember {
            name: actor.to_string(),
            known: members.join(", "),
        }
        .into());
    }
    let (target, proposals) = proposals_of(desk, id, release)?;
    let chosen = fix::pick(&proposals, commit).ok_or_else(|| Refused::NotProposed {
        issue: target,
        release: release.to_string(),
        commit: commit.to_string(),
    })?;
    let now = desk.now;
    let full = chosen.commit.clone();
    desk.store
        .write(|tx| tx.reject_fix(target, release, &full, reason.trim(), actor, now))?;
    Ok(Rejected {
        issue: target,
        release: release.to_string(),
        commit: full,
        reason: reason.trim().to_string(),
    })
}
