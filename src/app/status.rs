//! `status`: how the desk stands, at a glance.

use crate::app::{Desk, Result};
use crate::layout;
use crate::mail::Health;
use crate::mail::health;
use crate::outbox::{OutboxEntry, OutboxState};
use crate::report::STUCK_MAIL;
use crate::rota;
use crate::store;
use crate::time::{self, Instant};
use crate::triage::{IssueId, Severity, State};
use serde::Serialize;
use std::fmt;

/// How many unclaimed issues the text shows: a screenful with the rest
/// of the status. The count says how many there are, and `--json` lists
/// them all.
pub const UNCLAIMED_ROWS: usize = 20;

/// One unclaimed issue.
#[derive(Debug, Serialize)]
pub struct Unclaimed {
    id: IssueId,
    title: String,
    severity: Option<Severity>,
    #[serde(serialize_with = "crate::time::ser_instant")]
    created_at: Instant,
    age_seconds: i64,
}

/// What ingest has done.
#[derive(Debug, Serialize)]
pub struct IngestHealth {
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    last_message_at: Option<Instant>,
    messages: i64,
    messages_with_problems: i64,
    /// Every configured mailbox (and any fetched before), with its health.
    mailboxes: Vec<Health>,
}

/// The outbox: counts by state, and the mails that need a look (refused,
/// or queued for more than an hour).
#[derive(Debug, Serialize)]
pub struct OutboxStatus {
    queued: i64,
    sent: i64,
    failed: i64,
    trouble: Vec<OutboxEntry>,
}

/// One member's turn on call: who and from when to when.
#[derive(Debug, Serialize)]
pub struct Turn {
    /// The member id.
    pub member: String,
    /// Their display name.
    pub name: String,
    /// When the turn starts (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub from: Instant,
    /// When it ends (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub until: Instant,
}

/// Who is on call now and who is next (both `None` without a rota; `now`
/// is `None` before the rota starts).
#[derive(Debug, Serialize)]
pub struct OnCall {
    now: Option<Turn>,
    next: Option<Turn>,
}

/// The status as printed.
#[derive(Debug, Serialize)]
pub struct Status {
    on_call: Option<OnCall>,
    #[serde(serialize_with = "ser_counts")]
    counts: Vec<(State, i64)>,
    unclaimed: Vec<Unclaimed>,
    ingest: IngestHealth,
    outbox: OutboxStatus,
    #[serde(skip)]
    now: Instant,
}

