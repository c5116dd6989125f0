//! The daily triage report: what the team must see each morning, in order:
//! the machinery's health (loud when ingest went quiet or mail is stuck),
//! who is on call, what came in, what nobody has claimed, what is claimed
//! but stuck, which releases are exposed, what is fixed but unannounced,
//! the last 30 days (speed and load, to spot burnout), and, when a
//! Bat-Signal is configured, the signals of the last 30 days with the
//! time to ack per role (member ids only: never a private contact).
//!
//! [`build`] turns the data the store gathered into a [`Report`]; the
//! [`text`] and [`html`] renderers lay it out. Pure: `now` comes in.
//! Every piece of text that came from mail is escaped by the HTML renderer
//! and kept to one line by the text one. What matters first comes first:
//! every issue line shows its severity and CVE ids, and unclaimed issues
//! (and the release matrix) are ordered most severe first, then oldest.

pub mod html;
pub mod text;

use crate::mail::{Health, Source, health};
use crate::outbox::OutboxEntry;
use crate::rota::Shift;
use crate::signal::{Event, EventKind, Raised, SignalId};
use crate::time::{self, Instant, Span};
use crate::triage::{Brief, IssueId, ReleaseStatus, Severity};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// How many rows a section shows before "and N more".
pub const SECTION_ROWS: usize = 50;
/// Mail queued longer than this is stuck.
pub const STUCK_MAIL: Span = Span::hours(1);

/// A list capped at a limit, with the full count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capped<T> {
    /// The first rows.
    pub rows: Vec<T>,
    /// How many there are in all.
    pub total: i64,
}

/// How many CVE ids an issue line shows before `+N`.
pub const LINE_CVES: usize = 3;

/// A message that arrived recently, with its issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The issue.
    pub issue: Brief,
    /// Where it was published.
    pub source: Source,
    /// Its advisory id.
    pub advisory_id: Option<String>,
    /// When secdesk stored it.
    pub received_at: Instant,
    /// Its Message-ID (without brackets), for a link to a list archive.
    pub message_id: String,
}

/// A message of an issue as far as a link to it needs: where it was
/// published, its Message-ID and its advisory id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// Where it was published.
    pub source: Source,
    /// Its Message-ID (without brackets).
    pub message_id: String,
    /// Its advisory id (`DSA-5678-1`, `RHSA-2024:1234-01`, …).
    pub advisory_id: Option<String>,
}

/// The milestones of one issue opened in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestones {
    /// Opened.
    pub created_at: Instant,
    /// First claimed.
    pub first_claimed_at: Option<Instant>,
    /// Became triaged.
    pub triaged_at: Option<Instant>,
    /// Became fixed.
    pub fixed_at: Option<Instant>,
}

/// Everything the report is built from.
#[derive(Debug, Clone)]
pub struct Input {
    /// The instant the report is for.
    pub now: Instant,
    /// Supported releases, in order.
    pub releases: Vec<String>,
    /// A mailbox not fetched successfully for longer is stale.
    pub stale_after: Span,
    /// Every configured IMAP mailbox (`account`, `mailbox`).
    pub configured: Vec<(String, String)>,
    /// Health of mailboxes ever fetched.
    pub health: Vec<Health>,
    /// Failed and long-queued mails.
    pub outbox_trouble: Vec<OutboxEntry>,
    /// `None` when no rota is configured; else today's and tomorrow's
    /// shifts with the members' display names.
    pub on_call: Option<Vec<(Shift, String)>>,
    /// Messages stored in the last 24 hours.
    pub arrivals: Capped<Arrival>,
    /// Open, unclaimed issues, most severe first (unset last), then
    /// oldest ([`Brief::urgency`]).
    pub unclaimed: Capped<Brief>,
    /// Issues claimed more than 24 hours ago and not triaged.
    pub stuck: Capped<Brief>,
    /// Open issues and their release statuses, in the order of
    /// `unclaimed`.
    pub matrix: Capped<(Brief, BTreeMap<String, ReleaseStatus>)>,
    /// Fixed but not announced.
    pub fixed: Capped<Brief>,
    /// Milestones of issues opened in the last 30 days.
    pub milestones: Vec<Milestones>,
    /// Issues closed in the last 30 days.
    pub closed: i64,
    /// Per member: claims and fixes in the last 30 days.
    pub load: BTreeMap<String, (i64, i64)>,
    /// For each issue the report lists ([`Input::listed_issues`]): its
    /// first message from each source, in order of arrival; the HTML part
    /// links the issue to the first that has a public archive page.
    pub posts: BTreeMap<IssueId, Vec<Posted>>,
    /// `None` when no Bat-Signal is configured (and the section is left
    /// out); else the configured roles, in order.
    pub signal_roles: Option<Vec<String>>,
    /// Every signal raised, resolved or still open in the last 30 days,
    /// oldest first.
    pub signals: Vec<SignalRecord>,
    /// Fix tracking's facts, when `fixes` is configured (else no section).
    pub fixes: Option<FixesInput>,
}

