//! One week of rota changes across daylight-saving time, through the real
//! binaries, a real SMTP server and `--now` for every command: an away day,
//! a swap, an away during the shift in progress, undos, a swap read back
//! through a real iCalendar parser, and the refusals.
//!
//! The team: alice (Europe/Berlin), bob (America/New_York), carol
//! (Asia/Tokyo), dave (Australia/Adelaide); `rotation.start` 2026-03-23 (a
//! Monday), handoff 00:00 UTC, order alice, bob, carol, dave. Every
//! expectation below is worked out by hand from the rules, not by the
//! program.
//!
//! The fixed round-robin (shift i is order[i % 4], 00:00 to 00:00 UTC):
//!
//! ```text
//!   Mon 03-23 alice   Fri 03-27 alice   Tue 03-31 alice   Sat 04-04 alice
//!   Tue 03-24 bob     Sat 03-28 bob     Wed 04-01 bob     Sun 04-05 bob
//!   Wed 03-25 carol   Sun 03-29 carol   Thu 04-02 carol   Mon 04-06 carol
//!   Thu 03-26 dave    Mon 03-30 dave    Fri 04-03 dave    Tue 04-07 dave
//!   (04-08 alice, 04-09 bob, 04-10 carol, 04-11 dave, 04-12 alice)
//! ```
//!
//! The zones that week: Berlin is CET (UTC+1) until 2026-03-29 01:00 UTC,
//! then CEST (UTC+2); New York is EDT (UTC-4) all week; Tokyo is JST
//! (UTC+9); Adelaide is ACDT (UTC+10:30) until 2026-04-04 16:30 UTC (03:00
//! local on the 5th), then ACST (UTC+9:30). So 00:00 UTC is 01:00 in Berlin
//! up to the 29th and 02:00 from the 30th, 20:00 the evening before in New
//! York, 09:00 in Tokyo, and 10:30 in Adelaide up to the 4th and 09:30 from
//! the 5th.

