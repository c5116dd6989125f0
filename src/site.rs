//! The public static site (issue 17): what may be shown, decided once.
//!
//! [`public`] is the one function from store rows to public records: an
//! issue dismissed as `embargoed` and a merged issue become nothing; what
//! is kept has no member, no claim, no private note, no sender, no
//! Bat-Signal. The renderers (`site::render`, `site::feed`,
//! `site::charts`) only ever see these records, so no template can reach
//! private data. Pure: no I/O, no clock (`now` comes in).

pub mod charts;
pub mod feed;
pub mod render;
pub mod rows;

use crate::config::Site as SiteConfig;
use crate::mail::Source;
use crate::report::Posted;
use crate::time::Instant;
use crate::triage::{DismissReason, IssueId, ReleaseStatus, Severity, State};
use rows::{SiteAdvisory, SiteIssueExtra, SiteIssueRow};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the site is called and where it lives, from `site` and the
/// supported releases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// The site's title.
    pub title: String,
    /// The public URL it is served from, ending in `/`, if known.
    pub base_url: Option<String>,
    /// Supported releases, in the configuration's order.
    pub releases: Vec<String>,
    /// Per source word, the archive URL pattern with `{message_id}`.
    #[serde(skip)]
    pub archive_urls: BTreeMap<String, String>,
}

impl Settings {
    /// The settings from the `site` section and the releases.
    pub fn new(site: &SiteConfig, releases: &[String]) -> Settings {
        Settings {
            title: site
                .title
                .clone()
                .unwrap_or_else(|| "Security tracker".into()),
            base_url: site.base_url.clone(),
            releases: releases.to_vec(),
            archive_urls: site.archive_urls.clone(),
        }
    }
}

/// One release's standing on a public issue, in words.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PublicRelease {
    /// The release.
    pub release: String,
    /// The status word (`not-affected`; `unknown` when none is recorded).
    pub status: &'static str,
    /// The status as a reader says it: `not yet triaged`, `affected`,
    /// `not affected`, `fixed`, `won't fix`.
    pub words: &'static str,
    /// The fix reference (PR, commit or version), for `fixed`.
    pub reference: Option<String>,
    /// Why, for `won't fix`.
    pub reason: Option<String>,
    /// When the fix reached the release's channel (RFC 3339), when fix
    /// tracking knows.
    pub channel_since: Option<String>,
}

/// One public issue: what every page and the export may show of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicIssue {
    /// Its number.
    pub id: IssueId,
    /// Its title.
    pub title: String,
    /// The state word (`new`, `claimed`, …).
    pub state: &'static str,
    /// The state as a reader says it (`dismissed: not a vulnerability`).
    pub state_words: String,
    /// Whether it is still open.
    pub open: bool,
    /// The severity word, if any.
    pub severity: Option<&'static str>,
    /// CVE ids, sorted.
    pub cves: Vec<String>,
    /// Package names, sorted, with their page's file name.
    pub packages: Vec<String>,
    /// Opened (RFC 3339 UTC).
    pub created_at: String,
    /// Last changed (RFC 3339 UTC).
    pub updated_at: String,
    /// Per supported release, in configuration order.
    pub releases: Vec<PublicRelease>,
    /// Related public issues.
    pub related: Vec<IssueId>,
    /// Published advisories announcing it.
    pub advisories: Vec<String>,
    /// Opened, for ordering and charts.
    #[serde(skip)]
    pub created: Instant,
    /// Changed, for the feed.
    #[serde(skip)]
    pub updated: Instant,
    /// Severity, for ordering.
    #[serde(skip)]
    pub severity_level: Option<Severity>,
    /// Milestones for the trends page: first mail, claimed, triaged,
    /// fixed, closed.
    #[serde(skip)]
    pub milestones: Milestones,
}

/// When an issue reached each milestone (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Milestones {
    /// Its first mail (else when it was opened).
    pub first_mail: Option<Instant>,
    /// First claimed.
    pub claimed: Option<Instant>,
    /// Triaged.
    pub triaged: Option<Instant>,
    /// Fixed.
    pub fixed: Option<Instant>,
    /// Closed (announced or dismissed).
    pub closed: Option<Instant>,
    /// The first channel arrival of its fixes (issue 16).
    pub channel: Option<Instant>,
}

/// One message in a public timeline: subject, date, source, archive link.
/// Never the sender or the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicMessage {
    /// Its subject (rendered as text).
    pub subject: String,
    /// Its date (RFC 3339 UTC).
    pub date: String,
    /// The source word.
    pub source: &'static str,
    /// Its advisory id, if any.
    pub advisory_id: Option<String>,
    /// The public archive's page for it, if the source has one.
    pub url: Option<String>,
}

