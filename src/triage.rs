//! Issues and the rules of working them: severities, states, per-release
//! status, correlation of messages into issues.
//!
//! Invariant: triage does no I/O and never reads the clock. The store loads
//! facts, these functions decide, the store writes the outcome.

pub mod checklist;
pub mod correlate;
pub mod rules;

use crate::time::Instant;
use serde::Serialize;
use std::fmt;

/// An issue's number, as people type it (`secdesk show 12`).
pub type IssueId = i64;

/// One issue as lists of issues show it (report sections, handoffs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brief {
    /// Its number.
    pub id: IssueId,
    /// Its title.
    pub title: String,
    /// Its state.
    pub state: State,
    /// Who holds it.
    pub claimed_by: Option<String>,
    /// When it was opened.
    pub created_at: Instant,
    /// When it was claimed (current claim).
    pub claimed_at: Option<Instant>,
    /// When it became fixed.
    pub fixed_at: Option<Instant>,
}

macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable word for this value (CLI, database, `--json`).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Reads the stable word back.
            pub fn parse(word: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == word)
            }

            /// The words, for "expected one of …" messages.
            pub fn expected() -> String {
                $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

words! {
    /// How bad an issue is, on one scale for every source (Red Hat's
    /// "Important" and SUSE's "important" are `high`).
    Severity {
        /// Little or no impact.
        Low = "low",
        /// Worth fixing in the normal course.
        Medium = "medium",
        /// Fix soon.
        High = "high",
        /// Fix now; may warrant the Bat-Signal.
        Critical = "critical",
    }
}

words! {
    /// Where an issue stands. Follows from the facts (see [`derive_state`]);
    /// nobody sets `triaged` or `fixed` by hand.
    State {
        /// Nobody has claimed it.
        New = "new",
        /// Someone holds it; not every release has a status yet.
        Claimed = "claimed",
        /// Every supported release has a status.
        Triaged = "triaged",
        /// Every affected release has a fix reference.
        Fixed = "fixed",
        /// The fix has been announced.
        Announced = "announced",
        /// Closed without a fix, with a reason.
        Dismissed = "dismissed",
    }
}

words! {
    /// One supported release's standing on one issue.
    ReleaseStatus {
        /// Nobody has checked yet.
        Unknown = "unknown",
        /// Vulnerable and not yet fixed.
        Affected = "affected",
        /// Checked: not vulnerable.
        NotAffected = "not-affected",
        /// Fixed, with a reference (PR, commit or version).
        Fixed = "fixed",
        /// Will not be fixed, with a reason.
        Wontfix = "wontfix",
    }
}

words! {
    /// Why an issue was closed without a fix.
    DismissReason {
        /// The software is not in the distribution.
        NotPackaged = "not-packaged",
        /// Not a security problem.
        NotAVulnerability = "not-a-vulnerability",
        /// Embargoed: out of scope for the public process.
        Embargoed = "embargoed",
        /// Another issue covers it.
        Duplicate = "duplicate",
        /// Anything else (the text says what).
        Other = "other",
    }
}

/// A request the rules refuse. Nothing changes; the CLI prints the message
/// as one line and exits 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// No issue has this number.
    #[error("issue #{0} does not exist")]
    NoSuchIssue(IssueId),
    /// The name given is not in `team`.
    #[error("{name:?} is not a team member (members: {known})")]
    NotAMember {
        /// The name given.
        name: String,
        /// The member ids.
        known: String,
    },
    /// Nobody could be identified to act as.
    #[error(
        "who are you? pass --as MEMBER, set $SECDESK_USER, or map your Unix user with team[].unix_user"
    )]
    NoIdentity,
    /// Someone else holds the issue.
    #[error("issue #{issue} is claimed by {by}; take it over with --steal --reason TEXT")]
    ClaimedBy {
        /// The issue.
        issue: IssueId,
        /// Its holder.
        by: String,
    },
    /// Nobody holds the issue.
    #[error("issue #{0} is not claimed")]
    NotClaimed(IssueId),
    /// Only the holder may do this.
    #[error(
        "issue #{issue} is held by {by}; only {by} can do that (or take it over with claim --steal --reason TEXT)"
    )]
    NotHolder {
        /// The issue.
        issue: IssueId,
        /// Its holder.
        by: String,
    },
    /// The issue is closed.
    #[error("issue #{issue} is {state}; reopen it first")]
    Closed {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// The issue is finished; its holder stays on record.
    #[error("issue #{issue} is {state}; a finished issue keeps its holder")]
    Finished {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// The release is not in the configuration.
    #[error("unknown release {release:?}, expected one of {known}")]
    UnknownRelease {
        /// The release given.
        release: String,
        /// The configured releases.
        known: String,
    },
    /// `fixed` without a reference.
    #[error("`fixed` needs --ref REF (a PR, commit or version)")]
    NeedsRef,
    /// A request that needs a reason got none.
    #[error("{0} needs --reason TEXT")]
    NeedsReason(&'static str),
    /// `dismiss --reason other` without text.
    #[error("dismiss --reason other needs --text TEXT")]
    NeedsText,
    /// A note without text.
    #[error("a note needs some text")]
    EmptyNote,
    /// Reopening an issue that is not closed.
    #[error("issue #{issue} is {state}, not dismissed or announced")]
    NotClosed {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// Announcing an issue that is not fixed.
    #[error("issue #{issue} is {state}; only a fixed issue can be announced")]
    NotFixed {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// Relating or merging an issue with itself.
    #[error("issue #{0} cannot be related to or merged into itself")]
    SameIssue(IssueId),
    /// A word the CLI does not know (status, severity, reason).
    #[error("unknown {what} {got:?}, expected one of {expected}")]
    UnknownWord {
        /// What kind of word.
        what: &'static str,
        /// The word given.
        got: String,
        /// The words allowed.
        expected: String,
    },
}

/// Reads one of the CLI's words (`fixed`, `high`, `not-packaged`), or
/// refuses naming the allowed ones.
pub fn word<T>(
    what: &'static str,
    got: &str,
    parse: fn(&str) -> Option<T>,
    expected: String,
) -> Result<T, Refused> {
    parse(got).ok_or_else(|| Refused::UnknownWord {
        what,
        got: got.to_string(),
        expected,
    })
}

/// Who is acting: `--as`, else `$SECDESK_USER`, else the Unix user mapped
/// with `team[].unix_user`. The name must be a team member.
pub fn identify(
    team: &[crate::config::Member],
    as_flag: Option<&str>,
    env_user: Option<&str>,
    unix_user: Option<&str>,
) -> Result<String, Refused> {
    let known = || {
        team.iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let given = as_flag.or(env_user).filter(|s| !s.is_empty());
    if let Some(name) = given {
        return match team.iter().find(|m| m.id == name) {
            Some(m) => Ok(m.id.clone()),
            None => Err(Refused::NotAMember {
                name: name.to_string(),
                known: known(),
            }),
        };
    }
    if let Some(login) = unix_user
        && let Some(m) = team.iter().find(|m| m.unix_user.as_deref() == Some(login))
    {
        return Ok(m.id.clone());
    }
    Err(Refused::NoIdentity)
}

impl State {
    /// Whether the issue still needs work (shows in reports and handoffs).
    pub fn is_open(self) -> bool {
        matches!(self, State::New | State::Claimed | State::Triaged)
    }
}

/// The facts an issue's state follows from.
#[derive(Debug, Clone, Default)]
pub struct StateFacts<'a> {
    /// Who holds it.
    pub claimed_by: Option<&'a str>,
    /// Whether it was dismissed.
    pub dismissed: bool,
    /// Whether its fix was announced.
    pub announced: bool,
    /// The status of every supported release (missing means unknown).
    pub releases: Vec<ReleaseStatus>,
}

/// The state that follows from the facts.
///
/// `fixed` needs at least one `fixed` release and none `affected` or
/// `unknown`: an issue that affects no release stays `triaged` until a
/// person dismisses it, so nothing is announced that fixed nothing.
pub fn derive_state(f: &StateFacts<'_>) -> State {
    if f.dismissed {
        return State::Dismissed;
    }
    if f.announced {
        return State::Announced;
    }
    if f.claimed_by.is_none() {
        return State::New;
    }
    let all_known =
        !f.releases.is_empty() && f.releases.iter().all(|s| *s != ReleaseStatus::Unknown);
    if !all_known {
        return State::Claimed;
    }
    let none_affected = f.releases.iter().all(|s| *s != ReleaseStatus::Affected);
    let some_fixed = f.releases.contains(&ReleaseStatus::Fixed);
    if none_affected && some_fixed {
        State::Fixed
    } else {
        State::Triaged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(claimed: bool, releases: &[ReleaseStatus]) -> State {
        derive_state(&StateFacts {
            claimed_by: claimed.then_some("alice"),
            releases: releases.to_vec(),
            ..StateFacts::default()
        })
    }

    #[test]
    fn state_follows_claim_then_release_statuses() {
        use ReleaseStatus::*;
        assert_eq!(state(false, &[Fixed, Fixed]), State::New);
        assert_eq!(state(true, &[Unknown, Affected]), State::Claimed);
        assert_eq!(state(true, &[NotAffected, Affected]), State::Triaged);
        assert_eq!(state(true, &[NotAffected, Fixed]), State::Fixed);
        assert_eq!(state(true, &[NotAffected, Wontfix]), State::Triaged);
    }

    #[test]
    fn dismissal_and_announcement_override_everything() {
        let f = StateFacts {
            claimed_by: Some("a"),
            dismissed: true,
            announced: true,
            releases: vec![ReleaseStatus::Fixed],
        };
        assert_eq!(derive_state(&f), State::Dismissed);
    }

    #[test]
    fn words_round_trip() {
        for s in ReleaseStatus::ALL {
            assert_eq!(ReleaseStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Severity::High.to_string(), "high");
        assert!(Severity::Critical > Severity::High);
    }
}
