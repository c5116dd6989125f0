//! The public static site (issue 17), rendered by the real
//! `secdesk-site-render` from a database of the real fixtures (through the
//! real ingest binary, then CLI actions): every link resolves inside the
//! site, every CVE of every public issue has its page, nothing private
//! the test planted appears anywhere in the output; the feed is parsed by
//! Debian's `python3-feedparser`; `issues.json` has its documented shape;
//! the render is incremental and removes pages that stop being public;
//! the team's templates replace the embedded ones; and in a real headless
//! Chromium the pages load without console errors, fit 400 px and show
//! hostile subjects as text.

use crate::harness::chromium::Chromium;
use crate::util::{Desk, sample_mail};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";
const PRIVATE_NOTE: &str = "PRIVATE-NOTE-do-not-publish";
const PUBLIC_NOTE: &str = "Public note: fixed upstream in 3.5";
const EMBARGOED_SUBJECT: &str = "EMBARGOED-SUBJECT-quietbird";
const EMBARGOED_CVE: &str = "CVE-2026-99991";
const SIGNAL_REASON: &str = "SIGNAL-REASON-wake-everyone";
const UNIX_USER: &str = "aliceunix42";
const WAR_ROOM: &str = "sec-incident-war-room";

/// Everything a public page must never hold: planted private text,
/// members' addresses and logins, the Bat-Signal's contacts, reason and
/// war room, the embargoed issue, and strangers' sender addresses.
const PRIVATE: &[&str] = &[
    PRIVATE_NOTE,
    EMBARGOED_SUBJECT,
    EMBARGOED_CVE,
    SIGNAL_REASON,
    UNIX_USER,
    WAR_ROOM,
    "alice@example.org",
    "bob@example.org",
    "carol@example.org",
    "alice-pager@example.net",
    "bob-pager@example.net",
    "s3cret token key",
    "qsa@qualys.com",
];

const T0: &str = "2026-11-20T09:00:00Z";
const NOW: &str = "2026-11-22T09:00:00Z";

fn sd(desk: &Desk, who: &str, args: &[&str]) -> String {
    desk.cmd_at("secdesk", T0)
        .args(["--as", who])
        .args(args)
        .stdout()
}

fn private_file(desk: &Desk, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = desk.dir.write(name, text);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    p
}

/// The id of the issue holding `cve`.
fn issue_of(desk: &Desk, cve: &str) -> String {
    let v: serde_json::Value = desk
        .cmd_at("secdesk", T0)
        .args(["--json", "show", cve])
        .json();
    v["id"].to_string()
}

/// Drafts advisory `n` for `issue` (by `who.0`), approves it (by
/// `who.1`) and records it published as NIXSA-2026-000n.
fn publish(desk: &Desk, issue: &str, title: &str, who: (&str, &str), n: u32) {
    sd(desk, who.0, &["advisory", "draft", issue, "--title", title]);
    sd(
        desk,
        who.1,
        &["advisory", "review", &n.to_string(), "--approve"],
    );
    let url = format!("https://lists.example.org/announce/{n}");
    let id = format!("NIXSA-2026-{n:04}");
    sd(desk, who.1, &["advisory", "published", &id, "--url", &url]);
}

