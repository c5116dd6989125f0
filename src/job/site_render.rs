//! `secdesk-site-render`: the public static site, incremental and atomic.
//!
//! Two ways to render, one result (tests/site.rs renders both ways and
//! compares every byte):
//!
//! - **Whole**, the first time, after `--full`, after a killed run, when
//!   the templates, settings, database or renderer changed, or when the
//!   database's epoch is behind the manifest's (restored from an older
//!   copy): every issue's row
//!   is read (`store::site`), `site::public` keeps what may be shown, and
//!   every page is rendered. Files in the page directories that no page
//!   claims are removed.
//! - **Incremental**, otherwise: the database's change stamps (migration
//!   14, kept by triggers: each render begins a new epoch, and a change
//!   stamps its issue with the current one) name the issues changed since
//!   the last render began.
//!   Only they, the issues related to them, and the issues an advisory
//!   change touches are *dirty*; only their pages, the CVE and package
//!   pages they are or were on, the pages of the open list whose rows or
//!   order changed, and their lines of `issues.json` are rendered. What
//!   they were on comes from the old `issues.json`, one issue per line.
//!   Every other issue costs a row of one narrow query (its place in the
//!   lists: `store::site::site_places`).
//!
//! Either way a page is written only when its bytes differ from the file
//! in place, through a temporary file in the same directory and a rename,
//! so a web server never serves half a page. Advisories, rota and feed are
//! rendered every run; the trends page, whose charts count days and weeks,
//! once a day (and by every whole render).
//!
//! One run at a time writes a directory: a second waits for the first's
//! lock (`.secdesk-site.lock`).
//!
//! The manifest (`.secdesk-site.json`) lives with the pages, not in the
//! database: a deleted or replaced output directory, or another `--out`,
//! is simply rendered whole. It holds the epoch that ended as it began,
//! a fingerprint of what every page depends on, the advisories, the day of
//! the trends, and the fingerprints of the pages of the open list.

use crate::config::Config;
use crate::job::Error;
use crate::site::render::{INDEX_PAGE, RECENTLY_CLOSED, Renderer, RotaDay, TEMPLATES};
use crate::site::rows::{SiteAdvisory, SiteIssueRow, SitePlace};
use crate::site::{self, PublicIssue, PublicSite, Settings, charts, feed, file_name};
use crate::store::Store;
use crate::time::Instant;
use crate::triage::IssueId;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = ".secdesk-site.json";

/// Present while a run writes pages, removed once its manifest is written:
/// a run that finds it was preceded by one that was killed, whose pages
/// the manifest may not know, so it renders whole and sweeps the page
/// directories.
pub const RENDERING: &str = ".secdesk-site.rendering";

/// Held (an advisory lock, `flock`) for the whole of a run, so that a run
/// by hand and the timer's never write one directory at once: the second
/// waits, then renders what the first left.
pub const LOCK: &str = ".secdesk-site.lock";

/// Bumped when the renderer's code (not its templates) changes what a
/// page says, so every page is rendered again once after an upgrade.
const RENDER_VERSION: &str = "site-render 2";

/// The directories pages live in.
const PAGE_DIRS: &[&str] = &["issue", "cve", "package", "advisory", "open"];

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// Pages (and feed, JSON) written because they are new or changed.
    pub written: usize,
    /// Pages left as they were.
    pub unchanged: usize,
    /// Pages removed (their issue is no longer public, or gone).
    pub removed: usize,
    /// Where the site is.
    pub dir: PathBuf,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "site-render: {} written, {} unchanged, {} removed in {}",
            self.written,
            self.unchanged,
            self.removed,
            self.dir.display()
        )
    }
}

/// The manifest's first line.
const MANIFEST_HEADER: &str = "secdesk-site manifest 3";

/// What the last render left for the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Manifest {
    /// The fingerprint of what every page depends on (renderer, templates,
    /// settings); another one means a whole render.
    base: String,
    /// The epoch of change stamps that ended when the render began
    /// (`Tx::site_new_epoch`): the next render reads the issues stamped
    /// after it.
    seq: i64,
    /// The day (UTC) the trends page was drawn for.
    day: String,
    /// The fingerprint of the published advisories.
    advisories: String,
    /// The issues those advisories announce.
    advisory_issues: BTreeSet<IssueId>,
    /// The size of the `issues.json` it wrote (another size: written by
    /// someone else, so rendered whole).
    json_len: u64,
    /// How many files the site has.
    total: usize,
    /// Per page of the open list, its input fingerprint.
    lists: BTreeMap<String, String>,
}

