//! The process as a checklist, and the runbooks that apply to an issue.
//!
//! The on-call process for one issue: claim it, check each supported
//! release, get a patch or backport for each affected release, draft the
//! advisory. [`checklist`] says which steps are done; `show` prints it so
//! nobody has to remember the process. Pure.

use super::{ReleaseStatus, State};
use crate::config::Runbook;
use serde::Serialize;
use std::collections::BTreeMap;

/// One step and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The step, in words.
    pub item: String,
    /// Whether it is done.
    pub done: bool,
}

/// The steps for an issue, given its state, holder and release statuses
/// (`releases` in configuration order; missing statuses are unknown).
pub fn checklist(
    state: State,
    claimed: bool,
    releases: &[String],
    statuses: &BTreeMap<String, ReleaseStatus>,
) -> Vec<Step> {
    if state == State::Dismissed {
        return vec![Step {
            item: "dismissed: nothing left to do".into(),
            done: true,
        }];
    }
    let status = |r: &str| statuses.get(r).copied().unwrap_or(ReleaseStatus::Unknown);
    let mut steps = vec![Step {
        item: "claim it".into(),
        done: claimed,
    }];
    for r in releases {
        steps.push(Step {
            item: format!("check {r}"),
            done: status(r) != ReleaseStatus::Unknown,
        });
    }
    for r in releases {
        let s = status(r);
        if matches!(
            s,
            ReleaseStatus::Affected | ReleaseStatus::Fixed | ReleaseStatus::Wontfix
        ) {
            steps.push(Step {
                item: format!("patch or backport for {r}"),
                done: s != ReleaseStatus::Affected,
            });
        }
    }
    let nothing_affected = releases
        .iter()
        .all(|r| matches!(status(r), ReleaseStatus::NotAffected));
    if nothing_affected && !releases.is_empty() {
        steps.push(Step {
            item: "no release is affected: dismiss it (not-packaged or not-a-vulnerability)".into(),
            done: false,
        });
    } else {
        steps.push(Step {
            item: "draft and send the advisory".into(),
            done: state == State::Announced,
        });
    }
    steps
}

/// The runbooks whose match terms name one of the packages or a word of the
/// title (case-insensitive), in configuration order.
pub fn runbooks<'a>(all: &'a [Runbook], title: &str, packages: &[String]) -> Vec<&'a Runbook> {
    let title_words: Vec<String> = title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '_' && c != '.')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let packages: Vec<String> = packages.iter().map(|p| p.to_lowercase()).collect();
    all.iter()
        .filter(|rb| {
            rb.matches.iter().any(|m| {
                let m = m.to_lowercase();
                packages.contains(&m) || title_words.contains(&m)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(state: State, claimed: bool, statuses: &[(&str, ReleaseStatus)], expect: Expect) {
        let releases = vec!["25.05".to_string(), "unstable".to_string()];
        let map = statuses.iter().map(|(r, s)| (r.to_string(), *s)).collect();
        let out: Vec<String> = checklist(state, claimed, &releases, &map)
            .iter()
            .map(|s| format!("[{}] {}", if s.done { "x" } else { " " }, s.item))
            .collect();
        expect.assert_eq(&out.join("\n"));
    }

    #[test]
    fn affected_release_needs_a_patch() {
        check(
            State::Triaged,
            true,
            &[
                ("25.05", ReleaseStatus::NotAffected),
                ("unstable", ReleaseStatus::Affected),
            ],
            expect![[r#"
                [x] claim it
                [x] check 25.05
                [x] check unstable
                [ ] patch or backport for unstable
                [ ] draft and send the advisory"#]],
        );
    }

    #[test]
    fn new_issue_has_everything_open() {
        check(
            State::New,
            false,
            &[],
            expect![[r#"
                [ ] claim it
                [ ] check 25.05
                [ ] check unstable
                [ ] draft and send the advisory"#]],
        );
    }

    #[test]
    fn runbooks_match_packages_and_title_words() {
        let rb = |m: &str| Runbook {
            matches: vec![m.into()],
            url: format!("https://wiki/{m}"),
            title: None,
        };
        let all = vec![rb("openssl"), rb("kernel"), rb("perl")];
        let hit = runbooks(&all, "Linux kernel: use-after-free", &["openssl".into()]);
        let urls: Vec<&str> = hit.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["https://wiki/openssl", "https://wiki/kernel"]);
    }
}
