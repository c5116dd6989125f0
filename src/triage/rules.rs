//! What a person may do to an issue, and what it changes.
//!
//! [`plan`] takes the issue's current [`Facts`], who asks, and the
//! [`Request`], and returns either the [`Plan`] (effects plus the history
//! rows describing them) or a [`Refused`] naming the rule. The store applies
//! a plan and its history in one transaction, then re-derives the state.
//! Pure: no I/O, no clock.

use super::{DismissReason, HistoryAction, IssueId, Refused, ReleaseStatus, Severity, State};
use std::collections::BTreeMap;

/// What is known about an issue when a request arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Its number.
    pub id: IssueId,
    /// Its current state.
    pub state: State,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// Who stays responsible until it is fixed (the on-call person who
    /// claimed it or handed it over).
    pub responsible: Option<String>,
    /// Status per release that has one.
    pub releases: BTreeMap<String, ReleaseStatus>,
    /// Whether it is related to the other issue of a `relate` request.
    pub related_to_other: bool,
}

/// A person's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Take the issue; `steal` gives the reason for taking it from someone.
    Claim {
        /// Why it is taken over from its holder, if it is.
        steal: Option<String>,
    },
    /// Give it back.
    Unclaim,
    /// Hand it to another member.
    Assign {
        /// The member who takes it.
        to: String,
    },
    /// Record a release's status.
    SetRelease {
        /// A release from the configuration.
        release: String,
        /// The status.
        status: ReleaseStatus,
        /// PR, commit or version (required for `fixed`).
        reference: Option<String>,
        /// Why (required for `wontfix`).
        reason: Option<String>,
    },
    /// Set the severity.
    Severity(Severity),
    /// Add a note.
    Note(String),
    /// Add a note the public site shows (`secdesk note ID --public`).
    PublicNote(String),
    /// Close without a fix.
    Dismiss {
        /// Why.
        reason: DismissReason,
        /// More words (required for `other`).
        text: Option<String>,
    },
    /// Open a dismissed or announced issue again.
    Reopen,
    /// Record that the fix was announced.
    Announce {
        /// Where (URL or advisory id).
        reference: String,
    },
    /// Link to another issue.
    Relate {
        /// The other issue (already resolved through merges).
        other: IssueId,
    },
    /// Fold this issue into another.
    Merge {
        /// The surviving issue.
        into: IssueId,
        /// The surviving issue's state.
        into_state: State,
    },
}

/// One change to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Set or clear the holder.
    Claim(Option<String>),
    /// Set or clear who stays responsible.
    Responsible(Option<String>),
    /// Record a release's status.
    Release {
        /// The release.
        release: String,
        /// Its status.
        status: ReleaseStatus,
        /// Fix reference.
        reference: Option<String>,
        /// Reason.
        reason: Option<String>,
    },
    /// Set the severity, as a person's word.
    Severity(Severity),
    /// Add a note.
    Note(String),
    /// Add a public note.
    PublicNote(String),
    /// Dismiss.
    Dismiss(DismissReason, Option<String>),
    /// Clear dismissal and announcement.
    Reopen,
    /// Mark announced.
    Announce(String),
    /// Link to another issue.
    Relate(IssueId),
    /// Fold into another issue.
    Merge(IssueId),
}

/// What a request does: effects, and the history rows that describe them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Changes, in order.
    pub effects: Vec<Effect>,
    /// `(action, detail)` history rows, one per change a person would name.
    pub history: Vec<(HistoryAction, String)>,
    /// Set when the request changes nothing (already so), with why.
    pub unchanged: Option<String>,
}

impl Plan {
    fn add(&mut self, effect: Effect, action: HistoryAction, detail: String) {
        self.effects.push(effect);
        self.history.push((action, detail));
    }

    fn nothing(why: String) -> Plan {
        Plan {
            unchanged: Some(why),
            ..Plan::default()
        }
    }
}

/// The context a request is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Supported releases, from the configuration.
    pub releases: &'a [String],
    /// Team member ids.
    pub members: &'a [String],
}

fn is_closed(state: State) -> bool {
    matches!(state, State::Dismissed | State::Announced)
}

fn closed(f: &Facts) -> Refused {
    Refused::Closed {
        issue: f.id,
        state: f.state,
    }
}

