//! The advisory renderers (issue 15): the announcement text in full, OSV
//! and CSAF 2.0 valid against the official schemas (copied into
//! `tests/fixtures/schemas/`, resolved offline), CSAF passing a maintained
//! third-party validator's mandatory tests (PyPI `csaf`, installed into
//! `target/venv-csaf`), and hostile text that cannot break the layout, the
//! JSON or a mail header.

use expect_test::expect;
use secdesk::advisory::render;
use secdesk::advisory::{Advisory, Publisher, Reference, ReleaseEntry, RevisionEntry};
use secdesk::triage::{ReleaseStatus, Severity};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn at(s: &str) -> secdesk::time::Instant {
    secdesk::time::parse(s).unwrap()
}

const SHA_2505: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const SHA_2511: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const SHA_UNSTABLE: &str = "fedcba9876543210fedcba9876543210fedcba98";

fn publisher() -> Publisher {
    Publisher {
        id_prefix: "NIXSA".into(),
        list: "nix-security-announce@googlegroups.com".into(),
        repository: Some("https://github.com/NixOS/nixpkgs".into()),
        name: "NixOS Security Team".into(),
        namespace: "https://nixos.org".into(),
    }
}

/// Several CVEs, releases, cherry-picked fixes (one commit per branch), a
/// release not affected and one that will not be fixed; revision 2.
fn advisory() -> Advisory {
    let rel = |release: &str, status, reference: Option<&str>, reason: Option<&str>| ReleaseEntry {
        release: release.into(),
        status,
        reference: reference.map(Into::into),
        reason: reason.map(Into::into),
    };
    Advisory {
        id: "NIXSA-2026-0007".into(),
        revision: 2,
        title: "libexif: heap overflows in MakerNote parsing".into(),
        summary: "Several heap buffer overflows were found in libexif's MakerNote \
                  parsing. A crafted image can crash any program that reads its \
                  metadata, and may allow code execution.\n\nUpdate to the fixed \
                  package for your release and restart programs that use libexif."
            .into(),
        severity: Some(Severity::High),
        cves: vec![
            "CVE-2026-10001".into(),
            "CVE-2026-10002".into(),
            "CVE-2026-10003".into(),
        ],
        packages: vec!["exiv2".into(), "libexif".into()],
        issues: vec![12, 14],
        releases: vec![
            rel(
                "24.11",
                ReleaseStatus::Wontfix,
                None,
                Some("end of life on 2026-06-30"),
            ),
            rel("25.05", ReleaseStatus::Fixed, Some(SHA_2505), None),
            rel("25.11", ReleaseStatus::Fixed, Some(SHA_2511), None),
            rel(
                "unstable",
                ReleaseStatus::Fixed,
                Some(&format!(
                    "https://github.com/NixOS/nixpkgs/pull/401234 {SHA_UNSTABLE}"
                )),
                None,
            ),
            rel("nixos-small", ReleaseStatus::NotAffected, None, None),
        ],
        references: vec![
            Reference {
                source: "oss-security".into(),
                subject: "libexif: multiple heap overflows (CVE-2026-10001, CVE-2026-10002)".into(),
                date: Some(at("2026-11-20T08:00:00Z")),
                url: Some("https://www.openwall.com/lists/oss-security/2026/11/20/1".into()),
            },
            Reference {
                source: "debian".into(),
                subject: "[SECURITY] [DSA 6001-1] libexif security update".into(),
                date: None,
                url: Some(
                    "https://lists.debian.org/debian-security-announce/2026/msg00201.html".into(),
                ),
            },
        ],
        published: at("2026-11-25T10:00:00Z"),
        modified: at("2026-11-27T16:30:00Z"),
        history: vec![
            RevisionEntry {
                number: 1,
                date: at("2026-11-25T10:00:00Z"),
                summary: "initial release".into(),
            },
            RevisionEntry {
                number: 2,
                date: at("2026-11-27T16:30:00Z"),
                summary: "exiv2 added; 25.05 fixed".into(),
            },
        ],
        author: "alice".into(),
        approved_by: "bob".into(),
    }
}

