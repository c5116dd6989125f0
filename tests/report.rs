//! The daily triage report and the outbox, against a real SMTP server:
//! once a day, queued while the server is down and sent once when it is
//! back, refusals recorded with the server's answer, mail-derived text
//! unable to add headers, and the whole rendering checked as a snapshot.

use crate::harness::smtp::SmtpServer;
use crate::util::{Desk, sample_mail};
use mail_parser::{MessageParser, MimeHeaders};

fn with_smtp(desk: &Desk, smtp: &SmtpServer, to: &[&str]) {
    let mut c = desk.config_json();
    c["smtp"] = smtp.config();
    c["report"] = serde_json::json!({ "to": to });
    desk.set_config(&c);
}

fn report(desk: &Desk, now: &str) -> std::process::Output {
    desk.cmd_at("secdesk-triage-report", now).output()
}

fn subjects(smtp: &SmtpServer) -> Vec<String> {
    smtp.received()
        .iter()
        .map(|m| {
            MessageParser::default()
                .parse(m)
                .and_then(|p| p.subject().map(str::to_string))
                .unwrap_or_default()
        })
        .collect()
}

desktest!(report_arrives_once_a_day, |desk| {
    let smtp = SmtpServer::start("once");
    desk.ingest_maildir(&sample_mail());
    with_smtp(&desk, &smtp, &["team@example.org"]);
    let out = report(&desk, "2026-11-22T07:00:00Z");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eqnice!(
        "report: report:2026-11-22 queued; outbox: 1 sent, 0 waiting to retry, 0 refused\n",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(smtp.received().len(), 1);
    // Every run's output, to look for the password in: the runs that sent
    // logged in to the server with it (it requires AUTH).
    let mut runs = vec![out];
    let out = report(&desk, "2026-11-22T18:00:00Z");
    eqnice!(
        "report: report:2026-11-22 already queued earlier; outbox: 0 sent, 0 waiting to retry, 0 refused\n",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        smtp.received().len(),
        1,
        "a second run the same day sends nothing"
    );
    runs.push(out);
    let out = report(&desk, "2026-11-23T07:00:00Z");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 sent"),
        "the next day logs in and sends: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    runs.push(out);
    let s = subjects(&smtp);
    assert_eq!(s.len(), 2, "the next day sends again");
    assert!(
        s[0].starts_with("[secdesk] triage report 2026-11-22: 11 new, 11 unclaimed"),
        "{s:?}"
    );
    assert!(
        s[1].starts_with("[secdesk] triage report 2026-11-23"),
        "{s:?}"
    );
    // --force sends another copy the same day.
    let forced = desk
        .cmd_at("secdesk-triage-report", "2026-11-23T08:00:00Z")
        .arg("--force")
        .output();
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let out = String::from_utf8_lossy(&forced.stdout).into_owned();
    assert!(
        out.starts_with("report: report:2026-11-23#2 queued"),
        "{out}"
    );
    assert_eq!(smtp.received().len(), 3);
    runs.push(forced);
    // The SMTP password shows in the output of no run, in particular of the
    // three that logged in with it and sent, and is not in the database.
    let sent = runs
        .iter()
        .filter(|run| String::from_utf8_lossy(&run.stdout).contains("1 sent"))
        .count();
    assert_eq!(sent, 3, "three of the runs logged in and sent");
    for run in &runs {
        for text in [
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr),
        ] {
            assert!(
                !text.contains(&smtp.password),
                "the password leaked: {text}"
            );
        }
    }
    desk.assert_secret_not_stored(&smtp.password);
});

desktest!(implicit_tls_smtp_delivers_the_report, |desk| {
    let smtp = SmtpServer::start_implicit("implicit");
    with_smtp(&desk, &smtp, &["team@example.org"]);
    let out = report(&desk, "2026-11-22T07:00:00Z");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(smtp.received().len(), 1);
});

