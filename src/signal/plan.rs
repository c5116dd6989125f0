//! Who is paged for each role, when: a pure function of the configuration,
//! the signal's events and `now`.
//!
//! Per role, independently: the members listed for it for whom it is
//! daytime (inside their `awake` hours, in their zone, at the moment the
//! signal is raised) come first, then the others, each group in the
//! listed order. A page waits `ack_timeout`; then the next member is
//! paged (at once when the paged member declines); after the list, it
//! starts again; after `rounds` rounds every member of the role is paged
//! at once and the incident lead (or the raiser) is told the role is
//! unanswered. A member who declined is skipped from then on. A role stops
//! at its first ack; the others go on. Nothing is paged after the signal
//! is resolved.

use super::{Event, EventKind, Raised};
use crate::config::{COORDINATION, Member, Signal};
use crate::time::Instant;

/// One page: a member asked to take a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Who is paged.
    pub member: String,
    /// When (UTC).
    pub at: Instant,
    /// The round, from 1; the everyone-at-once page has `rounds + 1`.
    pub round: u32,
    /// Which page of the role this is, from 1; the everyone-at-once pages
    /// share the last step.
    pub step: usize,
    /// Whether it is the everyone-at-once page after the last round.
    pub all: bool,
}

/// Where one role stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePlan {
    /// The role.
    pub role: String,
    /// Its members in the order they are paged (awake first).
    pub order: Vec<String>,
    /// Of those, who was awake when the signal was raised.
    pub awake: Vec<String>,
    /// Every page so far, oldest first.
    pub pages: Vec<Page>,
    /// Who acked it and when.
    pub acked: Option<(String, Instant)>,
    /// Who declined and when.
    pub declined: Vec<(String, Instant)>,
    /// When the role was found unanswered (every member paged at once).
    pub unanswered_at: Option<Instant>,
    /// When the next page goes out, while the role waits for an ack.
    pub next_at: Option<Instant>,
}

impl RolePlan {
    /// The pages in force: the last step's (one member, or everyone after
    /// the last round). Earlier pages were superseded.
    pub fn current(&self) -> impl Iterator<Item = &Page> {
        let last = self.pages.last().map(|p| p.step);
        self.pages.iter().filter(move |p| Some(p.step) == last)
    }

    /// Whether `member` was paged for this role at or before `at`.
    pub fn paged_by(&self, member: &str, at: Instant) -> bool {
        self.pages.iter().any(|p| p.member == member && p.at <= at)
    }
}

/// The whole signal's plan at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Each configured role, in the configuration's order.
    pub roles: Vec<RolePlan>,
    /// Who holds the incident lead's baton: the first coordination ack,
    /// then whoever it was passed to.
    pub baton: Option<String>,
}

impl Plan {
    /// Every member paged for any role at or before `at`, each once, in
    /// the order first paged.
    pub fn paged_by(&self, at: Instant) -> Vec<String> {
        let mut pages: Vec<&Page> = self
            .roles
            .iter()
            .flat_map(|r| r.pages.iter())
            .filter(|p| p.at <= at)
            .collect();
        pages.sort_by_key(|p| p.at);
        let mut out: Vec<String> = Vec::new();
        for p in pages {
            if !out.contains(&p.member) {
                out.push(p.member.clone());
            }
        }
        out
    }

    /// The role's plan.
    pub fn role(&self, role: &str) -> Option<&RolePlan> {
        self.roles.iter().find(|r| r.role == role)
    }
}

/// Whether it is daytime for `member` at `at`.
pub fn is_awake(member: &Member, at: Instant) -> bool {
    let local = at.with_timezone(&member.timezone).time();
    member.awake.contains(local)
}

/// The baton holder after `events` up to `at`: the first coordination ack
/// takes it; each pass moves it.
pub fn baton_at(events: &[Event], at: Instant) -> Option<String> {
    let mut holder = None;
    for e in events.iter().filter(|e| e.at <= at) {
        match e.kind {
            EventKind::Ack if e.role.as_deref() == Some(COORDINATION) && holder.is_none() => {
                holder = Some(e.member.clone());
            }
            EventKind::Baton => holder = Some(e.member.clone()),
            _ => {}
        }
    }
    holder
}

/// The plan of `raised` under `signal` and `team`, given its `events`
/// (in id order), at `now`.
pub fn plan(
    signal: &Signal,
    team: &[Member],
    raised: &Raised,
    events: &[Event],
    now: Instant,
) -> Plan {
    let until = match &raised.resolved {
        Some(r) if r.at < now => r.at,
        _ => now,
    };
    let roles = signal
        .roles
        .iter()
        .map(|(role, ids)| role_plan(signal, team, raised, events, role, ids, until))
        .collect();
    Plan {
        roles,
        baton: baton_at(events, until),
    }
}

