//! Working issues through the real `secdesk` binary: the path from new to
//! fixed, claims racing, every refusal leaving the database as it was,
//! merges keeping everything.

use crate::cli::{HistoryJson, IssueJson, ShowJson};
use crate::util::{Desk, maildir_with, sample_mail};
use std::process::Stdio;

impl Desk {
    /// Runs `secdesk --as WHO ARGS… --json` and returns the printed issue.
    fn act(&self, who: &str, args: &[&str]) -> ShowJson {
        self.cmd("secdesk")
            .args(["--as", who, "--json"])
            .args(args)
            .json()
    }

    /// Runs `secdesk --as WHO ARGS…`, expecting a refusal: exit 2, one
    /// line on stderr, nothing on stdout. Returns the line.
    fn refused(&self, who: &str, args: &[&str]) -> String {
        let out = self
            .cmd("secdesk")
            .args(["--as", who, "--json"])
            .args(args)
            .assert_exit_code(2);
        assert!(out.stdout.is_empty(), "a refusal prints no JSON");
        let err = String::from_utf8(out.stderr).expect("utf-8");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        err
    }

    fn needrestart(&self) -> i64 {
        let issues: Vec<IssueJson> = self.cmd("secdesk").args(["issues", "--json"]).json();
        issues
            .iter()
            .find(|i| i.cves.contains(&"CVE-2024-48990".to_string()))
            .expect("needrestart issue")
            .id
    }
}

fn actions(show: &ShowJson) -> Vec<String> {
    show.history
        .iter()
        .map(|h| format!("{} {} {}", h.actor, h.action, h.detail))
        .collect()
}

desktest!(issue_goes_from_new_to_fixed_through_the_binary, |desk| {
    desk.ingest_maildir(&sample_mail());
    let id = desk.needrestart().to_string();
    let id = id.as_str();

    let s: ShowJson = desk.cmd("secdesk").args(["show", id, "--json"]).json();
    assert_eq!(s.state, "new");
    assert_eq!(s.claimed_by, None);
    assert!(s.releases.values().all(|r| r.status == "unknown"));
    assert_eq!(s.releases.len(), 3);

    let s = desk.act("alice", &["claim", id]);
    assert_eq!(
        (s.state.as_str(), s.claimed_by.as_deref()),
        ("claimed", Some("alice"))
    );

    let s = desk.act("alice", &["severity", id, "high"]);
    assert_eq!(s.severity.as_deref(), Some("high"));
    let s = desk.act(
        "alice",
        &[
            "note",
            id,
            "upstream fix in 3.8; perl part needs a backport",
        ],
    );
    assert_eq!(s.notes.len(), 1);
    assert_eq!(s.notes[0].actor, "alice");

    let s = desk.act("alice", &["release-status", id, "25.05", "affected"]);
    assert_eq!(s.state, "claimed", "two releases still unknown");
    let s = desk.act("alice", &["release-status", id, "25.11", "affected"]);
    let s2 = desk.act("alice", &["release-status", id, "unstable", "not-affected"]);
    assert_eq!(s.state, "claimed");
    assert_eq!(s2.state, "triaged", "every release has a status");
    assert!(
        s2.checklist
            .iter()
            .any(|c| c.item == "patch or backport for 25.05" && !c.done)
    );

    let s = desk.act("alice", &["assign", id, "--to", "bob"]);
    assert_eq!(s.claimed_by.as_deref(), Some("bob"));
    assert_eq!(
        s.responsible.as_deref(),
        Some("alice"),
        "the on-call person stays responsible"
    );

    let s = desk.act(
        "bob",
        &[
            "release-status",
            id,
            "25.05",
            "fixed",
            "--ref",
            "https://github.com/NixOS/nixpkgs/pull/356789",
        ],
    );
    assert_eq!(s.state, "triaged", "25.11 is still affected");
    let s = desk.act(
        "bob",
        &["release-status", id, "25.11", "fixed", "--ref", "3.8"],
    );
    assert_eq!(s.state, "fixed");
    assert_eq!(
        s.releases["25.05"].reference.as_deref(),
        Some("https://github.com/NixOS/nixpkgs/pull/356789")
    );
    assert!(
        s.checklist
            .iter()
            .filter(|c| c.item != "draft and send the advisory")
            .all(|c| c.done)
    );

    let s = desk.act(
        "bob",
        &["announce", id, "--ref", "https://discourse.nixos.org/t/1"],
    );
    assert_eq!(s.state, "announced");

    let h: Vec<HistoryJson> = desk.cmd("secdesk").args(["history", id, "--json"]).json();
    let states: Vec<&str> = h
        .iter()
        .filter(|h| h.action == "state")
        .map(|h| h.detail.as_str())
        .collect();
    assert_eq!(
        states,
        [
            "new → claimed",
            "claimed → triaged",
            "triaged → fixed",
            "fixed → announced"
        ]
    );
    assert!(h.iter().all(|h| h.at == crate::util::NOW));
    assert_eq!(
        actions(&s)
            .iter()
            .filter(|a| a.starts_with("alice claimed"))
            .count(),
        1
    );
});

