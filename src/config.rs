//! The configuration file and the secrets it points at.
//!
//! One JSON file (the NixOS module writes it). Unknown keys and wrong types
//! are errors that name the file, the key and what was expected, because a
//! typo that silently disables a mailbox means missed disclosures. Secrets
//! are never in the file: each is a `*_file` path or a `*_credential` name
//! looked up in `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`).
//!
//! This module reads files; it never opens the database or the network.

use crate::time::{Instant, Span};
use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the configuration is looked for when neither `--config` nor
/// `$SECDESK_CONFIG` names one.
pub const SYSTEM_PATH: &str = "/etc/secdesk/config.json";

/// Errors reading or checking the configuration; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file named by `--config` or `$SECDESK_CONFIG` could not be read.
    /// The operating system's words are in the message and not a
    /// `source()`, so a printed cause chain does not say them twice.
    #[error("cannot read configuration {file}: {error}")]
    Read {
        /// The configuration file.
        file: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The file is not JSON.
    #[error("configuration {file}: not valid JSON: {message}")]
    Syntax {
        /// The configuration file.
        file: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A key secdesk does not know, most often a typo.
    #[error("configuration {file}: unknown key `{key}`, expected one of {expected}")]
    UnknownKey {
        /// The configuration file.
        file: PathBuf,
        /// The full path of the key, as `imap[0].pasword_file`.
        key: String,
        /// The keys allowed in that place.
        expected: String,
    },
    /// A key with a value of the wrong type or shape.
    #[error("configuration {file}: key `{key}`: {expected}")]
    Invalid {
        /// The configuration file.
        file: PathBuf,
        /// The full path of the key.
        key: String,
        /// What was found and what was expected.
        expected: String,
    },
    /// A secret could not be read from its file or credential.
    #[error("{what}: cannot read secret {location}: {reason}")]
    Secret {
        /// Which setting wanted the secret, as `imap account lists`.
        what: String,
        /// The file or credential name (never the secret).
        location: String,
        /// Why it could not be read.
        reason: String,
    },
}

/// The whole configuration, checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The SQLite database every program shares.
    #[serde(default = "default_database")]
    pub database: PathBuf,
    /// Supported releases, in the order reports show them.
    #[serde(default = "default_releases")]
    pub releases: Vec<String>,
    /// IMAP accounts to fetch from; empty means ingest only reads
    /// `--maildir`/`--mbox`.
    #[serde(default)]
    pub imap: Vec<ImapAccount>,
    /// Outgoing mail server; without one, mail is written as `.eml` files.
    #[serde(default)]
    pub smtp: Option<Smtp>,
    /// Where mail goes as `.eml` files when there is no `smtp`.
    #[serde(default = "default_outbox_dir")]
    pub outbox_dir: PathBuf,
    /// The security team.
    #[serde(default)]
    pub team: Vec<Member>,
    /// The on-call rotation.
    #[serde(default)]
    pub rotation: Option<Rotation>,
    /// The daily triage report.
    #[serde(default)]
    pub report: Report,
    /// Runbook links shown on issues whose packages or title match.
    #[serde(default)]
    pub runbooks: Vec<Runbook>,
    /// The Bat-Signal's settings, read by the Bat-Signal (not built yet).
    #[serde(default)]
    pub signal: Option<Signal>,
    /// Advisories: ids, who sends them, where they are rendered.
    #[serde(default)]
    pub advisory: Option<Advisory>,
    /// Fix tracking from the package repository (`secdesk-fix-track`).
    #[serde(default)]
    pub fixes: Option<Fixes>,
    /// The public static site (`secdesk-site-render`); every key optional.
    #[serde(default)]
    pub site: Site,
    /// The most bytes ingest keeps of one message (default 64 MiB, well
    /// above any list's limit); a larger message is stored cut at this many
    /// bytes with the problem `truncated`, so one hostile mail cannot stop
    /// ingest or exhaust memory. Between [`MIN_MESSAGE_BYTES`] and
    /// [`MAX_MESSAGE_BYTES`].
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u64,
    /// Where each timer job, after a successful run, writes its metrics
    /// for node exporter's textfile collector, as `secdesk-<job>.prom`
    /// (replaced whole; see `docs/monitoring.md`). Relative to the
    /// configuration file's directory. Unset: no metrics.
    #[serde(default)]
    pub metrics_dir: Option<PathBuf>,
    /// A file holding the heartbeat URL (healthchecks-style), fetched with
    /// a GET after each successful run of a timer job. The URL is a secret:
    /// whoever has it can say the desk is alive.
    #[serde(default)]
    heartbeat_url_file: Option<PathBuf>,
    /// The heartbeat URL as a systemd credential name.
    #[serde(default)]
    heartbeat_url_credential: Option<String>,
    /// Refused when present: a URL that carries its check's token is a
    /// secret and has no place in the file (`heartbeat_url_file` or
    /// `heartbeat_url_credential` instead).
    #[serde(default)]
    heartbeat_url: Option<serde_json::Value>,
}

/// The smallest `max_message_bytes` accepted: 1 KiB, room for headers.
pub const MIN_MESSAGE_BYTES: u64 = 1 << 10;
/// The largest `max_message_bytes` accepted: 512 MiB, half of SQLite's
/// largest value (1,000,000,000 bytes), so a kept message always fits.
pub const MAX_MESSAGE_BYTES: u64 = 512 << 20;

fn default_max_message_bytes() -> u64 {
    64 << 20
}

fn default_database() -> PathBuf {
    PathBuf::from("secdesk.sqlite")
}

fn default_outbox_dir() -> PathBuf {
    PathBuf::from("outbox")
}

fn default_releases() -> Vec<String> {
    // The releases supported on 2026-12-02: 25.05 and 25.11 are past their
    // end of life.
    vec!["26.05".into(), "26.11".into(), "unstable".into()]
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database: default_database(),
            releases: default_releases(),
            imap: Vec::new(),
            smtp: None,
            outbox_dir: default_outbox_dir(),
            team: Vec::new(),
            rotation: None,
            report: Report::default(),
            runbooks: Vec::new(),
            signal: None,
            advisory: None,
            fixes: None,
            site: Site::default(),
            max_message_bytes: default_max_message_bytes(),
            metrics_dir: None,
            heartbeat_url_file: None,
            heartbeat_url_credential: None,
            heartbeat_url: None,
        }
    }
}

/// How a connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Implicit,
    /// Plain connection upgraded with STARTTLS, refused if the server cannot.
    Starttls,
    /// No encryption at all: only for a relay on loopback; warned about.
    None,
}

/// A password given as a file or as a systemd credential name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// A file holding the password (trailing newline ignored).
    File(PathBuf),
    /// A credential name, read from `$CREDENTIALS_DIRECTORY/NAME`.
    Credential(String),
}

impl SecretRef {
    fn from_keys(file: Option<PathBuf>, credential: Option<String>) -> Option<SecretRef> {
        match (file, credential) {
            (Some(f), _) => Some(SecretRef::File(f)),
            (None, Some(c)) => Some(SecretRef::Credential(c)),
            (None, None) => None,
        }
    }

    /// Where the secret is, for messages: the file, or `credential NAME`.
    pub fn location(&self) -> String {
        match self {
            SecretRef::File(p) => p.display().to_string(),
            SecretRef::Credential(c) => format!("credential {c}"),
        }
    }

