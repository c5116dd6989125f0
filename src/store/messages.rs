//! Stored messages and what ingest writes: messages, their CVEs and thread
//! references, new issues, CVE and advisory id ownership, why each message
//! joined its issue, packages, related links.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::mail::Source;
use crate::time::Instant;
use crate::triage::correlate::{Child, JoinedBy};
use crate::triage::{IssueId, Severity, State, raised_severity};
use rusqlite::{OptionalExtension, params};

/// One message to store.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Message-ID without brackets (or the content-hash id).
    pub message_id: &'a str,
    /// The issue it belongs to.
    pub issue_id: IssueId,
    /// Where it was published.
    pub source: Source,
    /// Its advisory id, if any.
    pub advisory_id: Option<&'a str>,
    /// Decoded one-line subject.
    pub subject: &'a str,
    /// Decoded From, for display.
    pub sender: &'a str,
    /// Its Date header, UTC.
    pub date: Option<Instant>,
    /// When secdesk stored it.
    pub received_at: Instant,
    /// Whether it answers another message.
    pub is_reply: bool,
    /// The severity its source states.
    pub severity_hint: Option<Severity>,
    /// Space-separated problem words; empty when none.
    pub problems: &'a str,
    /// Where it was read from (`maildir:…`, `imap:account/mailbox`).
    pub origin: &'a str,
    /// The bytes as received.
    pub raw: &'a [u8],
    /// The CVE ids it names.
    pub cves: &'a [String],
    /// The ids it refers to (In-Reply-To and References).
    pub refs: &'a [String],
}

