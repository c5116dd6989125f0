//! Stored messages and what ingest writes: messages, their CVEs and thread
//! references, new issues, CVE and advisory id ownership, why each message
//! joined its issue, packages, related links.
//!
//! A Message-ID seen again with other bytes is another copy of that
//! message (a cross-post through a second list): a row of its own whose
//! `copy_of` points at the first copy and whose key is [`copy_key`], so the
//! first copy keeps the Message-ID that thread lookups use.
//!
//! Every stored message also gets a row in the full-text index
//! `message_text` (migration 9): its subject and decoded text, under its
//! row id, so `secdesk issues --search` finds it and an issue merge, which
//! moves the message, needs no index change. The same row id is the number
//! `secdesk show` prints beside each timeline entry and `secdesk message`
//! takes.

use super::column::{Cells, Stamp};
use super::migrations::INDEX_TEXT;
use super::{Reader, Result, Tx};
use crate::mail::Source;
use crate::time::Instant;
use crate::triage::correlate::{Child, JoinedBy};
use crate::triage::{IssueId, Severity, State, raised_severity};
use rusqlite::{OptionalExtension, params};

/// The key a further copy of a message is stored under: its Message-ID, a
/// line feed and `copy N`. Parsing folds control characters out of every
/// Message-ID, so no message can carry this key as its own.
pub fn copy_key(message_id: &str, copy: i64) -> String {
    format!("{message_id}\ncopy {copy}")
}

/// The first stored copy of a Message-ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstCopy {
    /// Its row.
    pub row: i64,
    /// Its issue.
    pub issue: Option<IssueId>,
    /// How many copies are stored, the first included.
    pub copies: i64,
}

/// One message to store.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Message-ID without brackets (or the content-hash id); for a further
    /// copy, its [`copy_key`].
    pub message_id: &'a str,
    /// For a further copy, the row of the first copy.
    pub copy_of: Option<i64>,
    /// Which copy this is: 1 for the first.
    pub copy: i64,
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
    /// Its decoded text (`mail::parse::Parsed::text`), for the full-text
    /// index; not stored otherwise.
    pub text: &'a str,
    /// The CVE ids it names.
    pub cves: &'a [String],
    /// The ids it refers to (In-Reply-To and References).
    pub refs: &'a [String],
    /// Why it joined its issue (`show` says it).
    pub joined_by: JoinedBy,
}

