//! `message`: one stored message, decoded for reading or as the exact
//! bytes that arrived.
//!
//! Mail is written by strangers and this view prints it on an operator's
//! terminal, so every decoded field passes through [`text::visible`]: no
//! escape sequence, lone carriage return or bidirectional override in a
//! message reaches the terminal as such. The bytes as received are
//! [`raw`]'s, for tools that want them unchanged.

use crate::app::{Desk, Result};
use crate::mail::Source;
use crate::mail::parse;
use crate::store::messages::StoredMessage;
use crate::text;
use crate::time::Instant;
use crate::triage::IssueId;
use serde::Serialize;
use std::fmt;

/// How people name a stored message: the number `secdesk show` prints
/// beside it, or its Message-ID (angle brackets optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRef {
    /// The number beside a timeline row.
    Number(i64),
    /// A Message-ID, without brackets.
    MessageId(String),
}

impl MessageRef {
    /// Digits are a number; anything else is a Message-ID, with or without
    /// its angle brackets. The error says what was expected.
    pub fn parse(text: &str) -> Result<MessageRef, String> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse()
                .map(MessageRef::Number)
                .map_err(|_| format!("message number {text} is too large"));
        }
        let id = text.strip_prefix('<').unwrap_or(text);
        let id = id.strip_suffix('>').unwrap_or(id).trim();
        if id.is_empty() {
            return Err(format!(
                "expected a message number like 12 or a Message-ID like <id@example.org>, got {text:?}"
            ));
        }
        Ok(MessageRef::MessageId(id.to_string()))
    }
}

impl fmt::Display for MessageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageRef::Number(n) => write!(f, "number {n}"),
            MessageRef::MessageId(id) => write!(f, "Message-ID <{id}>"),
        }
    }
}

/// One message as printed: the headers that matter, where secdesk keeps
/// it, and its text, all decoded and made [`text::visible`]. The same
/// fields are the `--json` object.
#[derive(Debug, Serialize)]
pub struct MessageShow {
    /// Its number (as `show` prints it).
    pub number: i64,
    /// Its Message-ID without brackets.
    pub message_id: String,
    /// Which copy of the Message-ID this is; 1 for the first.
    pub copy: i64,
    /// The issue it belongs to.
    pub issue: Option<IssueId>,
    /// Where it was published.
    pub source: Source,
    /// The From header, decoded; empty when there is none.
    pub from: String,
    /// The Date header (UTC), when there is a readable one.
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub date: Option<Instant>,
    /// The Subject header, decoded, on one line.
    pub subject: String,
    /// The List-Id header (lower case); empty when there is none.
    pub list_id: String,
    /// Its parse problems, as stored.
    pub problems: Vec<String>,
    /// The text of every readable part, decoded.
    pub text: String,
}

/// The message a reference names, decoded (see [`MessageShow`]); `None`
/// when no stored message has that number or Message-ID. A Message-ID
/// names its first copy; each copy has its own number.
pub fn message(desk: &mut Desk<'_>, reference: &MessageRef) -> Result<Option<MessageShow>> {
    Ok(stored(desk, reference)?.map(MessageShow::new))
}

/// The bytes of the message a reference names, exactly as received;
/// `None` when there is no such message.
pub fn raw(desk: &mut Desk<'_>, reference: &MessageRef) -> Result<Option<Vec<u8>>> {
    Ok(stored(desk, reference)?.map(|m| m.raw))
}

fn stored(desk: &mut Desk<'_>, reference: &MessageRef) -> Result<Option<StoredMessage>> {
    Ok(desk.store.read(|r| match reference {
        MessageRef::Number(n) => r.message_numbered(*n),
        MessageRef::MessageId(id) => r.message_with_id(id),
    })?)
}

impl MessageShow {
    fn new(m: StoredMessage) -> MessageShow {
        let p = parse::parse(&m.raw);
        MessageShow {
            number: m.number,
            message_id: text::visible(&m.message_id),
            copy: m.copy,
            issue: m.issue,
            source: m.source,
            from: text::visible(&p.from),
            date: p.date,
            subject: text::visible(&p.subject),
            list_id: text::visible(&p.list_id),
            problems: m.problems,
            text: text::visible(&p.text),
        }
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

impl fmt::Display for MessageShow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "From:       {}", or_dash(&self.from))?;
        let date = self.date.map(crate::time::format);
        writeln!(f, "Date:       {}", date.as_deref().unwrap_or("-"))?;
        writeln!(f, "Subject:    {}", or_dash(&self.subject))?;
        writeln!(f, "Message-ID: <{}>", self.message_id)?;
        writeln!(f, "List-Id:    {}", or_dash(&self.list_id))?;
        let issue = self
            .issue
            .map_or("no issue".to_string(), |i| format!("issue #{i}"));
        let copy = if self.copy > 1 {
            format!(", copy {}", self.copy)
        } else {
            String::new()
        };
        writeln!(
            f,
            "Stored:     message {} in {issue}, from {}{copy}",
            self.number, self.source
        )?;
        if !self.problems.is_empty() {
            writeln!(f, "Problems:   {}", self.problems.join(", "))?;
        }
        writeln!(f)?;
        f.write_str(&self.text)?;
        if !self.text.ends_with('\n') {
            writeln!(f)?;
        }
        Ok(())
    }
}
