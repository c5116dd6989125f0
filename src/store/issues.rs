//! Reading issues: the list with filters (state, source, CVE, package,
//! words in the mail, problems) in id or triage order, one issue with its
//! messages, related issues, release statuses, notes and history.

use super::column::{Cells, Stamp};
use super::{Reader, Result, open_states};
use crate::mail::Source;
use crate::time::Instant;
use crate::triage::correlate::JoinedBy;
use crate::triage::{HistoryAction, IssueId, ReleaseStatus, Severity, State};
use rusqlite::{OptionalExtension, Row, ToSql, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// One issue as `secdesk issues` lists it (the `--json` contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueSummary {
    /// Its number.
    pub id: IssueId,
    /// Where it stands.
    pub state: State,
    /// The subject of the message that opened it, cleaned.
    pub title: String,
    /// Its CVE ids, sorted.
    pub cves: Vec<String>,
    /// Package names, sorted.
    pub packages: Vec<String>,
    /// How bad it is, if anyone or any source said.
    pub severity: Option<Severity>,
    /// How many messages mention it.
    pub message_count: i64,
    /// The sources that carried it, in [`Source::ALL`] order.
    pub sources: Vec<Source>,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// When secdesk opened it (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub created_at: Instant,
    /// When it last changed (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub updated_at: Instant,
}

/// One message in an issue's timeline; each copy of a message (the same
/// Message-ID through another list, with other bytes) is an entry of its
/// own, with its own source and date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// Its number, for `secdesk message N` (the message's row id: unique
    /// in the database, stable across merges).
    pub number: i64,
    /// Message-ID without brackets.
    pub message_id: String,
    /// Which copy of the message this is; 1, the first, is not shown in
    /// `--json`.
    #[serde(skip_serializing_if = "is_first_copy")]
    pub copy: i64,
    /// Where it was published.
    pub source: Source,
    /// Its advisory id.
    pub advisory_id: Option<String>,
    /// Its subject.
    pub subject: String,
    /// Its Date header (UTC), or when secdesk received it if it has none.
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub date: Instant,
    /// Its parse problems, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Why it is in this issue (`cve-in-subject`, `thread`, …); `None` for
    /// messages stored before secdesk recorded it.
    pub joined_by: Option<JoinedBy>,
}

/// One supported release's status on an issue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseEntry {
    /// The status.
    pub status: ReleaseStatus,
    /// The fix reference, for `fixed`.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Why, for `wontfix`.
    pub reason: Option<String>,
}

/// One history row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// When (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub at: Instant,
    /// Who: a member id or the program.
    pub actor: String,
    /// What kind of change (`claimed`, `release-status`, …).
    pub action: HistoryAction,
    /// The change in words.
    pub detail: String,
}

/// One note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// When (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub at: Instant,
    /// Who wrote it.
    pub actor: String,
    /// The note.
    pub text: String,
    /// Shown on the public site (`secdesk note --public`).
    pub public: bool,
}

/// Everything stored about one issue.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueDetail {
    /// The list row.
    pub summary: IssueSummary,
    /// When it was claimed (for "claimed but not triaged after 24 h").
    pub claimed_at: Option<Instant>,
    /// Who stays responsible until it is fixed.
    pub responsible: Option<String>,
    /// Where the fix was announced.
    pub announced: Option<String>,
    /// Every message, oldest first.
    pub messages: Vec<TimelineEntry>,
    /// Related issues.
    pub related: Vec<IssueId>,
    /// Status per release, for releases that have one.
    pub releases: BTreeMap<String, ReleaseEntry>,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// History, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The dismissal reason and text, when dismissed.
    pub dismissal: Option<(String, Option<String>)>,
    /// Issues merged into this one.
    pub merged_from: Vec<IssueId>,
}

/// The order issues are listed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IssueOrder {
    /// By issue number.
    #[default]
    Number,
    /// What to look at first: by severity (critical first, none last),
    /// then oldest first (opened, then number).
    Triage,
}

/// Filters for `secdesk issues`; all that are set must hold.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    /// Only issues in one of these states (any state when empty).
    pub states: Vec<State>,
    /// Only issues carried by this source.
    pub source: Option<Source>,
    /// Only issues opened at or after this instant.
    pub since: Option<Instant>,
    /// Only issues this member holds.
    pub claimed_by: Option<String>,
    /// Only issues nobody holds (and still open).
    pub unclaimed: bool,
    /// Only issues whose status in this release is `.1`.
    pub release_status: Option<(String, ReleaseStatus)>,
    /// Only the issue holding this CVE id (`CVE-YYYY-NNNN`, upper case).
    pub cve: Option<String>,
    /// Only issues naming this package (lower case, as stored).
    pub package: Option<String>,
    /// Only issues with a message whose subject or text has every one of
    /// these words (see [`search_query`]).
    pub search: Option<String>,
    /// Only issues with a message that has parse problems.
    pub problems: bool,
    /// The order of the rows.
    pub order: IssueOrder,
}

