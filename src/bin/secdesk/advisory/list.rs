//! `secdesk advisory list [--json]`.

use crate::App;
use secdesk::app::advisory;

/// List every advisory: draft number, id, state, author, issues, title.
///
/// --json: `{advisories: [...]}`, each as `advisory show --json`.
#[derive(clap::Args, Debug)]
pub struct AdvisoryListCommand {}

impl AdvisoryListCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let v = advisory::list(&mut app.ctx.desk())?;
        app.emit(&v)
    }
}
