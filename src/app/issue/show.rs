//! One issue, whole: the list row plus claim, releases, checklist,
//! runbooks, notes, history and the timeline of every message, each with
//! its number (for `secdesk message N`) and why it joined the issue, and
//! the messages with parse problems. Actions return this too, for the
//! issue they changed. An issue is named by its number or by a CVE id it
//! holds ([`IssueRef`]).

use crate::app::{Desk, Result};
use crate::config::Runbook;
use crate::store::{
    self,
    issues::{HistoryEntry, IssueDetail, IssueSummary, Note, ReleaseEntry, TimelineEntry},
};
use crate::triage::checklist::{self, Step};
use crate::triage::{IssueId, Refused, ReleaseStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// How people name an issue: its number (`12`, `#12`) or a CVE id it
/// holds (`CVE-2024-48990`, in any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueRef {
    /// The issue number.
    Number(IssueId),
    /// A CVE id, normalised to `CVE-YYYY-NNNN`.
    Cve(String),
}

impl IssueRef {
    /// Reads an issue number (a leading `#` is fine) or a CVE id; the
    /// error says what was expected.
    pub fn parse(text: &str) -> Result<IssueRef, String> {
        let text = text.trim();
        if text
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("cve-"))
        {
            return cve_id(text)
                .map(IssueRef::Cve)
                .ok_or_else(|| format!("expected a CVE id like CVE-2024-48990, got {text:?}"));
        }
        text.strip_prefix('#')
            .unwrap_or(text)
            .parse::<IssueId>()
            .ok()
            .filter(|n| *n > 0)
            .map(IssueRef::Number)
            .ok_or_else(|| {
                format!(
                    "expected an issue number like 12 or a CVE id like CVE-2024-48990, got {text:?}"
                )
            })
    }
}

impl fmt::Display for IssueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueRef::Number(id) => write!(f, "#{id}"),
            IssueRef::Cve(cve) => f.write_str(cve),
        }
    }
}

/// A CVE id as people type it (any case, spaces around) in the form the
/// store keeps, `CVE-YYYY-NNNN` (four or more digits); `None` when it is
/// not one.
pub fn cve_id(text: &str) -> Option<String> {
    let id = text.trim().to_ascii_uppercase();
    let rest = id.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (year.len() == 4 && digits(year) && number.len() >= 4 && digits(number)).then_some(id)
}

/// Why an issue was dismissed.
#[derive(Debug, Serialize)]
pub struct Dismissal {
    /// The reason word (`not-packaged`, …).
    pub reason: String,
    /// More words, if given.
    pub text: Option<String>,
}

/// A runbook that applies.
#[derive(Debug, Serialize)]
pub struct RunbookLink {
    /// Its title (or the words it matches).
    pub title: String,
    /// Where it is.
    pub url: String,
}

/// One release of an issue as `show` prints it: its recorded status, and
/// what fix tracking knows (`proposals`, `channel`; empty and `null` when
/// fix tracking is not configured).
#[derive(Debug, Clone, Serialize)]
pub struct ShowRelease {
    /// The recorded status, reference and reason.
    #[serde(flatten)]
    pub entry: ReleaseEntry,
    /// Proposals and channel state.
    #[serde(flatten)]
    pub fix: crate::app::issue::fixes::ReleaseFix,
}

/// One issue as printed: the list row plus everything else. Actions print
/// this too, for the issue they changed.
#[derive(Debug, Serialize)]
pub struct IssueShow {
    /// The list row.
    #[serde(flatten)]
    pub summary: IssueSummary,
    /// Who stays responsible until it is fixed.
    pub responsible: Option<String>,
    /// Every configured release's status (and any no longer configured).
    pub releases: BTreeMap<String, ShowRelease>,
    /// The on-call process, with what is done.
    pub checklist: Vec<Step>,
    /// Runbooks that apply.
    pub runbooks: Vec<RunbookLink>,
    /// Why it was dismissed, if it was.
    pub dismissal: Option<Dismissal>,
    /// Where the fix was announced.
    pub announced: Option<String>,
    /// Related issues.
    pub related: Vec<IssueId>,
    /// Issues merged into this one.
    pub merged_from: Vec<IssueId>,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Every message that mentions it, in arrival order.
    pub messages: Vec<TimelineEntry>,
    #[serde(skip)]
    release_order: Vec<String>,
    #[serde(skip)]
    branches: BTreeMap<String, String>,
}

