//! Drafting and review rules: what an advisory says, drafted from the
//! issues it announces; who may approve it and when; the id it gets.
//! Pure: the store's facts and `now` come in as data.

use super::{Advisory, Reference, ReleaseEntry, RevisionEntry};
use crate::mail::Source;
use crate::report::Posted;
use crate::text::one_line;
use crate::time::{self, Instant};
use crate::triage::{IssueId, ReleaseStatus, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// One message an issue collected, as far as a reference needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFacts {
    /// Where it was published.
    pub source: Source,
    /// Its Message-ID (without brackets).
    pub message_id: String,
    /// Its advisory id, if it had one.
    pub advisory_id: Option<String>,
    /// Its subject.
    pub subject: String,
    /// Its date (UTC).
    pub date: Instant,
}

/// One issue as drafting needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueFacts {
    /// Its number.
    pub id: IssueId,
    /// Its title.
    pub title: String,
    /// CVE ids.
    pub cves: Vec<String>,
    /// Package names.
    pub packages: Vec<String>,
    /// Severity, if set.
    pub severity: Option<Severity>,
    /// Release → (status, fix reference, reason), for releases with one.
    pub releases: Vec<(String, ReleaseStatus, Option<String>, Option<String>)>,
    /// Its messages, oldest first.
    pub messages: Vec<MessageFacts>,
}

/// One release as frozen in a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenRelease {
    /// The release.
    pub release: String,
    /// Its status word.
    pub status: String,
    /// The fix references, comma-separated.
    pub reference: Option<String>,
    /// Why not fixed.
    pub reason: Option<String>,
}

/// One reference as frozen in a revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrozenReference {
    /// The source word.
    pub source: String,
    /// The subject (one line).
    pub subject: String,
    /// RFC 3339 UTC.
    pub date: Option<String>,
    /// A public URL.
    pub url: Option<String>,
}

/// What an advisory says, drafted from the data: what `show` prints and
/// what an approval freezes (as JSON) so a revision renders the same
/// bytes whatever the tracker says later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    /// The title (one line).
    pub title: String,
    /// The summary (paragraphs).
    pub summary: String,
    /// The highest severity of its issues.
    pub severity: Option<String>,
    /// CVE ids, sorted.
    pub cves: Vec<String>,
    /// Packages, sorted.
    pub packages: Vec<String>,
    /// The issues.
    pub issues: Vec<IssueId>,
    /// Per supported release, in configuration order.
    pub releases: Vec<FrozenRelease>,
    /// The list messages, oldest first.
    pub references: Vec<FrozenReference>,
}

/// The title when none is given: the first issue's title (one line), with
/// `and N more` for the others.
pub fn default_title(issues: &[IssueFacts]) -> String {
    match issues {
        [] => String::new(),
        [one] => one_line(&one.title),
        [first, rest @ ..] => format!("{} (and {} more)", one_line(&first.title), rest.len()),
    }
}

/// A message's public URL, as the report links it.
pub fn message_url(m: &MessageFacts) -> Option<String> {
    crate::report::html::message_url(&Posted {
        source: m.source,
        message_id: m.message_id.clone(),
        advisory_id: m.advisory_id.clone(),
    })
}

fn rank(s: ReleaseStatus) -> u8 {
    match s {
        ReleaseStatus::Affected => 0,
        ReleaseStatus::Unknown => 1,
        ReleaseStatus::Wontfix => 2,
        ReleaseStatus::Fixed => 3,
        ReleaseStatus::NotAffected => 4,
    }
}