fn nonempty(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Checks a request against the rules and plans its changes: one function
/// per request below.
pub fn plan(f: &Facts, actor: &str, req: &Request, rules: Rules<'_>) -> Result<Plan, Refused> {
    match req {
        Request::Claim { steal } => claim(f, actor, steal.as_deref()),
        Request::Unclaim => unclaim(f, actor),
        Request::Assign { to } => assign(f, actor, to, rules),
        Request::SetRelease {
            release,
            status,
            reference,
            reason,
        } => set_release(f, actor, release, *status, reference, reason, rules),
        Request::Severity(level) => Ok(severity(*level)),
        Request::Note(text) => note(text, false),
        Request::PublicNote(text) => note(text, true),
        Request::Dismiss { reason, text } => dismiss(f, *reason, text),
        Request::Reopen => reopen(f),
        Request::Announce { reference } => announce(f, reference),
        Request::Relate { other } => relate(f, *other),
        Request::Merge { into, into_state } => merge(f, *into, *into_state),
    }
}

/// Take the issue, or take it over from its holder with a reason.
fn claim(f: &Facts, actor: &str, steal: Option<&str>) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if is_closed(f.state) {
        return Err(closed(f));
    }
    match (&f.claimed_by, steal) {
        (Some(by), _) if by == actor => {
            return Ok(Plan::nothing(format!(
                "issue #{} is already claimed by you",
                f.id
            )));
        }
        (Some(by), None) => {
            return Err(Refused::ClaimedBy {
                issue: f.id,
                by: by.clone(),
            });
        }
        (Some(by), Some(reason)) => {
            let reason =
                nonempty(&Some(reason.to_string())).ok_or(Refused::NeedsReason("--steal"))?;
            p.add(
                Effect::Claim(Some(actor.into())),
                HistoryAction::Claimed,
                format!("taken over from {by}: {reason}"),
            );
        }
        (None, _) => p.add(
            Effect::Claim(Some(actor.into())),
            HistoryAction::Claimed,
            String::new(),
        ),
    }
    if f.responsible.is_none() {
        p.effects.push(Effect::Responsible(Some(actor.into())));
    }
    Ok(p)
}

/// Give it back: only the holder, and only while it is not finished.
fn unclaim(f: &Facts, actor: &str) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    match &f.claimed_by {
        None => return Err(Refused::NotClaimed(f.id)),
        Some(by) if by != actor => {
            return Err(Refused::NotHolder {
                issue: f.id,
                by: by.clone(),
            });
        }
        Some(_) => {}
    }
    if matches!(f.state, State::Fixed | State::Announced | State::Dismissed) {
        return Err(Refused::Finished {
            issue: f.id,
            state: f.state,
        });
    }
    p.add(Effect::Claim(None), HistoryAction::Unclaimed, String::new());
    if f.responsible.as_deref() == Some(actor) {
        p.effects.push(Effect::Responsible(None));
    }
    Ok(p)
}

/// Hand it to another member; whoever was responsible stays so.
fn assign(f: &Facts, actor: &str, to: &str, rules: Rules<'_>) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if !rules.members.iter().any(|m| m == to) {
        return Err(Refused::NotAMember {
            name: to.to_string(),
            known: rules.members.join(", "),
        });
    }
    if is_closed(f.state) {
        return Err(closed(f));
    }
    if let Some(by) = &f.claimed_by
        && by != actor
    {
        return Err(Refused::NotHolder {
            issue: f.id,
            by: by.clone(),
        });
    }
    if f.claimed_by.as_deref() == Some(to) {
        return Ok(Plan::nothing(format!(
            "issue #{} is already held by {to}",
            f.id
        )));
    }
    let responsible = f.responsible.clone().unwrap_or_else(|| actor.to_string());
    p.add(
        Effect::Claim(Some(to.to_string())),
        HistoryAction::Assigned,
        format!("to {to}; {responsible} stays responsible until it is fixed"),
    );
    p.effects.push(Effect::Responsible(Some(responsible)));
    Ok(p)
}

