//! `secdesk-site-render`: the public static site, incremental and atomic.
//!
//! One read snapshot gives every issue's light row (`store::site`);
//! `site::public` keeps what may be shown; then each page's *input
//! fingerprint* (a hash of what the page is made from: the issue's change
//! stamp, its related issues and advisories, the templates, the settings)
//! is compared with the one remembered in the output directory's manifest
//! (`.secdesk-site.json`). Pages whose inputs did not change are neither
//! rendered nor touched, so only the timelines of changed issues are read.
//! A page rendered again is written only when its bytes differ (a content
//! hash), through a temporary file in the same directory and a rename, so
//! a web server never serves half a page. Pages of issues that are no
//! longer public (dismissed as embargoed, merged) are removed. The open
//! issues are listed 500 to a page, and each page of that list and
//! `issues.json` are rendered only when one of their rows changed; trends,
//! rota, feed and advisories are rendered every run and written when their
//! bytes differ.
//!
//! The manifest lives with the pages, not in the database: a deleted or
//! replaced output directory, or another `--out`, is simply rendered
//! whole. Without a manifest (or with `--full`) every page is rendered,
//! and files in the page directories that no page claims are removed.

use crate::config::Config;
use crate::job::Error;
use crate::site::render::{INDEX_PAGE, Renderer, RotaDay, TEMPLATES};
use crate::site::{self, PublicIssue, Settings, charts, feed, file_name};
use crate::store::Store;
use crate::time::Instant;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = ".secdesk-site.json";

/// Present while a run writes pages, removed once its manifest is written:
/// a run that finds it was preceded by one that was killed, whose pages
/// the manifest may not know, so it sweeps the page directories.
pub const RENDERING: &str = ".secdesk-site.rendering";

/// Bumped when the renderer's code (not its templates) changes what a
/// page says, so every page is rendered again once after an upgrade.
const RENDER_VERSION: &str = "site-render 1";

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

/// What the manifest remembers per page: its input fingerprint and the
/// hash of its bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Remembered {
    input: String,
    content: String,
}

/// The manifest's first line; then one line per page: input
/// fingerprint, content hash, path (a path holds no space or line break:
/// `site::file_name`). Plain lines rather than JSON: at 300,000 pages it
/// is read and written in a few tens of milliseconds.
const MANIFEST_HEADER: &str = "secdesk-site manifest 2";

fn read_manifest(bytes: &[u8]) -> Option<HashMap<String, Remembered>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()? != MANIFEST_HEADER {
        return None;
    }
    let mut pages = HashMap::new();
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let (Some(input), Some(content), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        pages.insert(
            path.to_string(),
            Remembered {
                input: input.to_string(),
                content: content.to_string(),
            },
        );
    }
    Some(pages)
}

