//! What `secdesk-rotate-notify` should send at `now`: reminders before a
//! shift, the handoff at shift start, the note at shift end, notices of
//! schedule changes, and the dead man's switch when ingest went quiet.
//!
//! Each mail has its own outbox key, so running at any instant, as often as
//! one likes, queues each mail once: the plan names every mail that is due
//! now, and the outbox ignores keys it already holds. Times are said in the
//! recipient's zone next to UTC. Pure: every fact comes in.

use super::{Change, Recorded, Shift, Undone};
use crate::config::Member;
use crate::config::Rotation;
pub use crate::mail::health::Stale;
use crate::outbox::{Key, Mail, MailKind};
use crate::time::{self, Instant, Span};
use crate::triage::Brief;
use chrono::TimeZone;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use std::collections::BTreeMap;
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

/// How far back schedule changes are announced, in days (a notifier that
/// was down longer than this does not announce old changes).
pub const CHANGE_NOTICE_DAYS: i64 = 7;
/// How far ahead a change's effect on shifts is looked at, in days.
pub const CHANGE_HORIZON: usize = 90;

/// The shifts around an instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Around {
    /// The shift running now (`None` before the rota starts).
    pub current: Option<Shift>,
    /// The shift before it.
    pub previous: Option<Shift>,
    /// The shift after it (the first shift, before the rota starts).
    pub next: Option<Shift>,
}

/// The current, previous and next shift at `now`, under the changes in
/// force.
pub fn around(rot: &Rotation, changes: &[Change], now: Instant) -> Around {
    let current = super::on_call(rot, changes, now);
    let previous = current
        .as_ref()
        .and_then(|c| super::on_call(rot, changes, c.start - Duration::seconds(1)));
    let next = match &current {
        Some(c) => super::on_call(rot, changes, c.end),
        None => super::on_call(rot, changes, super::origin(rot).max(now)),
    };
    Around {
        current,
        previous,
        next,
    }
}

/// The outbox keys of the mails that list issues (the handoff and the
/// shift-end note). While all of them are queued, the lists need not be
/// read: most runs find them queued, and the lists cost more than
/// everything else together on a large database.
pub fn handoff_keys(a: &Around) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(c) = &a.current {
        keys.push(
            Key::ShiftStart {
                date: c.date,
                member: &c.member,
            }
            .to_string(),
        );
    }
    if let Some(p) = &a.previous {
        keys.push(
            Key::ShiftEnd {
                date: p.date,
                member: &p.member,
            }
            .to_string(),
        );
    }
    keys
}

/// Which issues a handoff lists, as the store is asked for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffQuery {
    /// Open issues created in `[from, to)`: the previous shift, or
    /// everything before the first shift (the backlog).
    pub created: (Instant, Instant),
    /// The outgoing member and their shift: what they still hold, and what
    /// was dismissed during it.
    pub outgoing: Option<(String, Instant, Instant)>,
}

/// What the handoff lists at `a` (nothing before the rota starts).
pub fn handoff_query(a: &Around) -> Option<HandoffQuery> {
    let c = a.current.as_ref()?;
    Some(match &a.previous {
        Some(p) => HandoffQuery {
            created: (p.start, p.end),
            outgoing: Some((p.member.clone(), p.start, p.end)),
        },
        None => HandoffQuery {
            created: (Instant::default(), c.start),
            outgoing: None,
        },
    })
}

/// Per member, the shifts a change of the schedule from `before` to
/// `after` gives them and takes from them, from `from` on.
pub fn moved(
    rot: &Rotation,
    before: &[Change],
    after: &[Change],
    from: NaiveDate,
) -> Vec<(String, Vec<Shift>, Vec<Shift>)> {
    let a = super::schedule(rot, before, from, CHANGE_HORIZON);
    let b = super::schedule(rot, after, from, CHANGE_HORIZON);
    let mut per: BTreeMap<String, (Vec<Shift>, Vec<Shift>)> = BTreeMap::new();
    for (x, y) in a.iter().zip(b.iter()) {
        if x.member != y.member {
            per.entry(y.member.clone()).or_default().0.push(y.clone());
            per.entry(x.member.clone()).or_default().1.push(x.clone());
        }
    }
    per.into_iter().map(|(m, (g, l))| (m, g, l)).collect()
}

