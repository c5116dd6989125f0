//! Quiet by default (issue 13): an action says in one line what changed,
//! `-v` prints the whole issue, `--json` the changed issue; `status` shows
//! a screenful of unclaimed issues; on a terminal, tables fit its width,
//! and nothing carries colour.

use crate::util::{Desk, bin_path};
use std::path::Path;

/// A Maildir of `n` disclosures, one issue each, with long titles.
fn disclosures(desk: &Desk, n: usize) -> std::path::PathBuf {
    for i in 0..n {
        desk.dir.write(
            format!("lists/oss-security/cur/{i:04}"),
            format!(
                "Message-ID: <d{i}@quiet.example>\nList-Id: <oss-security.lists.openwall.com>\nDate: Mon, 2 Nov 2026 00:{:02}:00 +0000\nSubject: [oss-security] CVE-2026-{} libexample{i}: heap buffer overflow in the frobnicator when parsing long headers\n\nlibexample{i} has a heap buffer overflow.\n",
                i % 60,
                20000 + i
            ),
        );
    }
    std::fs::create_dir_all(desk.dir.join("lists/oss-security/new")).expect("mkdir");
    desk.dir.join("lists")
}

fn secdesk(desk: &Desk, args: &[&str]) -> String {
    desk.cmd("secdesk")
        .arg("--as")
        .arg("alice")
        .args(args)
        .stdout()
}