desktest!(dismiss_and_reopen_follow_the_facts, |desk| {
    desk.ingest_maildir(&sample_mail());
    let s = desk.act("carol", &["dismiss", "6", "--reason", "not-packaged"]);
    assert_eq!(s.state, "dismissed");
    let err = desk.refused("carol", &["claim", "6"]);
    assert!(
        err.contains("issue #6 is dismissed; reopen it first"),
        "{err}"
    );
    let s = desk.act("carol", &["reopen", "6"]);
    assert_eq!(s.state, "new");
    let s = desk.act(
        "carol",
        &[
            "dismiss",
            "6",
            "--reason",
            "other",
            "--text",
            "a web app nobody packages",
        ],
    );
    assert_eq!(
        s.dismissal.expect("dismissal")["text"],
        "a web app nobody packages"
    );
});

/// Two people claim the same issue at the same instant, twenty times over:
/// exactly one wins each time and the history holds one claim.
#[test]
fn concurrent_claims_have_exactly_one_winner() {
    let desk = Desk::new("concurrent_claims_have_exactly_one_winner");
    let dir = desk.dir.join("m");
    crate::faults::generate_maildir(&dir, 80);
    desk.ingest_maildir(&dir);
    let issues: Vec<IssueJson> = desk.cmd("secdesk").args(["issues", "--json"]).json();
    assert!(issues.len() >= 20);
    for issue in issues.iter().take(20) {
        let id = issue.id.to_string();
        let spawn = |who: &str| {
            desk.cmd("secdesk")
                .args(["--as", who, "--json", "claim", &id])
                .cmd
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn claim")
        };
        let (a, b) = (spawn("alice"), spawn("bob"));
        let (a, b) = (
            a.wait_with_output().expect("wait"),
            b.wait_with_output().expect("wait"),
        );
        let codes = [a.status.code(), b.status.code()];
        assert!(
            codes == [Some(0), Some(2)] || codes == [Some(2), Some(0)],
            "issue #{id}: exit codes {codes:?}\n{}\n{}",
            String::from_utf8_lossy(&a.stderr),
            String::from_utf8_lossy(&b.stderr)
        );
        let loser = if codes[0] == Some(2) { &a } else { &b };
        assert!(String::from_utf8_lossy(&loser.stderr).contains("is claimed by"));
        let h: Vec<HistoryJson> = desk.cmd("secdesk").args(["history", &id, "--json"]).json();
        assert_eq!(
            h.iter().filter(|h| h.action == "claimed").count(),
            1,
            "issue #{id}"
        );
    }
}

