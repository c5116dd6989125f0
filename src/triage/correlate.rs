//! Which issue a new message belongs to, and why.
//!
//! The rule, from DESIGN.md, refined by what real disclosures look like:
//! one CVE id, and one advisory id (XSA-215, DSA-5678-1, RHSA-…), belongs
//! to exactly one issue. A message joins the issue of a CVE or advisory id
//! it is *about* (in its subject, assigned in it, an advisory's own list, a
//! disclosure it forwards), else the issue of the thread it replies to,
//! else it opens a new issue. The CVEs a message only *cites* ("similar to
//! CVE-…", "the fix for CVE-… introduced …") never pull it into their issue
//! and are never attached to its issue: the issues holding them become
//! related to its issue, and the message keeps them (every id it names is
//! stored with it, for search). So a new flaw citing an old CVE opens its
//! own issue, related to the old one, and a re-post or a new revision of an
//! advisory joins the issue of its first post. A message naming ids of two
//! different issues links them as related; only a person merges issues.
//!
//! Pure: the caller looks up what the store knows ([`Known`]) and applies the
//! returned [`Decision`], which says why the message joined ([`JoinedBy`]).

use super::{IssueId, State};
use std::collections::{BTreeMap, BTreeSet};

/// Who ingest says it is in issue history (`mail::ingest` writes as it).
pub const INGEST_ACTOR: &str = "secdesk-ingest";

super::words! {
    /// Why a message is in its issue, stored with the message and shown in
    /// `show`'s timeline (the `joined_by` key of a `--json` timeline row).
    JoinedBy {
        /// It opened the issue: nothing it is about, and no thread, was known.
        Opened = "opened",
        /// It opened the issue, although it cites CVEs other issues hold: a
        /// new thread only citing them is a new disclosure, related to those.
        OpenedCiting = "opened-citing",
        /// A CVE in its subject is the issue's.
        CveInSubject = "cve-in-subject",
        /// An advisory id it carries (XSA-215, DSA-5678-1, …) is the issue's.
        AdvisoryId = "advisory-id",
        /// A CVE it is about (its body: assigned, listed, forwarded) is the
        /// issue's.
        Cve = "cve",
        /// It replies to a message of the issue, or a message of the issue
        /// replies to it (the reply arrived first).
        Thread = "thread",
        /// It is another copy of a stored Message-ID (the same message
        /// through another list): it goes where its first copy is.
        Copy = "copy",
    }
}

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
    /// Whether it holds any advisory id.
    pub has_advisory_ids: bool,
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
            has_advisory_ids: false,
            has_notes: false,
            has_release_status: false,
            history_actors: vec![INGEST_ACTOR.to_string()],
        }
    }
}

/// Whether a child issue is untouched: still `new`, no CVEs and no advisory
/// ids, and no human action on it at all (no claim, severity, note, release
/// status, or history row by anyone but ingest). Such an issue exists only
/// because the reply arrived before its parent, so the parent may fold it in.
pub fn untouched(c: &Child) -> bool {
    c.state == State::New
        && c.claimed_by.is_none()
        && c.severity_set_by.is_none()
        && !c.has_cves
        && !c.has_advisory_ids
        && !c.has_notes
        && !c.has_release_status
        && c.history_actors.iter().all(|a| a == INGEST_ACTOR)
}

/// What the store already knows about the ids and thread of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// For each CVE the message is *about*, the issue holding it, if any
    /// (merged issues already resolved to the survivor).
    pub cve_issues: Vec<(String, Option<IssueId>)>,
    /// Which of those CVEs its subject names.
    pub subject_cves: Vec<String>,
    /// For each advisory id it is about, the issue holding it, if any
    /// (resolved to the survivor).
    pub advisory_issues: Vec<(String, Option<IssueId>)>,
    /// For each CVE it only *cites*, the issue holding it, if any.
    pub cited_issues: Vec<(String, Option<IssueId>)>,
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
    /// Why it joins that issue (or opens one).
    pub joined_by: JoinedBy,
    /// CVEs it is about that no issue holds yet, to be attached to the
    /// target. Cited CVEs are never attached.
    pub new_cves: Vec<String>,
    /// Advisory ids no issue holds yet, to be attached to the target.
    pub new_advisory_ids: Vec<String>,
    /// Other issues to link to the target as related.
    pub related: Vec<IssueId>,
    /// Untouched issues opened by replies that arrived before this message:
    /// folded into the target, so a thread ends in one issue whatever order
    /// its messages arrive in.
    pub absorb: Vec<IssueId>,
}