fn role_plan(
    signal: &Signal,
    team: &[Member],
    raised: &Raised,
    events: &[Event],
    role: &str,
    ids: &[String],
    until: Instant,
) -> RolePlan {
    let awake_now = |id: &String| {
        team.iter()
            .find(|m| &m.id == id)
            .is_some_and(|m| is_awake(m, raised.at))
    };
    let awake: Vec<String> = ids.iter().filter(|id| awake_now(id)).cloned().collect();
    let mut order = awake.clone();
    order.extend(ids.iter().filter(|id| !awake_now(id)).cloned());

    let mine = |kind: EventKind| {
        events
            .iter()
            .filter(move |e| e.kind == kind && e.role.as_deref() == Some(role))
    };
    let acked = mine(EventKind::Ack)
        .find(|e| e.at <= until)
        .map(|e| (e.member.clone(), e.at));
    let declines: Vec<(String, Instant)> = mine(EventKind::Decline)
        .filter(|e| e.at <= until)
        .map(|e| (e.member.clone(), e.at))
        .collect();
    let declined_by = |id: &str, t: Instant| declines.iter().any(|(m, at)| m == id && *at <= t);

    let timeout = signal.ack_timeout.duration();
    let n = order.len();
    let seq_len = n * signal.rounds as usize;
    let mut pages = Vec::new();
    let mut unanswered_at = None;
    let mut next_at = None;
    let mut t = raised.at;
    let mut i = 0;
    let mut step = 0;
    loop {
        while i < seq_len && declined_by(&order[i % n], t) {
            i += 1;
        }
        if i >= seq_len {
            // Everyone at once (but those who said they cannot), once.
            if t <= until && acked_before(&acked, t) {
                step += 1;
                for id in order.iter().filter(|id| !declined_by(id, t)) {
                    pages.push(Page {
                        member: id.clone(),
                        at: t,
                        round: signal.rounds + 1,
                        step,
                        all: true,
                    });
                }
                unanswered_at = Some(t);
            } else if acked.is_none() {
                next_at = Some(t);
            }
            break;
        }
        if t > until || !acked_before(&acked, t) {
            if acked.is_none() {
                next_at = Some(t);
            }
            break;
        }
        let member = order[i % n].clone();
        step += 1;
        pages.push(Page {
            member: member.clone(),
            at: t,
            round: (i / n) as u32 + 1,
            step,
            all: false,
        });
        let mut next = t + timeout;
        if let Some((_, d)) = declines
            .iter()
            .find(|(m, at)| *m == member && *at >= t && *at < next)
        {
            next = *d;
        }
        t = next;
        i += 1;
    }
    RolePlan {
        role: role.to_string(),
        order,
        awake,
        pages,
        acked,
        declined: declines,
        unanswered_at,
        next_at,
    }
}