desktest!(every_refusal_leaves_the_database_unchanged, |desk| {
    desk.ingest_maildir(&sample_mail());
    desk.act("alice", &["claim", "5"]);
    desk.act("alice", &["dismiss", "6", "--reason", "not-packaged"]);
    let before = desk.dump();
    let cases: &[(&str, &[&str], &str)] = &[
        ("alice", &["show", "999"], "issue #999 does not exist"),
        ("alice", &["claim", "999"], "issue #999 does not exist"),
        (
            "bob",
            &["claim", "5"],
            "issue #5 is claimed by alice; take it over with --steal --reason TEXT",
        ),
        ("bob", &["unclaim", "5"], "issue #5 is held by alice"),
        ("bob", &["unclaim", "1"], "issue #1 is not claimed"),
        (
            "alice",
            &["release-status", "5", "24.05", "affected"],
            "unknown release \"24.05\", expected one of 25.05, 25.11, unstable",
        ),
        (
            "alice",
            &["release-status", "5", "25.05", "fixed"],
            "`fixed` needs --ref REF",
        ),
        (
            "alice",
            &["release-status", "5", "25.05", "wontfix"],
            "wontfix needs --reason TEXT",
        ),
        (
            "alice",
            &["release-status", "5", "25.05", "broken"],
            "unknown status \"broken\", expected one of unknown, affected, not-affected, fixed, wontfix",
        ),
        (
            "alice",
            &["severity", "5", "urgent"],
            "unknown severity \"urgent\"",
        ),
        (
            "alice",
            &["dismiss", "5", "--reason", "boring"],
            "unknown reason \"boring\"",
        ),
        (
            "alice",
            &["dismiss", "5", "--reason", "other"],
            "dismiss --reason other needs --text TEXT",
        ),
        ("alice", &["note", "5", "  "], "a note needs some text"),
        (
            "alice",
            &["reopen", "5"],
            "issue #5 is claimed, not dismissed or announced",
        ),
        (
            "alice",
            &["claim", "6"],
            "issue #6 is dismissed; reopen it first",
        ),
        (
            "alice",
            &["announce", "5", "--ref", "x"],
            "only a fixed issue can be announced",
        ),
        (
            "alice",
            &["merge", "5", "5"],
            "cannot be related to or merged into itself",
        ),
        ("alice", &["merge", "5", "6"], "issue #6 is dismissed"),
        (
            "alice",
            &["assign", "5", "--to", "zed"],
            "\"zed\" is not a team member (members: alice, bob, carol)",
        ),
        (
            "bob",
            &["assign", "5", "--to", "carol"],
            "issue #5 is held by alice",
        ),
        ("zed", &["claim", "1"], "\"zed\" is not a team member"),
    ];
    for (who, args, expected) in cases {
        let err = desk.refused(who, args);
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in {err:?}"
        );
        assert!(err.starts_with("secdesk: "), "{err}");
    }
    assert!(
        before == desk.dump(),
        "a refused request changed the database"
    );
});

desktest!(nobody_to_act_as_is_refused, |desk| {
    let out = desk
        .cmd("secdesk")
        .env_remove("USER")
        .env_remove("LOGNAME")
        .args(["claim", "1"])
        .assert_exit_code(2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("who are you?"), "{err}");
});

desktest!(
    identity_comes_from_secdesk_user_then_the_unix_login,
    |desk| {
        desk.ingest_maildir(&sample_mail());
        let s: ShowJson = desk
            .cmd("secdesk")
            .env("SECDESK_USER", "bob")
            .args(["--json", "claim", "1"])
            .json();
        assert_eq!(s.claimed_by.as_deref(), Some("bob"));
        // alice's unix_user is "alice" in the test configuration.
        let s: ShowJson = desk
            .cmd("secdesk")
            .env("USER", "alice")
            .args(["--json", "claim", "2"])
            .json();
        assert_eq!(s.claimed_by.as_deref(), Some("alice"));
        let out = desk
            .cmd("secdesk")
            .env("USER", "mallory")
            .args(["claim", "3"])
            .assert_exit_code(2);
        assert!(String::from_utf8_lossy(&out.stderr).contains("who are you?"));
    }
);

