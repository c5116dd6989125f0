//! A self-signed certificate for `localhost` and 127.0.0.1, made once per
//! test run with the `openssl` command and shared by every server.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// A certificate and its key (PEM files). The certificate doubles as the
/// CA that secdesk's `ca_file` trusts.
#[derive(Clone, Debug)]
pub struct Cert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Cert {
    /// The shared `localhost` certificate.
    pub fn localhost() -> Cert {
        static CERT: OnceLock<Cert> = OnceLock::new();
        CERT.get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("secdesk-tls-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("mkdir tls");
            let cert = dir.join("cert.pem");
            let key = dir.join("key.pem");
            let out = Command::new("openssl")
                .args([
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "7",
                    "-subj",
                    "/CN=localhost",
                ])
                .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
                .args(["-addext", "basicConstraints=critical,CA:TRUE"])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert)
                .output()
                .expect("run openssl (Debian package openssl)");
            assert!(
                out.status.success(),
                "openssl req failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Cert { cert, key }
        })
        .clone()
    }
}
