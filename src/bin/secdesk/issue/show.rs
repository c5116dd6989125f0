//! `secdesk show ID|CVE`: one issue, whole.

use crate::App;
use secdesk::app::issue::show::{IssueRef, show_ref};
use secdesk::triage::IssueId;

/// Show one issue: CVEs, packages, severity, state, claim, the status of
/// every supported release, the process checklist, runbooks that apply,
/// related issues, notes, history, and the timeline of every message.
///
/// The issue is named by its number or by a CVE id it holds
/// (`secdesk show CVE-2024-48990`, in any case). An issue merged into
/// another shows the surviving issue. Each timeline row starts with the
/// message's number, which `secdesk message N` takes; messages with parse
/// problems are listed on the `problems:` line.
///
/// Exit codes: 0 shown; 1 no issue holds the CVE id (it is not tracked);
/// 2 no issue has the number.
#[derive(clap::Args, Debug)]
pub struct IssueShowCommand {
    /// The issue number (as listed by `secdesk issues`; a leading # is
    /// fine) or a CVE id.
    #[arg(value_name = "ID|CVE", value_parser = IssueRef::parse)]
    issue: IssueRef,
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
        let shown = show_ref(&mut app.ctx.desk(), &self.issue)?
            .ok_or_else(|| anyhow::anyhow!("{} is not tracked: no issue holds it", self.issue))?;
        app.emit(&shown)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_id;
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn ids_parse_with_or_without_hash() {
        assert_eq!(parse_id("#12"), Ok(12));
        assert_eq!(parse_id("12"), Ok(12));
        assert!(parse_id("0").is_err());
        assert!(parse_id("x").is_err());
    }

    #[test]
    fn show_takes_a_number_or_a_cve_id() {
        for arg in ["12", "#12", "CVE-2024-48990", "cve-2024-48990"] {
            let c = Cli::try_parse_from(["secdesk", "show", arg]);
            assert!(c.is_ok(), "{arg}: {c:?}");
        }
        for arg in ["CVE-24-1", "x", "0"] {
            let c = Cli::try_parse_from(["secdesk", "show", arg]);
            assert!(c.is_err(), "{arg} is refused");
        }
    }
}
