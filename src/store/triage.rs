//! Working issues: the facts the triage rules read, applying a plan with
//! its history, re-deriving states, and merging (by people, and by ingest
//! folding an issue that only existed because a reply arrived before its
//! parent).

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::time::Instant;
use crate::triage::rules::{Effect, Facts, Plan};
use crate::triage::{
    DismissReason, HistoryAction, IssueId, ReleaseStatus, State, StateFacts, derive_state,
};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

impl Tx<'_> {
    /// Records one history row: the only place that writes `history`, so
    /// every change (by ingest, by a person, by a merge) is described the
    /// same way.
    pub fn add_history(
        &self,
        issue: IssueId,
        at: Instant,
        actor: &str,
        action: HistoryAction,
        detail: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached("INSERT INTO history (issue_id, at, actor, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
            .and_then(|mut s| s.execute(params![issue, Stamp(at), actor, action, detail]))
            .map_err(self.err("record history"))?;
        Ok(())
    }

    /// Moves everything of issue `from` into `into`: CVEs, messages,
    /// packages, notes, history, release statuses `into` lacks, and related
    /// links. `from` is closed as a duplicate that points to `into`; both
    /// get a history row. The caller re-derives `into`'s state.
    pub fn merge_issue(
        &self,
        from: IssueId,
        into: IssueId,
        now: Instant,
        actor: &str,
    ) -> Result<()> {
        let at = Stamp(now);
        let steps: &[(&str, &str)] = &[
            ("UPDATE issue_cves SET issue_id = ?2 WHERE issue_id = ?1", "move CVEs"),
            ("UPDATE messages SET issue_id = ?2 WHERE issue_id = ?1", "move messages"),
            (
                "INSERT OR IGNORE INTO issue_packages (issue_id, package) SELECT ?2, package FROM issue_packages WHERE issue_id = ?1",
                "copy packages",
            ),
            ("DELETE FROM issue_packages WHERE issue_id = ?1", "move packages"),
            ("UPDATE notes SET issue_id = ?2 WHERE issue_id = ?1", "move notes"),
            ("UPDATE history SET issue_id = ?2 WHERE issue_id = ?1", "move history"),
            (
                "INSERT OR IGNORE INTO release_status (issue_id, release, status, ref, reason)
                 SELECT ?2, release, status, ref, reason FROM release_status WHERE issue_id = ?1",
                "copy release status",
            ),
            ("DELETE FROM release_status WHERE issue_id = ?1", "move release status"),
            (
                "INSERT OR IGNORE INTO related (a, b)
                 SELECT min(?2, other), max(?2, other) FROM
                   (SELECT b AS other FROM related WHERE a = ?1 UNION SELECT a FROM related WHERE b = ?1)
                 WHERE other <> ?2",
                "move related links",
            ),
            ("DELETE FROM related WHERE a = ?1 OR b = ?1", "drop old related links"),
        ];
        for (sql, doing) in steps {
            let n = if sql.contains("?2") {
                self.conn().execute(sql, params![from, into])
            } else {
                self.conn().execute(sql, params![from])
            };
            n.map_err(self.err(doing))?;
        }
        self.conn()
            .execute(
                "UPDATE issues SET merged_into = ?2, state = ?4, dismiss_reason = ?5,
                   dismiss_text = 'merged into #' || ?2, claimed_by = NULL, updated_at = ?3,
                   closed_at = coalesce(closed_at, ?3)
                 WHERE id = ?1",
                params![from, into, at, State::Dismissed, DismissReason::Duplicate],
            )
            .map_err(self.err("close merged issue"))?;
        // Raise the survivor's severity to the merged one's when no person
        // set the survivor's.
        self.conn()
            .execute(
                "UPDATE issues SET severity = (SELECT severity FROM issues WHERE id = ?1)
                 WHERE id = ?2 AND severity_set_by IS NULL AND severity IS NULL",
                params![from, into],
            )
            .map_err(self.err("carry severity"))?;
        self.add_history(
            from,
            now,
            actor,
            HistoryAction::Merged,
            &format!("into #{into}"),
        )?;
        self.add_history(
            into,
            now,
            actor,
            HistoryAction::Merged,
            &format!("#{from} merged into this issue"),
        )?;
        self.touch(into, now)?;
        Ok(())
    }
}

