//! `secdesk-triage-report`: gather, build, render, queue under
//! `report:YYYY-MM-DD` (once a day unless forced), deliver the outbox.

use crate::config::Config;
use crate::job::Error;
use crate::outbox::deliver::Outcome;
use crate::outbox::{self, Key, Mail};
use crate::report::{self, Input, SECTION_ROWS, STUCK_MAIL};
use crate::rota;
use crate::store::{self, Reader, Store};
use crate::time::Instant;
use chrono::Duration;

/// What a run did.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The outbox key of today's report.
    pub key: String,
    /// Whether this run queued it (false: it was queued before).
    pub queued: bool,
    /// What delivering the outbox did.
    pub delivery: Outcome,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.queued {
            "queued"
        } else {
            "already queued earlier"
        };
        write!(f, "report: {} {what}; {}", self.key, self.delivery)
    }
}

/// Everything the report needs, read in one snapshot.
pub fn gather(r: &Reader<'_>, config: &Config, now: Instant) -> Result<Input, store::Error> {
    let history = r.rota_history()?;
    // The report names who is on call now and next.
    let on_call = config.rotation.as_ref().map(|rot| {
        let around = rota::notify::around(&rota::Timeline::new(rot, &history), now);
        [around.current, around.next]
            .into_iter()
            .flatten()
            .map(|s| {
                let name = config.name_of(&s.member);
                (s, name)
            })
            .collect()
    });
    let configured = crate::mail::health::configured(&config.imap);
    let day = now - Duration::hours(24);
    let month = now - Duration::days(30);
    let mut input = Input {
        now,
        releases: config.releases.clone(),
        stale_after: config.report.stale_ingest_after,
        configured,
        health: r.health()?,
        outbox_trouble: r.outbox_trouble(now - STUCK_MAIL.duration())?,
        on_call,
        arrivals: r.arrivals(day, 500)?,
        unclaimed: r.unclaimed_oldest(SECTION_ROWS)?,
        stuck: r.claimed_not_triaged(day, SECTION_ROWS)?,
        matrix: r.release_matrix(SECTION_ROWS)?,
        fixed: r.fixed_unannounced(SECTION_ROWS)?,
        milestones: r.milestones(month)?,
        closed: r.closed_since(month)?,
        load: r.member_load(month)?,
        posts: Default::default(),
        signal_roles: config
            .signal
            .as_ref()
            .map(|s| s.roles.iter().map(|(role, _)| role.clone()).collect()),
        signals: r.report_signals(month)?,
        fixes: crate::job::fix_track::report_input(r, config)?,
    };
    input.posts = r.first_posts(&input.listed_issues())?;
    Ok(input)
}

/// Builds today's report (text and HTML) without sending anything.
pub fn render(
    store: &mut Store,
    config: &Config,
    now: Instant,
) -> Result<(report::Report, String, String), store::Error> {
    let input = store.read(|r| gather(r, config, now))?;
    let built = report::build(&input);
    let text = report::text::render(&built);
    let html = report::html::render(&built);
    Ok((built, text, html))
}

/// Queues today's report under `report:YYYY-MM-DD` unless it is queued
/// already (`force` queues another copy under the next free key), then
/// delivers the outbox.
pub fn run(
    store: &mut Store,
    config: &Config,
    now: Instant,
    force: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Ran, Error> {
    let date = now.date_naive();
    let existing = store.read(|r| r.outbox_keys(&Key::report_prefix(date)))?;
    let copy = if existing.is_empty() || !force {
        1
    } else {
        existing.len() + 1
    };
    let key = Key::Report { date, copy }.to_string();
    let queued = if existing.is_empty() || force {
        let (built, text, html) = render(store, config, now)?;
        let mail = Mail {
            key: key.clone(),
            kind: crate::outbox::MailKind::Report,
            to: config.report.to.clone(),
            subject: built.subject.clone(),
            text,
            html: Some(html),
        };
        let composed = outbox::compose(&mail, &crate::job::from_address(config), now)?;
        store.write(|tx| tx.enqueue(&composed, now))?
    } else {
        false
    };
    let delivery = outbox::deliver(store, &crate::job::delivery(config), now, log)?;
    Ok(Ran {
        key,
        queued,
        delivery,
    })
}
