//! `secdesk-fix-track`: fetch the package repository (unless `--no-fetch`),
//! walk the release branches from the heads scanned last time (back to
//! `fixes.since` on the first run) with one streaming `git log` over all
//! of them, keep the commits naming a CVE or carrying a cherry-pick
//! trailer in batches of [`BATCH`] per transaction, find each branch's
//! share with one `git rev-list` (no diffs), then follow every release
//! fixed by a commit into its channel branch.
//!
//! A branch whose stored head is no longer an ancestor of its head was
//! force-pushed: the run says so naming the branch, forgets the stored
//! head, scans the other branches, and exits 1; the next run rescans that
//! branch from `since` (writes are idempotent, so no proposal appears
//! twice). A missing repository or branch is an error naming both. The
//! head is stored only after the whole walk, in the transaction of its
//! last batch, so a killed run is finished by the next.

use crate::config::{Config, Fixes};
use crate::fix::{self, Commit};
use crate::git::{self, Repo};
use crate::job::Error;
use crate::store::Store;
use crate::time::Instant;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Commits written per transaction during a walk.
pub const BATCH: usize = 2000;

/// How long one `git fetch` may take before it is stopped (the first
/// blob-less fetch of nixpkgs takes minutes).
pub const FETCH_LIMIT: Duration = Duration::from_secs(30 * 60);

/// One branch's walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanned {
    /// The branch.
    pub branch: String,
    /// Commits walked.
    pub walked: u64,
    /// Commits kept (naming a CVE or cherry-picked).
    pub kept: u64,
    /// Whether it was walked back to `since` (first run, or after a
    /// force-push).
    pub full: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Ran {
    /// Whether the remote was fetched.
    pub fetched: bool,
    /// Each branch walked, in configuration order.
    pub scanned: Vec<Scanned>,
    /// Release fixes whose channel was checked.
    pub followed: usize,
    /// Of those, how many this run first saw in their channel.
    pub arrived: usize,
    /// The errors (a force-pushed or missing branch, a failed fetch): the
    /// run carried on and exits 1.
    pub errors: Vec<String>,
    /// Warnings that change no exit code (a release without a branch).
    pub warnings: Vec<String>,
}

impl Ran {
    /// Whether the run should exit 1.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fix-track: ")?;
        if self.fetched {
            write!(f, "fetched; ")?;
        }
        let walked: u64 = self.scanned.iter().map(|s| s.walked).sum();
        let kept: u64 = self.scanned.iter().map(|s| s.kept).sum();
        write!(
            f,
            "{} branches scanned, {walked} commits walked, {kept} kept; {} fixes followed into their channel, {} arrived",
            self.scanned.len(),
            self.followed,
            self.arrived
        )?;
        if !self.errors.is_empty() {
            write!(f, "; {} errors", self.errors.len())?;
        }
        Ok(())
    }
}

/// Runs one scan. `fetch` is false for `--no-fetch` (tests, and hosts that
/// fetch by other means); without `fixes.remote` nothing is fetched.
pub fn run(
    store: &mut Store,
    config: &Config,
    fixes: &Fixes,
    now: Instant,
    fetch: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Ran, Error> {
    let repo = Repo::new(&fixes.repo);
    let mut ran = Ran::default();
    if let Some(release) = config.release_without_branch() {
        let w = format!("release {release} has no branch in `fixes.branches`: not tracked");
        log(&w);
        ran.warnings.push(w);
    }
    let mut branches: Vec<&str> = Vec::new();
    for b in fixes.branches.values().chain(fixes.channels.values()) {
        if !branches.contains(&b.as_str()) {
            branches.push(b);
        }
    }
    if fetch && let Some(remote) = &fixes.remote {
        match repo.fetch(remote, &branches, FETCH_LIMIT) {
            Ok(()) => {
                ran.fetched = true;
                if let Err(e) = repo.write_commit_graph() {
                    log(&e.to_string());
                }
                log(&format!(
                    "fetched {} branches from {}",
                    branches.len(),
                    git::redact(remote)
                ));
            }
            Err(e) => {
                log(&e.to_string());
                ran.errors.push(e.to_string());
            }
        }
    }
    let mut wanted: Vec<&str> = Vec::new();
    for branch in fixes.branches.values() {
        if !wanted.contains(&branch.as_str()) {
            wanted.push(branch);
        }
    }
    if let Err(e) = scan(store, &repo, &wanted, fixes, now, &mut ran, log) {
        match e {
            Failure::Said(e) => {
                log(&e);
                ran.errors.push(e);
            }
            Failure::Store(e) => return Err(e),
        }
    }
    follow_channels(store, &repo, fixes, now, &mut ran, log)?;
    Ok(ran)
}

enum Failure {
    /// Said in the summary; the run carries on and exits 1.
    Said(String),
    /// The database failed: the run stops.
    Store(Error),
}

impl From<crate::store::Error> for Failure {
    fn from(e: crate::store::Error) -> Failure {
        Failure::Store(e.into())
    }
}

impl From<git::Error> for Failure {
    fn from(e: git::Error) -> Failure {
        Failure::Said(e.to_string())
    }
}

/// One branch to walk: its head, and where the last scan stopped
/// (`None`: from `since`).
struct Planned<'b> {
    branch: &'b str,
    head: String,
    from: Option<String>,
}