/// A desk with a rota, an advisory published, a Bat-Signal raised, public
/// and private notes, a hostile subject, a 300-character word, and an
/// issue dismissed as embargoed.
fn site_desk(name: &str) -> Desk {
    let desk = Desk::new(name);
    let contacts = private_file(
        &desk,
        "signal-contacts.json",
        r#"{"alice": ["alice-pager@example.net"], "bob": ["bob-pager@example.net"]}"#,
    );
    let secret = private_file(&desk, "signal-token", "s3cret token key\n");
    let mut c = desk.config_json();
    c["team"][0]["unix_user"] = serde_json::json!(UNIX_USER);
    c["rotation"] = serde_json::json!({"start": "2026-11-02", "order": ["alice", "bob", "carol"]});
    c["advisory"] = serde_json::json!({
        "id_prefix": "NIXSA", "sender": "bob", "list": "announce@example.org"
    });
    c["signal"] = serde_json::json!({
        "roles": {"coordination": ["alice"], "package-fixing": ["bob"],
                  "qa": ["carol"], "release-engineering": ["bob"]},
        "ack_timeout": "15m",
        "war_room": format!("https://matrix.to/#/#{WAR_ROOM}:example.org"),
        "checklist": "https://wiki.example.org/bat-signal",
        "contacts_file": contacts, "token_secret_file": secret
    });
    c["site"] = serde_json::json!({
        "title": "Example security tracker",
        "base_url": "https://security.example.org/"
    });
    desk.set_config(&c);
    desk.cmd_at("secdesk-ingest", "2026-11-20T08:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    desk.dir.write(
        "extra/cur/1",
        format!(
            "Message-ID: <hostile@evil.example>\nFrom: Mallory <mallory@evil.example>\n\
             List-Id: <oss-security.lists.openwall.com>\nDate: Fri, 20 Nov 2026 08:30:00 +0000\n\
             Subject: {HOSTILE} CVE-2026-0001 {}\n\nbody\n",
            "A".repeat(300)
        ),
    );
    desk.dir.write(
        "extra/cur/2",
        format!(
            "Message-ID: <embargo@example.net>\nFrom: Quiet <quiet@example.net>\n\
             List-Id: <oss-security.lists.openwall.com>\nDate: Fri, 20 Nov 2026 08:40:00 +0000\n\
             Subject: {EMBARGOED_SUBJECT} {EMBARGOED_CVE} in quietpkg\n\nbody\n"
        ),
    );
    desk.cmd_at("secdesk-ingest", "2026-11-20T08:45:00Z")
        .arg("--maildir")
        .arg(desk.dir.join("extra"))
        .stdout();
    let embargoed = issue_of(&desk, EMBARGOED_CVE);
    sd(
        &desk,
        "alice",
        &["dismiss", &embargoed, "--reason", "embargoed"],
    );
    let needrestart = issue_of(&desk, "CVE-2024-48990");
    sd(&desk, "alice", &["severity", &needrestart, "high"]);
    sd(&desk, "alice", &["claim", &needrestart]);
    sd(
        &desk,
        "alice",
        &[
            "release-status",
            &needrestart,
            "25.05",
            "fixed",
            "--ref",
            "PR #1234",
        ],
    );
    sd(
        &desk,
        "alice",
        &["release-status", &needrestart, "25.11", "not-affected"],
    );
    sd(
        &desk,
        "alice",
        &["note", &needrestart, "--public", PUBLIC_NOTE],
    );
    sd(&desk, "alice", &["note", &needrestart, PRIVATE_NOTE]);
    // An advisory for the ikiwiki issue, published.
    let ikiwiki = issue_of(&desk, "CVE-2008-0165");
    sd(&desk, "alice", &["claim", &ikiwiki]);
    for (rel, status) in [
        ("25.05", "fixed"),
        ("25.11", "fixed"),
        ("unstable", "fixed"),
    ] {
        sd(
            &desk,
            "alice",
            &[
                "release-status",
                &ikiwiki,
                rel,
                status,
                "--ref",
                "3.20080420",
            ],
        );
    }
    publish(&desk, &ikiwiki, "ikiwiki: CSRF", ("alice", "bob"), 1);
    // A Bat-Signal on the needrestart issue.
    sd(
        &desk,
        "alice",
        &[
            "signal",
            "raise",
            &needrestart,
            "--reason",
            SIGNAL_REASON,
            "--force",
        ],
    );
    desk
}

