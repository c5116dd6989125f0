//! `feed.atom` (RFC 4287) and `issues.json` from the public records.
//!
//! The feed holds the most recently changed public issues and published
//! advisories ([`FEED_ENTRIES`]); each entry's id is a `tag:` URI
//! (RFC 4151) made from the site's host and the day the issue was opened
//! or the advisory first published, so it never changes. Neither file
//! holds the time of the run: unchanged data gives the same bytes, and the
//! file is not rewritten. Written by hand rather than with a crate: the
//! handful of elements needs only XML escaping. Pure.

use super::{PublicIssue, PublicSite, Settings, file_name};
use crate::text::html_escape;
use crate::triage::IssueId;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many entries the feed holds.
pub const FEED_ENTRIES: usize = 100;

/// The version of the `issues.json` shape; a change that could break a
/// reader gets a new number.
pub const JSON_VERSION: u32 = 1;

/// The authority of the feed's `tag:` ids: the host of `site.base_url`,
/// else `secdesk.invalid`.
fn authority(settings: &Settings) -> String {
    settings
        .base_url
        .as_deref()
        .and_then(|u| u.split_once("://"))
        .map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or("").to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "secdesk.invalid".into())
}

/// The Atom feed.
pub fn atom(settings: &Settings, site: &PublicSite) -> String {
    struct Entry {
        id: String,
        title: String,
        link: String,
        updated: crate::time::Instant,
        published: crate::time::Instant,
        summary: String,
    }
    let base = settings.base_url.clone().unwrap_or_default();
    let tag = authority(settings);
    let mut entries: Vec<Entry> = Vec::new();
    // Only the most recently changed issues can make the cut: choose them
    // before formatting anything.
    let mut recent: Vec<&super::PublicIssue> = site.issues.iter().collect();
    recent.sort_by_key(|i| super::recency(i.updated, i.id));
    recent.truncate(FEED_ENTRIES);
    for i in recent {
        let statuses: Vec<String> = i
            .releases
            .iter()
            .map(|r| format!("{}: {}", r.release, r.words))
            .collect();
        entries.push(Entry {
            id: format!("tag:{tag},{}:issue/{}", i.created.format("%Y-%m-%d"), i.id),
            title: format!("#{} {}", i.id, i.title),
            link: format!("{base}issue/{}.html", i.id),
            updated: i.updated,
            published: i.created,
            summary: format!(
                "{}; severity {}; {}{}",
                i.state_words,
                i.severity.unwrap_or("not rated"),
                statuses.join(", "),
                if i.cves.is_empty() {
                    String::new()
                } else {
                    format!("; {}", i.cves.join(", "))
                }
            ),
        });
    }
    for a in &site.advisories {
        entries.push(Entry {
            id: format!(
                "tag:{tag},{}:advisory/{}",
                a.published.format("%Y-%m-%d"),
                a.id
            ),
            title: format!("{}: {}", a.id, a.title),
            link: format!("{base}advisory/{}.html", file_name(&a.id)),
            updated: a.updated,
            published: a.published,
            summary: a.summary.first().cloned().unwrap_or_default(),
        });
    }
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    entries.truncate(FEED_ENTRIES);
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), crate::time::format);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "  <id>tag:{tag},2026:site</id>");
    let _ = writeln!(out, "  <title>{}</title>", xml(&settings.title));
    let _ = writeln!(out, "  <updated>{updated}</updated>");
    let _ = writeln!(
        out,
        "  <author><name>{}</name></author>",
        xml(&settings.title)
    );
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml(&format!("{base}index.html"))
    );
    let _ = writeln!(
        out,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml(&format!("{base}feed.atom"))
    );
    for e in entries {
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>{}</id>", xml(&e.id));
        let _ = writeln!(out, "    <title>{}</title>", xml(&e.title));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml(&e.link)
        );
        let _ = writeln!(
            out,
            "    <published>{}</published>",
            crate::time::format(e.published)
        );
        let _ = writeln!(
            out,
            "    <updated>{}</updated>",
            crate::time::format(e.updated)
        );
        let _ = writeln!(out, "    <summary>{}</summary>", xml(&e.summary));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Text for XML: escaped, and every character XML 1.0 forbids (controls
/// but tab and line feed, lone surrogates cannot occur in a `str`)
/// replaced by U+FFFD, so hostile subjects cannot break the feed.
fn xml(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' => c,
            '\r' => ' ',
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    html_escape(&clean)
}

/// One release's status in `issues.json`.
#[derive(Debug, Serialize)]
pub struct JsonRelease<'a> {
    /// `unknown`, `affected`, `not-affected`, `fixed` or `wontfix`.
    pub status: &'a str,
    /// The fix reference for `fixed`.
    #[serde(rename = "ref")]
    pub reference: Option<&'a str>,
    /// Why, for `wontfix`.
    pub reason: Option<&'a str>,
    /// When the fix reached the channel (RFC 3339), if fix tracking knows.
    pub channel_since: Option<&'a str>,
}

