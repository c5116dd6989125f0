//! The Bat-Signal's actions and view: `raise`, `ack`, `decline`, `baton`,
//! `resolve`, `status`, and `reply` (an ack or decline by replying to a
//! page, which `secdesk-ingest` calls). Each reads the signal and its
//! events, checks the request against the plan (`signal::plan`), and
//! writes the event with its issue's history row in one transaction.
//! Pages and updates are sent by `secdesk-rotate-notify`, never here.

use crate::app::{Desk, Result};
use crate::config::{Config, Signal};
use crate::signal::mail::{IssueFacts, contacts_words};
use crate::signal::plan::{self, Plan};
use crate::signal::{Event, EventKind, Raised, Refused, SignalId, Via, token};
use crate::store::{self, Reader};
use crate::time::{self, Instant};
use crate::triage::{IssueId, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The configured signal settings, or the refusal saying there are none.
pub fn settings(config: &Config) -> Result<&Signal, Refused> {
    config.signal.as_ref().ok_or(Refused::NotConfigured)
}

/// One member's place in a role, as anyone may see it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// The member.
    pub member: String,
    /// `acked`, `declined`, `paged`, `superseded` (paged earlier, not
    /// now) or `waiting`; once the signal is resolved nobody is paged or
    /// waits: `unanswered` (paged for a role nobody acked, never
    /// answered) or `not-paged`.
    pub state: &'static str,
    /// When first paged for this role (UTC).
    #[serde(serialize_with = "time::ser_opt_instant")]
    pub paged_at: Option<Instant>,
    /// Whether it was daytime for them when the signal was raised.
    pub awake: bool,
    /// How many private contacts they have, when this run can read the
    /// contacts (never the addresses).
    pub private_contacts: Option<usize>,
}

/// One role of a signal.
#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    /// The role.
    pub role: String,
    /// Who acked it.
    pub acked_by: Option<String>,
    /// When (UTC).
    #[serde(serialize_with = "time::ser_opt_instant")]
    pub acked_at: Option<Instant>,
    /// Seconds from the raise to the ack.
    pub ack_seconds: Option<i64>,
    /// When every member was paged at once, unanswered.
    #[serde(serialize_with = "time::ser_opt_instant")]
    pub unanswered_at: Option<Instant>,
    /// When the next page goes out, while it waits.
    #[serde(serialize_with = "time::ser_opt_instant")]
    pub next_page_at: Option<Instant>,
    /// Its members in paging order.
    pub members: Vec<MemberView>,
    /// Whether the signal was resolved before anyone acked this role
    /// (`--json` says it with `resolved_at` and `acked_by`).
    #[serde(skip)]
    pub resolved_unacked: bool,
}

/// One signal as `status` shows it and every action returns it.
#[derive(Debug, Clone, Serialize)]
pub struct SignalView {
    /// Its number.
    pub signal: SignalId,
    /// The issue.
    pub issue: IssueId,
    /// The issue's title.
    pub title: String,
    /// Who raised it.
    pub raised_by: String,
    /// Why.
    pub reason: String,
    /// When (UTC).
    #[serde(serialize_with = "time::ser_instant")]
    pub raised_at: Instant,
    /// Who holds the incident lead's baton.
    pub baton: Option<String>,
    /// When it was resolved (UTC).
    #[serde(serialize_with = "time::ser_opt_instant")]
    pub resolved_at: Option<Instant>,
    /// The resolution's summary.
    pub summary: Option<String>,
    /// Every role.
    pub roles: Vec<RoleView>,
    /// What the action did, in words (empty for `status`).
    #[serde(skip)]
    pub did: String,
}

impl fmt::Display for SignalView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.did.is_empty() {
            writeln!(f, "{}", self.did)?;
        }
        let state = match self.resolved_at {
            Some(at) => format!("resolved {}", time::format(at)),
            None => "active".into(),
        };
        writeln!(
            f,
            "signal {} for #{} ({state}): {}\n  raised by {} at {}: {}",
            self.signal,
            self.issue,
            self.title,
            self.raised_by,
            time::format(self.raised_at),
            self.reason
        )?;
        writeln!(
            f,
            "  incident lead: {}",
            self.baton.as_deref().unwrap_or("nobody yet")
        )?;
        if let Some(s) = &self.summary {
            writeln!(f, "  summary: {s}")?;
        }
        for r in &self.roles {
            let head = match (&r.acked_by, r.unanswered_at, r.next_page_at) {
                (Some(m), _, _) => format!(
                    "acked by {m} after {}",
                    crate::time::Span::seconds(r.ack_seconds.unwrap_or(0))
                ),
                (None, _, _) if r.resolved_unacked => "unanswered (resolved before an ack)".into(),
                (None, Some(_), _) => "UNANSWERED: everyone paged".into(),
                (None, None, Some(t)) => format!("waiting, next page {}", time::format(t)),
                (None, None, None) => "waiting".into(),
            };
            writeln!(f, "  {}: {head}", r.role)?;
            for m in &r.members {
                let contacts = match m.private_contacts {
                    Some(n) => format!(", {}", contacts_words(n)),
                    None => String::new(),
                };
                writeln!(f, "    {}: {}{contacts}", m.member, m.state)?;
            }
        }
        Ok(())
    }
}

