//! The on-call rota: who is on call at any instant, as a pure function of
//! the configuration (members, `rotation.start`, `rotation.order`,
//! `rotation.handoff`) and the changes people recorded (swaps, covers, away
//! periods).
//!
//! Shifts are 24 hours of UTC, from `handoff` to `handoff`; shift `D` is the
//! one starting on date `D`. Time zones only say these instants in local
//! time, so daylight-saving never shortens or doubles a shift.
//!
//! The order generator walks the shifts from the start. Each shift goes to
//! the member, among those not away, who has worked the fewest shifts so
//! far, then to whoever rested longest, then by `order`. Without away
//! periods that is plain round-robin in `order`. A member who was away
//! comes back with fewer shifts and is given the next ones, never two in a
//! row (when three or more can share the rota), until even again: their
//! skipped shifts are owed back, not lost.
//! Swaps and covers are then laid over the generated schedule.
//!
//! Invariant: pure. No I/O, no clock; `now` and the changes come in.

pub mod ics;
pub mod notify;

use crate::config::Rotation;
use crate::time::Instant;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// One shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// The date the shift starts on (UTC); names the shift.
    #[serde(skip)]
    pub date: NaiveDate,
    /// When it starts (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub start: Instant,
    /// When it ends (UTC): 24 hours later.
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub end: Instant,
    /// Who is on call.
    pub member: String,
}

/// A change people made to the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// The members of two shifts trade.
    Swap {
        /// One shift.
        a: NaiveDate,
        /// The other.
        b: NaiveDate,
    },
    /// Someone takes one shift.
    Cover {
        /// The shift.
        date: NaiveDate,
        /// Who takes it.
        by: String,
    },
    /// A member cannot be on call from one date to another (inclusive).
    Away {
        /// Who.
        member: String,
        /// First shift date away.
        from: NaiveDate,
        /// Last shift date away.
        to: NaiveDate,
    },
}

/// A change as recorded: its id (for `undo`), who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// Its id.
    pub id: i64,
    /// The change.
    #[serde(flatten)]
    pub change: Change,
    /// Who made it (`made_by` in JSON, beside a cover's own `by`).
    #[serde(rename = "made_by")]
    pub by: String,
    /// When (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub at: Instant,
}

/// Who undid a change, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    /// Who.
    pub by: String,
    /// When (UTC).
    pub at: Instant,
}

/// Why a change cannot be made. Not an error type of its own: it reaches
/// the edge only as a [`crate::refusal::Refusal`], so it always exits 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No rotation is configured.
    NoRota,
    /// The date is before the rota starts.
    BeforeStart(NaiveDate),
    /// A member id that is not in the rotation.
    NotInRotation(String),
    /// The change would leave a shift with nobody, or with someone away.
    Uncovered {
        /// The shift.
        date: NaiveDate,
        /// Why.
        why: String,
    },
    /// An away period that ends before it starts.
    Backwards {
        /// Start.
        from: NaiveDate,
        /// End.
        to: NaiveDate,
    },
    /// The same date twice in a swap.
    SameShift,
    /// No change has this id.
    NoSuchChange(i64),
    /// The change was undone already.
    AlreadyUndone(i64),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refused::*;
        match self {
            NoRota => write!(f, "no rota: the configuration has no `rotation`"),
            BeforeStart(v0) => write!(f, "{v0} is before the rota starts"),
            NotInRotation(v0) => write!(f, "{v0:?} is not in rotation.order"),
            Uncovered { date, why } => write!(
                f,
                "that would leave the shift of {date} with nobody on call: {why}"
            ),
            Backwards { from, to } => {
                write!(f, "away period ends ({to}) before it starts ({from})")
            }
            SameShift => write!(f, "a swap needs two different shifts"),
            NoSuchChange(id) => write!(f, "rota change #{id} does not exist"),
            AlreadyUndone(id) => write!(f, "rota change #{id} is already undone"),
        }
    }
}

