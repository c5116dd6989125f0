//! Making text safe and short wherever it goes: one line (for a header, a
//! log line or an error message), visible controls (for mail text printed
//! on a terminal), an ellipsis (for a table cell), HTML escaping (for the
//! report's HTML part). Pure: strings in, strings out.
//!
//! Text that came from mail or from a server passes through here before it
//! reaches a header, the log or a page, so each rule is written once.

/// Folds any control characters (CR, LF, tabs, NUL) and runs of whitespace
/// into single spaces, trimmed at both ends, so that text taken from a
/// header or a server's answer can never start a new header or log line.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_control() || c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Shortens text to `max` characters (not bytes) with an ellipsis, for
/// table cells.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Makes text written by strangers safe to print on a terminal while
/// keeping its lines: newlines and tabs stay, a CR before a newline is
/// dropped, and every other control character (ESC, which starts terminal
/// escape sequences, BEL, a lone CR, which could overwrite a line, DEL, the
/// C1 controls) and every bidirectional override or isolate (which could
/// reorder what is shown) becomes a visible escape: `\x1b`, `\u{202e}`.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => {}
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)))
            }
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes all but unreserved characters and `@` (RFC 3986), so a
/// Message-ID fits in a URL's query or path.
pub fn percent(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values; bare CRs
/// are dropped.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(actual: String, expect: Expect) {
        expect.assert_eq(&actual);
    }

    #[test]
    fn one_line_folds_controls_and_whitespace() {
        check(
            one_line("  x\r\nBcc: evil@example.com\n\tX-Evil:\u{0}1 \u{a0} "),
            expect!["x Bcc: evil@example.com X-Evil: 1"],
        );
        check(one_line("a  b"), expect!["a b"]);
        check(one_line(" \r\n\t "), expect![""]);
        check(one_line(""), expect![""]);
        check(one_line("\u{1b}[31mred"), expect!["[31mred"]);
    }

    #[test]
    fn ellipsize_counts_characters() {
        check(ellipsize("short", 5), expect!["short"]);
        check(ellipsize("longer", 5), expect!["long…"]);
        check(ellipsize("ünïcödé", 4), expect!["ünï…"]);
        check(ellipsize("abc", 0), expect!["…"]);
    }

    #[test]
    fn visible_keeps_lines_and_shows_controls() {
        check(
            visible("a\r\nb\tc\n\u{1b}]0;owned\u{7}\u{1b}[2J\rd\u{7f}\u{9b}e\u{202e}f"),
            expect![[r#"
                a
                b	c
                \x1b]0;owned\x07\x1b[2J\x0dd\x7f\u{9b}e\u{202e}f"#]],
        );
        check(visible("plain é ü 中"), expect!["plain é ü 中"]);
    }

    #[test]
    fn html_escape_escapes_markup() {
        check(
            html_escape("<script>alert('x')</script> & \""),
            expect!["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"],
        );
        check(html_escape("a\r\nb"), expect!["a\nb"]);
    }
}