fn ser_counts<S: serde::Serializer>(counts: &[(State, i64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(counts.len()))?;
    for (state, n) in counts {
        m.serialize_entry(state.as_str(), n)?;
    }
    m.end()
}

/// How the desk stands at `now`: issue counts by state, the unclaimed
/// issues with their age (most severe first, unset last, then oldest, as
/// in the report and the handoff; the text shows the first
/// [`UNCLAIMED_ROWS`]), ingest health per mailbox (every
/// configured one, also when never fetched), and the outbox.
pub fn status(desk: &mut Desk<'_>) -> Result<Status> {
    let now = desk.now;
    let (counts, unclaimed, totals, health, outbox_counts, trouble, rota) =
        desk.store.read(|r| {
            Ok::<_, store::Error>((
                r.state_counts()?,
                r.unclaimed_oldest(usize::MAX)?.rows,
                r.message_totals()?,
                r.health()?,
                r.outbox_counts()?,
                r.outbox_trouble(now - STUCK_MAIL.duration())?,
                r.rota_history()?,
            ))
        })?;
    let config = desk.config;
    let on_call = config.rotation.as_ref().map(|rot| {
        let around = rota::notify::around(&rota::Timeline::new(rot, &rota), now);
        let turn = |s: rota::Shift| Turn {
            name: config.name_of(&s.member),
            member: s.member,
            from: s.start,
            until: s.end,
        };
        OnCall {
            now: around.current.map(turn),
            next: around.next.map(turn),
        }
    });
    let count = |state: OutboxState| {
        outbox_counts
            .iter()
            .filter(|(s, _)| *s == state)
            .map(|(_, n)| n)
            .sum::<i64>()
    };
    let outbox = OutboxStatus {
        queued: count(OutboxState::Queued) + count(OutboxState::Sending),
        sent: count(OutboxState::Sent),
        failed: count(OutboxState::Failed),
        trouble,
    };
    let mailboxes = health::with_configured(&health::configured(&desk.config.imap), health);
    let unclaimed = unclaimed
        .into_iter()
        .map(|i| Unclaimed {
            id: i.id,
            title: i.title,
            severity: i.severity,
            created_at: i.created_at,
            age_seconds: time::age(i.created_at, now).as_seconds(),
        })
        .collect();
    Ok(Status {
        on_call,
        counts,
        unclaimed,
        ingest: IngestHealth {
            last_message_at: totals.0,
            messages: totals.1,
            messages_with_problems: totals.2,
            mailboxes,
        },
        outbox,
        now,
    })
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(on) = &self.on_call {
            let until =
                |t: Instant| format!("{} ({} from now)", time::format(t), time::age(self.now, t));
            match &on.now {
                Some(t) => writeln!(f, "on call: {} until {}", t.name, until(t.until))?,
                None => writeln!(f, "on call: nobody yet (the rota has not started)")?,
            }
            if let Some(t) = &on.next {
                writeln!(
                    f,
                    "next: {} from {} to {}",
                    t.name,
                    time::format(t.from),
                    time::format(t.until)
                )?;
            }
            writeln!(f)?;
        }
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        writeln!(f, "issues: {}", counts.join(", "))?;
        writeln!(f)?;
        if self.unclaimed.is_empty() {
            writeln!(f, "unclaimed: none")?;
        } else {
            writeln!(
                f,
                "unclaimed ({}), most severe first, then oldest:",
                self.unclaimed.len()
            )?;
            let rows: Vec<Vec<String>> = self
                .unclaimed
                .iter()
                .take(UNCLAIMED_ROWS)
                .map(|u| {
                    vec![
                        format!("#{}", u.id),
                        u.severity.map_or("-", Severity::as_str).to_string(),
                        time::Span::seconds(u.age_seconds).to_string(),
                        crate::text::ellipsize(&u.title, 70),
                    ]
                })
                .collect();
            let page = layout::page(f, 2);
            for line in layout::fit(&["ID", "SEVERITY", "AGE", "TITLE"], &rows, page, &[3]).lines()
            {
                writeln!(f, "  {line}")?;
            }
            let more = self.unclaimed.len().saturating_sub(UNCLAIMED_ROWS);
            if more > 0 {
                writeln!(
                    f,
                    "  … and {more} more: `secdesk issues --unclaimed` lists them all"
                )?;
            }
        }
        writeln!(f)?;
        let last = match self.ingest.last_message_at {
            Some(at) => format!("{} ({} ago)", time::format(at), time::age(at, self.now)),
            None => "never".into(),
        };
        // Where to look next: the issues of those messages, each of whose
        // `show` names the messages and their problems.
        let hint = if self.ingest.messages_with_problems > 0 {
            ": secdesk issues --problems"
        } else {
            ""
        };
        writeln!(
            f,
            "ingest: {} messages ({} with problems{hint}), last stored {last}",
            self.ingest.messages, self.ingest.messages_with_problems
        )?;
        let o = &self.outbox;
        let outbox_line = format!(
            "outbox: {} queued, {} sent, {} refused",
            o.queued, o.sent, o.failed
        );
        if self.ingest.mailboxes.is_empty() {
            writeln!(f, "  no IMAP mailboxes configured")?;
        } else {
            self.mailbox_table(f)?;
        }
        writeln!(f)?;
        writeln!(f, "{outbox_line}")?;
        for m in &o.trouble {
            writeln!(
                f,
                "  {} {} to {} ({} attempts, queued {} ago): {}",
                if m.state == OutboxState::Failed {
                    "REFUSED"
                } else {
                    "STUCK"
                },
                m.key,
                m.recipients.join(", "),
                m.attempts,
                time::age(m.created_at, self.now),
                m.last_error.as_deref().unwrap_or("not attempted yet")
            )?;
        }
        Ok(())
    }
}

impl Status {
    fn mailbox_table(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ago = |at: Option<Instant>| match at {
            Some(at) => format!("{} ago", time::age(at, self.now)),
            None => "never".to_string(),
        };
        let rows: Vec<Vec<String>> = self
            .ingest
            .mailboxes
            .iter()
            .map(|h| {
                vec![
                    format!("{}/{}", h.account, h.mailbox),
                    ago(h.last_success),
                    ago(h.last_attempt),
                    h.fetched.to_string(),
                    h.last_error.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        for line in layout::fit(
            &[
                "MAILBOX",
                "LAST SUCCESS",
                "LAST ATTEMPT",
                "FETCHED",
                "LAST ERROR",
            ],
            &rows,
            layout::page(f, 2),
            &[4, 0],
        )
        .lines()
        {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}
