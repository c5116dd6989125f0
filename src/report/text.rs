//! The report as plain text: fixed-width sections a mail reader shows as
//! written. Text from mail (titles) is already one line (ingest folds
//! control characters); bare CRs are removed when the mail is composed.

use super::{Report, Spread, issue_ref, more};
use crate::layout::{ellipsize, table};
use std::fmt::Write;

fn spread(s: &Spread) -> String {
    match (s.median, s.p90) {
        (Some(m), Some(p)) => format!("median {m}, 90th percentile {p} ({} issues)", s.n),
        _ => "no issues reached it".into(),
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{title}\n{}", "-".repeat(title.chars().count()));
}

/// Renders the report as text.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "secdesk triage report for {} (as of {})",
        r.date,
        crate::time::format(r.now)
    );
    if r.machinery.alarms.is_empty() {
        let _ = writeln!(out, "\n{}", r.machinery.summary);
    } else {
        section(&mut out, "!!! MACHINERY PROBLEMS !!!");
        for a in &r.machinery.alarms {
            let _ = writeln!(out, "!!! {a}");
        }
    }

    section(&mut out, "On call");
    match &r.on_call {
        None => {
            let _ = writeln!(out, "no rota configured");
        }
        Some(shifts) if shifts.is_empty() => {
            let _ = writeln!(out, "the rota has not started yet");
        }
        Some(shifts) => {
            for (who, when) in shifts {
                let _ = writeln!(out, "{who:<24} {when}");
            }
        }
    }

    section(&mut out, "New in the last 24 hours");
    if r.new.is_empty() {
        let _ = writeln!(out, "nothing");
    }
    for n in &r.new {
        let tag = if n.opened { "opened" } else { "updated" };
        let _ = writeln!(
            out,
            "{} ({tag}, now {}) {}",
            issue_ref(n.issue.id),
            n.issue.state,
            ellipsize(&n.issue.title, 90)
        );
        let _ = writeln!(out, "    via {}", n.carried_by.join(", "));
    }
    if r.new_hidden > 0 {
        let _ = writeln!(out, "… and {} more messages", r.new_hidden);
    }

    section(&mut out, &format!("Unclaimed ({})", r.unclaimed_total));
    if r.unclaimed.is_empty() {
        let _ = writeln!(out, "none");
    } else {
        let rows: Vec<Vec<String>> = r
            .unclaimed
            .iter()
            .map(|(b, age)| vec![issue_ref(b.id), age.to_string(), ellipsize(&b.title, 80)])
            .collect();
        out.push_str(&table(&["ID", "AGE", "TITLE"], &rows));
        if let Some(m) = more(r.unclaimed_total, r.unclaimed.len()) {
            let _ = writeln!(out, "{m}");
        }
    }

    section(
        &mut out,
        &format!("Claimed but not triaged after 24 hours ({})", r.stuck_total),
    );
    if r.stuck.is_empty() {
        let _ = writeln!(out, "none");
    } else {
        let rows: Vec<Vec<String>> = r
            .stuck
            .iter()
            .map(|(b, since)| {
                vec![
                    issue_ref(b.id),
                    b.claimed_by.clone().unwrap_or_default(),
                    since.to_string(),
                    ellipsize(&b.title, 70),
                ]
            })
            .collect();
        out.push_str(&table(&["ID", "HELD BY", "SINCE CLAIM", "TITLE"], &rows));
        if let Some(m) = more(r.stuck_total, r.stuck.len()) {
            let _ = writeln!(out, "{m}");
        }
    }

    section(
        &mut out,
        &format!("Release matrix of open issues ({})", r.matrix_total),
    );
    if r.matrix.is_empty() {
        let _ = writeln!(out, "no open issues");
    } else {
        let mut headers = vec!["ID", "STATE"];
        headers.extend(r.releases.iter().map(String::as_str));
        headers.push("TITLE");
        let rows: Vec<Vec<String>> = r
            .matrix
            .iter()
            .map(|(b, cells)| {
                let mut row = vec![issue_ref(b.id), b.state.to_string()];
                row.extend(cells.iter().map(|c| c.to_string()));
                row.push(ellipsize(&b.title, 50));
                row
            })
            .collect();
        out.push_str(&table(&headers, &rows));
        if let Some(m) = more(r.matrix_total, r.matrix.len()) {
            let _ = writeln!(out, "{m}");
        }
    }

    section(
        &mut out,
        &format!("Fixed but not yet announced ({})", r.fixed_total),
    );
    if r.fixed.is_empty() {
        let _ = writeln!(out, "none");
    } else {
        let rows: Vec<Vec<String>> = r
            .fixed
            .iter()
            .map(|(b, since)| {
                vec![
                    issue_ref(b.id),
                    b.claimed_by.clone().unwrap_or_default(),
                    since.to_string(),
                    ellipsize(&b.title, 70),
                ]
            })
            .collect();
        out.push_str(&table(&["ID", "HELD BY", "SINCE FIX", "TITLE"], &rows));
        if let Some(m) = more(r.fixed_total, r.fixed.len()) {
            let _ = writeln!(out, "{m}");
        }
    }

    section(&mut out, "The last 30 days");
    let s = &r.stats;
    let _ = writeln!(out, "opened {}, closed {}", s.opened, s.closed);
    let _ = writeln!(out, "time to claim:  {}", spread(&s.to_claim));
    let _ = writeln!(out, "time to triage: {}", spread(&s.to_triage));
    let _ = writeln!(out, "time to fix:    {}", spread(&s.to_fix));
    if s.load.is_empty() {
        let _ = writeln!(out, "nobody claimed or fixed anything");
    } else {
        let rows: Vec<Vec<String>> = s
            .load
            .iter()
            .map(|(who, c, f)| vec![who.clone(), c.to_string(), f.to_string()])
            .collect();
        out.push_str(&table(&["MEMBER", "CLAIMED", "FIXED"], &rows));
    }
    out
}