/// The instant the rota's first shift starts.
pub fn origin(rot: &Rotation) -> Instant {
    Utc.from_utc_datetime(&rot.start.and_time(rot.handoff))
}

/// The date of the shift running at `t`, if the rota has started.
pub fn shift_date_at(rot: &Rotation, t: Instant) -> Option<NaiveDate> {
    let o = origin(rot);
    if t < o {
        return None;
    }
    let days = (t - o).num_seconds().div_euclid(86_400);
    Some(rot.start + Duration::days(days))
}

fn index(rot: &Rotation, date: NaiveDate) -> Option<usize> {
    let d = (date - rot.start).num_days();
    usize::try_from(d).ok()
}

/// Shifts from `from` (inclusive) for `days` days, with the changes laid
/// over. Dates before the start are skipped. `None` as a member means
/// nobody could be found (everyone away): the change rules prevent it.
pub fn schedule(rot: &Rotation, changes: &[Change], from: NaiveDate, days: usize) -> Vec<Shift> {
    let first = from.max(rot.start);
    let Some(start_index) = index(rot, first) else {
        return Vec::new();
    };
    let end_index = start_index + days.saturating_sub((first - from).num_days().max(0) as usize);
    let members = generate(rot, changes, end_index);
    let o = origin(rot);
    (start_index..end_index)
        .filter_map(|i| {
            let member = members.get(i).cloned().flatten()?;
            let start = o + Duration::days(i as i64);
            Some(Shift {
                date: rot.start + Duration::days(i as i64),
                start,
                end: start + Duration::days(1),
                member,
            })
        })
        .collect()
}

/// Who is on call at `t`.
pub fn on_call(rot: &Rotation, changes: &[Change], t: Instant) -> Option<Shift> {
    let date = shift_date_at(rot, t)?;
    schedule(rot, changes, date, 1).into_iter().next()
}

fn away(changes: &[Change], member: &str, date: NaiveDate) -> bool {
    changes.iter().any(|c| match c {
        Change::Away {
            member: m,
            from,
            to,
        } => m == member && *from <= date && date <= *to,
        _ => false,
    })
}

/// The member of every shift `0..until`, generated then overlaid.
fn generate(rot: &Rotation, changes: &[Change], until: usize) -> Vec<Option<String>> {
    // A swap reaches beyond the window asked for: generate far enough to
    // see both of its shifts, then cut back.
    let reach = changes
        .iter()
        .filter_map(|c| index(rot, last_date(c)))
        .map(|i| i + 1)
        .max()
        .unwrap_or(0);
    let mut out = generate_to(rot, changes, until.max(reach));
    out.truncate(until);
    out
}

fn generate_to(rot: &Rotation, changes: &[Change], until: usize) -> Vec<Option<String>> {
    let n = rot.order.len();
    let mut count = vec![0usize; n];
    let mut last: Vec<Option<usize>> = vec![None; n];
    let mut out: Vec<Option<String>> = Vec::with_capacity(until);
    for i in 0..until {
        let date = rot.start + Duration::days(i as i64);
        let available: Vec<usize> = (0..n)
            .filter(|&m| !away(changes, &rot.order[m], date))
            .collect();
        // Nobody works two shifts in a row while two others could share
        // the catching up. (With two members, owed shifts can only be paid
        // back in a row.)
        let rested: Vec<usize> = available
            .iter()
            .copied()
            .filter(|&m| last[m] != i.checked_sub(1))
            .collect();
        let pool = if rested.len() >= 2 {
            &rested
        } else {
            &available
        };
        let pick = pool
            .iter()
            .copied()
            // Fewest shifts, then longest rested (never worked first), then
            // rotation order starting from where round-robin would be.
            .min_by_key(|&m| {
                (
                    count[m],
                    last[m].map_or(-1, |l| l as i64),
                    (m + n - i % n) % n,
                )
            });
        match pick {
            Some(m) => {
                count[m] += 1;
                last[m] = Some(i);
                out.push(Some(rot.order[m].clone()));
            }
            None => out.push(None),
        }
    }
    for c in changes {
        match c {
            Change::Swap { a, b } => {
                if let (Some(ia), Some(ib)) = (index(rot, *a), index(rot, *b))
                    && ia < out.len()
                    && ib < out.len()
                {
                    out.swap(ia, ib);
                }
            }
            Change::Cover { date, by } => {
                if let Some(i) = index(rot, *date)
                    && i < out.len()
                {
                    out[i] = Some(by.clone());
                }
            }
            Change::Away { .. } => {}
        }
    }
    out
}

