//! Acking and declining a Bat-Signal page by replying to it: the reply
//! lands in a mailbox `secdesk-ingest` monitors (a real Dovecot, and a
//! folder of message files), ingest records the ack or decline, opens no
//! issue, and the next `secdesk-rotate-notify` sends the update (a real
//! SMTP server), time driven by `--now`. Forged, other-signal and
//! after-resolve tokens ack nothing but leave a log line and a history
//! row; no private contact reaches any output, log, database file or
//! other person's mail on this path either.

use crate::harness::dovecot::Dovecot;
use crate::harness::smtp::SmtpServer;
use crate::signal::{Got, PRIVATE, got, setup};
use crate::util::Desk;

/// Runs `bin` at `now` with `args`, asserting exit 0; keeps stdout and
/// stderr in `log` for the privacy grep and returns them.
fn run(
    desk: &Desk,
    log: &mut Vec<String>,
    bin: &str,
    now: &str,
    args: &[&str],
) -> (String, String) {
    let o = desk.cmd_at(bin, now).args(args).assert_exit_code(0);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    log.push(out.clone());
    log.push(err.clone());
    (out, err)
}

fn since(smtp: &SmtpServer, seen: &mut usize) -> Vec<Got> {
    let all = got(smtp);
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

fn keys(mails: &[Got]) -> Vec<String> {
    let mut k: Vec<String> = mails.iter().map(|m| m.key.clone()).collect();
    k.sort();
    k
}

fn page<'a>(mails: &'a [Got], key: &str) -> &'a Got {
    mails
        .iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("no {key} in {:?}", keys(mails)))
}

/// The token a page carries at the end of its subject.
fn token(page: &Got) -> String {
    let t = page
        .subject
        .rsplit('[')
        .next()
        .unwrap_or("")
        .trim_end_matches(']')
        .to_string();
    assert!(t.starts_with("bs") && t.len() == 14, "{}", page.subject);
    t
}

fn reply(id: &str, from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "Message-ID: <{id}@reply.test>\nDate: Sun, 22 Nov 2026 10:04:00 +0000\nFrom: {from}\nTo: {to}\nSubject: {subject}\n\n{body}\n"
    )
    .into_bytes()
}

fn issue_count(desk: &Desk) -> usize {
    let v: serde_json::Value = desk.cmd("secdesk").args(["--json", "issues"]).json();
    v.as_array().expect("issues --json is a list").len()
}

