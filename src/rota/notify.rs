//! What `secdesk-rotate-notify` should send at `now`: reminders before a
//! shift, the handoff at shift start, the note at shift end, notices of
//! schedule changes, and the dead man's switch when ingest went quiet.
//!
//! Each mail has its own outbox key, so running at any instant, as often as
//! one likes, queues each mail once: the plan names every mail that is due
//! now, and the outbox ignores keys it already holds. Times are said in the
//! recipient's zone next to UTC. Pure: every fact comes in.

use super::{Change, Effect, History, Shift, Timeline};
use crate::config::Member;
use crate::config::Rotation;
pub use crate::mail::health::Stale;
use crate::outbox::{Key, Mail, MailKind};
use crate::time::{self, Instant, Span};
use crate::triage::Brief;
use chrono::Duration;
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
    /// Missing backports (fix tracking): a CVE fixed on the development
    /// branch, a supported release still affected or unknown.
    pub backport_gaps: Vec<crate::fix::Gap>,
}

/// A change to the schedule, or its undo, and what it moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The change's id.
    pub id: i64,
    /// Whether this is the undo of the change.
    pub undo: bool,
    /// The change.
    pub change: Change,
    /// Who made the change.
    pub made_by: String,
    /// Who made this event: the change's maker, or who undid it.
    pub by: String,
    /// When.
    pub at: Instant,
    /// The shifts it moved and who now has two in a row.
    pub effect: Effect,
}

/// Everything the plan needs.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// Now.
    pub now: Instant,
    /// The rotation (shift bounds, how long before a shift its reminder
    /// goes out).
    pub rotation: &'a Rotation,
    /// Every rota change with its undo (to say why a shift was split).
    pub history: &'a History,
    /// The team (names, addresses, zones).
    pub team: &'a [Member],
    /// The shift (or part of one) running now.
    pub current: Option<Shift>,
    /// The one before it.
    pub previous: Option<Shift>,
    /// The one after it.
    pub next: Option<Shift>,
    /// The issues the handoff and shift-end notes list.
    pub handoff: Handoff,
    /// Stale mailboxes (empty when ingest is healthy).
    pub stale: Vec<Stale>,
    /// How long counts as stale, for the message.
    pub stale_after: Span,
    /// Recent schedule changes and undos, with what they moved.
    pub notices: Vec<Notice>,
}

/// How far back schedule changes are announced, in days (a notifier that
/// was down longer than this does not announce old changes).
pub const CHANGE_NOTICE_DAYS: i64 = 7;

/// The shifts around an instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Around {
    /// The shift (or part) running now (`None` before the rota starts).
    pub current: Option<Shift>,
    /// The one before it.
    pub previous: Option<Shift>,
    /// The one after it (the first shift, before the rota starts).
    pub next: Option<Shift>,
}

/// The current, previous and next shift (or part) at `now`, as lived and
/// planned.
pub fn around(timeline: &Timeline<'_>, now: Instant) -> Around {
    let rot = timeline.rotation();
    let current = timeline.on_call(now);
    let previous = current
        .as_ref()
        .and_then(|c| timeline.on_call(c.start - Duration::seconds(1)));
    let next = match &current {
        Some(c) => timeline.on_call(c.end),
        None => timeline.on_call(super::origin(rot).max(now)),
    };
    Around {
        current,
        previous,
        next,
    }
}

/// The key of the handoff to the member of `s`.
fn start_key<'a>(rot: &Rotation, s: &'a Shift) -> Key<'a> {
    Key::ShiftStart {
        date: s.date,
        at: (!s.starts_shift(rot)).then_some(s.start),
        member: &s.member,
    }
}

/// The key of the shift-end note to the member of `s`.
fn end_key<'a>(rot: &Rotation, s: &'a Shift) -> Key<'a> {
    Key::ShiftEnd {
        date: s.date,
        at: (!s.ends_shift(rot)).then_some(s.end),
        member: &s.member,
    }
}