/// Drafts the content from the issues, for the configured `releases`. A
/// release takes the worst standing any issue gives it (`affected`, then
/// `unknown`, `wontfix`, `fixed`, `not-affected`); a release with no
/// status on an issue is `unknown`. Fix references and reasons of every
/// issue are kept, in issue order, each once.
pub fn content(title: &str, summary: &str, issues: &[IssueFacts], releases: &[String]) -> Content {
    let mut cves = BTreeSet::new();
    let mut packages = BTreeSet::new();
    let mut severity = None;
    for i in issues {
        cves.extend(i.cves.iter().cloned());
        packages.extend(i.packages.iter().cloned());
        severity = severity.max(i.severity);
    }
    let rels = releases
        .iter()
        .map(|rel| {
            let mut worst = ReleaseStatus::NotAffected;
            let mut refs: Vec<String> = Vec::new();
            let mut reasons: Vec<String> = Vec::new();
            for i in issues {
                let (status, reference, reason) = i
                    .releases
                    .iter()
                    .find(|(r, ..)| r == rel)
                    .map(|(_, s, f, w)| (*s, f.clone(), w.clone()))
                    .unwrap_or((ReleaseStatus::Unknown, None, None));
                if rank(status) < rank(worst) {
                    worst = status;
                }
                for (list, v) in [(&mut refs, reference), (&mut reasons, reason)] {
                    if let Some(v) = v.map(|v| one_line(&v)).filter(|v| !v.is_empty())
                        && !list.contains(&v)
                    {
                        list.push(v);
                    }
                }
            }
            let join = |l: Vec<String>| (!l.is_empty()).then(|| l.join(", "));
            FrozenRelease {
                release: rel.clone(),
                status: worst.as_str().into(),
                reference: if matches!(worst, ReleaseStatus::Fixed) {
                    join(refs)
                } else {
                    None
                },
                reason: if matches!(worst, ReleaseStatus::Wontfix) {
                    join(reasons)
                } else {
                    None
                },
            }
        })
        .collect();
    let mut messages: Vec<&MessageFacts> = issues.iter().flat_map(|i| &i.messages).collect();
    messages.sort_by_key(|m| m.date);
    let mut seen = BTreeSet::new();
    let references = messages
        .into_iter()
        .filter(|m| seen.insert(m.message_id.clone()))
        .map(|m| FrozenReference {
            source: m.source.as_str().into(),
            subject: one_line(&m.subject),
            date: Some(time::format(m.date)),
            url: message_url(m),
        })
        .collect();
    Content {
        title: one_line(title),
        summary: summary.replace("\r\n", "\n").replace('\r', "\n"),
        severity: severity.map(|s| s.as_str().into()),
        cves: cves.into_iter().collect(),
        packages: packages.into_iter().collect(),
        issues: issues.iter().map(|i| i.id).collect(),
        releases: rels,
        references,
    }
}

/// The most characters of a title the mail's Subject carries: a longer
/// one is cut with `…`, so no header line can exceed SMTP's 998 octets
/// (a 10,000-character word cannot be folded).
pub const SUBJECT_TITLE_CHARS: usize = 150;

/// The Subject of the mail carrying an advisory's text: `[ID] title`, one
/// line, the title cut at [`SUBJECT_TITLE_CHARS`].
pub fn mail_subject(id: &str, title: &str) -> String {
    let title = one_line(title);
    let cut: String = title.chars().take(SUBJECT_TITLE_CHARS).collect();
    let title = if cut.len() < title.len() {
        format!("{}…", cut.trim_end())
    } else {
        cut
    };
    one_line(&format!("[{id}] {title}"))
}

/// What the rules refuse about an advisory. Nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No `advisory` section in the configuration.
    NotConfigured,
    /// No advisory has this number or id.
    NoSuchAdvisory(String),
    /// A draft names no issue.
    NoIssues,
    /// The title is empty.
    NoTitle,
    /// The author asked to approve their own draft.
    AuthorCannotApprove {
        /// The draft.
        draft: i64,
        /// Its author.
        author: String,
    },
    /// Some releases are neither fixed, not affected nor excepted.
    Unsettled {
        /// The draft.
        draft: i64,
        /// `release (status)` for each.
        releases: Vec<String>,
    },
    /// The draft is abandoned.
    Abandoned(i64),
    /// The advisory is published already.
    Published(i64),
    /// `published` before any approval.
    NotApproved(i64),
    /// `--request-changes` with no text.
    NoChangesText,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotConfigured => write!(
                f,
                "advisories are not configured: add an `advisory` section (id_prefix, sender, list) to the configuration"
            ),
            Refused::NoSuchAdvisory(a) => write!(f, "no advisory {a}"),
            Refused::NoIssues => write!(f, "an advisory needs at least one issue"),
            Refused::NoTitle => write!(f, "an advisory needs a title"),
            Refused::AuthorCannotApprove { draft, author } => write!(
                f,
                "advisory draft {draft} was written by {author}: its author cannot approve it; another member must review it"
            ),
            Refused::Unsettled { draft, releases } => write!(
                f,
                "advisory draft {draft} cannot be approved: releases {} are neither fixed, not affected nor wontfix; set their status first",
                releases.join(", ")
            ),
            Refused::Abandoned(d) => write!(f, "advisory draft {d} is abandoned"),
            Refused::Published(d) => write!(f, "advisory draft {d} is published already"),
            Refused::NotApproved(d) => write!(
                f,
                "advisory draft {d} is not approved: it has no id to publish yet"
            ),
            Refused::NoChangesText => {
                write!(f, "--request-changes needs a text saying what to change")
            }
        }
    }
}

/// Whether `reviewer` may approve draft `draft` by `author` with this
/// content: not its author, and every release settled (`fixed`,
/// `not-affected` or `wontfix`).
pub fn check_approval(
    draft: i64,
    author: &str,
    reviewer: &str,
    content: &Content,
) -> Result<(), Refused> {
    if author == reviewer {
        return Err(Refused::AuthorCannotApprove {
            draft,
            author: author.into(),
        });
    }
    let unsettled: Vec<String> = content
        .releases
        .iter()
        .filter(|r| r.status == "affected" || r.status == "unknown")
        .map(|r| format!("{} ({})", r.release, r.status))
        .collect();
    if !unsettled.is_empty() {
        return Err(Refused::Unsettled {
            draft,
            releases: unsettled,
        });
    }
    Ok(())
}

