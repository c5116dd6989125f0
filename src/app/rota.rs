//! The rota: the schedule as people, scripts and calendars want it, the
//! load stats, and changes (swap, cover, away, undo), each checked against
//! the rota at `now` (`rota::check`) and recorded with who made it.

use crate::app::{Desk, Result};
use crate::config::{Config, Rotation};
use crate::layout;
use crate::outbox::Key;
use crate::rota::{self, Change, Effect, Payback, Recorded, Refused, Shift, Timeline};
use crate::store;
use crate::time::{self, Instant};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::fmt;

/// Days the schedule shows by default.
pub const SCHEDULE_DAYS: usize = 14;
/// Days an iCalendar feed covers by default.
pub const ICS_DAYS: usize = 90;
/// The windows `rota --stats` counts over by default, in days.
pub const STATS_WINDOWS: [usize; 3] = [30, 90, 365];

/// The configured rotation, or a refusal naming the missing key.
pub fn rotation(config: &Config) -> Result<&Rotation, Refused> {
    config.rotation.as_ref().ok_or(Refused::NoRota)
}

/// A recorded change, as printed: the change as recorded (or as undone:
/// then `made_by` and `at` say who undid it and when), whether this was
/// the undo, and what it moved.
#[derive(Debug, Serialize)]
pub struct ChangeMade {
    /// The change, its id (for `rota undo`), who and when.
    #[serde(flatten)]
    pub recorded: Recorded,
    /// Whether this was the undo.
    pub undone: bool,
    /// The shifts it gave to someone else, and who now has two in a row.
    #[serde(flatten)]
    pub effect: Effect,
    /// For an undo: whether the change was ever announced (if not, the
    /// undo is not either).
    #[serde(skip)]
    pub announced: bool,
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
        if self.effect.moved.is_empty() {
            writeln!(f, "no shift moves.")?;
        }
        for m in &self.effect.moved {
            let from = if m.mid_shift {
                format!(" from {} UTC", m.from.format("%H:%M"))
            } else {
                String::new()
            };
            writeln!(f, "  shift of {}: {} → {}{from}", m.date, m.before, m.after)?;
        }
        for row in &self.effect.two_in_a_row {
            writeln!(f, "warning: {row}")?;
        }
        let members = self.effect.members();
        if self.undone && !self.announced {
            writeln!(
                f,
                "the change was never announced, so nobody is told of the undo either."
            )?;
        } else if !members.is_empty() {
            writeln!(
                f,
                "secdesk-rotate-notify tells {} (nobody else).",
                members.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Checks a change against the rota at `now` and records it, as `by`, in
/// one write transaction.
pub fn record(desk: &mut Desk<'_>, by: &str, change: Change) -> Result<ChangeMade> {
    let rot = rotation(desk.config)?;
    let now = desk.now;
    let (id, effect) = desk.store.write(|tx| {
        let history = tx.reader().rota_history()?;
        let effect = rota::check(rot, &history, &change, now)?;
        Ok::<_, super::Error>((tx.add_rota_change(&change, by, now)?, effect))
    })?;
    Ok(ChangeMade {
        recorded: Recorded {
            id,
            change,
            by: by.to_string(),
            at: now,
        },
        undone: false,
        effect,
        announced: false,
    })
}

/// Takes change `id` back at `now`, as `by`.
pub fn undo(desk: &mut Desk<'_>, by: &str, id: i64) -> Result<ChangeMade> {
    let rot = rotation(desk.config)?;
    let now = desk.now;
    let (rec, effect, announced) = desk.store.write(|tx| {
        let r = tx.reader();
        let history = r.rota_history()?;
        let (rec, effect) = rota::check_undo(rot, &history, id, now)?;
        let announced = !r
            .outbox_keys(&Key::rota_change_prefix(id, false))?
            .is_empty();
        tx.undo_rota_change(id, by, now)?;
        Ok::<_, super::Error>((rec, effect, announced))
    })?;
    Ok(ChangeMade {
        recorded: Recorded {
            id,
            change: rec.change,
            by: by.to_string(),
            at: now,
        },
        undone: true,
        effect,
        announced,
    })
}

fn history(desk: &mut Desk<'_>) -> Result<Vec<(Recorded, Option<rota::Undone>)>> {
    Ok(desk.store.read(|r| r.rota_history())?)
}

/// A recorded change as `rota --json` lists it.
#[derive(Debug, Serialize)]
pub struct ChangeRow {
    /// The change, its id (for `rota undo`), who made it and when.
    #[serde(flatten)]
    pub recorded: Recorded,
    /// Whether it is in force (not undone).
    pub in_force: bool,
    /// Who undid it.
    pub undone_by: Option<String>,
    /// When.
    #[serde(serialize_with = "crate::time::ser_opt_instant")]
    pub undone_at: Option<Instant>,
}

/// The schedule as printed: a table, or a JSON object with the `shifts`
/// (`{date, start, end, member, scheduled, change}`, a shift split by a
/// change in several parts) and every recorded `changes` with its id.
#[derive(Debug, Serialize)]
pub struct RotaSchedule {
    shifts: Vec<Shift>,
    changes: Vec<ChangeRow>,
    #[serde(skip)]
    names: Vec<(String, String, chrono_tz::Tz)>,
    #[serde(skip)]
    from: NaiveDate,
}

/// The shifts from `from` (default: today, UTC) for `days` (default
/// [`SCHEDULE_DAYS`]), as lived up to `now` and planned after it.
pub fn schedule(
    desk: &mut Desk<'_>,
    from: Option<NaiveDate>,
    days: Option<usize>,
) -> Result<RotaSchedule> {
    let rot = rotation(desk.config)?;
    let history = history(desk)?;
    let from = from.unwrap_or(desk.now.date_naive());
    let shifts = rota::schedule(rot, &history, from, days.unwrap_or(SCHEDULE_DAYS));
    let config = desk.config;
    let names = rot
        .order
        .iter()
        .map(|id| {
            let tz = config.member(id).map_or(chrono_tz::Tz::UTC, |m| m.timezone);
            (id.clone(), config.name_of(id), tz)
        })
        .collect();
    let changes = history
        .into_iter()
        .map(|(recorded, undone)| ChangeRow {
            recorded,
            in_force: undone.is_none(),
            undone_by: undone.as_ref().map(|u| u.by.clone()),
            undone_at: undone.map(|u| u.at),
        })
        .collect();
    Ok(RotaSchedule {
        shifts,
        changes,
        names,
        from,
    })
}

impl RotaSchedule {
    /// The shifts (parts of a shift split by a change each their own),
    /// for the public site's rota page.
    pub fn shifts(&self) -> &[crate::rota::Shift] {
        &self.shifts
    }
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
/// `days` (default [`ICS_DAYS`]), only `member`'s shifts when given (a
/// member not in the rotation is refused).
pub fn ics(
    desk: &mut Desk<'_>,
    from: Option<NaiveDate>,
    days: Option<usize>,
    member: Option<&str>,
) -> Result<IcsFeed> {
    let rot = rotation(desk.config)?;
    if let Some(m) = member
        && !rot.order.iter().any(|o| o == m)
    {
        return Err(Refused::NotInRotation(m.to_string()).into());
    }
    let history = history(desk)?;
    let from = from.unwrap_or(desk.now.date_naive());
    let timeline = Timeline::new(rot, &history);
    let days = days.unwrap_or(ICS_DAYS);
    let mut shifts = timeline.schedule(from, days);
    if let Some(m) = member {
        shifts.retain(|s| s.member == m);
    }
    let revisions = rota::ics::revisions(&timeline, &history, from, days);
    let config = desk.config;
    let name = |id: &str| config.name_of(id);
    Ok(IcsFeed(rota::ics::render(
        rot, &shifts, &revisions, &name, desk.now,
    )))
}

/// One member's load over one window.
#[derive(Debug, Serialize)]
pub struct WindowStats {
    /// The window's length, in days before now.
    pub days: usize,
    /// Shifts, hours, covers and weekend shifts.
    #[serde(flatten)]
    pub load: rota::Load,
    /// Issues they claimed in the window.
    pub claimed: i64,
    /// Issues that became fixed in the window with them recording the fix.
    pub fixed: i64,
}

/// One member's load over every window.
#[derive(Debug, Serialize)]
pub struct MemberStats {
    /// The member id.
    pub member: String,
    /// One entry per window, shortest first.
    pub windows: Vec<WindowStats>,
}

/// The stats as printed.
#[derive(Debug, Serialize)]
pub struct RotaStats {
    #[serde(serialize_with = "crate::time::ser_instant")]
    now: Instant,
    windows: Vec<usize>,
    members: Vec<MemberStats>,
    /// A cover that would even out the most uneven pair (over the longest
    /// window up to 90 days), if one is due.
    payback: Option<Payback>,
}

/// Per member, over the last 30, 90 and 365 days (or only `days`): shifts
/// and hours on call, shifts covered for others and by others, weekend
/// shifts, issues claimed and fixed; and a suggested payback cover.
pub fn stats(desk: &mut Desk<'_>, days: Option<usize>) -> Result<RotaStats> {
    let rot = rotation(desk.config)?;
    let windows: Vec<usize> = match days {
        Some(d) => vec![d],
        None => STATS_WINDOWS.to_vec(),
    };
    let now = desk.now;
    let (history, work) = desk.store.read(|r| {
        let mut work = Vec::new();
        for w in &windows {
            work.push(r.member_load(now - Duration::days(*w as i64))?);
        }
        Ok::<_, store::Error>((r.rota_history()?, work))
    })?;
    let timeline = Timeline::new(rot, &history);
    let loads: Vec<_> = windows
        .iter()
        .map(|w| rota::load(&timeline, now, *w))
        .collect();
    let members = rot
        .order
        .iter()
        .map(|m| MemberStats {
            member: m.clone(),
            windows: windows
                .iter()
                .zip(&loads)
                .zip(&work)
                .map(|((w, load), work)| {
                    let (claimed, fixed) = work.get(m).copied().unwrap_or_default();
                    WindowStats {
                        days: *w,
                        load: load.get(m).cloned().unwrap_or_default(),
                        claimed,
                        fixed,
                    }
                })
                .collect(),
        })
        .collect();
    let basis = windows
        .iter()
        .zip(&loads)
        .rfind(|(w, _)| **w <= 90)
        .or(windows.iter().zip(&loads).next())
        .map(|(_, l)| l);
    let payback = basis.and_then(|l| rota::payback(&timeline, &history, l, now));
    Ok(RotaStats {
        now,
        windows,
        members,
        payback,
    })
}

impl fmt::Display for RotaSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shifts.is_empty() {
            writeln!(f, "no shifts in that range (the rota may not have started)")?;
        }
        let name_of = |id: &str| {
            self.names
                .iter()
                .find(|(i, _, _)| i == id)
                .map_or((id.to_string(), chrono_tz::Tz::UTC), |(_, n, tz)| {
                    (n.clone(), *tz)
                })
        };
        let rows: Vec<Vec<String>> = self
            .shifts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (name, tz) = name_of(&s.member);
                let mut note = Vec::new();
                if s.member != s.scheduled {
                    let change = s.change.map(|c| format!(" (#{c})")).unwrap_or_default();
                    note.push(format!("for {}{change}", s.scheduled));
                }
                let next_shift = self.shifts[i + 1..].iter().find(|n| n.date != s.date);
                if next_shift.is_some_and(|n| n.member == s.member) {
                    note.push("two shifts in a row".to_string());
                }
                vec![
                    s.start.format("%a %Y-%m-%d %H:%M").to_string(),
                    s.end.format("%a %H:%M").to_string(),
                    name,
                    rota::notify::local(s.start, tz),
                    note.join("; "),
                ]
            })
            .collect();
        // On a terminal the notes, then the local times, give way first.
        f.write_str(&layout::fit(
            &[
                "START (UTC)",
                "END",
                "ON CALL",
                "STARTS (THEIR TIME)",
                "NOTE",
            ],
            &rows,
            layout::page(f, 0),
            &[4, 3],
        ))?;
        let live: Vec<&ChangeRow> = self
            .changes
            .iter()
            .filter(|c| c.in_force && c.recorded.change.last_date() >= self.from)
            .collect();
        if !live.is_empty() {
            writeln!(
                f,
                "\nchanges in force (`secdesk rota undo ID` takes one back):"
            )?;
            for c in live {
                writeln!(
                    f,
                    "  #{}  {}  (by {}, {})",
                    c.recorded.id,
                    rota::notify::describe(&c.recorded.change),
                    c.recorded.by,
                    time::format(c.recorded.at)
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for RotaStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let windows: Vec<String> = self.windows.iter().map(|w| w.to_string()).collect();
        writeln!(
            f,
            "on-call load to {}, over the last {} days (each cell: {}):",
            time::format(self.now),
            windows.join(" / "),
            windows.join("/")
        )?;
        let cell = |m: &MemberStats, get: &dyn Fn(&WindowStats) -> String| {
            m.windows.iter().map(get).collect::<Vec<_>>().join("/")
        };
        let rows: Vec<Vec<String>> = self
            .members
            .iter()
            .map(|m| {
                vec![
                    m.member.clone(),
                    cell(m, &|w| w.load.shifts.to_string()),
                    cell(m, &|w| w.load.hours.to_string()),
                    cell(m, &|w| w.load.covered_for_others.to_string()),
                    cell(m, &|w| w.load.covered_by_others.to_string()),
                    cell(m, &|w| w.load.weekend_shifts.to_string()),
                    cell(m, &|w| w.claimed.to_string()),
                    cell(m, &|w| w.fixed.to_string()),
                ]
            })
            .collect();
        f.write_str(&layout::table(
            &[
                "MEMBER",
                "SHIFTS",
                "HOURS",
                "COVERED FOR OTHERS",
                "COVERED BY OTHERS",
                "WEEKEND",
                "CLAIMED",
                "FIXED",
            ],
            &rows,
        ))?;
        if let Some(p) = &self.payback {
            writeln!(
                f,
                "\n{} has covered for others more often than been covered, {} the other way round.\nTo even out, {} could take {}'s shift of {}:\n  secdesk rota cover {} --by {}",
                p.owed, p.owes, p.owes, p.owed, p.date, p.date, p.owes
            )?;
        }
        Ok(())
    }
}