use crate::harness::smtp::SmtpServer;
use crate::util::Desk;
use mail_parser::MessageParser;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// A change (or undo) of the scenario: when it is made and the arguments.
type Step = (&'static str, &'static [&'static str]);

/// #1 (step a): carol is away for one day, her shift of Thu 04-02.
const AWAY_APR_2: Step = (
    "2026-03-23T06:10:00Z",
    &[
        "--as",
        "carol",
        "rota",
        "away",
        "carol",
        "2026-04-02",
        "2026-04-02",
    ],
);
/// #2 (step b): dave's Mon 03-30 and alice's Tue 03-31 trade.
const SWAP_30_31: Step = (
    "2026-03-26T09:00:00Z",
    &["--as", "alice", "rota", "swap", "2026-03-30", "2026-03-31"],
);
/// #3 (step b): three hours into carol's shift of Sun 03-29, she is away
/// for that day.
const AWAY_29_MID_SHIFT: Step = (
    "2026-03-29T03:00:00Z",
    &[
        "--as",
        "carol",
        "rota",
        "away",
        "carol",
        "2026-03-29",
        "2026-03-29",
    ],
);
/// Step c: alice takes #1 back.
const UNDO_1: Step = (
    "2026-03-29T12:00:00Z",
    &["--as", "alice", "rota", "undo", "1"],
);
/// #4 (step c): a cover, undone a minute later, before any rotate-notify
/// run saw it.
const COVER_APR_6: Step = (
    "2026-03-29T13:00:00Z",
    &[
        "--as",
        "bob",
        "rota",
        "cover",
        "2026-04-06",
        "--by",
        "alice",
    ],
);
const UNDO_4: Step = (
    "2026-03-29T13:01:00Z",
    &["--as", "bob", "rota", "undo", "4"],
);
/// #5 (step d): dave's Fri 04-03 and alice's Sat 04-04 trade; dave's new
/// shift spans Adelaide's return to standard time.
const SWAP_APR_3_4: Step = (
    "2026-03-30T06:00:00Z",
    &["--as", "dave", "rota", "swap", "2026-04-03", "2026-04-04"],
);

/// The four-member, four-zone team and its rotation (plus `smtp` when
/// given).
fn four_zones(desk: &Desk, smtp: Option<&SmtpServer>) {
    let mut c = desk.config_json();
    c["team"] = serde_json::json!([
        {"id": "alice", "name": "Alice", "email": "alice@example.org", "timezone": "Europe/Berlin"},
        {"id": "bob", "name": "Bob", "email": "bob@example.org", "timezone": "America/New_York"},
        {"id": "carol", "name": "Carol", "email": "carol@example.org", "timezone": "Asia/Tokyo"},
        {"id": "dave", "name": "Dave", "email": "dave@example.org", "timezone": "Australia/Adelaide"}
    ]);
    c["rotation"] = serde_json::json!({
        "start": "2026-03-23",
        "handoff": "00:00",
        "order": ["alice", "bob", "carol", "dave"],
        "remind_before": "12h"
    });
    if let Some(s) = smtp {
        c["smtp"] = s.config();
    }
    desk.set_config(&c);
}

/// Runs a change and returns its output (asserting exit 0).
fn make(desk: &Desk, (now, args): Step) -> String {
    desk.cmd_at("secdesk", now).args(args).stdout()
}

/// A mail the SMTP server received.
#[derive(Debug, Clone)]
struct Got {
    /// Its outbox key (X-Secdesk-Key).
    key: String,
    /// The member it went to (X-Envelope-To, less `@example.org`).
    to: String,
    subject: String,
    /// The text, with LF line ends.
    body: String,
}

fn received(smtp: &SmtpServer) -> Vec<Got> {
    smtp.received()
        .iter()
        .map(|raw| {
            let p = MessageParser::default().parse(raw).expect("parse mail");
            let header = |h: &str| p.header_raw(h).unwrap_or("").trim().to_string();
            Got {
                key: header("X-Secdesk-Key"),
                to: header("X-Envelope-To")
                    .trim_end_matches("@example.org")
                    .to_string(),
                subject: p.subject().unwrap_or("").to_string(),
                body: p
                    .body_text(0)
                    .map(|b| b.replace("\r\n", "\n"))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// What the SMTP server has received so far, step by step.
struct Inbox<'a> {
    smtp: &'a SmtpServer,
    seen: BTreeSet<String>,
}

impl Inbox<'_> {
    /// Runs rotate-notify at `now` and asserts that the mails it delivers
    /// are exactly `expected` (key → member), each once; returns them by
    /// key.
    fn notify(
        &mut self,
        desk: &Desk,
        now: &str,
        expected: &[(&str, &str)],
    ) -> BTreeMap<String, Got> {
        desk.cmd_at("secdesk-rotate-notify", now).stdout();
        let all = received(self.smtp);
        let fresh: Vec<Got> = all
            .iter()
            .filter(|m| !self.seen.contains(&m.key))
            .cloned()
            .collect();
        assert_eq!(
            all.len(),
            self.seen.len() + fresh.len(),
            "{now}: a mail was sent again under a key already delivered"
        );
        let got: Vec<(String, String)> = fresh
            .iter()
            .map(|m| (m.key.clone(), m.to.clone()))
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want: Vec<(String, String)> = expected
            .iter()
            .map(|(k, m)| (k.to_string(), m.to_string()))
            .collect();
        want.sort();
        assert_eq!(
            got_sorted, want,
            "{now}: the mails delivered (key, recipient)"
        );
        self.seen.extend(fresh.iter().map(|m| m.key.clone()));
        fresh.into_iter().map(|m| (m.key.clone(), m)).collect()
    }
}

/// The `shift of D:` blocks of a change notice: (date, before, after).
fn shifts_listed(body: &str) -> Vec<(String, String, String)> {
    let lines: Vec<&str> = body.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(date) = l
            .trim()
            .strip_prefix("shift of ")
            .and_then(|d| d.strip_suffix(':'))
        {
            let before = lines
                .get(i + 1)
                .and_then(|b| b.trim().strip_prefix("before:"));
            let after = lines
                .get(i + 2)
                .and_then(|a| a.trim().strip_prefix("after:"));
            out.push((
                date.to_string(),
                before.unwrap_or("?").trim().to_string(),
                after.unwrap_or("?").trim().to_string(),
            ));
        }
    }
    out
}

fn triple(date: &str, before: &str, after: &str) -> (String, String, String) {
    (date.to_string(), before.to_string(), after.to_string())
}

/// `rota --json` as documented: `{"shifts": [...], "changes": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotaJson {
    shifts: Vec<ShiftJson>,
    changes: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct ShiftJson {
    date: String,
    start: String,
    end: String,
    member: String,
    scheduled: String,
    change: Option<i64>,
}

fn rota_json(desk: &Desk, now: &str) -> RotaJson {
    desk.cmd_at("secdesk", now)
        .args(["rota", "--from", "2026-03-23", "--days", "21", "--json"])
        .json()
}

fn instant(s: &str) -> secdesk::time::Instant {
    secdesk::time::parse(s).unwrap_or_else(|| panic!("not an instant: {s}"))
}

/// Nobody is on call for more than 24 hours in a row (consecutive parts
/// of one member joined up), and nobody holds two consecutive shift dates.
fn assert_no_one_on_call_too_long(shifts: &[ShiftJson]) {
    let mut run: Option<(String, secdesk::time::Instant, secdesk::time::Instant)> = None;
    for s in shifts {
        let (start, end) = (instant(&s.start), instant(&s.end));
        run = match run {
            Some((m, from, to)) if m == s.member && to == start => Some((m, from, end)),
            Some((_, _, to)) => {
                assert_eq!(to, start, "parts tile time: {s:?}");
                Some((s.member.clone(), start, end))
            }
            None => Some((s.member.clone(), start, end)),
        };
        let (m, from, to) = run.as_ref().expect("a run");
        assert!(
            *to - *from <= chrono::Duration::hours(24),
            "{m} on call from {from} to {to}: more than 24 hours in a row"
        );
    }
    let mut by_date: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in shifts {
        by_date.entry(&s.date).or_default().insert(&s.member);
    }
    let dates: Vec<(&&str, &BTreeSet<&str>)> = by_date.iter().collect();
    for w in dates.windows(2) {
        let both: Vec<&&str> = w[0].1.intersection(w[1].1).collect();
        assert!(
            both.is_empty(),
            "{both:?} on call for both {} and {}",
            w[0].0,
            w[1].0
        );
    }
}

fn shift(
    date: &str,
    start: &str,
    end: &str,
    member: &str,
    scheduled: &str,
    change: Option<i64>,
) -> ShiftJson {
    ShiftJson {
        date: date.into(),
        start: start.into(),
        end: end.into(),
        member: member.into(),
        scheduled: scheduled.into(),
        change,
    }
}

/// A whole shift of `date` (2026-MM-DD) as `rota --json` shows it.
fn whole(date: &str, member: &str, scheduled: &str, change: Option<i64>) -> ShiftJson {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
    let next = d + chrono::Duration::days(1);
    shift(
        date,
        &format!("{d}T00:00:00Z"),
        &format!("{next}T00:00:00Z"),
        member,
        scheduled,
        change,
    )
}

/// Steps a to c (and the notices of step d's swap): each change mails
/// exactly the members whose shifts it moved, listing only those shifts
/// in their own zone with UTC beside; a change during a shift splits it at
/// that instant; an undo tells the members it moves back; an undo before
/// any announcement sends nothing.
#[test]
fn a_week_of_changes_across_daylight_saving_mails_exactly_the_members_moved() {
    let desk = Desk::new("rota_scenario_week");
    let smtp = SmtpServer::start("rota-scenario");
    four_zones(&desk, Some(&smtp));
    let mut inbox = Inbox {
        smtp: &smtp,
        seen: BTreeSet::new(),
    };

    // Mon 03-23 06:00: alice's first shift is running, nothing before it;
    // the next (bob's, 03-24 00:00) is more than 12 hours off, so no
    // reminder. The only mail: alice's handoff, in Berlin winter time.
    let m = inbox.notify(
        &desk,
        "2026-03-23T06:00:00Z",
        &[("shift-start:2026-03-23:alice", "alice")],
    );
    let body = &m["shift-start:2026-03-23:alice"].body;
    assert!(
        body.contains(
            "runs from\n  Mon 2026-03-23 01:00 CET (00:00 UTC)\nto\n  Tue 2026-03-24 01:00 CET (00:00 UTC)"
        ),
        "{body}"
    );

    // a. carol is away on Thu 04-02, her shift. Its neighbours are bob
    // (04-01) and dave (04-03); of the three available members (alice,
    // bob, dave) only alice is on call neither the shift before nor the
    // one after, so the rule gives it to alice, without load or order
    // having a say. Nothing else moves.
    let out = make(&desk, AWAY_APR_2);
    eqnice!(
        "rota change #1 recorded: carol away 2026-04-02 (by carol)\n  shift of 2026-04-02: carol → alice\nsecdesk-rotate-notify tells alice, carol (nobody else).\n",
        out
    );
    let m = inbox.notify(
        &desk,
        "2026-03-23T06:15:00Z",
        &[
            ("rota-change:1:alice", "alice"),
            ("rota-change:1:carol", "carol"),
        ],
    );
    let subject = "[secdesk] rota change #1 (carol away 2026-04-02): your shifts change";
    // Berlin is on summer time by 04-02: 00:00 UTC is 02:00 CEST.
    let alice = &m["rota-change:1:alice"];
    assert_eq!(alice.subject, subject);
    assert_eq!(
        shifts_listed(&alice.body),
        [triple(
            "2026-04-02",
            "not on call",
            "on call Thu 2026-04-02 02:00 CEST (00:00 UTC) to Fri 2026-04-03 02:00 CEST (00:00 UTC)"
        )],
        "{}",
        alice.body
    );
    let carol = &m["rota-change:1:carol"];
    assert_eq!(carol.subject, subject);
    assert_eq!(
        shifts_listed(&carol.body),
        [triple(
            "2026-04-02",
            "on call Thu 2026-04-02 09:00 JST (00:00 UTC) to Fri 2026-04-03 09:00 JST (00:00 UTC)",
            "not on call"
        )],
        "{}",
        carol.body
    );

    // b. During dave's shift of Thu 03-26, alice swaps 03-30 (dave's) and
    // 03-31 (hers): 03-29 carol, 03-30 alice, 03-31 dave, 04-01 bob; no one
    // has two in a row. rotate-notify at 09:05 also sends what is due for
    // the shift running (dave's handoff; carol's note for 03-25); the
    // reminder for 03-27 is not due before 12:00.
    let out = make(&desk, SWAP_30_31);
    eqnice!(
        "rota change #2 recorded: swap of 2026-03-30 and 2026-03-31 (by alice)\n  shift of 2026-03-30: dave → alice\n  shift of 2026-03-31: alice → dave\nsecdesk-rotate-notify tells alice, dave (nobody else).\n",
        out
    );
    let m = inbox.notify(
        &desk,
        "2026-03-26T09:05:00Z",
        &[
            ("shift-start:2026-03-26:dave", "dave"),
            ("shift-end:2026-03-25:carol", "carol"),
            ("rota-change:2:alice", "alice"),
            ("rota-change:2:dave", "dave"),
        ],
    );
    let body = &m["shift-start:2026-03-26:dave"].body;
    assert!(
        body.contains(
            "runs from\n  Thu 2026-03-26 10:30 ACDT (00:00 UTC)\nto\n  Fri 2026-03-27 10:30 ACDT (00:00 UTC)"
        ),
        "{body}"
    );
    assert!(body.contains("Handed over by carol at"), "{body}");
    let body = &m["shift-end:2026-03-25:carol"].body;
    assert!(
        body.contains("ended at\n  Thu 2026-03-26 09:00 JST (00:00 UTC)\ndave has taken over."),
        "{body}"
    );
    let alice = &m["rota-change:2:alice"];
    assert_eq!(
        alice.subject,
        "[secdesk] rota change #2 (swap of 2026-03-30 and 2026-03-31): your shifts change"
    );
    assert_eq!(
        shifts_listed(&alice.body),
        [
            triple(
                "2026-03-30",
                "not on call",
                "on call Mon 2026-03-30 02:00 CEST (00:00 UTC) to Tue 2026-03-31 02:00 CEST (00:00 UTC)"
            ),
            triple(
                "2026-03-31",
                "on call Tue 2026-03-31 02:00 CEST (00:00 UTC) to Wed 2026-04-01 02:00 CEST (00:00 UTC)",
                "not on call"
            ),
        ],
        "{}",
        alice.body
    );
    let dave = &m["rota-change:2:dave"];
    assert_eq!(
        shifts_listed(&dave.body),
        [
            triple(
                "2026-03-30",
                "on call Mon 2026-03-30 10:30 ACDT (00:00 UTC) to Tue 2026-03-31 10:30 ACDT (00:00 UTC)",
                "not on call"
            ),
            triple(
                "2026-03-31",
                "not on call",
                "on call Tue 2026-03-31 10:30 ACDT (00:00 UTC) to Wed 2026-04-01 10:30 ACDT (00:00 UTC)"
            ),
        ],
        "{}",
        dave.body
    );

    // Sun 03-29 00:05, the night Berlin springs forward: carol's shift
    // starts, bob's of 03-28 ended (20:00 EDT on the 28th in New York).
    let m = inbox.notify(
        &desk,
        "2026-03-29T00:05:00Z",
        &[
            ("shift-start:2026-03-29:carol", "carol"),
            ("shift-end:2026-03-28:bob", "bob"),
        ],
    );
    let body = &m["shift-end:2026-03-28:bob"].body;
    assert!(
        body.contains("ended at\n  Sat 2026-03-28 20:00 EDT (00:00 UTC)\ncarol has taken over."),
        "{body}"
    );
    let body = &m["shift-start:2026-03-29:carol"].body;
    assert!(
        body.contains("runs from\n  Sun 2026-03-29 09:00 JST (00:00 UTC)"),
        "{body}"
    );

    // Three hours into her shift (03:00 UTC, 12:00 in Tokyo) carol is away
    // for the day. The neighbours now are bob (03-28) and alice (03-30,
    // since the swap); of alice, bob and dave only dave is rested, so dave
    // takes the rest of the shift from 03:00 UTC (13:30 ACDT) to 03-30
    // 00:00 UTC (10:30 ACDT): 21 hours. Carol keeps 00:00 to 03:00.
    let out = make(&desk, AWAY_29_MID_SHIFT);
    eqnice!(
        "rota change #3 recorded: carol away 2026-03-29 (by carol)\n  shift of 2026-03-29: carol → dave from 03:00 UTC\nsecdesk-rotate-notify tells carol, dave (nobody else).\n",
        out
    );
    let m = inbox.notify(
        &desk,
        "2026-03-29T03:05:00Z",
        &[
            ("shift-start:2026-03-29T0300Z:dave", "dave"),
            ("shift-end:2026-03-29T0300Z:carol", "carol"),
            ("rota-change:3:carol", "carol"),
            ("rota-change:3:dave", "dave"),
        ],
    );
    let end = &m["shift-end:2026-03-29T0300Z:carol"].body;
    assert!(
        end.contains("ended early, at\n  Sun 2026-03-29 12:00 JST (03:00 UTC)"),
        "carol's shift ended at the instant of the change: {end}"
    );
    assert!(
        !end.contains("Sun 2026-03-29 09:00 JST"),
        "not when it started: {end}"
    );
    assert!(end.contains("dave has taken over"), "{end}");
    let start = &m["shift-start:2026-03-29T0300Z:dave"].body;
    assert!(
        start.contains("from carol at\n  Sun 2026-03-29 13:30 ACDT (03:00 UTC)\nuntil\n  Mon 2026-03-30 10:30 ACDT (00:00 UTC)"),
        "{start}"
    );
    assert!(
        start.contains("Handed over by carol at Sun 2026-03-29 13:30 ACDT (03:00 UTC)"),
        "{start}"
    );
    assert!(
        !start.contains("Sun 2026-03-29 10:30 ACDT"),
        "dave did not start at the shift's start: {start}"
    );
    let carol = &m["rota-change:3:carol"];
    let listed = shifts_listed(&carol.body);
    assert_eq!(listed.len(), 1, "only the shift of 03-29: {}", carol.body);
    assert_eq!(listed[0].0, "2026-03-29");
    assert!(
        listed[0].1.contains("Mon 2026-03-30 09:00 JST (00:00 UTC)"),
        "before: on call to the end of the shift: {}",
        carol.body
    );
    assert!(
        listed[0].2.contains("Sun 2026-03-29 12:00 JST (03:00 UTC)")
            && !listed[0].2.contains("09:00 JST"),
        "after: on call only until 03:00 UTC: {}",
        carol.body
    );
    let dave = &m["rota-change:3:dave"];
    let listed = shifts_listed(&dave.body);
    assert_eq!(listed.len(), 1, "only the shift of 03-29: {}", dave.body);
    assert_eq!(
        (listed[0].0.as_str(), listed[0].1.as_str()),
        ("2026-03-29", "not on call")
    );
    assert!(
        listed[0]
            .2
            .contains("Sun 2026-03-29 13:30 ACDT (03:00 UTC)")
            && listed[0]
                .2
                .contains("Mon 2026-03-30 10:30 ACDT (00:00 UTC)"),
        "{}",
        dave.body
    );

    // The schedule, as lived and planned: the shift of 03-29 in two parts.
    let v = rota_json(&desk, "2026-03-29T03:05:00Z");
    let expected = vec![
        whole("2026-03-23", "alice", "alice", None),
        whole("2026-03-24", "bob", "bob", None),
        whole("2026-03-25", "carol", "carol", None),
        whole("2026-03-26", "dave", "dave", None),
        whole("2026-03-27", "alice", "alice", None),
        whole("2026-03-28", "bob", "bob", None),
        shift(
            "2026-03-29",
            "2026-03-29T00:00:00Z",
            "2026-03-29T03:00:00Z",
            "carol",
            "carol",
            None,
        ),
        shift(
            "2026-03-29",
            "2026-03-29T03:00:00Z",
            "2026-03-30T00:00:00Z",
            "dave",
            "carol",
            Some(3),
        ),
        whole("2026-03-30", "alice", "dave", Some(2)),
        whole("2026-03-31", "dave", "alice", Some(2)),
        whole("2026-04-01", "bob", "bob", None),
        whole("2026-04-02", "alice", "carol", Some(1)),
        whole("2026-04-03", "dave", "dave", None),
        whole("2026-04-04", "alice", "alice", None),
        whole("2026-04-05", "bob", "bob", None),
        whole("2026-04-06", "carol", "carol", None),
        whole("2026-04-07", "dave", "dave", None),
        whole("2026-04-08", "alice", "alice", None),
        whole("2026-04-09", "bob", "bob", None),
        whole("2026-04-10", "carol", "carol", None),
        whole("2026-04-11", "dave", "dave", None),
        whole("2026-04-12", "alice", "alice", None),
    ];
    assert_eq!(v.shifts, expected);
    assert_no_one_on_call_too_long(&v.shifts);

    // c. alice undoes #1: 04-02 goes back to carol. #3's substitute is
    // the same without #1 (its neighbours did not change), so only alice
    // and carol are told. 12:05 is within 12 hours of alice's shift of
    // 03-30: her reminder is due too, in Berlin summer time.
    let out = make(&desk, UNDO_1);
    eqnice!(
        "rota change #1 undone: carol away 2026-04-02 (by alice)\n  shift of 2026-04-02: alice → carol\nsecdesk-rotate-notify tells alice, carol (nobody else).\n",
        out
    );
    let m = inbox.notify(
        &desk,
        "2026-03-29T12:05:00Z",
        &[
            ("reminder:2026-03-30:alice", "alice"),
            ("rota-undo:1:alice", "alice"),
            ("rota-undo:1:carol", "carol"),
        ],
    );
    let body = &m["reminder:2026-03-30:alice"].body;
    assert!(
        body.contains("from\n  Mon 2026-03-30 02:00 CEST (00:00 UTC)\nto\n  Tue 2026-03-31 02:00 CEST (00:00 UTC)\n(24 hours)"),
        "{body}"
    );
    let subject =
        "[secdesk] undone: rota change #1 (carol away 2026-04-02); your shifts change back";
    let alice = &m["rota-undo:1:alice"];
    assert_eq!(alice.subject, subject);
    assert!(
        alice
            .body
            .contains("You undid rota change #1 (carol away 2026-04-02, made by carol)"),
        "{}",
        alice.body
    );
    assert_eq!(
        shifts_listed(&alice.body),
        [triple(
            "2026-04-02",
            "on call Thu 2026-04-02 02:00 CEST (00:00 UTC) to Fri 2026-04-03 02:00 CEST (00:00 UTC)",
            "not on call"
        )],
        "{}",
        alice.body
    );
    let carol = &m["rota-undo:1:carol"];
    assert_eq!(carol.subject, subject);
    assert_eq!(
        shifts_listed(&carol.body),
        [triple(
            "2026-04-02",
            "not on call",
            "on call Thu 2026-04-02 09:00 JST (00:00 UTC) to Fri 2026-04-03 09:00 JST (00:00 UTC)"
        )],
        "{}",
        carol.body
    );

    // A cover made and undone before rotate-notify ran: nothing at all
    // (no notice of #4, no undo notice; everything else due was sent).
    let out = make(&desk, COVER_APR_6);
    assert!(
        out.starts_with("rota change #4 recorded: alice covers 2026-04-06 (by bob)\n  shift of 2026-04-06: carol → alice\n"),
        "{out}"
    );
    let out = make(&desk, UNDO_4);
    assert!(
        out.starts_with("rota change #4 undone: alice covers 2026-04-06 (by bob)\n  shift of 2026-04-06: alice → carol\n"),
        "{out}"
    );
    assert!(
        out.ends_with("the change was never announced, so nobody is told of the undo either.\n"),
        "{out}"
    );
    inbox.notify(&desk, "2026-03-29T13:05:00Z", &[]);

    // Mon 03-30 00:05: alice's shift (from the swap) starts, handed over by
    // dave, whose part of 03-29 ran to the shift's end (so its key has no
    // time). Still nothing about #4.
    let m = inbox.notify(
        &desk,
        "2026-03-30T00:05:00Z",
        &[
            ("shift-start:2026-03-30:alice", "alice"),
            ("shift-end:2026-03-29:dave", "dave"),
        ],
    );
    let body = &m["shift-start:2026-03-30:alice"].body;
    assert!(
        body.contains("Handed over by dave at Mon 2026-03-30 02:00 CEST (00:00 UTC)"),
        "{body}"
    );
    let body = &m["shift-end:2026-03-29:dave"].body;
    assert!(
        body.contains("ended at\n  Mon 2026-03-30 10:30 ACDT (00:00 UTC)\nalice has taken over."),
        "{body}"
    );

    // dave swaps his Fri 04-03 with alice's Sat 04-04 (04-02 is carol's
    // again, so alice has no two in a row). Dave's new shift runs from
    // 10:30 ACDT on the 4th to 09:30 ACST on the 5th: Adelaide leaves
    // daylight-saving time during it.
    let out = make(&desk, SWAP_APR_3_4);
    eqnice!(
        "rota change #5 recorded: swap of 2026-04-03 and 2026-04-04 (by dave)\n  shift of 2026-04-03: dave → alice\n  shift of 2026-04-04: alice → dave\nsecdesk-rotate-notify tells alice, dave (nobody else).\n",
        out
    );
    let m = inbox.notify(
        &desk,
        "2026-03-30T06:05:00Z",
        &[
            ("rota-change:5:alice", "alice"),
            ("rota-change:5:dave", "dave"),
        ],
    );
    assert_eq!(
        shifts_listed(&m["rota-change:5:dave"].body),
        [
            triple(
                "2026-04-03",
                "on call Fri 2026-04-03 10:30 ACDT (00:00 UTC) to Sat 2026-04-04 10:30 ACDT (00:00 UTC)",
                "not on call"
            ),
            triple(
                "2026-04-04",
                "not on call",
                "on call Sat 2026-04-04 10:30 ACDT (00:00 UTC) to Sun 2026-04-05 09:30 ACST (00:00 UTC)"
            ),
        ],
        "{}",
        m["rota-change:5:dave"].body
    );
    assert_eq!(
        shifts_listed(&m["rota-change:5:alice"].body),
        [
            triple(
                "2026-04-03",
                "not on call",
                "on call Fri 2026-04-03 02:00 CEST (00:00 UTC) to Sat 2026-04-04 02:00 CEST (00:00 UTC)"
            ),
            triple(
                "2026-04-04",
                "on call Sat 2026-04-04 02:00 CEST (00:00 UTC) to Sun 2026-04-05 02:00 CEST (00:00 UTC)",
                "not on call"
            ),
        ],
        "{}",
        m["rota-change:5:alice"].body
    );

    // Every change with its id, who made it and when, and its undo.
    let v = rota_json(&desk, "2026-03-30T06:05:00Z");
    assert_eq!(
        serde_json::Value::Array(v.changes),
        serde_json::json!([
            {"id": 1, "kind": "away", "member": "carol", "from": "2026-04-02", "to": "2026-04-02",
             "made_by": "carol", "at": "2026-03-23T06:10:00Z",
             "in_force": false, "undone_by": "alice", "undone_at": "2026-03-29T12:00:00Z"},
            {"id": 2, "kind": "swap", "a": "2026-03-30", "b": "2026-03-31",
             "made_by": "alice", "at": "2026-03-26T09:00:00Z",
             "in_force": true, "undone_by": null, "undone_at": null},
            {"id": 3, "kind": "away", "member": "carol", "from": "2026-03-29", "to": "2026-03-29",
             "made_by": "carol", "at": "2026-03-29T03:00:00Z",
             "in_force": true, "undone_by": null, "undone_at": null},
            {"id": 4, "kind": "cover", "date": "2026-04-06", "by": "alice",
             "made_by": "bob", "at": "2026-03-29T13:00:00Z",
             "in_force": false, "undone_by": "bob", "undone_at": "2026-03-29T13:01:00Z"},
            {"id": 5, "kind": "swap", "a": "2026-04-03", "b": "2026-04-04",
             "made_by": "dave", "at": "2026-03-30T06:00:00Z",
             "in_force": true, "undone_by": null, "undone_at": null},
        ])
    );
    assert_no_one_on_call_too_long(&v.shifts);
    // No notice of #4 was ever sent, nor any other rota mail than above.
    let rota_mails: BTreeSet<(String, String)> = received(&smtp)
        .into_iter()
        .filter(|m| m.key.starts_with("rota-"))
        .map(|m| (m.key, m.to))
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("rota-change:1:alice", "alice"),
        ("rota-change:1:carol", "carol"),
        ("rota-change:2:alice", "alice"),
        ("rota-change:2:dave", "dave"),
        ("rota-change:3:carol", "carol"),
        ("rota-change:3:dave", "dave"),
        ("rota-undo:1:alice", "alice"),
        ("rota-undo:1:carol", "carol"),
        ("rota-change:5:alice", "alice"),
        ("rota-change:5:dave", "dave"),
    ]
    .iter()
    .map(|(k, m)| (k.to_string(), m.to_string()))
    .collect();
    assert_eq!(rota_mails, expected);
}

/// One event of a feed as Python's `icalendar` reads it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
struct Event {
    uid: String,
    sequence: i64,
    last_modified: String,
    start: String,
    end: String,
    summary: String,
}

/// Parses a feed with the Debian `icalendar` module.
fn parse_ics(desk: &Desk, name: &str, ics: &str) -> Vec<Event> {
    let path = desk.dir.write(name, ics);
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
def utc(e, k):
    t = e.decoded(k)
    assert t.utcoffset().total_seconds() == 0, (k, t)
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')
print(json.dumps([{
    'uid': str(e['UID']),
    'sequence': int(e['SEQUENCE']),
    'last_modified': utc(e, 'LAST-MODIFIED'),
    'start': utc(e, 'DTSTART'),
    'end': utc(e, 'DTEND'),
    'summary': str(e['SUMMARY']),
} for e in cal.walk('VEVENT')]))
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("run /usr/bin/python3");
    assert!(
        out.status.success(),
        "icalendar could not read the feed (Debian package python3-icalendar): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script's JSON")
}

// d. The feed before and after a swap: the swapped events keep their UIDs,
// SEQUENCE grows by one and LAST-MODIFIED becomes the swap's instant; every
// other event is as it was.
desktest!(
    ics_after_a_swap_keeps_uids_and_revises_only_the_swapped_events,
    |desk| {
        four_zones(&desk, None);
        for step in [
            AWAY_APR_2,
            SWAP_30_31,
            AWAY_29_MID_SHIFT,
            UNDO_1,
            COVER_APR_6,
            UNDO_4,
        ] {
            make(&desk, step);
        }
        let feed = |now: &str| {
            desk.cmd_at("secdesk", now)
                .args(["rota", "--ics", "--from", "2026-03-23", "--days", "21"])
                .stdout()
        };
        let before = parse_ics(&desk, "before.ics", &feed("2026-03-30T05:00:00Z"));
        // By hand: SEQUENCE counts the changes and undos that moved a
        // shift, LAST-MODIFIED is the last of them (the rota's start for a
        // shift never moved). 04-02: #1 at 03-23 06:10 and its undo at
        // 03-29 12:00 (2). 03-30 and 03-31: #2 at 03-26 09:00. 03-29: #3 at
        // 03:00, for both parts; dave's part has its own UID. 04-06: #4 and
        // its undo a minute later (2), though nobody was told of either.
        let origin = "2026-03-23T00:00:00Z";
        let ev = |uid: &str, start: &str, end: &str, who: &str, seq: i64, lm: &str| Event {
            uid: uid.into(),
            sequence: seq,
            last_modified: lm.into(),
            start: start.into(),
            end: end.into(),
            summary: format!("secdesk on call: {who}"),
        };
        let day = |date: &str, who: &str, seq: i64, lm: &str| {
            let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
            let next = d + chrono::Duration::days(1);
            ev(
                &format!("shift-{d}@secdesk"),
                &format!("{d}T00:00:00Z"),
                &format!("{next}T00:00:00Z"),
                who,
                seq,
                lm,
            )
        };
        let mut expected = vec![
            day("2026-03-23", "Alice", 0, origin),
            day("2026-03-24", "Bob", 0, origin),
            day("2026-03-25", "Carol", 0, origin),
            day("2026-03-26", "Dave", 0, origin),
            day("2026-03-27", "Alice", 0, origin),
            day("2026-03-28", "Bob", 0, origin),
            ev(
                "shift-2026-03-29@secdesk",
                "2026-03-29T00:00:00Z",
                "2026-03-29T03:00:00Z",
                "Carol",
                1,
                "2026-03-29T03:00:00Z",
            ),
            ev(
                "shift-2026-03-29T0300Z@secdesk",
                "2026-03-29T03:00:00Z",
                "2026-03-30T00:00:00Z",
                "Dave",
                1,
                "2026-03-29T03:00:00Z",
            ),
            day("2026-03-30", "Alice", 1, "2026-03-26T09:00:00Z"),
            day("2026-03-31", "Dave", 1, "2026-03-26T09:00:00Z"),
            day("2026-04-01", "Bob", 0, origin),
            day("2026-04-02", "Carol", 2, "2026-03-29T12:00:00Z"),
            day("2026-04-03", "Dave", 0, origin),
            day("2026-04-04", "Alice", 0, origin),
            day("2026-04-05", "Bob", 0, origin),
            day("2026-04-06", "Carol", 2, "2026-03-29T13:01:00Z"),
            day("2026-04-07", "Dave", 0, origin),
            day("2026-04-08", "Alice", 0, origin),
            day("2026-04-09", "Bob", 0, origin),
            day("2026-04-10", "Carol", 0, origin),
            day("2026-04-11", "Dave", 0, origin),
            day("2026-04-12", "Alice", 0, origin),
        ];
        assert_eq!(before, expected, "the feed before the swap");

        make(&desk, SWAP_APR_3_4);
        let after = parse_ics(&desk, "after.ics", &feed("2026-03-30T06:30:00Z"));
        // The two swapped shifts: same UIDs and times, the other member,
        // SEQUENCE + 1, LAST-MODIFIED the swap's instant.
        let swapped = ["shift-2026-04-03@secdesk", "shift-2026-04-04@secdesk"];
        for e in expected
            .iter_mut()
            .filter(|e| swapped.contains(&e.uid.as_str()))
        {
            e.sequence += 1;
            e.last_modified = SWAP_APR_3_4.0.to_string();
            e.summary = if e.uid == swapped[0] {
                "secdesk on call: Alice".into()
            } else {
                "secdesk on call: Dave".into()
            };
        }
        assert_eq!(after, expected, "the feed after the swap");
        let changed: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b != a)
            .map(|(b, _)| b.uid.as_str())
            .collect();
        assert_eq!(changed, swapped, "only the swapped events differ");
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b.uid, a.uid);
        }
    }
);

