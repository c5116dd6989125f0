//! Ingest: read messages, parse and classify them, store them and correlate
//! them into issues, a batch at a time.
//!
//! Each batch is one write transaction, so a run killed at any instant
//! leaves whole batches behind and the rerun, which finds the same bytes
//! stored, ends with exactly the database a clean run gives. Parsing happens
//! before the transaction opens, to hold the write lock only for the writes.
//!
//! Every message read is accounted for, once: stored new; stored as another
//! copy (a known Message-ID with other bytes, such as a cross-post through a
//! second list: a timeline row of its own, its CVEs correlated like any
//! message's); an identical duplicate (counted, not stored); or refused with
//! a reason (an empty file; a message the database would not take). A
//! batch the database refuses is written again with a savepoint per
//! message ([`store_batch`]), so a database error on one fails that one
//! only: it is named, not stored, and retried by the next run, which exits
//! 1 again until it is stored. Bad mail is stored with its
//! problems and never stops a run; a message larger than
//! `max_message_bytes` is stored cut at the limit with the problem
//! `truncated`; unreadable files are reported and make the run fail at the
//! end.

use super::source::{Incoming, maildir, mbox};
use super::{Classified, ParseProblem, Parsed, classify, parse};
use crate::config::Config;
use crate::store::messages::{FirstCopy, NewMessage, copy_key};
use crate::store::{self, Store, Tx};
use crate::time::Instant;
use crate::triage::correlate::{Decision, JoinedBy, Known, correlate};
use crate::triage::{HistoryAction, IssueId, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

/// Who ingest says it is in issue history (defined beside the correlation
/// rule that tells ingest's rows from people's).
pub const ACTOR: &str = crate::triage::correlate::INGEST_ACTOR;

/// The problem word a message cut at `max_message_bytes` is stored with.
pub const TRUNCATED: &str = "truncated";

/// A batch closes at this many messages…
const BATCH_MESSAGES: usize = 500;
/// …or at this many bytes, whichever comes first, to keep memory flat.
const BATCH_BYTES: usize = 64 << 20;

/// A local place to read mail from.
#[derive(Debug, Clone)]
pub enum Local {
    /// A Maildir or a tree of them (`--maildir`).
    Maildir(PathBuf),
    /// A folder of message files, one message each (`--eml`); a Maildir
    /// inside it is read as a Maildir.
    Files(PathBuf),
    /// An mbox file.
    Mbox(PathBuf),
}

/// How a run reads and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The most bytes kept of one message (`max_message_bytes`).
    pub max_message_bytes: u64,
    /// Name every duplicate and copy in the log, not only refusals.
    pub verbose: bool,
}

impl Options {
    /// The configured limit; `verbose` from `-v`.
    pub fn new(config: &Config, verbose: bool) -> Options {
        Options {
            max_message_bytes: config.max_message_bytes,
            verbose,
        }
    }
}

/// Why a message read was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refused {
    /// An empty file: not a message.
    Empty,
    /// The database refused it (named in [`Summary::errors`]); the next run
    /// tries again.
    NotStored,
}

impl Refused {
    /// The words the summary line uses.
    pub fn as_str(&self) -> &'static str {
        match self {
            Refused::Empty => "empty",
            Refused::NotStored => "not stored",
        }
    }
}

/// What a run did; printed as the one summary line. Every message read is
/// counted once: `seen = new + copies + duplicates + refused + signal
/// replies`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Messages read.
    pub seen: u64,
    /// Messages stored for the first time.
    pub new: u64,
    /// Messages stored as another copy of a known Message-ID (other bytes).
    pub copies: u64,
    /// Messages whose exact bytes were stored already: counted, not stored.
    pub duplicates: u64,
    /// Messages not stored, by reason.
    pub refused: BTreeMap<Refused, u64>,
    /// Replies to Bat-Signal pages, taken by the [`Intercept`] and not
    /// stored (valid or not).
    pub signal_replies: u64,
    /// Of those, the ones whose token was refused (forged, altered, of
    /// another signal, after the resolution, or the role acked already).
    pub signal_refused: u64,
    /// Stored messages (new or copies) that are unreadable.
    pub unparsable: u64,
    /// Stored messages cut at `max_message_bytes`.
    pub truncated: u64,
    /// Issues opened by this run.
    pub opened: u64,
    /// Existing issues that got new messages.
    pub updated: u64,
    /// Files, mailboxes or messages that could not be read or stored, one
    /// line each; they make the run fail (exit 1) after everything else was
    /// stored.
    pub errors: Vec<String>,
    /// Things worth a log line that do not fail the run (an empty file, a
    /// cut message, a symlink loop).
    pub notices: Vec<String>,
    /// Issues whose severity a source's hint raised in this run, by id:
    /// the severity before the run and after it.
    pub raised: Vec<Raised>,
}

impl Summary {
    /// Messages not stored, whatever the reason.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    fn refuse(&mut self, why: Refused) {
        *self.refused.entry(why).or_default() += 1;
    }
}

/// An issue whose severity a source's hint raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raised {
    /// The issue.
    pub issue: IssueId,
    /// Its severity before (`None`: it had none).
    pub from: Option<Severity>,
    /// Its severity after.
    pub to: Severity,
}

