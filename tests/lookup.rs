//! Lookups and reading mail (issue 13) through the real `secdesk` binary:
//! `show` by CVE, the `issues` filters (`--cve`, `--package`, `--search`,
//! `--problems`, repeated `--state`, `--state open`) and their order,
//! `message` decoded and `--raw`, and where `status` points for messages
//! with problems.

use crate::cli::{IssueJson, ShowJson};
use crate::util::{Desk, maildir_with, repo, sample_mail};
use serde::Deserialize;
use std::path::PathBuf;

/// `secdesk message REF --json`.
// The fields pin the JSON shape; not every test reads every one.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageShowJson {
    number: i64,
    message_id: String,
    copy: i64,
    issue: Option<i64>,
    source: String,
    from: String,
    date: Option<String>,
    subject: String,
    list_id: String,
    problems: Vec<String>,
    text: String,
}

/// The constructed message with escape sequences and ISO-8859-1 bytes.
fn hostile() -> PathBuf {
    repo().join("tests/fixtures/lookup/hostile-escapes-latin1-constructed.eml")
}

impl Desk {
    /// The ids `secdesk issues ARGS… --json` lists, in its order.
    fn listed(&self, args: &[&str]) -> Vec<i64> {
        let issues: Vec<IssueJson> = self
            .cmd("secdesk")
            .arg("issues")
            .args(args)
            .arg("--json")
            .json();
        issues.iter().map(|i| i.id).collect()
    }

    /// Runs `secdesk --as WHO ARGS…` and asserts it succeeded.
    fn work_as(&self, who: &str, args: &[&str]) {
        self.cmd("secdesk").args(["--as", who]).args(args).stdout();
    }

    /// Ingests the sample mail and the hostile message (as issue 12).
    fn with_hostile_mail(&self) {
        self.ingest_maildir(&sample_mail());
        let dir = self.dir.join("hostile");
        std::fs::create_dir_all(dir.join("cur")).expect("mkdir");
        std::fs::create_dir_all(dir.join("new")).expect("mkdir");
        std::fs::copy(hostile(), dir.join("cur/hostile.eml")).expect("copy the fixture");
        self.ingest_maildir(&dir);
    }
}

desktest!(show_finds_an_issue_by_its_cve_in_any_case, |desk| {
    desk.ingest_maildir(&sample_mail());
    let by_number = desk.cmd("secdesk").args(["show", "5"]).stdout();
    assert!(by_number.starts_with("#5  Local Privilege Escalations in needrestart\n"));
    for cve in ["CVE-2024-48990", "cve-2024-48990", "Cve-2024-48992"] {
        eqnice!(by_number, desk.cmd("secdesk").args(["show", cve]).stdout());
    }
    let json: ShowJson = desk
        .cmd("secdesk")
        .args(["show", "cve-2024-10224", "--json"])
        .json();
    assert_eq!(json.id, 5);
});

desktest!(show_of_an_untracked_cve_exits_1_saying_so, |desk| {
    desk.ingest_maildir(&sample_mail());
    let out = desk
        .cmd("secdesk")
        .args(["show", "cve-2031-0001", "--json"])
        .assert_exit_code(1);
    assert!(out.stdout.is_empty(), "nothing on stdout");
    eqnice!(
        "secdesk: CVE-2031-0001 is not tracked: no issue holds it\n",
        String::from_utf8_lossy(&out.stderr)
    );
    // A malformed id is a wrong request, not a lookup.
    let err = desk
        .cmd("secdesk")
        .args(["show", "CVE-24-1"])
        .assert_usage_error();
    assert!(
        err.contains("expected a CVE id like CVE-2024-48990"),
        "{err}"
    );
    // An issue number nobody has stays a refusal.
    let err = desk
        .cmd("secdesk")
        .args(["show", "99"])
        .assert_usage_error();
    assert!(err.contains("#99"), "{err}");
});