    /// Reads the secret as [`SecretRef::read`] does, refusing a file that
    /// its group or others may read (the Bat-Signal's contacts and token
    /// key: a copy anyone on the machine can read is not private).
    pub fn read_private(&self, what: &str) -> Result<String, Error> {
        if let SecretRef::File(path) = self {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(path).map_err(|e| Error::Secret {
                what: what.into(),
                location: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::Secret {
                    what: what.into(),
                    location: path.display().to_string(),
                    reason: format!(
                        "mode {mode:04o} lets group or others read it, expected 0600 or 0400 (chmod go= {})",
                        path.display()
                    ),
                });
            }
        }
        self.read(what)
    }

    /// Reads the secret; `what` names the setting in the error. The error
    /// names the file or credential, never the secret.
    pub fn read(&self, what: &str) -> Result<String, Error> {
        let path = match self {
            SecretRef::File(path) => path.clone(),
            SecretRef::Credential(name) => {
                let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") else {
                    return Err(Error::Secret {
                        what: what.into(),
                        location: format!("credential {name}"),
                        reason: "$CREDENTIALS_DIRECTORY is not set".into(),
                    });
                };
                if name.contains('/') {
                    return Err(Error::Secret {
                        what: what.into(),
                        location: format!("credential {name}"),
                        reason: "a credential name cannot contain `/`".into(),
                    });
                }
                Path::new(&dir).join(name)
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Secret {
            what: what.into(),
            location: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(text.trim_end_matches(['\n', '\r']).to_string())
    }
}

/// One IMAP account and the mailboxes to fetch from it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, from = "ImapAccountFile")]
pub struct ImapAccount {
    /// A short name used in logs, health and errors.
    pub name: String,
    /// Server host name.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// How the connection is secured.
    pub tls: Tls,
    /// Login name.
    pub user: String,
    /// The password's file or credential.
    pub password: Option<SecretRef>,
    /// Mailboxes to fetch, as the server names them.
    pub mailboxes: Vec<String>,
    /// A PEM file with the CA that signed the server's certificate.
    pub ca_file: Option<PathBuf>,
    /// Where messages of finished issues are moved; enables mirroring.
    pub archive_mailbox: Option<String>,
    /// Mirror claims and closures back to the mailbox (default: on when
    /// `archive_mailbox` is set).
    pub mirror: bool,
    /// Connect and read time-out.
    pub timeout: Span,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImapAccountFile {
    name: String,
    host: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default = "default_tls")]
    tls: Tls,
    user: String,
    #[serde(default)]
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_credential: Option<String>,
    #[serde(default = "default_mailboxes")]
    mailboxes: Vec<String>,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    #[serde(default)]
    archive_mailbox: Option<String>,
    #[serde(default)]
    mirror: Option<bool>,
    #[serde(default)]
    timeout: Option<Span>,
}

fn default_tls() -> Tls {
    Tls::Implicit
}

fn default_mailboxes() -> Vec<String> {
    vec!["INBOX".into()]
}

impl From<ImapAccountFile> for ImapAccount {
    fn from(f: ImapAccountFile) -> ImapAccount {
        let port = f.port.unwrap_or(match f.tls {
            Tls::Implicit => 993,
            Tls::Starttls | Tls::None => 143,
        });
        ImapAccount {
            mirror: f.mirror.unwrap_or(f.archive_mailbox.is_some()),
            name: f.name,
            host: f.host,
            port,
            tls: f.tls,
            user: f.user,
            password: SecretRef::from_keys(f.password_file, f.password_credential),
            mailboxes: f.mailboxes,
            ca_file: f.ca_file,
            archive_mailbox: f.archive_mailbox,
            timeout: f.timeout.unwrap_or(Span::seconds(30)),
        }
    }
}

/// The outgoing mail server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, from = "SmtpFile")]
pub struct Smtp {
    /// Server host name.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// How the connection is secured.
    pub tls: Tls,
    /// Login name, when the server wants one.
    pub user: Option<String>,
    /// The password's file or credential.
    pub password: Option<SecretRef>,
    /// A PEM file with the CA that signed the server's certificate.
    pub ca_file: Option<PathBuf>,
    /// The From address of every mail secdesk sends.
    pub from: String,
    /// Connect and read time-out.
    pub timeout: Span,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmtpFile {
    host: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default = "default_smtp_tls")]
    tls: Tls,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    password_file: Option<PathBuf>,
    #[serde(default)]
    password_credential: Option<String>,
    #[serde(default)]
    ca_file: Option<PathBuf>,
    from: String,
    #[serde(default)]
    timeout: Option<Span>,
}

fn default_smtp_tls() -> Tls {
    Tls::Starttls
}

impl From<SmtpFile> for Smtp {
    fn from(f: SmtpFile) -> Smtp {
        let port = f.port.unwrap_or(match f.tls {
            Tls::Implicit => 465,
            Tls::Starttls => 587,
            Tls::None => 25,
        });
        Smtp {
            host: f.host,
            port,
            tls: f.tls,
            user: f.user,
            password: SecretRef::from_keys(f.password_file, f.password_credential),
            ca_file: f.ca_file,
            from: f.from,
            timeout: f.timeout.unwrap_or(Span::seconds(30)),
        }
    }
}

/// One member of the security team.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The short id used everywhere (`--as`, `rotation.order`, claims).
    pub id: String,
    /// The name mail greets them with.
    #[serde(default)]
    pub name: Option<String>,
    /// Where their reminders and handoffs go.
    #[serde(default)]
    pub email: Option<String>,
    /// Their zone, used only to say times in their local time.
    #[serde(default = "default_tz", deserialize_with = "de_tz")]
    pub timezone: Tz,
    /// Bat-Signal roles they can fill (informational; who is paged for a
    /// role is `signal.roles`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// The hours of their day, in their `timezone`, when the Bat-Signal
    /// pages them first (`"08:00-22:00"`, the default; may wrap midnight).
    #[serde(default)]
    pub awake: Awake,
    /// The Unix login that maps to this member when `--as` is not given.
    #[serde(default)]
    pub unix_user: Option<String>,
}

impl Member {
    /// The name to greet them with: `name`, else the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

fn default_tz() -> Tz {
    Tz::UTC
}

fn de_tz<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let text = String::deserialize(d)?;
    text.parse::<Tz>().map_err(|_| {
        serde::de::Error::custom(format!(
            "unknown time zone {text:?}, expected an IANA zone name like \"Europe/Berlin\""
        ))
    })
}

/// The on-call rotation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// The day the first shift starts (at `handoff`, with `order[0]`).
    #[serde(deserialize_with = "de_date")]
    pub start: NaiveDate,
    /// Time of day, UTC, at which shifts change.
    #[serde(default = "default_handoff", deserialize_with = "de_time")]
    pub handoff: NaiveTime,
    /// Member ids in rotation order.
    pub order: Vec<String>,
    /// How long before a shift its reminder goes out.
    #[serde(default = "default_remind_before")]
    pub remind_before: Span,
}

fn default_handoff() -> NaiveTime {
    NaiveTime::MIN
}

fn default_remind_before() -> Span {
    Span::hours(12)
}

fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
        serde::de::Error::custom(format!("invalid date {text:?}, expected YYYY-MM-DD"))
    })
}

fn de_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let text = String::deserialize(d)?;
    NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| {
        serde::de::Error::custom(format!(
            "invalid time {text:?}, expected HH:MM (24-hour, UTC)"
        ))
    })
}

/// The hours of a member's day when they are awake, `HH:MM-HH:MM` in
/// their own zone; `to` before `from` wraps midnight (`"20:00-06:00"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Awake {
    /// When the day starts.
    pub from: NaiveTime,
    /// When it ends (excluded).
    pub to: NaiveTime,
}

