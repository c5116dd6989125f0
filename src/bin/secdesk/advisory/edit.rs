//! `secdesk advisory edit ADV [--summary-file F] [--title T]`.

use crate::App;
use secdesk::app::advisory;
use std::path::PathBuf;

/// Change an advisory's title or summary.
///
/// An edit after approval voids the approval: the advisory needs a new
/// review, and the next approval is a new revision.
#[derive(clap::Args, Debug)]
pub struct AdvisoryEditCommand {
    /// The draft number or the advisory id.
    #[arg(value_name = "ADV")]
    adv: String,
    /// A file holding the new summary.
    #[arg(long, value_name = "F")]
    summary_file: Option<PathBuf>,
    /// The new title.
    #[arg(long, value_name = "T")]
    title: Option<String>,
}

impl AdvisoryEditCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let summary = super::read_summary(self.summary_file.as_deref())?;
        let v = advisory::edit(
            &mut app.ctx.desk(),
            &by,
            &self.adv,
            self.title.as_deref(),
            summary.as_deref(),
        )?;
        app.emit(&v)
    }
}