/// Decides where one message goes. Deterministic: the oldest (lowest id)
/// issue among those its CVEs and advisory ids point at wins, so the
/// outcome does not depend on the order of ids in the text. When several
/// ids point at the winner, the reason is the strongest of them: a CVE in
/// the subject, then an advisory id, then a CVE in the body.
pub fn correlate(known: &Known) -> Decision {
    // The best reason that points at each issue the message is about.
    let mut about: BTreeMap<IssueId, JoinedBy> = BTreeMap::new();
    let mut point = |issue: IssueId, why: JoinedBy| {
        let e = about.entry(issue).or_insert(why);
        if strength(why) > strength(*e) {
            *e = why;
        }
    };
    for (cve, issue) in &known.cve_issues {
        if let Some(i) = issue {
            let why = if known.subject_cves.contains(cve) {
                JoinedBy::CveInSubject
            } else {
                JoinedBy::Cve
            };
            point(*i, why);
        }
    }
    for (_, issue) in &known.advisory_issues {
        if let Some(i) = issue {
            point(*i, JoinedBy::AdvisoryId);
        }
    }
    let unheld = |ids: &[(String, Option<IssueId>)]| -> Vec<String> {
        let set: BTreeSet<&String> = ids
            .iter()
            .filter(|(_, i)| i.is_none())
            .map(|(c, _)| c)
            .collect();
        set.into_iter().cloned().collect()
    };
    // An id both about and cited counts as about.
    let about_cves: BTreeSet<&String> = known.cve_issues.iter().map(|(c, _)| c).collect();
    let cited: BTreeSet<IssueId> = known
        .cited_issues
        .iter()
        .filter(|(c, _)| !about_cves.contains(c))
        .filter_map(|(_, i)| *i)
        .collect();
    let thread = known.thread_issues.first().copied();
    // A reply that arrived before its parent already opened the thread's
    // issue; with nothing else to go by, the parent joins it.
    let (target, joined_by) = match about.iter().next() {
        Some((issue, why)) => (Some(*issue), *why),
        None => match thread.or(known.child_issues.first().map(|c| c.issue)) {
            Some(issue) => (Some(issue), JoinedBy::Thread),
            None if cited.is_empty() => (None, JoinedBy::Opened),
            None => (None, JoinedBy::OpenedCiting),
        },
    };
    let mut related: BTreeSet<IssueId> = about.keys().copied().collect();
    related.extend(cited.iter().copied());
    related.extend(thread);
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
        joined_by,
        new_cves: unheld(&known.cve_issues),
        new_advisory_ids: unheld(&known.advisory_issues),
        related: related.into_iter().collect(),
        absorb: absorb.into_iter().collect(),
    }
}

