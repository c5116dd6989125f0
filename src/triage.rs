//! Issues and the rules of working them: severities, states, per-release
//! status, correlation of messages into issues.
//!
//! Invariant: triage does no I/O and never reads the clock. The store loads
//! facts, these functions decide, the store writes the outcome.

pub mod checklist;
pub mod correlate;
pub mod rules;

use crate::time::Instant;
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
    /// How bad it is, if anyone or any source said: lists show it first,
    /// so a `critical` issue does not look like every other.
    pub severity: Option<Severity>,
    /// Its CVE ids, oldest first (by year, then number).
    pub cves: Vec<String>,
}

/// A sort key for "most urgent first": most severe first, unset last,
/// then the oldest, then by number.
pub type Urgency = (std::cmp::Reverse<Option<Severity>>, Instant, IssueId);

/// The order of every list of issues by urgency (report, handoff,
/// `status`, the public site's index and package pages).
pub fn urgency(severity: Option<Severity>, created: Instant, id: IssueId) -> Urgency {
    (std::cmp::Reverse(severity), created, id)
}

impl Brief {
    /// The order of lists of unclaimed issues (report, handoff, `status`):
    /// most severe first, unset last, then oldest, then by number. The
    /// store's `ORDER BY` says the same (a store test checks both).
    pub fn urgency(&self) -> Urgency {
        urgency(self.severity, self.created_at, self.id)
    }

    /// At most `max` CVE ids and how many more there are, for lists that
    /// must stay one short line each.
    pub fn some_cves(&self, max: usize) -> (&[String], usize) {
        let shown = &self.cves[..self.cves.len().min(max)];
        (shown, self.cves.len() - shown.len())
    }

    /// The CVE ids as a plain-text list line shows them before the title:
    /// those the title does not already name, at most `max`, then `+N`
    /// for the rest (`CVE-2024-48990 CVE-2024-48991 +3`); empty when
    /// there are none.
    pub fn cve_words(&self, max: usize) -> String {
        let unnamed: Vec<&String> = self
            .cves
            .iter()
            .filter(|c| !self.title.contains(c.as_str()))
            .collect();
        let mut words: Vec<String> = unnamed.iter().take(max).map(|c| c.to_string()).collect();
        if unnamed.len() > max {
            words.push(format!("+{}", unnamed.len() - max));
        }
        words.join(" ")
    }

    /// What a plain-text list line says about the issue after its number
    /// and tags: [`Brief::cve_words`] (at most `cves`) then the title,
    /// cut to `max` characters with `…` (the CVE ids come first, so they
    /// survive the cut).
    pub fn cves_and_title(&self, cves: usize, max: usize) -> String {
        let words = self.cve_words(cves);
        let line = if words.is_empty() {
            self.title.clone()
        } else {
            format!("{words} {}", self.title)
        };
        crate::text::ellipsize(&line, max)
    }
}

/// Sorts CVE ids as people read them: by year, then by number
/// (`CVE-2024-9999` before `CVE-2024-10224`); ids of another shape last,
/// as text.
pub fn sort_cves(cves: &mut [String]) {
    fn key(c: &str) -> (u8, u32, u64, &str) {
        let mut parts = c.strip_prefix("CVE-").unwrap_or("").splitn(2, '-');
        match (
            parts.next().and_then(|y| y.parse().ok()),
            parts.next().and_then(|n| n.parse().ok()),
        ) {
            (Some(y), Some(n)) => (0, y, n, c),
            _ => (1, 0, 0, c),
        }
    }
    cves.sort_by(|a, b| key(a).cmp(&key(b)));
}

macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Enums of stable words (`record` uses it for the outbox's words).
pub(crate) use words;

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

words! {
    /// What kind of change a history row records. The words are stored in
    /// `history.action` and printed by `history` and `show --json`.
    HistoryAction {
        /// Ingest opened the issue.
        Opened = "opened",
        /// Ingest attached CVEs from a new message.
        CvesAdded = "cves-added",
        /// Linked to another issue.
        Related = "related",
        /// Merged into another issue, or another merged into it.
        Merged = "merged",
        /// The derived state changed.
        State = "state",
        /// Someone took the issue (or took it over).
        Claimed = "claimed",
        /// Its holder let it go.
        Unclaimed = "unclaimed",
        /// Handed to another member.
        Assigned = "assigned",
        /// One release's status was recorded.
        ReleaseStatus = "release-status",
        /// A person set the severity.
        Severity = "severity",
        /// A note was added.
        Note = "note",
        /// Closed without a fix.
        Dismissed = "dismissed",
        /// Opened again after a dismissal or announcement.
        Reopened = "reopened",
        /// The fix was announced.
        Announced = "announced",
        /// Something happened on a Bat-Signal for the issue: raised, acked,
        /// declined, baton passed, resolved, or a reply refused.
        Signal = "signal",
        /// An advisory for the issue was drafted, edited, reviewed,
        /// approved or published.
        Advisory = "advisory",
        /// A fix proposal from the package repository was rejected (fix
        /// tracking; an accepted one is a `release-status` row).
        Fix = "fix",
    }
}

/// A request the rules refuse. Nothing changes; the CLI prints the message
/// as one line and exits 2. Not an error type of its own: it reaches the
/// edge only as a [`crate::refusal::Refusal`], so exit 2 cannot be
/// forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No issue has this number.
    NoSuchIssue(IssueId),
    /// The name given is not in `team`.
    NotAMember {
        /// The name given.
        name: String,
        /// The member ids.
        known: String,
    },
    /// Nobody could be identified to act as.
    NoIdentity,
    /// Someone else holds the issue.
    ClaimedBy {
        /// The issue.
        issue: IssueId,
        /// Its holder.
        by: String,
    },
    /// Nobody holds the issue.
    NotClaimed(IssueId),
    /// Only the holder may do this.
    NotHolder {
        /// The issue.
        issue: IssueId,
        /// Its holder.
        by: String,
    },
    /// The issue is closed.
    Closed {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// The issue is finished; its holder stays on record.
    Finished {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// The release is not in the configuration.
    UnknownRelease {
        /// The release given.
        release: String,
        /// The configured releases.
        known: String,
    },
    /// `fixed` without a reference.
    NeedsRef,
    /// A request that needs a reason got none.
    NeedsReason(&'static str),
    /// `dismiss --reason other` without text.
    NeedsText,
    /// A note without text.
    EmptyNote,
    /// Reopening an issue that is not closed.
    NotClosed {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// Announcing an issue that is not fixed.
    NotFixed {
        /// The issue.
        issue: IssueId,
        /// Its state.
        state: State,
    },
    /// Relating or merging an issue with itself.
    SameIssue(IssueId),
    /// A word the CLI does not know (status, severity, reason).
    UnknownWord {
        /// What kind of word.
        what: &'static str,
        /// The word given.
        got: String,
        /// The words allowed.
        expected: String,
    },
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refused::*;
        match self {
            NoSuchIssue(v0) => write!(f, "issue #{v0} does not exist"),
            NotAMember { name, known } => {
                write!(f, "{name:?} is not a team member (members: {known})")
            }
            NoIdentity => write!(
                f,
                "who are you? pass --as MEMBER, set $SECDESK_USER, or map your Unix user with team[].unix_user"
            ),
            ClaimedBy { issue, by } => write!(
                f,
                "issue #{issue} is claimed by {by}; take it over with --steal --reason TEXT"
            ),
            NotClaimed(v0) => write!(f, "issue #{v0} is not claimed"),
            NotHolder { issue, by } => write!(
                f,
                "issue #{issue} is held by {by}; only {by} can do that (or take it over with claim --steal --reason TEXT)"
            ),
            Closed { issue, state } => write!(f, "issue #{issue} is {state}; reopen it first"),
            Finished { issue, state } => write!(
                f,
                "issue #{issue} is {state}; a finished issue keeps its holder"
            ),
            UnknownRelease { release, known } => {
                write!(f, "unknown release {release:?}, expected one of {known}")
            }
            NeedsRef => write!(f, "`fixed` needs --ref REF (a PR, commit or version)"),
            NeedsReason(v0) => write!(f, "{v0} needs --reason TEXT"),
            NeedsText => write!(f, "dismiss --reason other needs --text TEXT"),
            EmptyNote => write!(f, "a note needs some text"),
            NotClosed { issue, state } => {
                write!(f, "issue #{issue} is {state}, not dismissed or announced")
            }
            NotFixed { issue, state } => write!(
                f,
                "issue #{issue} is {state}; only a fixed issue can be announced"
            ),
            SameIssue(v0) => write!(f, "issue #{v0} cannot be related to or merged into itself"),
            UnknownWord {
                what,
                got,
                expected,
            } => write!(f, "unknown {what} {got:?}, expected one of {expected}"),
        }
    }
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

    /// What the shared mailbox shows of an issue in this state: its mail
    /// marked read once someone holds it, moved to the archive once it
    /// needs no more work ("whoever marks a mail read must handle it; mail
    /// leaves the inbox once the fix is released").
    pub fn mirror(self) -> Option<Mirror> {
        if self.reached().closed {
            Some(Mirror::Archive)
        } else if self.reached().claimed {
            Some(Mirror::Seen)
        } else {
            None
        }
    }

    /// The milestones an issue in this state has passed, which the report
    /// measures from: the first instant each became true is kept, except
    /// `closed`, which a reopen clears.
    pub fn reached(self) -> Reached {
        use State::*;
        Reached {
            claimed: matches!(self, Claimed | Triaged | Fixed | Announced),
            triaged: matches!(self, Triaged | Fixed | Announced),
            fixed: matches!(self, Fixed | Announced),
            closed: matches!(self, Fixed | Announced | Dismissed),
        }
    }
}

/// The severity a source's hint gives an issue, or `None` to leave it: a
/// hint only ever raises the severity, and never overrides one a person set
/// (`set_by_person`).
pub fn raised_severity(
    current: Option<Severity>,
    set_by_person: bool,
    hint: Severity,
) -> Option<Severity> {
    if set_by_person || current.is_some_and(|c| hint <= c) {
        return None;
    }
    Some(hint)
}

/// What mirroring does to an issue's mail on the IMAP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirror {
    /// Set `\Seen`: someone holds the issue.
    Seen,
    /// Move to the archive mailbox: the issue is closed.
    Archive,
}

/// The milestones a state has passed (see [`State::reached`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    /// Someone holds or held it (first claim).
    pub claimed: bool,
    /// Every release has a status.
    pub triaged: bool,
    /// Fixed (or announced).
    pub fixed: bool,
    /// Needs no more work: fixed, announced or dismissed.
    pub closed: bool,
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
    fn a_hint_only_raises_and_never_overrides_a_person() {
        use Severity::*;
        assert_eq!(raised_severity(None, false, Low), Some(Low));
        assert_eq!(raised_severity(Some(Medium), false, High), Some(High));
        assert_eq!(raised_severity(Some(High), false, High), None);
        assert_eq!(raised_severity(Some(Critical), false, High), None);
        assert_eq!(raised_severity(Some(Low), true, Critical), None);
        assert_eq!(raised_severity(None, true, Critical), None);
    }

    fn brief(id: IssueId, severity: Option<Severity>, created: &str, title: &str) -> Brief {
        Brief {
            id,
            title: title.into(),
            state: State::New,
            claimed_by: None,
            created_at: crate::time::parse(created).expect("instant"),
            claimed_at: None,
            fixed_at: None,
            severity,
            cves: vec![],
        }
    }

    #[test]
    fn urgency_puts_the_most_severe_first_unset_last_then_the_oldest() {
        use Severity::*;
        let mut v = [
            brief(1, None, "2026-11-01T00:00:00Z", ""),
            brief(2, Some(Low), "2026-11-01T00:00:00Z", ""),
            brief(3, Some(Critical), "2026-11-20T00:00:00Z", ""),
            brief(4, Some(High), "2026-11-02T00:00:00Z", ""),
            brief(5, Some(High), "2026-11-01T00:00:00Z", ""),
            brief(6, Some(Critical), "2026-11-10T00:00:00Z", ""),
        ];
        v.sort_by_key(Brief::urgency);
        let ids: Vec<IssueId> = v.iter().map(|b| b.id).collect();
        assert_eq!(ids, [6, 3, 5, 4, 2, 1]);
    }

    #[test]
    fn list_lines_name_at_most_three_cves_the_title_does_not() {
        let mut b = brief(
            1,
            None,
            "2026-11-01T00:00:00Z",
            "CVE-2024-48990: needrestart",
        );
        b.cves = [
            "CVE-2024-9999",
            "CVE-2024-10224",
            "CVE-2024-48990",
            "CVE-2023-1",
            "CVE-2024-11003",
            "CVE-2024-48991",
        ]
        .map(String::from)
        .to_vec();
        sort_cves(&mut b.cves);
        assert_eq!(
            b.cves,
            [
                "CVE-2023-1",
                "CVE-2024-9999",
                "CVE-2024-10224",
                "CVE-2024-11003",
                "CVE-2024-48990",
                "CVE-2024-48991"
            ]
        );
        assert_eq!(b.cve_words(3), "CVE-2023-1 CVE-2024-9999 CVE-2024-10224 +2");
        assert_eq!(
            b.cve_words(5),
            "CVE-2023-1 CVE-2024-9999 CVE-2024-10224 CVE-2024-11003 CVE-2024-48991"
        );
        assert_eq!(b.some_cves(4).1, 2);
        b.cves = vec!["CVE-2024-48990".into()];
        assert_eq!(b.cve_words(3), "", "the title names it already");
    }

    #[test]
    fn milestones_follow_the_state() {
        let r = |s: State| {
            let m = s.reached();
            [m.claimed, m.triaged, m.fixed, m.closed]
        };
        assert_eq!(r(State::New), [false, false, false, false]);
        assert_eq!(r(State::Claimed), [true, false, false, false]);
        assert_eq!(r(State::Triaged), [true, true, false, false]);
        assert_eq!(r(State::Fixed), [true, true, true, true]);
        assert_eq!(r(State::Announced), [true, true, true, true]);
        assert_eq!(r(State::Dismissed), [false, false, false, true]);
    }

    #[test]
    fn mail_is_read_once_held_and_archived_once_closed() {
        let m: Vec<Option<Mirror>> = State::ALL.iter().map(|s| s.mirror()).collect();
        use Mirror::*;
        assert_eq!(
            m,
            [
                None,
                Some(Seen),
                Some(Seen),
                Some(Archive),
                Some(Archive),
                Some(Archive)
            ]
        );
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
