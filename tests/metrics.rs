//! Seen from outside (issue 18): after each successful run a timer job
//! writes `metrics_dir/secdesk-<job>.prom`, which a real Prometheus text
//! parser (PyPI `prometheus-client`, installed into
//! `target/venv-prometheus`) reads as the figures a user checks; then it
//! pings the heartbeat URL, here a real HTTP server on loopback that
//! records each request. A failed run writes and pings nothing; the URL,
//! which carries the check's token, is never printed.

use crate::util::{Desk, repo, sample_mail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The PyPI `prometheus-client` parser in `target/venv-prometheus`,
/// installed when missing; fails (never skips) naming what to install.
fn parser_python() -> PathBuf {
    let venv = repo().join("target/venv-prometheus");
    let python = venv.join("bin/python");
    let has = |p: &Path| {
        Command::new(p)
            .args(["-c", "import prometheus_client.parser"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && has(&python) {
        return python;
    }
    let venv_ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        venv_ok,
        "cannot make a Python virtual environment at {}: install the Debian package python3-venv",
        venv.display()
    );
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "prometheus-client"])
        .output()
        .expect("pip runs");
    assert!(
        pip.status.success() && has(&python),
        "cannot install the PyPI package prometheus-client into {}: {}",
        venv.display(),
        String::from_utf8_lossy(&pip.stderr)
    );
    python
}

const PARSE: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "help": family.documentation,
                    "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))
"#;

/// One sample as the parser read it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    family: String,
    #[serde(rename = "type")]
    kind: String,
    help: String,
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The file parsed by prometheus-client; panics with the parser's words
/// when it refuses the file.
fn parse(file: &Path) -> Vec<Sample> {
    let out = Command::new(parser_python())
        .args(["-c", PARSE])
        .arg(file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "prometheus-client refused {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parse script prints JSON")
}

/// The value of the sample `name` with exactly `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let want: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name && s.labels == want)
        .collect();
    assert_eq!(found.len(), 1, "{name} {want:?} in {samples:#?}");
    found[0].value
}

fn epoch(rfc3339: &str) -> f64 {
    secdesk::time::parse(rfc3339).unwrap().timestamp() as f64
}

