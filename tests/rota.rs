//! The on-call rota through the real binaries: a simulated week of
//! `secdesk-rotate-notify` every five minutes against a real SMTP server,
//! the iCalendar feed read by a real iCalendar parser, daylight-saving
//! shifts, refused changes, and the dead man's switch.

use crate::harness::smtp::SmtpServer;
use crate::util::{Desk, sample_mail};
use chrono::Duration;
use mail_parser::MessageParser;
use serde::Deserialize;
use std::collections::BTreeMap;

fn with_rota(desk: &Desk, start: &str) {
    let mut c = desk.config_json();
    c["rotation"] = serde_json::json!({
        "start": start, "order": ["alice", "bob", "carol"], "remind_before": "12h"
    });
    desk.set_config(&c);
}

/// A received mail: its outbox key, recipient, subject, body.
#[derive(Debug)]
struct Got {
    kind: String,
    to: String,
    body: String,
}

fn got(smtp: &SmtpServer) -> Vec<Got> {
    smtp.received()
        .iter()
        .map(|raw| {
            let p = MessageParser::default().parse(raw).expect("parse");
            Got {
                kind: p
                    .header_raw("X-Secdesk-Key")
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                to: p
                    .header_raw("X-Envelope-To")
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                body: p.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
            }
        })
        .collect()
}

fn email(member: &str) -> String {
    format!("{member}@example.org")
}