impl Manifest {
    fn parse(text: &str) -> Option<Manifest> {
        let mut lines = text.lines();
        if lines.next()? != MANIFEST_HEADER {
            return None;
        }
        let mut m = Manifest::default();
        for line in lines {
            let (key, value) = line.split_once(' ')?;
            match key {
                "base" => m.base = value.to_string(),
                "seq" => m.seq = value.parse().ok()?,
                "day" => m.day = value.to_string(),
                "advisories" => m.advisories = value.to_string(),
                "advisory-issues" => {
                    for id in value.split(',').filter(|v| !v.is_empty() && *v != "-") {
                        m.advisory_issues.insert(id.parse().ok()?);
                    }
                }
                "json" => m.json_len = value.parse().ok()?,
                "total" => m.total = value.parse().ok()?,
                "list" => {
                    let (fp, path) = value.split_once(' ')?;
                    m.lists.insert(path.to_string(), fp.to_string());
                }
                _ => return None,
            }
        }
        Some(m)
    }

    fn text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(out, "{MANIFEST_HEADER}");
        let _ = writeln!(out, "base {}", self.base);
        let _ = writeln!(out, "seq {}", self.seq);
        let _ = writeln!(out, "day {}", self.day);
        let _ = writeln!(out, "advisories {}", self.advisories);
        let ids: Vec<String> = self.advisory_issues.iter().map(i64::to_string).collect();
        let ids = if ids.is_empty() {
            "-".to_string()
        } else {
            ids.join(",")
        };
        let _ = writeln!(out, "advisory-issues {ids}");
        let _ = writeln!(out, "json {}", self.json_len);
        let _ = writeln!(out, "total {}", self.total);
        for (path, fp) in &self.lists {
            let _ = writeln!(out, "list {fp} {path}");
        }
        out
    }
}

/// The first 128 bits of a SHA-256, in hex: ample to tell inputs apart.
fn short_hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in digest.iter().take(16) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// A fingerprint from parts.
fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.len().to_le_bytes());
        h.update(p.as_bytes());
    }
    short_hex(&h.finalize())
}

fn write_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Write {
        path: path.to_path_buf(),
        error: e.to_string(),
    }
}

/// Writes `bytes` to `path` through a temporary file beside it and a
/// rename, so a reader sees the old page or the new one, never half.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("page");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(write_error(path))?;
    std::fs::rename(&tmp, path).map_err(write_error(path))
}

