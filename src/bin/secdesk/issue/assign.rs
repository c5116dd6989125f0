//! `secdesk assign ID --to MEMBER`: hand an issue over.

use super::{Ask, act, show::parse_id};
use crate::App;
use secdesk::triage::IssueId;
use secdesk::triage::rules::Request;

/// Hand an issue over to another member.
///
/// The holder (or anyone, when nobody holds it) may hand it over. Whoever
/// was responsible (the on-call person who first took it) stays
/// responsible until it is fixed. Prints what changed (-v: the whole issue).
#[derive(clap::Args, Debug)]
pub struct IssueAssignCommand {
    /// The issue number.
    #[arg(value_name = "ID", value_parser = parse_id)]
    id: IssueId,

    /// The member who takes it.
    #[arg(long, value_name = "MEMBER")]
    to: String,
}

impl IssueAssignCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        act(app, self.id, Ask::Plain(Request::Assign { to: self.to }))
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn assign_needs_to() {
        assert!(
            Cli::try_parse_from(["secdesk", "assign", "3", "--to", "bob"]).is_ok(),
            "assign 3 --to bob"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "assign", "3"]).is_err(),
            "assign 3"
        );
    }
}
