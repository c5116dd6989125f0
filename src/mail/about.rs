//! What a message is *about*, as opposed to what it only *cites*, and the
//! advisory ids it carries.
//!
//! Correlation joins a message to the issue of a CVE it is about; a CVE it
//! only cites ("the fix for CVE-2014-8092 introduced …", "similar to
//! CVE-…") relates issues but never pulls a new disclosure into an old one.
//! A message is about:
//!
//! - every CVE, when it is an advisory: its source is an advisory list, or
//!   its subject, a forwarded subject or an advisory header line carries an
//!   advisory id (DSA, RHSA, XSA, …);
//! - the CVEs in its subject and in a forwarded or quoted `Subject:` line;
//! - the CVEs of a header-like block (`CVE ID(s):`, `CVE-IDs:`, `CVE:`),
//!   with its continuation lines;
//! - CVEs assigned or requested in it (`Use CVE-…`, `CVE-… has been
//!   assigned`);
//! - when it is not a reply: the CVEs of its lead (the first paragraphs,
//!   where a Full Disclosure copy names them) not preceded by cite words;
//!   and when no rule found one, its only CVE unless that one is cited.
//!
//! Pure: no I/O, no clock. Every scan is a pass over lines or a bounded
//! look around an id.

use super::cve::{self, Found};
use std::collections::BTreeSet;

/// What one message names and what it is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// Every CVE id in subject and text, sorted, once each.
    pub cves: Vec<String>,
    /// The subset of `cves` the message is about, sorted, once each.
    pub about: Vec<String>,
    /// The advisory ids it is about, normalised, sorted, once each.
    pub advisory_ids: Vec<String>,
    /// The CVE ids its subject names, sorted, once each (all of them are
    /// in `about`).
    pub in_subject: Vec<String>,
}

// The advisory ids of the distributions' lists, shared with `classify`
// (which keeps the one in a subject as it is written, revision and all).
re!(pub(super) DEBIAN, r"\b(DSA|DLA)[- ]([0-9]{1,6})-([0-9]{1,3})\b");
re!(pub(super) RHSA, r"\b(RH[SBE]A)-([0-9]{4}):([0-9]{1,6})(?:-[0-9]{1,3})?");
re!(
    pub(super) SUSE,
    r"(?i)\b(open)?SUSE-SU-([0-9]{4}):([0-9]{1,6})-([0-9]{1,3})"
);
re!(pub(super) GLSA, r"\bGLSA[- ]([0-9]{6})-([0-9]{1,3})\b");
re!(XSA, r"\bXSA-([0-9]{1,5})\b");
re!(
    XEN_TITLE,
    r"(?i)\bXen\s+Security\s+Advisory\s+(?:XSA-)?([0-9]{1,5})\b"
);
re!(GHSA, r"(?i)\bGHSA((?:-[23456789cfghjmpqrvwx]{4}){3})\b");
// A line that carries the message's own advisory id: a label or an
// advisory's title line.
re!(
    ADVISORY_LINE,
    r"(?i)^(?:(?:advisory|ghsa|issue|errata)(?:\s+ids?)?\s*:|(?:debian(?:\s+lts)?|gentoo\s+linux|xen|red\s+hat)\s+security\s+advisory\b)"
);
re!(SUBJECT_LINE, r"(?i)^subject\s*:\s*(.*)$");
// A header-like line that lists the message's own CVEs.
re!(
    CVE_BLOCK,
    r"(?i)^(?:cve|can)(?:[-_ ]?(?:ids?(?:\s*\(s\))?|numbers?|names?|identifiers?|references?|entr(?:y|ies)))?\s*:"
);
// Another header-like line: ends a CVE block.
re!(OTHER_HEADER, r"^[A-Za-z][A-Za-z0-9 ()/_.-]{0,40}:(?:\s|$)");
re!(
    ASSIGNED_BEFORE,
    r"(?i-u)(?:\b(?:please\s+)?use|\bassigned(?:\s+(?:the\s+)?(?:id|cve))?|\bassign|\brequested|\breserved|\ballocated|\bgot)\s*:?\s*$"
);
re!(
    ASSIGNED_AFTER,
    r"(?i-u)^[\s,)]*(?:(?:has|have|was|were|is|are)\s+(?:been\s+|now\s+)?(?:assigned|reserved|allocated|requested)|\(assigned\))"
);
re!(
    CITED_BEFORE,
    r"(?i-u)\b(?:fix(?:es|ed)?\s+(?:for|of)|patch(?:es)?\s+(?:for|of)|fixed\s+(?:in|by)|regressions?|similar|(?:just|much)\s+like|related|see\s+also|variants?\s+of|incomplete|same\s+as|bypass(?:es|ing)?\s+(?:of|for|the)|different\s+(?:from|to|than)|previous(?:ly)?|earlier|older|introduced\s+(?:by|in|with)|follow[- ]?up|cf\.|compare|reminiscent|used\s+to\s+be|originally|prior|known\s+as|unlike|aka|already)\b"
);
re!(
    CITED_AFTER,
    r"(?i-u)^[\s,)]*(?:'s\s+)?(?:(?:was|were|had\s+been|has\s+been)\s+(?:fixed|patched|addressed|incomplete)|fix(?:es)?\b|patch(?:es)?\b)"
);

