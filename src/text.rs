//! Making text safe and short wherever it goes: one line (for a header, a
//! log line or an error message), an ellipsis (for a table cell), HTML
//! escaping (for the report's HTML part). Pure: strings in, strings out.
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
    fn html_escape_escapes_markup() {
        check(
            html_escape("<script>alert('x')</script> & \""),
            expect!["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"],
        );
        check(html_escape("a\r\nb"), expect!["a\nb"]);
    }
}