/// `ingest: 9 seen, 5 new, 1 copies, 2 duplicates, 1 refused (1 empty),
/// 0 unparsable, 3 issues opened, 1 issues updated`, then `, N signal
/// replies (N refused)`, `, N truncated` and `, N failed` when there are
/// any.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ingest: {} seen, {} new, {} copies, {} duplicates, {} refused",
            self.seen,
            self.new,
            self.copies,
            self.duplicates,
            self.refused_total()
        )?;
        if !self.refused.is_empty() {
            let why: Vec<String> = self
                .refused
                .iter()
                .map(|(why, n)| format!("{n} {}", why.as_str()))
                .collect();
            write!(f, " ({})", why.join(", "))?;
        }
        write!(
            f,
            ", {} unparsable, {} issues opened, {} issues updated",
            self.unparsable, self.opened, self.updated
        )?;
        if self.signal_replies > 0 {
            write!(f, ", {} signal replies", self.signal_replies)?;
            if self.signal_refused > 0 {
                write!(f, " ({} refused)", self.signal_refused)?;
            }
        }
        if self.truncated > 0 {
            write!(f, ", {} truncated", self.truncated)?;
        }
        if !self.errors.is_empty() {
            write!(f, ", {} failed", self.errors.len())?;
        }
        Ok(())
    }
}

/// Counts that span batches: which issues this run opened, updated or
/// raised the severity of.
#[derive(Debug, Default)]
struct Tally {
    opened: BTreeSet<IssueId>,
    updated: BTreeSet<IssueId>,
    raised: BTreeMap<IssueId, (Option<Severity>, Severity)>,
}

impl Tally {
    /// Adds the issue counts and severity changes to a summary.
    fn finish(&self, summary: &mut Summary) {
        summary.opened = self.opened.len() as u64;
        summary.updated = self.updated.difference(&self.opened).count() as u64;
        summary.raised = self
            .raised
            .iter()
            .map(|(issue, (from, to))| Raised {
                issue: *issue,
                from: *from,
                to: *to,
            })
            .collect();
    }

    /// Takes in what one stored message changed.
    fn add(&mut self, delta: Delta) {
        self.opened.extend(delta.opened);
        self.updated.extend(delta.updated);
        if let Some((issue, from, to)) = delta.raised {
            self.raised
                .entry(issue)
                .and_modify(|r| r.1 = to)
                .or_insert((from, to));
        }
        for child in delta.absorbed {
            self.opened.remove(&child);
            self.updated.remove(&child);
            self.raised.remove(&child);
        }
    }
}

/// What storing one message changed in the run's counts, taken in only once
/// its transaction (or savepoint) holds it: a failed message changes nothing.
#[derive(Debug, Default)]
struct Delta {
    opened: Option<IssueId>,
    updated: Option<IssueId>,
    raised: Option<(IssueId, Option<Severity>, Severity)>,
    absorbed: Vec<IssueId>,
    /// What the [`Intercept`] said of the message, logged once it holds.
    said: Option<String>,
}

/// What takes a message out of correlation before it is stored: a reply to
/// a Bat-Signal page (`job::ingest` implements it over
/// `app::signal::reply`, which this module may not import). Called inside
/// the message's transaction (and savepoint), so what it writes commits or
/// rolls back with the batch.
pub trait Intercept {
    /// `None` for ordinary mail; otherwise what became of the message,
    /// which is then not stored. An error is one that lost the transaction.
    fn intercept(
        &mut self,
        tx: &Tx<'_>,
        raw: &[u8],
        parsed: &Parsed,
        now: Instant,
    ) -> Result<Option<Intercepted>, store::Error>;
}

/// What an [`Intercept`] did with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intercepted {
    /// Taken: recorded (`refused` false) or refused with a log line and,
    /// where it names one, a history row on the signal's issue.
    Taken {
        /// The log line (no private contact in it).
        line: String,
        /// Whether the reply's token was refused.
        refused: bool,
    },
    /// It could not be handled now (the token key unreadable): the message
    /// fails like one the database refused, and the next run retries it.
    Failed(String),
}

/// One ingest run: its options, its log and its counts. Sources feed it
/// messages ([`store_one`]); [`Run::finish`] gives the summary.
pub struct Run<'a> {
    now: Instant,
    options: Options,
    log: &'a mut dyn FnMut(&str),
    summary: Summary,
    tally: Tally,
    intercept: Option<&'a mut dyn Intercept>,
}

