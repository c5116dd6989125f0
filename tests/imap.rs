//! IMAP ingest against a real Dovecot: incremental fetching, UIDVALIDITY
//! changes, cut connections, killed runs, bad accounts, and mirroring issue
//! state back to the mailbox.

use crate::harness::dovecot::Dovecot;
use crate::harness::proxy::CuttingProxy;
use crate::util::{Desk, sample_mail};
use std::sync::atomic::Ordering;

fn samples() -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_to_string(sample_mail().join("MANIFEST.tsv"))
        .expect("manifest")
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read(sample_mail().join(f)).expect("sample"))
        .collect()
}

fn generated(n: usize, tag: &str) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            format!(
                "Message-ID: <{tag}-{i}@imap.test>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nFrom: r@imap.test\nSubject: [oss-security] CVE-2025-{:05}: pkg{i}: overflow\nList-Id: <oss-security.lists.openwall.com>\n\npkg{i} overflows. {}\n",
                10_000 + i / 2,
                "Lorem ipsum dolor sit amet. ".repeat(20)
            )
            .into_bytes()
        })
        .collect()
}

fn with_imap(desk: &Desk, accounts: Vec<serde_json::Value>) {
    let mut c = desk.config_json();
    c["imap"] = serde_json::Value::Array(accounts);
    desk.set_config(&c);
}

fn messages(desk: &Desk) -> i64 {
    crate::ingest::secdesk_messages(&desk.db)
}

desktest!(
    first_run_fetches_everything_second_nothing_later_appends_alone,
    |desk| {
        let dovecot = Dovecot::start("incremental");
        dovecot.append("INBOX", &samples());
        with_imap(&desk, vec![dovecot.account("lists", &["INBOX"])]);
        let out = desk.cmd("secdesk-ingest").stdout();
        eqnice!(
            "ingest: 14 seen, 14 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 11 issues opened, 0 issues updated\n",
            out
        );
        let out = desk.cmd("secdesk-ingest").stdout();
        eqnice!(
            "ingest: 0 seen, 0 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated\n",
            out
        );
        dovecot.append(
        "INBOX",
        &[b"Message-ID: <late@x>\nSubject: [oss-security] more on CVE-2024-48990\nList-Id: <oss-security.lists.openwall.com>\n\nlate\n".to_vec()],
    );
        let out = desk.cmd("secdesk-ingest").stdout();
        eqnice!(
            "ingest: 1 seen, 1 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 1 issues updated\n",
            out
        );
        // Fetching used BODY.PEEK[]: nothing was marked read on the server.
        assert!(
            dovecot
                .flags("INBOX")
                .iter()
                .all(|(_, f)| !f.iter().any(|x| x.contains("Seen")))
        );
        let v: serde_json::Value = desk.cmd("secdesk").args(["status", "--json"]).json();
        let h = &v["ingest"]["mailboxes"][0];
        assert_eq!(h["account"], "lists");
        assert_eq!(h["mailbox"], "INBOX");
        assert_eq!(h["fetched"], 15);
        assert_eq!(h["last_success"], crate::util::NOW);
        assert_eq!(h["last_error"], serde_json::Value::Null);
    }
);

desktest!(starttls_on_the_plain_port_works, |desk| {
    let dovecot = Dovecot::start("starttls");
    dovecot.append("INBOX", &generated(3, "st"));
    let mut acc = dovecot.account("lists", &["INBOX"]);
    acc["tls"] = "starttls".into();
    acc["port"] = dovecot.imap_port.into();
    with_imap(&desk, vec![acc]);
    let out = desk.cmd("secdesk-ingest").stdout();
    assert!(out.starts_with("ingest: 3 seen, 3 new"), "{out}");
});

desktest!(
    recreated_mailbox_with_new_uidvalidity_creates_no_duplicates,
    |desk| {
        let dovecot = Dovecot::start("uidvalidity");
        let msgs = generated(20, "uv");
        dovecot.append("lists", &msgs);
        with_imap(&desk, vec![dovecot.account("lists", &["lists"])]);
        desk.cmd("secdesk-ingest").stdout();
        let before = desk.dump();
        {
            let mut s = dovecot.client();
            s.delete("lists").expect("DELETE");
            let _ = s.logout();
        }
        dovecot.append("lists", &msgs);
        let out = desk.cmd("secdesk-ingest").output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("UIDVALIDITY changed"), "{stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("ingest: 20 seen, 0 new"));
        assert_eq!(messages(&desk), 20);
        assert!(before == desk.dump(), "refetching changed the issues");
    }
);