/// How far before an id its sentence is read for cite or assign words.
const LOOK_BEHIND: usize = 80;
/// How far after an id the words "has been assigned", "was fixed" are read.
const LOOK_AHEAD: usize = 48;
/// The lead of a message: at most this many paragraphs and bytes.
const LEAD_PARAGRAPHS: usize = 4;
const LEAD_BYTES: usize = 2000;

/// Reads what a message names and what it is about. `advisory_source`
/// says its source is an advisory list (Debian, Red Hat, SUSE, Gentoo);
/// `is_reply` that it answers another message.
pub fn read(subject: &str, text: &str, advisory_source: bool, is_reply: bool) -> Reading {
    let subject = cve::normalise(subject);
    let body = cve::normalise(text);
    let in_subject = cve::find(&subject);
    let in_body = cve::find(&body);
    let cves: BTreeSet<String> = in_subject
        .iter()
        .chain(in_body.iter())
        .map(|f| f.id.clone())
        .collect();

    let mut advisories = advisory_ids(&subject);
    let mut about: BTreeSet<String> = in_subject.iter().map(|f| f.id.clone()).collect();
    let mut in_block = false;
    for (start, line) in lines(&body) {
        let bare = unquote(line);
        // The line rules below are anchored: a line's first letter rules
        // most of them out without running a pattern (this loop runs for
        // every line of every message).
        let first = bare.bytes().next().map(|b| b.to_ascii_lowercase());
        if first == Some(b's')
            && let Some(c) = SUBJECT_LINE.captures(bare)
        {
            let forwarded = c.get(1).map_or("", |m| m.as_str());
            advisories.extend(advisory_ids(forwarded));
            about.extend(cve::find(forwarded).into_iter().map(|f| f.id));
        }
        if matches!(first, Some(b'a' | b'g' | b'i' | b'e' | b'd' | b'x' | b'r'))
            && ADVISORY_LINE.is_match(bare)
        {
            advisories.extend(advisory_ids(bare));
        }
        if matches!(first, Some(b'c')) && CVE_BLOCK.is_match(bare) {
            in_block = true;
        } else if in_block
            && (bare.trim().is_empty() || (OTHER_HEADER.is_match(bare) && !starts_indented(line)))
        {
            in_block = false;
        }
        if in_block || (!is_reply && lists_only_ids(line, start, &in_body)) {
            about.extend(on_line(&in_body, start, line).iter().map(|f| f.id.clone()));
        }
    }

    if advisory_source || !advisories.is_empty() {
        about.extend(cves.iter().cloned());
    }
    // An id already known to be about needs no look at its sentence.
    let assigned_ids: Vec<String> = in_body
        .iter()
        .filter(|f| !about.contains(&f.id) && assigned(&body, f))
        .map(|f| f.id.clone())
        .collect();
    about.extend(assigned_ids);
    if !is_reply {
        let lead = lead_end(&body);
        let lead_ids: Vec<String> = in_body
            .iter()
            .filter(|f| f.at < lead && !about.contains(&f.id) && !cited(&body, f))
            .map(|f| f.id.clone())
            .collect();
        about.extend(lead_ids);
        if about.is_empty()
            && let [only] = cves.iter().collect::<Vec<_>>().as_slice()
            && in_body
                .iter()
                .find(|f| &&f.id == only)
                .is_some_and(|f| !cited(&body, f))
        {
            about.insert((*only).clone());
        }
    }
    let subject_ids: BTreeSet<String> = in_subject.into_iter().map(|f| f.id).collect();
    Reading {
        in_subject: subject_ids.into_iter().collect(),
        cves: cves.into_iter().collect(),
        about: about.into_iter().collect(),
        advisory_ids: advisories.into_iter().collect(),
    }
}

