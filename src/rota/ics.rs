//! The schedule as an iCalendar feed (RFC 5545) that calendar programs
//! import: one event a shift (or part of one), UTC times, and a UID per
//! shift date (and part start) that stays the same when a swap gives the
//! shift to someone else, so an imported calendar updates instead of
//! doubling. SEQUENCE counts the changes and undos that moved the shift and
//! LAST-MODIFIED says when the last one was made, so a calendar that
//! imported the feed takes the new version. Pure.

use super::{History, Shift, Timeline, origin, shift_bounds};
use crate::config::Rotation;
use crate::time::Instant;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// How often a shift was moved and when last: its SEQUENCE and
/// LAST-MODIFIED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// How many changes and undos moved it.
    pub sequence: u32,
    /// When the last of them was made.
    pub last_modified: Instant,
}

/// The revision of every shift of `days` dates from `from` that a change
/// or an undo ever moved (before it ended); shifts never moved are absent.
pub fn revisions(
    timeline: &Timeline<'_>,
    history: &History,
    from: NaiveDate,
    days: usize,
) -> BTreeMap<NaiveDate, Revision> {
    let rot = timeline.rotation();
    // A change and its undo move only shifts inside the change's dates
    // (`check_undo` refuses one that would move others), so only those
    // touching the window are looked at.
    let last = from + Duration::days(days as i64 - 1);
    let mut instants: Vec<Instant> = history
        .iter()
        .filter(|(r, _)| r.change.first_date() <= last && r.change.last_date() >= from)
        .flat_map(|(r, u)| [Some(r.at), u.as_ref().map(|u| u.at)])
        .flatten()
        .collect();
    instants.sort();
    instants.dedup();
    let mut out: BTreeMap<NaiveDate, Revision> = BTreeMap::new();
    for at in instants {
        let before = timeline.plan_at(at - Duration::nanoseconds(1));
        let after = timeline.plan_at(at);
        for k in 0..days as i64 {
            let date = from + Duration::days(k);
            if shift_bounds(rot, date).1 <= at || before.member(date) == after.member(date) {
                continue;
            }
            let r = out.entry(date).or_insert(Revision {
                sequence: 0,
                last_modified: at,
            });
            r.sequence += 1;
            r.last_modified = at;
        }
    }
    out
}

fn stamp(t: Instant) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes text values (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// Folds a content line at 75 octets (RFC 5545 3.1), on character
/// boundaries, and ends it with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The UID of a shift, or of a part of one starting after the shift does.
fn uid(rot: &Rotation, s: &Shift) -> String {
    if s.starts_shift(rot) {
        format!("shift-{}@secdesk", s.date)
    } else {
        format!("shift-{}T{}Z@secdesk", s.date, s.start.format("%H%M"))
    }
}

/// Renders shifts as a calendar; `revisions` gives SEQUENCE and
/// LAST-MODIFIED (a shift never moved has 0 and the rota's start), `name`
/// a member's display name, and `stamp_at` is the feed's DTSTAMP.
pub fn render(
    rot: &Rotation,
    shifts: &[Shift],
    revisions: &BTreeMap<NaiveDate, Revision>,
    name: &dyn Fn(&str) -> String,
    stamp_at: Instant,
) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//secdesk//on-call rota//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:secdesk on-call",
    ] {
        line(&mut out, l);
    }
    for s in shifts {
        line(&mut out, "BEGIN:VEVENT");
        let rev = revisions.get(&s.date).copied().unwrap_or(Revision {
            sequence: 0,
            last_modified: origin(rot),
        });
        line(&mut out, &format!("UID:{}", uid(rot, s)));
        line(&mut out, &format!("DTSTAMP:{}", stamp(stamp_at)));
        line(&mut out, &format!("SEQUENCE:{}", rev.sequence));
        line(
            &mut out,
            &format!("LAST-MODIFIED:{}", stamp(rev.last_modified)),
        );
        line(&mut out, &format!("DTSTART:{}", stamp(s.start)));
        line(&mut out, &format!("DTEND:{}", stamp(s.end)));
        line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                text(&format!("secdesk on call: {}", name(&s.member)))
            ),
        );
        line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                text(&format!(
                    "{} is on call for the security team; handles every new issue in this shift.",
                    name(&s.member)
                ))
            ),
        );
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets() {
        let mut out = String::new();
        line(&mut out, &"x".repeat(100));
        let first = out.split("\r\n").next().unwrap();
        assert_eq!(first.len(), 75);
        assert!(out.contains("\r\n x"));
    }
}
