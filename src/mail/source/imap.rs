//! IMAP mailboxes, behind a small trait.
//!
//! [`Mailstore`] is all secdesk asks of an IMAP server: examine a mailbox,
//! list UIDs above a cursor, fetch bodies without setting `\Seen`, add
//! `\Seen`, move messages. [`connect`] implements it over the `imap` crate
//! (kept behind the trait because that crate is an alpha), with connect and
//! read time-outs, implicit TLS or STARTTLS, and an optional private CA.
//! Errors name the account and never carry the password.

use crate::config::{ImapAccount, Tls};
use crate::text::one_line;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Why talking to an IMAP server failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {error}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's error (in the message, not a `source()`).
        error: std::io::Error,
    },
    /// No TCP connection could be made.
    #[error("cannot connect to {host}:{port}: {error}")]
    Connect {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// The last connect error (in the message, not a `source()`).
        error: std::io::Error,
    },
    /// The TLS handshake failed (untrusted or mismatched certificate, …).
    #[error("TLS with {host} failed: {message}")]
    Tls {
        /// The host.
        host: String,
        /// The TLS library's message.
        message: String,
    },
    /// The CA file could not be read or is not PEM.
    #[error("CA file {path}: {message}")]
    CaFile {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The server refused the login (the password is never in the message).
    #[error("login as {user} refused: {message}")]
    Login {
        /// The user.
        user: String,
        /// The server's answer.
        message: String,
    },
    /// The server answered NO or BAD (a missing mailbox, a full quota):
    /// asking again will not help.
    #[error("{doing}: server said: {message}")]
    Refused {
        /// What secdesk was doing.
        doing: String,
        /// The server's answer.
        message: String,
    },
    /// STARTTLS was asked for and the server does not offer it.
    #[error("server does not offer STARTTLS; refusing to log in over plaintext")]
    NoStartTls,
    /// The server sent something else than expected, or the connection
    /// broke mid-command.
    #[error("{doing}: {message}")]
    Protocol {
        /// What secdesk was doing.
        doing: String,
        /// The error.
        message: String,
    },
}

impl Error {
    /// Whether trying again in a moment could help (a dropped connection
    /// could; a refused password or an untrusted certificate cannot).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. } | Error::Protocol { .. } | Error::Resolve { .. }
        )
    }
}

/// What EXAMINE or SELECT says about a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxInfo {
    /// UIDVALIDITY: when it changes, old UIDs mean nothing.
    pub uidvalidity: u32,
    /// How many messages it holds.
    pub exists: u32,
}

/// One fetched message.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its UID.
    pub uid: u32,
    /// Its bytes.
    pub body: Vec<u8>,
}

/// All secdesk asks of an IMAP server.
pub trait Mailstore {
    /// Opens a mailbox read-only (EXAMINE).
    fn examine(&mut self, mailbox: &str) -> Result<MailboxInfo, Error>;
    /// Opens a mailbox read-write (SELECT), for mirroring.
    fn select(&mut self, mailbox: &str) -> Result<MailboxInfo, Error>;
    /// UIDs above `after`, ascending (UID SEARCH: a few bytes a message).
    fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, Error>;
    /// The sizes of these UIDs (RFC822.SIZE), for chunking by bytes.
    fn sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, u32)>, Error>;
    /// The bodies of these UIDs, at most `limit` bytes of each, without
    /// setting `\Seen` (`BODY.PEEK[]<0.LIMIT>`): the server never sends
    /// more of one message than secdesk keeps.
    fn fetch(&mut self, uids: &[u32], limit: u32) -> Result<Vec<Fetched>, Error>;
    /// Adds `\Seen` to these UIDs of the selected mailbox.
    fn add_seen(&mut self, uids: &[u32]) -> Result<(), Error>;
    /// Moves these UIDs of the selected mailbox to `target`, creating it
    /// when missing: MOVE where the server has it, else COPY, `\Deleted`
    /// and UID EXPUNGE. A message is never deleted before it was copied.
    fn move_to(&mut self, uids: &[u32], target: &str) -> Result<(), Error>;
    /// Says goodbye.
    fn logout(&mut self);
}

