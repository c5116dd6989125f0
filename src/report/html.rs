//! The report as HTML, the alternative part of the mail, readable on a
//! phone: a viewport tag, text that wraps instead of widening the page
//! (the tables scroll inside their own box when they must), release
//! statuses and severities coloured *and* worded, and links from each
//! issue to its message's public page and from each CVE id to its record.
//!
//! Every piece of text goes through `html_escape`, whether it came from
//! mail or not, in element content and in attributes alike, so a subject
//! holding `<script>` or a Message-ID holding `"onmouseover=` shows as
//! text; URLs are built only from the shapes below and percent-encode
//! everything else.
//!
//! Which links (the list archives' own URLs, such as
//! `https://www.openwall.com/lists/oss-security/YYYY/MM/DD/N`, number
//! messages by arrival and cannot be derived from a message):
//! - oss-security and Full Disclosure messages: `https://marc.info/?i=`
//!   and the Message-ID (MARC archives both lists and finds a message by
//!   its Message-ID); never for a made-up `…@secdesk.invalid` id;
//! - a message of any other source with an advisory id: the advisory's
//!   page (Debian's security tracker for DSA and DLA, which needs no year;
//!   Red Hat's errata page without the revision; SUSE's announcement page;
//!   Gentoo's GLSA page); openSUSE and other advisory ids get none;
//! - anything else: no link;
//! - CVE ids: `https://www.cve.org/CVERecord?id=CVE-…`.
//!
//! An issue links to the first of its messages (one per source, in order
//! of arrival) that has such a page.

use super::{Cell, LINE_CVES, Posted, Report, Row, Spread, Table, issue_ref, severity_word};
use crate::mail::Source;
use crate::text::html_escape as e;
use crate::triage::{Brief, ReleaseStatus, Severity};
use std::fmt::Write;

/// The layout rules; colours are inline, so they survive mail readers
/// that drop a `<style>` element.
///
/// `overflow-wrap:anywhere` (after its older alias `word-wrap`, which
/// would otherwise override it) lets a long word break even inside a
/// table cell, so one 300-character token cannot widen the page.
const STYLE: &str = "body{font-family:sans-serif;margin:8px;line-height:1.4;word-wrap:break-word;overflow-wrap:anywhere}\
.box{overflow-x:auto;max-width:100%}\
table{border-collapse:collapse}\
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}\
td.w,th.w{white-space:nowrap}\
.via{color:#555;font-size:90%}";

/// The URL of a message's public page, if its source has one that can be
/// derived from the message (see the module docs).
pub fn message_url(p: &Posted) -> Option<String> {
    match p.source {
        Source::OssSecurity | Source::FullDisclosure => {
            if p.message_id.is_empty() || p.message_id.ends_with("@secdesk.invalid") {
                return None;
            }
            Some(format!(
                "https://marc.info/?i={}",
                crate::text::percent(&p.message_id)
            ))
        }
        _ => p.advisory_id.as_deref().and_then(advisory_url),
    }
}

/// The public page of an advisory id as classification writes it
/// (`DSA-5678-1`, `DLA-123-1`, `RHSA-2024:1234-01`, `SUSE-SU-2024:1234-1`,
/// `GLSA 202405-01`); `None` for any other shape.
pub fn advisory_url(id: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let digits_dashes = |s: &str| s.split('-').count() == 2 && s.split('-').all(digits);
    if let Some(rest) = id.strip_prefix("DSA-").or_else(|| id.strip_prefix("DLA-")) {
        return digits_dashes(rest)
            .then(|| format!("https://security-tracker.debian.org/tracker/{id}"));
    }
    if let Some(kind) = ["RHSA-", "RHBA-", "RHEA-"]
        .iter()
        .find(|k| id.starts_with(*k))
    {
        let (year, number) = id[kind.len()..].split_once(':')?;
        let number = number.split('-').next()?;
        return (year.len() == 4 && digits(year) && digits(number))
            .then(|| format!("https://access.redhat.com/errata/{kind}{year}:{number}"));
    }
    if let Some(rest) = id.strip_prefix("SUSE-SU-") {
        let (year, rest) = rest.split_once(':')?;
        let (number, revision) = rest.split_once('-')?;
        return (year.len() == 4 && digits(year) && digits(number) && digits(revision)).then(
            || {
                format!(
                    "https://www.suse.com/support/update/announcement/{year}/suse-su-{year}{number}-{revision}/"
                )
            },
        );
    }
    if let Some(rest) = id.strip_prefix("GLSA ") {
        return digits_dashes(rest).then(|| format!("https://security.gentoo.org/glsa/{rest}"));
    }
    None
}

