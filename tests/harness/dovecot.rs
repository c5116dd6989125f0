//! A real Dovecot on loopback, started per test from a config file in a
//! temporary directory, with TLS from a generated self-signed certificate
//! (trusted through `ca_file`), a passwd-file user and a temporary mail
//! home. Stopped (SIGTERM, then SIGKILL) when the guard drops.
//!
//! A missing Dovecot fails the test naming the Debian package; it never
//! skips.

use super::port::free_port;
use super::tls::Cert;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The Dovecot binary Debian's `dovecot-imapd` installs.
const DOVECOT: &str = "/usr/sbin/dovecot";

/// A running Dovecot.
pub struct Dovecot {
    pub dir: PathBuf,
    /// Port of the implicit-TLS listener (IMAPS).
    pub imaps_port: u16,
    /// Port of the plain listener (STARTTLS or plaintext).
    pub imap_port: u16,
    pub user: String,
    pub password: String,
    /// The file secdesk reads the password from.
    pub password_file: PathBuf,
    pub cert: Cert,
    pid: Option<i32>,
    home: PathBuf,
    uid: u32,
    gid: u32,
}

/// A byte stream the test's own IMAP client runs over (TLS or plain).
pub trait Stream: std::io::Read + std::io::Write {}
impl<T: std::io::Read + std::io::Write> Stream for T {}

