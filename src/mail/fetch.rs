//! Fetching from IMAP, and mirroring issue state back to the mailbox.
//!
//! Per account: read the password, connect (with time-outs), then per
//! mailbox: EXAMINE, list the UIDs above the stored cursor, fetch them with
//! `BODY.PEEK[]<0.LIMIT>` in chunks (the server sends at most
//! `max_message_bytes` of each message; one whose RFC822.SIZE is larger is
//! stored cut, as `truncated`), and store each chunk in one transaction that
//! also moves the cursor. A message the database refuses is not stored and
//! holds the cursor below its UID, so the next run fetches it again (the
//! messages after it that were stored come again as identical duplicates). A changed UIDVALIDITY refetches the mailbox;
//! Message-IDs keep that free of duplicates. A dropped connection is retried
//! a few times with back-off inside the run; one failing account never stops
//! the others, and every failure is recorded in the mailbox's health and
//! reported, so the run exits non-zero after storing what it got.
//!
//! Mirroring (on when the account has an `archive_mailbox`, or `mirror` is
//! set): messages of claimed issues get `\Seen`; messages of fixed,
//! announced or dismissed issues move to the archive. Moving uses MOVE (or
//! COPY before any delete), so a message is never lost, and the archive is
//! never fetched again unless it is listed in `mailboxes`, where Message-IDs
//! still keep it from being stored twice.

use super::ingest::{Outcome, Prepared, Run, prepare, store_batch};
use super::source::imap::{self, Mailstore};
use super::source::{Incoming, Location};
use crate::config::{ImapAccount, Tls};
use crate::store::{self, Store};
use crate::time::Instant;
use std::time::Duration;

/// Fetch attempts per mailbox within one run (the first plus retries).
const ATTEMPTS: u32 = 3;
/// The first back-off; each retry waits twice as long as the one before.
const BACKOFF: Duration = Duration::from_secs(1);
/// A chunk closes at this many messages…
const CHUNK_MESSAGES: usize = 500;
/// …or at this many bytes (by the server's RFC822.SIZE).
const CHUNK_BYTES: u64 = 32 << 20;

/// A failure while fetching one mailbox.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Imap(#[from] imap::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Fetches every mailbox of every account, then mirrors. Database errors
/// that lose a transaction stop the run; IMAP failures and messages the
/// database refused are recorded per mailbox in the summary's errors and
/// health, and the run goes on.
pub fn ingest_imap(
    store: &mut Store,
    accounts: &[ImapAccount],
    run: &mut Run<'_>,
) -> Result<(), store::Error> {
    for account in accounts {
        account_run(store, account, run)?;
    }
    if run.stored_any() {
        store.optimize()?;
    }
    Ok(())
}

fn label(account: &ImapAccount) -> String {
    format!(
        "imap account {} ({}:{})",
        account.name, account.host, account.port
    )
}

fn account_run(
    store: &mut Store,
    account: &ImapAccount,
    run: &mut Run<'_>,
) -> Result<(), store::Error> {
    let who = label(account);
    let now = run.now();
    if account.tls == Tls::None {
        run.log(&format!(
            "{who}: tls is \"none\": the password and all mail cross the network unencrypted"
        ));
    }
    let password = match account.password.as_ref() {
        Some(secret) => match secret.read(&format!("imap account {}", account.name)) {
            Ok(p) => p,
            Err(e) => return fail_all(store, account, now, &e.to_string(), run),
        },
        None => {
            let e = format!("{who}: no password_file or password_credential");
            return fail_all(store, account, now, &e, run);
        }
    };
    let mut session: Option<Box<dyn Mailstore>> = None;
    for mailbox in &account.mailboxes {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = fetch_one(store, account, &password, &mut session, mailbox, run);
            match result {
                Ok(()) => {
                    store.write(|tx| tx.record_fetch(&account.name, mailbox, now, None))?;
                    break;
                }
                Err(Failure::Store(e)) => return Err(e),
                Err(Failure::Imap(e)) => {
                    // The session may be broken; reconnect for what follows.
                    session = None;
                    if e.is_transient() && attempt < ATTEMPTS {
                        let wait = BACKOFF * 2u32.pow(attempt - 1);
                        run.log(&format!(
                            "{who}: {mailbox}: {e}; retrying in {}s",
                            wait.as_secs()
                        ));
                        std::thread::sleep(wait);
                        continue;
                    }
                    let line = format!("{who}: {mailbox}: {e}");
                    store.write(|tx| {
                        tx.record_fetch(&account.name, mailbox, now, Some(&e.to_string()))
                    })?;
                    run.fail(line);
                    break;
                }
            }
        }
    }
    if account.mirror
        && let Some(s) = session.as_mut()
    {
        match mirror(store, account, s.as_mut(), run) {
            Ok(()) => {}
            Err(Failure::Store(e)) => return Err(e),
            Err(Failure::Imap(e)) => run.fail(format!("{who}: mirroring: {e}")),
        }
    }
    if let Some(mut s) = session {
        s.logout();
    }
    Ok(())
}