/// The team's templates: every `*.html` file in `site.template_dir`
/// (a name the site has no template for is refused, naming the file).
fn overrides(dir: Option<&Path>) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    let Some(dir) = dir else { return Ok(out) };
    let invalid = |file: PathBuf, expected: String| {
        Error::Config(crate::config::Error::Invalid {
            file,
            key: "site.template_dir".into(),
            expected,
        })
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        invalid(
            dir.to_path_buf(),
            format!("cannot read the directory ({e}); expected a directory of templates"),
        )
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| invalid(dir.to_path_buf(), e.to_string()))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".html") {
            continue;
        }
        if !TEMPLATES.iter().any(|(n, _)| *n == name) {
            return Err(invalid(
                path.clone(),
                format!(
                    "no site template is called {name:?}; expected one of {}",
                    TEMPLATES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| invalid(path.clone(), format!("cannot read it: {e}")))?;
        out.insert(name.to_string(), text);
    }
    Ok(out)
}

/// The files of one run, and what it did to them.
struct Writer {
    dir: PathBuf,
    /// Every path this run rendered (a whole render sweeps the rest).
    claimed: HashSet<String>,
    written: usize,
    /// Files that did not exist before.
    created: usize,
    removed: usize,
}

impl Writer {
    /// Writes `bytes` to `path` unless the same bytes are there already.
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), Error> {
        let file = self.dir.join(path);
        let same = match std::fs::metadata(&file) {
            Ok(meta) if meta.len() == bytes.len() as u64 => {
                std::fs::read(&file).is_ok_and(|old| old == bytes)
            }
            Ok(_) => false,
            Err(_) => {
                self.created += 1;
                false
            }
        };
        if !same {
            write_atomic(&file, bytes)?;
            self.written += 1;
        }
        self.claimed.insert(path.to_string());
        Ok(())
    }

    /// Removes `path` if it is there.
    fn remove(&mut self, path: &str) -> Result<(), Error> {
        let file = self.dir.join(path);
        match std::fs::remove_file(&file) {
            Ok(()) => {
                self.removed += 1;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(write_error(&file)(e)),
        }
    }
}

/// One page of the list of open issues: which issues it shows, in order,
/// and a fingerprint of which they are, in which order, and the counts.
/// It is rendered again when that changes or when one of its issues is
/// dirty.
struct ListPage {
    path: String,
    page: usize,
    open: Vec<IssueId>,
    /// The recently closed issues (page 1 only).
    closed: Vec<IssueId>,
    input: String,
}

/// The open list's pages and the feed's issues, from every public
/// issue's place: most severe, then oldest, then by number, 500 a page;
/// page 1 also lists the most recently closed issues and the advisories.
/// A page's input is its issues' numbers, and the advisories (which its
/// rows may name).
struct Lists {
    pages: Vec<ListPage>,
    open_count: usize,
    /// The issues the feed may show (the most recently changed).
    feed: Vec<IssueId>,
}

impl Lists {
    /// Per page, its input, as the manifest keeps them.
    fn inputs(&self) -> BTreeMap<String, String> {
        self.pages
            .iter()
            .map(|p| (p.path.clone(), p.input.clone()))
            .collect()
    }
}

fn lists(places: &[SitePlace], advisories_fp: &str) -> Lists {
    let mut open: Vec<&SitePlace> = places.iter().filter(|p| p.state.is_open()).collect();
    open.sort_by_key(|p| crate::triage::urgency(p.severity, p.created_at, p.id));
    let mut closed: Vec<&SitePlace> = places.iter().filter(|p| !p.state.is_open()).collect();
    closed.sort_by_key(|p| site::recency(p.updated_at, p.id));
    closed.truncate(RECENTLY_CLOSED);
    let mut recent: Vec<&SitePlace> = places.iter().collect();
    recent.sort_by_key(|p| site::recency(p.updated_at, p.id));
    recent.truncate(feed::FEED_ENTRIES);
    let count = open.len().div_ceil(INDEX_PAGE).max(1);
    let ids = |ps: &[&SitePlace]| -> String {
        let mut s = String::with_capacity(ps.len() * 12);
        for p in ps {
            s.push_str(&p.id.to_string());
            s.push(',');
        }
        s
    };
    let mut pages = Vec::with_capacity(count);
    for page in 1..=count {
        let share: Vec<&SitePlace> = open
            .iter()
            .copied()
            .skip((page - 1) * INDEX_PAGE)
            .take(INDEX_PAGE)
            .collect();
        let counts = format!("{page}/{count}/{}", open.len());
        let share_fp = ids(&share);
        let (closed_ids, closed_fp) = if page == 1 {
            (closed.iter().map(|p| p.id).collect(), ids(&closed))
        } else {
            (Vec::new(), String::new())
        };
        pages.push(ListPage {
            path: if page == 1 {
                "index.html".to_string()
            } else {
                format!("open/{page}.html")
            },
            page,
            open: share.iter().map(|p| p.id).collect(),
            closed: closed_ids,
            input: fingerprint(&[&counts, &share_fp, &closed_fp, advisories_fp]),
        });
    }
    Lists {
        pages,
        open_count: open.len(),
        feed: recent.iter().map(|p| p.id).collect(),
    }
}

/// Renders the site into `out` (default `site.out_dir`, else `site`
/// beside the database): incrementally when the output directory's
/// manifest allows, else whole. `full` renders whole whatever the
/// manifest says (a page is still written only if its bytes differ from
/// those in place).
pub fn run(
    store: &mut Store,
    config: &Config,
    settings_file: &crate::config::Site,
    now: Instant,
    out: Option<&Path>,
    full: bool,
    log: &mut dyn FnMut(&str),
) -> Result<Ran, Error> {
    let dir = match out {
        Some(d) => d.to_path_buf(),
        None => settings_file.out_dir(&config.database),
    };
    let renderer =
        Renderer::new(&overrides(settings_file.template_dir.as_deref())?).map_err(|e| {
            Error::Config(crate::config::Error::Invalid {
                file: settings_file
                    .template_dir
                    .clone()
                    .unwrap_or_default()
                    .join(&e.name),
                key: "site.template_dir".into(),
                expected: e.message,
            })
        })?;
    for d in std::iter::once("").chain(PAGE_DIRS.iter().copied()) {
        let p = dir.join(d);
        std::fs::create_dir_all(&p).map_err(write_error(&p))?;
    }
    let lock_path = dir.join(LOCK);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(write_error(&lock_path))?;
    if lock.try_lock().is_err() {
        log(&format!(
            "waiting for another render of {} to finish",
            dir.display()
        ));
        lock.lock().map_err(write_error(&lock_path))?;
    }
    // A new epoch of change stamps begins before anything is read: every
    // change stamped up to `epoch` is in what is read below, and every
    // later one is stamped above it, for the next render.
    let epoch = store.write(|tx| tx.site_new_epoch()).map_err(Error::from)?;
    let settings = Settings::new(settings_file, &config.releases);
    let week = rota_week(store, config, now)?;
    // Fix tracking's channel arrivals: a few rows per tracked issue, read
    // once for both ways of rendering.
    let channel = store
        .read(|r| r.site_channel_arrivals())
        .map_err(Error::from)?;
    let channel_tracked = config.fixes.is_some() || !channel.is_empty();
    let base = fingerprint(&[
        RENDER_VERSION,
        renderer.fingerprint(),
        &format!("{settings:?}"),
        &format!("{channel_tracked}"),
        &config.database.to_string_lossy(),
    ]);
    let manifest_path = dir.join(MANIFEST);
    let marker = dir.join(RENDERING);
    let interrupted = marker.exists();
    let old = if full || interrupted {
        None
    } else {
        std::fs::read_to_string(&manifest_path)
            .ok()
            .and_then(|t| Manifest::parse(&t))
            // A database whose epoch is behind the manifest's was restored
            // from a copy older than the site: its changes cannot be told.
            .filter(|m| m.base == base && m.seq < epoch)
    };
    // The old export is the memory of what each issue was on; one that is
    // not the size the manifest wrote is not ours to splice.
    let json_path = dir.join("issues.json");
    let old_json = old.as_ref().and_then(|m| {
        std::fs::read_to_string(&json_path)
            .ok()
            .filter(|t| t.len() as u64 == m.json_len)
    });
    std::fs::write(&marker, b"").map_err(write_error(&marker))?;
    let ctx = Ctx {
        renderer: &renderer,
        settings: &settings,
        settings_file,
        channel: &channel,
        channel_tracked,
        now,
        week: week.as_deref(),
    };
    let mut w = Writer {
        dir: dir.clone(),
        claimed: HashSet::new(),
        written: 0,
        created: 0,
        removed: 0,
    };
    let spliced = match (&old, &old_json) {
        (Some(m), Some(text)) => {
            feed::json_lines(text, &feed::json_head(&settings)).map(|lines| (m, lines))
        }
        _ => None,
    };
    let (manifest, counts) = match spliced {
        Some((m, lines)) => incremental(store, &ctx, &mut w, m, &lines, epoch)?,
        None => whole(store, &ctx, &mut w, &dir, epoch)?,
    };
    let manifest = Manifest { base, ..manifest };
    let total = manifest.total;
    write_atomic(&manifest_path, manifest.text().as_bytes())?;
    std::fs::remove_file(&marker).map_err(write_error(&marker))?;
    drop(lock);
    log(&counts);
    Ok(Ran {
        written: w.written,
        unchanged: total.saturating_sub(w.written),
        removed: w.removed,
        dir,
    })
}

/// What every page of one run is rendered with.
struct Ctx<'a> {
    renderer: &'a Renderer,
    settings: &'a Settings,
    settings_file: &'a crate::config::Site,
    /// When each (issue, release)'s fix reached its channel.
    channel: &'a BTreeMap<(IssueId, String), Instant>,
    channel_tracked: bool,
    now: Instant,
    week: Option<&'a [RotaDay]>,
}