desktest!(
    connection_cut_mid_fetch_fails_cleanly_and_next_run_completes,
    |desk| {
        let dovecot = Dovecot::start("cut");
        dovecot.deliver_files("INBOX", generated(1500, "cut"));
        let clean = Desk::new("connection_cut_clean");
        with_imap(&clean, vec![dovecot.account("lists", &["INBOX"])]);
        clean.cmd("secdesk-ingest").stdout();
        // Cut each connection after 120 kB from the server: inside the first
        // chunk's bodies, after TLS, login and the UID listing.
        let proxy = CuttingProxy::start(dovecot.imaps_port, 120_000);
        let mut acc = dovecot.account("lists", &["INBOX"]);
        acc["port"] = proxy.port.into();
        with_imap(&desk, vec![acc]);
        let out = desk.cmd("secdesk-ingest").assert_exit_code(1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            proxy.cuts.load(Ordering::SeqCst) >= 3,
            "every attempt was cut"
        );
        assert!(stderr.contains("retrying in 1s"), "{stderr}");
        let last = stderr.lines().last().unwrap_or("");
        assert!(
            last.starts_with("secdesk-ingest: imap account lists (localhost:"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"));
        let partial = messages(&desk);
        assert!(
            partial < 1500,
            "the cut stopped the fetch ({partial} stored)"
        );
        let v: serde_json::Value = desk.cmd("secdesk").args(["status", "--json"]).json();
        assert!(v["ingest"]["mailboxes"][0]["last_error"].is_string());
        proxy.disarm();
        let out = desk.cmd("secdesk-ingest").stdout();
        assert!(out.contains(" 0 unparsable"), "{out}");
        assert_eq!(messages(&desk), 1500, "nothing lost");
        assert!(
            clean.dump() == desk.dump(),
            "nothing duplicated: same issues as a clean run"
        );
    }
);

#[test]
fn sigkill_during_imap_fetch_then_rerun_equals_clean_run() {
    let dovecot = Dovecot::start("sigkill");
    dovecot.deliver_files("INBOX", generated(2000, "kill"));
    let clean = Desk::new("sigkill_imap_clean");
    with_imap(&clean, vec![dovecot.account("lists", &["INBOX"])]);
    clean.cmd("secdesk-ingest").stdout();
    let killed = Desk::new("sigkill_imap_killed");
    with_imap(&killed, vec![dovecot.account("lists", &["INBOX"])]);
    // Killed mid-fetch: still running, some but not all of the 2000
    // messages stored (retried at another kill point until so).
    let stored = crate::faults::kill_mid_run(&killed.db, 2000, || {
        killed
            .cmd("secdesk-ingest")
            .cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn")
    });
    assert!(stored > 0);
    assert!(stored < 2000, "killed before the last message was stored");
    killed.cmd("secdesk-ingest").stdout();
    assert_eq!(messages(&killed), 2000);
    assert!(
        clean.dump() == killed.dump(),
        "killed + rerun differs from a clean run"
    );
}

/// Runs ingest with one bad account and one good one: the bad one fails
/// with one line naming it, the good one is fetched, and the run exits 1.
/// Neither the good account's password (sent by the run that fetched) nor
/// `sent` (a password the bad account sent and the server refused) shows
/// in any output or the database.
fn bad_account(
    desk: &Desk,
    dovecot: &Dovecot,
    bad: serde_json::Value,
    sent: Option<&str>,
    expect: &str,
) {
    dovecot.append("good", &generated(2, &format!("good-{}", bad["name"])));
    with_imap(desk, vec![bad, dovecot.account("good", &["good"])]);
    let out = desk.cmd("secdesk-ingest").assert_exit_code(1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("imap account broken"))
        .collect();
    assert!(!errors.is_empty(), "{stderr}");
    let last = errors.last().expect("an error line");
    assert!(last.contains(expect), "expected {expect:?} in {last:?}");
    assert!(
        stdout.contains("2 new"),
        "the good account was fetched: {stdout}"
    );
    let passwords: Vec<&str> = std::iter::once(dovecot.password.as_str())
        .chain(sent)
        .collect();
    let v: serde_json::Value = desk.cmd("secdesk").args(["status", "--json"]).json();
    let status = v.to_string();
    assert!(status.contains("broken"));
    for password in passwords {
        for text in [&*stdout, &*stderr, &status] {
            assert!(!text.contains(password), "the password leaked: {text}");
        }
        desk.assert_secret_not_stored(password);
    }
}

#[test]
fn bad_accounts_fail_with_one_line_and_never_show_the_password() {
    let dovecot = Dovecot::start("badaccounts");

    let desk = Desk::new("wrong_password");
    // The password the refused login sent is the one to look for.
    let wrong = format!("wrong-pw-{}", std::process::id());
    let pw = desk.dir.write("wrong-pw", format!("{wrong}\n"));
    let mut acc = dovecot.account("broken", &["INBOX"]);
    acc["password_file"] = pw.display().to_string().into();
    bad_account(
        &desk,
        &dovecot,
        acc,
        Some(&wrong),
        "login as secdesk refused",
    );

    let desk = Desk::new("unknown_host");
    let mut acc = dovecot.account("broken", &["INBOX"]);
    acc["host"] = "no-such-host.invalid".into();
    bad_account(
        &desk,
        &dovecot,
        acc,
        None,
        "cannot resolve no-such-host.invalid",
    );

    let desk = Desk::new("untrusted_certificate");
    let mut acc = dovecot.account("broken", &["INBOX"]);
    acc.as_object_mut().expect("object").remove("ca_file");
    bad_account(&desk, &dovecot, acc, None, "TLS with localhost failed");

    // A server that offers no TLS: with `starttls` secdesk refuses to send
    // the password in the clear.
    let plain = Dovecot::start_plaintext_only("plaintext");
    let desk = Desk::new("plaintext_refused");
    let mut acc = dovecot.account("broken", &["INBOX"]);
    acc["tls"] = "starttls".into();
    acc["port"] = plain.imap_port.into();
    bad_account(
        &desk,
        &dovecot,
        acc,
        None,
        "does not offer STARTTLS; refusing to log in over plaintext",
    );
}

desktest!(
    explicit_plaintext_works_on_loopback_with_a_warning,
    |desk| {
        let plain = Dovecot::start_plaintext_only("explicit-plaintext");
        plain.append("INBOX", &generated(2, "plain"));
        let mut acc = plain.account("lists", &["INBOX"]);
        acc["tls"] = "none".into();
        acc["port"] = plain.imap_port.into();
        acc.as_object_mut().expect("object").remove("ca_file");
        with_imap(&desk, vec![acc]);
        let out = desk.cmd("secdesk-ingest").output();
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("tls is \"none\""), "{stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("ingest: 2 seen, 2 new"));
    }
);

desktest!(missing_password_file_names_the_account_and_file, |desk| {
    let dovecot = Dovecot::start("nopwfile");
    let mut acc = dovecot.account("lists", &["INBOX"]);
    acc["password_file"] = "/nonexistent/imap-pw".into();
    with_imap(&desk, vec![acc]);
    let out = desk.cmd("secdesk-ingest").assert_exit_code(1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("imap account lists"), "{stderr}");
    assert!(stderr.contains("/nonexistent/imap-pw"), "{stderr}");
});

desktest!(password_from_systemd_credential_is_read, |desk| {
    let dovecot = Dovecot::start("credential");
    dovecot.append("INBOX", &generated(1, "cred"));
    let creds = desk.dir.join("creds");
    std::fs::create_dir_all(&creds).expect("mkdir");
    std::fs::copy(&dovecot.password_file, creds.join("imap-lists")).expect("copy");
    let mut acc = dovecot.account("lists", &["INBOX"]);
    acc.as_object_mut().expect("object").remove("password_file");
    acc["password_credential"] = "imap-lists".into();
    with_imap(&desk, vec![acc]);
    let out = desk
        .cmd("secdesk-ingest")
        .env("CREDENTIALS_DIRECTORY", &creds)
        .stdout();
    assert!(out.starts_with("ingest: 1 seen, 1 new"), "{out}");
});

desktest!(
    mirror_back_sets_seen_on_claim_and_archives_on_dismiss,
    |desk| {
        let dovecot = Dovecot::start("mirror");
        dovecot.append("INBOX", &samples());
        let mut acc = dovecot.account("lists", &["INBOX"]);
        acc["archive_mailbox"] = "Archive".into();
        with_imap(&desk, vec![acc]);
        desk.cmd("secdesk-ingest").stdout();
        let issues: Vec<crate::cli::IssueJson> =
            desk.cmd("secdesk").args(["issues", "--json"]).json();
        let needrestart = issues
            .iter()
            .find(|i| i.cves.contains(&"CVE-2024-48990".into()))
            .expect("issue")
            .id;
        let adaptcms = issues
            .iter()
            .find(|i| i.title.contains("adaptcms"))
            .expect("issue")
            .id;
        desk.cmd("secdesk")
            .args(["--as", "alice", "claim", &needrestart.to_string()])
            .stdout();
        desk.cmd("secdesk")
            .args([
                "--as",
                "alice",
                "dismiss",
                &adaptcms.to_string(),
                "--reason",
                "not-packaged",
            ])
            .stdout();
        let out = desk.cmd("secdesk-ingest").output();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let flags = dovecot.flags("INBOX");
        let seen = flags
            .iter()
            .filter(|(_, f)| f.iter().any(|x| x.contains("Seen")))
            .count();
        assert_eq!(
            seen, 3,
            "the needrestart messages are marked read: {flags:?}"
        );
        assert_eq!(dovecot.count("INBOX"), 13, "one message left the inbox");
        assert_eq!(dovecot.count("Archive"), 1, "and is in the archive");
        let before = (
            dovecot.flags("INBOX"),
            dovecot.count("Archive"),
            desk.dump(),
        );
        let out = desk.cmd("secdesk-ingest").stdout();
        assert!(
            out.starts_with("ingest: 0 seen, 0 new"),
            "the moved message is not fetched again: {out}"
        );
        let after = (
            dovecot.flags("INBOX"),
            dovecot.count("Archive"),
            desk.dump(),
        );
        assert!(before == after, "a rerun changed something");
    }
);

desktest!(
    database_error_on_one_imap_message_fails_it_alone_and_the_cursor_waits_for_it,
    |desk| {
        let dovecot = Dovecot::start("poison");
        let mut msgs = generated(3, "poison");
        // The second message is one the database refuses (a trigger below).
        msgs[1] =
            b"Message-ID: <poison-1@imap.test>\nSubject: poison CVE-2025-20001\n\nx\n".to_vec();
        dovecot.append("INBOX", &msgs);
        with_imap(&desk, vec![dovecot.account("lists", &["INBOX"])]);
        drop(desk.store());
        let conn = rusqlite::Connection::open(&desk.db).expect("open");
        conn.execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject LIKE 'poison%'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .expect("trigger");
        let out = desk.cmd("secdesk-ingest").assert_exit_code(1);
        eqnice!(
            "ingest: 3 seen, 2 new, 0 copies, 0 duplicates, 1 refused (1 not stored), 0 unparsable, 2 issues opened, 0 issues updated, 1 failed\n",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(messages(&desk), 2, "its neighbours are stored");
        conn.execute_batch("DROP TRIGGER poison")
            .expect("drop trigger");
        // The cursor stayed below the refused message: the next run fetches
        // it (and the one after it again, which is a duplicate).
        let out = desk.cmd("secdesk-ingest").stdout();
        eqnice!(
            "ingest: 2 seen, 1 new, 0 copies, 1 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated\n",
            out
        );
        assert_eq!(messages(&desk), 3);
        let out = desk.cmd("secdesk-ingest").stdout();
        assert!(out.starts_with("ingest: 0 seen"), "{out}");
    }
);

// issue 18 (the chaos run): a cross-post (the same Message-ID with other
// bytes) and an identical duplicate of it had their server locations
// recorded on the first copy, so the first copy claimed UIDs that hold
// other bytes and the copies claimed none.
desktest!(
    issue_18_each_copy_is_located_where_its_own_bytes_lie,
    |desk| {
        let dovecot = Dovecot::start("copies");
        let first = b"Message-ID: <x-post@imap.test>\nFrom: a@imap.test\nSubject: [oss-security] CVE-2025-30001: pkg: overflow\nList-Id: <oss-security.lists.openwall.com>\n\nfirst\n".to_vec();
        let cross = b"Message-ID: <x-post@imap.test>\nFrom: a@imap.test\nSubject: [FD] CVE-2025-30001: pkg: overflow\nList-Id: <fulldisclosure.seclists.org>\n\ncross-post\n".to_vec();
        dovecot.append("INBOX", &[first, cross.clone()]);
        dovecot.append("lists", &[cross]);
        with_imap(&desk, vec![dovecot.account("lists", &["INBOX", "lists"])]);
        let out = desk.cmd("secdesk-ingest").stdout();
        eqnice!(
            "ingest: 3 seen, 1 new, 1 copies, 1 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated\n",
            out
        );
        drop(desk.store());
        let conn = rusqlite::Connection::open(&desk.db).expect("open");
        let mut stmt = conn
            .prepare(
                "SELECT l.mailbox, l.uid, m.copy FROM message_locations l
                 JOIN messages m ON m.id = l.message_id ORDER BY l.mailbox, l.uid",
            )
            .expect("prepare");
        let rows: Vec<(String, u32, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            rows,
            vec![
                ("INBOX".to_string(), 1, 1),
                ("INBOX".to_string(), 2, 2),
                ("lists".to_string(), 1, 2),
            ],
            "mailbox, UID and the copy stored for it"
        );
    }
);
