//! The operator CLI through the real binary: JSON shapes (a new field is a
//! deliberate test change), filters, exit codes.

use crate::util::sample_mail;
use serde::Deserialize;

/// One element of `secdesk issues --json`.
// The fields pin the JSON shape; not every test reads every one.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueJson {
    pub id: i64,
    pub state: String,
    pub title: String,
    pub cves: Vec<String>,
    pub packages: Vec<String>,
    pub severity: Option<String>,
    pub message_count: i64,
    pub sources: Vec<String>,
    pub claimed_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One timeline entry of `secdesk show ID --json`.
// The fields pin the JSON shape; not every test reads every one.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageJson {
    pub number: i64,
    pub message_id: String,
    pub source: String,
    pub advisory_id: Option<String>,
    pub subject: String,
    pub date: String,
    #[serde(default)]
    pub problems: Vec<String>,
    pub joined_by: Option<String>,
}

/// One release's entry in `show --json`.
#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReleaseJson {
    pub status: String,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub reason: Option<String>,
    /// Fix tracking's proposals (issue 16; empty without `fixes`).
    pub proposals: Vec<crate::fix_track::ProposalJson>,
    /// Whether the channel has the fix (issue 16; null without `fixes`).
    pub channel: Option<crate::fix_track::ChannelJson>,
}

/// One history row.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryJson {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// One note.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteJson {
    pub at: String,
    pub actor: String,
    pub text: String,
    pub public: bool,
}

/// One checklist step.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepJson {
    pub item: String,
    pub done: bool,
}

/// `secdesk show ID --json` (and what every action prints).
// The fields pin the JSON shape; not every test reads every one.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowJson {
    pub id: i64,
    pub state: String,
    pub title: String,
    pub cves: Vec<String>,
    pub packages: Vec<String>,
    pub severity: Option<String>,
    pub message_count: i64,
    pub sources: Vec<String>,
    pub claimed_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub responsible: Option<String>,
    pub releases: std::collections::BTreeMap<String, ReleaseJson>,
    pub checklist: Vec<StepJson>,
    pub runbooks: Vec<serde_json::Value>,
    pub dismissal: Option<serde_json::Value>,
    pub announced: Option<String>,
    pub related: Vec<i64>,
    pub merged_from: Vec<i64>,
    pub notes: Vec<NoteJson>,
    pub history: Vec<HistoryJson>,
    pub messages: Vec<MessageJson>,
}

desktest!(issues_json_has_the_contract_fields, |desk| {
    desk.ingest_maildir(&sample_mail());
    let issues: Vec<IssueJson> = desk.cmd("secdesk").args(["issues", "--json"]).json();
    assert_eq!(issues.len(), 11);
    let dsa = &issues[0];
    assert_eq!(dsa.id, 1);
    assert_eq!(dsa.state, "new");
    assert_eq!(dsa.cves, ["CVE-2008-0165"]);
    assert_eq!(dsa.packages, ["ikiwiki"]);
    assert_eq!(dsa.sources, ["debian"]);
    assert_eq!(dsa.severity, None);
    assert_eq!(dsa.message_count, 1);
    assert_eq!(dsa.created_at, crate::util::NOW);
});

desktest!(show_json_has_timeline_and_related, |desk| {
    desk.ingest_maildir(&sample_mail());
    let issues: Vec<IssueJson> = desk.cmd("secdesk").args(["issues", "--json"]).json();
    let id = issues
        .iter()
        .find(|i| i.cves.contains(&"CVE-2024-48990".into()))
        .expect("needrestart")
        .id;
    let show: ShowJson = desk
        .cmd("secdesk")
        .args(["show", &id.to_string(), "--json"])
        .json();
    let t: Vec<(String, String)> = show
        .messages
        .iter()
        .map(|m| (m.date.clone(), m.source.clone()))
        .collect();
    assert_eq!(
        t,
        [
            (
                "2024-11-19T16:25:15Z".to_string(),
                "oss-security".to_string()
            ),
            (
                "2024-11-19T16:28:37Z".to_string(),
                "full-disclosure".to_string()
            ),
            (
                "2024-12-04T09:14:39Z".to_string(),
                "oss-security".to_string()
            ),
        ]
    );
    assert_eq!(
        show.messages[0].message_id,
        "20241119162429.GA12472@localhost.localdomain"
    );
    assert_eq!(show.message_count, 3);
    assert!(show.related.is_empty());
    // The Full Disclosure copy is read first (folder order) and opens the
    // issue; the oss-security post joins by the CVEs in its body, the
    // reply by its thread.
    let why: Vec<Option<&str>> = show
        .messages
        .iter()
        .map(|m| m.joined_by.as_deref())
        .collect();
    assert_eq!(why, [Some("cve"), Some("opened"), Some("thread")]);
});

