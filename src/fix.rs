//! Fix tracking's decisions (issue 16): which scanned commit fixes which
//! CVE, what to propose for each release of an issue, whether a release's
//! channel holds its fix and since when, and which backports are missing.
//!
//! Everything here is data and `now` in, decisions out: the git shell
//! (`git`) runs the commands, `store::fix` keeps the results, and
//! `job::fix_track` and `app::fix` put them together. A proposal never
//! changes a status; only a person accepting it does (`app::fix::accept`,
//! through `app::issue::act`). Pure: no I/O, never reads the clock.

pub mod log;

use crate::time::{Instant, Span};
use crate::triage::{IssueId, ReleaseStatus};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The release whose branch is the development branch: a CVE fixed there
/// and not on a supported release is a missing backport.
pub const DEVELOPMENT: &str = "unstable";

/// One scanned commit that matters: it names a CVE (in its message or an
/// added file's name) or is a cherry-pick of another commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The full commit id (40 hex digits).
    pub id: String,
    /// The committer date (UTC).
    pub committed_at: Instant,
    /// The first line of the message, made one line.
    pub subject: String,
    /// The CVE ids it names, `CVE-YYYY-NNNN`, sorted.
    pub cves: BTreeSet<String>,
    /// The commit it was cherry-picked from (`cherry-pick -x` trailer).
    pub picked_from: Option<String>,
}

/// Adds every CVE id in `text` to `out`, as `CVE-YYYY-NNNN` (any case in
/// the text; four or more digits after the year). Linear in the text.
/// Commit messages and file names spell ids plainly, so this is a byte
/// scan rather than mail's normalising finder (`mail::cve`).
pub fn cves_in(text: &str, out: &mut BTreeSet<String>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let Some(at) = b[i..]
            .windows(4)
            .position(|w| w.eq_ignore_ascii_case(b"cve-"))
        else {
            return;
        };
        let start = i + at;
        // `xCVE-…` is not an id (`NOTCVE-2024-1234`), `_CVE-` and `/CVE-` are.
        let boundary = start == 0 || !b[start - 1].is_ascii_alphanumeric();
        let year_end = start + 8;
        let mut end = year_end + 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let ok = boundary
            && year_end < b.len()
            && b[start + 4..year_end].iter().all(u8::is_ascii_digit)
            && b[year_end] == b'-'
            && end - (year_end + 1) >= 4
            && b.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
        if ok {
            out.insert(format!(
                "CVE-{}-{}",
                &text[start + 4..year_end],
                &text[year_end + 1..end]
            ));
            i = end;
        } else {
            i = start + 4;
        }
    }
}

/// The commit a message says it was cherry-picked from: the last
/// `(cherry picked from commit <40 hex>)` line, as `git cherry-pick -x`
/// writes it (lower-cased).
pub fn picked_from(message: &str) -> Option<String> {
    message.lines().rev().find_map(|line| {
        let rest = line.trim().strip_prefix("(cherry picked from commit ")?;
        let id = rest.strip_suffix(')')?.trim();
        (id.len() == 40 && id.bytes().all(|c| c.is_ascii_hexdigit()))
            .then(|| id.to_ascii_lowercase())
    })
}

/// The commit a release's fix reference names, when it looks like one: 7
/// to 40 hex digits (`abc1234`, a full id). A PR URL or a version is not.
pub fn commit_ref(reference: &str) -> Option<&str> {
    let r = reference.trim();
    (r.len() >= 7 && r.len() <= 40 && r.bytes().all(|c| c.is_ascii_hexdigit())).then_some(r)
}

/// A commit proposed as the fix of one release of an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The full commit id.
    pub commit: String,
    /// The release's branch that holds it.
    pub branch: String,
    /// Its subject.
    pub subject: String,
    /// Its committer date (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub committed_at: Instant,
}

/// A scanned commit on a branch that fixes one of an issue's CVEs, by
/// naming it or by being a cherry-pick of a commit that does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The branch it is on.
    pub branch: String,
    /// The commit.
    pub commit: String,
    /// Its subject.
    pub subject: String,
    /// Its committer date.
    pub committed_at: Instant,
}

