//! `secdesk rota away MEMBER FROM TO`: a member cannot be on call.

use super::{parse_date, record};
use crate::App;
use chrono::NaiveDate;
use secdesk::rota::Change;

/// Mark a member unavailable from FROM to TO (shift dates, inclusive).
///
/// The schedule skips them and the next eligible member takes their
/// shifts; the skipped shifts are owed back after they return, so the load
/// stays even. Refused when it would leave a shift with nobody.
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