/// What the fixes section is built from (issue 16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixesInput {
    /// Every release fix followed into its channel.
    pub followed: Vec<crate::fix::Followed>,
    /// The issues fixed on the development branch, for backport gaps.
    pub dev_fixes: Vec<crate::fix::GapFacts>,
    /// `fixes.backport_after`.
    pub backport_after: Span,
}

/// Section 10, fix tracking: fixes waiting for their channel, the time
/// fixes took to reach it, and missing backports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FixesSection {
    /// Release fixes not yet in their channel, oldest fix first, with how
    /// long since the fix was committed.
    pub waiting: Vec<(crate::fix::Followed, Span)>,
    /// Per channel branch, from the fix's commit to the first scan that saw
    /// it there, over the fixes that reached it in the last 30 days.
    pub reached: Vec<(String, Spread)>,
    /// Missing backports.
    pub gaps: Vec<crate::fix::Gap>,
}

/// Builds section 10 from [`FixesInput`].
fn fixes(input: &Input) -> Option<FixesSection> {
    let f = input.fixes.as_ref()?;
    let now = input.now;
    let mut waiting: Vec<(crate::fix::Followed, Span)> = f
        .followed
        .iter()
        .filter(|x| !x.channel.contains_fix)
        .map(|x| {
            (
                x.clone(),
                x.committed_at
                    .map_or(Span::seconds(0), |at| time::age(at, now)),
            )
        })
        .collect();
    waiting.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.issue.cmp(&b.0.issue)));
    let month = now - Duration::days(30);
    let mut per: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for x in &f.followed {
        if let (Some(since), Some(at)) = (x.channel.since, x.committed_at)
            && x.channel.contains_fix
            && since >= month
        {
            per.entry(x.channel.branch.clone())
                .or_default()
                .push(time::age(at, since));
        }
    }
    Some(FixesSection {
        waiting,
        reached: per.into_iter().map(|(b, d)| (b, spread(d))).collect(),
        gaps: crate::fix::backport_gaps(&f.dev_fixes, &input.releases, f.backport_after, now),
    })
}

/// One Bat-Signal as the store returns it for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalRecord {
    /// The signal.
    pub raised: Raised,
    /// What responders did, in the order recorded.
    pub events: Vec<Event>,
    /// Its issue's title.
    pub title: String,
}

impl Input {
    /// Every issue the report lists, once each: the ones whose first
    /// messages [`Input::posts`] needs.
    pub fn listed_issues(&self) -> Vec<IssueId> {
        let mut ids: Vec<IssueId> = self
            .arrivals
            .rows
            .iter()
            .map(|a| a.issue.id)
            .chain(self.unclaimed.rows.iter().map(|b| b.id))
            .chain(self.stuck.rows.iter().map(|b| b.id))
            .chain(self.matrix.rows.iter().map(|(b, _)| b.id))
            .chain(self.fixed.rows.iter().map(|b| b.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// The machinery section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machinery {
    /// Problems, one line each; empty when all is well.
    pub alarms: Vec<String>,
    /// The one line when all is well.
    pub summary: String,
}

/// An issue that got mail in the last 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// The issue.
    pub issue: Brief,
    /// Whether it was opened in the window (else it was updated).
    pub opened: bool,
    /// The messages that carried it, one per source, time and advisory.
    pub carried_by: Vec<Via>,
}

/// One message that carried an issue in the last 24 hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// As shown: `oss-security 10:02 (DSA-5678-1)`.
    pub label: String,
    /// The message, for a link to it.
    pub posted: Posted,
}

/// Median and 90th percentile of a duration, over the issues that have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    /// How many issues reached the milestone.
    pub n: usize,
    /// Median.
    pub median: Option<Span>,
    /// 90th percentile.
    pub p90: Option<Span>,
}

