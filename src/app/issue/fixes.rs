//! What fix tracking knows of each release of one issue (`proposals`,
//! `channel`), read for `show` and for `secdesk fix`, and the lines both
//! print about it. Here, under `issue`, so that `show` needs nothing from
//! `app::fix` (which calls `issue::act`).

use crate::config::Config;
use crate::fix::{self, Channel, Proposal};
use crate::store::{self, Reader};
use crate::time::Instant;
use crate::triage::IssueId;
use serde::Serialize;
use std::collections::BTreeMap;

/// What fix tracking knows of one release of an issue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReleaseFix {
    /// The commits proposed as its fix, oldest first.
    pub proposals: Vec<Proposal>,
    /// Whether its channel holds the recorded fix commit (`None` when the
    /// fix is not a commit, or the release has no channel).
    pub channel: Option<Channel>,
    /// The recorded fix commit and its committer date, when followed.
    #[serde(skip)]
    pub fixed_by: Option<(String, Option<Instant>)>,
}

/// Per configured release, what fix tracking knows of `issue` (already
/// resolved through merges); every release is present, empty when fix
/// tracking is not configured.
pub fn release_fixes(
    r: &Reader<'_>,
    config: &Config,
    issue: IssueId,
) -> store::Result<BTreeMap<String, ReleaseFix>> {
    let mut out: BTreeMap<String, ReleaseFix> = config
        .releases
        .iter()
        .map(|rel| (rel.clone(), ReleaseFix::default()))
        .collect();
    let Some(fixes) = &config.fixes else {
        return Ok(out);
    };
    let candidates = r.fix_candidates(issue)?;
    let rejected = r.fix_rejections(issue)?;
    let recorded = r.fix_recorded(issue)?;
    for (release, list) in fix::proposals(&fixes.branches, &candidates, &rejected, &recorded) {
        out.entry(release).or_default().proposals = list;
    }
    for row in r.fix_channels(Some(issue))? {
        let entry = out.entry(row.release.clone()).or_default();
        entry.channel = Some(row.channel);
        entry.fixed_by = Some((row.commit, row.committed_at));
    }
    Ok(out)
}

/// The line `show` and `fix list` print about a followed fix: `fixed on
/// release-26.05 by abc123 (2026-11-20), in nixos-26.05 since 2026-11-23`.
pub fn channel_line(branch: Option<&str>, fix: &ReleaseFix) -> Option<String> {
    let (commit, at) = fix.fixed_by.as_ref()?;
    let channel = fix.channel.as_ref()?;
    let mut line = format!(
        "fixed on {} by {}",
        branch.unwrap_or("its branch"),
        fix::short(commit)
    );
    if let Some(at) = at {
        line.push_str(&format!(" ({})", at.format("%Y-%m-%d")));
    }
    match (channel.contains_fix, channel.since) {
        (true, Some(since)) => line.push_str(&format!(
            ", in {} since {}",
            channel.branch,
            since.format("%Y-%m-%d")
        )),
        _ => line.push_str(&format!(", not yet in {}", channel.branch)),
    }
    Some(line)
}

/// One proposal as a line: `proposed: 1a2b3c4d5e6f on release-26.05 (2026-11-20) subject`.
pub fn proposal_line(p: &Proposal) -> String {
    format!(
        "proposed: {} on {} ({}) {}",
        fix::short(&p.commit),
        p.branch,
        p.committed_at.format("%Y-%m-%d"),
        p.subject
    )
}
