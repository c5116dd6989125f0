//! The rows the public site is built from, as `store::site` reads them:
//! plain data, private fields included where the site must decide on
//! them (the dismissal reason). Only `site::public` turns them into what
//! may be shown. Pure.

use crate::mail::Source;
use crate::time::Instant;
use crate::triage::{DismissReason, IssueId, ReleaseStatus, Severity, State};
use std::collections::BTreeMap;

/// One release's recorded status.
#[derive(Debug, Clone, PartialEq)]
pub struct RowRelease {
    /// The status.
    pub status: ReleaseStatus,
    /// The fix reference, for `fixed`.
    pub reference: Option<String>,
    /// Why, for `wontfix`.
    pub reason: Option<String>,
}

/// One issue as the site's overview pages need it.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteIssueRow {
    /// Its number.
    pub id: IssueId,
    /// Where it stands.
    pub state: State,
    /// Its title (the subject of the message that opened it).
    pub title: String,
    /// How bad it is.
    pub severity: Option<Severity>,
    /// When secdesk opened it (UTC).
    pub created_at: Instant,
    /// When it last changed (UTC).
    pub updated_at: Instant,
    /// The earliest date among its messages (UTC).
    pub first_mail: Option<Instant>,
    /// Milestones (UTC): first claimed, triaged, fixed, closed.
    pub first_claimed_at: Option<Instant>,
    /// When it was first triaged.
    pub triaged_at: Option<Instant>,
    /// When it was first fixed.
    pub fixed_at: Option<Instant>,
    /// When it was closed (dismissed or announced).
    pub closed_at: Option<Instant>,
    /// Why it was dismissed, as stored (`embargoed`, …).
    pub dismiss_reason: Option<DismissReason>,
    /// The issue it was merged into.
    pub merged_into: Option<IssueId>,
    /// CVE ids, sorted.
    pub cves: Vec<String>,
    /// Package names, sorted.
    pub packages: Vec<String>,
    /// Status per release, for releases that have one.
    pub releases: BTreeMap<String, RowRelease>,
    /// Related issues.
    pub related: Vec<IssueId>,
}

/// One message of an issue's timeline, as the site may show it: no
/// sender, no body.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteMessage {
    /// Message-ID without brackets (the first copy's, for a copy).
    pub message_id: String,
    /// Where it was published.
    pub source: Source,
    /// Its advisory id, if it is an advisory.
    pub advisory_id: Option<String>,
    /// Its subject.
    pub subject: String,
    /// Its date (UTC), else when it was received.
    pub date: Instant,
}

/// What an issue's own page needs beyond its light row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SiteIssueExtra {
    /// Every message, oldest first.
    pub messages: Vec<SiteMessage>,
    /// The notes marked public (`secdesk note --public`): when, the text.
    pub public_notes: Vec<(Instant, String)>,
}

/// A published advisory: its id, latest approved content, where it was
/// published and when.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteAdvisory {
    /// The advisory id (`NIXSA-2026-0001`).
    pub id: String,
    /// The latest approved revision's number.
    pub revision: u32,
    /// When that revision was approved (UTC).
    pub approved_at: Instant,
    /// When it was first approved (UTC).
    pub first_approved_at: Instant,
    /// The frozen content of that revision.
    pub content: crate::advisory::draft::Content,
    /// Where it was published.
    pub published_url: Option<String>,
}

/// One week's count of messages from one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrivals {
    /// The day (UTC, `YYYY-MM-DD`).
    pub day: String,
    /// The source.
    pub source: Source,
    /// How many messages.
    pub count: i64,
}

/// A public issue's place in the site's lists: what an incremental render
/// reads of every issue.
#[derive(Debug, Clone, PartialEq)]
pub struct SitePlace {
    /// Its number.
    pub id: IssueId,
    /// Where it stands (open or not).
    pub state: State,
    /// How bad it is (the index's first key).
    pub severity: Option<Severity>,
    /// When it was opened (the index's second key).
    pub created_at: Instant,
    /// When it last changed (the feed's and the closed list's order).
    pub updated_at: Instant,
}