/// `secdesk signal status`: every signal, or one.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The signals, newest first.
    pub signals: Vec<SignalView>,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.signals.is_empty() {
            return writeln!(f, "no Bat-Signals");
        }
        for s in &self.signals {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

fn view(
    config: &Config,
    signal: &Signal,
    raised: &Raised,
    events: &[Event],
    title: String,
    counts: Option<&BTreeMap<String, usize>>,
    now: Instant,
) -> SignalView {
    let p = plan::plan(signal, &config.team, raised, events, now);
    let roles = p
        .roles
        .iter()
        .map(|r| {
            let current: Vec<&str> = r.current().map(|pg| pg.member.as_str()).collect();
            let resolved = raised.resolved.is_some();
            let members = r
                .order
                .iter()
                .map(|m| {
                    let paged = r.pages.iter().any(|pg| &pg.member == m);
                    let state = if r.acked.as_ref().is_some_and(|(a, _)| a == m) {
                        "acked"
                    } else if r.declined.iter().any(|(d, _)| d == m) {
                        "declined"
                    } else if resolved && r.acked.is_none() && paged {
                        // Nobody is paged after a resolve: say how it ended.
                        "unanswered"
                    } else if resolved && !paged {
                        "not-paged"
                    } else if r.acked.is_none() && current.contains(&m.as_str()) {
                        "paged"
                    } else if r.pages.iter().any(|pg| &pg.member == m) {
                        "superseded"
                    } else {
                        "waiting"
                    };
                    MemberView {
                        member: m.clone(),
                        state,
                        paged_at: r.pages.iter().find(|pg| &pg.member == m).map(|pg| pg.at),
                        awake: r.awake.contains(m),
                        private_contacts: counts.map(|c| c.get(m).copied().unwrap_or(0)),
                    }
                })
                .collect();
            RoleView {
                role: r.role.clone(),
                acked_by: r.acked.as_ref().map(|(m, _)| m.clone()),
                acked_at: r.acked.as_ref().map(|(_, t)| *t),
                ack_seconds: r
                    .acked
                    .as_ref()
                    .map(|(_, t)| (*t - raised.at).num_seconds()),
                unanswered_at: r.unanswered_at,
                next_page_at: r.next_at.filter(|_| raised.resolved.is_none()),
                members,
                resolved_unacked: resolved && r.acked.is_none(),
            }
        })
        .collect();
    SignalView {
        signal: raised.id,
        issue: raised.issue,
        title,
        raised_by: raised.raised_by.clone(),
        reason: raised.reason.clone(),
        raised_at: raised.at,
        baton: p.baton.clone(),
        resolved_at: raised.resolved.as_ref().map(|r| r.at),
        summary: raised.resolved.as_ref().map(|r| r.summary.clone()),
        roles,
        did: String::new(),
    }
}

/// How many private contacts each member has, when this run may read
/// them; `None` otherwise (the CLI usually may not: the contacts are a
/// credential of `secdesk-rotate-notify`).
fn counts(signal: &Signal) -> Option<BTreeMap<String, usize>> {
    signal.contacts.as_ref()?;
    let c = signal.read_contacts().ok()?;
    Some(c.into_iter().map(|(m, a)| (m, a.len())).collect())
}

fn title(r: &Reader<'_>, issue: IssueId) -> store::Result<String> {
    Ok(r.issue_summary(issue)?.map(|s| s.title).unwrap_or_default())
}

fn load(r: &Reader<'_>, id: SignalId) -> Result<(Raised, Vec<Event>)> {
    let raised = r.signal(id)?.ok_or(Refused::NoSuchSignal(id))?;
    let events = r.signal_events(id)?;
    Ok((raised, events))
}

fn show(desk: &mut Desk<'_>, id: SignalId, did: String) -> Result<SignalView> {
    let signal = settings(desk.config)?;
    let (config, now) = (desk.config, desk.now);
    let (raised, events, t) = desk.store.read(|r| {
        let (raised, events) = load(r, id)?;
        let t = title(r, raised.issue)?;
        Ok::<_, super::Error>((raised, events, t))
    })?;
    let mut v = view(
        config,
        signal,
        &raised,
        &events,
        t,
        counts(signal).as_ref(),
        now,
    );
    v.did = did;
    Ok(v)
}

/// Raises a signal on `issue` as `by`. Refused without a reason, and on an
/// issue that is not critical unless `force`.
pub fn raise(
    desk: &mut Desk<'_>,
    by: &str,
    issue: IssueId,
    reason: &str,
    force: bool,
) -> Result<SignalView> {
    settings(desk.config)?;
    if reason.trim().is_empty() {
        return Err(Refused::NoReason.into());
    }
    let now = desk.now;
    let (id, target) = desk.store.write(|tx| {
        let r = tx.reader();
        let target = r
            .resolve(issue)?
            .ok_or(crate::triage::Refused::NoSuchIssue(issue))?;
        let summary = r
            .issue_summary(target)?
            .ok_or(crate::triage::Refused::NoSuchIssue(issue))?;
        if summary.severity != Some(Severity::Critical) && !force {
            return Err(super::Error::from(Refused::NotCritical {
                issue: target,
                severity: summary
                    .severity
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_else(|| "unset".into()),
            }));
        }
        Ok((tx.raise_signal(target, by, reason.trim(), now)?, target))
    })?;
    show(
        desk,
        id,
        format!(
            "signal {id} raised for #{target}: pages go out with the next secdesk-rotate-notify run"
        ),
    )
}

/// The roles `member` acks with no `--role`: those they are paged for now
/// and that nobody acked.
fn paged_roles(p: &Plan, member: &str) -> Vec<String> {
    p.roles
        .iter()
        .filter(|r| r.acked.is_none() && r.current().any(|pg| pg.member == member))
        .map(|r| r.role.clone())
        .collect()
}

fn check_role(signal: &Signal, p: &Plan, member: &str, role: &str) -> Result<(), Refused> {
    if !signal.roles.iter().any(|(r, _)| r == role) {
        return Err(Refused::UnknownRole(role.to_string()));
    }
    if !signal.members(role).iter().any(|m| m == member) {
        return Err(Refused::NotInRole {
            member: member.to_string(),
            role: role.to_string(),
        });
    }
    if let Some((by, _)) = p.role(role).and_then(|r| r.acked.clone()) {
        return Err(Refused::AlreadyAcked {
            role: role.to_string(),
            by,
        });
    }
    Ok(())
}

/// Records `member` taking (`Ack`) or declining a role, checked against
/// the plan at `now`, in the caller's transaction; returns what it did.
#[allow(clippy::too_many_arguments)]
fn respond(
    tx: &store::Tx<'_>,
    config: &Config,
    id: SignalId,
    member: &str,
    role: Option<&str>,
    kind: EventKind,
    via: Via,
    now: Instant,
) -> Result<String> {
    let signal = settings(config)?;
    let r = tx.reader();
    let (raised, events) = load(&r, id)?;
    if raised.resolved.is_some() {
        return Err(Refused::Resolved(id).into());
    }
    let p = plan::plan(signal, &config.team, &raised, &events, now);
    let roles = match role {
        Some(role) => {
            check_role(signal, &p, member, role)?;
            vec![role.to_string()]
        }
        None => {
            let roles = paged_roles(&p, member);
            if roles.is_empty() {
                return Err(Refused::NothingToAck(member.to_string()).into());
            }
            roles
        }
    };
    let verb = match kind {
        EventKind::Ack => "acked",
        _ => "declined",
    };
    let by = match via {
        Via::Cli => "",
        Via::Reply => " by reply",
    };
    let mut said = Vec::new();
    for role in &roles {
        let detail = format!("Bat-Signal {id}: {role} {verb} by {member}{by}");
        tx.add_signal_event(&raised, now, kind, member, Some(role), member, via, &detail)?;
        said.push(format!("signal {id}: {role} {verb} by {member}"));
    }
    if kind == EventKind::Ack
        && roles.iter().any(|r| r == crate::config::COORDINATION)
        && p.baton.is_none()
    {
        said.push(format!(
            "signal {id}: {member} holds the baton (incident lead)"
        ));
    }
    Ok(said.join("\n"))
}

/// `secdesk signal ack SIGNAL [--role ROLE]`, as `member`.
pub fn ack(
    desk: &mut Desk<'_>,
    member: &str,
    id: SignalId,
    role: Option<&str>,
) -> Result<SignalView> {
    let (config, now) = (desk.config, desk.now);
    let did = desk
        .store
        .write(|tx| respond(tx, config, id, member, role, EventKind::Ack, Via::Cli, now))?;
    show(desk, id, did)
}

/// `secdesk signal decline SIGNAL --role ROLE`, as `member`: the next
/// member is paged at once.
pub fn decline(desk: &mut Desk<'_>, member: &str, id: SignalId, role: &str) -> Result<SignalView> {
    let (config, now) = (desk.config, desk.now);
    let did = desk.store.write(|tx| {
        respond(
            tx,
            config,
            id,
            member,
            Some(role),
            EventKind::Decline,
            Via::Cli,
            now,
        )
    })?;
    show(desk, id, did)
}

/// `secdesk signal baton SIGNAL --to MEMBER`: passes the incident lead's
/// baton; the new holder is told by the next update.
pub fn baton(desk: &mut Desk<'_>, by: &str, id: SignalId, to: &str) -> Result<SignalView> {
    settings(desk.config)?;
    if desk.config.member(to).is_none() {
        return Err(Refused::NotAMember(to.to_string()).into());
    }
    let now = desk.now;
    desk.store.write(|tx| {
        let (raised, _) = load(&tx.reader(), id)?;
        if raised.resolved.is_some() {
            return Err(super::Error::from(Refused::Resolved(id)));
        }
        let detail = format!("Bat-Signal {id}: baton passed to {to} by {by}");
        tx.add_signal_event(
            &raised,
            now,
            EventKind::Baton,
            to,
            None,
            by,
            Via::Cli,
            &detail,
        )?;
        Ok(())
    })?;
    show(desk, id, format!("signal {id}: baton passed to {to}"))
}

/// `secdesk signal resolve SIGNAL --summary TEXT`: stops every page; the
/// resolution goes to everyone paged.
pub fn resolve(desk: &mut Desk<'_>, by: &str, id: SignalId, summary: &str) -> Result<SignalView> {
    settings(desk.config)?;
    if summary.trim().is_empty() {
        return Err(crate::refusal::Refusal::Usage(
            "a resolution needs a summary, expected --summary TEXT".into(),
        )
        .into());
    }
    let now = desk.now;
    desk.store.write(|tx| {
        let (raised, _) = load(&tx.reader(), id)?;
        if raised.resolved.is_some() {
            return Err(super::Error::from(Refused::Resolved(id)));
        }
        tx.resolve_signal(&raised, now, by, summary.trim())?;
        Ok(())
    })?;
    show(desk, id, format!("signal {id} resolved"))
}

/// `secdesk signal status [SIGNAL]`: one signal, or every signal of the
/// last 30 days and every active one, newest first.
pub fn status(desk: &mut Desk<'_>, id: Option<SignalId>) -> Result<Status> {
    if let Some(id) = id {
        return Ok(Status {
            signals: vec![show(desk, id, String::new())?],
        });
    }
    let signal = settings(desk.config)?;
    let (config, now) = (desk.config, desk.now);
    let since = now - chrono::Duration::days(30);
    let rows = desk.store.read(|r| {
        let mut out = Vec::new();
        for raised in r.signals_since(since)? {
            let events = r.signal_events(raised.id)?;
            let t = title(r, raised.issue)?;
            out.push((raised, events, t));
        }
        Ok::<_, store::Error>(out)
    })?;
    let c = counts(signal);
    let mut signals: Vec<SignalView> = rows
        .into_iter()
        .map(|(raised, events, t)| view(config, signal, &raised, &events, t, c.as_ref(), now))
        .collect();
    signals.reverse();
    Ok(Status { signals })
}

/// What a reply carrying a token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replied {
    /// The ack or decline was recorded (the line says which) for
    /// `member`, with its history row.
    Recorded {
        /// What was recorded, for the log.
        line: String,
        /// Whose token it was.
        member: String,
    },
    /// The same member's same answer was recorded already (the same
    /// reply read again, from a Maildir given twice): only this line.
    Again(String),
    /// A token-shaped word that is not a valid, current token: nothing
    /// but this line (logged) and, when it names a signal, a history row.
    Refused(String),
}