/// One issue in `issues.json`.
#[derive(Debug, Serialize)]
pub struct JsonIssue<'a> {
    /// Its number.
    pub id: i64,
    /// Its page, relative to the site.
    pub url: String,
    /// Its title.
    pub title: &'a str,
    /// Its state word.
    pub state: &'a str,
    /// Its severity word.
    pub severity: Option<&'a str>,
    /// CVE ids.
    pub cves: &'a [String],
    /// Package names.
    pub packages: &'a [String],
    /// Opened (RFC 3339 UTC).
    pub created_at: &'a str,
    /// Changed (RFC 3339 UTC).
    pub updated_at: &'a str,
    /// Per supported release.
    pub releases: BTreeMap<&'a str, JsonRelease<'a>>,
    /// Advisory ids announcing it.
    pub advisories: &'a [String],
}

/// The export's first line: everything before the issues.
#[derive(Debug, Serialize)]
struct JsonHead<'a> {
    version: u32,
    title: &'a str,
    releases: &'a [String],
}

/// `issues.json`'s first line, up to and including the `[` that opens
/// its issues. The file is compact JSON with one issue per line, so that a
/// render that changed a few issues replaces their lines
/// ([`json_splice`]) instead of writing every issue again.
pub fn json_head(settings: &Settings) -> String {
    let head = JsonHead {
        version: JSON_VERSION,
        title: &settings.title,
        releases: &settings.releases,
    };
    let mut out = serde_json::to_string(&head).unwrap_or_default();
    out.pop();
    out.push_str(",\"issues\":[\n");
    out
}

/// `issues.json`'s line for one issue (no comma, no line break); it
/// starts `{"id":N,`.
pub fn json_issue(issue: &PublicIssue) -> String {
    let record = JsonIssue {
        id: issue.id,
        url: format!("issue/{}.html", issue.id),
        title: &issue.title,
        state: issue.state,
        severity: issue.severity,
        cves: &issue.cves,
        packages: &issue.packages,
        created_at: &issue.created_at,
        updated_at: &issue.updated_at,
        releases: issue
            .releases
            .iter()
            .map(|r| {
                (
                    r.release.as_str(),
                    JsonRelease {
                        status: r.status,
                        reference: r.reference.as_deref(),
                        reason: r.reason.as_deref(),
                        channel_since: r.channel_since.as_deref(),
                    },
                )
            })
            .collect(),
        advisories: &issue.advisories,
    };
    serde_json::to_string(&record).unwrap_or_default()
}

/// What closes `issues.json`.
const JSON_TAIL: &str = "]}\n";

/// `issues.json`: every public issue with its CVEs and per-release
/// status (docs/site.md describes the shape).
pub fn json(settings: &Settings, site: &PublicSite) -> String {
    let lines: Vec<String> = site.issues.iter().map(json_issue).collect();
    json_of(&json_head(settings), lines.iter().map(String::as_str))
}

fn json_of<'a>(head: &str, lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from(head);
    for (k, line) in lines.enumerate() {
        if k > 0 {
            out.push_str(",\n");
        }
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(JSON_TAIL);
    out
}

/// The lines of an `issues.json` this module wrote with `head`: per
/// issue, its number and its line, in number order. `None` when the text
/// is not such a file (another head, a line out of order).
pub fn json_lines<'a>(text: &'a str, head: &str) -> Option<Vec<(IssueId, &'a str)>> {
    let body = text.strip_prefix(head)?.strip_suffix(JSON_TAIL)?;
    let mut out: Vec<(IssueId, &str)> = Vec::new();
    for line in body.lines() {
        let line = line.strip_suffix(',').unwrap_or(line);
        let digits = line.strip_prefix("{\"id\":")?;
        let end = digits.find(',')?;
        let id: IssueId = digits[..end].parse().ok()?;
        if out.last().is_some_and(|(last, _)| *last >= id) {
            return None;
        }
        out.push((id, line));
    }
    Some(out)
}