impl Default for Awake {
    fn default() -> Awake {
        Awake {
            from: NaiveTime::from_hms_opt(8, 0, 0).expect("08:00 is a time"),
            to: NaiveTime::from_hms_opt(22, 0, 0).expect("22:00 is a time"),
        }
    }
}

impl Awake {
    /// Whether `time` (local) lies inside these hours.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.from <= self.to {
            self.from <= time && time < self.to
        } else {
            time >= self.from || time < self.to
        }
    }
}

impl<'de> Deserialize<'de> for Awake {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bad = || {
            serde::de::Error::custom(format!(
                "invalid hours {text:?}, expected HH:MM-HH:MM in the member's zone, like \"08:00-22:00\""
            ))
        };
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let from = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
        let to = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
        if from == to {
            return Err(bad());
        }
        Ok(Awake { from, to })
    }
}

/// The daily triage report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Recipients.
    #[serde(default)]
    pub to: Vec<String>,
    /// A mailbox not fetched successfully for longer than this is loud in
    /// the report and trips the dead man's switch.
    #[serde(default = "default_stale")]
    pub stale_ingest_after: Span,
}

fn default_stale() -> Span {
    Span::hours(1)
}

impl Default for Report {
    fn default() -> Report {
        Report {
            to: Vec::new(),
            stale_ingest_after: default_stale(),
        }
    }
}

/// The `advisory` settings: how advisory ids look, who sends the
/// announcement to the list (the rendered text is mailed to them), where
/// `secdesk-advisory-render` writes its files, and the repository OSV
/// ranges name. Any other key is refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisory {
    /// The id prefix: ids are `<prefix>-YYYY-NNNN` (`NIXSA`).
    pub id_prefix: String,
    /// The member who sends the announcement to the list (has an `email`).
    pub sender: String,
    /// The announce list's address, for the text's headers.
    pub list: String,
    /// Where rendered files go (default `advisories` beside the database).
    #[serde(default)]
    pub out_dir: Option<PathBuf>,
    /// The package repository URL used in OSV `GIT` ranges.
    #[serde(default)]
    pub repository: Option<String>,
    /// The publisher's name in CSAF (default: the id prefix).
    #[serde(default)]
    pub publisher_name: Option<String>,
    /// The publisher's namespace URL in CSAF (default: the repository).
    #[serde(default)]
    pub publisher_namespace: Option<String>,
    /// The team's own template of the announcement text (minijinja; the
    /// embedded default when absent). The text still keeps one-line
    /// headers and 72 columns.
    #[serde(default)]
    pub template_file: Option<PathBuf>,
}

impl Advisory {
    /// The directory rendered files go to: `out_dir`, or `advisories`
    /// beside `database`.
    pub fn out_dir(&self, database: &Path) -> PathBuf {
        match &self.out_dir {
            Some(d) => d.clone(),
            None => database_dir(database).join("advisories"),
        }
    }
}

/// The `fixes` settings: where the local clone of the package repository
/// lives, what it is fetched from, each release's branch and channel
/// branch, when a missing backport is reported, and how far back the first
/// scan walks. Any other key is refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixes {
    /// The local clone (a relative path is taken from the configuration
    /// file's directory). `secdesk-fix-track` creates it from `remote`.
    pub repo: PathBuf,
    /// The URL fetched from; without it the job never fetches.
    #[serde(default)]
    pub remote: Option<String>,
    /// Release → the branch its fixes land on (`"26.05": "release-26.05"`).
    pub branches: BTreeMap<String, String>,
    /// Release → the channel branch users get (`"26.05": "nixos-26.05"`).
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
    /// How long after a fix on `unstable`'s branch a release still
    /// `affected` or `unknown` counts as a missing backport (default 7d).
    #[serde(default = "default_backport_after")]
    pub backport_after: Span,
    /// The first scan walks back to this date (`YYYY-MM-DD`, UTC).
    #[serde(deserialize_with = "de_since")]
    pub since: Instant,
}

fn default_backport_after() -> Span {
    Span::hours(7 * 24)
}

fn de_since<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
    let text = String::deserialize(d)?;
    crate::time::parse_date_or_instant(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "invalid date {text:?}, expected a date like \"2026-01-01\""
        ))
    })
}

impl Fixes {
    /// Whether `name` is safe to hand to git as a branch: a plain ref
    /// name, never an option or a revision expression.
    pub fn branch_name_ok(name: &str) -> bool {
        !name.is_empty()
            && !name.starts_with('-')
            && !name.starts_with('/')
            && !name.ends_with('/')
            && !name.ends_with(".lock")
            && !name.contains("..")
            && !name.contains("//")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    }
}

/// The `site` settings of `secdesk-site-render`: where the public static
/// site is written, what it is called, where it is served from, the
/// team's templates and the public archives of each list. Every key is
/// optional; any other key is refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Where the site is written (default `site` beside the database).
    #[serde(default)]
    pub out_dir: Option<PathBuf>,
    /// The site's title (default `Security tracker`).
    #[serde(default)]
    pub title: Option<String>,
    /// The public URL the site is served from, ending in `/`
    /// (`https://security.example.org/`): the feed's links and ids use
    /// it; without it the feed's links are relative to the feed.
    #[serde(default)]
    pub base_url: Option<String>,
    /// A directory of the team's own templates (minijinja, HTML
    /// auto-escaped): a file there named like an embedded template
    /// (`issue.html`, `base.html`, …) replaces it.
    #[serde(default)]
    pub template_dir: Option<PathBuf>,
    /// Per source word (`oss-security`, `debian`, …), the public archive
    /// URL of a message, with `{message_id}` replaced by the Message-ID
    /// (percent-encoded); sources not named keep the built-in links.
    #[serde(default)]
    pub archive_urls: std::collections::BTreeMap<String, String>,
}

impl Site {
    /// The first key of the section that is wrong, and what was expected;
    /// `sources` are the source words a message can have (the caller's,
    /// so that configuration stays below `mail`).
    fn problem(&self, sources: &[&str]) -> Option<(String, String)> {
        if let Some(url) = &self.base_url {
            let scheme = url.starts_with("https://") || url.starts_with("http://");
            if !scheme || !url.ends_with('/') || url.chars().any(|c| c.is_whitespace() || c == '"')
            {
                return Some((
                    "site.base_url".into(),
                    format!("invalid URL {url:?}, expected http:// or https:// ending in `/`"),
                ));
            }
        }
        for (source, pattern) in &self.archive_urls {
            let key = format!("site.archive_urls.{source}");
            if !sources.contains(&source.as_str()) {
                return Some((
                    key,
                    format!(
                        "unknown source {source:?}, expected one of {}",
                        sources.join(", ")
                    ),
                ));
            }
            let scheme = pattern.starts_with("https://") || pattern.starts_with("http://");
            if !scheme || !pattern.contains("{message_id}") {
                return Some((
                    key,
                    format!(
                        "invalid pattern {pattern:?}, expected an http(s) URL containing {{message_id}}"
                    ),
                ));
            }
        }
        None
    }

    /// The directory the site is written to: `out_dir`, or `site` beside
    /// `database`.
    pub fn out_dir(&self, database: &Path) -> PathBuf {
        match &self.out_dir {
            Some(d) => d.clone(),
            None => database_dir(database).join("site"),
        }
    }
}