desktest!(issues_by_cve_and_by_package, |desk| {
    desk.ingest_maildir(&sample_mail());
    assert_eq!(desk.listed(&["--cve", "cve-2024-48991"]), [5]);
    assert_eq!(desk.listed(&["--cve", "CVE-2016-7930"]), [10]);
    assert!(desk.listed(&["--cve", "CVE-2031-0001"]).is_empty());
    assert_eq!(desk.listed(&["--package", "NeedRestart"]), [5]);
    assert_eq!(desk.listed(&["--package", "linux-2.6"]), [2]);
    assert!(
        desk.listed(&["--package", "need"]).is_empty(),
        "whole names only"
    );
    assert_eq!(
        desk.listed(&["--package", "needrestart", "--cve", "CVE-2008-0165"]),
        Vec::<i64>::new(),
        "filters combine"
    );
    let err = desk
        .cmd("secdesk")
        .args(["issues", "--cve", "2024-48990"])
        .assert_usage_error();
    assert!(
        err.contains("--cve \"2024-48990\": expected a CVE id like CVE-2024-48990"),
        "{err}"
    );
});

desktest!(search_finds_a_word_that_is_only_in_a_message_body, |desk| {
    desk.with_hostile_mail();
    let raw = std::fs::read(hostile()).expect("fixture");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a header section");
    assert!(!head.contains("zanzibarite") && body.contains("zanzibarite"));
    assert_eq!(desk.listed(&["--search", "zanzibarite"]), [12]);
    assert_eq!(desk.listed(&["--search", "ZANZIBARITE fuzzing"]), [12]);
    assert_eq!(desk.listed(&["--search", "zanzib*"]), [12], "a prefix");
    assert!(
        desk.listed(&["--search", "zanzib"]).is_empty(),
        "whole words"
    );
    assert!(
        desk.listed(&["--search", "zanzibarite needrestart"])
            .is_empty(),
        "every word in one message"
    );
    // Decoded text: the Latin-1 é of "café" is found without its accent.
    assert_eq!(desk.listed(&["--search", "cafe"]), [12]);
    // A reply's body (the quoted-printable-free text of jwilk's patch
    // mail) leads to its issue; subjects count too.
    assert_eq!(desk.listed(&["--search", "interpreter"]), [5]);
    assert_eq!(desk.listed(&["--search", "segfault"]), [8]);
    // Punctuation and operator words are text, never query syntax.
    assert_eq!(desk.listed(&["--search", "CVE-2031-4242"]), [12]);
    // "and" is a word of the message; the rest is not read as syntax.
    assert_eq!(desk.listed(&["--search", "zanzibarite AND \"( -"]), [12]);
    let out = desk
        .cmd("secdesk")
        .args(["issues", "--search", "zanzibarite NOT"])
        .stdout();
    eqnice!("no issues\n", out);
    for nothing in ["  ", "- \"("] {
        let err = desk
            .cmd("secdesk")
            .args(["issues", "--search", nothing])
            .assert_usage_error();
        assert!(err.contains("expected at least one word"), "{err}");
    }
});

desktest!(search_follows_a_merge_to_the_surviving_issue, |desk| {
    desk.ingest_maildir(&sample_mail());
    // "segfault" is in the catdoc issue's (#8) message only.
    assert_eq!(desk.listed(&["--search", "segfault"]), [8]);
    desk.work_as("alice", &["merge", "8", "7"]);
    assert_eq!(desk.listed(&["--search", "segfault"]), [7]);
});

