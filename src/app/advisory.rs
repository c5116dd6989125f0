//! Advisories: `draft`, `show`, `list`, `edit`, `review`, `published`,
//! `abandon`, and the approved revisions `secdesk-advisory-render`
//! renders. Each reads the draft and its issues, lets
//! `advisory::draft` decide, and writes with the issues' history rows in
//! one transaction.

use crate::advisory::Advisory;
use crate::advisory::draft::{self, Approved, Content, IssueFacts, MessageFacts, Refused};
use crate::app::issue::{self, Ask};
use crate::app::{Desk, Result};
use crate::config::Config;
use crate::store::advisory::{DraftRow, ReviewRow, RevisionRow};
use crate::store::{self, Reader};
use crate::time::{self, Instant};
use crate::triage::IssueId;
use crate::triage::rules::Request;
use chrono::Datelike;
use serde::Serialize;
use std::fmt;

/// The configured advisory settings, or the refusal saying there are none.
pub fn settings(config: &Config) -> Result<&crate::config::Advisory, Refused> {
    config.advisory.as_ref().ok_or(Refused::NotConfigured)
}

/// One review as `show` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    /// When (UTC).
    #[serde(serialize_with = "time::ser_instant")]
    pub at: Instant,
    /// Who.
    pub reviewer: String,
    /// `approved` or `changes-requested`.
    pub verdict: String,
    /// What to change.
    pub text: Option<String>,
}

/// One advisory as `show` prints it and every action returns it.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryView {
    /// The draft number.
    pub draft: i64,
    /// The id, once approved.
    pub id: Option<String>,
    /// `draft`, `changes-requested`, `approved`, `edited` (after an
    /// approval, needs a new one), `published` or `abandoned`.
    pub state: &'static str,
    /// The last approved revision.
    pub revision: Option<u32>,
    /// Who drafted it.
    pub author: String,
    /// When (UTC).
    #[serde(serialize_with = "time::ser_instant")]
    pub created_at: Instant,
    /// Where it was published.
    pub published_url: Option<String>,
    /// What it says now, drafted from the tracker.
    pub content: Content,
    /// Its reviews, oldest first.
    pub reviews: Vec<ReviewView>,
    /// What the action did (empty for `show`).
    #[serde(skip)]
    pub did: String,
}

impl fmt::Display for AdvisoryView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.did.is_empty() {
            writeln!(f, "{}", self.did)?;
        }
        let issues: Vec<String> = self
            .content
            .issues
            .iter()
            .map(|i| format!("#{i}"))
            .collect();
        let id = self.id.as_deref().unwrap_or("no id yet");
        let rev = self
            .revision
            .map(|r| format!(" revision {r}"))
            .unwrap_or_default();
        writeln!(
            f,
            "advisory draft {} ({id}{rev}, {}) for {}: {}",
            self.draft,
            self.state,
            issues.join(", "),
            self.content.title
        )?;
        writeln!(f, "  author: {}", self.author)?;
        if let Some(s) = &self.content.severity {
            writeln!(f, "  severity: {s}")?;
        }
        if !self.content.cves.is_empty() {
            writeln!(f, "  CVEs: {}", self.content.cves.join(", "))?;
        }
        if !self.content.packages.is_empty() {
            writeln!(f, "  packages: {}", self.content.packages.join(", "))?;
        }
        for r in &self.content.releases {
            let extra = r
                .reference
                .as_deref()
                .or(r.reason.as_deref())
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            writeln!(f, "  {}: {}{extra}", r.release, r.status)?;
        }
        for r in &self.content.references {
            // Subjects are strangers' words: one line, controls visible.
            let subject = crate::text::visible(&crate::text::one_line(&r.subject));
            let url = r
                .url
                .as_deref()
                .map(|u| format!(" <{u}>"))
                .unwrap_or_default();
            writeln!(f, "  reference: {}: {subject}{url}", r.source)?;
        }
        if let Some(u) = &self.published_url {
            writeln!(f, "  published: {u}")?;
        }
        for r in &self.reviews {
            let text = r
                .text
                .as_deref()
                .map(|t| format!(": {t}"))
                .unwrap_or_default();
            writeln!(
                f,
                "  review {} by {}: {}{text}",
                time::format(r.at),
                r.reviewer,
                r.verdict
            )?;
        }
        if !self.content.summary.trim().is_empty() {
            writeln!(f)?;
            for line in self.content.summary.trim_end().lines() {
                writeln!(f, "  {line}")?;
            }
        }
        Ok(())
    }
}

