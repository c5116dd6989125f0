//! Outbox keys: the one place that says how each kind of mail is named in
//! the outbox. A key is unique, so a mail is queued once however often a
//! job runs; the words are stored in the database and shown by `status`,
//! so they never change. Pure.

use crate::time::Instant;
use chrono::NaiveDate;
use std::fmt;

/// The key of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key<'a> {
    /// The daily report of a UTC date; `copy` 1 is the day's report, 2 and
    /// on are copies sent with `--force`.
    Report {
        /// The report's date.
        date: NaiveDate,
        /// Which copy.
        copy: usize,
    },
    /// The reminder before a shift.
    Reminder {
        /// The shift's date.
        date: NaiveDate,
        /// Who is reminded.
        member: &'a str,
    },
    /// The handoff at the start of a shift, or of the part of one a
    /// member takes over when a change is made during it.
    ShiftStart {
        /// The shift's date.
        date: NaiveDate,
        /// When the part starts, when that is not the shift's start.
        at: Option<Instant>,
        /// The incoming member.
        member: &'a str,
    },
    /// The note at the end of a shift, or of a part of one that ended
    /// early.
    ShiftEnd {
        /// The shift's date.
        date: NaiveDate,
        /// When the part ended, when that is not the shift's end.
        at: Option<Instant>,
        /// The outgoing member.
        member: &'a str,
    },
    /// A notice that a rota change (or its undo) moved someone's shifts.
    RotaChange {
        /// The change's id.
        id: i64,
        /// Whether it is the undo.
        undo: bool,
        /// Who is told.
        member: &'a str,
    },
    /// The dead man's switch: one per outage, named by the mailbox and its
    /// last success.
    IngestStale {
        /// `account/mailbox`.
        mailbox: &'a str,
        /// The last success, if any.
        since: Option<Instant>,
    },
    /// A Bat-Signal page: one per member, role and step (`step` `None` for
    /// the everyone-at-once page after the last round).
    SignalPage {
        /// The signal.
        signal: i64,
        /// The role asked of the reader.
        role: &'a str,
        /// Who is paged.
        member: &'a str,
        /// Which page of the role, from 1.
        step: usize,
    },
    /// The short update to everyone paged so far on an ack, decline or
    /// baton pass (`event`), or on the resolution (`None`).
    SignalUpdate {
        /// The signal.
        signal: i64,
        /// The event's id, or `None` for the resolution.
        event: Option<i64>,
    },
    /// The notice to the incident lead (or the raiser) that a role went
    /// unanswered through every round.
    SignalUnanswered {
        /// The signal.
        signal: i64,
        /// The role.
        role: &'a str,
    },
    /// The proposal to the member on call to raise a Bat-Signal for an
    /// issue ingest raised to critical in a core package; once per issue.
    SignalProposal {
        /// The issue.
        issue: i64,
    },
    /// An approved advisory revision's text, to `advisory.sender`; once
    /// per revision.
    Advisory {
        /// The advisory id.
        id: &'a str,
        /// The revision.
        revision: u32,
    },
}

impl Key<'_> {
    /// The prefix every copy of a day's report shares, for counting them.
    pub fn report_prefix(date: NaiveDate) -> String {
        format!("report:{date}")
    }

    /// The prefix of every notice of rota change `id` (or, with `undo`, of
    /// its undo), for asking whether it was ever announced.
    pub fn rota_change_prefix(id: i64, undo: bool) -> String {
        if undo {
            format!("rota-undo:{id}:")
        } else {
            format!("rota-change:{id}:")
        }
    }
}

