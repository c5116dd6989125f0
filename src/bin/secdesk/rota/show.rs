//! `secdesk rota [--from DATE] [--days N] [--json | --ics [--member M] |
//! --stats]`: the schedule, as people, scripts and calendars want it.

use super::parse_date;
use crate::App;
use chrono::NaiveDate;
use secdesk::app::rota;
use secdesk::cli;

/// Flags of the schedule view.
#[derive(clap::Args, Debug)]
pub struct RotaShowArgs {
    /// First shift date to show (default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<NaiveDate>,

    /// How many days to show (default: 14; 90 with --ics; with --stats, one
    /// window of N days back instead of 30, 90 and 365).
    #[arg(long, value_name = "N")]
    days: Option<usize>,

    /// Print an iCalendar feed (one event a shift, UTC, stable UIDs,
    /// SEQUENCE and LAST-MODIFIED that change when the shift does).
    #[arg(long, conflicts_with = "stats")]
    ics: bool,

    /// With --ics: only this member's shifts.
    #[arg(long, value_name = "MEMBER", requires = "ics")]
    member: Option<String>,

    /// Per member: shifts and hours on call, covered for others and by
    /// others, weekend shifts, issues claimed and fixed; a payback cover.
    #[arg(long)]
    stats: bool,
}

impl RotaShowArgs {
    /// Runs the view.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let mut desk = app.ctx.desk();
        if self.stats {
            let stats = rota::stats(&mut desk, self.days)?;
            return app.emit(&stats);
        }
        if self.ics {
            let feed = rota::ics(&mut desk, self.from, self.days, self.member.as_deref())?;
            return cli::print(&feed.to_string());
        }
        let schedule = rota::schedule(&mut desk, self.from, self.days)?;
        app.emit(&schedule)
    }
}

#[cfg(test)]
mod tests {
    use crate::Cli;
    use clap::Parser;

    #[test]
    fn schedule_flags_parse() {
        assert!(Cli::try_parse_from(["secdesk", "rota"]).is_ok(), "rota");
        assert!(
            Cli::try_parse_from([
                "secdesk",
                "rota",
                "--from",
                "2026-11-22",
                "--days",
                "7",
                "--json"
            ])
            .is_ok(),
            "rota --from 2026-11-22 --days 7 --json"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "--ics", "--member", "bob"]).is_ok(),
            "rota --ics --member bob"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "--stats", "--days", "30"]).is_ok(),
            "rota --stats --days 30"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "--member", "bob"]).is_err(),
            "rota --member bob"
        );
        assert!(
            Cli::try_parse_from(["secdesk", "rota", "--ics", "--stats"]).is_err(),
            "rota --ics --stats"
        );
    }
}