/// The outbox keys of the mails that list issues (the handoff and the
/// shift-end note). While all of them are queued, the lists need not be
/// read: most runs find them queued, and the lists cost more than
/// everything else together on a large database.
pub fn handoff_keys(rot: &Rotation, a: &Around) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(c) = &a.current {
        keys.push(start_key(rot, c).to_string());
    }
    if let Some(p) = &a.previous {
        keys.push(end_key(rot, p).to_string());
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

/// The changes made and undone in the last [`CHANGE_NOTICE_DAYS`] up to
/// `now`: (id, whether it is the undo). The notifier asks the outbox which
/// of them were announced already.
pub fn recent_events(history: &History, now: Instant) -> Vec<(i64, bool)> {
    let window = now - Duration::days(CHANGE_NOTICE_DAYS);
    let recent = |t: Instant| t >= window && t <= now;
    let mut out = Vec::new();
    for (rec, undone) in history {
        let undone_recently = undone.as_ref().is_some_and(|u| recent(u.at));
        if recent(rec.at) || undone_recently {
            out.push((rec.id, false));
        }
        if undone_recently {
            out.push((rec.id, true));
        }
    }
    out
}

/// The changes and undos made in the last [`CHANGE_NOTICE_DAYS`] whose
/// notices are not queued yet, each with what it moved when it was made.
/// `announced(id, undo)` says whether an event's notices were ever queued:
/// those are left out (the outbox holds them), and a change undone before
/// it was announced sends nothing, nor does its undo.
pub fn notices(
    timeline: &Timeline<'_>,
    now: Instant,
    announced: &dyn Fn(i64, bool) -> bool,
) -> Vec<Notice> {
    let window = now - Duration::days(CHANGE_NOTICE_DAYS);
    let recent = |t: Instant| t >= window && t <= now;
    let mut out = Vec::new();
    for (rec, undone) in timeline.history() {
        if undone.is_some() && !announced(rec.id, false) {
            continue;
        }
        let mut events = Vec::new();
        if recent(rec.at) && !announced(rec.id, false) {
            events.push((false, rec.by.clone(), rec.at));
        }
        if let Some(u) = undone.as_ref().filter(|u| recent(u.at))
            && !announced(rec.id, true)
        {
            events.push((true, u.by.clone(), u.at));
        }
        for (undo, by, at) in events {
            let Some(effect) = super::event_effect(timeline, rec.id, undo) else {
                continue;
            };
            out.push(Notice {
                id: rec.id,
                undo,
                change: rec.change.clone(),
                made_by: rec.by.clone(),
                by,
                at,
                effect,
            });
        }
    }
    out
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

/// One handoff list, each issue on one short line that puts what matters
/// first: `#12 [new, high] CVE-2024-48990 CVE-2024-48991 needrestart: …`
/// (state, severity, holder; at most three CVE ids the title does not
/// name, then `+N`).
fn list(out: &mut String, title: &str, issues: &[Brief]) {
    let _ = writeln!(out, "\n{title} ({}):", issues.len());
    if issues.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for b in issues {
        let mut tags = vec![b.state.to_string()];
        tags.extend(b.severity.map(|s| s.to_string()));
        tags.extend(b.claimed_by.as_deref().map(|h| format!("held by {h}")));
        let _ = writeln!(
            out,
            "  #{} [{}] {}",
            b.id,
            tags.join(", "),
            b.cves_and_title(3, 90)
        );
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
    let before = input.rotation.remind_before.duration();
    if !(now < next.start && now >= next.start - before) {
        return None;
    }
    let m = member(input.team, &next.member)?;
    let hours = (next.end - next.start).num_minutes() as f64 / 60.0;
    let text = format!(
        "Hello {},\n\nyou are on call for secdesk from\n  {}\nto\n  {}\n({} hours).\n\nThe handoff mail with the open issues comes when the shift starts.\n",
        m.display_name(),
        local(next.start, m.timezone),
        local(next.end, m.timezone),
        hours
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

/// Why a part of a shift began or ended where it did, for a handover from
/// `prev` to `cur` in the middle of a shift: the change that gave the rest
/// to `cur`, or, when `cur` is back to the rotation's member, the undo of
/// the one that had given it to `prev`.
fn because(input: &Input<'_>, prev: &Shift, cur: &Shift) -> String {
    let (id, undo) = match (cur.change, prev.change) {
        (Some(id), _) => (id, false),
        (None, Some(id)) => (id, true),
        (None, None) => return "a rota change".to_string(),
    };
    let what = match input.history.iter().find(|(r, _)| r.id == id) {
        Some((r, _)) => format!("rota change #{id} ({})", describe(&r.change)),
        None => format!("rota change #{id}"),
    };
    if undo {
        format!("the undo of {what}")
    } else {
        what
    }
}

/// The handoff to the incoming person at shift start (or when a change
/// hands them the rest of a shift).
fn handoff(input: &Input<'_>) -> Option<Mail> {
    let cur = input.current.as_ref()?;
    let m = member(input.team, &cur.member)?;
    let h = &input.handoff;
    let tz = m.timezone;
    let mut text = format!("Hello {},\n\n", m.display_name());
    match &input.previous {
        Some(prev) if !cur.starts_shift(input.rotation) => {
            let _ = writeln!(
                text,
                "you are on call now: you take over the shift of {} from {} at\n  {}\nuntil\n  {}\nbecause of {}.",
                cur.date,
                prev.member,
                local(cur.start, tz),
                local(cur.end, tz),
                because(input, prev, cur)
            );
        }
        _ => {
            let _ = writeln!(
                text,
                "your on-call shift runs from\n  {}\nto\n  {}",
                local(cur.start, tz),
                local(cur.end, tz)
            );
        }
    }
    let _ = writeln!(
        text,
        "You handle every new issue that appears in it, and stay responsible until it is fixed."
    );
    if let Some(prev) = &input.previous {
        let _ = writeln!(
            text,
            "\nHanded over by {} at {}.",
            prev.member,
            local(prev.end, tz)
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
        let severity = b.severity.map(|s| format!(" [{s}]")).unwrap_or_default();
        let _ = writeln!(
            text,
            "  #{}{severity} ({reason}) {}",
            b.id,
            b.cves_and_title(3, 90)
        );
    }
    if !h.backport_gaps.is_empty() {
        let _ = writeln!(
            text,
            "\nMissing backports: fixed on unstable, a release still affected or unknown ({}):",
            h.backport_gaps.len()
        );
        for g in &h.backport_gaps {
            let _ = writeln!(
                text,
                "  #{} {} {} {} for {} (fix {} on unstable): {}",
                g.issue,
                g.cve,
                g.release,
                g.status,
                g.waiting,
                crate::fix::short(&g.commit),
                crate::text::ellipsize(&crate::text::one_line(&g.title), 80)
            );
        }
        let _ = writeln!(
            text,
            "  Record fixed (`secdesk fix accept ISSUE RELEASE`), not-affected or wontfix to close one."
        );
    }
    let _ = writeln!(text, "\nRun `secdesk status` for the whole picture.");
    mail_to(
        m,
        start_key(input.rotation, cur),
        MailKind::Handoff,
        format!(
            "[secdesk] on call now: {} open issues unclaimed, {} from the last shift",
            h.unclaimed.len(),
            h.created.len()
        ),
        text,
    )
}

/// The note to the outgoing person at shift end (or when a change ends
/// their part of a shift early).
fn shift_end(input: &Input<'_>) -> Option<Mail> {
    let (prev, cur) = (input.previous.as_ref()?, input.current.as_ref()?);
    let m = member(input.team, &prev.member)?;
    let h = &input.handoff;
    let tz = m.timezone;
    let early = !prev.ends_shift(input.rotation);
    let mut text = format!("Hello {},\n\n", m.display_name());
    if early {
        let _ = writeln!(
            text,
            "your on-call shift ended early, at\n  {}\nbecause of {}; {} has taken over.\nThank you.",
            local(prev.end, tz),
            because(input, prev, cur),
            cur.member
        );
    } else {
        let _ = writeln!(
            text,
            "your on-call shift ended at\n  {}\n{} has taken over.\nThank you.",
            local(prev.end, tz),
            cur.member
        );
    }
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
        end_key(input.rotation, prev),
        MailKind::ShiftEnd,
        format!(
            "[secdesk] your shift ended{}: you leave {} open",
            if early { " early" } else { "" },
            h.held_by_outgoing.len()
        ),
        text,
    )
}

/// One side of a moved shift, for the member told: on call from when to
/// when, or not.
fn side(on: bool, from: Instant, to: Instant, tz: Tz) -> String {
    if on {
        format!("on call {} to {}", local(from, tz), local(to, tz))
    } else {
        "not on call".to_string()
    }
}

/// The text and subject of one notice to member `m`; `None` when it moved
/// none of their shifts.
pub fn notice_text(n: &Notice, m: &Member) -> Option<(String, String)> {
    let tz = m.timezone;
    let mine: Vec<_> = n
        .effect
        .moved
        .iter()
        .filter(|s| s.before == m.id || s.after == m.id)
        .collect();
    if mine.is_empty() {
        return None;
    }
    let what = describe(&n.change);
    let who = |id: &str| {
        if id == m.id {
            "You".to_string()
        } else {
            id.to_string()
        }
    };
    let mut text = format!("Hello {},\n\n", m.display_name());
    let subject = if n.undo {
        let _ = writeln!(
            text,
            "{} undid rota change #{} ({what}, made by {}). It no longer applies, so these shifts of yours change back:",
            who(&n.by),
            n.id,
            n.made_by
        );
        format!(
            "[secdesk] undone: rota change #{} ({what}); your shifts change back",
            n.id
        )
    } else {
        let _ = writeln!(
            text,
            "{} made rota change #{} ({what}). These shifts of yours change:",
            who(&n.by),
            n.id
        );
        format!(
            "[secdesk] rota change #{} ({what}): your shifts change",
            n.id
        )
    };
    for s in &mine {
        let (before, after) = match (s.before == m.id, s.mid_shift) {
            (true, true) => (
                format!("on call until {}", local(s.to, tz)),
                format!("your shift ends early, at {}", local(s.from, tz)),
            ),
            (true, false) => (side(true, s.from, s.to, tz), side(false, s.from, s.to, tz)),
            (false, true) => (
                side(false, s.from, s.to, tz),
                format!(
                    "on call from {} (taking over mid-shift) to {}",
                    local(s.from, tz),
                    local(s.to, tz)
                ),
            ),
            (false, false) => (side(false, s.from, s.to, tz), side(true, s.from, s.to, tz)),
        };
        let _ = writeln!(
            text,
            "\n  shift of {}:\n    before: {before}\n    after:  {after}",
            s.date
        );
    }
    for row in &n.effect.two_in_a_row {
        let who = if row.member == m.id {
            "You now have".to_string()
        } else {
            format!("{} now has", row.member)
        };
        let _ = writeln!(
            text,
            "\n{who} two shifts in a row ({} and {}): only {} members are available.",
            row.first,
            row.second(),
            row.available
        );
    }
    let _ = writeln!(
        text,
        "\nTimes are in your zone, with UTC beside them. `secdesk rota` shows the schedule."
    );
    Some((subject, text))
}

/// Notices of schedule changes, one mail per change (or undo) to each
/// member whose shifts it moved, listing only their shifts.
fn change_notices(input: &Input<'_>) -> Vec<Mail> {
    let mut mails = Vec::new();
    for n in &input.notices {
        for id in n.effect.members() {
            let Some(m) = member(input.team, id) else {
                continue;
            };
            let Some((subject, text)) = notice_text(n, m) else {
                continue;
            };
            mails.extend(mail_to(
                m,
                Key::RotaChange {
                    id: n.id,
                    undo: n.undo,
                    member: &m.id,
                },
                MailKind::RotaChange,
                subject,
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
        Change::Away { member, from, to } if from == to => format!("{member} away {from}"),
        Change::Away { member, from, to } => format!("{member} away {from} to {to}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

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
        let a = around(&Timeline::new(&rot(), &[]), at("2026-11-24T09:00:00Z"));
        assert_eq!(who(&a.previous), pair("2026-11-23", "alice"));
        assert_eq!(who(&a.current), pair("2026-11-24", "bob"));
        assert_eq!(who(&a.next), pair("2026-11-25", "carol"));
    }

    #[test]
    fn before_the_rota_starts_only_the_first_shift_is_next() {
        let a = around(&Timeline::new(&rot(), &[]), at("2026-11-22T20:00:00Z"));
        assert_eq!((who(&a.previous), who(&a.current)), (None, None));
        assert_eq!(who(&a.next), pair("2026-11-23", "alice"));
        assert_eq!(handoff_keys(&rot(), &a), Vec::<String>::new());
        assert_eq!(handoff_query(&a), None);
    }

    #[test]
    fn first_shift_hands_off_the_whole_backlog_later_shifts_the_previous_one() {
        let first = around(&Timeline::new(&rot(), &[]), at("2026-11-23T00:00:00Z"));
        assert_eq!(
            handoff_keys(&rot(), &first),
            ["shift-start:2026-11-23:alice"]
        );
        assert_eq!(
            handoff_query(&first),
            Some(HandoffQuery {
                created: (Instant::default(), at("2026-11-23T00:00:00Z")),
                outgoing: None,
            })
        );
        let second = around(&Timeline::new(&rot(), &[]), at("2026-11-24T00:05:00Z"));
        assert_eq!(
            handoff_keys(&rot(), &second),
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

    fn member(id: &str, tz: &str) -> Member {
        serde_json::from_value(serde_json::json!({
            "id": id, "email": format!("{id}@example.org"), "timezone": tz
        }))
        .unwrap()
    }

    fn swap_history(
        made: &str,
        undone: Option<&str>,
    ) -> Vec<(super::super::Recorded, Option<super::super::Undone>)> {
        vec![(
            super::super::Recorded {
                id: 1,
                change: Change::Swap {
                    a: date("2026-11-25"),
                    b: date("2026-11-26"),
                },
                by: "alice".into(),
                at: at(made),
            },
            undone.map(|u| super::super::Undone {
                by: "bob".into(),
                at: at(u),
            }),
        )]
    }

    #[test]
    fn a_recent_swap_tells_its_two_members_and_an_old_one_nobody() {
        let now = at("2026-11-24T09:00:00Z");
        let history = swap_history("2026-11-24T08:00:00Z", None);
        let r = rot();
        let n = notices(&Timeline::new(&r, &history), now, &|_, _| false);
        assert_eq!(n.len(), 1);
        // 23 alice, 24 bob, 25 carol, 26 alice: the swap trades 25 and 26.
        assert_eq!(n[0].effect.members(), ["alice", "carol"]);
        let (subject, text) = notice_text(&n[0], &member("carol", "Asia/Tokyo")).unwrap();
        assert_eq!(
            subject,
            "[secdesk] rota change #1 (swap of 2026-11-25 and 2026-11-26): your shifts change"
        );
        assert!(
            text.contains(
                "shift of 2026-11-25:\n    before: on call Wed 2026-11-25 09:00 JST (00:00 UTC) to Thu 2026-11-26 09:00 JST (00:00 UTC)\n    after:  not on call"
            ),
            "{text}"
        );
        assert!(text.contains("shift of 2026-11-26:\n    before: not on call\n    after:  on call Thu 2026-11-26 09:00 JST"), "{text}");
        assert!(
            notice_text(&n[0], &member("bob", "UTC")).is_none(),
            "bob is not told"
        );
        let old = swap_history("2026-11-10T08:00:00Z", None);
        assert!(notices(&Timeline::new(&r, &old), now, &|_, _| false).is_empty());
    }

    #[test]
    fn an_undo_says_what_was_undone_and_one_never_announced_sends_nothing() {
        let now = at("2026-11-24T09:00:00Z");
        let history = swap_history("2026-11-24T08:00:00Z", Some("2026-11-24T08:30:00Z"));
        let r = rot();
        assert!(
            notices(&Timeline::new(&r, &history), now, &|_, _| false).is_empty(),
            "undone before it was announced"
        );
        let n = notices(&Timeline::new(&r, &history), now, &|id, undo| {
            id == 1 && !undo
        });
        assert_eq!(n.len(), 1, "the undo (the change is queued already)");
        let undo = &n[0];
        assert_eq!((undo.undo, undo.by.as_str()), (true, "bob"));
        let (subject, text) = notice_text(undo, &member("carol", "UTC")).unwrap();
        assert_eq!(
            subject,
            "[secdesk] undone: rota change #1 (swap of 2026-11-25 and 2026-11-26); your shifts change back"
        );
        assert!(text.contains("bob undid rota change #1"), "{text}");
        assert!(
            text.contains("shift of 2026-11-25:\n    before: not on call\n    after:  on call"),
            "carol gets the 25th back: {text}"
        );
    }

    #[test]
    fn a_change_during_a_shift_hands_over_at_that_instant() {
        let r = rot();
        // carol has 2026-11-25; at 03:00 she is away for the day.
        let history = vec![(
            super::super::Recorded {
                id: 1,
                change: Change::Away {
                    member: "carol".into(),
                    from: date("2026-11-25"),
                    to: date("2026-11-25"),
                },
                by: "carol".into(),
                at: at("2026-11-25T03:00:00Z"),
            },
            None,
        )];
        let t = Timeline::new(&r, &history);
        let now = at("2026-11-25T03:05:00Z");
        let a = around(&t, now);
        assert_eq!(who(&a.previous), pair("2026-11-25", "carol"));
        assert_eq!(
            a.current.as_ref().unwrap().start,
            at("2026-11-25T03:00:00Z")
        );
        assert_eq!(
            handoff_keys(&r, &a),
            [
                format!(
                    "shift-start:2026-11-25T0300Z:{}",
                    a.current.as_ref().unwrap().member
                ),
                "shift-end:2026-11-25T0300Z:carol".to_string()
            ]
        );
        let team = [
            member("alice", "Europe/Berlin"),
            member("bob", "America/New_York"),
            member("carol", "Asia/Tokyo"),
        ];
        let input = Input {
            now,
            rotation: &r,
            history: &history,
            team: &team,
            current: a.current.clone(),
            previous: a.previous.clone(),
            next: a.next.clone(),
            handoff: Handoff::default(),
            stale: Vec::new(),
            stale_after: Span::hours(6),
            notices: Vec::new(),
        };
        let end = shift_end(&input).unwrap();
        assert!(
            end.text.contains("ended early, at\n  Wed 2026-11-25 12:00 JST (03:00 UTC)\nbecause of rota change #1 (carol away 2026-11-25)"),
            "{}",
            end.text
        );
        let start = handoff(&input).unwrap();
        assert!(
            start
                .text
                .contains("you take over the shift of 2026-11-25 from carol at"),
            "{}",
            start.text
        );
        assert!(
            start.text.contains("Handed over by carol at"),
            "{}",
            start.text
        );
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