/// The byte stream under the IMAP session.
enum Stream {
    Plain(TcpStream),
    Tls(Box<native_tls::TlsStream<TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// A logged-in IMAP session.
pub struct Session {
    session: imap::Session<Stream>,
    has_move: bool,
    has_uidplus: bool,
}

fn protocol(doing: &str) -> impl FnOnce(imap::Error) -> Error + '_ {
    move |e| match e {
        imap::Error::No(r) => Error::Refused {
            doing: doing.to_string(),
            message: one_line(&r.information),
        },
        imap::Error::Bad(r) => Error::Refused {
            doing: doing.to_string(),
            message: one_line(&r.information),
        },
        other => Error::Protocol {
            doing: doing.to_string(),
            message: one_line(&other.to_string()),
        },
    }
}

fn tls_connector(account: &ImapAccount) -> Result<native_tls::TlsConnector, Error> {
    let mut builder = native_tls::TlsConnector::builder();
    if let Some(path) = &account.ca_file {
        let pem = std::fs::read(path).map_err(|e| Error::CaFile {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let cert = native_tls::Certificate::from_pem(&pem).map_err(|e| Error::CaFile {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| Error::Tls {
        host: account.host.clone(),
        message: e.to_string(),
    })
}

fn handshake(
    connector: &native_tls::TlsConnector,
    host: &str,
    tcp: TcpStream,
) -> Result<Stream, Error> {
    connector
        .connect(host, tcp)
        .map(|s| Stream::Tls(Box::new(s)))
        .map_err(|e| Error::Tls {
            host: host.to_string(),
            message: one_line(&e.to_string()),
        })
}

fn tcp(account: &ImapAccount) -> Result<TcpStream, Error> {
    let timeout = Duration::from_secs(account.timeout.as_seconds().max(1) as u64);
    let addrs = (account.host.as_str(), account.port)
        .to_socket_addrs()
        .map_err(|error| Error::Resolve {
            host: account.host.clone(),
            error,
        })?;
    let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                let set = s
                    .set_read_timeout(Some(timeout))
                    .and_then(|_| s.set_write_timeout(Some(timeout)));
                if let Err(e) = set {
                    last = e;
                    continue;
                }
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(Error::Connect {
        host: account.host.clone(),
        port: account.port,
        error: last,
    })
}

/// Reads one CRLF-terminated line byte by byte, so that nothing after it
/// (the TLS handshake) is consumed. Lines longer than 8 KiB are an error.
fn read_line(tcp: &mut TcpStream) -> Result<String, Error> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") {
        let n = tcp.read(&mut byte).map_err(|e| Error::Protocol {
            doing: "STARTTLS".into(),
            message: e.to_string(),
        })?;
        if n == 0 || line.len() > 8192 {
            return Err(Error::Protocol {
                doing: "STARTTLS".into(),
                message: "connection closed".into(),
            });
        }
        line.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_string())
}

/// Upgrades a fresh connection with STARTTLS (RFC 3501 6.2.1) by hand:
/// the `imap` crate does not expose it on a client it did not build.
fn starttls(mut tcp: TcpStream) -> Result<TcpStream, Error> {
    let greeting = read_line(&mut tcp)?;
    if !greeting.starts_with("* OK") {
        return Err(Error::Protocol {
            doing: "read greeting".into(),
            message: one_line(&greeting),
        });
    }
    tcp.write_all(b"s0 STARTTLS\r\n")
        .map_err(|e| Error::Protocol {
            doing: "STARTTLS".into(),
            message: e.to_string(),
        })?;
    loop {
        let line = read_line(&mut tcp)?;
        if line.starts_with("s0 OK") {
            return Ok(tcp);
        }
        if line.starts_with("s0 ") {
            return Err(Error::NoStartTls);
        }
    }
}

/// Connects and logs in. The password is used for LOGIN and dropped.
pub fn connect(account: &ImapAccount, password: &str) -> Result<Session, Error> {
    let tcp = tcp(account)?;
    let mut client = match account.tls {
        Tls::Implicit => {
            let stream = handshake(&tls_connector(account)?, &account.host, tcp)?;
            let mut c = imap::Client::new(stream);
            c.read_greeting().map_err(protocol("read greeting"))?;
            c
        }
        Tls::Starttls => {
            let tcp = starttls(tcp)?;
            let stream = handshake(&tls_connector(account)?, &account.host, tcp)?;
            let mut c = imap::Client::new(stream);
            c.greeting_read = true;
            c
        }
        Tls::None => {
            let mut c = imap::Client::new(Stream::Plain(tcp));
            c.read_greeting().map_err(protocol("read greeting"))?;
            c
        }
    };
    client.greeting_read = true;
    let mut session = client.login(&account.user, password).map_err(|(e, _)| {
        let message = match e {
            imap::Error::No(ref r) => one_line(&r.information),
            imap::Error::Bad(ref r) => one_line(&r.information),
            imap::Error::Validate(_) => {
                "the user name or password holds characters IMAP LOGIN cannot send".into()
            }
            other => one_line(&other.to_string()),
        };
        Error::Login {
            user: account.user.clone(),
            message,
        }
    })?;
    let caps = session.capabilities().map_err(protocol("CAPABILITY"))?;
    let has_move = caps.has_str("MOVE");
    let has_uidplus = caps.has_str("UIDPLUS");
    Ok(Session {
        session,
        has_move,
        has_uidplus,
    })
}

/// A sequence set (`1:5,9,12:14`) for sorted UIDs.
pub fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

fn info(m: &imap::types::Mailbox) -> MailboxInfo {
    MailboxInfo {
        uidvalidity: m.uid_validity.unwrap_or(0),
        exists: m.exists,
    }
}

impl Mailstore for Session {
    fn examine(&mut self, mailbox: &str) -> Result<MailboxInfo, Error> {
        let m = self
            .session
            .examine(mailbox)
            .map_err(protocol(&format!("EXAMINE {mailbox}")))?;
        Ok(info(&m))
    }

    fn select(&mut self, mailbox: &str) -> Result<MailboxInfo, Error> {
        let m = self
            .session
            .select(mailbox)
            .map_err(protocol(&format!("SELECT {mailbox}")))?;
        Ok(info(&m))
    }

    fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, Error> {
        let found = self
            .session
            .uid_search(format!("UID {}:*", after.saturating_add(1)))
            .map_err(protocol("UID SEARCH"))?;
        // `n:*` also matches the last message when n is above every UID.
        let mut out: Vec<u32> = found.into_iter().filter(|uid| *uid > after).collect();
        out.sort_unstable();
        Ok(out)
    }

    fn sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, u32)>, Error> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let fetches = self
            .session
            .uid_fetch(uid_set(uids), "(UID RFC822.SIZE)")
            .map_err(protocol("UID FETCH (RFC822.SIZE)"))?;
        let mut out: Vec<(u32, u32)> = fetches
            .iter()
            .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
            .collect();
        out.sort_unstable();
        out.dedup_by_key(|(uid, _)| *uid);
        Ok(out)
    }

    fn fetch(&mut self, uids: &[u32], limit: u32) -> Result<Vec<Fetched>, Error> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let fetches = self
            .session
            .uid_fetch(uid_set(uids), format!("(UID BODY.PEEK[]<0.{limit}>)"))
            .map_err(protocol("UID FETCH (BODY.PEEK[])"))?;
        let mut out: Vec<Fetched> = fetches
            .iter()
            .filter_map(|f| {
                Some(Fetched {
                    uid: f.uid?,
                    body: f.body()?.to_vec(),
                })
            })
            .collect();
        out.sort_by_key(|f| f.uid);
        out.dedup_by_key(|f| f.uid);
        Ok(out)
    }

