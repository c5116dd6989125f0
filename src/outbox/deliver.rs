//! Delivering the outbox: over SMTP (lettre) or, with no `smtp`
//! configured, as `.eml` files in `outbox_dir`.
//!
//! Each due mail is taken in its own transaction (so two programs
//! delivering at once never both take it), sent outside any transaction,
//! and its outcome recorded: sent; refused for good (5xx: failed, with the
//! server's answer, shown in status and the next report); or not now (queued
//! again with back-off). When the server cannot be reached at all, the run
//! stops trying and leaves the rest queued.
//!
//! The SMTP session runs outside any transaction up to the end of the
//! message's data; the write transaction that records `sent` is begun
//! before the final `.` goes out and committed right after the server's
//! answer. So a run that waits for the database (another program is
//! writing) or is killed while it waits has not sent the mail yet: the
//! only way a mail can go out twice is a kill in the instant between the
//! server's acceptance and the commit. A mail stuck `sending` that long is
//! retried, because a lost report is worse than a repeated one. (The chaos
//! run, issue 18, found duplicates when the recording waited for the lock
//! after the mail had gone.)
//!
//! Invariant: the only module that talks SMTP.

use crate::config::{Smtp, Tls};
use crate::outbox::OutboxEntry;
use crate::store::{self, Store};
use crate::text::one_line;
use crate::time::{Instant, Span};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::path::PathBuf;
use std::time::Duration;

/// A mail still `sending` after this long was abandoned by a killed run.
const STALE_SENDING: Span = Span::minutes(10);
/// The longest back-off between attempts.
const MAX_BACKOFF: Span = Span::hours(1);

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// To an SMTP server.
    Smtp(Smtp),
    /// As `.eml` files in a directory (the embedded default).
    Files(PathBuf),
}

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Mails delivered.
    pub sent: u64,
    /// Mails that failed now and stay queued.
    pub retrying: u64,
    /// Mails refused for good.
    pub failed: u64,
    /// One line per failure.
    pub errors: Vec<String>,
}

impl std::fmt::Display for Outcome {
    /// The outbox part of a job's summary line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "outbox: {} sent, {} waiting to retry, {} refused",
            self.sent, self.retrying, self.failed
        )
    }
}

impl Outcome {
    /// Whether anything failed (the run should exit non-zero).
    pub fn has_failures(&self) -> bool {
        self.retrying > 0 || self.failed > 0
    }
}

/// Why one attempt failed.
enum Failure {
    /// Refused for good, with the server's answer.
    Permanent(String),
    /// Try again later; `unreachable` when the server could not be talked
    /// to at all (the run stops trying others).
    Transient { message: String, unreachable: bool },
}

