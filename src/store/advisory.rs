//! Advisories: drafts, the issues they announce, reviews, approved
//! revisions (content frozen as JSON), the id counter per year, the
//! rendered marker and the published URL. Each write that a person would
//! look for on an issue comes with its history rows, in the caller's
//! transaction.

use super::column::{Cells, Stamp};
use super::{Reader, Result, Tx};
use crate::time::Instant;
use crate::triage::{HistoryAction, IssueId};
use rusqlite::{OptionalExtension, params};

/// One draft as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    /// Its number.
    pub number: i64,
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// Who drafted it.
    pub author: String,
    /// When (UTC).
    pub created_at: Instant,
    /// How many edits it has had: an approval holds for one.
    pub edits: i64,
    /// The id, once approved.
    pub advisory_id: Option<String>,
    /// Where it was published.
    pub published_url: Option<String>,
    /// When it was abandoned.
    pub abandoned_at: Option<Instant>,
    /// Its issues, by number.
    pub issues: Vec<IssueId>,
}

/// One review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// When (UTC).
    pub at: Instant,
    /// Who.
    pub reviewer: String,
    /// `approved` or `changes-requested`.
    pub verdict: String,
    /// What to change.
    pub text: Option<String>,
    /// The edit it reviewed (a later edit answers a request for changes).
    pub edit: i64,
}

/// One approved revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    /// The draft.
    pub draft: i64,
    /// Its number.
    pub revision: u32,
    /// The edit it approved.
    pub edit: i64,
    /// Who approved it.
    pub approved_by: String,
    /// When.
    pub approved_at: Instant,
    /// What changed.
    pub summary: String,
    /// The frozen content (stored as JSON).
    pub content: crate::advisory::draft::Content,
    /// When it was rendered.
    pub rendered_at: Option<Instant>,
}

const DRAFT: &str =
    "id, title, summary, author, created_at, edits, advisory_id, published_url, abandoned_at";
const REVISION: &str =
    "advisory, revision, edit, approved_by, approved_at, summary, content, rendered_at";

fn draft_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRow> {
    let c = Cells::new(r, "advisories", 0);
    Ok(DraftRow {
        number: c.get(0)?,
        title: c.get(1)?,
        summary: c.get(2)?,
        author: c.get(3)?,
        created_at: c.instant(4)?,
        edits: c.get(5)?,
        advisory_id: c.get(6)?,
        published_url: c.get(7)?,
        abandoned_at: c.opt_instant(8)?,
        issues: Vec::new(),
    })
}

fn revision_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RevisionRow> {
    let c = Cells::new(r, "advisory_revisions", 0);
    Ok(RevisionRow {
        draft: c.get(0)?,
        revision: c.get(1)?,
        edit: c.get(2)?,
        approved_by: c.get(3)?,
        approved_at: c.instant(4)?,
        summary: c.get(5)?,
        content: {
            let text: String = c.get(6)?;
            serde_json::from_str(&text).map_err(|e| c.unreadable(6, e.to_string()))?
        },
        rendered_at: c.opt_instant(7)?,
    })
}