/// Scans every branch: decides per branch where to start (a force-push or
/// a missing branch is said and that branch left out), walks the new
/// commits of all of them in ONE `git log` (shared history is diffed
/// once), then finds which branch holds which kept commit with one cheap
/// `git rev-list` per branch, storing its members and head together.
fn scan(
    store: &mut Store,
    repo: &Repo,
    branches: &[&str],
    fixes: &Fixes,
    now: Instant,
    ran: &mut Ran,
    log: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    let mut plan: Vec<Planned<'_>> = Vec::new();
    for &branch in branches {
        if let Err(e) = repo.check(branch) {
            let e = e.to_string();
            log(&e);
            ran.errors.push(e);
            continue;
        }
        let Some(head) = repo.head(branch)? else {
            let e = format!(
                "repository {}: branch {branch} does not exist (is it in `fixes.branches` as the remote names it?)",
                repo.path.display()
            );
            log(&e);
            ran.errors.push(e);
            continue;
        };
        let last = store.read(|r| r.fix_head(branch))?.flatten();
        let from = match last {
            Some(last) if last == head => {
                ran.scanned.push(Scanned {
                    branch: branch.to_string(),
                    walked: 0,
                    kept: 0,
                    full: false,
                });
                continue;
            }
            Some(last) => {
                if repo.is_ancestor(&last, &head)? {
                    Some(last)
                } else {
                    store.write(|tx| tx.set_fix_head(branch, None, now))?;
                    let e = format!(
                        "branch {branch} was force-pushed: {} is no longer an ancestor of {}; it is rescanned from {} on the next run",
                        fix::short(&last),
                        fix::short(&head),
                        fixes.since.format("%Y-%m-%d")
                    );
                    log(&e);
                    ran.errors.push(e);
                    continue;
                }
            }
            None => None,
        };
        plan.push(Planned { branch, head, from });
    }
    if plan.is_empty() {
        return Ok(());
    }
    for p in plan.iter().filter(|p| p.from.is_none()) {
        store.write(|tx| tx.forget_fix_branch(p.branch))?;
    }
    // Commits reachable from a branch's last scanned head were walked
    // then; a branch walked from `since` excludes nothing.
    let heads: Vec<&str> = plan.iter().map(|p| p.head.as_str()).collect();
    let nots: Vec<&str> = if plan.iter().any(|p| p.from.is_none()) {
        Vec::new()
    } else {
        plan.iter().filter_map(|p| p.from.as_deref()).collect()
    };
    let since = fixes.since.timestamp();
    // A walk from `since` is split in two halves of time walked at once
    // (two git processes: the diffs of every commit are the cost); an
    // incremental walk is small and walked whole.
    let mut spans = vec![(since, None)];
    if plan.iter().any(|p| p.from.is_none()) {
        let mut newest = since;
        for p in &plan {
            if let Some((_, at)) = repo.resolve(&p.head)? {
                newest = newest.max(at.timestamp());
            }
        }
        if newest > since + 1 {
            let mid = since + (newest - since) / 2;
            spans = vec![(since, Some(mid - 1)), (mid, None)];
        }
    }
    let mut batch: Vec<Commit> = Vec::with_capacity(BATCH);
    let mut kept = 0u64;
    let mut db_error = None;
    let walked = repo.walk(&heads, &nots, &spans, &mut |c| {
        batch.push(c);
        kept += 1;
        if batch.len() >= BATCH {
            if let Err(e) = store.write(|tx| tx.add_fix_commits(&batch)) {
                db_error = Some(e);
                return Err(git::Error::Failed {
                    repo: repo.path.clone(),
                    doing: "store scanned commits".into(),
                    detail: "the database failed".into(),
                });
            }
            batch.clear();
        }
        Ok(())
    });
    if let Some(e) = db_error {
        return Err(e.into());
    }
    let walked = walked?;
    store.write(|tx| tx.add_fix_commits(&batch))?;
    let known = store.read(|r| r.fix_commit_ids())?;
    for (i, p) in plan.iter().enumerate() {
        let mut members = Vec::new();
        repo.rev_list(&p.head, p.from.as_deref(), since, &mut |id| {
            if known.contains(id) {
                members.push(id.to_string());
            }
            Ok(())
        })?;
        store.write(|tx| {
            tx.add_fix_members(p.branch, &members)?;
            tx.set_fix_head(p.branch, Some(&p.head), now)
        })?;
        log(&format!(
            "{}: {} kept commits{}, head {}",
            p.branch,
            members.len(),
            if p.from.is_none() {
                " (from since)"
            } else {
                ""
            },
            fix::short(&p.head)
        ));
        ran.scanned.push(Scanned {
            branch: p.branch.to_string(),
            // The one walk is counted once, with the first branch.
            walked: if i == 0 { walked } else { 0 },
            kept: if i == 0 { kept } else { 0 },
            full: p.from.is_none(),
        });
    }
    Ok(())
}

