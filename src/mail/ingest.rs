//! Ingest: read messages, parse and classify them, store them and correlate
//! them into issues, a batch at a time.
//!
//! Each batch is one write transaction, so a run killed at any instant
//! leaves whole batches behind and the rerun, skipping stored Message-IDs,
//! ends with exactly the database a clean run gives. Parsing happens before
//! the transaction opens, to hold the write lock only for the writes.
//! Bad mail is stored with its problems and never stops a run; unreadable
//! files are reported and make the run fail at the end.

use super::source::{Incoming, ReadError, maildir, mbox};
use super::{Classified, ParseProblem, Parsed, classify, parse};
use crate::store::{self, Store, Tx, messages::NewMessage};
use crate::time::Instant;
use crate::triage::correlate::{Decision, Known, correlate};
use crate::triage::{HistoryAction, IssueId, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

/// Who ingest says it is in issue history (defined beside the correlation
/// rule that tells ingest's rows from people's).
pub const ACTOR: &str = crate::triage::correlate::INGEST_ACTOR;

/// A batch closes at this many messages…
const BATCH_MESSAGES: usize = 500;
/// …or at this many bytes, whichever comes first, to keep memory flat.
const BATCH_BYTES: usize = 64 << 20;

/// A local place to read mail from.
#[derive(Debug, Clone)]
pub enum Local {
    /// A Maildir, or a tree of them.
    Maildir(PathBuf),
    /// An mbox file.
    Mbox(PathBuf),
}

/// What a run did; printed as the one summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Messages read.
    pub seen: u64,
    /// Messages stored for the first time.
    pub new: u64,
    /// Messages stored although unreadable (or, if empty, only reported).
    pub unparsable: u64,
    /// Issues opened by this run.
    pub opened: u64,
    /// Existing issues that got new messages.
    pub updated: u64,
    /// Files or mailboxes that could not be read, one line each; they make
    /// the run fail (exit 1) after everything else was stored.
    pub errors: Vec<String>,
    /// Things worth a log line that do not fail the run (an empty file).
    pub notices: Vec<String>,
    /// Issues whose severity a source's hint raised in this run, by id:
    /// the severity before the run and after it.
    pub raised: Vec<Raised>,
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

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ingest: {} seen, {} new, {} unparsable, {} issues opened, {} issues updated",
            self.seen, self.new, self.unparsable, self.opened, self.updated
        )?;
        if !self.errors.is_empty() {
            write!(f, ", {} failed", self.errors.len())?;
        }
        Ok(())
    }
}

/// Counts that span batches: which issues this run opened, updated or
/// raised the severity of.
#[derive(Debug, Default)]
pub struct Tally {
    opened: BTreeSet<IssueId>,
    updated: BTreeSet<IssueId>,
    raised: BTreeMap<IssueId, (Option<Severity>, Severity)>,
}

impl Tally {
    /// Adds the issue counts and severity changes to a summary.
    pub fn finish(&self, summary: &mut Summary) {
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

    /// Records a raise; several in one run keep the first `from`.
    fn raise(&mut self, issue: IssueId, from: Option<Severity>, to: Severity) {
        self.raised
            .entry(issue)
            .and_modify(|r| r.1 = to)
            .or_insert((from, to));
    }
}

/// One message ready to store: read, parsed and classified.
pub struct Prepared {
    incoming: Incoming,
    parsed: Parsed,
    classified: Classified,
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
/// stop the run (the next run resumes); unreadable files are collected in
/// [`Summary::errors`].
pub fn ingest_local(
    store: &mut Store,
    sources: &[Local],
    now: Instant,
) -> Result<Summary, store::Error> {
    let mut summary = Summary::default();
    let mut tally = Tally::default();
    let mut batch = Batch::default();
    for source in sources {
        match source {
            Local::Maildir(dir) => {
                if !dir.is_dir() {
                    summary
                        .errors
                        .push(format!("{}: not a directory", dir.display()));
                    continue;
                }
                let (files, errors) = maildir::files(dir);
                summary
                    .errors
                    .extend(errors.iter().map(ReadError::to_string));
                for (path, hint) in files.iter() {
                    match maildir::read(&path, hint) {
                        Ok(incoming) => {
                            batch.push(store, incoming, now, &mut summary, &mut tally)?
                        }
                        Err(e) => summary.errors.push(e.to_string()),
                    }
                }
            }
            Local::Mbox(path) => match mbox::open(path) {
                Ok(messages) => {
                    for m in messages {
                        match m {
                            Ok(incoming) => {
                                batch.push(store, incoming, now, &mut summary, &mut tally)?
                            }
                            Err(e) => summary.errors.push(e.to_string()),
                        }
                    }
                }
                Err(e) => summary.errors.push(e.to_string()),
            },
        }
    }
    batch.flush(store, now, &mut summary, &mut tally)?;
    tally.finish(&mut summary);
    if summary.new > 0 {
        store.optimize()?;
    }
    Ok(summary)
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
        now: Instant,
        summary: &mut Summary,
        tally: &mut Tally,
    ) -> Result<(), store::Error> {
        self.bytes += incoming.raw.len();
        self.items.push(prepare(incoming));
        if self.items.len() >= BATCH_MESSAGES || self.bytes >= BATCH_BYTES {
            self.flush(store, now, summary, tally)?;
        }
        Ok(())
    }