// e. Refusals (each exit 2, nothing recorded), the undo help, and the ids in
// `rota --json`'s changes.
desktest!(refused_changes_exit_2_and_json_changes_carry_ids, |desk| {
    four_zones(&desk, None);
    // Mon 03-30 08:00: dave's shift of 03-30 is running; 03-29 and before
    // have ended. Ahead: 03-31 alice, 04-01 bob, 04-02 carol, 04-03 dave,
    // 04-04 alice, 04-05 bob, 04-06 carol, 04-07 dave, 04-08 alice,
    // 04-09 bob.
    let now = "2026-03-30T08:00:00Z";
    let schedule = rota_json(&desk, now).shifts;
    let refused = |args: &[&str]| desk.cmd_at("secdesk", now).args(args).assert_usage_error();

    let err = refused(&["rota", "--ics", "--member", "zed"]);
    assert!(err.contains("\"zed\" is not in rotation.order"), "{err}");
    let err = refused(&["--as", "bob", "rota", "swap", "2026-03-24", "2026-03-25"]);
    assert!(
        err.contains(
            "the shift of 2026-03-24 ended at 2026-03-25T00:00:00Z: only shifts that have not ended can change"
        ),
        "{err}"
    );
    let err = refused(&["--as", "bob", "rota", "swap", "2026-04-01", "2026-03-29"]);
    assert!(
        err.contains("the shift of 2026-03-29 ended at 2026-03-30T00:00:00Z"),
        "one of the two has ended: {err}"
    );
    let err = refused(&["--as", "bob", "rota", "swap", "2026-04-04", "2026-04-08"]);
    assert!(
        err.contains(
            "the shifts of 2026-04-04 and 2026-04-08 are both alice's: a swap needs two different members"
        ),
        "{err}"
    );
    let err = refused(&["--as", "bob", "rota", "swap", "2026-04-04", "2026-04-04"]);
    assert!(err.contains("a swap needs two different shifts"), "{err}");
    let err = refused(&[
        "--as",
        "bob",
        "rota",
        "cover",
        "2026-04-06",
        "--by",
        "carol",
    ]);
    assert!(
        err.contains("carol already has the shift of 2026-04-06"),
        "{err}"
    );
    let err = refused(&["--as", "bob", "rota", "cover", "2026-03-30", "--by", "dave"]);
    assert!(
        err.contains("dave already has the shift of 2026-03-30"),
        "the shift in progress: {err}"
    );
    // dave has 04-03: taking 04-04 too, with all four available, is two in
    // a row.
    let err = refused(&["--as", "bob", "rota", "cover", "2026-04-04", "--by", "dave"]);
    assert!(
        err.contains(
            "that would put dave on call two shifts in a row (2026-04-03 and 2026-04-04) while 4 members are available"
        ),
        "{err}"
    );

    // #1: dave away on 04-09, bob's shift: nothing moves.
    let out = desk
        .cmd_at("secdesk", now)
        .args([
            "--as",
            "dave",
            "rota",
            "away",
            "dave",
            "2026-04-09",
            "2026-04-09",
        ])
        .stdout();
    eqnice!(
        "rota change #1 recorded: dave away 2026-04-09 (by dave)\nno shift moves.\n",
        out
    );
    let err = refused(&["--as", "bob", "rota", "cover", "2026-04-09", "--by", "dave"]);
    assert!(err.contains("dave is away that day (2026-04-09)"), "{err}");
    // #2: carol's 04-06 and alice's 04-08 trade, and bob undoes it.
    desk.cmd_at("secdesk", "2026-03-30T08:10:00Z")
        .args(["--as", "alice", "rota", "swap", "2026-04-06", "2026-04-08"])
        .stdout();
    desk.cmd_at("secdesk", "2026-03-30T08:20:00Z")
        .args(["--as", "bob", "rota", "undo", "2"])
        .stdout();
    let err = desk
        .cmd_at("secdesk", "2026-03-30T08:30:00Z")
        .args(["--as", "bob", "rota", "undo", "2"])
        .assert_usage_error();
    assert!(err.contains("rota change #2 is already undone"), "{err}");

    let help = desk
        .cmd_at("secdesk", now)
        .args(["rota", "undo", "--help"])
        .stdout();
    assert!(help.contains("rota --json"), "{help}");
    // The refusals recorded nothing: the ids are 1 and 2.
    let v = rota_json(&desk, "2026-03-30T08:30:00Z");
    assert_eq!(
        serde_json::Value::Array(v.changes),
        serde_json::json!([
            {"id": 1, "kind": "away", "member": "dave", "from": "2026-04-09", "to": "2026-04-09",
             "made_by": "dave", "at": "2026-03-30T08:00:00Z",
             "in_force": true, "undone_by": null, "undone_at": null},
            {"id": 2, "kind": "swap", "a": "2026-04-06", "b": "2026-04-08",
             "made_by": "alice", "at": "2026-03-30T08:10:00Z",
             "in_force": false, "undone_by": "bob", "undone_at": "2026-03-30T08:20:00Z"},
        ])
    );
    assert_eq!(v.shifts, schedule, "no shift moved");
});