/// Checks, for every release recorded `fixed` by a commit whose release has
/// a channel, whether the channel branch contains it; only fixes not yet
/// seen there cost a git call.
fn follow_channels(
    store: &mut Store,
    repo: &Repo,
    fixes: &Fixes,
    now: Instant,
    ran: &mut Ran,
    log: &mut dyn FnMut(&str),
) -> Result<(), Error> {
    if fixes.channels.is_empty() {
        return Ok(());
    }
    let (refs, rows) = store.read(|r| Ok::<_, Error>((r.fixed_refs()?, r.fix_channels(None)?)))?;
    let known: BTreeMap<(crate::triage::IssueId, String), _> = rows
        .into_iter()
        .map(|row| ((row.issue, row.release.clone()), row))
        .collect();
    let mut heads: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut kept = BTreeSet::new();
    for fixed in &refs {
        let Some(channel) = fixes.channels.get(&fixed.release) else {
            continue;
        };
        let Some(reference) = fix::commit_ref(&fixed.reference) else {
            continue;
        };
        let reference = reference.to_ascii_lowercase();
        kept.insert((fixed.issue, fixed.release.clone()));
        let previous = known.get(&(fixed.issue, fixed.release.clone()));
        let same =
            previous.filter(|p| p.commit.starts_with(&reference) && &p.channel.branch == channel);
        if let Some(p) = same
            && p.channel.contains_fix
        {
            ran.followed += 1;
            continue;
        }
        let head = match heads.get(channel.as_str()) {
            Some(h) => h.clone(),
            None => {
                let h = match repo.head(channel) {
                    Ok(h) => h,
                    Err(e) => {
                        ran.errors.push(e.to_string());
                        None
                    }
                };
                if h.is_none() {
                    let e = format!(
                        "repository {}: channel branch {channel} does not exist",
                        repo.path.display()
                    );
                    log(&e);
                    ran.errors.push(e);
                }
                heads.insert(channel, h.clone());
                h
            }
        };
        let Some(head) = head else { continue };
        let (commit, committed_at) = match same {
            Some(p) => (p.commit.clone(), p.committed_at),
            None => match repo.resolve(&reference) {
                Ok(Some((id, at))) => (id, Some(at)),
                Ok(None) => continue,
                Err(e) => {
                    ran.errors.push(e.to_string());
                    continue;
                }
            },
        };
        let contains = match repo.is_ancestor(&commit, &head) {
            Ok(c) => c,
            Err(e) => {
                ran.errors.push(e.to_string());
                continue;
            }
        };
        let state = fix::channel_after(same.map(|p| &p.channel), channel, contains, now);
        if state.contains_fix {
            ran.arrived += 1;
            log(&format!(
                "#{} {}: {} is in {channel}",
                fixed.issue,
                fixed.release,
                fix::short(&commit)
            ));
        }
        ran.followed += 1;
        store.write(|tx| {
            tx.set_fix_channel(
                fixed.issue,
                &fixed.release,
                &commit,
                committed_at,
                &state,
                now,
            )
        })?;
    }
    for key in known.keys().filter(|k| !kept.contains(*k)) {
        store.write(|tx| tx.drop_fix_channel(key.0, &key.1))?;
    }
    Ok(())
}

/// What the daily report's fixes section reads, in the caller's snapshot;
/// `None` when `fixes` is not configured.
pub fn report_input(
    r: &crate::store::Reader<'_>,
    config: &Config,
) -> Result<Option<crate::report::FixesInput>, crate::store::Error> {
    let Some(fixes) = &config.fixes else {
        return Ok(None);
    };
    Ok(Some(crate::report::FixesInput {
        followed: r.fix_channels(None)?,
        dev_fixes: dev_fixes(r, fixes)?,
        backport_after: fixes.backport_after,
    }))
}

/// The issues fixed on the development release's branch, as the
/// backport-gap rule reads them (none when that release has no branch).
fn dev_fixes(
    r: &crate::store::Reader<'_>,
    fixes: &Fixes,
) -> Result<Vec<fix::GapFacts>, crate::store::Error> {
    let Some(branch) = fixes.branches.get(fix::DEVELOPMENT) else {
        return Ok(Vec::new());
    };
    Ok(r.dev_fixes(branch)?
        .into_iter()
        .map(|(d, statuses)| fix::GapFacts {
            issue: d.issue,
            title: d.title,
            fixed_at: d.fixed_at,
            commit: d.commit,
            cve: d.cve,
            statuses,
        })
        .collect())
}

/// The missing backports at `now` (`fix::backport_gaps`), for the on-call
/// member's handoff; empty when `fixes` is not configured.
pub fn backport_gaps(
    r: &crate::store::Reader<'_>,
    config: &Config,
    now: Instant,
) -> Result<Vec<fix::Gap>, crate::store::Error> {
    let Some(fixes) = &config.fixes else {
        return Ok(Vec::new());
    };
    Ok(fix::backport_gaps(
        &dev_fixes(r, fixes)?,
        &config.releases,
        fixes.backport_after,
        now,
    ))
}
