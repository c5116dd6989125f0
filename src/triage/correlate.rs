//! Which issue a new message belongs to.
//!
//! The rule, from DESIGN.md: one CVE belongs to exactly one issue. A message
//! joins the issue of any CVE it names, else the issue of the thread it
//! replies to, else it opens a new issue. A message naming CVEs of two
//! different issues links them as related; only a person merges issues.
//!
//! Pure: the caller looks up what the store knows ([`Known`]) and applies the
//! returned [`Decision`].

use super::IssueId;
use std::collections::BTreeSet;

/// What the store already knows about the CVEs and thread of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// For each CVE the message names, the issue holding it, if any
    /// (merged issues already resolved to the survivor).
    pub cve_issues: Vec<(String, Option<IssueId>)>,
    /// The issues of the messages it replies to, closest ancestor first.
    pub thread_issues: Vec<IssueId>,
    /// The issues of already-stored messages that reply to this one (they
    /// arrived first), each with whether it is untouched: no CVEs, nobody
    /// has worked on it, so it exists only because the reply came first.
    pub child_issues: Vec<(IssueId, bool)>,
}

/// Where the message goes and what changes around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The issue the message joins, or `None` to open a new one.
    pub issue: Option<IssueId>,
    /// CVEs not yet held by any issue, to be attached to the target.
    pub new_cves: Vec<String>,
    /// Other issues to link to the target as related.
    pub related: Vec<IssueId>,
    /// Untouched issues opened by replies that arrived before this message:
    /// folded into the target, so a thread ends in one issue whatever order
    /// its messages arrive in.
    pub absorb: Vec<IssueId>,
}

/// Decides where one message goes. Deterministic: the oldest (lowest id)
/// issue among those its CVEs point at wins, so the outcome does not depend
/// on the order of CVEs in the text.
pub fn correlate(known: &Known) -> Decision {
    let cve_issues: BTreeSet<IssueId> = known.cve_issues.iter().filter_map(|(_, i)| *i).collect();
    let new_cves: Vec<String> = known
        .cve_issues
        .iter()
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| c.clone())
        .collect();
    let thread = known.thread_issues.first().copied();
    // A reply that arrived before its parent already opened the thread's
    // issue; with nothing else to go by, the parent joins it.
    let target = cve_issues
        .first()
        .copied()
        .or(thread)
        .or(known.child_issues.first().map(|(i, _)| *i));
    let mut related: BTreeSet<IssueId> = cve_issues.iter().copied().collect();
    if let Some(t) = thread {
        related.insert(t);
    }
    let mut absorb = BTreeSet::new();
    for (child, untouched) in &known.child_issues {
        if *untouched {
            absorb.insert(*child);
        } else {
            related.insert(*child);
        }
    }
    if let Some(t) = target {
        related.remove(&t);
        absorb.remove(&t);
    }
    for a in &absorb {
        related.remove(a);
    }
    Decision {
        issue: target,
        new_cves,
        related: related.into_iter().collect(),
        absorb: absorb.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(
        cves: &[(&str, Option<IssueId>)],
        thread: &[IssueId],
        children: &[(IssueId, bool)],
        expect: Expect,
    ) {
        let known = Known {
            cve_issues: cves.iter().map(|(c, i)| (c.to_string(), *i)).collect(),
            thread_issues: thread.to_vec(),
            child_issues: children.to_vec(),
        };
        let d = correlate(&known);
        expect.assert_eq(&format!(
            "issue={:?} new={:?} related={:?} absorb={:?}",
            d.issue, d.new_cves, d.related, d.absorb
        ));
    }

    #[test]
    fn unknown_cves_open_a_new_issue() {
        check(
            &[("CVE-2024-1", None)],
            &[],
            &[],
            expect![[r#"issue=None new=["CVE-2024-1"] related=[] absorb=[]"#]],
        );
    }

    #[test]
    fn known_cve_joins_its_issue_and_brings_new_cves() {
        check(
            &[("CVE-2024-1", Some(4)), ("CVE-2024-2", None)],
            &[],
            &[],
            expect![[r#"issue=Some(4) new=["CVE-2024-2"] related=[] absorb=[]"#]],
        );
    }

    #[test]
    fn reply_without_cve_joins_parent_issue() {
        check(
            &[],
            &[7, 3],
            &[],
            expect!["issue=Some(7) new=[] related=[] absorb=[]"],
        );
    }

    #[test]
    fn cves_of_two_issues_link_them_and_never_merge() {
        check(
            &[("CVE-2024-1", Some(9)), ("CVE-2024-2", Some(4))],
            &[],
            &[],
            expect!["issue=Some(4) new=[] related=[9] absorb=[]"],
        );
    }

    #[test]
    fn cve_wins_over_thread_and_thread_becomes_related() {
        check(
            &[("CVE-2024-1", Some(5))],
            &[2],
            &[],
            expect!["issue=Some(5) new=[] related=[2] absorb=[]"],
        );
    }

    #[test]
    fn parent_arriving_after_its_reply_joins_the_reply_issue() {
        check(
            &[("CVE-2024-1", None)],
            &[],
            &[(8, true)],
            expect![[r#"issue=Some(8) new=["CVE-2024-1"] related=[] absorb=[]"#]],
        );
    }

    #[test]
    fn parent_with_a_known_cve_absorbs_untouched_reply_issues() {
        check(
            &[("CVE-2024-1", Some(3))],
            &[],
            &[(8, true), (9, false)],
            expect!["issue=Some(3) new=[] related=[9] absorb=[8]"],
        );
    }
}