/// The last 30 days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Time from opened to first claim.
    pub to_claim: Spread,
    /// Time from opened to triaged.
    pub to_triage: Spread,
    /// Time from opened to fixed.
    pub to_fix: Spread,
    /// Issues opened.
    pub opened: usize,
    /// Issues closed.
    pub closed: i64,
    /// Per member: claims, fixes.
    pub load: Vec<(String, i64, i64)>,
}

/// One Bat-Signal in the report's section: who raised it, when and why,
/// how it stands, who holds the baton, and each role's time to ack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalLine {
    /// Its number.
    pub id: SignalId,
    /// Its issue.
    pub issue: IssueId,
    /// The issue's title.
    pub title: String,
    /// Who raised it.
    pub raised_by: String,
    /// When (UTC).
    pub raised_at: Instant,
    /// Why, in the raiser's words.
    pub reason: String,
    /// When it was resolved; `None` while it is open.
    pub resolved_at: Option<Instant>,
    /// Who holds the incident lead's baton (at the resolution, or now).
    pub baton: Option<String>,
    /// Per role: who acked and how long after the raise; `None`:
    /// unanswered.
    pub roles: Vec<(String, Option<(String, Span)>)>,
}

impl SignalLine {
    /// `open`, or `resolved <instant>`: the same words in text and HTML.
    pub fn state(&self) -> String {
        match self.resolved_at {
            Some(at) => format!("resolved {}", crate::time::format(at)),
            None => "open".into(),
        }
    }
}

/// The report, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The UTC date it is for.
    pub date: NaiveDate,
    /// The instant it was built at.
    pub now: Instant,
    /// The mail subject.
    pub subject: String,
    /// 1. Machinery.
    pub machinery: Machinery,
    /// 2. On call: `None` when no rota is configured.
    pub on_call: Option<Vec<(String, String)>>,
    /// 3. New in the last 24 hours.
    pub new: Vec<NewItem>,
    /// Messages in the window not shown (over the cap).
    pub new_hidden: i64,
    /// 4. Unclaimed, most severe first, then oldest, with age.
    pub unclaimed: Vec<(Brief, Span)>,
    /// All unclaimed.
    pub unclaimed_total: i64,
    /// 5. Claimed, not triaged after 24 h, with time since the claim.
    pub stuck: Vec<(Brief, Span)>,
    /// All stuck.
    pub stuck_total: i64,
    /// 6. Release columns.
    pub releases: Vec<String>,
    /// 6. Rows: issue and one status per release, most severe first.
    pub matrix: Vec<(Brief, Vec<ReleaseStatus>)>,
    /// All open issues.
    pub matrix_total: i64,
    /// 7. Fixed, not announced, with time since the fix.
    pub fixed: Vec<(Brief, Span)>,
    /// All fixed.
    pub fixed_total: i64,
    /// 8. The last 30 days.
    pub stats: Stats,
    /// The first messages of the listed issues ([`Input::posts`]).
    pub posts: BTreeMap<IssueId, Vec<Posted>>,
    /// Section 9, the Bat-Signals of the last 30 days; `None` when no
    /// Bat-Signal is configured and none was raised (no section).
    pub signals: Option<Vec<SignalLine>>,
    /// Section 10, fix tracking; `None` when `fixes` is not configured.
    pub fixes: Option<FixesSection>,
}

fn spread(mut d: Vec<Span>) -> Spread {
    d.sort();
    let n = d.len();
    // Nearest-rank percentiles: the value at rank ceil(p * n).
    let rank = |p: f64| -> Option<Span> {
        if n == 0 {
            return None;
        }
        let r = ((p * n as f64).ceil() as usize).clamp(1, n);
        d.get(r - 1).copied()
    };
    Spread {
        n,
        median: rank(0.5),
        p90: rank(0.9),
    }
}