desktest!(fresh search_finds_messages_stored_before_the_upgrade, |desk| {
    // A database as the previous release left it (schema 8), holding a
    // message whose body is quoted-printable: only decoding finds the word.
    let raw = b"Message-ID: <old-5150@constructed.example>\nDate: Mon, 1 Jan 2031 10:00:00 +0000\nSubject: gizmo crash\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nThe quux=\nfrobber crashes on long input.\n";
    {
        let conn = rusqlite::Connection::open(&desk.db).expect("open by hand");
        for m in secdesk::store::migrations::MIGRATIONS.iter().take(8) {
            conn.execute_batch(m.sql).expect("old schema");
        }
        conn.execute_batch(
            "PRAGMA user_version = 8;
             INSERT INTO issues (id, title, state, created_at, updated_at)
               VALUES (1, 'gizmo crash', 'new', '2031-01-01T10:00:00Z', '2031-01-01T10:00:00Z');
             INSERT INTO messages (id, message_id, issue_id, source, subject, sender, date,
               received_at, is_reply, problems, origin, size)
               VALUES (1, 'old-5150@constructed.example', 1, 'other', 'gizmo crash', '',
               '2031-01-01T10:00:00Z', '2031-01-01T10:00:00Z', 0, '', 'maildir:old', 1);",
        )
        .expect("old rows");
        conn.execute(
            "INSERT INTO message_raw (message_id, raw) VALUES (1, ?1)",
            [&raw[..]],
        )
        .expect("old bytes");
    }
    assert_eq!(desk.listed(&["--search", "quuxfrobber"]), [1]);
    assert_eq!(desk.listed(&["--search", "gizmo"]), [1]);
    // And ingest indexes what comes after.
    desk.ingest_maildir(&maildir_with(
        &desk.dir,
        "m",
        &["oss-security/cur/catdoc-oob-heap-read-2018.eml"],
    ));
    assert_eq!(desk.listed(&["--search", "segfault"]), [2]);
});

desktest!(
    states_repeat_and_open_means_new_claimed_or_triaged,
    |desk| {
        desk.ingest_maildir(&sample_mail());
        desk.work_as("alice", &["claim", "1"]);
        desk.work_as("bob", &["claim", "2"]);
        for release in ["25.05", "25.11", "unstable"] {
            desk.work_as("bob", &["release-status", "2", release, "not-affected"]);
        }
        desk.work_as("carol", &["dismiss", "3", "--reason", "not-packaged"]);
        desk.work_as("carol", &["claim", "4"]);
        for release in ["25.05", "25.11", "unstable"] {
            desk.work_as(
                "carol",
                &["release-status", "4", release, "fixed", "--ref", "pkg 1.1"],
            );
        }
        assert_eq!(desk.listed(&["--state", "claimed"]), [1]);
        assert_eq!(desk.listed(&["--state", "triaged"]), [2]);
        assert_eq!(desk.listed(&["--state", "fixed"]), [4]);
        assert_eq!(
            desk.listed(&["--state", "claimed", "--state", "dismissed"]),
            [1, 3]
        );
        assert_eq!(desk.listed(&["--state", "fixed,dismissed"]), [3, 4]);
        assert_eq!(
            desk.listed(&["--state", "open"]),
            [1, 2, 5, 6, 7, 8, 9, 10, 11],
            "open: new, claimed and triaged"
        );
        assert_eq!(
            desk.listed(&["--state", "open", "--state", "new"]),
            desk.listed(&["--state", "open"])
        );
        let err = desk
            .cmd("secdesk")
            .args(["issues", "--state", "closed"])
            .assert_usage_error();
        assert!(
            err.contains("unknown state \"closed\"") && err.contains("open, new, claimed"),
            "{err}"
        );
    }
);