impl<'a> Run<'a> {
    /// A run at `now`, logging to `log` (stderr, for the binary).
    pub fn new(now: Instant, options: Options, log: &'a mut dyn FnMut(&str)) -> Run<'a> {
        Run {
            now,
            options,
            log,
            summary: Summary::default(),
            tally: Tally::default(),
            intercept: None,
        }
    }

    /// The same run, offering every message to `intercept` first.
    pub fn with_intercept(mut self, intercept: &'a mut dyn Intercept) -> Run<'a> {
        self.intercept = Some(intercept);
        self
    }

    /// The run's options.
    pub fn options(&self) -> Options {
        self.options
    }

    /// The run's instant.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Logs a line now, whatever the options.
    pub fn log(&mut self, line: &str) {
        (self.log)(line);
    }

    /// Logs a line naming one input, with `-v` only.
    fn name(&mut self, line: impl FnOnce() -> String) {
        if self.options.verbose {
            (self.log)(&line());
        }
    }

    /// Records a failure that makes the run exit 1.
    pub fn fail(&mut self, line: String) {
        self.summary.errors.push(line);
    }

    /// Records a notice, logged at the end.
    pub fn notice(&mut self, line: String) {
        self.summary.notices.push(line);
    }

    /// Whether anything was stored, so the planner statistics may be stale.
    pub fn stored_any(&self) -> bool {
        self.summary.new + self.summary.copies > 0
    }

    /// The summary, with the issue counts.
    pub fn finish(mut self) -> Summary {
        self.tally.finish(&mut self.summary);
        self.summary
    }
}

/// One message ready to store: read, parsed and classified.
pub struct Prepared {
    incoming: Incoming,
    parsed: Parsed,
    classified: Classified,
}

impl Prepared {
    /// Where it came from, for people.
    pub fn origin(&self) -> &str {
        &self.incoming.origin
    }
}

/// Parses and classifies one message (pure work, outside any transaction).
pub fn prepare(incoming: Incoming) -> Prepared {
    let parsed = parse(&incoming.raw);
    let classified = classify(&parsed, incoming.hint);
    Prepared {
        incoming,
        parsed,
        classified,
    }
}

/// Reads every local source, storing as it goes. Errors from the database
/// that lose a batch stop the run (the next run resumes); unreadable files
/// and messages the database refused are collected in [`Summary::errors`].
pub fn ingest_local(
    store: &mut Store,
    sources: &[Local],
    run: &mut Run<'_>,
) -> Result<(), store::Error> {
    let mut batch = Batch::default();
    let limit = run.options.max_message_bytes;
    for source in sources {
        match source {
            Local::Maildir(dir) | Local::Files(dir) => {
                if !dir.is_dir() {
                    run.fail(format!("{}: not a directory", dir.display()));
                    continue;
                }
                let walk = maildir::files(dir);
                for e in &walk.errors {
                    run.fail(e.to_string());
                }
                for n in walk.notices {
                    run.notice(n);
                }
                if walk.maildirs == 0 {
                    if walk.files.is_empty() {
                        if walk.errors.is_empty() {
                            run.fail(format!(
                                "{}: not a Maildir (no cur/ or new/ in it or below) and no files to read as messages",
                                dir.display()
                            ));
                        }
                        continue;
                    }
                    let n = walk.files.len();
                    run.name(|| {
                        format!(
                            "{}: no Maildir in it; reading its {n} files as messages",
                            dir.display()
                        )
                    });
                }
                for (path, hint) in walk.files.iter() {
                    match maildir::read(&path, hint, limit) {
                        Ok(incoming) => batch.push(store, incoming, run)?,
                        Err(e) => run.fail(e.to_string()),
                    }
                }
            }
            Local::Mbox(path) => match mbox::open(path, limit) {
                Ok(messages) => {
                    for m in messages {
                        match m {
                            Ok(incoming) => batch.push(store, incoming, run)?,
                            Err(e) => run.fail(e.to_string()),
                        }
                    }
                }
                Err(e) => run.fail(e.to_string()),
            },
        }
    }
    batch.flush(store, run)?;
    if run.stored_any() {
        store.optimize()?;
    }
    Ok(())
}

#[derive(Default)]
struct Batch {
    items: Vec<Prepared>,
    bytes: usize,
}

impl Batch {
    fn push(
        &mut self,
        store: &mut Store,
        incoming: Incoming,
        run: &mut Run<'_>,
    ) -> Result<(), store::Error> {
        self.bytes += incoming.raw.len();
        self.items.push(prepare(incoming));
        if self.items.len() >= BATCH_MESSAGES || self.bytes >= BATCH_BYTES {
            self.flush(store, run)?;
        }
        Ok(())
    }

    fn flush(&mut self, store: &mut Store, run: &mut Run<'_>) -> Result<(), store::Error> {
        if self.items.is_empty() {
            return Ok(());
        }
        let items = std::mem::take(&mut self.items);
        self.bytes = 0;
        store_batch(store, &items, run, &mut |_, _| Ok(()))?;
        Ok(())
    }
}

/// What [`store_batch`] does last, in the batch's transaction, with what
/// each message became.
pub type Finish<'a> = dyn FnMut(&Tx<'_>, &[Outcome]) -> Result<(), store::Error> + 'a;

/// Stores a batch of prepared messages in one write transaction, then
/// calls `finish` in that transaction with what each message became (IMAP
/// moves its cursor there).
///
/// Nearly every batch stores whole: it is tried as one transaction and
/// counted once it committed. Only when the database refuses something is
/// the batch stored again with a savepoint per message ([`store_one`]), so
/// that one bad message fails alone ([`Outcome::Failed`]) and the rest is
/// kept; savepoints cost about a seventh of ingest's time, too much to pay
/// on every batch.
pub fn store_batch(
    store: &mut Store,
    items: &[Prepared],
    run: &mut Run<'_>,
    finish: &mut Finish<'_>,
) -> Result<Vec<Outcome>, store::Error> {
    let now = run.now;
    let tally = &run.tally;
    let intercept = &mut run.intercept;
    let whole = store.write(|tx| {
        let mut batch_opened = BTreeSet::new();
        let mut done = Vec::with_capacity(items.len());
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            if item.parsed.problems.contains(&ParseProblem::Empty) {
                done.push(None);
                outcomes.push(Outcome::Empty);
                continue;
            }
            let opened = |i: IssueId| tally.opened.contains(&i) || batch_opened.contains(&i);
            let (outcome, delta) = store_in(tx, item, now, &opened, intercept.as_deref_mut())?;
            batch_opened.extend(delta.opened);
            outcomes.push(outcome.clone());
            done.push(Some((outcome, delta)));
        }
        finish(tx, &outcomes)?;
        Ok::<_, store::Error>((done, outcomes))
    });
    match whole {
        Ok((done, outcomes)) => {
            for (item, stored) in items.iter().zip(done) {
                run.summary.seen += 1;
                match stored {
                    None => refuse_empty(item, run),
                    Some((outcome, delta)) => account(run, item, outcome, delta),
                };
            }
            Ok(outcomes)
        }
        Err(_) => store.write(|tx| {
            let mut outcomes = Vec::with_capacity(items.len());
            for item in items {
                outcomes.push(store_one(tx, item, run)?);
            }
            finish(tx, &outcomes)?;
            Ok::<_, store::Error>(outcomes)
        }),
    }
}

