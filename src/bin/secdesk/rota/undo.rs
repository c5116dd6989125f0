//! `secdesk rota undo CHANGE_ID`: take a change back.

use crate::App;
use secdesk::app::rota;

/// Take back a swap, cover or away period (its id is printed when it is
/// made, and in `secdesk rota --json`'s changes).
///
/// From now on only: shifts that have ended stay as they were worked, and a
/// shift in progress changes hands now. Refused when every shift it touched
/// has ended, the schedule without it would leave a shift with nobody or
/// someone on call two shifts in a row while three or more are available,
/// or it would also move a shift a later change gave (undo that one first).
#[derive(clap::Args, Debug)]
pub struct RotaUndoCommand {
    /// The change's id.
    #[arg(value_name = "CHANGE_ID")]
    id: i64,
}

impl RotaUndoCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let by = app.actor()?;
        let made = rota::undo(&mut app.ctx.desk(), &by, self.id)?;
        app.emit(&made)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn undo_takes_a_change_id() {
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "undo", "4"]).is_ok(),
            "rota undo 4"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "undo", "four"]).is_err(),
            "rota undo four"
        );
    }
}