fn refuse_reply(
    tx: &store::Tx<'_>,
    issue: Option<IssueId>,
    line: String,
    now: Instant,
) -> Result<Option<Replied>> {
    if let Some(issue) = issue {
        tx.add_history(
            issue,
            now,
            "secdesk-ingest",
            crate::triage::HistoryAction::Signal,
            &line,
        )?;
    }
    Ok(Some(Replied::Refused(line)))
}

/// Looks for a reply token in `text` (the subject and the plus-address
/// tags `signal::reply::read` found) and records the ack or decline it
/// carries (decline when `declines`), in the caller's transaction. `None`
/// when the text carries no token-shaped word at all, or no signal is
/// configured: the message is ordinary mail. Without a `secret` (no
/// `signal.token_secret_*` configured) no token is valid.
pub fn reply(
    tx: &store::Tx<'_>,
    config: &Config,
    secret: Option<&[u8]>,
    text: &str,
    declines: bool,
    now: Instant,
) -> Result<Option<Replied>> {
    let Some(signal) = config.signal.as_ref() else {
        return Ok(None);
    };
    let candidates = token::find(text);
    let Some(first) = candidates.first() else {
        return Ok(None);
    };
    let r = tx.reader();
    let Some(secret) = secret else {
        let issue = r.signal(first.signal)?.map(|s| s.issue);
        let line = format!(
            "reply token {} refused: no `signal.token_secret_file` or `signal.token_secret_credential` configured, so no reply token is valid",
            first.text()
        );
        return refuse_reply(tx, issue, line, now);
    };
    let kind = if declines {
        EventKind::Decline
    } else {
        EventKind::Ack
    };
    for c in &candidates {
        let Some(raised) = r.signal(c.signal)? else {
            continue;
        };
        let pairs: Vec<(&str, &str)> = signal
            .roles
            .iter()
            .flat_map(|(role, ids)| ids.iter().map(move |m| (role.as_str(), m.as_str())))
            .collect();
        let Some((role, member)) = token::verify(secret, c, &pairs) else {
            continue;
        };
        if raised.resolved.is_some() {
            let line = format!(
                "reply token {} for signal {} refused: the signal is resolved",
                c.text(),
                raised.id
            );
            return refuse_reply(tx, Some(raised.issue), line, now);
        }
        let events = r.signal_events(raised.id)?;
        let again = events
            .iter()
            .any(|e| e.member == member && e.role.as_deref() == Some(role) && e.kind == kind);
        if again {
            return Ok(Some(Replied::Again(format!(
                "signal {}: {role} {} by {member} already recorded",
                raised.id,
                if declines { "declined" } else { "acked" }
            ))));
        }
        return match respond(
            tx,
            config,
            raised.id,
            member,
            Some(role),
            kind,
            Via::Reply,
            now,
        ) {
            Ok(line) => Ok(Some(Replied::Recorded {
                line,
                member: member.to_string(),
            })),
            Err(super::Error::Refused(why)) => {
                let line = format!(
                    "reply token {} for signal {} refused: {why}",
                    c.text(),
                    raised.id
                );
                refuse_reply(tx, Some(raised.issue), line, now)
            }
            Err(e) => Err(e),
        };
    }
    let line = format!(
        "reply token {} refused: forged, altered or of another signal",
        first.text()
    );
    let issue = r.signal(first.signal)?.map(|s| s.issue);
    refuse_reply(tx, issue, line, now)
}

/// What a page says about the issue: title, CVEs, packages, severity and
/// each source with its first time.
pub fn issue_facts(r: &Reader<'_>, issue: IssueId) -> store::Result<IssueFacts> {
    let detail = r.issue_detail(issue)?;
    let Some(d) = detail else {
        return Ok(IssueFacts {
            id: issue,
            title: String::new(),
            cves: Vec::new(),
            packages: Vec::new(),
            severity: None,
            sources: Vec::new(),
        });
    };
    let mut sources: Vec<(String, Instant)> = Vec::new();
    for m in &d.messages {
        let word = m.source.as_str().to_string();
        if !sources.iter().any(|(s, _)| *s == word) {
            sources.push((word, m.date));
        }
    }
    Ok(IssueFacts {
        id: issue,
        title: d.summary.title,
        cves: d.summary.cves,
        packages: d.summary.packages,
        severity: d.summary.severity.map(|s| s.as_str().to_string()),
        sources,
    })
}
