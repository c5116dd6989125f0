//! Fix tracking (issue 16) through the real binaries, on real git
//! repositories the test builds: master with CVE commits (one naming it in
//! the message, one adding `CVE-….patch`, one naming two CVEs of two
//! issues), a release branch with `cherry-pick -x` backports and one
//! backport without the trailer, a channel branch behind its release
//! branch, a force-push, and a fetch from a bare repository as `remote`.
//! Proposals, accept and reject, channel state over successive scans,
//! backport gaps in the report and in the on-call member's handoff.

use crate::util::{Desk, Dir};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One proposal in `--json`.
#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProposalJson {
    pub commit: String,
    pub branch: String,
    pub subject: String,
    pub committed_at: String,
}

/// A channel state in `--json`.
#[allow(dead_code)]
#[derive(Debug, Deserialize, PartialEq, Clone)]
#[serde(deny_unknown_fields)]
pub struct ChannelJson {
    pub branch: String,
    pub contains_fix: bool,
    pub since: Option<String>,
}

/// One release of `secdesk fix list --json`.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixReleaseJson {
    release: String,
    branch: Option<String>,
    status: String,
    #[serde(rename = "ref")]
    reference: Option<String>,
    proposals: Vec<ProposalJson>,
    channel: Option<ChannelJson>,
}

/// `secdesk fix list --json`.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixListJson {
    issue: i64,
    title: String,
    releases: Vec<FixReleaseJson>,
}

/// A git repository the test builds, with fixed dates and identity and
/// none of the user's or system's configuration.
struct Git {
    dir: PathBuf,
    home: PathBuf,
}

impl Git {
    fn init(dir: &Dir, name: &str) -> Git {
        let path = dir.join(name);
        std::fs::create_dir_all(&path).expect("mkdir repo");
        let home = dir.join("home");
        std::fs::create_dir_all(&home).expect("mkdir home");
        let g = Git { dir: path, home };
        g.run("2026-01-01T00:00:00Z", &["init", "-q", "-b", "master"]);
        g
    }

    fn command(&self, date: &str) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", &self.home)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_TERMINAL_PROMPT", "0")
            .args([
                "-c",
                "user.name=Test Maintainer",
                "-c",
                "user.email=maintainer@example.org",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=master",
            ]);
        c
    }

    fn run(&self, date: &str, args: &[&str]) -> String {
        let out = self
            .command(date)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("git is needed (Debian package `git`): {e}"));
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes `file` and commits it with `message` at `date`; returns the
    /// commit id.
    fn commit(&self, date: &str, file: &str, message: &str) -> String {
        let path = self.dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, format!("{message}\n")).expect("write");
        self.run(date, &["add", "--", file]);
        self.run(date, &["commit", "-q", "-m", message]);
        self.head()
    }

    fn head(&self) -> String {
        self.run("2026-01-01T00:00:00Z", &["rev-parse", "HEAD"])
    }

    fn checkout(&self, branch: &str) {
        self.run("2026-01-01T00:00:00Z", &["checkout", "-q", branch]);
    }
}

/// Three advisories as an oss-security subscriber gets them: issue 1
/// (CVE-2026-1111, libfoo), 2 (CVE-2026-2222, libbar), 3 (CVE-2026-3333,
/// libbaz).
fn mail(desk: &Desk) {
    let root = desk.dir.join("mail");
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(d)).expect("mkdir maildir");
    }
    for (n, (cve, pkg, day)) in [
        ("CVE-2026-1111", "libfoo", "09"),
        ("CVE-2026-2222", "libbar", "10"),
        ("CVE-2026-3333", "libbaz", "11"),
    ]
    .iter()
    .enumerate()
    {
        let text = format!(
            "From: Reporter <reporter@example.net>\r\n\
             To: oss-security@lists.openwall.com\r\n\
             List-Id: <oss-security.lists.openwall.com>\r\n\
             Subject: [oss-security] {cve}: {pkg}: heap overflow\r\n\
             Message-ID: <fix-{n}@example.net>\r\n\
             Date: Mon, {day} Nov 2026 10:00:00 +0000\r\n\
             \r\n\
             {pkg} before 1.3 has a heap overflow ({cve}).\r\n"
        );
        std::fs::write(root.join("cur").join(format!("{n}:2,")), text).expect("write mail");
    }
    desk.cmd_at("secdesk-ingest", "2026-11-12T00:00:00Z")
        .arg("--maildir")
        .arg(&root)
        .stdout();
}