/// Record a release's status; working an unclaimed issue claims it.
#[allow(clippy::too_many_arguments)]
fn set_release(
    f: &Facts,
    actor: &str,
    release: &str,
    status: ReleaseStatus,
    reference: &Option<String>,
    reason: &Option<String>,
    rules: Rules<'_>,
) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if !rules.releases.iter().any(|r| r == release) {
        return Err(Refused::UnknownRelease {
            release: release.to_string(),
            known: rules.releases.join(", "),
        });
    }
    if is_closed(f.state) {
        return Err(closed(f));
    }
    let reference = nonempty(reference);
    let reason = nonempty(reason);
    if status == ReleaseStatus::Fixed && reference.is_none() {
        return Err(Refused::NeedsRef);
    }
    if status == ReleaseStatus::Wontfix && reason.is_none() {
        return Err(Refused::NeedsReason("wontfix"));
    }
    if f.claimed_by.is_none() {
        // Whoever works an unclaimed issue holds it: no work without
        // a name on it.
        p.add(
            Effect::Claim(Some(actor.into())),
            HistoryAction::Claimed,
            "by recording a release status".into(),
        );
        if f.responsible.is_none() {
            p.effects.push(Effect::Responsible(Some(actor.into())));
        }
    }
    let mut detail = format!("{release}: {status}");
    if let Some(r) = &reference {
        detail.push_str(&format!(" ({r})"));
    }
    if let Some(r) = &reason {
        detail.push_str(&format!(": {r}"));
    }
    let previous = f
        .releases
        .get(release)
        .copied()
        .unwrap_or(ReleaseStatus::Unknown);
    if previous != status {
        detail = format!("{detail}, was {previous}");
    }
    p.add(
        Effect::Release {
            release: release.to_string(),
            status,
            reference,
            reason,
        },
        HistoryAction::ReleaseStatus,
        detail,
    );
    Ok(p)
}

/// A person's severity, which later mail never overrides.
fn severity(level: Severity) -> Plan {
    let mut p = Plan::default();
    p.add(
        Effect::Severity(level),
        HistoryAction::Severity,
        level.to_string(),
    );
    p
}

/// A note with some text; `public` ones are shown on the public site.
fn note(text: &str, public: bool) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    let text = nonempty(&Some(text.to_string())).ok_or(Refused::EmptyNote)?;
    let effect = if public {
        Effect::PublicNote(text.clone())
    } else {
        Effect::Note(text.clone())
    };
    p.add(effect, HistoryAction::Note, text);
    Ok(p)
}

/// Close without a fix; `other` needs words.
fn dismiss(f: &Facts, reason: DismissReason, text: &Option<String>) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if f.state == State::Dismissed {
        return Err(closed(f));
    }
    let text = nonempty(text);
    if reason == DismissReason::Other && text.is_none() {
        return Err(Refused::NeedsText);
    }
    let detail = match &text {
        Some(t) => format!("{reason}: {t}"),
        None => reason.to_string(),
    };
    p.add(
        Effect::Dismiss(reason, text),
        HistoryAction::Dismissed,
        detail,
    );
    Ok(p)
}

/// Open a dismissed or announced issue again.
fn reopen(f: &Facts) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if !is_closed(f.state) {
        return Err(Refused::NotClosed {
            issue: f.id,
            state: f.state,
        });
    }
    p.add(
        Effect::Reopen,
        HistoryAction::Reopened,
        format!("was {}", f.state),
    );
    Ok(p)
}

/// Record where the fix of a fixed issue was announced.
fn announce(f: &Facts, reference: &str) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if f.state != State::Fixed {
        return Err(Refused::NotFixed {
            issue: f.id,
            state: f.state,
        });
    }
    let reference = nonempty(&Some(reference.to_string())).ok_or(Refused::NeedsRef)?;
    p.add(
        Effect::Announce(reference.clone()),
        HistoryAction::Announced,
        reference,
    );
    Ok(p)
}

/// Link to another issue, once.
fn relate(f: &Facts, other: IssueId) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if other == f.id {
        return Err(Refused::SameIssue(f.id));
    }
    if f.related_to_other {
        return Ok(Plan::nothing(format!(
            "issues #{} and #{other} are already related",
            f.id
        )));
    }
    p.add(
        Effect::Relate(other),
        HistoryAction::Related,
        format!("#{other}"),
    );
    Ok(p)
}

