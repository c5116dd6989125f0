//! Plain records the store returns and the pure modules read: issues as
//! reports list them, mailbox health, outbox rows. Data only, no I/O, so
//! that `report`, `rota` and `outbox::compose` never import the store.

use crate::mail::Source;
use crate::time::Instant;
use crate::triage::{IssueId, State, words};
use serde::Serialize;

words! {
    /// Where a mail stands in the outbox (`outbox.state`, `status --json`).
    OutboxState {
        /// Waiting for its next attempt.
        Queued = "queued",
        /// Taken by a sender; due again if the sender died.
        Sending = "sending",
        /// Delivered.
        Sent = "sent",
        /// Refused for good; never retried.
        Failed = "failed",
    }
}

words! {
    /// What kind of mail an outbox row is (`outbox.kind`, `status --json`).
    MailKind {
        /// The daily triage report.
        Report = "report",
        /// The reminder before a shift starts.
        Reminder = "reminder",
        /// The handoff at the start of a shift.
        Handoff = "handoff",
        /// The summary at the end of a shift.
        ShiftEnd = "shift-end",
        /// A notice that someone changed the rota.
        RotaChange = "rota-change",
        /// A warning that a mailbox has not been fetched for too long.
        IngestStale = "ingest-stale",
    }
}

/// One issue as report sections list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brief {
    /// Its number.
    pub id: IssueId,
    /// Its title.
    pub title: String,
    /// Its state.
    pub state: State,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// When it was opened.
    pub created_at: Instant,
    /// When it was claimed (current claim).
    pub claimed_at: Option<Instant>,
    /// When it became fixed.
    pub fixed_at: Option<Instant>,
}

/// A message that arrived recently, with its issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The issue.
    pub issue: Brief,
    /// Where it was published.
    pub source: Source,
    /// Its advisory id.
    pub advisory_id: Option<String>,
    /// When secdesk stored it.
    pub received_at: Instant,
}

/// A list capped at a limit, with the full count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capped<T> {
    /// The first rows.
    pub rows: Vec<T>,
    /// How many there are in all.
    pub total: i64,
}

/// The milestones of one issue opened in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestones {
    /// Opened.
    pub created_at: Instant,
    /// First claimed.
    pub first_claimed_at: Option<Instant>,
    /// Became triaged.
    pub triaged_at: Option<Instant>,
    /// Became fixed.
    pub fixed_at: Option<Instant>,
}

/// One mailbox's ingest health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The account's name.
    pub account: String,
    /// The mailbox.
    pub mailbox: String,
    /// When secdesk last tried to fetch it (UTC).
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub last_attempt: Option<Instant>,
    /// When a fetch last succeeded (UTC).
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub last_success: Option<Instant>,
    /// The last failure, cleared by a success.
    pub last_error: Option<String>,
    /// Messages fetched from it, ever.
    pub fetched: i64,
}

/// A mail ready to queue: composed, with its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Unique key (`report:2026-11-22`, `shift-start:2026-11-22:alice`).
    pub key: String,
    /// What kind of mail, for status.
    pub kind: MailKind,
    /// Envelope sender.
    pub sender: String,
    /// Envelope recipients.
    pub recipients: Vec<String>,
    /// The subject, for status and logs.
    pub subject: String,
    /// The whole RFC 5322 message, composed once so every retry sends the
    /// same bytes (same Message-ID).
    pub message: Vec<u8>,
}

/// A queued or finished mail as status shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    /// Row id.
    pub id: i64,
    /// Unique key.
    pub key: String,
    /// Kind.
    pub kind: MailKind,
    /// Subject.
    pub subject: String,
    /// Recipients.
    pub recipients: Vec<String>,
    /// Where it stands.
    pub state: OutboxState,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// When it was queued (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub created_at: Instant,
    /// The last failure (the server's answer for a refusal).
    pub last_error: Option<String>,
    /// Envelope sender.
    #[serde(skip)]
    pub sender: String,
    /// The message bytes.
    #[serde(skip)]
    pub message: Vec<u8>,
}