desktest!(each_action_prints_one_line_saying_what_changed, |desk| {
    desk.ingest_maildir(&disclosures(&desk, 4));
    let said: Vec<(Vec<&str>, &str)> = vec![
        (vec!["claim", "1"], "#1 claimed by alice\n"),
        (
            vec!["claim", "1"],
            "issue #1 is already claimed by you; nothing changed\n",
        ),
        (
            vec!["release-status", "1", "25.11", "affected"],
            "#1 25.11: unknown → affected\n",
        ),
        (
            vec!["release-status", "1", "25.11", "fixed", "--ref", "3.8"],
            "#1 25.11: affected → fixed (3.8)\n",
        ),
        (
            vec!["release-status", "1", "25.05", "not-affected"],
            "#1 25.05: unknown → not-affected\n",
        ),
        (
            vec!["release-status", "1", "unstable", "fixed", "--ref", "PR #7"],
            "#1 unstable: unknown → fixed (PR #7); now fixed (was claimed)\n",
        ),
        (vec!["severity", "1", "high"], "#1 severity: - → high\n"),
        (
            vec!["note", "1", "backport\nneeds review"],
            "#1 note added: backport needs review\n",
        ),
        (
            vec!["announce", "1", "--ref", "NIXSA-2026-0001"],
            "#1 announced: NIXSA-2026-0001\n",
        ),
        (
            vec!["assign", "2", "--to", "bob"],
            "#2 assigned to bob; alice stays responsible until it is fixed\n",
        ),
        (vec!["claim", "3"], "#3 claimed by alice\n"),
        (vec!["unclaim", "3"], "#3 unclaimed by alice\n"),
        (
            vec!["dismiss", "3", "--reason", "not-packaged"],
            "#3 dismissed: not-packaged\n",
        ),
        (
            vec!["reopen", "3"],
            "#3 reopened; now new (was dismissed)\n",
        ),
        (vec!["relate", "3", "4"], "#3 related to #4\n"),
        (
            vec!["relate", "3", "4"],
            "issues #3 and #4 are already related; nothing changed\n",
        ),
        (vec!["merge", "4", "3"], "#4 merged into #3\n"),
    ];
    for (args, line) in said {
        let out = desk
            .cmd("secdesk")
            .arg("--as")
            .arg("alice")
            .args(&args)
            .output();
        assert!(out.status.success(), "{args:?}: {out:?}");
        eqnice!(line, String::from_utf8_lossy(&out.stdout));
        assert!(
            out.stderr.is_empty(),
            "{args:?}: the line says it all, stderr says nothing: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
});

desktest!(
    verbose_prints_the_whole_issue_and_json_the_changed_issue,
    |desk| {
        desk.ingest_maildir(&disclosures(&desk, 2));
        let whole = secdesk(&desk, &["claim", "1", "-v"]);
        let shown = secdesk(&desk, &["show", "1"]);
        eqnice!(shown, whole);
        assert!(
            whole.starts_with("#1  CVE-2026-20000 libexample0: heap buffer overflow")
                && whole.contains("\ntimeline (1 messages):\n")
                && whole.contains("\nhistory:\n"),
            "{whole}"
        );
        let json: serde_json::Value = desk
            .cmd("secdesk")
            .args(["--as", "alice", "--json", "severity", "2", "critical"])
            .json();
        assert_eq!(json["id"], 2);
        assert_eq!(json["severity"], "critical");
        assert!(json["history"].is_array() && json["messages"].is_array());
        // An action that changes nothing says so on stderr under --json, where
        // stdout holds the issue.
        let out = desk
            .cmd("secdesk")
            .args(["--as", "alice", "--json", "claim", "1"])
            .output();
        assert!(out.status.success());
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(json["claimed_by"], "alice");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "secdesk: issue #1 is already claimed by you; nothing changed\n"
        );
    }
);

desktest!(
    status_shows_a_screenful_of_unclaimed_and_says_how_to_see_the_rest,
    |desk| {
        desk.ingest_maildir(&disclosures(&desk, 27));
        secdesk(&desk, &["claim", "27"]);
        let out = secdesk(&desk, &["status"]);
        assert!(
            out.contains("\nunclaimed (26), most severe first, then oldest:\n"),
            "{out}"
        );
        let rows = out.lines().filter(|l| l.starts_with("  #")).count();
        assert_eq!(rows, 20, "{out}");
        assert!(
            out.contains("\n  … and 6 more: `secdesk issues --unclaimed` lists them all\n"),
            "{out}"
        );
        assert!(out.lines().count() < 40, "a screenful: {out}");
        let json: serde_json::Value = desk.cmd("secdesk").args(["status", "--json"]).json();
        assert_eq!(json["unclaimed"].as_array().map(Vec::len), Some(26));
    }
);

/// Runs `secdesk ARGS` on a pseudo-terminal with `COLUMNS` set, through
/// `script` (Debian bsdutils), and returns what the terminal showed.
fn on_terminal(desk: &Desk, columns: &str, args: &str) -> String {
    let script = Path::new("/usr/bin/script");
    assert!(
        script.exists(),
        "this test needs script: apt-get install bsdutils"
    );
    let command = format!(
        "{} --config {} --now {} {args}",
        bin_path("secdesk").display(),
        desk.config.display(),
        desk.now
    );
    let out = std::process::Command::new(script)
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env_remove("SECDESK_CONFIG")
        .env("COLUMNS", columns)
        .env("TERM", "xterm-256color")
        .current_dir(&desk.dir.path)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

desktest!(
    on_a_terminal_tables_fit_its_width_and_pipes_get_full_lines,
    |desk| {
        desk.ingest_maildir(&disclosures(&desk, 3));
        let piped = secdesk(&desk, &["issues"]);
        let widest = piped.lines().map(|l| l.chars().count()).max();
        assert!(widest > Some(100), "full width in a pipe: {piped}");
        // The listings: every line; `show`: its timeline and history rows
        // (its title and notes are said whole, wrapped by the terminal).
        for (columns, args, rows) in [
            ("80", "issues", ""),
            ("80", "status", ""),
            ("90", "show 1", "  20"),
            ("60", "history 1", ""),
        ] {
            let shown = on_terminal(&desk, columns, args);
            let width: usize = columns.parse().expect("a number");
            assert!(shown.lines().any(|l| l.starts_with(rows)), "{shown}");
            for line in shown.lines().filter(|l| l.starts_with(rows)) {
                assert!(
                    line.chars().count() <= width,
                    "{args} at {columns} columns: {line:?} in\n{shown}"
                );
            }
            assert!(!shown.contains('\u{1b}'), "no colour: {shown:?}");
        }
        let shown = on_terminal(&desk, "80", "issues");
        eqnice!(
            "ID  STATE  SEVERITY  CLAIMED  CVES            SOURCES       TITLE\n\
         #1  new    -         -        CVE-2026-20000  oss-security  CVE-2026-20000 libe…\n\
         #2  new    -         -        CVE-2026-20001  oss-security  CVE-2026-20001 libe…\n\
         #3  new    -         -        CVE-2026-20002  oss-security  CVE-2026-20002 libe…\n",
            shown
        );
        let with_no_color = std::process::Command::new("/usr/bin/script")
            .args([
                "-q",
                "-e",
                "-c",
                &format!(
                    "{} --config {} status",
                    bin_path("secdesk").display(),
                    desk.config.display()
                ),
                "/dev/null",
            ])
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run script");
        assert!(with_no_color.status.success());
        assert!(!with_no_color.stdout.contains(&0x1b), "no escape codes");
    }
);

desktest!(the_rota_table_fits_the_terminal_too, |desk| {
    let mut c = desk.config_json();
    c["rotation"] = serde_json::json!({"start": "2026-11-16", "order": ["alice", "bob", "carol"]});
    desk.set_config(&c);
    let piped = desk.cmd("secdesk").args(["rota", "--days", "3"]).stdout();
    assert!(
        piped.lines().any(|l| l.chars().count() > 72),
        "full width in a pipe: {piped}"
    );
    let shown = on_terminal(&desk, "72", "rota --days 3");
    assert_eq!(shown.lines().count(), 4, "{shown}");
    for line in shown.lines() {
        assert!(line.chars().count() <= 72, "{line:?} in\n{shown}");
    }
});