fn manifest_text(pages: &HashMap<String, Remembered>) -> String {
    let mut out = String::with_capacity(pages.len() * 100);
    out.push_str(MANIFEST_HEADER);
    out.push('\n');
    for (path, r) in pages {
        let input = if r.input.is_empty() { "-" } else { &r.input };
        out.push_str(input);
        out.push(' ');
        out.push_str(&r.content);
        out.push(' ');
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// The first 128 bits of a SHA-256, in hex: ample to tell page versions
/// apart, and half the manifest's size.
fn short_hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in digest.iter().take(16) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    short_hex(&Sha256::digest(bytes))
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

/// The pages of one run, and what it did.
struct Writer {
    dir: PathBuf,
    /// What the manifest remembers of pages not yet seen this run; what
    /// is left at the end is no longer a page.
    old: HashMap<String, Remembered>,
    new: HashMap<String, Remembered>,
    written: usize,
    unchanged: usize,
}

impl Writer {
    /// Whether `path`'s input is what the manifest remembers; if so the
    /// page is kept as it is.
    fn keep(&mut self, path: &str, input: &str) -> bool {
        if self.old.get(path).is_some_and(|r| r.input == input)
            && let Some((path, r)) = self.old.remove_entry(path)
        {
            self.new.insert(path, r);
            self.unchanged += 1;
            return true;
        }
        false
    }

    /// Records `path` with `input` and writes `bytes` unless the same
    /// bytes are there already.
    fn put(&mut self, path: &str, input: String, bytes: &[u8]) -> Result<(), Error> {
        let content = hex(bytes);
        let same = match self.old.remove(path) {
            Some(r) => r.content == content,
            None => false,
        };
        if same {
            self.unchanged += 1;
        } else {
            write_atomic(&self.dir.join(path), bytes)?;
            self.written += 1;
        }
        self.new
            .insert(path.to_string(), Remembered { input, content });
        Ok(())
    }
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

/// What a listing row of an issue shows (package pages, CVE pages).
fn listing_input(i: &PublicIssue) -> String {
    format!(
        "{}|{}|{}|{:?}|{:?}|{:?}",
        i.id, i.title, i.state_words, i.severity, i.cves, i.releases
    )
}

/// Renders the site into `out` (default `site.out_dir`, else `site`
/// beside the database). `full` renders every page again, ignoring what
/// the manifest remembers (a page is still written only if its bytes
/// differ from those in place when the manifest knows them).
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
    let year_ago = now - chrono::Duration::days(365);
    let (rows, advisories, arrivals, channel) = store.read(|r| {
        Ok::<_, crate::store::Error>((
            r.site_issues()?,
            r.site_advisories()?,
            r.site_arrivals(year_ago)?,
            r.site_channel_arrivals()?,
        ))
    })?;
    // With fix tracking set up, a fix not in its channel yet is "not yet".
    let channel_tracked = config.fixes.is_some() || !channel.is_empty();
    let week = rota_week(store, config, now)?;
    let settings = Settings::new(settings_file, &config.releases);
    let public = site::public(&rows, &advisories, &channel, &settings);

    let manifest_path = dir.join(MANIFEST);
    let old = if full {
        None
    } else {
        std::fs::read(&manifest_path)
            .ok()
            .and_then(|b| read_manifest(&b))
    };
    let had_manifest = old.is_some();
    let marker = dir.join(RENDERING);
    let interrupted = marker.exists();
    std::fs::write(&marker, b"").map_err(write_error(&marker))?;
    let mut w = Writer {
        dir: dir.clone(),
        old: old.unwrap_or_default(),
        new: HashMap::with_capacity(public.issues.len() * 3 + 16),
        written: 0,
        unchanged: 0,
    };
    let base = fingerprint(&[
        RENDER_VERSION,
        renderer.fingerprint(),
        &format!("{settings:?}"),
        &format!("{channel_tracked}"),
    ]);

    // What each issue's rows in lists, the CVE pages and the export show,
    // hashed once.
    let rows_fp: Vec<String> = public
        .issues
        .iter()
        .map(|i| fingerprint(&[&listing_input(i)]))
        .collect();

    // Issue pages: only those whose inputs changed are rendered, and only
    // their timelines and public notes are read.
    let mut todo: Vec<(usize, String)> = Vec::new();
    for (k, i) in public.issues.iter().enumerate() {
        let path = format!("issue/{}.html", i.id);
        let input = fingerprint(&[&base, &i.stamp, &rows_fp[k], &format!("{:?}", i.related)]);
        if !w.keep(&path, &input) {
            todo.push((k, input));
        }
    }
    let ids: Vec<i64> = todo.iter().map(|(k, _)| public.issues[*k].id).collect();
    let extras = store.read(|r| r.site_issue_extras(&ids))?;
    let render_err = |e: crate::site::render::TemplateError| {
        Error::Config(crate::config::Error::Invalid {
            file: settings_file
                .template_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("(embedded templates)"))
                .join(&e.name),
            key: "site.template_dir".into(),
            expected: e.message,
        })
    };
    for (k, input) in todo {
        let issue = &public.issues[k];
        let detail = site::public_detail(
            extras.get(&issue.id).unwrap_or(&Default::default()),
            &settings,
        );
        let html = renderer
            .issue(&settings, issue, &detail, channel_tracked)
            .map_err(render_err)?;
        w.put(&format!("issue/{}.html", issue.id), input, html.as_bytes())?;
    }

    // CVE pages: from the issue's listing row alone.
    for (cve, &k) in &public.cves {
        let issue = &public.issues[k];
        let path = format!("cve/{}.html", file_name(cve));
        let input = fingerprint(&[&base, cve, &rows_fp[k]]);
        if w.keep(&path, &input) {
            continue;
        }
        let html = renderer.cve(&settings, cve, issue).map_err(render_err)?;
        w.put(&path, input, html.as_bytes())?;
    }

    // Package pages: from their issues' listing rows.
    for (package, members) in &public.packages {
        let path = format!("package/{}.html", file_name(package));
        let rows: Vec<&str> = members.iter().map(|k| rows_fp[*k].as_str()).collect();
        let input = fingerprint(&[&base, package, &rows.concat()]);
        if w.keep(&path, &input) {
            continue;
        }
        let mut issues: Vec<&PublicIssue> = members.iter().map(|k| &public.issues[*k]).collect();
        site::urgency_order(&mut issues);
        let html = renderer
            .package(&settings, package, &issues)
            .map_err(render_err)?;
        w.put(&path, input, html.as_bytes())?;
    }

    // Advisory pages and the overview pages: rendered every run, written
    // when their bytes differ.
    for a in &public.advisories {
        let path = format!("advisory/{}.html", file_name(&a.id));
        let html = renderer
            .advisory(&settings, &public, a)
            .map_err(render_err)?;
        w.put(&path, String::new(), html.as_bytes())?;
    }
    let today = week.as_ref().and_then(|days| {
        days.iter()
            .find(|d| d.start <= crate::time::format(now) && crate::time::format(now) < d.end)
    });
    let charts = vec![
        charts::open_by_state(&public.issues, now),
        charts::arrivals(&arrivals, now),
        charts::time_to(&public.issues, now, channel_tracked),
    ];
    // The open issues, a page of the list at a time; each page is
    // rendered only when one of its rows changed.
    let mut open: Vec<usize> = (0..public.issues.len())
        .filter(|k| public.issues[*k].open)
        .collect();
    open.sort_by_key(|k| {
        let i = &public.issues[*k];
        (std::cmp::Reverse(i.severity_level), i.created, i.id)
    });
    let mut closed: Vec<usize> = (0..public.issues.len())
        .filter(|k| !public.issues[*k].open)
        .collect();
    closed.sort_by_key(|k| {
        (
            std::cmp::Reverse(public.issues[*k].updated),
            public.issues[*k].id,
        )
    });
    closed.truncate(crate::site::render::RECENTLY_CLOSED);
    let pages = open.len().div_ceil(INDEX_PAGE).max(1);
    let advisories_fp = format!("{:?}", public.advisories);
    for page in 1..=pages {
        let share: Vec<usize> = open
            .iter()
            .copied()
            .skip((page - 1) * INDEX_PAGE)
            .take(INDEX_PAGE)
            .collect();
        let path = if page == 1 {
            "index.html".to_string()
        } else {
            format!("open/{page}.html")
        };
        let mut parts: Vec<&str> = vec![&base];
        let counts = format!("{page}/{pages}/{}", open.len());
        parts.push(&counts);
        parts.extend(share.iter().map(|k| rows_fp[*k].as_str()));
        if page == 1 {
            parts.push(&advisories_fp);
            parts.extend(closed.iter().map(|k| rows_fp[*k].as_str()));
        }
        let input = fingerprint(&parts);
        if w.keep(&path, &input) {
            continue;
        }
        let share: Vec<&PublicIssue> = share.iter().map(|k| &public.issues[*k]).collect();
        let closed: Vec<&PublicIssue> = if page == 1 {
            closed.iter().map(|k| &public.issues[*k]).collect()
        } else {
            Vec::new()
        };
        let html = renderer
            .index(&settings, &public, &share, open.len(), page, pages, &closed)
            .map_err(render_err)?;
        w.put(&path, input, html.as_bytes())?;
    }
    // The export: rendered only when a row of it changed.
    let export_rows: Vec<String> = public
        .issues
        .iter()
        .map(|i| format!("{}|{}|{:?}", i.created_at, i.updated_at, i.advisories))
        .collect();
    let mut parts: Vec<&str> = vec![&base];
    parts.extend(rows_fp.iter().map(String::as_str));
    parts.extend(export_rows.iter().map(String::as_str));
    let input = fingerprint(&parts);
    if !w.keep("issues.json", &input) {
        w.put(
            "issues.json",
            input,
            feed::json(&settings, &public).as_bytes(),
        )?;
    }
    let overview = [
        (
            "rota.html",
            renderer
                .rota(&settings, today, week.as_deref())
                .map_err(render_err)?,
        ),
        (
            "trends.html",
            renderer.trends(&settings, &charts).map_err(render_err)?,
        ),
        ("feed.atom", feed::atom(&settings, &public)),
    ];
    for (path, body) in overview {
        w.put(path, String::new(), body.as_bytes())?;
    }

    // What is no longer a page goes: pages the manifest knew, and, when
    // there was none or the last run was killed before writing it, any
    // file in a page directory no page claims (a killed run's pages and
    // temporary files included).
    let mut removed = 0;
    let mut gone: Vec<PathBuf> = w.old.keys().map(|p| dir.join(p)).collect();
    if !had_manifest || interrupted {
        for d in PAGE_DIRS {
            let Ok(entries) = std::fs::read_dir(dir.join(d)) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !w.new.contains_key(&format!("{d}/{name}")) {
                    gone.push(e.path());
                }
            }
        }
    }
    for p in gone {
        match std::fs::remove_file(&p) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(write_error(&p)(e)),
        }
    }
    let manifest = std::mem::take(&mut w.new);
    write_atomic(&manifest_path, manifest_text(&manifest).as_bytes())?;
    std::fs::remove_file(&marker).map_err(write_error(&marker))?;
    log(&format!(
        "{} public issues, {} CVE pages, {} package pages, {} advisories",
        public.issues.len(),
        public.cves.len(),
        public.packages.len(),
        public.advisories.len()
    ));
    Ok(Ran {
        written: w.written,
        unchanged: w.unchanged,
        removed,
        dir,
    })
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