/// A week of rotate-notify every five minutes, with a swap and an away
/// period: every reminder, handoff and shift-end mail arrives exactly once,
/// to the right person, listing the right issues; a second run at the same
/// instant sends nothing more.
#[test]
fn a_simulated_week_sends_each_mail_once_to_the_right_person() {
    let desk = Desk::new("a_simulated_week");
    let smtp = SmtpServer::start("rota-week");
    with_rota(&desk, "2026-11-16");
    let mut c = desk.config_json();
    c["smtp"] = smtp.config();
    desk.set_config(&c);
    // Issues exist before the week starts; bob holds one.
    desk.cmd_at("secdesk-ingest", "2026-11-21T12:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    desk.cmd_at("secdesk", "2026-11-21T13:00:00Z")
        .args(["--as", "bob", "claim", "2"])
        .stdout();
    // The changes, made the day before the simulated week.
    let t0 = "2026-11-21T18:00:00Z";
    let swap = desk
        .cmd_at("secdesk", t0)
        .args(["--as", "alice", "rota", "swap", "2026-11-23", "2026-11-24"])
        .stdout();
    assert!(
        swap.contains("shift of 2026-11-23: bob → carol\n  shift of 2026-11-24: carol → bob\n"),
        "{swap}"
    );
    let away = desk
        .cmd_at("secdesk", t0)
        .args([
            "--as",
            "carol",
            "rota",
            "away",
            "carol",
            "2026-11-26",
            "2026-11-27",
        ])
        .stdout();
    assert!(
        away.contains("  shift of 2026-11-27: carol → alice\n"),
        "{away}"
    );
    assert!(
        away.contains(
            "alice now has two shifts in a row (2026-11-27 and 2026-11-28): only 2 members are available"
        ),
        "{away}"
    );
    // Who is on call, worked out by hand from the test's own data (not by
    // the program). The fixed round-robin in `order` from alice on the
    // 16th: 21 carol, 22 alice, 23 bob, 24 carol, 25 alice, 26 bob,
    // 27 carol, 28 alice, 29 bob. The swap trades only the 23rd and the
    // 24th: 23 carol, 24 bob. The away period moves only carol's shifts in
    // it: the 26th is bob's and stays his; the 27th needs a substitute.
    // With carol away only alice and bob are available, and both are next
    // to the 27th (bob has the 26th, alice the 28th), so the rested rule
    // drops; over the shifts before it (the 16th to the 26th, with the
    // swap) alice and bob have four each, and `order` puts alice first. So
    // alice has the 27th and the 28th: two in a row, allowed because only
    // two members are available on the 27th, and said. Nothing after the
    // 27th moves. Each shift runs from 00:00 UTC on its date to 00:00 the
    // next day.
    const ON_CALL: [(&str, &str); 9] = [
        ("2026-11-21", "carol"),
        ("2026-11-22", "alice"),
        ("2026-11-23", "carol"),
        ("2026-11-24", "bob"),
        ("2026-11-25", "alice"),
        ("2026-11-26", "bob"),
        ("2026-11-27", "alice"),
        ("2026-11-28", "alice"),
        ("2026-11-29", "bob"),
    ];
    let on_call = |date: &str| {
        ON_CALL
            .iter()
            .find(|(d, _)| *d == date)
            .map(|(_, m)| *m)
            .expect("a date of the week")
    };
    // A disclosure arrives during the shift of 2026-11-24.
    let mid = "2026-11-24T15:00:00Z";
    let start = secdesk::time::parse("2026-11-22T00:00:00Z").expect("t");
    let end = secdesk::time::parse("2026-11-29T00:00:00Z").expect("t");
    let mut t = start;
    let mut injected = false;
    while t <= end {
        let now = secdesk::time::format(t);
        if !injected && now.as_str() >= mid {
            desk.dir.write(
                "late/cur/1",
                "Message-ID: <week@x>\nList-Id: <oss-security.lists.openwall.com>\nSubject: [oss-security] CVE-2026-4242: zlib: heap overflow\n\nzlib\n",
            );
            desk.cmd_at("secdesk-ingest", &now)
                .arg("--maildir")
                .arg(desk.dir.join("late"))
                .stdout();
            injected = true;
        }
        let out = desk.cmd_at("secdesk-rotate-notify", &now).output();
        assert!(
            out.status.success(),
            "{now}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t += Duration::minutes(5);
    }
    let before = smtp.received().len();
    let last = secdesk::time::format(end);
    desk.cmd_at("secdesk-rotate-notify", &last).stdout();
    desk.cmd_at("secdesk-rotate-notify", &last).stdout();
    assert_eq!(
        smtp.received().len(),
        before,
        "running again at the same instant sends nothing"
    );

    let mails = got(&smtp);
    let count = |kind: &str, to: &str| {
        mails
            .iter()
            .filter(|m| m.kind == kind && m.to == email(to))
            .count()
    };
    // The window runs from 2026-11-22T00:00Z to 2026-11-29T00:00Z, both
    // included. A reminder 12 hours before each shift that starts after the
    // first run (the 23rd to the 29th: the 22nd's was due before it); a
    // handoff for each shift running in it (the 22nd to the 29th, which
    // starts at its last instant); a shift-end note for each shift that
    // ended in it (the 21st, ending at its first instant, to the 28th).
    // No change was made during a shift, so none is split.
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (kind, dates) in [
        ("reminder", 23..=29),
        ("shift-start", 22..=29),
        ("shift-end", 21..=28),
    ] {
        for day in dates {
            let date = format!("2026-11-{day}");
            let member = on_call(&date).to_string();
            expected.insert((format!("{kind}:{date}"), member), 1);
        }
    }
    let mut actual: BTreeMap<(String, String), usize> = BTreeMap::new();
    for m in &mails {
        if m.kind.starts_with("reminder:")
            || m.kind.starts_with("shift-start:")
            || m.kind.starts_with("shift-end:")
        {
            let parts: Vec<&str> = m.kind.splitn(3, ':').collect();
            let key = format!("{}:{}", parts[0], parts.get(1).unwrap_or(&""));
            *actual
                .entry((key, m.to.trim_end_matches("@example.org").to_string()))
                .or_default() += 1;
        }
    }
    assert_eq!(actual, expected, "reminders, handoffs and shift ends");
    // The swap and the away period moved shifts: exactly their members
    // were told, once each: the swap bob and carol (the 23rd and the 24th),
    // the away period carol and alice (the 27th); nothing was undone.
    let rota_mails: BTreeMap<String, String> = mails
        .iter()
        .filter(|m| m.kind.starts_with("rota-"))
        .map(|m| (m.kind.clone(), m.to.clone()))
        .collect();
    let expected_rota: BTreeMap<String, String> = [
        ("rota-change:1:bob", "bob"),
        ("rota-change:1:carol", "carol"),
        ("rota-change:2:alice", "alice"),
        ("rota-change:2:carol", "carol"),
    ]
    .iter()
    .map(|(k, m)| (k.to_string(), email(m)))
    .collect();
    assert_eq!(rota_mails, expected_rota, "rota change notices");
    assert_eq!(count("rota-change:1:bob", "bob"), 1);
    assert_eq!(count("rota-change:1:carol", "carol"), 1);
    assert_eq!(
        count("rota-change:1:alice", "alice"),
        0,
        "the swap did not touch alice"
    );
    assert_eq!(count("rota-change:2:carol", "carol"), 1);
    assert_eq!(
        count("rota-change:2:alice", "alice"),
        1,
        "alice takes carol's shift"
    );
    assert_eq!(
        count("rota-change:2:bob", "bob"),
        0,
        "the away period did not move bob's shifts"
    );
    let notice = |key: &str| {
        mails
            .iter()
            .find(|m| m.kind == key)
            .unwrap_or_else(|| panic!("{key}"))
            .body
            .replace("\r\n", "\n")
    };
    // Each notice lists only that member's moved shift, in their zone, and
    // says who now has two shifts in a row.
    let alice = notice("rota-change:2:alice");
    assert_eq!(alice.matches("shift of ").count(), 1, "{alice}");
    assert!(
        alice.contains(
            "shift of 2026-11-27:\n    before: not on call\n    after:  on call Fri 2026-11-27 01:00 CET (00:00 UTC) to Sat 2026-11-28 01:00 CET (00:00 UTC)"
        ),
        "{alice}"
    );
    assert!(
        alice.contains(
            "You now have two shifts in a row (2026-11-27 and 2026-11-28): only 2 members are available."
        ),
        "{alice}"
    );
    let carol = notice("rota-change:2:carol");
    assert_eq!(carol.matches("shift of ").count(), 1, "{carol}");
    assert!(
        carol.contains(
            "shift of 2026-11-27:\n    before: on call Fri 2026-11-27 09:00 JST (00:00 UTC) to Sat 2026-11-28 09:00 JST (00:00 UTC)\n    after:  not on call"
        ),
        "{carol}"
    );
    assert!(
        carol.contains(
            "alice now has two shifts in a row (2026-11-27 and 2026-11-28): only 2 members are available."
        ),
        "{carol}"
    );
    let bob = notice("rota-change:1:bob");
    assert!(
        bob.contains("shift of 2026-11-23:\n    before: on call Sun 2026-11-22 19:00 EST (00:00 UTC) to Mon 2026-11-23 19:00 EST (00:00 UTC)\n    after:  not on call")
            && bob.contains("shift of 2026-11-24:\n    before: not on call\n    after:  on call Mon 2026-11-23 19:00 EST (00:00 UTC) to Tue 2026-11-24 19:00 EST (00:00 UTC)"),
        "{bob}"
    );
    // Bob had the shift of the 24th (swapped with carol); alice takes over
    // on the 25th.
    let handoff = mails
        .iter()
        .find(|m| m.kind == "shift-start:2026-11-25:alice")
        .expect("handoff of the 25th");
    let opened = handoff
        .body
        .split("Opened during the previous shift")
        .nth(1)
        .unwrap_or("");
    let opened = opened.split("\n\n").next().unwrap_or("");
    assert!(
        opened.contains("CVE-2026-4242: zlib: heap overflow"),
        "the new issue is handed over:\n{}",
        handoff.body
    );
    assert!(
        handoff.body.contains("Handed over by bob"),
        "{}",
        handoff.body
    );
    // Bob's held issue shows in his shift-end note.
    let bob_end = mails
        .iter()
        .find(|m| m.kind.starts_with("shift-end:") && m.to == email("bob"))
        .expect("bob's shift end");
    assert!(
        bob_end.body.contains("#2 [claimed, held by bob]"),
        "{}",
        bob_end.body
    );
    // Carol got no shift while away: no mail tells her of one.
    for m in &mails {
        if m.to == email("carol") {
            for date in ["2026-11-26", "2026-11-27"] {
                let shift_mail = ["reminder:", "shift-start:", "shift-end:"]
                    .iter()
                    .any(|k| m.kind.starts_with(k));
                assert!(
                    !(shift_mail && m.kind.contains(date)),
                    "carol was on call while away: {}",
                    m.kind
                );
            }
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftJson {
    date: String,
    start: String,
    end: String,
    member: String,
    scheduled: String,
    change: Option<i64>,
}

/// `rota --json`: the shifts, and every recorded change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotaJson {
    shifts: Vec<ShiftJson>,
    changes: Vec<serde_json::Value>,
}

desktest!(rota_json_is_an_array_of_shifts_in_time_order, |desk| {
    with_rota(&desk, "2026-11-16");
    let v: RotaJson = desk
        .cmd("secdesk")
        .args(["rota", "--from", "2026-11-22", "--days", "4", "--json"])
        .json();
    assert!(v.changes.is_empty());
    assert!(
        v.shifts
            .iter()
            .all(|s| s.scheduled == s.member && s.change.is_none())
    );
    assert_eq!(v.shifts[0].date, "2026-11-22");
    let v = v.shifts;
    let got: Vec<(String, String, String)> =
        v.into_iter().map(|s| (s.start, s.end, s.member)).collect();
    assert_eq!(
        got,
        [
            (
                "2026-11-22T00:00:00Z".into(),
                "2026-11-23T00:00:00Z".into(),
                "alice".into()
            ),
            (
                "2026-11-23T00:00:00Z".into(),
                "2026-11-24T00:00:00Z".into(),
                "bob".into()
            ),
            (
                "2026-11-24T00:00:00Z".into(),
                "2026-11-25T00:00:00Z".into(),
                "carol".into()
            ),
            (
                "2026-11-25T00:00:00Z".into(),
                "2026-11-26T00:00:00Z".into(),
                "alice".into()
            ),
        ]
    );
});

desktest!(ics_feed_parses_with_a_real_icalendar_parser, |desk| {
    with_rota(&desk, "2026-11-16");
    desk.cmd("secdesk")
        .args(["--as", "alice", "rota", "swap", "2026-11-23", "2026-11-24"])
        .stdout();
    let ics = desk
        .cmd("secdesk")
        .args(["rota", "--ics", "--from", "2026-11-22", "--days", "6"])
        .stdout();
    let path = desk.dir.write("rota.ics", &ics);
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for e in cal.walk('VEVENT'):
    s, t = e.decoded('DTSTART'), e.decoded('DTEND')
    print(e['UID'], s.isoformat(), (t - s).total_seconds(), e['SEQUENCE'], e.decoded('LAST-MODIFIED').isoformat(), e['SUMMARY'])
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "icalendar could not read the feed (Debian package python3-icalendar): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    expect_test::expect![[r#"
        shift-2026-11-22@secdesk 2026-11-22T00:00:00+00:00 86400.0 0 2026-11-16T00:00:00+00:00 secdesk on call: Alice
        shift-2026-11-23@secdesk 2026-11-23T00:00:00+00:00 86400.0 1 2026-11-22T09:00:00+00:00 secdesk on call: Carol
        shift-2026-11-24@secdesk 2026-11-24T00:00:00+00:00 86400.0 1 2026-11-22T09:00:00+00:00 secdesk on call: Bob
        shift-2026-11-25@secdesk 2026-11-25T00:00:00+00:00 86400.0 0 2026-11-16T00:00:00+00:00 secdesk on call: Alice
        shift-2026-11-26@secdesk 2026-11-26T00:00:00+00:00 86400.0 0 2026-11-16T00:00:00+00:00 secdesk on call: Bob
        shift-2026-11-27@secdesk 2026-11-27T00:00:00+00:00 86400.0 0 2026-11-16T00:00:00+00:00 secdesk on call: Carol
    "#]]
    .assert_eq(&String::from_utf8_lossy(&out.stdout));
    let mine = desk
        .cmd("secdesk")
        .args([
            "rota",
            "--ics",
            "--from",
            "2026-11-22",
            "--days",
            "6",
            "--member",
            "bob",
        ])
        .stdout();
    assert_eq!(mine.matches("BEGIN:VEVENT").count(), 2);
    let err = desk
        .cmd("secdesk")
        .args(["rota", "--ics", "--member", "zed"])
        .assert_usage_error();
    assert!(err.contains("\"zed\" is not in rotation.order"), "{err}");
});

desktest!(
    shift_across_a_daylight_saving_change_is_24_hours_and_said_in_local_time,
    |desk| {
        // Europe/Berlin springs forward at 01:00 UTC on 2026-03-29: alice's
        // shift that day starts at 01:00 CET and ends at 02:00 CEST.
        with_rota(&desk, "2026-03-29");
        let v = desk
            .cmd("secdesk")
            .args(["rota", "--from", "2026-03-29", "--days", "1", "--json"])
            .json::<RotaJson>()
            .shifts;
        assert_eq!(
            (v[0].start.as_str(), v[0].end.as_str()),
            ("2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z")
        );
        desk.cmd_at("secdesk-rotate-notify", "2026-03-28T12:00:00Z")
            .stdout();
        let eml = std::fs::read(desk.dir.join("outbox/reminder_2026-03-29_alice.eml"))
            .expect("alice's reminder");
        let p = MessageParser::default().parse(&eml).expect("parse");
        let body = p.body_text(0).expect("text");
        assert!(
            body.contains("Sun 2026-03-29 01:00 CET (00:00 UTC)"),
            "{body}"
        );
        assert!(
            body.contains("Mon 2026-03-30 02:00 CEST (00:00 UTC)"),
            "{body}"
        );
        assert!(body.contains("(24 hours)"), "{body}");
    }
);

desktest!(rota_changes_that_leave_a_shift_empty_are_refused, |desk| {
    with_rota(&desk, "2026-11-16");
    let shifts = || {
        let v: serde_json::Value = desk.cmd("secdesk").args(["rota", "--json"]).json();
        v["shifts"].clone()
    };
    let before = shifts();
    desk.cmd("secdesk")
        .args([
            "--as",
            "alice",
            "rota",
            "away",
            "alice",
            "2026-12-01",
            "2026-12-05",
        ])
        .stdout();
    desk.cmd("secdesk")
        .args([
            "--as",
            "bob",
            "rota",
            "away",
            "bob",
            "2026-12-03",
            "2026-12-04",
        ])
        .stdout();
    let err = desk
        .cmd("secdesk")
        .args([
            "--as",
            "carol",
            "rota",
            "away",
            "carol",
            "2026-12-04",
            "2026-12-10",
        ])
        .assert_usage_error();
    assert!(
        err.contains("would leave the shift of 2026-12-04 with nobody on call"),
        "{err}"
    );
    let err = desk
        .cmd("secdesk")
        .args([
            "--as",
            "carol",
            "rota",
            "cover",
            "2026-12-02",
            "--by",
            "alice",
        ])
        .assert_usage_error();
    assert!(err.contains("alice is away that day"), "{err}");
    let err = desk
        .cmd("secdesk")
        .args([
            "--as",
            "carol",
            "rota",
            "cover",
            "2026-12-02",
            "--by",
            "zed",
        ])
        .assert_usage_error();
    assert!(err.contains("\"zed\" is not in rotation.order"), "{err}");
    let err = desk
        .cmd("secdesk")
        .args(["--as", "carol", "rota", "undo", "9"])
        .assert_usage_error();
    assert!(err.contains("rota change #9 does not exist"), "{err}");
    let undone: serde_json::Value = desk
        .cmd("secdesk")
        .args(["--as", "carol", "--json", "rota", "undo", "2"])
        .json();
    assert_eq!(undone["undone"], true);
    desk.cmd("secdesk")
        .args(["--as", "carol", "rota", "undo", "1"])
        .stdout();
    assert_eq!(shifts(), before, "undoing both restores the schedule");
});

desktest!(ingest_gone_quiet_warns_whoever_is_on_call_once, |desk| {
    with_rota(&desk, "2026-11-16");
    let mut c = desk.config_json();
    let pw = desk.dir.write("pw", "x\n");
    c["imap"] = serde_json::json!([{
        "name": "lists", "host": "127.0.0.1", "port": crate::harness::port::free_port(),
        "tls": "implicit", "user": "u", "password_file": pw, "mailboxes": ["INBOX"], "timeout": "2s"
    }]);
    desk.set_config(&c);
    desk.cmd_at("secdesk-ingest", "2026-11-22T05:00:00Z")
        .assert_exit_code(1);
    let out = desk
        .cmd_at("secdesk-rotate-notify", "2026-11-22T07:00:00Z")
        .stdout();
    assert!(out.contains("ingest-stale:lists/INBOX:never"), "{out}");
    let out = desk
        .cmd_at("secdesk-rotate-notify", "2026-11-22T07:05:00Z")
        .stdout();
    assert!(!out.contains("ingest-stale"), "once per outage: {out}");
    let eml = std::fs::read(desk.dir.join("outbox/ingest-stale_lists_INBOX_never.eml"))
        .expect("warning mail");
    let p = MessageParser::default().parse(&eml).expect("parse");
    assert!(p.to().and_then(|a| a.first()).and_then(|a| a.address()) == Some("alice@example.org"));
    assert!(
        p.body_text(0)
            .unwrap_or_default()
            .contains("Last error: cannot connect to 127.0.0.1")
    );
});

/// A team of four (dave in Adelaide joins alice, bob and carol), round-robin
/// from `start`.
fn with_team_of_four(desk: &Desk, start: &str) {
    let mut c = desk.config_json();
    c["team"].as_array_mut().expect("team").push(serde_json::json!({
        "id": "dave", "name": "Dave", "email": "dave@example.org", "timezone": "Australia/Adelaide"
    }));
    c["rotation"] = serde_json::json!({
        "start": start, "order": ["alice", "bob", "carol", "dave"], "remind_before": "12h"
    });
    desk.set_config(&c);
}

desktest!(rota_stats_credit_whoever_did_the_work, |desk| {
    // From Monday 2026-11-16: 16 alice, 17 bob, 18 carol, 19 dave, 20 alice,
    // 21 bob, 22 carol, 23 dave, 24 alice, 25 bob.
    with_team_of_four(&desk, "2026-11-16");
    let rota = |now: &str, args: &[&str]| {
        desk.cmd_at("secdesk", now)
            .args(["--as", "alice", "rota"])
            .args(args)
            .stdout()
    };
    // Alice covers carol's 18th (her neighbours are bob and dave).
    rota(
        "2026-11-17T06:00:00Z",
        &["cover", "2026-11-18", "--by", "alice"],
    );
    // Six hours into his shift of the 21st bob is away for the day: the
    // substitute is neither alice (the 20th) nor carol (the 22nd): dave.
    let out = rota(
        "2026-11-21T06:00:00Z",
        &["away", "bob", "2026-11-21", "2026-11-21"],
    );
    assert!(
        out.contains("shift of 2026-11-21: bob → dave from 06:00 UTC"),
        "{out}"
    );
    // Bob claims #1, alice takes it over; bob claims #2 and carol records
    // the fixes of every release.
    desk.ingest_maildir(&sample_mail());
    let at = |now: &str, who: &str, args: &[&str]| {
        desk.cmd_at("secdesk", now)
            .args(["--as", who])
            .args(args)
            .stdout()
    };
    at("2026-11-21T10:00:00Z", "bob", &["claim", "1"]);
    at(
        "2026-11-21T11:00:00Z",
        "alice",
        &["claim", "1", "--steal", "--reason", "bob is away"],
    );
    at("2026-11-21T10:00:00Z", "bob", &["claim", "2"]);
    for (release, status) in [
        ("25.05", "fixed"),
        ("25.11", "fixed"),
        ("unstable", "not-affected"),
    ] {
        let mut args = vec!["release-status", "2", release, status];
        if status == "fixed" {
            args.extend(["--ref", "3.8"]);
        }
        at("2026-11-21T12:00:00Z", "carol", &args);
    }
    let v: serde_json::Value = desk
        .cmd_at("secdesk", "2026-11-22T09:00:00Z")
        .args(["rota", "--stats", "--days", "7", "--json"])
        .json();
    let row = |m: &str| {
        let r = v["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|r| r["member"] == m)
            .unwrap_or_else(|| panic!("{m} in {v}"));
        let w = &r["windows"][0];
        [
            "shifts",
            "hours",
            "covered_for_others",
            "covered_by_others",
            "weekend_shifts",
            "claimed",
            "fixed",
        ]
        .map(|k| w[k].as_i64().unwrap_or(-1))
    };
    // The window is 2026-11-15T09:00 to 2026-11-22T09:00. Worked out by
    // hand: alice 16, 18 (for carol), 20; bob 17 and the 21st until 06:00;
    // carol 22 so far (9 hours, a Sunday); dave 19 and the 21st from 06:00
    // (a Saturday, as is bob's part). Bob claimed #1 and #2, alice took #1
    // over; carol recorded the fix of #2, which bob still holds.
    assert_eq!(row("alice"), [3, 72, 1, 0, 0, 1, 0]);
    assert_eq!(row("bob"), [2, 30, 0, 1, 1, 2, 0]);
    assert_eq!(row("carol"), [1, 9, 0, 1, 1, 0, 1]);
    assert_eq!(row("dave"), [2, 42, 1, 0, 1, 0, 0]);
    // Alice and dave covered once more than they were covered, bob and
    // carol once less. Bob cannot take alice's 24th (he has the 25th);
    // carol can.
    assert_eq!(
        v["payback"],
        serde_json::json!({"owed": "alice", "owes": "carol", "date": "2026-11-24"})
    );
    let text = desk
        .cmd_at("secdesk", "2026-11-22T09:00:00Z")
        .args(["rota", "--stats"])
        .stdout();
    assert!(text.contains("over the last 30 / 90 / 365 days"), "{text}");
    assert!(
        text.contains("secdesk rota cover 2026-11-24 --by carol"),
        "{text}"
    );
});

desktest!(
    rota_cover_gives_that_shift_to_the_member_and_no_other,
    |desk| {
        with_team_of_four(&desk, "2026-11-16");
        let shifts = || -> Vec<(String, String)> {
            let v = desk
                .cmd("secdesk")
                .args(["rota", "--from", "2026-11-22", "--days", "4", "--json"])
                .json::<RotaJson>()
                .shifts;
            v.into_iter()
                .map(|s| (s.start[..10].to_string(), s.member))
                .collect()
        };
        let week = |members: [&str; 4]| -> Vec<(String, String)> {
            ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]
                .iter()
                .zip(members)
                .map(|(d, m)| (d.to_string(), m.to_string()))
                .collect()
        };
        // Round-robin from alice on the 16th.
        assert_eq!(shifts(), week(["carol", "dave", "alice", "bob"]));
        // The member who takes the shift is `by`; who recorded it,
        // `made_by` (issue 10: the two were one duplicate key).
        let change: serde_json::Value = desk
            .cmd("secdesk")
            .args([
                "--as",
                "carol",
                "--json",
                "rota",
                "cover",
                "2026-11-23",
                "--by",
                "bob",
            ])
            .json();
        assert_eq!(
            change,
            serde_json::json!({
                "id": 1,
                "kind": "cover",
                "date": "2026-11-23",
                "by": "bob",
                "made_by": "carol",
                "at": crate::util::NOW,
                "undone": false,
                "moved": [{
                    "date": "2026-11-23",
                    "from": "2026-11-23T00:00:00Z",
                    "to": "2026-11-24T00:00:00Z",
                    "mid_shift": false,
                    "before": "dave",
                    "after": "bob",
                }],
                "two_in_a_row": [],
            })
        );
        // Bob takes dave's shift of the 23rd; every other shift stays.
        assert_eq!(shifts(), week(["carol", "bob", "alice", "bob"]));
        // Carol on the 25th would have the 26th too: refused.
        let err = desk
            .cmd("secdesk")
            .args([
                "--as",
                "carol",
                "rota",
                "cover",
                "2026-11-25",
                "--by",
                "carol",
            ])
            .assert_usage_error();
        assert!(
            err.contains(
                "that would put carol on call two shifts in a row (2026-11-25 and 2026-11-26)"
            ),
            "{err}"
        );
        // Alice already has the 24th; bob already has the 25th.
        let err = desk
            .cmd("secdesk")
            .args([
                "--as",
                "carol",
                "rota",
                "cover",
                "2026-11-25",
                "--by",
                "bob",
            ])
            .assert_usage_error();
        assert!(
            err.contains("bob already has the shift of 2026-11-25"),
            "{err}"
        );
        let out = desk
            .cmd("secdesk")
            .args([
                "--as",
                "carol",
                "rota",
                "cover",
                "2026-11-25",
                "--by",
                "dave",
            ])
            .stdout();
        expect_test::expect![[r#"
            rota change #2 recorded: dave covers 2026-11-25 (by carol)
              shift of 2026-11-25: bob → dave
            secdesk-rotate-notify tells bob, dave (nobody else).
        "#]]
        .assert_eq(&out);
        assert_eq!(shifts(), week(["carol", "bob", "alice", "dave"]));
        // A shift that has ended cannot change.
        let err = desk
            .cmd("secdesk")
            .args([
                "--as",
                "carol",
                "rota",
                "cover",
                "2026-11-21",
                "--by",
                "dave",
            ])
            .assert_usage_error();
        assert!(
            err.contains("the shift of 2026-11-21 ended at 2026-11-22T00:00:00Z"),
            "{err}"
        );
    }
);

desktest!(
    status_says_who_is_on_call_until_when_and_who_is_next,
    |desk| {
        with_team_of_four(&desk, "2026-11-16");
        // 22 carol, 23 dave (round-robin from alice on the 16th).
        let out = desk.cmd("secdesk").arg("status").stdout();
        let head: Vec<&str> = out.lines().take(2).collect();
        assert_eq!(
            head,
            [
                "on call: Carol until 2026-11-23T00:00:00Z (15h 0m from now)",
                "next: Dave from 2026-11-23T00:00:00Z to 2026-11-24T00:00:00Z",
            ],
            "{out}"
        );
        let v: serde_json::Value = desk.cmd("secdesk").args(["status", "--json"]).json();
        assert_eq!(v["on_call"]["now"]["member"], "carol");
        assert_eq!(v["on_call"]["now"]["until"], "2026-11-23T00:00:00Z");
        assert_eq!(v["on_call"]["next"]["member"], "dave");
    }
);
