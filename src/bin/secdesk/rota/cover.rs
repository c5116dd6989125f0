//! `secdesk rota cover DATE --by MEMBER`: someone takes one shift.

use super::{parse_date, record};
use crate::App;
use chrono::NaiveDate;
use secdesk::rota::Change;

/// Have a member take the shift starting on DATE.
///
/// A shift in progress changes hands now. Refused when the shift has
/// ended, the member already has it, is away that day, is not in the
/// rotation, or would be on call two shifts in a row while three or more
/// members are available.
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

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn cover_needs_by() {
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "cover", "2026-11-23", "--by", "bob"]).is_ok(),
            "rota cover 2026-11-23 --by bob"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "cover", "2026-11-23"]).is_err(),
            "rota cover 2026-11-23"
        );
    }
}
