//! Any bytes in, a [`Parsed`] message out: parsing never fails.
//!
//! Mail is written by strangers. This module turns whatever arrives into the
//! facts the rest of secdesk needs (Message-ID, subject, thread headers, the
//! text of every readable part) plus a list of [`ParseProblem`]s. It never
//! returns an error and never panics on input: the MIME parser runs under
//! `catch_unwind` as a last line of defence. Pure: no I/O, no clock.

use crate::text::one_line;
use crate::time::Instant;
use chrono::TimeZone;
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};
use std::fmt;

/// Longest subject kept for display; the raw message keeps all of it.
const MAX_SUBJECT: usize = 500;

/// What could not be read from a message; stored with it and counted as
/// "with problems" in the ingest summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseProblem {
    /// Zero bytes (or only whitespace): there is no message at all.
    Empty,
    /// No header section could be found.
    NoHeaders,
    /// No Message-ID header; a content-hash id was made up.
    NoMessageId,
    /// No Date header, or one that is not a date.
    NoDate,
    /// A part whose transfer encoding or charset could not be decoded.
    Encoding,
    /// The subject was longer than secdesk keeps for display.
    LongSubject,
    /// The MIME parser panicked; only the raw bytes were scanned.
    ParserPanicked,
    /// Messages were nested deeper than the MIME parser reads; secdesk
    /// parsed them again itself, or scanned their raw text.
    NestedTooDeep,
}

impl ParseProblem {
    /// The stable word stored in the database and shown to people.
    pub fn as_str(&self) -> &'static str {
        match self {
            ParseProblem::Empty => "empty",
            ParseProblem::NoHeaders => "no-headers",
            ParseProblem::NoMessageId => "no-message-id",
            ParseProblem::NoDate => "no-date",
            ParseProblem::Encoding => "encoding",
            ParseProblem::LongSubject => "long-subject",
            ParseProblem::ParserPanicked => "parser-panicked",
            ParseProblem::NestedTooDeep => "nested-too-deep",
        }
    }

    /// Whether the message is unreadable, as opposed to merely missing a
    /// header that secdesk can do without.
    pub fn is_unparsable(&self) -> bool {
        matches!(
            self,
            ParseProblem::Empty | ParseProblem::NoHeaders | ParseProblem::ParserPanicked
        )
    }
}

impl fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The facts of one message that classification and threading need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The Message-ID without angle brackets, or `sha256-…@secdesk.invalid`
    /// made from the raw bytes when the message has none.
    pub message_id: String,
    /// The decoded subject, one line, possibly empty, whole (CVE ids may
    /// hide at the end of a very long one); [`shorten`] it for display.
    pub subject: String,
    /// The From header as written (decoded), for display.
    pub from: String,
    /// The Date header in UTC, when there is a readable one.
    pub date: Option<Instant>,
    /// The List-Id header, lower-cased.
    pub list_id: String,
    /// Sender, To, Cc and From addresses, lower-cased, for list detection.
    pub addresses: Vec<String>,
    /// In-Reply-To ids, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// References ids, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// The text of every text and HTML part and of every attachment whose
    /// content reads as text (whatever its declared type), attachment file
    /// names, and nested messages at any depth (their subjects as
    /// `Subject:` lines); PGP clear-signing dash-escapes removed.
    pub text: String,
    /// What could not be read.
    pub problems: Vec<ParseProblem>,
}

impl Parsed {
    /// Whether the message is unreadable (counted as unparsable).
    pub fn is_unparsable(&self) -> bool {
        self.problems.iter().any(ParseProblem::is_unparsable)
    }
}

/// The id a message without a Message-ID gets: the same bytes always get
/// the same id, so re-ingesting it creates no duplicate.
pub fn content_id(raw: &[u8]) -> String {
    let digest = Sha256::digest(raw);
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    format!("sha256-{hex}@secdesk.invalid")
}

/// Parses any bytes. Never fails, never panics on input.
pub fn parse(raw: &[u8]) -> Parsed {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Parsed {
            message_id: content_id(raw),
            problems: vec![ParseProblem::Empty],
            ..Parsed::default()
        };
    }
    let body = strip_mbox_from_line(raw);
    let result = std::panic::catch_unwind(|| {
        let message = MessageParser::default().parse(body)?;
        Some(facts(&message))
    });
    let mut parsed = match result {
        Ok(Some(p)) => p,
        Ok(None) => Parsed {
            text: String::from_utf8_lossy(body).into_owned(),
            problems: vec![ParseProblem::NoHeaders],
            ..Parsed::default()
        },
        Err(_) => Parsed {
            text: String::from_utf8_lossy(body).into_owned(),
            problems: vec![ParseProblem::ParserPanicked],
            ..Parsed::default()
        },
    };
    if parsed.message_id.is_empty() {
        parsed.message_id = content_id(raw);
        if !parsed.problems.contains(&ParseProblem::NoHeaders) {
            parsed.problems.push(ParseProblem::NoMessageId);
        }
    }
    if parsed.date.is_none() && !parsed.problems.contains(&ParseProblem::NoHeaders) {
        parsed.problems.push(ParseProblem::NoDate);
    }
    parsed.text = dash_unescape(&parsed.text);
    parsed
}