/// A public note: when and what (its author is not shown).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicNote {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// The text.
    pub text: String,
}

/// What only an issue's own page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PublicDetail {
    /// The timeline, oldest first.
    pub messages: Vec<PublicMessage>,
    /// Public notes, oldest first.
    pub notes: Vec<PublicNote>,
}

/// A published advisory as the site shows it (no author, no reviewer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicAdvisory {
    /// The id.
    pub id: String,
    /// The latest revision's number.
    pub revision: u32,
    /// The title.
    pub title: String,
    /// The summary's paragraphs.
    pub summary: Vec<String>,
    /// The severity word.
    pub severity: Option<String>,
    /// CVE ids.
    pub cves: Vec<String>,
    /// Packages.
    pub packages: Vec<String>,
    /// Public issues it announces.
    pub issues: Vec<IssueId>,
    /// First published (approved, RFC 3339 UTC).
    pub published_at: String,
    /// Latest revision approved (RFC 3339 UTC).
    pub updated_at: String,
    /// Where it was published.
    pub url: Option<String>,
    /// When it last changed, for the feed.
    #[serde(skip)]
    pub updated: Instant,
    /// When it was first published, for the feed's ids.
    #[serde(skip)]
    pub published: Instant,
}

/// Everything public, in the orders pages use.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicSite {
    /// Every public issue, by number.
    pub issues: Vec<PublicIssue>,
    /// Published advisories, newest first.
    pub advisories: Vec<PublicAdvisory>,
    /// Per CVE id, its public issue's index in `issues`.
    pub cves: BTreeMap<String, usize>,
    /// Per package, its public issues' indexes in `issues`.
    pub packages: BTreeMap<String, Vec<usize>>,
}

/// Whether a stored issue may appear on the site at all: not merged away
/// and not dismissed as embargoed.
pub fn is_public(row: &SiteIssueRow) -> bool {
    row.merged_into.is_none() && row.dismiss_reason != Some(DismissReason::Embargoed)
}

/// A status as a reader says it; "not affected", "fixed" and "not yet
/// triaged" never look alike.
pub fn status_words(status: ReleaseStatus) -> &'static str {
    match status {
        ReleaseStatus::Unknown => "not yet triaged",
        ReleaseStatus::Affected => "affected",
        ReleaseStatus::NotAffected => "not affected",
        ReleaseStatus::Fixed => "fixed",
        ReleaseStatus::Wontfix => "won't fix",
    }
}

/// The public records of the store's rows: the one place that decides
/// what may be shown. `channel` holds issue 16's channel arrivals per
/// (issue, release), empty until fix tracking is wired.
pub fn public(
    rows: &[SiteIssueRow],
    advisories: &[SiteAdvisory],
    channel: &BTreeMap<(IssueId, String), Instant>,
    settings: &Settings,
) -> PublicSite {
    let visible: BTreeSet<IssueId> = rows.iter().filter(|r| is_public(r)).map(|r| r.id).collect();
    let hidden: BTreeSet<String> = rows
        .iter()
        .filter(|r| r.dismiss_reason == Some(DismissReason::Embargoed))
        .flat_map(|r| r.cves.iter().cloned())
        .collect();
    public_part(rows, advisories, channel, settings, &visible, &hidden)
}

