//! A mail's bytes: the RFC 5322 message built with lettre's message
//! builder (plain text, or text plus HTML as `multipart/alternative`) from
//! the decisions [`compose`](mod@super::compose) makes. No transport, no
//! clock (the date comes in), no file system; not pure only because it
//! uses lettre, which the pure modules never import.

use super::Queued;
use super::compose::{Error, Mail, body_text, header_text, message_id};
use crate::time::Instant;
use lettre::message::{Mailbox, Message, MultiPart, SinglePart, header};

/// `X-Secdesk-Key`: the outbox key, so a received mail can be traced to
/// the row that sent it.
#[derive(Clone)]
struct KeyHeader(String);

impl header::Header for KeyHeader {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("X-Secdesk-Key")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(KeyHeader(s.to_string()))
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

fn mailbox(key: &str, address: &str) -> Result<Mailbox, Error> {
    header_text(address)
        .parse::<Mailbox>()
        .map_err(|e| Error::Address {
            key: key.to_string(),
            address: address.to_string(),
            message: e.to_string(),
        })
}

/// Composes a mail from `from` at `date`, ready to queue. The Message-ID is
/// derived from the key, so the same key always names the same message.
pub fn compose(mail: &Mail, from: &str, date: Instant) -> Result<Queued, Error> {
    compose_with(mail, None, from, date)
}

/// Composes a mail as [`compose`] does, with a `Reply-To` (a Bat-Signal
/// page's plus-addressed token).
pub fn compose_with(
    mail: &Mail,
    reply_to: Option<&str>,
    from: &str,
    date: Instant,
) -> Result<Queued, Error> {
    if mail.to.is_empty() {
        return Err(Error::NoRecipients(mail.key.clone()));
    }
    let sender = mailbox(&mail.key, from)?;
    let mut builder = Message::builder()
        .from(sender.clone())
        .subject(header_text(&mail.subject))
        .date(date.into())
        .message_id(Some(message_id(&mail.key, sender.email.domain())))
        .header(header::MIME_VERSION_1_0)
        .header(KeyHeader(header_text(&mail.key)));
    if let Some(r) = reply_to {
        builder = builder.reply_to(mailbox(&mail.key, r)?);
    }
    let mut recipients = Vec::new();
    for to in &mail.to {
        let m = mailbox(&mail.key, to)?;
        recipients.push(m.email.to_string());
        builder = builder.to(m);
    }
    let text = body_text(&mail.text);
    let message = match &mail.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(text, body_text(html))),
        None => builder.singlepart(SinglePart::plain(text)),
    }
    .map_err(|e| Error::Build {
        key: mail.key.clone(),
        message: e.to_string(),
    })?;
    Ok(Queued {
        key: mail.key.clone(),
        kind: mail.kind,
        sender: sender.email.to_string(),
        recipients,
        subject: header_text(&mail.subject),
        message: message.formatted(),
        contacts_of: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::MailKind;

    fn mail(subject: &str, text: &str, html: Option<&str>) -> Mail {
        Mail {
            key: "report:2026-11-22".into(),
            kind: MailKind::Report,
            to: vec!["Team <team@example.org>".into()],
            subject: subject.into(),
            text: text.into(),
            html: html.map(str::to_string),
        }
    }

    fn headers(q: &Queued) -> Vec<String> {
        let text = String::from_utf8_lossy(&q.message).to_string();
        let head = text.split("\r\n\r\n").next().unwrap_or("").to_string();
        head.split("\r\n")
            .filter(|l| !l.starts_with(' ') && !l.starts_with('\t'))
            .map(|l| l.split(':').next().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn crlf_in_subject_adds_no_header() {
        let at = crate::time::parse("2026-11-22T07:00:00Z").unwrap();
        let q = compose(
            &mail("x\r\nBcc: evil@example.com\nX-Evil: 1", "body", None),
            "secdesk <s@example.org>",
            at,
        )
        .unwrap();
        let names = headers(&q);
        assert!(
            !names.iter().any(|n| n.eq_ignore_ascii_case("bcc")),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|n| n.eq_ignore_ascii_case("x-evil")),
            "{names:?}"
        );
        assert_eq!(q.recipients, ["team@example.org"]);
    }

    #[test]
    fn bare_cr_never_reaches_the_body() {
        let at = crate::time::parse("2026-11-22T07:00:00Z").unwrap();
        let q = compose(
            &mail("s", "a\rb\r\nc", Some("<p>a\rb</p>")),
            "s@example.org",
            at,
        )
        .unwrap();
        let text = String::from_utf8_lossy(&q.message);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        assert!(
            !body.replace("\r\n", "").contains('\r'),
            "a bare CR in {body:?}"
        );
    }
}
