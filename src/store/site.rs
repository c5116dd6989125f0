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
use super::{Reader, Result, Tx};
use crate::site::rows::{
    Arrivals, RowRelease, SiteAdvisory, SiteIssueExtra, SiteIssueRow, SiteMessage, SitePlace,
};
use crate::time::Instant;
use crate::triage::{DismissReason, IssueId};
use rusqlite::params;
use std::collections::{BTreeMap, BTreeSet, HashMap};

impl Reader<'_> {
    /// Every issue's light row, in number order; merged issues included
    /// (the caller leaves them out).
    pub fn site_issues(&self) -> Result<Vec<SiteIssueRow>> {
        self.site_rows(None)
    }

    /// The light rows of the issues in `ids` (those that exist), in number
    /// order: what an incremental render reads instead of every row.
    pub fn site_issues_of(&self, ids: &[IssueId]) -> Result<Vec<SiteIssueRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.site_rows(Some(ids))
    }

    /// The rows of every issue, or of those in `only`: the same scans,
    /// each narrowed to the ids (through their `issue_id` indexes) when
    /// `only` is given.
    fn site_rows(&self, only: Option<&[IssueId]>) -> Result<Vec<SiteIssueRow>> {
        let ids = only.map(json_list);
        let filter = |column: &str| match only {
            Some(_) => format!("{column} IN (SELECT value FROM json_each(?1))"),
            None => "1".to_string(),
        };
        let ids = ids.as_deref();
        let mut mails: HashMap<IssueId, String> = HashMap::new();
        self.scan_with(
            &format!(
                "SELECT issue_id, min(coalesce(date, received_at))
                 FROM messages WHERE issue_id IS NOT NULL AND {} GROUP BY issue_id",
                filter("issue_id")
            ),
            ids,
            "messages",
            |c| {
                mails.insert(c.get(0)?, c.get(1)?);
                Ok(())
            },
        )?;
        let mut cves: HashMap<IssueId, Vec<String>> = HashMap::new();
        self.scan_with(
            &format!(
                "SELECT issue_id, cve FROM issue_cves WHERE {}",
                filter("issue_id")
            ),
            ids,
            "issue_cves",
            |c| {
                cves.entry(c.get(0)?).or_default().push(c.get(1)?);
                Ok(())
            },
        )?;
        let mut packages: HashMap<IssueId, Vec<String>> = HashMap::new();
        self.scan_with(
            &format!(
                "SELECT issue_id, package FROM issue_packages WHERE {}",
                filter("issue_id")
            ),
            ids,
            "issue_packages",
            |c| {
                packages.entry(c.get(0)?).or_default().push(c.get(1)?);
                Ok(())
            },
        )?;
        let mut releases: HashMap<IssueId, BTreeMap<String, RowRelease>> = HashMap::new();
        self.scan_with(
            &format!(
                "SELECT issue_id, release, status, ref, reason FROM release_status WHERE {}",
                filter("issue_id")
            ),
            ids,
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
        let related_sql = match only {
            Some(_) => format!(
                "SELECT a, b FROM related WHERE {} UNION SELECT a, b FROM related WHERE {}",
                filter("a"),
                filter("b")
            ),
            None => "SELECT a, b FROM related".to_string(),
        };
        self.scan_with(&related_sql, ids, "related", |c| {
            let (a, b): (IssueId, IssueId) = (c.get(0)?, c.get(1)?);
            related.entry(a).or_default().push(b);
            related.entry(b).or_default().push(a);
            Ok(())
        })?;
        let mut rows = Vec::new();
        self.scan_with(
            &format!(
                "SELECT id, state, title, severity, created_at, updated_at, first_claimed_at,
                        triaged_at, fixed_at, closed_at, dismiss_reason, merged_into
                 FROM issues WHERE {} ORDER BY id",
                filter("id")
            ),
            ids,
            "issues",
            |c| {
                let id: IssueId = c.get(0)?;
                let first = mails.remove(&id);
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
                    updated_at: c.instant(5)?,
                    first_mail: first.as_deref().and_then(crate::time::parse),
                    first_claimed_at: c.opt_instant(6)?,
                    triaged_at: c.opt_instant(7)?,
                    fixed_at: c.opt_instant(8)?,
                    closed_at: c.opt_instant(9)?,
                    dismiss_reason: c.get(10)?,
                    merged_into: c.get(11)?,
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

    /// The issues stamped after epoch `since` (migration 14): what
    /// changed since a render that began epoch `since + 1`.
    pub fn site_changed_since(&self, since: i64) -> Result<Vec<IssueId>> {
        self.collect(
            "SELECT id FROM issues WHERE site_seq > ?1 ORDER BY id",
            [since],
            "read site changes",
            |r| r.get(0),
        )
    }

    /// The issues related to any in `ids`, either way round.
    pub fn site_related_to(&self, ids: &[IssueId]) -> Result<Vec<IssueId>> {
        let mut out = Vec::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = json_list(ids);
        self.scan_with(
            "SELECT b FROM related WHERE a IN (SELECT value FROM json_each(?1))
             UNION SELECT a FROM related WHERE b IN (SELECT value FROM json_each(?1))",
            Some(&list),
            "related",
            |c| {
                out.push(c.get(0)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Every public issue's place in the lists (number, state, severity,
    /// opened, changed), in number order: enough to order the index and
    /// the feed without reading any issue whole.
    /// "Public" is `site::is_public` in SQL (`PUBLIC` here).
    pub fn site_places(&self) -> Result<Vec<SitePlace>> {
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT i.id, i.state, i.severity, i.created_at, i.updated_at
                 FROM issues i WHERE {PUBLIC} ORDER BY i.id"
            ))
            .map_err(self.err("read site places"))?;
        let mut rows = stmt
            .query([DismissReason::Embargoed])
            .map_err(self.err("read site places"))?;
        while let Some(r) = rows.next().map_err(self.err("read site places"))? {
            let c = Cells::new(r, "issues", 0);
            let place = (|| {
                Ok::<_, rusqlite::Error>(SitePlace {
                    id: c.get(0)?,
                    state: c.get(1)?,
                    severity: c.get(2)?,
                    created_at: c.instant(3)?,
                    updated_at: c.instant(4)?,
                })
            })()
            .map_err(self.err("read site places"))?;
            out.push(place);
        }
        Ok(out)
    }

    /// The CVE ids of issues dismissed as embargoed: never named on the
    /// site, not even by an advisory.
    pub fn site_embargoed_cves(&self) -> Result<BTreeSet<String>> {
        let cves = self.collect(
            "SELECT c.cve FROM issue_cves c JOIN issues i ON i.id = c.issue_id
             WHERE i.dismiss_reason = ?1",
            [DismissReason::Embargoed],
            "read embargoed CVEs",
            |r| r.get::<_, String>(0),
        )?;
        Ok(cves.into_iter().collect())
    }

    /// The public issue of each CVE id in `cves` that has one (a CVE
    /// belongs to one issue).
    pub fn site_cve_owners(&self, cves: &[&str]) -> Result<BTreeMap<String, IssueId>> {
        let mut out = BTreeMap::new();
        if cves.is_empty() {
            return Ok(out);
        }
        let list = json_list(cves);
        out.extend(self.collect(
            &format!(
                "SELECT c.cve, c.issue_id FROM issue_cves c JOIN issues i ON i.id = c.issue_id
                 WHERE c.cve IN (SELECT value FROM json_each(?2)) AND {PUBLIC}"
            ),
            params![DismissReason::Embargoed, list],
            "read CVE owners",
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, IssueId>(1)?)),
        )?);
        Ok(out)
    }

    /// The public issues of each package in `packages`, in number order;
    /// a package with none is left out.
    pub fn site_package_members(
        &self,
        packages: &[&str],
    ) -> Result<BTreeMap<String, Vec<IssueId>>> {
        let mut out: BTreeMap<String, Vec<IssueId>> = BTreeMap::new();
        if packages.is_empty() {
            return Ok(out);
        }
        let list = json_list(packages);
        let members = self.collect(
            &format!(
                "SELECT p.package, p.issue_id FROM issue_packages p JOIN issues i ON i.id = p.issue_id
                 WHERE p.package IN (SELECT value FROM json_each(?2)) AND {PUBLIC}
                 ORDER BY p.issue_id"
            ),
            params![DismissReason::Embargoed, list],
            "read package members",
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, IssueId>(1)?)),
        )?;
        for (package, id) in members {
            out.entry(package).or_default().push(id);
        }
        Ok(out)
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

    /// Runs `sql` (cached) with `params` and collects what `row` makes of
    /// each row; `doing` names the read in an error.
    fn collect<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        doing: &str,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err(doing))?;
        stmt.query_map(params, row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<T>>>())
            .map_err(self.err(doing))
    }

    /// Runs `sql` and hands each row to `each`.
    fn scan(
        &self,
        sql: &str,
        table: &'static str,
        each: impl FnMut(&Cells<'_, '_>) -> rusqlite::Result<()>,
    ) -> Result<()> {
        self.scan_with(sql, None, table, each)
    }

    /// Runs `sql`, with `?1` bound to `param` when given, and hands each
    /// row to `each`.
    fn scan_with(
        &self,
        sql: &str,
        param: Option<&str>,
        table: &'static str,
        mut each: impl FnMut(&Cells<'_, '_>) -> rusqlite::Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err("read site data"))?;
        let mut rows = match param {
            Some(p) => stmt.query([p]),
            None => stmt.query([]),
        }
        .map_err(self.err("read site data"))?;
        while let Some(r) = rows.next().map_err(self.err("read site data"))? {
            each(&Cells::new(r, table, 0)).map_err(self.err("read site data"))?;
        }
        Ok(())
    }
}

