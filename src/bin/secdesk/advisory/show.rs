//! `secdesk advisory show ADV [--json]`.

use crate::App;
use secdesk::app::advisory;

/// Show an advisory: its state, what it says now, and its reviews.
///
/// --json: `{draft, id, state, revision, author, created_at,
/// published_url, content: {title, summary, severity, cves, packages,
/// issues, releases: [{release, status, reference, reason}], references:
/// [{source, subject, date, url}]}, reviews: [{at, reviewer, verdict,
/// text}]}`.
#[derive(clap::Args, Debug)]
pub struct AdvisoryShowCommand {
    /// The draft number or the advisory id.
    #[arg(value_name = "ADV")]
    adv: String,
}

impl AdvisoryShowCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let v = advisory::show(&mut app.ctx.desk(), &self.adv)?;
        app.emit(&v)
    }
}
