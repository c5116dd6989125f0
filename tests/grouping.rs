//! Grouping that follows the disclosure, through the real binaries: an
//! advisory re-posted joins the issue of its first post, and `show` says
//! why each message is in its issue. (Which CVEs a message is about and
//! which it only cites is classification's call; the library's unit tests
//! of `mail::ingest` and `triage::correlate` cover what follows from it.)

use crate::cli::ShowJson;
use secdesk::store::migrations::MIGRATIONS;

/// A constructed Debian advisory: `n` is its number, `body` its text.
fn dsa(message_id: &str, date: &str, n: u32, body: &str) -> String {
    format!(
        "From: Debian Security Team <team@security.debian.org>
To: debian-security-announce@lists.debian.org
List-Id: <debian-security-announce.lists.debian.org>
Message-ID: <{message_id}>
Subject: [SECURITY] [DSA {n}-1] frobnicate security update
Date: {date}

Package        : frobnicate
{body}
"
    )
}

desktest!(
    constructed_dsa_reposted_with_a_cve_joins_its_first_post,
    |desk| {
        desk.dir.write(
            "m/cur/1-dsa-9901-first-constructed.eml",
            dsa(
                "first-9901@constructed.example",
                "Mon, 1 Jan 2031 10:00:00 +0000",
                9901,
                "A crash was found in frobnicate.",
            ),
        );
        desk.dir.write(
            "m/cur/2-dsa-9901-repost-constructed.eml",
            dsa(
                "repost-9901@constructed.example",
                "Mon, 1 Jan 2031 12:00:00 +0000",
                9901,
                "CVE ID         : CVE-2031-4444\n\nA crash was found in frobnicate.",
            ),
        );
        let out = desk.ingest_maildir(&desk.dir.join("m"));
        eqnice!(
            "ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated\n",
            out
        );
        let show: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
        assert_eq!(show.cves, ["CVE-2031-4444"], "the re-post brings its CVE");
        let why: Vec<(&str, Option<&str>)> = show
            .messages
            .iter()
            .map(|m| (m.message_id.as_str(), m.joined_by.as_deref()))
            .collect();
        assert_eq!(
            why,
            [
                ("first-9901@constructed.example", Some("opened")),
                ("repost-9901@constructed.example", Some("advisory-id")),
            ]
        );
        let text = desk.cmd("secdesk").args(["show", "1"]).stdout();
        let timeline: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("timeline"))
            .take_while(|l| !l.is_empty())
            .collect();
        expect_test::expect![[r#"
            timeline (2 messages):
              1  2031-01-01 10:00  debian           DSA-9901-1            opened          [SECURITY] [DSA 9901-1] frobnicate security update
              2  2031-01-01 12:00  debian           DSA-9901-1            advisory-id     [SECURITY] [DSA 9901-1] frobnicate security update"#]]
    .assert_eq(&timeline.join("\n"));
    }
);

desktest!(
    fresh advisory_ids_stored_before_the_upgrade_still_gather_re_posts,
    |desk| {
        // A database as the previous release left it: schema 7, one issue
        // opened by an advisory.
        {
            let conn = rusqlite::Connection::open(&desk.db).expect("open by hand");
            for m in MIGRATIONS.iter().take(7) {
                conn.execute_batch(m.sql).expect("old schema");
            }
            conn.execute_batch(
                "PRAGMA user_version = 7;
                 INSERT INTO issues (id, title, state, created_at, updated_at)
                   VALUES (1, 'frobnicate security update', 'new', '2031-01-01T10:00:00Z', '2031-01-01T10:00:00Z');
                 INSERT INTO messages (message_id, issue_id, source, advisory_id, subject, sender,
                   date, received_at, is_reply, problems, origin, size)
                   VALUES ('old-9902@constructed.example', 1, 'debian', 'DSA-9902-1',
                   '[SECURITY] [DSA 9902-1] frobnicate security update', 'team@security.debian.org',
                   '2031-01-01T10:00:00Z', '2031-01-01T10:00:00Z', 0, '', 'maildir:old', 100);",
            )
            .expect("old rows");
        }
        desk.dir.write(
            "m/cur/dsa-9902-repost-constructed.eml",
            dsa(
                "repost-9902@constructed.example",
                "Mon, 1 Jan 2031 12:00:00 +0000",
                9902,
                "A crash was found in frobnicate.",
            ),
        );
        let out = desk.ingest_maildir(&desk.dir.join("m"));
        eqnice!(
            "ingest: 1 seen, 1 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 1 issues updated\n",
            out
        );
        let show: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
        let why: Vec<Option<&str>> = show
            .messages
            .iter()
            .map(|m| m.joined_by.as_deref())
            .collect();
        assert_eq!(
            why,
            [None, Some("advisory-id")],
            "the old message's reason was never recorded"
        );
    }
);

/// A constructed Xen advisory: `rev` its revision, `body` its text.
fn xsa(message_id: &str, date: &str, rev: u32, body: &str) -> String {
    format!(
        "From: Xen.org security team <security@xen.example>
To: xen-announce@lists.xen.example
Message-ID: <{message_id}>
Subject: Xen Security Advisory 9215 v{rev} - frob emulation escape
Date: {date}

{body}
"
    )
}

desktest!(
    constructed_xsa_revisions_with_and_without_a_cve_end_in_one_issue,
    |desk| {
        desk.dir.write(
            "x/cur/1-xsa-v2-constructed.eml",
            xsa(
                "v2-9215@constructed.example",
                "Tue, 2 Jan 2031 10:00:00 +0000",
                2,
                "ISSUE DESCRIPTION\n\nThe frob emulator lets a guest escape.\n",
            ),
        );
        desk.dir.write(
            "x/cur/2-xsa-v3-constructed.eml",
            xsa(
                "v3-9215@constructed.example",
                "Wed, 3 Jan 2031 10:00:00 +0000",
                3,
                "UPDATES IN VERSION 3\n\nCVE assigned.\n\nCVE-2031-9215 has been assigned to this issue.\n",
            ),
        );
        let out = desk.ingest_maildir(&desk.dir.join("x"));
        eqnice!(
            "ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated\n",
            out
        );
        let show: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
        assert_eq!(
            show.cves,
            ["CVE-2031-9215"],
            "v3 brings the CVE to v2's issue"
        );
        let why: Vec<Option<&str>> = show
            .messages
            .iter()
            .map(|m| m.joined_by.as_deref())
            .collect();
        assert_eq!(why, [Some("opened"), Some("advisory-id")]);
    }
);

desktest!(
    constructed_new_thread_citing_an_old_cve_opens_its_own_related_issue,
    |desk| {
        desk.dir.write(
            "c/cur/1-old-constructed.eml",
            "From: Finder <finder@example.org>
To: oss-security@lists.openwall.com
List-Id: <oss-security.lists.openwall.com>
Message-ID: <old-frob@constructed.example>
Subject: [oss-security] CVE-2030-1111: frobd crashes on long names
Date: Mon, 1 Jan 2030 10:00:00 +0000

frobd crashes on a name longer than 4096 bytes.
",
        );
        desk.dir.write(
            "c/cur/2-new-constructed.eml",
            "From: Other Finder <other@example.org>
To: oss-security@lists.openwall.com
List-Id: <oss-security.lists.openwall.com>
Message-ID: <new-frob@constructed.example>
Subject: [oss-security] frobd: another crash in name handling
Date: Mon, 1 Jul 2030 10:00:00 +0000

Hello,

frobd crashes again on names made only of dots. The fix for
CVE-2030-1111 introduced this: it checks the length but not the dots.
",
        );
        let out = desk.ingest_maildir(&desk.dir.join("c"));
        eqnice!(
            "ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 2 issues opened, 0 issues updated\n",
            out
        );
        let old: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
        let new: ShowJson = desk.cmd("secdesk").args(["show", "2", "--json"]).json();
        assert_eq!(old.cves, ["CVE-2030-1111"]);
        assert_eq!(old.message_count, 1, "the new flaw is not swallowed");
        assert!(new.cves.is_empty(), "the cited CVE stays with its issue");
        assert_eq!(
            (old.related.as_slice(), new.related.as_slice()),
            ([2].as_slice(), [1].as_slice())
        );
        let why: Vec<Option<&str>> = new
            .messages
            .iter()
            .map(|m| m.joined_by.as_deref())
            .collect();
        assert_eq!(why, [Some("opened-citing")]);
    }
);