    fn add_seen(&mut self, uids: &[u32]) -> Result<(), Error> {
        if uids.is_empty() {
            return Ok(());
        }
        self.session
            .uid_store(uid_set(uids), "+FLAGS.SILENT (\\Seen)")
            .map_err(protocol("UID STORE \\Seen"))?;
        Ok(())
    }

    fn move_to(&mut self, uids: &[u32], target: &str) -> Result<(), Error> {
        if uids.is_empty() {
            return Ok(());
        }
        // CREATE fails when the mailbox exists; that is fine.
        let _ = self.session.create(target);
        let set = uid_set(uids);
        if self.has_move {
            self.session
                .uid_mv(&set, target)
                .map_err(protocol(&format!("UID MOVE to {target}")))?;
            return Ok(());
        }
        self.session
            .uid_copy(&set, target)
            .map_err(protocol(&format!("UID COPY to {target}")))?;
        self.session
            .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
            .map_err(protocol("UID STORE \\Deleted"))?;
        if self.has_uidplus {
            self.session
                .uid_expunge(&set)
                .map_err(protocol("UID EXPUNGE"))?;
        } else {
            // Without UIDPLUS, EXPUNGE would also remove messages others
            // marked \Deleted; leave them flagged for the next expunge.
        }
        Ok(())
    }

    fn logout(&mut self) {
        let _ = self.session.logout();
    }
}

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
