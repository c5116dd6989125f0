//! `secdesk severity ID LEVEL`: set how bad an issue is.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::refusal::Refusal;
use secdesk::triage::rules::Request;
use secdesk::triage::{self, IssueId, Severity};

/// Set an issue's severity: low, medium, high or critical.
///
/// A person's severity is never overridden by later mail (ingest only
/// raises severities nobody has set). Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueSeverityCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// low, medium, high or critical.
    #[arg(value_name = "LEVEL")]
    level: String,
}

impl IssueSeverityCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let level = triage::word(
            "severity",
            &self.level,
            Severity::parse,
            Severity::expected(),
        )
        .map_err(Refusal::from)?;
        act(app, self.id, Ask::Plain(Request::Severity(level)))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn severity_takes_id_and_level() {
        assert!(
            Cli::try_parse_from(["secdesk", "severity", "3", "high"]).is_ok(),
            "severity 3 high"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "severity", "3"]).is_err(),
            "severity 3"
        );
    }
}