#[test]
fn replies_ack_and_decline_open_no_issue_and_bad_tokens_only_log() {
    let smtp = SmtpServer::start("signal-reply");
    let dovecot = Dovecot::start("signal-reply");
    let (desk, _) = setup("signal_reply", &smtp);
    let mut c = desk.config_json();
    c["imap"] = serde_json::json!([dovecot.account("security", &["INBOX"])]);
    desk.set_config(&c);
    dovecot.append("INBOX", &[]);
    let mut log = Vec::new();
    let mut seen = 0;

    let (raised, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:00:00Z",
        &[
            "--as",
            "alice",
            "signal",
            "raise",
            "1",
            "--reason",
            "RCE, exploited",
        ],
    );
    assert!(raised.starts_with("signal 1 raised for #1"), "{raised}");
    run(
        &desk,
        &mut log,
        "secdesk-rotate-notify",
        "2026-11-22T10:00:30Z",
        &[],
    );
    let pages = since(&smtp, &mut seen);
    let alice = page(&pages, "signal-page:1:coordination:alice:1");
    let carol_qa = page(&pages, "signal-page:1:qa:carol:1");
    let carol_pf = page(&pages, "signal-page:1:package-fixing:carol:1");
    let dmitri = page(&pages, "signal-page:1:release-engineering:dmitri:1");
    let issues_before = issue_count(&desk);

    // alice answers from her SMS gateway, which keeps only the subject;
    // carol replies from her mail client, the token only in the address;
    // dmitri cannot take release engineering.
    dovecot.append(
        "INBOX",
        &[
            reply(
                "alice",
                "alice-pager@example.net",
                "security@example.org",
                &format!("Re: {}", alice.subject),
                "ok",
            ),
            reply(
                "carol",
                "Carol <carol@example.org>",
                &carol_qa.reply_to,
                "Re: your page",
                "On it.\n\n> BAT-SIGNAL qa #1",
            ),
            reply(
                "dmitri",
                "dmitri@example.org",
                &dmitri.reply_to,
                &format!("Re: {}", dmitri.subject),
                "No, at the dentist until noon.",
            ),
        ],
    );
    let (out, err) = run(
        &desk,
        &mut log,
        "secdesk-ingest",
        "2026-11-22T10:05:00Z",
        &[],
    );
    eqnice!(
        "ingest: 3 seen, 0 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated, 3 signal replies\n",
        out
    );
    for want in [
        "signal 1: coordination acked by alice; signal 1: alice holds the baton (incident lead) (from an address at example.net, not alice's team address)",
        "signal 1: qa acked by carol",
        "signal 1: release-engineering declined by dmitri",
    ] {
        assert!(err.contains(want), "log lacks {want:?}:\n{err}");
    }
    assert_eq!(issue_count(&desk), issues_before, "a reply opens no issue");

    let (status, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:05:10Z",
        &["signal", "status", "1"],
    );
    for want in [
        "incident lead: alice",
        "coordination: acked by alice after 5m",
        "qa: acked by carol after 5m",
        "dmitri: declined",
    ] {
        assert!(status.contains(want), "status lacks {want:?}:\n{status}");
    }

    // The next rotate-notify tells everyone paged and pages bob at once
    // for the declined role.
    run(
        &desk,
        &mut log,
        "secdesk-rotate-notify",
        "2026-11-22T10:05:30Z",
        &[],
    );
    let second = since(&smtp, &mut seen);
    assert_eq!(
        keys(&second),
        [
            "signal-page:1:release-engineering:bob:2",
            "signal-update:1:1",
            "signal-update:1:2",
            "signal-update:1:3",
        ]
    );
    let update = page(&second, "signal-update:1:2");
    assert!(
        update.subject.contains("qa acked by carol"),
        "{}",
        update.subject
    );

    // Read once: the next run finds nothing new.
    let (out, _) = run(
        &desk,
        &mut log,
        "secdesk-ingest",
        "2026-11-22T10:06:00Z",
        &[],
    );
    assert!(out.starts_with("ingest: 0 seen,"), "{out}");

    // A forged token: nothing but a log line and a history row.
    dovecot.append(
        "INBOX",
        &[reply(
            "forged",
            "mallory@evil.example",
            "security@example.org",
            "Re: BAT-SIGNAL package-fixing #1 [bs1-aaaaaaaaaa]",
            "ok",
        )],
    );
    let (out, err) = run(
        &desk,
        &mut log,
        "secdesk-ingest",
        "2026-11-22T10:07:00Z",
        &[],
    );
    assert!(out.ends_with(", 1 signal replies (1 refused)\n"), "{out}");
    let forged = "reply token bs1-aaaaaaaaaa refused: forged, altered or of another signal";
    assert!(err.contains(forged), "{err}");

    // A token for another signal: signal 1's valid token renumbered.
    run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:08:00Z",
        &[
            "--as", "alice", "signal", "raise", "2", "--reason", "x", "--force",
        ],
    );
    let other = token(carol_pf).replacen("bs1-", "bs2-", 1);
    dovecot.append(
        "INBOX",
        &[reply(
            "other",
            "carol@example.org",
            &format!("security+{other}@example.org"),
            "Re: page",
            "ok",
        )],
    );
    let (out, err) = run(
        &desk,
        &mut log,
        "secdesk-ingest",
        "2026-11-22T10:09:00Z",
        &[],
    );
    assert!(out.ends_with(", 1 signal replies (1 refused)\n"), "{out}");
    let other_line = format!("reply token {other} refused: forged, altered or of another signal");
    assert!(err.contains(&other_line), "{err}");

    // After the resolution, a valid token acks nothing; read from a folder
    // of message files this time.
    run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:30:00Z",
        &[
            "--as",
            "alice",
            "signal",
            "resolve",
            "1",
            "--summary",
            "patched",
        ],
    );
    let late = desk.dir.write(
        "late/reply.eml",
        reply(
            "late",
            "carol@example.org",
            &carol_pf.reply_to,
            &format!("Re: {}", carol_pf.subject),
            "ok",
        ),
    );
    let (out, err) = run(
        &desk,
        &mut log,
        "secdesk-ingest",
        "2026-11-22T10:31:00Z",
        &["--eml", late.parent().unwrap().to_str().unwrap()],
    );
    eqnice!(
        "ingest: 1 seen, 0 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated, 1 signal replies (1 refused)\n",
        out
    );
    let resolved = format!(
        "reply token {} for signal 1 refused: the signal is resolved",
        token(carol_pf)
    );
    assert!(err.contains(&resolved), "{err}");
    assert_eq!(
        issue_count(&desk),
        issues_before,
        "no reply opened an issue"
    );

    let (status, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:32:00Z",
        &["--json", "signal", "status", "1"],
    );
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    let roles = &v["signals"][0]["roles"];
    let pf = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "package-fixing")
        .unwrap();
    assert_eq!(
        pf["acked_by"],
        serde_json::Value::Null,
        "no bad token acked"
    );

    // Every reply, good or bad, is in the issues' history.
    let (h1, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:33:00Z",
        &["history", "1"],
    );
    for want in [
        "coordination acked by alice by reply",
        "qa acked by carol by reply",
        "release-engineering declined by dmitri by reply",
        forged,
        &resolved,
    ] {
        assert!(h1.contains(want), "history of #1 lacks {want:?}:\n{h1}");
    }
    let (h2, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:33:00Z",
        &["history", "2"],
    );
    assert!(h2.contains(&other_line), "history of #2:\n{h2}");

    // A token key others can read: the reply is not read, the run exits
    // 1 naming the file (never its content), and it is tried again.
    use std::os::unix::fs::PermissionsExt;
    let key = desk.dir.join("signal-token");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = desk
        .cmd_at("secdesk-ingest", "2026-11-22T10:34:00Z")
        .args(["--eml", late.parent().unwrap().to_str().unwrap()])
        .assert_exit_code(1);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(out.contains("1 refused (1 not stored)"), "{out}");
    assert!(
        err.contains("a Bat-Signal reply, not read: ")
            && err.contains("mode 0644")
            && err.contains("tried again next run"),
        "{err}"
    );
    assert!(
        !err.contains("s3cret"),
        "the key's content in an error: {err}"
    );
    log.push(out);
    log.push(err);

    // Privacy: alice's pager address sent a reply; it is in no output,
    // log line, database file or mail to anyone but her.
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
                assert!(!m.to.contains(p), "{p} on the envelope of {}", m.key);
            }
        }
        places.push((format!("mail {}", m.key), m.raw.into_bytes()));
    }
    for (place, bytes) in &places {
        let text = String::from_utf8_lossy(bytes);
        for p in PRIVATE {
            assert!(!text.contains(p), "{p} found in {place}");
        }
    }
}