desktest!(issues_are_listed_by_severity_then_oldest_first, |desk| {
    // Debian's advisories arrive now (#1-#3); the rest was stored three
    // weeks ago, so #4 onwards are older than #1-#3.
    desk.ingest_maildir(&maildir_with(
        &desk.dir,
        "debian",
        &[
            "debian/cur/dsa-1553-1-ikiwiki.eml",
            "debian/cur/dsa-1565-1-linux-2.6.18.eml",
            "debian/cur/dsa-1645-1-lighttpd.eml",
        ],
    ));
    desk.cmd_at("secdesk-ingest", "2026-11-01T09:00:00Z")
        .arg("--maildir")
        .arg(sample_mail().join("oss-security"))
        .stdout();
    desk.work_as("alice", &["severity", "2", "critical"]);
    desk.work_as("alice", &["severity", "6", "high"]);
    desk.work_as("alice", &["severity", "3", "high"]);
    desk.work_as("alice", &["severity", "5", "low"]);
    // critical; high, older first; low; then no severity, older first.
    assert_eq!(desk.listed(&[]), [2, 6, 3, 5, 4, 7, 8, 9, 1]);
    let text = desk.cmd("secdesk").arg("issues").stdout();
    let order: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(
        order,
        ["#2", "#6", "#3", "#5", "#4", "#7", "#8", "#9", "#1"]
    );
    // Filters keep the order.
    assert_eq!(desk.listed(&["--source", "debian"]), [2, 3, 1]);
});