fn fail_all(
    store: &mut Store,
    account: &ImapAccount,
    now: Instant,
    error: &str,
    run: &mut Run<'_>,
) -> Result<(), store::Error> {
    for mailbox in &account.mailboxes {
        store.write(|tx| tx.record_fetch(&account.name, mailbox, now, Some(error)))?;
    }
    run.fail(format!("{}: {error}", label(account)));
    Ok(())
}

fn fetch_one(
    store: &mut Store,
    account: &ImapAccount,
    password: &str,
    session: &mut Option<Box<dyn Mailstore>>,
    mailbox: &str,
    run: &mut Run<'_>,
) -> Result<(), Failure> {
    let s = match session.take() {
        Some(s) => session.insert(s),
        None => session.insert(Box::new(imap::connect(account, password)?)),
    };
    let info = s.examine(mailbox)?;
    let cursor = store.read(|r| r.cursor(&account.name, mailbox))?;
    let after = match cursor.uidvalidity {
        Some(v) if v == info.uidvalidity => cursor.last_uid,
        Some(v) => {
            run.log(&format!(
                "{}: {mailbox}: UIDVALIDITY changed from {v} to {}; fetching the mailbox again (stored Message-IDs are skipped)",
                label(account),
                info.uidvalidity
            ));
            0
        }
        None => 0,
    };
    let uids = if info.exists == 0 {
        Vec::new()
    } else {
        s.uids_after(after)?
    };
    if uids.is_empty() {
        store.write(|tx| tx.set_cursor(&account.name, mailbox, info.uidvalidity, after, 0))?;
        return Ok(());
    }
    let limit = u32::try_from(run.options().max_message_bytes).unwrap_or(u32::MAX);
    let place = Place {
        account,
        mailbox,
        uidvalidity: info.uidvalidity,
        limit,
    };
    // The first UID the database refused in this run: the cursor stays
    // below it, so the next run fetches it again.
    let mut held: Option<u32> = None;
    // Sizes are asked for a window at a time, so that listing a mailbox of
    // any size costs a few bytes a message.
    for window in uids.chunks(CHUNK_MESSAGES) {
        let sized = s.sizes(window)?;
        for chunk in chunks(&sized, limit) {
            store_chunk(store, s.as_mut(), &place, &chunk, &sized, &mut held, run)?;
        }
        // UIDs in the window the server no longer has (expunged meanwhile)
        // are passed over: move the cursor to the window's end.
        if let Some(last) = window.last() {
            let to = cursor_after(*last, held);
            store.write(|tx| tx.set_cursor(&account.name, mailbox, info.uidvalidity, to, 0))?;
        }
    }
    Ok(())
}

/// Where a cursor may move after storing up to `last`: not past a UID the
/// database refused (`held`). Pure.
fn cursor_after(last: u32, held: Option<u32>) -> u32 {
    match held {
        Some(uid) => last.min(uid.saturating_sub(1)),
        None => last,
    }
}

/// The mailbox a chunk comes from, and the byte limit per message.
struct Place<'a> {
    account: &'a ImapAccount,
    mailbox: &'a str,
    uidvalidity: u32,
    limit: u32,
}