fn machinery(input: &Input) -> Machinery {
    let mut alarms = Vec::new();
    let now = input.now;
    for st in health::stale(&input.configured, &input.health, now, input.stale_after) {
        let since = match st.last_success {
            Some(t) => format!(
                "not fetched successfully for {} (since {})",
                time::age(t, now),
                time::format(t)
            ),
            None => "never fetched successfully".to_string(),
        };
        let err = st
            .last_error
            .as_ref()
            .map(|e| format!("; last error: {e}"))
            .unwrap_or_default();
        alarms.push(format!("INGEST STALE: {} {since}{err}", st.name()));
    }
    for m in &input.outbox_trouble {
        let what = if m.state == crate::outbox::OutboxState::Failed {
            "REFUSED"
        } else {
            "STUCK"
        };
        let err = m
            .last_error
            .clone()
            .unwrap_or_else(|| "not attempted yet".into());
        alarms.push(format!(
            "MAIL {what}: {} to {} (queued {} ago, {} attempts): {err}",
            m.key,
            m.recipients.join(", "),
            time::age(m.created_at, now),
            m.attempts
        ));
    }
    let summary = if input.configured.is_empty() {
        "Machinery: no IMAP mailboxes configured (mail comes only from --maildir/--mbox); outbox clear.".to_string()
    } else {
        format!(
            "Machinery: all {} mailboxes fetched within {}; outbox clear.",
            input.configured.len(),
            input.stale_after
        )
    };
    Machinery { alarms, summary }
}

/// Builds the report: one function per section.
pub fn build(input: &Input) -> Report {
    let now = input.now;
    let date = now.date_naive();
    let machinery = machinery(input);
    let (new, new_hidden) = new(input);
    let subject = subject(date, &machinery, &new, input);
    Report {
        date,
        now,
        subject,
        machinery,
        on_call: on_call(input),
        new,
        new_hidden,
        unclaimed: unclaimed(input),
        unclaimed_total: input.unclaimed.total,
        stuck: stuck(input),
        stuck_total: input.stuck.total,
        releases: input.releases.clone(),
        matrix: matrix(input),
        matrix_total: input.matrix.total,
        fixed: fixed(input),
        fixed_total: input.fixed.total,
        stats: stats(input),
        posts: input.posts.clone(),
        signals: signals(input),
        fixes: fixes(input),
    }
}

/// Section 9: each Bat-Signal of the last 30 days, newest first, with the
/// time from the raise to each role's first ack. The roles are the
/// configured ones, then any role a recorded ack names that is no longer
/// configured.
fn signals(input: &Input) -> Option<Vec<SignalLine>> {
    if input.signal_roles.is_none() && input.signals.is_empty() {
        return None;
    }
    let configured = input.signal_roles.clone().unwrap_or_default();
    let lines = input
        .signals
        .iter()
        .rev()
        .map(|s| {
            let r = &s.raised;
            let until = r.resolved.as_ref().map_or(input.now, |x| x.at);
            let mut names = configured.clone();
            for e in &s.events {
                if let Some(role) = &e.role
                    && e.kind == EventKind::Ack
                    && !names.contains(role)
                {
                    names.push(role.clone());
                }
            }
            let roles = names
                .into_iter()
                .map(|role| {
                    let ack = s
                        .events
                        .iter()
                        .find(|e| {
                            e.kind == EventKind::Ack
                                && e.role.as_deref() == Some(role.as_str())
                                && e.at <= until
                        })
                        .map(|e| (e.member.clone(), time::age(r.at, e.at)));
                    (role, ack)
                })
                .collect();
            SignalLine {
                id: r.id,
                issue: r.issue,
                title: s.title.clone(),
                raised_by: r.raised_by.clone(),
                raised_at: r.at,
                reason: r.reason.clone(),
                resolved_at: r.resolved.as_ref().map(|x| x.at),
                baton: crate::signal::plan::baton_at(&s.events, until),
                roles,
            }
        })
        .collect();
    Some(lines)
}

/// The subject: the date, an alarm when the machinery has problems, and
/// the counts that matter.
fn subject(date: NaiveDate, machinery: &Machinery, new: &[NewItem], input: &Input) -> String {
    let alarm = if machinery.alarms.is_empty() {
        ""
    } else {
        "ATTENTION: machinery problems; "
    };
    format!(
        "[secdesk] triage report {date}: {alarm}{} new, {} unclaimed, {} fixed unannounced",
        new.iter().filter(|n| n.opened).count(),
        input.unclaimed.total,
        input.fixed.total
    )
}