/// The changes and undos made in the last [`CHANGE_NOTICE_DAYS`], each with
/// whose shifts it moved from today on (against all other changes in
/// force).
pub fn notices(rot: &Rotation, history: &[(Recorded, Option<Undone>)], now: Instant) -> Vec<Moved> {
    let window = now - Duration::days(CHANGE_NOTICE_DAYS);
    let today = now.date_naive();
    let mut notices = Vec::new();
    for (rec, undone) in history {
        let recent_change = undone.is_none() && rec.at >= window;
        let recent_undo = undone.as_ref().filter(|u| u.at >= window);
        if !recent_change && recent_undo.is_none() {
            continue;
        }
        let others: Vec<Change> = history
            .iter()
            .filter(|(c, u)| u.is_none() && c.id != rec.id)
            .map(|(c, _)| c.change.clone())
            .collect();
        let mut with = others.clone();
        with.push(rec.change.clone());
        if recent_change {
            notices.push(Moved {
                id: rec.id,
                undo: false,
                change: rec.change.clone(),
                by: rec.by.clone(),
                members: moved(rot, &others, &with, today),
            });
        }
        if let Some(u) = recent_undo {
            notices.push(Moved {
                id: rec.id,
                undo: true,
                change: rec.change.clone(),
                by: u.by.clone(),
                members: moved(rot, &with, &others, today),
            });
        }
    }
    notices
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

/// Addresses a mail to a member; members without an email address get
/// none.
fn mail_to(
    m: &Member,
    key: Key<'_>,
    kind: MailKind,
    subject: String,
    text: String,
) -> Option<Mail> {
    let email = m.email.as_ref()?;
    let to = match &m.name {
        Some(n) => format!("{n} <{email}>"),
        None => email.clone(),
    };
    Some(Mail {
        key: key.to_string(),
        kind,
        to: vec![to],
        subject,
        text,
        html: None,
    })
}

/// The mails due at `now`. Members without an email address get none.
pub fn plan(input: &Input<'_>) -> Vec<Mail> {
    let mut mails = Vec::new();
    mails.extend(reminder(input));
    mails.extend(handoff(input));
    mails.extend(shift_end(input));
    mails.extend(change_notices(input));
    mails.extend(dead_mans_switch(input));
    mails
}

/// The reminder, `remind_before` ahead of the next shift.
fn reminder(input: &Input<'_>) -> Option<Mail> {
    let next = input.next.as_ref()?;
    let now = input.now;
    if !(now < next.start && now >= next.start - input.remind_before.duration()) {
        return None;
    }
    let m = member(input.team, &next.member)?;
    let text = format!(
        "Hello {},\n\nyou are on call for secdesk from\n  {}\nto\n  {}\n(24 hours).\n\nThe handoff mail with the open issues comes when the shift starts.\n",
        m.display_name(),
        local(next.start, m.timezone),
        local(next.end, m.timezone)
    );
    mail_to(
        m,
        Key::Reminder {
            date: next.date,
            member: &m.id,
        },
        MailKind::Reminder,
        format!(
            "[secdesk] you are on call from {}",
            local(next.start, m.timezone)
        ),
        text,
    )
}

/// The handoff to the incoming person at shift start.
fn handoff(input: &Input<'_>) -> Option<Mail> {
    let cur = input.current.as_ref()?;
    let m = member(input.team, &cur.member)?;
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
    mail_to(
        m,
        Key::ShiftStart {
            date: cur.date,
            member: &m.id,
        },
        MailKind::Handoff,
        format!(
            "[secdesk] on call now: {} open issues unclaimed, {} from the last shift",
            h.unclaimed.len(),
            h.created.len()
        ),
        text,
    )
}

/// The note to the outgoing person at shift end.
fn shift_end(input: &Input<'_>) -> Option<Mail> {
    let (prev, cur) = (input.previous.as_ref()?, input.current.as_ref()?);
    let m = member(input.team, &prev.member)?;
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
    mail_to(
        m,
        Key::ShiftEnd {
            date: prev.date,
            member: &m.id,
        },
        MailKind::ShiftEnd,
        format!(
            "[secdesk] your shift ended: you leave {} open",
            h.held_by_outgoing.len()
        ),
        text,
    )
}

/// Notices of schedule changes to the members they moved.
fn change_notices(input: &Input<'_>) -> Vec<Mail> {
    let mut mails = Vec::new();
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
            mails.extend(mail_to(
                m,
                Key::RotaChange {
                    id: mv.id,
                    undo: mv.undo,
                    member: &m.id,
                },
                MailKind::RotaChange,
                format!(
                    "[secdesk] your on-call shifts changed ({})",
                    describe(&mv.change)
                ),
                text,
            ));
        }
    }
    mails
}

