//! What `secdesk-rotate-notify` should send at `now`: reminders before a
//! shift, the handoff at shift start, the note at shift end, notices of
//! schedule changes, and the dead man's switch when ingest went quiet.
//!
//! Each mail has its own outbox key, so running at any instant, as often as
//! one likes, queues each mail once: the plan names every mail that is due
//! now, and the outbox ignores keys it already holds. Times are said in the
//! recipient's zone next to UTC. Pure: every fact comes in.

use super::{Change, Shift};
use crate::config::Member;
use crate::outbox::Mail;
use crate::time::{self, Instant, Span};
use crate::triage::Brief;
use chrono::TimeZone;
use chrono_tz::Tz;
use std::fmt::Write;

/// The issues a handoff is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handoff {
    /// Open issues created during the previous shift.
    pub created: Vec<Brief>,
    /// Open issues nobody holds (created at any time).
    pub unclaimed: Vec<Brief>,
    /// Issues the outgoing person holds that are not fixed.
    pub held_by_outgoing: Vec<Brief>,
    /// Issues dismissed during the previous shift, with the reason.
    pub dismissed: Vec<(Brief, String)>,
}

/// A mailbox that has not been fetched successfully for too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// `account/mailbox`.
    pub mailbox: String,
    /// The last success, if any: names the outage.
    pub last_success: Option<Instant>,
    /// The last error.
    pub last_error: Option<String>,
}

/// A change to the schedule and whose future shifts it moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The change's id.
    pub id: i64,
    /// Whether this is an undo of the change.
    pub undo: bool,
    /// The change.
    pub change: Change,
    /// Who made it.
    pub by: String,
    /// Per member: shifts gained and lost.
    pub members: Vec<(String, Vec<Shift>, Vec<Shift>)>,
}

/// Everything the plan needs.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// Now.
    pub now: Instant,
    /// How long before a shift its reminder goes out.
    pub remind_before: Span,
    /// The team (names, addresses, zones).
    pub team: &'a [Member],
    /// The shift running now.
    pub current: Option<Shift>,
    /// The shift before it.
    pub previous: Option<Shift>,
    /// The shift after it.
    pub next: Option<Shift>,
    /// The issues the handoff and shift-end notes list.
    pub handoff: Handoff,
    /// Stale mailboxes (empty when ingest is healthy).
    pub stale: Vec<Stale>,
    /// How long counts as stale, for the message.
    pub stale_after: Span,
    /// Recent schedule changes and whom they moved.
    pub moved: Vec<Moved>,
}

/// Says an instant in a member's zone, with the UTC time beside it:
/// `Sun 2026-03-29 01:00 CET (00:00 UTC)`.
pub fn local(at: Instant, tz: Tz) -> String {
    let l = tz.from_utc_datetime(&at.naive_utc());
    format!(
        "{} ({} UTC)",
        l.format("%a %Y-%m-%d %H:%M %Z"),
        at.format("%H:%M")
    )
}

fn member<'a>(team: &'a [Member], id: &str) -> Option<&'a Member> {
    team.iter().find(|m| m.id == id)
}