/// Issues by state, as `secdesk issues --json --state open` lists them.
fn open_by_state(desk: &Desk) -> BTreeMap<String, usize> {
    let issues: Vec<Value> = desk.cmd("secdesk").args(["--json", "issues"]).json();
    let mut by = BTreeMap::new();
    for i in issues {
        *by.entry(i["state"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    by
}

fn metrics_desk(name: &str) -> (Desk, PathBuf) {
    let desk = Desk::new(name);
    let dir = desk.dir.join("metrics");
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = desk.config_json();
    // Relative to the configuration file, as `database` is.
    c["metrics_dir"] = "metrics".into();
    desk.set_config(&c);
    (desk, dir)
}

#[test]
fn ingest_metrics_parse_and_say_when_and_what_was_stored() {
    let (desk, dir) = metrics_desk("ingest_metrics_parse");
    let out = desk
        .cmd_at("secdesk-ingest", "2026-11-22T09:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    let stored = desk.store().read(|r| r.message_totals()).unwrap().1;
    assert!(stored > 5, "{out}");
    assert!(out.contains(&format!("{stored} new")), "{out}");

    let file = dir.join("secdesk-ingest.prom");
    let samples = parse(&file);
    let job = [("job", "ingest")];
    assert_eq!(
        value(&samples, "secdesk_job_last_success_timestamp_seconds", &job),
        epoch("2026-11-22T09:00:00Z")
    );
    assert_eq!(
        value(&samples, "secdesk_job_messages_ingested", &job),
        stored as f64
    );
    assert_eq!(value(&samples, "secdesk_outbox_queued", &job), 0.0);
    assert_eq!(value(&samples, "secdesk_outbox_failed", &job), 0.0);
    let by_state = open_by_state(&desk);
    for state in ["new", "claimed", "triaged"] {
        let n = by_state.get(state).copied().unwrap_or(0);
        assert_eq!(
            value(
                &samples,
                "secdesk_issues_open",
                &[("job", "ingest"), ("state", state)]
            ),
            n as f64,
            "{state}"
        );
    }
    // Every family is a gauge with its help text.
    assert!(
        samples
            .iter()
            .all(|s| s.kind == "gauge" && !s.help.is_empty() && s.family.starts_with("secdesk_")),
        "{samples:#?}"
    );
    // Replaced whole, no temporary file left beside it.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["secdesk-ingest.prom"]);

    // A claim, then rotate-notify's own file: its job label, the claimed
    // issue counted, the ingest file untouched.
    desk.cmd_at("secdesk", "2026-11-22T09:30:00Z")
        .args(["--as", "alice", "claim", "1"])
        .stdout();
    desk.cmd_at("secdesk-rotate-notify", "2026-11-22T09:35:00Z")
        .stdout();
    let notify = parse(&dir.join("secdesk-rotate-notify.prom"));
    let rn = [("job", "rotate-notify")];
    assert_eq!(
        value(&notify, "secdesk_job_last_success_timestamp_seconds", &rn),
        epoch("2026-11-22T09:35:00Z")
    );
    assert_eq!(
        value(
            &notify,
            "secdesk_issues_open",
            &[("job", "rotate-notify"), ("state", "claimed")]
        ),
        1.0
    );
    assert!(
        !notify
            .iter()
            .any(|s| s.name == "secdesk_job_messages_ingested"),
        "{notify:#?}"
    );
    let again = parse(&file);
    assert_eq!(
        value(&again, "secdesk_job_last_success_timestamp_seconds", &job),
        epoch("2026-11-22T09:00:00Z")
    );

    // A later ingest with nothing new: the time moves, the run's count is 0.
    desk.cmd_at("secdesk-ingest", "2026-11-22T10:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    let later = parse(&file);
    assert_eq!(
        value(&later, "secdesk_job_last_success_timestamp_seconds", &job),
        epoch("2026-11-22T10:00:00Z")
    );
    assert_eq!(value(&later, "secdesk_job_messages_ingested", &job), 0.0);
}

/// A real HTTP server on loopback that answers 200 to every GET and
/// appends its path to a file.
struct Heartbeat {
    child: Child,
    port: u16,
    log: PathBuf,
}

const SERVER: &str = r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], "a") as f:
            f.write(self.path + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
if len(sys.argv) > 2:
    import ssl
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[2], sys.argv[3])
    s.socket = tls.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

impl Heartbeat {
    fn start(log: PathBuf) -> Heartbeat {
        Heartbeat::spawn(log, &[])
    }

    /// The same over TLS with the harness's `localhost` certificate.
    fn start_tls(log: PathBuf, cert: &crate::harness::tls::Cert) -> Heartbeat {
        Heartbeat::spawn(log, &[cert.cert.clone(), cert.key.clone()])
    }

    fn spawn(log: PathBuf, tls: &[PathBuf]) -> Heartbeat {
        let mut child = Command::new("/usr/bin/python3")
            .args(["-c", SERVER])
            .arg(&log)
            .args(tls)
            .stdout(Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 runs (Debian package python3)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        Heartbeat { child, port, log }
    }

    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const TOKEN: &str = "5f1e8b2a-7c3d-4e9f-token";

#[test]
fn heartbeat_is_pinged_after_success_only_and_its_url_never_printed() {
    let (desk, dir) = metrics_desk("heartbeat_after_success");
    let server = Heartbeat::start(desk.dir.join("requests.log"));
    let url_file = desk.dir.write(
        "heartbeat-url",
        format!("http://127.0.0.1:{}/ping/{TOKEN}\n", server.port),
    );
    let mut c = desk.config_json();
    c["heartbeat_url_file"] = url_file.to_str().unwrap().into();
    c["report"] = serde_json::json!({"to": ["team@example.org"]});
    // An SMTP server that is not there: the report cannot be delivered.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    c["smtp"] = serde_json::json!({"host": "127.0.0.1", "port": port, "tls": "none",
                                   "from": "secdesk <secdesk@example.org>", "timeout": "2s"});
    desk.set_config(&c);

    let mut printed = String::new();
    let ok = desk
        .cmd("secdesk-ingest")
        .arg("--maildir")
        .arg(sample_mail())
        .assert_exit_code(0);
    printed += &String::from_utf8_lossy(&ok.stdout);
    printed += &String::from_utf8_lossy(&ok.stderr);
    assert_eq!(server.requests(), [format!("/ping/{TOKEN}")]);

    // The report's delivery fails: exit 1, no ping, no metrics file.
    let failed = desk.cmd("secdesk-triage-report").assert_exit_code(1);
    printed += &String::from_utf8_lossy(&failed.stdout);
    printed += &String::from_utf8_lossy(&failed.stderr);
    assert_eq!(server.requests().len(), 1, "pinged after a failed run");
    assert!(!dir.join("secdesk-triage-report.prom").exists());

    // The heartbeat server gone: the job still did its work (exit 0) and
    // says where the URL came from, never the URL.
    let port = server.port;
    drop(server);
    let unpinged = desk
        .cmd_at("secdesk-ingest", "2026-11-22T10:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .assert_exit_code(0);
    let err = String::from_utf8_lossy(&unpinged.stderr).into_owned();
    printed += &String::from_utf8_lossy(&unpinged.stdout);
    printed += &err;
    assert!(
        err.contains(&format!(
            "heartbeat not pinged ({}): cannot connect to 127.0.0.1:{port}",
            url_file.display()
        )),
        "{err}"
    );
    assert!(!printed.contains(TOKEN), "{printed}");
    desk.assert_secret_not_stored(TOKEN);
}

#[test]
fn unwritable_metrics_dir_is_logged_and_the_job_still_succeeds() {
    let desk = Desk::new("unwritable_metrics_dir");
    let blocker = desk.dir.write("not-a-dir", "a file");
    let mut c = desk.config_json();
    c["metrics_dir"] = blocker.to_str().unwrap().into();
    desk.set_config(&c);
    let out = desk
        .cmd("secdesk-ingest")
        .arg("--maildir")
        .arg(sample_mail())
        .assert_exit_code(0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "secdesk-ingest: metrics not written to {}/secdesk-ingest.prom:",
            blocker.display()
        )),
        "{err}"
    );
}

#[test]
fn heartbeat_over_https_is_pinged_when_the_server_is_trusted() {
    let desk = Desk::new("heartbeat_over_https");
    let cert = crate::harness::tls::Cert::localhost();
    let server = Heartbeat::start_tls(desk.dir.join("requests.log"), &cert);
    let url_file = desk.dir.write(
        "heartbeat-url",
        format!("https://localhost:{}/ping/{TOKEN}?rid=1", server.port),
    );
    let mut c = desk.config_json();
    c["heartbeat_url_file"] = url_file.to_str().unwrap().into();
    desk.set_config(&c);
    // The system's trust store, extended the OpenSSL way by the test's CA.
    let out = desk
        .cmd("secdesk-rotate-notify")
        .env("SSL_CERT_FILE", &cert.cert)
        .assert_exit_code(0);
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.requests(), [format!("/ping/{TOKEN}?rid=1")]);
    // Not trusted: no ping, said without the URL, still exit 0.
    let out = desk.cmd("secdesk-rotate-notify").assert_exit_code(0);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains("heartbeat not pinged") && err.contains("TLS with localhost"),
        "{err}"
    );
    assert!(!err.contains(TOKEN), "{err}");
    assert_eq!(server.requests().len(), 1);
}
