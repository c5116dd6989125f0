//! `secdesk advisory review ADV --approve | --request-changes TEXT`.

use crate::App;
use secdesk::app::advisory;

/// Approve an advisory, or ask its author for changes.
///
/// Approval is refused to its author, and while any release is
/// `affected` or `unknown` (the refusal names them). The first approval
/// gives the id `<prefix>-YYYY-NNNN`; `secdesk-advisory-render` then
/// renders the revision and mails the text to `advisory.sender`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("verdict").required(true).args(["approve", "request_changes"])))]
pub struct AdvisoryReviewCommand {
    /// The draft number or the advisory id.
    #[arg(value_name = "ADV")]
    adv: String,
    /// Approve it.
    #[arg(long)]
    approve: bool,
    /// Ask for changes, saying what.
    #[arg(long, value_name = "TEXT")]
    request_changes: Option<String>,
}

impl AdvisoryReviewCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = match &self.request_changes {
            Some(text) => advisory::request_changes(&mut app.ctx.desk(), &by, &self.adv, text)?,
            None => advisory::approve(&mut app.ctx.desk(), &by, &self.adv)?,
        };
        app.emit(&v)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn review_takes_one_verdict() {
        let ok = |a: &[&str]| {
            Cli::try_parse_from([&["secdesk", "advisory", "review", "3"], a].concat()).is_ok()
        };
        assert!(ok(&["--approve"]));
        assert!(ok(&["--request-changes", "typo"]));
        assert!(!ok(&[]));
        assert!(!ok(&["--approve", "--request-changes", "x"]));
    }
}