/// [`public`] of some of the store's rows, for an incremental render:
/// `visible` holds every public issue the rows and advisories name
/// (related issues, announced issues), `hidden` the CVE ids of every
/// embargoed issue. The result's `issues`, `cves` and `packages` hold
/// only what `rows` hold; every advisory is there.
pub fn public_part(
    rows: &[SiteIssueRow],
    advisories: &[SiteAdvisory],
    channel: &BTreeMap<(IssueId, String), Instant>,
    settings: &Settings,
    visible: &BTreeSet<IssueId>,
    hidden: &BTreeSet<String>,
) -> PublicSite {
    let mut advisories: Vec<PublicAdvisory> = advisories
        .iter()
        .map(|a| PublicAdvisory {
            id: a.id.clone(),
            revision: a.revision,
            title: a.content.title.clone(),
            summary: a
                .content
                .summary
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            severity: a.content.severity.clone(),
            // Only what its public issues hold: an advisory never names
            // the CVE of an embargoed issue.
            cves: a
                .content
                .cves
                .iter()
                .filter(|c| !hidden.contains(c.as_str()))
                .cloned()
                .collect(),
            packages: a.content.packages.clone(),
            issues: a
                .content
                .issues
                .iter()
                .copied()
                .filter(|i| visible.contains(i))
                .collect(),
            published_at: crate::time::format(a.first_approved_at),
            updated_at: crate::time::format(a.approved_at),
            url: a.published_url.clone(),
            updated: a.approved_at,
            published: a.first_approved_at,
        })
        .collect();
    advisories.sort_by(|a, b| b.published.cmp(&a.published).then(a.id.cmp(&b.id)));
    let mut by_issue: BTreeMap<IssueId, Vec<String>> = BTreeMap::new();
    for a in &advisories {
        for i in &a.issues {
            by_issue.entry(*i).or_default().push(a.id.clone());
        }
    }
    let mut issues = Vec::new();
    for r in rows.iter().filter(|r| is_public(r)) {
        let mut first_channel: Option<Instant> = None;
        let releases = settings
            .releases
            .iter()
            .map(|rel| {
                let entry = r.releases.get(rel);
                let status = entry.map_or(ReleaseStatus::Unknown, |e| e.status);
                let since = channel.get(&(r.id, rel.clone())).copied();
                if let Some(s) = since {
                    first_channel = Some(first_channel.map_or(s, |f| f.min(s)));
                }
                PublicRelease {
                    release: rel.clone(),
                    status: status.as_str(),
                    words: status_words(status),
                    reference: entry
                        .filter(|_| status == ReleaseStatus::Fixed)
                        .and_then(|e| e.reference.clone()),
                    reason: entry
                        .filter(|_| status == ReleaseStatus::Wontfix)
                        .and_then(|e| e.reason.clone()),
                    channel_since: since.map(crate::time::format),
                }
            })
            .collect();
        let state_words = match (r.state, r.dismiss_reason) {
            (State::Dismissed, Some(reason)) => {
                format!("dismissed: {}", reason.as_str().replace('-', " "))
            }
            (State::New, _) => "new: not yet claimed".to_string(),
            (s, _) => s.as_str().to_string(),
        };
        issues.push(PublicIssue {
            id: r.id,
            title: r.title.clone(),
            state: r.state.as_str(),
            state_words,
            open: r.state.is_open(),
            severity: r.severity.map(Severity::as_str),
            cves: r.cves.clone(),
            packages: r.packages.clone(),
            created_at: crate::time::format(r.created_at),
            updated_at: crate::time::format(r.updated_at),
            releases,
            related: r
                .related
                .iter()
                .copied()
                .filter(|i| visible.contains(i))
                .collect(),
            advisories: by_issue.remove(&r.id).unwrap_or_default(),
            created: r.created_at,
            updated: r.updated_at,
            severity_level: r.severity,
            milestones: Milestones {
                first_mail: r.first_mail.or(Some(r.created_at)),
                claimed: r.first_claimed_at,
                triaged: r.triaged_at,
                fixed: r.fixed_at,
                closed: r.closed_at,
                channel: first_channel,
            },
        });
    }
    let mut cves = BTreeMap::new();
    let mut packages: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, issue) in issues.iter().enumerate() {
        for c in &issue.cves {
            cves.insert(c.clone(), i);
        }
        for p in &issue.packages {
            packages.entry(p.clone()).or_default().push(i);
        }
    }
    PublicSite {
        issues,
        advisories,
        cves,
        packages,
    }
}

/// The public part of an issue's timeline and notes: subjects, dates,
/// sources and archive links; notes only when marked public (the store
/// reads no other).
pub fn public_detail(extra: &SiteIssueExtra, settings: &Settings) -> PublicDetail {
    PublicDetail {
        messages: extra
            .messages
            .iter()
            .map(|m| PublicMessage {
                subject: m.subject.clone(),
                date: crate::time::format(m.date),
                source: m.source.as_str(),
                advisory_id: m.advisory_id.clone(),
                url: archive_url(settings, m.source, &m.message_id, m.advisory_id.as_deref()),
            })
            .collect(),
        notes: extra
            .public_notes
            .iter()
            .map(|(at, text)| PublicNote {
                at: crate::time::format(*at),
                text: text.clone(),
            })
            .collect(),
    }
}

