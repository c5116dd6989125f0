//! The whole-shift schedule under one set of changes: the fixed
//! round-robin with the changes laid over it in the order they were made.
//!
//! The substitute rule for a shift whose member is away, in order:
//! 1. not away that day (under the away periods made up to this one, so
//!    that a later one moves nothing outside its own dates);
//! 2. not on call the shift before or after (with three or more members
//!    available there always is one; with fewer, this is dropped when it
//!    would leave nobody, and [`Plan::two_in_a_row`] names the result);
//! 3. fewest shifts over the 30 shifts before it, under this plan;
//! 4. earliest in `rotation.order`.
//!
//! An away period's substitutes are chosen once, when it is made, and
//! kept ([`Pins`]): undoing an earlier change re-chooses one only where the
//! kept choice no longer fits the rule (it is away, or next to its own
//! shift), so an undo does not reshuffle later away periods through small
//! changes of load.
//!
//! Pure: a plan is a function of the rotation, the changes and the pins.

use super::{Change, Recorded, base_index};
use crate::config::Rotation;
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// How many shifts back the substitute rule counts load over.
pub const TRAILING_SHIFTS: i64 = 30;

/// The substitutes each away period chose when it was made: change id →
/// shift date → member index.
pub type Pins = BTreeMap<i64, BTreeMap<NaiveDate, usize>>;

/// The member of every shift under one set of changes.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    rot: &'a Rotation,
    /// Shifts the changes gave to someone other than the rotation did:
    /// date → (member index, the change that put them there).
    overrides: BTreeMap<NaiveDate, (usize, i64)>,
    /// The away days laid over so far (all of them, once built): (date,
    /// member index).
    away: BTreeSet<(NaiveDate, usize)>,
    /// The substitutes each away period chose in this plan.
    chosen: Pins,
}

impl<'a> Plan<'a> {
    /// Lays `changes` over the rotation in id order, keeping the
    /// substitutes in `pins` where they still fit.
    pub fn new<'c>(
        rot: &'a Rotation,
        changes: impl IntoIterator<Item = &'c Recorded>,
        pins: &Pins,
    ) -> Plan<'a> {
        let mut changes: Vec<&Recorded> = changes.into_iter().collect();
        changes.sort_by_key(|c| c.id);
        let mut plan = Plan {
            rot,
            overrides: BTreeMap::new(),
            away: BTreeSet::new(),
            chosen: Pins::new(),
        };
        for c in changes {
            plan.push(c, pins);
        }
        plan
    }

    /// Lays one more change over the plan; changes must come in id order.
    pub fn push(&mut self, c: &Recorded, pins: &Pins) {
        let rot = self.rot;
        let index = |m: &str| rot.order.iter().position(|o| o == m);
        self.apply(c, &index, pins.get(&c.id));
    }

    /// The substitutes away period `id` chose in this plan.
    pub fn chosen(&self, id: i64) -> Option<&BTreeMap<NaiveDate, usize>> {
        self.chosen.get(&id)
    }

    fn apply(
        &mut self,
        c: &Recorded,
        index: &dyn Fn(&str) -> Option<usize>,
        pinned: Option<&BTreeMap<NaiveDate, usize>>,
    ) {
        match &c.change {
            Change::Swap { a, b } => {
                if let (Some(ma), Some(mb)) = (self.index_at(*a), self.index_at(*b)) {
                    self.set(*a, mb, c.id);
                    self.set(*b, ma, c.id);
                }
            }
            Change::Cover { date, by } => {
                if let (Some(m), Some(_)) = (index(by), self.index_at(*date)) {
                    self.set(*date, m, c.id);
                }
            }
            Change::Away { member, from, to } => {
                let Some(m) = index(member) else { return };
                // Only away periods made so far count here, so a later one
                // moves nothing outside its own dates.
                let mut d = *from;
                while d <= *to {
                    self.away.insert((d, m));
                    d += Duration::days(1);
                }
                let mut d = (*from).max(self.rot.start);
                while d <= *to {
                    if self.index_at(d) == Some(m) {
                        let kept = pinned.and_then(|p| p.get(&d)).copied();
                        let pick = kept
                            .filter(|&k| self.pool(d).contains(&k))
                            .or_else(|| self.substitute(d));
                        if let Some(s) = pick {
                            self.set(d, s, c.id);
                            self.chosen.entry(c.id).or_default().insert(d, s);
                        }
                    }
                    d += Duration::days(1);
                }
            }
        }
    }

    fn set(&mut self, date: NaiveDate, member: usize, change: i64) {
        if base_index(self.rot, date) == Some(member) {
            self.overrides.remove(&date);
        } else {
            self.overrides.insert(date, (member, change));
        }
    }

    fn index_at(&self, date: NaiveDate) -> Option<usize> {
        match self.overrides.get(&date) {
            Some((m, _)) => Some(*m),
            None => base_index(self.rot, date),
        }
    }

    /// Who has the shift of `date` (`None` before the rota starts).
    pub fn member(&self, date: NaiveDate) -> Option<&'a str> {
        self.index_at(date).map(|i| self.rot.order[i].as_str())
    }

    /// The change that gave the shift of `date` to its member, when one
    /// did.
    pub fn change(&self, date: NaiveDate) -> Option<i64> {
        self.overrides.get(&date).map(|(_, c)| *c)
    }

    /// Whether `member` is away on `date` under this plan's changes.
    pub fn is_away(&self, member: &str, date: NaiveDate) -> bool {
        self.rot
            .order
            .iter()
            .position(|o| o == member)
            .is_some_and(|m| self.away_index(m, date))
    }

    fn away_index(&self, m: usize, date: NaiveDate) -> bool {
        self.away.contains(&(date, m))
    }

    /// How many members are not away on `date`.
    pub fn available(&self, date: NaiveDate) -> usize {
        (0..self.rot.order.len())
            .filter(|&m| !self.away_index(m, date))
            .count()
    }

    /// Whether the member of `date` also has the next shift.
    pub fn two_in_a_row(&self, date: NaiveDate) -> Option<&'a str> {
        let m = self.index_at(date)?;
        (self.index_at(date + Duration::days(1)) == Some(m)).then(|| self.rot.order[m].as_str())
    }

    /// Who may take the shift of `date` by the first two steps of the rule:
    /// not away, and rested (not on call the shift before or after) when
    /// anyone is.
    fn pool(&self, date: NaiveDate) -> Vec<usize> {
        let n = self.rot.order.len();
        let available: Vec<usize> = (0..n).filter(|&m| !self.away_index(m, date)).collect();
        let before = self.index_at(date - Duration::days(1));
        let after = self.index_at(date + Duration::days(1));
        let rested: Vec<usize> = available
            .iter()
            .copied()
            .filter(|&m| Some(m) != before && Some(m) != after)
            .collect();
        if rested.is_empty() { available } else { rested }
    }

    /// The substitute for the shift of `date` by the rule in the module
    /// docs; `None` when every member is away.
    fn substitute(&self, date: NaiveDate) -> Option<usize> {
        let n = self.rot.order.len();
        let pool = self.pool(date);
        let mut load = vec![0usize; n];
        for k in 1..=TRAILING_SHIFTS {
            if let Some(m) = self.index_at(date - Duration::days(k)) {
                load[m] += 1;
            }
        }
        pool.iter().copied().min_by_key(|&m| (load[m], m))
    }
}
