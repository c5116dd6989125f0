//! Which issue a new message belongs to.
//!
//! The rule, from DESIGN.md: one CVE belongs to exactly one issue. A message
//! joins the issue of any CVE it names, else the issue of the thread it
//! replies to, else it opens a new issue. A message naming CVEs of two
//! different issues links them as related; only a person merges issues.
//!
//! Pure: the caller looks up what the store knows ([`Known`]) and applies the
//! returned [`Decision`].

use super::{IssueId, State};
use std::collections::BTreeSet;

/// Who ingest says it is in issue history (`mail::ingest` writes as it).
pub const INGEST_ACTOR: &str = "secdesk-ingest";

/// What the store knows about an issue opened by an already-stored message
/// that replies to the one being stored: everything that tells whether
/// anyone has worked on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// The issue.
    pub issue: IssueId,
    /// Its state.
    pub state: State,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// Who set its severity by hand.
    pub severity_set_by: Option<String>,
    /// Whether it holds any CVE.
    pub has_cves: bool,
    /// Whether it has notes.
    pub has_notes: bool,
    /// Whether any release has a status on it.
    pub has_release_status: bool,
    /// Everyone who appears in its history, in any order.
    pub history_actors: Vec<String>,
}

impl Child {
    /// A child issue exactly as ingest opened it, for tests and callers
    /// building facts by hand.
    pub fn fresh(issue: IssueId) -> Child {
        Child {
            issue,
            state: State::New,
            claimed_by: None,
            severity_set_by: None,
            has_cves: false,
            has_notes: false,
            has_release_status: false,
            history_actors: vec![INGEST_ACTOR.to_string()],
        }
    }
}

/// Whether a child issue is untouched: still `new`, no CVEs, and no human
/// action on it at all (no claim, severity, note, release status, or
/// history row by anyone but ingest). Such an issue exists only because
/// the reply arrived before its parent, so the parent may fold it in.
pub fn untouched(c: &Child) -> bool {
    c.state == State::New
        && c.claimed_by.is_none()
        && c.severity_set_by.is_none()
        && !c.has_cves
        && !c.has_notes
        && !c.has_release_status
        && c.history_actors.iter().all(|a| a == INGEST_ACTOR)
}

/// What the store already knows about the CVEs and thread of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// For each CVE the message names, the issue holding it, if any
    /// (merged issues already resolved to the survivor).
    pub cve_issues: Vec<(String, Option<IssueId>)>,
    /// The issues of the messages it replies to, closest ancestor first.
    pub thread_issues: Vec<IssueId>,
    /// The issues of already-stored messages that reply to this one (they
    /// arrived first), by id; [`untouched`] ones are folded in.
    pub child_issues: Vec<Child>,
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
        .or(known.child_issues.first().map(|c| c.issue));
    let mut related: BTreeSet<IssueId> = cve_issues.iter().copied().collect();
    if let Some(t) = thread {
        related.insert(t);
    }
    let mut absorb = BTreeSet::new();
    for child in &known.child_issues {
        if untouched(child) {
            absorb.insert(child.issue);
        } else {
            related.insert(child.issue);
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
            child_issues: children
                .iter()
                .map(|(i, untouched)| {
                    let mut c = Child::fresh(*i);
                    if !untouched {
                        c.claimed_by = Some("alice".into());
                    }
                    c
                })
                .collect(),
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

    fn touched_by(change: impl FnOnce(&mut Child)) -> bool {
        let mut c = Child::fresh(8);
        change(&mut c);
        untouched(&c)
    }

    #[test]
    fn a_child_as_ingest_opened_it_is_untouched() {
        assert!(touched_by(|_| {}));
        assert!(touched_by(|c| c.history_actors.clear()));
    }

    #[test]
    fn any_human_trace_makes_a_child_touched() {
        assert!(!touched_by(|c| c.state = State::Claimed));
        assert!(!touched_by(|c| c.claimed_by = Some("alice".into())));
        assert!(!touched_by(|c| c.severity_set_by = Some("alice".into())));
        assert!(!touched_by(|c| c.has_cves = true));
        assert!(!touched_by(|c| c.has_notes = true));
        assert!(!touched_by(|c| c.has_release_status = true));
        assert!(!touched_by(|c| c.history_actors.push("bob".into())));
    }
}
