//! `secdesk show ID`: one issue, whole.

use crate::App;
use secdesk::cli::UsageError;
use secdesk::store::issues::{IssueDetail, IssueSummary, TimelineEntry};
use secdesk::triage::{IssueId, Refused};
use serde::Serialize;
use std::fmt;

/// Show one issue: CVEs, packages, severity, state, related issues, and the
/// timeline of every message that mentions it.
///
/// An issue merged into another shows the surviving issue.
#[derive(clap::Args, Debug)]
pub struct IssueShowCommand {
    /// The issue number (as listed by `secdesk issues`; a leading # is fine).
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,
}

/// Reads an issue number, with or without a leading `#`.
pub fn parse_id(text: &str) -> Result<IssueId, String> {
    text.trim_start_matches('#')
        .parse::<IssueId>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("expected an issue number like 12, got {text:?}"))
}

/// One issue as printed: the list row plus everything else.
#[derive(Debug, Serialize)]
pub struct IssueShow {
    #[serde(flatten)]
    summary: IssueSummary,
    messages: Vec<TimelineEntry>,
    related: Vec<IssueId>,
    merged_from: Vec<IssueId>,
}

impl IssueShowCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let id = self.id;
        let detail = app.ctx.store.read(|r| {
            let Some(target) = r.resolve(id)? else {
                return Ok::<_, anyhow::Error>(None);
            };
            Ok(r.issue_detail(target)?)
        })?;
        let Some(detail) = detail else {
            return Err(UsageError(Refused::NoSuchIssue(id).to_string()).into());
        };
        app.emit(&IssueShow::from(detail))
    }
}

impl From<IssueDetail> for IssueShow {
    fn from(d: IssueDetail) -> IssueShow {
        IssueShow {
            summary: d.summary,
            messages: d.messages,
            related: d.related,
            merged_from: d.merged_from,
        }
    }
}

fn or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(" ")
    }
}

impl fmt::Display for IssueShow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.summary;
        writeln!(f, "#{}  {}", s.id, s.title)?;
        writeln!(f, "state:     {}", s.state)?;
        writeln!(
            f,
            "severity:  {}",
            s.severity.map_or("-".into(), |v| v.to_string())
        )?;
        writeln!(f, "claimed:   {}", s.claimed_by.as_deref().unwrap_or("-"))?;
        writeln!(f, "cves:      {}", or_dash(&s.cves))?;
        writeln!(f, "packages:  {}", or_dash(&s.packages))?;
        let related: Vec<String> = self.related.iter().map(|i| format!("#{i}")).collect();
        writeln!(f, "related:   {}", or_dash(&related))?;
        if !self.merged_from.is_empty() {
            let m: Vec<String> = self.merged_from.iter().map(|i| format!("#{i}")).collect();
            writeln!(f, "merged:    {}", m.join(" "))?;
        }
        writeln!(f, "opened:    {}", secdesk::time::format(s.created_at))?;
        writeln!(f)?;
        writeln!(f, "timeline ({} messages):", self.messages.len())?;
        for m in &self.messages {
            writeln!(
                f,
                "  {}  {:<15}  {:<20}  {}{}",
                m.date.format("%Y-%m-%d %H:%M"),
                m.source.as_str(),
                m.advisory_id.as_deref().unwrap_or("-"),
                m.subject,
                if m.problems.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", m.problems.join(", "))
                }
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn ids_parse_with_or_without_hash() {
        assert_eq!(parse_id("#12"), Ok(12));
        assert_eq!(parse_id("12"), Ok(12));
        assert!(parse_id("0").is_err());
        assert!(parse_id("x").is_err());
    }
}