/// The same advisory with hostile text everywhere a stranger's words can
/// reach: newlines, `<script>`, quotes, control characters, 10,000
/// characters.
fn hostile() -> Advisory {
    let long: String = "A".repeat(10_000);
    let nasty = "evil\r\nBcc: victim@example.org\n<script>alert(\"x\")</script> 'q' \u{1b}[31m\u{0}\u{7}\u{202e}";
    let mut a = advisory();
    a.title = format!("{nasty} {long}");
    a.summary = format!("{nasty}\n\n{long}\n\t{}", "word ".repeat(3000));
    a.packages = vec![format!("pkg\n{nasty}"), long.clone(), "exiv2".into()];
    a.references[0].subject = format!("{nasty}{long}");
    a.references[1].url = Some("javascript:alert(1)\nBcc: x".into());
    a.releases[0].reason = Some(format!("{nasty} {long}"));
    a.history[1].summary = nasty.into();
    a
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas")
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every schema error for `doc` against `schema`, with the CVSS schemas
/// CSAF references registered under the URLs it uses (offline).
fn schema_errors(schema: &str, doc: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(doc).expect("renderer output is JSON");
    let mut registry = jsonschema::Registry::new();
    for v in ["2.0", "3.0", "3.1"] {
        let cvss = load(&fixtures().join(format!("csaf-2.0/referenced/first/cvss-v{v}.json")));
        registry = registry
            .add(format!("https://www.first.org/cvss/cvss-v{v}.json"), cvss)
            .expect("CVSS schema registers");
    }
    let registry = registry.prepare().expect("registry prepares");
    let validator = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&load(&fixtures().join(schema)))
        .expect("schema builds offline");
    validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_osv_valid(doc: &str) {
    let errors = schema_errors("osv/schema.json", doc);
    assert!(
        errors.is_empty(),
        "OSV invalid:\n{}\n{doc}",
        errors.join("\n")
    );
}

fn assert_csaf_valid(doc: &str) {
    let errors = schema_errors("csaf-2.0/csaf_json_schema.json", doc);
    assert!(
        errors.is_empty(),
        "CSAF invalid:\n{}\n{doc}",
        errors.join("\n")
    );
}

#[test]
fn osv_is_valid_with_one_fixed_event_per_branch_commit() {
    let doc = render::osv(&advisory(), &publisher());
    assert_osv_valid(&doc);
    let v: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(v["id"], "x_NIXSA-2026-0007");
    assert_eq!(v["modified"], "2026-11-27T16:30:00Z");
    assert_eq!(v["published"], "2026-11-25T10:00:00Z");
    assert_eq!(
        v["aliases"],
        serde_json::json!(["CVE-2026-10001", "CVE-2026-10002", "CVE-2026-10003"])
    );
    let affected = v["affected"].as_array().unwrap();
    assert_eq!(affected.len(), 2, "one per attribute");
    for a in affected {
        assert!(a.get("package").is_none(), "OSV has no NixOS ecosystem");
        let range = &a["ranges"][0];
        assert_eq!(range["type"], "GIT");
        assert_eq!(range["repo"], "https://github.com/NixOS/nixpkgs");
        let mut fixed: Vec<&str> = range["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["fixed"].as_str())
            .collect();
        fixed.sort();
        assert_eq!(fixed, [SHA_2505, SHA_2511, SHA_UNSTABLE]);
        assert_eq!(range["events"][0], serde_json::json!({"introduced": "0"}));
        let releases: Vec<&str> = a["database_specific"]["releases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["release"].as_str().unwrap())
            .collect();
        assert_eq!(
            releases,
            ["24.11", "25.05", "25.11", "unstable", "nixos-small"]
        );
    }
    assert_eq!(affected[0]["database_specific"]["attribute"], "exiv2");
    assert!(doc.contains("https://github.com/NixOS/nixpkgs/pull/401234"));
    assert!(doc.contains(&format!(
        "https://github.com/NixOS/nixpkgs/commit/{SHA_2511}"
    )));
}

#[test]
fn csaf_is_valid_with_products_statuses_and_remediations() {
    let doc = render::csaf(&advisory(), &publisher());
    assert_csaf_valid(&doc);
    let v: Value = serde_json::from_str(&doc).unwrap();
    let d = &v["document"];
    assert_eq!(d["category"], "csaf_security_advisory");
    assert_eq!(d["csaf_version"], "2.0");
    assert_eq!(d["publisher"]["category"], "vendor");
    assert_eq!(d["tracking"]["version"], "2");
    assert_eq!(d["tracking"]["status"], "final");
    assert_eq!(
        d["tracking"]["revision_history"].as_array().unwrap().len(),
        2
    );
    let vulns = v["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 3, "one per CVE");
    let st = &vulns[0]["product_status"];
    assert_eq!(
        st["known_not_affected"],
        serde_json::json!(["nixos-small:exiv2", "nixos-small:libexif"])
    );
    assert_eq!(
        st["known_affected"],
        serde_json::json!(["24.11:exiv2", "24.11:libexif"])
    );
    assert_eq!(st["fixed"].as_array().unwrap().len(), 6);
    let rem: Vec<&str> = vulns[0]["remediations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        rem,
        [
            "no_fix_planned",
            "vendor_fix",
            "vendor_fix",
            "vendor_fix",
            "vendor_fix"
        ]
    );
    assert!(doc.contains("end of life on 2026-06-30"));
}

/// The PyPI `csaf` validator in `target/venv-csaf`, installed when missing;
/// fails (never skips) naming what to install when it cannot be.
fn csaf_validator() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venv-csaf");
    let bin = venv.join("bin/csaf");
    if bin.exists() {
        return bin;
    }
    let venv_ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        venv_ok,
        "cannot make a Python virtual environment at {}: install the Debian package python3-venv",
        venv.display()
    );
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "csaf"])
        .output()
        .expect("pip runs");
    assert!(
        pip.status.success() && bin.exists(),
        "cannot install the PyPI package csaf into {} (network to PyPI needed once): {}",
        venv.display(),
        String::from_utf8_lossy(&pip.stderr)
    );
    bin
}