/// `secdesk advisory list`.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryList {
    /// Every advisory, by draft number.
    pub advisories: Vec<AdvisoryView>,
}

impl fmt::Display for AdvisoryList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.advisories.is_empty() {
            return writeln!(f, "no advisories");
        }
        for a in &self.advisories {
            let issues: Vec<String> = a.content.issues.iter().map(|i| format!("#{i}")).collect();
            writeln!(
                f,
                "{:>4}  {:<16} {:<17} {:<10} {}  {}",
                a.draft,
                a.id.as_deref().unwrap_or("-"),
                a.state,
                a.author,
                issues.join(","),
                a.content.title
            )?;
        }
        Ok(())
    }
}

fn facts(r: &Reader<'_>, id: IssueId) -> Result<IssueFacts> {
    let target = r
        .resolve(id)?
        .ok_or(crate::triage::Refused::NoSuchIssue(id))?;
    let d = r
        .issue_detail(target)?
        .ok_or(crate::triage::Refused::NoSuchIssue(id))?;
    Ok(IssueFacts {
        id: target,
        title: d.summary.title.clone(),
        cves: d.summary.cves.clone(),
        packages: d.summary.packages.clone(),
        severity: d.summary.severity,
        releases: d
            .releases
            .iter()
            .map(|(rel, e)| (rel.clone(), e.status, e.reference.clone(), e.reason.clone()))
            .collect(),
        messages: d
            .messages
            .iter()
            .map(|m| MessageFacts {
                source: m.source,
                message_id: m.message_id.clone(),
                advisory_id: m.advisory_id.clone(),
                subject: m.subject.clone(),
                date: m.date,
            })
            .collect(),
    })
}

fn current(r: &Reader<'_>, config: &Config, d: &DraftRow) -> Result<Content> {
    let issues = d
        .issues
        .iter()
        .map(|i| facts(r, *i))
        .collect::<Result<Vec<_>>>()?;
    Ok(draft::content(
        &d.title,
        &d.summary,
        &issues,
        &config.releases,
    ))
}

/// Finds a draft by number or advisory id.
fn find(r: &Reader<'_>, adv: &str) -> Result<DraftRow> {
    let number = match adv.trim().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => r.advisory_number(adv.trim())?,
    };
    let d = match number {
        Some(n) => r.advisory_draft(n)?,
        None => None,
    };
    Ok(d.ok_or_else(|| Refused::NoSuchAdvisory(adv.to_string()))?)
}

fn state(d: &DraftRow, reviews: &[ReviewRow], revisions: &[RevisionRow]) -> &'static str {
    if d.abandoned_at.is_some() {
        return "abandoned";
    }
    let approved = revisions.last().is_some_and(|r| r.edit == d.edits);
    if approved && d.published_url.is_some() {
        return "published";
    }
    if approved {
        return "approved";
    }
    if reviews
        .last()
        .is_some_and(|r| r.verdict == "changes-requested" && r.edit == d.edits)
    {
        return "changes-requested";
    }
    if revisions.is_empty() {
        "draft"
    } else {
        "edited"
    }
}