desktest!(show_text_holds_the_timeline, |desk| {
    desk.ingest_maildir(&sample_mail());
    let out = desk.cmd("secdesk").args(["show", "1"]).stdout();
    expect_test::expect![[r#"
        #1  [DSA 1553-1] New ikiwiki packages fix cross-site request forgery
        state:     new
        severity:  -
        claimed:   -
        cves:      CVE-2008-0165
        packages:  ikiwiki
        related:   -
        opened:    2026-11-22T09:00:00Z

        releases:
          25.05        unknown
          25.11        unknown
          unstable     unknown

        checklist:
          [ ] claim it
          [ ] check 25.05
          [ ] check 25.11
          [ ] check unstable
          [ ] draft and send the advisory

        timeline (1 messages):
          1  2008-04-20 11:09  debian           DSA-1553-1            opened          [SECURITY] [DSA 1553-1] New ikiwiki packages fix cross-site request forgery

        history:
          2026-11-22 09:00  secdesk-ingest  opened: debian: [DSA 1553-1] New ikiwiki packages fix cross-site request forgery
    "#]].assert_eq(&out);
});

desktest!(issue_filters_select_by_state_source_and_since, |desk| {
    desk.ingest_maildir(&sample_mail());
    let debian: Vec<IssueJson> = desk
        .cmd("secdesk")
        .args(["issues", "--source", "debian", "--json"])
        .json();
    assert_eq!(debian.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 2, 3]);
    let new: Vec<IssueJson> = desk
        .cmd("secdesk")
        .args(["issues", "--state", "new", "--json"])
        .json();
    assert_eq!(new.len(), 11);
    let fixed: Vec<IssueJson> = desk
        .cmd("secdesk")
        .args(["issues", "--state", "fixed", "--json"])
        .json();
    assert!(fixed.is_empty());
    let later: Vec<IssueJson> = desk
        .cmd("secdesk")
        .args(["issues", "--since", "2026-11-23", "--json"])
        .json();
    assert!(later.is_empty());
    let since: Vec<IssueJson> = desk
        .cmd("secdesk")
        .args(["issues", "--since", "2026-11-22", "--json"])
        .json();
    assert_eq!(since.len(), 11);
});

desktest!(bad_filter_values_are_exit_2, |desk| {
    let err = desk
        .cmd("secdesk")
        .args(["issues", "--state", "opened"])
        .assert_usage_error();
    assert!(err.contains("unknown state \"opened\""), "{err}");
    assert!(err.contains("open, new, claimed"), "{err}");
    let err = desk
        .cmd("secdesk")
        .args(["issues", "--source", "lwn"])
        .assert_usage_error();
    assert!(err.contains("unknown source"), "{err}");
    let err = desk
        .cmd("secdesk")
        .args(["issues", "--since", "yesterday"])
        .assert_usage_error();
    assert!(err.contains("--since"), "{err}");
});

desktest!(unknown_issue_is_exit_2_with_one_line, |desk| {
    let err = desk
        .cmd("secdesk")
        .args(["show", "999"])
        .assert_usage_error();
    eqnice!("secdesk: issue #999 does not exist\n", err);
});

desktest!(common_flags_are_accepted_after_the_subcommand, |desk| {
    desk.ingest_maildir(&sample_mail());
    // Another database, with two issues, so that --db changes the output.
    let other = desk.dir.join("other.sqlite");
    let two = crate::util::maildir_with(
        &desk.dir,
        "two",
        &[
            "oss-security/cur/apache-airflow-cve-2024-31869-q-encoded.eml",
            "oss-security/cur/catdoc-oob-heap-read-2018.eml",
        ],
    );
    desk.cmd("secdesk-ingest")
        .arg("--db")
        .arg(&other)
        .arg("--maildir")
        .arg(&two)
        .stdout();
    // Everything after the subcommand; nothing from the environment.
    let run = |args: &[&str], db: &std::path::Path| -> Vec<u8> {
        let out = std::process::Command::new(crate::util::bin_path("secdesk"))
            .env_remove("SECDESK_CONFIG")
            .env_remove("SECDESK_USER")
            .current_dir(&desk.dir.path)
            .args(args)
            .arg("--config")
            .arg(&desk.config)
            .arg("--db")
            .arg(db)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let issues = |db| -> Vec<IssueJson> {
        serde_json::from_slice(&run(
            &["issues", "--json", "--now", "2026-11-22T10:00:00Z"],
            db,
        ))
        .expect("json")
    };
    assert_eq!(issues(&desk.db).len(), 11);
    assert_eq!(issues(&other).len(), 2, "--db names the other database");
    // --now after the subcommand moves the clock: the issues were opened
    // at NOW (09:00), so at 12:00 the next day they are 27 hours old.
    let status = |now: &str| -> serde_json::Value {
        serde_json::from_slice(&run(&["status", "--json", "--now", now], &desk.db)).expect("json")
    };
    assert_eq!(
        status("2026-11-23T12:00:00Z")["unclaimed"][0]["age_seconds"],
        27 * 3600
    );
    assert_eq!(
        status("2026-11-22T10:00:00Z")["unclaimed"][0]["age_seconds"],
        3600
    );
});

desktest!(closed_stdout_pipe_exits_quietly, |desk| {
    desk.ingest_maildir(&sample_mail());
    let mut child = desk
        .cmd("secdesk")
        .arg("issues")
        .cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
});

#[test]
fn help_texts_state_exit_codes() {
    for bin in ["secdesk", "secdesk-ingest"] {
        let out = std::process::Command::new(crate::util::bin_path(bin))
            .arg("--help")
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Exit codes"), "{bin} --help:\n{text}");
    }
}