/// A CVE record's page; `None` unless `cve` is `CVE-YYYY-N…`.
pub fn cve_url(cve: &str) -> Option<String> {
    let rest = cve.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    let ok = year.len() == 4
        && !number.is_empty()
        && year
            .bytes()
            .chain(number.bytes())
            .all(|b| b.is_ascii_digit());
    ok.then(|| format!("https://www.cve.org/CVERecord?id={cve}"))
}

/// A link, or the escaped text alone when there is no URL.
fn link(url: Option<&str>, text: &str) -> String {
    match url {
        Some(u) => format!("<a href=\"{}\">{}</a>", e(u), e(text)),
        None => e(text),
    }
}

/// (background, text) colours of a release status; every status is also
/// written out, so the colour is never the only sign.
fn status_colours(s: ReleaseStatus) -> (&'static str, &'static str) {
    match s {
        ReleaseStatus::Affected => ("#f8d7da", "#721c24"),
        ReleaseStatus::Fixed => ("#d4edda", "#155724"),
        ReleaseStatus::NotAffected => ("#e2e3e5", "#383d41"),
        ReleaseStatus::Wontfix => ("#fff3cd", "#856404"),
        ReleaseStatus::Unknown => ("#ffffff", "#6c757d"),
    }
}

/// A severity as a coloured, worded badge; `-` when unset.
fn severity(s: Option<Severity>) -> String {
    let Some(s) = s else {
        return "<span style=\"color:#6c757d\">-</span>".into();
    };
    let (bg, fg) = match s {
        Severity::Critical => ("#721c24", "#ffffff"),
        Severity::High => ("#f8d7da", "#721c24"),
        Severity::Medium => ("#fff3cd", "#856404"),
        Severity::Low => ("#e2e3e5", "#383d41"),
    };
    format!(
        "<b style=\"background:{bg};color:{fg};padding:0 4px;border-radius:3px;white-space:nowrap\">{}</b>",
        e(severity_word(Some(s)))
    )
}

/// The issue number, linked to its message's page where there is one.
fn issue_link(r: &Report, b: &Brief) -> String {
    let url = r
        .posts
        .get(&b.id)
        .and_then(|posts| posts.iter().find_map(message_url));
    link(url.as_deref(), &issue_ref(b.id))
}

/// CVE ids (at most [`LINE_CVES`], then `+N`), each linked to its record,
/// then the title.
fn cves_and_title(b: &Brief) -> String {
    let (shown, rest) = b.some_cves(LINE_CVES);
    let mut out = String::new();
    for c in shown {
        let _ = write!(out, "{} ", link(cve_url(c).as_deref(), c));
    }
    if rest > 0 {
        let _ = write!(out, "+{rest} ");
    }
    out.push_str(&e(&b.title));
    out
}

fn spread(s: &Spread) -> String {
    match (s.median, s.p90) {
        (Some(m), Some(p)) => format!("median {m}, 90th percentile {p} ({} issues)", s.n),
        _ => "no issues reached it".into(),
    }
}

/// A plain table of text cells (the load table).
fn plain_table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    out.push_str("<div class=\"box\"><table><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", e(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", e(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(t) => format!("<td class=\"w\">{}</td>", e(t)),
        Cell::Status(s) => {
            let (bg, fg) = status_colours(*s);
            format!(
                "<td class=\"w\" style=\"background:{bg};color:{fg}\">{}</td>",
                e(s.as_str())
            )
        }
    }
}

