//! Fix tracking's tables (migration 12): the head each branch was scanned
//! to, the commits that matter and the branches holding them, the CVEs
//! they name, rejected proposals, and each release fix's channel state.
//! Writes are idempotent (`INSERT OR IGNORE`), so a killed scan finished
//! by the next run, or a branch rescanned after a force-push, leaves no
//! duplicates.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::fix::{Candidate, Channel, Commit, Followed};
use crate::time::Instant;
use crate::triage::{HistoryAction, IssueId, ReleaseStatus};
use rusqlite::{OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet};

/// A release recorded `fixed` with a reference that may be a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedRef {
    /// The issue.
    pub issue: IssueId,
    /// The release.
    pub release: String,
    /// The reference as recorded.
    pub reference: String,
}

/// What the backport-gap rule reads of one issue fixed on the development
/// branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevFix {
    /// The issue.
    pub issue: IssueId,
    /// Its title.
    pub title: String,
    /// The earliest committer date of a commit naming one of its CVEs.
    pub fixed_at: Instant,
    /// That commit.
    pub commit: String,
    /// The CVE.
    pub cve: String,
}

impl Tx<'_> {
    /// Records a batch of scanned commits: each commit and its CVEs once.
    /// Which branches hold them is [`Tx::add_fix_members`].
    pub fn add_fix_commits(&self, commits: &[Commit]) -> Result<()> {
        let c = self.conn();
        let err = || self.err("store scanned commits");
        let mut commit = c
            .prepare_cached(
                "INSERT OR IGNORE INTO fix_commits (commit_id, subject, committed_at, picked_from)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(err())?;
        let mut cve = c
            .prepare_cached(
                "INSERT OR IGNORE INTO fix_commit_cves (commit_id, cve) VALUES (?1, ?2)",
            )
            .map_err(err())?;
        for k in commits {
            commit
                .execute(params![
                    k.id,
                    k.subject,
                    Stamp(k.committed_at),
                    k.picked_from
                ])
                .map_err(err())?;
            for id in &k.cves {
                cve.execute(params![k.id, id]).map_err(err())?;
            }
        }
        Ok(())
    }

    /// Records that `branch` holds each of `commits` (stored commits).
    pub fn add_fix_members(&self, branch: &str, commits: &[String]) -> Result<()> {
        let mut on = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO fix_commit_branches (commit_id, branch) VALUES (?1, ?2)",
            )
            .map_err(self.err("store a branch's commits"))?;
        for id in commits {
            on.execute(params![id, branch])
                .map_err(self.err("store a branch's commits"))?;
        }
        Ok(())
    }

    /// Sets the head `branch` was scanned to (`None`: rescan from `since`
    /// next time, after a force-push).
    pub fn set_fix_head(&self, branch: &str, head: Option<&str>, at: Instant) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO fix_heads (branch, head, scanned_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (branch) DO UPDATE SET head = excluded.head, scanned_at = excluded.scanned_at",
            )
            .and_then(|mut s| s.execute(params![branch, head, Stamp(at)]))
            .map(|_| ())
            .map_err(self.err("store a branch's scanned head"))
    }

    /// Forgets which commits `branch` holds, before it is rescanned from
    /// `since` (a force-push may have taken some away).
    pub fn forget_fix_branch(&self, branch: &str) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM fix_commit_branches WHERE branch = ?1")
            .and_then(|mut s| s.execute(params![branch]))
            .map(|_| ())
            .map_err(self.err("forget a branch's commits"))
    }

    /// Records that `commit` is not the fix of `release` of `issue`, with
    /// the reason and its history row; it is never proposed again there.
    pub fn reject_fix(
        &self,
        issue: IssueId,
        release: &str,
        commit: &str,
        reason: &str,
        actor: &str,
        at: Instant,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO fix_rejections (issue_id, release, commit_id, reason, actor, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| s.execute(params![issue, release, commit, reason, actor, Stamp(at)]))
            .map_err(self.err("record a rejected fix"))?;
        self.add_history(
            issue,
            at,
            actor,
            HistoryAction::Fix,
            &format!(
                "{release}: proposal {} rejected: {reason}",
                crate::fix::short(commit)
            ),
        )
    }

    /// Stores the channel state of one release fix (replacing the last).
    pub fn set_fix_channel(
        &self,
        issue: IssueId,
        release: &str,
        commit: &str,
        committed_at: Option<Instant>,
        channel: &Channel,
        at: Instant,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO fix_channels
                 (issue_id, release, commit_id, branch, committed_at, contains_fix, since, checked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    issue,
                    release,
                    commit,
                    channel.branch,
                    committed_at.map(Stamp),
                    channel.contains_fix,
                    channel.since.map(Stamp),
                    Stamp(at)
                ])
            })
            .map(|_| ())
            .map_err(self.err("store a channel state"))
    }

    /// Drops channel rows whose release is no longer fixed by that commit.
    pub fn drop_fix_channel(&self, issue: IssueId, release: &str) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM fix_channels WHERE issue_id = ?1 AND release = ?2")
            .and_then(|mut s| s.execute(params![issue, release]))
            .map(|_| ())
            .map_err(self.err("drop a channel state"))
    }
}