impl Tx<'_> {
    /// Begins a new epoch of change stamps (migration 14) and returns the
    /// one that ended: every change committed from now on is stamped above
    /// it, and every change stamped up to it is in any snapshot taken
    /// after this commits. A render calls it first, then reads.
    pub fn site_new_epoch(&self) -> Result<i64> {
        self.conn()
            .query_row("UPDATE site_seq SET n = n + 1 RETURNING n - 1", [], |r| {
                r.get(0)
            })
            .map_err(self.err("begin a site epoch"))
    }
}

/// `site::is_public` in SQL, over `issues i`, with `?1` bound to
/// `DismissReason::Embargoed`: not merged away, not dismissed as
/// embargoed. tests/site.rs checks that the two agree.
const PUBLIC: &str =
    "i.merged_into IS NULL AND (i.dismiss_reason IS NULL OR i.dismiss_reason <> ?1)";

/// Numbers or names as the JSON array `json_each` reads.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use crate::store::test_support::TempDb;

    /// Tables that hold an issue's data but are not shown on the site, or
    /// are compared whole on every render; every other such table must
    /// move the issue's change stamp (migration 14), or an incremental
    /// render would miss its changes.
    const NOT_STAMPED: &[(&str, &str)] = &[
        ("history", "the site shows no history"),
        ("signals", "the Bat-Signal is never public"),
        (
            "issue_advisories",
            "the site reads advisory ids from messages",
        ),
        ("advisory_issues", "advisories are compared whole every run"),
        ("fix_rejections", "rejected proposals are not public"),
    ];

    #[test]
    fn every_table_of_issue_data_moves_the_change_stamp() {
        let db = TempDb::new("site-stamps-cover");
        let mut store = Store::create(&db.0).expect("create");
        let (tables, triggers) = store
            .read(|r| {
                let names = |sql: &str| -> crate::store::Result<Vec<String>> {
                    let mut stmt = r.conn.prepare(sql).map_err(r.err("list"))?;
                    let rows = stmt
                        .query_map([], |row| row.get::<_, String>(0))
                        .map_err(r.err("list"))?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()
                        .map_err(r.err("list"))
                };
                Ok::<_, crate::store::Error>((
                    names(
                        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
                         WHERE m.type = 'table' AND c.name IN ('issue_id', 'a')",
                    )?,
                    names("SELECT name FROM sqlite_master WHERE type = 'trigger'")?,
                ))
            })
            .expect("read schema");
        let stamped: Vec<&str> = tables
            .iter()
            .map(String::as_str)
            .filter(|t| !NOT_STAMPED.iter().any(|(n, _)| n == t))
            .collect();
        for table in stamped {
            for event in ["insert", "update", "delete"] {
                let name = format!("site_{table}_{event}");
                assert!(
                    triggers.contains(&name),
                    "table {table} holds issue data: add trigger {name} (a new migration), \
                     or list it in NOT_STAMPED saying why the site does not need it"
                );
            }
        }
        // Issues are never deleted.
        for name in ["site_issues_insert", "site_issues_update"] {
            assert!(triggers.contains(&name.to_string()), "{name}");
        }
    }

    #[test]
    fn a_change_is_seen_by_the_next_render_and_only_its_issue() {
        let db = TempDb::new("site-stamps-move");
        let mut store = Store::create(&db.0).expect("create");
        let at = crate::time::parse("2026-11-20T10:00:00Z").expect("instant");
        let (a, b) = store
            .write(|tx| {
                Ok::<_, crate::store::Error>((
                    tx.create_issue("a", None, at)?,
                    tx.create_issue("b", None, at)?,
                ))
            })
            .expect("write");
        let epoch = |store: &mut Store| store.write(|tx| tx.site_new_epoch()).expect("epoch");
        let changed =
            |store: &mut Store, since| store.read(|r| r.site_changed_since(since)).expect("read");
        let first = epoch(&mut store);
        assert_eq!(changed(&mut store, 0), [a, b]);
        let second = epoch(&mut store);
        assert!(second > first);
        assert_eq!(changed(&mut store, second), Vec::<i64>::new());
        // Under ingest's INSERT OR IGNORE, and twice in one epoch.
        store
            .write(|tx| tx.attach_cves(b, &["CVE-2026-1234".into()]))
            .expect("write");
        store
            .write(|tx| tx.attach_cves(b, &["CVE-2026-1235".into()]))
            .expect("write");
        assert_eq!(changed(&mut store, second), [b]);
        let third = epoch(&mut store);
        assert_eq!(changed(&mut store, third), Vec::<i64>::new());
        // After a render's epoch, the same issue changes again: seen again.
        store
            .write(|tx| tx.add_packages(b, &["pkg".into()]))
            .expect("write");
        assert_eq!(changed(&mut store, third), [b]);
    }
}