/// The public archive page of a message: the source's pattern from
/// `site.archive_urls`, else the links the daily report uses (MARC for
/// oss-security and Full Disclosure, the advisory's own page for the
/// distributions). Synthetic Message-IDs have none.
pub fn archive_url(
    settings: &Settings,
    source: Source,
    message_id: &str,
    advisory_id: Option<&str>,
) -> Option<String> {
    if message_id.is_empty() || message_id.ends_with("@secdesk.invalid") {
        return advisory_id.and_then(crate::report::html::advisory_url);
    }
    match settings.archive_urls.get(source.as_str()) {
        Some(pattern) => Some(pattern.replace("{message_id}", &crate::text::percent(message_id))),
        None => crate::report::html::message_url(&Posted {
            source,
            message_id: message_id.to_string(),
            advisory_id: advisory_id.map(str::to_string),
        }),
    }
}

/// The file name (without `.html`) of a page named by `name` (a package,
/// CVE or advisory id): the name itself when it is made of letters,
/// digits, `.`, `+`, `-` and `_` and does not start with `.`; otherwise
/// every other byte is written `~XX`. Links use the same name, so they
/// resolve; no name can climb out of its directory.
pub fn file_name(name: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let plain = b.is_ascii_alphanumeric() || b"+-_".contains(&b) || (b == b'.' && i > 0);
        if plain {
            out.push(b as char);
        } else {
            let _ = write!(out, "~{b:02X}");
        }
    }
    if out.is_empty() {
        out.push('~');
    }
    out
}

/// The issues in index order (`triage::urgency`).
pub fn urgency_order(issues: &mut [&PublicIssue]) {
    issues.sort_by_key(|i| crate::triage::urgency(i.severity_level, i.created, i.id));
}

/// The order of the feed and of the recently closed issues: the latest
/// change first, then by number.
pub fn recency(updated: Instant, id: IssueId) -> (std::cmp::Reverse<Instant>, IssueId) {
    (std::cmp::Reverse(updated), id)
}

#[cfg(test)]
mod tests {
    use super::rows::RowRelease;
    use super::*;

    fn row(id: IssueId, reason: Option<DismissReason>) -> SiteIssueRow {
        let at = crate::time::parse("2026-11-20T08:00:00Z").expect("instant");
        SiteIssueRow {
            id,
            state: if reason.is_some() {
                State::Dismissed
            } else {
                State::Claimed
            },
            title: format!("issue {id}"),
            severity: None,
            created_at: at,
            updated_at: at,
            first_mail: None,
            first_claimed_at: None,
            triaged_at: None,
            fixed_at: None,
            closed_at: None,
            dismiss_reason: reason,
            merged_into: None,
            cves: vec![format!("CVE-2026-{id:04}")],
            packages: vec!["openssl".into()],
            releases: BTreeMap::from([(
                "25.05".to_string(),
                RowRelease {
                    status: ReleaseStatus::Fixed,
                    reference: Some("PR #1".into()),
                    reason: None,
                },
            )]),
            related: vec![1, 2],
        }
    }

    fn settings() -> Settings {
        Settings {
            title: "T".into(),
            base_url: None,
            releases: vec!["25.05".into(), "25.11".into()],
            archive_urls: BTreeMap::new(),
        }
    }

    #[test]
    fn embargoed_and_merged_issues_are_not_public_nor_linked() {
        let mut merged = row(3, None);
        merged.merged_into = Some(1);
        let rows = [row(1, None), row(2, Some(DismissReason::Embargoed)), merged];
        let site = public(&rows, &[], &BTreeMap::new(), &settings());
        let ids: Vec<_> = site.issues.iter().map(|i| i.id).collect();
        assert_eq!(ids, [1]);
        assert_eq!(site.issues[0].related, [1], "no link to the embargoed #2");
        assert!(!site.cves.contains_key("CVE-2026-0002"));
        let words: Vec<_> = site.issues[0].releases.iter().map(|r| r.words).collect();
        assert_eq!(words, ["fixed", "not yet triaged"]);
    }

    #[test]
    fn file_names_stay_in_their_directory() {
        assert_eq!(file_name("openssl"), "openssl");
        assert_eq!(file_name("libstdc++"), "libstdc++");
        assert_eq!(file_name("../etc"), "~2E.~2Fetc");
        assert_eq!(file_name("a b"), "a~20b");
        assert_eq!(file_name(""), "~");
    }

    #[test]
    fn archive_url_uses_the_configured_pattern_encoded() {
        let mut s = settings();
        s.archive_urls.insert(
            "oss-security".into(),
            "https://www.openwall.com/lists/mid/{message_id}".into(),
        );
        assert_eq!(
            archive_url(&s, Source::OssSecurity, "a b@c", None).as_deref(),
            Some("https://www.openwall.com/lists/mid/a%20b@c")
        );
        assert_eq!(
            archive_url(&s, Source::OssSecurity, "x@secdesk.invalid", None),
            None
        );
    }
}