/// The id given at first approval: `<prefix>-YYYY-NNNN`.
pub fn advisory_id(prefix: &str, year: i32, number: i64) -> String {
    format!("{prefix}-{year}-{number:04}")
}

/// What a new revision changed, in a line: `initial release` for the
/// first, else the parts that differ from the previous revision.
pub fn revision_summary(previous: Option<&Content>, next: &Content) -> String {
    let Some(p) = previous else {
        return "initial release".into();
    };
    let mut parts = Vec::new();
    if p.title != next.title {
        parts.push("title");
    }
    if p.summary != next.summary {
        parts.push("summary");
    }
    if p.cves != next.cves {
        parts.push("CVEs");
    }
    if p.packages != next.packages {
        parts.push("packages");
    }
    if p.releases != next.releases {
        parts.push("release statuses");
    }
    if p.references != next.references {
        parts.push("references");
    }
    if p.severity != next.severity || p.issues != next.issues {
        parts.push("issues");
    }
    if parts.is_empty() {
        "revised, same content".into()
    } else {
        format!("updated {}", parts.join(", "))
    }
}

/// One approved revision as stored, for [`assemble`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    /// Its number.
    pub number: u32,
    /// Who approved it.
    pub approved_by: String,
    /// When.
    pub at: Instant,
    /// What changed.
    pub summary: String,
}

/// The advisory of revision `revisions.last()` as every renderer sees it,
/// from its frozen content. `revisions` are every approved revision up to
/// it, oldest first (never empty).
pub fn assemble(id: &str, author: &str, content: &Content, revisions: &[Approved]) -> Advisory {
    let first = revisions.first().map(|r| r.at).unwrap_or_default();
    let last = revisions.last();
    Advisory {
        id: id.into(),
        revision: last.map(|r| r.number).unwrap_or(1),
        title: content.title.clone(),
        summary: content.summary.clone(),
        severity: content.severity.as_deref().and_then(Severity::parse),
        cves: content.cves.clone(),
        packages: content.packages.clone(),
        issues: content.issues.clone(),
        releases: content
            .releases
            .iter()
            .map(|r| ReleaseEntry {
                release: r.release.clone(),
                status: ReleaseStatus::parse(&r.status).unwrap_or(ReleaseStatus::Unknown),
                reference: r.reference.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
        references: content
            .references
            .iter()
            .map(|r| Reference {
                source: r.source.clone(),
                subject: r.subject.clone(),
                date: r.date.as_deref().and_then(time::parse),
                url: r.url.clone(),
            })
            .collect(),
        published: first,
        modified: last.map(|r| r.at).unwrap_or_default(),
        history: revisions
            .iter()
            .map(|r| RevisionEntry {
                number: r.number,
                date: r.at,
                summary: r.summary.clone(),
            })
            .collect(),
        author: author.into(),
        approved_by: last.map(|r| r.approved_by.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(releases: &[(&str, ReleaseStatus, Option<&str>)]) -> IssueFacts {
        IssueFacts {
            id: 5,
            title: "libfoo: overflow\r\nBcc: x".into(),
            cves: vec!["CVE-2026-2".into(), "CVE-2026-1".into()],
            packages: vec!["libfoo".into()],
            severity: Some(Severity::High),
            releases: releases
                .iter()
                .map(|(r, s, f)| (r.to_string(), *s, f.map(String::from), None))
                .collect(),
            messages: vec![],
        }
    }

    #[test]
    fn approval_names_the_unsettled_releases_and_refuses_the_author() {
        let rels = vec!["25.05".to_string(), "25.11".into(), "unstable".into()];
        let i = issue(&[
            ("25.05", ReleaseStatus::Affected, None),
            ("unstable", ReleaseStatus::Fixed, Some("abc")),
        ]);
        let c = content(&default_title(std::slice::from_ref(&i)), "", &[i], &rels);
        assert_eq!(c.title, "libfoo: overflow Bcc: x");
        assert_eq!(c.cves, ["CVE-2026-1", "CVE-2026-2"]);
        assert_eq!(
            check_approval(3, "alice", "alice", &c),
            Err(Refused::AuthorCannotApprove {
                draft: 3,
                author: "alice".into()
            })
        );
        let msg = check_approval(3, "alice", "bob", &c)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("25.05 (affected), 25.11 (unknown)"), "{msg}");
        assert_eq!(advisory_id("NIXSA", 2026, 7), "NIXSA-2026-0007");
        let subject = mail_subject(
            "NIXSA-2026-0007",
            &format!("x\r\nBcc: y {}", "A".repeat(10_000)),
        );
        assert!(subject.starts_with("[NIXSA-2026-0007] x Bcc: y AAA") && subject.ends_with("A…"));
        assert_eq!(
            subject.chars().count(),
            "[NIXSA-2026-0007] ".len() + SUBJECT_TITLE_CHARS + 1
        );
    }
}
