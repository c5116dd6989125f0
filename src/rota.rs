//! The on-call rota: who is on call at any instant, as a pure function of
//! the configuration (members, `rotation.start`, `rotation.order`,
//! `rotation.handoff`) and the changes people recorded (swaps, covers, away
//! periods), each with the instant it was made and, if undone, undone.
//!
//! Shifts are 24 hours of UTC, from `handoff` to `handoff`; shift `D` is the
//! one starting on date `D`. Time zones only say these instants in local
//! time, so daylight-saving never shortens or doubles a shift.
//!
//! The base schedule is a fixed round-robin in `order` from `start`;
//! nothing recorded at run time changes it. Swaps, covers and away periods
//! are overrides of the shifts inside their dates ([`plan`](mod@plan)), in the order
//! they were made; for a shift whose member is away the substitute is
//! chosen by the rule in [`plan`](mod@plan). A change takes effect when it is made
//! ([`timeline`](mod@timeline)): the past stays as it was lived, and a change made during
//! a shift splits it at that instant. What may change, and when, is
//! [`check`](mod@check); how load is shown instead of re-dealt,
//! [`load`](mod@load).
//!
//! Invariant: pure. No I/O, no clock; `now` and the changes come in.

pub mod check;
pub mod ics;
pub mod load;
pub mod notify;
pub mod plan;
pub mod timeline;

pub use check::{Effect, Moved, TwoInARow, check, check_undo, event_effect};
pub use load::{Load, Payback, load, payback};
pub use timeline::{Timeline, on_call, schedule};

use crate::config::Rotation;
use crate::time::Instant;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use std::fmt;

/// One shift, or the part of one that one member worked when a change was
/// made during it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// The date the shift starts on (UTC); names the shift.
    pub date: NaiveDate,
    /// When it (this part) starts (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub start: Instant,
    /// When it (this part) ends (UTC).
    #[serde(serialize_with = "crate::time::ser_instant")]
    pub end: Instant,
    /// Who is on call.
    pub member: String,
    /// Whom the fixed rotation gives the shift.
    pub scheduled: String,
    /// The change that gave it to `member`, when one did.
    pub change: Option<i64>,
}

impl Shift {
    /// Whether this part starts where the shift starts.
    pub fn starts_shift(&self, rot: &Rotation) -> bool {
        self.start == shift_bounds(rot, self.date).0
    }

    /// Whether this part ends where the shift ends.
    pub fn ends_shift(&self, rot: &Rotation) -> bool {
        self.end == shift_bounds(rot, self.date).1
    }
}

/// Every change ever recorded, with its undo if undone, in any order.
pub type History = [(Recorded, Option<Undone>)];

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

impl Change {
    /// The first date it touches.
    pub fn first_date(&self) -> NaiveDate {
        match self {
            Change::Swap { a, b } => *a.min(b),
            Change::Cover { date, .. } => *date,
            Change::Away { from, .. } => *from,
        }
    }

    /// The last date it touches.
    pub fn last_date(&self) -> NaiveDate {
        match self {
            Change::Swap { a, b } => *a.max(b),
            Change::Cover { date, .. } => *date,
            Change::Away { to, .. } => *to,
        }
    }