/// Delivers every due mail in the outbox but Bat-Signal pages, which
/// wait for a delivery that has the private contacts.
pub fn deliver(
    store: &mut Store,
    delivery: &Delivery,
    now: Instant,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome, store::Error> {
    deliver_with_contacts(store, delivery, None, now, log)
}

/// Private contacts: member id → addresses, read from the secret at the
/// moment of delivery and never stored.
pub type Contacts = std::collections::BTreeMap<String, Vec<String>>;

/// Delivers every due mail; with `contacts`, also the Bat-Signal pages,
/// each with its member's private contacts added to the envelope only
/// (the stored message and recipients never hold them). An error that
/// quotes a private address has it replaced by `(private contact)` before
/// it is logged or stored.
pub fn deliver_with_contacts(
    store: &mut Store,
    delivery: &Delivery,
    contacts: Option<&Contacts>,
    now: Instant,
    log: &mut dyn FnMut(&str),
) -> Result<Outcome, store::Error> {
    let mut outcome = Outcome::default();
    let mut sender: Option<Result<Sender, String>> = None;
    loop {
        let Some(mut mail) =
            store.write(|tx| tx.take_due(now, STALE_SENDING, contacts.is_some()))?
        else {
            break;
        };
        let private: Vec<String> = match (&mail.contacts_of, contacts) {
            (Some(m), Some(c)) => c.get(m).cloned().unwrap_or_default(),
            _ => Vec::new(),
        };
        let s = sender.get_or_insert_with(|| Sender::new(delivery, log));
        let result = match s {
            Ok(s) => {
                let stored = mail.recipients.clone();
                mail.recipients.extend(private.iter().cloned());
                let r = s.begin(&mail).map_err(|f| f.hide(&private));
                mail.recipients = stored;
                r
            }
            Err(e) => Err(Failure::Transient {
                message: e.clone(),
                unreachable: true,
            }),
        };
        // The last step, and the record of it, in one write transaction.
        let result = match result {
            Ok(mut pending) => {
                let done = store.write(|tx| {
                    let done = pending.finish(&mail).map_err(|f| f.hide(&private));
                    if done.is_ok() {
                        tx.mark_sent(mail.id, now)?;
                    }
                    Ok::<_, store::Error>(done)
                });
                // QUIT only once the record is committed: its round trip
                // is no part of the window in which a kill repeats a mail.
                pending.close();
                done?
            }
            Err(f) => Err(f),
        };
        match result {
            Ok(()) => {
                outcome.sent += 1;
            }
            Err(Failure::Permanent(message)) => {
                store.write(|tx| tx.mark_failed(mail.id, &message, None))?;
                outcome.failed += 1;
                outcome
                    .errors
                    .push(format!("mail {}: refused: {message}", mail.key));
            }
            Err(Failure::Transient {
                message,
                unreachable,
            }) => {
                let wait = backoff(mail.attempts + 1);
                store.write(|tx| tx.mark_failed(mail.id, &message, Some(now + wait.duration())))?;
                outcome.retrying += 1;
                outcome.errors.push(format!(
                    "mail {}: not sent, will retry in {wait}: {message}",
                    mail.key
                ));
                if unreachable {
                    break;
                }
            }
        }
    }
    Ok(outcome)
}

impl Failure {
    /// The failure with every private address in it replaced.
    fn hide(self, private: &[String]) -> Failure {
        let clean = |mut m: String| {
            for p in private {
                m = m.replace(p.as_str(), "(private contact)");
            }
            m
        };
        match self {
            Failure::Permanent(m) => Failure::Permanent(clean(m)),
            Failure::Transient {
                message,
                unreachable,
            } => Failure::Transient {
                message: clean(message),
                unreachable,
            },
        }
    }
}

/// One minute after the first failure, doubling, at most an hour.
fn backoff(attempts: i64) -> Span {
    let exp = attempts.clamp(1, 10) - 1;
    let secs = 60i64 * (1i64 << exp);
    Span::seconds(secs.min(MAX_BACKOFF.as_seconds()))
}

enum Sender {
    Smtp(Box<SmtpSession>),
    Files(PathBuf),
}

/// How to reach the SMTP server: what lettre's `SmtpTransport` would hold,
/// kept apart so that the session can stop before the final `.` of the
/// message (see the module docs).
struct SmtpSession {
    host: String,
    port: u16,
    /// TLS from the first byte (implicit) or after STARTTLS.
    tls: Option<(TlsParameters, bool)>,
    credentials: Option<Credentials>,
    timeout: Duration,
}

/// A mail whose SMTP session is open up to its data: the server has taken
/// the envelope and said to send the message (354).
enum Pending {
    Smtp(Box<SmtpConnection>),
    Files(PathBuf),
}

/// Maps a lettre error to a failure: permanent (5xx) or worth retrying,
/// and whether the server could not be talked to at all.
fn smtp_failure(e: lettre::transport::smtp::Error) -> Failure {
    let message = one_line(&e.to_string());
    if e.is_permanent() {
        Failure::Permanent(message)
    } else {
        let unreachable = !e.is_transient();
        Failure::Transient {
            message,
            unreachable,
        }
    }
}

impl Sender {
    fn new(delivery: &Delivery, log: &mut dyn FnMut(&str)) -> Result<Sender, String> {
        match delivery {
            Delivery::Files(dir) => Ok(Sender::Files(dir.clone())),
            Delivery::Smtp(smtp) => {
                if smtp.tls == Tls::None {
                    log(&format!(
                        "smtp {}:{}: tls is \"none\": mail (and any password) crosses the network unencrypted",
                        smtp.host, smtp.port
                    ));
                }
                transport(smtp).map(|t| Sender::Smtp(Box::new(t)))
            }
        }
    }

    /// Everything of one delivery but its last step: for SMTP, connect,
    /// TLS, AUTH, the envelope and DATA; the message itself waits for
    /// [`Pending::finish`].
    fn begin(&self, mail: &OutboxEntry) -> Result<Pending, Failure> {
        match self {
            Sender::Files(dir) => Ok(Pending::Files(dir.clone())),
            Sender::Smtp(t) => {
                let from = mail
                    .sender
                    .parse()
                    .map_err(|e| Failure::Permanent(format!("bad sender {}: {e}", mail.sender)))?;
                let mut to = Vec::new();
                for r in &mail.recipients {
                    to.push(
                        r.parse()
                            .map_err(|e| Failure::Permanent(format!("bad recipient {r}: {e}")))?,
                    );
                }
                let envelope =
                    Envelope::new(Some(from), to).map_err(|e| Failure::Permanent(e.to_string()))?;
                t.open(&envelope, &mail.message)
                    .map(|c| Pending::Smtp(Box::new(c)))
                    .map_err(smtp_failure)
            }
        }
    }
}

impl SmtpSession {
    /// Connects, secures and logs in, then sends MAIL, RCPT and DATA, with
    /// the 8BITMIME and SMTPUTF8 parameters the mail needs, as lettre's
    /// own `SmtpConnection::send` does before the message.
    fn open(
        &self,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<SmtpConnection, lettre::transport::smtp::Error> {
        let hello = ClientId::default();
        let wrapper = match &self.tls {
            Some((params, true)) => Some(params),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &hello,
            wrapper,
            None,
        )?;
        if let Some((params, false)) = &self.tls {
            conn.starttls(params, &hello)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)?;
        }
        let info = conn.server_info();
        let mut options = Vec::new();
        let non_ascii = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii && info.supports_feature(Extension::SmtpUtfEight) {
            options.push(MailParameter::SmtpUtfEight);
        }
        if !message.is_ascii() && info.supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let steps = (|| {
            conn.command(Mail::new(envelope.from().cloned(), options))?;
            for to in envelope.to() {
                conn.command(Rcpt::new(to.clone(), Vec::new()))?;
            }
            conn.command(Data)
        })();
        match steps {
            Ok(_) => Ok(conn),
            Err(e) => {
                conn.abort();
                Err(e)
            }
        }
    }
}

impl Pending {
    /// The last step: the message's data and the final `.` (the server's
    /// acceptance), or the `.eml` file renamed into place.
    fn finish(&mut self, mail: &OutboxEntry) -> Result<(), Failure> {
        match self {
            Pending::Files(dir) => write_file(dir, mail).map_err(|e| Failure::Transient {
                message: format!("cannot write to {}: {e}", dir.display()),
                unreachable: true,
            }),
            Pending::Smtp(conn) => conn
                .message(&mail.message)
                .map(|_| ())
                .map_err(smtp_failure),
        }
    }

    /// Ends the session (QUIT, whose answer does not matter any more).
    fn close(self) {
        if let Pending::Smtp(mut conn) = self {
            conn.abort();
        }
    }
}

fn transport(smtp: &Smtp) -> Result<SmtpSession, String> {
    let tls = match smtp.tls {
        Tls::None => None,
        Tls::Starttls | Tls::Implicit => {
            let mut params = TlsParameters::builder(smtp.host.clone());
            if let Some(ca) = &smtp.ca_file {
                let pem =
                    std::fs::read(ca).map_err(|e| format!("smtp ca_file {}: {e}", ca.display()))?;
                let cert = Certificate::from_pem(&pem)
                    .map_err(|e| format!("smtp ca_file {}: {e}", ca.display()))?;
                params = params.add_root_certificate(cert);
            }
            let params = params.build().map_err(|e| format!("smtp TLS setup: {e}"))?;
            Some((params, smtp.tls == Tls::Implicit))
        }
    };
    let mut session = SmtpSession {
        host: smtp.host.clone(),
        port: smtp.port,
        tls,
        credentials: None,
        timeout: Duration::from_secs(smtp.timeout.as_seconds().max(1) as u64),
    };
    if let Some(user) = &smtp.user {
        let password = match &smtp.password {
            Some(secret) => secret.read("smtp").map_err(|e| e.to_string())?,
            None => {
                return Err(
                    "smtp: `user` is set but neither `password_file` nor `password_credential`"
                        .into(),
                );
            }
        };
        session.credentials = Some(Credentials::new(user.clone(), password));
    }
    Ok(session)
}

fn write_file(dir: &std::path::Path, mail: &OutboxEntry) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name: String = mail
        .key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let tmp = dir.join(format!(".{name}.eml.tmp"));
    std::fs::write(&tmp, &mail.message)?;
    // Renaming makes the file appear whole or not at all.
    std::fs::rename(&tmp, dir.join(format!("{name}.eml")))
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use crate::time::Span;

    #[test]
    fn backoff_doubles_from_a_minute_up_to_an_hour() {
        assert_eq!(backoff(1), Span::minutes(1));
        assert_eq!(backoff(2), Span::minutes(2));
        assert_eq!(backoff(4), Span::minutes(8));
        assert_eq!(backoff(9), Span::hours(1));
    }
}