/// Section 2: who is on call now and next, with the shift in UTC.
fn on_call(input: &Input) -> Option<Vec<(String, String)>> {
    let now = input.now;
    input.on_call.as_ref().map(|shifts| {
        shifts
            .iter()
            .map(|(s, name)| {
                let when = if s.start <= now && now < s.end {
                    "now"
                } else {
                    "next"
                };
                (
                    format!("{when}: {name}"),
                    format!(
                        "{} – {} UTC",
                        s.start.format("%a %Y-%m-%d %H:%M"),
                        s.end.format("%a %H:%M")
                    ),
                )
            })
            .collect()
    })
}

/// Section 3: the issues that got mail in the last 24 hours, each with the
/// sources that carried it, and how many arrivals were over the cap.
fn new(input: &Input) -> (Vec<NewItem>, i64) {
    let window_start = input.now - Duration::hours(24);
    let mut new: Vec<NewItem> = Vec::new();
    for a in &input.arrivals.rows {
        let label = format!(
            "{} {}{}",
            a.source,
            a.received_at.format("%H:%M"),
            a.advisory_id
                .as_ref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default()
        );
        let carried = Via {
            label,
            posted: Posted {
                source: a.source,
                message_id: a.message_id.clone(),
                advisory_id: a.advisory_id.clone(),
            },
        };
        match new.iter_mut().find(|n| n.issue.id == a.issue.id) {
            Some(n) => {
                if !n.carried_by.iter().any(|v| v.label == carried.label) {
                    n.carried_by.push(carried);
                }
            }
            None => new.push(NewItem {
                opened: a.issue.created_at >= window_start,
                issue: a.issue.clone(),
                carried_by: vec![carried],
            }),
        }
    }
    let hidden = input.arrivals.total - input.arrivals.rows.len() as i64;
    (new, hidden)
}

/// Section 4: unclaimed issues with their age.
fn unclaimed(input: &Input) -> Vec<(Brief, Span)> {
    input
        .unclaimed
        .rows
        .iter()
        .map(|b| (b.clone(), time::age(b.created_at, input.now)))
        .collect()
}

/// Section 5: stuck claims with the time since the claim.
fn stuck(input: &Input) -> Vec<(Brief, Span)> {
    input
        .stuck
        .rows
        .iter()
        .map(|b| {
            let since = b.claimed_at.unwrap_or(b.created_at);
            (b.clone(), time::age(since, input.now))
        })
        .collect()
}

/// Section 6: one status per configured release for each open issue
/// (`unknown` where none is recorded).
fn matrix(input: &Input) -> Vec<(Brief, Vec<ReleaseStatus>)> {
    input
        .matrix
        .rows
        .iter()
        .map(|(b, statuses)| {
            let cells = input
                .releases
                .iter()
                .map(|r| statuses.get(r).copied().unwrap_or(ReleaseStatus::Unknown))
                .collect();
            (b.clone(), cells)
        })
        .collect()
}

/// Section 7: fixed but unannounced issues with the time since the fix.
fn fixed(input: &Input) -> Vec<(Brief, Span)> {
    input
        .fixed
        .rows
        .iter()
        .map(|b| {
            let since = b.fixed_at.unwrap_or(b.created_at);
            (b.clone(), time::age(since, input.now))
        })
        .collect()
}

/// Section 8: the last 30 days: speed to each milestone, and load.
fn stats(input: &Input) -> Stats {
    let to = |milestone: fn(&Milestones) -> Option<Instant>| {
        spread(
            input
                .milestones
                .iter()
                .filter_map(|m| milestone(m).map(|t| time::age(m.created_at, t)))
                .collect(),
        )
    };
    Stats {
        to_claim: to(|m| m.first_claimed_at),
        to_triage: to(|m| m.triaged_at),
        to_fix: to(|m| m.fixed_at),
        opened: input.milestones.len(),
        closed: input.closed,
        load: input
            .load
            .iter()
            .map(|(who, (c, f))| (who.clone(), *c, *f))
            .collect(),
    }
}

