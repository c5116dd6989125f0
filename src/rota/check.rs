//! Whether a change (or an undo) may be made at `now`, and what it moves.
//!
//! The rules: only shifts that have not ended can change; a swap needs two
//! shifts of two different members, a cover someone other than the member
//! already on call and not away that day; no shift may be left with nobody
//! or with someone away; nobody gets two shifts in a row while three or
//! more members are available on both days. With fewer available, an away
//! period is still recorded and [`Effect::two_in_a_row`] names who now has
//! two shifts in a row. Pure.

use super::plan::Plan;
use super::timeline::Timeline;
use super::{Change, History, Recorded, Refused, shift_bounds, shift_date_at};
use crate::config::Rotation;
use crate::time::Instant;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::fmt;

/// One shift a change gives to another member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// The shift's date.
    pub date: NaiveDate,
    /// From when the new member has it: the shift's start, or the instant
    /// of the change when it was made during the shift.
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub from: Instant,
    /// When the shift ends.
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub to: Instant,
    /// Whether the change was made during the shift, so `before` worked
    /// its first part.
    pub mid_shift: bool,
    /// Who had it.
    pub before: String,
    /// Who has it now.
    pub after: String,
}

/// A member with two shifts in a row because too few were available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TwoInARow {
    /// Who.
    pub member: String,
    /// The first of the two shifts.
    pub first: NaiveDate,
    /// How many members were available (not away) on the fewer of the two
    /// days.
    pub available: usize,
}

impl TwoInARow {
    /// The second of the two shifts.
    pub fn second(&self) -> NaiveDate {
        self.first + Duration::days(1)
    }
}

impl fmt::Display for TwoInARow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} now has two shifts in a row ({} and {}): only {} member{} available",
            self.member,
            self.first,
            self.second(),
            self.available,
            if self.available == 1 { " is" } else { "s are" }
        )
    }
}

/// What a change or an undo does to the schedule from `now` on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Effect {
    /// The shifts it gives to someone else, in date order.
    pub moved: Vec<Moved>,
    /// Who it leaves with two shifts in a row (only when too few members
    /// are available for anything else).
    pub two_in_a_row: Vec<TwoInARow>,
}

impl Effect {
    /// The members whose shifts it moves, in id order, each once.
    pub fn members(&self) -> Vec<&str> {
        let mut m: Vec<&str> = self
            .moved
            .iter()
            .flat_map(|s| [s.before.as_str(), s.after.as_str()])
            .collect();
        m.sort();
        m.dedup();
        m
    }
}

/// The longest away period, in days: someone away longer leaves the
/// rotation (`rotation.order`) instead.
pub const MAX_AWAY_DAYS: i64 = 366;

fn in_rotation(rot: &Rotation, m: &str) -> Result<(), Refused> {
    if rot.order.iter().any(|o| o == m) {
        Ok(())
    } else {
        Err(Refused::NotInRotation(m.to_string()))
    }
}

/// The first shift that has not ended at `now`.
fn first_open(rot: &Rotation, now: Instant) -> NaiveDate {
    shift_date_at(rot, now).unwrap_or(rot.start)
}

fn not_ended(rot: &Rotation, date: NaiveDate, now: Instant) -> Result<(), Refused> {
    if date < rot.start {
        return Err(Refused::BeforeStart(date));
    }
    let (_, end) = shift_bounds(rot, date);
    if end <= now {
        return Err(Refused::Ended { date, end });
    }
    Ok(())
}

/// The last date any change in `history` (or `extra`) touches, plus one.
fn horizon(history: &History, extra: &Change, from: NaiveDate) -> NaiveDate {
    history
        .iter()
        .map(|(r, _)| r.change.last_date())
        .chain([extra.last_date(), from])
        .max()
        .unwrap_or(from)
        + Duration::days(1)
}

