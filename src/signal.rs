//! The Bat-Signal: paging one responder per role out of bed when the
//! internet is on fire, acked by CLI or by replying to the page.
//!
//! The root holds the records a signal is made of ([`Raised`], [`Event`])
//! and the rules' refusals ([`Refused`]); the children decide:
//! [`plan`](mod@plan) (who is paged when, as a function of the
//! configuration, the signal's events and `now`), [`token`](mod@token)
//! (the per-page reply tokens), [`reply`](mod@reply) (what a reply
//! to a page says) and [`mail`](mod@mail) (what each page and
//! update says). Pure: no store, no clock, no file system; `now` and the
//! secrets come in as data.

pub mod mail;
pub mod plan;
pub mod reply;
pub mod token;

use crate::time::Instant;
use crate::triage::{IssueId, words};
use std::fmt;

/// A signal number, the first number `secdesk signal raise` prints.
pub type SignalId = i64;

/// A raised signal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    /// Its number.
    pub id: SignalId,
    /// The issue it is about.
    pub issue: IssueId,
    /// Who raised it (a member id).
    pub raised_by: String,
    /// Why, in the raiser's words.
    pub reason: String,
    /// When it was raised (UTC): every role's first page goes out then.
    pub at: Instant,
    /// Its resolution, once resolved; nothing is paged after it.
    pub resolved: Option<Resolved>,
}

/// How a signal ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// When (UTC).
    pub at: Instant,
    /// Who resolved it.
    pub by: String,
    /// What happened, in their words.
    pub summary: String,
}

words! {
    /// What a responder did (`signal_events.kind`, `status --json`).
    EventKind {
        /// Took the role.
        Ack = "ack",
        /// Cannot take it now: the next member is paged at once.
        Decline = "decline",
        /// The incident lead's baton was passed to `member`.
        Baton = "baton",
    }
}

words! {
    /// How an ack or decline reached secdesk.
    Via {
        /// The `secdesk signal` CLI.
        Cli = "cli",
        /// A reply to the page, read by `secdesk-ingest`.
        Reply = "reply",
    }
}

/// One thing that happened on a signal, in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Row id: orders events and names their update mail.
    pub id: i64,
    /// When (UTC).
    pub at: Instant,
    /// What.
    pub kind: EventKind,
    /// Who acked or declined; for a baton pass, the new holder.
    pub member: String,
    /// The role acked or declined (`None` for a baton pass).
    pub role: Option<String>,
    /// Who did it (the passer, for a baton pass).
    pub actor: String,
    /// How it arrived.
    pub via: Via,
}

/// A signal request the rules refuse; reaches the edge as a
/// [`crate::refusal::Refusal`] (exit 2). Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No `signal` stanza in the configuration.
    NotConfigured,
    /// No signal has this number.
    NoSuchSignal(SignalId),
    /// The signal was already resolved.
    Resolved(SignalId),
    /// `raise` without a reason.
    NoReason,
    /// The issue is not critical and `--force` was not given.
    NotCritical {
        /// The issue.
        issue: IssueId,
        /// Its severity word, or `unset`.
        severity: String,
    },
    /// A role not in `signal.roles`.
    UnknownRole(String),
    /// The member is not listed for the role.
    NotInRole {
        /// The member.
        member: String,
        /// The role.
        role: String,
    },
    /// `ack` without `--role` by a member listed in no role still open.
    NothingToAck(String),
    /// The role was already acked.
    AlreadyAcked {
        /// The role.
        role: String,
        /// By whom.
        by: String,
    },
    /// `baton --to` someone not in `team`.
    NotAMember(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotConfigured => write!(
                f,
                "no Bat-Signal configured, expected a `signal` stanza with `roles` in the configuration"
            ),
            Refused::NoSuchSignal(id) => write!(f, "no signal {id}"),
            Refused::Resolved(id) => write!(f, "signal {id} is resolved"),
            Refused::NoReason => write!(f, "a Bat-Signal needs a reason, expected --reason TEXT"),
            Refused::NotCritical { issue, severity } => write!(
                f,
                "#{issue} is {severity}, not critical; a Bat-Signal wakes people up: give --force if it must"
            ),
            Refused::UnknownRole(role) => {
                write!(f, "unknown role {role:?}, expected one of `signal.roles`")
            }
            Refused::NotInRole { member, role } => {
                write!(f, "{member} is not listed for {role} in `signal.roles`")
            }
            Refused::NothingToAck(member) => write!(
                f,
                "{member} is listed in no role still waiting for an ack, expected --role ROLE"
            ),
            Refused::AlreadyAcked { role, by } => write!(f, "{role} is already acked by {by}"),
            Refused::NotAMember(m) => write!(f, "unknown member {m:?}, expected an id from `team`"),
        }
    }
}