/// Every advisory id in `text`, normalised: `DSA-1553-1`, `DLA-3456-1`,
/// `RHSA-2018:0549` (Red Hat's revision suffix dropped, as its errata
/// pages do), `SUSE-SU-2024:1234-1`, `openSUSE-SU-…`, `GLSA 202405-01`,
/// `XSA-215` (also from "Xen Security Advisory 215", whatever its
/// version), `GHSA-xxxx-xxxx-xxxx` (lower-case).
pub fn advisory_ids(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    // Each id has a fixed word in it: look for the words first, and run
    // only the patterns whose word is there (this runs on every subject).
    // Subjects and advisory lines are short: a plain scan beats building
    // a searcher for each word.
    let bytes = text.as_bytes();
    let has = |word: &[u8]| bytes.windows(word.len()).any(|w| w == word);
    let has_ci = |word: &[u8]| {
        bytes
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    if has(b"DSA") || has(b"DLA") {
        for c in DEBIAN.captures_iter(text) {
            out.insert(format!("{}-{}-{}", &c[1], &c[2], &c[3]));
        }
    }
    if has(b"RH") {
        for c in RHSA.captures_iter(text) {
            out.insert(format!("{}-{}:{}", &c[1], &c[2], &c[3]));
        }
    }
    if has_ci(b"suse-su") {
        for c in SUSE.captures_iter(text) {
            let prefix = if c.get(1).is_some() {
                "openSUSE"
            } else {
                "SUSE"
            };
            out.insert(format!("{prefix}-SU-{}:{}-{}", &c[2], &c[3], &c[4]));
        }
    }
    if has(b"GLSA") {
        for c in GLSA.captures_iter(text) {
            out.insert(format!("GLSA {}-{}", &c[1], &c[2]));
        }
    }
    if has(b"XSA-") || has_ci(b"xen") {
        for c in XSA.captures_iter(text).chain(XEN_TITLE.captures_iter(text)) {
            if let Ok(n) = c[1].parse::<u32>() {
                out.insert(format!("XSA-{n}"));
            }
        }
    }
    if has_ci(b"ghsa") {
        for c in GHSA.captures_iter(text) {
            out.insert(format!("GHSA{}", c[1].to_lowercase()));
        }
    }
    out
}

/// The lines of `text` with their byte offsets. Each line keeps its line feed, as `str::split_inclusive` gives them;
/// the ends are found with `memchr`, which this loop over every line of
/// every message needs to be quick.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|i| i + 1)
        .chain((!text.ends_with('\n') && !text.is_empty()).then_some(text.len()));
    ends.scan(0, move |at, end| {
        let start = *at;
        *at = end;
        // A line feed is one byte, so every end is a character boundary.
        Some((start, text.get(start..end).unwrap_or("")))
    })
}

/// A line without its quote prefixes (`> `, `>> `) and indentation.
fn unquote(line: &str) -> &str {
    line.trim_start_matches(['>', ' ', '\t']).trim_end()
}