/// Loads an issue (following merges) and everything `show` prints:
/// releases in configuration order (a status of a release no longer
/// configured stays visible), the checklist, the runbooks that apply.
pub fn show(desk: &mut Desk<'_>, id: IssueId) -> Result<IssueShow> {
    let config = desk.config;
    let detail = desk.store.read(|r| {
        let Some(target) = r.resolve(id)? else {
            return Ok::<_, store::Error>(None);
        };
        let fixes = crate::app::issue::fixes::release_fixes(r, config, target)?;
        Ok(r.issue_detail(target)?.map(|d| (d, fixes)))
    })?;
    let (detail, fixes) = detail.ok_or(Refused::NoSuchIssue(id))?;
    let mut shown = IssueShow::new(detail, &desk.config.releases, &desk.config.runbooks);
    for (release, fix) in fixes {
        if let Some(r) = shown.releases.get_mut(&release) {
            r.fix = fix;
        }
    }
    if let Some(f) = &desk.config.fixes {
        shown.branches = f.branches.clone();
    }
    Ok(shown)
}

/// Loads the issue a reference names, as [`show`] does. A number that no
/// issue has is refused (exit 2); a CVE id that no issue holds is `None`
/// (not tracked).
pub fn show_ref(desk: &mut Desk<'_>, issue: &IssueRef) -> Result<Option<IssueShow>> {
    let id = match issue {
        IssueRef::Number(id) => *id,
        IssueRef::Cve(cve) => match desk.store.read(|r| r.issue_with_cve(cve))? {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    show(desk, id).map(Some)
}

impl IssueShow {
    fn new(d: IssueDetail, releases: &[String], runbooks: &[Runbook]) -> IssueShow {
        let mut all = BTreeMap::new();
        for r in releases {
            let entry = d.releases.get(r).cloned().unwrap_or(ReleaseEntry {
                status: ReleaseStatus::Unknown,
                reference: None,
                reason: None,
            });
            all.insert(r.clone(), entry);
        }
        // Statuses of releases no longer configured are kept visible.
        for (r, e) in &d.releases {
            all.entry(r.clone()).or_insert_with(|| e.clone());
        }
        let statuses = all.iter().map(|(r, e)| (r.clone(), e.status)).collect();
        let all: BTreeMap<String, ShowRelease> = all
            .into_iter()
            .map(|(r, entry)| {
                (
                    r,
                    ShowRelease {
                        entry,
                        fix: Default::default(),
                    },
                )
            })
            .collect();
        let steps = checklist::checklist(
            d.summary.state,
            d.summary.claimed_by.is_some(),
            releases,
            &statuses,
        );
        let runbooks = checklist::runbooks(runbooks, &d.summary.title, &d.summary.packages)
            .into_iter()
            .map(|rb| RunbookLink {
                title: rb.title.clone().unwrap_or_else(|| rb.matches.join(", ")),
                url: rb.url.clone(),
            })
            .collect();
        IssueShow {
            responsible: d.responsible,
            releases: all,
            checklist: steps,
            runbooks,
            dismissal: d.dismissal.map(|(reason, text)| Dismissal { reason, text }),
            announced: d.announced,
            related: d.related,
            merged_from: d.merged_from,
            notes: d.notes,
            history: d.history,
            messages: d.messages,
            release_order: releases.to_vec(),
            branches: BTreeMap::new(),
            summary: d.summary,
        }
    }
}

fn or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(" ")
    }
}

fn ids(v: &[IssueId]) -> String {
    let v: Vec<String> = v.iter().map(|i| format!("#{i}")).collect();
    or_dash(&v)
}

