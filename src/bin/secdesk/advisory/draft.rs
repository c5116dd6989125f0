//! `secdesk advisory draft ISSUE… [--summary-file F] [--title T]`.

use crate::App;
use secdesk::app::advisory;
use std::path::PathBuf;

/// Draft an advisory announcing the fix of one or more issues.
///
/// Prints `advisory draft N for #ISSUE…` first; N is the ADV the other
/// commands take. CVEs, packages, severity, per-release status and fix
/// references, and the list messages come from the issues; the title
/// defaults to the first issue's.
#[derive(clap::Args, Debug)]
pub struct AdvisoryDraftCommand {
    /// The issues it announces.
    #[arg(value_name = "ISSUE", required = true)]
    issues: Vec<i64>,
    /// A file holding the summary (paragraphs).
    #[arg(long, value_name = "F")]
    summary_file: Option<PathBuf>,
    /// The title (one line).
    #[arg(long, value_name = "T")]
    title: Option<String>,
}

impl AdvisoryDraftCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let summary = super::read_summary(self.summary_file.as_deref())?;
        let v = advisory::create(
            &mut app.ctx.desk(),
            &by,
            &self.issues,
            self.title.as_deref(),
            summary.as_deref(),
        )?;
        app.emit(&v)
    }
}