/// Whether a line, after its quote prefixes (`>` and one space each), is
/// indented: a continuation of the header-like line above it.
fn starts_indented(line: &str) -> bool {
    let mut rest = line;
    while let Some(r) = rest.trim_start_matches([' ', '\t']).strip_prefix('>') {
        rest = r.strip_prefix(' ').unwrap_or(r);
    }
    rest.starts_with([' ', '\t'])
}

/// Whether a line holds nothing but CVE ids (and separators, bullets,
/// "and"/"or"): a list of the message's own ids, however long the message.
/// The ids found on the line starting at byte `start`: `found` is in text
/// order, so they are one slice of it, found by binary search. Scanning
/// every id for every line made a message of many short lines of ids
/// quadratic (minutes for 1 MiB; found by scripts/fuzz's ingest target).
fn on_line<'f>(found: &'f [Found], start: usize, line: &str) -> &'f [Found] {
    let end = start + line.len();
    let lo = found.partition_point(|f| f.at < start);
    let hi = found.partition_point(|f| f.at < end);
    found.get(lo..hi).unwrap_or(&[])
}

fn lists_only_ids(line: &str, start: usize, found: &[Found]) -> bool {
    let end = start + line.len();
    let on_line = on_line(found, start, line);
    if on_line.is_empty() {
        return false;
    }
    let separators = |gap: &str| {
        gap.split(|c: char| !c.is_alphanumeric())
            .all(|w| w.is_empty() || w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or"))
    };
    let mut at = start;
    for f in on_line.iter().filter(|f| f.end <= end) {
        if f.at > at && !separators(line.get(at - start..f.at - start).unwrap_or("")) {
            return false;
        }
        at = at.max(f.end);
    }
    separators(line.get(at.min(end) - start..).unwrap_or(""))
}

/// Where the lead ends: after the first few paragraphs with words in
/// them (armour lines of a PGP signature do not count), or a bounded
/// number of bytes.
fn lead_end(body: &str) -> usize {
    let mut paragraphs = 0;
    let mut in_paragraph = false;
    for (start, line) in lines(body) {
        if start >= LEAD_BYTES {
            return start;
        }
        let bare = unquote(line);
        let words = bare.chars().any(char::is_alphanumeric)
            && !bare.starts_with("-----BEGIN PGP")
            && !bare.starts_with("Hash:");
        if words && !in_paragraph {
            if paragraphs == LEAD_PARAGRAPHS {
                return start;
            }
            paragraphs += 1;
            in_paragraph = true;
        } else if bare.is_empty() {
            in_paragraph = false;
        }
    }
    body.len()
}

/// The sentence before an id, at most [`LOOK_BEHIND`] bytes.
fn before<'a>(body: &'a str, f: &Found) -> &'a str {
    let mut start = f.at.saturating_sub(LOOK_BEHIND);
    while !body.is_char_boundary(start) {
        start += 1;
    }
    let window = body.get(start..f.at).unwrap_or("");
    // The sentence starts after the last ". ", ".\n", "? ", "! ", ";",
    // "\n\n" or ":\n" in the window: one scan from the end.
    let b = window.as_bytes();
    let cut = (1..=b.len())
        .rev()
        .find(|&end| match b.get(end - 1) {
            Some(b';') => true,
            Some(b' ') => matches!(b.get(end.wrapping_sub(2)), Some(b'.' | b'?' | b'!')),
            Some(b'\n') => matches!(b.get(end.wrapping_sub(2)), Some(b'.' | b'\n' | b':')),
            _ => false,
        })
        .unwrap_or(0);
    window.get(cut..).unwrap_or("")
}

/// The few bytes after an id's spelling.
fn after<'a>(body: &'a str, f: &Found) -> &'a str {
    let from = f.end.min(body.len());
    let mut end = (from + LOOK_AHEAD).min(body.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body.get(from..end).unwrap_or("")
}

