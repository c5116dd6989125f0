//! The queries behind the daily report, each bounded (a section shows its
//! first rows and a count), so the report stays fast and readable on a
//! database of 100,000 issues.

use super::column::{Cells, Stamp};
use super::{Reader, Result, open_states};
use crate::report::{Arrival, Capped, Milestones, Posted, SignalRecord};
use crate::time::Instant;
use crate::triage::{self, Brief, HistoryAction, IssueId, ReleaseStatus, Severity, State};
use rusqlite::params;
use std::collections::BTreeMap;

/// The issue columns of a [`Brief`]; its CVE ids come from one batched
/// query per list ([`Reader::fill_cves`]), never one per row.
const BRIEF: &str =
    "i.id, i.title, i.state, i.claimed_by, i.created_at, i.claimed_at, i.fixed_at, i.severity";
/// How many columns [`BRIEF`] is; a query's own columns follow.
const BRIEF_COLUMNS: usize = 8;

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
        severity: c.get(7)?,
        cves: Vec::new(),
    })
}

/// The `ORDER BY` of [`Brief::urgency`]: most severe first, unset last,
/// then oldest. The ranks come from [`Severity::ALL`], so the words are
/// triage's, not copied into the query.
fn by_urgency() -> String {
    let mut order = String::from("CASE i.severity");
    for (rank, s) in Severity::ALL.iter().rev().enumerate() {
        order.push_str(&format!(" WHEN '{}' THEN {rank}", s.as_str()));
    }
    order.push_str(&format!(
        " ELSE {} END, i.created_at, i.id",
        Severity::ALL.len()
    ));
    order
}

/// Issue ids as one JSON array, bound once for `IN (SELECT value FROM
/// json_each(?1))`: one batched query for a whole list, however long.
fn id_array(ids: impl IntoIterator<Item = IssueId>) -> String {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    format!("[{}]", ids.join(","))
}