/// Per release of one issue, the commits to propose: those on the
/// release's branch (`branches`: release → branch), oldest first, one per
/// commit, leaving out the ones rejected for that release and the one the
/// release already records as its fix (by full id or a prefix of it).
/// Every release in `branches` gets an entry, empty when there is nothing.
pub fn proposals(
    branches: &BTreeMap<String, String>,
    candidates: &[Candidate],
    rejected: &BTreeSet<(String, String)>,
    recorded: &BTreeMap<String, (ReleaseStatus, Option<String>)>,
) -> BTreeMap<String, Vec<Proposal>> {
    let mut out = BTreeMap::new();
    for (release, branch) in branches {
        let fixed_by = recorded
            .get(release)
            .filter(|(s, _)| *s == ReleaseStatus::Fixed)
            .and_then(|(_, r)| r.as_deref())
            .and_then(commit_ref)
            .map(str::to_ascii_lowercase);
        let mut seen = BTreeSet::new();
        let mut list: Vec<Proposal> = candidates
            .iter()
            .filter(|c| &c.branch == branch)
            .filter(|c| !rejected.contains(&(release.clone(), c.commit.clone())))
            .filter(|c| fixed_by.as_ref().is_none_or(|f| !c.commit.starts_with(f)))
            .filter(|c| seen.insert(c.commit.clone()))
            .map(|c| Proposal {
                commit: c.commit.clone(),
                branch: c.branch.clone(),
                subject: c.subject.clone(),
                committed_at: c.committed_at,
            })
            .collect();
        list.sort_by(|a, b| (a.committed_at, &a.commit).cmp(&(b.committed_at, &b.commit)));
        out.insert(release.clone(), list);
    }
    out
}

/// One release fix whose channel is followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    /// The issue.
    pub issue: IssueId,
    /// Its title.
    pub title: String,
    /// The release.
    pub release: String,
    /// The fix commit (full id).
    pub commit: String,
    /// Its committer date, when known.
    pub committed_at: Option<Instant>,
    /// The channel's state.
    pub channel: Channel,
}

/// Whether a release's channel branch holds its fix, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// The channel branch (`nixos-26.05`).
    pub branch: String,
    /// Whether it contains the fix commit (an ancestor test).
    pub contains_fix: bool,
    /// The scan (`--now`) at which it was first seen to contain it.
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub since: Option<Instant>,
}

/// A channel's state after one scan: first seen containing the fix at
/// `now` unless it already was (`since` kept over later scans); a channel
/// no longer containing it (rewound) loses its `since`.
pub fn channel_after(
    previous: Option<&Channel>,
    branch: &str,
    contains: bool,
    now: Instant,
) -> Channel {
    let since = match (contains, previous) {
        (false, _) => None,
        (true, Some(p)) if p.contains_fix && p.branch == branch => p.since.or(Some(now)),
        (true, _) => Some(now),
    };
    Channel {
        branch: branch.to_string(),
        contains_fix: contains,
        since,
    }
}

/// One issue's facts a backport gap is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapFacts {
    /// The issue.
    pub issue: IssueId,
    /// Its title.
    pub title: String,
    /// When its fix landed on the development branch: the earliest
    /// committer date of a commit there naming one of its CVEs.
    pub fixed_at: Instant,
    /// That commit.
    pub commit: String,
    /// The CVE that commit names.
    pub cve: String,
    /// Each release's recorded status (a release not recorded is
    /// `unknown`).
    pub statuses: BTreeMap<String, ReleaseStatus>,
}

/// A missing backport: a CVE fixed on the development branch whose issue
/// has a supported release still `affected` or `unknown` for longer than
/// `backport_after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The issue.
    pub issue: IssueId,
    /// Its title.
    pub title: String,
    /// The CVE.
    pub cve: String,
    /// The release without the fix.
    pub release: String,
    /// Its status (`affected` or `unknown`).
    pub status: ReleaseStatus,
    /// The fix on the development branch.
    pub commit: String,
    /// When that fix was committed (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub fixed_at: Instant,
    /// How long the release has waited since.
    #[serde(skip)]
    pub waiting: Span,
}