desktest!(merge_keeps_every_cve_message_and_history_row, |desk| {
    let dir = maildir_with(
        &desk.dir,
        "a",
        &[
            "oss-security/cur/cve-request-atheme-2016.eml",
            "debian/cur/dsa-1553-1-ikiwiki.eml",
        ],
    );
    desk.ingest_maildir(&dir);
    // #1 ikiwiki (CVE-2008-0165), #2 the atheme request (no CVE yet).
    desk.act("alice", &["note", "2", "looks like the same thing"]);
    let before_from: ShowJson = desk.cmd("secdesk").args(["show", "2", "--json"]).json();
    let before_into: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    let s = desk.act("alice", &["merge", "2", "1"]);
    assert_eq!(s.id, 1);
    assert_eq!(s.merged_from, [2]);
    assert_eq!(s.message_count, 2);
    assert_eq!(s.notes.len(), 1);
    for h in before_from.history.iter().chain(before_into.history.iter()) {
        assert!(
            s.history
                .iter()
                .any(|x| x.at == h.at && x.action == h.action && x.detail == h.detail),
            "history row kept: {h:?}"
        );
    }
    // The old id leads to the survivor.
    let old: ShowJson = desk.cmd("secdesk").args(["show", "2", "--json"]).json();
    assert_eq!(old.id, 1);
    let listed: Vec<IssueJson> = desk.cmd("secdesk").args(["issues", "--json"]).json();
    assert_eq!(listed.len(), 1, "merged issues are not listed");
    // The MITRE reply names CVEs: it joins via the thread, the CVEs land on #1.
    let dir = maildir_with(
        &desk.dir,
        "b",
        &["oss-security/cur/re-cve-request-atheme-mitre-2016.eml"],
    );
    desk.ingest_maildir(&dir);
    let s: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    assert_eq!(s.cves, ["CVE-2008-0165", "CVE-2014-9773", "CVE-2016-4478"]);
    // A later message naming a merged CVE lands on the survivor.
    desk.dir.write(
        "c/cur/x",
        "Message-ID: <later@x>\nSubject: more on CVE-2014-9773\n\n.\n",
    );
    desk.ingest_maildir(&desk.dir.join("c"));
    let s: ShowJson = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    assert_eq!(s.message_count, 4);
});

desktest!(issue_filters_by_claim_and_release_status, |desk| {
    desk.ingest_maildir(&sample_mail());
    desk.act("alice", &["claim", "1"]);
    desk.act("bob", &["release-status", "2", "25.05", "affected"]);
    let ids = |args: &[&str]| -> Vec<i64> {
        let v: Vec<IssueJson> = desk
            .cmd("secdesk")
            .args(["issues", "--json"])
            .args(args)
            .json();
        v.iter().map(|i| i.id).collect()
    };
    assert_eq!(ids(&["--claimed-by", "alice"]), [1]);
    assert_eq!(
        ids(&["--claimed-by", "bob"]),
        [2],
        "release-status claims an unclaimed issue"
    );
    assert_eq!(ids(&["--unclaimed"]).len(), 9);
    assert_eq!(
        ids(&["--release", "25.05", "--release-status", "affected"]),
        [2]
    );
    assert_eq!(
        ids(&["--release", "25.05", "--release-status", "unknown"]).len(),
        10
    );
    let err = desk
        .cmd("secdesk")
        .args([
            "issues",
            "--release",
            "24.05",
            "--release-status",
            "affected",
        ])
        .assert_usage_error();
    assert!(err.contains("unknown release"), "{err}");
});

desktest!(status_counts_states_and_lists_unclaimed_by_age, |desk| {
    desk.ingest_maildir(&sample_mail());
    desk.act("alice", &["claim", "1"]);
    let v: serde_json::Value = desk
        .cmd_at("secdesk", "2026-11-23T12:00:00Z")
        .args(["status", "--json"])
        .json();
    assert_eq!(v["counts"]["new"], 10);
    assert_eq!(v["counts"]["claimed"], 1);
    assert_eq!(v["unclaimed"].as_array().expect("array").len(), 10);
    assert_eq!(v["unclaimed"][0]["age_seconds"], 27 * 3600);
    let text = desk
        .cmd_at("secdesk", "2026-11-23T12:00:00Z")
        .arg("status")
        .stdout();
    assert!(text.contains("issues: new 10, claimed 1"), "{text}");
    assert!(text.contains("#2   -         1d 3h"), "{text}");
});

