//! CVE ids as people write them, normalised to `CVE-YYYY-NNNN`.
//!
//! Mail spells ids in many ways: `CAN-2004-0001`, `CVE 2008-0165`,
//! `CVE_2023_30576`, `exploit_CVE-2023-1234`, ranges sharing the year
//! (`CVE-2023-30576, -30577`, `CVE-2023-30576/30577`), Unicode hyphens and
//! dashes, full-width digits, HTML entities (`&#45;`, `&ndash;`) and inline
//! tags (`CVE-<b>2023</b>-1234`), and ids wrapped over two lines, also
//! inside `> ` quotes. [`normalise`] folds the character-level spellings into
//! plain ASCII once; [`find`] reads the ids out of the result. Placeholders
//! (`CVE-YYYY-NNNN`, `CVE-2023-XXXX`, `CVE-20XX-…`), a letter O for a zero
//! and bare version strings are not ids.
//!
//! Both passes are linear in the text (the regex crate never backtracks,
//! and every hand-written scan stops at the next `<`, `&` or id), so a
//! hostile message costs no more than a long one. Pure: no I/O, no clock.

use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// One CVE id found in normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The id, `CVE-YYYY-NNNN`.
    pub id: String,
    /// Byte offset in the normalised text where its spelling starts (for a
    /// range, where the first id of the range starts).
    pub at: usize,
    /// Byte offset right after its spelling (for a range, after this id's
    /// number).
    pub end: usize,
}

/// A line wrap inside an id: optional trailing blanks (format=flowed), the
/// line break, then any quote prefix of the next line.
const WRAP: &str = r"[ \t]*\r?\n(?:[ \t]*>)*[ \t]*";

static ID: LazyLock<Regex> = LazyLock::new(|| {
    let sep = format!(r"(?:(?:{WRAP})?[-_](?:{WRAP})?)");
    Regex::new(&format!(
        r"(?:(?i:cve)|CAN)(?:{sep}|[ \t]|{WRAP})((?:19|20)[0-9][0-9]){sep}([0-9]{{4,}})"
    ))
    .expect("the pattern is a valid literal")
});

/// What may continue an id as a range sharing its year: `/30577`,
/// `/-30577`, `, -30577`, `& -30577`, `and -30577`, `or -30577`.
static CONTINUATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\A[ \t]*(?:/[ \t]*-?|(?:,|&|,?[ \t]*\band\b|,?[ \t]*\bor\b)(?:{WRAP}|[ \t])*-)([0-9]{{4,7}})"
    ))
    .expect("the pattern is a valid literal")
});

/// Real sequence numbers have at most seven digits today; a run of a dozen
/// or more digits is not an id.
const MAX_NUMBER_DIGITS: usize = 12;

/// Every CVE id in `text`, normalised, sorted, once each.
pub fn ids(text: &str) -> BTreeSet<String> {
    find(&normalise(text)).into_iter().map(|f| f.id).collect()
}

/// Every CVE id spelled in `normalised` (the output of [`normalise`]), in
/// the order they occur, repeats included.
pub fn find(normalised: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let bytes = normalised.as_bytes();
    for cap in ID.captures_iter(normalised) {
        let (Some(whole), Some(year), Some(num)) = (cap.get(0), cap.get(1), cap.get(2)) else {
            continue;
        };
        // `_` and punctuation are boundaries (`exploit_CVE-…`); a letter or
        // digit right before is part of another word.
        if whole.start() > 0
            && bytes
                .get(whole.start() - 1)
                .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            continue;
        }
        let Some(first) = id(year.as_str(), num.as_str()) else {
            continue;
        };
        out.push(Found {
            id: first,
            at: whole.start(),
            end: whole.end(),
        });
        let mut end = whole.end();
        while let Some(rest) = normalised.get(end..)
            && let Some(c) = CONTINUATION.captures(rest)
            && let (Some(all), Some(n)) = (c.get(0), c.get(1))
            && ends_cleanly(rest.get(all.end()..).unwrap_or(""))
        {
            if let Some(next) = id(year.as_str(), n.as_str()) {
                out.push(Found {
                    id: next,
                    at: whole.start(),
                    end: end + all.end(),
                });
            }
            end += all.end();
        }
    }
    out
}

/// Whether a range's number stands alone: not the start of a date, a
/// version or a longer word (`/2024-01`, `/1234.5`, `/1234abc`).
fn ends_cleanly(after: &str) -> bool {
    let mut chars = after.chars();
    match (chars.next(), chars.next()) {
        (None, _) => true,
        (Some(c), _) if c.is_ascii_alphanumeric() || c == '_' => false,
        (Some('-' | '.' | ':' | ','), Some(d)) if d.is_ascii_digit() => false,
        _ => true,
    }
}

