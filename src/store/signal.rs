//! Bat-Signals and what responders did on them. Who was paged when is
//! not stored (`signal::plan` derives it); private contacts are never
//! stored. Each write comes with its issue's history row, in the caller's
//! transaction.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::signal::{Event, EventKind, Raised, Resolved, SignalId, Via};
use crate::time::Instant;
use crate::triage::{HistoryAction, IssueId, Severity};
use rusqlite::{OptionalExtension, params};

const SIGNAL_COLUMNS: &str =
    "id, issue_id, raised_by, reason, raised_at, resolved_at, resolved_by, summary";

fn signal_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raised> {
    let c = Cells::new(r, "signals", 0);
    let resolved = match c.opt_instant(5)? {
        Some(at) => Some(Resolved {
            at,
            by: c.get::<Option<String>>(6)?.unwrap_or_default(),
            summary: c.get::<Option<String>>(7)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Raised {
        id: c.get(0)?,
        issue: c.get(1)?,
        raised_by: c.get(2)?,
        reason: c.get(3)?,
        at: c.instant(4)?,
        resolved,
    })
}

impl Tx<'_> {
    /// Records a raised signal and its history row; returns its number.
    pub fn raise_signal(
        &self,
        issue: IssueId,
        by: &str,
        reason: &str,
        at: Instant,
    ) -> Result<SignalId> {
        self.conn()
            .prepare_cached(
                "INSERT INTO signals (issue_id, raised_by, reason, raised_at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![issue, by, reason, Stamp(at)]))
            .map_err(self.err("record signal"))?;
        let id = self.conn().last_insert_rowid();
        self.add_history(
            issue,
            at,
            by,
            HistoryAction::Signal,
            &format!("Bat-Signal {id} raised: {reason}"),
        )?;
        Ok(id)
    }

    /// Records an ack, decline or baton pass and its history row (`detail`
    /// says it in words); returns the event's id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_signal_event(
        &self,
        signal: &Raised,
        at: Instant,
        kind: EventKind,
        member: &str,
        role: Option<&str>,
        actor: &str,
        via: Via,
        detail: &str,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO signal_events (signal_id, at, kind, member, role, actor, via)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    signal.id,
                    Stamp(at),
                    kind,
                    member,
                    role,
                    actor,
                    via
                ])
            })
            .map_err(self.err("record signal event"))?;
        let id = self.conn().last_insert_rowid();
        self.add_history(signal.issue, at, actor, HistoryAction::Signal, detail)?;
        Ok(id)
    }

    /// Marks a signal resolved, with its history row.
    pub fn resolve_signal(
        &self,
        signal: &Raised,
        at: Instant,
        by: &str,
        summary: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE signals SET resolved_at = ?2, resolved_by = ?3, summary = ?4 WHERE id = ?1 AND resolved_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![signal.id, Stamp(at), by, summary]))
            .map_err(self.err("resolve signal"))?;
        self.add_history(
            signal.issue,
            at,
            by,
            HistoryAction::Signal,
            &format!("Bat-Signal {} resolved: {summary}", signal.id),
        )
    }
}

impl Reader<'_> {
    /// The signal with this number.
    pub fn signal(&self, id: SignalId) -> Result<Option<Raised>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SIGNAL_COLUMNS} FROM signals WHERE id = ?1"
            ))
            .and_then(|mut s| s.query_row(params![id], signal_row).optional())
            .map_err(self.err("read signal"))
    }

    /// Signals still active, or resolved at or after `since` (whose
    /// resolution mail may still be due), oldest first.
    pub fn signals_since(&self, since: Instant) -> Result<Vec<Raised>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {SIGNAL_COLUMNS} FROM signals
                 WHERE resolved_at IS NULL OR resolved_at >= ?1 OR raised_at >= ?1 ORDER BY id"
            ))
            .and_then(|mut s| {
                s.query_map(params![Stamp(since)], signal_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read signals"))
    }

    /// Every event of a signal, in the order recorded.
    pub fn signal_events(&self, signal: SignalId) -> Result<Vec<Event>> {
        self.conn
            .prepare_cached(
                "SELECT id, at, kind, member, role, actor, via FROM signal_events
                 WHERE signal_id = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map(params![signal], |r| {
                    let c = Cells::new(r, "signal_events", 0);
                    Ok(Event {
                        id: c.get(0)?,
                        at: c.instant(1)?,
                        kind: c.get(2)?,
                        member: c.get(3)?,
                        role: c.get(4)?,
                        actor: c.get(5)?,
                        via: c.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read signal events"))
    }

    /// Issues that mail (not a person) made critical: a message carrying a
    /// `critical` hint was stored at or after `since` and is dated then
    /// or later (so backfilling old mail proposes nothing); the issue is
    /// still critical, its severity set by no person, not merged, and no
    /// signal was ever raised on it. Oldest first. These are the
    /// candidates for the proposal to raise a Bat-Signal.
    pub fn critical_by_mail_since(&self, since: Instant) -> Result<Vec<IssueId>> {
        self.conn
            .prepare_cached(
                "SELECT DISTINCT i.id FROM messages m JOIN issues i ON i.id = m.issue_id
                 WHERE m.received_at >= ?1 AND (m.date IS NULL OR m.date >= ?1)
                   AND m.severity_hint = ?2 AND i.severity = ?2
                   AND i.severity_set_by IS NULL AND i.merged_into IS NULL
                   AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.issue_id = i.id)
                 ORDER BY i.id",
            )
            .and_then(|mut s| {
                s.query_map(params![Stamp(since), Severity::Critical], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<IssueId>>>()
            })
            .map_err(self.err("read issues made critical by mail"))
    }

    /// Records a refused reply in the signal's issue history; a token
    /// naming no signal has no issue and is only logged.
    pub fn signal_issue(&self, signal: SignalId) -> Result<Option<IssueId>> {
        Ok(self.signal(signal)?.map(|s| s.issue))
    }
}