desktest!(smtp_down_keeps_mail_queued_and_sends_once, |desk| {
    let port = crate::harness::port::free_port();
    // Configure against a server that is not running yet.
    let mut up = SmtpServer::start_on("down-config", port);
    with_smtp(&desk, &up, &["team@example.org"]);
    up.stop();
    desk.ingest_maildir(&sample_mail());
    let out = report(&desk, "2026-11-22T07:00:00Z");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the run fails while the server is down"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mail report:2026-11-22: not sent, will retry in 1m"),
        "{stderr}"
    );
    let v: serde_json::Value = desk
        .cmd_at("secdesk", "2026-11-22T07:00:30Z")
        .args(["status", "--json"])
        .json();
    assert_eq!(v["outbox"]["queued"], 1);
    // The server comes back (same port, same password file contents).
    let back = SmtpServer::start_on("down-config", port);
    assert_eq!(back.password, up.password);
    let out = report(&desk, "2026-11-22T07:05:00Z");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 sent"));
    assert_eq!(back.received().len(), 1);
    report(&desk, "2026-11-22T07:10:00Z");
    report(&desk, "2026-11-22T09:00:00Z");
    assert_eq!(back.received().len(), 1, "delivered exactly once");
    let v: serde_json::Value = desk
        .cmd_at("secdesk", "2026-11-22T09:00:00Z")
        .args(["status", "--json"])
        .json();
    assert_eq!(v["outbox"]["sent"], 1);
    assert_eq!(v["outbox"]["queued"], 0);
});

desktest!(
    refused_recipient_is_marked_failed_with_the_servers_answer,
    |desk| {
        let smtp = SmtpServer::start("refused");
        with_smtp(&desk, &smtp, &["nobody@refused.invalid"]);
        let out = report(&desk, "2026-11-22T07:00:00Z");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("refused: permanent error (550)"),
            "{stderr}"
        );
        assert!(smtp.received().is_empty());
        let v: serde_json::Value = desk
            .cmd_at("secdesk", "2026-11-22T07:01:00Z")
            .args(["status", "--json"])
            .json();
        assert_eq!(v["outbox"]["failed"], 1);
        let err = v["outbox"]["trouble"][0]["last_error"]
            .as_str()
            .unwrap_or("");
        assert!(err.contains("550") && err.contains("User unknown"), "{err}");
        let text = desk
            .cmd_at("secdesk", "2026-11-22T07:01:00Z")
            .arg("status")
            .stdout();
        assert!(
            text.contains("REFUSED report:2026-11-22 to nobody@refused.invalid"),
            "{text}"
        );
        // Never retried, and loud in the next report.
        let next = desk
            .cmd_at("secdesk-triage-report", "2026-11-23T07:00:00Z")
            .arg("--stdout")
            .stdout();
        assert!(
            next.contains("!!! MAIL REFUSED: report:2026-11-22 to nobody@refused.invalid"),
            "{next}"
        );
    }
);

desktest!(
    hostile_subject_adds_no_header_and_shows_as_text_in_html,
    |desk| {
        let smtp = SmtpServer::start("hostile");
        desk.dir.write(
        "evil/cur/1",
        "Message-ID: <evil@x>\nList-Id: <oss-security.lists.openwall.com>\nSubject: =?UTF-8?Q?pwn=0D=0ABcc:_victim@example.com=0D=0AX-Evil:_1_<script>alert(1)</script>_CVE-2026-0001?=\n\nbody\n",
    );
        desk.ingest_maildir(&desk.dir.join("evil"));
        with_smtp(&desk, &smtp, &["team@example.org"]);
        let out = report(&desk, "2026-11-22T10:00:00Z");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let raw = smtp.received().pop().expect("one mail");
        let text = String::from_utf8_lossy(&raw);
        let (head, _) = text
            .split_once("\r\n\r\n")
            .or_else(|| text.split_once("\n\n"))
            .expect("headers");
        for line in head.lines() {
            let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
            assert!(
                name != "bcc" && name != "x-evil",
                "an injected header: {line}"
            );
        }
        let parsed = MessageParser::default().parse(&raw).expect("parse");
        assert_eq!(
            parsed.header_raw("X-Envelope-To").map(str::trim),
            Some("team@example.org"),
            "nobody else received it"
        );
        let html = parsed.body_html(0).expect("an HTML part");
        assert!(!html.contains("<script>"), "raw markup in the HTML");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        let plain = parsed.body_text(0).expect("a text part");
        assert!(
            plain.contains("pwn Bcc: victim@example.com X-Evil: 1 <script>"),
            "{plain}"
        );
    }
);