fn view(r: &Reader<'_>, config: &Config, d: DraftRow, did: String) -> Result<AdvisoryView> {
    let reviews = r.advisory_reviews(d.number)?;
    let revisions = r.advisory_revisions(d.number)?;
    let content = current(r, config, &d)?;
    Ok(AdvisoryView {
        draft: d.number,
        id: d.advisory_id.clone(),
        state: state(&d, &reviews, &revisions),
        revision: revisions.last().map(|r| r.revision),
        author: d.author.clone(),
        created_at: d.created_at,
        published_url: d.published_url.clone(),
        content,
        reviews: reviews
            .into_iter()
            .map(|r| ReviewView {
                at: r.at,
                reviewer: r.reviewer,
                verdict: r.verdict,
                text: r.text,
            })
            .collect(),
        did,
    })
}

fn reload(desk: &mut Desk<'_>, number: i64, did: String) -> Result<AdvisoryView> {
    let config = desk.config;
    desk.store.read(|r| {
        let d = r
            .advisory_draft(number)?
            .ok_or_else(|| Refused::NoSuchAdvisory(number.to_string()))?;
        view(r, config, d, did)
    })
}

/// `secdesk advisory draft ISSUE…` as `author`: the title defaults to the
/// first issue's.
pub fn create(
    desk: &mut Desk<'_>,
    author: &str,
    issues: &[IssueId],
    title: Option<&str>,
    summary: Option<&str>,
) -> Result<AdvisoryView> {
    settings(desk.config)?;
    if issues.is_empty() {
        return Err(Refused::NoIssues.into());
    }
    let now = desk.now;
    let (number, ids) = desk.store.write(|tx| {
        let r = tx.reader();
        let facts = issues
            .iter()
            .map(|i| facts(&r, *i))
            .collect::<Result<Vec<_>>>()?;
        let title = match title {
            Some(t) => crate::text::one_line(t),
            None => draft::default_title(&facts),
        };
        if title.is_empty() {
            return Err(Refused::NoTitle.into());
        }
        let mut ids: Vec<IssueId> = facts.iter().map(|f| f.id).collect();
        ids.dedup();
        let n = tx.add_advisory_draft(&ids, &title, summary.unwrap_or(""), author, now)?;
        Ok::<_, super::Error>((n, ids))
    })?;
    let issues: Vec<String> = ids.iter().map(|i| format!("#{i}")).collect();
    reload(
        desk,
        number,
        format!("advisory draft {number} for {}", issues.join(", ")),
    )
}

/// `secdesk advisory show ADV`.
pub fn show(desk: &mut Desk<'_>, adv: &str) -> Result<AdvisoryView> {
    settings(desk.config)?;
    let config = desk.config;
    desk.store.read(|r| {
        let d = find(r, adv)?;
        view(r, config, d, String::new())
    })
}

/// `secdesk advisory list`.
pub fn list(desk: &mut Desk<'_>) -> Result<AdvisoryList> {
    settings(desk.config)?;
    let config = desk.config;
    desk.store.read(|r| {
        let mut advisories = Vec::new();
        for n in r.advisory_numbers()? {
            if let Some(d) = r.advisory_draft(n)? {
                advisories.push(view(r, config, d, String::new())?);
            }
        }
        Ok(AdvisoryList { advisories })
    })
}

fn open_draft(d: &DraftRow) -> Result<(), Refused> {
    if d.abandoned_at.is_some() {
        return Err(Refused::Abandoned(d.number));
    }
    Ok(())
}

