//! `secdesk-rotate-notify`: read what `rota::notify` asks for (the shifts
//! around `now`, the issues a handoff lists, mailbox health, rota changes),
//! let [`notify::plan`] say which mails are due, queue each under its key
//! (the outbox ignores keys it has), deliver.

use crate::config::Config;
use crate::job::Error;
use crate::mail::health;
use crate::outbox::Key;
use crate::outbox::deliver::Outcome;
use crate::outbox::{self, Mail};
use crate::rota::notify::{self, Handoff, HandoffQuery};
use crate::rota::{Shift, Timeline};
use crate::signal::mail as signal_mail;
use crate::signal::plan as signal_plan;
use crate::store::{self, Reader, Store};
use crate::time::Instant;
use std::collections::BTreeMap;

/// Rows per handoff list.
const HANDOFF_ROWS: usize = 50;

/// What a run did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// Whether a rota is configured.
    pub rota: bool,
    /// Who is on call now (`None` without a rota, or before it starts).
    pub on_call: Option<Shift>,
    /// Bat-Signals active.
    pub signals: usize,
    /// Keys queued by this run.
    pub queued: Vec<String>,
    /// What delivering the outbox did.
    pub delivery: Outcome,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = match (self.rota, &self.on_call) {
            (false, _) => "no rota configured".to_string(),
            (true, None) => "the rota has not started".to_string(),
            (true, Some(s)) => format!("on call {} until {}", s.member, crate::time::format(s.end)),
        };
        let queued = if self.queued.is_empty() {
            "nothing".to_string()
        } else {
            self.queued.join(", ")
        };
        let signals = match self.signals {
            0 => String::new(),
            n => format!("; {n} Bat-Signal(s) active"),
        };
        write!(
            f,
            "rotate-notify: {who}{signals}; queued {queued}; {}",
            self.delivery
        )
    }
}

/// The mails due at `now`, read in one snapshot. The decisions are
/// `rota::notify`'s (`around`, `handoff_query`, `notices`, `plan`) and
/// `mail::health::stale`; this only reads what they ask for.
pub fn due(
    r: &Reader<'_>,
    config: &Config,
    now: Instant,
) -> Result<(Option<Shift>, Vec<Mail>), store::Error> {
    let Some(rot) = &config.rotation else {
        return Ok((None, Vec::new()));
    };
    let history = r.rota_history()?;
    let timeline = Timeline::new(rot, &history);
    let around = notify::around(&timeline, now);
    let mut all_queued = true;
    for key in notify::handoff_keys(rot, &around) {
        all_queued &= r.outbox_has(&key)?;
    }
    let handoff = match notify::handoff_query(&around).filter(|_| !all_queued) {
        Some(q) => Handoff {
            backport_gaps: crate::job::fix_track::backport_gaps(r, config, now)?,
            ..handoff(r, &q)?
        },
        None => Handoff::default(),
    };
    let configured = health::configured(&config.imap);
    let stale = health::stale(
        &configured,
        &r.health()?,
        now,
        config.report.stale_ingest_after,
    );
    let mut announced = Vec::new();
    for (id, undo) in notify::recent_events(&history, now) {
        if !r
            .outbox_keys(&Key::rota_change_prefix(id, undo))?
            .is_empty()
        {
            announced.push((id, undo));
        }
    }
    let notices = notify::notices(&timeline, now, &|id, undo| announced.contains(&(id, undo)));
    let input = notify::Input {
        now,
        rotation: rot,
        history: &history,
        team: &config.team,
        current: around.current.clone(),
        previous: around.previous,
        next: around.next,
        handoff,
        stale,
        stale_after: config.report.stale_ingest_after,
        notices,
    };
    let mut mails = notify::plan(&input);
    mails.extend(proposals(r, config, around.current.as_ref(), now)?);
    Ok((around.current, mails))
}

/// How far back a run looks for issues that mail made critical: a run
/// missed for a while (the machine was down) still proposes, and an
/// issue made critical long ago is not proposed on upgrade.
const PROPOSAL_WINDOW: chrono::Duration = chrono::Duration::days(1);