/// Compares two plans from `from` to `to` (inclusive): what moves, and
/// what the rules forbid in it.
fn compare(
    rot: &Rotation,
    before: &Plan<'_>,
    after: &Plan<'_>,
    from: NaiveDate,
    to: NaiveDate,
    now: Instant,
) -> (Effect, Vec<Refused>) {
    let mut effect = Effect::default();
    let mut problems = Vec::new();
    let mut d = from;
    while d <= to {
        let (b, a) = (before.member(d), after.member(d));
        if b != a {
            let (start, end) = shift_bounds(rot, d);
            if let (Some(b), Some(a)) = (b, a) {
                effect.moved.push(Moved {
                    date: d,
                    from: start.max(now),
                    to: end,
                    mid_shift: now > start,
                    before: b.to_string(),
                    after: a.to_string(),
                });
            }
        }
        d += Duration::days(1);
    }
    // Every shift, not only those that changed: an away period can leave
    // a shift with its member when nobody else is there to take it.
    let mut d = from;
    while d <= to {
        if let Some(m) = after.member(d)
            && after.is_away(m, d)
            && !(before.member(d) == Some(m) && before.is_away(m, d))
        {
            problems.push(if after.available(d) == 0 {
                Refused::Uncovered {
                    date: d,
                    why: "every member is away".into(),
                }
            } else {
                Refused::AwayThatDay {
                    member: m.to_string(),
                    date: d,
                }
            });
        }
        d += Duration::days(1);
    }
    // Every pair of neighbouring shifts: a change also moves who is
    // available, so a pair it did not touch can become one to refuse.
    let mut d = from.max(rot.start + Duration::days(1)) - Duration::days(1);
    while d < to {
        if let Some(m) = after.two_in_a_row(d) {
            let next = d + Duration::days(1);
            let available = after.available(d).min(after.available(next));
            let was = before.two_in_a_row(d) == Some(m)
                && (available < 3 || before.available(d).min(before.available(next)) >= 3);
            if !was {
                let row = TwoInARow {
                    member: m.to_string(),
                    first: d,
                    available,
                };
                if available >= 3 {
                    problems.push(Refused::TwoInARow(row));
                } else {
                    effect.two_in_a_row.push(row);
                }
            }
        }
        d += Duration::days(1);
    }
    (effect, problems)
}

fn verdict((effect, problems): (Effect, Vec<Refused>)) -> Result<Effect, Refused> {
    match problems.into_iter().next() {
        Some(p) => Err(p),
        None => Ok(effect),
    }
}

/// What change `id` did when it was recorded (`undo` false) or undone
/// (`undo` true), for the notices; `None` when there is no such event.
pub fn event_effect(timeline: &Timeline<'_>, id: i64, undo: bool) -> Option<Effect> {
    let (rot, history) = (timeline.rotation(), timeline.history());
    let (rec, undone) = history.iter().find(|(r, _)| r.id == id)?;
    let at = if undo { undone.as_ref()?.at } else { rec.at };
    // Usually the event is all that changes at its instant: then the plans
    // on either side are the timeline's own (built once, shared).
    let just_before = at - Duration::nanoseconds(1);
    let ids = |t: Instant| {
        let mut v: Vec<i64> = timeline.in_force(t).map(|r| r.id).collect();
        v.sort();
        v
    };
    let (mut then, mut now_) = (ids(just_before), ids(at));
    let (smaller, larger) = if undo {
        (&mut now_, &mut then)
    } else {
        (&mut then, &mut now_)
    };
    smaller.push(id);
    smaller.sort();
    let alone = smaller == larger;
    let built;
    let (before, after) = if alone {
        (timeline.plan_at(just_before), timeline.plan_at(at))
    } else {
        let others: Vec<&Recorded> = timeline.in_force(at).filter(|r| r.id != id).collect();
        let without = Plan::new(rot, others.iter().copied(), timeline.pins());
        let with = Plan::new(rot, others.iter().copied().chain([rec]), timeline.pins());
        built = if undo {
            (with, without)
        } else {
            (without, with)
        };
        (&built.0, &built.1)
    };
    let from = first_open(rot, at);
    Some(
        compare(
            rot,
            before,
            after,
            from,
            horizon(history, &rec.change, from),
            at,
        )
        .0,
    )
}