/// Fetches one chunk and stores it in one transaction that also moves
/// the cursor: a kill between chunks loses nothing and repeats nothing. A
/// message the database refuses sets `held`, and the cursor stays below it.
fn store_chunk(
    store: &mut Store,
    s: &mut dyn Mailstore,
    place: &Place<'_>,
    chunk: &[u32],
    sizes: &[(u32, u32)],
    held: &mut Option<u32>,
    run: &mut Run<'_>,
) -> Result<(), Failure> {
    let Some(&last) = chunk.last() else {
        return Ok(());
    };
    let Place {
        account,
        mailbox,
        uidvalidity,
        limit,
    } = *place;
    let fetched = s.fetch(chunk, limit)?;
    let count = fetched.len() as i64;
    let prepared: Vec<(u32, Prepared)> = fetched
        .into_iter()
        .map(|f| {
            let size = sizes
                .binary_search_by_key(&f.uid, |(uid, _)| *uid)
                .ok()
                .and_then(|i| sizes.get(i))
                .map_or(0, |(_, size)| *size);
            let cut = (size > limit || f.body.len() > limit as usize)
                .then_some(u64::from(size).max(f.body.len() as u64));
            let mut body = f.body;
            body.truncate(limit as usize);
            let uid = f.uid;
            let item = prepare(Incoming {
                raw: body,
                cut,
                origin: format!(
                    "imap:{}/{mailbox};UIDVALIDITY={uidvalidity};UID={}",
                    account.name, f.uid
                ),
                hint: super::Source::from_folder_name(mailbox),
                location: Some(Location {
                    account: account.name.clone(),
                    mailbox: mailbox.to_string(),
                    uidvalidity,
                    uid,
                }),
            });
            (uid, item)
        })
        .collect();
    let (uids, items): (Vec<u32>, Vec<Prepared>) = prepared.into_iter().unzip();
    // The cursor moves in the transaction that stores the chunk, and stops
    // below the first message the database refused, so the next run
    // fetches it again.
    store_batch(store, &items, run, &mut |tx, outcomes| {
        if held.is_none() {
            *held = uids
                .iter()
                .zip(outcomes)
                .find(|(_, o)| **o == Outcome::Failed)
                .map(|(uid, _)| *uid);
        }
        let to = cursor_after(last, *held);
        tx.set_cursor(&account.name, mailbox, uidvalidity, to, count)
    })?;
    Ok(())
}

/// Splits UIDs (with sizes) into fetch chunks by count and bytes; a message
/// counts at most `limit` bytes, all that is fetched of it.
fn chunks(uids: &[(u32, u32)], limit: u32) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0u64;
    for &(uid, size) in uids {
        let size = size.min(limit);
        if !current.is_empty()
            && (current.len() >= CHUNK_MESSAGES || bytes + size as u64 > CHUNK_BYTES)
        {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(uid);
        bytes += size as u64;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn mirror(
    store: &mut Store,
    account: &ImapAccount,
    s: &mut dyn Mailstore,
    run: &mut Run<'_>,
) -> Result<(), Failure> {
    for mailbox in &account.mailboxes {
        if Some(mailbox) == account.archive_mailbox.as_ref() {
            continue;
        }
        let info = s.select(mailbox)?;
        let mut work = store.read(|r| r.mirror_work(&account.name, mailbox, info.uidvalidity))?;
        if account.archive_mailbox.is_none() {
            work.archive.clear();
        }
        if work.seen.is_empty() && work.archive.is_empty() {
            continue;
        }
        s.add_seen(&work.seen)?;
        if let Some(archive) = &account.archive_mailbox {
            s.move_to(&work.archive, archive)?;
        }
        store.write(|tx| tx.mark_mirrored(&account.name, mailbox, info.uidvalidity, &work))?;
        run.log(&format!(
            "{}: {mailbox}: mirrored {} as seen, {} moved to {}",
            label(account),
            work.seen.len(),
            work.archive.len(),
            account.archive_mailbox.as_deref().unwrap_or("-")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{chunks, cursor_after};

    #[test]
    fn chunks_close_on_count_and_bytes() {
        let uids: Vec<(u32, u32)> = (1..=1001).map(|u| (u, 10)).collect();
        let c = chunks(&uids, u32::MAX);
        assert_eq!(c.iter().map(Vec::len).collect::<Vec<_>>(), [500, 500, 1]);
        let big = [(1, 30 << 20), (2, 30 << 20), (3, 1)];
        assert_eq!(chunks(&big, u32::MAX), vec![vec![1], vec![2, 3]]);
    }

    #[test]
    fn message_over_the_limit_counts_only_what_is_fetched_of_it() {
        let huge = [(1, u32::MAX), (2, 1 << 20), (3, 1 << 20)];
        assert_eq!(chunks(&huge, 4 << 20), vec![vec![1, 2, 3]]);
    }

    #[test]
    fn cursor_stays_below_a_refused_message() {
        assert_eq!(cursor_after(40, None), 40);
        assert_eq!(cursor_after(40, Some(17)), 16);
        assert_eq!(cursor_after(10, Some(17)), 10);
        assert_eq!(cursor_after(40, Some(1)), 0);
    }
}