impl fmt::Display for IssueShow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.summary;
        writeln!(f, "#{}  {}", s.id, s.title)?;
        writeln!(f, "state:     {}", s.state)?;
        writeln!(
            f,
            "severity:  {}",
            s.severity.map_or("-".into(), |v| v.to_string())
        )?;
        let claim = match (&s.claimed_by, &self.responsible) {
            (Some(c), Some(r)) if c != r => format!("{c} (responsible: {r})"),
            (Some(c), _) => c.clone(),
            (None, _) => "-".into(),
        };
        writeln!(f, "claimed:   {claim}")?;
        writeln!(f, "cves:      {}", or_dash(&s.cves))?;
        writeln!(f, "packages:  {}", or_dash(&s.packages))?;
        writeln!(f, "related:   {}", ids(&self.related))?;
        if !self.merged_from.is_empty() {
            writeln!(f, "merged:    {}", ids(&self.merged_from))?;
        }
        if let Some(d) = &self.dismissal {
            match &d.text {
                Some(t) => writeln!(f, "dismissed: {}: {t}", d.reason)?,
                None => writeln!(f, "dismissed: {}", d.reason)?,
            }
        }
        if let Some(a) = &self.announced {
            writeln!(f, "announced: {a}")?;
        }
        writeln!(f, "opened:    {}", crate::time::format(s.created_at))?;
        let troubled: Vec<String> = self
            .messages
            .iter()
            .filter(|m| !m.problems.is_empty())
            .map(|m| format!("{} ({})", m.number, m.problems.join(", ")))
            .collect();
        match troubled.as_slice() {
            [] => {}
            [one] => writeln!(f, "problems:  message {one}")?,
            many => writeln!(f, "problems:  messages {}", many.join(", "))?,
        }
        writeln!(f)?;
        writeln!(f, "releases:")?;
        let mut order = self.release_order.clone();
        for r in self.releases.keys() {
            if !order.contains(r) {
                order.push(r.clone());
            }
        }
        for r in &order {
            if let Some(s) = self.releases.get(r) {
                let e = &s.entry;
                let extra = match (&e.reference, &e.reason) {
                    (Some(x), _) => format!("  {x}"),
                    (None, Some(x)) => format!("  {x}"),
                    (None, None) => String::new(),
                };
                writeln!(f, "  {r:<12} {}{extra}", e.status)?;
                let branch = self.branches.get(r).map(String::as_str);
                if let Some(line) = crate::app::issue::fixes::channel_line(branch, &s.fix) {
                    writeln!(f, "  {:<12} {line}", "")?;
                }
                for p in &s.fix.proposals {
                    writeln!(
                        f,
                        "  {:<12} {}",
                        "",
                        crate::app::issue::fixes::proposal_line(p)
                    )?;
                }
            }
        }
        writeln!(f)?;
        writeln!(f, "checklist:")?;
        for step in &self.checklist {
            writeln!(f, "  [{}] {}", if step.done { "x" } else { " " }, step.item)?;
        }
        if !self.runbooks.is_empty() {
            writeln!(f)?;
            writeln!(f, "runbooks:")?;
            for rb in &self.runbooks {
                writeln!(f, "  {}: {}", rb.title, rb.url)?;
            }
        }
        if !self.notes.is_empty() {
            writeln!(f)?;
            writeln!(f, "notes:")?;
            for n in &self.notes {
                writeln!(
                    f,
                    "  {}  {}{}: {}",
                    n.at.format("%Y-%m-%d %H:%M"),
                    n.actor,
                    if n.public { " (public)" } else { "" },
                    n.text
                )?;
            }
        }
        writeln!(f)?;
        writeln!(f, "timeline ({} messages):", self.messages.len())?;
        let width = self
            .messages
            .iter()
            .map(|m| m.number.to_string().len())
            .max()
            .unwrap_or(0);
        // What comes before the subject: number, date, source, advisory id,
        // why.
        const LEAD: usize = 2 + 2 + 16 + 2 + 15 + 2 + 20 + 2 + 14 + 2;
        let page = crate::layout::page(f, LEAD + width);
        for m in &self.messages {
            let problems = if m.problems.is_empty() {
                String::new()
            } else {
                format!("  [{}]", m.problems.join(", "))
            };
            // On a terminal, the subject gives way to the page width.
            let subject = match page {
                Some(room) => crate::text::ellipsize(
                    &m.subject,
                    room.saturating_sub(problems.chars().count())
                        .max(crate::layout::MIN_SHRUNK),
                ),
                None => m.subject.clone(),
            };
            // Why it joined: as wide as the longest word, `cve-in-subject`.
            writeln!(
                f,
                "  {:>width$}  {}  {:<15}  {:<20}  {:<14}  {subject}{problems}",
                m.number,
                m.date.format("%Y-%m-%d %H:%M"),
                m.source.as_str(),
                m.advisory_id.as_deref().unwrap_or("-"),
                m.joined_by.map_or("-", |j| j.as_str()),
            )?;
        }
        writeln!(f)?;
        writeln!(f, "history:")?;
        for h in &self.history {
            let detail = if h.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", h.detail)
            };
            let line = format!(
                "  {}  {}  {}{detail}",
                h.at.format("%Y-%m-%d %H:%M"),
                h.actor,
                h.action
            );
            // On a terminal, the detail gives way to the page width.
            match crate::layout::page(f, 0) {
                Some(w) => writeln!(
                    f,
                    "{}",
                    crate::text::ellipsize(&line, w.max(crate::layout::MIN_SHRUNK))
                )?,
                None => writeln!(f, "{line}")?,
            }
        }
        Ok(())
    }
}