fn render(desk: &Desk) -> String {
    desk.cmd_at("secdesk-site-render", NOW).stdout()
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p.strip_prefix(dir).expect("inside").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The HTML character references minijinja writes in attributes.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `href` and `src` value in `html`.
fn links(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).expect("regex");
    re.captures_iter(html).map(|c| unescape(&c[1])).collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonExport {
    version: u32,
    title: String,
    releases: Vec<String>,
    issues: Vec<JsonIssue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonIssue {
    id: i64,
    url: String,
    title: String,
    state: String,
    severity: Option<String>,
    cves: Vec<String>,
    packages: Vec<String>,
    created_at: String,
    updated_at: String,
    releases: BTreeMap<String, JsonRelease>,
    advisories: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonRelease {
    status: String,
    #[serde(rename = "ref")]
    reference: Option<String>,
    reason: Option<String>,
    channel_since: Option<String>,
}

#[test]
fn site_of_real_fixtures_links_resolve_every_cve_has_a_page_and_nothing_private_leaks() {
    let desk = site_desk("site_crawl");
    let out = render(&desk);
    assert!(out.starts_with("site-render: "), "{out}");
    let site = desk.dir.join("site");
    let all = files(&site);
    for want in [
        "index.html",
        "rota.html",
        "trends.html",
        "feed.atom",
        "issues.json",
    ] {
        assert!(all.contains(&PathBuf::from(want)), "no {want} in {all:?}");
    }
    assert!(
        all.contains(&PathBuf::from("advisory/NIXSA-2026-0001.html")),
        "{all:?}"
    );
    // Every link resolves to a file of the site, or is an absolute URL.
    let mut checked = 0;
    for f in all
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        let html = std::fs::read_to_string(site.join(f)).expect("read page");
        assert!(!html.contains("<script"), "{} has a script", f.display());
        for link in links(&html) {
            if link.starts_with("https://") || link.starts_with("http://") || link == "data:," {
                continue;
            }
            let target = link.split(['#', '?']).next().unwrap_or("");
            let resolved = site.join(f.parent().unwrap_or(Path::new(""))).join(target);
            let resolved = std::fs::canonicalize(&resolved)
                .unwrap_or_else(|_| panic!("{}: link {link:?} resolves to nothing", f.display()));
            assert!(
                resolved.starts_with(std::fs::canonicalize(&site).expect("site")),
                "{}: link {link:?} leaves the site",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
    // Every CVE of every public issue (all but the embargoed one, as the
    // CLI lists them) has its page, and says per release whether the
    // distribution is affected.
    let listed: serde_json::Value = desk
        .cmd_at("secdesk", NOW)
        .args(["--json", "issues"])
        .json();
    let mut cves = 0;
    for issue in listed.as_array().expect("issues") {
        let issue_cves: Vec<&str> = issue["cves"]
            .as_array()
            .expect("cves")
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        if issue_cves.contains(&EMBARGOED_CVE) {
            assert!(
                !site.join(format!("issue/{}.html", issue["id"])).exists(),
                "the embargoed issue has a page"
            );
            continue;
        }
        assert!(site.join(format!("issue/{}.html", issue["id"])).exists());
        for cve in issue_cves {
            let page = std::fs::read_to_string(site.join(format!("cve/{cve}.html")))
                .unwrap_or_else(|_| panic!("no page for {cve}"));
            assert!(page.contains("Is this distribution affected?"), "{cve}");
            cves += 1;
        }
    }
    assert!(cves > 50, "{cves}");
    // Nothing private, anywhere (the manifest included).
    for f in &all {
        let bytes = std::fs::read(site.join(f)).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for secret in PRIVATE {
            assert!(
                !text.contains(secret),
                "{} holds private text {secret:?}",
                f.display()
            );
        }
    }
    // What is public is there: the public note, the fix reference, the
    // statuses in words, the advisory, the rota's names.
    let needrestart = issue_of(&desk, "CVE-2024-48990");
    let page = std::fs::read_to_string(site.join(format!("issue/{needrestart}.html")))
        .expect("issue page");
    for want in [
        PUBLIC_NOTE,
        "fix: PR #1234",
        "not affected",
        "not yet triaged",
        "fix tracking not configured",
        "https:&#x2f;&#x2f;marc.info&#x2f;?i=",
    ] {
        assert!(page.contains(want), "issue page lacks {want:?}");
    }
    let ikiwiki = issue_of(&desk, "CVE-2008-0165");
    let page = std::fs::read_to_string(site.join(format!("issue/{ikiwiki}.html"))).expect("page");
    assert!(page.contains("NIXSA-2026-0001.html"), "no advisory link");
    let rota = std::fs::read_to_string(site.join("rota.html")).expect("rota");
    assert!(rota.contains("Now: <strong>"), "{rota}");
    let trends = std::fs::read_to_string(site.join("trends.html")).expect("trends");
    assert_eq!(trends.matches("<svg").count(), 3, "three charts");
    assert!(trends.contains("to the channel: fix tracking not configured"));
    // The hostile subject is escaped text in the HTML.
    let hostile = issue_of(&desk, "CVE-2026-0001");
    let page = std::fs::read_to_string(site.join(format!("issue/{hostile}.html"))).expect("page");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "not escaped"
    );
    assert!(!page.contains(HOSTILE), "raw markup from mail");
}

#[test]
fn issues_json_has_the_documented_shape_and_the_feed_parses_in_feedparser() {
    let desk = site_desk("site_feed");
    render(&desk);
    let site = desk.dir.join("site");
    let export: JsonExport =
        serde_json::from_slice(&std::fs::read(site.join("issues.json")).expect("json"))
            .expect("issues.json has the documented shape");
    assert_eq!(export.version, 1);
    assert_eq!(export.releases, ["25.05", "25.11", "unstable"]);
    let needrestart: i64 = issue_of(&desk, "CVE-2024-48990").parse().expect("id");
    let i = export
        .issues
        .iter()
        .find(|i| i.id == needrestart)
        .expect("needrestart in the export");
    assert_eq!(i.releases["25.05"].status, "fixed");
    assert_eq!(i.releases["25.05"].reference.as_deref(), Some("PR #1234"));
    assert_eq!(i.releases["25.11"].status, "not-affected");
    assert_eq!(i.releases["unstable"].status, "unknown");
    assert!(i.cves.contains(&"CVE-2024-48990".to_string()));
    assert!(
        !export
            .issues
            .iter()
            .any(|i| i.cves.iter().any(|c| c == EMBARGOED_CVE)),
        "the embargoed issue is exported"
    );
    // Debian's feedparser reads the feed without complaint.
    let script = r#"
import json, sys
try:
    import feedparser
except ImportError:
    print("MISSING"); sys.exit(0)
d = feedparser.parse(sys.argv[1])
print(json.dumps({"bozo": int(d.bozo), "bozo_exception": str(d.get("bozo_exception", "")), "version": d.version, "title": d.feed.get("title"),
  "ids": [e.id for e in d.entries], "titles": [e.title for e in d.entries],
  "links": [e.link for e in d.entries]}))
"#;
    let out = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(site.join("feed.atom"))
        .output()
        .expect("run /usr/bin/python3");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.starts_with("MISSING"),
        "python3-feedparser is missing: install the Debian package python3-feedparser (scripts/test does this when run as root)"
    );
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["bozo"], 0, "{v:#}");
    assert_eq!(v["version"], "atom10");
    assert_eq!(v["title"], "Example security tracker");
    let ids: Vec<&str> = v["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|i| i.as_str())
        .collect();
    assert!(
        ids.iter()
            .all(|i| i.starts_with("tag:security.example.org,")),
        "{ids:?}"
    );
    assert!(
        ids.iter().any(|i| i.ends_with(":advisory/NIXSA-2026-0001")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&format!("tag:security.example.org,2026-11-20:issue/{needrestart}").as_str()),
        "{ids:?}"
    );
    let titles = v["titles"].to_string();
    assert!(titles.contains("onerror=alert(1)"), "{titles}");
    assert!(!titles.contains(EMBARGOED_SUBJECT));
    let links = v["links"].to_string();
    assert!(
        links.contains("https://security.example.org/issue/"),
        "{links}"
    );
    // Ids are stable: a second render after a change keeps them.
    sd(
        &desk,
        "bob",
        &["severity", &needrestart.to_string(), "critical"],
    );
    render(&desk);
    let again = std::fs::read_to_string(site.join("feed.atom")).expect("feed");
    for id in ids {
        assert!(again.contains(&format!("<id>{id}</id>")), "{id} changed");
    }
}

#[test]
fn rerender_writes_only_what_changed_and_removes_pages_that_stop_being_public() {
    let desk = site_desk("site_incremental");
    let first = render(&desk);
    assert!(first.contains(" 0 unchanged, 0 removed"), "{first}");
    let site = desk.dir.join("site");
    let index_before = std::fs::metadata(site.join("index.html"))
        .expect("index")
        .modified()
        .expect("mtime");
    let again = render(&desk);
    assert!(again.starts_with("site-render: 0 written, "), "{again}");
    assert!(again.contains(" 0 removed"), "{again}");
    let index_after = std::fs::metadata(site.join("index.html"))
        .expect("index")
        .modified()
        .expect("mtime");
    assert_eq!(index_before, index_after, "an unchanged page was rewritten");
    // One issue changes: its page, its CVE pages, its package page and
    // the overview files, nothing else.
    let lighttpd = issue_of(&desk, "CVE-2008-4298");
    sd(
        &desk,
        "carol",
        &["release-status", &lighttpd, "unstable", "not-affected"],
    );
    let out = render(&desk);
    let written: usize = out
        .strip_prefix("site-render: ")
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    // issue page + 3 CVE pages + package page + index, JSON, feed, trends.
    assert!((5..=10).contains(&written), "{out}");
    let page = std::fs::read_to_string(site.join(format!("issue/{lighttpd}.html"))).expect("page");
    assert!(page.contains("not affected"));
    // The issue is then dismissed as embargoed: its pages go.
    sd(
        &desk,
        "carol",
        &["dismiss", &lighttpd, "--reason", "embargoed"],
    );
    let out = render(&desk);
    assert!(
        out.contains(" 5 removed"),
        "issue page, 3 CVE pages, package page: {out}"
    );
    assert!(!site.join(format!("issue/{lighttpd}.html")).exists());
    assert!(!site.join("cve/CVE-2008-4298.html").exists());
    assert!(!site.join("package/lighttpd.html").exists());
    let json = std::fs::read_to_string(site.join("issues.json")).expect("json");
    assert!(!json.contains("CVE-2008-4298"));
    // No temporary file is left behind.
    assert!(
        files(&site)
            .iter()
            .all(|f| !f.to_string_lossy().contains(".tmp"))
    );
    // Without the manifest (or with --full) everything is rendered again,
    // and a stray page is removed.
    std::fs::write(site.join("issue/9999.html"), "stale").expect("write");
    let out = desk
        .cmd_at("secdesk-site-render", NOW)
        .arg("--full")
        .stdout();
    assert!(out.contains(" 1 removed"), "{out}");
    assert!(!site.join("issue/9999.html").exists());
    // A run killed after writing pages and before its manifest (found by
    // the chaos run: such a page outlived its issue's merge): it leaves its
    // marker, and the next run removes every file no page claims.
    std::fs::write(site.join("issue/9998.html"), "killed run's page").expect("write");
    std::fs::write(site.join("issue/.9998.html.tmp"), "half").expect("write");
    std::fs::write(site.join(".secdesk-site.rendering"), "").expect("write");
    let out = render(&desk);
    assert!(out.contains(" 2 removed"), "{out}");
    assert!(!site.join("issue/9998.html").exists());
    assert!(!site.join("issue/.9998.html.tmp").exists());
    assert!(!site.join(".secdesk-site.rendering").exists());
    // Without the marker, the manifest alone says what goes.
    std::fs::write(site.join("issue/9997.html"), "x").expect("write");
    let out = render(&desk);
    assert!(out.contains(" 0 removed"), "{out}");
}

#[test]
fn team_templates_replace_the_embedded_ones_and_bad_ones_are_refused() {
    let desk = site_desk("site_templates");
    let dir = desk.dir.join("templates");
    desk.dir.write(
        "templates/cve.html",
        "{% extends \"base.html\" %}{% block body %}<p>TEAM CVE PAGE {{ cve }}: {{ issue.title }}</p>{% endblock %}",
    );
    let mut c = desk.config_json();
    c["site"]["template_dir"] = serde_json::json!(dir);
    desk.set_config(&c);
    render(&desk);
    let page = std::fs::read_to_string(desk.dir.join("site/cve/CVE-2026-0001.html")).expect("page");
    assert!(
        page.contains("TEAM CVE PAGE CVE-2026-0001: &lt;img"),
        "{page}"
    );
    // A file named like no template is refused, naming it and the key.
    desk.dir.write("templates/isue.html", "typo");
    let err = desk.cmd_at("secdesk-site-render", NOW).assert_usage_error();
    assert!(
        err.contains("isue.html") && err.contains("site.template_dir"),
        "{err}"
    );
    std::fs::remove_file(dir.join("isue.html")).expect("rm");
    // A template that does not parse is refused the same way.
    desk.dir.write("templates/cve.html", "{% if %}");
    let err = desk.cmd_at("secdesk-site-render", NOW).assert_usage_error();
    assert!(
        err.contains("cve.html") && err.contains("site.template_dir"),
        "{err}"
    );
    // An archive pattern for an unknown source is bad configuration.
    std::fs::remove_file(dir.join("cve.html")).expect("rm");
    c["site"]["archive_urls"] =
        serde_json::json!({"oss-securty": "https://x.example/{message_id}"});
    desk.set_config(&c);
    let err = desk.cmd_at("secdesk-site-render", NOW).assert_usage_error();
    assert!(
        err.contains("site.archive_urls.oss-securty") && err.contains("config.json"),
        "{err}"
    );
    // check-config refuses it before any timer runs on it.
    let err = desk.cmd("secdesk").arg("check-config").assert_usage_error();
    assert!(err.contains("site.archive_urls.oss-securty"), "{err}");
}

/// What a reader sees, gathered in the page.
const MEASURE: &str = r#"(() => {
  const d = document.documentElement;
  const handlers = [...document.querySelectorAll('*')]
    .filter(el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length;
  return {
    scrollWidth: d.scrollWidth,
    innerWidth: window.innerWidth,
    scripts: document.scripts.length,
    images: document.images.length,
    handlers,
    text: document.body.innerText,
  };
})()"#;

#[test]
fn pages_load_without_errors_fit_a_phone_and_show_hostile_subjects_as_text() {
    let desk = site_desk("site_browser");
    render(&desk);
    let site = desk.dir.join("site");
    let hostile = issue_of(&desk, "CVE-2026-0001");
    let tcpdump = issue_of(&desk, "CVE-2016-7922");
    let mut browser = Chromium::start(&desk.dir.path);
    browser.watch_console();
    let pages: BTreeSet<PathBuf> = [
        site.join("index.html"),
        site.join(format!("issue/{hostile}.html")),
        site.join(format!("issue/{tcpdump}.html")),
        site.join("package/tcpdump.html"),
        site.join("cve/CVE-2016-7922.html"),
        site.join("trends.html"),
        site.join("rota.html"),
        site.join("advisory/NIXSA-2026-0001.html"),
    ]
    .into();
    for page in &pages {
        for width in [400, 1000] {
            let v = browser.evaluate_at(page, width, MEASURE);
            let at = format!("{} at {width} px", page.display());
            assert_eq!(v["innerWidth"], width, "{at}");
            let scroll = v["scrollWidth"].as_u64().expect("a number");
            assert!(
                scroll <= u64::from(width),
                "{at} scrolls sideways: {scroll} px"
            );
            assert_eq!(v["scripts"], 0, "{at}");
            assert_eq!(v["images"], 0, "{at}");
            assert_eq!(v["handlers"], 0, "{at}");
            let errors = browser.console_errors();
            assert!(errors.is_empty(), "{at}: console errors {errors:?}");
            let text = v["text"].as_str().expect("text");
            let name = page.to_string_lossy();
            if name.ends_with("index.html") || name.ends_with(&format!("issue/{hostile}.html")) {
                assert!(
                    text.contains(HOSTILE),
                    "{at}: the hostile subject is not shown literally"
                );
            }
            if name.ends_with(&format!("issue/{tcpdump}.html")) {
                assert!(text.contains("not yet triaged"), "{at}");
            }
        }
    }
}

desktest!(
    index_is_paged_when_more_than_a_page_of_issues_is_open,
    |desk| {
        for g in 0..520 {
            desk.dir.write(
                format!("many/cur/{g}"),
                format!(
                    "Message-ID: <many-{g}@example.net>\nList-Id: <oss-security.lists.openwall.com>\n\
                     Date: Fri, 20 Nov 2026 08:00:00 +0000\nSubject: CVE-2026-{} in pkg{g}\n\nbody\n",
                    20000 + g
                ),
            );
        }
        desk.cmd_at("secdesk-ingest", "2026-11-20T09:00:00Z")
            .arg("--maildir")
            .arg(desk.dir.join("many"))
            .stdout();
        let out = render(&desk);
        assert!(out.contains(" 0 removed"), "{out}");
        let site = desk.dir.join("site");
        let index = std::fs::read_to_string(site.join("index.html")).expect("index");
        assert!(index.contains("520 open issues"), "{index}");
        assert!(index.contains("Page 1 of 2."), "no page count");
        assert!(links(&index).contains(&"open/2.html".to_string()));
        assert_eq!(index.matches("<tr><td><a href=\"issue/").count(), 500);
        let second = std::fs::read_to_string(site.join("open/2.html")).expect("page 2");
        assert!(second.contains("Page 2 of 2."));
        let second_links = links(&second);
        assert!(second_links.contains(&"../index.html".to_string()));
        for link in second_links.iter().filter(|l| l.starts_with("../issue/")) {
            assert!(site.join("open").join(link).exists(), "{link}");
        }
        assert_eq!(
            second.matches("<tr><td><a href=\"..&#x2f;issue/").count()
                + second.matches("<tr><td><a href=\"../issue/").count(),
            20
        );
        // One issue changes: one page of the list is rendered again.
        sd(
            &desk,
            "alice",
            &["release-status", "520", "25.05", "not-affected"],
        );
        let out = render(&desk);
        assert!(out.starts_with("site-render: "), "{out}");
        let again = std::fs::read_to_string(site.join("open/2.html")).expect("page 2");
        assert!(again.contains("not affected"), "the change is on page 2");
    }
);

/// The file tree under `dir` (the manifest left out), path to bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files(dir)
        .into_iter()
        .filter(|p| p != Path::new(".secdesk-site.json"))
        .map(|p| {
            let bytes = std::fs::read(dir.join(&p)).expect("read page");
            (p, bytes)
        })
        .collect()
}

#[test]
fn an_incremental_render_is_the_whole_render_byte_for_byte() {
    let desk = site_desk("site_equivalence");
    render(&desk);
    // Changes of every kind a page is made of: a status, a claim, a public
    // note, a merge, a relation and then an embargo on one end of it (the
    // other's page must drop the link), a CVE moved with the merge, new
    // mail opening a new issue, and a second advisory published.
    let lighttpd = issue_of(&desk, "CVE-2008-4298");
    let tcpdump = issue_of(&desk, "CVE-2016-7922");
    let atheme = issue_of(&desk, "CVE-2016-4478");
    let airflow = issue_of(&desk, "CVE-2024-31869");
    let linux = issue_of(&desk, "CVE-2008-0007");
    let blesta = issue_of(&desk, "CVE-2026-25615");
    sd(
        &desk,
        "carol",
        &["release-status", &lighttpd, "unstable", "not-affected"],
    );
    sd(&desk, "bob", &["claim", &tcpdump]);
    sd(
        &desk,
        "bob",
        &["note", &tcpdump, "--public", "Public: rebuilt"],
    );
    sd(&desk, "carol", &["merge", &atheme, &lighttpd]);
    sd(&desk, "carol", &["relate", &airflow, &linux]);
    render(&desk);
    let link = format!("href=\"{airflow}.html\"");
    let page = |desk: &Desk| {
        std::fs::read_to_string(desk.dir.join(format!("site/issue/{linux}.html"))).expect("page")
    };
    assert!(page(&desk).contains(&link), "the related issue is linked");
    // Only the embargoed end of the relation changes; the other's page
    // must still lose the link.
    sd(
        &desk,
        "carol",
        &["dismiss", &airflow, "--reason", "embargoed"],
    );
    sd(
        &desk,
        "carol",
        &["dismiss", &blesta, "--reason", "not-a-vulnerability"],
    );
    desk.dir.write(
        "later/cur/1",
        "Message-ID: <later@example.org>\nFrom: R <r@example.org>\n\
         List-Id: <oss-security.lists.openwall.com>\nDate: Sat, 21 Nov 2026 10:00:00 +0000\n\
         Subject: CVE-2026-4242 in freshpkg\n\nbody\n",
    );
    desk.cmd_at("secdesk-ingest", "2026-11-21T10:05:00Z")
        .arg("--maildir")
        .arg(desk.dir.join("later"))
        .stdout();
    sd(
        &desk,
        "bob",
        &[
            "release-status",
            &tcpdump,
            "25.05",
            "fixed",
            "--ref",
            "PR #77",
        ],
    );
    for rel in ["25.11", "unstable"] {
        sd(
            &desk,
            "bob",
            &["release-status", &tcpdump, rel, "not-affected"],
        );
    }
    publish(&desk, &tcpdump, "tcpdump: many", ("bob", "alice"), 2);
    // The next day, so that the trends page is drawn again too.
    let later = "2026-11-23T09:00:00Z";
    let out = desk.cmd_at("secdesk-site-render", later).output();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(" changed"),
        "took the incremental path: {said}"
    );
    let whole = desk.dir.join("whole");
    let out = desk
        .cmd_at("secdesk-site-render", later)
        .arg("--out")
        .arg(&whole)
        .output();
    assert!(out.status.success(), "{out:?}");
    let (a, b) = (tree(&desk.dir.join("site")), tree(&whole));
    let names = |t: &BTreeMap<PathBuf, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same files");
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{} differs:\nincremental:\n{}\nwhole:\n{}",
            path.display(),
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&b[path])
        );
    }
    // The merged issue and the embargoed one are gone, the new one is in.
    assert!(!a.contains_key(Path::new(&format!("issue/{atheme}.html"))));
    assert!(!a.contains_key(Path::new(&format!("issue/{airflow}.html"))));
    assert!(a.contains_key(Path::new("cve/CVE-2026-4242.html")));
    assert!(a.contains_key(Path::new("advisory/NIXSA-2026-0002.html")));
    assert!(
        !page(&desk).contains(&link),
        "no link to the embargoed issue"
    );
}

