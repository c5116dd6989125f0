//! IMAP mailboxes: the fetch cursor (UIDVALIDITY + last UID), ingest
//! health, and where each message lies on the server, for mirroring.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx, state_list};
use crate::mail::Health;
use crate::mail::source::Location;
use crate::time::Instant;
use crate::triage::{Mirror, State};
use rusqlite::{OptionalExtension, params};

/// How far a mailbox has been fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// UIDVALIDITY of the last fetch, if any.
    pub uidvalidity: Option<u32>,
    /// Every UID up to this one is stored.
    pub last_uid: u32,
}

/// What mirroring still has to do in one mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorWork {
    /// UIDs of messages whose issue is claimed: add `\Seen`.
    pub seen: Vec<u32>,
    /// UIDs of messages whose issue is fixed, announced or dismissed: move
    /// to the archive.
    pub archive: Vec<u32>,
}

impl Tx<'_> {
    /// The cursor of a mailbox (zero when never fetched).
    pub fn cursor(&self, account: &str, mailbox: &str) -> Result<Cursor> {
        self.reader().cursor(account, mailbox)
    }

    /// Moves a mailbox's cursor; called in the transaction that stored the
    /// messages up to `last_uid`.
    pub fn set_cursor(
        &self,
        account: &str,
        mailbox: &str,
        uidvalidity: u32,
        last_uid: u32,
        fetched: i64,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO mailboxes (account, mailbox, uidvalidity, last_uid, fetched) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account, mailbox) DO UPDATE SET uidvalidity = ?3, last_uid = ?4, fetched = fetched + ?5",
            )
            .and_then(|mut s| s.execute(params![account, mailbox, uidvalidity, last_uid, fetched]))
            .map_err(self.err("move mailbox cursor"))?;
        Ok(())
    }

    /// Records the outcome of one fetch attempt: `error` is `None` on
    /// success.
    pub fn record_fetch(
        &self,
        account: &str,
        mailbox: &str,
        now: Instant,
        error: Option<&str>,
    ) -> Result<()> {
        let at = Stamp(now);
        self.conn()
            .prepare_cached(
                "INSERT INTO mailboxes (account, mailbox, last_attempt, last_success, last_error)
                   VALUES (?1, ?2, ?3, CASE WHEN ?4 IS NULL THEN ?3 END, ?4)
                 ON CONFLICT (account, mailbox) DO UPDATE SET
                   last_attempt = ?3,
                   last_success = CASE WHEN ?4 IS NULL THEN ?3 ELSE last_success END,
                   last_error = ?4",
            )
            .and_then(|mut s| s.execute(params![account, mailbox, at, error]))
            .map_err(self.err("record mailbox health"))?;
        Ok(())
    }

    /// Records where a stored message lies on the server.
    pub fn add_location(&self, message_id: &str, loc: &Location) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO message_locations (message_id, account, mailbox, uidvalidity, uid)
                 SELECT id, ?2, ?3, ?4, ?5 FROM messages WHERE message_id = ?1",
            )
            .and_then(|mut s| s.execute(params![message_id, loc.account, loc.mailbox, loc.uidvalidity, loc.uid]))
            .map_err(self.err("record message location"))?;
        Ok(())
    }

    /// Marks messages as mirrored: `\Seen` set, or moved to the archive.
    pub fn mark_mirrored(
        &self,
        account: &str,
        mailbox: &str,
        uidvalidity: u32,
        work: &MirrorWork,
    ) -> Result<()> {
        let mut seen = self
            .conn()
            .prepare_cached(
                "UPDATE message_locations SET seen = 1 WHERE account = ?1 AND mailbox = ?2 AND uidvalidity = ?3 AND uid = ?4",
            )
            .map_err(self.err("record mirrored flags"))?;
        for uid in &work.seen {
            seen.execute(params![account, mailbox, uidvalidity, uid])
                .map_err(self.err("record mirrored flags"))?;
        }
        let mut archived = self
            .conn()
            .prepare_cached(
                "UPDATE message_locations SET archived = 1 WHERE account = ?1 AND mailbox = ?2 AND uidvalidity = ?3 AND uid = ?4",
            )
            .map_err(self.err("record archived messages"))?;
        for uid in &work.archive {
            archived
                .execute(params![account, mailbox, uidvalidity, uid])
                .map_err(self.err("record archived messages"))?;
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// The cursor of a mailbox (zero when never fetched).
    pub fn cursor(&self, account: &str, mailbox: &str) -> Result<Cursor> {
        let row: Option<(Option<u32>, u32)> = self
            .conn
            .prepare_cached(
                "SELECT uidvalidity, last_uid FROM mailboxes WHERE account = ?1 AND mailbox = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![account, mailbox], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(self.err("read mailbox cursor"))?;
        Ok(row
            .map(|(uidvalidity, last_uid)| Cursor {
                uidvalidity,
                last_uid,
            })
            .unwrap_or_default())
    }

    /// Health of every mailbox ever fetched, by account and mailbox.
    pub fn health(&self) -> Result<Vec<Health>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT account, mailbox, last_attempt, last_success, last_error, fetched FROM mailboxes ORDER BY account, mailbox",
            )
            .map_err(self.err("read mailbox health"))?;
        let rows = stmt
            .query_map([], |r| {
                // Keyed by (account, mailbox); the mailbox names the row.
                let c = Cells::new(r, "mailboxes", 1);
                Ok(Health {
                    account: c.get(0)?,
                    mailbox: c.get(1)?,
                    last_attempt: c.opt_instant(2)?,
                    last_success: c.opt_instant(3)?,
                    last_error: c.get(4)?,
                    fetched: c.get(5)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read mailbox health"))?;
        Ok(rows)
    }

    /// What mirroring has to do in one mailbox at its current UIDVALIDITY.
    pub fn mirror_work(
        &self,
        account: &str,
        mailbox: &str,
        uidvalidity: u32,
    ) -> Result<MirrorWork> {
        let archive = state_list(|s| s.mirror() == Some(Mirror::Archive));
        let seen = state_list(|s| s.mirror() == Some(Mirror::Seen));
        let sql = format!(
            "SELECT l.uid, i.state, l.seen FROM message_locations l
               JOIN messages m ON m.id = l.message_id
               JOIN issues i ON i.id = m.issue_id
             WHERE l.account = ?1 AND l.mailbox = ?2 AND l.uidvalidity = ?3 AND l.archived = 0
               AND (i.state IN ({archive}) OR (i.state IN ({seen}) AND l.seen = 0))
             ORDER BY l.uid"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("read mirror work"))?;
        let rows = stmt
            .query_map(params![account, mailbox, uidvalidity], |r| {
                let c = Cells::new(r, "message_locations", 0);
                Ok((c.get::<u32>(0)?, c.get::<State>(1)?, c.get::<bool>(2)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read mirror work"))?;
        let mut work = MirrorWork::default();
        for (uid, state, _) in rows {
            match state.mirror() {
                Some(Mirror::Archive) => work.archive.push(uid),
                Some(Mirror::Seen) => work.seen.push(uid),
                None => {}
            }
        }
        Ok(work)
    }
}