desktest!(relate_links_both_issues_and_records_it_on_each, |desk| {
    desk.ingest_maildir(&sample_mail());
    let s = desk.act("alice", &["relate", "3", "4"]);
    assert_eq!((s.id, s.related.as_slice()), (3, [4].as_slice()));
    let other: ShowJson = desk.cmd("secdesk").args(["show", "4", "--json"]).json();
    assert_eq!(other.related, [3]);
    // Related, not merged: both stay open issues of their own.
    assert_eq!((s.state.as_str(), other.state.as_str()), ("new", "new"));
    assert!(s.merged_from.is_empty() && other.merged_from.is_empty());
    let issues: Vec<IssueJson> = desk.cmd("secdesk").args(["issues", "--json"]).json();
    assert_eq!(issues.len(), 11);
    for (id, link) in [("3", "#4"), ("4", "#3")] {
        let h: Vec<HistoryJson> = desk.cmd("secdesk").args(["history", id, "--json"]).json();
        let last = h.last().expect("history");
        assert_eq!(
            (
                last.at.as_str(),
                last.actor.as_str(),
                last.action.as_str(),
                last.detail.as_str()
            ),
            (crate::util::NOW, "alice", "related", link),
            "issue #{id}"
        );
    }
    // Relating them again, either way round, changes nothing.
    let before = desk.dump();
    let out = desk
        .cmd("secdesk")
        .args(["--as", "bob", "relate", "4", "3"])
        .output();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("already related; nothing changed"),
        "{stdout}"
    );
    assert!(desk.dump() == before, "relating twice changed the database");
});

desktest!(unclaim_by_the_holder_gives_the_issue_back, |desk| {
    desk.ingest_maildir(&sample_mail());
    desk.act("alice", &["claim", "5"]);
    let s = desk.act("alice", &["unclaim", "5"]);
    assert_eq!(
        (
            s.state.as_str(),
            s.claimed_by.as_deref(),
            s.responsible.as_deref()
        ),
        ("new", None, None)
    );
    assert_eq!(
        actions(&s)[1..],
        [
            "alice claimed ",
            "alice state new → claimed",
            "alice unclaimed ",
            "alice state claimed → new",
        ]
    );
    let unclaimed: Vec<IssueJson> = desk
        .cmd("secdesk")
        .args(["issues", "--unclaimed", "--json"])
        .json();
    assert!(unclaimed.iter().any(|i| i.id == 5), "#5 is unclaimed again");
    // Anyone may take it now, without --steal.
    let s = desk.act("bob", &["claim", "5"]);
    assert_eq!(s.claimed_by.as_deref(), Some("bob"));
});

desktest!(
    claim_steal_takes_over_with_the_reason_in_the_history,
    |desk| {
        desk.ingest_maildir(&sample_mail());
        desk.act("alice", &["claim", "7"]);
        // --steal needs a reason (clap refuses it without one) and changes
        // nothing then.
        let before = desk.dump();
        desk.cmd("secdesk")
            .args(["--as", "bob", "claim", "7", "--steal"])
            .assert_usage_error();
        assert!(
            desk.dump() == before,
            "a refused steal changed the database"
        );
        let s = desk.act(
            "bob",
            &["claim", "7", "--steal", "--reason", "alice is on leave"],
        );
        assert_eq!(
            (
                s.state.as_str(),
                s.claimed_by.as_deref(),
                s.responsible.as_deref()
            ),
            ("claimed", Some("bob"), Some("alice"))
        );
        // One more row: the take-over and why; the state did not change.
        assert_eq!(
            actions(&s)[1..],
            [
                "alice claimed ",
                "alice state new → claimed",
                "bob claimed taken over from alice: alice is on leave",
            ]
        );
        // The claim is bob's now: alice cannot give it back.
        let err = desk.refused("alice", &["unclaim", "7"]);
        assert!(err.contains("issue #7 is held by bob"), "{err}");
    }
);