/// `secdesk advisory edit ADV`: a new title or summary. An edit after an
/// approval voids it: the next approval is a new revision.
pub fn edit(
    desk: &mut Desk<'_>,
    by: &str,
    adv: &str,
    title: Option<&str>,
    summary: Option<&str>,
) -> Result<AdvisoryView> {
    settings(desk.config)?;
    let now = desk.now;
    let (number, did) = desk.store.write(|tx| {
        let r = tx.reader();
        let d = find(&r, adv)?;
        open_draft(&d)?;
        let approved = r
            .advisory_revisions(d.number)?
            .last()
            .is_some_and(|rev| rev.edit == d.edits);
        let new_title = title.map(crate::text::one_line).unwrap_or(d.title.clone());
        if new_title.is_empty() {
            return Err(Refused::NoTitle.into());
        }
        let new_summary = summary.map(String::from).unwrap_or(d.summary.clone());
        let mut did = format!("advisory draft {} edited by {by}", d.number);
        if approved {
            did.push_str("; its approval is void: it needs a new review");
        }
        tx.edit_advisory(&d, &new_title, &new_summary, by, now, &did)?;
        Ok::<_, super::Error>((d.number, did))
    })?;
    reload(desk, number, did)
}

/// `secdesk advisory review ADV --request-changes TEXT`.
pub fn request_changes(
    desk: &mut Desk<'_>,
    by: &str,
    adv: &str,
    text: &str,
) -> Result<AdvisoryView> {
    settings(desk.config)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Refused::NoChangesText.into());
    }
    let now = desk.now;
    let (number, did) = desk.store.write(|tx| {
        let d = find(&tx.reader(), adv)?;
        open_draft(&d)?;
        let did = format!(
            "advisory draft {}: {by} requested changes: {text}",
            d.number
        );
        tx.add_advisory_review(&d, by, "changes-requested", Some(text), now, &did)?;
        Ok::<_, super::Error>((d.number, did))
    })?;
    reload(desk, number, did)
}

/// `secdesk advisory review ADV --approve`: refused to its author and
/// while a release is unsettled; the first approval gives the id, each
/// later one (after an edit) a new revision with its content frozen.
pub fn approve(desk: &mut Desk<'_>, by: &str, adv: &str) -> Result<AdvisoryView> {
    let prefix = settings(desk.config)?.id_prefix.clone();
    let config = desk.config;
    let now = desk.now;
    let (number, did) = desk.store.write(|tx| {
        let r = tx.reader();
        let d = find(&r, adv)?;
        open_draft(&d)?;
        let revisions = r.advisory_revisions(d.number)?;
        if let Some(last) = revisions.last().filter(|rev| rev.edit == d.edits) {
            return Ok((
                d.number,
                format!(
                    "advisory draft {} is already approved (revision {}); nothing changed",
                    d.number, last.revision
                ),
            ));
        }
        let content = current(&r, config, &d)?;
        draft::check_approval(d.number, &d.author, by, &content)?;
        let id = match &d.advisory_id {
            Some(id) => id.clone(),
            None => {
                let n = tx.next_advisory_number(now.year())?;
                let id = draft::advisory_id(&prefix, now.year(), n);
                tx.set_advisory_id(d.number, &id)?;
                id
            }
        };
        let previous: Option<&Content> = revisions.last().map(|rev| &rev.content);
        let revision = revisions.last().map(|rev| rev.revision + 1).unwrap_or(1);
        tx.add_advisory_revision(&RevisionRow {
            draft: d.number,
            revision,
            edit: d.edits,
            approved_by: by.into(),
            approved_at: now,
            summary: draft::revision_summary(previous, &content),
            content: content.clone(),
            rendered_at: None,
        })?;
        let did = format!(
            "advisory draft {} approved by {by}: {id} revision {revision}",
            d.number
        );
        tx.add_advisory_review(&d, by, "approved", None, now, &did)?;
        let did = format!(
            "{did}\nsecdesk-advisory-render renders it and mails the text to {}",
            config
                .advisory
                .as_ref()
                .map(|a| a.sender.as_str())
                .unwrap_or("")
        );
        Ok::<_, super::Error>((d.number, did))
    })?;
    reload(desk, number, did)
}

