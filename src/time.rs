//! Instants and spans as secdesk writes and reads them.
//!
//! Every instant is UTC: in the database, in `--json` output and in `--now`.
//! Time zones appear only at the edges (reminders, rendering). Nothing here
//! reads the clock; the binaries read it once and pass `now` down.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::fmt;

/// An instant in UTC; the only kind of time the core works with.
pub type Instant = DateTime<Utc>;

/// Writes an instant the way the database and `--json` store it:
/// RFC 3339, UTC, whole seconds, `Z` suffix, so text order is time order.
pub fn format(at: Instant) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads an RFC 3339 instant with any offset and converts it to UTC.
pub fn parse(text: &str) -> Option<Instant> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads `YYYY-MM-DD` or a full RFC 3339 instant; a bare date means its
/// midnight UTC, which is what `--since 2026-11-01` means to a person.
pub fn parse_date_or_instant(text: &str) -> Option<Instant> {
    if let Some(at) = parse(text) {
        return Some(at);
    }
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

/// A length of time written in configuration as `90s`, `15m`, `12h`, `2d`
/// (or several, `1h30m`), kept as whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    seconds: i64,
}

impl Span {
    /// A span of whole seconds.
    pub const fn seconds(seconds: i64) -> Span {
        Span { seconds }
    }

    /// A span of whole minutes.
    pub const fn minutes(minutes: i64) -> Span {
        Span::seconds(minutes * 60)
    }

    /// A span of whole hours.
    pub const fn hours(hours: i64) -> Span {
        Span::seconds(hours * 3600)
    }

    /// The span in seconds.
    pub fn as_seconds(self) -> i64 {
        self.seconds
    }

    /// The span as a chrono duration, for arithmetic on instants.
    pub fn duration(self) -> chrono::Duration {
        chrono::Duration::seconds(self.seconds)
    }

    /// Parses `90s`, `15m`, `12h`, `2d`, `1h30m`; `None` for anything else,
    /// including an empty string and a bare number (the unit is never implied).
    pub fn parse(text: &str) -> Option<Span> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let mut total: i64 = 0;
        let mut digits = String::new();
        for c in text.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return None,
            };
            let n: i64 = digits.parse().ok()?;
            digits.clear();
            total = total.checked_add(n.checked_mul(unit)?)?;
        }
        if !digits.is_empty() {
            return None;
        }
        Some(Span::seconds(total))
    }
}

impl fmt::Display for Span {
    /// Writes the span as a person reads it: `3d 4h`, `45m`, `0m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds.max(0);
        let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
        if d > 0 {
            write!(f, "{d}d {h}h")
        } else if h > 0 {
            write!(f, "{h}h {m}m")
        } else {
            write!(f, "{m}m")
        }
    }
}

impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid duration {text:?}, expected a duration like \"90s\", \"15m\", \"12h\" or \"2d\""
            ))
        })
    }
}

/// Writes an instant as RFC 3339 UTC in `--json`.
pub fn ser_instant<S: serde::Serializer>(at: &Instant, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*at))
}

/// Writes an optional instant as RFC 3339 UTC or null in `--json`.
pub fn ser_opt_instant<S: serde::Serializer>(
    at: &Option<Instant>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&format(*at)),
        None => s.serialize_none(),
    }
}

/// The age of something created at `since`, as of `now`, for display.
pub fn age(since: Instant, now: Instant) -> Span {
    Span::seconds((now - since).num_seconds().max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_in_every_unit_and_refuse_bare_numbers() {
        assert_eq!(Span::parse("90s"), Some(Span::seconds(90)));
        assert_eq!(Span::parse("15m"), Some(Span::minutes(15)));
        assert_eq!(Span::parse("1h30m"), Some(Span::minutes(90)));
        assert_eq!(Span::parse("2d"), Some(Span::hours(48)));
        assert_eq!(Span::parse("12"), None);
        assert_eq!(Span::parse(""), None);
        assert_eq!(Span::parse("1x"), None);
        assert_eq!(Span::parse("99999999999999999999d"), None);
    }

    #[test]
    fn instants_format_as_utc_seconds_with_z() {
        let at = parse("2026-11-22T10:00:00+01:00").unwrap();
        assert_eq!(format(at), "2026-11-22T09:00:00Z");
        assert_eq!(
            parse_date_or_instant("2026-11-01").map(format).as_deref(),
            Some("2026-11-01T00:00:00Z")
        );
    }

    #[test]
    fn spans_display_for_people() {
        assert_eq!(Span::seconds(3 * 86_400 + 4 * 3600).to_string(), "3d 4h");
        assert_eq!(Span::minutes(45).to_string(), "45m");
    }
}
