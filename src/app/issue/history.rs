//! `history`: every change to an issue, oldest first.

use crate::app::{Desk, Result};
use crate::store::issues::HistoryEntry;
use crate::triage::IssueId;
use serde::Serialize;
use std::fmt;

/// The history as printed: a table, or a JSON array of
/// `{at, actor, action, detail}`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IssueHistory(pub Vec<HistoryEntry>);

/// Every change to an issue (following merges), oldest first.
pub fn history(desk: &mut Desk<'_>, id: IssueId) -> Result<IssueHistory> {
    Ok(IssueHistory(super::show(desk, id)?.history))
}

impl fmt::Display for IssueHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|h| {
                vec![
                    crate::time::format(h.at),
                    h.actor.clone(),
                    h.action.to_string(),
                    h.detail.clone(),
                ]
            })
            .collect();
        // On a terminal, the detail gives way to the page width.
        f.write_str(&crate::layout::fit(
            &["AT", "WHO", "WHAT", "DETAIL"],
            &rows,
            crate::layout::page(f, 0),
            &[3],
        ))
    }
}