/// Checks `change` against the rota at `now` (`history`: every change ever
/// recorded, with its undo) and says what it moves.
pub fn check(
    rot: &Rotation,
    history: &History,
    change: &Change,
    now: Instant,
) -> Result<Effect, Refused> {
    match change {
        Change::Swap { a, b } => {
            if a == b {
                return Err(Refused::SameShift);
            }
            not_ended(rot, *a.min(b), now)?;
            not_ended(rot, *a.max(b), now)?;
        }
        Change::Cover { date, by } => {
            in_rotation(rot, by)?;
            not_ended(rot, *date, now)?;
        }
        Change::Away { member, from, to } => {
            in_rotation(rot, member)?;
            if to < from {
                return Err(Refused::Backwards {
                    from: *from,
                    to: *to,
                });
            }
            not_ended(rot, *from, now)?;
            if (*to - *from).num_days() >= MAX_AWAY_DAYS {
                return Err(Refused::TooLong {
                    days: MAX_AWAY_DAYS,
                });
            }
        }
    }
    let timeline = Timeline::new(rot, history);
    let before = timeline.plan_at(now);
    match change {
        Change::Swap { a, b } => {
            if let (Some(ma), Some(mb)) = (before.member(*a), before.member(*b))
                && ma == mb
            {
                return Err(Refused::SameMember {
                    member: ma.to_string(),
                    a: *a,
                    b: *b,
                });
            }
        }
        Change::Cover { date, by } => {
            if before.member(*date) == Some(by.as_str()) {
                return Err(Refused::AlreadyOnCall {
                    member: by.clone(),
                    date: *date,
                });
            }
            if before.is_away(by, *date) {
                return Err(Refused::AwayThatDay {
                    member: by.clone(),
                    date: *date,
                });
            }
        }
        Change::Away { .. } => {}
    }
    let new = Recorded {
        id: history.iter().map(|(r, _)| r.id).max().unwrap_or(0) + 1,
        change: change.clone(),
        by: String::new(),
        at: now,
    };
    let after = Plan::new(rot, timeline.in_force(now).chain([&new]), timeline.pins());
    let from = first_open(rot, now);
    verdict(compare(
        rot,
        before,
        &after,
        from,
        horizon(history, change, from),
        now,
    ))
}

/// Checks taking change `id` back at `now`; returns the change and what
/// the undo moves.
pub fn check_undo(
    rot: &Rotation,
    history: &History,
    id: i64,
    now: Instant,
) -> Result<(Recorded, Effect), Refused> {
    let (rec, undone) = history
        .iter()
        .find(|(r, _)| r.id == id)
        .ok_or(Refused::NoSuchChange(id))?;
    if undone.is_some() {
        return Err(Refused::AlreadyUndone(id));
    }
    let (_, end) = shift_bounds(rot, rec.change.last_date());
    if end <= now {
        return Err(Refused::UndoEnded(id));
    }
    let timeline = Timeline::new(rot, history);
    let before = timeline.plan_at(now);
    let after = Plan::new(
        rot,
        timeline.in_force(now).filter(|r| r.id != id),
        timeline.pins(),
    );
    let from = first_open(rot, now);
    let effect = verdict(compare(
        rot,
        before,
        &after,
        from,
        horizon(history, &rec.change, from),
        now,
    ))?;
    // An undo gives back only the shifts of its own change; one that would
    // also move a later change's shift (a kept substitute that no longer
    // fits) is refused, naming that change.
    if let Some(m) = effect.moved.iter().find(|m| !rec.change.touches(m.date)) {
        return Err(Refused::UndoMovesOthers {
            id,
            date: m.date,
            by: before.change(m.date).or(after.change(m.date)),
        });
    }
    Ok((rec.clone(), effect))
}