/// A new `issues.json` from an old one's lines ([`json_lines`]) with the
/// issues in `changed` replaced (`Some` line) or left out (`None`).
pub fn json_splice(
    head: &str,
    old: &[(IssueId, &str)],
    changed: &BTreeMap<IssueId, Option<String>>,
) -> String {
    let mut lines: Vec<&str> = Vec::with_capacity(old.len() + changed.len());
    let mut next = changed.iter().peekable();
    for (id, line) in old {
        while let Some((_, cline)) = next.next_if(|(cid, _)| **cid < *id) {
            lines.extend(cline.as_deref());
        }
        match next.next_if(|(cid, _)| **cid == *id) {
            Some((_, cline)) => lines.extend(cline.as_deref()),
            None => lines.push(line),
        }
    }
    for (_, cline) in next {
        lines.extend(cline.as_deref());
    }
    json_of(head, lines.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_has_no_markup_and_no_forbidden_characters() {
        assert_eq!(xml("<a & \u{1}b>"), "&lt;a &amp; \u{FFFD}b&gt;");
    }

    fn issue(id: IssueId, title: &str) -> PublicIssue {
        let at = crate::time::parse("2026-11-20T08:00:00Z").expect("instant");
        PublicIssue {
            id,
            title: title.into(),
            state: "new",
            state_words: "new: not yet claimed".into(),
            open: true,
            severity: None,
            cves: vec![],
            packages: vec![],
            created_at: "2026-11-20T08:00:00Z".into(),
            updated_at: "2026-11-20T08:00:00Z".into(),
            releases: vec![],
            related: vec![],
            advisories: vec![],
            created: at,
            updated: at,
            severity_level: None,
            milestones: Default::default(),
        }
    }

    #[test]
    fn a_spliced_export_is_the_export_written_whole() {
        let settings = Settings {
            title: "t \"q\"".into(),
            base_url: None,
            releases: vec!["25.05".into()],
            archive_urls: BTreeMap::new(),
        };
        let site = |issues: Vec<PublicIssue>| PublicSite {
            issues,
            advisories: vec![],
            cves: BTreeMap::new(),
            packages: BTreeMap::new(),
        };
        let before = json(
            &settings,
            &site(vec![issue(2, "b"), issue(4, "d\nnewline"), issue(6, "f")]),
        );
        let after = json(
            &settings,
            &site(vec![
                issue(1, "a"),
                issue(4, "D"),
                issue(6, "f"),
                issue(9, "i"),
            ]),
        );
        let value: serde_json::Value = serde_json::from_str(&after).expect("valid JSON");
        assert_eq!(value["issues"][1]["title"], "D");
        let head = json_head(&settings);
        let old = json_lines(&before, &head).expect("our own file");
        assert_eq!(old.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [2, 4, 6]);
        let changed = BTreeMap::from([
            (1, Some(json_issue(&issue(1, "a")))),
            (2, None),
            (4, Some(json_issue(&issue(4, "D")))),
            (9, Some(json_issue(&issue(9, "i")))),
        ]);
        assert_eq!(json_splice(&head, &old, &changed), after);
        let empty = json(&settings, &site(vec![]));
        assert!(
            serde_json::from_str::<serde_json::Value>(&empty).is_ok(),
            "{empty}"
        );
        assert_eq!(json_lines(&empty, &head), Some(vec![]));
        let gone = BTreeMap::from([(2, None), (4, None), (6, None)]);
        assert_eq!(json_splice(&head, &old, &gone), empty);
        assert_eq!(json_lines("{}", &head), None);
    }

    #[test]
    fn tag_authority_is_the_base_url_host() {
        let mut s = Settings {
            title: "t".into(),
            base_url: Some("https://sec.example.org:8443/x/".into()),
            releases: vec![],
            archive_urls: BTreeMap::new(),
        };
        assert_eq!(authority(&s), "sec.example.org");
        s.base_url = None;
        assert_eq!(authority(&s), "secdesk.invalid");
    }
}