/// A file saved from an mbox may start with the `From ` separator line,
/// which is not a header; drop it.
fn strip_mbox_from_line(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ") {
        match raw.iter().position(|&b| b == b'\n') {
            Some(i) => &raw[i + 1..],
            None => raw,
        }
    } else {
        raw
    }
}

fn facts(message: &Message<'_>) -> Parsed {
    let mut problems = Vec::new();
    let subject = one_line(message.subject().unwrap_or(""));
    if subject.len() > MAX_SUBJECT {
        problems.push(ParseProblem::LongSubject);
    }
    let message_id = message.message_id().map(clean_id).unwrap_or_default();
    let date = message.date().and_then(|d| {
        let ts = d.to_timestamp();
        // Years outside 1970..10000 are junk dates, not instants.
        if (0..253_402_300_800).contains(&ts) {
            chrono::Utc.timestamp_opt(ts, 0).single()
        } else {
            None
        }
    });
    let list_id = header_text(message.list_id()).to_lowercase();
    let mut addresses = Vec::new();
    for addr in [message.from(), message.sender(), message.to(), message.cc()]
        .into_iter()
        .flatten()
    {
        for a in addr.iter() {
            if let Some(email) = a.address() {
                addresses.push(email.to_lowercase());
            }
        }
    }
    let from = message
        .from()
        .and_then(|a| a.first())
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .map(|s| one_line(&s))
        .unwrap_or_default();
    let mut text = String::new();
    collect_text(message, &mut text, &mut problems);
    let has_headers = !message_id.is_empty()
        || message.subject().is_some()
        || message.date().is_some()
        || message.from().is_some()
        || message.to().is_some()
        || !list_id.is_empty()
        || message.content_type().is_some();
    if !has_headers {
        problems.push(ParseProblem::NoHeaders);
    }
    if !has_headers || (subject.is_empty() && text.trim().is_empty()) {
        // Nothing readable came out: scan the bytes themselves, so a CVE id
        // in a message the MIME parser could not make sense of still counts.
        text = String::from_utf8_lossy(message.raw_message()).into_owned();
    }
    Parsed {
        message_id,
        subject,
        from,
        date,
        list_id,
        addresses,
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        text,
        problems,
    }
}

/// How many bytes of nested messages secdesk parses again itself where
/// the MIME parser stopped (it reads three levels of encoded nesting), as
/// a multiple of the whole message's size: enough for any real forward of
/// a forward, and a bound on the work a hostile nesting can cause.
const REPARSE_BUDGET: usize = 2;

/// Collects the text of every part, nested messages at any depth. A
/// worklist rather than recursion, so deep nesting cannot exhaust the
/// stack. Where the MIME parser gave up on a nested message, it is parsed
/// again (within [`REPARSE_BUDGET`]) and otherwise scanned as raw text;
/// either way [`ParseProblem::NestedTooDeep`] is recorded.
fn collect_text(message: &Message<'_>, out: &mut String, problems: &mut Vec<ParseProblem>) {
    let mut budget = message.raw_message().len().saturating_mul(REPARSE_BUDGET);
    let mut reparsed: Vec<Message<'static>> = Vec::new();
    collect_parts(message, out, problems, &mut budget, &mut reparsed);
    // Messages parsed again are read in turn; each may hand on more.
    while let Some(inner) = reparsed.pop() {
        push_subject(&inner, out);
        collect_parts(&inner, out, problems, &mut budget, &mut reparsed);
    }
}

