//! `secdesk show ID`: one issue, whole.

use crate::App;
use secdesk::app::issue::show;
use secdesk::triage::IssueId;

/// Show one issue: CVEs, packages, severity, state, claim, the status of
/// every supported release, the process checklist, runbooks that apply,
/// related issues, notes, history, and the timeline of every message.
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

impl IssueShowCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let shown = show(&mut app.ctx.desk(), self.id)?;
        app.emit(&shown)
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