/// An issue section: one row per issue (number, severity, the section's
/// cells, CVE ids and title), or for the matrix the issue on a line of its
/// own above its status cells, so the title never competes with them for
/// a phone's width.
fn issue_table(out: &mut String, r: &Report, t: &Table) {
    out.push_str("<div class=\"box\"><table>\n<tr>");
    if !t.matrix {
        out.push_str("<th class=\"w\">ID</th><th class=\"w\">SEVERITY</th>");
    }
    for h in &t.headers {
        let _ = write!(out, "<th class=\"w\">{}</th>", e(h));
    }
    if !t.matrix {
        out.push_str("<th>TITLE</th>");
    }
    out.push_str("</tr>\n");
    for Row { issue, cells } in &t.rows {
        let cells: String = cells.iter().map(cell).collect();
        if t.matrix {
            let _ = writeln!(
                out,
                "<tr><td colspan=\"{}\" style=\"background:#f4f4f4\">{} {} {}</td></tr>\n<tr>{cells}</tr>",
                t.headers.len(),
                issue_link(r, issue),
                severity(issue.severity),
                cves_and_title(issue)
            );
        } else {
            let _ = writeln!(
                out,
                "<tr><td class=\"w\">{}</td><td class=\"w\">{}</td>{cells}<td>{}</td></tr>",
                issue_link(r, issue),
                severity(issue.severity),
                cves_and_title(issue)
            );
        }
    }
    out.push_str("</table></div>\n");
}

/// Renders the report as an HTML document.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style></head><body>",
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
            let via: Vec<String> = n
                .carried_by
                .iter()
                .map(|v| link(message_url(&v.posted).as_deref(), &v.label))
                .collect();
            let _ = writeln!(
                out,
                "<li>{} {} ({}, now {}) {}<br><span class=\"via\">via {}</span></li>",
                issue_link(r, &n.issue),
                severity(n.issue.severity),
                tag,
                e(n.issue.state.as_str()),
                cves_and_title(&n.issue),
                via.join(", ")
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
        issue_table(&mut out, r, &t);
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
        plain_table(&mut out, &["Member", "Claimed", "Fixed"], &rows);
    }
    if let Some(signals) = &r.signals {
        let _ = writeln!(
            out,
            "<h2>Bat-Signals, last 30 days ({})</h2>",
            signals.len()
        );
        if signals.is_empty() {
            out.push_str("<p>none</p>\n");
        }
        for s in signals {
            let state = s.state();
            let _ = writeln!(
                out,
                "<p><strong>signal {} for {}</strong> ({}): {}<br>raised by {} at {}: {}<br>incident lead: {}</p>",
                s.id,
                e(&issue_ref(s.issue)),
                e(&state),
                e(&s.title),
                e(&s.raised_by),
                e(&crate::time::format(s.raised_at)),
                e(&s.reason),
                e(s.baton.as_deref().unwrap_or("nobody"))
            );
            let rows: Vec<Vec<String>> = s
                .roles
                .iter()
                .map(|(role, ack)| match ack {
                    Some((who, after)) => vec![role.clone(), who.clone(), after.to_string()],
                    None => vec![role.clone(), String::new(), "unanswered".into()],
                })
                .collect();
            plain_table(&mut out, &["Role", "Acked by", "Time to ack"], &rows);
        }
    }
    if let Some(fx) = &r.fixes {
        fixes(&mut out, fx);
    }
    out.push_str("</body></html>\n");
    out
}

