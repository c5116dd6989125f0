//! Outgoing mail: every mail secdesk sends is composed once, queued under a
//! unique key, then delivered with retries and back-off.
//!
//! [`compose`](mod@compose) decides what a mail says (pure);
//! [`message`](mod@message) builds its bytes with lettre's message builder
//! (no transport), and [`compose()`] puts the two together;
//! [`deliver`](mod@deliver) sends queued mail over SMTP, or writes `.eml`
//! files when no `smtp` is configured. Text that came from mail is made safe
//! here, once: CR and LF never reach a header, bare CRs never reach a body,
//! and HTML renderers escape everything they copy.
//!
//! The outbox's two records live here as plain data, so the store, the
//! report and `secdesk status` share them without importing each other:
//! [`Queued`] (a composed mail going in) and [`OutboxEntry`] (a row coming
//! out).

pub mod compose;
pub mod deliver;
pub mod key;
pub mod message;

pub use compose::Mail;
pub use deliver::{Delivery, deliver, deliver_with_contacts};
pub use key::Key;
pub use message::compose;

use crate::time::Instant;
use crate::triage::words;
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
        /// A Bat-Signal page (to the member's team address and, added to
        /// the envelope only at delivery, their private contacts).
        SignalPage = "signal-page",
        /// A Bat-Signal update to everyone paged so far.
        SignalUpdate = "signal-update",
        /// A role of a Bat-Signal went unanswered through every round.
        SignalUnanswered = "signal-unanswered",
        /// A proposal to raise a Bat-Signal.
        SignalProposal = "signal-proposal",
        /// An approved advisory revision's text, to the member who sends
        /// it to the announce list.
        Advisory = "advisory",
    }
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
    /// The member whose private contacts the delivery adds to the
    /// envelope (a Bat-Signal page); the addresses themselves are never
    /// stored.
    pub contacts_of: Option<String>,
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
    /// The member whose private contacts go on the envelope at delivery.
    #[serde(skip)]
    pub contacts_of: Option<String>,
}
