//! Fetching from IMAP, and mirroring issue state back to the mailbox.
//!
//! Per account: read the password, connect (with time-outs), then per
//! mailbox: EXAMINE, list the UIDs above the stored cursor, fetch them with
//! `BODY.PEEK[]` in chunks, and store each chunk in one transaction that
//! also moves the cursor. A changed UIDVALIDITY refetches the mailbox;
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

use super::ingest::{Prepared, Summary, Tally, prepare, store_one};
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
/// stop the run; IMAP failures are recorded per mailbox in
/// [`Summary::errors`] and health, and the run goes on.
pub fn ingest_imap(
    store: &mut Store,
    accounts: &[ImapAccount],
    now: Instant,
    log: &mut dyn FnMut(&str),
) -> Result<Summary, store::Error> {
    let mut summary = Summary::default();
    let mut tally = Tally::default();
    for account in accounts {
        account_run(store, account, now, log, &mut summary, &mut tally)?;
    }
    tally.finish(&mut summary);
    if summary.new > 0 {
        store.optimize()?;
    }
    Ok(summary)
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
    now: Instant,
    log: &mut dyn FnMut(&str),
    summary: &mut Summary,
    tally: &mut Tally,
) -> Result<(), store::Error> {
    let who = label(account);
    if account.tls == Tls::None {
        log(&format!(
            "{who}: tls is \"none\": the password and all mail cross the network unencrypted"
        ));
    }
    let password = match account.password.as_ref() {
        Some(secret) => match secret.read(&format!("imap account {}", account.name)) {
            Ok(p) => p,
            Err(e) => return fail_all(store, account, now, &e.to_string(), summary),
        },
        None => {
            let e = format!("{who}: no password_file or password_credential");
            return fail_all(store, account, now, &e, summary);
        }
    };
    let mut session: Option<Box<dyn Mailstore>> = None;
    for mailbox in &account.mailboxes {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = fetch_one(
                store,
                account,
                &password,
                &mut session,
                mailbox,
                now,
                log,
                summary,
                tally,
            );
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
                        log(&format!(
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
                    summary.errors.push(line);
                    break;
                }
            }
        }
    }
    if account.mirror
        && let Some(s) = session.as_mut()
    {
        match mirror(store, account, s.as_mut(), log) {
            Ok(()) => {}
            Err(Failure::Store(e)) => return Err(e),
            Err(Failure::Imap(e)) => summary.errors.push(format!("{who}: mirroring: {e}")),
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
    summary: &mut Summary,
) -> Result<(), store::Error> {
    for mailbox in &account.mailboxes {
        store.write(|tx| tx.record_fetch(&account.name, mailbox, now, Some(error)))?;
    }
    summary.errors.push(format!("{}: {error}", label(account)));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn fetch_one(
    store: &mut Store,
    account: &ImapAccount,
    password: &str,
    session: &mut Option<Box<dyn Mailstore>>,
    mailbox: &str,
    now: Instant,
    log: &mut dyn FnMut(&str),
    summary: &mut Summary,
    tally: &mut Tally,
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
            log(&format!(
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
    // Sizes are asked for a window at a time, so that listing a mailbox of
    // any size costs a few bytes a message.
    for window in uids.chunks(CHUNK_MESSAGES) {
        let sized = s.sizes(window)?;
        for chunk in chunks(&sized) {
            store_chunk(
                store,
                s.as_mut(),
                account,
                mailbox,
                info.uidvalidity,
                &chunk,
                now,
                summary,
                tally,
            )?;
        }
        // UIDs in the window the server no longer has (expunged meanwhile)
        // are passed over: move the cursor to the window's end.
        if let Some(last) = window.last() {
            store.write(|tx| tx.set_cursor(&account.name, mailbox, info.uidvalidity, *last, 0))?;
        }
    }
    Ok(())
}

/// Fetches one chunk and stores it in one transaction that also moves
/// the cursor: a kill between chunks loses nothing and repeats nothing.
#[allow(clippy::too_many_arguments)]
fn store_chunk(
    store: &mut Store,
    s: &mut dyn Mailstore,
    account: &ImapAccount,
    mailbox: &str,
    uidvalidity: u32,
    chunk: &[u32],
    now: Instant,
    summary: &mut Summary,
    tally: &mut Tally,
) -> Result<(), Failure> {
    let Some(&last) = chunk.last() else {
        return Ok(());
    };
    let fetched = s.fetch(chunk)?;
    let count = fetched.len() as i64;
    let prepared: Vec<Prepared> = fetched
        .into_iter()
        .map(|f| {
            prepare(Incoming {
                raw: f.body,
                origin: format!(
                    "imap:{}/{mailbox};UIDVALIDITY={uidvalidity};UID={}",
                    account.name, f.uid
                ),
                hint: super::Source::from_folder_name(mailbox),
                location: Some(Location {
                    account: account.name.clone(),
                    mailbox: mailbox.to_string(),
                    uidvalidity,
                    uid: f.uid,
                }),
            })
        })
        .collect();
    store.write(|tx| {
        for item in &prepared {
            store_one(tx, item, now, summary, tally)?;
        }
        tx.set_cursor(&account.name, mailbox, uidvalidity, last, count)
    })?;
    Ok(())
}

/// Splits UIDs (with sizes) into fetch chunks by count and bytes.
fn chunks(uids: &[(u32, u32)]) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0u64;
    for &(uid, size) in uids {
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
    log: &mut dyn FnMut(&str),
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
        log(&format!(
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
    use super::chunks;

    #[test]
    fn chunks_close_on_count_and_bytes() {
        let uids: Vec<(u32, u32)> = (1..=1001).map(|u| (u, 10)).collect();
        let c = chunks(&uids);
        assert_eq!(c.iter().map(Vec::len).collect::<Vec<_>>(), [500, 500, 1]);
        let big = [(1, 30 << 20), (2, 30 << 20), (3, 1)];
        assert_eq!(chunks(&big), vec![vec![1], vec![2, 3]]);
    }
}