desktest!(without_smtp_the_report_is_an_eml_file, |desk| {
    let mut c = desk.config_json();
    c["report"] = serde_json::json!({ "to": ["team@example.org"] });
    desk.set_config(&c);
    desk.cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
        .stdout();
    let eml = desk.dir.join("outbox/report_2026-11-22.eml");
    let raw = std::fs::read(&eml).expect("the report was written to the outbox directory");
    let parsed = MessageParser::default().parse(&raw).expect("parse");
    assert!(
        parsed
            .subject()
            .unwrap_or("")
            .starts_with("[secdesk] triage report 2026-11-22")
    );
});

desktest!(report_without_recipients_is_exit_2, |desk| {
    let err = desk
        .cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
        .assert_usage_error();
    assert!(err.contains("key `report.to`"), "{err}");
    assert!(err.contains(&desk.config.display().to_string()), "{err}");
});

desktest!(stale_ingest_is_loud_at_the_top, |desk| {
    let mut c = desk.config_json();
    let pw = desk.dir.write("pw", "x\n");
    c["imap"] = serde_json::json!([{
        "name": "lists", "host": "127.0.0.1", "port": crate::harness::port::free_port(),
        "tls": "implicit", "user": "u", "password_file": pw, "mailboxes": ["INBOX"], "timeout": "2s"
    }]);
    desk.set_config(&c);
    let out = desk
        .cmd_at("secdesk-ingest", "2026-11-22T05:00:00Z")
        .assert_exit_code(1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect to 127.0.0.1"));
    let text = desk
        .cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
        .arg("--stdout")
        .stdout();
    let first: Vec<&str> = text.lines().take(6).collect();
    assert!(
        first.iter().any(|l| l.starts_with(
            "!!! INGEST STALE: lists/INBOX never fetched successfully; last error: cannot connect"
        )),
        "{text}"
    );
});

/// A fixed database at a fixed instant, rendered whole: both parts are
/// snapshots (`UPDATE_EXPECT=1` rewrites them; review the diff).
#[test]
fn report_rendering_snapshot() {
    let desk = Desk::new("report_rendering_snapshot");
    let mut c = desk.config_json();
    c["report"] = serde_json::json!({ "to": ["team@example.org"] });
    c["rotation"] =
        serde_json::json!({ "start": "2026-11-16", "order": ["alice", "bob", "carol"] });
    c["signal"] = serde_json::json!({
        "roles": {"coordination": ["alice", "bob"], "package-fixing": ["bob", "carol"],
                  "qa": ["carol"], "release-engineering": ["alice"]}
    });
    desk.set_config(&c);
    desk.cmd_at("secdesk-ingest", "2026-11-20T08:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    let act = |now: &str, who: &str, args: &[&str]| {
        desk.cmd_at("secdesk", now)
            .args(["--as", who])
            .args(args)
            .stdout();
    };
    act("2026-11-20T08:30:00Z", "alice", &["claim", "5"]);
    act(
        "2026-11-20T09:00:00Z",
        "alice",
        &[
            "release-status",
            "5",
            "25.05",
            "fixed",
            "--ref",
            "PR #356001",
        ],
    );
    act(
        "2026-11-20T09:10:00Z",
        "alice",
        &[
            "release-status",
            "5",
            "25.11",
            "fixed",
            "--ref",
            "PR #356002",
        ],
    );
    act(
        "2026-11-20T09:20:00Z",
        "alice",
        &[
            "release-status",
            "5",
            "unstable",
            "fixed",
            "--ref",
            "needrestart 3.8",
        ],
    );
    act("2026-11-20T10:00:00Z", "bob", &["claim", "2"]);
    // Severities put what matters first: #11 and #9 lead the unclaimed
    // list and the matrix, unset ones come last.
    act(
        "2026-11-20T10:30:00Z",
        "bob",
        &["severity", "11", "critical"],
    );
    // A Bat-Signal on #11, resolved: the report's last section.
    act(
        "2026-11-20T10:40:00Z",
        "bob",
        &["signal", "raise", "11", "--reason", "wormable, exploited"],
    );
    act(
        "2026-11-20T10:47:00Z",
        "alice",
        &["signal", "ack", "1", "--role", "coordination"],
    );
    act(
        "2026-11-20T11:30:00Z",
        "alice",
        &["signal", "resolve", "1", "--summary", "not as bad"],
    );
    act("2026-11-20T10:30:00Z", "bob", &["severity", "9", "high"]);
    act("2026-11-20T10:30:00Z", "bob", &["severity", "10", "medium"]);
    act("2026-11-20T10:30:00Z", "bob", &["severity", "7", "low"]);
    act(
        "2026-11-20T11:00:00Z",
        "carol",
        &["release-status", "10", "25.05", "affected"],
    );
    act(
        "2026-11-21T12:00:00Z",
        "carol",
        &["dismiss", "6", "--reason", "not-packaged"],
    );
    desk.dir.write(
        "later/cur/1",
        "Message-ID: <later@x>\nList-Id: <debian-security-announce.lists.debian.org>\nDate: Sun, 22 Nov 2026 06:00:00 +0000\nSubject: [SECURITY] [DSA 6001-1] tcpdump security update\n\nPackage        : tcpdump\nCVE ID         : CVE-2016-7922\n",
    );
    desk.cmd_at("secdesk-ingest", "2026-11-22T06:30:00Z")
        .arg("--maildir")
        .arg(desk.dir.join("later"))
        .stdout();
    desk.cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
        .stdout();
    let raw = std::fs::read(desk.dir.join("outbox/report_2026-11-22.eml")).expect("report file");
    let parsed = MessageParser::default().parse(&raw).expect("parse");
    assert!(
        parsed
            .content_type()
            .is_some_and(|c| c.subtype() == Some("alternative"))
    );
    // Mail travels with CRLF line ends; the snapshots are kept with LF.
    let text = parsed.body_text(0).expect("text").replace("\r\n", "\n");
    let html = parsed.body_html(0).expect("html").replace("\r\n", "\n");
    expect_test::expect_file!["snapshots/report.txt"].assert_eq(&text);
    expect_test::expect_file!["snapshots/report.html"].assert_eq(&html);
    let stdout = desk
        .cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
        .arg("--stdout")
        .stdout();
    eqnice!(text.trim_end(), stdout.trim_end());
}

/// The body of the one `.eml` in the outbox directory whose name starts
/// with `prefix`.
fn outbox_text(desk: &Desk, prefix: &str) -> String {
    let dir = desk.dir.join("outbox");
    let file = std::fs::read_dir(&dir)
        .expect("the outbox directory")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix}* in {}", dir.display()));
    let raw = std::fs::read(file.path()).expect("read the mail");
    let parsed = MessageParser::default().parse(&raw).expect("parse");
    parsed.body_text(0).expect("text").replace("\r\n", "\n")
}

