//! `secdesk advisory abandon ADV`.

use crate::App;
use secdesk::app::advisory;

/// Abandon a draft that will not be published.
///
/// It stays listed as `abandoned`; an id it was given is never given to
/// another advisory.
#[derive(clap::Args, Debug)]
pub struct AdvisoryAbandonCommand {
    /// The draft number or the advisory id.
    #[arg(value_name = "ADV")]
    adv: String,
}

impl AdvisoryAbandonCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let v = advisory::abandon(&mut app.ctx.desk(), &by, &self.adv)?;
        app.emit(&v)
    }
}