impl Ctx<'_> {
    fn render_err(&self) -> impl Fn(crate::site::render::TemplateError) -> Error + '_ {
        move |e| {
            Error::Config(crate::config::Error::Invalid {
                file: self
                    .settings_file
                    .template_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("(embedded templates)"))
                    .join(&e.name),
                key: "site.template_dir".into(),
                expected: e.message,
            })
        }
    }

    /// The pages of the issues at `which` in `public.issues`, with their
    /// timelines and public notes read for them alone.
    fn issue_pages(
        &self,
        store: &mut Store,
        w: &mut Writer,
        public: &PublicSite,
        which: &[usize],
    ) -> Result<(), Error> {
        // A batch at a time, so a whole render of 100,000 issues does not
        // hold every timeline at once.
        for batch in which.chunks(2000) {
            let ids: Vec<IssueId> = batch.iter().map(|k| public.issues[*k].id).collect();
            let extras = store.read(|r| r.site_issue_extras(&ids))?;
            for &k in batch {
                let issue = &public.issues[k];
                let detail = site::public_detail(
                    extras.get(&issue.id).unwrap_or(&Default::default()),
                    self.settings,
                );
                let html = self
                    .renderer
                    .issue(self.settings, issue, &detail, self.channel_tracked)
                    .map_err(self.render_err())?;
                w.put(&format!("issue/{}.html", issue.id), html.as_bytes())?;
            }
        }
        Ok(())
    }

    fn cve_page(&self, w: &mut Writer, cve: &str, issue: &PublicIssue) -> Result<(), Error> {
        let html = self
            .renderer
            .cve(self.settings, cve, issue)
            .map_err(self.render_err())?;
        w.put(&format!("cve/{}.html", file_name(cve)), html.as_bytes())
    }

    fn package_page(
        &self,
        w: &mut Writer,
        package: &str,
        mut issues: Vec<&PublicIssue>,
    ) -> Result<(), Error> {
        site::urgency_order(&mut issues);
        let html = self
            .renderer
            .package(self.settings, package, &issues)
            .map_err(self.render_err())?;
        w.put(
            &format!("package/{}.html", file_name(package)),
            html.as_bytes(),
        )
    }

    fn list_page(
        &self,
        w: &mut Writer,
        public: &PublicSite,
        at: &HashMap<IssueId, usize>,
        lists: &Lists,
        page: &ListPage,
    ) -> Result<(), Error> {
        let pick = |ids: &[IssueId]| -> Vec<&PublicIssue> {
            ids.iter()
                .filter_map(|id| at.get(id))
                .map(|k| &public.issues[*k])
                .collect()
        };
        let html = self
            .renderer
            .index(
                self.settings,
                public,
                &pick(&page.open),
                lists.open_count,
                page.page,
                lists.pages.len(),
                &pick(&page.closed),
            )
            .map_err(self.render_err())?;
        w.put(&page.path, html.as_bytes())
    }

    /// Advisory pages, the rota and the feed: small, rendered every run.
    fn every_run(&self, w: &mut Writer, public: &PublicSite) -> Result<(), Error> {
        for a in &public.advisories {
            let html = self
                .renderer
                .advisory(self.settings, public, a)
                .map_err(self.render_err())?;
            w.put(
                &format!("advisory/{}.html", file_name(&a.id)),
                html.as_bytes(),
            )?;
        }
        let now = crate::time::format(self.now);
        let today = self
            .week
            .and_then(|days| days.iter().find(|d| d.start <= now && now < d.end));
        let rota = self
            .renderer
            .rota(self.settings, today, self.week)
            .map_err(self.render_err())?;
        w.put("rota.html", rota.as_bytes())?;
        w.put("feed.atom", feed::atom(self.settings, public).as_bytes())
    }

    /// The trends page, from every public issue.
    fn trends(
        &self,
        w: &mut Writer,
        public: &PublicSite,
        arrivals: &[crate::site::rows::Arrivals],
    ) -> Result<(), Error> {
        let charts = vec![
            charts::open_by_state(&public.issues, self.now),
            charts::arrivals(arrivals, self.now),
            charts::time_to(&public.issues, self.now, self.channel_tracked),
        ];
        let html = self
            .renderer
            .trends(self.settings, &charts)
            .map_err(self.render_err())?;
        w.put("trends.html", html.as_bytes())
    }

    fn day(&self) -> String {
        self.now.format("%Y-%m-%d").to_string()
    }
}

