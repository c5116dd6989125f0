//! What a reply to a page says, read from the message alone: whether it
//! carries a token-shaped word where a page put one (the Subject, or the
//! plus-addressed `reply_to` in To, Cc, Delivered-To or X-Original-To),
//! whether it declines (its first word, quoted lines skipped, is `no` or
//! `decline`), and the sender's domain (the only part of the sender that
//! is ever logged). Whether the token is valid is `token::verify`'s, and
//! what it does the application layer's. Pure.

use super::token;

/// The headers a page's reply address may arrive in: the ones a person
/// sees, and the ones a mail server writes with the envelope recipient
/// (plus-addresses survive there when a gateway rewrites To).
const RECIPIENT_HEADERS: [&str; 4] = ["to", "cc", "delivered-to", "x-original-to"];

/// A message that looks like a reply to a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Where its tokens were found: the subject and each plus-address's
    /// tag, for `token::find`.
    pub text: String,
    /// Its first word is `no` or `decline`.
    pub declines: bool,
    /// The domain of its From address, lower-cased (`None` without one).
    pub from_domain: Option<String>,
    /// Its From address, lower-cased, to compare with the member's team
    /// address; never logged.
    pub from: Option<String>,
}

/// Reads `raw` (its header block), its decoded `subject`, `body` text and
/// `from` header as a reply to a page of `reply_to`; `None` when no
/// token-shaped word is where a page puts one: ordinary mail.
pub fn read(
    reply_to: Option<&str>,
    subject: &str,
    raw: &[u8],
    body: &str,
    from: &str,
) -> Option<Reply> {
    let mut text = subject.to_string();
    if let Some((local, domain)) = reply_to.and_then(|r| r.rsplit_once('@')) {
        for value in header_values(raw, &RECIPIENT_HEADERS) {
            for tag in plus_tags(&value, local, domain) {
                text.push(' ');
                text.push_str(&tag);
            }
        }
    }
    if token::find(&text).is_empty() {
        return None;
    }
    let from = address(from);
    Some(Reply {
        text,
        declines: matches!(first_word(body).as_deref(), Some("no" | "decline")),
        from_domain: from
            .as_deref()
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.to_string()),
        from,
    })
}

/// The unfolded values of the named headers (lower-case names), from the
/// header block of `raw` (up to the first empty line).
fn header_values(raw: &[u8], names: &[&str]) -> Vec<String> {
    let head = String::from_utf8_lossy(raw);
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in head.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(v) = current.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        out.extend(current.take());
        if let Some((name, value)) = line.split_once(':')
            && names.contains(&name.trim().to_ascii_lowercase().as_str())
        {
            current = Some(value.trim().to_string());
        }
    }
    out.extend(current);
    out
}

/// The tags of `local+TAG@domain` in `value` (case-insensitive).
fn plus_tags(value: &str, local: &str, domain: &str) -> Vec<String> {
    let value = value.to_ascii_lowercase();
    let prefix = format!("{}+", local.to_ascii_lowercase());
    let suffix = format!("@{}", domain.to_ascii_lowercase());
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = value[i..].find(&prefix) {
        let start = i + pos + prefix.len();
        i = start;
        let tag: String = value[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if value[start + tag.len()..].starts_with(&suffix) {
            out.push(tag);
        }
    }
    out
}

/// The first word of a reply's own text, lower-cased: quoted lines
/// (`>`) skipped, punctuation around it dropped.
fn first_word(body: &str) -> Option<String> {
    body.lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .flat_map(str::split_whitespace)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .find(|w| !w.is_empty())
}

/// The address in a From header (`Name <a@b>` or `a@b`), lower-cased.
fn address(from: &str) -> Option<String> {
    let inner = match (from.rfind('<'), from.rfind('>')) {
        (Some(s), Some(e)) if s < e => &from[s + 1..e],
        _ => from,
    };
    let a = inner.split_whitespace().find(|w| w.contains('@'))?;
    Some(a.trim_matches(['"', '\'', ',']).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    const TO: &str = "security@example.org";

    /// Reads a constructed message (headers, blank line, body) with
    /// `subject` and `from` as parse would decode them.
    fn check(raw: &str, subject: &str, from: &str, expect: Expect) {
        let body = raw.split_once("\n\n").map_or("", |(_, b)| b);
        let got = read(Some(TO), subject, raw.as_bytes(), body, from);
        expect.assert_eq(&format!("{got:?}"));
    }

    #[test]
    fn token_in_the_subject_of_a_reply_is_found_and_it_acks() {
        check(
            "To: security@example.org\n\nOn my way.\n> BAT-SIGNAL qa #1\n",
            "Re: BAT-SIGNAL qa #1 [bs1-abcdefghij]",
            "Carol <Carol@Example.ORG>",
            expect![[
                r#"Some(Reply { text: "Re: BAT-SIGNAL qa #1 [bs1-abcdefghij]", declines: false, from_domain: Some("example.org"), from: Some("carol@example.org") })"#
            ]],
        );
    }

    #[test]
    fn token_only_in_a_plus_address_is_found_and_no_first_declines() {
        check(
            "Delivered-To: other@example.org\nX-Original-To:\n SECURITY+bs2-ABCDEFGHIJ@example.org\n\n> quoted first\nNo, on a plane.\n",
            "Re: page",
            "pager@gateway.example.net",
            expect![[
                r#"Some(Reply { text: "Re: page bs2-abcdefghij", declines: true, from_domain: Some("gateway.example.net"), from: Some("pager@gateway.example.net") })"#
            ]],
        );
        check(
            "To: security+bs2-abcdefghij@example.org\n\nDecline.\n",
            "",
            "",
            expect![[
                r#"Some(Reply { text: " bs2-abcdefghij", declines: true, from_domain: None, from: None })"#
            ]],
        );
    }

    #[test]
    fn ordinary_mail_and_other_plus_addresses_are_not_replies() {
        check(
            "To: security+bs2-abcdefghij@elsewhere.org, list+bs2-abcdefghij@example.org\n\nno\n",
            "[oss-security] CVE-2031-0001: foo",
            "r@x",
            expect!["None"],
        );
        // A token in the body alone (a quoted page) does not make a reply.
        check(
            "To: security@example.org\n\nack bs1-abcdefghij\n",
            "hello",
            "r@x",
            expect!["None"],
        );
    }
}
