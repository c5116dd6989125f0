//! Advisories (issue 15) through the real binaries: two people (the
//! author cannot approve; an edit voids the approval; approval refused
//! while a release is unsettled, naming it), ids in order and never
//! reused, one mail per approved revision to the sender over a real SMTP
//! server (a rerun renders and sends nothing), `published` announcing
//! every issue.

use crate::harness::smtp::SmtpServer;
use crate::util::{Desk, sample_mail};
use mail_parser::MessageParser;

const T0: &str = "2026-11-22T10:00:00Z";

/// A desk with the sample mail ingested and advisories configured
/// (`bob` sends them), optionally with a real SMTP server.
fn setup(name: &str, smtp: Option<&SmtpServer>) -> Desk {
    let desk = Desk::new(name);
    let mut c = desk.config_json();
    c["advisory"] = serde_json::json!({
        "id_prefix": "NIXSA", "sender": "bob", "list": "announce@example.org",
        "repository": "https://github.com/NixOS/nixpkgs"
    });
    if let Some(s) = smtp {
        c["smtp"] = s.config();
    }
    desk.set_config(&c);
    desk.cmd_at("secdesk-ingest", "2026-11-22T09:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    desk
}

fn sd(desk: &Desk, who: &str, args: &[&str]) -> String {
    desk.cmd_at("secdesk", T0)
        .args(["--as", who])
        .args(args)
        .stdout()
}

fn refused(desk: &Desk, who: &str, args: &[&str]) -> String {
    desk.cmd_at("secdesk", T0)
        .args(["--as", who])
        .args(args)
        .assert_usage_error()
}

/// Every release settled: 25.05 fixed by a commit, 25.11 wontfix,
/// unstable not affected.
fn settle(desk: &Desk, issue: &str) {
    sd(desk, "alice", &["claim", issue]);
    sd(
        desk,
        "alice",
        &[
            "release-status",
            issue,
            "25.05",
            "fixed",
            "--ref",
            "0123456789abcdef0123456789abcdef01234567",
        ],
    );
    sd(
        desk,
        "alice",
        &[
            "release-status",
            issue,
            "25.11",
            "wontfix",
            "--reason",
            "end of life",
        ],
    );
    sd(
        desk,
        "alice",
        &["release-status", issue, "unstable", "not-affected"],
    );
}

fn show(desk: &Desk, adv: &str) -> serde_json::Value {
    desk.cmd_at("secdesk", T0)
        .args(["advisory", "show", adv, "--json"])
        .json()
}

#[test]
fn the_author_cannot_approve_and_unsettled_releases_are_named() {
    let desk = setup("adv_author", None);
    let out = sd(&desk, "alice", &["advisory", "draft", "1"]);
    assert!(out.starts_with("advisory draft 1 for #1\n"), "{out}");
    let err = refused(&desk, "alice", &["advisory", "review", "1", "--approve"]);
    assert!(err.contains("its author cannot approve it"), "{err}");
    let err = refused(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    assert!(
        err.contains("releases 25.05 (unknown), 25.11 (unknown), unstable (unknown)"),
        "{err}"
    );
    sd(&desk, "alice", &["claim", "1"]);
    sd(
        &desk,
        "alice",
        &["release-status", "1", "25.05", "affected"],
    );
    sd(
        &desk,
        "alice",
        &["release-status", "1", "25.11", "not-affected"],
    );
    sd(
        &desk,
        "alice",
        &["release-status", "1", "unstable", "not-affected"],
    );
    let err = refused(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    assert!(err.contains("releases 25.05 (affected) are"), "{err}");
    let v = show(&desk, "1");
    assert_eq!(v["state"], "draft");
    assert_eq!(v["id"], serde_json::Value::Null);
    // Refusals changed nothing, and each step is in the issue's history.
    let history = sd(&desk, "alice", &["history", "1"]);
    assert!(history.contains("advisory draft 1 written"), "{history}");
}

#[test]
fn an_edit_voids_the_approval_and_the_next_is_a_new_revision() {
    let desk = setup("adv_edit", None);
    settle(&desk, "1");
    sd(
        &desk,
        "alice",
        &["advisory", "draft", "1", "--title", "ikiwiki: CSRF"],
    );
    let out = sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    assert!(
        out.starts_with("advisory draft 1 approved by bob: NIXSA-2026-0001 revision 1\n"),
        "{out}"
    );
    assert_eq!(show(&desk, "NIXSA-2026-0001")["state"], "approved");
    let summary = desk.dir.write("summary.txt", "Upgrade now.\n");
    let out = desk
        .cmd_at("secdesk", T0)
        .args([
            "--as",
            "alice",
            "advisory",
            "edit",
            "NIXSA-2026-0001",
            "--summary-file",
        ])
        .arg(&summary)
        .stdout();
    assert!(out.contains("its approval is void"), "{out}");
    let v = show(&desk, "1");
    assert_eq!(v["state"], "edited");
    assert_eq!(v["revision"], 1);
    assert_eq!(v["content"]["summary"], "Upgrade now.\n");
    sd(
        &desk,
        "carol",
        &["advisory", "review", "1", "--request-changes", "typo"],
    );
    assert_eq!(show(&desk, "1")["state"], "changes-requested");
    sd(
        &desk,
        "alice",
        &["advisory", "edit", "1", "--title", "ikiwiki: CSRF fixed"],
    );
    assert_eq!(show(&desk, "1")["state"], "edited");
    let out = sd(&desk, "carol", &["advisory", "review", "1", "--approve"]);
    assert!(out.contains("NIXSA-2026-0001 revision 2"), "{out}");
    let out = sd(&desk, "carol", &["advisory", "review", "1", "--approve"]);
    assert!(out.contains("already approved (revision 2)"), "{out}");
}

#[test]
fn ids_are_given_at_first_approval_in_order_and_never_reused() {
    let desk = setup("adv_ids", None);
    for issue in ["1", "3", "4"] {
        settle(&desk, issue);
    }
    sd(&desk, "alice", &["advisory", "draft", "1"]);
    sd(&desk, "alice", &["advisory", "draft", "3"]);
    // Draft 2 is approved first: it gets the first id, then is abandoned.
    sd(&desk, "bob", &["advisory", "review", "2", "--approve"]);
    assert_eq!(show(&desk, "2")["id"], "NIXSA-2026-0001");
    let out = sd(&desk, "alice", &["advisory", "abandon", "2"]);
    assert!(
        out.starts_with("advisory draft 2 abandoned by alice\n"),
        "{out}"
    );
    let err = refused(&desk, "bob", &["advisory", "review", "2", "--approve"]);
    assert!(err.contains("advisory draft 2 is abandoned"), "{err}");
    sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    sd(&desk, "alice", &["advisory", "draft", "4"]);
    sd(&desk, "bob", &["advisory", "review", "3", "--approve"]);
    let list: serde_json::Value = desk
        .cmd_at("secdesk", T0)
        .args(["advisory", "list", "--json"])
        .json();
    let got: Vec<(i64, String, String)> = list["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["draft"].as_i64().unwrap(),
                a["id"].as_str().unwrap_or("-").to_string(),
                a["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "NIXSA-2026-0002".to_string(), "approved".to_string()),
            (2, "NIXSA-2026-0001".to_string(), "abandoned".to_string()),
            (3, "NIXSA-2026-0003".to_string(), "approved".to_string()),
        ]
    );
}

#[test]
fn one_mail_per_approved_revision_to_the_sender_and_a_rerun_sends_nothing() {
    let smtp = SmtpServer::start("advisory-render");
    let desk = setup("adv_render", Some(&smtp));
    settle(&desk, "1");
    // A hostile title: it must not add a header to the mail.
    sd(
        &desk,
        "alice",
        &[
            "advisory",
            "draft",
            "1",
            "--title",
            "ikiwiki\r\nBcc: evil@example.com",
        ],
    );
    sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    let render = |now: &str| {
        desk.cmd_at("secdesk-advisory-render", now)
            .arg("--out")
            .arg(desk.dir.join("out"))
            .stdout()
    };
    let out = render("2026-11-22T11:00:00Z");
    assert_eq!(
        out,
        "advisory-render: rendered NIXSA-2026-0001 revision 1; outbox: 1 sent, 0 waiting to retry, 0 refused\n"
    );
    let files: Vec<String> = {
        let mut f: Vec<String> = std::fs::read_dir(desk.dir.join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        f.sort();
        f
    };
    assert_eq!(
        files,
        [
            "NIXSA-2026-0001.csaf.json",
            "NIXSA-2026-0001.osv.json",
            "NIXSA-2026-0001.txt"
        ]
    );
    let text = std::fs::read(desk.dir.join("out/NIXSA-2026-0001.txt")).unwrap();
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    let p = MessageParser::default().parse(&mails[0]).unwrap();
    assert_eq!(
        p.header_raw("X-Secdesk-Key").unwrap().trim(),
        "advisory:NIXSA-2026-0001:1"
    );
    assert!(
        p.header_raw("X-Envelope-To")
            .unwrap()
            .contains("bob@example.org")
    );
    assert_eq!(
        p.subject().unwrap(),
        "[NIXSA-2026-0001] ikiwiki Bcc: evil@example.com"
    );
    assert!(p.header_raw("Bcc").is_none());
    assert_eq!(
        p.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
        String::from_utf8_lossy(&text).trim_end()
    );
    // A rerun renders and sends nothing; the files keep their bytes.
    let out = render("2026-11-22T12:00:00Z");
    assert!(
        out.starts_with("advisory-render: nothing to render;"),
        "{out}"
    );
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(
        std::fs::read(desk.dir.join("out/NIXSA-2026-0001.txt")).unwrap(),
        text
    );
    // A new revision is one more mail.
    sd(
        &desk,
        "alice",
        &["advisory", "edit", "1", "--title", "ikiwiki: CSRF"],
    );
    sd(&desk, "carol", &["advisory", "review", "1", "--approve"]);
    render("2026-11-22T13:00:00Z");
    let keys: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| {
            let p = MessageParser::default().parse(m).unwrap();
            p.header_raw("X-Secdesk-Key").unwrap().trim().to_string()
        })
        .collect();
    assert_eq!(
        keys,
        ["advisory:NIXSA-2026-0001:1", "advisory:NIXSA-2026-0001:2"]
    );
}

#[test]
fn published_marks_every_issue_announced() {
    let desk = setup("adv_published", None);
    settle(&desk, "1");
    settle(&desk, "3");
    sd(
        &desk,
        "alice",
        &["advisory", "draft", "1", "3", "--title", "two fixes"],
    );
    let err = refused(
        &desk,
        "alice",
        &[
            "advisory",
            "published",
            "1",
            "--url",
            "https://lists.example.org/1",
        ],
    );
    assert!(err.contains("is not approved"), "{err}");
    sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    let out = sd(
        &desk,
        "bob",
        &[
            "advisory",
            "published",
            "NIXSA-2026-0001",
            "--url",
            "https://lists.example.org/1",
        ],
    );
    assert!(
        out.starts_with(
            "advisory NIXSA-2026-0001 published at https://lists.example.org/1\n\
             #1 announced: https://lists.example.org/1\n\
             #3 announced: https://lists.example.org/1\n"
        ),
        "{out}"
    );
    for issue in ["1", "3"] {
        let v: serde_json::Value = desk
            .cmd_at("secdesk", T0)
            .args(["show", issue, "--json"])
            .json();
        assert_eq!(v["state"], "announced", "#{issue}");
    }
    assert_eq!(show(&desk, "1")["state"], "published");
}

#[test]
fn bad_requests_are_refused_naming_what_is_wrong() {
    let desk = Desk::new("adv_refusals");
    // No `advisory` section: the CLI refuses, the renderer names the key.
    let err = desk
        .cmd_at("secdesk", T0)
        .args(["advisory", "list"])
        .assert_usage_error();
    assert!(err.contains("add an `advisory` section"), "{err}");
    let err = desk
        .cmd_at("secdesk-advisory-render", T0)
        .assert_usage_error();
    assert!(
        err.contains(&desk.config.display().to_string()) && err.contains("key `advisory`"),
        "{err}"
    );
    let desk = setup("adv_refusals_configured", None);
    let err = refused(&desk, "alice", &["advisory", "show", "NIXSA-2026-0009"]);
    assert!(err.contains("no advisory NIXSA-2026-0009"), "{err}");
    let err = refused(&desk, "alice", &["advisory", "draft", "999"]);
    assert!(err.contains("999"), "{err}");
    let missing = desk.dir.join("nope.txt");
    let err = desk
        .cmd_at("secdesk", T0)
        .args(["--as", "alice", "advisory", "draft", "1", "--summary-file"])
        .arg(&missing)
        .assert_usage_error();
    assert!(
        err.contains(&format!("--summary-file {}", missing.display())),
        "{err}"
    );
    let list = desk
        .cmd_at("secdesk", T0)
        .args(["advisory", "list"])
        .stdout();
    assert_eq!(list, "no advisories\n");
}

#[test]
fn a_hostile_title_and_summary_cannot_break_the_json_or_the_mail_headers() {
    let smtp = SmtpServer::start("advisory-hostile");
    let desk = setup("adv_hostile", Some(&smtp));
    settle(&desk, "1");
    let title = format!(
        "<script>alert(\"x\")</script>\r\nBcc: evil@example.com\u{7}\u{1b}[31m '{}",
        "A".repeat(10_000)
    );
    let summary = desk.dir.write(
        "summary.txt",
        "first\r\n.\r\nTo: evil@example.com\r\n\u{0}\u{1b}[2J\"quoted\" <b>bold</b>\n",
    );
    desk.cmd_at("secdesk", T0)
        .args([
            "--as",
            "alice",
            "advisory",
            "draft",
            "1",
            "--title",
            &title,
            "--summary-file",
        ])
        .arg(&summary)
        .stdout();
    let v = show(&desk, "1");
    let shown = v["content"]["title"].as_str().unwrap();
    assert!(
        !shown.contains(['\r', '\n', '\u{7}', '\u{1b}']),
        "{shown:.80}"
    );
    assert!(shown.starts_with("<script>alert(\"x\")</script> Bcc: evil@example.com"));
    sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    desk.cmd_at("secdesk-advisory-render", "2026-11-22T11:00:00Z")
        .stdout();
    let mails = smtp.received();
    assert_eq!(mails.len(), 1);
    let p = MessageParser::default().parse(&mails[0]).unwrap();
    assert!(p.header_raw("Bcc").is_none());
    assert_eq!(p.header_values("To").count(), 1);
    assert!(p.header_raw("To").unwrap().contains("bob@example.org"));
    assert!(!p.header_raw("To").unwrap().contains("evil"));
    let subject = p.subject().unwrap();
    assert!(
        subject.starts_with("[NIXSA-2026-0001] <script>"),
        "{subject:.80}"
    );
    assert!(!subject.contains(['\r', '\n']));
    assert!(subject.ends_with("AAA…"), "{subject}");
    // No line of the mail as sent exceeds SMTP's limit.
    assert!(mails[0].split(|b| *b == b'\n').all(|l| l.len() <= 998));
    for f in ["NIXSA-2026-0001.osv.json", "NIXSA-2026-0001.csaf.json"] {
        let path = desk.dir.join("advisories").join(f);
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{f} is not JSON ({e})"));
    }
}

/// A team's own template (`advisory.template_file`) makes the text; a
/// template that does not parse is one error naming the file, exit 1.
#[test]
fn the_teams_template_renders_the_announcement() {
    let desk = setup("adv_template", None);
    let tpl = desk.dir.write(
        "announce.txt",
        "Subject: [{{ id }}] {{ title }}\n\nOur own words for {{ id }}, revision {{ revision }}.\n",
    );
    let mut c = desk.config_json();
    c["advisory"]["template_file"] = serde_json::json!(tpl);
    desk.set_config(&c);
    settle(&desk, "1");
    sd(
        &desk,
        "alice",
        &["advisory", "draft", "1", "--title", "ikiwiki fix"],
    );
    sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    let out_dir = desk.dir.join("out");
    desk.cmd_at("secdesk-advisory-render", T0)
        .arg("--out")
        .arg(&out_dir)
        .stdout();
    let text = std::fs::read_to_string(out_dir.join("NIXSA-2026-0001.txt")).expect("the text");
    assert!(
        text.contains("Our own words for NIXSA-2026-0001, revision 1."),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 72), "{text}");
    // A broken template: one error naming the file; nothing rendered.
    std::fs::write(&tpl, "{% if %}").expect("write");
    sd(
        &desk,
        "alice",
        &["advisory", "edit", "1", "--title", "ikiwiki fixes"],
    );
    sd(&desk, "bob", &["advisory", "review", "1", "--approve"]);
    let out = desk
        .cmd_at("secdesk-advisory-render", T0)
        .arg("--out")
        .arg(&out_dir)
        .output();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("announce.txt").count(), 1, "{err}");
}

/// `advisory show` lists the messages the advisory refers to, with their
/// public URLs.
#[test]
fn show_lists_the_references() {
    let desk = setup("adv_show_refs", None);
    sd(&desk, "alice", &["advisory", "draft", "3"]);
    let out = desk
        .cmd_at("secdesk", T0)
        .args(["advisory", "show", "1"])
        .stdout();
    assert!(
        out.contains("  reference: debian: [SECURITY] [DSA-1645-1] New lighttpd packages fix various problems <https://security-tracker.debian.org/tracker/DSA-1645-1>\n"),
        "{out}"
    );
}
