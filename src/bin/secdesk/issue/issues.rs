//! `secdesk issues`: list issues, with filters.

use crate::App;
use secdesk::cli::UsageError;
use secdesk::layout;
use secdesk::mail::Source;
use secdesk::store::issues::{IssueFilter, IssueSummary};
use secdesk::text;
use secdesk::time;
use secdesk::triage::{self, Refused, ReleaseStatus, State};
use serde::Serialize;
use std::fmt;

/// List issues, oldest first.
///
/// Filters combine: every one given must hold.
#[derive(clap::Args, Debug)]
pub struct IssueListCommand {
    /// Only issues in this state: new, claimed, triaged, fixed, announced,
    /// dismissed.
    #[arg(long, value_name = "STATE")]
    state: Option<String>,

    /// Only issues carried by this source: oss-security, full-disclosure,
    /// debian, redhat, suse, gentoo, other.
    #[arg(long, value_name = "SOURCE")]
    source: Option<String>,

    /// Only issues opened at or after this date (YYYY-MM-DD, midnight UTC)
    /// or instant (RFC 3339).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,

    /// Only issues this member holds.
    #[arg(long, value_name = "MEMBER")]
    claimed_by: Option<String>,

    /// Only open issues nobody holds.
    #[arg(long, conflicts_with = "claimed_by")]
    unclaimed: bool,

    /// With --release-status: only issues whose status in this release is
    /// that status (a missing status counts as unknown).
    #[arg(long, value_name = "RELEASE", requires = "release_status")]
    release: Option<String>,

    /// The status to look for in --release: unknown, affected,
    /// not-affected, fixed, wontfix.
    #[arg(long, value_name = "STATUS", requires = "release")]
    release_status: Option<String>,
}

/// The list as printed: a table, or a JSON array of issue objects.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IssueList(pub Vec<IssueSummary>);

impl IssueListCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let filter = self.filter(&app.ctx.config.releases)?;
        let rows = app.ctx.store.read(|r| r.issues(&filter))?;
        app.emit(&IssueList(rows))
    }

    fn filter(&self, releases: &[String]) -> anyhow::Result<IssueFilter> {
        let mut f = IssueFilter {
            claimed_by: self.claimed_by.clone(),
            unclaimed: self.unclaimed,
            ..IssueFilter::default()
        };
        if let (Some(release), Some(status)) = (&self.release, &self.release_status) {
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
            f.source = Some(Source::parse(s).ok_or_else(|| {
                let all: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
                UsageError(format!(
                    "unknown source {s:?}, expected one of {}",
                    all.join(", ")
                ))
            })?);
        }
        if let Some(s) = &self.since {
            f.since = Some(time::parse_date_or_instant(s).ok_or_else(|| {
                UsageError(format!(
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
                let cves = match i.cves.len() {
                    0 => "-".to_string(),
                    1 => i.cves[0].clone(),
                    n => format!("{} +{}", i.cves[0], n - 1),
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
                    text::ellipsize(&i.title, 60),
                ]
            })
            .collect();
        f.write_str(&layout::table(
            &[
                "ID", "STATE", "SEVERITY", "CLAIMED", "CVES", "SOURCES", "TITLE",
            ],
            &rows,
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn filters_parse() {
        let c = Cli::try_parse_from([
            "secdesk",
            "issues",
            "--state",
            "new",
            "--source",
            "debian",
            "--since",
            "2026-01-01",
            "--json",
        ]);
        assert!(c.is_ok(), "{c:?}");
    }
}
