//! Who was, is and will be on call, instant by instant.
//!
//! A change takes effect when it is recorded and an undo when it is made:
//! at instant `t` the changes in force are those recorded by `t` and not
//! undone by `t`, laid over the rotation as a [`Plan`]. So the past stays
//! as it was lived (a later change never rewrites who was on call), and a
//! change made during a shift splits it at that instant: the shift's first
//! part stays with the member who worked it. Pure.

use super::plan::{Pins, Plan};
use super::{History, Recorded, Shift, Undone, base_member, shift_bounds};
use crate::config::Rotation;
use crate::time::Instant;
use chrono::{Duration, NaiveDate};
use std::cell::OnceCell;

/// The rota over time: the rotation and every change with its undo.
pub struct Timeline<'a> {
    rot: &'a Rotation,
    history: &'a History,
    /// Every instant at which the changes in force change, ascending.
    instants: Vec<Instant>,
    /// `plans[k]`: the plan in force from `instants[k - 1]` (or the
    /// beginning) to `instants[k]`, built when first asked for.
    plans: Vec<OnceCell<Plan<'a>>>,
    /// The substitutes each away period chose when it was made.
    pins: OnceCell<Pins>,
}

impl<'a> Timeline<'a> {
    /// The timeline of `history` (every change ever recorded, with its
    /// undo, in any order).
    pub fn new(rot: &'a Rotation, history: &'a History) -> Timeline<'a> {
        let mut instants: Vec<Instant> = history
            .iter()
            .flat_map(|(r, u)| [Some(r.at), u.as_ref().map(|u| u.at)])
            .flatten()
            .collect();
        instants.sort();
        instants.dedup();
        let plans = (0..=instants.len()).map(|_| OnceCell::new()).collect();
        Timeline {
            rot,
            history,
            instants,
            plans,
            pins: OnceCell::new(),
        }
    }

    /// The substitutes each away period chose when it was made: the plan of
    /// the changes in force then (made before it), itself included. While
    /// nothing made before an away period was undone before it, that plan
    /// is the running one of every change in id order, so the common case
    /// costs one pass.
    pub fn pins(&self) -> &Pins {
        self.pins.get_or_init(|| {
            let mut all: Vec<&(Recorded, Option<Undone>)> = self.history.iter().collect();
            all.sort_by_key(|(r, _)| r.id);
            let mut pins = Pins::new();
            let mut running = Plan::new(self.rot, std::iter::empty(), &pins);
            let mut applied = 0;
            for (i, (a, _)) in all.iter().enumerate() {
                if !matches!(a.change, super::Change::Away { .. }) {
                    continue;
                }
                // The changes made before `a` that were in force when it
                // was made.
                let then = |r: &Recorded, u: &Option<Undone>| {
                    r.id == a.id || (r.at <= a.at && u.as_ref().is_none_or(|u| a.at < u.at))
                };
                let prefix = &all[..=i];
                let chosen = if prefix.iter().all(|(r, u)| then(r, u)) {
                    for (r, _) in &all[applied..=i] {
                        running.push(r, &pins);
                    }
                    applied = i + 1;
                    running.chosen(a.id).cloned()
                } else {
                    let set = prefix.iter().filter(|(r, u)| then(r, u)).map(|(r, _)| r);
                    Plan::new(self.rot, set, &pins).chosen(a.id).cloned()
                };
                if let Some(chosen) = chosen {
                    pins.insert(a.id, chosen);
                }
            }
            pins
        })
    }

    /// The rotation this timeline is of.
    pub fn rotation(&self) -> &'a Rotation {
        self.rot
    }

    /// Every change, with its undo.
    pub fn history(&self) -> &'a History {
        self.history
    }

    fn epoch(&self, t: Instant) -> usize {
        self.instants.partition_point(|i| *i <= t)
    }

    /// The changes in force at `t`.
    pub fn in_force(&self, t: Instant) -> impl Iterator<Item = &'a Recorded> + 'a {
        self.history
            .iter()
            .filter(move |(r, u)| r.at <= t && u.as_ref().is_none_or(|u| t < u.at))
            .map(|(r, _)| r)
    }

    /// The plan in force at `t`.
    pub fn plan_at(&self, t: Instant) -> &Plan<'a> {
        let k = self.epoch(t);
        self.plans[k].get_or_init(|| match k {
            0 => Plan::new(self.rot, std::iter::empty(), self.pins()),
            _ => Plan::new(self.rot, self.in_force(self.instants[k - 1]), self.pins()),
        })
    }

    /// The shift of `date`, in parts when a change was made during it; an
    /// empty list before the rota starts.
    pub fn shift(&self, date: NaiveDate) -> Vec<Shift> {
        let Some(scheduled) = base_member(self.rot, date) else {
            return Vec::new();
        };
        let (start, end) = shift_bounds(self.rot, date);
        let mut cuts = vec![start];
        let first = self.instants.partition_point(|i| *i <= start);
        cuts.extend(self.instants[first..].iter().take_while(|i| **i < end));
        cuts.push(end);
        let mut parts: Vec<Shift> = Vec::new();
        for w in cuts.windows(2) {
            let plan = self.plan_at(w[0]);
            let Some(member) = plan.member(date) else {
                continue;
            };
            match parts.last_mut() {
                Some(last) if last.member == member => last.end = w[1],
                _ => parts.push(Shift {
                    date,
                    start: w[0],
                    end: w[1],
                    member: member.to_string(),
                    scheduled: scheduled.to_string(),
                    change: plan.change(date),
                }),
            }
        }
        parts
    }

    /// The shifts (in parts) of `days` dates from `from`; dates before the
    /// rota starts are left out.
    pub fn schedule(&self, from: NaiveDate, days: usize) -> Vec<Shift> {
        (0..days as i64)
            .flat_map(|k| self.shift(from + Duration::days(k)))
            .collect()
    }

    /// The part of a shift running at `t` (`None` before the rota starts).
    pub fn on_call(&self, t: Instant) -> Option<Shift> {
        let date = super::shift_date_at(self.rot, t)?;
        self.shift(date)
            .into_iter()
            .find(|s| s.start <= t && t < s.end)
    }
}

/// The shifts (in parts) of `days` dates from `from`, as lived up to each
/// instant and planned after it. Dates before the start are left out.
pub fn schedule(rot: &Rotation, history: &History, from: NaiveDate, days: usize) -> Vec<Shift> {
    Timeline::new(rot, history).schedule(from, days)
}

/// Who is on call at `t`.
pub fn on_call(rot: &Rotation, history: &History, t: Instant) -> Option<Shift> {
    Timeline::new(rot, history).on_call(t)
}