/// A runbook link and what it applies to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Runbook {
    /// Package names or title keywords, matched case-insensitively.
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    /// Where the runbook lives.
    pub url: String,
    /// A short name for it.
    #[serde(default)]
    pub title: Option<String>,
}

/// The Bat-Signal's settings: who can be paged for each role and how it
/// escalates, where responders meet, and the two secrets (the private
/// contacts and the reply-token key), each a `*_file` or `*_credential`
/// as the passwords are. Any other key is refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, from = "SignalFile")]
pub struct Signal {
    /// Role → member ids in the order they are paged; members opt in by
    /// being listed. Kept in the file's order, so the four seed roles
    /// (`coordination`, `package-fixing`, `qa`, `release-engineering`)
    /// come in the order written.
    pub roles: Vec<(String, Vec<String>)>,
    /// How long a page waits for an ack before the next member is paged.
    pub ack_timeout: Span,
    /// How many times a role's list is gone through before every member
    /// of it is paged at once.
    pub rounds: u32,
    /// Where responders meet (a chat room link).
    pub war_room: Option<String>,
    /// The incident checklist.
    pub checklist: Option<String>,
    /// The address replies go to, plus-addressed with each page's token;
    /// it must be a mailbox `secdesk-ingest` reads.
    pub reply_to: Option<String>,
    /// Packages whose issues, once raised to critical, make secdesk
    /// propose a Bat-Signal to the member on call.
    pub core_packages: Vec<String>,
    /// The contact details' file or credential.
    pub contacts: Option<SecretRef>,
    /// The reply-token key's file or credential.
    pub token_secret: Option<SecretRef>,
}

/// The role names a Bat-Signal has when `signal.roles` is not given.
pub const SEED_ROLES: [&str; 4] = [
    "coordination",
    "package-fixing",
    "qa",
    "release-engineering",
];

/// The role whose first ack takes the incident lead's baton.
pub const COORDINATION: &str = "coordination";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalFile {
    #[serde(default)]
    roles: Option<std::collections::BTreeMap<String, Vec<String>>>,
    #[serde(default = "default_ack_timeout")]
    ack_timeout: Span,
    #[serde(default = "default_rounds")]
    rounds: u32,
    #[serde(default)]
    war_room: Option<String>,
    #[serde(default)]
    checklist: Option<String>,
    #[serde(default)]
    reply_to: Option<String>,
    #[serde(default)]
    core_packages: Vec<String>,
    #[serde(default)]
    contacts_file: Option<PathBuf>,
    #[serde(default)]
    contacts_credential: Option<String>,
    #[serde(default)]
    token_secret_file: Option<PathBuf>,
    #[serde(default)]
    token_secret_credential: Option<String>,
}

fn default_ack_timeout() -> Span {
    Span::minutes(15)
}

fn default_rounds() -> u32 {
    2
}

impl From<SignalFile> for Signal {
    fn from(f: SignalFile) -> Signal {
        // Roles come sorted by name (serde_json's map is ordered by key);
        // the order of roles only changes how lists are shown, never who
        // is paged.
        let roles = match f.roles {
            None => SEED_ROLES
                .iter()
                .map(|r| (r.to_string(), Vec::new()))
                .collect(),
            Some(map) => map.into_iter().collect(),
        };
        Signal {
            roles,
            ack_timeout: f.ack_timeout,
            rounds: f.rounds,
            war_room: f.war_room,
            checklist: f.checklist,
            reply_to: f.reply_to,
            core_packages: f.core_packages,
            contacts: SecretRef::from_keys(f.contacts_file, f.contacts_credential),
            token_secret: SecretRef::from_keys(f.token_secret_file, f.token_secret_credential),
        }
    }
}

impl Signal {
    /// The members listed for `role`, in order; empty for an unknown role.
    pub fn members(&self, role: &str) -> &[String] {
        self.roles
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[])
    }

    /// Reads the private contacts (`{"alice": ["alice-pager@example.net"]}`).
    /// A file readable by group or others is refused; errors name the
    /// file, never its content.
    pub fn read_contacts(&self) -> Result<std::collections::BTreeMap<String, Vec<String>>, Error> {
        let Some(secret) = &self.contacts else {
            return Ok(Default::default());
        };
        let text = secret.read_private("signal contacts")?;
        serde_json::from_str(&text).map_err(|e| Error::Secret {
            what: "signal contacts".into(),
            location: secret.location(),
            reason: format!(
                "not a JSON object of member id to a list of addresses ({})",
                e.classify_words()
            ),
        })
    }

    /// Reads the reply-token key; refused when group or others can read it.
    pub fn read_token_secret(&self) -> Result<Option<String>, Error> {
        match &self.token_secret {
            None => Ok(None),
            Some(s) => s.read_private("signal token secret").map(Some),
        }
    }
}

/// What serde_json's error says without quoting the input (a secret
/// file's content must never reach an error).
trait ClassifyWords {
    fn classify_words(&self) -> String;
}

impl ClassifyWords for serde_json::Error {
    fn classify_words(&self) -> String {
        format!(
            "{:?} error at line {} column {}",
            self.classify(),
            self.line(),
            self.column()
        )
        .to_lowercase()
    }
}

/// The directory a database file lies in (`.` for a bare file name):
/// where the files secdesk keeps beside it go (rendered advisories, the
/// site, the Bat-Signal's trigger file).
pub fn database_dir(database: &Path) -> &Path {
    database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Where the configuration came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file.
    File(PathBuf),
    /// No file: the embedded defaults.
    Embedded,
}

impl Origin {
    /// The file an error names: the configuration file, or
    /// `(embedded defaults)` when there is none.
    pub fn file(&self) -> PathBuf {
        match self {
            Origin::File(f) => f.clone(),
            Origin::Embedded => PathBuf::from("(embedded defaults)"),
        }
    }
}

impl Config {
    /// The heartbeat URL's secret reference (`heartbeat_url_file`, else
    /// `heartbeat_url_credential`), `None` when no heartbeat is configured.
    pub fn heartbeat_url(&self) -> Option<SecretRef> {
        SecretRef::from_keys(
            self.heartbeat_url_file.clone(),
            self.heartbeat_url_credential.clone(),
        )
    }

    /// Finds and loads the configuration: `explicit` (from `--config` or
    /// `$SECDESK_CONFIG`) must exist; otherwise [`SYSTEM_PATH`] is used when
    /// present; otherwise the embedded defaults.
    pub fn locate(explicit: Option<&Path>) -> Result<(Config, Origin), Error> {
        let file = match explicit {
            Some(path) => path.to_path_buf(),
            None if Path::new(SYSTEM_PATH).exists() => PathBuf::from(SYSTEM_PATH),
            None => return Ok((Config::default(), Origin::Embedded)),
        };
        let config = Config::load(&file)?;
        Ok((config, Origin::File(file)))
    }

    /// Reads and checks one file. A relative `database` is taken relative
    /// to the file's directory, not to wherever the program happens to
    /// run, so every program given this file opens the same database.
    pub fn load(file: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(file).map_err(|error| Error::Read {
            file: file.to_path_buf(),
            error,
        })?;
        let mut config = Config::parse(file, &text)?;
        if config.database.is_relative()
            && let Some(dir) = file.parent()
        {
            config.database = dir.join(&config.database);
        }
        if let Some(fixes) = config.fixes.as_mut()
            && fixes.repo.is_relative()
            && let Some(dir) = file.parent()
        {
            fixes.repo = dir.join(&fixes.repo);
        }
        if let Some(metrics) = &config.metrics_dir
            && metrics.is_relative()
            && let Some(dir) = file.parent()
        {
            config.metrics_dir = Some(dir.join(metrics));
        }
        Ok(config)
    }

