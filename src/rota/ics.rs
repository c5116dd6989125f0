//! The schedule as an iCalendar feed (RFC 5545) that calendar programs
//! import: one event a shift, UTC times, and a UID per shift date that stays
//! the same when a swap gives the shift to someone else, so an imported
//! calendar updates instead of doubling. Pure.

use super::Shift;
use crate::time::Instant;

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

/// Renders shifts as a calendar; `name` gives a member's display name and
/// `stamp_at` is the feed's DTSTAMP.
pub fn render(shifts: &[Shift], name: &dyn Fn(&str) -> String, stamp_at: Instant) -> String {
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
        line(&mut out, &format!("UID:shift-{}@secdesk", s.date));
        line(&mut out, &format!("DTSTAMP:{}", stamp(stamp_at)));
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
