//! How much each member has been on call: shifts and hours worked, shifts
//! covered for others and by others, over a window ending at `now`. A
//! shift counts for whoever was on call at the time (a shift split by a
//! change counts for both members, each with their hours). Fairness is
//! restored by people: [`payback`] suggests one cover that evens out the
//! most uneven pair; nothing here moves a shift. Pure.

use super::Change;
use super::check::check;
use super::timeline::Timeline;
use crate::time::Instant;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One member's load over a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Load {
    /// Shifts they were on call for (any part of).
    pub shifts: usize,
    /// Hours on call, rounded down.
    pub hours: i64,
    /// Of their shifts, those the rotation gave to someone else.
    pub covered_for_others: usize,
    /// Shifts the rotation gave them that someone else worked (in part or
    /// whole).
    pub covered_by_others: usize,
    /// Shifts starting on a Saturday or Sunday (UTC date).
    pub weekend_shifts: usize,
}

/// Per member of the rotation, the load over the `days` before `now`.
pub fn load(timeline: &Timeline<'_>, now: Instant, days: usize) -> BTreeMap<String, Load> {
    let rot = timeline.rotation();
    let since = now - Duration::days(days as i64);
    let mut out: BTreeMap<String, Load> = rot
        .order
        .iter()
        .map(|m| (m.clone(), Load::default()))
        .collect();
    let Some(last) = super::shift_date_at(rot, now) else {
        return out;
    };
    let first = super::shift_date_at(rot, since).unwrap_or(rot.start);
    let mut seconds: BTreeMap<String, i64> = BTreeMap::new();
    let mut date = first;
    while date <= last {
        let mut held: BTreeSet<&str> = BTreeSet::new();
        let parts = timeline.shift(date);
        for p in &parts {
            let (a, b) = (p.start.max(since), p.end.min(now));
            if a >= b {
                continue;
            }
            *seconds.entry(p.member.clone()).or_default() += (b - a).num_seconds();
            held.insert(&p.member);
        }
        let scheduled = parts.first().map(|p| p.scheduled.as_str());
        for m in &held {
            let l = out.entry(m.to_string()).or_default();
            l.shifts += 1;
            if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                l.weekend_shifts += 1;
            }
            if Some(*m) != scheduled {
                l.covered_for_others += 1;
            }
        }
        if let Some(s) = scheduled
            && held.iter().any(|m| *m != s)
        {
            out.entry(s.to_string()).or_default().covered_by_others += 1;
        }
        date += Duration::days(1);
    }
    for (m, s) in seconds {
        out.entry(m).or_default().hours = s / 3600;
    }
    out
}

/// A cover that would even out load: `owes` (covered by others more than
/// they covered) takes a coming shift of `owed`'s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payback {
    /// Who covered for others the most more than they were covered.
    pub owed: String,
    /// Who was covered the most more than they covered.
    pub owes: String,
    /// A coming shift of `owed`'s that `owes` may take.
    pub date: NaiveDate,
}

/// How far ahead a payback shift is looked for, in days.
pub const PAYBACK_DAYS: i64 = 28;

/// The payback cover for the most uneven pair in `load` that can be
/// evened out: a member owed shifts (covered for others more than they
/// were covered), one who owes, and a shift of the first's in the next
/// [`PAYBACK_DAYS`] the second can take under the rules of [`check`]
/// without two shifts in a row. Pairs are tried most uneven first.
pub fn payback(
    timeline: &Timeline<'_>,
    history: &super::History,
    load: &BTreeMap<String, Load>,
    now: Instant,
) -> Option<Payback> {
    let net = |l: &Load| l.covered_for_others as i64 - l.covered_by_others as i64;
    let mut owed: Vec<(&String, i64)> = load
        .iter()
        .map(|(m, l)| (m, net(l)))
        .filter(|(_, n)| *n >= 1)
        .collect();
    owed.sort_by_key(|(m, n)| (-n, *m));
    let mut owes: Vec<(&String, i64)> = load
        .iter()
        .map(|(m, l)| (m, net(l)))
        .filter(|(_, n)| *n <= -1)
        .collect();
    owes.sort_by_key(|(m, n)| (*n, *m));
    let mut pairs: Vec<(&String, &String, i64)> = owed
        .iter()
        .flat_map(|(a, na)| owes.iter().map(move |(b, nb)| (*a, *b, na - nb)))
        .collect();
    pairs.sort_by_key(|(a, b, gap)| (-gap, *a, *b));
    let rot = timeline.rotation();
    let today = super::shift_date_at(rot, now).unwrap_or(rot.start);
    let plan = timeline.plan_at(now);
    pairs.into_iter().find_map(|(owed, owes, _)| {
        (1..=PAYBACK_DAYS)
            .map(|k| today + Duration::days(k))
            .filter(|d| plan.member(*d) == Some(owed.as_str()))
            .find(|d| {
                let c = Change::Cover {
                    date: *d,
                    by: owes.clone(),
                };
                check(rot, history, &c, now).is_ok_and(|e| e.two_in_a_row.is_empty())
            })
            .map(|date| Payback {
                owed: owed.clone(),
                owes: owes.clone(),
                date,
            })
    })
}