impl Reader<'_> {
    /// The head `branch` was scanned to, if any (`Some(None)`: it must be
    /// rescanned from `since`).
    pub fn fix_head(&self, branch: &str) -> Result<Option<Option<String>>> {
        self.conn
            .prepare_cached("SELECT head FROM fix_heads WHERE branch = ?1")
            .and_then(|mut s| s.query_row(params![branch], |r| r.get(0)).optional())
            .map_err(self.err("read a branch's scanned head"))
    }

    /// Every stored commit's id: what a branch's `rev-list` is matched
    /// against (a few percent of history: the commits that matter).
    pub fn fix_commit_ids(&self) -> Result<std::collections::HashSet<String>> {
        self.conn
            .prepare_cached("SELECT commit_id FROM fix_commits")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<std::collections::HashSet<String>>>()
            })
            .map_err(self.err("read stored commits"))
    }

    /// The commits on any branch that fix one of `issue`'s CVEs: those
    /// naming one, and cherry-picks of those.
    pub fn fix_candidates(&self, issue: IssueId) -> Result<Vec<Candidate>> {
        self.conn
            .prepare_cached(
                "WITH named AS (
                   SELECT DISTINCT fc.commit_id FROM issue_cves ic
                   JOIN fix_commit_cves fc ON fc.cve = ic.cve WHERE ic.issue_id = ?1
                 ), fixing AS (
                   SELECT commit_id FROM named
                   UNION SELECT c.commit_id FROM fix_commits c JOIN named n ON c.picked_from = n.commit_id
                 )
                 SELECT b.branch, c.commit_id, c.subject, c.committed_at
                 FROM fixing f JOIN fix_commits c ON c.commit_id = f.commit_id
                 JOIN fix_commit_branches b ON b.commit_id = c.commit_id
                 ORDER BY c.committed_at, c.commit_id",
            )
            .and_then(|mut s| {
                s.query_map(params![issue], |r| {
                    let c = Cells::new(r, "fix_commits", 1);
                    Ok(Candidate {
                        branch: c.get(0)?,
                        commit: c.get(1)?,
                        subject: c.get(2)?,
                        committed_at: c.instant(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read fix candidates"))
    }

    /// The (release, commit) pairs rejected for `issue`.
    pub fn fix_rejections(&self, issue: IssueId) -> Result<BTreeSet<(String, String)>> {
        self.conn
            .prepare_cached("SELECT release, commit_id FROM fix_rejections WHERE issue_id = ?1")
            .and_then(|mut s| {
                s.query_map(params![issue], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<BTreeSet<_>>>()
            })
            .map_err(self.err("read rejected fixes"))
    }

    /// Each release's status and reference on `issue`.
    pub fn fix_recorded(
        &self,
        issue: IssueId,
    ) -> Result<BTreeMap<String, (ReleaseStatus, Option<String>)>> {
        self.conn
            .prepare_cached("SELECT release, status, ref FROM release_status WHERE issue_id = ?1")
            .and_then(|mut s| {
                s.query_map(params![issue], |r| {
                    let c = Cells::new(r, "release_status", 0);
                    Ok((c.get(0)?, (c.get(1)?, c.get(2)?)))
                })?
                .collect::<rusqlite::Result<BTreeMap<_, _>>>()
            })
            .map_err(self.err("read release statuses"))
    }

    /// Every release recorded `fixed` with a reference, on issues not
    /// merged into another, in issue then release order.
    pub fn fixed_refs(&self) -> Result<Vec<FixedRef>> {
        self.conn
            .prepare_cached(
                "SELECT rs.issue_id, rs.release, rs.ref FROM release_status rs
                 JOIN issues i ON i.id = rs.issue_id
                 WHERE rs.status = ?1 AND rs.ref IS NOT NULL AND i.merged_into IS NULL
                 ORDER BY rs.issue_id, rs.release",
            )
            .and_then(|mut s| {
                s.query_map(params![ReleaseStatus::Fixed], |r| {
                    Ok(FixedRef {
                        issue: r.get(0)?,
                        release: r.get(1)?,
                        reference: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read fixed releases"))
    }

    /// The channel state of every followed release fix (or of one issue's),
    /// with the issue's title, in issue then release order.
    pub fn fix_channels(&self, issue: Option<IssueId>) -> Result<Vec<Followed>> {
        self.conn
            .prepare_cached(
                "SELECT f.issue_id, i.title, f.release, f.commit_id, f.committed_at,
                        f.branch, f.contains_fix, f.since
                 FROM fix_channels f JOIN issues i ON i.id = f.issue_id
                 WHERE ?1 IS NULL OR f.issue_id = ?1
                 ORDER BY f.issue_id, f.release",
            )
            .and_then(|mut s| {
                s.query_map(params![issue], |r| {
                    let c = Cells::new(r, "fix_channels", 0);
                    Ok(Followed {
                        issue: c.get(0)?,
                        title: c.get(1)?,
                        release: c.get(2)?,
                        commit: c.get(3)?,
                        committed_at: c.opt_instant(4)?,
                        channel: Channel {
                            branch: c.get(5)?,
                            contains_fix: c.get(6)?,
                            since: c.opt_instant(7)?,
                        },
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read channel states"))
    }

    /// The issues (open, not merged) with a CVE named by a commit on
    /// `branch` (the development branch), each with its earliest such
    /// commit, and every release status they have.
    pub fn dev_fixes(
        &self,
        branch: &str,
    ) -> Result<Vec<(DevFix, BTreeMap<String, ReleaseStatus>)>> {
        let fixes: Vec<DevFix> = self
            .conn
            .prepare_cached(
                "SELECT ic.issue_id, i.title, MIN(c.committed_at || ' ' || c.commit_id || ' ' || ic.cve)
                 FROM issue_cves ic
                 JOIN issues i ON i.id = ic.issue_id
                 JOIN fix_commit_cves fc ON fc.cve = ic.cve
                 JOIN fix_commit_branches b ON b.commit_id = fc.commit_id AND b.branch = ?1
                 JOIN fix_commits c ON c.commit_id = fc.commit_id
                 WHERE i.merged_into IS NULL AND i.state NOT IN (?2, ?3)
                 GROUP BY ic.issue_id ORDER BY ic.issue_id",
            )
            .and_then(|mut s| {
                s.query_map(
                    params![
                        branch,
                        crate::triage::State::Dismissed,
                        crate::triage::State::Announced
                    ],
                    |r| {
                        let c = Cells::new(r, "fix_commits", 0);
                        let first: String = c.get(2)?;
                        let mut parts = first.splitn(3, ' ');
                        let (Some(at), Some(commit), Some(cve)) =
                            (parts.next(), parts.next(), parts.next())
                        else {
                            return Err(c.unreadable(2, format!("{first:?} is not a fix")));
                        };
                        let fixed_at = crate::time::parse(at)
                            .ok_or_else(|| c.unreadable(2, format!("{at:?} is not an instant")))?;
                        Ok(DevFix {
                            issue: c.get(0)?,
                            title: c.get(1)?,
                            fixed_at,
                            commit: commit.to_string(),
                            cve: cve.to_string(),
                        })
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read fixes on the development branch"))?;
        let mut out = Vec::with_capacity(fixes.len());
        for f in fixes {
            let statuses = self
                .fix_recorded(f.issue)?
                .into_iter()
                .map(|(r, (s, _))| (r, s))
                .collect();
            out.push((f, statuses));
        }
        Ok(out)
    }
}