impl Reader<'_> {
    /// The facts the triage rules need about one issue; `other` is the issue
    /// a `relate` request names. `None` when the issue does not exist.
    pub fn facts(&self, id: IssueId, other: Option<IssueId>) -> Result<Option<Facts>> {
        let row: Option<(State, Option<String>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT state, claimed_by, responsible, id FROM issues WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    let c = Cells::new(r, "issues", 3);
                    Ok((c.get(0)?, c.get(1)?, c.get(2)?))
                })
                .optional()
            })
            .map_err(self.err("read issue"))?;
        let Some((state, claimed_by, responsible)) = row else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT release, status FROM release_status WHERE issue_id = ?1")
            .map_err(self.err("read release status"))?;
        let releases = stmt
            .query_map([id], |r| {
                let c = Cells::new(r, "release_status", 0);
                Ok((c.get::<String>(0)?, c.get::<ReleaseStatus>(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>())
            .map_err(self.err("read release status"))?;
        let related_to_other = match other {
            Some(o) => self
                .conn
                .prepare_cached("SELECT 1 FROM related WHERE a = min(?1, ?2) AND b = max(?1, ?2)")
                .and_then(|mut s| s.exists(params![id, o]))
                .map_err(self.err("read related"))?,
            None => false,
        };
        Ok(Some(Facts {
            id,
            state,
            claimed_by,
            responsible,
            releases,
            related_to_other,
        }))
    }
}

impl Tx<'_> {
    /// Applies a plan and writes its history rows, then re-derives the
    /// state of the issue (and of the survivor of a merge), recording any
    /// state change. Returns the state before and after.
    pub fn apply(
        &self,
        issue: IssueId,
        actor: &str,
        now: Instant,
        plan: &Plan,
        releases: &[String],
    ) -> Result<(State, State)> {
        let at = Stamp(now);
        let before = self
            .reader()
            .facts(issue, None)?
            .map(|f| f.state)
            .unwrap_or(State::New);
        let mut rederive = vec![issue];
        for effect in &plan.effects {
            match effect {
                Effect::Claim(who) => {
                    self.conn()
                        .execute(
                            "UPDATE issues SET claimed_by = ?2, claimed_at = CASE WHEN ?2 IS NULL THEN NULL ELSE ?3 END WHERE id = ?1",
                            params![issue, who, at],
                        )
                        .map_err(self.err("record claim"))?;
                }
                Effect::Responsible(who) => {
                    self.conn()
                        .execute(
                            "UPDATE issues SET responsible = ?2 WHERE id = ?1",
                            params![issue, who],
                        )
                        .map_err(self.err("record responsible"))?;
                }
                Effect::Release {
                    release,
                    status,
                    reference,
                    reason,
                } => {
                    self.conn()
                        .execute(
                            "INSERT INTO release_status (issue_id, release, status, ref, reason) VALUES (?1, ?2, ?3, ?4, ?5)
                             ON CONFLICT (issue_id, release) DO UPDATE SET status = ?3, ref = ?4, reason = ?5",
                            params![issue, release, status, reference, reason],
                        )
                        .map_err(self.err("record release status"))?;
                }
                Effect::Severity(level) => {
                    self.conn()
                        .execute(
                            "UPDATE issues SET severity = ?2, severity_set_by = ?3 WHERE id = ?1",
                            params![issue, level, actor],
                        )
                        .map_err(self.err("record severity"))?;
                }
                Effect::Note(text) => {
                    self.conn()
                        .execute(
                            "INSERT INTO notes (issue_id, at, actor, text) VALUES (?1, ?2, ?3, ?4)",
                            params![issue, at, actor, text],
                        )
                        .map_err(self.err("record note"))?;
                }
                Effect::PublicNote(text) => {
                    self.conn()
                        .execute(
                            "INSERT INTO notes (issue_id, at, actor, text, public) VALUES (?1, ?2, ?3, ?4, 1)",
                            params![issue, at, actor, text],
                        )
                        .map_err(self.err("record note"))?;
                }
                Effect::Dismiss(reason, text) => {
                    self.conn()
                        .execute(
                            "UPDATE issues SET dismiss_reason = ?2, dismiss_text = ?3 WHERE id = ?1",
                            params![issue, reason, text],
                        )
                        .map_err(self.err("record dismissal"))?;
                }
                Effect::Reopen => {
                    self.conn()
                        .execute(
                            "UPDATE issues SET dismiss_reason = NULL, dismiss_text = NULL, announced_at = NULL, announce_ref = NULL WHERE id = ?1",
                            params![issue],
                        )
                        .map_err(self.err("reopen"))?;
                }
                Effect::Announce(reference) => {
                    self.conn()
                        .execute(
                            "UPDATE issues SET announced_at = ?2, announce_ref = ?3 WHERE id = ?1",
                            params![issue, at, reference],
                        )
                        .map_err(self.err("record announcement"))?;
                }
                Effect::Relate(other) => {
                    self.relate(issue, *other)?;
                    self.add_history(
                        *other,
                        now,
                        actor,
                        HistoryAction::Related,
                        &format!("#{issue}"),
                    )?;
                }
                Effect::Merge(into) => {
                    self.merge_issue(issue, *into, now, actor)?;
                    rederive.push(*into);
                }
            }
        }
        for (action, detail) in &plan.history {
            self.add_history(issue, now, actor, *action, detail)?;
        }
        let mut after = before;
        for id in rederive {
            let state = self.rederive_state(id, releases, actor, now)?;
            if id == issue {
                after = state;
            }
        }
        self.touch(issue, now)?;
        Ok((before, after))
    }

    /// Sets the state that follows from the facts, records a change in
    /// history, and keeps the milestone instants the report measures
    /// (first claim, triaged, fixed, closed).
    pub fn rederive_state(
        &self,
        issue: IssueId,
        releases: &[String],
        actor: &str,
        now: Instant,
    ) -> Result<State> {
        let at = Stamp(now);
        let row: Option<(State, Option<String>, bool, bool, bool)> = self
            .conn()
            .prepare_cached(
                "SELECT state, claimed_by, dismiss_reason IS NOT NULL, announced_at IS NOT NULL, merged_into IS NOT NULL, id
                 FROM issues WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([issue], |r| {
                    let c = Cells::new(r, "issues", 5);
                    Ok((c.get(0)?, c.get(1)?, c.get(2)?, c.get(3)?, c.get(4)?))
                })
                .optional()
            })
            .map_err(self.err("read issue facts"))?;
        let Some((old, claimed_by, dismissed, announced, merged)) = row else {
            return Ok(State::New);
        };
        if merged {
            return Ok(old);
        }
        let facts = self
            .reader()
            .facts(issue, None)?
            .map(|f| f.releases)
            .unwrap_or_default();
        let statuses: Vec<ReleaseStatus> = releases
            .iter()
            .map(|r| facts.get(r).copied().unwrap_or(ReleaseStatus::Unknown))
            .collect();
        let new = derive_state(&StateFacts {
            claimed_by: claimed_by.as_deref(),
            dismissed,
            announced,
            releases: statuses,
        });
        if new != old {
            let reached = new.reached();
            self.conn()
                .execute(
                    // Which milestones the state passed is `State::reached`;
                    // here only the first instant of each is kept.
                    "UPDATE issues SET state = ?2,
                       first_claimed_at = CASE WHEN ?4 THEN coalesce(first_claimed_at, ?3) ELSE first_claimed_at END,
                       triaged_at = CASE WHEN ?5 THEN coalesce(triaged_at, ?3) ELSE triaged_at END,
                       fixed_at = CASE WHEN ?6 THEN coalesce(fixed_at, ?3) ELSE fixed_at END,
                       closed_at = CASE WHEN ?7 THEN coalesce(closed_at, ?3) ELSE NULL END
                     WHERE id = ?1",
                    params![
                        issue,
                        new,
                        at,
                        reached.claimed,
                        reached.triaged,
                        reached.fixed,
                        reached.closed
                    ],
                )
                .map_err(self.err("record state"))?;
            self.add_history(
                issue,
                now,
                actor,
                HistoryAction::State,
                &format!("{old} → {new}"),
            )?;
        }
        Ok(new)
    }
}