/// The proposals to raise a Bat-Signal, one per issue ever (key
/// `signal-proposal:ISSUE`), to the member on call: for each issue that
/// mail made critical in the last [`PROPOSAL_WINDOW`], in a package of
/// `signal.core_packages`, with no signal. A person who sets `critical`
/// decided already and can raise one; nothing is proposed for that.
/// secdesk never raises a signal by itself. Nobody on call: nothing yet
/// (the next run with someone on call, inside the window, sends it).
fn proposals(
    r: &Reader<'_>,
    config: &Config,
    on_call: Option<&Shift>,
    now: Instant,
) -> Result<Vec<Mail>, store::Error> {
    let (Some(settings), Some(shift)) = (&config.signal, on_call) else {
        return Ok(Vec::new());
    };
    let Some(member) = config.member(&shift.member) else {
        return Ok(Vec::new());
    };
    if settings.core_packages.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for issue in r.critical_by_mail_since(now - PROPOSAL_WINDOW)? {
        if r.outbox_has(&Key::SignalProposal { issue }.to_string())? {
            continue;
        }
        let facts = crate::app::signal::issue_facts(r, issue)?;
        if signal_mail::core_packages(&facts, &settings.core_packages).is_empty() {
            continue;
        }
        out.extend(signal_mail::proposal(&facts, member));
    }
    Ok(out)
}

/// The issues a handoff lists.
fn handoff(r: &Reader<'_>, q: &HandoffQuery) -> Result<Handoff, store::Error> {
    let (from, to) = q.created;
    let mut h = Handoff {
        unclaimed: r.unclaimed_oldest(HANDOFF_ROWS)?.rows,
        created: r.open_created_between(from, to, HANDOFF_ROWS)?.rows,
        ..Handoff::default()
    };
    if let Some((member, start, end)) = &q.outgoing {
        h.held_by_outgoing = r.held_open(member, HANDOFF_ROWS)?.rows;
        h.dismissed = r.dismissed_between(*start, *end, HANDOFF_ROWS)?;
    }
    Ok(h)
}

/// How long after its resolution a signal is still looked at (its
/// resolution mail may be due).
const SIGNAL_TAIL: chrono::Duration = chrono::Duration::days(1);

/// The Bat-Signal mails due at `now` (pages, updates, unanswered
/// notices) for every active or recently resolved signal, read in one
/// snapshot; `signal::plan` and `signal::mail` decide.
pub fn signal_due(
    r: &Reader<'_>,
    config: &Config,
    secret: Option<&[u8]>,
    counts: &BTreeMap<String, usize>,
    now: Instant,
) -> Result<(usize, Vec<signal_mail::Out>), store::Error> {
    let Some(settings) = &config.signal else {
        return Ok((0, Vec::new()));
    };
    let mut active = 0;
    let mut out = Vec::new();
    for raised in r.signals_since(now - SIGNAL_TAIL)? {
        if raised.resolved.is_none() {
            active += 1;
        }
        let events = r.signal_events(raised.id)?;
        let p = signal_plan::plan(settings, &config.team, &raised, &events, now);
        let issue = crate::app::signal::issue_facts(r, raised.issue)?;
        out.extend(signal_mail::mails(&signal_mail::Input {
            signal: settings,
            team: &config.team,
            raised: &raised,
            events: &events,
            plan: &p,
            issue: &issue,
            contact_counts: counts,
            secret,
            now,
        }));
    }
    Ok((active, out))
}

/// Queues every due mail under its key, then delivers the outbox; with a
/// Bat-Signal configured, reads its contacts and token key first and
/// delivers pages with the contacts on their envelopes.
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
    let (contacts, secret) = match &config.signal {
        Some(s) => (Some(s.read_contacts()?), s.read_token_secret()?),
        None => (None, None),
    };
    let counts: BTreeMap<String, usize> = contacts
        .iter()
        .flatten()
        .map(|(m, a)| (m.clone(), a.len()))
        .collect();
    let (signals, pages) = store.read(|r| {
        signal_due(
            r,
            config,
            secret.as_deref().map(str::as_bytes),
            &counts,
            now,
        )
    })?;
    for o in &pages {
        let mut q = outbox::message::compose_with(&o.mail, o.reply_to.as_deref(), &from, now)?;
        q.contacts_of = o.contacts_of.clone();
        composed.push(q);
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
    let delivery = outbox::deliver_with_contacts(
        store,
        &crate::job::delivery(config),
        contacts.as_ref(),
        now,
        log,
    )?;
    Ok(Ran {
        rota: config.rotation.is_some(),
        on_call,
        signals,
        queued,
        delivery,
    })
}