/// The fingerprint of the published advisories, and the issues they name.
fn advisories_fp(advisories: &[SiteAdvisory]) -> (String, BTreeSet<IssueId>) {
    let issues = advisories
        .iter()
        .flat_map(|a| a.content.issues.iter().copied())
        .collect();
    (fingerprint(&[&format!("{advisories:?}")]), issues)
}

fn counts(public: &PublicSite, issues: usize) -> String {
    format!(
        "{issues} public issues, {} CVE pages, {} package pages, {} advisories",
        public.cves.len(),
        public.packages.len(),
        public.advisories.len()
    )
}

/// Renders every page from every row, and removes every file in the page
/// directories that no page claims.
fn whole(
    store: &mut Store,
    ctx: &Ctx<'_>,
    w: &mut Writer,
    dir: &Path,
    seq: i64,
) -> Result<(Manifest, String), Error> {
    let year_ago = ctx.now - chrono::Duration::days(365);
    let (rows, advisories, arrivals, places) = store.read(|r| {
        Ok::<_, crate::store::Error>((
            r.site_issues()?,
            r.site_advisories()?,
            r.site_arrivals(year_ago)?,
            r.site_places()?,
        ))
    })?;
    let public = site::public(&rows, &advisories, ctx.channel, ctx.settings);
    drop(rows);
    let at: HashMap<IssueId, usize> = public
        .issues
        .iter()
        .enumerate()
        .map(|(k, i)| (i.id, k))
        .collect();
    let all: Vec<usize> = (0..public.issues.len()).collect();
    ctx.issue_pages(store, w, &public, &all)?;
    for (cve, &k) in &public.cves {
        ctx.cve_page(w, cve, &public.issues[k])?;
    }
    for (package, members) in &public.packages {
        let issues = members.iter().map(|k| &public.issues[*k]).collect();
        ctx.package_page(w, package, issues)?;
    }
    let (adv_fp, adv_issues) = advisories_fp(&advisories);
    let lists = lists(&places, &adv_fp);
    for page in &lists.pages {
        ctx.list_page(w, &public, &at, &lists, page)?;
    }
    let json = feed::json(ctx.settings, &public);
    w.put("issues.json", json.as_bytes())?;
    ctx.every_run(w, &public)?;
    ctx.trends(w, &public, &arrivals)?;

    // Every file in a page directory that no page claims goes: pages of
    // issues no longer public, a killed run's pages and temporary files.
    for d in PAGE_DIRS {
        let Ok(entries) = std::fs::read_dir(dir.join(d)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = format!("{d}/{}", e.file_name().to_string_lossy());
            if !w.claimed.contains(&path) {
                w.remove(&path)?;
            }
        }
    }
    let manifest = Manifest {
        base: String::new(),
        seq,
        day: ctx.day(),
        advisories: adv_fp,
        advisory_issues: adv_issues,
        json_len: json.len() as u64,
        total: w.claimed.len(),
        lists: lists.inputs(),
    };
    let said = counts(&public, public.issues.len());
    Ok((manifest, said))
}