/// Numbers the servers of this run, for unique directories and passwords.
static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn id(flag: &str, name: &str) -> Option<u32> {
    let out = Command::new("id").args([flag, name]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn whoami() -> (String, u32, u32) {
    let uid: u32 =
        String::from_utf8_lossy(&Command::new("id").arg("-u").output().expect("id -u").stdout)
            .trim()
            .parse()
            .expect("uid");
    let gid: u32 =
        String::from_utf8_lossy(&Command::new("id").arg("-g").output().expect("id -g").stdout)
            .trim()
            .parse()
            .expect("gid");
    let name = String::from_utf8_lossy(
        &Command::new("id")
            .arg("-un")
            .output()
            .expect("id -un")
            .stdout,
    )
    .trim()
    .to_string();
    (name, uid, gid)
}

impl Dovecot {
    /// Starts a Dovecot for one test; `name` names its directory.
    pub fn start(name: &str) -> Dovecot {
        Dovecot::start_with(name, true)
    }

    /// Starts a Dovecot that offers no TLS at all (no IMAPS listener, no
    /// STARTTLS): a server secdesk must refuse to log in to unless the
    /// account says `tls: none`.
    pub fn start_plaintext_only(name: &str) -> Dovecot {
        Dovecot::start_with(name, false)
    }

    fn start_with(name: &str, ssl: bool) -> Dovecot {
        assert!(
            Path::new(DOVECOT).exists(),
            "{DOVECOT} is missing: install the Debian package dovecot-imapd (scripts/test does this when run as root)"
        );
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "secdesk-dovecot-{}-{}-{n}",
            name,
            std::process::id(),
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["run", "state", "home/secdesk"] {
            std::fs::create_dir_all(dir.join(sub)).expect("mkdir dovecot dirs");
        }
        let cert = Cert::localhost();
        let (me, my_uid, my_gid) = whoami();
        let root = my_uid == 0;
        // As root, Dovecot drops to its own users; the mail home must then
        // belong to `dovecot`. As anyone else, it runs as that user.
        let (internal, login, uid, gid) = if root {
            (
                "dovecot".to_string(),
                "dovenull".to_string(),
                id("-u", "dovecot").expect("user dovecot exists (dovecot-core creates it)"),
                id("-g", "dovecot").expect("group dovecot"),
            )
        } else {
            (me.clone(), me.clone(), my_uid, my_gid)
        };
        let user = "secdesk".to_string();
        let password = format!("imap-pw-{}-{n}-{}", std::process::id(), free_port());
        let home = dir.join("home/secdesk");
        std::fs::write(
            dir.join("passwd"),
            format!(
                "{user}:{{PLAIN}}{password}:{uid}:{gid}::{}\n",
                home.display()
            ),
        )
        .expect("write passwd");
        let password_file = dir.join("imap-password");
        std::fs::write(&password_file, format!("{password}\n")).expect("write password file");
        if root {
            chown_r(&home, uid, gid);
        }
        // A port another program took between `free_port` and Dovecot's
        // bind makes Dovecot exit saying so: start again on fresh ports.
        let mut attempt = 0;
        let (imap_port, imaps_port) = loop {
            attempt += 1;
            let imap_port = free_port();
            let imaps_port = free_port();
            let dh = if Path::new("/usr/share/dovecot/dh.pem").exists() {
                "ssl_dh = </usr/share/dovecot/dh.pem\n"
            } else {
                ""
            };
            let ssl_conf = if ssl {
                format!(
                    "ssl = yes\nssl_cert = <{}\nssl_key = <{}\n{dh}",
                    cert.cert.display(),
                    cert.key.display()
                )
            } else {
                "ssl = no\n".to_string()
            };
            // Without TLS there is no IMAPS listener (port 0 disables it).
            let imaps_port = if ssl { imaps_port } else { 0 };
            let conf = format!(
                r#"base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
{ssl_conf}disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"#,
                dir = dir.display(),
            );
            let conf_path = dir.join("dovecot.conf");
            std::fs::write(&conf_path, conf).expect("write dovecot.conf");
            // The daemon keeps its inherited stdout and stderr open, so they go
            // to a file rather than a pipe the test would wait on forever.
            let console = std::fs::File::create(dir.join("console.log")).expect("console log");
            let status = Command::new(DOVECOT)
                .arg("-c")
                .arg(&conf_path)
                .stdin(std::process::Stdio::null())
                .stdout(console.try_clone().expect("clone"))
                .stderr(console)
                .status()
                .expect("run dovecot");
            let console = std::fs::read_to_string(dir.join("console.log")).unwrap_or_default();
            let log = std::fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default();
            if status.success() {
                break (imap_port, imaps_port);
            }
            assert!(
                attempt < super::port::START_ATTEMPTS
                    && super::port::is_address_in_use(&format!("{console}{log}")),
                "dovecot failed to start: {console}\nlog:\n{log}"
            );
            let _ = std::fs::remove_file(dir.join("dovecot.log"));
        };
        let mut d = Dovecot {
            dir,
            imaps_port,
            imap_port,
            user,
            password,
            password_file,
            cert,
            pid: None,
            home,
            uid,
            gid,
        };
        d.wait_ready();
        d
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let pid = std::fs::read_to_string(self.dir.join("run/master.pid"))
                .ok()
                .and_then(|s| s.trim().parse().ok());
            let up = (self.imaps_port == 0
                || std::net::TcpStream::connect(("127.0.0.1", self.imaps_port)).is_ok())
                && std::net::TcpStream::connect(("127.0.0.1", self.imap_port)).is_ok();
            if let (Some(pid), true) = (pid, up) {
                self.pid = Some(pid);
                return;
            }
            assert!(
                Instant::now() < deadline,
                "dovecot did not start listening within 30 s; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Dovecot's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }

    /// The `imap` account secdesk's configuration needs for this server
    /// (implicit TLS, the certificate trusted through `ca_file`).
    pub fn account(&self, name: &str, mailboxes: &[&str]) -> serde_json::Value {
        serde_json::json!({
            "name": name,
            "host": "localhost",
            "port": self.imaps_port,
            "tls": "implicit",
            "user": self.user,
            "password_file": self.password_file,
            "ca_file": self.cert.cert,
            "mailboxes": mailboxes,
            "timeout": "10s",
        })
    }

    /// A logged-in IMAP session for the test itself (appending, checking).
    pub fn client(&self) -> imap::Session<Box<dyn Stream>> {
        let stream: Box<dyn Stream> = if self.imaps_port == 0 {
            Box::new(std::net::TcpStream::connect(("127.0.0.1", self.imap_port)).expect("connect"))
        } else {
            let pem = std::fs::read(&self.cert.cert).expect("read cert");
            let tls = native_tls::TlsConnector::builder()
                .add_root_certificate(native_tls::Certificate::from_pem(&pem).expect("pem"))
                .build()
                .expect("tls connector");
            let tcp =
                std::net::TcpStream::connect(("127.0.0.1", self.imaps_port)).expect("connect");
            Box::new(tls.connect("localhost", tcp).expect("tls handshake"))
        };
        let mut client = imap::Client::new(stream);
        client.read_greeting().expect("greeting");
        client
            .login(&self.user, &self.password)
            .map_err(|(e, _)| e)
            .expect("login")
    }

    /// Appends messages to a mailbox (creating it), one APPEND each.
    pub fn append(&self, mailbox: &str, messages: &[Vec<u8>]) {
        let mut s = self.client();
        let _ = s.create(mailbox);
        for m in messages {
            s.append(mailbox, m).finish().expect("APPEND");
        }
        let _ = s.logout();
    }

    /// Puts many messages straight into the mailbox's Maildir on disk
    /// (Dovecot indexes them on first access): much faster than APPEND for
    /// thousands. `mailbox` is created over IMAP first.
    pub fn deliver_files(&self, mailbox: &str, messages: impl IntoIterator<Item = Vec<u8>>) {
        {
            let mut s = self.client();
            let _ = s.create(mailbox);
            let _ = s.logout();
        }
        let dir = if mailbox == "INBOX" {
            self.home.join("Maildir")
        } else {
            self.home.join("Maildir").join(format!(".{mailbox}"))
        };
        let new = dir.join("new");
        std::fs::create_dir_all(&new).expect("mkdir new");
        for (i, m) in messages.into_iter().enumerate() {
            std::fs::write(
                new.join(format!("{:010}.test{i}.localhost", 1_700_000_000 + i)),
                m,
            )
            .expect("write message");
        }
        chown_r(&dir, self.uid, self.gid);
    }

    /// UIDs and flags of a mailbox, as the server says.
    pub fn flags(&self, mailbox: &str) -> Vec<(u32, Vec<String>)> {
        let mut s = self.client();
        let m = s.examine(mailbox).expect("examine");
        if m.exists == 0 {
            return Vec::new();
        }
        let fetches = s.uid_fetch("1:*", "(UID FLAGS)").expect("fetch flags");
        let mut out: Vec<(u32, Vec<String>)> = fetches
            .iter()
            .map(|f| {
                (
                    f.uid.unwrap_or(0),
                    f.flags().iter().map(|fl| format!("{fl:?}")).collect(),
                )
            })
            .collect();
        out.sort();
        let _ = s.logout();
        out
    }

    /// How many messages a mailbox holds (0 when it does not exist).
    pub fn count(&self, mailbox: &str) -> u32 {
        let mut s = self.client();
        let n = s.examine(mailbox).map(|m| m.exists).unwrap_or(0);
        let _ = s.logout();
        n
    }
}

fn chown_r(path: &Path, uid: u32, gid: u32) {
    let status = Command::new("chown")
        .arg("-R")
        .arg(format!("{uid}:{gid}"))
        .arg(path)
        .status()
        .expect("run chown");
    assert!(status.success(), "chown {}", path.display());
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(pid) = self.pid {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if Path::new(&format!("/proc/{pid}")).exists() {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
