//! Writes that work issues: merging (by people, and by ingest folding an
//! issue that only existed because a reply arrived before its parent).

use super::{Result, Tx};
use crate::time::{self, Instant};
use crate::triage::IssueId;
use rusqlite::params;

impl Tx<'_> {
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
        let at = time::format(now);
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
                "UPDATE issues SET merged_into = ?2, state = 'dismissed', dismiss_reason = 'duplicate',
                   dismiss_text = 'merged into #' || ?2, claimed_by = NULL, updated_at = ?3,
                   closed_at = coalesce(closed_at, ?3)
                 WHERE id = ?1",
                params![from, into, at],
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
        self.add_history(from, now, actor, "merged", &format!("into #{into}"))?;
        self.add_history(
            into,
            now,
            actor,
            "merged",
            &format!("#{from} merged into this issue"),
        )?;
        self.touch(into, now)?;
        Ok(())
    }
}
