//! `issues`: the list of issues, with filters, as a table or JSON rows,
//! most severe first, then oldest first.

use super::show::cve_id;
use crate::app::{Desk, Result};
use crate::layout;
use crate::mail::Source;
use crate::refusal::Refusal;
use crate::store::issues::{IssueFilter, IssueOrder, IssueSummary, search_query};
use crate::time;
use crate::triage::{self, Refused, ReleaseStatus, State};
use serde::Serialize;
use std::fmt;

/// The state word that stands for every open state (`new`, `claimed`,
/// `triaged`: those [`State::is_open`] holds).
pub const OPEN: &str = "open";

/// The filters as people type them; every one given must hold. Words are
/// checked here so every caller refuses them the same way.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// State words (`new`, …, or `open`); an issue in any of them is
    /// listed. Empty: any state.
    pub states: Vec<String>,
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
    /// A CVE id, in any case (`cve-2024-48990`).
    pub cve: Option<String>,
    /// A package name, in any case.
    pub package: Option<String>,
    /// Words that must all be in the subject or text of one of the
    /// issue's messages (a word ending in `*` is a prefix).
    pub search: Option<String>,
    /// Only issues with a message that has parse problems.
    pub problems: bool,
}

/// The list as printed: a table, or a JSON array of issue objects.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IssueList(pub Vec<IssueSummary>);

/// Lists issues in triage order: by severity (critical first, none last),
/// then oldest first. Refused when a word or a CVE id is wrong.
pub fn list(desk: &mut Desk<'_>, query: &ListQuery) -> Result<IssueList> {
    let filter = query.filter(&desk.config.releases)?;
    Ok(IssueList(desk.store.read(|r| r.issues(&filter))?))
}

impl ListQuery {
    /// The checked filter, in triage order.
    pub fn filter(&self, releases: &[String]) -> Result<IssueFilter, Refusal> {
        let mut f = IssueFilter {
            claimed_by: self.claimed_by.clone(),
            unclaimed: self.unclaimed,
            problems: self.problems,
            order: IssueOrder::Triage,
            package: self.package.as_ref().map(|p| p.trim().to_lowercase()),
            ..IssueFilter::default()
        };
        if let Some(text) = &self.cve {
            f.cve = Some(cve_id(text).ok_or_else(|| {
                Refusal::Usage(format!(
                    "--cve {text:?}: expected a CVE id like CVE-2024-48990"
                ))
            })?);
        }
        if let Some(text) = &self.search {
            if search_query(text).is_none() {
                return Err(Refusal::Usage(format!(
                    "--search {text:?}: expected at least one word (letters or digits)"
                )));
            }
            f.search = Some(text.clone());
        }
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
        for s in &self.states {
            let states: Vec<State> = if s == OPEN {
                State::ALL.iter().copied().filter(|s| s.is_open()).collect()
            } else {
                let expected = format!("{OPEN}, {}", State::expected());
                vec![triage::word("state", s, State::parse, expected)?]
            };
            for state in states {
                if !f.states.contains(&state) {
                    f.states.push(state);
                }
            }
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