/// What storing one message did, for callers that act on single messages
/// (the Bat-Signal needs to know an issue just became critical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An empty file: not a message, not stored.
    Empty,
    /// Its exact bytes were stored already, as this copy of its Message-ID.
    Duplicate {
        /// The stored copy with the same bytes.
        copy: i64,
    },
    /// The database refused it; named in the summary, retried next run.
    Failed,
    /// A reply to a Bat-Signal page, taken by the [`Intercept`]: not
    /// stored, counted in [`Summary::signal_replies`].
    SignalReply {
        /// Whether its token was refused.
        refused: bool,
    },
    /// Stored into `issue`.
    Stored {
        /// The issue it joined or opened.
        issue: IssueId,
        /// Whether it opened that issue.
        opened: bool,
        /// The issue's severity before and after, when its hint raised it.
        raised: Option<(Option<Severity>, Severity)>,
        /// Which copy of its Message-ID it is: 1 for the first.
        copy: i64,
    },
}

/// Stores one prepared message and correlates it, inside the caller's
/// transaction and under a savepoint of its own, and counts it. The error is
/// one that lost the transaction; a message the database refused is
/// [`Outcome::Failed`], named in the summary, and the transaction goes on.
pub fn store_one(tx: &Tx<'_>, item: &Prepared, run: &mut Run<'_>) -> Result<Outcome, store::Error> {
    run.summary.seen += 1;
    let origin = &item.incoming.origin;
    if item.parsed.problems.contains(&ParseProblem::Empty) {
        // Nothing to store: an empty file is not a message. Report it.
        return Ok(refuse_empty(item, run));
    }
    let now = run.now;
    let tally = &run.tally;
    let intercept = &mut run.intercept;
    let opened = |i: IssueId| tally.opened.contains(&i);
    match tx.one_message(|tx| store_in(tx, item, now, &opened, intercept.as_deref_mut()))? {
        Ok((outcome, delta)) => Ok(account(run, item, outcome, delta)),
        Err(e) => {
            run.summary.refuse(Refused::NotStored);
            run.fail(format!("{origin}: not stored, tried again next run: {e}"));
            Ok(Outcome::Failed)
        }
    }
}

/// An empty file: counted as refused, named, not stored.
fn refuse_empty(item: &Prepared, run: &mut Run<'_>) -> Outcome {
    run.summary.refuse(Refused::Empty);
    run.notice(format!(
        "{}: empty message, not stored",
        item.incoming.origin
    ));
    Outcome::Empty
}

/// Counts and names what storing one message did, once its transaction
/// holds it.
fn account(run: &mut Run<'_>, item: &Prepared, outcome: Outcome, mut delta: Delta) -> Outcome {
    let origin = &item.incoming.origin;
    let limit = run.options.max_message_bytes;
    let said = delta.said.take();
    run.tally.add(delta);
    let id = &item.parsed.message_id;
    match &outcome {
        Outcome::SignalReply { refused } => {
            run.summary.signal_replies += 1;
            if *refused {
                run.summary.signal_refused += 1;
            }
            if let Some(line) = said {
                run.log(&format!("{origin}: {line}"));
            }
        }
        Outcome::Failed => {
            if let Some(line) = said {
                run.summary.refuse(Refused::NotStored);
                run.fail(format!("{origin}: {line}"));
            }
        }
        Outcome::Duplicate { copy } => {
            run.summary.duplicates += 1;
            run.name(|| format!("{origin}: duplicate of stored copy {copy} of <{id}>, not stored"));
        }
        Outcome::Stored { issue, copy, .. } => {
            if *copy == 1 {
                run.summary.new += 1;
            } else {
                run.summary.copies += 1;
                let source = item.classified.source;
                run.name(|| {
                    format!("{origin}: copy {copy} of <{id}> ({source}), stored in #{issue}")
                });
            }
            if item.parsed.is_unparsable() {
                run.summary.unparsable += 1;
            }
            if let Some(size) = item.incoming.cut {
                run.summary.truncated += 1;
                run.notice(format!(
                    "{origin}: {size} bytes, more than max_message_bytes; stored the first {limit} bytes as `{TRUNCATED}`"
                ));
            }
        }
        Outcome::Empty => {}
    }
    outcome
}

