//! Issue 11: every input accounted for, and nothing wedges. Copies of a
//! Message-ID with other bytes, identical duplicates, refusals with their
//! reasons, folders that are not Maildirs, deep trees, a message larger
//! than SQLite's blob limit, and a database error on one message. All the
//! messages here are constructed.

use crate::util::Dir;
use std::io::{Seek, SeekFrom, Write};

/// A constructed message: one Message-ID, a date, a subject and a body.
fn message(id: &str, date: &str, subject: &str, body: &str) -> String {
    format!(
        "Message-ID: <{id}>\nFrom: Reporter <reporter@example.net>\nDate: {date}\nSubject: {subject}\n\n{body}\n"
    )
}

desktest!(
    constructed_cross_post_is_a_copy_with_its_own_row_source_and_cves,
    |desk| {
        // The same disclosure through two lists: one Message-ID, other bytes
        // (each list adds its footer), another list, a later date.
        desk.dir.write(
            "lists/oss-security/cur/1",
            message(
                "flaw@research.example",
                "Tue, 5 Mar 2024 16:25:00 +0000",
                "Heap overflow in libfrob (CVE-2024-41001)",
                "Details of CVE-2024-41001.\n-- \noss-security footer",
            ),
        );
        desk.dir.write(
            "lists/full-disclosure/cur/1",
            message(
                "flaw@research.example",
                "Tue, 5 Mar 2024 16:28:00 +0000",
                "[FD] Heap overflow in libfrob",
                "Details of CVE-2024-41001. CVE-2024-41002 has been assigned to the second overflow.\n_______\nFull Disclosure footer",
            ),
        );
        let out = desk.ingest_maildir(&desk.dir.join("lists"));
        eqnice!(
            "ingest: 2 seen, 1 new, 1 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated\n",
            out
        );
        let d = desk.dump();
        assert_eq!(d.len(), 1, "the copy joins the first copy's issue");
        let issue = &d[0];
        assert_eq!(issue.summary.cves, ["CVE-2024-41001", "CVE-2024-41002"]);
        assert_eq!(issue.summary.message_count, 2);
        let rows: Vec<String> = issue
            .messages
            .iter()
            .map(|m| {
                format!(
                    "{} {} {} copy {}",
                    m.date.format("%H:%M"),
                    m.source.as_str(),
                    m.message_id,
                    m.copy
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                "16:25 oss-security flaw@research.example copy 2",
                "16:28 full-disclosure flaw@research.example copy 1",
            ],
            "full-disclosure/ is read first (sorted), so oss-security is the second copy"
        );
        let show = desk
            .cmd("secdesk")
            .args(["show", &issue.summary.id.to_string()])
            .stdout();
        assert!(show.contains("timeline (2 messages):"), "{show}");
        assert!(show.contains("16:25  oss-security"), "{show}");
        assert!(show.contains("16:28  full-disclosure"), "{show}");
        let json: serde_json::Value = desk
            .cmd("secdesk")
            .args(["show", &issue.summary.id.to_string(), "--json"])
            .json();
        let messages = json["messages"].as_array().expect("messages");
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0]["copy"], 2);
        assert!(
            messages[1].get("copy").is_none(),
            "the first copy says nothing"
        );

        // The same bytes again are duplicates: counted, named with -v, not
        // stored.
        let again = desk
            .cmd("secdesk-ingest")
            .arg("-v")
            .arg("--maildir")
            .arg(desk.dir.join("lists"))
            .assert_exit_code(0);
        eqnice!(
            "ingest: 2 seen, 0 new, 0 copies, 2 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated\n",
            String::from_utf8_lossy(&again.stdout)
        );
        let stderr = String::from_utf8_lossy(&again.stderr);
        assert!(
            stderr.contains("full-disclosure/cur/1: duplicate of stored copy 1 of <flaw@research.example>, not stored")
                && stderr.contains("oss-security/cur/1: duplicate of stored copy 2 of <flaw@research.example>, not stored"),
            "{stderr}"
        );
        assert_eq!(desk.dump()[0].messages.len(), 2);
    }
);

