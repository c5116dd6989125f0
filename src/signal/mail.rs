//! What the Bat-Signal's mails say: the page (one per member and role,
//! with its reply token), the short update to everyone paged so far on
//! each ack, decline, baton pass and the resolution, the notice that a
//! role went unanswered, and the proposal to raise a signal. Each under
//! its `outbox::Key`, so re-running never sends one twice.
//!
//! Private contacts never appear here: a page names its member's team
//! address, and [`Out::contacts_of`] asks the delivery to add that
//! member's private contacts to the envelope only. Others learn only how
//! many contacts a member has. Pure.

use super::plan::{Plan, RolePlan};
use super::{Event, EventKind, Raised, token};
use crate::config::{Member, Signal};
use crate::outbox::{Key, Mail, MailKind};
use crate::time::{self, Instant};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The issue as a page describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueFacts {
    /// Its number.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its CVE ids.
    pub cves: Vec<String>,
    /// Its packages.
    pub packages: Vec<String>,
    /// Its severity word, or `None` when unset.
    pub severity: Option<String>,
    /// Each source that carried it and when (UTC), oldest first.
    pub sources: Vec<(String, Instant)>,
}

/// What the mails are made from.
pub struct Input<'a> {
    /// The signal settings.
    pub signal: &'a Signal,
    /// The team.
    pub team: &'a [Member],
    /// The signal.
    pub raised: &'a Raised,
    /// Its events, in id order.
    pub events: &'a [Event],
    /// Its plan at `now`.
    pub plan: &'a Plan,
    /// The issue.
    pub issue: &'a IssueFacts,
    /// How many private contacts each member has (never the addresses).
    pub contact_counts: &'a BTreeMap<String, usize>,
    /// The token key; without one, pages offer only the CLI to ack.
    pub secret: Option<&'a [u8]>,
    /// The instant of the run.
    pub now: Instant,
}

/// One mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Out {
    /// The mail.
    pub mail: Mail,
    /// The Reply-To address (a page's plus-addressed token).
    pub reply_to: Option<String>,
    /// The member whose private contacts the delivery adds to the envelope.
    pub contacts_of: Option<String>,
}

fn email<'a>(team: &'a [Member], id: &str) -> Option<&'a str> {
    team.iter()
        .find(|m| m.id == id)
        .and_then(|m| m.email.as_deref())
}

fn hhmm(at: Instant) -> String {
    at.format("%H:%M UTC").to_string()
}

/// The mails due at `input.now`.
pub fn mails(input: &Input<'_>) -> Vec<Out> {
    let mut out = Vec::new();
    let resolved = input.raised.resolved.is_some();
    if !resolved {
        for role in &input.plan.roles {
            if role.acked.is_some() {
                continue;
            }
            for page in role.current() {
                if let Some(o) =
                    page_mail(input, role, &page.member, page.step, page.round, page.all)
                {
                    out.push(o);
                }
            }
            if let Some(at) = role.unanswered_at {
                out.extend(unanswered(input, role, at));
            }
        }
    }
    for e in input.events {
        out.extend(update(input, Some(e)));
    }
    if resolved {
        out.extend(update(input, None));
    }
    out
}

fn lead_line(plan_baton: &Option<String>) -> String {
    match plan_baton {
        Some(m) => format!("Incident lead (holds the baton): {m}"),
        None => "Incident lead: nobody yet; the first coordination ack takes the baton".into(),
    }
}

/// One line per role: who is paged, who acked.
pub fn role_lines(plan: &Plan, counts: &BTreeMap<String, usize>) -> String {
    let mut s = String::new();
    for r in &plan.roles {
        let _ = write!(s, "  {}: ", r.role);
        match &r.acked {
            Some((m, at)) => {
                let _ = write!(s, "acked by {m} at {}", hhmm(*at));
            }
            None => {
                let now: Vec<String> = r
                    .current()
                    .map(|p| {
                        let n = counts.get(&p.member).copied().unwrap_or(0);
                        format!("{} ({})", p.member, contacts_words(n))
                    })
                    .collect();
                if now.is_empty() {
                    s.push_str("nobody listed");
                } else if r.unanswered_at.is_some() {
                    let _ = write!(s, "UNANSWERED, everyone paged: {}", now.join(", "));
                } else {
                    let round = r.pages.last().map(|p| p.round).unwrap_or(1);
                    let _ = write!(s, "paging {} (round {round})", now.join(", "));
                }
            }
        }
        if !r.declined.is_empty() {
            let d: Vec<&str> = r.declined.iter().map(|(m, _)| m.as_str()).collect();
            let _ = write!(s, "; declined: {}", d.join(", "));
        }
        s.push('\n');
    }
    s
}