/// The issue numbers of the lines of `section` (up to its blank line).
fn ids_in(text: &str, section: &str, indent: &str) -> Vec<String> {
    let rest = text
        .split_once(section)
        .unwrap_or_else(|| panic!("no {section:?} in:\n{text}"))
        .1;
    rest.lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.strip_prefix(indent))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with('#'))
        .map(str::to_string)
        .collect()
}

desktest!(
    unclaimed_come_most_severe_first_in_report_handoff_and_status,
    |desk| {
        let mut c = desk.config_json();
        c["report"] = serde_json::json!({ "to": ["team@example.org"] });
        c["rotation"] =
            serde_json::json!({ "start": "2026-11-16", "order": ["alice", "bob", "carol"] });
        desk.set_config(&c);
        desk.cmd_at("secdesk-ingest", "2026-11-20T08:00:00Z")
            .arg("--maildir")
            .arg(sample_mail())
            .stdout();
        for (id, level) in [
            ("8", "low"),
            ("4", "medium"),
            ("11", "critical"),
            ("9", "high"),
            ("6", "high"),
        ] {
            desk.cmd_at("secdesk", "2026-11-20T09:00:00Z")
                .args(["--as", "alice", "severity", id, level])
                .stdout();
        }
        desk.cmd_at("secdesk", "2026-11-21T12:00:00Z")
            .args(["--as", "carol", "dismiss", "6", "--reason", "not-packaged"])
            .stdout();
        // Critical, high, medium, low, then the unset ones oldest first
        // (all arrived together: by number).
        let order = ["#11", "#9", "#4", "#8", "#1", "#2", "#3", "#5", "#7", "#10"];

        // The handoff to alice at the start of her shift on the 22nd.
        desk.cmd_at("secdesk-rotate-notify", "2026-11-22T00:00:00Z")
            .stdout();
        let handoff = outbox_text(&desk, "shift-start_2026-11-22");
        assert_eq!(
            ids_in(&handoff, "Unclaimed from before that", "  "),
            order,
            "{handoff}"
        );
        for line in [
            "  #11 [new, critical] Qualys Security Advisory - The Stack Clash\n",
            "  #9 [new, high] CVE-2014-9773 CVE-2016-4478 CVE request: atheme: security fixes\n",
            "  #5 [new] CVE-2024-10224 CVE-2024-11003 CVE-2024-48990 +2 Local Privilege Escalations in needrestart\n",
            "  #6 [high] (not-packaged) Stored XSS via File Upload - adaptcmsv3.0.3\n",
        ] {
            assert!(handoff.contains(line), "no {line:?} in:\n{handoff}");
        }

        // The daily report.
        desk.cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
            .stdout();
        let report = outbox_text(&desk, "report_2026-11-22");
        assert_eq!(ids_in(&report, "Unclaimed (10)", ""), order, "{report}");
        assert_eq!(
            ids_in(&report, "Release matrix of open issues (10)", ""),
            order,
            "{report}"
        );
        assert!(
            report
                .contains("\n#11  critical  1d 23h  Qualys Security Advisory - The Stack Clash\n"),
            "{report}"
        );

        // `secdesk status`, as text and as JSON.
        let status = desk
            .cmd_at("secdesk", "2026-11-22T07:00:00Z")
            .arg("status")
            .stdout();
        assert_eq!(
            ids_in(
                &status,
                "unclaimed (10), most severe first, then oldest:",
                "  "
            ),
            order,
            "{status}"
        );
        assert!(
            status
                .contains("  #11  critical  1d 23h  Qualys Security Advisory - The Stack Clash\n"),
            "{status}"
        );
        let v: serde_json::Value = desk
            .cmd_at("secdesk", "2026-11-22T07:00:00Z")
            .args(["status", "--json"])
            .json();
        let json: Vec<String> = v["unclaimed"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|u| format!("#{}", u["id"]))
            .collect();
        assert_eq!(json, order);
        assert_eq!(v["unclaimed"][0]["severity"], "critical");
        assert_eq!(v["unclaimed"][4]["severity"], serde_json::Value::Null);
    }
);