/// A tabular section (unclaimed, stuck claims, release matrix, fixed), the
/// same for both renderers. Each row is one issue: its number and
/// severity come first, then the section's own cells, then its CVE ids
/// and title (the text renderer shortens that last column, the HTML one
/// escapes every cell and links the issue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The heading, with the full count.
    pub title: String,
    /// Headers of the section's own cells (between severity and title).
    pub headers: Vec<String>,
    /// Rows, one per issue.
    pub rows: Vec<Row>,
    /// "… and N more" when the section was cut.
    pub more: Option<String>,
    /// What to say when there are no rows.
    pub empty: &'static str,
    /// Whether the cells are release statuses, too many columns beside a
    /// title on a phone: the HTML part puts each issue on a line of its
    /// own above its cells.
    pub matrix: bool,
}

/// One issue in a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The issue.
    pub issue: Brief,
    /// The section's own cells.
    pub cells: Vec<Cell>,
}

/// One cell of a [`Row`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Plain text (a holder, an age, a state).
    Text(String),
    /// A release status, which the HTML part colours (and still words).
    Status(ReleaseStatus),
}

impl Cell {
    /// The cell's words, as both renderers show them.
    pub fn words(&self) -> &str {
        match self {
            Cell::Text(t) => t,
            Cell::Status(s) => s.as_str(),
        }
    }
}

/// An issue's severity as a cell shows it: the word, `-` when unset.
pub fn severity_word(s: Option<Severity>) -> &'static str {
    s.map_or("-", Severity::as_str)
}

impl Report {
    /// Sections 4 to 7 as tables.
    pub fn tables(&self) -> Vec<Table> {
        let held = |rows: &[(Brief, Span)]| -> Vec<Row> {
            rows.iter()
                .map(|(b, since)| Row {
                    issue: b.clone(),
                    cells: vec![
                        Cell::Text(b.claimed_by.clone().unwrap_or_default()),
                        Cell::Text(since.to_string()),
                    ],
                })
                .collect()
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut matrix_headers = strings(&["STATE"]);
        matrix_headers.extend(self.releases.iter().cloned());
        vec![
            Table {
                title: format!("Unclaimed ({})", self.unclaimed_total),
                headers: strings(&["AGE"]),
                rows: self
                    .unclaimed
                    .iter()
                    .map(|(b, age)| Row {
                        issue: b.clone(),
                        cells: vec![Cell::Text(age.to_string())],
                    })
                    .collect(),
                more: more(self.unclaimed_total, self.unclaimed.len()),
                empty: "none",
                matrix: false,
            },
            Table {
                title: format!(
                    "Claimed but not triaged after 24 hours ({})",
                    self.stuck_total
                ),
                headers: strings(&["HELD BY", "SINCE CLAIM"]),
                rows: held(&self.stuck),
                more: more(self.stuck_total, self.stuck.len()),
                empty: "none",
                matrix: false,
            },
            Table {
                title: format!("Release matrix of open issues ({})", self.matrix_total),
                headers: matrix_headers,
                rows: self
                    .matrix
                    .iter()
                    .map(|(b, statuses)| {
                        let mut cells = vec![Cell::Text(b.state.to_string())];
                        cells.extend(statuses.iter().map(|s| Cell::Status(*s)));
                        Row {
                            issue: b.clone(),
                            cells,
                        }
                    })
                    .collect(),
                more: more(self.matrix_total, self.matrix.len()),
                empty: "no open issues",
                matrix: true,
            },
            Table {
                title: format!("Fixed but not yet announced ({})", self.fixed_total),
                headers: strings(&["HELD BY", "SINCE FIX"]),
                rows: held(&self.fixed),
                more: more(self.fixed_total, self.fixed.len()),
                empty: "none",
                matrix: false,
            },
        ]
    }
}

/// "and 12 more" when a section was cut.
pub fn more(total: i64, shown: usize) -> Option<String> {
    let rest = total - shown as i64;
    (rest > 0).then(|| format!("… and {rest} more"))
}

/// The issue reference as printed: `#12`.
pub fn issue_ref(id: IssueId) -> String {
    format!("#{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let s = spread((1..=10).map(Span::hours).collect());
        assert_eq!(s.median, Some(Span::hours(5)));
        assert_eq!(s.p90, Some(Span::hours(9)));
        assert_eq!(spread(vec![]).median, None);
        assert_eq!(spread(vec![Span::hours(3)]).p90, Some(Span::hours(3)));
    }
}