/// The dead man's switch: once per outage (named by the mailbox and its
/// last success), to whoever is on call.
fn dead_mans_switch(input: &Input<'_>) -> Vec<Mail> {
    let Some(m) = input
        .current
        .as_ref()
        .and_then(|cur| member(input.team, &cur.member))
    else {
        return Vec::new();
    };
    let mut mails = Vec::new();
    for s in &input.stale {
        let mailbox = s.name();
        let since = s.last_success.map_or("never".to_string(), time::format);
        let mut text = format!(
            "Hello {},\n\nsecdesk has not fetched {mailbox} successfully for more than {} (last success: {since}).\nDisclosures may be going unseen. Please check the ingest job (journalctl -u secdesk-ingest).\n",
            m.display_name(),
            input.stale_after
        );
        if let Some(e) = &s.last_error {
            let _ = writeln!(text, "\nLast error: {e}");
        }
        mails.extend(mail_to(
            m,
            Key::IngestStale {
                mailbox: &mailbox,
                since: s.last_success,
            },
            MailKind::IngestStale,
            format!("[secdesk] INGEST STALE: {mailbox} not fetched since {since}"),
            text,
        ));
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

    fn at(s: &str) -> Instant {
        crate::time::parse(s).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// alice, bob, carol from Monday 2026-11-23, handoff at midnight UTC.
    fn rot() -> Rotation {
        Rotation {
            start: date("2026-11-23"),
            handoff: chrono::NaiveTime::MIN,
            order: vec!["alice".into(), "bob".into(), "carol".into()],
            remind_before: Span::hours(12),
        }
    }

    fn who(s: &Option<Shift>) -> Option<(String, String)> {
        s.as_ref().map(|s| (s.date.to_string(), s.member.clone()))
    }

    fn pair(d: &str, m: &str) -> Option<(String, String)> {
        Some((d.to_string(), m.to_string()))
    }

    #[test]
    fn around_names_previous_current_and_next_shift() {
        let a = around(&rot(), &[], at("2026-11-24T09:00:00Z"));
        assert_eq!(who(&a.previous), pair("2026-11-23", "alice"));
        assert_eq!(who(&a.current), pair("2026-11-24", "bob"));
        assert_eq!(who(&a.next), pair("2026-11-25", "carol"));
    }

    #[test]
    fn before_the_rota_starts_only_the_first_shift_is_next() {
        let a = around(&rot(), &[], at("2026-11-22T20:00:00Z"));
        assert_eq!((who(&a.previous), who(&a.current)), (None, None));
        assert_eq!(who(&a.next), pair("2026-11-23", "alice"));
        assert_eq!(handoff_keys(&a), Vec::<String>::new());
        assert_eq!(handoff_query(&a), None);
    }

    #[test]
    fn first_shift_hands_off_the_whole_backlog_later_shifts_the_previous_one() {
        let first = around(&rot(), &[], at("2026-11-23T00:00:00Z"));
        assert_eq!(handoff_keys(&first), ["shift-start:2026-11-23:alice"]);
        assert_eq!(
            handoff_query(&first),
            Some(HandoffQuery {
                created: (Instant::default(), at("2026-11-23T00:00:00Z")),
                outgoing: None,
            })
        );
        let second = around(&rot(), &[], at("2026-11-24T00:05:00Z"));
        assert_eq!(
            handoff_keys(&second),
            ["shift-start:2026-11-24:bob", "shift-end:2026-11-23:alice"]
        );
        assert_eq!(
            handoff_query(&second),
            Some(HandoffQuery {
                created: (at("2026-11-23T00:00:00Z"), at("2026-11-24T00:00:00Z")),
                outgoing: Some((
                    "alice".into(),
                    at("2026-11-23T00:00:00Z"),
                    at("2026-11-24T00:00:00Z")
                )),
            })
        );
    }

    #[test]
    fn a_recent_swap_moves_both_members_and_an_old_one_is_not_announced() {
        let swap = Change::Swap {
            a: date("2026-11-25"),
            b: date("2026-11-26"),
        };
        let rec = |id: i64, made: &str| Recorded {
            id,
            change: swap.clone(),
            by: "alice".into(),
            at: at(made),
        };
        let now = at("2026-11-24T09:00:00Z");
        let history = vec![(rec(1, "2026-11-24T08:00:00Z"), None)];
        let n = notices(&rot(), &history, now);
        assert_eq!(n.len(), 1);
        let moved: Vec<(String, Vec<String>, Vec<String>)> = n[0]
            .members
            .iter()
            .map(|(m, gained, lost)| {
                let d = |v: &Vec<Shift>| v.iter().map(|s| s.date.to_string()).collect();
                (m.clone(), d(gained), d(lost))
            })
            .collect();
        // 23 alice, 24 bob, 25 carol, 26 alice: the swap trades 25 and 26.
        let d = |s: &str| vec![s.to_string()];
        assert_eq!(
            moved,
            [
                ("alice".to_string(), d("2026-11-25"), d("2026-11-26")),
                ("carol".to_string(), d("2026-11-26"), d("2026-11-25")),
            ]
        );
        let old = vec![(rec(1, "2026-11-10T08:00:00Z"), None)];
        assert!(notices(&rot(), &old, now).is_empty());
        let undone = vec![(
            rec(1, "2026-11-10T08:00:00Z"),
            Some(Undone {
                by: "bob".into(),
                at: at("2026-11-24T08:30:00Z"),
            }),
        )];
        let n = notices(&rot(), &undone, now);
        assert_eq!((n.len(), n[0].undo, n[0].by.as_str()), (1, true, "bob"));
    }

    #[test]
    fn local_time_crosses_daylight_saving() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let start = crate::time::parse("2026-03-29T00:00:00Z").unwrap();
        assert_eq!(local(start, tz), "Sun 2026-03-29 01:00 CET (00:00 UTC)");
        let end = start + chrono::Duration::hours(24);
        assert_eq!(local(end, tz), "Mon 2026-03-30 02:00 CEST (00:00 UTC)");
    }
}
