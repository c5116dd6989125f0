//! The rota: the schedule as people, scripts and calendars want it, the
//! fairness stats, and changes (swap, cover, away, undo), each checked
//! against the whole schedule and recorded with who made it.

use crate::app::{Desk, Result};
use crate::config::{Config, Rotation};
use crate::layout;
use crate::rota::{self, Change, Recorded, Refused, Shift};
use crate::store;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::fmt;

/// Days the schedule shows by default.
pub const SCHEDULE_DAYS: usize = 14;
/// Days an iCalendar feed covers by default.
pub const ICS_DAYS: usize = 90;
/// Days back the stats count by default.
pub const STATS_DAYS: usize = 30;

/// The configured rotation, or a refusal naming the missing key.
pub fn rotation(config: &Config) -> Result<&Rotation, Refused> {
    config.rotation.as_ref().ok_or(Refused::NoRota)
}

/// A recorded change, as printed: the change as recorded (or as undone:
/// then `made_by` and `at` say who undid it and when) and whether this was
/// the undo.
#[derive(Debug, Serialize)]
pub struct ChangeMade {
    /// The change, its id (for `rota undo`), who and when.
    #[serde(flatten)]
    pub recorded: Recorded,
    /// Whether this was the undo.
    pub undone: bool,
}

impl fmt::Display for ChangeMade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.undone { "undone" } else { "recorded" };
        writeln!(
            f,
            "rota change #{} {what}: {} (by {})",
            self.recorded.id,
            rota::notify::describe(&self.recorded.change),
            self.recorded.by
        )?;
        writeln!(
            f,
            "secdesk-rotate-notify tells the members whose shifts moved."
        )
    }
}

/// Checks a change against the schedule and records it, as `by`, in one
/// write transaction. Refused when it would leave a shift with nobody.
pub fn record(desk: &mut Desk<'_>, by: &str, change: Change) -> Result<ChangeMade> {
    let rot = rotation(desk.config)?;
    let now = desk.now;
    let id = desk.store.write(|tx| {
        let existing: Vec<Change> = in_force(&tx.reader().rota_changes()?);
        rota::check(rot, &existing, &change)?;
        Ok::<_, super::Error>(tx.add_rota_change(&change, by, now)?)
    })?;
    Ok(ChangeMade {
        recorded: Recorded {
            id,
            change,
            by: by.to_string(),
            at: now,
        },
        undone: false,
    })
}

/// Takes change `id` back, as `by`. Refused when it does not exist, was
/// undone already, or the schedule without it would leave a shift with
/// nobody.
pub fn undo(desk: &mut Desk<'_>, by: &str, id: i64) -> Result<ChangeMade> {
    let rot = rotation(desk.config)?;
    let now = desk.now;
    let rec = desk.store.write(|tx| {
        let r = tx.reader();
        let (rec, in_force) = r.rota_change(id)?.ok_or(Refused::NoSuchChange(id))?;
        if !in_force {
            return Err(Refused::AlreadyUndone(id).into());
        }
        let rest: Vec<Change> = r
            .rota_changes()?
            .into_iter()
            .filter(|c| c.id != id)
            .map(|c| c.change)
            .collect();
        rota::check_undo(rot, &rest, &rec.change)?;
        tx.undo_rota_change(id, by, now)?;
        Ok::<_, super::Error>(rec)
    })?;
    Ok(ChangeMade {
        recorded: Recorded {
            id,
            change: rec.change,
            by: by.to_string(),
            at: now,
        },
        undone: true,
    })
}

fn in_force(recorded: &[Recorded]) -> Vec<Change> {
    recorded.iter().map(|c| c.change.clone()).collect()
}

fn changes(desk: &mut Desk<'_>) -> Result<Vec<Recorded>> {
    Ok(desk.store.read(|r| r.rota_changes())?)
}

fn display_name(config: &Config, id: &str) -> String {
    config
        .member(id)
        .map_or(id.to_string(), |m| m.display_name().to_string())
}

/// The schedule as printed: a table, or a JSON array of
/// `{date, start, end, member}`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct RotaSchedule {
    shifts: Vec<Shift>,
    #[serde(skip)]
    changes: Vec<Recorded>,
    #[serde(skip)]
    names: Vec<(String, String, chrono_tz::Tz)>,
}

/// The shifts from `from` (default: today, UTC) for `days` (default
/// [`SCHEDULE_DAYS`]), with the changes in force.
pub fn schedule(
    desk: &mut Desk<'_>,
    from: Option<NaiveDate>,
    days: Option<usize>,
) -> Result<RotaSchedule> {
    let rot = rotation(desk.config)?;
    let recorded = changes(desk)?;
    let from = from.unwrap_or(desk.now.date_naive());
    let shifts = rota::schedule(
        rot,
        &in_force(&recorded),
        from,
        days.unwrap_or(SCHEDULE_DAYS),
    );
    let config = desk.config;
    let names = rot
        .order
        .iter()
        .map(|id| {
            let tz = config.member(id).map_or(chrono_tz::Tz::UTC, |m| m.timezone);
            (id.clone(), display_name(config, id), tz)
        })
        .collect();
    Ok(RotaSchedule {
        shifts,
        changes: recorded,
        names,
    })
}

/// An iCalendar feed, printed as is (also under `--json`).
#[derive(Debug)]
pub struct IcsFeed(pub String);

impl fmt::Display for IcsFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The schedule as an iCalendar feed from `from` (default today) for
/// `days` (default [`ICS_DAYS`]), only `member`'s shifts when given.
pub fn ics(
    desk: &mut Desk<'_>,
    from: Option<NaiveDate>,
    days: Option<usize>,
    member: Option<&str>,
) -> Result<IcsFeed> {
    let rot = rotation(desk.config)?;
    let recorded = changes(desk)?;
    let from = from.unwrap_or(desk.now.date_naive());
    let mut shifts = rota::schedule(rot, &in_force(&recorded), from, days.unwrap_or(ICS_DAYS));
    if let Some(m) = member {
        shifts.retain(|s| s.member == m);
    }
    let config = desk.config;
    let name = |id: &str| display_name(config, id);
    Ok(IcsFeed(rota::ics::render(&shifts, &name, desk.now)))
}

/// One member's load.
#[derive(Debug, Serialize)]
pub struct MemberStats {
    /// The member id.
    pub member: String,
    /// Shifts worked in the window.
    pub shifts: usize,
    /// Of those, shifts starting on a Saturday or Sunday (UTC).
    pub weekend_shifts: usize,
    /// Issues claimed in the window.
    pub claimed: i64,
    /// Issues fixed in the window.
    pub fixed: i64,
}

/// The stats as printed.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct RotaStats {
    rows: Vec<MemberStats>,
    #[serde(skip)]
    days: usize,
}

/// Per member, over the last `days` (default [`STATS_DAYS`]): shifts worked
/// (started by now), weekend shifts, issues claimed and fixed.
pub fn stats(desk: &mut Desk<'_>, days: Option<usize>) -> Result<RotaStats> {
    let rot = rotation(desk.config)?;
    let days = days.unwrap_or(STATS_DAYS);
    let now = desk.now;
    let since = now - Duration::days(days as i64);
    let (recorded, load) = desk
        .store
        .read(|r| Ok::<_, store::Error>((r.rota_changes()?, r.member_load(since)?)))?;
    let counts = rota::shift_counts(&rota::worked(rot, &in_force(&recorded), now, days));
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
    Ok(RotaStats { rows, days })
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
                    crate::time::format(c.at)
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
