//! A real SMTP server on loopback (aiosmtpd from Debian's
//! python3-aiosmtpd, run by Debian's /usr/bin/python3): STARTTLS and AUTH
//! required, mail filed into a Maildir the test reads. Stopped when the
//! guard drops. A missing aiosmtpd fails the test naming the package.

use super::tls::Cert;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Python, which has aiosmtpd (the first `python3` on PATH may be
/// another one).
const PYTHON: &str = "/usr/bin/python3";

/// A running SMTP server.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    pub user: String,
    pub password: String,
    pub password_file: PathBuf,
    pub cert: Cert,
    /// TLS from the first byte (SMTPS) instead of STARTTLS.
    pub implicit: bool,
    child: Option<Child>,
    dir: PathBuf,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start(name: &str) -> SmtpServer {
        SmtpServer::start_on_free_port(name, false)
    }

    /// Starts a server on a given port (to bring a "down" server back).
    pub fn start_on(name: &str, port: u16) -> SmtpServer {
        SmtpServer::start_with(name, port, false)
            .unwrap_or_else(|log| panic!("aiosmtpd exited before listening on {port}: {log}"))
    }

    /// Starts a server speaking TLS from the first byte (SMTPS).
    pub fn start_implicit(name: &str) -> SmtpServer {
        SmtpServer::start_on_free_port(name, true)
    }

    /// Starts a server on a port from [`super::port::free_port`]; when
    /// another program took that port before aiosmtpd bound it, starts
    /// again on another.
    fn start_on_free_port(name: &str, implicit: bool) -> SmtpServer {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = super::port::free_port();
            match SmtpServer::start_with(name, port, implicit) {
                Ok(server) => return server,
                Err(log)
                    if attempt < super::port::START_ATTEMPTS
                        && super::port::is_address_in_use(&log) => {}
                Err(log) => panic!("aiosmtpd exited before listening on {port}: {log}"),
            }
        }
    }

    /// Starts a server on `port`; the server's log when it exits before
    /// listening.
    fn start_with(name: &str, port: u16, implicit: bool) -> Result<SmtpServer, String> {
        let ok = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "{PYTHON} cannot import aiosmtpd: install the Debian package python3-aiosmtpd (scripts/test does this when run as root)"
        );
        let dir =
            std::env::temp_dir().join(format!("secdesk-smtp-{name}-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir smtp dir");
        let maildir = dir.join("maildir");
        let user = "secdesk".to_string();
        let password = format!("smtp-pw-{}-{port}", std::process::id());
        let password_file = dir.join("smtp-password");
        std::fs::write(&password_file, format!("{password}\n")).expect("write password");
        let cert = Cert::localhost();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/harness/smtpd.py");
        let log = std::fs::File::create(dir.join("smtpd.log")).expect("log");
        let mut cmd = Command::new(PYTHON);
        cmd.arg(script);
        if implicit {
            cmd.arg("--implicit");
        }
        let child = cmd
            .args(["--port", &port.to_string(), "--user", &user])
            .arg("--maildir")
            .arg(&maildir)
            .arg("--cert")
            .arg(&cert.cert)
            .arg("--key")
            .arg(&cert.key)
            .arg("--password-file")
            .arg(&password_file)
            .args(["--refuse-domain", "refused.invalid"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone"))
            .stderr(log)
            .spawn()
            .expect("start aiosmtpd");
        let mut s = SmtpServer {
            port,
            maildir,
            user,
            password,
            password_file,
            cert,
            implicit,
            child: Some(child),
            dir,
        };
        s.wait_ready()?;
        Ok(s)
    }

    /// Waits until the server listens; its log when it exited instead.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                return Err(format!("exit {status}: {}", self.log()));
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen within 30 s: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("smtpd.log")).unwrap_or_default()
    }

    /// The `smtp` section secdesk's configuration needs for this server.
    pub fn config(&self) -> serde_json::Value {
        serde_json::json!({
            "host": "localhost",
            "port": self.port,
            "tls": if self.implicit { "implicit" } else { "starttls" },
            "user": self.user,
            "password_file": self.password_file,
            "ca_file": self.cert.cert,
            "from": "secdesk <secdesk@example.org>",
            "timeout": "10s",
        })
    }

    /// Every message received so far, oldest first (by file time, then
    /// name).
    pub fn received(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in rd.flatten() {
                    let t = e
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    files.push((t, e.path()));
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| std::fs::read(p).expect("read mail"))
            .collect()
    }

    /// Stops the server (SIGTERM, then SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