desktest!(folder_of_eml_files_is_read_as_messages, |desk| {
    for (name, cve) in [("a.eml", "CVE-2024-41011"), ("b.eml", "CVE-2024-41012")] {
        desk.dir.write(
            format!("corpus/{name}"),
            message(
                &format!("{name}@corpus.example"),
                "Mon, 1 Jan 2024 00:00:00 +0000",
                cve,
                "body",
            ),
        );
    }
    let out = desk
        .cmd("secdesk-ingest")
        .arg("--eml")
        .arg(desk.dir.join("corpus"))
        .stdout();
    assert!(out.starts_with("ingest: 2 seen, 2 new,"), "{out}");
    assert_eq!(desk.dump().len(), 2);
    // Given as a Maildir, it is refused: it holds none (issue 13).
    let stderr = desk
        .cmd("secdesk-ingest")
        .arg("--maildir")
        .arg(desk.dir.join("corpus"))
        .assert_usage_error();
    assert!(
        stderr.ends_with("a folder of message files is read with --eml\n"),
        "{stderr}"
    );
});

desktest!(
    directory_with_nothing_to_read_is_refused_naming_it,
    |desk| {
        std::fs::create_dir_all(desk.dir.join("nothing/sub")).expect("mkdir");
        for flag in ["--maildir", "--eml"] {
            let out = desk
                .cmd("secdesk-ingest")
                .arg(flag)
                .arg(desk.dir.join("nothing"))
                .assert_exit_code(2);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.stdout.is_empty(), "the run did not start");
            assert!(
                stderr.contains(&format!(
                    "{flag} {}: holds no ",
                    desk.dir.join("nothing").display()
                )),
                "{stderr}"
            );
        }
    }
);

desktest!(maildir_forty_levels_deep_is_read_to_the_bottom, |desk| {
    let mut rel = std::path::PathBuf::from("deep");
    for i in 0..40 {
        rel.push(format!("level{i}"));
    }
    desk.dir.write(
        rel.join("cur/1"),
        message(
            "deep@x",
            "Mon, 1 Jan 2024 00:00:00 +0000",
            "CVE-2024-41021",
            "deep",
        ),
    );
    let out = desk.ingest_maildir(&desk.dir.join("deep"));
    assert!(out.starts_with("ingest: 1 seen, 1 new,"), "{out}");
});

/// Writes a message of `size` bytes (a header, then a sparse hole of zero
/// bytes) to `file`, from its current end.
fn huge_message(file: &mut std::fs::File, id: &str, size: u64) {
    let head = message(
        id,
        "Mon, 1 Jan 2024 00:00:00 +0000",
        "huge CVE-2024-41031",
        "CVE-2024-41032 early in the body",
    );
    file.write_all(head.as_bytes()).expect("write head");
    let end = file.stream_position().expect("tell") + size - head.len() as u64 - 1;
    file.set_len(end).expect("grow sparsely");
    file.seek(SeekFrom::End(0)).expect("seek");
    file.write_all(b"\n").expect("write");
}

/// Larger than SQLite's largest blob (1,000,000,000 bytes).
const OVER_BLOB_LIMIT: u64 = 1_000_000_100;

