//! What a timer job does after a successful run so that it can be seen
//! from outside: its metrics file for node exporter's textfile collector
//! (`metrics_dir/secdesk-<job>.prom`, from `metrics::exposition`), then the
//! heartbeat ping (a GET of the `heartbeat_url_file` /
//! `heartbeat_url_credential` URL, healthchecks-style).
//!
//! Both happen only after success, so a stale timestamp or a missed ping
//! is what an alert sees when a job stops working. Neither changes the
//! job's exit code: the job did its work, and a failure here is logged
//! (naming the directory or the host, never the URL, which carries the
//! check's secret token) and shows outside as the missing update itself.

use crate::config::Config;
use crate::metrics::{self, Snapshot};
use crate::store::{self, Store};
use crate::time::Instant;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::metrics::Run;

/// How long the heartbeat may take to connect, and then to answer.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(10);

/// What [`succeeded`] did; every problem is one log line.
#[derive(Debug, Default)]
pub struct Monitored {
    /// The metrics file written, when `metrics_dir` is set and it worked.
    pub written: Option<PathBuf>,
    /// Whether the heartbeat was pinged and answered 2xx.
    pub pinged: bool,
    /// What went wrong, one line each, for the log.
    pub problems: Vec<String>,
}

/// After a successful run of `program` (`secdesk-ingest`) at `now`: writes
/// its metrics when `metrics_dir` is set, then pings the heartbeat when one
/// is configured. Never fails: problems come back as log lines.
pub fn succeeded(
    store: &mut Store,
    config: &Config,
    program: &str,
    now: Instant,
    run: Run,
) -> Monitored {
    let mut done = Monitored::default();
    let job = metrics::job_name(program);
    if let Some(dir) = &config.metrics_dir {
        let written = snapshot(store, job, now, run)
            .map_err(|e| format!("metrics not written: {e}"))
            .and_then(|s| {
                write_atomically(dir, &metrics::file_name(job), &metrics::exposition(&s))
            });
        match written {
            Ok(path) => done.written = Some(path),
            Err(e) => done.problems.push(e),
        }
    }
    if let Some(secret) = config.heartbeat_url() {
        match secret.read("heartbeat_url") {
            Ok(url) => match ping(url.trim()) {
                Ok(()) => done.pinged = true,
                Err(e) => done
                    .problems
                    .push(format!("heartbeat not pinged ({}): {e}", secret.location())),
            },
            Err(e) => done.problems.push(format!("heartbeat not pinged: {e}")),
        }
    }
    done
}

/// The figures of `job` as the database stands now, in one snapshot.
fn snapshot(store: &mut Store, job: &str, now: Instant, run: Run) -> store::Result<Snapshot> {
    // Only queries that stay cheap on a big database (no count over every
    // message): this runs after every timer run, most of which do nothing.
    store.read(|r| {
        Ok(Snapshot {
            job: job.to_string(),
            now,
            run,
            outbox: r.outbox_counts()?,
            issues: r.open_state_counts()?,
        })
    })
}

/// Writes `text` as `dir/name` whole or not at all: a temporary file in the
/// same directory, flushed, then renamed over the old one, so the
/// collector never reads half a file.
fn write_atomically(dir: &Path, name: &str, text: &str) -> Result<PathBuf, String> {
    let path = dir.join(name);
    // The collector reads only `*.prom`: a leftover temporary file from a
    // killed run is ignored, and replaced by the next run.
    let tmp = dir.join(format!(".{name}.tmp"));
    let fail = |e: std::io::Error| format!("metrics not written to {}: {e}", path.display());
    let mut file = std::fs::File::create(&tmp).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    drop(file);
    // Readable by the exporter's user whatever the job's umask.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(fail)?;
    Ok(path)
}

/// A URL split for one GET: scheme, host, port, path with query.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    tls: bool,
    host: String,
    port: u16,
    path: String,
}

