//! `secdesk rota swap DATE_A DATE_B`: two members trade shifts.

use super::{parse_date, record};
use crate::App;
use chrono::NaiveDate;
use secdesk::rota::Change;

/// Trade the shifts starting on two dates: each member takes the other's.
///
/// A shift in progress changes hands now. Refused when either shift has
/// ended, both are the same member's, either member is away on the day they
/// would take, or it would put someone on call two shifts in a row while
/// three or more members are available.
#[derive(clap::Args, Debug)]
pub struct RotaSwapCommand {
    /// One shift (the date it starts, UTC).
    #[arg(value_name = "DATE_A", value_parser = parse_date)]
    a: NaiveDate,

    /// The other shift.
    #[arg(value_name = "DATE_B", value_parser = parse_date)]
    b: NaiveDate,
}

impl RotaSwapCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        record(
            app,
            Change::Swap {
                a: self.a,
                b: self.b,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn swap_takes_two_dates() {
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "swap", "2026-11-23", "2026-11-24"]).is_ok(),
            "rota swap 2026-11-23 2026-11-24"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "swap", "2026-11-23"]).is_err(),
            "rota swap 2026-11-23"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "swap", "tomorrow", "2026-11-24"]).is_err(),
            "rota swap tomorrow 2026-11-24"
        );
    }
}
