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
use secdesk::config::Rotation;
use secdesk::rota::{self, Change, Refused};
use serde::Serialize;
use std::fmt;

/// Show the on-call schedule, or change it.
///
/// Without a subcommand: the schedule from --from for --days (default: today,
/// 14 days), as a table, --json (`[{start, end, member}]`, RFC 3339 UTC) or
/// --ics (an iCalendar feed). --stats shows per member the shifts worked,
/// weekend shifts, and issues claimed and fixed over the last --days.
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

/// The configured rotation, or a refusal.
pub fn rotation(app: &App) -> Result<Rotation, Refused> {
    app.ctx.config.rotation.clone().ok_or(Refused::NoRota)
}

/// A recorded change, as printed.
#[derive(Debug, Serialize)]
pub struct ChangeMade {
    id: i64,
    #[serde(flatten)]
    change: Change,
    by: String,
    #[serde(serialize_with = "secdesk::time::ser_instant")]
    at: secdesk::time::Instant,
    undone: bool,
}

impl fmt::Display for ChangeMade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.undone { "undone" } else { "recorded" };
        writeln!(
            f,
            "rota change #{} {what}: {} (by {})",
            self.id,
            rota::notify::describe(&self.change),
            self.by
        )?;
        writeln!(
            f,
            "secdesk-rotate-notify tells the members whose shifts moved."
        )
    }
}

/// Checks a change against the schedule and records it in one transaction.
pub fn record(app: &mut App, change: Change) -> anyhow::Result<()> {
    let rot = rotation(app)?;
    let by = app.actor()?;
    let now = app.ctx.now;
    let id = app.ctx.store.write(|tx| {
        let existing: Vec<Change> = tx
            .reader()
            .rota_changes()?
            .into_iter()
            .map(|c| c.change)
            .collect();
        rota::check(&rot, &existing, &change)?;
        Ok::<_, anyhow::Error>(tx.add_rota_change(&change, &by, now)?)
    })?;
    app.emit(&ChangeMade {
        id,
        change,
        by,
        at: now,
        undone: false,
    })
}

/// Reads a date argument.
pub fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2026-11-22, got {text:?}"))
}