/// The missing backports among `facts`, for the supported `releases`
/// (every configured release but [`DEVELOPMENT`]): a gap stays until
/// someone records `fixed`, `not-affected` or `wontfix` for the release.
/// In issue then release order.
pub fn backport_gaps(
    facts: &[GapFacts],
    releases: &[String],
    backport_after: Span,
    now: Instant,
) -> Vec<Gap> {
    let mut out = Vec::new();
    for f in facts {
        let waiting = crate::time::age(f.fixed_at, now);
        if waiting <= backport_after {
            continue;
        }
        for release in releases.iter().filter(|r| r.as_str() != DEVELOPMENT) {
            let status = f
                .statuses
                .get(release)
                .copied()
                .unwrap_or(ReleaseStatus::Unknown);
            if matches!(status, ReleaseStatus::Affected | ReleaseStatus::Unknown) {
                out.push(Gap {
                    issue: f.issue,
                    title: f.title.clone(),
                    cve: f.cve.clone(),
                    release: release.clone(),
                    status,
                    commit: f.commit.clone(),
                    fixed_at: f.fixed_at,
                    waiting,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.issue, &a.release).cmp(&(b.issue, &b.release)));
    out
}

/// A fix request the rules refuse (exit 2, nothing changed); reaches the
/// edge as `refusal::Refusal::Fix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No `fixes` section in the configuration.
    NotConfigured,
    /// The release has no branch in `fixes.branches`.
    NoBranch {
        /// The release asked for.
        release: String,
        /// The releases that have one.
        known: String,
    },
    /// Nothing is proposed for this release.
    NothingProposed {
        /// The issue.
        issue: IssueId,
        /// The release.
        release: String,
    },
    /// Several commits are proposed and none was named.
    Several {
        /// The issue.
        issue: IssueId,
        /// The release.
        release: String,
        /// The proposed commits, short.
        commits: String,
    },
    /// The commit named is not one of the proposals.
    NotProposed {
        /// The issue.
        issue: IssueId,
        /// The release.
        release: String,
        /// What was named.
        commit: String,
    },
    /// A rejection without a reason.
    NoReason,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotConfigured => write!(
                f,
                "fix tracking is not configured: add a `fixes` section (repo, branches, since) to the configuration"
            ),
            Refused::NoBranch { release, known } => write!(
                f,
                "release {release:?} has no branch in `fixes.branches` (releases with one: {known})"
            ),
            Refused::NothingProposed { issue, release } => write!(
                f,
                "#{issue} {release}: no commit is proposed; run secdesk-fix-track, or record it with `secdesk release-status {issue} {release} fixed --ref COMMIT`"
            ),
            Refused::Several {
                issue,
                release,
                commits,
            } => write!(
                f,
                "#{issue} {release}: several commits are proposed ({commits}); name one: `secdesk fix accept {issue} {release} COMMIT`"
            ),
            Refused::NotProposed {
                issue,
                release,
                commit,
            } => write!(
                f,
                "#{issue} {release}: {commit:?} is not a proposed commit (see `secdesk fix list {issue}`)"
            ),
            Refused::NoReason => write!(f, "a rejection needs a reason: --reason TEXT"),
        }
    }
}

/// Which of `proposals` a commit a person typed names: a prefix of at
/// least 7 hex digits of exactly one of them.
pub fn pick<'p>(proposals: &'p [Proposal], typed: &str) -> Option<&'p Proposal> {
    let typed = commit_ref(typed)?.to_ascii_lowercase();
    let mut hits = proposals.iter().filter(|p| p.commit.starts_with(&typed));
    let first = hits.next()?;
    hits.next().is_none().then_some(first)
}