/// What an old export line says an issue was on.
#[derive(serde::Deserialize)]
struct WasOn {
    cves: Vec<String>,
    packages: Vec<String>,
}

/// Renders what changed since the render that wrote `m` and `old_json`.
fn incremental(
    store: &mut Store,
    ctx: &Ctx<'_>,
    w: &mut Writer,
    m: &Manifest,
    old_json: &[(IssueId, &str)],
    seq: i64,
) -> Result<(Manifest, String), Error> {
    let new_day = ctx.day() != m.day;
    let year_ago = ctx.now - chrono::Duration::days(365);
    // One read snapshot: what changed, and everything it touches.
    let read = store.read(|r| {
        let changed = r.site_changed_since(m.seq)?;
        let advisories = r.site_advisories()?;
        let (adv_fp, adv_issues) = advisories_fp(&advisories);
        let mut dirty_set: BTreeSet<IssueId> = changed.iter().copied().collect();
        dirty_set.extend(r.site_related_to(&changed)?);
        if adv_fp != m.advisories {
            dirty_set.extend(m.advisory_issues.iter().copied());
            dirty_set.extend(adv_issues.iter().copied());
        }
        let dirty: Vec<IssueId> = dirty_set.iter().copied().collect();
        let dirty_rows = r.site_issues_of(&dirty)?;
        let places = r.site_places()?;
        let hidden = r.site_embargoed_cves()?;
        // What the dirty issues are on now and were on before.
        let mut cves: BTreeSet<String> = BTreeSet::new();
        let mut packages: BTreeSet<String> = BTreeSet::new();
        for row in &dirty_rows {
            cves.extend(row.cves.iter().cloned());
            packages.extend(row.packages.iter().cloned());
        }
        for id in &dirty {
            if let Ok(k) = old_json.binary_search_by_key(id, |(i, _)| *i)
                && let Ok(was) = serde_json::from_str::<WasOn>(old_json[k].1)
            {
                cves.extend(was.cves);
                packages.extend(was.packages);
            }
        }
        // Advisory pages link the CVEs that have a page (an embargoed
        // issue's have none: owners are public issues).
        let adv_cves: Vec<&str> = advisories
            .iter()
            .flat_map(|a| a.content.cves.iter().map(String::as_str))
            .collect();
        let owners = r.site_cve_owners(
            &cves
                .iter()
                .map(String::as_str)
                .chain(adv_cves.iter().copied())
                .collect::<Vec<_>>(),
        )?;
        let members =
            r.site_package_members(&packages.iter().map(String::as_str).collect::<Vec<_>>())?;
        let lists = lists(&places, &adv_fp);
        let mut need: BTreeSet<IssueId> = owners.values().copied().collect();
        need.extend(members.values().flatten().copied());
        need.extend(lists.feed.iter().copied());
        let stale = |p: &ListPage| {
            m.lists.get(&p.path) != Some(&p.input)
                || p.open
                    .iter()
                    .chain(&p.closed)
                    .any(|id| dirty_set.contains(id))
        };
        let stale_lists: Vec<usize> = (0..lists.pages.len())
            .filter(|k| stale(&lists.pages[*k]))
            .collect();
        for &k in &stale_lists {
            need.extend(lists.pages[k].open.iter().copied());
            need.extend(lists.pages[k].closed.iter().copied());
        }
        let more: Vec<IssueId> = need.difference(&dirty_set).copied().collect();
        let mut rows = dirty_rows;
        rows.extend(r.site_issues_of(&more)?);
        rows.sort_by_key(|r| r.id);
        let all = if new_day {
            Some((r.site_issues()?, r.site_arrivals(year_ago)?))
        } else {
            None
        };
        Ok::<_, crate::store::Error>(Incremental {
            advisories,
            adv_fp,
            adv_issues,
            dirty,
            rows,
            places,
            hidden,
            cves,
            packages,
            owners,
            members,
            lists,
            stale_lists,
            all,
        })
    })?;
    let visible: BTreeSet<IssueId> = read.places.iter().map(|p| p.id).collect();
    let public = site::public_part(
        &read.rows,
        &read.advisories,
        ctx.channel,
        ctx.settings,
        &visible,
        &read.hidden,
    );
    let at: HashMap<IssueId, usize> = public
        .issues
        .iter()
        .enumerate()
        .map(|(k, i)| (i.id, k))
        .collect();

    // The dirty issues' pages, and their lines of the export.
    let mut pages = Vec::new();
    let mut lines: BTreeMap<IssueId, Option<String>> = BTreeMap::new();
    for id in &read.dirty {
        match at.get(id) {
            Some(&k) => {
                pages.push(k);
                lines.insert(*id, Some(feed::json_issue(&public.issues[k])));
            }
            None => {
                w.remove(&format!("issue/{id}.html"))?;
                lines.insert(*id, None);
            }
        }
    }
    ctx.issue_pages(store, w, &public, &pages)?;
    for cve in &read.cves {
        match read.owners.get(cve).and_then(|id| at.get(id)) {
            Some(&k) => ctx.cve_page(w, cve, &public.issues[k])?,
            None => w.remove(&format!("cve/{}.html", file_name(cve)))?,
        }
    }
    for package in &read.packages {
        let issues: Vec<&PublicIssue> = read
            .members
            .get(package)
            .into_iter()
            .flatten()
            .filter_map(|id| at.get(id))
            .map(|k| &public.issues[*k])
            .collect();
        if issues.is_empty() {
            w.remove(&format!("package/{}.html", file_name(package)))?;
        } else {
            ctx.package_page(w, package, issues)?;
        }
    }
    for &k in &read.stale_lists {
        ctx.list_page(w, &public, &at, &read.lists, &read.lists.pages[k])?;
    }
    for path in m.lists.keys() {
        if !read.lists.pages.iter().any(|p| &p.path == path) {
            w.remove(path)?;
        }
    }
    let json_len = if lines.is_empty() {
        m.json_len
    } else {
        let json = feed::json_splice(&feed::json_head(ctx.settings), old_json, &lines);
        w.put("issues.json", json.as_bytes())?;
        json.len() as u64
    };
    ctx.every_run(w, &public)?;
    let mut day = m.day.clone();
    if let Some((rows, arrivals)) = &read.all {
        let everything = site::public(rows, &read.advisories, ctx.channel, ctx.settings);
        ctx.trends(w, &everything, arrivals)?;
        day = ctx.day();
    }
    if read.adv_fp != m.advisories {
        stale_advisories(w, &public)?;
    }
    let manifest = Manifest {
        base: String::new(),
        seq,
        day,
        advisories: read.adv_fp,
        advisory_issues: read.adv_issues,
        json_len,
        total: (m.total + w.created).saturating_sub(w.removed),
        lists: read.lists.inputs(),
    };
    let said = format!(
        "{} public issues, {} changed",
        read.places.len(),
        read.dirty.len()
    );
    Ok((manifest, said))
}

