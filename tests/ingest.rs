//! Ingest from Maildir and mbox: every sample classified right, CVEs
//! correlated into one issue whatever the order, reruns change nothing.

use crate::util::{Desk, Dir, maildir_with, sample_mail};
use secdesk::mail::{classify, parse};
use serde::Deserialize;
use std::collections::BTreeSet;

/// One line of the samples' MANIFEST.tsv.
struct Sample {
    file: String,
    list: String,
    cves: BTreeSet<String>,
}

fn manifest() -> Vec<Sample> {
    let text = std::fs::read_to_string(sample_mail().join("MANIFEST.tsv")).expect("manifest");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Sample {
                file: f[0].to_string(),
                list: f[1].to_string(),
                cves: f[3]
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.trim().to_uppercase().replace("CVE ", "CVE-"))
                    .collect(),
            }
        })
        .collect()
}

fn expected_source(list: &str) -> &'static str {
    match list {
        "oss-security" => "oss-security",
        "full-disclosure" => "full-disclosure",
        "debian-security-announce" => "debian",
        other => panic!("manifest names an unknown list {other}"),
    }
}

#[test]
fn every_sample_yields_exactly_its_manifest_cves_and_source() {
    let samples = manifest();
    assert_eq!(samples.len(), 14, "the manifest lists every sample");
    let mut failures = Vec::new();
    for s in &samples {
        let path = sample_mail().join(&s.file);
        let raw = std::fs::read(&path).expect("read sample");
        let hint = secdesk::mail::Source::from_folder_name(&s.list);
        let c = classify(&parse(&raw), hint.filter(|_| s.list == "full-disclosure"));
        let got: BTreeSet<String> = c.cves.iter().cloned().collect();
        if got != s.cves {
            failures.push(format!(
                "{}: CVEs\n  expected {:?}\n  got      {:?}",
                s.file, s.cves, got
            ));
        }
        if c.source.as_str() != expected_source(&s.list) {
            failures.push(format!(
                "{}: source {} instead of {}",
                s.file, c.source, s.list
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[derive(Debug, Deserialize)]
struct Listed {
    id: i64,
    cves: Vec<String>,
    sources: Vec<String>,
    message_count: i64,
    title: String,
}

desktest!(
    bundled_mail_through_the_binary_lists_sources_as_the_manifest_says,
    |desk| {
        let out = desk.ingest_maildir(&sample_mail());
        eqnice!(
            "ingest: 14 seen, 14 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 11 issues opened, 0 issues updated\n",
            out
        );
        let issues: Vec<Listed> = desk.cmd("secdesk").args(["issues", "--json"]).json();
        let needrestart = issues
            .iter()
            .find(|i| i.cves.contains(&"CVE-2024-48990".to_string()))
            .expect("needrestart issue");
        assert_eq!(needrestart.sources, ["oss-security", "full-disclosure"]);
        assert_eq!(
            needrestart.message_count, 3,
            "advisory, FD copy and the reply"
        );
        let blesta = issues
            .iter()
            .find(|i| i.title.contains("Blesta"))
            .expect("blesta issue");
        assert_eq!(
            blesta.sources,
            ["full-disclosure"],
            "the folder name says full-disclosure"
        );
        let tcpdump = issues
            .iter()
            .find(|i| i.title.contains("tcpdump"))
            .expect("tcpdump");
        assert_eq!(tcpdump.cves.len(), 41);
        let ids: BTreeSet<i64> = issues.iter().map(|i| i.id).collect();
        assert_eq!(ids.len(), 11);
    }
);

/// Every order of the three needrestart messages (oss-security advisory,
/// the Full Disclosure copy, a reply without CVEs) ends in one issue.
#[test]
fn cve_on_several_lists_ends_in_one_issue_whatever_the_order() {
    let files = [
        "oss-security/cur/qualys-needrestart-lpe-2024.eml",
        "full-disclosure/cur/qualys-needrestart-lpe-2024-TRUNCATED.eml",
        "oss-security/cur/re-needrestart-jwilk-perl-patch-2024.eml",
    ];
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let desk = Desk::new("cve_on_several_lists_ends_in_one_issue_whatever_the_order");
        for (step, i) in order.iter().enumerate() {
            let dir = maildir_with(&desk.dir, &format!("step{step}"), &[files[*i]]);
            desk.ingest_maildir(&dir);
        }
        let d = desk.dump();
        let holding: Vec<_> = d
            .iter()
            .filter(|i| i.summary.cves.contains(&"CVE-2024-48990".to_string()))
            .collect();
        assert_eq!(holding.len(), 1, "order {order:?}: one issue holds the CVE");
        let issue = holding[0];
        assert_eq!(
            issue.messages.len(),
            3,
            "order {order:?}: every message on the timeline"
        );
        assert_eq!(
            issue.summary.cves,
            [
                "CVE-2024-10224",
                "CVE-2024-11003",
                "CVE-2024-48990",
                "CVE-2024-48991",
                "CVE-2024-48992"
            ],
            "order {order:?}: the disclosure's own CVEs; CVE-2022-30688, which the advisory only cites, \
             belongs to no issue, so a later disclosure of it opens its own (issue 11)"
        );
        assert!(
            d.iter()
                .all(|i| !i.summary.cves.contains(&"CVE-2022-30688".to_string())),
            "order {order:?}: a cited CVE is not claimed"
        );
        assert_eq!(
            d.len(),
            1,
            "order {order:?}: no second issue: {:?}",
            d.iter().map(|i| &i.summary.title).collect::<Vec<_>>()
        );
    }
}

desktest!(reply_without_cve_joins_parent_issue, |desk| {
    let dir = maildir_with(
        &desk.dir,
        "thread",
        &[
            "oss-security/cur/cve-request-atheme-2016.eml",
            "oss-security/cur/re-cve-request-atheme-mitre-2016.eml",
        ],
    );
    desk.ingest_maildir(&dir);
    let d = desk.dump();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].summary.cves, ["CVE-2014-9773", "CVE-2016-4478"]);
    assert_eq!(d[0].summary.packages, ["atheme"]);
    assert_eq!(d[0].messages.len(), 2);
});

desktest!(
    message_naming_cves_of_two_issues_relates_them_and_never_merges,
    |desk| {
        desk.dir.write("m/cur/a", "Message-ID: <a@x>\nSubject: one\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nCVE-2024-0001\n");
        desk.dir.write("m/cur/b", "Message-ID: <b@x>\nSubject: two\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nCVE-2024-0002\n");
        desk.dir.write("m/cur/c", "Message-ID: <c@x>\nSubject: both\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nCVE-2024-0001 and CVE-2024-0002\n");
        let out = desk.ingest_maildir(&desk.dir.join("m"));
        eqnice!(
            "ingest: 3 seen, 3 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 2 issues opened, 0 issues updated\n",
            out
        );
        let d = desk.dump();
        assert_eq!(d.len(), 2, "never merged");
        assert_eq!(d[0].related, [d[1].summary.id]);
        assert_eq!(d[1].related, [d[0].summary.id]);
        assert_eq!(d[0].messages.len(), 2, "the message joins the older issue");
    }
);

desktest!(ingesting_the_same_maildir_twice_changes_nothing, |desk| {
    desk.ingest_maildir(&sample_mail());
    let first = desk.dump();
    let out = desk.ingest_maildir(&sample_mail());
    eqnice!(
        "ingest: 14 seen, 0 new, 0 copies, 14 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated\n",
        out
    );
    assert!(first == desk.dump(), "a second ingest changed the database");
});

desktest!(mbox_and_maildir_give_the_same_issues, |desk| {
    // Build an mbox from the samples, in the Maildir walk's order.
    let mut mbox = Vec::new();
    for s in manifest_files_sorted() {
        let raw = std::fs::read(sample_mail().join(&s)).expect("sample");
        mbox.extend_from_slice(b"From sender@example.org Mon Jan  1 00:00:00 2024\n");
        for line in raw.split_inclusive(|b| *b == b'\n') {
            if line.starts_with(b"From ") {
                mbox.push(b'>');
            }
            mbox.extend_from_slice(line);
        }
        if !raw.ends_with(b"\n") {
            mbox.push(b'\n');
        }
        mbox.push(b'\n');
    }
    let path = desk.dir.write("all.mbox", &mbox);
    let out = desk.cmd("secdesk-ingest").arg("--mbox").arg(&path).stdout();
    assert!(out.starts_with("ingest: 14 seen, 14 new"), "{out}");
    let other = Desk::new("mbox_and_maildir_give_the_same_issues_maildir");
    other.ingest_maildir(&sample_mail());
    let cves = |d: &[secdesk::store::issues::IssueDetail]| -> BTreeSet<Vec<String>> {
        d.iter().map(|i| i.summary.cves.clone()).collect()
    };
    assert_eq!(cves(&desk.dump()), cves(&other.dump()));
});

fn manifest_files_sorted() -> Vec<String> {
    let mut v: Vec<String> = manifest().into_iter().map(|s| s.file).collect();
    v.sort();
    v
}

#[test]
fn killed_ingest_then_rerun_gives_the_database_of_a_clean_run() {
    let dir = Dir::new("killed_ingest_maildir");
    let maildir = dir.join("big");
    crate::faults::generate_maildir(&maildir, 6000);
    let clean = Desk::new("killed_ingest_clean");
    clean.ingest_maildir(&maildir);
    let killed = Desk::new("killed_ingest_killed");
    // Killed mid-run (still running, some but not all messages committed,
    // retried at another kill point until so): the rerun then has to finish
    // a half-done job.
    let partial = crate::faults::kill_mid_run(&killed.db, 6000, || {
        killed
            .cmd("secdesk-ingest")
            .arg("--maildir")
            .arg(&maildir)
            .cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn ingest")
    });
    assert!(partial > 0, "the first batch was committed before the kill");
    killed.ingest_maildir(&maildir);
    assert!(partial < 6000, "killed before the last message was stored");
    assert!(
        clean.dump() == killed.dump(),
        "killed + rerun differs from a clean run (partial had {partial} messages)"
    );
    assert_eq!(secdesk_messages(&killed.db), 6000);
}

pub fn secdesk_messages(db: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap_or(0)
}

#[test]
fn two_programs_opening_a_fresh_database_at_once_both_succeed() {
    // Regression: under load, two programs switching a fresh file to WAL at
    // once got "database is locked" (SQLite does not wait for that). Only
    // the programs that may create the database meet a fresh file.
    for round in 0..25 {
        let desk = Desk::fresh("two_programs_open_fresh_db");
        let empty = desk.dir.write("empty.mbox", "");
        let children: Vec<_> = (0..6)
            .map(|_| {
                desk.cmd("secdesk-ingest")
                    .arg("--mbox")
                    .arg(&empty)
                    .cmd
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).starts_with("ingest: 0 seen, 0 new,"),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        let conn = rusqlite::Connection::open(&desk.db).expect("open");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v as usize, secdesk::store::migrations::MIGRATIONS.len());
    }
}

// A constructed Xen-style advisory whose ids are spelled the many ways
// mail spells them: each reaches the issue, normalised.
desktest!(constructed_cve_spellings_all_reach_the_issue, |desk| {
    let patch = "--- a/arch/x86/mm.c\n+++ b/arch/x86/mm.c\n@@ fix CVE\u{2010}2031\u{2011}7010 @@\n";
    let raw = format!(
        "Message-ID: <spell@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: gizmo: several flaws\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"s\"\n\n--s\nContent-Type: text/plain; charset=utf-8\n\nFixes CVE-2031-7001, -7002 and CVE-2031-7003/7004, CAN-2004-7005,\n\u{FF23}\u{FF36}\u{FF25}-\u{FF12}\u{FF10}\u{FF13}\u{FF11}-\u{FF17}\u{FF10}\u{FF10}\u{FF16} and CVE_2031_7007.\n> quoted and wrapped CVE-2031-\n> 7008\nNot ids: CVE-YYYY-NNNN CVE-2031-XXXX CVE-2O31-7999 gizmo-2031-7998\n--s\nContent-Type: text/html\n\n<p>CVE&#45;2031&ndash;<b>7009</b></p>\n--s\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"xsa999-CVE-2031-7011.patch\"\n\n{patch}\n--s--\n"
    );
    desk.dir.write("m/cur/constructed-spellings", raw);
    desk.ingest_maildir(&desk.dir.join("m"));
    let d = desk.dump();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].summary.cves,
        [
            "CVE-2004-7005",
            "CVE-2031-7001",
            "CVE-2031-7002",
            "CVE-2031-7003",
            "CVE-2031-7004",
            "CVE-2031-7006",
            "CVE-2031-7007",
            "CVE-2031-7008",
            "CVE-2031-7009",
            "CVE-2031-7010",
            "CVE-2031-7011",
        ]
    );
});

