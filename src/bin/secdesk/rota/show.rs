//! `secdesk rota [--from DATE] [--days N] [--json | --ics [--member M] |
//! --stats]`: the schedule, as people, scripts and calendars want it.

use super::{parse_date, rotation};
use crate::App;
use chrono::{Duration, NaiveDate};
use secdesk::layout;
use secdesk::rota::{self, Change, Recorded, Shift};
use serde::Serialize;
use std::fmt;

/// Flags of the schedule view.
#[derive(clap::Args, Debug)]
pub struct RotaShowArgs {
    /// First shift date to show (default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<NaiveDate>,

    /// How many days to show (default: 14; 90 with --ics; with --stats, how
    /// many days back to count, default 30).
    #[arg(long, value_name = "N")]
    days: Option<usize>,

    /// Print an iCalendar feed (one event a shift, UTC, stable UIDs).
    #[arg(long, conflicts_with = "stats")]
    ics: bool,

    /// With --ics: only this member's shifts.
    #[arg(long, value_name = "MEMBER", requires = "ics")]
    member: Option<String>,

    /// Per member: shifts worked, weekend shifts, issues claimed and fixed.
    #[arg(long)]
    stats: bool,
}

/// The schedule as printed.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct RotaSchedule {
    shifts: Vec<Shift>,
    #[serde(skip)]
    changes: Vec<Recorded>,
    #[serde(skip)]
    names: Vec<(String, String, chrono_tz::Tz)>,
}

/// One member's load.
#[derive(Debug, Serialize)]
pub struct MemberStats {
    member: String,
    shifts: usize,
    weekend_shifts: usize,
    claimed: i64,
    fixed: i64,
}

/// The stats as printed.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct RotaStats {
    rows: Vec<MemberStats>,
    #[serde(skip)]
    days: usize,
}

impl RotaShowArgs {
    /// Runs the view.
    pub fn execute(self, app: &mut App) -> anyhow::Result<()> {
        let rot = rotation(app)?;
        let now = app.ctx.now;
        let recorded = app.ctx.store.read(|r| r.rota_changes())?;
        let changes: Vec<Change> = recorded.iter().map(|c| c.change.clone()).collect();
        let today = now.date_naive();
        if self.stats {
            let days = self.days.unwrap_or(30);
            let from = today - Duration::days(days as i64);
            // Shifts that started in the window and have started by now.
            let shifts: Vec<Shift> = rota::schedule(&rot, &changes, from, days + 1)
                .into_iter()
                .filter(|s| s.start <= now)
                .collect();
            let counts = rota::shift_counts(&shifts);
            let load = app
                .ctx
                .store
                .read(|r| r.member_load(now - Duration::days(days as i64)))?;
            let rows = rot
                .order
                .iter()
                .map(|m| {
                    let (shifts, weekend) = counts.get(m).copied().unwrap_or_default();
                    let (claimed, fixed) = load.get(m).copied().unwrap_or_default();
                    MemberStats {
                        member: m.clone(),
                        shifts,
                        weekend_shifts: weekend,
                        claimed,
                        fixed,
                    }
                })
                .collect();
            return app.emit(&RotaStats { rows, days });
        }
        let from = self.from.unwrap_or(today);
        let days = self.days.unwrap_or(if self.ics { 90 } else { 14 });
        let mut shifts = rota::schedule(&rot, &changes, from, days);
        let config = &app.ctx.config;
        let name = |id: &str| {
            config
                .member(id)
                .map_or(id.to_string(), |m| m.display_name().to_string())
        };
        if self.ics {
            if let Some(m) = &self.member {
                shifts.retain(|s| &s.member == m);
            }
            let text = rota::ics::render(&shifts, &name, now);
            return secdesk::cli::print(&text);
        }
        let names = rot
            .order
            .iter()
            .map(|id| {
                let tz = config.member(id).map_or(chrono_tz::Tz::UTC, |m| m.timezone);
                (id.clone(), name(id), tz)
            })
            .collect();
        app.emit(&RotaSchedule {
            shifts,
            changes: recorded,
            names,
        })
    }
}

impl fmt::Display for RotaSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shifts.is_empty() {
            writeln!(f, "no shifts in that range (the rota may not have started)")?;
        }
        let rows: Vec<Vec<String>> = self
            .shifts
            .iter()
            .map(|s| {
                let (name, tz) = self
                    .names
                    .iter()
                    .find(|(id, _, _)| id == &s.member)
                    .map_or((s.member.clone(), chrono_tz::Tz::UTC), |(_, n, tz)| {
                        (n.clone(), *tz)
                    });
                vec![
                    s.start.format("%a %Y-%m-%d %H:%M").to_string(),
                    s.end.format("%a %H:%M").to_string(),
                    name,
                    rota::notify::local(s.start, tz),
                ]
            })
            .collect();
        f.write_str(&layout::table(
            &["START (UTC)", "END", "ON CALL", "STARTS (THEIR TIME)"],
            &rows,
        ))?;
        if !self.changes.is_empty() {
            writeln!(f, "\nchanges in force:")?;
            for c in &self.changes {
                writeln!(
                    f,
                    "  #{}  {}  (by {}, {})",
                    c.id,
                    rota::notify::describe(&c.change),
                    c.by,
                    secdesk::time::format(c.at)
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for RotaStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the last {} days:", self.days)?;
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.member.clone(),
                    r.shifts.to_string(),
                    r.weekend_shifts.to_string(),
                    r.claimed.to_string(),
                    r.fixed.to_string(),
                ]
            })
            .collect();
        f.write_str(&layout::table(
            &["MEMBER", "SHIFTS", "WEEKEND", "CLAIMED", "FIXED"],
            &rows,
        ))
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