impl Reader<'_> {
    /// The first `limit` issues (all for `usize::MAX`) matching `filter`
    /// in `order`, their CVE ids, and how many match in all.
    fn capped(
        &self,
        doing: &str,
        filter: &str,
        order: &str,
        args: &[&dyn rusqlite::ToSql],
        limit: usize,
    ) -> Result<Capped<Brief>> {
        // SQLite's LIMIT -1 is no limit.
        let limit = i64::try_from(limit).unwrap_or(-1);
        let sql = format!(
            "SELECT {BRIEF} FROM issues i WHERE i.merged_into IS NULL AND {filter} ORDER BY {order} LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(self.err(doing))?;
        let mut rows = stmt
            .query_map(args, brief)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(doing))?;
        self.fill_cves(doing, rows.iter_mut())?;
        let count =
            format!("SELECT count(*) FROM issues i WHERE i.merged_into IS NULL AND {filter}");
        let total = self
            .conn
            .prepare_cached(&count)
            .and_then(|mut s| s.query_row(args, |r| r.get(0)))
            .map_err(self.err(doing))?;
        Ok(Capped { rows, total })
    }

    /// Sets the CVE ids of every brief given, in one query.
    fn fill_cves<'b>(
        &self,
        doing: &str,
        briefs: impl IntoIterator<Item = &'b mut Brief>,
    ) -> Result<()> {
        let mut briefs: Vec<&mut Brief> = briefs.into_iter().collect();
        if briefs.is_empty() {
            return Ok(());
        }
        let ids = id_array(briefs.iter().map(|b| b.id));
        let mut by_issue: BTreeMap<IssueId, Vec<String>> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT issue_id, cve FROM issue_cves WHERE issue_id IN (SELECT value FROM json_each(?1))",
            )
            .map_err(self.err(doing))?;
        let rows = stmt
            .query_map([ids], |r| {
                let c = Cells::new(r, "issue_cves", 0);
                Ok((c.get::<IssueId>(0)?, c.get::<String>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(doing))?;
        for (id, cve) in rows {
            by_issue.entry(id).or_default().push(cve);
        }
        for cves in by_issue.values_mut() {
            triage::sort_cves(cves);
        }
        for b in &mut briefs {
            b.cves = by_issue.get(&b.id).cloned().unwrap_or_default();
        }
        Ok(())
    }

    /// Messages stored at or after `since`, newest issues last, at most
    /// `limit` messages.
    pub fn arrivals(&self, since: Instant, limit: usize) -> Result<Capped<Arrival>> {
        let sql = format!(
            "SELECT {BRIEF}, m.source, m.advisory_id, m.received_at,
                    coalesce((SELECT f.message_id FROM messages f WHERE f.id = m.copy_of), m.message_id)
             FROM messages m JOIN issues i ON i.id = m.issue_id
             WHERE m.received_at >= ?1 ORDER BY m.issue_id, m.received_at, m.id LIMIT {limit}"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("read arrivals"))?;
        let mut rows = stmt
            .query_map([Stamp(since)], |r| {
                // The issue's columns come first; the message is named by
                // the issue it belongs to.
                let c = Cells::new(r, "messages", 0);
                Ok(Arrival {
                    issue: brief(r)?,
                    source: c.get(BRIEF_COLUMNS)?,
                    advisory_id: c.get(BRIEF_COLUMNS + 1)?,
                    received_at: c.instant(BRIEF_COLUMNS + 2)?,
                    message_id: c.get(BRIEF_COLUMNS + 3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read arrivals"))?;
        self.fill_cves("read arrivals", rows.iter_mut().map(|a| &mut a.issue))?;
        let total = self
            .conn
            .prepare_cached("SELECT count(*) FROM messages WHERE received_at >= ?1")
            .and_then(|mut s| s.query_row([Stamp(since)], |r| r.get(0)))
            .map_err(self.err("read arrivals"))?;
        Ok(Capped { rows, total })
    }

    /// Open issues nobody holds, most urgent first ([`Brief::urgency`]:
    /// most severe, unset last, then oldest); all of them for
    /// `usize::MAX`.
    pub fn unclaimed_oldest(&self, limit: usize) -> Result<Capped<Brief>> {
        self.capped(
            "read unclaimed issues",
            concat!("i.state IN (", open_states!(), ") AND i.claimed_by IS NULL"),
            &by_urgency(),
            &[],
            limit,
        )
    }

    /// Issues claimed before `before` and still only `claimed`.
    pub fn claimed_not_triaged(&self, before: Instant, limit: usize) -> Result<Capped<Brief>> {
        let b = Stamp(before);
        self.capped(
            "read stuck claims",
            "i.state = ?2 AND i.claimed_at < ?1",
            "i.claimed_at, i.id",
            &[&b, &State::Claimed],
            limit,
        )
    }

    /// Open issues with their release statuses, most urgent first (as
    /// unclaimed issues are), so a cut matrix never hides a critical
    /// issue; the statuses of the whole list in one query.
    pub fn release_matrix(
        &self,
        limit: usize,
    ) -> Result<Capped<(Brief, BTreeMap<String, ReleaseStatus>)>> {
        let doing = "read release matrix";
        let briefs = self.capped(
            doing,
            concat!("i.state IN (", open_states!(), ")"),
            &by_urgency(),
            &[],
            limit,
        )?;
        let mut statuses: BTreeMap<IssueId, BTreeMap<String, ReleaseStatus>> = BTreeMap::new();
        let ids = id_array(briefs.rows.iter().map(|b| b.id));
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT issue_id, release, status FROM release_status WHERE issue_id IN (SELECT value FROM json_each(?1))",
            )
            .map_err(self.err(doing))?;
        let found = stmt
            .query_map([ids], |r| {
                let c = Cells::new(r, "release_status", 0);
                Ok((
                    c.get::<IssueId>(0)?,
                    c.get::<String>(1)?,
                    c.get::<ReleaseStatus>(2)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(doing))?;
        for (id, release, status) in found {
            statuses.entry(id).or_default().insert(release, status);
        }
        let rows = briefs
            .rows
            .into_iter()
            .map(|b| {
                let s = statuses.remove(&b.id).unwrap_or_default();
                (b, s)
            })
            .collect();
        Ok(Capped {
            rows,
            total: briefs.total,
        })
    }

    /// The first message of each issue from each source it came through,
    /// in order of arrival: what the HTML report links an issue to. One
    /// query for all the issues given.
    pub fn first_posts(&self, issues: &[IssueId]) -> Result<BTreeMap<IssueId, Vec<Posted>>> {
        let doing = "read first messages";
        let mut out: BTreeMap<IssueId, Vec<Posted>> = BTreeMap::new();
        if issues.is_empty() {
            return Ok(out);
        }
        // SQLite takes the bare columns from the row that min() chose.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT m.issue_id, m.source,
                        coalesce((SELECT f.message_id FROM messages f WHERE f.id = m.copy_of), m.message_id),
                        m.advisory_id, min(m.received_at) AS first, m.id
                 FROM messages m WHERE m.issue_id IN (SELECT value FROM json_each(?1))
                 GROUP BY m.issue_id, m.source ORDER BY m.issue_id, first, m.id",
            )
            .map_err(self.err(doing))?;
        let rows = stmt
            .query_map([id_array(issues.iter().copied())], |r| {
                let c = Cells::new(r, "messages", 5);
                Ok((
                    c.get::<IssueId>(0)?,
                    Posted {
                        source: c.get(1)?,
                        message_id: c.get(2)?,
                        advisory_id: c.get(3)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(doing))?;
        for (id, p) in rows {
            out.entry(id).or_default().push(p);
        }
        Ok(out)
    }

    /// Fixed issues not yet announced, longest waiting first.
    pub fn fixed_unannounced(&self, limit: usize) -> Result<Capped<Brief>> {
        self.capped(
            "read fixed issues",
            "i.state = ?1",
            "i.fixed_at, i.id",
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
                ") AND i.created_at >= ?1 AND i.created_at < ?2"
            ),
            "i.id",
            &[&f, &t],
            limit,
        )
    }

    /// Issues a member holds that are not fixed yet.
    pub fn held_open(&self, member: &str, limit: usize) -> Result<Capped<Brief>> {
        self.capped(
            "read held issues",
            "i.claimed_by = ?1 AND i.state IN (?2, ?3)",
            "i.id",
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
        let mut rows = stmt
            .query_map(
                params![
                    Stamp(from),
                    Stamp(to),
                    HistoryAction::Dismissed,
                    State::Dismissed
                ],
                |r| Ok((brief(r)?, r.get::<_, String>(BRIEF_COLUMNS)?)),
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read dismissals"))?;
        self.fill_cves("read dismissals", rows.iter_mut().map(|(b, _)| b))?;
        Ok(rows)
    }
}

impl Reader<'_> {
    /// Every Bat-Signal raised, resolved or still open since `since`
    /// (oldest first), with its events and its issue's title: the report's
    /// section. A handful of rows: signals are rare by design.
    pub fn report_signals(&self, since: Instant) -> Result<Vec<SignalRecord>> {
        let mut out = Vec::new();
        for raised in self.signals_since(since)? {
            let events = self.signal_events(raised.id)?;
            let title = self
                .issue_summary(raised.issue)?
                .map(|s| s.title)
                .unwrap_or_default();
            out.push(SignalRecord {
                raised,
                events,
                title,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use crate::store::test_support::TempDb;
    use crate::triage::{Brief, IssueId, Severity};

    /// The query's `ORDER BY` and [`Brief::urgency`] agree, and a cut list
    /// keeps the most urgent; CVE ids come sorted as people read them.
    #[test]
    fn unclaimed_come_most_severe_first_then_oldest_as_urgency_says() {
        let db = TempDb::new("report-urgency");
        let mut store = Store::create(&db.0).expect("create");
        let at = |day: u32| {
            crate::time::parse(&format!("2026-11-{day:02}T10:00:00Z")).expect("an instant")
        };
        use Severity::*;
        let made = [
            (None, 1),
            (Some(Low), 2),
            (Some(Critical), 20),
            (Some(High), 5),
            (None, 3),
            (Some(High), 4),
            (Some(Medium), 1),
            (Some(Critical), 10),
        ];
        store
            .write(|tx| {
                for (i, (severity, day)) in made.iter().enumerate() {
                    let id = tx.create_issue(&format!("issue {i}"), *severity, at(*day))?;
                    if i == 3 {
                        tx.attach_cves(id, &["CVE-2024-10224".into(), "CVE-2024-9999".into()])?;
                    }
                }
                Ok::<_, crate::store::Error>(())
            })
            .expect("write");
        let all = store
            .read(|r| r.unclaimed_oldest(usize::MAX))
            .expect("read");
        let ids: Vec<IssueId> = all.rows.iter().map(|b| b.id).collect();
        let mut sorted: Vec<Brief> = all.rows.clone();
        sorted.sort_by_key(Brief::urgency);
        assert_eq!(ids, sorted.iter().map(|b| b.id).collect::<Vec<_>>());
        assert_eq!(ids, [8, 3, 6, 4, 7, 2, 1, 5]);
        assert_eq!(
            all.rows.iter().find(|b| b.id == 4).map(|b| b.cves.clone()),
            Some(vec![
                "CVE-2024-9999".to_string(),
                "CVE-2024-10224".to_string()
            ])
        );
        let cut = store.read(|r| r.unclaimed_oldest(2)).expect("read");
        assert_eq!(cut.rows.iter().map(|b| b.id).collect::<Vec<_>>(), [8, 3]);
        assert_eq!(cut.total, 8);
    }
}