/// Checks a new change against the rota and the changes already made: it
/// must not leave any shift (within a year of the change) with nobody, or
/// with a member who is away.
pub fn check(rot: &Rotation, existing: &[Change], change: &Change) -> Result<(), Refused> {
    let in_rotation = |m: &str| {
        if rot.order.iter().any(|o| o == m) {
            Ok(())
        } else {
            Err(Refused::NotInRotation(m.to_string()))
        }
    };
    let (lo, hi) = match change {
        Change::Swap { a, b } => {
            if a == b {
                return Err(Refused::SameShift);
            }
            (*a.min(b), *a.max(b))
        }
        Change::Cover { date, by } => {
            in_rotation(by)?;
            (*date, *date)
        }
        Change::Away { member, from, to } => {
            in_rotation(member)?;
            if to < from {
                return Err(Refused::Backwards {
                    from: *from,
                    to: *to,
                });
            }
            (*from, *to)
        }
    };
    if lo < rot.start {
        return Err(Refused::BeforeStart(lo));
    }
    let mut all = existing.to_vec();
    all.push(change.clone());
    check_all(rot, &all, hi)
}

/// Checks that a whole set of changes leaves every shift, up to a year past
/// `last` (the latest date they touch), with one member who is not away.
pub fn check_all(rot: &Rotation, all: &[Change], last: NaiveDate) -> Result<(), Refused> {
    // Away periods shift who is owed what for a while after them.
    let span = (last - rot.start).num_days().max(0) as usize;
    let horizon = span + 1 + 2 * rot.order.len() + 366;
    let members = generate(rot, all, horizon);
    for (i, m) in members.iter().enumerate() {
        let date = rot.start + Duration::days(i as i64);
        match m {
            None => {
                return Err(Refused::Uncovered {
                    date,
                    why: "every member is away".into(),
                });
            }
            Some(m) if away(all, m, date) => {
                return Err(Refused::Uncovered {
                    date,
                    why: format!("{m} is away that day"),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The latest date a change touches.
pub fn last_date(c: &Change) -> NaiveDate {
    match c {
        Change::Swap { a, b } => *a.max(b),
        Change::Cover { date, .. } => *date,
        Change::Away { to, .. } => *to,
    }
}

/// The shifts of the last `days` days before `now` that have started by
/// `now`: the window `rota --stats` counts.
pub fn worked(rot: &Rotation, changes: &[Change], now: Instant, days: usize) -> Vec<Shift> {
    let from = now.date_naive() - Duration::days(days as i64);
    schedule(rot, changes, from, days + 1)
        .into_iter()
        .filter(|s| s.start <= now)
        .collect()
}

/// Checks that taking `undone` back from the changes leaves `rest` a
/// schedule with somebody on call for every shift either touches.
pub fn check_undo(rot: &Rotation, rest: &[Change], undone: &Change) -> Result<(), Refused> {
    let last = rest
        .iter()
        .map(last_date)
        .chain([last_date(undone)])
        .max()
        .unwrap_or(rot.start);
    check_all(rot, rest, last)
}

/// Per member, over the shifts of a window: shifts worked and how many of
/// them fell on a weekend (the start date a Saturday or Sunday, UTC).
pub fn shift_counts(shifts: &[Shift]) -> BTreeMap<String, (usize, usize)> {
    use chrono::Datelike;
    let mut out: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in shifts {
        let e = out.entry(s.member.clone()).or_default();
        e.0 += 1;
        if matches!(
            s.date.weekday(),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ) {
            e.1 += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;
    use proptest::prelude::*;

    fn rot(n: usize) -> Rotation {
        Rotation {
            start: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            handoff: NaiveTime::MIN,
            order: (0..n).map(|i| format!("m{i}")).collect(),
            remind_before: crate::time::Span::hours(12),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn names(r: &Rotation, changes: &[Change], from: &str, days: usize) -> String {
        schedule(r, changes, d(from), days)
            .iter()
            .map(|s| s.member.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn without_changes_it_is_round_robin() {
        assert_eq!(names(&rot(3), &[], "2026-01-05", 7), "m0 m1 m2 m0 m1 m2 m0");
        assert_eq!(
            names(&rot(3), &[], "2026-01-04", 3),
            "m0 m1",
            "nothing before the start"
        );
    }

    #[test]
    fn a_swap_holds_when_only_one_of_its_shifts_is_asked_for() {
        let r = rot(3);
        let swap = Change::Swap {
            a: d("2026-01-06"),
            b: d("2026-01-08"),
        };
        assert_eq!(
            names(&r, std::slice::from_ref(&swap), "2026-01-06", 1),
            "m0"
        );
        let t = origin(&r) + Duration::hours(30);
        assert_eq!(on_call(&r, &[swap], t).unwrap().member, "m0");
    }

    #[test]
    fn swap_and_cover_lay_over_the_schedule() {
        let r = rot(3);
        let swap = Change::Swap {
            a: d("2026-01-05"),
            b: d("2026-01-06"),
        };
        assert_eq!(names(&r, &[swap], "2026-01-05", 4), "m1 m0 m2 m0");
        let cover = Change::Cover {
            date: d("2026-01-07"),
            by: "m0".into(),
        };
        assert_eq!(names(&r, &[cover], "2026-01-05", 4), "m0 m1 m0 m0");
    }

    #[test]
    fn away_member_is_skipped_and_owed_back() {
        let r = rot(3);
        let away = Change::Away {
            member: "m0".into(),
            from: d("2026-01-05"),
            to: d("2026-01-07"),
        };
        // m0 misses its turn, comes back first, and catches up one rest
        // shift apart.
        assert_eq!(
            names(&r, &[away], "2026-01-05", 9),
            "m1 m2 m1 m0 m2 m0 m1 m2 m0"
        );
    }

    #[test]
    fn handoff_time_moves_shift_boundaries() {
        let mut r = rot(2);
        r.handoff = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        let t = crate::time::parse("2026-01-06T07:59:59Z").unwrap();
        assert_eq!(on_call(&r, &[], t).unwrap().member, "m0");
        let t = crate::time::parse("2026-01-06T08:00:00Z").unwrap();
        assert_eq!(on_call(&r, &[], t).unwrap().member, "m1");
        assert!(on_call(&r, &[], crate::time::parse("2026-01-05T07:00:00Z").unwrap()).is_none());
    }

    #[test]
    fn everyone_away_is_refused() {
        let r = rot(2);
        let a = Change::Away {
            member: "m0".into(),
            from: d("2026-02-01"),
            to: d("2026-02-03"),
        };
        let b = Change::Away {
            member: "m1".into(),
            from: d("2026-02-03"),
            to: d("2026-02-04"),
        };
        assert_eq!(check(&r, &[], &a), Ok(()));
        let err = check(&r, &[a], &b).unwrap_err();
        assert_eq!(
            err.to_string(),
            "that would leave the shift of 2026-02-03 with nobody on call: every member is away"
        );
    }

    #[test]
    fn cover_by_someone_away_is_refused() {
        let r = rot(3);
        let a = Change::Away {
            member: "m2".into(),
            from: d("2026-02-01"),
            to: d("2026-02-10"),
        };
        let c = Change::Cover {
            date: d("2026-02-05"),
            by: "m2".into(),
        };
        assert!(matches!(
            check(&r, &[a], &c),
            Err(Refused::Uncovered { .. })
        ));
    }

    fn arb_changes(n: usize) -> impl Strategy<Value = Vec<Change>> {
        let member = (0..n).prop_map(|i| format!("m{i}"));
        let day = 0i64..60;
        let change = prop_oneof![
            (day.clone(), day.clone()).prop_map(|(a, b)| Change::Swap {
                a: d("2026-01-05") + Duration::days(a),
                b: d("2026-01-05") + Duration::days(b),
            }),
            (day.clone(), member.clone()).prop_map(|(a, by)| Change::Cover {
                date: d("2026-01-05") + Duration::days(a),
                by
            }),
            (day.clone(), 0i64..10, member).prop_map(|(a, len, member)| Change::Away {
                member,
                from: d("2026-01-05") + Duration::days(a),
                to: d("2026-01-05") + Duration::days(a + len),
            }),
        ];
        proptest::collection::vec(change, 0..8)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Applying only the changes `check` accepts, every instant has
        /// exactly one person on call, never someone away.
        #[test]
        fn every_instant_has_exactly_one_person_on_call(n in 2usize..6, changes in arb_changes(5), probe in 0i64..(90 * 86_400)) {
            let r = rot(n);
            let mut accepted = Vec::new();
            for c in changes {
                if check(&r, &accepted, &c).is_ok() {
                    accepted.push(c);
                }
            }
            let t = origin(&r) + Duration::seconds(probe);
            let shift = on_call(&r, &accepted, t);
            prop_assert!(shift.is_some());
            let shift = shift.unwrap();
            prop_assert!(shift.start <= t && t < shift.end);
            prop_assert_eq!((shift.end - shift.start).num_hours(), 24);
            prop_assert!(!away(&accepted, &shift.member, shift.date));
            // Shifts tile time: the next shift starts where this one ends.
            let next = on_call(&r, &accepted, shift.end).unwrap();
            prop_assert_eq!(next.start, shift.end);
        }

        /// Without away periods, every full cycle has every member once.
        #[test]
        fn every_full_cycle_has_every_member_once(n in 2usize..15, cycles in 1usize..10) {
            let r = rot(n);
            let shifts = schedule(&r, &[], r.start, n * cycles);
            for cycle in shifts.chunks(n) {
                let counts = shift_counts(cycle);
                prop_assert_eq!(counts.len(), n);
                prop_assert!(counts.values().all(|(c, _)| *c == 1));
            }
        }

        /// With away periods, counts stay within one of each other over
        /// each full cycle that comes after the absences have been caught up.
        #[test]
        fn away_shifts_are_owed_back_and_counts_even_out(n in 2usize..8, changes in arb_changes(8)) {
            let r = rot(n);
            let aways: Vec<Change> = changes.into_iter().filter(|c| matches!(c, Change::Away { .. })).collect();
            let mut accepted = Vec::new();
            for c in aways {
                if check(&r, &accepted, &c).is_ok() {
                    accepted.push(c);
                }
            }
            // Every away period ends within 70 days; 2n per missed shift is
            // enough to catch up.
            let settled = 70 + 2 * n * 12;
            let shifts = schedule(&r, &accepted, r.start, settled + 3 * n);
            for cycle in shifts[settled..].chunks(n).filter(|c| c.len() == n) {
                let counts = shift_counts(cycle);
                let max = counts.values().map(|(c, _)| *c).max().unwrap_or(0);
                let min = (0..n).map(|i| counts.get(&format!("m{i}")).map_or(0, |(c, _)| *c)).min().unwrap_or(0);
                prop_assert!(max - min <= 1, "counts {:?}", counts);
            }
            // And over the whole run, totals are within one.
            let totals = shift_counts(&shifts[..settled]);
            let max = totals.values().map(|(c, _)| *c).max().unwrap_or(0);
            let min = (0..n).map(|i| totals.get(&format!("m{i}")).map_or(0, |(c, _)| *c)).min().unwrap_or(0);
            prop_assert!(max - min <= 1, "totals {:?}", totals);
        }
    }
}
