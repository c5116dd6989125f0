//! What the public site reads (issue 17): every issue's light row in a
//! few whole-table scans (never one query per issue, so 100,000 issues
//! read in well under a second), the timeline and public notes of only
//! the issues whose pages are rendered again, published advisories,
//! weekly arrivals per source, and (for issue 16) channel arrivals.
//!
//! The rows are `site::rows` types, private fields included where the
//! site must decide on them (the dismissal reason); `site::public` is the
//! one place that turns them into what may be shown.

use super::column::{Cells, Stamp};
use super::{Reader, Result};
use crate::site::rows::{
    Arrivals, RowRelease, SiteAdvisory, SiteIssueExtra, SiteIssueRow, SiteMessage,
};
use crate::time::Instant;
use crate::triage::{DismissReason, IssueId};
use rusqlite::params;
use std::collections::{BTreeMap, HashMap};

impl Reader<'_> {
    /// Every issue's light row, in number order; merged issues included
    /// (the caller leaves them out).
    pub fn site_issues(&self) -> Result<Vec<SiteIssueRow>> {
        let mut history: HashMap<IssueId, i64> = HashMap::new();
        self.scan(
            "SELECT issue_id, max(id) FROM history GROUP BY issue_id",
            "history",
            |c| {
                history.insert(c.get(0)?, c.get(1)?);
                Ok(())
            },
        )?;
        let mut notes: HashMap<IssueId, i64> = HashMap::new();
        self.scan(
            "SELECT issue_id, max(id) FROM notes GROUP BY issue_id",
            "notes",
            |c| {
                notes.insert(c.get(0)?, c.get(1)?);
                Ok(())
            },
        )?;
        let mut mails: HashMap<IssueId, (i64, i64, String)> = HashMap::new();
        self.scan(
            "SELECT issue_id, max(id), count(*), min(coalesce(date, received_at))
             FROM messages WHERE issue_id IS NOT NULL GROUP BY issue_id",
            "messages",
            |c| {
                mails.insert(c.get(0)?, (c.get(1)?, c.get(2)?, c.get(3)?));
                Ok(())
            },
        )?;
        let mut cves: HashMap<IssueId, Vec<String>> = HashMap::new();
        self.scan("SELECT issue_id, cve FROM issue_cves", "issue_cves", |c| {
            cves.entry(c.get(0)?).or_default().push(c.get(1)?);
            Ok(())
        })?;
        let mut packages: HashMap<IssueId, Vec<String>> = HashMap::new();
        self.scan(
            "SELECT issue_id, package FROM issue_packages",
            "issue_packages",
            |c| {
                packages.entry(c.get(0)?).or_default().push(c.get(1)?);
                Ok(())
            },
        )?;
        let mut releases: HashMap<IssueId, BTreeMap<String, RowRelease>> = HashMap::new();
        self.scan(
            "SELECT issue_id, release, status, ref, reason FROM release_status",
            "release_status",
            |c| {
                releases.entry(c.get(0)?).or_default().insert(
                    c.get(1)?,
                    RowRelease {
                        status: c.get(2)?,
                        reference: c.get(3)?,
                        reason: c.get(4)?,
                    },
                );
                Ok(())
            },
        )?;
        let mut related: HashMap<IssueId, Vec<IssueId>> = HashMap::new();
        self.scan("SELECT a, b FROM related", "related", |c| {
            let (a, b): (IssueId, IssueId) = (c.get(0)?, c.get(1)?);
            related.entry(a).or_default().push(b);
            related.entry(b).or_default().push(a);
            Ok(())
        })?;
        let mut rows = Vec::new();
        self.scan(
            "SELECT id, state, title, severity, created_at, updated_at, first_claimed_at,
                    triaged_at, fixed_at, closed_at, dismiss_reason, merged_into
             FROM issues ORDER BY id",
            "issues",
            |c| {
                let id: IssueId = c.get(0)?;
                let updated_at = c.instant(5)?;
                let (last_mail, mail_count, first) = mails.remove(&id).unwrap_or_default();
                let stamp = format!(
                    "{},{},{},{},{}",
                    crate::time::format(updated_at),
                    history.get(&id).copied().unwrap_or(0),
                    last_mail,
                    mail_count,
                    notes.get(&id).copied().unwrap_or(0),
                );
                let mut cves = cves.remove(&id).unwrap_or_default();
                crate::triage::sort_cves(&mut cves);
                let mut packages = packages.remove(&id).unwrap_or_default();
                packages.sort();
                let mut related = related.remove(&id).unwrap_or_default();
                related.sort();
                related.dedup();
                rows.push(SiteIssueRow {
                    id,
                    state: c.get(1)?,
                    title: c.get(2)?,
                    severity: c.get(3)?,
                    created_at: c.instant(4)?,
                    updated_at,
                    first_mail: crate::time::parse(&first),
                    first_claimed_at: c.opt_instant(6)?,
                    triaged_at: c.opt_instant(7)?,
                    fixed_at: c.opt_instant(8)?,
                    closed_at: c.opt_instant(9)?,
                    dismiss_reason: c.get(10)?,
                    merged_into: c.get(11)?,
                    stamp,
                    cves,
                    packages,
                    releases: releases.remove(&id).unwrap_or_default(),
                    related,
                });
                Ok(())
            },
        )?;
        Ok(rows)
    }

    /// The timeline and public notes of each issue in `ids`. Private
    /// notes are not read at all.
    pub fn site_issue_extras(&self, ids: &[IssueId]) -> Result<HashMap<IssueId, SiteIssueExtra>> {
        let mut out: HashMap<IssueId, SiteIssueExtra> = HashMap::new();
        let mut messages = self
            .conn
            .prepare_cached(
                "SELECT coalesce((SELECT f.message_id FROM messages f WHERE f.id = m.copy_of), m.message_id),
                   m.source, m.advisory_id, m.subject, coalesce(m.date, m.received_at), m.id
                 FROM messages m WHERE m.issue_id = ?1 ORDER BY coalesce(m.date, m.received_at), m.id",
            )
            .map_err(self.err("read site timeline"))?;
        let mut notes = self
            .conn
            .prepare_cached(
                "SELECT at, text, id FROM notes WHERE issue_id = ?1 AND public = 1 ORDER BY id",
            )
            .map_err(self.err("read public notes"))?;
        for &id in ids {
            let msgs = messages
                .query_map([id], |r| {
                    let c = Cells::new(r, "messages", 5);
                    Ok(SiteMessage {
                        message_id: c.get(0)?,
                        source: c.get(1)?,
                        advisory_id: c.get(2)?,
                        subject: c.get(3)?,
                        date: c.instant(4)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(self.err("read site timeline"))?;
            let public_notes = notes
                .query_map([id], |r| {
                    let c = Cells::new(r, "notes", 2);
                    Ok((c.instant(0)?, c.get(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(self.err("read public notes"))?;
            out.insert(
                id,
                SiteIssueExtra {
                    messages: msgs,
                    public_notes,
                },
            );
        }
        Ok(out)
    }

    /// Every advisory that has an id and was published (`secdesk advisory
    /// published`), with its latest approved revision; drafts, abandoned
    /// and unpublished advisories are not read.
    pub fn site_advisories(&self) -> Result<Vec<SiteAdvisory>> {
        let mut out = Vec::new();
        for number in self.advisory_numbers()? {
            let Some(draft) = self.advisory_draft(number)? else {
                continue;
            };
            let (Some(id), Some(url)) = (draft.advisory_id, draft.published_url) else {
                continue;
            };
            if draft.abandoned_at.is_some() {
                continue;
            }
            let revisions = self.advisory_revisions(number)?;
            let (Some(first), Some(last)) = (revisions.first(), revisions.last()) else {
                continue;
            };
            out.push(SiteAdvisory {
                id,
                revision: last.revision,
                approved_at: last.approved_at,
                first_approved_at: first.approved_at,
                content: last.content.clone(),
                published_url: Some(url),
            });
        }
        Ok(out)
    }

    /// Messages per day and source since `since` (UTC), leaving out the
    /// messages of issues dismissed as embargoed.
    pub fn site_arrivals(&self, since: Instant) -> Result<Vec<Arrivals>> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT substr(coalesce(m.date, m.received_at), 1, 10), m.source, count(*)
                 FROM messages m
                 WHERE coalesce(m.date, m.received_at) >= ?1
                   AND NOT EXISTS (SELECT 1 FROM issues i WHERE i.id = m.issue_id AND i.dismiss_reason = ?2)
                 GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .map_err(self.err("read arrivals"))?;
        let rows = stmt
            .query_map(params![Stamp(since), DismissReason::Embargoed], |r| {
                let c = Cells::new(r, "messages", 0);
                Ok(Arrivals {
                    day: c.get(0)?,
                    source: c.get(1)?,
                    count: c.get(2)?,
                })
            })
            .map_err(self.err("read arrivals"))?;
        for row in rows {
            out.push(row.map_err(self.err("read arrivals"))?);
        }
        Ok(out)
    }

    /// When each issue's fix reached each release's channel, per
    /// (issue, release).
    ///
    /// Fix tracking's record (`fix_channels`, issue 16): only releases
    /// still `fixed` by the commit that was followed (a short id typed by
    /// hand names its full one), and only once the
    /// channel branch contains it. Empty when fix tracking is not set up.
    pub fn site_channel_arrivals(&self) -> Result<BTreeMap<(IssueId, String), Instant>> {
        let mut out = BTreeMap::new();
        self.scan(
            "SELECT f.issue_id, f.release, f.since FROM fix_channels f
             JOIN release_status rs ON rs.issue_id = f.issue_id AND rs.release = f.release
             WHERE f.contains_fix = 1 AND f.since IS NOT NULL
               AND rs.status = 'fixed'
               AND substr(f.commit_id, 1, length(rs.ref)) = rs.ref",
            "fix_channels",
            |c| {
                if let Some(since) = c.opt_instant(2)? {
                    out.insert((c.get(0)?, c.get::<String>(1)?), since);
                }
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Runs `sql` and hands each row to `each`.
    fn scan(
        &self,
        sql: &str,
        table: &'static str,
        mut each: impl FnMut(&Cells<'_, '_>) -> rusqlite::Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err("read site data"))?;
        let mut rows = stmt.query([]).map_err(self.err("read site data"))?;
        while let Some(r) = rows.next().map_err(self.err("read site data"))? {
            each(&Cells::new(r, table, 0)).map_err(self.err("read site data"))?;
        }
        Ok(())
    }
}
