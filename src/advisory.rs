//! Advisories: what an announcement of a fix says, drafted from the
//! tracker's data (CVEs, packages, severity, per-release status and fix
//! references, the list messages an issue collected), reviewed by a second
//! person, and rendered once into every form people and scanners read
//! ([`render`](mod@render): the text announcement, OSV, CSAF 2.0).
//!
//! [`Advisory`] is one approved revision, as every renderer sees it; the
//! rules of drafting and review live beside it. Pure: no I/O, no clock.

pub mod draft;
pub mod render;

use crate::time::Instant;
use crate::triage::{IssueId, ReleaseStatus, Severity};
use serde::Serialize;

/// One approved revision of an advisory: everything a renderer needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advisory {
    /// `<prefix>-YYYY-NNNN`, given at first approval.
    pub id: String,
    /// The approved revision, 1 for the first approval.
    pub revision: u32,
    /// The title (one line).
    pub title: String,
    /// The summary, as the author wrote it (paragraphs).
    pub summary: String,
    /// The issue's severity, if set.
    pub severity: Option<Severity>,
    /// CVE ids, sorted.
    pub cves: Vec<String>,
    /// Package (attribute) names, sorted.
    pub packages: Vec<String>,
    /// The issues it announces.
    pub issues: Vec<IssueId>,
    /// Per supported release, in configuration order.
    pub releases: Vec<ReleaseEntry>,
    /// The list messages and advisories the issues collected.
    pub references: Vec<Reference>,
    /// When the first revision was approved (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub published: Instant,
    /// When this revision was approved (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub modified: Instant,
    /// Every approved revision up to this one, oldest first.
    pub history: Vec<RevisionEntry>,
    /// Who drafted it.
    pub author: String,
    /// Who approved this revision.
    pub approved_by: String,
}

/// One release's standing in an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseEntry {
    /// The release (`25.11`, `unstable`).
    pub release: String,
    /// `fixed`, `not-affected` or `wontfix` once approvable.
    pub status: ReleaseStatus,
    /// The fix reference (PR URL, commit id or version), when fixed.
    pub reference: Option<String>,
    /// Why not fixed, for `wontfix`.
    pub reason: Option<String>,
}

/// A message or advisory an issue collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The source (`oss-security`, `debian`, …).
    pub source: String,
    /// The subject as stored (one line).
    pub subject: String,
    /// The message's date, if it had one.
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub date: Option<Instant>,
    /// A public URL for it, where the source has one.
    pub url: Option<String>,
}

/// One approved revision in an advisory's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionEntry {
    /// Its number (1, 2, …).
    pub number: u32,
    /// When it was approved (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub date: Instant,
    /// What changed, in a line (`initial release` for the first).
    pub summary: String,
}

/// Who publishes, from the `advisory` configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// The id prefix (`NIXSA`).
    pub id_prefix: String,
    /// The announce list's address, for the text's headers.
    pub list: String,
    /// The package repository URL used in OSV `GIT` ranges.
    pub repository: Option<String>,
    /// The publisher's name in CSAF (default: the id prefix).
    pub name: String,
    /// The publisher's namespace URL in CSAF (default: the repository, or
    /// `https://example.invalid`).
    pub namespace: String,
}