/// The package repository's history, as the tests need it.
struct History {
    git: Git,
    /// master: "libfoo: 1.2 -> 1.3" (CVE-2026-1111 in the message; it
    /// changes a file and adds none).
    m_foo: String,
    /// master: adds pkgs/libbar/CVE-2026-2222.patch (no CVE in the message).
    m_bar: String,
    /// master: names CVE-2026-2222 and CVE-2026-3333 (issues 2 and 3).
    m_two: String,
    /// release-26.05: `cherry-pick -x` of `m_foo`.
    r_foo: String,
    /// release-26.05: a backport of `m_bar` without the trailer.
    r_bar: String,
}

fn history(dir: &Dir) -> History {
    let git = Git::init(dir, "work");
    git.commit("2026-11-01T12:00:00Z", "README", "init");
    // libfoo exists before its fix, which only changes it (adds no file).
    git.commit(
        "2026-11-01T12:00:00Z",
        "pkgs/libfoo/default.nix",
        "libfoo: init at 1.2",
    );
    git.run("2026-11-01T12:00:00Z", &["branch", "release-26.05"]);
    git.run("2026-11-01T12:00:00Z", &["branch", "release-26.11"]);
    git.run("2026-11-01T12:00:00Z", &["branch", "nixos-26.05"]);
    let m_foo = git.commit(
        "2026-11-10T12:00:00Z",
        "pkgs/libfoo/default.nix",
        "libfoo: 1.2 -> 1.3\n\nFixes CVE-2026-1111.",
    );
    git.run("2026-11-10T12:00:00Z", &["branch", "nixos-unstable"]);
    let m_bar = git.commit(
        "2026-11-11T12:00:00Z",
        "pkgs/libbar/CVE-2026-2222.patch",
        "libbar: add security patch",
    );
    let m_two = git.commit(
        "2026-11-12T12:00:00Z",
        "pkgs/libbaz/default.nix",
        "libbaz, libbar: fix CVE-2026-3333 and CVE-2026-2222",
    );
    git.checkout("release-26.05");
    git.run("2026-11-20T12:00:00Z", &["cherry-pick", "-x", &m_foo]);
    let r_foo = git.head();
    git.run("2026-11-20T13:00:00Z", &["cherry-pick", &m_bar]);
    let r_bar = git.head();
    git.checkout("master");
    History {
        git,
        m_foo,
        m_bar,
        m_two,
        r_foo,
        r_bar,
    }
}

fn setup(name: &str) -> (Desk, History) {
    let desk = Desk::new(name);
    let h = history(&desk.dir);
    let mut c = desk.config_json();
    c["releases"] = serde_json::json!(["26.05", "26.11", "unstable"]);
    c["fixes"] = serde_json::json!({
        "repo": h.git.dir,
        "branches": { "26.05": "release-26.05", "26.11": "release-26.11", "unstable": "master" },
        "channels": { "26.05": "nixos-26.05", "unstable": "nixos-unstable" },
        "backport_after": "7d",
        "since": "2026-01-01"
    });
    desk.set_config(&c);
    mail(&desk);
    (desk, h)
}

fn track(desk: &Desk, now: &str) -> String {
    desk.cmd_at("secdesk-fix-track", now)
        .arg("--no-fetch")
        .stdout()
}

fn list(desk: &Desk, issue: &str) -> FixListJson {
    desk.cmd("secdesk")
        .args(["fix", "list", issue, "--json"])
        .json()
}

fn proposed(desk: &Desk, issue: &str, release: &str) -> Vec<String> {
    list(desk, issue)
        .releases
        .into_iter()
        .find(|r| r.release == release)
        .unwrap_or_else(|| panic!("release {release} listed"))
        .proposals
        .into_iter()
        .map(|p| p.commit)
        .collect()
}

