//! Issues and the rules of working them: severities, states, per-release
//! status, correlation of messages into issues.
//!
//! Invariant: triage does no I/O and never reads the clock. The store loads
//! facts, these functions decide, the store writes the outcome.

pub mod correlate;

use serde::Serialize;
use std::fmt;

/// An issue's number, as people type it (`secdesk show 12`).
pub type IssueId = i64;

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

/// A request the rules refuse. Nothing changes; the CLI exits 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// No issue has this number.
    #[error("issue #{0} does not exist")]
    NoSuchIssue(IssueId),
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
