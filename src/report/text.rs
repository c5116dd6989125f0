//! The report as plain text: fixed-width sections a mail reader shows as
//! written. Text from mail (titles) is already one line (ingest folds
//! control characters); bare CRs are removed when the mail is composed.
//! Every issue line carries its severity and up to [`LINE_CVES`] CVE ids
//! the title does not name (one in the release matrix), before the title.

use super::{LINE_CVES, Report, Spread, issue_ref, severity_word};
use crate::layout::table;
use crate::text::{ellipsize, one_line};
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
        let severity = n
            .issue
            .severity
            .map(|s| format!(", {s}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} ({tag}, now {}{severity}) {}",
            issue_ref(n.issue.id),
            n.issue.state,
            n.issue.cves_and_title(LINE_CVES, 80)
        );
        let via: Vec<&str> = n.carried_by.iter().map(|v| v.label.as_str()).collect();
        let _ = writeln!(out, "    via {}", via.join(", "));
    }
    if r.new_hidden > 0 {
        let _ = writeln!(out, "… and {} more messages", r.new_hidden);
    }

    for t in r.tables() {
        section(&mut out, &t.title);
        if t.rows.is_empty() {
            let _ = writeln!(out, "{}", t.empty);
            continue;
        }
        // Only the title (last column) is shortened, to keep rows on a
        // line; the matrix, the widest table, names one CVE id and `+N`.
        let (cves, width) = if t.matrix { (1, 60) } else { (LINE_CVES, 80) };
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|row| {
                let b = &row.issue;
                let mut cells = vec![issue_ref(b.id), severity_word(b.severity).to_string()];
                cells.extend(row.cells.iter().map(|c| c.words().to_string()));
                cells.push(b.cves_and_title(cves, width));
                cells
            })
            .collect();
        let mut headers = vec!["ID", "SEVERITY"];
        headers.extend(t.headers.iter().map(String::as_str));
        headers.push("TITLE");
        out.push_str(&table(&headers, &rows));
        if let Some(m) = &t.more {
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

    if let Some(signals) = &r.signals {
        section(
            &mut out,
            &format!("Bat-Signals, last 30 days ({})", signals.len()),
        );
        if signals.is_empty() {
            let _ = writeln!(out, "none");
        }
        for s in signals {
            let state = s.state();
            let _ = writeln!(
                out,
                "signal {} for {} ({state}): {}",
                s.id,
                issue_ref(s.issue),
                ellipsize(&one_line(&s.title), 80)
            );
            let _ = writeln!(
                out,
                "    raised by {} at {}: {}",
                s.raised_by,
                crate::time::format(s.raised_at),
                ellipsize(&one_line(&s.reason), 120)
            );
            let _ = writeln!(
                out,
                "    incident lead: {}",
                s.baton.as_deref().unwrap_or("nobody")
            );
            for (role, ack) in &s.roles {
                let what = match ack {
                    Some((who, after)) => format!("acked by {who} after {after}"),
                    None => "unanswered".into(),
                };
                let _ = writeln!(out, "    {role}: {what}");
            }
        }
    }
    if let Some(fx) = &r.fixes {
        fixes(&mut out, fx);
    }
    out
}

/// Section 10: fixes waiting for their channel, the time they took to
/// reach it, and missing backports.
fn fixes(out: &mut String, fx: &super::FixesSection) {
    use crate::fix::short;
    section(
        out,
        &format!("Fixes waiting for their channel ({})", fx.waiting.len()),
    );
    if fx.waiting.is_empty() {
        let _ = writeln!(out, "none");
    }
    for (w, age) in &fx.waiting {
        let _ = writeln!(
            out,
            "{} {}: {} committed {age} ago, not yet in {}: {}",
            issue_ref(w.issue),
            w.release,
            short(&w.commit),
            w.channel.branch,
            ellipsize(&one_line(&w.title), 80)
        );
    }
    let _ = writeln!(out, "\ntime from fix to channel, last 30 days:");
    if fx.reached.is_empty() {
        let _ = writeln!(out, "  no fix reached its channel");
    }
    for (branch, s) in &fx.reached {
        let what = match (s.median, s.p90) {
            (Some(m), Some(p)) => format!(
                "median {m}, 90th percentile {p} ({} fix{})",
                s.n,
                if s.n == 1 { "" } else { "es" }
            ),
            _ => "none".into(),
        };
        let _ = writeln!(out, "  {branch}: {what}");
    }
    section(out, &format!("Backport gaps ({})", fx.gaps.len()));
    if fx.gaps.is_empty() {
        let _ = writeln!(out, "none");
    }
    for g in &fx.gaps {
        let _ = writeln!(
            out,
            "{} {} {}: {} for {} since the fix {} on unstable ({}): {}",
            issue_ref(g.issue),
            g.cve,
            g.release,
            g.status,
            g.waiting,
            short(&g.commit),
            g.fixed_at.format("%Y-%m-%d"),
            ellipsize(&one_line(&g.title), 80)
        );
    }
}