/// `2026-11-22` for a whole shift, `2026-11-22T0300Z` for a part that
/// starts or ends at 03:00 UTC: one word, no colon.
fn shift_word(date: NaiveDate, at: Option<Instant>) -> String {
    match at {
        None => date.to_string(),
        Some(t) => format!("{date}T{}Z", t.format("%H%M")),
    }
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Report { date, copy: 0 | 1 } => write!(f, "report:{date}"),
            Key::Report { date, copy } => write!(f, "report:{date}#{copy}"),
            Key::Reminder { date, member } => write!(f, "reminder:{date}:{member}"),
            Key::ShiftStart { date, at, member } => {
                write!(f, "shift-start:{}:{member}", shift_word(*date, *at))
            }
            Key::ShiftEnd { date, at, member } => {
                write!(f, "shift-end:{}:{member}", shift_word(*date, *at))
            }
            Key::RotaChange {
                id,
                undo: false,
                member,
            } => write!(f, "rota-change:{id}:{member}"),
            Key::RotaChange {
                id,
                undo: true,
                member,
            } => write!(f, "rota-undo:{id}:{member}"),
            Key::SignalPage {
                signal,
                role,
                member,
                step,
            } => write!(f, "signal-page:{signal}:{role}:{member}:{step}"),
            Key::SignalUpdate {
                signal,
                event: Some(e),
            } => write!(f, "signal-update:{signal}:{e}"),
            Key::SignalUpdate {
                signal,
                event: None,
            } => write!(f, "signal-update:{signal}:resolved"),
            Key::SignalUnanswered { signal, role } => {
                write!(f, "signal-unanswered:{signal}:{role}")
            }
            Key::SignalProposal { issue } => write!(f, "signal-proposal:{issue}"),
            Key::Advisory { id, revision } => write!(f, "advisory:{id}:{revision}"),
            Key::IngestStale { mailbox, since } => match since {
                Some(t) => write!(f, "ingest-stale:{mailbox}:{}", crate::time::format(*t)),
                None => write!(f, "ingest-stale:{mailbox}:never"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn keys_keep_their_stored_words() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let since = crate::time::parse("2026-11-22T08:00:00Z");
        let keys = [
            Key::Report { date, copy: 1 },
            Key::Report { date, copy: 3 },
            Key::Reminder {
                date,
                member: "alice",
            },
            Key::ShiftStart {
                date,
                at: None,
                member: "alice",
            },
            Key::ShiftEnd {
                date,
                at: None,
                member: "bob",
            },
            Key::ShiftStart {
                date,
                at: crate::time::parse("2026-11-22T03:00:00Z"),
                member: "dave",
            },
            Key::RotaChange {
                id: 4,
                undo: false,
                member: "carol",
            },
            Key::RotaChange {
                id: 4,
                undo: true,
                member: "carol",
            },
            Key::IngestStale {
                mailbox: "lists/INBOX",
                since,
            },
            Key::IngestStale {
                mailbox: "lists/INBOX",
                since: None,
            },
            Key::SignalPage {
                signal: 3,
                role: "qa",
                member: "carol",
                step: 2,
            },
            Key::SignalUpdate {
                signal: 3,
                event: Some(7),
            },
            Key::SignalUpdate {
                signal: 3,
                event: None,
            },
            Key::SignalUnanswered {
                signal: 3,
                role: "qa",
            },
            Key::SignalProposal { issue: 12 },
        ];
        let text: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        expect![[r#"
            [
                "report:2026-11-22",
                "report:2026-11-22#3",
                "reminder:2026-11-22:alice",
                "shift-start:2026-11-22:alice",
                "shift-end:2026-11-22:bob",
                "shift-start:2026-11-22T0300Z:dave",
                "rota-change:4:carol",
                "rota-undo:4:carol",
                "ingest-stale:lists/INBOX:2026-11-22T08:00:00Z",
                "ingest-stale:lists/INBOX:never",
                "signal-page:3:qa:carol:2",
                "signal-update:3:7",
                "signal-update:3:resolved",
                "signal-unanswered:3:qa",
                "signal-proposal:12",
            ]
        "#]]
        .assert_debug_eq(&text);
        assert_eq!(Key::report_prefix(date), "report:2026-11-22");
        assert!(text[6].starts_with(&Key::rota_change_prefix(4, false)));
        assert!(text[7].starts_with(&Key::rota_change_prefix(4, true)));
    }
}