fn assert_csaf_passes_validator(doc: &str, name: &str) {
    let bin = csaf_validator();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("advisory-render");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, doc).unwrap();
    let out = Command::new(&bin)
        .args(["validate", "--spec-version", "v20", "--no-network"])
        .arg(&file)
        .output()
        .expect("csaf validate runs");
    assert!(
        out.status.success(),
        "csaf validate failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn csaf_passes_the_third_party_validators_mandatory_tests() {
    assert_csaf_passes_validator(&render::csaf(&advisory(), &publisher()), "plain.json");
    assert_csaf_passes_validator(&render::csaf(&hostile(), &publisher()), "hostile.json");
    // The validator is not vacuous: a version that is not the latest
    // revision fails its mandatory test 6.1.16.
    let mut v: Value = serde_json::from_str(&render::csaf(&advisory(), &publisher())).unwrap();
    v["document"]["tracking"]["version"] = "3".into();
    let bin = csaf_validator();
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("advisory-render/wrong-version.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let out = Command::new(&bin)
        .args(["validate", "--spec-version", "v20", "--no-network"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("6.1.16"));
}

#[test]
fn the_schemas_are_not_vacuous() {
    let mut osv: Value = serde_json::from_str(&render::osv(&advisory(), &publisher())).unwrap();
    osv["affected"][0]["package"] =
        serde_json::json!({"ecosystem": "NixOS:25.11", "name": "exiv2"});
    assert!(
        !schema_errors("osv/schema.json", &osv.to_string()).is_empty(),
        "NixOS is no OSV ecosystem"
    );
    let mut csaf: Value = serde_json::from_str(&render::csaf(&advisory(), &publisher())).unwrap();
    csaf["document"]["tracking"]["status"] = "done".into();
    assert!(!schema_errors("csaf-2.0/csaf_json_schema.json", &csaf.to_string()).is_empty());
}

#[test]
fn rendering_is_deterministic() {
    let (a, p) = (advisory(), publisher());
    assert_eq!(render::text(&a, &p), render::text(&a, &p));
    assert_eq!(render::osv(&a, &p), render::osv(&a, &p));
    assert_eq!(render::csaf(&a, &p), render::csaf(&a, &p));
}

#[test]
fn the_announcement_in_full() {
    let text = render::text(&advisory(), &publisher());
    expect![[r#"
        To: nix-security-announce@googlegroups.com
        Subject: [NIXSA-2026-0007] libexif: heap overflows in MakerNote parsing

        libexif: heap overflows in MakerNote parsing

        Advisory:  NIXSA-2026-0007 (revision 2)
        Published: 2026-11-25T10:00:00Z
        Updated:   2026-11-27T16:30:00Z
        Severity:  high
        CVE IDs:   CVE-2026-10001, CVE-2026-10002, CVE-2026-10003
        Packages:  exiv2, libexif

        Releases
        --------
        - 24.11: will not be fixed: end of life on 2026-06-30
        - 25.05: fixed in 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c
          https://github.com/NixOS/nixpkgs/commit/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c
        - 25.11: fixed in a1b2c3d4e5f60718293a4b5c6d7e8f9012345678
          https://github.com/NixOS/nixpkgs/commit/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678
        - unstable: fixed in https://github.com/NixOS/nixpkgs/pull/401234,
          fedcba9876543210fedcba9876543210fedcba98
          https://github.com/NixOS/nixpkgs/commit/fedcba9876543210fedcba9876543210fedcba98
        - nixos-small: not affected

        Summary
        -------
        Several heap buffer overflows were found in libexif's MakerNote parsing.
        A crafted image can crash any program that reads its metadata, and may
        allow code execution.

        Update to the fixed package for your release and restart programs that
        use libexif.

        References
        ----------
        - oss-security: libexif: multiple heap overflows (CVE-2026-10001,
          CVE-2026-10002)
          https://www.openwall.com/lists/oss-security/2026/11/20/1
        - debian: [SECURITY] [DSA 6001-1] libexif security update
          https://lists.debian.org/debian-security-announce/2026/msg00201.html

        Revision history
        ----------------
        - Revision 1, 2026-11-25T10:00:00Z: initial release
        - Revision 2, 2026-11-27T16:30:00Z: exiv2 added; 25.05 fixed
    "#]]
    .assert_eq(&text);
}

/// What must hold for any announcement: headers one line each, then a
/// blank line; no line wider than 72 columns except a URL alone on it; no
/// control character but the newline.
fn assert_layout(text: &str) {
    let mut lines = text.lines();
    let to = lines.next().unwrap();
    let subject = lines.next().unwrap();
    assert!(to.starts_with("To: "), "{to}");
    assert!(subject.starts_with("Subject: "), "{subject}");
    assert_eq!(lines.next(), Some(""), "headers end after To and Subject");
    for l in text.lines() {
        let n = l.chars().count();
        assert!(
            n <= 72 || (l.trim_start().starts_with("https://") && !l.trim().contains(' ')),
            "line of {n} columns: {l}"
        );
    }
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in the text"
    );
    assert!(!text.contains('\u{202e}'), "bidi override survived");
}

#[test]
fn hostile_text_cannot_break_the_layout_the_json_or_a_header() {
    let (a, p) = (hostile(), publisher());
    let text = render::text(&a, &p);
    assert_layout(&text);
    let subject = text.lines().nth(1).unwrap();
    assert!(
        subject.starts_with("Subject: [NIXSA-2026-0007] evil Bcc: victim@example.org"),
        "{subject}"
    );
    let headers = text.split("\n\n").next().unwrap();
    assert_eq!(headers.lines().count(), 2, "no injected header: {headers}");
    assert!(text.contains("\\x1b[31m"), "escape shown, not sent");
    assert!(
        text.contains("<script>alert(\"x\")</script>"),
        "plain text keeps text as text"
    );
    assert!(
        !text.contains("javascript:"),
        "only web URLs are shown as links"
    );
    assert_osv_valid(&render::osv(&a, &p));
    assert_csaf_valid(&render::csaf(&a, &p));
}

#[test]
fn the_layout_holds_for_the_plain_advisory_too() {
    assert_layout(&render::text(&advisory(), &publisher()));
}

#[test]
fn a_team_template_overrides_the_text_and_still_fits() {
    let (a, p) = (hostile(), publisher());
    let tmpl = "To: {{ to }}\nSubject: {{ subject }}\n\n{{ title }} -- {{ summary }}\n";
    let text = render::text_with(&a, &p, Some(tmpl)).unwrap();
    assert_layout(&text);
    let plain = render::text_with(&advisory(), &p, Some(tmpl)).unwrap();
    assert_eq!(
        plain.lines().nth(3).unwrap(),
        "libexif: heap overflows in MakerNote parsing -- Several heap buffer"
    );
    let err = render::text_with(&a, &p, Some("{% for x in %}")).unwrap_err();
    assert!(err.to_string().starts_with("advisory template: "), "{err}");
}

/// An advisory approved without a summary says so instead of leaving an
/// empty section.
#[test]
fn a_missing_summary_is_said_not_left_blank() {
    let mut adv = advisory();
    adv.summary = String::new();
    let text = render::text(&adv, &publisher());
    let section = text
        .split("Summary\n-------\n")
        .nth(1)
        .expect("a Summary section");
    assert!(
        section.starts_with("No summary was written; see the references below.\n"),
        "{text}"
    );
}
