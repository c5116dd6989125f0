//! `secdesk rota cover DATE --by MEMBER`: someone takes one shift.

use super::{parse_date, record};
use crate::App;
use chrono::NaiveDate;
use secdesk::rota::Change;

/// Have a member take the shift starting on DATE.
///
/// Refused when the member is not in the rotation or is away that day.
#[derive(clap::Args, Debug)]
pub struct RotaCoverCommand {
    /// The shift (the date it starts, UTC).
    #[arg(value_name = "DATE", value_parser = parse_date)]
    date: NaiveDate,

    /// Who takes it.
    #[arg(long, value_name = "MEMBER")]
    by: String,
}

impl RotaCoverCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        record(
            app,
            Change::Cover {
                date: self.date,
                by: self.by,
            },
        )
    }
}