desktest!(
    report_lists_bat_signals_with_time_to_ack_per_role_and_no_private_contact,
    |desk| {
        use std::os::unix::fs::PermissionsExt;
        let contacts = desk.dir.write(
            "signal-contacts.json",
            r#"{"alice": ["alice-pager@example.net"], "carol": ["carol-sms@example.net"]}"#,
        );
        std::fs::set_permissions(&contacts, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut c = desk.config_json();
        c["signal"] = serde_json::json!({
            "roles": {"coordination": ["alice", "bob"], "package-fixing": ["bob", "carol"],
                      "qa": ["carol", "alice"], "release-engineering": ["alice"]},
            "contacts_file": contacts
        });
        c["report"] = serde_json::json!({ "to": ["team@example.org"] });
        desk.set_config(&c);
        desk.cmd_at("secdesk-ingest", "2026-11-20T08:00:00Z")
            .arg("--maildir")
            .arg(sample_mail())
            .stdout();
        let act = |now: &str, who: &str, args: &[&str]| {
            desk.cmd_at("secdesk", now)
                .args(["--as", who])
                .args(args)
                .stdout()
        };
        act(
            "2026-11-21T09:00:00Z",
            "bob",
            &["severity", "3", "critical"],
        );
        let raised = act(
            "2026-11-21T10:00:00Z",
            "bob",
            &["signal", "raise", "3", "--reason", "remote root, exploited"],
        );
        assert!(raised.starts_with("signal 1 raised for #3"), "{raised}");
        // Pages go out (rotate-notify), then the acks come in by CLI.
        desk.cmd_at("secdesk-rotate-notify", "2026-11-21T10:00:30Z")
            .stdout();
        act(
            "2026-11-21T10:07:00Z",
            "alice",
            &["signal", "ack", "1", "--role", "coordination"],
        );
        act(
            "2026-11-21T11:30:00Z",
            "carol",
            &["signal", "ack", "1", "--role", "qa"],
        );
        act(
            "2026-11-21T11:40:00Z",
            "alice",
            &["signal", "baton", "1", "--to", "carol"],
        );
        let report = desk
            .cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
            .arg("--stdout")
            .stdout();
        let section = report
            .split_once("\nBat-Signals, last 30 days (1)\n")
            .map(|(_, s)| s)
            .unwrap_or_else(|| panic!("no Bat-Signal section:\n{report}"));
        eqnice!(
            "-----------------------------\n\
             signal 1 for #3 (open): [DSA-1645-1] New lighttpd packages fix various problems\n    \
             raised by bob at 2026-11-21T10:00:00Z: remote root, exploited\n    \
             incident lead: carol\n    \
             coordination: acked by alice after 7m\n    \
             package-fixing: unanswered\n    \
             qa: acked by carol after 1h 30m\n    \
             release-engineering: unanswered\n",
            section
        );
        let mail = desk
            .cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
            .stdout();
        assert!(mail.contains("queued"), "{mail}");
        let html = std::fs::read_to_string(desk.dir.join("outbox/report_2026-11-22.eml")).unwrap();
        for p in ["alice-pager@example.net", "carol-sms@example.net"] {
            assert!(!report.contains(p), "{p} in the report");
            assert!(!html.contains(p), "{p} in the report mail");
        }
        assert!(
            html.contains("Bat-Signals, last 30 days (1)"),
            "the HTML part has the section"
        );
    }
);

// issue 18 (the chaos run): a run that had sent a mail and then waited for
// the database (another program writing) to record it could be killed, or
// give up, with the mail gone and still `sending`; the next run sent it
// again. Now the record is begun before the message's final `.`, so a run
// that cannot record a mail has not sent it.
desktest!(
    issue_18_a_run_that_cannot_record_a_mail_has_not_sent_it,
    |desk| {
        use std::io::{Read, Write};
        let smtp = SmtpServer::start("record-first");
        desk.ingest_maildir(&sample_mail());
        with_smtp(&desk, &smtp, &["team@example.org"]);
        // A gate in front of the server: when the run connects, the mail is
        // taken (`sending`); the test then holds the database's write lock
        // and lets the SMTP session go through.
        let gate = std::net::TcpListener::bind("127.0.0.1:0").expect("bind gate");
        let mut c = desk.config_json();
        c["smtp"]["port"] = gate.local_addr().expect("addr").port().into();
        desk.set_config(&c);
        let run = desk.cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z");
        let child = std::thread::spawn(move || run.output());
        let (client, _) = gate.accept().expect("the run connects");
        let lock = rusqlite::Connection::open(&desk.db).expect("open");
        lock.execute_batch("BEGIN IMMEDIATE")
            .expect("hold the write lock");
        let server = std::net::TcpStream::connect(("127.0.0.1", smtp.port)).expect("server");
        let pump = |mut from: std::net::TcpStream, mut to: std::net::TcpStream| {
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = from.read(&mut buf) {
                    if n == 0 || to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to.shutdown(std::net::Shutdown::Both);
            })
        };
        pump(
            client.try_clone().expect("clone"),
            server.try_clone().expect("clone"),
        );
        pump(server, client);
        let out = child.join().expect("run thread");
        lock.execute_batch("ROLLBACK").expect("release");
        assert_eq!(
            out.status.code(),
            Some(1),
            "the run could not record the mail: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            smtp.received().len(),
            0,
            "a mail that could not be recorded was not sent"
        );
        // The next run, past the 10 minutes after which a mail left
        // `sending` is taken again, sends it: once.
        with_smtp(&desk, &smtp, &["team@example.org"]);
        let out = report(&desk, "2026-11-22T07:15:00Z");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(subjects(&smtp).len(), 1, "sent exactly once");
    }
);