fn id(year: &str, num: &str) -> Option<String> {
    if num.len() > MAX_NUMBER_DIGITS || num.bytes().all(|b| b == b'0') {
        return None;
    }
    // Only ids from the first year of CVE (1999) on.
    if year < "1999" {
        return None;
    }
    Some(format!("CVE-{year}-{num}"))
}

/// Folds the character-level spellings of ids into plain ASCII: HTML
/// entities decoded, inline HTML tags removed (block tags become line
/// breaks), Unicode hyphens and dashes to `-`, full-width forms to ASCII,
/// exotic spaces to a space, zero-width characters and soft hyphens
/// dropped. Everything else is kept as it is. Linear in the text.
pub fn normalise(text: &str) -> Cow<'_, str> {
    // Most mail is plain ASCII without entities or tags: nothing to do.
    if text.is_ascii() && memchr::memchr2(b'&', b'<', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        // Plain ASCII other than `&` and `<` is copied as it is, a run at a
        // time: most mail is nothing else.
        let plain = rest
            .bytes()
            .position(|b| b == b'&' || b == b'<' || !b.is_ascii())
            .unwrap_or(rest.len());
        out.push_str(rest.get(..plain).unwrap_or(""));
        rest = rest.get(plain..).unwrap_or("");
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c == '&'
            && let Some((decoded, len)) = entity(rest)
        {
            push_folded(&mut out, decoded);
            rest = rest.get(len..).unwrap_or("");
            continue;
        }
        if c == '<'
            && let Some((block, len)) = tag(rest)
        {
            if block {
                out.push('\n');
            }
            rest = rest.get(len..).unwrap_or("");
            continue;
        }
        push_folded(&mut out, c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    Cow::Owned(out)
}

fn push_folded(out: &mut String, c: char) {
    match c {
        '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{2043}'
        | '\u{2E3A}'
        | '\u{2E3B}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FE31}'
        | '\u{FE32}' => out.push('-'),
        '\u{FF01}'..='\u{FF5E}' => {
            out.push(char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c));
        }
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            out.push(' ');
        }
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
        _ => out.push(c),
    }
}