#[test]
fn a_database_restored_from_an_older_copy_is_rendered_whole() {
    let desk = site_desk("site_restored");
    render(&desk);
    let saved = desk.dir.join("saved.sqlite");
    std::fs::copy(&desk.db, &saved).expect("copy the database");
    let lighttpd = issue_of(&desk, "CVE-2008-4298");
    sd(
        &desk,
        "carol",
        &["note", &lighttpd, "--public", "LATER-NOTE"],
    );
    render(&desk);
    let page = desk.dir.join(format!("site/issue/{lighttpd}.html"));
    assert!(
        std::fs::read_to_string(&page)
            .expect("page")
            .contains("LATER-NOTE")
    );
    // The backup is older than the site: its stamps are behind the
    // manifest's, so nothing could be told from them.
    std::fs::copy(&saved, &desk.db).expect("restore the database");
    let out = desk.cmd_at("secdesk-site-render", NOW).output();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains(" changed"), "rendered whole: {said}");
    assert!(
        !std::fs::read_to_string(&page)
            .expect("page")
            .contains("LATER-NOTE")
    );
}

#[test]
fn a_second_render_of_one_directory_waits_for_the_first() {
    let desk = site_desk("site_lock");
    render(&desk);
    let lighttpd = issue_of(&desk, "CVE-2008-4298");
    sd(
        &desk,
        "carol",
        &["note", &lighttpd, "--public", "WAITED-NOTE"],
    );
    // This test holds the lock a running render holds.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(desk.dir.join("site/.secdesk-site.lock"))
        .expect("the render left its lock file");
    lock.lock().expect("lock");
    let started = std::time::Instant::now();
    let child = std::thread::spawn({
        let cmd = desk.cmd_at("secdesk-site-render", NOW);
        move || cmd.output()
    });
    let page = desk.dir.join(format!("site/issue/{lighttpd}.html"));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!child.is_finished(), "the render did not wait for the lock");
    assert!(
        !std::fs::read_to_string(&page)
            .expect("page")
            .contains("WAITED-NOTE")
    );
    lock.unlock().expect("unlock");
    let out = child.join().expect("render thread");
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("waiting for another render"), "{said}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(500));
    assert!(
        std::fs::read_to_string(&page)
            .expect("page")
            .contains("WAITED-NOTE")
    );
}