impl Tx<'_> {
    /// Whether a message with this id is stored.
    pub fn message_exists(&self, message_id: &str) -> Result<bool> {
        self.reader().message_exists(message_id)
    }

    /// The issue holding a CVE.
    pub fn issue_of_cve(&self, cve: &str) -> Result<Option<IssueId>> {
        self.conn()
            .prepare_cached("SELECT issue_id FROM issue_cves WHERE cve = ?1")
            .and_then(|mut s| s.query_row([cve], |r| r.get(0)).optional())
            .map_err(self.err("look up CVE"))
    }

    /// The issue holding an advisory id, followed through merges to the
    /// survivor (a merge moves CVEs but leaves advisory ids where they
    /// were; following the merge here keeps one rule for both).
    pub fn issue_of_advisory(&self, advisory_id: &str) -> Result<Option<IssueId>> {
        let held: Option<IssueId> = self
            .conn()
            .prepare_cached("SELECT issue_id FROM issue_advisories WHERE advisory_id = ?1")
            .and_then(|mut s| s.query_row([advisory_id], |r| r.get(0)).optional())
            .map_err(self.err("look up advisory id"))?;
        match held {
            Some(issue) => self.reader().resolve(issue),
            None => Ok(None),
        }
    }

    /// Gives advisory ids no issue holds yet to `issue`; returns the ones
    /// it took.
    pub fn attach_advisory_ids(&self, issue: IssueId, ids: &[String]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO issue_advisories (advisory_id, issue_id) VALUES (?1, ?2)",
            )
            .map_err(self.err("attach advisory ids"))?;
        let mut taken = Vec::new();
        for id in ids {
            let n = stmt
                .execute(params![id, issue])
                .map_err(self.err("attach advisory ids"))?;
            if n > 0 {
                taken.push(id.clone());
            }
        }
        Ok(taken)
    }

    /// Records why a stored message (by row id, as
    /// [`Tx::insert_message`] returns it) is in its issue.
    pub fn record_joined_by(&self, row: i64, why: JoinedBy) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE messages SET joined_by = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![row, why.as_str()]))
            .map_err(self.err("record why a message joined"))?;
        Ok(())
    }

    /// Before an untouched reply-first issue is folded into its parent's:
    /// the messages that opened it are now in the parent's issue by thread.
    pub fn rejoin_by_thread(&self, issue: IssueId) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE messages SET joined_by = ?2 WHERE issue_id = ?1 AND joined_by IN (?3, ?4)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    issue,
                    JoinedBy::Thread.as_str(),
                    JoinedBy::Opened.as_str(),
                    JoinedBy::OpenedCiting.as_str()
                ])
            })
            .map_err(self.err("record why a message joined"))?;
        Ok(())
    }

    /// The issue of a stored message.
    pub fn issue_of_message(&self, message_id: &str) -> Result<Option<IssueId>> {
        self.conn()
            .prepare_cached("SELECT issue_id FROM messages WHERE message_id = ?1")
            .and_then(|mut s| {
                s.query_row([message_id], |r| r.get::<_, Option<IssueId>>(0))
                    .optional()
            })
            .map(Option::flatten)
            .map_err(self.err("look up thread parent"))
    }

    /// The issues of stored messages that refer to `message_id` (replies
    /// that arrived before it), by id, with what tells whether anyone has
    /// worked on them; [`crate::triage::correlate::untouched`] decides.
    pub fn issues_replying_to(&self, message_id: &str) -> Result<Vec<Child>> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT DISTINCT i.id, i.state, i.claimed_by, i.severity_set_by,
                   EXISTS (SELECT 1 FROM issue_cves c WHERE c.issue_id = i.id),
                   EXISTS (SELECT 1 FROM notes n WHERE n.issue_id = i.id),
                   EXISTS (SELECT 1 FROM issue_advisories a WHERE a.issue_id = i.id),
                   EXISTS (SELECT 1 FROM release_status s WHERE s.issue_id = i.id),
                   (SELECT group_concat(actor, char(10)) FROM
                      (SELECT DISTINCT h.actor FROM history h WHERE h.issue_id = i.id))
                 FROM message_refs r
                 JOIN messages m ON m.id = r.message_id
                 JOIN issues i ON i.id = m.issue_id
                 WHERE r.ref = ?1 AND i.merged_into IS NULL
                 ORDER BY i.id",
            )
            .map_err(self.err("look up replies"))?;
        let rows = stmt
            .query_map(params![message_id], |r| {
                let c = Cells::new(r, "issues", 0);
                let actors: Option<String> = c.get(8)?;
                Ok(Child {
                    issue: c.get(0)?,
                    state: c.get(1)?,
                    claimed_by: c.get(2)?,
                    severity_set_by: c.get(3)?,
                    has_cves: c.get(4)?,
                    has_notes: c.get(5)?,
                    has_advisory_ids: c.get(6)?,
                    has_release_status: c.get(7)?,
                    history_actors: actors
                        .unwrap_or_default()
                        .split('\n')
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Child>>>())
            .map_err(self.err("look up replies"))?;
        Ok(rows)
    }

    /// Opens a new issue in state `new`.
    pub fn create_issue(
        &self,
        title: &str,
        severity: Option<Severity>,
        now: Instant,
    ) -> Result<IssueId> {
        let at = Stamp(now);
        self.conn()
            .prepare_cached(
                "INSERT INTO issues (title, state, severity, created_at, updated_at) VALUES (?1, ?4, ?2, ?3, ?3)",
            )
            .and_then(|mut s| s.execute(params![title, severity, at, State::New]))
            .map_err(self.err("open issue"))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Stores a message with its CVEs and references.
    pub fn insert_message(&self, m: &NewMessage<'_>) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO messages (message_id, issue_id, source, advisory_id, subject, sender, date,
                   received_at, is_reply, severity_hint, problems, origin, size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.message_id,
                    m.issue_id,
                    m.source,
                    m.advisory_id,
                    m.subject,
                    m.sender,
                    m.date.map(Stamp),
                    Stamp(m.received_at),
                    m.is_reply,
                    m.severity_hint,
                    m.problems,
                    m.origin,
                    m.raw.len() as i64,
                ])
            })
            .map_err(self.err("store message"))?;
        let id = self.conn().last_insert_rowid();
        self.conn()
            .prepare_cached("INSERT INTO message_raw (message_id, raw) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id, m.raw]))
            .map_err(self.err("store message bytes"))?;
        let mut cve_stmt = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO message_cves (message_id, cve) VALUES (?1, ?2)")
            .map_err(self.err("store message CVEs"))?;
        for cve in m.cves {
            cve_stmt
                .execute(params![id, cve])
                .map_err(self.err("store message CVEs"))?;
        }
        let mut ref_stmt = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO message_refs (message_id, ref) VALUES (?1, ?2)")
            .map_err(self.err("store message references"))?;
        for r in m.refs {
            ref_stmt
                .execute(params![id, r])
                .map_err(self.err("store message references"))?;
        }
        Ok(id)
    }

    /// Gives CVEs no issue holds yet to `issue`; returns the ones it took.
    pub fn attach_cves(&self, issue: IssueId, cves: &[String]) -> Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO issue_cves (cve, issue_id) VALUES (?1, ?2)")
            .map_err(self.err("attach CVEs"))?;
        let mut taken = Vec::new();
        for cve in cves {
            let n = stmt
                .execute(params![cve, issue])
                .map_err(self.err("attach CVEs"))?;
            if n > 0 {
                taken.push(cve.clone());
            }
        }
        Ok(taken)
    }

    /// Adds package names to an issue.
    pub fn add_packages(&self, issue: IssueId, packages: &[String]) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO issue_packages (issue_id, package) VALUES (?1, ?2)",
            )
            .map_err(self.err("add packages"))?;
        for p in packages {
            stmt.execute(params![issue, p])
                .map_err(self.err("add packages"))?;
        }
        Ok(())
    }

    /// Raises an issue's severity to a source's hint, unless a person has
    /// set the severity (a person's word is never overridden by mail); see
    /// [`crate::triage::raised_severity`]. Returns the severity before and
    /// after when it changed, so a caller can tell an issue just became
    /// critical; `None` when nothing changed (or there is no such issue).
    pub fn raise_severity_hint(
        &self,
        issue: IssueId,
        hint: Severity,
    ) -> Result<Option<(Option<Severity>, Severity)>> {
        let current: Option<(Option<Severity>, bool)> = self
            .conn()
            .prepare_cached(
                "SELECT id, severity, severity_set_by IS NOT NULL FROM issues WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([issue], |r| {
                    let c = Cells::new(r, "issues", 0);
                    Ok((c.get(1)?, c.get(2)?))
                })
                .optional()
            })
            .map_err(self.err("read severity"))?;
        let Some((severity, set_by_person)) = current else {
            return Ok(None);
        };
        let Some(raised) = raised_severity(severity, set_by_person, hint) else {
            return Ok(None);
        };
        self.conn()
            .prepare_cached("UPDATE issues SET severity = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![issue, raised]))
            .map_err(self.err("raise severity"))?;
        Ok(Some((severity, raised)))
    }

    /// Links two issues as related; returns whether the link is new.
    pub fn relate(&self, a: IssueId, b: IssueId) -> Result<bool> {
        if a == b {
            return Ok(false);
        }
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let n = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO related (a, b) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![lo, hi]))
            .map_err(self.err("relate issues"))?;
        Ok(n > 0)
    }

    /// Marks an issue as changed at `now`.
    pub fn touch(&self, issue: IssueId, now: Instant) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE issues SET updated_at = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![issue, Stamp(now)]))
            .map_err(self.err("touch issue"))?;
        Ok(())
    }
}

impl Reader<'_> {
    /// Whether a message with this id is stored.
    pub fn message_exists(&self, message_id: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM messages WHERE message_id = ?1")
            .and_then(|mut s| s.exists([message_id]))
            .map_err(self.err("look up message"))
    }

    /// The bytes of a stored message, as received.
    pub fn raw_message(&self, message_id: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached(
                "SELECT r.raw FROM messages m JOIN message_raw r ON r.message_id = m.id WHERE m.message_id = ?1",
            )
            .and_then(|mut s| s.query_row([message_id], |r| r.get(0)).optional())
            .map_err(self.err("read message bytes"))
    }
}