    /// Parses and checks configuration text; `file` is only for messages.
    pub fn parse(file: &Path, text: &str) -> Result<Config, Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let config: Config = match serde_path_to_error::deserialize(&mut de) {
            Ok(c) => c,
            Err(err) => return Err(describe(file, err)),
        };
        config.check(file)?;
        Ok(config)
    }

    fn check(&self, file: &Path) -> Result<(), Error> {
        let invalid = |key: String, expected: String| Error::Invalid {
            file: file.to_path_buf(),
            key,
            expected,
        };
        let mut ids = BTreeSet::new();
        for (i, m) in self.team.iter().enumerate() {
            if m.id.trim().is_empty() {
                return Err(invalid(
                    format!("team[{i}].id"),
                    "expected a non-empty id".into(),
                ));
            }
            if !ids.insert(m.id.as_str()) {
                return Err(invalid(
                    format!("team[{i}].id"),
                    format!("duplicate member id {:?}, expected each id once", m.id),
                ));
            }
        }
        if self.releases.is_empty() {
            return Err(invalid(
                "releases".into(),
                "expected at least one release".into(),
            ));
        }
        if let Some(adv) = &self.advisory {
            let prefix_ok = !adv.id_prefix.is_empty()
                && adv
                    .id_prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !prefix_ok {
                return Err(invalid(
                    "advisory.id_prefix".into(),
                    format!(
                        "invalid prefix {:?}, expected letters, digits, `-` or `_` (`NIXSA`)",
                        adv.id_prefix
                    ),
                ));
            }
            match self.team.iter().find(|m| m.id == adv.sender) {
                None => {
                    return Err(invalid(
                        "advisory.sender".into(),
                        format!(
                            "unknown member {:?}, expected an id from `team`",
                            adv.sender
                        ),
                    ));
                }
                Some(m) if m.email.is_none() => {
                    return Err(invalid(
                        "advisory.sender".into(),
                        format!(
                            "member {:?} has no `email`, expected one: the rendered announcement is mailed to it",
                            adv.sender
                        ),
                    ));
                }
                Some(_) => {}
            }
            if adv.list.trim().is_empty() {
                return Err(invalid(
                    "advisory.list".into(),
                    "expected the announce list's address".into(),
                ));
            }
        }
        if let Some(fixes) = &self.fixes {
            for (section, map) in [("branches", &fixes.branches), ("channels", &fixes.channels)] {
                for (release, branch) in map {
                    if !self.releases.contains(release) {
                        return Err(invalid(
                            format!("fixes.{section}.{release}"),
                            format!(
                                "unknown release {release:?}, expected one of `releases` ({})",
                                self.releases.join(", ")
                            ),
                        ));
                    }
                    if !Fixes::branch_name_ok(branch) {
                        return Err(invalid(
                            format!("fixes.{section}.{release}"),
                            format!(
                                "{branch:?} is not a branch name, expected letters, digits, `-`, `_`, `.` and `/` (\"release-26.05\")"
                            ),
                        ));
                    }
                }
            }
            if fixes.branches.is_empty() {
                return Err(invalid(
                    "fixes.branches".into(),
                    "expected at least one release's branch (\"unstable\": \"master\")".into(),
                ));
            }
            if fixes.repo.as_os_str().is_empty() {
                return Err(invalid(
                    "fixes.repo".into(),
                    "empty, expected the path of the local clone".into(),
                ));
            }
        }
        if let Some(rot) = &self.rotation {
            if rot.order.is_empty() {
                return Err(invalid(
                    "rotation.order".into(),
                    "expected at least one member id".into(),
                ));
            }
            for (i, id) in rot.order.iter().enumerate() {
                if !ids.contains(id.as_str()) {
                    return Err(invalid(
                        format!("rotation.order[{i}]"),
                        format!("unknown member {id:?}, expected an id from `team`"),
                    ));
                }
            }
        }
        if let Some(signal) = &self.signal {
            self.check_signal(signal, &invalid)?;
        }
        if !(MIN_MESSAGE_BYTES..=MAX_MESSAGE_BYTES).contains(&self.max_message_bytes) {
            return Err(invalid(
                "max_message_bytes".into(),
                format!(
                    "{} is out of range, expected a number of bytes from {MIN_MESSAGE_BYTES} to {MAX_MESSAGE_BYTES}",
                    self.max_message_bytes
                ),
            ));
        }
        if self.heartbeat_url.is_some() {
            return Err(invalid(
                "heartbeat_url".into(),
                "the URL carries its check's secret token, so it is not written in the configuration; expected `heartbeat_url_file` (a file holding the URL) or `heartbeat_url_credential` (a systemd credential name)".into(),
            ));
        }
        let mut names = BTreeSet::new();
        for (i, acc) in self.imap.iter().enumerate() {
            if !names.insert(acc.name.as_str()) {
                return Err(invalid(
                    format!("imap[{i}].name"),
                    format!(
                        "duplicate account name {:?}, expected each name once",
                        acc.name
                    ),
                ));
            }
            if acc.mailboxes.is_empty() {
                return Err(invalid(
                    format!("imap[{i}].mailboxes"),
                    "expected at least one mailbox".into(),
                ));
            }
            if acc.password.is_none() {
                return Err(invalid(
                    format!("imap[{i}]"),
                    "expected `password_file` or `password_credential`".into(),
                ));
            }
        }
        Ok(())
    }

    fn check_signal(
        &self,
        signal: &Signal,
        invalid: &dyn Fn(String, String) -> Error,
    ) -> Result<(), Error> {
        for (role, ids) in &signal.roles {
            if role.trim().is_empty() || role.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid(
                    format!("signal.roles.{role}"),
                    "expected a role name without spaces, like \"package-fixing\"".into(),
                ));
            }
            let mut seen = BTreeSet::new();
            for (i, id) in ids.iter().enumerate() {
                let key = format!("signal.roles.{role}[{i}]");
                let Some(member) = self.member(id) else {
                    return Err(invalid(
                        key,
                        format!("unknown member {id:?}, expected an id from `team`"),
                    ));
                };
                if member.email.is_none() {
                    return Err(invalid(
                        key,
                        format!(
                            "member {id:?} has no `email`, expected one: every page goes to the member's team address as well as their private contacts"
                        ),
                    ));
                }
                if !seen.insert(id) {
                    return Err(invalid(
                        key,
                        format!("{id:?} is listed twice, expected each member once per role"),
                    ));
                }
            }
        }
        if signal.rounds == 0 {
            return Err(invalid(
                "signal.rounds".into(),
                "expected at least 1 round before everyone in a role is paged at once".into(),
            ));
        }
        if signal.ack_timeout.as_seconds() < 60 {
            return Err(invalid(
                "signal.ack_timeout".into(),
                format!(
                    "{} is too short, expected at least \"1m\" (rotate-notify runs once a minute while a signal is active)",
                    signal.ack_timeout
                ),
            ));
        }
        if let Some(reply_to) = &signal.reply_to
            && (reply_to.contains('+') || !reply_to.contains('@') || reply_to.contains('<'))
        {
            return Err(invalid(
                "signal.reply_to".into(),
                format!(
                    "{reply_to:?}, expected a bare address without `+`, like \"security@example.org\" (each page adds +TOKEN to it)"
                ),
            ));
        }
        Ok(())
    }

    /// The daily report's recipients; an error naming the file and key when
    /// there are none, since a report sent to nobody is a report lost.
    pub fn report_recipients(&self, origin: &Origin) -> Result<&[String], Error> {
        if self.report.to.is_empty() {
            let file = origin.file();
            return Err(Error::Invalid {
                file,
                key: "report.to".into(),
                expected: "expected at least one address to send the report to (or use --stdout)"
                    .into(),
            });
        }
        Ok(&self.report.to)
    }

    /// The `advisory` settings, or the error naming the file and the
    /// missing section (for `secdesk-advisory-render`).
    pub fn advisory_settings(&self, origin: &Origin) -> Result<&Advisory, Error> {
        self.advisory.as_ref().ok_or_else(|| Error::Invalid {
            file: origin.file(),
            key: "advisory".into(),
            expected:
                "expected an `advisory` section (id_prefix, sender, list) to render advisories"
                    .into(),
        })
    }

    /// The first configured release that `fixes.branches` gives no
    /// branch, when fix tracking is configured (`check-config` refuses it;
    /// `secdesk-fix-track` says so and scans the others).
    pub fn release_without_branch(&self) -> Option<&str> {
        let fixes = self.fixes.as_ref()?;
        self.releases
            .iter()
            .find(|r| !fixes.branches.contains_key(*r))
            .map(String::as_str)
    }

    /// The `fixes` settings, or the error naming the file and the missing
    /// section (for `secdesk-fix-track` and `secdesk fix`).
    pub fn fixes_settings(&self, origin: &Origin) -> Result<&Fixes, Error> {
        self.fixes.as_ref().ok_or_else(|| Error::Invalid {
            file: origin.file(),
            key: "fixes".into(),
            expected: "expected a `fixes` section (repo, branches, since) to track fixes".into(),
        })
    }

    /// The `site` settings once checked (`base_url`'s form, each
    /// `archive_urls` key one of `sources` and each pattern an http(s)
    /// URL with `{message_id}`), else the error naming the file and key
    /// (for `secdesk-site-render`).
    pub fn site_settings(&self, origin: &Origin, sources: &[&str]) -> Result<&Site, Error> {
        match self.site.problem(sources) {
            None => Ok(&self.site),
            Some((key, expected)) => Err(Error::Invalid {
                file: origin.file(),
                key,
                expected,
            }),
        }
    }

    /// How a member id is shown to people: the member's name, else the id
    /// itself (also for an id no longer in `team`).
    pub fn name_of(&self, id: &str) -> String {
        self.member(id)
            .map_or(id.to_string(), |m| m.display_name().to_string())
    }

    /// The member with this id.
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.team.iter().find(|m| m.id == id)
    }
}