impl Tx<'_> {
    /// The first stored copy of a Message-ID, with the number of copies.
    pub fn first_copy(&self, message_id: &str) -> Result<Option<FirstCopy>> {
        self.conn()
            .prepare_cached(
                "SELECT m.id, m.issue_id, 1 + (SELECT count(*) FROM messages c WHERE c.copy_of = m.id)
                 FROM messages m WHERE m.message_id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([message_id], |r| {
                    let c = Cells::new(r, "messages", 0);
                    Ok(FirstCopy {
                        row: c.get(0)?,
                        issue: c.get(1)?,
                        copies: c.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(self.err("look up message"))
    }

    /// Which stored copy of the message whose first copy is `first` holds
    /// exactly these bytes, if any.
    pub fn copy_with_bytes(&self, first: i64, raw: &[u8]) -> Result<Option<i64>> {
        self.conn()
            .prepare_cached(
                "SELECT m.copy FROM messages m JOIN message_raw r ON r.message_id = m.id
                 WHERE (m.id = ?1 OR m.copy_of = ?1) AND length(r.raw) = ?3 AND r.raw = ?2
                 ORDER BY m.copy LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![first, raw, raw.len() as i64], |r| r.get(0))
                    .optional()
            })
            .map_err(self.err("compare message bytes"))
    }

    /// Runs `f` under a savepoint inside this transaction: when `f` fails,
    /// what it wrote is undone and the transaction goes on, so one message
    /// that the database refuses does not take its batch with it. The outer
    /// error means the transaction itself is lost (the savepoint could not
    /// be set or undone); the inner one is `f`'s.
    pub fn one_message<T>(&self, f: impl FnOnce(&Self) -> Result<T>) -> Result<Result<T>> {
        let pending = self.pending_text.borrow().len();
        // Cached: these two statements run once per message ingested.
        self.conn()
            .prepare_cached("SAVEPOINT one_message")
            .and_then(|mut s| s.execute([]))
            .map_err(self.err("set savepoint"))?;
        // On this (rare) path a message's text is indexed inside its own
        // savepoint, so that one the index refuses fails alone too.
        match f(self).and_then(|value| self.flush_text().map(|()| value)) {
            Ok(value) => {
                self.conn()
                    .prepare_cached("RELEASE one_message")
                    .and_then(|mut s| s.execute([]))
                    .map_err(self.err("release savepoint"))?;
                Ok(Ok(value))
            }
            Err(e) => {
                self.conn()
                    .execute_batch("ROLLBACK TO one_message; RELEASE one_message")
                    .map_err(self.err("undo a failed message"))?;
                self.pending_text.borrow_mut().truncate(pending);
                Ok(Err(e))
            }
        }
    }

    /// Writes the text of the messages this transaction stored into the
    /// full-text index (`Store::write` calls it before committing).
    pub(crate) fn flush_text(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending_text.borrow_mut());
        if pending.is_empty() {
            return Ok(());
        }
        let mut stmt = self
            .conn()
            .prepare_cached(INDEX_TEXT)
            .map_err(self.err("index message text"))?;
        for (id, subject, text) in pending {
            stmt.execute(params![id, subject, text])
                .map_err(self.err("index message text"))?;
        }
        Ok(())
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
                    JoinedBy::Thread,
                    JoinedBy::Opened,
                    JoinedBy::OpenedCiting
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
                   received_at, is_reply, severity_hint, problems, origin, size, copy_of, copy, joined_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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
                    m.copy_of,
                    m.copy,
                    m.joined_by,
                ])
            })
            .map_err(self.err("store message"))?;
        let id = self.conn().last_insert_rowid();
        self.conn()
            .prepare_cached("INSERT INTO message_raw (message_id, raw) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id, m.raw]))
            .map_err(self.err("store message bytes"))?;
        self.pending_text
            .borrow_mut()
            .push((id, m.subject.to_string(), m.text.to_string()));
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

/// One stored message as `secdesk message` reads it: where it is, what
/// secdesk recorded about it, and its bytes as received.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    /// Its number: the row id `show` prints beside it.
    pub number: i64,
    /// Its Message-ID without brackets (a further copy's is its first
    /// copy's).
    pub message_id: String,
    /// Which copy this is; 1 for the first.
    pub copy: i64,
    /// The issue it belongs to.
    pub issue: Option<IssueId>,
    /// Where it was published.
    pub source: Source,
    /// Its parse problems, if any.
    pub problems: Vec<String>,
    /// The bytes as received.
    pub raw: Vec<u8>,
}

/// The columns of [`StoredMessage`], in order.
const STORED_COLUMNS: &str =
    "m.id, coalesce((SELECT f.message_id FROM messages f WHERE f.id = m.copy_of), m.message_id),
     m.copy, m.issue_id, m.source, m.problems, r.raw
     FROM messages m LEFT JOIN message_raw r ON r.message_id = m.id";

fn stored_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    let c = Cells::new(r, "messages", 0);
    let problems: String = c.get(5)?;
    Ok(StoredMessage {
        number: c.get(0)?,
        message_id: c.get(1)?,
        copy: c.get(2)?,
        issue: c.get(3)?,
        source: c.get(4)?,
        problems: problems.split_whitespace().map(str::to_string).collect(),
        raw: c.get(6)?,
    })
}

impl Reader<'_> {
    /// The bytes of a stored message, as received.
    pub fn raw_message(&self, message_id: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached(
                "SELECT r.raw FROM messages m JOIN message_raw r ON r.message_id = m.id WHERE m.message_id = ?1",
            )
            .and_then(|mut s| s.query_row([message_id], |r| r.get(0)).optional())
            .map_err(self.err("read message bytes"))
    }

    /// The stored message with this number (see [`StoredMessage::number`]).
    pub fn message_numbered(&self, number: i64) -> Result<Option<StoredMessage>> {
        self.conn
            .prepare_cached(&format!("SELECT {STORED_COLUMNS} WHERE m.id = ?1"))
            .and_then(|mut s| s.query_row([number], stored_row).optional())
            .map_err(self.err("read message"))
    }

    /// The first stored copy of the message with this Message-ID (without
    /// brackets).
    pub fn message_with_id(&self, message_id: &str) -> Result<Option<StoredMessage>> {
        self.conn
            .prepare_cached(&format!("SELECT {STORED_COLUMNS} WHERE m.message_id = ?1"))
            .and_then(|mut s| s.query_row([message_id], stored_row).optional())
            .map_err(self.err("read message"))
    }
}