fn assigned(body: &str, f: &Found) -> bool {
    ASSIGNED_BEFORE.is_match(before(body, f)) || ASSIGNED_AFTER.is_match(after(body, f))
}

fn cited(body: &str, f: &Found) -> bool {
    CITED_BEFORE.is_match(before(body, f)) || CITED_AFTER.is_match(after(body, f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    /// `subject`, a blank line, then the body; `!advisory` and `!reply`
    /// flags at the very start set the two inputs.
    fn check(input: &str, expect: Expect) {
        let (advisory, input) = match input.strip_prefix("!advisory\n") {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        let (reply, input) = match input.strip_prefix("!reply\n") {
            Some(rest) => (true, rest),
            None => (false, input),
        };
        let (subject, body) = input.split_once("\n\n").unwrap_or((input, ""));
        let r = read(subject, body, advisory, reply);
        expect.assert_eq(&format!(
            "cves={:?}\nabout={:?}\nadvisories={:?}",
            r.cves, r.about, r.advisory_ids
        ));
    }

    #[test]
    fn cves_in_the_subject_are_about_and_cited_ones_in_the_body_are_not() {
        check(
            "frobnicator: CVE-2031-1001: heap overflow

A heap overflow was found in frobnicator. It is similar to CVE-2029-0777
but in another parser.
",
            expect![[r#"
                cves=["CVE-2029-0777", "CVE-2031-1001"]
                about=["CVE-2031-1001"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn full_disclosure_copy_with_cves_only_in_its_body_is_about_them() {
        check(
            "Two root exploits in widgetd

Example Research Advisory

Two local root exploits in widgetd (CVE-2031-2001 and
CVE-2031-2002).

Background

Much later the text says widgetd used to be vulnerable to CVE-2020-5555.

Update: another id, CVE-2031-2003, has been assigned to the second flaw.
",
            expect![[r#"
                cves=["CVE-2020-5555", "CVE-2031-2001", "CVE-2031-2002", "CVE-2031-2003"]
                about=["CVE-2031-2001", "CVE-2031-2002", "CVE-2031-2003"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn new_thread_citing_an_old_cve_is_not_about_it() {
        check(
            "CVE request: gizmo-server crash on malformed packet

Hi,

the fix for CVE-2019-4321 introduced a new crash in gizmo-server when a
client sends an empty packet. Could a CVE be assigned?
",
            expect![[r#"
                cves=["CVE-2019-4321"]
                about=[]
                advisories=[]"#]],
        );
        check(
            "gizmo: another crash

A new crash, a regression of CVE-2019-4321, was found.
",
            expect![[r#"
                cves=["CVE-2019-4321"]
                about=[]
                advisories=[]"#]],
        );
    }

    #[test]
    fn an_only_cve_outside_the_lead_is_about_unless_cited() {
        check(
            "Stored XSS in Thingcms

para one

para two

para three

para four

Proof: https://example.org/poc/CVE-2031-3003.html
",
            expect![[r#"
                cves=["CVE-2031-3003"]
                about=["CVE-2031-3003"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn lines_keep_their_offsets_and_line_feeds() {
        let got: Vec<(usize, &str)> = lines("a\n\nbc\nd").collect();
        assert_eq!(got, [(0, "a\n"), (2, "\n"), (3, "bc\n"), (6, "d")]);
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("x\n").collect::<Vec<_>>(), [(0, "x\n")]);
    }

    #[test]
    fn a_long_list_of_bare_ids_is_about_every_one() {
        let mut text = String::from("Hello,\n\nthe following ids are affected:\n\n");
        for i in 0..300 {
            text.push_str(&format!("  * CVE-2023-{:05}\n", 20_000 + i));
        }
        text.push_str("\nThe fix for CVE-2014-8092 introduced none of them.\n");
        let r = read("many ids", &text, false, false);
        assert_eq!(r.about.len(), 300);
        assert!(!r.about.contains(&"CVE-2014-8092".to_string()));
    }

    #[test]
    fn cve_id_block_lists_the_messages_own_cves() {
        check(
            "!reply
Re: thing updated

> Some text citing CVE-2020-0001 in passing.
>
> CVE-IDs: CVE-2031-4004, -4005
>          CVE-2031-4006
> Other: CVE-2020-0002
",
            expect![[r#"
                cves=["CVE-2020-0001", "CVE-2020-0002", "CVE-2031-4004", "CVE-2031-4005", "CVE-2031-4006"]
                about=["CVE-2031-4004", "CVE-2031-4005", "CVE-2031-4006"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn assigned_and_requested_cves_are_about_even_in_a_reply() {
        check(
            "!reply
Re: CVE request: gizmo

> Could ids be assigned for the two flaws?

Use CVE-2031-5005 for the overflow. CVE-2031-5006 has been assigned to
the crash. This is unrelated to CVE-2020-0003.
",
            expect![[r#"
                cves=["CVE-2020-0003", "CVE-2031-5005", "CVE-2031-5006"]
                about=["CVE-2031-5005", "CVE-2031-5006"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn a_reply_without_rules_is_about_nothing() {
        check(
            "!reply
Re: gizmo crash

The first mail mentioned CVE-2031-6006.
",
            expect![[r#"
                cves=["CVE-2031-6006"]
                about=[]
                advisories=[]"#]],
        );
    }

    #[test]
    fn an_advisory_is_about_every_cve_it_names() {
        check(
            "!advisory
[SECURITY] new gizmo packages

This update also fixes a regression of CVE-2020-0004 and CVE-2031-7007.
",
            expect![[r#"
                cves=["CVE-2020-0004", "CVE-2031-7007"]
                about=["CVE-2020-0004", "CVE-2031-7007"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn forwarded_advisory_is_about_its_cves_and_ids() {
        check(
            "Fwd: important update

See below.

---------- Forwarded message ---------
From: Vendor <security@vendor.example>
Subject: [RHSA-2031:0123-02] Important: gizmo security update

Fixes a flaw similar to CVE-2031-8008.
",
            expect![[r#"
                cves=["CVE-2031-8008"]
                about=["CVE-2031-8008"]
                advisories=["RHSA-2031:0123"]"#]],
        );
        check(
            "Fwd: heads up

> Subject: gizmo: CVE-2031-8009: overflow
>
> Related to CVE-2020-0005.
",
            expect![[r#"
                cves=["CVE-2020-0005", "CVE-2031-8009"]
                about=["CVE-2031-8009"]
                advisories=[]"#]],
        );
    }

    #[test]
    fn revisions_of_one_advisory_give_one_id() {
        let v2 = advisory_ids("Xen Security Advisory 215 v2 - x86: guest breakout");
        let v3 = advisory_ids("Xen Security Advisory CVE-2031-9009 / XSA-215 version 3");
        assert_eq!(v2, v3);
        assert_eq!(v2.into_iter().collect::<Vec<_>>(), ["XSA-215"]);
        let ids: Vec<String> = advisory_ids(
            "[DSA 1553-1] [DLA-3456-2] RHSA-2031:0123-01 openSUSE-SU-2031:0001-1 [ GLSA 203101-02 ] GHSA-2345-CFGH-jmpq",
        )
        .into_iter()
        .collect();
        assert_eq!(
            ids,
            [
                "DLA-3456-2",
                "DSA-1553-1",
                "GHSA-2345-cfgh-jmpq",
                "GLSA 203101-02",
                "RHSA-2031:0123",
                "openSUSE-SU-2031:0001-1"
            ]
        );
    }

    #[test]
    fn advisory_ids_cited_in_a_body_are_not_its_own() {
        check(
            "gizmo: overflow

This supersedes DSA-1000-1; see https://github.com/advisories/GHSA-2345-2345-2345

Advisory ID: GHSA-3456-3456-3456
",
            expect![[r#"
                cves=[]
                about=[]
                advisories=["GHSA-3456-3456-3456"]"#]],
        );
    }
}