/// Fold into another issue that is not dismissed.
fn merge(f: &Facts, into: IssueId, into_state: State) -> Result<Plan, Refused> {
    let mut p = Plan::default();
    if into == f.id {
        return Err(Refused::SameIssue(f.id));
    }
    if into_state == State::Dismissed {
        return Err(Refused::Closed {
            issue: into,
            state: into_state,
        });
    }
    p.effects.push(Effect::Merge(into));
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn facts(state: State, claimed_by: Option<&str>) -> Facts {
        Facts {
            id: 7,
            state,
            claimed_by: claimed_by.map(str::to_string),
            responsible: claimed_by.map(str::to_string),
            releases: BTreeMap::new(),
            related_to_other: false,
        }
    }

    fn check(f: &Facts, actor: &str, req: Request, expect: Expect) {
        let releases = vec!["25.05".to_string(), "unstable".to_string()];
        let members = vec!["alice".to_string(), "bob".to_string()];
        let rules = Rules {
            releases: &releases,
            members: &members,
        };
        let out = match plan(f, actor, &req, rules) {
            Ok(p) => match p.unchanged {
                Some(why) => format!("unchanged: {why}"),
                None => {
                    let history: Vec<(&str, &String)> =
                        p.history.iter().map(|(a, d)| (a.as_str(), d)).collect();
                    format!("{:?}\n{:?}", p.effects, history)
                }
            },
            Err(e) => format!("refused: {e}"),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn claim_by_another_is_refused_without_steal() {
        check(
            &facts(State::Claimed, Some("bob")),
            "alice",
            Request::Claim { steal: None },
            expect!["refused: issue #7 is claimed by bob; take it over with --steal --reason TEXT"],
        );
        check(
            &facts(State::Claimed, Some("bob")),
            "alice",
            Request::Claim {
                steal: Some("bob is on holiday".into()),
            },
            expect![[r#"
                [Claim(Some("alice"))]
                [("claimed", "taken over from bob: bob is on holiday")]"#]],
        );
    }

    #[test]
    fn claim_of_a_dismissed_issue_is_refused() {
        check(
            &facts(State::Dismissed, None),
            "alice",
            Request::Claim { steal: None },
            expect!["refused: issue #7 is dismissed; reopen it first"],
        );
    }

    #[test]
    fn fixed_needs_a_reference_and_wontfix_a_reason() {
        let f = facts(State::Claimed, Some("alice"));
        let set = |status, reference: Option<&str>, reason: Option<&str>| Request::SetRelease {
            release: "25.05".into(),
            status,
            reference: reference.map(str::to_string),
            reason: reason.map(str::to_string),
        };
        check(
            &f,
            "alice",
            set(ReleaseStatus::Fixed, None, None),
            expect!["refused: `fixed` needs --ref REF (a PR, commit or version)"],
        );
        check(
            &f,
            "alice",
            set(ReleaseStatus::Wontfix, None, Some(" ")),
            expect!["refused: wontfix needs --reason TEXT"],
        );
        check(
            &f,
            "alice",
            set(ReleaseStatus::Fixed, Some("PR #123"), None),
            expect![[r#"
                [Release { release: "25.05", status: Fixed, reference: Some("PR #123"), reason: None }]
                [("release-status", "25.05: fixed (PR #123), was unknown")]"#]],
        );
    }

    #[test]
    fn unknown_release_is_refused_naming_the_known_ones() {
        check(
            &facts(State::Claimed, Some("alice")),
            "alice",
            Request::SetRelease {
                release: "24.11".into(),
                status: ReleaseStatus::Affected,
                reference: None,
                reason: None,
            },
            expect!["refused: unknown release \"24.11\", expected one of 25.05, unstable"],
        );
    }

    #[test]
    fn release_status_on_unclaimed_issue_claims_it() {
        check(
            &facts(State::New, None),
            "bob",
            Request::SetRelease {
                release: "unstable".into(),
                status: ReleaseStatus::Affected,
                reference: None,
                reason: None,
            },
            expect![[r#"
                [Claim(Some("bob")), Responsible(Some("bob")), Release { release: "unstable", status: Affected, reference: None, reason: None }]
                [("claimed", "by recording a release status"), ("release-status", "unstable: affected, was unknown")]"#]],
        );
    }

    #[test]
    fn assign_hands_over_and_keeps_the_responsible_person() {
        check(
            &facts(State::Claimed, Some("alice")),
            "alice",
            Request::Assign { to: "bob".into() },
            expect![[r#"
                [Claim(Some("bob")), Responsible(Some("alice"))]
                [("assigned", "to bob; alice stays responsible until it is fixed")]"#]],
        );
        check(
            &facts(State::Claimed, Some("alice")),
            "alice",
            Request::Assign { to: "zed".into() },
            expect!["refused: \"zed\" is not a team member (members: alice, bob)"],
        );
    }

    #[test]
    fn reopen_only_closed_issues() {
        check(
            &facts(State::Claimed, Some("alice")),
            "alice",
            Request::Reopen,
            expect!["refused: issue #7 is claimed, not dismissed or announced"],
        );
        check(
            &facts(State::Dismissed, None),
            "alice",
            Request::Reopen,
            expect![[r#"
                [Reopen]
                [("reopened", "was dismissed")]"#]],
        );
    }
}