fn collect_parts(
    message: &Message<'_>,
    out: &mut String,
    problems: &mut Vec<ParseProblem>,
    budget: &mut usize,
    reparsed: &mut Vec<Message<'static>>,
) {
    let mut stack: Vec<&Message<'_>> = vec![message];
    while let Some(message) = stack.pop() {
        for part in &message.parts {
            let nested_bytes = match &part.body {
                PartType::Binary(b) | PartType::InlineBinary(b) if is_message_type(part) => Some(b),
                _ => None,
            };
            if part.is_encoding_problem
                && nested_bytes.is_none()
                && !problems.contains(&ParseProblem::Encoding)
            {
                problems.push(ParseProblem::Encoding);
            }
            if let Some(name) = part.attachment_name() {
                // Advisory patches are often named after their CVE.
                out.push_str(&one_line(name));
                out.push('\n');
            }
            match &part.body {
                PartType::Text(t) | PartType::Html(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                PartType::Message(inner) => {
                    push_subject(inner, out);
                    stack.push(inner);
                }
                PartType::Binary(b) | PartType::InlineBinary(b) => {
                    if let Some(nested) = nested_bytes {
                        if !problems.contains(&ParseProblem::NestedTooDeep) {
                            problems.push(ParseProblem::NestedTooDeep);
                        }
                        let parsed = if nested.len() <= *budget {
                            *budget -= nested.len();
                            let owned = nested.to_vec();
                            MessageParser::default()
                                .parse(&owned)
                                .map(Message::into_owned)
                        } else {
                            None
                        };
                        match parsed {
                            Some(m) => reparsed.push(m),
                            None => {
                                out.push_str(&String::from_utf8_lossy(nested));
                                out.push('\n');
                            }
                        }
                    } else if let Some(text) = text_like(b) {
                        // Patches come as application/octet-stream: what
                        // reads as text is scanned whatever its type says.
                        out.push_str(&text);
                        out.push('\n');
                    }
                }
                PartType::Multipart(_) => {}
            }
        }
    }
}

/// A nested message's subject, as a `Subject:` line: classification reads
/// forwarded subjects from such lines.
fn push_subject(message: &Message<'_>, out: &mut String) {
    if let Some(s) = message.subject() {
        out.push_str("Subject: ");
        out.push_str(&one_line(s));
        out.push('\n');
    }
}

fn is_message_type(part: &mail_parser::MessagePart<'_>) -> bool {
    part.content_type()
        .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("message"))
}

/// The text of an attachment whose bytes read as text: no NUL, almost no
/// control bytes, and either valid UTF-8 or mostly ASCII (Latin-1 patches).
/// Images, archives and compressed data fail on the first two.
pub fn text_like(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if bytes.is_empty() || bytes.contains(&0) {
        return None;
    }
    let control = bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    if control > bytes.len() / 100 {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(std::borrow::Cow::Borrowed(s)),
        Err(_) => {
            let high = bytes.iter().filter(|&&b| b >= 0x80).count();
            (high <= bytes.len() / 4).then(|| String::from_utf8_lossy(bytes))
        }
    }
}

fn header_text(value: &HeaderValue<'_>) -> String {
    match value {
        HeaderValue::Text(t) => t.to_string(),
        HeaderValue::TextList(list) => list.join(" "),
        HeaderValue::Address(a) => a
            .iter()
            .filter_map(|a| a.address())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let raw: Vec<String> = match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    };
    raw.iter()
        .map(|s| clean_id(s))
        .filter(|s| !s.is_empty())
        .collect()
}

fn clean_id(id: &str) -> String {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    one_line(id)
}

/// Cuts a subject to the length secdesk keeps for display, on a character
/// boundary, marking the cut with `…`.
pub fn shorten(text: &str) -> String {
    if text.len() <= MAX_SUBJECT {
        return text.to_string();
    }
    let mut cut = MAX_SUBJECT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &text[..cut])
}

