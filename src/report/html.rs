//! The report as HTML, the alternative part of the mail. Every piece of
//! text goes through `html_escape`, whether it came from mail or not, so
//! a subject holding `<script>` shows as text.

use super::{Report, Spread, issue_ref};
use crate::text::html_escape as e;
use std::fmt::Write;

fn spread(s: &Spread) -> String {
    match (s.median, s.p90) {
        (Some(m), Some(p)) => format!("median {m}, 90th percentile {p} ({} issues)", s.n),
        _ => "no issues reached it".into(),
    }
}

fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table border=\"1\" cellpadding=\"3\" cellspacing=\"0\"><tr>");
    for h in headers {
        let _ = write!(out, "<th align=\"left\">{}</th>", e(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", e(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// Renders the report as an HTML document.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head><body>",
        e(&r.subject)
    );
    let _ = writeln!(
        out,
        "<h1>secdesk triage report for {}</h1>\n<p>as of {}</p>",
        e(&r.date.to_string()),
        e(&crate::time::format(r.now))
    );
    if r.machinery.alarms.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", e(&r.machinery.summary));
    } else {
        out.push_str("<div style=\"border:3px solid #c00;background:#fee;padding:8px\"><h2 style=\"color:#c00\">Machinery problems</h2><ul>\n");
        for a in &r.machinery.alarms {
            let _ = writeln!(out, "<li><strong>{}</strong></li>", e(a));
        }
        out.push_str("</ul></div>\n");
    }

    out.push_str("<h2>On call</h2>\n");
    match &r.on_call {
        None => out.push_str("<p>no rota configured</p>\n"),
        Some(shifts) if shifts.is_empty() => out.push_str("<p>the rota has not started yet</p>\n"),
        Some(shifts) => {
            out.push_str("<ul>\n");
            for (who, when) in shifts {
                let _ = writeln!(out, "<li>{} — {}</li>", e(who), e(when));
            }
            out.push_str("</ul>\n");
        }
    }

    out.push_str("<h2>New in the last 24 hours</h2>\n");
    if r.new.is_empty() {
        out.push_str("<p>nothing</p>\n");
    } else {
        out.push_str("<ul>\n");
        for n in &r.new {
            let tag = if n.opened { "opened" } else { "updated" };
            let _ = writeln!(
                out,
                "<li>{} ({}, now {}) {}<br>via {}</li>",
                e(&issue_ref(n.issue.id)),
                tag,
                e(n.issue.state.as_str()),
                e(&n.issue.title),
                e(&n.carried_by.join(", "))
            );
        }
        out.push_str("</ul>\n");
    }
    if r.new_hidden > 0 {
        let _ = writeln!(out, "<p>… and {} more messages</p>", r.new_hidden);
    }

    for t in r.tables() {
        let _ = writeln!(out, "<h2>{}</h2>", e(&t.title));
        if t.rows.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", e(t.empty));
            continue;
        }
        let headers: Vec<&str> = t.headers.iter().map(String::as_str).collect();
        table(&mut out, &headers, &t.rows);
        if let Some(m) = &t.more {
            let _ = writeln!(out, "<p>{}</p>", e(m));
        }
    }

    out.push_str("<h2>The last 30 days</h2>\n");
    let s = &r.stats;
    let _ = writeln!(
        out,
        "<ul><li>opened {}, closed {}</li><li>time to claim: {}</li><li>time to triage: {}</li><li>time to fix: {}</li></ul>",
        s.opened,
        s.closed,
        e(&spread(&s.to_claim)),
        e(&spread(&s.to_triage)),
        e(&spread(&s.to_fix))
    );
    if s.load.is_empty() {
        out.push_str("<p>nobody claimed or fixed anything</p>\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .load
            .iter()
            .map(|(who, c, f)| vec![who.clone(), c.to_string(), f.to_string()])
            .collect();
        table(&mut out, &["Member", "Claimed", "Fixed"], &rows);
    }
    out.push_str("</body></html>\n");
    out
}
