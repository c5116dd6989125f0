//! The Bat-Signal through the real binaries and a real SMTP server, time
//! driven by `--now`: pages per role (daytime first), ack by CLI, decline
//! paging the next at once, escalation on time, acked roles stopping, the
//! baton taken and passed, the resolution; and the private contacts in
//! no output, log, database file (WAL included), history or other
//! person's mail.

use crate::harness::smtp::SmtpServer;
use crate::util::{Desk, sample_mail};
use mail_parser::MessageParser;
use std::os::unix::fs::PermissionsExt;

pub(crate) const PRIVATE: [&str; 3] = [
    "alice-pager@example.net",
    "alice-sms@example.net",
    "bob-pager@example.net",
];

/// A received mail: its outbox key, envelope recipients, subject, body.
#[derive(Debug, Clone)]
pub(crate) struct Got {
    pub(crate) key: String,
    pub(crate) to: String,
    pub(crate) subject: String,
    pub(crate) reply_to: String,
    pub(crate) raw: String,
}

pub(crate) fn got(smtp: &SmtpServer) -> Vec<Got> {
    smtp.received()
        .iter()
        .map(|raw| {
            let p = MessageParser::default().parse(raw).expect("parse");
            let h = |n: &str| p.header_raw(n).unwrap_or("").trim().to_string();
            Got {
                key: h("X-Secdesk-Key"),
                to: h("X-Envelope-To"),
                subject: p.subject().unwrap_or("").to_string(),
                reply_to: h("Reply-To"),
                // Without the test server's own X-Envelope-To line: the
                // bytes secdesk composed and stored.
                raw: String::from_utf8_lossy(raw)
                    .lines()
                    .filter(|l| !l.starts_with("X-Envelope-To:"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            }
        })
        .collect()
}

fn private_file(desk: &Desk, name: &str, text: &str) -> std::path::PathBuf {
    let p = desk.dir.write(name, text);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// Four members in Berlin, New York, Tokyo and Sydney; at 10:00 UTC bob
/// (05:00 in New York) is asleep. Issue 1 made critical.
pub(crate) fn setup(name: &str, smtp: &SmtpServer) -> (Desk, String) {
    let desk = Desk::new(name);
    let contacts = private_file(
        &desk,
        "signal-contacts.json",
        r#"{"alice": ["alice-pager@example.net", "alice-sms@example.net"], "bob": ["bob-pager@example.net"]}"#,
    );
    let secret = private_file(&desk, "signal-token", "s3cret token key\n");
    let mut c = desk.config_json();
    c["team"].as_array_mut().unwrap().push(serde_json::json!(
        {"id": "dmitri", "email": "dmitri@example.org", "timezone": "Australia/Sydney"}
    ));
    c["smtp"] = smtp.config();
    c["signal"] = serde_json::json!({
        "roles": {"coordination": ["alice", "dmitri"], "package-fixing": ["bob", "carol"],
                  "qa": ["carol", "alice"], "release-engineering": ["dmitri", "bob"]},
        "ack_timeout": "15m", "rounds": 2,
        "war_room": "https://matrix.to/#/#sec-incident:example.org",
        "checklist": "https://wiki.example.org/bat-signal",
        "reply_to": "security@example.org",
        "contacts_file": contacts, "token_secret_file": secret
    });
    desk.set_config(&c);
    desk.cmd_at("secdesk-ingest", "2026-11-22T09:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    desk.cmd_at("secdesk", "2026-11-22T09:30:00Z")
        .args(["--as", "alice", "severity", "1", "critical"])
        .stdout();
    (desk, String::new())
}

struct Run {
    out: String,
}

fn run(desk: &Desk, log: &mut Vec<String>, now: &str, args: &[&str]) -> Run {
    let bin = if args.is_empty() {
        "secdesk-rotate-notify"
    } else {
        "secdesk"
    };
    let o = desk.cmd_at(bin, now).args(args).assert_exit_code(0);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    log.push(out.clone());
    log.push(String::from_utf8_lossy(&o.stderr).into_owned());
    Run { out }
}

/// The mails the server filed since the last call (`seen` counts them).
pub fn pages_since(smtp: &SmtpServer, seen: &mut usize) -> Vec<Got> {
    let all = got(smtp);
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

/// The outbox keys of `mails`, sorted.
pub fn keys(mails: &[Got]) -> Vec<String> {
    let mut k: Vec<String> = mails.iter().map(|m| m.key.clone()).collect();
    k.sort();
    k
}

#[test]
fn one_role_acked_one_declined_one_escalating_then_baton_and_resolution() {
    let smtp = SmtpServer::start("signal-flow");
    let (desk, _) = setup("signal_flow", &smtp);
    let mut log = Vec::new();
    let mut seen = 0;

    // Not critical: refused without --force.
    let refused = desk
        .cmd_at("secdesk", "2026-11-22T09:59:00Z")
        .args(["--as", "alice", "signal", "raise", "2", "--reason", "x"])
        .assert_usage_error();
    assert!(
        refused.contains("not critical") && refused.contains("--force"),
        "{refused}"
    );

    let raised = run(
        &desk,
        &mut log,
        "2026-11-22T10:00:00Z",
        &[
            "--as",
            "alice",
            "signal",
            "raise",
            "1",
            "--reason",
            "remote code execution, exploited",
        ],
    );
    assert!(
        raised.out.starts_with("signal 1 raised for #1"),
        "{}",
        raised.out
    );

    // The first pages: one per role, daytime members first (bob asleep).
    run(&desk, &mut log, "2026-11-22T10:00:30Z", &[]);
    let first = pages_since(&smtp, &mut seen);
    assert_eq!(
        keys(&first),
        [
            "signal-page:1:coordination:alice:1",
            "signal-page:1:package-fixing:carol:1",
            "signal-page:1:qa:carol:1",
            "signal-page:1:release-engineering:dmitri:1",
        ]
    );
    let alice = first.iter().find(|m| m.key.contains(":alice:")).unwrap();
    assert_eq!(
        alice.to, "alice@example.org, alice-pager@example.net, alice-sms@example.net",
        "the page goes to the team address and every private contact"
    );
    assert!(
        alice.subject.starts_with("BAT-SIGNAL coordination #1 "),
        "{}",
        alice.subject
    );
    let token = alice
        .subject
        .rsplit('[')
        .next()
        .unwrap()
        .trim_end_matches(']')
        .to_string();
    assert!(token.starts_with("bs1-") && token.len() == 14, "{token}");
    assert_eq!(alice.reply_to, format!("security+{token}@example.org"));
    assert!(
        alice.subject.len() <= 60,
        "short for an SMS gateway: {}",
        alice.subject
    );
    for want in [
        "War room: https://matrix.to/#/#sec-incident:example.org",
        "Checklist: https://wiki.example.org/bat-signal",
        "secdesk signal ack 1 --role coordination",
        "reply to this mail",
        "Severity: critical",
    ] {
        assert!(
            alice.raw.contains(want),
            "page lacks {want:?}:\n{}",
            alice.raw
        );
    }
    for p in PRIVATE {
        assert!(
            !alice.raw.contains(p),
            "a private contact in the page's bytes: {p}"
        );
    }

    // alice acks coordination by CLI and takes the baton.
    let ack = run(
        &desk,
        &mut log,
        "2026-11-22T10:05:00Z",
        &["--as", "alice", "signal", "ack", "1"],
    );
    assert!(
        ack.out.contains("signal 1: coordination acked by alice"),
        "{}",
        ack.out
    );
    assert!(ack.out.contains("incident lead: alice"), "{}", ack.out);
    // carol declines package-fixing: bob is paged at once.
    run(
        &desk,
        &mut log,
        "2026-11-22T10:06:00Z",
        &[
            "--as",
            "carol",
            "signal",
            "decline",
            "1",
            "--role",
            "package-fixing",
        ],
    );
    // carol takes qa.
    run(
        &desk,
        &mut log,
        "2026-11-22T10:06:10Z",
        &["--as", "carol", "signal", "ack", "1", "--role", "qa"],
    );
    run(&desk, &mut log, "2026-11-22T10:06:30Z", &[]);
    let second = pages_since(&smtp, &mut seen);
    assert_eq!(
        keys(&second),
        [
            "signal-page:1:package-fixing:bob:2",
            "signal-update:1:1",
            "signal-update:1:2",
            "signal-update:1:3",
        ]
    );
    let bob = second.iter().find(|m| m.key.contains(":bob:")).unwrap();
    assert_eq!(bob.to, "bob@example.org, bob-pager@example.net");
    let update = second
        .iter()
        .find(|m| m.key == "signal-update:1:1")
        .unwrap();
    assert!(
        update.subject.contains("coordination acked by alice"),
        "{}",
        update.subject
    );
    assert!(
        update
            .raw
            .contains("Incident lead (holds the baton): alice"),
        "{}",
        update.raw
    );

    // 10:15: release engineering, unacked, escalates to bob; acked roles
    // are not paged again.
    run(&desk, &mut log, "2026-11-22T10:14:30Z", &[]);
    assert!(
        pages_since(&smtp, &mut seen).is_empty(),
        "nothing due before the timeout"
    );
    run(&desk, &mut log, "2026-11-22T10:15:30Z", &[]);
    let third = pages_since(&smtp, &mut seen);
    assert_eq!(keys(&third), ["signal-page:1:release-engineering:bob:2"]);

    // The baton passes to dmitri, who is told.
    let pass = run(
        &desk,
        &mut log,
        "2026-11-22T10:20:00Z",
        &["--as", "alice", "signal", "baton", "1", "--to", "dmitri"],
    );
    assert!(pass.out.contains("incident lead: dmitri"), "{}", pass.out);
    run(&desk, &mut log, "2026-11-22T10:20:30Z", &[]);
    let fourth = pages_since(&smtp, &mut seen);
    assert_eq!(keys(&fourth), ["signal-update:1:4"]);
    assert!(
        fourth[0].to.contains("dmitri@example.org"),
        "{}",
        fourth[0].to
    );
    assert!(
        fourth[0]
            .raw
            .contains("Incident lead (holds the baton): dmitri")
    );

    // Status for everyone: counts of private contacts, never addresses.
    let status = run(
        &desk,
        &mut log,
        "2026-11-22T10:21:00Z",
        &["signal", "status", "1"],
    );
    assert!(
        status.out.contains("alice: acked, 2 private contacts"),
        "{}",
        status.out
    );
    assert!(
        status.out.contains("bob: paged, 1 private contact"),
        "{}",
        status.out
    );
    let json = run(
        &desk,
        &mut log,
        "2026-11-22T10:21:00Z",
        &["--json", "signal", "status"],
    );
    let v: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(v["signals"][0]["baton"], "dmitri");
    assert_eq!(v["signals"][0]["roles"][0]["role"], "coordination");
    assert_eq!(v["signals"][0]["roles"][0]["ack_seconds"], 300);

    // Resolved: one mail to everyone paged; nothing is paged after.
    run(
        &desk,
        &mut log,
        "2026-11-22T10:40:00Z",
        &[
            "--as",
            "dmitri",
            "signal",
            "resolve",
            "1",
            "--summary",
            "patched and announced",
        ],
    );
    run(&desk, &mut log, "2026-11-22T10:40:30Z", &[]);
    run(&desk, &mut log, "2026-11-22T11:30:00Z", &[]);
    let fifth = pages_since(&smtp, &mut seen);
    assert_eq!(keys(&fifth), ["signal-update:1:resolved"]);
    for m in ["alice", "bob", "carol", "dmitri"] {
        assert!(
            fifth[0].to.contains(&format!("{m}@example.org")),
            "{}",
            fifth[0].to
        );
    }
    let ack_after = desk
        .cmd_at("secdesk", "2026-11-22T10:41:00Z")
        .args([
            "--as",
            "bob",
            "signal",
            "ack",
            "1",
            "--role",
            "package-fixing",
        ])
        .assert_usage_error();
    assert!(ack_after.contains("signal 1 is resolved"), "{ack_after}");

    // After the resolve nobody is paged or waiting any more: the roles
    // nobody took say so, and so do the members paged for them.
    let after = run(
        &desk,
        &mut log,
        "2026-11-22T10:41:00Z",
        &["signal", "status", "1"],
    );
    for want in [
        "  package-fixing: unanswered (resolved before an ack)\n",
        "    bob: unanswered, 1 private contact\n",
        "  release-engineering: unanswered (resolved before an ack)\n",
        "    dmitri: unanswered, team address only\n",
        "    dmitri: not-paged, team address only\n",
    ] {
        assert!(
            after.out.contains(want),
            "status lacks {want:?}:\n{}",
            after.out
        );
    }
    assert!(
        !after.out.contains(": paged") && !after.out.contains("waiting"),
        "{}",
        after.out
    );

    // The history says all of it.
    let history = run(&desk, &mut log, "2026-11-22T11:31:00Z", &["history", "1"]);
    for want in [
        "Bat-Signal 1 raised",
        "coordination acked by alice",
        "package-fixing declined by carol",
        "baton passed to dmitri",
        "Bat-Signal 1 resolved",
    ] {
        assert!(
            history.out.contains(want),
            "history lacks {want:?}:\n{}",
            history.out
        );
    }

    // Privacy: no private contact in any output, log, database file, or
    // any mail to someone else (a page's bytes name only the team address).
    let mut places: Vec<(String, Vec<u8>)> = log
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("output {i}"), s.clone().into_bytes()))
        .collect();
    for f in ["secdesk.sqlite", "secdesk.sqlite-wal", "secdesk.sqlite-shm"] {
        if let Ok(bytes) = std::fs::read(desk.dir.join(f)) {
            places.push((f.to_string(), bytes));
        }
    }
    for m in got(&smtp) {
        let owner = m.key.split(':').nth(3).unwrap_or("");
        let mine = m.key.starts_with("signal-page:");
        for p in PRIVATE {
            if !(mine && p.starts_with(owner)) {
                assert!(
                    !m.to.contains(p),
                    "{p} on the envelope of {} to {}",
                    m.key,
                    m.to
                );
            }
        }
        places.push((format!("mail {} (bytes)", m.key), m.raw.into_bytes()));
    }
    for (place, bytes) in &places {
        let text = String::from_utf8_lossy(bytes);
        for p in PRIVATE {
            assert!(!text.contains(p), "{p} found in {place}");
        }
    }
}

/// Every recorded action (raise, ack, decline, baton, resolve) writes
/// `signal.trigger` beside the database, which the NixOS module's
/// `secdesk-rotate-notify.path` watches to send the first pages and each
/// update at once; `status` and a refused action leave it alone, and
/// nothing else secdesk does writes it.
#[test]
fn signal_actions_write_the_trigger_beside_the_database() {
    let smtp = SmtpServer::start("signal-trigger");
    let (desk, _) = setup("signal_trigger", &smtp);
    let trigger = desk.db.parent().unwrap().join("signal.trigger");
    let read = || std::fs::read_to_string(&trigger).ok();
    assert_eq!(read(), None, "ingest and severity wrote the trigger");

    let mut log = Vec::new();
    let raise = [
        "--as",
        "alice",
        "signal",
        "raise",
        "1",
        "--reason",
        "exploited",
    ];
    run(&desk, &mut log, "2026-11-22T10:00:00Z", &raise);
    assert_eq!(read().as_deref(), Some("2026-11-22T10:00:00Z\n"));

    run(&desk, &mut log, "2026-11-22T10:01:00Z", &[]);
    run(
        &desk,
        &mut log,
        "2026-11-22T10:02:00Z",
        &["signal", "status"],
    );
    assert_eq!(
        read().as_deref(),
        Some("2026-11-22T10:00:00Z\n"),
        "rotate-notify or status wrote the trigger"
    );
    desk.cmd_at("secdesk", "2026-11-22T10:03:00Z")
        .args(["--as", "alice", "signal", "ack", "7"])
        .assert_exit_code(2);
    assert_eq!(
        read().as_deref(),
        Some("2026-11-22T10:00:00Z\n"),
        "a refused ack wrote the trigger"
    );

    let actions: [(&str, &[&str]); 4] = [
        (
            "2026-11-22T10:04:00Z",
            &["--as", "alice", "signal", "ack", "1"],
        ),
        (
            "2026-11-22T10:05:00Z",
            &[
                "--as",
                "carol",
                "signal",
                "decline",
                "1",
                "--role",
                "package-fixing",
            ],
        ),
        (
            "2026-11-22T10:06:00Z",
            &["--as", "alice", "signal", "baton", "1", "--to", "dmitri"],
        ),
        (
            "2026-11-22T10:07:00Z",
            &[
                "--as",
                "dmitri",
                "signal",
                "resolve",
                "1",
                "--summary",
                "fixed",
            ],
        ),
    ];
    for (now, args) in actions {
        run(&desk, &mut log, now, args);
        assert_eq!(read(), Some(format!("{now}\n")), "{args:?}");
    }
}

/// Ingest raises an issue in a core package to critical: the member on
/// call gets one mail proposing `secdesk signal raise N`, once; nobody is
/// paged. A critical issue in another package proposes nothing.
#[test]
fn mail_making_a_core_package_critical_proposes_a_signal_once_and_pages_nobody() {
    let smtp = SmtpServer::start("signal-proposal");
    let desk = Desk::new("signal_proposal");
    let mut c = desk.config_json();
    c["smtp"] = smtp.config();
    c["rotation"] =
        serde_json::json!({ "start": "2026-11-16", "order": ["alice", "bob", "carol"] });
    c["signal"] = serde_json::json!({
        "roles": {"coordination": ["alice", "bob"], "package-fixing": ["bob", "carol"]},
        "core_packages": ["OpenSSL", "glibc"]
    });
    desk.set_config(&c);
    desk.dir.write(
        "in/cur/1",
        "Message-ID: <rhsa-openssl@x>\nDate: Sun, 22 Nov 2026 08:30:00 +0000\nSubject: [RHSA-2026:4242-01] Critical: openssl security update\n\nCVE-2026-4242: remote code execution in the TLS handshake.\n",
    );
    desk.dir.write(
        "in/cur/2",
        "Message-ID: <rhsa-firefox@x>\nDate: Sun, 22 Nov 2026 08:40:00 +0000\nSubject: [RHSA-2026:4243-01] Critical: firefox security update\n\nCVE-2026-4343\n",
    );
    desk.cmd_at("secdesk-ingest", "2026-11-22T09:00:00Z")
        .arg("--maildir")
        .arg(desk.dir.join("in"))
        .stdout();
    let show = desk
        .cmd_at("secdesk", "2026-11-22T09:01:00Z")
        .args(["show", "1"])
        .stdout();
    assert!(
        show.contains("critical") && show.contains("openssl"),
        "{show}"
    );
    let other = desk
        .cmd_at("secdesk", "2026-11-22T09:01:00Z")
        .args(["show", "2"])
        .stdout();
    assert!(
        other.contains("critical") && other.contains("firefox"),
        "{other}"
    );

    let first = desk
        .cmd_at("secdesk-rotate-notify", "2026-11-22T09:05:00Z")
        .stdout();
    // Day 6 of a three-member rota that started on the 16th: alice.
    assert!(first.contains("on call alice"), "{first}");
    let signal_mail = |smtp: &SmtpServer| -> Vec<Got> {
        got(smtp)
            .into_iter()
            .filter(|m| m.key.starts_with("signal-"))
            .collect()
    };
    let proposals = signal_mail(&smtp);
    assert_eq!(keys(&proposals), ["signal-proposal:1"], "{first}");
    let p = &proposals[0];
    assert_eq!(p.to, "alice@example.org");
    assert!(
        p.subject
            .starts_with("Bat-Signal for #1? critical in openssl"),
        "{}",
        p.subject
    );
    assert!(
        p.raw.contains("secdesk signal raise 1 --reason TEXT")
            && p.raw
                .contains("secdesk never raises a Bat-Signal by itself"),
        "{}",
        p.raw
    );

    let second = desk
        .cmd_at("secdesk-rotate-notify", "2026-11-22T09:10:00Z")
        .stdout();
    assert_eq!(signal_mail(&smtp).len(), 1, "proposed once: {second}");
    let later = desk
        .cmd_at("secdesk-rotate-notify", "2026-11-22T15:00:00Z")
        .stdout();
    assert_eq!(signal_mail(&smtp).len(), 1, "still once: {later}");
    let status = desk
        .cmd_at("secdesk", "2026-11-22T15:01:00Z")
        .args(["signal", "status"])
        .stdout();
    eqnice!("no Bat-Signals\n", status);
}
