//! `secdesk-rotate-notify`: work out the shifts around `now`, gather the
//! issues a handoff lists, let [`rota::notify::plan`] say which mails are
//! due, queue each under its key (the outbox ignores keys it has), deliver.

use crate::config::Config;
use crate::job::Error;
use crate::outbox::deliver::Outcome;
use crate::outbox::{self, Mail};
use crate::rota::notify::{self, Handoff, Moved, Stale};
use crate::rota::{self, Change, Shift};
use crate::store::{self, Reader, Store};
use crate::time::{self, Instant};
use chrono::Duration;
use std::collections::BTreeMap;

/// How far back schedule changes are announced (a notifier that was down
/// longer than this does not announce old changes).
const CHANGE_NOTICE_WINDOW: i64 = 7;
/// How far ahead a change's effect on shifts is looked at, in days.
const CHANGE_HORIZON: usize = 90;
/// Rows per handoff list.
const HANDOFF_ROWS: usize = 50;

/// What a run did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Who is on call now (`None` without a rota, or before it starts).
    pub on_call: Option<Shift>,
    /// Keys queued by this run.
    pub queued: Vec<String>,
    /// What delivering the outbox did.
    pub delivery: Outcome,
}

fn moved(
    rot: &crate::config::Rotation,
    before: &[Change],
    after: &[Change],
    from: chrono::NaiveDate,
) -> Vec<(String, Vec<Shift>, Vec<Shift>)> {
    let a = rota::schedule(rot, before, from, CHANGE_HORIZON);
    let b = rota::schedule(rot, after, from, CHANGE_HORIZON);
    let mut per: BTreeMap<String, (Vec<Shift>, Vec<Shift>)> = BTreeMap::new();
    for (x, y) in a.iter().zip(b.iter()) {
        if x.member != y.member {
            per.entry(y.member.clone()).or_default().0.push(y.clone());
            per.entry(x.member.clone()).or_default().1.push(x.clone());
        }
    }
    per.into_iter().map(|(m, (g, l))| (m, g, l)).collect()
}

/// The mails due at `now`, read in one snapshot.
pub fn due(
    r: &Reader<'_>,
    config: &Config,
    now: Instant,
) -> Result<(Option<Shift>, Vec<Mail>), store::Error> {
    let Some(rot) = &config.rotation else {
        return Ok((None, Vec::new()));
    };
    let history = r.rota_history()?;
    let in_force: Vec<Change> = history
        .iter()
        .filter(|(_, u)| u.is_none())
        .map(|(c, _)| c.change.clone())
        .collect();
    let current = rota::on_call(rot, &in_force, now);
    let previous = current
        .as_ref()
        .and_then(|c| rota::on_call(rot, &in_force, c.start - Duration::seconds(1)));
    let next = match &current {
        Some(c) => rota::on_call(rot, &in_force, c.end),
        None => rota::on_call(rot, &in_force, rota::origin(rot).max(now)),
    };
    let mut handoff = Handoff::default();
    // The handoff lists are read only while a handoff or shift-end mail is
    // still to be queued: most runs find both queued, and the lists cost
    // more than everything else together on a large database.
    let start_queued = match &current {
        Some(c) => r.outbox_has(&format!("shift-start:{}:{}", c.date, c.member))?,
        None => true,
    };
    let end_queued = match &previous {
        Some(p) => r.outbox_has(&format!("shift-end:{}:{}", p.date, p.member))?,
        None => true,
    };
    if let Some(c) = current.as_ref().filter(|_| !(start_queued && end_queued)) {
        handoff.unclaimed = r.unclaimed_oldest(HANDOFF_ROWS)?.rows;
        if let Some(p) = &previous {
            handoff.created = r.open_created_between(p.start, p.end, HANDOFF_ROWS)?.rows;
            handoff.held_by_outgoing = r.held_open(&p.member, HANDOFF_ROWS)?.rows;
            handoff.dismissed = r.dismissed_between(p.start, p.end, HANDOFF_ROWS)?;
        } else {
            // The first shift: everything before it is the backlog.
            handoff.created = r
                .open_created_between(Instant::default(), c.start, HANDOFF_ROWS)?
                .rows;
        }
    }
    let mut stale = Vec::new();
    let health = r.health()?;
    for account in &config.imap {
        for mailbox in &account.mailboxes {
            let h = health
                .iter()
                .find(|h| h.account == account.name && &h.mailbox == mailbox);
            let last = h.and_then(|h| h.last_success);
            let is_stale =
                last.is_none_or(|t| time::age(t, now) > config.report.stale_ingest_after);
            if is_stale {
                stale.push(Stale {
                    mailbox: format!("{}/{mailbox}", account.name),
                    last_success: last,
                    last_error: h.and_then(|h| h.last_error.clone()),
                });
            }
        }
    }
    let window = now - Duration::days(CHANGE_NOTICE_WINDOW);
    let today = now.date_naive();
    let mut notices = Vec::new();
    for (rec, undone) in &history {
        let others: Vec<Change> = history
            .iter()
            .filter(|(c, u)| u.is_none() && c.id != rec.id)
            .map(|(c, _)| c.change.clone())
            .collect();
        let mut with = others.clone();
        with.push(rec.change.clone());
        if undone.is_none() && rec.at >= window {
            notices.push(Moved {
                id: rec.id,
                undo: false,
                change: rec.change.clone(),
                by: rec.by.clone(),
                members: moved(rot, &others, &with, today),
            });
        }
        if let Some(u) = undone
            && u.at >= window
        {
            notices.push(Moved {
                id: rec.id,
                undo: true,
                change: rec.change.clone(),
                by: u.by.clone(),
                members: moved(rot, &with, &others, today),
            });
        }
    }
    let input = notify::Input {
        now,
        remind_before: rot.remind_before,
        team: &config.team,
        current: current.clone(),
        previous,
        next,
        handoff,
        stale,
        stale_after: config.report.stale_ingest_after,
        moved: notices,
    };
    Ok((current, notify::plan(&input)))
}

/// Queues every due mail under its key, then delivers the outbox.
pub fn run(
    store: &mut Store,
    config: &Config,
    now: Instant,
    log: &mut dyn FnMut(&str),
) -> Result<Ran, Error> {
    let (on_call, mails) = store.read(|r| due(r, config, now))?;
    let from = crate::job::from_address(config);
    let mut composed = Vec::new();
    for m in &mails {
        composed.push(outbox::compose(m, &from, now)?);
    }
    let queued = store.write(|tx| {
        let mut keys = Vec::new();
        for q in &composed {
            if tx.enqueue(q, now)? {
                keys.push(q.key.clone());
            }
        }
        Ok::<_, store::Error>(keys)
    })?;
    let delivery = outbox::deliver(store, &crate::job::delivery(config), now, log)?;
    Ok(Ran {
        on_call,
        queued,
        delivery,
    })
}