/// Removes the `- ` that PGP clear-signing puts before lines starting with
/// a dash (RFC 4880, 7.1), between the armour lines only.
pub fn dash_unescape(text: &str) -> String {
    if !text.contains("-----BEGIN PGP SIGNED MESSAGE-----") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare == "-----BEGIN PGP SIGNED MESSAGE-----" {
            inside = true;
        } else if bare == "-----BEGIN PGP SIGNATURE-----" {
            inside = false;
        } else if inside && let Some(rest) = line.strip_prefix("- ") {
            out.push_str(rest);
            continue;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(raw: &str, expect: Expect) {
        let p = parse(raw.as_bytes());
        let problems: Vec<&str> = p.problems.iter().map(ParseProblem::as_str).collect();
        expect.assert_eq(&format!(
            "id={} subject={:?} date={:?} reply_to={:?} refs={:?} problems={:?}\n{}",
            p.message_id,
            p.subject,
            p.date.map(crate::time::format),
            p.in_reply_to,
            p.references,
            problems,
            p.text.trim_end()
        ));
    }

    #[test]
    fn encoded_word_subject_is_decoded() {
        check(
            "Message-ID: <a@b>\nDate: Wed, 17 Apr 2024 22:19:39 +0000\nSubject: [oss-security] =?UTF-8?Q?CVE-2024-31869=3A_Apache?=\n\nbody\n",
            expect![[r#"
                id=a@b subject="[oss-security] CVE-2024-31869: Apache" date=Some("2024-04-17T22:19:39Z") reply_to=[] refs=[] problems=[]
                body"#]],
        );
    }

    #[test]
    fn missing_message_id_gets_a_stable_content_id() {
        let raw = "Subject: x\n\nhello\n";
        let a = parse(raw.as_bytes());
        assert!(a.message_id.starts_with("sha256-"), "{}", a.message_id);
        assert_eq!(a.message_id, parse(raw.as_bytes()).message_id);
        assert!(a.problems.contains(&ParseProblem::NoMessageId));
    }

    #[test]
    fn crlf_in_subject_folds_to_one_line() {
        check(
            "Message-ID: <a@b>\nSubject: =?UTF-8?Q?a=0D=0ABcc:_evil@x?=\n\n.\n",
            expect![[r#"
                id=a@b subject="a Bcc: evil@x" date=None reply_to=[] refs=[] problems=["no-date"]
                ."#]],
        );
    }

    #[test]
    fn clear_signed_body_is_dash_unescaped() {
        check(
            "Message-ID: <a@b>\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA1\n\n- - -------\n- -- CVE-2008-0165\n-----BEGIN PGP SIGNATURE-----\n- kept\n",
            expect![[r#"
                id=a@b subject="" date=None reply_to=[] refs=[] problems=["no-date"]
                -----BEGIN PGP SIGNED MESSAGE-----
                Hash: SHA1

                - -------
                -- CVE-2008-0165
                -----BEGIN PGP SIGNATURE-----
                - kept"#]],
        );
    }

    #[test]
    fn empty_input_is_a_problem_not_a_panic() {
        check(
            "",
            expect![[r#"
                id=sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855@secdesk.invalid subject="" date=None reply_to=[] refs=[] problems=["empty"]
            "#]],
        );
    }

    #[test]
    fn thread_headers_lose_their_brackets() {
        check(
            "Message-ID: <c@x>\nIn-Reply-To: <b@x>\nReferences: <a@x> <b@x>\n\n.\n",
            expect![[r#"
                id=c@x subject="" date=None reply_to=["b@x"] refs=["a@x", "b@x"] problems=["no-date"]
                ."#]],
        );
    }

    fn cves_and_problems(raw: &[u8]) -> String {
        let p = parse(raw);
        let problems: Vec<&str> = p.problems.iter().map(ParseProblem::as_str).collect();
        format!(
            "cves={:?} problems={problems:?}",
            crate::mail::cve::ids(&p.text)
        )
    }

    const MULTIPART_HEAD: &str = "Message-ID: <m@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: patches\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSee the attachments.\n";

    #[test]
    fn octet_stream_patch_and_attachment_names_are_scanned_but_binary_is_not() {
        let raw = format!(
            "{MULTIPART_HEAD}--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"gizmo-CVE-2031-0101.patch\"\nContent-Transfer-Encoding: base64\n\n{}\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n",
            base64("From: dev\nSubject: fix CVE-2031-0102\n\n--- a/x.c\n+++ b/x.c\n"),
            base64("\u{0}\u{1}\u{2}PNG CVE-2031-0103 \u{0}\u{0}"),
        );
        check_raw(
            raw.as_bytes(),
            expect![[r#"cves={"CVE-2031-0101", "CVE-2031-0102"} problems=[]"#]],
        );
    }

    #[test]
    fn nested_messages_deeper_than_the_parser_reads_are_read_and_noted() {
        let mut inner =
            "Message-ID: <n0@x>\nSubject: innermost\n\nThe flaw is CVE-2031-0200.\n".to_string();
        for level in 1..=12 {
            inner = format!(
                "Message-ID: <n{level}@x>\nSubject: fwd {level}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b{level}\"\n\n--b{level}\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{}\n--b{level}--\n",
                base64(&inner)
            );
        }
        check_raw(
            inner.as_bytes(),
            expect![[r#"cves={"CVE-2031-0200"} problems=["nested-too-deep", "no-date"]"#]],
        );
    }

    #[test]
    fn hostile_nesting_falls_back_to_raw_text_within_the_budget() {
        // Deep quoted-printable nesting barely grows, so parsing every level
        // again would cost depth x size: past the budget the rest is
        // scanned as raw text, and ids in plain text there still count.
        let mut inner = "Subject: x\n\nCVE-2031-0300\n".to_string();
        for level in 0..400 {
            inner = format!(
                "Subject: {level}\nContent-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n{}\n",
                inner.replace('=', "=3D")
            );
        }
        check_raw(
            inner.as_bytes(),
            expect![[
                r#"cves={"CVE-2031-0300"} problems=["nested-too-deep", "no-message-id", "no-date"]"#
            ]],
        );
    }

    fn check_raw(raw: &[u8], expect: Expect) {
        expect.assert_eq(&cves_and_problems(raw));
    }

    fn base64(text: &str) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in text.as_bytes().chunks(3) {
            let b = [
                chunk.first().copied().unwrap_or(0),
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
            if out.len() % 77 == 76 {
                out.push('\n');
            }
        }
        out
    }
}