    fn flush(
        &mut self,
        store: &mut Store,
        now: Instant,
        summary: &mut Summary,
        tally: &mut Tally,
    ) -> Result<(), store::Error> {
        if self.items.is_empty() {
            return Ok(());
        }
        let items = std::mem::take(&mut self.items);
        self.bytes = 0;
        store.write(|tx| {
            for item in &items {
                store_one(tx, item, now, summary, tally)?;
            }
            Ok::<_, store::Error>(())
        })
    }
}

/// What storing one message did, for callers that act on single messages
/// (the Bat-Signal needs to know an issue just became critical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An empty file: not a message, not stored.
    Empty,
    /// Its Message-ID was stored already.
    Known,
    /// Stored into `issue`.
    Stored {
        /// The issue it joined or opened.
        issue: IssueId,
        /// Whether it opened that issue.
        opened: bool,
        /// The issue's severity before and after, when its hint raised it.
        raised: Option<(Option<Severity>, Severity)>,
    },
}

/// Stores one prepared message and correlates it, inside the caller's
/// transaction. Already-stored Message-IDs are counted as seen and skipped.
pub fn store_one(
    tx: &Tx<'_>,
    item: &Prepared,
    now: Instant,
    summary: &mut Summary,
    tally: &mut Tally,
) -> Result<Outcome, store::Error> {
    summary.seen += 1;
    if let Some(outcome) = skip_known(tx, item, summary)? {
        return Ok(outcome);
    }
    let decision = correlate(&known(tx, &item.parsed, &item.classified)?);
    let (issue, opened) = target(tx, item, decision.issue, now, tally)?;
    let row = write_message(tx, item, issue, now)?;
    tx.record_joined_by(row, decision.joined_by)?;
    let raised = apply(tx, item, issue, &decision, now, tally)?;
    Ok(Outcome::Stored {
        issue,
        opened,
        raised,
    })
}

/// Counts the message and tells whether it is to be skipped: an empty
/// file, or a Message-ID stored already (whose server location is still
/// recorded, so mirroring finds this copy too).
fn skip_known(
    tx: &Tx<'_>,
    item: &Prepared,
    summary: &mut Summary,
) -> Result<Option<Outcome>, store::Error> {
    let p = &item.parsed;
    if p.problems.contains(&ParseProblem::Empty) {
        // Nothing to store: an empty file is not a message. Report it.
        summary.unparsable += 1;
        summary.notices.push(format!(
            "{}: empty message, not stored",
            item.incoming.origin
        ));
        return Ok(Some(Outcome::Empty));
    }
    if tx.message_exists(&p.message_id)? {
        if let Some(loc) = &item.incoming.location {
            tx.add_location(&p.message_id, loc)?;
        }
        return Ok(Some(Outcome::Known));
    }
    summary.new += 1;
    if p.is_unparsable() {
        summary.unparsable += 1;
    }
    Ok(None)
}