/// Stores one message (not empty) inside the savepoint: a duplicate is only
/// located, a copy joins the issue of its first copy, anything else is
/// correlated.
fn store_in(
    tx: &Tx<'_>,
    item: &Prepared,
    now: Instant,
    opened: &dyn Fn(IssueId) -> bool,
    intercept: Option<&mut (dyn Intercept + '_)>,
) -> Result<(Outcome, Delta), store::Error> {
    let p = &item.parsed;
    let mut delta = Delta::default();
    if let Some(hook) = intercept
        && let Some(taken) = hook.intercept(tx, &item.incoming.raw, p, now)?
    {
        let outcome = match taken {
            Intercepted::Taken { line, refused } => {
                delta.said = Some(line);
                Outcome::SignalReply { refused }
            }
            Intercepted::Failed(line) => {
                delta.said = Some(line);
                Outcome::Failed
            }
        };
        return Ok((outcome, delta));
    }
    let first = tx.first_copy(&p.message_id)?;
    if let Some(first) = first
        && let Some(copy) = tx.copy_with_bytes(first.row, &item.incoming.raw)?
    {
        // Its server location is still recorded, on the stored copy with
        // these bytes, so mirroring finds this copy too.
        if let Some(loc) = &item.incoming.location {
            let key = match copy {
                1 => p.message_id.clone(),
                n => copy_key(&p.message_id, n),
            };
            tx.add_location(&key, loc)?;
        }
        return Ok((Outcome::Duplicate { copy }, delta));
    }
    let decision = correlate(&known(tx, &item.parsed, &item.classified)?);
    let decision = match first {
        Some(FirstCopy {
            issue: Some(issue), ..
        }) => as_copy(decision, issue),
        _ => decision,
    };
    let (issue, is_new) = target(tx, item, decision.issue, now, &mut delta)?;
    let copy = first.map_or(1, |f| f.copies + 1);
    write_message(
        tx,
        item,
        issue,
        now,
        first.map(|f| (f.row, copy)),
        decision.joined_by,
    )?;
    let raised = apply(tx, item, issue, &decision, now, opened, &mut delta)?;
    let outcome = Outcome::Stored {
        issue,
        opened: is_new,
        raised,
        copy,
    };
    Ok((outcome, delta))
}

/// Where a further copy of a message goes: the issue its first copy is in,
/// whatever its own CVEs point at. CVEs no issue holds join that issue;
/// other issues its CVEs or thread point at become related. Replies that
/// arrived early were folded in when the first copy came. Pure.
fn as_copy(decision: Decision, first_issue: IssueId) -> Decision {
    let mut related: BTreeSet<IssueId> = decision.related.iter().copied().collect();
    related.extend(decision.issue);
    related.remove(&first_issue);
    Decision {
        issue: Some(first_issue),
        joined_by: JoinedBy::Copy,
        related: related.into_iter().collect(),
        absorb: Vec::new(),
        ..decision
    }
}

/// What the store knows about the message's CVEs, advisory ids and
/// thread, for [`correlate`]: the CVEs it is about apart from those it only
/// cites, and which of them its subject names (found by classifying the
/// subject alone, so that it spells ids as classification does).
fn known(tx: &Tx<'_>, p: &Parsed, c: &Classified) -> Result<Known, store::Error> {
    let mut known = Known::default();
    // A set, not `Vec::contains`: a hostile message may name tens of
    // thousands of CVE ids, and a scan per id made that quadratic (minutes
    // for one 1 MiB mail; found by scripts/fuzz's ingest target).
    let about: BTreeSet<&String> = c.about.iter().collect();
    for cve in &c.about {
        known.cve_issues.push((cve.clone(), tx.issue_of_cve(cve)?));
    }
    for cve in c.cves.iter().filter(|cve| !about.contains(cve)) {
        known
            .cited_issues
            .push((cve.clone(), tx.issue_of_cve(cve)?));
    }
    for id in &c.advisory_ids {
        known
            .advisory_issues
            .push((id.clone(), tx.issue_of_advisory(id)?));
    }
    known.subject_cves = c
        .subject_cves
        .iter()
        .filter(|cve| about.contains(cve))
        .cloned()
        .collect();
    // Closest ancestor first: In-Reply-To, then References from the end.
    for r in p.in_reply_to.iter().chain(p.references.iter().rev()) {
        if let Some(issue) = tx.issue_of_message(r)?
            && !known.thread_issues.contains(&issue)
        {
            known.thread_issues.push(issue);
        }
    }
    known.child_issues = tx.issues_replying_to(&p.message_id)?;
    Ok(known)
}

/// The issue the message goes to: the one correlation chose (touched now),
/// or a new one with its `opened` history row. Returns it and whether it
/// is new.
fn target(
    tx: &Tx<'_>,
    item: &Prepared,
    chosen: Option<IssueId>,
    now: Instant,
    delta: &mut Delta,
) -> Result<(IssueId, bool), store::Error> {
    if let Some(issue) = chosen {
        delta.updated = Some(issue);
        tx.touch(issue, now)?;
        return Ok((issue, false));
    }
    let c = &item.classified;
    let issue = tx.create_issue(&c.title, c.severity, now)?;
    delta.opened = Some(issue);
    let detail = format!("{}: {}", c.source, c.title);
    tx.add_history(issue, now, ACTOR, HistoryAction::Opened, &detail)?;
    Ok((issue, true))
}

/// Stores the message itself in `issue`, with its CVEs, references and
/// server location; `copy` is the first copy's row and this copy's number
/// for a further copy of a known Message-ID; `joined_by` says why it is in
/// `issue`.
fn write_message(
    tx: &Tx<'_>,
    item: &Prepared,
    issue: IssueId,
    now: Instant,
    copy: Option<(i64, i64)>,
    joined_by: JoinedBy,
) -> Result<(), store::Error> {
    let p = &item.parsed;
    let c = &item.classified;
    let refs: Vec<String> = p
        .in_reply_to
        .iter()
        .chain(p.references.iter())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut problems: Vec<&str> = p.problems.iter().map(ParseProblem::as_str).collect();
    if item.incoming.cut.is_some() {
        problems.push(TRUNCATED);
    }
    let key = match copy {
        Some((_, n)) => copy_key(&p.message_id, n),
        None => p.message_id.clone(),
    };
    tx.insert_message(&NewMessage {
        message_id: &key,
        copy_of: copy.map(|(row, _)| row),
        copy: copy.map_or(1, |(_, n)| n),
        issue_id: issue,
        source: c.source,
        advisory_id: c.advisory_id.as_deref(),
        subject: &super::parse::shorten(&p.subject),
        sender: &p.from,
        date: p.date,
        received_at: now,
        is_reply: c.is_reply,
        severity_hint: c.severity,
        problems: &problems.join(" "),
        origin: &item.incoming.origin,
        raw: &item.incoming.raw,
        text: &p.text,
        cves: &c.cves,
        refs: &refs,
        joined_by,
    })?;
    // On this copy's own row: a cross-post's UID holds the cross-post's
    // bytes, not the first copy's (found by the chaos run, issue 18).
    if let Some(loc) = &item.incoming.location {
        tx.add_location(&key, loc)?;
    }
    Ok(())
}

/// Applies the rest of the decision around `issue`: new CVEs, packages,
/// the severity hint, absorbed and related issues. Returns the severity
/// change, if the hint raised it.
fn apply(
    tx: &Tx<'_>,
    item: &Prepared,
    issue: IssueId,
    decision: &Decision,
    now: Instant,
    opened: &dyn Fn(IssueId) -> bool,
    delta: &mut Delta,
) -> Result<Option<(Option<Severity>, Severity)>, store::Error> {
    let c = &item.classified;
    let taken = tx.attach_cves(issue, &decision.new_cves)?;
    let opened_now = opened(issue) || delta.opened == Some(issue);
    if !taken.is_empty() && !opened_now {
        tx.add_history(
            issue,
            now,
            ACTOR,
            HistoryAction::CvesAdded,
            &taken.join(" "),
        )?;
    }
    tx.attach_advisory_ids(issue, &decision.new_advisory_ids)?;
    tx.add_packages(issue, &c.packages)?;
    let raised = match c.severity {
        Some(hint) => tx.raise_severity_hint(issue, hint)?,
        None => None,
    };
    if let Some((from, to)) = raised {
        delta.raised = Some((issue, from, to));
    }
    for child in &decision.absorb {
        tx.rejoin_by_thread(*child)?;
        tx.merge_issue(*child, issue, now, ACTOR)?;
        delta.absorbed.push(*child);
    }
    for other in &decision.related {
        if tx.relate(issue, *other)? {
            let why = format!("message {} names both", item.parsed.message_id);
            let related = HistoryAction::Related;
            tx.add_history(issue, now, ACTOR, related, &format!("#{other}: {why}"))?;
            tx.add_history(*other, now, ACTOR, related, &format!("#{issue}: {why}"))?;
        }
    }
    Ok(raised)
}

#[cfg(test)]
mod tests {
    //! The wiring between classification, correlation and the store, with
    //! classification's *about* and advisory ids given by hand, so these
    //! tests say what ingest does with them whatever classify decides.

    use super::*;
    use crate::store::issues::IssueFilter;
    use expect_test::{Expect, expect};

    use crate::store::test_support::TempDb;

    /// One constructed message and what classification is taken to say
    /// about it: the CVEs it is about (the rest of its CVEs are cited) and
    /// its advisory ids.
    struct Mail<'a> {
        id: &'a str,
        subject: &'a str,
        in_reply_to: Option<&'a str>,
        body: &'a str,
        about: &'a [&'a str],
        advisories: &'a [&'a str],
    }

    fn mail<'a>(id: &'a str, subject: &'a str, body: &'a str) -> Mail<'a> {
        Mail {
            id,
            subject,
            in_reply_to: None,
            body,
            about: &[],
            advisories: &[],
        }
    }

    fn prepared(m: &Mail<'_>) -> Prepared {
        let mut raw = format!(
            "Message-ID: <{}>\nSubject: {}\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n",
            m.id, m.subject
        );
        if let Some(parent) = m.in_reply_to {
            raw.push_str(&format!("In-Reply-To: <{parent}>\n"));
        }
        raw.push_str(&format!("\n{}\n", m.body));
        let mut p = prepare(Incoming {
            raw: raw.into_bytes(),
            cut: None,
            origin: format!("constructed:{}", m.id),
            hint: None,
            location: None,
        });
        p.classified.about = m.about.iter().map(|c| c.to_string()).collect();
        p.classified.advisory_ids = m.advisories.iter().map(|c| c.to_string()).collect();
        p
    }

    /// Ingests the messages in order, one transaction each, and prints the
    /// summary and every issue: its CVEs, related issues and each message
    /// with why it joined.
    fn check_with(
        name: &str,
        mails: &[Mail<'_>],
        between: impl Fn(&Tx<'_>, usize),
        expect: Expect,
    ) {
        let db = TempDb::new(name);
        let mut store = Store::create(&db.0).expect("create");
        let now = crate::time::parse("2026-11-22T10:00:00Z").expect("a valid instant");
        let mut log = |_: &str| {};
        let options = Options {
            max_message_bytes: 64 << 20,
            verbose: false,
        };
        let mut run = Run::new(now, options, &mut log);
        for (i, m) in mails.iter().enumerate() {
            let item = prepared(m);
            store
                .write(|tx| {
                    between(tx, i);
                    store_one(tx, &item, &mut run)
                })
                .expect("store");
        }
        let summary = run.finish();
        let mut out = format!("{summary}\n");
        store
            .read(|r| {
                for s in r.issues(&IssueFilter::default())? {
                    let Some(d) = r.issue_detail(s.id)? else {
                        continue;
                    };
                    out.push_str(&format!(
                        "#{} cves={:?} related={:?}\n",
                        s.id, s.cves, d.related
                    ));
                    for m in &d.messages {
                        let why = m.joined_by.map_or("-", |j| j.as_str());
                        out.push_str(&format!("  {} {why}\n", m.message_id));
                    }
                }
                Ok::<_, store::Error>(())
            })
            .expect("read");
        expect.assert_eq(&out);
    }

    fn check(name: &str, mails: &[Mail<'_>], expect: Expect) {
        check_with(name, mails, |_, _| {}, expect)
    }

    #[test]
    fn new_thread_only_citing_a_known_cve_opens_its_own_issue_related_to_it() {
        check(
            "citing",
            &[
                Mail {
                    about: &["CVE-2031-1000"],
                    ..mail("old@x", "CVE-2031-1000: foo crash", "CVE-2031-1000")
                },
                mail(
                    "new@x",
                    "foo: another crash",
                    "The fix for CVE-2031-1000 introduced a new crash.",
                ),
            ],
            expect![[r#"
                ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 2 issues opened, 0 issues updated
                #1 cves=["CVE-2031-1000"] related=[2]
                  old@x opened
                #2 cves=[] related=[1]
                  new@x opened-citing
            "#]],
        );
    }

    #[test]
    fn post_naming_a_known_cve_in_its_subject_joins_by_cve_in_subject() {
        check(
            "subject",
            &[
                Mail {
                    about: &["CVE-2031-1000"],
                    ..mail("body@x", "foo: crash on load", "Fixed: CVE-2031-1000.")
                },
                Mail {
                    about: &["CVE-2031-1000"],
                    ..mail("subject@x", "[FD] foo: crash (cve-2031-1000)", "See above.")
                },
                Mail {
                    about: &["CVE-2031-1000"],
                    ..mail("again@x", "foo: crash, more details", "CVE-2031-1000")
                },
            ],
            expect![[r#"
                ingest: 3 seen, 3 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated
                #1 cves=["CVE-2031-1000"] related=[]
                  body@x opened
                  subject@x cve-in-subject
                  again@x cve
            "#]],
        );
    }

    #[test]
    fn a_cited_cve_nobody_holds_stays_off_the_new_issue() {
        check(
            "cited-unknown",
            &[mail("new@x", "bar: a crash", "Similar to CVE-2012-0042.")],
            expect![[r#"
                ingest: 1 seen, 1 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated
                #1 cves=[] related=[]
                  new@x opened
            "#]],
        );
    }

    #[test]
    fn advisory_revisions_with_and_without_a_cve_end_in_one_issue_in_either_order() {
        let v2 = Mail {
            advisories: &["XSA-901"],
            ..mail("v2@x", "Xen Security Advisory 901 v2 - foo", "No CVE yet.")
        };
        let v3 = Mail {
            about: &["CVE-2031-2000"],
            advisories: &["XSA-901"],
            ..mail(
                "v3@x",
                "Xen Security Advisory 901 v3 - foo",
                "CVE-2031-2000",
            )
        };
        let out = expect![[r#"
            ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated
            #1 cves=["CVE-2031-2000"] related=[]
              v2@x opened
              v3@x advisory-id
        "#]];
        check("revisions", &[v2, v3], out);
        let v2 = Mail {
            advisories: &["XSA-901"],
            ..mail("v2@x", "Xen Security Advisory 901 v2 - foo", "No CVE yet.")
        };
        let v3 = Mail {
            about: &["CVE-2031-2000"],
            advisories: &["XSA-901"],
            ..mail(
                "v3@x",
                "Xen Security Advisory 901 v3 - foo",
                "CVE-2031-2000",
            )
        };
        check(
            "revisions-reversed",
            &[v3, v2],
            expect![[r#"
                ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated
                #1 cves=["CVE-2031-2000"] related=[]
                  v3@x opened
                  v2@x advisory-id
            "#]],
        );
    }

    #[test]
    fn reply_citing_another_issue_joins_its_thread_and_relates_them() {
        check(
            "reply-citing",
            &[
                Mail {
                    about: &["CVE-2031-0001"],
                    ..mail("a@x", "foo overflow", "CVE-2031-0001")
                },
                Mail {
                    about: &["CVE-2031-0009"],
                    ..mail("b@x", "bar overflow", "CVE-2031-0009")
                },
                Mail {
                    in_reply_to: Some("a@x"),
                    ..mail("c@x", "Re: foo overflow", "Like CVE-2031-0009.")
                },
            ],
            expect![[r#"
                ingest: 3 seen, 3 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 2 issues opened, 0 issues updated
                #1 cves=["CVE-2031-0001"] related=[2]
                  a@x opened
                  c@x thread
                #2 cves=["CVE-2031-0009"] related=[1]
                  b@x opened
            "#]],
        );
    }

    #[test]
    fn parent_arriving_after_its_reply_joins_the_reply_issue_by_thread() {
        check(
            "reply-first",
            &[
                Mail {
                    in_reply_to: Some("a@x"),
                    ..mail("r@x", "Re: foo overflow", "Thanks.")
                },
                Mail {
                    about: &["CVE-2031-0001"],
                    ..mail("a@x", "foo overflow", "CVE-2031-0001")
                },
            ],
            expect![[r#"
                ingest: 2 seen, 2 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated
                #1 cves=["CVE-2031-0001"] related=[]
                  r@x opened
                  a@x thread
            "#]],
        );
    }

    #[test]
    fn reply_folded_into_its_parent_issue_is_there_by_thread() {
        check(
            "reply-absorbed",
            &[
                Mail {
                    about: &["CVE-2031-0001"],
                    ..mail("a@x", "CVE-2031-0001: foo overflow", "CVE-2031-0001")
                },
                Mail {
                    in_reply_to: Some("b@x"),
                    ..mail("r@x", "Re: foo overflow, again", "Thanks.")
                },
                Mail {
                    about: &["CVE-2031-0001"],
                    ..mail("b@x", "foo overflow, again", "CVE-2031-0001")
                },
            ],
            expect![[r#"
                ingest: 3 seen, 3 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 1 issues opened, 0 issues updated
                #1 cves=["CVE-2031-0001"] related=[]
                  a@x opened
                  r@x thread
                  b@x cve
            "#]],
        );
    }

    #[test]
    fn advisory_id_of_a_merged_issue_leads_to_the_survivor() {
        let now = crate::time::parse("2026-11-22T10:00:00Z").expect("a valid instant");
        check_with(
            "merged-advisory",
            &[
                Mail {
                    about: &["CVE-2031-0001"],
                    ..mail("a@x", "foo overflow", "CVE-2031-0001")
                },
                Mail {
                    advisories: &["DSA-9901-1"],
                    ..mail("d@x", "[DSA 9901-1] foo security update", "Fixed.")
                },
                Mail {
                    advisories: &["DSA-9901-1"],
                    ..mail("d2@x", "[DSA 9901-1] foo security update", "Re-sent.")
                },
            ],
            // A person merges the advisory's issue into the first before
            // the re-post arrives.
            |tx, i| {
                if i == 2 {
                    tx.merge_issue(2, 1, now, "alice").expect("merge");
                }
            },
            expect![[r#"
                ingest: 3 seen, 3 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 2 issues opened, 0 issues updated
                #1 cves=["CVE-2031-0001"] related=[]
                  a@x opened
                  d@x opened
                  d2@x advisory-id
            "#]],
        );
    }

    mod accounting {
        use super::*;

        /// A summary as its line, from the counts given.
        fn check(summary: Summary, expect: expect_test::Expect) {
            expect.assert_eq(&summary.to_string());
        }

        #[test]
        fn summary_line_adds_up_and_names_refusal_reasons() {
            let mut s = Summary {
                seen: 9,
                new: 5,
                copies: 1,
                duplicates: 1,
                unparsable: 1,
                opened: 3,
                updated: 1,
                ..Summary::default()
            };
            s.refuse(Refused::Empty);
            s.refuse(Refused::NotStored);
            s.errors.push("x: not stored".into());
            s.truncated = 1;
            check(
                s,
                expect_test::expect![
                    "ingest: 9 seen, 5 new, 1 copies, 1 duplicates, 2 refused (1 empty, 1 not stored), 1 unparsable, 3 issues opened, 1 issues updated, 1 truncated, 1 failed"
                ],
            );
            check(
                Summary {
                    seen: 3,
                    signal_replies: 3,
                    signal_refused: 1,
                    ..Summary::default()
                },
                expect_test::expect![
                    "ingest: 3 seen, 0 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated, 3 signal replies (1 refused)"
                ],
            );
            check(
                Summary::default(),
                expect_test::expect![
                    "ingest: 0 seen, 0 new, 0 copies, 0 duplicates, 0 refused, 0 unparsable, 0 issues opened, 0 issues updated"
                ],
            );
        }

        #[test]
        fn copy_joins_the_first_copys_issue_and_relates_where_its_cves_point() {
            let decision = Decision {
                issue: Some(7),
                joined_by: JoinedBy::Cve,
                new_cves: vec!["CVE-2024-0002".into()],
                new_advisory_ids: vec![],
                related: vec![3, 4],
                absorb: vec![9],
            };
            let d = as_copy(decision, 3);
            assert_eq!(d.issue, Some(3));
            assert_eq!(d.joined_by, JoinedBy::Copy);
            assert_eq!(d.new_cves, vec!["CVE-2024-0002".to_string()]);
            assert_eq!(d.related, vec![4, 7]);
            assert!(d.absorb.is_empty());
        }
    }
}