    /// Whether it may change the shift of `date`.
    pub fn touches(&self, date: NaiveDate) -> bool {
        match self {
            Change::Swap { a, b } => date == *a || date == *b,
            Change::Cover { date: d, .. } => date == *d,
            Change::Away { from, to, .. } => *from <= date && date <= *to,
        }
    }
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
    /// A swap of two shifts of one member.
    SameMember {
        /// Whose both shifts are.
        member: String,
        /// One shift.
        a: NaiveDate,
        /// The other.
        b: NaiveDate,
    },
    /// A cover by the member who already has the shift.
    AlreadyOnCall {
        /// Who.
        member: String,
        /// The shift.
        date: NaiveDate,
    },
    /// The change would put a member on call on a day they are away.
    AwayThatDay {
        /// Who.
        member: String,
        /// The shift.
        date: NaiveDate,
    },
    /// A change to a shift that has ended.
    Ended {
        /// The shift.
        date: NaiveDate,
        /// When it ended.
        end: Instant,
    },
    /// Undoing a change whose shifts have all ended would change nothing.
    UndoEnded(i64),
    /// An away period longer than the longest allowed.
    TooLong {
        /// The longest, in days.
        days: i64,
    },
    /// Undoing a change would also move a shift outside its dates (one a
    /// later change gave).
    UndoMovesOthers {
        /// The change to undo.
        id: i64,
        /// The other shift.
        date: NaiveDate,
        /// The later change that gave it, if known.
        by: Option<i64>,
    },
    /// The change would put a member on call two shifts in a row while
    /// three or more members are available.
    TwoInARow(TwoInARow),
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
            SameMember { member, a, b } => write!(
                f,
                "the shifts of {a} and {b} are both {member}'s: a swap needs two different members"
            ),
            AlreadyOnCall { member, date } => {
                write!(f, "{member} already has the shift of {date}")
            }
            AwayThatDay { member, date } => {
                write!(f, "{member} is away that day ({date})")
            }
            Ended { date, end } => write!(
                f,
                "the shift of {date} ended at {}: only shifts that have not ended can change",
                crate::time::format(*end)
            ),
            UndoEnded(id) => write!(
                f,
                "rota change #{id} touched only shifts that have ended: undoing it would change nothing"
            ),
            TooLong { days } => write!(
                f,
                "an away period is at most {days} days: to leave the rota for longer, take the member out of rotation.order"
            ),
            UndoMovesOthers { id, date, by } => match by {
                Some(other) => write!(
                    f,
                    "undoing rota change #{id} would also move the shift of {date}, which rota change #{other} gave: undo #{other} first (and make it again after)"
                ),
                None => write!(
                    f,
                    "undoing rota change #{id} would also move the shift of {date}, outside its own dates"
                ),
            },
            TwoInARow(row) => write!(
                f,
                "that would put {} on call two shifts in a row ({} and {}) while {} members are available: choose another member or date",
                row.member,
                row.first,
                row.second(),
                row.available
            ),
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

/// When the shift of `date` starts and ends (UTC).
pub fn shift_bounds(rot: &Rotation, date: NaiveDate) -> (Instant, Instant) {
    let start = Utc.from_utc_datetime(&date.and_time(rot.handoff));
    (start, start + Duration::days(1))
}

/// The member index the fixed rotation gives the shift of `date`: plain
/// round-robin in `order` from `start`.
pub fn base_index(rot: &Rotation, date: NaiveDate) -> Option<usize> {
    let d = (date - rot.start).num_days();
    let n = rot.order.len() as i64;
    (d >= 0 && n > 0).then(|| (d % n) as usize)
}

/// Whom the fixed rotation gives the shift of `date` (`None` before the
/// rota starts).
pub fn base_member(rot: &Rotation, date: NaiveDate) -> Option<&str> {
    base_index(rot, date).map(|i| rot.order[i].as_str())
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

    fn at(s: &str) -> Instant {
        crate::time::parse(s).unwrap()
    }

    /// Records `change` at `now` when `check` accepts it.
    fn record(r: &Rotation, h: &mut Vec<(Recorded, Option<Undone>)>, change: Change, now: &str) {
        let now = at(now);
        check(r, h, &change, now).unwrap();
        h.push((
            Recorded {
                id: h.len() as i64 + 1,
                change,
                by: "m0".into(),
                at: now,
            },
            None,
        ));
    }

    fn names(r: &Rotation, h: &History, from: &str, days: usize) -> String {
        schedule(r, h, d(from), days)
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
    fn swap_and_cover_move_only_the_shifts_they_name() {
        let r = rot(4);
        let mut h = Vec::new();
        let swap = Change::Swap {
            a: d("2026-01-06"),
            b: d("2026-01-08"),
        };
        record(&r, &mut h, swap, "2026-01-05T12:00:00Z");
        assert_eq!(names(&r, &h, "2026-01-05", 6), "m0 m3 m2 m1 m0 m1");
        let cover = Change::Cover {
            date: d("2026-01-07"),
            by: "m0".into(),
        };
        record(&r, &mut h, cover, "2026-01-05T12:00:00Z");
        assert_eq!(names(&r, &h, "2026-01-05", 6), "m0 m3 m0 m1 m0 m1");
    }

    #[test]
    fn an_away_day_moves_that_shift_only_to_the_rested_least_loaded_member() {
        let r = rot(4);
        let mut h = Vec::new();
        // m2 has the 2026-01-15 shift (m0 on the 13th): away that day, the
        // substitute is not m1 (the 14th) nor m3 (the 16th); m0 is left.
        let away = Change::Away {
            member: "m2".into(),
            from: d("2026-01-15"),
            to: d("2026-01-15"),
        };
        let e = check(&r, &h, &away, at("2026-01-10T00:00:00Z")).unwrap();
        assert_eq!(
            e.moved
                .iter()
                .map(|m| (m.date.to_string(), m.before.as_str(), m.after.as_str()))
                .collect::<Vec<_>>(),
            [("2026-01-15".to_string(), "m2", "m0")]
        );
        record(&r, &mut h, away, "2026-01-10T00:00:00Z");
        assert_eq!(
            names(&r, &h, "2026-01-13", 6),
            "m0 m1 m0 m3 m0 m1",
            "every other shift as the rotation gives it"
        );
    }

    #[test]
    fn a_change_during_a_shift_splits_it_at_that_instant() {
        let r = rot(4);
        let mut h = Vec::new();
        let away = Change::Away {
            member: "m1".into(),
            from: d("2026-01-06"),
            to: d("2026-01-06"),
        };
        record(&r, &mut h, away, "2026-01-06T03:00:00Z");
        let parts = Timeline::new(&r, &h).shift(d("2026-01-06"));
        let got: Vec<(String, String, String)> = parts
            .iter()
            .map(|p| {
                (
                    crate::time::format(p.start),
                    crate::time::format(p.end),
                    p.member.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-01-06T00:00:00Z".into(),
                    "2026-01-06T03:00:00Z".into(),
                    "m1".into()
                ),
                (
                    "2026-01-06T03:00:00Z".into(),
                    "2026-01-07T00:00:00Z".into(),
                    "m3".into()
                ),
            ]
        );
        assert_eq!(parts[1].change, Some(1));
    }

    #[test]
    fn time_rules_refuse_the_past_and_pointless_changes() {
        let r = rot(4);
        let now = at("2026-01-10T05:00:00Z");
        let swap = |a: &str, b: &str| Change::Swap { a: d(a), b: d(b) };
        let refused = |c: &Change| check(&r, &[], c, now).unwrap_err().to_string();
        assert_eq!(
            refused(&swap("2026-01-09", "2026-01-12")),
            "the shift of 2026-01-09 ended at 2026-01-10T00:00:00Z: only shifts that have not ended can change"
        );
        assert!(check(&r, &[], &swap("2026-01-10", "2026-01-12"), now).is_ok());
        assert_eq!(
            refused(&swap("2026-01-10", "2026-01-14")),
            "the shifts of 2026-01-10 and 2026-01-14 are both m1's: a swap needs two different members"
        );
        let cover = Change::Cover {
            date: d("2026-01-10"),
            by: "m1".into(),
        };
        assert_eq!(refused(&cover), "m1 already has the shift of 2026-01-10");
        // m0 has the 9th (ended) and m2 the 11th: either covering the 10th
        // would be two shifts in a row.
        let cover = Change::Cover {
            date: d("2026-01-10"),
            by: "m2".into(),
        };
        assert!(refused(&cover).starts_with("that would put m2 on call two shifts in a row"));
    }

    #[test]
    fn with_two_members_available_an_away_is_recorded_and_names_the_double_shift() {
        let r = rot(3);
        let away = Change::Away {
            member: "m2".into(),
            from: d("2026-01-07"),
            to: d("2026-01-07"),
        };
        let e = check(&r, &[], &away, at("2026-01-05T00:00:00Z")).unwrap();
        assert_eq!(e.two_in_a_row.len(), 1);
        assert_eq!(
            e.two_in_a_row[0].to_string(),
            "m0 now has two shifts in a row (2026-01-07 and 2026-01-08): only 2 members are available"
        );
    }

    #[test]
    fn everyone_away_is_refused() {
        let r = rot(2);
        let mut h = Vec::new();
        let a = Change::Away {
            member: "m0".into(),
            from: d("2026-02-01"),
            to: d("2026-02-03"),
        };
        record(&r, &mut h, a, "2026-01-20T00:00:00Z");
        let b = Change::Away {
            member: "m1".into(),
            from: d("2026-02-03"),
            to: d("2026-02-04"),
        };
        let err = check(&r, &h, &b, at("2026-01-20T00:00:00Z")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "that would leave the shift of 2026-02-03 with nobody on call: every member is away"
        );
    }

    #[test]
    fn handoff_time_moves_shift_boundaries() {
        let mut r = rot(2);
        r.handoff = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        assert_eq!(
            on_call(&r, &[], at("2026-01-06T07:59:59Z")).unwrap().member,
            "m0"
        );
        assert_eq!(
            on_call(&r, &[], at("2026-01-06T08:00:00Z")).unwrap().member,
            "m1"
        );
        assert!(on_call(&r, &[], at("2026-01-05T07:00:00Z")).is_none());
    }

    /// One step of a random session: minutes later, someone tries a change
    /// (dates relative to the shift running then) or an undo.
    #[derive(Debug, Clone)]
    enum Step {
        Swap(i64, i64),
        Cover(i64, usize),
        Away(usize, i64, i64),
        Undo(usize),
    }

    fn arb_steps() -> impl Strategy<Value = Vec<(i64, Step)>> {
        let day = -2i64..30;
        let step = prop_oneof![
            (day.clone(), day.clone()).prop_map(|(a, b)| Step::Swap(a, b)),
            (day.clone(), 0usize..14).prop_map(|(a, m)| Step::Cover(a, m)),
            (0usize..14, day, 0i64..8).prop_map(|(m, a, len)| Step::Away(m, a, len)),
            (0usize..8).prop_map(Step::Undo),
        ];
        proptest::collection::vec((0i64..3 * 24 * 60, step), 0..14)
    }

    fn parts(v: &[Shift], date: NaiveDate) -> Vec<(Instant, Instant, String)> {
        v.iter()
            .filter(|s| s.date == date)
            .map(|s| (s.start, s.end, s.member.clone()))
            .collect()
    }

    /// Plays `steps` from `start`, recording what the rules accept; returns
    /// the history and the instant of the last step, checking after each
    /// accepted change that it altered no shift outside its dates.
    fn play(
        r: &Rotation,
        start: Instant,
        steps: &[(i64, Step)],
    ) -> (Vec<(Recorded, Option<Undone>)>, Instant) {
        let n = r.order.len();
        let mut h: Vec<(Recorded, Option<Undone>)> = Vec::new();
        let mut now = start;
        for (minutes, step) in steps {
            now += Duration::minutes(*minutes);
            let today = shift_date_at(r, now).unwrap_or(r.start);
            let day = |k: i64| today + Duration::days(k);
            let change = match step {
                Step::Swap(a, b) => Change::Swap {
                    a: day(*a),
                    b: day(*b),
                },
                Step::Cover(a, m) => Change::Cover {
                    date: day(*a),
                    by: r.order[m % n].clone(),
                },
                Step::Away(m, a, len) => Change::Away {
                    member: r.order[m % n].clone(),
                    from: day(*a),
                    to: day(a + len),
                },
                Step::Undo(k) => {
                    let live: Vec<i64> = h
                        .iter()
                        .filter(|(_, u)| u.is_none())
                        .map(|(c, _)| c.id)
                        .collect();
                    if live.is_empty() {
                        continue;
                    }
                    let id = live[k % live.len()];
                    if check_undo(r, &h, id, now).is_err() {
                        continue;
                    }
                    let before = schedule(r, &h, today - Duration::days(3), 60);
                    let i = h.iter().position(|(c, _)| c.id == id).unwrap();
                    h[i].1 = Some(Undone {
                        by: "m0".into(),
                        at: now,
                    });
                    let after = schedule(r, &h, today - Duration::days(3), 60);
                    let undone = h[i].0.change.clone();
                    for k in -3..57 {
                        let date = today + Duration::days(k);
                        if !undone.touches(date) {
                            assert_eq!(
                                parts(&before, date),
                                parts(&after, date),
                                "undo of {undone:?} moved {date}"
                            );
                        }
                    }
                    continue;
                }
            };
            let Ok(_) = check(r, &h, &change, now) else {
                continue;
            };
            let before = schedule(r, &h, today - Duration::days(3), 60);
            h.push((
                Recorded {
                    id: h.len() as i64 + 1,
                    change: change.clone(),
                    by: "m0".into(),
                    at: now,
                },
                None,
            ));
            let after = schedule(r, &h, today - Duration::days(3), 60);
            let whole = |v: &[Shift], date: NaiveDate| -> Vec<(Instant, Instant, String)> {
                v.iter()
                    .filter(|s| s.date == date)
                    .map(|s| (s.start, s.end, s.member.clone()))
                    .collect()
            };
            for k in -3..57 {
                let date = today + Duration::days(k);
                if !change.touches(date) {
                    assert_eq!(
                        whole(&before, date),
                        whole(&after, date),
                        "{change:?} moved {date}"
                    );
                }
            }
        }
        (h, now)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Random teams, random changes at random instants, random probes:
        /// exactly one member on call at every instant, never one who is
        /// away; a change moves nothing outside its dates (checked in
        /// `play`); nobody has two shifts in a row while three or more are
        /// available; the same history gives the same schedule.
        #[test]
        fn the_rota_keeps_its_promises(
            n in 3usize..15,
            handoff in 0u32..24,
            offset in 0i64..(20 * 86_400),
            steps in arb_steps(),
            probes in proptest::collection::vec(0i64..(60 * 86_400), 8),
        ) {
            let mut r = rot(n);
            r.handoff = NaiveTime::from_hms_opt(handoff, 0, 0).unwrap();
            let start = origin(&r) + Duration::seconds(offset);
            let (h, end) = play(&r, start, &steps);
            let t = Timeline::new(&r, &h);
            let shifts = t.schedule(r.start, 70);
            // The parts tile time from the origin with no gap or overlap.
            prop_assert_eq!(shifts[0].start, origin(&r));
            for w in shifts.windows(2) {
                prop_assert_eq!(w[0].end, w[1].start);
                prop_assert!(w[0].start < w[0].end);
                prop_assert!(w[0].member != w[1].member || w[0].date != w[1].date);
            }
            for s in &shifts {
                prop_assert!(!t.plan_at(s.start).is_away(&s.member, s.date), "{s:?} is away");
            }
            for p in probes {
                let at = origin(&r) + Duration::seconds(p);
                let on: Vec<&Shift> = shifts.iter().filter(|s| s.start <= at && at < s.end).collect();
                prop_assert_eq!(on.len(), 1);
                prop_assert_eq!(Some(on[0].clone()), t.on_call(at));
            }
            // Two in a row only where fewer than three are available.
            let plan = t.plan_at(end);
            let open = shift_date_at(&r, end).unwrap_or(r.start);
            for k in -1..50 {
                let date = open + Duration::days(k);
                if date < r.start {
                    continue;
                }
                if let Some(m) = plan.two_in_a_row(date) {
                    let avail = plan.available(date).min(plan.available(date + Duration::days(1)));
                    prop_assert!(avail < 3, "{m} has {date} and the next with {avail} available");
                }
            }
            // Replaying the same history, in any order, gives the same schedule.
            let mut reversed = h.clone();
            reversed.reverse();
            prop_assert_eq!(schedule(&r, &reversed, r.start, 70), shifts.clone());
            let halves = [t.schedule(r.start, 35), t.schedule(r.start + Duration::days(35), 35)].concat();
            prop_assert_eq!(halves, shifts);
        }

        /// Without changes, every full cycle has every member once.
        #[test]
        fn every_full_cycle_has_every_member_once(n in 2usize..15, cycles in 1usize..10) {
            let r = rot(n);
            let shifts = schedule(&r, &[], r.start, n * cycles);
            for cycle in shifts.chunks(n) {
                let mut members: Vec<&str> = cycle.iter().map(|s| s.member.as_str()).collect();
                members.sort();
                members.dedup();
                prop_assert_eq!(members.len(), n);
            }
        }
    }
}
