//! `issues`: the list of issues, with filters, as a table or JSON rows.

use crate::app::{Desk, Result};
use crate::layout;
use crate::mail::Source;
use crate::refusal::Refusal;
use crate::store::issues::{IssueFilter, IssueSummary};
use crate::time;
use crate::triage::{self, Refused, ReleaseStatus, State};
use serde::Serialize;
use std::fmt;

/// The filters as people type them; every one given must hold. Words are
/// checked here so every caller refuses them the same way.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// A state word (`new`, …).
    pub state: Option<String>,
    /// A source word (`debian`, …).
    pub source: Option<String>,
    /// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 instant.
    pub since: Option<String>,
    /// A member id.
    pub claimed_by: Option<String>,
    /// Only open issues nobody holds.
    pub unclaimed: bool,
    /// A configured release and a status word, together.
    pub release_status: Option<(String, String)>,
}

/// The list as printed: a table, or a JSON array of issue objects.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IssueList(pub Vec<IssueSummary>);

/// Lists issues, oldest first. Refused when a word is unknown.
pub fn list(desk: &mut Desk<'_>, query: &ListQuery) -> Result<IssueList> {
    let filter = query.filter(&desk.config.releases)?;
    Ok(IssueList(desk.store.read(|r| r.issues(&filter))?))
}

impl ListQuery {
    /// The checked filter.
    pub fn filter(&self, releases: &[String]) -> Result<IssueFilter, Refusal> {
        let mut f = IssueFilter {
            claimed_by: self.claimed_by.clone(),
            unclaimed: self.unclaimed,
            ..IssueFilter::default()
        };
        if let Some((release, status)) = &self.release_status {
            if !releases.contains(release) {
                return Err(Refused::UnknownRelease {
                    release: release.clone(),
                    known: releases.join(", "),
                }
                .into());
            }
            let status = triage::word(
                "status",
                status,
                ReleaseStatus::parse,
                ReleaseStatus::expected(),
            )?;
            f.release_status = Some((release.clone(), status));
        }
        if let Some(s) = &self.state {
            f.state = Some(triage::word("state", s, State::parse, State::expected())?);
        }
        if let Some(s) = &self.source {
            let all: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
            f.source = Some(triage::word("source", s, Source::parse, all.join(", "))?);
        }
        if let Some(s) = &self.since {
            f.since = Some(time::parse_date_or_instant(s).ok_or_else(|| {
                Refusal::Usage(format!(
                    "--since {s:?}: expected YYYY-MM-DD or an RFC 3339 instant"
                ))
            })?);
        }
        Ok(f)
    }
}

impl fmt::Display for IssueList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return writeln!(f, "no issues");
        }
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|i| {
                let cves = match i.cves.as_slice() {
                    [] => "-".to_string(),
                    [one] => one.clone(),
                    [first, rest @ ..] => format!("{first} +{}", rest.len()),
                };
                vec![
                    format!("#{}", i.id),
                    i.state.to_string(),
                    i.severity.map_or("-".into(), |s| s.to_string()),
                    i.claimed_by.clone().unwrap_or_else(|| "-".into()),
                    cves,
                    i.sources
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    crate::text::ellipsize(&i.title, 60),
                ]
            })
            .collect();
        // On a terminal, the title gives way to the page width.
        f.write_str(&layout::fit(
            &[
                "ID", "STATE", "SEVERITY", "CLAIMED", "CVES", "SOURCES", "TITLE",
            ],
            &rows,
            layout::page(f, 0),
            &[6, 5],
        ))
    }
}