/// Removes advisory pages no published advisory claims (an advisory that
/// was withdrawn); the directory holds a few hundred files at most.
fn stale_advisories(w: &mut Writer, public: &PublicSite) -> Result<(), Error> {
    let keep: HashSet<String> = public
        .advisories
        .iter()
        .map(|a| format!("advisory/{}.html", file_name(&a.id)))
        .collect();
    let Ok(entries) = std::fs::read_dir(w.dir.join("advisory")) else {
        return Ok(());
    };
    let stale: Vec<String> = entries
        .flatten()
        .map(|e| format!("advisory/{}", e.file_name().to_string_lossy()))
        .filter(|p| !keep.contains(p))
        .collect();
    for p in stale {
        w.remove(&p)?;
    }
    Ok(())
}

/// What the incremental render read in one snapshot.
struct Incremental {
    advisories: Vec<SiteAdvisory>,
    adv_fp: String,
    adv_issues: BTreeSet<IssueId>,
    dirty: Vec<IssueId>,
    rows: Vec<SiteIssueRow>,
    places: Vec<SitePlace>,
    hidden: BTreeSet<String>,
    cves: BTreeSet<String>,
    packages: BTreeSet<String>,
    owners: BTreeMap<String, IssueId>,
    members: BTreeMap<String, Vec<IssueId>>,
    lists: Lists,
    /// The pages of `lists` to render again.
    stale_lists: Vec<usize>,
    /// Every row and the arrivals, on a new day (for the trends page).
    all: Option<(Vec<SiteIssueRow>, Vec<crate::site::rows::Arrivals>)>,
}

/// This week's shifts from the rota (member names only), or `None` when
/// no rotation is configured.
fn rota_week(
    store: &mut Store,
    config: &Config,
    now: Instant,
) -> Result<Option<Vec<RotaDay>>, Error> {
    if config.rotation.is_none() {
        return Ok(None);
    }
    let mut desk = crate::app::Desk { store, config, now };
    let schedule = match crate::app::rota::schedule(&mut desk, None, Some(7)) {
        Ok(s) => s,
        Err(crate::app::Error::Store(e)) => return Err(e.into()),
        Err(crate::app::Error::Refused(_)) => return Ok(None),
    };
    Ok(Some(
        schedule
            .shifts()
            .iter()
            .map(|s| RotaDay {
                date: s.date.to_string(),
                name: config.name_of(&s.member),
                start: crate::time::format(s.start),
                end: crate::time::format(s.end),
            })
            .collect(),
    ))
}
