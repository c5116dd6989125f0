//! The issue commands: `issues`, `show`, and the triage actions.

pub mod issues;
pub mod show;

use crate::App;
use clap::Subcommand;

/// Commands that read or change issues.
#[derive(Subcommand, Debug)]
pub enum IssueCommand {
    Issues(issues::IssueListCommand),
    Show(show::IssueShowCommand),
}

impl IssueCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        match self {
            IssueCommand::Issues(c) => c.execute(app),
            IssueCommand::Show(c) => c.execute(app),
        }
    }
}