/// What `secdesk check-config` reports when the configuration passes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Checked {
    /// The file checked; `None` when there is none and the embedded
    /// defaults are in force.
    pub file: Option<PathBuf>,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file {
            Some(file) => write!(f, "configuration OK: {}", file.display()),
            None => write!(
                f,
                "configuration OK: no file (no --config, $SECDESK_CONFIG or {SYSTEM_PATH}), the embedded defaults"
            ),
        }
    }
}

/// Loads the configuration exactly as every program does ([`Config::locate`]:
/// the same file, the same errors), then makes the checks the programs
/// make only when they come to use a setting ([`Config::check_deferred`]),
/// so that a wrong file fails here, at build or deploy time, rather than
/// at the first timer run. Reads only the configuration file: no secret,
/// no CA file, no database, no network (a build sandbox has none of them).
pub fn check_config(explicit: Option<&Path>, sources: &[&str]) -> Result<Checked, Error> {
    let (config, origin) = Config::locate(explicit)?;
    match origin {
        Origin::File(file) => {
            config.check_deferred(&file)?;
            config.site_settings(&Origin::File(file.clone()), sources)?;
            Ok(Checked { file: Some(file) })
        }
        Origin::Embedded => Ok(Checked { file: None }),
    }
}

impl Config {
    /// The checks of settings the programs use only later: secret
    /// references in a form they can read (a non-empty file path; a
    /// credential name that is a file name in `$CREDENTIALS_DIRECTORY`),
    /// `smtp.user` with a password to log in with, and every mail address
    /// (`smtp.from`, `team[].email`, `report.to[]`) one that parses as the
    /// outbox parses it. Reads no secret: only the form of each reference
    /// is checked. `file` is only for messages.
    pub fn check_deferred(&self, file: &Path) -> Result<(), Error> {
        let invalid = |key: String, expected: String| Error::Invalid {
            file: file.to_path_buf(),
            key,
            expected,
        };
        let mut secrets: Vec<(String, &str, &SecretRef)> = Vec::new();
        for (i, account) in self.imap.iter().enumerate() {
            if let Some(secret) = &account.password {
                secrets.push((format!("imap[{i}]"), "password", secret));
            }
        }
        if let Some(smtp) = &self.smtp {
            if let Some(secret) = &smtp.password {
                secrets.push(("smtp".into(), "password", secret));
            }
            if smtp.user.is_some() && smtp.password.is_none() {
                return Err(invalid(
                    "smtp.user".into(),
                    "a user is set without a password, expected `password_file` or \
                     `password_credential` beside it (or no `user` for a relay that needs no login)"
                        .into(),
                ));
            }
        }
        if let Some(signal) = &self.signal {
            if let Some(contacts) = &signal.contacts {
                secrets.push(("signal".into(), "contacts", contacts));
            }
            if let Some(key) = &signal.token_secret {
                secrets.push(("signal".into(), "token_secret", key));
            }
        }
        let heartbeat = self.heartbeat_url();
        if let Some(secret) = &heartbeat {
            secrets.push((String::new(), "heartbeat_url", secret));
        }
        for (place, stem, secret) in secrets {
            // A top-level key has no place before it.
            let place = if place.is_empty() {
                place
            } else {
                format!("{place}.")
            };
            match secret {
                SecretRef::File(path) if path.as_os_str().is_empty() => {
                    return Err(invalid(
                        format!("{place}{stem}_file"),
                        "empty, expected the path of the file holding the secret".into(),
                    ));
                }
                SecretRef::File(_) => {}
                SecretRef::Credential(name) => {
                    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
                        return Err(invalid(
                            format!("{place}{stem}_credential"),
                            format!(
                                "{name:?} is not a credential name, expected a file name in \
                                 $CREDENTIALS_DIRECTORY (systemd LoadCredential=), without `/`"
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(release) = self.release_without_branch() {
            return Err(invalid(
                "fixes.branches".into(),
                format!(
                    "release {release:?} has no branch, expected a branch for every release in `releases`"
                ),
            ));
        }
        let mut addresses: Vec<(String, &str)> = Vec::new();
        if let Some(smtp) = &self.smtp {
            addresses.push(("smtp.from".into(), &smtp.from));
        }
        for (i, member) in self.team.iter().enumerate() {
            if let Some(email) = &member.email {
                addresses.push((format!("team[{i}].email"), email));
            }
        }
        for (i, to) in self.report.to.iter().enumerate() {
            addresses.push((format!("report.to[{i}]"), to));
        }
        if let Some(reply_to) = self.signal.as_ref().and_then(|s| s.reply_to.as_ref()) {
            addresses.push(("signal.reply_to".into(), reply_to));
        }
        if let Some(adv) = &self.advisory {
            addresses.push(("advisory.list".into(), &adv.list));
        }
        for (key, address) in addresses {
            // As the outbox reads it (`outbox::compose::header_text`), so that
            // what passes here also composes.
            let folded = crate::text::one_line(address);
            if let Err(e) = folded.parse::<lettre::message::Mailbox>() {
                return Err(invalid(
                    key,
                    format!(
                        "invalid mail address {address:?} ({e}), expected one like \
                         \"user@example.org\" or \"Name <user@example.org>\""
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn describe(file: &Path, err: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = err.path().to_string();
    let inner = err.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return Error::Syntax {
            file: file.to_path_buf(),
            message: inner.to_string(),
        };
    }
    // serde_json appends " at line L column C"; the key path says more.
    let full = inner.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once("`, expected ")
    {
        // serde_path_to_error's path already ends with the unknown key.
        let key = if path == "." || path.is_empty() {
            key.to_string()
        } else {
            path
        };
        return Error::UnknownKey {
            file: file.to_path_buf(),
            key,
            expected: expected.trim_start_matches("one of ").to_string(),
        };
    }
    let key = if path == "." || path.is_empty() {
        "(top level)".to_string()
    } else {
        path
    };
    Error::Invalid {
        file: file.to_path_buf(),
        key,
        expected: message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> String {
        match Config::parse(Path::new("/etc/x.json"), text) {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn heartbeat_url_in_the_file_is_refused_without_repeating_it() {
        let msg = check(r#"{"heartbeat_url": "https://hc-ping.com/secret-uuid"}"#);
        assert!(
            msg.starts_with("configuration /etc/x.json: key `heartbeat_url`:"),
            "{msg}"
        );
        assert!(msg.contains("`heartbeat_url_file`"), "{msg}");
        assert!(!msg.contains("secret-uuid"), "{msg}");
        let file = Path::new("/etc/x.json");
        let c = Config::parse(file, r#"{"heartbeat_url_credential": "a/b"}"#).unwrap();
        let msg = c.check_deferred(file).unwrap_err().to_string();
        assert!(msg.contains("key `heartbeat_url_credential`"), "{msg}");
        let c = Config::parse(
            file,
            r#"{"heartbeat_url_file": "/run/hb", "metrics_dir": "m"}"#,
        )
        .unwrap();
        assert_eq!(
            c.heartbeat_url(),
            Some(SecretRef::File(PathBuf::from("/run/hb")))
        );
    }

    #[test]
    fn unknown_key_names_file_key_and_expected_keys() {
        let msg = check(r#"{"databse": "x"}"#);
        assert!(
            msg.starts_with("configuration /etc/x.json: unknown key `databse`"),
            "{msg}"
        );
        assert!(msg.contains("`database`"), "{msg}");
    }

    #[test]
    fn max_message_bytes_defaults_high_and_refuses_out_of_range_values() {
        let default = Config::parse(Path::new("/etc/x.json"), "{}").map(|c| c.max_message_bytes);
        assert_eq!(default.ok(), Some(64 << 20));
        assert_eq!(check(r#"{"max_message_bytes": 4096}"#), "ok");
        for bad in ["0", "2000000000"] {
            let msg = check(&format!(r#"{{"max_message_bytes": {bad}}}"#));
            assert!(
                msg.starts_with("configuration /etc/x.json: key `max_message_bytes`: ")
                    && msg.contains("expected a number of bytes from 1024 to 536870912"),
                "{msg}"
            );
        }
        let msg = check(r#"{"max_message_bytes": "64M"}"#);
        assert!(msg.contains("key `max_message_bytes`"), "{msg}");
    }

    #[test]
    fn nested_unknown_key_has_its_path() {
        let msg = check(
            r#"{"imap": [{"name": "l", "host": "h", "user": "u", "password_file": "/p", "pasword": 1}]}"#,
        );
        assert!(msg.contains("unknown key `imap[0].pasword`"), "{msg}");
    }

    #[test]
    fn wrong_type_names_key_and_expected_type() {
        let msg = check(r#"{"imap": [{"name": "l", "host": "h", "port": "x", "user": "u"}]}"#);
        assert!(msg.contains("key `imap[0].port`"), "{msg}");
        assert!(msg.contains("expected u16"), "{msg}");
    }

    #[test]
    fn rotation_order_must_name_team_members() {
        let msg = check(
            r#"{"team": [{"id": "alice"}], "rotation": {"start": "2026-01-05", "order": ["alice", "zed"]}}"#,
        );
        assert!(msg.contains("key `rotation.order[1]`"), "{msg}");
        assert!(msg.contains("\"zed\""), "{msg}");
    }

    #[test]
    fn bad_time_zone_and_duration_say_what_was_expected() {
        let msg = check(r#"{"team": [{"id": "a", "timezone": "Mars/Base"}]}"#);
        assert!(msg.contains("team[0].timezone"), "{msg}");
        assert!(msg.contains("IANA"), "{msg}");
        let msg = check(r#"{"report": {"stale_ingest_after": "soon"}}"#);
        assert!(msg.contains("report.stale_ingest_after"), "{msg}");
    }

    #[test]
    fn signal_contacts_are_a_secret_reference_and_other_keys_are_refused() {
        let c = Config::parse(
            Path::new("c.json"),
            r#"{"signal": {"contacts_credential": "signal-contacts"}}"#,
        )
        .unwrap();
        let contacts = c.signal.and_then(|s| s.contacts);
        assert_eq!(
            contacts,
            Some(SecretRef::Credential("signal-contacts".into()))
        );
        let c = Config::parse(
            Path::new("c.json"),
            r#"{"signal": {"contacts_file": "/run/secrets/contacts"}}"#,
        )
        .unwrap();
        let contacts = c.signal.and_then(|s| s.contacts);
        assert_eq!(
            contacts,
            Some(SecretRef::File("/run/secrets/contacts".into()))
        );
        let msg = check(r#"{"signal": {"contacts_credential": "c", "pager": []}}"#);
        assert!(msg.contains("unknown key `signal.pager`"), "{msg}");
        assert!(msg.contains("`contacts_credential`"), "{msg}");
    }

    const SIGNAL_TEAM: &str = r#""team": [
        {"id": "alice", "email": "alice@example.org", "timezone": "Europe/Berlin", "awake": "07:00-23:00"},
        {"id": "bob", "email": "bob@example.org"}]"#;

    #[test]
    fn signal_contract_keys_parse_with_defaults() {
        let text = format!(
            r#"{{{SIGNAL_TEAM}, "signal": {{
                "roles": {{"coordination": ["alice", "bob"], "qa": ["bob"]}},
                "ack_timeout": "10m", "rounds": 3,
                "war_room": "https://matrix.to/#/#x:example.org",
                "checklist": "https://wiki.example.org/bs",
                "reply_to": "security@example.org",
                "core_packages": ["openssl"],
                "contacts_file": "/run/secrets/c", "token_secret_credential": "signal-token"}}}}"#
        );
        let c = Config::parse(Path::new("c.json"), &text).unwrap();
        let s = c.signal.clone().unwrap();
        assert_eq!(s.members("coordination"), ["alice", "bob"]);
        assert_eq!(s.ack_timeout, Span::minutes(10));
        assert_eq!(s.rounds, 3);
        assert_eq!(
            s.token_secret,
            Some(SecretRef::Credential("signal-token".into()))
        );
        let alice = c.member("alice").unwrap();
        assert!(
            alice
                .awake
                .contains(NaiveTime::from_hms_opt(7, 30, 0).unwrap())
        );
        let bob = c.member("bob").unwrap();
        assert_eq!(bob.awake, Awake::default());
        let d = Config::parse(Path::new("c.json"), r#"{"signal": {}}"#).unwrap();
        let d = d.signal.unwrap();
        assert_eq!((d.ack_timeout, d.rounds), (Span::minutes(15), 2));
        assert_eq!(
            d.roles.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
            SEED_ROLES
        );
    }

    #[test]
    fn advisory_sender_is_a_member_with_an_address_and_unknown_keys_are_refused() {
        let team = r#""team": [{"id": "a"}, {"id": "b", "email": "b@example.org"}]"#;
        let adv = |body: &str| check(&format!(r#"{{{team}, "advisory": {{{body}}}}}"#));
        assert_eq!(
            adv(r#""id_prefix": "NIXSA", "sender": "b", "list": "announce@example.org""#),
            "ok"
        );
        let msg = adv(r#""id_prefix": "NIXSA", "sender": "zed", "list": "l@example.org""#);
        assert!(
            msg.contains("`advisory.sender`") && msg.contains("unknown member \"zed\""),
            "{msg}"
        );
        let msg = adv(r#""id_prefix": "NIXSA", "sender": "a", "list": "l@example.org""#);
        assert!(
            msg.contains("`advisory.sender`") && msg.contains("no `email`"),
            "{msg}"
        );
        let msg = adv(r#""id_prefix": "NIX SA", "sender": "b", "list": "l@example.org""#);
        assert!(msg.contains("`advisory.id_prefix`"), "{msg}");
        let msg =
            adv(r#""id_prefix": "NIXSA", "sender": "b", "list": "l@example.org", "lists": 1"#);
        assert!(msg.contains("lists"), "{msg}");
    }

    #[test]
    fn signal_roles_name_team_members_with_an_address() {
        let msg = check(&format!(
            r#"{{{SIGNAL_TEAM}, "signal": {{"roles": {{"qa": ["alice", "zed"]}}}}}}"#
        ));
        assert_eq!(
            msg,
            "configuration /etc/x.json: key `signal.roles.qa[1]`: unknown member \"zed\", expected an id from `team`"
        );
        let msg = check(r#"{"team": [{"id": "a"}], "signal": {"roles": {"qa": ["a"]}}}"#);
        assert!(
            msg.contains("`signal.roles.qa[0]`") && msg.contains("no `email`"),
            "{msg}"
        );
        let msg = check(r#"{"signal": {"rounds": 0}}"#);
        assert!(msg.contains("`signal.rounds`"), "{msg}");
        let msg = check(r#"{"signal": {"reply_to": "a+b@example.org"}}"#);
        assert!(msg.contains("`signal.reply_to`"), "{msg}");
        let msg = check(r#"{"team": [{"id": "a", "awake": "8-22"}]}"#);
        assert!(
            msg.contains("`team[0].awake`") && msg.contains("HH:MM-HH:MM"),
            "{msg}"
        );
    }

    #[test]
    fn awake_hours_may_wrap_midnight() {
        let night = Awake {
            from: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
        };
        assert!(night.contains(NaiveTime::from_hms_opt(23, 0, 0).unwrap()));
        assert!(night.contains(NaiveTime::from_hms_opt(5, 59, 0).unwrap()));
        assert!(!night.contains(NaiveTime::from_hms_opt(12, 0, 0).unwrap()));
    }

    #[test]
    fn signal_secret_files_readable_by_others_are_refused_without_their_content() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("secdesk-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("contacts.json");
        std::fs::write(&file, r#"{"alice": ["alice-pager@example.net"]}"#).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let signal = Signal::from(SignalFile {
            roles: None,
            ack_timeout: default_ack_timeout(),
            rounds: 2,
            war_room: None,
            checklist: None,
            reply_to: None,
            core_packages: Vec::new(),
            contacts_file: Some(file.clone()),
            contacts_credential: None,
            token_secret_file: None,
            token_secret_credential: None,
        });
        let msg = signal.read_contacts().unwrap_err().to_string();
        assert!(
            msg.contains("mode 0644") && msg.contains("contacts.json"),
            "{msg}"
        );
        assert!(!msg.contains("alice-pager"), "{msg}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let contacts = signal.read_contacts().unwrap();
        assert_eq!(contacts["alice"], ["alice-pager@example.net"]);
        std::fs::write(&file, r#"{"alice": "alice-pager@example.net"}"#).unwrap();
        let msg = signal.read_contacts().unwrap_err().to_string();
        assert!(!msg.contains("alice-pager"), "{msg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_object_is_the_embedded_defaults() {
        let c = Config::parse(Path::new("c.json"), "{}").unwrap();
        assert_eq!(c.database, PathBuf::from("secdesk.sqlite"));
        assert_eq!(c.report.stale_ingest_after, Span::hours(1));
    }

    fn check_deferred(text: &str) -> String {
        let file = Path::new("/etc/x.json");
        match Config::parse(file, text).and_then(|c| c.check_deferred(file)) {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn deferred_checks_pass_secret_references_they_never_read() {
        // Neither the file nor $CREDENTIALS_DIRECTORY exists: only the form
        // of each reference is checked.
        let text = r#"{
            "imap": [{"name": "l", "host": "h", "user": "u", "password_credential": "imap-l"}],
            "smtp": {"host": "h", "user": "u", "password_file": "/nonexistent/smtp",
                     "from": "secdesk <security@example.org>"},
            "signal": {"contacts_credential": "signal-contacts"},
            "team": [{"id": "a", "email": "Alice <alice@example.org>"}],
            "report": {"to": ["team@example.org"]}
        }"#;
        assert_eq!(check_deferred(text), "ok");
    }

    #[test]
    fn deferred_checks_name_the_key_of_what_the_jobs_would_fail_on_later() {
        for (text, expected) in [
            (
                r#"{"smtp": {"host": "h", "user": "u", "from": "a@example.org"}}"#,
                "configuration /etc/x.json: key `smtp.user`: a user is set without a password",
            ),
            (
                r#"{"imap": [{"name": "l", "host": "h", "user": "u", "password_credential": "../x"}]}"#,
                "configuration /etc/x.json: key `imap[0].password_credential`: \"../x\" is not a credential name",
            ),
            (
                r#"{"signal": {"contacts_file": ""}}"#,
                "configuration /etc/x.json: key `signal.contacts_file`: empty",
            ),
            (
                r#"{"report": {"to": ["ok@example.org", "team at example"]}}"#,
                "configuration /etc/x.json: key `report.to[1]`: invalid mail address \"team at example\"",
            ),
            (
                r#"{"team": [{"id": "a", "email": "a@"}]}"#,
                "configuration /etc/x.json: key `team[0].email`: invalid mail address",
            ),
        ] {
            let msg = check_deferred(text);
            assert!(msg.starts_with(expected), "{text}\n{msg}");
        }
    }

    #[test]
    fn check_config_reports_the_file_or_the_embedded_defaults() {
        let dir = std::env::temp_dir().join(format!("secdesk-check-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.json");
        std::fs::write(&file, r#"{"releases": ["unstable"]}"#).unwrap();
        let checked = check_config(Some(&file), &[]).unwrap();
        assert_eq!(
            checked.to_string(),
            format!("configuration OK: {}", file.display())
        );
        std::fs::write(&file, r#"{"reprot": {}}"#).unwrap();
        let err = check_config(Some(&file), &[]).unwrap_err().to_string();
        assert!(err.contains("unknown key `reprot`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secret_error_names_location_not_content() {
        let err = SecretRef::File("/nonexistent/pw".into())
            .read("imap account lists")
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/pw"), "{err}");
        assert!(err.starts_with("imap account lists"), "{err}");
    }
}
