//! `secdesk note ID TEXT`: add a note.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Add a note to an issue (who and when are recorded). Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueNoteCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// The note.
    #[arg(value_name = "TEXT")]
    text: String,
}

impl IssueNoteCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(app, self.id, Ask::Plain(Request::Note(self.text)))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn note_takes_id_and_text() {
        assert!(
            Cli::try_parse_from(["secdesk", "note", "3", "looked at it"]).is_ok(),
            "note 3 looked at it"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "note", "3"]).is_err(),
            "note 3"
        );
    }
}
