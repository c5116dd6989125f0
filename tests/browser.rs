//! The HTML report as a reader sees it, in a real headless Chromium
//! (Debian `chromium`): on a 400 px phone and a 1000 px screen the page
//! never scrolls sideways, the release matrix gives the title the width,
//! statuses are coloured and worded, issues and CVE ids link to public
//! pages, and hostile text from mail stays text, also in attributes.

use crate::harness::chromium::Chromium;
use crate::util::{Desk, sample_mail};
use mail_parser::MessageParser;

/// What the page shows, gathered in the page itself.
const MEASURE: &str = r#"(() => {
  const d = document.documentElement;
  const h2 = [...document.querySelectorAll('h2')].find(h => h.textContent.startsWith('Release matrix'));
  const box = h2.nextElementSibling;
  const cell = word => [...box.querySelectorAll('td')].find(td => td.textContent === word);
  const handlers = [...document.querySelectorAll('*')]
    .filter(el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length;
  return {
    scrollWidth: d.scrollWidth,
    innerWidth: window.innerWidth,
    pwned: window.__pwned || 0,
    scripts: document.scripts.length,
    images: document.images.length,
    handlers,
    text: document.body.innerText,
    hrefs: [...document.querySelectorAll('a')].map(a => a.getAttribute('href')),
    matrixBox: box.className + ' ' + getComputedStyle(box).overflowX,
    matrixOverflow: box.scrollWidth - box.clientWidth,
    matrixIssueWidth: box.querySelector('td[colspan]').getBoundingClientRect().width,
    affected: getComputedStyle(cell('affected')).backgroundColor,
    fixed: getComputedStyle(cell('fixed')).backgroundColor,
    unknown: getComputedStyle(cell('unknown')).backgroundColor,
  };
})()"#;

const HOSTILE_TITLE: &str = "<script>window.__pwned=1</script> \"onmouseover=window.__pwned=3 x=\" <img src=x onerror=window.__pwned=4> CVE-2026-0001";

/// A report with every section filled, one hostile message among the
/// real list mail, and a title with a 300-character word.
fn report_html(desk: &Desk) -> std::path::PathBuf {
    let mut c = desk.config_json();
    c["report"] = serde_json::json!({ "to": ["team@example.org"] });
    desk.set_config(&c);
    desk.cmd_at("secdesk-ingest", "2026-11-20T08:00:00Z")
        .arg("--maildir")
        .arg(sample_mail())
        .stdout();
    let act = |who: &str, args: &[&str]| {
        desk.cmd_at("secdesk", "2026-11-20T09:00:00Z")
            .args(["--as", who])
            .args(args)
            .stdout();
    };
    act("alice", &["severity", "5", "critical"]);
    act("alice", &["claim", "5"]);
    act(
        "alice",
        &["release-status", "5", "25.05", "fixed", "--ref", "PR #1"],
    );
    act("alice", &["release-status", "5", "25.11", "affected"]);
    act("bob", &["severity", "8", "high"]);
    desk.dir.write(
        "hostile/cur/1",
        format!(
            "Message-ID: <\"onmouseover=window.__pwned=2 x=\"@evil.example>\nList-Id: <oss-security.lists.openwall.com>\n\
             Date: Sun, 22 Nov 2026 05:00:00 +0000\nSubject: {HOSTILE_TITLE} {}\n\nbody\n",
            "A".repeat(300)
        ),
    );
    desk.dir.write(
        "hostile/cur/2",
        "Message-ID: <later@x>\nList-Id: <debian-security-announce.lists.debian.org>\nDate: Sun, 22 Nov 2026 06:00:00 +0000\nSubject: [SECURITY] [DSA 6001-1] tcpdump security update\n\nPackage        : tcpdump\nCVE ID         : CVE-2016-7922\n",
    );
    desk.cmd_at("secdesk-ingest", "2026-11-22T06:30:00Z")
        .arg("--maildir")
        .arg(desk.dir.join("hostile"))
        .stdout();
    desk.cmd_at("secdesk-triage-report", "2026-11-22T07:00:00Z")
        .stdout();
    let raw = std::fs::read(desk.dir.join("outbox/report_2026-11-22.eml")).expect("report file");
    let parsed = MessageParser::default().parse(&raw).expect("parse");
    let html = parsed.body_html(0).expect("an HTML part").into_owned();
    desk.dir.write("report.html", html)
}

desktest!(
    html_report_reads_on_a_phone_and_keeps_hostile_text_as_text,
    |desk| {
        let file = report_html(&desk);
        let mut browser = Chromium::start(&desk.dir.path);
        for width in [400, 1000] {
            let page = browser.evaluate_at(&file, width, MEASURE);
            let at = format!("at {width} px: {page:#}");
            // The viewport tag makes a phone lay the page out at its own
            // width (without it, 980 px shrunk to fit), and nothing is wider.
            assert_eq!(page["innerWidth"], width, "{at}");
            let scroll = page["scrollWidth"].as_u64().expect("a number");
            assert!(
                scroll <= u64::from(width),
                "the page scrolls sideways ({scroll} px wide) {at}"
            );
            // The matrix scrolls, if it must, inside its own box, and each
            // issue's line above its statuses has most of the width.
            // With three releases it need not, even at 400 px.
            assert_eq!(page["matrixBox"], "box auto", "{at}");
            assert_eq!(page["matrixOverflow"], 0, "{at}");
            let issue = page["matrixIssueWidth"].as_f64().expect("a number");
            assert!(
                issue >= f64::from(width) * 0.75 && issue <= f64::from(width),
                "the matrix title is crushed to (or widened to) {issue} px {at}"
            );
            // Statuses are coloured, and still worded (the cells were found
            // by their words).
            assert_eq!(page["affected"], "rgb(248, 215, 218)", "{at}");
            assert_eq!(page["fixed"], "rgb(212, 237, 218)", "{at}");
            assert_eq!(page["unknown"], "rgb(255, 255, 255)", "{at}");
            // Hostile text from mail is text: nothing ran, no element or
            // handler was injected, and the reader sees the characters.
            assert_eq!(page["pwned"], 0, "{at}");
            assert_eq!(page["scripts"], 0, "{at}");
            assert_eq!(page["images"], 0, "{at}");
            assert_eq!(page["handlers"], 0, "{at}");
            let text = page["text"].as_str().expect("text");
            assert!(text.contains(HOSTILE_TITLE), "{at}");
            // Links: the hostile Message-ID percent-encoded into MARC's
            // lookup, the DSA's tracker page, CVE records.
            let hrefs: Vec<&str> = page["hrefs"]
                .as_array()
                .expect("links")
                .iter()
                .filter_map(|h| h.as_str())
                .collect();
            for want in [
                "https://marc.info/?i=%22onmouseover%3Dwindow.__pwned%3D2%20x%3D%22@evil.example",
                "https://security-tracker.debian.org/tracker/DSA-6001-1",
                "https://www.cve.org/CVERecord?id=CVE-2026-0001",
                "https://www.cve.org/CVERecord?id=CVE-2024-10224",
            ] {
                assert!(hrefs.contains(&want), "no link {want} {at}");
            }
        }
    }
);