/// The full-text query for words people type: each word a quoted FTS5
/// string, so punctuation (`CVE-2024-48990`, `a.b`), quotes and FTS5's
/// operator words are searched as text, never parsed as query syntax; a
/// word ending in `*` (`needrest*`) matches as a prefix. Every word must
/// be in one message; a "word" with no letter or digit (`-`, `"(`) is
/// left out, as the index holds no such word. `None` when no word is left.
pub fn search_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| {
            let (word, prefix) = match word.strip_suffix('*') {
                Some(w) if !w.is_empty() => (w, "*"),
                _ => (word, ""),
            };
            format!("\"{}\"{prefix}", word.replace('"', "\"\""))
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// `CASE` ranks for [`IssueOrder::Triage`]: the most severe first, from
/// `triage`'s own order of severities, unset last.
fn severity_rank() -> String {
    let mut sql = String::from("CASE i.severity");
    for (rank, s) in Severity::ALL.iter().rev().enumerate() {
        sql.push_str(&format!(" WHEN '{}' THEN {rank}", s.as_str()));
    }
    sql.push_str(&format!(" ELSE {} END", Severity::ALL.len()));
    sql
}

const SUMMARY_COLUMNS: &str =
    "i.id, i.state, i.title, i.severity, i.claimed_by, i.created_at, i.updated_at,
    (SELECT group_concat(cve, ' ') FROM issue_cves WHERE issue_id = i.id),
    (SELECT group_concat(package, ' ') FROM issue_packages WHERE issue_id = i.id),
    (SELECT count(*) FROM messages WHERE issue_id = i.id),
    (SELECT group_concat(DISTINCT source) FROM messages WHERE issue_id = i.id)";

fn is_first_copy(copy: &i64) -> bool {
    *copy == 1
}

fn words(text: Option<String>, sep: char) -> Vec<String> {
    let mut v: Vec<String> = text
        .unwrap_or_default()
        .split(sep)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn summary_row(r: &Row<'_>) -> rusqlite::Result<IssueSummary> {
    let c = Cells::new(r, "issues", 0);
    let mut sources = Vec::new();
    for word in words(c.get(10)?, ',') {
        match Source::parse(&word) {
            Some(s) => sources.push(s),
            None => return Err(c.unreadable(10, format!("unknown message source {word:?}"))),
        }
    }
    sources.sort();
    sources.dedup();
    Ok(IssueSummary {
        id: c.get(0)?,
        state: c.get(1)?,
        title: c.get(2)?,
        severity: c.get(3)?,
        claimed_by: c.get(4)?,
        created_at: c.instant(5)?,
        updated_at: c.instant(6)?,
        cves: words(c.get(7)?, ' '),
        packages: words(c.get(8)?, ' '),
        message_count: c.get(9)?,
        sources,
    })
}

impl Reader<'_> {
    /// Issues matching the filter, in the filter's order.
    pub fn issues(&self, filter: &IssueFilter) -> Result<Vec<IssueSummary>> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM issues i WHERE i.merged_into IS NULL");
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if !filter.states.is_empty() {
            let mut marks = Vec::new();
            for state in &filter.states {
                args.push(Box::new(*state));
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND i.state IN ({})", marks.join(", ")));
        }
        if let Some(cve) = &filter.cve {
            args.push(Box::new(cve.clone()));
            sql.push_str(&format!(
                " AND i.id IN (SELECT c.issue_id FROM issue_cves c WHERE c.cve = ?{})",
                args.len()
            ));
        }
        if let Some(package) = &filter.package {
            args.push(Box::new(package.clone()));
            sql.push_str(&format!(
                " AND i.id IN (SELECT p.issue_id FROM issue_packages p WHERE p.package = ?{})",
                args.len()
            ));
        }
        if let Some(text) = &filter.search {
            match search_query(text) {
                Some(query) => {
                    args.push(Box::new(query));
                    sql.push_str(&format!(
                        " AND i.id IN (SELECT m.issue_id FROM message_text JOIN messages m ON m.id = message_text.rowid WHERE message_text MATCH ?{})",
                        args.len()
                    ));
                }
                // No word to look for: nothing holds it.
                None => sql.push_str(" AND 0"),
            }
        }
        if filter.problems {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM messages m WHERE m.issue_id = i.id AND m.problems <> '')",
            );
        }
        if let Some(source) = filter.source {
            args.push(Box::new(source));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM messages m WHERE m.issue_id = i.id AND m.source = ?{})",
                args.len()
            ));
        }
        if let Some(since) = filter.since {
            args.push(Box::new(Stamp(since)));
            sql.push_str(&format!(" AND i.created_at >= ?{}", args.len()));
        }
        if let Some(who) = &filter.claimed_by {
            args.push(Box::new(who.clone()));
            sql.push_str(&format!(" AND i.claimed_by = ?{}", args.len()));
        }
        if filter.unclaimed {
            sql.push_str(concat!(
                " AND i.claimed_by IS NULL AND i.state IN (",
                open_states!(),
                ")"
            ));
        }
        if let Some((release, status)) = &filter.release_status {
            args.push(Box::new(release.clone()));
            let r = args.len();
            if *status == ReleaseStatus::Unknown {
                sql.push_str(&format!(
                    " AND NOT EXISTS (SELECT 1 FROM release_status s WHERE s.issue_id = i.id AND s.release = ?{r} AND s.status <> 'unknown')"
                ));
            } else {
                args.push(Box::new(*status));
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM release_status s WHERE s.issue_id = i.id AND s.release = ?{r} AND s.status = ?{})",
                    args.len()
                ));
            }
        }
        match filter.order {
            IssueOrder::Number => sql.push_str(" ORDER BY i.id"),
            IssueOrder::Triage => sql.push_str(&format!(
                " ORDER BY {}, i.created_at, i.id",
                severity_rank()
            )),
        }
        let mut stmt = self.conn.prepare(&sql).map_err(self.err("list issues"))?;
        let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
        let rows = stmt
            .query_map(params.as_slice(), summary_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("list issues"))?;
        Ok(rows)
    }

    /// Where an issue id leads: itself, or the issue it was merged into
    /// (followed to the end). `None` when there is no such issue.
    pub fn resolve(&self, id: IssueId) -> Result<Option<IssueId>> {
        let mut current = id;
        // A merge chain is at most as long as the number of issues; the
        // bound only guards against a hand-edited cycle.
        for _ in 0..10_000 {
            let next: Option<Option<IssueId>> = self
                .conn
                .prepare_cached("SELECT merged_into FROM issues WHERE id = ?1")
                .and_then(|mut s| s.query_row([current], |r| r.get(0)).optional())
                .map_err(self.err("resolve issue"))?;
            match next {
                None => return Ok(None),
                Some(None) => return Ok(Some(current)),
                Some(Some(n)) => current = n,
            }
        }
        Ok(None)
    }

    /// The issue holding a CVE id (`CVE-YYYY-NNNN`, upper case), followed
    /// through merges; `None` when no issue holds it.
    pub fn issue_with_cve(&self, cve: &str) -> Result<Option<IssueId>> {
        let held: Option<IssueId> = self
            .conn
            .prepare_cached("SELECT issue_id FROM issue_cves WHERE cve = ?1")
            .and_then(|mut s| s.query_row([cve], |r| r.get(0)).optional())
            .map_err(self.err("look up CVE"))?;
        match held {
            Some(issue) => self.resolve(issue),
            None => Ok(None),
        }
    }

    /// The list row of one issue (not following merges).
    pub fn issue_summary(&self, id: IssueId) -> Result<Option<IssueSummary>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM issues i WHERE i.id = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([id], summary_row).optional())
            .map_err(self.err("read issue"))
    }

    /// Everything about one issue (not following merges).
    pub fn issue_detail(&self, id: IssueId) -> Result<Option<IssueDetail>> {
        let Some(summary) = self.issue_summary(id)? else {
            return Ok(None);
        };
        type Extra = (
            Option<Instant>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let (claimed_at, dismiss_reason, dismiss_text, responsible, announced): Extra = self
            .conn
            .prepare_cached(
                "SELECT claimed_at, dismiss_reason, dismiss_text, responsible, announce_ref, id FROM issues WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    let c = Cells::new(r, "issues", 5);
                    Ok((c.opt_instant(0)?, c.get(1)?, c.get(2)?, c.get(3)?, c.get(4)?))
                })
            })
            .map_err(self.err("read issue"))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT coalesce((SELECT f.message_id FROM messages f WHERE f.id = m.copy_of), m.message_id),
                   m.source, m.advisory_id, m.subject, coalesce(m.date, m.received_at), m.problems,
                   m.joined_by, m.copy, m.id
                 FROM messages m WHERE m.issue_id = ?1 ORDER BY coalesce(m.date, m.received_at), m.id",
            )
            .map_err(self.err("read timeline"))?;
        let messages = stmt
            .query_map([id], |r| {
                let c = Cells::new(r, "messages", 8);
                Ok(TimelineEntry {
                    number: c.get(8)?,
                    message_id: c.get(0)?,
                    source: c.get(1)?,
                    advisory_id: c.get(2)?,
                    subject: c.get(3)?,
                    date: c.instant(4)?,
                    problems: words(Some(c.get(5)?), ' '),
                    joined_by: c.get(6)?,
                    copy: c.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read timeline"))?;
        let related = self.ids(
            "SELECT b FROM related WHERE a = ?1 UNION SELECT a FROM related WHERE b = ?1 ORDER BY 1",
            id,
        )?;
        let merged_from = self.ids(
            "SELECT id FROM issues WHERE merged_into = ?1 ORDER BY id",
            id,
        )?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT release, status, ref, reason FROM release_status WHERE issue_id = ?1",
            )
            .map_err(self.err("read release status"))?;
        let releases = stmt
            .query_map([id], |r| {
                let c = Cells::new(r, "release_status", 0);
                Ok((
                    c.get::<String>(0)?,
                    ReleaseEntry {
                        status: c.get(1)?,
                        reference: c.get(2)?,
                        reason: c.get(3)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>())
            .map_err(self.err("read release status"))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, actor, text, public, id FROM notes WHERE issue_id = ?1 ORDER BY id",
            )
            .map_err(self.err("read notes"))?;
        let notes = stmt
            .query_map([id], |r| {
                let c = Cells::new(r, "notes", 4);
                Ok(Note {
                    at: c.instant(0)?,
                    actor: c.get(1)?,
                    text: c.get(2)?,
                    public: c.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read notes"))?;
        let history = self.history(id)?;
        Ok(Some(IssueDetail {
            summary,
            claimed_at,
            responsible,
            announced,
            messages,
            related,
            releases,
            notes,
            history,
            dismissal: dismiss_reason.map(|r| (r, dismiss_text)),
            merged_from,
        }))
    }

    /// An issue's history, oldest first.
    pub fn history(&self, id: IssueId) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, actor, action, detail, id FROM history WHERE issue_id = ?1 ORDER BY id",
            )
            .map_err(self.err("read history"))?;
        let rows = stmt
            .query_map([id], |r| {
                let c = Cells::new(r, "history", 4);
                Ok(HistoryEntry {
                    at: c.instant(0)?,
                    actor: c.get(1)?,
                    action: c.get(2)?,
                    detail: c.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read history"))?;
        Ok(rows)
    }

    fn ids(&self, sql: &str, id: IssueId) -> Result<Vec<IssueId>> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(self.err("read issue ids"))?;
        let rows = stmt
            .query_map(params![id], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<IssueId>>>())
            .map_err(self.err("read issue ids"))?;
        Ok(rows)
    }
}

impl Reader<'_> {
    /// How many issues are in each state (merged issues not counted).
    pub fn state_counts(&self) -> Result<Vec<(State, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT state, count(*) FROM issues WHERE merged_into IS NULL GROUP BY state",
            )
            .map_err(self.err("count issues"))?;
        let rows = stmt
            .query_map([], |r| {
                // Grouped rows have no key; the state word names them.
                let c = Cells::new(r, "issues", 0);
                Ok((c.get::<State>(0)?, c.get::<i64>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("count issues"))?;
        let mut out: Vec<(State, i64)> = State::ALL.iter().map(|s| (*s, 0)).collect();
        for (state, n) in rows {
            if let Some(slot) = out.iter_mut().find(|(s, _)| *s == state) {
                slot.1 += n;
            }
        }
        Ok(out)
    }

    /// How many open issues are in each open state (merged issues not
    /// counted), through the state index: cheap on a database of 100,000
    /// issues, as a timer run after each success needs
    /// (`job::monitor`). Every open state is listed, 0 included.
    pub fn open_state_counts(&self) -> Result<Vec<(State, i64)>> {
        let sql = format!(
            "SELECT state, count(*) FROM issues WHERE state IN ({}) AND merged_into IS NULL GROUP BY state",
            crate::store::state_list(State::is_open)
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("count open issues"))?;
        let rows = stmt
            .query_map([], |r| {
                // Grouped rows have no key; the state word names them.
                let c = Cells::new(r, "issues", 0);
                Ok((c.get::<State>(0)?, c.get::<i64>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("count open issues"))?;
        let mut out: Vec<(State, i64)> = State::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| (*s, 0))
            .collect();
        for (state, n) in rows {
            if let Some(slot) = out.iter_mut().find(|(s, _)| *s == state) {
                slot.1 += n;
            }
        }
        Ok(out)
    }

    /// When the newest message was stored, and how many messages there are.
    pub fn message_totals(&self) -> Result<(Option<Instant>, i64, i64)> {
        self.conn
            .prepare_cached(
                "SELECT max(received_at), count(*), count(*) FILTER (WHERE problems <> '') FROM messages",
            )
            .and_then(|mut s| {
                s.query_row([], |r| {
                    let c = Cells::new(r, "messages", 0);
                    Ok((c.opt_instant(0)?, c.get(1)?, c.get(2)?))
                })
            })
            .map_err(self.err("count messages"))
    }
}