// A forward on oss-security of a Full Disclosure post (no List-Id, sent
// to oss-security) is oss-security; so is one found in an `oss-security`
// folder with no list address at all.
desktest!(
    constructed_forward_of_full_disclosure_post_lists_oss_security,
    |desk| {
        desk.dir.write(
            "mail/oss-security/cur/constructed-fwd-to",
            "Message-ID: <fwd1@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nFrom: someone@example.org\nTo: oss-security@lists.openwall.com\nSubject: Fwd: [Full-disclosure] gizmo remote crash\n\nForwarding: the crash is CVE-2031-7101.\n",
        );
        desk.dir.write(
            "mail/oss-security/cur/constructed-fwd-folder",
            "Message-ID: <fwd2@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nFrom: someone@example.org\nSubject: Fwd: [Full-disclosure] widget overflow\n\nForwarding: the overflow is CVE-2031-7102.\n",
        );
        desk.ingest_maildir(&desk.dir.join("mail"));
        let issues: Vec<Listed> = desk.cmd("secdesk").args(["issues", "--json"]).json();
        assert_eq!(issues.len(), 2);
        for i in &issues {
            assert_eq!(i.sources, ["oss-security"], "{}", i.title);
        }
    }
);

/// What a message is about, read through the library on constructed mail:
/// a Full Disclosure copy naming its CVEs only in its body is about them;
/// a new thread citing an older CVE is not.
#[test]
fn constructed_fd_copy_is_about_its_body_cves_and_a_citing_thread_is_not() {
    let fd = parse(
        b"From: Lab via Fulldisclosure <fulldisclosure@seclists.org>\nSubject: Two flaws in gizmo\n\nLab Advisory\n\nTwo flaws in gizmo (CVE-2031-7201 and CVE-2031-7202).\n\nDetails follow; gizmo used to be vulnerable to CVE-2019-0001.\n",
    );
    let c = classify(&fd, None);
    assert_eq!(c.source.as_str(), "full-disclosure");
    assert_eq!(c.about, ["CVE-2031-7201", "CVE-2031-7202"]);
    assert_eq!(c.cves.len(), 3);
    let citing = parse(
        b"To: oss-security@lists.openwall.com\nSubject: [oss-security] CVE request: gizmo crash\n\nThe fix for CVE-2019-0001 introduced a crash when the input is empty.\n",
    );
    let c = classify(&citing, None);
    assert_eq!(c.cves, ["CVE-2019-0001"]);
    assert!(c.about.is_empty(), "only cited: {:?}", c.about);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// An id spelled any of the supported ways inside noise is found,
    /// normalised, and `about` is always a sorted subset of `cves`.
    #[test]
    fn spelled_id_in_noise_is_found_and_about_is_a_subset(
        before in "[ -~\n]{0,200}",
        after in "[ -~\n]{0,200}",
        year in 1999u32..2100,
        num in 1u32..10_000_000,
        style in 0usize..7,
    ) {
        let n = format!("{num:04}");
        let spelled = match style {
            0 => format!("CVE-{year}-{n}"),
            1 => format!("CAN-{year}-{n}"),
            2 => format!("CVE\u{2011}{year}\u{2013}{n}"),
            3 => format!("x_CVE_{year}_{n}"),
            4 => format!("CVE-{year}-\n> {n}"),
            5 => format!("CVE&#45;{year}&ndash;{n}"),
            _ => format!("CVE-<b>{year}</b>-{n}"),
        };
        let raw = format!("Subject: t\n\n{before} {spelled} {after}");
        let c = classify(&parse(raw.as_bytes()), None);
        let want = format!("CVE-{year}-{n}");
        proptest::prop_assert!(c.cves.contains(&want), "{:?} in {:?}", c.cves, raw);
        proptest::prop_assert!(c.about.iter().all(|a| c.cves.contains(a)));
        proptest::prop_assert!(c.about.windows(2).all(|w| w[0] < w[1]));
    }
}