/// What the store knows about the message's CVEs, advisory ids and
/// thread, for [`correlate`]: the CVEs it is about apart from those it only
/// cites, and which of them its subject names (found by classifying the
/// subject alone, so that it spells ids as classification does).
fn known(tx: &Tx<'_>, p: &Parsed, c: &Classified) -> Result<Known, store::Error> {
    let mut known = Known::default();
    for cve in &c.about {
        known.cve_issues.push((cve.clone(), tx.issue_of_cve(cve)?));
    }
    for cve in c.cves.iter().filter(|cve| !c.about.contains(cve)) {
        known
            .cited_issues
            .push((cve.clone(), tx.issue_of_cve(cve)?));
    }
    for id in &c.advisory_ids {
        known
            .advisory_issues
            .push((id.clone(), tx.issue_of_advisory(id)?));
    }
    let subject_only = Parsed {
        subject: p.subject.clone(),
        ..Parsed::default()
    };
    known.subject_cves = classify(&subject_only, None)
        .cves
        .into_iter()
        .filter(|cve| c.about.contains(cve))
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
    tally: &mut Tally,
) -> Result<(IssueId, bool), store::Error> {
    if let Some(issue) = chosen {
        tally.updated.insert(issue);
        tx.touch(issue, now)?;
        return Ok((issue, false));
    }
    let c = &item.classified;
    let issue = tx.create_issue(&c.title, c.severity, now)?;
    tally.opened.insert(issue);
    let detail = format!("{}: {}", c.source, c.title);
    tx.add_history(issue, now, ACTOR, HistoryAction::Opened, &detail)?;
    Ok((issue, true))
}

/// Stores the message itself in `issue`, with its CVEs, references and
/// server location; returns its row id.
fn write_message(
    tx: &Tx<'_>,
    item: &Prepared,
    issue: IssueId,
    now: Instant,
) -> Result<i64, store::Error> {
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
    let problems = p
        .problems
        .iter()
        .map(ParseProblem::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let row = tx.insert_message(&NewMessage {
        message_id: &p.message_id,
        issue_id: issue,
        source: c.source,
        advisory_id: c.advisory_id.as_deref(),
        subject: &super::parse::shorten(&p.subject),
        sender: &p.from,
        date: p.date,
        received_at: now,
        is_reply: c.is_reply,
        severity_hint: c.severity,
        problems: &problems,
        origin: &item.incoming.origin,
        raw: &item.incoming.raw,
        cves: &c.cves,
        refs: &refs,
    })?;
    if let Some(loc) = &item.incoming.location {
        tx.add_location(&p.message_id, loc)?;
    }
    Ok(row)
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
    tally: &mut Tally,
) -> Result<Option<(Option<Severity>, Severity)>, store::Error> {
    let c = &item.classified;
    let taken = tx.attach_cves(issue, &decision.new_cves)?;
    if !taken.is_empty() && !tally.opened.contains(&issue) {
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
        tally.raise(issue, from, to);
    }
    for child in &decision.absorb {
        tx.rejoin_by_thread(*child)?;
        tx.merge_issue(*child, issue, now, ACTOR)?;
        tally.opened.remove(child);
        tally.updated.remove(child);
        tally.raised.remove(child);
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

    /// A database file in a fresh temp directory, removed when dropped.
    struct TempDb(PathBuf);

    impl TempDb {
        fn new(name: &str) -> TempDb {
            let dir =
                std::env::temp_dir().join(format!("secdesk-ingest-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create a temp directory");
            TempDb(dir.join("secdesk.db"))
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            if let Some(dir) = self.0.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }

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
        let mut store = Store::open(&db.0).expect("open");
        let now = crate::time::parse("2026-11-22T10:00:00Z").expect("a valid instant");
        let mut summary = Summary::default();
        let mut tally = Tally::default();
        for (i, m) in mails.iter().enumerate() {
            let item = prepared(m);
            store
                .write(|tx| {
                    between(tx, i);
                    store_one(tx, &item, now, &mut summary, &mut tally)
                })
                .expect("store");
        }
        tally.finish(&mut summary);
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
                ingest: 2 seen, 2 new, 0 unparsable, 2 issues opened, 0 issues updated
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
                ingest: 3 seen, 3 new, 0 unparsable, 1 issues opened, 0 issues updated
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
                ingest: 1 seen, 1 new, 0 unparsable, 1 issues opened, 0 issues updated
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
            ingest: 2 seen, 2 new, 0 unparsable, 1 issues opened, 0 issues updated
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
                ingest: 2 seen, 2 new, 0 unparsable, 1 issues opened, 0 issues updated
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
                ingest: 3 seen, 3 new, 0 unparsable, 2 issues opened, 0 issues updated
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
                ingest: 2 seen, 2 new, 0 unparsable, 1 issues opened, 0 issues updated
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
                ingest: 3 seen, 3 new, 0 unparsable, 1 issues opened, 0 issues updated
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
                ingest: 3 seen, 3 new, 0 unparsable, 2 issues opened, 0 issues updated
                #1 cves=["CVE-2031-0001"] related=[]
                  a@x opened
                  d@x opened
                  d2@x advisory-id
            "#]],
        );
    }
}
