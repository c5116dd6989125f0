//! `secdesk advisory`: draft an advisory from issues, show, list, edit,
//! review and mark it published. `secdesk-advisory-render` renders each
//! approved revision and mails it to `advisory.sender`; these commands
//! only record.

pub mod abandon;
pub mod draft;
pub mod edit;
pub mod list;
pub mod published;
pub mod review;
pub mod show;

use crate::App;
use clap::Subcommand;
use std::path::Path;

/// Advisories: drafted from the tracker, approved by a second member,
/// rendered by `secdesk-advisory-render` as text, OSV and CSAF.
///
/// `draft` prints the draft number (ADV); once approved the advisory also
/// has an id `<prefix>-YYYY-NNNN`, which every command takes as ADV too.
/// The author cannot approve their own draft; an edit after approval
/// voids it (the next approval is a new revision).
#[derive(clap::Args, Debug)]
pub struct AdvisoryCommand {
    #[command(subcommand)]
    action: AdvisoryAction,
}

#[derive(Subcommand, Debug)]
enum AdvisoryAction {
    Draft(draft::AdvisoryDraftCommand),
    Show(show::AdvisoryShowCommand),
    List(list::AdvisoryListCommand),
    Edit(edit::AdvisoryEditCommand),
    Review(review::AdvisoryReviewCommand),
    Published(published::AdvisoryPublishedCommand),
    Abandon(abandon::AdvisoryAbandonCommand),
}

impl AdvisoryCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        match self.action {
            AdvisoryAction::Draft(c) => c.execute(app),
            AdvisoryAction::Show(c) => c.execute(app),
            AdvisoryAction::List(c) => c.execute(app),
            AdvisoryAction::Edit(c) => c.execute(app),
            AdvisoryAction::Review(c) => c.execute(app),
            AdvisoryAction::Published(c) => c.execute(app),
            AdvisoryAction::Abandon(c) => c.execute(app),
        }
    }
}

/// Reads `--summary-file`; a file that cannot be read is refused (exit
/// 2), naming it.
pub fn read_summary(file: Option<&Path>) -> anyhow::Result<Option<String>> {
    let Some(file) = file else { return Ok(None) };
    match std::fs::read(file) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) => Err(secdesk::refusal::Refusal::Usage(format!(
            "--summary-file {}: cannot read it: {e}",
            file.display()
        ))
        .into()),
    }
}
