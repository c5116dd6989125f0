//! The queries behind the daily report, each bounded (a section shows its
//! first rows and a count), so the report stays fast and readable on a
//! database of 100,000 issues.

use super::column::{Cells, Stamp};
use super::{Reader, Result, open_states};
use crate::report::{Arrival, Capped, Milestones};
use crate::time::Instant;
use crate::triage::{Brief, HistoryAction, ReleaseStatus, State};
use rusqlite::params;
use std::collections::BTreeMap;

const BRIEF: &str = "i.id, i.title, i.state, i.claimed_by, i.created_at, i.claimed_at, i.fixed_at";

fn brief(r: &rusqlite::Row<'_>) -> rusqlite::Result<Brief> {
    let c = Cells::new(r, "issues", 0);
    Ok(Brief {
        id: c.get(0)?,
        title: c.get(1)?,
        state: c.get(2)?,
        claimed_by: c.get(3)?,
        created_at: c.instant(4)?,
        claimed_at: c.opt_instant(5)?,
        fixed_at: c.opt_instant(6)?,
    })
}

impl Reader<'_> {
    fn capped(
        &self,
        doing: &str,
        where_order: &str,
        args: &[&dyn rusqlite::ToSql],
        limit: usize,
    ) -> Result<Capped<Brief>> {
        let (filter, order) = where_order
            .split_once(" ORDER BY ")
            .unwrap_or((where_order, "i.id"));
        let sql = format!(
            "SELECT {BRIEF} FROM issues i WHERE i.merged_into IS NULL AND {filter} ORDER BY {order} LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err(doing))?;
        let rows = stmt
            .query_map(args, brief)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(doing))?;
        let count =
            format!("SELECT count(*) FROM issues i WHERE i.merged_into IS NULL AND {filter}");
        let total = self
            .conn
            .prepare_cached(&count)
            .and_then(|mut s| s.query_row(args, |r| r.get(0)))
            .map_err(self.err(doing))?;
        Ok(Capped { rows, total })
    }

    /// Messages stored at or after `since`, newest issues last, at most
    /// `limit` messages.
    pub fn arrivals(&self, since: Instant, limit: usize) -> Result<Capped<Arrival>> {
        let sql = format!(
            "SELECT {BRIEF}, m.source, m.advisory_id, m.received_at FROM messages m JOIN issues i ON i.id = m.issue_id
             WHERE m.received_at >= ?1 ORDER BY m.issue_id, m.received_at, m.id LIMIT {limit}"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("read arrivals"))?;
        let rows = stmt
            .query_map([Stamp(since)], |r| {
                // The issue's columns come first; the message is named by
                // the issue it belongs to.
                let c = Cells::new(r, "messages", 0);
                Ok(Arrival {
                    issue: brief(r)?,
                    source: c.get(7)?,
                    advisory_id: c.get(8)?,
                    received_at: c.instant(9)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read arrivals"))?;
        let total = self
            .conn
            .prepare_cached("SELECT count(*) FROM messages WHERE received_at >= ?1")
            .and_then(|mut s| s.query_row([Stamp(since)], |r| r.get(0)))
            .map_err(self.err("read arrivals"))?;
        Ok(Capped { rows, total })
    }

    /// Open issues nobody holds, oldest first.
    pub fn unclaimed_oldest(&self, limit: usize) -> Result<Capped<Brief>> {
        self.capped(
            "read unclaimed issues",
            concat!(
                "i.state IN (",
                open_states!(),
                ") AND i.claimed_by IS NULL ORDER BY i.created_at, i.id"
            ),
            &[],
            limit,
        )
    }

    /// Issues claimed before `before` and still only `claimed`.
    pub fn claimed_not_triaged(&self, before: Instant, limit: usize) -> Result<Capped<Brief>> {
        let b = Stamp(before);
        self.capped(
            "read stuck claims",
            "i.state = ?2 AND i.claimed_at < ?1 ORDER BY i.claimed_at, i.id",
            &[&b, &State::Claimed],
            limit,
        )
    }

    /// Open issues with their release statuses, by id.
    pub fn release_matrix(
        &self,
        limit: usize,
    ) -> Result<Capped<(Brief, BTreeMap<String, ReleaseStatus>)>> {
        let briefs = self.capped(
            "read release matrix",
            concat!("i.state IN (", open_states!(), ") ORDER BY i.id"),
            &[],
            limit,
        )?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT release, status FROM release_status WHERE issue_id = ?1")
            .map_err(self.err("read release matrix"))?;
        let mut rows = Vec::new();
        for b in briefs.rows {
            let statuses = stmt
                .query_map([b.id], |r| {
                    let c = Cells::new(r, "release_status", 0);
                    Ok((c.get::<String>(0)?, c.get::<ReleaseStatus>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>())
                .map_err(self.err("read release matrix"))?;
            rows.push((b, statuses));
        }
        Ok(Capped {
            rows,
            total: briefs.total,
        })
    }

    /// Fixed issues not yet announced, longest waiting first.
    pub fn fixed_unannounced(&self, limit: usize) -> Result<Capped<Brief>> {
        self.capped(
            "read fixed issues",
            "i.state = ?1 ORDER BY i.fixed_at, i.id",
            &[&State::Fixed],
            limit,
        )
    }

    /// Milestones of the issues opened at or after `since`.
    pub fn milestones(&self, since: Instant) -> Result<Vec<Milestones>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT created_at, first_claimed_at, triaged_at, fixed_at, id FROM issues
                 WHERE created_at >= ?1 AND merged_into IS NULL",
            )
            .map_err(self.err("read milestones"))?;
        let rows = stmt
            .query_map([Stamp(since)], |r| {
                let c = Cells::new(r, "issues", 4);
                Ok(Milestones {
                    created_at: c.instant(0)?,
                    first_claimed_at: c.opt_instant(1)?,
                    triaged_at: c.opt_instant(2)?,
                    fixed_at: c.opt_instant(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read milestones"))?;
        Ok(rows)
    }

    /// Issues closed (fixed, announced or dismissed) at or after `since`.
    pub fn closed_since(&self, since: Instant) -> Result<i64> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM issues WHERE closed_at >= ?1 AND merged_into IS NULL",
            )
            .and_then(|mut s| s.query_row([Stamp(since)], |r| r.get(0)))
            .map_err(self.err("count closed issues"))
    }

    /// Per member since `since`: issues they claimed, and issues they
    /// fixed (recorded what made the issue fixed).
    pub fn member_load(&self, since: Instant) -> Result<BTreeMap<String, (i64, i64)>> {
        let at = Stamp(since);
        let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT actor, count(*) FROM history WHERE action = ?2 AND at >= ?1 GROUP BY actor",
            )
            .map_err(self.err("read member load"))?;
        let claims = stmt
            .query_map(params![at, HistoryAction::Claimed], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read member load"))?;
        for (who, n) in claims {
            out.entry(who).or_default().0 += n;
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                // The fix counts for whoever recorded what made the issue
                // fixed, not whoever holds it now.
                "SELECT actor, count(DISTINCT issue_id) FROM history
                 WHERE action = ?2 AND at >= ?1 AND detail LIKE '% → ' || ?3
                 GROUP BY actor",
            )
            .map_err(self.err("read member load"))?;
        let fixes = stmt
            .query_map(params![at, HistoryAction::State, State::Fixed], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read member load"))?;
        for (who, n) in fixes {
            out.entry(who).or_default().1 += n;
        }
        Ok(out)
    }
}

impl Reader<'_> {
    /// Open issues created in `[from, to)`, by id.
    pub fn open_created_between(
        &self,
        from: Instant,
        to: Instant,
        limit: usize,
    ) -> Result<Capped<Brief>> {
        let (f, t) = (Stamp(from), Stamp(to));
        self.capped(
            "read issues of a shift",
            concat!(
                "i.state IN (",
                open_states!(),
                ") AND i.created_at >= ?1 AND i.created_at < ?2 ORDER BY i.id"
            ),
            &[&f, &t],
            limit,
        )
    }

    /// Issues a member holds that are not fixed yet.
    pub fn held_open(&self, member: &str, limit: usize) -> Result<Capped<Brief>> {
        self.capped(
            "read held issues",
            "i.claimed_by = ?1 AND i.state IN (?2, ?3) ORDER BY i.id",
            &[&member, &State::Claimed, &State::Triaged],
            limit,
        )
    }

    /// Issues dismissed in `[from, to)`, with the dismissal's words.
    pub fn dismissed_between(
        &self,
        from: Instant,
        to: Instant,
        limit: usize,
    ) -> Result<Vec<(Brief, String)>> {
        let sql = format!(
            "SELECT {BRIEF}, h.detail FROM history h JOIN issues i ON i.id = h.issue_id
             WHERE h.action = ?3 AND h.at >= ?1 AND h.at < ?2 AND i.state = ?4 AND i.merged_into IS NULL
             ORDER BY h.id LIMIT {limit}"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("read dismissals"))?;
        let rows = stmt
            .query_map(
                params![
                    Stamp(from),
                    Stamp(to),
                    HistoryAction::Dismissed,
                    State::Dismissed
                ],
                |r| Ok((brief(r)?, r.get::<_, String>(7)?)),
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read dismissals"))?;
        Ok(rows)
    }
}
