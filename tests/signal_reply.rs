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
use crate::signal::{Got, PRIVATE, got, keys, pages_since as since, setup};
use crate::util::Desk;
use std::collections::{BTreeMap, BTreeSet};

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
    assert_contacts_private(&desk, &log, &smtp);
}

/// Each mail of `mails` by its outbox key, with the set of its envelope
/// recipients (team addresses and, on a page, its owner's private ones).
fn sent(mails: &[Got]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for m in mails {
        let to = m.to.split(',').map(|a| a.trim().to_string()).collect();
        assert!(
            out.insert(m.key.clone(), to).is_none(),
            "{} sent twice",
            m.key
        );
    }
    out
}

/// `key → recipients` pairs as `sent` returns them.
fn want(pairs: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
    pairs
        .iter()
        .map(|(k, to)| (k.to_string(), to.iter().map(|a| a.to_string()).collect()))
        .collect()
}

/// The whole must-show in one signal, with four roles: coordination acked
/// by a mail reply appended to the monitored IMAP mailbox (a real
/// Dovecot) and ingested, which takes the baton; qa acked by CLI;
/// package-fixing declined, so the next member is paged at once;
/// release-engineering unanswered, so its next member is paged exactly
/// `ack_timeout` after the first page and not a second before. Acked roles
/// are not paged again; the baton passes by CLI and the new holder is
/// told; the resolution goes to everyone paged. Every rotate-notify run
/// sends exactly the mails listed, to exactly the recipients listed (a
/// real SMTP server).
#[test]
fn reply_ack_cli_ack_decline_and_timeout_in_one_signal_then_baton_and_resolve() {
    let smtp = SmtpServer::start("signal-all");
    let dovecot = Dovecot::start("signal-all");
    let (desk, _) = setup("signal_all", &smtp);
    let mut c = desk.config_json();
    c["imap"] = serde_json::json!([dovecot.account("security", &["INBOX"])]);
    desk.set_config(&c);
    dovecot.append("INBOX", &[]);
    let mut log = Vec::new();
    let mut seen = 0;
    let notify = |log: &mut Vec<String>, seen: &mut usize, now: &str| {
        run(&desk, log, "secdesk-rotate-notify", now, &[]);
        since(&smtp, seen)
    };
    let alice_all: &[&str] = &[
        "alice@example.org",
        "alice-pager@example.net",
        "alice-sms@example.net",
    ];
    let bob_all: &[&str] = &["bob@example.org", "bob-pager@example.net"];
    let everyone: &[&str] = &[
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
        "dmitri@example.org",
    ];

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

    // 10:00, the instant of the raise: one page per role, daytime members
    // first (bob, at 05:00 in New York, is asleep), each to the member's
    // team address and every private contact.
    let first = notify(&mut log, &mut seen, "2026-11-22T10:00:00Z");
    assert_eq!(
        sent(&first),
        want(&[
            ("signal-page:1:coordination:alice:1", alice_all),
            (
                "signal-page:1:package-fixing:carol:1",
                &["carol@example.org"]
            ),
            ("signal-page:1:qa:carol:1", &["carol@example.org"]),
            (
                "signal-page:1:release-engineering:dmitri:1",
                &["dmitri@example.org"]
            ),
        ])
    );
    let alice = page(&first, "signal-page:1:coordination:alice:1");
    let issues_before = issue_count(&desk);

    // alice replies "ok" from her SMS gateway (the token in the subject
    // only); the reply lands in the monitored mailbox and ingest reads it.
    dovecot.append(
        "INBOX",
        &[reply(
            "alice-all",
            "alice-pager@example.net",
            "security@example.org",
            &format!("Re: {}", alice.subject),
            "ok",
        )],
    );
    let (out, err) = run(
        &desk,
        &mut log,
        "secdesk-ingest",
        "2026-11-22T10:04:00Z",
        &[],
    );
    eqnice!(
        "ingest: 1 seen, 0 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated, 1 signal replies\n",
        out
    );
    assert!(
        err.contains("signal 1: coordination acked by alice; signal 1: alice holds the baton"),
        "{err}"
    );
    assert_eq!(issue_count(&desk), issues_before, "a reply opens no issue");

    // carol takes qa by CLI and cannot take package fixing: bob, asleep
    // but next in the list, is paged at once.
    let (ack, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:05:00Z",
        &["--as", "carol", "signal", "ack", "1", "--role", "qa"],
    );
    assert!(ack.contains("signal 1: qa acked by carol"), "{ack}");
    assert!(ack.contains("incident lead: alice"), "{ack}");
    run(
        &desk,
        &mut log,
        "secdesk",
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

    // One update per event to everyone paged by then (team addresses
    // only), and bob's page.
    let second = notify(&mut log, &mut seen, "2026-11-22T10:06:30Z");
    let paged_first: &[&str] = &[
        "alice@example.org",
        "carol@example.org",
        "dmitri@example.org",
    ];
    assert_eq!(
        sent(&second),
        want(&[
            ("signal-page:1:package-fixing:bob:2", bob_all),
            ("signal-update:1:1", paged_first),
            ("signal-update:1:2", paged_first),
            ("signal-update:1:3", everyone),
        ])
    );
    let acked = page(&second, "signal-update:1:1");
    assert!(
        acked.subject.contains("coordination acked by alice"),
        "{}",
        acked.subject
    );
    assert!(
        acked.raw.contains("Incident lead (holds the baton): alice"),
        "{}",
        acked.raw
    );
    let declined = page(&second, "signal-update:1:3");
    assert!(
        declined
            .subject
            .contains("package-fixing declined by carol"),
        "{}",
        declined.subject
    );

    // release-engineering's first page went out at 10:00:00: a second
    // before the 15m timeout nothing is due (had coordination and qa not
    // been acked, their second pages would be due at 10:15 too) ...
    let before = notify(&mut log, &mut seen, "2026-11-22T10:14:59Z");
    assert_eq!(sent(&before), want(&[]), "nothing due before the timeout");
    // ... and at exactly 15m the next member, bob, is paged; nobody else.
    let on_time = notify(&mut log, &mut seen, "2026-11-22T10:15:00Z");
    assert_eq!(
        sent(&on_time),
        want(&[("signal-page:1:release-engineering:bob:2", bob_all)])
    );

    // The baton passes to dmitri, who is told with everyone paged.
    let (pass, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T10:16:00Z",
        &["--as", "alice", "signal", "baton", "1", "--to", "dmitri"],
    );
    assert!(pass.contains("incident lead: dmitri"), "{pass}");
    let baton = notify(&mut log, &mut seen, "2026-11-22T10:16:30Z");
    assert_eq!(sent(&baton), want(&[("signal-update:1:4", everyone)]));
    let told = page(&baton, "signal-update:1:4");
    assert!(
        told.subject.contains("baton passed to dmitri by alice"),
        "{}",
        told.subject
    );
    assert!(
        told.raw.contains("Incident lead (holds the baton): dmitri"),
        "{}",
        told.raw
    );

    // 10:31: the unacked roles go on (package fixing skips carol, who
    // declined, and pages bob again in round 2 at 10:21; release
    // engineering is back to dmitri at 10:30); the acked roles, whose
    // second and third pages would be due by now, get nothing.
    let later = notify(&mut log, &mut seen, "2026-11-22T10:31:00Z");
    assert_eq!(
        sent(&later),
        want(&[
            ("signal-page:1:package-fixing:bob:3", bob_all),
            (
                "signal-page:1:release-engineering:dmitri:3",
                &["dmitri@example.org"]
            ),
        ])
    );

    // Resolved: one mail to everyone paged; nothing is paged after.
    run(
        &desk,
        &mut log,
        "secdesk",
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
    let resolved = notify(&mut log, &mut seen, "2026-11-22T10:40:30Z");
    assert_eq!(
        sent(&resolved),
        want(&[("signal-update:1:resolved", everyone)])
    );
    let quiet = notify(&mut log, &mut seen, "2026-11-22T11:30:00Z");
    assert_eq!(sent(&quiet), want(&[]), "paged after the resolve");

    let (history, _) = run(
        &desk,
        &mut log,
        "secdesk",
        "2026-11-22T11:31:00Z",
        &["history", "1"],
    );
    for want in [
        "Bat-Signal 1 raised",
        "coordination acked by alice by reply",
        "qa acked by carol",
        "package-fixing declined by carol",
        "baton passed to dmitri",
        "Bat-Signal 1 resolved",
    ] {
        assert!(history.contains(want), "history lacks {want:?}:\n{history}");
    }

    // Privacy: alice's pager sent the reply; no private contact is in any
    // output, log line, database file or mail to anyone but its owner.
    assert_contacts_private(&desk, &log, &smtp);
}
/// No private contact in any kept output or log (`log`), any database
/// file (WAL and shared memory included), or any mail's bytes; and on an
/// envelope only of its owner's own page.
fn assert_contacts_private(desk: &Desk, log: &[String], smtp: &SmtpServer) {
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
    for m in got(smtp) {
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
