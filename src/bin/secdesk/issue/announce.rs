//! `secdesk announce ID --ref REF`: record that the fix was announced.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Record that a fixed issue's advisory went out (state announced).
///
/// Only a fixed issue can be announced. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueAnnounceCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// Where: the announcement's URL or advisory id.
    #[arg(long = "ref", value_name = "REF")]
    reference: String,
}

impl IssueAnnounceCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(
            app,
            self.id,
            Ask::Plain(Request::Announce {
                reference: self.reference,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn announce_needs_a_ref() {
        assert!(
            Cli::try_parse_from(["secdesk", "announce", "3", "--ref", "https://x"]).is_ok(),
            "announce 3 --ref https://x"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "announce", "3"]).is_err(),
            "announce 3"
        );
    }
}
