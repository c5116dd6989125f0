//! `secdesk advisory published ADV --url URL`.

use crate::App;
use secdesk::app::advisory;

/// Record where an approved advisory was published, and mark every issue
/// it announces `announced` (with the URL as the reference).
#[derive(clap::Args, Debug)]
pub struct AdvisoryPublishedCommand {
    /// The draft number or the advisory id.
    #[arg(value_name = "ADV")]
    adv: String,
    /// Where it was published (the list archive's URL).
    #[arg(long, value_name = "URL")]
    url: String,
}

impl AdvisoryPublishedCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = advisory::published(&mut app.ctx.desk(), &by, &self.adv, &self.url)?;
        app.emit(&v)
    }
}
