//! The site's HTML pages from the public records, through `minijinja`
//! templates (embedded; the team may replace any of them with a file of
//! the same name in `site.template_dir`, read by the caller). Every
//! template is HTML auto-escaped, so hostile text from mail renders as
//! text; the one value inserted unescaped is the SVG `site::charts` draws
//! (it escapes every text it writes). Pages carry no script. Pure.

use super::charts::Chart;
use super::{PublicAdvisory, PublicDetail, PublicIssue, PublicSite, Settings, file_name};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};
use serde::Serialize;
use std::collections::BTreeMap;

/// The embedded templates, by name; a team's file of the same name in
/// `site.template_dir` replaces one.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("index.html", include_str!("templates/index.html")),
    ("issue.html", include_str!("templates/issue.html")),
    ("cve.html", include_str!("templates/cve.html")),
    ("package.html", include_str!("templates/package.html")),
    ("advisory.html", include_str!("templates/advisory.html")),
    ("rota.html", include_str!("templates/rota.html")),
    ("trends.html", include_str!("templates/trends.html")),
];

/// A template that does not parse or render, named as `minijinja` saw it.
#[derive(Debug, thiserror::Error)]
#[error("site template {name}: {message}")]
pub struct TemplateError {
    /// The template's name (`issue.html`).
    pub name: String,
    /// What went wrong.
    pub message: String,
}

/// One shift of the rota page: the day and the member's display name
/// (never an address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotaDay {
    /// The shift's date (UTC).
    pub date: String,
    /// Who is on call, by name.
    pub name: String,
    /// When it starts (RFC 3339 UTC).
    pub start: String,
    /// When it ends (RFC 3339 UTC).
    pub end: String,
}

/// The templates, parsed once per run.
pub struct Renderer {
    env: Environment<'static>,
    fingerprint: String,
}