/// An HTML entity at the start of `s`: the character and its length.
/// Unknown names are left alone.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let body = s.get(1..end)?;
    let c = if let Some(num) = body.strip_prefix('#') {
        let value = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(value)?
    } else {
        match body {
            "ndash" | "mdash" | "minus" | "hyphen" | "dash" => '-',
            "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
            "shy" | "zwj" | "zwnj" => '\u{200B}',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "lowbar" => '_',
            "sol" => '/',
            "comma" => ',',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "big", "cite", "code", "del", "em", "font", "i", "ins", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "tt", "u", "var", "wbr",
];
const BLOCK_TAGS: &[&str] = &[
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// An HTML tag from the lists above at the start of `s`: whether it breaks
/// a line, and its length. The scan stops at the next `<`, `>` or line
/// break, so each byte is looked at once. `<https://…>` and `<a@b>` are not
/// tags.
fn tag(s: &str) -> Option<(bool, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    if bytes.get(i) == Some(&b'/') {
        i += 1;
    }
    let name_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    let name = s.get(name_start..i)?.to_ascii_lowercase();
    let block = if BLOCK_TAGS.contains(&name.as_str()) {
        true
    } else if INLINE_TAGS.contains(&name.as_str()) {
        false
    } else {
        return None;
    };
    match bytes.get(i) {
        Some(b'>') => return Some((block, i + 1)),
        Some(b'/') if bytes.get(i + 1) == Some(&b'>') => return Some((block, i + 2)),
        Some(b) if b.is_ascii_whitespace() => {}
        _ => return None,
    }
    let attrs = i;
    while let Some(&b) = bytes.get(i) {
        match b {
            // An id in the attributes (`<a href=".../CVE-2024-1234">`, or
            // text that only looks like a tag, `<P CVE-1999-0001 >`) is
            // kept as text rather than lost with the tag.
            b'>' if names_an_id(&bytes[attrs..i]) => return None,
            b'>' => return Some((block, i + 1)),
            b'<' | b'\n' => return None,
            _ => i += 1,
        }
    }
    None
}

/// Whether a tag's attributes could hold an id (`CVE`/`CAN`, any case).
fn names_an_id(attrs: &[u8]) -> bool {
    attrs
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"cve") || w.eq_ignore_ascii_case(b"can"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(text: &str, expect: Expect) {
        let got: Vec<String> = ids(text).into_iter().collect();
        expect.assert_eq(&got.join(" "));
    }

    #[test]
    fn plain_and_debian_spellings_are_ids() {
        check(
            "CVE-2024-1234, cve-2024-5678 and CVE 2008-0165",
            expect!["CVE-2008-0165 CVE-2024-1234 CVE-2024-5678"],
        );
    }

    #[test]
    fn ranges_sharing_the_year_give_every_id() {
        check(
            "Fixes CVE-2023-30576, -30577 and -30580.",
            expect!["CVE-2023-30576 CVE-2023-30577 CVE-2023-30580"],
        );
        check(
            "CVE-2023-30576/30577/-30578",
            expect!["CVE-2023-30576 CVE-2023-30577 CVE-2023-30578"],
        );
    }

    #[test]
    fn a_range_continues_only_right_after_an_id() {
        check(
            "see -30577 and CVE-2023-1111 then text, -2222",
            expect!["CVE-2023-1111"],
        );
        check(
            "CVE-2023-1111/2024-01-05 and CVE-2023-3333/1.2.3 and CVE-2023-4444/55556a",
            expect!["CVE-2023-1111 CVE-2023-3333 CVE-2023-4444"],
        );
    }

    #[test]
    fn can_ids_become_cve_ids() {
        check("CAN-2004-0001 and can-2004-0002", expect!["CVE-2004-0001"]);
    }

    #[test]
    fn unicode_dashes_and_full_width_forms_are_folded() {
        check(
            "CVE\u{2010}2023\u{2011}1111 CVE\u{2013}2023\u{2014}2222 CVE\u{2212}2023\u{2212}3333 \u{FF23}\u{FF36}\u{FF25}\u{FF0D}\u{FF12}\u{FF10}\u{FF12}\u{FF13}\u{FF0D}\u{FF14}\u{FF14}\u{FF14}\u{FF14} CVE-2023-55\u{200B}55",
            expect!["CVE-2023-1111 CVE-2023-2222 CVE-2023-3333 CVE-2023-4444 CVE-2023-5555"],
        );
    }

    #[test]
    fn ids_wrapped_over_two_lines_are_joined_also_inside_quotes() {
        check(
            "assigned CVE-2023-\n1111 and CVE-\r\n2023-2222\n> quoted CVE-2023-\n> > 3333 end\nCVE \n2023-4444",
            expect!["CVE-2023-1111 CVE-2023-2222 CVE-2023-3333 CVE-2023-4444"],
        );
    }

    #[test]
    fn underscores_are_boundaries_and_separators() {
        check(
            "exploit_CVE-2023-1111.py CVE_2023_2222 xCVE-2023-3333 2CVE-2023-4444",
            expect!["CVE-2023-1111 CVE-2023-2222"],
        );
    }

    #[test]
    fn an_id_inside_a_tag_is_kept() {
        // Found by the property test in tests/ingest.rs.
        check("<P CVE-1999-0001 >", expect!["CVE-1999-0001"]);
        check(
            r#"<a href="https://nvd.nist.gov/vuln/detail/CVE-2024-1234">NVD</a>"#,
            expect!["CVE-2024-1234"],
        );
        // A tag with other attributes still goes.
        check(
            r#"CVE-<b class="x">2023</b>-1234"#,
            expect!["CVE-2023-1234"],
        );
    }

    #[test]
    fn html_entities_and_inline_tags_do_not_break_ids() {
        check(
            "CVE&#45;2023&#x2d;1111 CVE&ndash;2023&minus;2222 CVE&nbsp;2023-3333 CVE-<b>2023</b>-<span class=\"x\">4444</span> <https://x/CVE-2023-5555>",
            expect!["CVE-2023-1111 CVE-2023-2222 CVE-2023-3333 CVE-2023-4444 CVE-2023-5555"],
        );
    }

    #[test]
    fn placeholders_letter_o_and_versions_are_not_ids() {
        check(
            "CVE-YYYY-NNNN CVE-2023-XXXX CVE-20XX-1234 CVE-2O23-1234 CVE-2023-0000 CVE-0000-1234 version 2023-1234 1.2.3 CVE-2024-1 CVE-2023-1234567890123",
            expect![""],
        );
    }

    #[test]
    fn hostile_input_is_read_in_one_pass() {
        // Shapes that would make a backtracking scan quadratic (and this
        // test never finish): many tag starts, entity starts and id starts
        // without an end.
        let mut text = String::new();
        for _ in 0..200_000 {
            text.push_str("<a &#1 CVE-2023-");
        }
        text.push_str("CVE-2023-1234");
        check(&text, expect!["CVE-2023-1234"]);
    }
}