// An undo changes back only the shifts of the change it takes back. Here
// (by hand): #1 swaps 03-30 and 03-31 (03-30 alice, 03-31 dave); #2, at
// 03:00 on 03-29, gives the rest of carol's shift to dave, the only member
// rested (bob has 03-28, alice 03-30). Undoing #1 at 06:00 would give 03-30
// back to dave, who is on call from 03:00 on 03-29: two shifts in a row
// (45 hours) while three members are available, so it is refused; it must
// not instead hand the rest of 03-29, a shift outside the swap's dates and
// in progress, to someone else. The refusal names the change in the way.
desktest!(undoing_a_swap_moves_nothing_outside_its_dates, |desk| {
    four_zones(&desk, None);
    make(&desk, SWAP_30_31);
    make(&desk, AWAY_29_MID_SHIFT);
    let before = rota_json(&desk, "2026-03-29T05:00:00Z").shifts;
    let out = desk
        .cmd_at("secdesk", "2026-03-29T06:00:00Z")
        .args(["--as", "alice", "rota", "undo", "1"])
        .output();
    assert_eq!(
        out.status.code(),
        Some(2),
        "undo of the swap: expected a refusal, got:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "undoing rota change #1 would also move the shift of 2026-03-29, which rota change #2 gave: undo #2 first"
        ),
        "{err}"
    );
    let after = rota_json(&desk, "2026-03-29T06:05:00Z").shifts;
    assert_no_one_on_call_too_long(&after);
    assert_eq!(after, before, "nothing moved");
});