impl Reader<'_> {
    /// The draft with this number, with its issues.
    pub fn advisory_draft(&self, number: i64) -> Result<Option<DraftRow>> {
        let d = self
            .conn
            .prepare_cached(&format!("SELECT {DRAFT} FROM advisories WHERE id = ?1"))
            .and_then(|mut s| s.query_row(params![number], draft_row).optional())
            .map_err(self.err("read advisory"))?;
        let Some(mut d) = d else { return Ok(None) };
        d.issues = self
            .conn
            .prepare_cached(
                "SELECT issue_id FROM advisory_issues WHERE advisory = ?1 ORDER BY issue_id",
            )
            .and_then(|mut s| {
                s.query_map(params![number], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<IssueId>>>()
            })
            .map_err(self.err("read advisory issues"))?;
        Ok(Some(d))
    }

    /// The draft number of an advisory id.
    pub fn advisory_number(&self, advisory_id: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM advisories WHERE advisory_id = ?1")
            .and_then(|mut s| s.query_row(params![advisory_id], |r| r.get(0)).optional())
            .map_err(self.err("find advisory"))
    }

    /// Every draft number, in order.
    pub fn advisory_numbers(&self) -> Result<Vec<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM advisories ORDER BY id")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()
            })
            .map_err(self.err("list advisories"))
    }

    /// A draft's reviews, oldest first.
    pub fn advisory_reviews(&self, number: i64) -> Result<Vec<ReviewRow>> {
        self.conn
            .prepare_cached(
                "SELECT at, reviewer, verdict, text, edit FROM advisory_reviews WHERE advisory = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map(params![number], |r| {
                    let c = Cells::new(r, "advisory_reviews", 0);
                    Ok(ReviewRow {
                        at: c.instant(0)?,
                        reviewer: c.get(1)?,
                        verdict: c.get(2)?,
                        text: c.get(3)?,
                        edit: c.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read advisory reviews"))
    }

    /// A draft's approved revisions, oldest first.
    pub fn advisory_revisions(&self, number: i64) -> Result<Vec<RevisionRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {REVISION} FROM advisory_revisions WHERE advisory = ?1 ORDER BY revision"
            ))
            .and_then(|mut s| {
                s.query_map(params![number], revision_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read advisory revisions"))
    }

    /// Every approved revision not rendered yet, in order.
    pub fn unrendered_revisions(&self) -> Result<Vec<RevisionRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {REVISION} FROM advisory_revisions WHERE rendered_at IS NULL
                 ORDER BY approved_at, advisory, revision"
            ))
            .and_then(|mut s| {
                s.query_map([], revision_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(self.err("read unrendered revisions"))
    }
}

impl Tx<'_> {
    fn advisory_history(
        &self,
        issues: &[IssueId],
        at: Instant,
        actor: &str,
        detail: &str,
    ) -> Result<()> {
        for issue in issues {
            self.add_history(*issue, at, actor, HistoryAction::Advisory, detail)?;
        }
        Ok(())
    }

    /// Records a draft for `issues` and its history rows; returns its
    /// number.
    pub fn add_advisory_draft(
        &self,
        issues: &[IssueId],
        title: &str,
        summary: &str,
        author: &str,
        at: Instant,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO advisories (title, summary, author, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )
            .and_then(|mut s| s.execute(params![title, summary, author, Stamp(at)]))
            .map_err(self.err("record advisory draft"))?;
        let number = self.conn().last_insert_rowid();
        for issue in issues {
            self.conn()
                .prepare_cached(
                    "INSERT OR IGNORE INTO advisory_issues (advisory, issue_id) VALUES (?1, ?2)",
                )
                .and_then(|mut s| s.execute(params![number, issue]))
                .map_err(self.err("record advisory issue"))?;
        }
        self.advisory_history(
            issues,
            at,
            author,
            &format!("advisory draft {number} written"),
        )?;
        Ok(number)
    }

    /// Records an edit (new title and summary); an approval holds for one
    /// edit, so this voids it.
    pub fn edit_advisory(
        &self,
        draft: &DraftRow,
        title: &str,
        summary: &str,
        by: &str,
        at: Instant,
        detail: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE advisories SET title = ?2, summary = ?3, updated_at = ?4, edits = edits + 1
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![draft.number, title, summary, Stamp(at)]))
            .map_err(self.err("edit advisory"))?;
        self.advisory_history(&draft.issues, at, by, detail)
    }

    /// Records a review (and its history rows).
    pub fn add_advisory_review(
        &self,
        draft: &DraftRow,
        reviewer: &str,
        verdict: &str,
        text: Option<&str>,
        at: Instant,
        detail: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO advisory_reviews (advisory, at, reviewer, verdict, text, edit)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    draft.number,
                    Stamp(at),
                    reviewer,
                    verdict,
                    text,
                    draft.edits
                ])
            })
            .map_err(self.err("record advisory review"))?;
        self.advisory_history(&draft.issues, at, reviewer, detail)
    }

    /// Takes the next id number of `year` (never given twice, even if the
    /// draft that took it is abandoned).
    pub fn next_advisory_number(&self, year: i32) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO advisory_id_counter (year, last) VALUES (?1, 1)
                 ON CONFLICT(year) DO UPDATE SET last = last + 1",
            )
            .and_then(|mut s| s.execute(params![year]))
            .map_err(self.err("count advisory ids"))?;
        self.conn()
            .prepare_cached("SELECT last FROM advisory_id_counter WHERE year = ?1")
            .and_then(|mut s| s.query_row(params![year], |r| r.get(0)))
            .map_err(self.err("count advisory ids"))
    }

    /// Gives a draft its id.
    pub fn set_advisory_id(&self, draft: i64, advisory_id: &str) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE advisories SET advisory_id = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![draft, advisory_id]))
            .map_err(self.err("give advisory id"))?;
        Ok(())
    }

    /// Records an approved revision with its frozen content.
    pub fn add_advisory_revision(&self, rev: &RevisionRow) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO advisory_revisions (advisory, revision, edit, approved_by, approved_at, summary, content)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    rev.draft,
                    rev.revision,
                    rev.edit,
                    rev.approved_by,
                    Stamp(rev.approved_at),
                    rev.summary,
                    serde_json::to_string(&rev.content).unwrap_or_default()
                ])
            })
            .map_err(self.err("record advisory revision"))?;
        Ok(())
    }

    /// Marks a revision rendered.
    pub fn mark_revision_rendered(&self, draft: i64, revision: u32, at: Instant) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE advisory_revisions SET rendered_at = ?3 WHERE advisory = ?1 AND revision = ?2",
            )
            .and_then(|mut s| s.execute(params![draft, revision, Stamp(at)]))
            .map_err(self.err("mark revision rendered"))?;
        Ok(())
    }

    /// Records where the advisory was published.
    pub fn set_advisory_published(
        &self,
        draft: &DraftRow,
        url: &str,
        by: &str,
        at: Instant,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE advisories SET published_url = ?2, published_at = ?3 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![draft.number, url, Stamp(at)]))
            .map_err(self.err("record advisory published"))?;
        let id = draft.advisory_id.as_deref().unwrap_or_default();
        self.advisory_history(
            &draft.issues,
            at,
            by,
            &format!("advisory {id} published at {url}"),
        )
    }

    /// Marks a draft abandoned (its id, if it had one, is not reused).
    pub fn abandon_advisory(&self, draft: &DraftRow, by: &str, at: Instant) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE advisories SET abandoned_at = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![draft.number, Stamp(at)]))
            .map_err(self.err("abandon advisory"))?;
        self.advisory_history(
            &draft.issues,
            at,
            by,
            &format!("advisory draft {} abandoned", draft.number),
        )
    }
}