/// `paged, 2 private contacts`, as others may see it.
pub fn contacts_words(n: usize) -> String {
    match n {
        0 => "team address only".into(),
        1 => "1 private contact".into(),
        n => format!("{n} private contacts"),
    }
}

fn page_mail(
    input: &Input<'_>,
    role: &RolePlan,
    member: &str,
    step: usize,
    round: u32,
    all: bool,
) -> Option<Out> {
    let to = email(input.team, member)?;
    let id = input.raised.id;
    let issue = input.issue;
    let tok = input
        .secret
        .map(|k| token::token(k, id, &role.role, member));
    let package = issue
        .packages
        .first()
        .map(|p| format!(" {p}"))
        .unwrap_or_default();
    let subject = match &tok {
        Some(t) => format!("BAT-SIGNAL {} #{}{package} [{t}]", role.role, issue.id),
        None => format!("BAT-SIGNAL {} #{}{package}", role.role, issue.id),
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "You are paged for {} on Bat-Signal {id}, raised by {} at {}:\n  {}\n",
        role.role,
        input.raised.raised_by,
        time::format(input.raised.at),
        input.raised.reason
    );
    if all {
        let _ = writeln!(
            text,
            "Nobody took {} through {} rounds: everyone listed for it is paged now.\n",
            role.role, input.signal.rounds
        );
    } else if round > 1 {
        let _ = writeln!(text, "This is round {round} of {}.\n", input.signal.rounds);
    }
    let _ = writeln!(text, "#{} {}", issue.id, issue.title);
    let _ = writeln!(
        text,
        "Severity: {}",
        issue.severity.as_deref().unwrap_or("unset")
    );
    if !issue.cves.is_empty() {
        let _ = writeln!(text, "CVEs: {}", issue.cves.join(", "));
    }
    if !issue.packages.is_empty() {
        let _ = writeln!(text, "Packages: {}", issue.packages.join(", "));
    }
    if !issue.sources.is_empty() {
        let s: Vec<String> = issue
            .sources
            .iter()
            .map(|(src, at)| format!("{src} {}", time::format(*at)))
            .collect();
        let _ = writeln!(text, "Sources: {}", s.join(", "));
    }
    let _ = writeln!(text, "\n{}", lead_line(&input.plan.baton));
    if let Some(w) = &input.signal.war_room {
        let _ = writeln!(text, "War room: {w}");
    }
    if let Some(c) = &input.signal.checklist {
        let _ = writeln!(text, "Checklist: {c}");
    }
    let _ = writeln!(
        text,
        "\nRoles:\n{}",
        role_lines(input.plan, input.contact_counts)
    );
    let _ = writeln!(text, "To take {}:", role.role);
    if tok.is_some() {
        let _ = writeln!(
            text,
            "  reply to this mail (first word \"no\" or \"decline\" if you cannot take it now), or"
        );
    }
    let _ = writeln!(text, "  secdesk signal ack {id} --role {}", role.role);
    let _ = writeln!(
        text,
        "Cannot take it now: secdesk signal decline {id} --role {}",
        role.role
    );
    let reply_to = match (&tok, &input.signal.reply_to) {
        (Some(t), Some(r)) => Some(token::reply_address(r, t)),
        _ => None,
    };
    Some(Out {
        mail: Mail {
            key: Key::SignalPage {
                signal: id,
                role: &role.role,
                member,
                step,
            }
            .to_string(),
            kind: MailKind::SignalPage,
            to: vec![to.to_string()],
            subject,
            text,
            html: None,
        },
        reply_to,
        contacts_of: Some(member.to_string()),
    })
}

