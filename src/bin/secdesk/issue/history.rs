//! `secdesk history ID`: every change to an issue.

use super::show::{load, parse_id};
use crate::App;
use secdesk::store::issues::HistoryEntry;
use secdesk::triage::IssueId;
use serde::Serialize;
use std::fmt;

/// Show every change to an issue: when, who, what, oldest first.
#[derive(clap::Args, Debug)]
pub struct IssueHistoryCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,
}

/// The history as printed: a table, or a JSON array of
/// `{at, actor, action, detail}`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IssueHistory(pub Vec<HistoryEntry>);

impl IssueHistoryCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let shown = load(app, self.id)?;
        app.emit(&IssueHistory(shown.history))
    }
}

impl fmt::Display for IssueHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|h| {
                vec![
                    secdesk::time::format(h.at),
                    h.actor.clone(),
                    h.action.to_string(),
                    h.detail.clone(),
                ]
            })
            .collect();
        f.write_str(&secdesk::layout::table(
            &["AT", "WHO", "WHAT", "DETAIL"],
            &rows,
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn history_takes_one_id() {
        assert!(
            Cli::try_parse_from(["secdesk", "history", "3", "--json"]).is_ok(),
            "history 3 --json"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "history"]).is_err(),
            "history"
        );
    }
}