desktest!(
    constructed_message_over_the_blob_limit_is_stored_truncated_and_never_wedges,
    |desk| {
        let mut config = desk.config_json();
        config["max_message_bytes"] = serde_json::json!(4 << 20);
        desk.set_config(&config);
        let dir = Dir::new("huge-mail");
        dir.write(
            "m/cur/1-before",
            message(
                "before@x",
                "Mon, 1 Jan 2024 00:00:00 +0000",
                "CVE-2024-41033",
                "x",
            ),
        );
        dir.write(
            "m/cur/3-after",
            message(
                "after@x",
                "Mon, 1 Jan 2024 00:00:00 +0000",
                "CVE-2024-41034",
                "x",
            ),
        );
        let mut f = std::fs::File::create(dir.join("m/cur/2-huge")).expect("create");
        huge_message(&mut f, "huge@x", OVER_BLOB_LIMIT);
        drop(f);
        // The same in an mbox, between two neighbours (its subject names the
        // same CVE, so both huge messages land in one issue).
        let mbox = dir.join("huge.mbox");
        let mut f = std::fs::File::create(&mbox).expect("create");
        let sep = "From sender@example.net Mon Jan  1 00:00:00 2024\n";
        write!(
            f,
            "{sep}{}",
            message(
                "mbox-before@x",
                "Mon, 1 Jan 2024 00:00:00 +0000",
                "CVE-2024-41035",
                "x"
            )
        )
        .expect("write");
        f.write_all(sep.as_bytes()).expect("write");
        huge_message(&mut f, "mbox-huge@x", OVER_BLOB_LIMIT);
        write!(
            f,
            "{sep}{}",
            message(
                "mbox-after@x",
                "Mon, 1 Jan 2024 00:00:00 +0000",
                "CVE-2024-41036",
                "x"
            )
        )
        .expect("write");
        drop(f);

        let run = || {
            desk.cmd("secdesk-ingest")
                .arg("--maildir")
                .arg(dir.join("m"))
                .arg("--mbox")
                .arg(&mbox)
                .assert_exit_code(0)
        };
        let out = run();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        eqnice!(
            "ingest: 6 seen, 6 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 5 issues opened, 0 issues updated, 2 truncated\n",
            stdout
        );
        assert!(
            stderr.contains("2-huge: 1000000100 bytes, more than max_message_bytes; stored the first 4194304 bytes as `truncated`"),
            "{stderr}"
        );
        let d = desk.dump();
        let cves: Vec<&str> = d
            .iter()
            .flat_map(|i| i.summary.cves.iter().map(String::as_str))
            .collect();
        for cve in [
            "CVE-2024-41031",
            "CVE-2024-41032",
            "CVE-2024-41033",
            "CVE-2024-41034",
            "CVE-2024-41035",
            "CVE-2024-41036",
        ] {
            assert!(cves.contains(&cve), "{cve} in {cves:?}");
        }
        let huge = d
            .iter()
            .flat_map(|i| i.messages.iter())
            .filter(|m| m.problems.contains(&"truncated".to_string()))
            .count();
        assert_eq!(huge, 2, "both huge messages are marked");
        let raw = desk
            .store()
            .read(|r| r.raw_message("huge@x"))
            .expect("read")
            .expect("stored");
        assert_eq!(raw.len(), 4 << 20, "cut at the limit");

        // The next run does not fail on it: the same bytes are duplicates.
        let again = run();
        eqnice!(
            "ingest: 6 seen, 0 new, 0 copies, 6 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated\n",
            String::from_utf8_lossy(&again.stdout)
        );
    }
);

desktest!(
    database_error_on_one_message_fails_it_alone_and_the_next_run_stores_it,
    |desk| {
        for (name, subject) in [
            ("1", "CVE-2024-41041"),
            ("2", "poison CVE-2024-41042"),
            ("3", "CVE-2024-41043"),
        ] {
            desk.dir.write(
                format!("m/cur/{name}"),
                message(
                    &format!("{name}@x"),
                    "Mon, 1 Jan 2024 00:00:00 +0000",
                    subject,
                    "x",
                ),
            );
        }
        drop(desk.store());
        let conn = rusqlite::Connection::open(&desk.db).expect("open");
        conn.execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject LIKE 'poison%'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .expect("trigger");
        let out = desk
            .cmd("secdesk-ingest")
            .arg("--maildir")
            .arg(desk.dir.join("m"))
            .assert_exit_code(1);
        eqnice!(
            "ingest: 3 seen, 2 new, 0 copies, 0 duplicates, 1 refused (1 not stored), 0 unparsable, 2 issues opened, 0 issues updated, 1 failed\n",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("m/cur/2: not stored, tried again next run:")
                && stderr.contains("injected failure"),
            "{stderr}"
        );
        assert_eq!(desk.dump().len(), 2, "its neighbours are stored");
        conn.execute_batch("DROP TRIGGER poison")
            .expect("drop trigger");
        let again = desk.ingest_maildir(&desk.dir.join("m"));
        eqnice!(
            "ingest: 3 seen, 1 new, 0 copies, 2 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated\n",
            again
        );
        assert_eq!(desk.dump().len(), 3);
    }
);
