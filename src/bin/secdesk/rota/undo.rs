//! `secdesk rota undo CHANGE_ID`: take a change back.

use super::{ChangeMade, rotation};
use crate::App;
use secdesk::cli::UsageError;
use secdesk::rota::{self, Change};

/// Take back a swap, cover or away period (its id is printed when it is
/// made, and in `secdesk rota --json`'s changes).
///
/// Refused when the schedule without it would leave a shift with nobody.
#[derive(clap::Args, Debug)]
pub struct RotaUndoCommand {
    /// The change's id.
    #[arg(value_name = "CHANGE_ID")]
    id: i64,
}

impl RotaUndoCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let rot = rotation(app)?;
        let by = app.actor()?;
        let now = app.ctx.now;
        let id = self.id;
        let rec = app.ctx.store.write(|tx| {
            let r = tx.reader();
            let Some((rec, in_force)) = r.rota_change(id)? else {
                return Err(UsageError(format!("rota change #{id} does not exist")).into());
            };
            if !in_force {
                return Err(UsageError(format!("rota change #{id} is already undone")).into());
            }
            let rest: Vec<Change> = r
                .rota_changes()?
                .into_iter()
                .filter(|c| c.id != id)
                .map(|c| c.change)
                .collect();
            let last = rest
                .iter()
                .map(rota::last_date)
                .chain([rota::last_date(&rec.change)])
                .max()
                .unwrap_or(rot.start);
            rota::check_all(&rot, &rest, last)?;
            tx.undo_rota_change(id, &by, now)?;
            Ok::<_, anyhow::Error>(rec)
        })?;
        app.emit(&ChangeMade {
            id,
            change: rec.change,
            by,
            at: now,
            undone: true,
        })
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
