//! `secdesk note ID [--public] TEXT`: add a note.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Add a note to an issue (who and when are recorded). Prints what changed (-v: the whole issue).
///
/// Notes are private to the team unless --public is given: only public
/// notes appear on the static site (`secdesk-site-render`).
#[derive(clap::Args, Debug)]
pub struct IssueNoteCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// The note.
    #[arg(value_name = "TEXT")]
    text: String,

    /// Show this note on the public site (default: private to the team).
    #[arg(long)]
    public: bool,
}

impl IssueNoteCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let request = if self.public {
            Request::PublicNote(self.text)
        } else {
            Request::Note(self.text)
        };
        act(app, self.id, Ask::Plain(request))
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
        assert!(
            Cli::try_parse_from(["secdesk", "note", "3", "--public", "fixed in 1.2"]).is_ok(),
            "note 3 --public fixed in 1.2"
        );
    }
}