/// Whether a page at `t` still goes out: before the role's ack (a page at
/// the very instant of the ack is not sent).
fn acked_before(acked: &Option<(String, Instant)>, t: Instant) -> bool {
    match acked {
        Some((_, at)) => t < *at,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::signal::Via;
    use expect_test::{Expect, expect};
    use std::path::Path;

    /// Four roles as in the contract; members in Berlin, New York, Tokyo
    /// and Sydney. At 10:00 UTC bob (05:00 in New York) is asleep.
    const CONFIG: &str = r#"{
        "team": [
            {"id": "alice", "email": "alice@example.org", "timezone": "Europe/Berlin"},
            {"id": "bob", "email": "bob@example.org", "timezone": "America/New_York"},
            {"id": "carol", "email": "carol@example.org", "timezone": "Asia/Tokyo"},
            {"id": "dmitri", "email": "dmitri@example.org", "timezone": "Australia/Sydney", "awake": "07:00-23:30"}
        ],
        "signal": {
            "roles": {"coordination": ["alice", "dmitri"], "package-fixing": ["bob", "carol"],
                      "qa": ["carol", "alice"], "release-engineering": ["dmitri", "bob"]},
            "ack_timeout": "15m", "rounds": 2
        }
    }"#;

    fn at(m: i64) -> Instant {
        crate::time::parse("2026-11-22T10:00:00Z").unwrap() + chrono::Duration::minutes(m)
    }

    fn ev(id: i64, m: i64, kind: EventKind, member: &str, role: Option<&str>) -> Event {
        Event {
            id,
            at: at(m),
            kind,
            member: member.into(),
            role: role.map(str::to_string),
            actor: member.into(),
            via: Via::Cli,
        }
    }

    /// The plan at `now` minutes after the raise, one line per role.
    fn check(events: &[Event], now: i64, expect: Expect) {
        let config = Config::parse(Path::new("c.json"), CONFIG).unwrap();
        let signal = config.signal.clone().unwrap();
        let raised = Raised {
            id: 1,
            issue: 12,
            raised_by: "alice".into(),
            reason: "heartbleed".into(),
            at: at(0),
            resolved: None,
        };
        let p = plan(&signal, &config.team, &raised, events, at(now));
        let mut out = String::new();
        for r in &p.roles {
            let pages: Vec<String> = r
                .pages
                .iter()
                .map(|pg| {
                    let m = (pg.at - at(0)).num_minutes();
                    if pg.all {
                        format!("{}@{m}!", pg.member)
                    } else {
                        format!("{}@{m}r{}", pg.member, pg.round)
                    }
                })
                .collect();
            out.push_str(&format!(
                "{}: order {} | {}",
                r.role,
                r.order.join(","),
                pages.join(" ")
            ));
            if let Some((m, t)) = &r.acked {
                out.push_str(&format!(" | acked {m}@{}", (*t - at(0)).num_minutes()));
            }
            if let Some(t) = r.unanswered_at {
                out.push_str(&format!(" | unanswered@{}", (t - at(0)).num_minutes()));
            }
            if let Some(t) = r.next_at {
                out.push_str(&format!(" | next@{}", (t - at(0)).num_minutes()));
            }
            out.push('\n');
        }
        out.push_str(&format!("baton: {}\n", p.baton.as_deref().unwrap_or("-")));
        expect.assert_eq(&out);
    }

    #[test]
    fn awake_members_are_paged_first_one_per_role() {
        check(
            &[],
            0,
            expect![[r#"
                coordination: order alice,dmitri | alice@0r1 | next@15
                package-fixing: order carol,bob | carol@0r1 | next@15
                qa: order carol,alice | carol@0r1 | next@15
                release-engineering: order dmitri,bob | dmitri@0r1 | next@15
                baton: -
            "#]],
        );
    }

    #[test]
    fn each_role_escalates_on_its_own_after_the_ack_timeout() {
        let acks = [ev(1, 5, EventKind::Ack, "alice", Some("coordination"))];
        check(
            &acks,
            14,
            expect![[r#"
                coordination: order alice,dmitri | alice@0r1 | acked alice@5
                package-fixing: order carol,bob | carol@0r1 | next@15
                qa: order carol,alice | carol@0r1 | next@15
                release-engineering: order dmitri,bob | dmitri@0r1 | next@15
                baton: alice
            "#]],
        );
        check(
            &acks,
            15,
            expect![[r#"
                coordination: order alice,dmitri | alice@0r1 | acked alice@5
                package-fixing: order carol,bob | carol@0r1 bob@15r1 | next@30
                qa: order carol,alice | carol@0r1 alice@15r1 | next@30
                release-engineering: order dmitri,bob | dmitri@0r1 bob@15r1 | next@30
                baton: alice
            "#]],
        );
    }

    #[test]
    fn after_the_last_round_everyone_in_the_role_is_paged_at_once() {
        let acks = [
            ev(1, 5, EventKind::Ack, "alice", Some("coordination")),
            ev(2, 20, EventKind::Ack, "alice", Some("qa")),
            ev(3, 40, EventKind::Ack, "dmitri", Some("release-engineering")),
        ];
        check(
            &acks,
            75,
            expect![[r#"
                coordination: order alice,dmitri | alice@0r1 | acked alice@5
                package-fixing: order carol,bob | carol@0r1 bob@15r1 carol@30r2 bob@45r2 carol@60! bob@60! | unanswered@60
                qa: order carol,alice | carol@0r1 alice@15r1 | acked alice@20
                release-engineering: order dmitri,bob | dmitri@0r1 bob@15r1 dmitri@30r2 | acked dmitri@40
                baton: alice
            "#]],
        );
    }

    #[test]
    fn a_decline_pages_the_next_member_at_once_and_skips_the_decliner() {
        let events = [ev(
            1,
            3,
            EventKind::Decline,
            "carol",
            Some("package-fixing"),
        )];
        check(
            &events,
            40,
            expect![[r#"
                coordination: order alice,dmitri | alice@0r1 dmitri@15r1 alice@30r2 | next@45
                package-fixing: order carol,bob | carol@0r1 bob@3r1 bob@18r2 bob@33! | unanswered@33
                qa: order carol,alice | carol@0r1 alice@15r1 carol@30r2 | next@45
                release-engineering: order dmitri,bob | dmitri@0r1 bob@15r1 dmitri@30r2 | next@45
                baton: -
            "#]],
        );
    }

    #[test]
    fn the_baton_goes_to_the_first_coordination_ack_then_to_whoever_it_is_passed() {
        let mut pass = ev(3, 30, EventKind::Baton, "carol", None);
        pass.actor = "dmitri".into();
        let events = [
            ev(1, 2, EventKind::Ack, "dmitri", Some("coordination")),
            ev(2, 4, EventKind::Ack, "alice", Some("coordination")),
            pass,
        ];
        assert_eq!(baton_at(&events, at(10)).as_deref(), Some("dmitri"));
        assert_eq!(baton_at(&events, at(31)).as_deref(), Some("carol"));
    }
}
