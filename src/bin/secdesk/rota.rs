//! `secdesk rota`: show the on-call schedule (table, JSON, iCalendar,
//! fairness stats), and change it (swap, cover, away, undo). Every change is
//! checked against the whole schedule and recorded with who made it.

pub mod away;
pub mod cover;
pub mod show;
pub mod swap;
pub mod undo;

use crate::App;
use clap::Subcommand;
use secdesk::app::rota;
use secdesk::rota::Change;

/// Show the on-call schedule, or change it.
///
/// Without a subcommand: the schedule from --from for --days (default: today,
/// 14 days), as a table, --json (`{shifts: [{date, start, end, member,
/// scheduled, change}], changes: [{id, kind, …, made_by, at, in_force}]}`,
/// RFC 3339 UTC) or --ics (an iCalendar feed). --stats shows per member the
/// shifts and hours on call, shifts covered for others and by others,
/// weekend shifts, and issues claimed and fixed, over 30/90/365 days.
///
/// The schedule is a fixed round-robin in rotation.order; swap, cover and
/// away change only the shifts they name, from the moment they are made.
/// A shift that has ended cannot change.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RotaCommand {
    #[command(subcommand)]
    action: Option<RotaAction>,

    #[command(flatten)]
    show: show::RotaShowArgs,
}

#[derive(Subcommand, Debug)]
enum RotaAction {
    Swap(swap::RotaSwapCommand),
    Cover(cover::RotaCoverCommand),
    Away(away::RotaAwayCommand),
    Undo(undo::RotaUndoCommand),
}

impl RotaCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        match self.action {
            None => self.show.execute(app),
            Some(RotaAction::Swap(c)) => c.execute(app),
            Some(RotaAction::Cover(c)) => c.execute(app),
            Some(RotaAction::Away(c)) => c.execute(app),
            Some(RotaAction::Undo(c)) => c.execute(app),
        }
    }
}

/// Records a change as the acting member and prints it.
pub fn record(app: &mut App, change: Change) -> anyhow::Result<()> {
    let by = app.actor()?;
    let made = rota::record(&mut app.ctx.desk(), &by, change)?;
    app.emit(&made)
}

/// Reads a date argument.
pub fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2026-11-22, got {text:?}"))
}