desktest!(
    message_is_found_by_message_id_with_or_without_brackets_and_by_number,
    |desk| {
        desk.ingest_maildir(&sample_mail());
        let show: ShowJson = desk.cmd("secdesk").args(["show", "5", "--json"]).json();
        let reply = show
            .messages
            .iter()
            .find(|m| m.message_id == "20241204091439.zagujeidn25nouor@jwilk.net")
            .expect("jwilk's reply");
        let by_id = desk
            .cmd("secdesk")
            .args(["message", "20241204091439.zagujeidn25nouor@jwilk.net"])
            .stdout();
        let by_brackets = desk
            .cmd("secdesk")
            .args(["message", "<20241204091439.zagujeidn25nouor@jwilk.net>"])
            .stdout();
        let by_number = desk
            .cmd("secdesk")
            .args(["message", &reply.number.to_string()])
            .stdout();
        eqnice!(by_id, by_brackets);
        eqnice!(by_id, by_number);
        let head: Vec<&str> = by_id.lines().take(9).collect();
        expect_test::expect![[r#"
        From:       Jakub Wilk <jwilk@jwilk.net>
        Date:       2024-12-04T09:14:39Z
        Subject:    Re: [oss-security] Local Privilege Escalations in needrestart
        Message-ID: <20241204091439.zagujeidn25nouor@jwilk.net>
        List-Id:    oss-security.lists.openwall.com
        Stored:     message 13 in issue #5, from oss-security

        * Qualys Security Advisory <qsa@qualys.com>, 2024-11-19 16:25:
        >We therefore grepped the ScanDeps module for one of the oldest pitfalls "#]]
        .assert_eq(&head.join("\n"));
        // The attached patch is decoded text too.
        assert!(
            by_id.contains("Subject: [PATCH] Warn against suspicious two-argument open() calls.")
        );
        // `show` prints the same number at the start of the reply's row.
        let text = desk.cmd("secdesk").args(["show", "5"]).stdout();
        assert!(
            text.lines().any(|l| l
                .trim_start()
                .starts_with("13  2024-12-04 09:14  oss-security")),
            "{text}"
        );

        let json: MessageShowJson = desk.cmd("secdesk").args(["message", "13", "--json"]).json();
        assert_eq!(
            (json.number, json.copy, json.issue, json.source.as_str()),
            (13, 1, Some(5), "oss-security")
        );
        assert_eq!(json.date.as_deref(), Some("2024-12-04T09:14:39Z"));
        assert!(json.text.starts_with("* Qualys Security Advisory"));

        let out = desk
            .cmd("secdesk")
            .args(["message", "<nobody@example.org>"])
            .assert_exit_code(1);
        eqnice!(
            "secdesk: no stored message has Message-ID <nobody@example.org>\n",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = desk
            .cmd("secdesk")
            .args(["message", "999"])
            .assert_exit_code(1);
        eqnice!(
            "secdesk: no stored message has number 999\n",
            String::from_utf8_lossy(&out.stderr)
        );
    }
);

desktest!(
    raw_is_the_stored_bytes_and_decoded_text_carries_no_escapes,
    |desk| {
        desk.with_hostile_mail();
        let fixture = std::fs::read(hostile()).expect("fixture");
        assert!(
            std::str::from_utf8(&fixture).is_err(),
            "the fixture is not UTF-8"
        );
        assert!(
            fixture.contains(&0x1b),
            "the fixture carries escape sequences"
        );
        let raw = desk
            .cmd("secdesk")
            .args(["message", "hostile-4242@constructed.example", "--raw"])
            .output();
        assert!(raw.status.success(), "{raw:?}");
        assert!(
            raw.stdout == fixture,
            "--raw gives the stored bytes, byte for byte"
        );

        let out = desk
            .cmd("secdesk")
            .args(["message", "<hostile-4242@constructed.example>"])
            .output();
        assert!(out.status.success(), "{out:?}");
        let controls: Vec<u8> = out
            .stdout
            .iter()
            .copied()
            .filter(|&b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f)
            .collect();
        assert!(
            controls.is_empty(),
            "control bytes reach the terminal: {controls:?}"
        );
        let text = String::from_utf8(out.stdout).expect("decoded output is UTF-8");
        let head: Vec<&str> = text.lines().take(6).collect();
        expect_test::expect![[r#"
        From:       René Mallory <rene@constructed.example>
        Date:       2026-03-03T10:00:00Z
        Subject:    [oss-security] CVE-2031-4242: gizmo ]0;owned [2Jfile name overflow �t�
        Message-ID: <hostile-4242@constructed.example>
        List-Id:    oss-security.lists.openwall.com
        Stored:     message 15 in issue #12, from oss-security"#]]
        .assert_eq(&head.join("\n"));
        assert!(text.contains("at the café on the corner."), "{text}");
        assert!(
            text.contains("\\x1b[31mred\\x1b[0m, a bell\\x07 and a lone CR:\\x0dOVERWRITTEN\n"),
            "{text}"
        );

        let json = desk
            .cmd("secdesk")
            .args(["message", "15", "--json"])
            .stdout();
        assert!(
            !json.contains("\\u001b"),
            "no escape in --json either: {json}"
        );
        let json: MessageShowJson = serde_json::from_str(&json).expect("JSON");
        assert!(json.text.contains("\\x1b[31mred"), "{}", json.text);

        let err = desk
            .cmd("secdesk")
            .args(["message", "15", "--raw", "--json"])
            .assert_usage_error();
        assert!(err.contains("--raw"), "{err}");
    }
);

desktest!(
    issues_problems_lists_the_issues_of_messages_with_problems,
    |desk| {
        desk.ingest_maildir(&sample_mail());
        // Three Full Disclosure pages rebuilt from the archive have no
        // Message-ID; one of them is in the needrestart issue.
        assert_eq!(desk.listed(&["--problems"]), [4, 5, 6]);
        assert_eq!(desk.listed(&["--problems", "--cve", "CVE-2024-48990"]), [5]);
        let show = desk.cmd("secdesk").args(["show", "5"]).stdout();
        assert!(
            show.contains("\nproblems:  message 5 (no-message-id)\n"),
            "{show}"
        );
        let clean = desk.cmd("secdesk").args(["show", "1"]).stdout();
        assert!(!clean.contains("problems:"), "{clean}");
    }
);

desktest!(status_says_how_to_list_the_issues_with_problems, |desk| {
    desk.ingest_maildir(&sample_mail());
    let out = desk.cmd("secdesk").arg("status").stdout();
    let line = out
        .lines()
        .find(|l| l.starts_with("ingest:"))
        .expect("an ingest line");
    eqnice!(
        "ingest: 14 messages (3 with problems: secdesk issues --problems), last stored 2026-11-22T09:00:00Z (0m ago)",
        line
    );
});