/// Reads `http://` and `https://` URLs; the error never repeats the URL.
fn target(url: &str) -> Result<Target, String> {
    let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("expected an http:// or https:// URL".into());
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path
    };
    if authority.contains('@') {
        return Err("expected a URL without user or password".into());
    }
    let default_port = if tls { 443 } else { 80 };
    let port_of = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| "expected a port number after the host".to_string())
    };
    // `[v6]` or `[v6]:port`, else `host` or `host:port`.
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, "")) => (h, default_port),
            Some((h, rest)) => match rest.strip_prefix(':') {
                Some(p) => (h, port_of(p)?),
                None => return Err("expected `:port` after an IPv6 address".into()),
            },
            None => return Err("expected `]` after an IPv6 address".into()),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, port_of(p)?),
            None => (authority, default_port),
        }
    };
    if host.is_empty() || path.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err("expected a host and a path without spaces".into());
    }
    Ok(Target {
        tls,
        host: host.to_string(),
        port,
        path,
    })
}

/// One GET of `url`, over TLS for `https://`; `Ok` on a 2xx answer. Errors
/// name the host, never the path (the token is there).
fn ping(url: &str) -> Result<(), String> {
    let t = target(url)?;
    let host = &t.host;
    let addrs = (host.as_str(), t.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    let mut last = format!("no address for {host}");
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, HEARTBEAT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("cannot connect to {host}:{}: {e}", t.port),
        }
    }
    let stream = stream.ok_or(last)?;
    let io = |e: std::io::Error| format!("{host}: {e}");
    stream
        .set_read_timeout(Some(HEARTBEAT_TIMEOUT))
        .map_err(io)?;
    stream
        .set_write_timeout(Some(HEARTBEAT_TIMEOUT))
        .map_err(io)?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: secdesk/{}\r\nConnection: close\r\n\r\n",
        t.path,
        env!("CARGO_PKG_VERSION")
    );
    let answer = if t.tls {
        let connector = native_tls::TlsConnector::new().map_err(|e| format!("TLS: {e}"))?;
        let mut tls = connector
            .connect(host, stream)
            .map_err(|e| format!("TLS with {host}: {}", crate::text::one_line(&e.to_string())))?;
        exchange(&mut tls, &request).map_err(io)?
    } else {
        let mut plain = stream;
        exchange(&mut plain, &request).map_err(io)?
    };
    let status = status_code(&answer).ok_or_else(|| format!("{host}: not an HTTP answer"))?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("{host} answered HTTP {status}"))
    }
}

/// Sends the request and reads the start of the answer (its status line
/// is all that matters).
fn exchange(stream: &mut (impl Read + Write), request: &str) -> std::io::Result<Vec<u8>> {
    stream.write_all(request.as_bytes())?;
    stream.flush()?;
    let mut answer = Vec::new();
    stream.take(4096).read_to_end(&mut answer)?;
    Ok(answer)
}

/// The status code of `HTTP/1.x NNN …`.
fn status_code(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    if !words.next()?.starts_with("HTTP/") {
        return None;
    }
    words.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_port_and_path() {
        let t = target("https://hc-ping.com/5f1e8b2a-uuid?rid=1").unwrap();
        assert_eq!(
            t,
            Target {
                tls: true,
                host: "hc-ping.com".into(),
                port: 443,
                path: "/5f1e8b2a-uuid?rid=1".into()
            }
        );
        let t = target("http://127.0.0.1:8080").unwrap();
        assert_eq!((t.tls, t.port, t.path.as_str()), (false, 8080, "/"));
        let t = target("http://[::1]:81/x").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 81));
        let t = target("https://[::1]/x").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", 443));
    }

    #[test]
    fn bad_urls_are_refused_without_repeating_them() {
        for url in [
            "ftp://h/secret-token",
            "https://user:secret-token@h/",
            "http://h:port/secret-token",
            "http:///secret-token",
        ] {
            let e = target(url).unwrap_err();
            assert!(!e.contains("secret-token"), "{url}: {e}");
        }
    }

    #[test]
    fn status_line_is_read() {
        assert_eq!(status_code(b"HTTP/1.1 200 OK\r\n\r\nOK"), Some(200));
        assert_eq!(status_code(b"HTTP/1.0 404 Not Found\r\n"), Some(404));
        assert_eq!(status_code(b"garbage"), None);
    }
}