/// Section 10: fixes waiting for their channel, the time they took to
/// reach it, and missing backports.
fn fixes(out: &mut String, fx: &super::FixesSection) {
    use crate::fix::short;
    let _ = writeln!(
        out,
        "<h2>Fixes waiting for their channel ({})</h2>",
        fx.waiting.len()
    );
    if fx.waiting.is_empty() {
        out.push_str("<p>none</p>\n");
    } else {
        let rows: Vec<Vec<String>> = fx
            .waiting
            .iter()
            .map(|(w, age)| {
                vec![
                    issue_ref(w.issue),
                    w.release.clone(),
                    short(&w.commit).to_string(),
                    age.to_string(),
                    w.channel.branch.clone(),
                    w.title.clone(),
                ]
            })
            .collect();
        plain_table(
            out,
            &[
                "Issue",
                "Release",
                "Commit",
                "Committed",
                "Channel",
                "Title",
            ],
            &rows,
        );
    }
    let rows: Vec<Vec<String>> = fx
        .reached
        .iter()
        .map(|(b, s)| {
            let time = match (s.median, s.p90) {
                (Some(m), Some(p)) => format!("median {m}, 90th percentile {p}"),
                _ => "-".into(),
            };
            vec![b.clone(), s.n.to_string(), time]
        })
        .collect();
    out.push_str("<p>Time from fix to channel, last 30 days:</p>\n");
    if rows.is_empty() {
        out.push_str("<p>no fix reached its channel</p>\n");
    } else {
        plain_table(out, &["Channel", "Fixes", "Time"], &rows);
    }
    let _ = writeln!(out, "<h2>Backport gaps ({})</h2>", fx.gaps.len());
    if fx.gaps.is_empty() {
        out.push_str("<p>none</p>\n");
        return;
    }
    let rows: Vec<Vec<String>> = fx
        .gaps
        .iter()
        .map(|g| {
            vec![
                issue_ref(g.issue),
                g.cve.clone(),
                g.release.clone(),
                g.status.to_string(),
                g.waiting.to_string(),
                format!("{} ({})", short(&g.commit), g.fixed_at.format("%Y-%m-%d")),
                g.title.clone(),
            ]
        })
        .collect();
    plain_table(
        out,
        &[
            "Issue",
            "CVE",
            "Release",
            "Status",
            "Waiting",
            "Fix on unstable",
            "Title",
        ],
        &rows,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(source: Source, message_id: &str, advisory_id: Option<&str>, want: Expect) {
        let p = Posted {
            source,
            message_id: message_id.into(),
            advisory_id: advisory_id.map(String::from),
        };
        want.assert_eq(&format!("{:?}", message_url(&p)));
    }

    #[test]
    fn list_messages_link_to_marc_by_message_id() {
        check(
            Source::OssSecurity,
            "20170130012137.GA20854@jasmine",
            Some("DSA-3775-1"),
            expect![[r#"Some("https://marc.info/?i=20170130012137.GA20854@jasmine")"#]],
        );
        check(
            Source::FullDisclosure,
            "a+b/c=d&e f\"onmouseover=x<@y>",
            None,
            expect![[
                r#"Some("https://marc.info/?i=a%2Bb%2Fc%3Dd%26e%20f%22onmouseover%3Dx%3C@y%3E")"#
            ]],
        );
        check(
            Source::OssSecurity,
            "sha256-e3b0@secdesk.invalid",
            None,
            expect!["None"],
        );
    }

    #[test]
    fn advisories_link_to_their_pages() {
        check(
            Source::Debian,
            "x@debian.org",
            Some("DSA-6001-1"),
            expect![[r#"Some("https://security-tracker.debian.org/tracker/DSA-6001-1")"#]],
        );
        check(
            Source::Debian,
            "x@debian.org",
            Some("DLA-3456-2"),
            expect![[r#"Some("https://security-tracker.debian.org/tracker/DLA-3456-2")"#]],
        );
        check(
            Source::Redhat,
            "x@redhat.com",
            Some("RHSA-2018:0549-01"),
            expect![[r#"Some("https://access.redhat.com/errata/RHSA-2018:0549")"#]],
        );
        check(
            Source::Suse,
            "x@suse.de",
            Some("SUSE-SU-2024:1234-1"),
            expect![[
                r#"Some("https://www.suse.com/support/update/announcement/2024/suse-su-20241234-1/")"#
            ]],
        );
        check(
            Source::Gentoo,
            "x@gentoo.org",
            Some("GLSA 202405-01"),
            expect![[r#"Some("https://security.gentoo.org/glsa/202405-01")"#]],
        );
        check(
            Source::Other,
            "x@example.org",
            Some("RHSA-2031:0042-01"),
            expect![[r#"Some("https://access.redhat.com/errata/RHSA-2031:0042")"#]],
        );
        check(
            Source::Suse,
            "x@suse.de",
            Some("openSUSE-SU-2024:0001-1"),
            expect!["None"],
        );
        check(Source::Debian, "x@debian.org", None, expect!["None"]);
        check(Source::Other, "x@example.org", None, expect!["None"]);
        check(Source::Debian, "x", Some("DSA-12\"-1"), expect!["None"]);
    }

    #[test]
    fn cve_ids_link_to_their_records() {
        assert_eq!(
            cve_url("CVE-2024-48990").as_deref(),
            Some("https://www.cve.org/CVERecord?id=CVE-2024-48990")
        );
        assert_eq!(cve_url("CVE-2024-\"x"), None);
    }
}
