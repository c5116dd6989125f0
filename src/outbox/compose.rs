//! What a mail says, decided before any bytes are built: the [`Mail`] to
//! send, how text copied from incoming mail is made safe, and the
//! Message-ID a key stands for. Pure: no lettre, no transport, no clock,
//! no file system. [`message`](mod@super::message) builds the bytes from
//! these decisions.
//!
//! Subjects and names copied from incoming mail go through
//! [`header_text`] (CR and LF become spaces) so they cannot add headers;
//! bodies go through [`body_text`] (bare CRs removed: lettre up to 0.11.23
//! lets them through).

use super::MailKind;
/// A mail to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Unique outbox key.
    pub key: String,
    /// What kind of mail, for status.
    pub kind: MailKind,
    /// Recipients (addresses, optionally with names).
    pub to: Vec<String>,
    /// Subject (may hold text from incoming mail).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body, already escaped by its renderer, if any.
    pub html: Option<String>,
}

/// Why a mail could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An address did not parse.
    #[error("mail {key}: invalid address {address:?}: {message}")]
    Address {
        /// The outbox key.
        key: String,
        /// The address.
        address: String,
        /// Why.
        message: String,
    },
    /// No recipients.
    #[error("mail {0}: no recipients")]
    NoRecipients(String),
    /// lettre refused to build the message.
    #[error("mail {key}: {message}")]
    Build {
        /// The outbox key.
        key: String,
        /// Why.
        message: String,
    },
}

/// Text for a header: control characters (CR, LF, tabs) become single
/// spaces, so nothing can start a new header line.
pub fn header_text(text: &str) -> String {
    crate::text::one_line(text)
}

/// Text for a body: CRLF becomes LF and bare CRs are removed; other text is
/// kept as is.
pub fn body_text(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "")
}

/// The Message-ID of the mail queued under `key` from an address at
/// `domain`: the key with every character other than ASCII letters, digits,
/// `-` and `.` replaced by `.`, so the same key always names the same
/// message.
pub fn message_id(key: &str, domain: &str) -> String {
    format!(
        "<{}@{}>",
        key.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
            "."
        ),
        domain
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(actual: String, expect: Expect) {
        expect.assert_eq(&actual);
    }

    #[test]
    fn header_text_folds_line_breaks() {
        check(
            header_text("x\r\nBcc: evil@example.com\nX-Evil: 1"),
            expect!["x Bcc: evil@example.com X-Evil: 1"],
        );
    }

    #[test]
    fn body_text_removes_bare_crs() {
        check(body_text("a\rb\r\nc\n"), expect!["ab\nc\n"]);
    }

    #[test]
    fn message_id_is_the_key_made_safe() {
        check(
            message_id("shift-start:2026-11-22:alice", "example.org"),
            expect!["<shift-start.2026-11-22.alice@example.org>"],
        );
        check(
            message_id("report:2026-11-22#2", "example.org"),
            expect!["<report.2026-11-22.2@example.org>"],
        );
    }
}
