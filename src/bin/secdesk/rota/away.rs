//! `secdesk rota away MEMBER FROM TO`: a member cannot be on call.

use super::{parse_date, record};
use crate::App;
use chrono::NaiveDate;
use secdesk::rota::Change;

/// Mark a member unavailable from FROM to TO (shift dates, inclusive).
///
/// Each of their shifts in those dates goes to a substitute: a member not
/// away, not on call the shift before or after (when three or more are
/// available), least on call over the 30 shifts before, then first in
/// rotation.order. No other shift moves; `rota --stats` shows who covered
/// for whom. From today's shift on: a shift in progress changes hands now.
/// Refused when the first date's shift has ended or a shift would be left
/// with nobody; when too few members are available to avoid it, the output
/// names who now has two shifts in a row.
#[derive(clap::Args, Debug)]
pub struct RotaAwayCommand {
    /// Who.
    #[arg(value_name = "MEMBER")]
    member: String,

    /// First shift date away.
    #[arg(value_name = "FROM", value_parser = parse_date)]
    from: NaiveDate,

    /// Last shift date away.
    #[arg(value_name = "TO", value_parser = parse_date)]
    to: NaiveDate,
}

impl RotaAwayCommand {
    /// Runs the command.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        record(
            app,
            Change::Away {
                member: self.member,
                from: self.from,
                to: self.to,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn away_takes_member_and_two_dates() {
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "away", "bob", "2026-11-23", "2026-11-25"])
                .is_ok(),
            "rota away bob 2026-11-23 2026-11-25"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "away", "bob", "2026-11-23"]).is_err(),
            "rota away bob 2026-11-23"
        );
    }
}