fn list(out: &mut String, title: &str, issues: &[Brief]) {
    let _ = writeln!(out, "\n{title} ({}):", issues.len());
    if issues.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for b in issues {
        let holder = b
            .claimed_by
            .as_deref()
            .map(|h| format!(", held by {h}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  #{} [{}{holder}] {}", b.id, b.state, b.title);
    }
}

/// The mails due at `now`. Members without an email address get none.
pub fn plan(input: &Input<'_>) -> Vec<Mail> {
    let mut mails = Vec::new();
    let now = input.now;
    let mail =
        |m: &Member, key: String, kind: &str, subject: String, text: String| -> Option<Mail> {
            let email = m.email.as_ref()?;
            let to = match &m.name {
                Some(n) => format!("{n} <{email}>"),
                None => email.clone(),
            };
            Some(Mail {
                key,
                kind: kind.to_string(),
                to: vec![to],
                subject,
                text,
                html: None,
            })
        };

    // (a) The reminder, `remind_before` ahead of the next shift.
    if let Some(next) = &input.next
        && now < next.start
        && now >= next.start - input.remind_before.duration()
        && let Some(m) = member(input.team, &next.member)
    {
        let text = format!(
            "Hello {},\n\nyou are on call for secdesk from\n  {}\nto\n  {}\n(24 hours).\n\nThe handoff mail with the open issues comes when the shift starts.\n",
            m.display_name(),
            local(next.start, m.timezone),
            local(next.end, m.timezone)
        );
        mails.extend(mail(
            m,
            format!("reminder:{}:{}", next.date, m.id),
            "reminder",
            format!(
                "[secdesk] you are on call from {}",
                local(next.start, m.timezone)
            ),
            text,
        ));
    }

    // (b) The handoff to the incoming person, (c) the note to the outgoing.
    if let Some(cur) = &input.current
        && let Some(m) = member(input.team, &cur.member)
    {
        let h = &input.handoff;
        let mut text = format!(
            "Hello {},\n\nyour on-call shift runs from\n  {}\nto\n  {}\nYou handle every new issue that appears in it, and stay responsible until it is fixed.\n",
            m.display_name(),
            local(cur.start, m.timezone),
            local(cur.end, m.timezone)
        );
        if let Some(prev) = &input.previous {
            let _ = writeln!(
                text,
                "\nHanded over by {} (shift ended {}).",
                prev.member,
                time::format(prev.end)
            );
        }
        list(
            &mut text,
            "Opened during the previous shift and still open",
            &h.created,
        );
        let older: Vec<Brief> = h
            .unclaimed
            .iter()
            .filter(|u| !h.created.iter().any(|c| c.id == u.id))
            .cloned()
            .collect();
        list(&mut text, "Unclaimed from before that", &older);
        if let Some(prev) = &input.previous {
            list(
                &mut text,
                &format!("Held by {} and not fixed", prev.member),
                &h.held_by_outgoing,
            );
        }
        let _ = writeln!(
            text,
            "\nDismissed during the previous shift ({}):",
            h.dismissed.len()
        );
        if h.dismissed.is_empty() {
            let _ = writeln!(text, "  none");
        }
        for (b, reason) in &h.dismissed {
            let _ = writeln!(text, "  #{} ({reason}) {}", b.id, b.title);
        }
        let _ = writeln!(text, "\nRun `secdesk status` for the whole picture.");
        mails.extend(mail(
            m,
            format!("shift-start:{}:{}", cur.date, m.id),
            "handoff",
            format!(
                "[secdesk] on call now: {} open issues unclaimed, {} from the last shift",
                h.unclaimed.len(),
                h.created.len()
            ),
            text,
        ));
    }
    if let (Some(prev), Some(cur)) = (&input.previous, &input.current)
        && let Some(m) = member(input.team, &prev.member)
    {
        let h = &input.handoff;
        let mut text = format!(
            "Hello {},\n\nyour on-call shift ended at {}; {} has taken over.\nThank you.\n",
            m.display_name(),
            local(prev.end, m.timezone),
            cur.member
        );
        list(
            &mut text,
            "You still hold, not fixed (you stay responsible until fixed)",
            &h.held_by_outgoing,
        );
        list(
            &mut text,
            "Opened during your shift and still open",
            &h.created,
        );
        mails.extend(mail(
            m,
            format!("shift-end:{}:{}", prev.date, m.id),
            "shift-end",
            format!(
                "[secdesk] your shift ended: you leave {} open",
                h.held_by_outgoing.len()
            ),
            text,
        ));
    }

    // (d) Notices of schedule changes to the members they moved.
    for mv in &input.moved {
        for (id, gained, lost) in &mv.members {
            let Some(m) = member(input.team, id) else {
                continue;
            };
            let verb = if mv.undo { "undid" } else { "made" };
            let mut text = format!(
                "Hello {},\n\n{} {verb} a change to the on-call rota ({}) that moves your shifts:\n",
                m.display_name(),
                mv.by,
                describe(&mv.change)
            );
            for s in gained {
                let _ = writeln!(
                    text,
                    "  now on call: {} to {}",
                    local(s.start, m.timezone),
                    local(s.end, m.timezone)
                );
            }
            for s in lost {
                let _ = writeln!(
                    text,
                    "  no longer on call: {} to {}",
                    local(s.start, m.timezone),
                    local(s.end, m.timezone)
                );
            }
            let _ = writeln!(text, "\n`secdesk rota` shows the schedule.");
            let prefix = if mv.undo { "rota-undo" } else { "rota-change" };
            mails.extend(mail(
                m,
                format!("{prefix}:{}:{}", mv.id, m.id),
                "rota-change",
                format!(
                    "[secdesk] your on-call shifts changed ({})",
                    describe(&mv.change)
                ),
                text,
            ));
        }
    }

    // (e) The dead man's switch: once per outage (named by the mailbox and
    // its last success), to whoever is on call.
    if let Some(cur) = &input.current
        && let Some(m) = member(input.team, &cur.member)
    {
        for s in &input.stale {
            let since = s.last_success.map_or("never".to_string(), time::format);
            let mut text = format!(
                "Hello {},\n\nsecdesk has not fetched {} successfully for more than {} (last success: {since}).\nDisclosures may be going unseen. Please check the ingest job (journalctl -u secdesk-ingest).\n",
                m.display_name(),
                s.mailbox,
                input.stale_after
            );
            if let Some(e) = &s.last_error {
                let _ = writeln!(text, "\nLast error: {e}");
            }
            mails.extend(mail(
                m,
                format!("ingest-stale:{}:{since}", s.mailbox),
                "ingest-stale",
                format!(
                    "[secdesk] INGEST STALE: {} not fetched since {since}",
                    s.mailbox
                ),
                text,
            ));
        }
    }
    mails
}

/// A change in words.
pub fn describe(c: &Change) -> String {
    match c {
        Change::Swap { a, b } => format!("swap of {a} and {b}"),
        Change::Cover { date, by } => format!("{by} covers {date}"),
        Change::Away { member, from, to } => format!("{member} away {from} to {to}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_crosses_daylight_saving() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let start = crate::time::parse("2026-03-29T00:00:00Z").unwrap();
        assert_eq!(local(start, tz), "Sun 2026-03-29 01:00 CET (00:00 UTC)");
        let end = start + chrono::Duration::hours(24);
        assert_eq!(local(end, tz), "Mon 2026-03-30 02:00 CEST (00:00 UTC)");
    }
}