/// How strongly a reason ties a message to an issue, for picking the one
/// `show` names when several ids point at the same issue.
fn strength(why: JoinedBy) -> u8 {
    match why {
        JoinedBy::CveInSubject => 3,
        JoinedBy::AdvisoryId => 2,
        JoinedBy::Cve => 1,
        JoinedBy::Opened | JoinedBy::OpenedCiting | JoinedBy::Thread | JoinedBy::Copy => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    /// One message's facts, as the store would look them up.
    #[derive(Default)]
    struct Msg<'a> {
        /// CVEs it is about, with the issue holding each.
        about: &'a [(&'a str, Option<IssueId>)],
        /// Which of those its subject names.
        subject: &'a [&'a str],
        /// Advisory ids it is about, with the issue holding each.
        advisories: &'a [(&'a str, Option<IssueId>)],
        /// CVEs it only cites, with the issue holding each.
        cited: &'a [(&'a str, Option<IssueId>)],
        /// Issues of the thread it replies to, closest first.
        thread: &'a [IssueId],
        /// Issues of replies that arrived first, and whether untouched.
        children: &'a [(IssueId, bool)],
    }

    fn check(m: Msg<'_>, expect: Expect) {
        let ids = |v: &[(&str, Option<IssueId>)]| -> Vec<(String, Option<IssueId>)> {
            v.iter().map(|(c, i)| (c.to_string(), *i)).collect()
        };
        let known = Known {
            cve_issues: ids(m.about),
            subject_cves: m.subject.iter().map(|c| c.to_string()).collect(),
            advisory_issues: ids(m.advisories),
            cited_issues: ids(m.cited),
            thread_issues: m.thread.to_vec(),
            child_issues: m
                .children
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
            "issue={:?} by={} new={:?} advisories={:?} related={:?} absorb={:?}",
            d.issue, d.joined_by, d.new_cves, d.new_advisory_ids, d.related, d.absorb
        ));
    }

    #[test]
    fn unknown_cves_open_a_new_issue() {
        check(
            Msg {
                about: &[("CVE-2024-1", None)],
                ..Msg::default()
            },
            expect![[
                r#"issue=None by=opened new=["CVE-2024-1"] advisories=[] related=[] absorb=[]"#
            ]],
        );
    }

    #[test]
    fn known_cve_joins_its_issue_and_brings_new_cves() {
        check(
            Msg {
                about: &[("CVE-2024-1", Some(4)), ("CVE-2024-2", None)],
                ..Msg::default()
            },
            expect![[
                r#"issue=Some(4) by=cve new=["CVE-2024-2"] advisories=[] related=[] absorb=[]"#
            ]],
        );
    }

    #[test]
    fn reply_without_cve_joins_parent_issue() {
        check(
            Msg {
                thread: &[7, 3],
                ..Msg::default()
            },
            expect!["issue=Some(7) by=thread new=[] advisories=[] related=[] absorb=[]"],
        );
    }

    #[test]
    fn cves_of_two_issues_link_them_and_never_merge() {
        check(
            Msg {
                about: &[("CVE-2024-1", Some(9)), ("CVE-2024-2", Some(4))],
                ..Msg::default()
            },
            expect!["issue=Some(4) by=cve new=[] advisories=[] related=[9] absorb=[]"],
        );
    }

    #[test]
    fn cve_wins_over_thread_and_thread_becomes_related() {
        check(
            Msg {
                about: &[("CVE-2024-1", Some(5))],
                thread: &[2],
                ..Msg::default()
            },
            expect!["issue=Some(5) by=cve new=[] advisories=[] related=[2] absorb=[]"],
        );
    }

    #[test]
    fn parent_arriving_after_its_reply_joins_the_reply_issue() {
        check(
            Msg {
                about: &[("CVE-2024-1", None)],
                children: &[(8, true)],
                ..Msg::default()
            },
            expect![[
                r#"issue=Some(8) by=thread new=["CVE-2024-1"] advisories=[] related=[] absorb=[]"#
            ]],
        );
    }

    #[test]
    fn parent_with_a_known_cve_absorbs_untouched_reply_issues() {
        check(
            Msg {
                about: &[("CVE-2024-1", Some(3))],
                children: &[(8, true), (9, false)],
                ..Msg::default()
            },
            expect!["issue=Some(3) by=cve new=[] advisories=[] related=[9] absorb=[8]"],
        );
    }

    #[test]
    fn cve_in_the_subject_is_named_as_the_reason() {
        check(
            Msg {
                about: &[("CVE-2024-1", Some(3)), ("CVE-2024-2", Some(3))],
                subject: &["CVE-2024-2"],
                ..Msg::default()
            },
            expect!["issue=Some(3) by=cve-in-subject new=[] advisories=[] related=[] absorb=[]"],
        );
    }

    #[test]
    fn first_post_of_an_advisory_opens_an_issue_holding_its_id() {
        check(
            Msg {
                advisories: &[("XSA-900", None)],
                ..Msg::default()
            },
            expect![[r#"issue=None by=opened new=[] advisories=["XSA-900"] related=[] absorb=[]"#]],
        );
    }

    #[test]
    fn later_revision_joins_the_advisory_issue_and_brings_its_new_cve() {
        check(
            Msg {
                about: &[("CVE-2031-5555", None)],
                advisories: &[("XSA-900", Some(6))],
                ..Msg::default()
            },
            expect![[
                r#"issue=Some(6) by=advisory-id new=["CVE-2031-5555"] advisories=[] related=[] absorb=[]"#
            ]],
        );
    }

    #[test]
    fn advisory_id_beats_a_body_cve_of_the_same_issue_as_the_reason() {
        check(
            Msg {
                about: &[("CVE-2031-5555", Some(6))],
                advisories: &[("DSA-9999-1", Some(6))],
                ..Msg::default()
            },
            expect!["issue=Some(6) by=advisory-id new=[] advisories=[] related=[] absorb=[]"],
        );
    }

    #[test]
    fn advisory_and_cve_of_two_issues_join_the_older_and_relate_the_other() {
        check(
            Msg {
                about: &[("CVE-2031-5555", Some(2))],
                subject: &["CVE-2031-5555"],
                advisories: &[("DSA-9999-1", Some(6))],
                ..Msg::default()
            },
            expect!["issue=Some(2) by=cve-in-subject new=[] advisories=[] related=[6] absorb=[]"],
        );
        check(
            Msg {
                about: &[("CVE-2031-5555", Some(6))],
                advisories: &[("DSA-9999-1", Some(2))],
                ..Msg::default()
            },
            expect!["issue=Some(2) by=advisory-id new=[] advisories=[] related=[6] absorb=[]"],
        );
    }

    #[test]
    fn new_thread_only_citing_a_known_cve_opens_its_own_issue_related_to_it() {
        check(
            Msg {
                about: &[("CVE-2031-0002", None)],
                cited: &[("CVE-2012-0001", Some(4))],
                ..Msg::default()
            },
            expect![[
                r#"issue=None by=opened-citing new=["CVE-2031-0002"] advisories=[] related=[4] absorb=[]"#
            ]],
        );
        check(
            Msg {
                cited: &[("CVE-2012-0001", Some(4)), ("CVE-2012-0009", Some(1))],
                ..Msg::default()
            },
            expect!["issue=None by=opened-citing new=[] advisories=[] related=[1, 4] absorb=[]"],
        );
    }

    #[test]
    fn a_cited_cve_nobody_holds_is_never_attached() {
        check(
            Msg {
                cited: &[("CVE-2012-0001", None)],
                ..Msg::default()
            },
            expect!["issue=None by=opened new=[] advisories=[] related=[] absorb=[]"],
        );
        check(
            Msg {
                about: &[("CVE-2031-0002", Some(3))],
                cited: &[("CVE-2012-0001", None)],
                ..Msg::default()
            },
            expect!["issue=Some(3) by=cve new=[] advisories=[] related=[] absorb=[]"],
        );
    }

    #[test]
    fn reply_citing_another_issue_joins_its_thread_and_relates_the_cited_issue() {
        check(
            Msg {
                cited: &[("CVE-2012-0001", Some(2))],
                thread: &[7],
                ..Msg::default()
            },
            expect!["issue=Some(7) by=thread new=[] advisories=[] related=[2] absorb=[]"],
        );
    }

    #[test]
    fn a_cve_both_about_and_cited_counts_as_about() {
        check(
            Msg {
                about: &[("CVE-2012-0001", Some(2))],
                cited: &[("CVE-2012-0001", Some(2))],
                ..Msg::default()
            },
            expect!["issue=Some(2) by=cve new=[] advisories=[] related=[] absorb=[]"],
        );
    }

    #[test]
    fn citing_parent_arriving_after_its_reply_joins_the_reply_issue() {
        check(
            Msg {
                cited: &[("CVE-2012-0001", Some(2))],
                children: &[(8, true)],
                ..Msg::default()
            },
            expect!["issue=Some(8) by=thread new=[] advisories=[] related=[2] absorb=[]"],
        );
    }

    #[test]
    fn the_reason_words_are_stable() {
        expect!["opened, opened-citing, cve-in-subject, advisory-id, cve, thread, copy"]
            .assert_eq(&JoinedBy::expected());
        for j in JoinedBy::ALL {
            assert_eq!(JoinedBy::parse(j.as_str()), Some(*j));
        }
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
        assert!(!touched_by(|c| c.has_advisory_ids = true));
        assert!(!touched_by(|c| c.has_notes = true));
        assert!(!touched_by(|c| c.has_release_status = true));
        assert!(!touched_by(|c| c.history_actors.push("bob".into())));
    }
}