fn sd(desk: &Desk, now: &str, args: &[&str]) -> String {
    desk.cmd_at("secdesk", now)
        .args(["--as", "alice"])
        .args(args)
        .stdout()
}

#[test]
fn commits_naming_cves_are_proposed_per_release_and_backports_pair_with_their_original() {
    let (desk, h) = setup("fix_proposals");
    let out = track(&desk, "2026-11-21T10:00:00Z");
    assert!(out.starts_with("fix-track: 3 branches scanned"), "{out}");
    // Issue 1: the message names it on master; the cherry-pick -x on the
    // release branch is paired through its trailer.
    let l = list(&desk, "1");
    let by: Vec<(String, Vec<String>)> = l
        .releases
        .iter()
        .map(|r| {
            (
                r.release.clone(),
                r.proposals.iter().map(|p| p.commit.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            ("26.05".to_string(), vec![h.r_foo.clone()]),
            ("26.11".to_string(), vec![]),
            ("unstable".to_string(), vec![h.m_foo.clone()]),
        ]
    );
    let p = &l.releases[0].proposals[0];
    assert_eq!(p.branch, "release-26.05");
    assert_eq!(p.subject, "libfoo: 1.2 -> 1.3");
    assert_eq!(p.committed_at, "2026-11-20T12:00:00Z");
    // Issue 2: an added CVE-….patch on master, the commit naming two CVEs,
    // and on the release branch the backport without a trailer (found by
    // its own added patch file).
    assert_eq!(
        proposed(&desk, "2", "unstable"),
        [h.m_bar.clone(), h.m_two.clone()]
    );
    assert_eq!(proposed(&desk, "2", "26.05"), [h.r_bar.as_str()]);
    // Issue 3: the same two-CVE commit, proposed for the other issue too.
    assert_eq!(proposed(&desk, "3", "unstable"), [h.m_two.as_str()]);
    // show --json carries the same per release, and a proposal changes no
    // status.
    let show: serde_json::Value = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    assert_eq!(show["releases"]["26.05"]["status"], "unknown");
    assert_eq!(
        show["releases"]["26.05"]["proposals"][0]["commit"],
        h.r_foo.as_str()
    );
    assert_eq!(
        show["releases"]["26.05"]["channel"],
        serde_json::Value::Null
    );
    let text = desk.cmd("secdesk").args(["show", "1"]).stdout();
    assert!(
        text.contains(&format!(
            "proposed: {} on release-26.05 (2026-11-20) libfoo: 1.2 -> 1.3",
            &h.r_foo[..12]
        )),
        "{text}"
    );
    // A second run walks nothing new and proposes nothing twice.
    let again = track(&desk, "2026-11-21T11:00:00Z");
    assert!(again.contains("0 commits walked"), "{again}");
    assert_eq!(
        proposed(&desk, "2", "unstable"),
        [h.m_bar.clone(), h.m_two.clone()]
    );
}

#[test]
fn accept_records_fixed_with_the_full_commit_and_reject_is_never_proposed_again() {
    let (desk, h) = setup("fix_accept_reject");
    track(&desk, "2026-11-21T10:00:00Z");
    let t = "2026-11-21T12:00:00Z";
    let line = sd(&desk, t, &["fix", "accept", "1", "26.05"]);
    assert!(
        line.contains(&format!("26.05: unknown → fixed ({})", h.r_foo)),
        "{line}"
    );
    let show: serde_json::Value = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    assert_eq!(show["releases"]["26.05"]["ref"], h.r_foo.as_str());
    assert_eq!(
        show["releases"]["26.05"]["proposals"],
        serde_json::json!([])
    );
    let history = desk.cmd("secdesk").args(["history", "1"]).stdout();
    assert!(
        history.contains(&format!("release-status: 26.05 fixed ({})", h.r_foo))
            || history.contains(&h.r_foo),
        "{history}"
    );
    // Two proposals: one must be named; a commit that is not proposed is
    // refused; nothing changes.
    let err = desk
        .cmd_at("secdesk", t)
        .args(["--as", "alice", "fix", "accept", "2", "unstable"])
        .assert_usage_error();
    assert!(err.contains("several commits are proposed"), "{err}");
    let err = desk
        .cmd_at("secdesk", t)
        .args([
            "--as",
            "alice",
            "fix",
            "accept",
            "2",
            "unstable",
            "deadbeef00",
        ])
        .assert_usage_error();
    assert!(err.contains("is not a proposed commit"), "{err}");
    let err = desk
        .cmd_at("secdesk", t)
        .args(["--as", "alice", "fix", "accept", "2", "25.05"])
        .assert_usage_error();
    assert!(err.contains("has no branch"), "{err}");
    // Rejected with a reason: gone, and not proposed again after a scan.
    let line = sd(
        &desk,
        t,
        &[
            "fix",
            "reject",
            "2",
            "unstable",
            &h.m_two[..10],
            "--reason",
            "the libbaz half only",
        ],
    );
    assert!(line.contains("rejected: the libbaz half only"), "{line}");
    track(&desk, "2026-11-21T13:00:00Z");
    assert_eq!(proposed(&desk, "2", "unstable"), [h.m_bar.as_str()]);
    // Still proposed for the other issue it names.
    assert_eq!(proposed(&desk, "3", "unstable"), [h.m_two.as_str()]);
    let history = desk.cmd("secdesk").args(["history", "2"]).stdout();
    assert!(
        history.contains("rejected: the libbaz half only"),
        "{history}"
    );
    // Now one proposal is left: accepted without naming it.
    sd(&desk, t, &["fix", "accept", "2", "unstable"]);
    let show: serde_json::Value = desk.cmd("secdesk").args(["show", "2", "--json"]).json();
    assert_eq!(show["releases"]["unstable"]["status"], "fixed");
    assert_eq!(show["releases"]["unstable"]["ref"], h.m_bar.as_str());
}

#[test]
fn channel_state_follows_successive_scans_and_since_is_the_first_scan_that_saw_it() {
    let (desk, h) = setup("fix_channels");
    track(&desk, "2026-11-21T10:00:00Z");
    sd(
        &desk,
        "2026-11-21T11:00:00Z",
        &["fix", "accept", "1", "26.05"],
    );
    sd(
        &desk,
        "2026-11-21T11:00:00Z",
        &["fix", "accept", "1", "unstable"],
    );
    track(&desk, "2026-11-22T10:00:00Z");
    let text = desk.cmd("secdesk").args(["show", "1"]).stdout();
    let short = |c: &str| c[..12].to_string();
    assert!(
        text.contains(&format!(
            "fixed on release-26.05 by {} (2026-11-20), not yet in nixos-26.05",
            short(&h.r_foo)
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "fixed on master by {} (2026-11-10), in nixos-unstable since 2026-11-22",
            short(&h.m_foo)
        )),
        "{text}"
    );
    // The channel catches up with its release branch.
    h.git.run(
        "2026-11-23T00:00:00Z",
        &["branch", "-f", "nixos-26.05", "release-26.05"],
    );
    track(&desk, "2026-11-23T10:00:00Z");
    track(&desk, "2026-11-24T10:00:00Z");
    let text = desk.cmd("secdesk").args(["show", "1"]).stdout();
    assert!(
        text.contains(&format!(
            "fixed on release-26.05 by {} (2026-11-20), in nixos-26.05 since 2026-11-23",
            short(&h.r_foo)
        )),
        "{text}"
    );
    let show: serde_json::Value = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    let channel: ChannelJson =
        serde_json::from_value(show["releases"]["26.05"]["channel"].clone()).expect("channel");
    assert_eq!(
        channel,
        ChannelJson {
            branch: "nixos-26.05".into(),
            contains_fix: true,
            since: Some("2026-11-23T10:00:00Z".into()),
        }
    );
    // A fix typed by hand as a short commit id is followed too.
    sd(
        &desk,
        "2026-11-24T11:00:00Z",
        &[
            "release-status",
            "2",
            "26.05",
            "fixed",
            "--ref",
            &h.r_bar[..9],
        ],
    );
    track(&desk, "2026-11-24T12:00:00Z");
    let show: serde_json::Value = desk.cmd("secdesk").args(["show", "2", "--json"]).json();
    assert_eq!(show["releases"]["26.05"]["channel"]["contains_fix"], true);

    // The public site says when each fix reached its channel (issue 17).
    let site = desk.dir.join("site");
    desk.cmd_at("secdesk-site-render", "2026-11-24T13:00:00Z")
        .arg("--out")
        .arg(&site)
        .stdout();
    let page = std::fs::read_to_string(site.join("issue/1.html")).expect("issue page");
    assert!(
        page.contains("in the channel since 2026-11-23T10:00:00Z"),
        "{page}"
    );
    assert!(!page.contains("fix tracking not configured"), "{page}");
    let page = std::fs::read_to_string(site.join("issue/2.html")).expect("issue page");
    assert!(
        page.contains("in the channel since 2026-11-24T12:00:00Z"),
        "{page}"
    );
    let trends = std::fs::read_to_string(site.join("trends.html")).expect("trends");
    assert!(!trends.contains("fix tracking not configured"), "{trends}");
}

#[test]
fn a_force_pushed_branch_is_named_and_the_next_run_rescans_without_duplicates() {
    let (desk, h) = setup("fix_force_push");
    track(&desk, "2026-11-21T10:00:00Z");
    assert_eq!(proposed(&desk, "2", "26.05"), [h.r_bar.as_str()]);
    // The release branch is rewritten: the trailer-less backport is
    // replaced by a cherry-pick -x of it.
    h.git.checkout("release-26.05");
    h.git
        .run("2026-11-22T00:00:00Z", &["reset", "-q", "--hard", &h.r_foo]);
    h.git
        .run("2026-11-22T09:00:00Z", &["cherry-pick", "-x", &h.m_bar]);
    let redone = h.git.head();
    h.git.checkout("master");
    let out = desk
        .cmd_at("secdesk-fix-track", "2026-11-22T10:00:00Z")
        .arg("--no-fetch")
        .assert_exit_code(1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("branch release-26.05 was force-pushed")
            && stderr.contains("rescanned from 2026-01-01 on the next run"),
        "{stderr}"
    );
    // The other branches were still scanned, and the summary counts it.
    assert!(
        stdout.contains("2 branches scanned") && stdout.contains("1 errors"),
        "{stdout}"
    );
    let out = track(&desk, "2026-11-22T11:00:00Z");
    assert!(out.contains("3 branches scanned"), "{out}");
    assert_eq!(proposed(&desk, "2", "26.05"), [redone]);
    assert_eq!(proposed(&desk, "1", "26.05"), [h.r_foo.as_str()]);
}

#[test]
fn a_missing_repository_names_the_path_and_the_branch() {
    let (desk, _h) = setup("fix_missing_repo");
    let mut c = desk.config_json();
    let missing = desk.dir.join("no-such-clone");
    c["fixes"]["repo"] = serde_json::json!(missing);
    desk.set_config(&c);
    let out = desk
        .cmd("secdesk-fix-track")
        .arg("--no-fetch")
        .assert_exit_code(1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("repository {}", missing.display()))
            && stderr.contains("branch release-26.05"),
        "{stderr}"
    );
}

#[test]
fn fetch_makes_a_partial_clone_of_the_remote_and_later_runs_fetch_new_commits() {
    let (desk, h) = setup("fix_fetch");
    let remote = desk.dir.join("remote.git");
    h.git.run(
        "2026-11-21T00:00:00Z",
        &[
            "clone",
            "-q",
            "--bare",
            "--",
            &h.git.dir.display().to_string(),
            &remote.display().to_string(),
        ],
    );
    // The bare remote serves filters (a real partial clone).
    Command::new("git")
        .args([
            "-C",
            &remote.display().to_string(),
            "config",
            "uploadpack.allowFilter",
            "true",
        ])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("git");
    let clone = desk.dir.join("state/nixpkgs");
    let mut c = desk.config_json();
    c["fixes"]["repo"] = serde_json::json!(clone);
    c["fixes"]["remote"] = serde_json::json!(remote);
    desk.set_config(&c);
    let out = desk
        .cmd_at("secdesk-fix-track", "2026-11-21T10:00:00Z")
        .env("HOME", desk.dir.join("home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout();
    assert!(
        out.starts_with("fix-track: fetched; 3 branches scanned"),
        "{out}"
    );
    assert!(is_partial(&clone), "the clone is blob-less");
    assert_eq!(proposed(&desk, "1", "26.05"), [h.r_foo.as_str()]);
    // A new backport pushed to the remote arrives with the next run.
    let work = &h.git;
    work.checkout("release-26.11");
    work.run("2026-11-25T12:00:00Z", &["cherry-pick", "-x", &h.m_foo]);
    let r = work.head();
    work.run(
        "2026-11-25T12:00:00Z",
        &["push", "-q", &remote.display().to_string(), "release-26.11"],
    );
    let out = desk
        .cmd_at("secdesk-fix-track", "2026-11-25T13:00:00Z")
        .env("HOME", desk.dir.join("home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout();
    assert!(out.contains("1 commits walked"), "{out}");
    assert_eq!(proposed(&desk, "1", "26.11"), [r]);
}

fn is_partial(repo: &Path) -> bool {
    let out = Command::new("git")
        .args([
            "-C",
            &repo.display().to_string(),
            "config",
            "remote.origin.promisor",
        ])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git");
    String::from_utf8_lossy(&out.stdout).trim() == "true"
}

#[test]
fn check_config_names_a_release_without_a_branch() {
    let (desk, _h) = setup("fix_release_without_branch");
    let mut c = desk.config_json();
    c["fixes"]["branches"] = serde_json::json!({ "26.05": "release-26.05", "unstable": "master" });
    desk.set_config(&c);
    let err = desk.cmd("secdesk").arg("check-config").assert_usage_error();
    assert!(
        err.contains("fixes.branches") && err.contains("release \"26.11\" has no branch"),
        "{err}"
    );
    // The job says so and tracks the others.
    let out = desk
        .cmd("secdesk-fix-track")
        .arg("--no-fetch")
        .assert_exit_code(0);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("release 26.11 has no branch"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A branch for a release that is not configured, or a name that is
    // not a branch, is refused at load.
    c["fixes"]["branches"] = serde_json::json!({ "24.05": "release-24.05" });
    desk.set_config(&c);
    let err = desk
        .cmd("secdesk-fix-track")
        .arg("--no-fetch")
        .assert_usage_error();
    assert!(
        err.contains("fixes.branches.24.05") && err.contains("unknown release"),
        "{err}"
    );
    c["fixes"]["branches"] = serde_json::json!({ "26.05": "--upload-pack=evil" });
    desk.set_config(&c);
    let err = desk
        .cmd("secdesk-fix-track")
        .arg("--no-fetch")
        .assert_usage_error();
    assert!(err.contains("is not a branch name"), "{err}");
}

#[test]
fn backport_gaps_and_waiting_fixes_are_in_the_report_and_the_handoff_until_decided() {
    let (desk, h) = setup("fix_gaps");
    let mut c = desk.config_json();
    c["rotation"] = serde_json::json!({
        "start": "2026-11-01", "order": ["alice", "bob", "carol"], "remind_before": "1h"
    });
    desk.set_config(&c);
    track(&desk, "2026-11-21T10:00:00Z");
    sd(
        &desk,
        "2026-11-21T11:00:00Z",
        &["fix", "accept", "1", "26.05"],
    );
    sd(
        &desk,
        "2026-11-21T11:00:00Z",
        &["fix", "accept", "1", "unstable"],
    );
    sd(
        &desk,
        "2026-11-21T11:00:00Z",
        &["release-status", "3", "26.05", "affected"],
    );
    track(&desk, "2026-11-22T10:00:00Z");
    let report = desk
        .cmd_at("secdesk-triage-report", "2026-11-23T06:00:00Z")
        .arg("--stdout")
        .stdout();
    let short = |c: &str| c[..12].to_string();
    assert!(
        report.contains("Fixes waiting for their channel (1)"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "#1 26.05: {} committed 2d 18h ago, not yet in nixos-26.05: CVE-2026-1111: libfoo: heap overflow",
            short(&h.r_foo)
        )),
        "{report}"
    );
    assert!(
        report.contains("  nixos-unstable: median 11d 22h"),
        "{report}"
    );
    // Issue 1's 26.11 waits for a backport, and issues 2 and 3 on both
    // supported releases (3 on 26.05 is affected).
    assert!(report.contains("Backport gaps (5)"), "{report}");
    assert!(
        report.contains(&format!(
            "#1 CVE-2026-1111 26.11: unknown for 12d 18h since the fix {} on unstable (2026-11-10)",
            short(&h.m_foo)
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "#3 CVE-2026-3333 26.05: affected for 10d 18h since the fix {}",
            short(&h.m_two)
        )),
        "{report}"
    );
    // The handoff to the member on call lists them.
    desk.cmd_at("secdesk-rotate-notify", "2026-11-23T00:05:00Z")
        .stdout();
    let handoff = outbox_mail(&desk, "Missing backports");
    assert!(
        handoff.contains(
            "Missing backports: fixed on unstable, a release still affected or unknown (5):"
        ) && handoff.contains("#3 CVE-2026-3333 26.05 affected for 10d 12h"),
        "{handoff}"
    );
    // A decision for each release closes its gap.
    sd(
        &desk,
        "2026-11-23T07:00:00Z",
        &["release-status", "3", "26.05", "not-affected"],
    );
    sd(
        &desk,
        "2026-11-23T07:00:00Z",
        &[
            "release-status",
            "3",
            "26.11",
            "wontfix",
            "--reason",
            "libbaz is not in 26.11",
        ],
    );
    sd(
        &desk,
        "2026-11-23T07:00:00Z",
        &["fix", "accept", "2", "26.05"],
    );
    let report = desk
        .cmd_at("secdesk-triage-report", "2026-11-24T06:00:00Z")
        .arg("--stdout")
        .stdout();
    assert!(report.contains("Backport gaps (2)"), "{report}");
    assert!(!report.contains("#3 CVE-2026-3333"), "{report}");
    assert!(!report.contains("#2 CVE-2026-2222 26.05"), "{report}");
}

/// The text of the first outbox mail (an `.eml` file) containing `needle`.
fn outbox_mail(desk: &Desk, needle: &str) -> String {
    let dir = desk.dir.join("outbox");
    let mut found = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.expect("entry").path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read mail")).to_string();
        // Quoted-printable soft breaks joined, so lines read as written.
        let text = text
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=E2=86=92", "→");
        if text.contains(needle) {
            found.push(text);
        }
    }
    found
        .pop()
        .unwrap_or_else(|| panic!("no mail in {} says {needle:?}", dir.display()))
}

#[test]
fn without_a_fixes_section_the_job_and_the_commands_are_refused_naming_the_file() {
    let desk = Desk::new("fix_not_configured");
    let err = desk
        .cmd("secdesk-fix-track")
        .arg("--no-fetch")
        .assert_usage_error();
    assert!(
        err.contains(&desk.config.display().to_string()) && err.contains("`fixes`"),
        "{err}"
    );
    let err = desk
        .cmd("secdesk")
        .args(["fix", "list", "1"])
        .assert_usage_error();
    assert!(err.contains("fix tracking is not configured"), "{err}");
    // show still works, with empty proposals and no channel.
    mail(&desk);
    let show: serde_json::Value = desk.cmd("secdesk").args(["show", "1", "--json"]).json();
    assert_eq!(
        show["releases"]["unstable"]["proposals"],
        serde_json::json!([])
    );
    assert_eq!(
        show["releases"]["unstable"]["channel"],
        serde_json::Value::Null
    );
}