fn unanswered(input: &Input<'_>, role: &RolePlan, at: Instant) -> Option<Out> {
    let lead = super::plan::baton_at(input.events, at).unwrap_or(input.raised.raised_by.clone());
    let to = email(input.team, &lead)?;
    let id = input.raised.id;
    let mut text = format!(
        "Nobody acked {} on Bat-Signal {id} (#{}) through {} rounds of {} each; at {} every member listed for it was paged at once.\n\n",
        role.role,
        input.issue.id,
        input.signal.rounds,
        input.signal.ack_timeout,
        time::format(at)
    );
    let _ = writeln!(
        text,
        "Roles:\n{}",
        role_lines(input.plan, input.contact_counts)
    );
    Some(Out {
        mail: Mail {
            key: Key::SignalUnanswered {
                signal: id,
                role: &role.role,
            }
            .to_string(),
            kind: MailKind::SignalUnanswered,
            to: vec![to.to_string()],
            subject: format!("BAT-SIGNAL #{}: {} UNANSWERED", input.issue.id, role.role),
            text,
            html: None,
        },
        reply_to: None,
        contacts_of: None,
    })
}

fn update(input: &Input<'_>, event: Option<&Event>) -> Option<Out> {
    let id = input.raised.id;
    let issue = input.issue.id;
    let (at, line) = match event {
        Some(e) => {
            let role = e.role.as_deref().unwrap_or("");
            let what = match e.kind {
                EventKind::Ack => format!("{role} acked by {}", e.member),
                EventKind::Decline => format!("{role} declined by {}", e.member),
                EventKind::Baton => format!("baton passed to {} by {}", e.member, e.actor),
            };
            (e.at, what)
        }
        None => {
            let r = input.raised.resolved.as_ref()?;
            (r.at, format!("resolved by {}: {}", r.by, r.summary))
        }
    };
    let mut ids = input.plan.paged_by(at);
    if !ids.contains(&input.raised.raised_by) {
        ids.push(input.raised.raised_by.clone());
    }
    if let Some(e) = event.filter(|e| e.kind == EventKind::Baton)
        && !ids.contains(&e.member)
    {
        ids.push(e.member.clone());
    }
    let to: Vec<String> = ids
        .iter()
        .filter_map(|m| email(input.team, m))
        .map(str::to_string)
        .collect();
    if to.is_empty() {
        return None;
    }
    let baton = super::plan::baton_at(input.events, at);
    let mut text = format!(
        "Bat-Signal {id} (#{issue}): {line}.\n\n{}\n",
        lead_line(&baton)
    );
    if let Some(w) = &input.signal.war_room {
        let _ = writeln!(text, "War room: {w}");
    }
    let _ = writeln!(
        text,
        "\nRoles:\n{}",
        role_lines(input.plan, input.contact_counts)
    );
    let _ = writeln!(text, "secdesk signal status {id}");
    Some(Out {
        mail: Mail {
            key: Key::SignalUpdate {
                signal: id,
                event: event.map(|e| e.id),
            }
            .to_string(),
            kind: MailKind::SignalUpdate,
            to,
            subject: format!("BAT-SIGNAL #{issue}: {line}"),
            text,
            html: None,
        },
        reply_to: None,
        contacts_of: None,
    })
}

/// The issue's packages that are in `core` (`signal.core_packages`),
/// compared without regard to case: a critical issue in one of them is
/// proposed for a Bat-Signal.
pub fn core_packages<'a>(issue: &'a IssueFacts, core: &[String]) -> Vec<&'a str> {
    issue
        .packages
        .iter()
        .filter(|p| core.iter().any(|c| c.eq_ignore_ascii_case(p)))
        .map(String::as_str)
        .collect()
}

/// The proposal to the member on call when ingest raised `issue` to
/// critical in a core package: secdesk never pages by itself.
pub fn proposal(issue: &IssueFacts, on_call: &Member) -> Option<Mail> {
    let to = on_call.email.clone()?;
    let text = format!(
        "Ingest raised #{} to critical, in a core package ({}):\n  {}\n\n\
         If the internet is on fire, page one responder per role:\n  secdesk signal raise {} --reason TEXT\n\n\
         secdesk never raises a Bat-Signal by itself.\n",
        issue.id,
        issue.packages.join(", "),
        issue.title,
        issue.id
    );
    Some(Mail {
        key: Key::SignalProposal { issue: issue.id }.to_string(),
        kind: MailKind::SignalProposal,
        to: vec![to],
        subject: format!(
            "Bat-Signal for #{}? critical in {}",
            issue.id,
            issue.packages.join(", ")
        ),
        text,
        html: None,
    })
}
