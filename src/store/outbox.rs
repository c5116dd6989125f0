//! The outbox table: each outgoing mail is a row with a unique key, queued
//! before any attempt to send it, so a down SMTP server loses nothing and a
//! key is never queued twice.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::outbox::{OutboxEntry, OutboxState, Queued};
use crate::time::{Instant, Span};
use rusqlite::{OptionalExtension, params};

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let c = Cells::new(r, "outbox", 0);
    let recipients: String = c.get(4)?;
    Ok(OutboxEntry {
        id: c.get(0)?,
        key: c.get(1)?,
        kind: c.get(2)?,
        subject: c.get(3)?,
        recipients: recipients
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        state: c.get(5)?,
        attempts: c.get(6)?,
        created_at: c.instant(7)?,
        last_error: c.get(8)?,
        sender: c.get(9)?,
        message: c.get(10)?,
        contacts_of: c.get(11)?,
    })
}

const COLUMNS: &str = "id, key, kind, subject, recipients, state, attempts, created_at, last_error, sender, message, contacts_of";

impl Tx<'_> {
    /// Queues a mail unless its key is queued already; returns whether it
    /// was queued now.
    pub fn enqueue(&self, mail: &Queued, now: Instant) -> Result<bool> {
        let at = Stamp(now);
        let n = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO outbox (key, kind, created_at, sender, recipients, subject, message, next_attempt_at, contacts_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?3, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    mail.key,
                    mail.kind,
                    at,
                    mail.sender,
                    mail.recipients.join("\n"),
                    mail.subject,
                    mail.message,
                    mail.contacts_of
                ])
            })
            .map_err(self.err("queue mail"))?;
        Ok(n > 0)
    }

    /// Takes the next due mail for sending: it becomes `sending`, so a
    /// second program delivering at the same time does not take it too.
    /// A `sending` row older than `stale` (its sender was killed) is due
    /// again.
    ///
    /// A row whose envelope needs private contacts (`contacts_of`) is
    /// taken only by a delivery that has them (`with_contacts`), so a job
    /// without the contacts credential never sends a page short of them.
    pub fn take_due(
        &self,
        now: Instant,
        stale: Span,
        with_contacts: bool,
    ) -> Result<Option<OutboxEntry>> {
        let at = Stamp(now);
        let stale_before = Stamp(now - stale.duration());
        let only = if with_contacts {
            ""
        } else {
            "AND contacts_of IS NULL"
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox
             WHERE ((state = ?3 AND next_attempt_at <= ?1) OR (state = ?4 AND next_attempt_at <= ?2)) {only}
             ORDER BY id LIMIT 1"
        );
        let row = self
            .conn()
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_row(
                    params![at, stale_before, OutboxState::Queued, OutboxState::Sending],
                    entry,
                )
                .optional()
            })
            .map_err(self.err("read outbox"))?;
        if let Some(e) = &row {
            self.conn()
                .prepare_cached("UPDATE outbox SET state = ?3, next_attempt_at = ?2, attempts = attempts + 1 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![e.id, at, OutboxState::Sending]))
                .map_err(self.err("take mail"))?;
        }
        Ok(row)
    }

    /// Records a delivery.
    pub fn mark_sent(&self, id: i64, now: Instant) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET state = ?3, sent_at = ?2, last_error = NULL WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, Stamp(now), OutboxState::Sent]))
            .map_err(self.err("record sent mail"))?;
        Ok(())
    }

    /// Records a failure: `retry_at` for a transient one (queued again),
    /// `None` for a permanent refusal (failed, never retried).
    pub fn mark_failed(&self, id: i64, error: &str, retry_at: Option<Instant>) -> Result<()> {
        let (state, next) = match retry_at {
            Some(t) => (OutboxState::Queued, Some(Stamp(t))),
            None => (OutboxState::Failed, None),
        };
        self.conn()
            .prepare_cached(
                "UPDATE outbox SET state = ?2, last_error = ?3, next_attempt_at = coalesce(?4, next_attempt_at) WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, state, error, next]))
            .map_err(self.err("record failed mail"))?;
        Ok(())
    }
}

impl Reader<'_> {
    /// Whether a key is in the outbox (in any state).
    pub fn outbox_has(&self, key: &str) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM outbox WHERE key = ?1")
            .and_then(|mut s| s.exists([key]))
            .map_err(self.err("read outbox"))
    }

    /// Keys starting with `prefix`, for numbering forced resends.
    pub fn outbox_keys(&self, prefix: &str) -> Result<Vec<String>> {
        // A range on the key's unique index: every key starting with
        // `prefix` sorts between it and the prefix with its last character
        // one higher (keys compare as bytes).
        let mut upper: Vec<char> = prefix.chars().collect();
        let bumped: String = match upper.pop().and_then(|c| char::from_u32(c as u32 + 1)) {
            Some(c) => upper.into_iter().chain([c]).collect(),
            None => format!("{prefix}{}", char::MAX),
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key FROM outbox WHERE key >= ?1 AND key < ?2
                   AND substr(key, 1, length(?1)) = ?1 ORDER BY key",
            )
            .map_err(self.err("read outbox"))?;
        let rows = stmt
            .query_map(rusqlite::params![prefix, bumped], |r| r.get(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
            .map_err(self.err("read outbox"))?;
        Ok(rows)
    }

    /// Mails that need a person's eye: failed ones, and ones still queued
    /// (not sent) that were queued before `queued_before`.
    pub fn outbox_trouble(&self, queued_before: Instant) -> Result<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox
             WHERE state = ?2 OR (state IN (?3, ?4) AND created_at < ?1)
             ORDER BY id"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("read outbox"))?;
        let rows = stmt
            .query_map(
                params![
                    Stamp(queued_before),
                    OutboxState::Failed,
                    OutboxState::Queued,
                    OutboxState::Sending
                ],
                entry,
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read outbox"))?;
        Ok(rows)
    }

    /// How many mails are in each state.
    pub fn outbox_counts(&self) -> Result<Vec<(OutboxState, i64)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state")
            .map_err(self.err("count outbox"))?;
        let rows = stmt
            .query_map([], |r| {
                // Grouped rows have no key; the state word names them.
                let c = Cells::new(r, "outbox", 0);
                Ok((c.get(0)?, c.get(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("count outbox"))?;
        Ok(rows)
    }
}