/// The short form of a commit id people read (12 hex digits).
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(text: &str, expect: Expect) {
        let mut found = BTreeSet::new();
        cves_in(text, &mut found);
        let picked = picked_from(text);
        expect.assert_eq(&format!("{found:?} picked={picked:?}"));
    }

    #[test]
    fn cve_ids_in_messages_and_patch_names() {
        check(
            "openssl: add patch for CVE-2026-1234 and cve-2026-55555",
            expect![[r#"{"CVE-2026-1234", "CVE-2026-55555"} picked=None"#]],
        );
        check(
            "pkgs/by-name/li/libfoo/CVE-2026-0001.patch",
            expect![[r#"{"CVE-2026-0001"} picked=None"#]],
        );
        check(
            "NOTCVE-2026-1234 CVE-2026-12 CVE-20X6-1234 CVE-2026-1234x",
            expect![[r#"{} picked=None"#]],
        );
        check("CVE-", expect![[r#"{} picked=None"#]]);
        check(
            "x (CVE-2026-9999)\n\n(cherry picked from commit 0123456789ABCDEF0123456789abcdef01234567)\n",
            expect![[
                r#"{"CVE-2026-9999"} picked=Some("0123456789abcdef0123456789abcdef01234567")"#
            ]],
        );
    }

    #[test]
    fn arbitrary_text_never_panics() {
        for text in ["CVE-2026-", "cve-2026-1", "\u{fffd}CVE-é", "CVE-2026-1234"] {
            let mut out = BTreeSet::new();
            cves_in(text, &mut out);
            let _ = picked_from(text);
        }
    }

    fn at(day: u32) -> Instant {
        chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .expect("a valid date")
    }

    #[test]
    fn proposals_leave_out_rejected_and_recorded_commits() {
        let branches: BTreeMap<String, String> =
            [("26.05", "release-26.05"), ("unstable", "master")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .into();
        let cand = |branch: &str, commit: &str, day| Candidate {
            branch: branch.into(),
            commit: commit.into(),
            subject: format!("fix {commit}"),
            committed_at: at(day),
        };
        let candidates = vec![
            cand("master", "aaaa0001", 2),
            cand("release-26.05", "cccc", 4),
            cand("release-26.05", "bbbb", 3),
            cand("release-26.05", "bbbb", 3),
        ];
        let rejected = [("26.05".to_string(), "cccc".to_string())].into();
        let recorded = [(
            "unstable".to_string(),
            (ReleaseStatus::Fixed, Some("aaaa000".to_string())),
        )]
        .into();
        let got = proposals(&branches, &candidates, &rejected, &recorded);
        let shown: Vec<String> = got
            .iter()
            .map(|(r, ps)| {
                format!(
                    "{r}: {:?}",
                    ps.iter().map(|p| &p.commit).collect::<Vec<_>>()
                )
            })
            .collect();
        expect![[r#"["26.05: [\"bbbb\"]", "unstable: []"]"#]].assert_eq(&format!("{shown:?}"));
    }

    #[test]
    fn channel_since_is_the_first_scan_that_saw_the_fix() {
        let first = channel_after(None, "nixos-26.05", false, at(21));
        assert_eq!(first.since, None);
        let second = channel_after(Some(&first), "nixos-26.05", true, at(23));
        assert_eq!(second.since, Some(at(23)));
        let third = channel_after(Some(&second), "nixos-26.05", true, at(25));
        assert_eq!(third.since, Some(at(23)));
        let rewound = channel_after(Some(&third), "nixos-26.05", false, at(26));
        assert_eq!(rewound.since, None);
    }

    #[test]
    fn a_gap_needs_backport_after_to_pass_and_ends_with_a_decision() {
        let releases: Vec<String> = ["26.05", "26.11", "unstable"].map(String::from).to_vec();
        let facts = |statuses: &[(&str, ReleaseStatus)]| GapFacts {
            issue: 3,
            title: "libfoo".into(),
            fixed_at: at(1),
            commit: "aaaa".into(),
            cve: "CVE-2026-1234".into(),
            statuses: statuses.iter().map(|(r, s)| (r.to_string(), *s)).collect(),
        };
        let week = Span::hours(7 * 24);
        let f = facts(&[
            ("26.05", ReleaseStatus::Affected),
            ("unstable", ReleaseStatus::Fixed),
        ]);
        assert!(backport_gaps(std::slice::from_ref(&f), &releases, week, at(5)).is_empty());
        let gaps = backport_gaps(std::slice::from_ref(&f), &releases, week, at(9));
        let shown: Vec<String> = gaps
            .iter()
            .map(|g| format!("{} {}", g.release, g.status))
            .collect();
        assert_eq!(shown, ["26.05 affected", "26.11 unknown"]);
        let f = facts(&[
            ("26.05", ReleaseStatus::Fixed),
            ("26.11", ReleaseStatus::Wontfix),
        ]);
        assert!(backport_gaps(&[f], &releases, week, at(9)).is_empty());
    }
}