impl Renderer {
    /// Parses the embedded templates with `overrides` (name → text)
    /// replacing those they name; an override of an unknown name is
    /// refused, as a typo would otherwise be silently ignored.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Renderer, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_filter("site_file", |name: String| file_name(&name));
        let mut fingerprint = String::new();
        for name in overrides.keys() {
            if !TEMPLATES.iter().any(|(n, _)| n == name) {
                return Err(TemplateError {
                    name: name.clone(),
                    message: format!(
                        "not a template of the site; expected one of {}",
                        TEMPLATES
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        for (name, text) in TEMPLATES {
            let source = overrides
                .get(*name)
                .cloned()
                .unwrap_or_else(|| text.to_string());
            fingerprint.push_str(&format!("{name}:{}:", source.len()));
            fingerprint.push_str(&source);
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| TemplateError {
                    name: name.to_string(),
                    message: format!("{e:#}"),
                })?;
        }
        Ok(Renderer { env, fingerprint })
    }

    /// Every template's text, for the pages' input fingerprints: a new
    /// template renders every page again.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, TemplateError> {
        let err = |e: minijinja::Error| TemplateError {
            name: name.to_string(),
            message: format!("{e:#}"),
        };
        let mut out = self
            .env
            .get_template(name)
            .map_err(err)?
            .render(ctx)
            .map_err(err)?;
        if !out.ends_with('\n') {
            out.push('\n');
        }
        Ok(out)
    }

    /// `issue/N.html`.
    pub fn issue(
        &self,
        settings: &Settings,
        issue: &PublicIssue,
        detail: &PublicDetail,
        channel_tracked: bool,
    ) -> Result<String, TemplateError> {
        self.render(
            "issue.html",
            context! { site => v(settings), root => v("../"), issue => v(issue), detail => v(detail), channel_tracked => v(channel_tracked) },
        )
    }

    /// `cve/CVE-YYYY-NNNN.html`: per release, whether the distribution is
    /// affected.
    pub fn cve(
        &self,
        settings: &Settings,
        cve: &str,
        issue: &PublicIssue,
    ) -> Result<String, TemplateError> {
        self.render(
            "cve.html",
            context! { site => v(settings), root => v("../"), cve => v(cve), issue => v(issue) },
        )
    }

    /// `package/NAME.html`: its issues, most severe and oldest first.
    pub fn package(
        &self,
        settings: &Settings,
        package: &str,
        issues: &[&PublicIssue],
    ) -> Result<String, TemplateError> {
        self.render(
            "package.html",
            context! { site => v(settings), root => v("../"), package => v(package), issues => v(issues) },
        )
    }

    /// `advisory/ID.html`.
    pub fn advisory(
        &self,
        settings: &Settings,
        site: &PublicSite,
        advisory: &PublicAdvisory,
    ) -> Result<String, TemplateError> {
        let linked: Vec<&String> = advisory
            .cves
            .iter()
            .filter(|c| site.cves.contains_key(*c))
            .collect();
        self.render(
            "advisory.html",
            context! { site => v(settings), root => v("../"), advisory => v(advisory), linked_cves => v(linked) },
        )
    }

    /// One page of the open issues: `index.html` (page 1, with the
    /// advisories and the most recently closed issues) or `open/N.html`.
    /// `open` is this page's share of the open issues in triage order
    /// (at most [`INDEX_PAGE`]), `open_count` all of them, `pages` how
    /// many pages there are; `closed` is newest first.
    #[allow(clippy::too_many_arguments)]
    pub fn index(
        &self,
        settings: &Settings,
        site: &PublicSite,
        open: &[&PublicIssue],
        open_count: usize,
        page: usize,
        pages: usize,
        closed: &[&PublicIssue],
    ) -> Result<String, TemplateError> {
        #[derive(Serialize)]
        struct AdvLink<'a> {
            id: &'a str,
            file: String,
            title: &'a str,
            published_at: &'a str,
        }
        let advisories: Vec<AdvLink<'_>> = if page == 1 {
            site.advisories
                .iter()
                .map(|a| AdvLink {
                    id: &a.id,
                    file: file_name(&a.id),
                    title: &a.title,
                    published_at: &a.published_at,
                })
                .collect()
        } else {
            Vec::new()
        };
        let link = |n: usize| match (page, n) {
            (1, 1) => "index.html".to_string(),
            (1, n) => format!("open/{n}.html"),
            (_, 1) => "../index.html".to_string(),
            (_, n) => format!("{n}.html"),
        };
        let prev = (page > 1).then(|| link(page - 1));
        let next = (page < pages).then(|| link(page + 1));
        let first_row = (page - 1) * INDEX_PAGE + 1;
        self.render(
            "index.html",
            context! { site => v(settings), root => v(if page == 1 { "" } else { "../" }), open_count => v(open_count), open => v(open), closed => v(closed), advisories => v(advisories), page => v(page), pages => v(pages), prev => v(prev), next => v(next), first_row => v(first_row), last_row => v(first_row + open.len().max(1) - 1) },
        )
    }

    /// `rota.html`: who is on call now (`today`) and this week (`None`:
    /// no rotation configured).
    pub fn rota(
        &self,
        settings: &Settings,
        today: Option<&RotaDay>,
        week: Option<&[RotaDay]>,
    ) -> Result<String, TemplateError> {
        self.render(
            "rota.html",
            context! { site => v(settings), root => v(""), configured => v(week.is_some()), today => v(today), week => v(week) },
        )
    }

    /// `trends.html`: the charts and their numbers.
    pub fn trends(&self, settings: &Settings, charts: &[Chart]) -> Result<String, TemplateError> {
        self.render(
            "trends.html",
            context! { site => v(settings), root => v(""), charts => v(charts) },
        )
    }
}

/// A value for a template context.
fn v<T: Serialize>(value: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// How many open issues one index page lists: the most urgent on
/// `index.html`, the rest on `open/2.html`, `open/3.html`, …, so that a
/// change re-renders one page of the list, not all of it.
pub const INDEX_PAGE: usize = 500;

/// How many closed issues the index lists.
pub const RECENTLY_CLOSED: usize = 50;
