//! Changes people made to the rota (swaps, covers, away periods), kept with
//! who made them and when; `undo` marks one undone rather than deleting it.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::rota::{Change, Recorded};
use crate::time::Instant;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

pub use crate::rota::Undone;

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn recorded(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Recorded>> {
    let c = Cells::new(r, "rota_changes", 0);
    let kind: String = r.get(1)?;
    let a = date(r.get(2)?);
    let b = date(r.get(3)?);
    let member: Option<String> = r.get(4)?;
    let at = c.instant(6)?;
    let change = match (kind.as_str(), a, b, member) {
        ("swap", Some(a), Some(b), _) => Change::Swap { a, b },
        ("cover", Some(date), _, Some(by)) => Change::Cover { date, by },
        ("away", Some(from), Some(to), Some(member)) => Change::Away { member, from, to },
        // A row this version cannot read is left out rather than guessed at.
        _ => return Ok(None),
    };
    Ok(Some(Recorded {
        id: r.get(0)?,
        change,
        by: r.get(5)?,
        at,
    }))
}

impl Tx<'_> {
    /// Records a change; returns its id.
    pub fn add_rota_change(&self, change: &Change, by: &str, now: Instant) -> Result<i64> {
        let (kind, a, b, member) = match change {
            Change::Swap { a, b } => ("swap", Some(a.to_string()), Some(b.to_string()), None),
            Change::Cover { date, by } => ("cover", Some(date.to_string()), None, Some(by.clone())),
            Change::Away { member, from, to } => (
                "away",
                Some(from.to_string()),
                Some(to.to_string()),
                Some(member.clone()),
            ),
        };
        self.conn()
            .execute(
                "INSERT INTO rota_changes (kind, date_a, date_b, member, made_by, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![kind, a, b, member, by, Stamp(now)],
            )
            .map_err(self.err("record rota change"))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Marks a change undone; returns whether it was in force.
    pub fn undo_rota_change(&self, id: i64, by: &str, now: Instant) -> Result<bool> {
        let n = self
            .conn()
            .execute(
                "UPDATE rota_changes SET undone_by = ?2, undone_at = ?3 WHERE id = ?1 AND undone_at IS NULL",
                params![id, by, Stamp(now)],
            )
            .map_err(self.err("undo rota change"))?;
        Ok(n > 0)
    }
}

impl Reader<'_> {
    /// Every change with its undo, if undone.
    pub fn rota_history(&self) -> Result<Vec<(Recorded, Option<Undone>)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, kind, date_a, date_b, member, made_by, made_at, undone_by, undone_at FROM rota_changes ORDER BY id",
            )
            .map_err(self.err("read rota changes"))?;
        let rows = stmt
            .query_map([], |r| {
                let c = Cells::new(r, "rota_changes", 0);
                let undone: Option<(String, Instant)> =
                    match (c.get::<Option<String>>(7)?, c.opt_instant(8)?) {
                        (Some(by), Some(at)) => Some((by, at)),
                        _ => None,
                    };
                Ok(recorded(r)?.map(|rec| {
                    let undone = undone.map(|(by, at)| Undone { by, at });
                    (rec, undone)
                }))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err("read rota changes"))?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// One change, in force or not (`None` when there is no such id).
    pub fn rota_change(&self, id: i64) -> Result<Option<(Recorded, bool)>> {
        self.conn
            .prepare_cached(
                "SELECT id, kind, date_a, date_b, member, made_by, made_at, undone_at IS NULL FROM rota_changes WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| Ok(recorded(r)?.map(|rec| (rec, r.get::<_, bool>(7).unwrap_or(false)))))
                    .optional()
            })
            .map(Option::flatten)
            .map_err(self.err("read rota change"))
    }
}