/// `secdesk advisory abandon ADV`: the draft stops; an id it was given is
/// never given again.
pub fn abandon(desk: &mut Desk<'_>, by: &str, adv: &str) -> Result<AdvisoryView> {
    settings(desk.config)?;
    let now = desk.now;
    let number = desk.store.write(|tx| {
        let d = find(&tx.reader(), adv)?;
        open_draft(&d)?;
        if d.published_url.is_some() {
            return Err(Refused::Published(d.number).into());
        }
        tx.abandon_advisory(&d, by, now)?;
        Ok::<_, super::Error>(d.number)
    })?;
    reload(
        desk,
        number,
        format!("advisory draft {number} abandoned by {by}"),
    )
}

/// `secdesk advisory published ADV --url URL`: records the URL and marks
/// every issue of the advisory `announced` (the triage rules' announce
/// action, with the URL as its reference).
pub fn published(desk: &mut Desk<'_>, by: &str, adv: &str, url: &str) -> Result<AdvisoryView> {
    settings(desk.config)?;
    let url = crate::text::one_line(url);
    if url.is_empty() {
        return Err(crate::triage::Refused::NeedsRef.into());
    }
    let now = desk.now;
    let d = desk.store.write(|tx| {
        let d = find(&tx.reader(), adv)?;
        open_draft(&d)?;
        if d.advisory_id.is_none() {
            return Err(Refused::NotApproved(d.number).into());
        }
        tx.set_advisory_published(&d, &url, by, now)?;
        Ok::<_, super::Error>(d)
    })?;
    let mut said = vec![format!(
        "advisory {} published at {url}",
        d.advisory_id.as_deref().unwrap_or_default()
    )];
    for i in &d.issues {
        let acted = issue::act(
            desk,
            by,
            *i,
            Ask::Plain(Request::Announce {
                reference: url.clone(),
            }),
        )?;
        said.push(acted.to_string());
    }
    reload(desk, d.number, said.join("\n"))
}

/// One approved revision to render: the advisory as renderers see it.
#[derive(Debug, Clone)]
pub struct ToRender {
    /// The draft.
    pub draft: i64,
    /// The advisory.
    pub advisory: Advisory,
    /// Whether to skip it: a later revision is approved already (only the
    /// current revision is rendered), or the draft was abandoned.
    pub skip: Option<&'static str>,
}

/// Every approved revision not yet rendered, assembled from its frozen
/// content (an abandoned draft's revisions too: they were approved).
pub fn unrendered(r: &Reader<'_>) -> store::Result<Vec<ToRender>> {
    {
        let mut out = Vec::new();
        for rev in r.unrendered_revisions()? {
            let Some(d) = r.advisory_draft(rev.draft)? else {
                continue;
            };
            let all = r.advisory_revisions(rev.draft)?;
            let upto: Vec<Approved> = all
                .iter()
                .filter(|x| x.revision <= rev.revision)
                .map(|x| Approved {
                    number: x.revision,
                    approved_by: x.approved_by.clone(),
                    at: x.approved_at,
                    summary: x.summary.clone(),
                })
                .collect();
            let content = &rev.content;
            let skip = if d.abandoned_at.is_some() {
                Some("abandoned")
            } else if all.last().is_some_and(|l| l.revision > rev.revision) {
                Some("superseded by a later revision")
            } else {
                None
            };
            out.push(ToRender {
                skip,
                draft: rev.draft,
                advisory: draft::assemble(
                    d.advisory_id.as_deref().unwrap_or_default(),
                    &d.author,
                    content,
                    &upto,
                ),
            });
        }
        Ok(out)
    }
}

/// Who publishes, as the renderers see it, from the `advisory` settings.
pub fn publisher(a: &crate::config::Advisory) -> crate::advisory::Publisher {
    crate::advisory::Publisher {
        id_prefix: a.id_prefix.clone(),
        list: a.list.clone(),
        repository: a.repository.clone(),
        name: a
            .publisher_name
            .clone()
            .unwrap_or_else(|| a.id_prefix.clone()),
        namespace: a
            .publisher_namespace
            .clone()
            .or_else(|| a.repository.clone())
            .unwrap_or_else(|| "https://example.invalid".into()),
    }
}
