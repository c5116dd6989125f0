//! An approved advisory revision rendered: the plain-text announcement
//! (wrapped at 72 columns, from a `minijinja` template the team can
//! override), OSV and CSAF 2.0 JSON. Deterministic: the same data gives the
//! same bytes (JSON objects have sorted keys; no time but the data's).
//! Pure: an override template comes in as text, read by the caller.

use super::{Advisory, Publisher, ReleaseEntry};
use crate::text::{one_line, visible};
use crate::time;
use crate::triage::ReleaseStatus;
use serde_json::{Value, json};

/// The widest line the announcement has (URLs longer than that stay whole).
pub const WIDTH: usize = 72;

/// The announcement's default template (`minijinja`), embedded so the
/// program works without files; a team overrides it with its own
/// `advisory.txt` (see [`text_with`]).
pub const DEFAULT_TEMPLATE: &str = include_str!("render/advisory.txt");

/// Why an override template could not be used: its syntax or what it
/// refers to. Names the template's problem as `minijinja` saw it.
#[derive(Debug, thiserror::Error)]
#[error("advisory template: {0}")]
pub struct TemplateError(String);

/// The announcement with the default template, plain text wrapped at 72
/// columns.
pub fn text(adv: &Advisory, publisher: &Publisher) -> String {
    match text_with(adv, publisher, None) {
        Ok(t) => t,
        // The embedded template is tested; this cannot happen, but a
        // renderer must not panic on a release build.
        Err(e) => format!("{e}\n"),
    }
}

/// The announcement from `template` (the text of an override
/// `advisory.txt`, `None` for [`DEFAULT_TEMPLATE`]). Whatever the template
/// does, the result has one-line `To:`/`Subject:` values and no line wider
/// than [`WIDTH`] except an unbreakable URL.
pub fn text_with(
    adv: &Advisory,
    publisher: &Publisher,
    template: Option<&str>,
) -> Result<String, TemplateError> {
    let mut env = minijinja::Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| TemplateError(e.to_string()))?;
    env.set_syntax(syntax);
    env.add_filter("wrap", |s: String, indent: Option<usize>| {
        let indent = indent.unwrap_or(0);
        wrap(&s, WIDTH.saturating_sub(indent).max(20)).join(&format!("\n{}", " ".repeat(indent)))
    });
    let source = template.unwrap_or(DEFAULT_TEMPLATE);
    let tmpl = env
        .template_from_str(source)
        .map_err(|e| TemplateError(e.to_string()))?;
    let out = tmpl
        .render(minijinja::value::Serde(context(adv, publisher)))
        .map_err(|e| TemplateError(e.to_string()))?;
    Ok(fit(&out))
}

/// What a template sees: every field already made safe for plain text
/// (one-line fields folded, controls made visible, lines kept for the
/// summary).
fn context(adv: &Advisory, publisher: &Publisher) -> Value {
    let title = line(&adv.title);
    let id = line(&adv.id);
    let subject_max = WIDTH - "Subject: ".len();
    let subject = crate::text::ellipsize(&format!("[{id}] {title}"), subject_max);
    let releases: Vec<Value> = adv
        .releases
        .iter()
        .map(|r| {
            json!({
                "release": line(&r.release),
                "status": r.status.as_str(),
                "references": fix_refs(r).iter().map(|f| line(f)).collect::<Vec<_>>(),
                // Pages for commit ids; a URL reference is shown as itself.
                "urls": fix_refs(r)
                    .iter()
                    .filter(|f| web_url(f).is_none())
                    .filter_map(|f| fix_url(f, publisher))
                    .collect::<Vec<_>>(),
                "reason": r.reason.as_deref().map(line),
                "line": release_line(r),
            })
        })
        .collect();
    let references: Vec<Value> = adv
        .references
        .iter()
        .map(|r| {
            json!({
                "source": line(&r.source),
                "subject": line(&r.subject),
                "date": r.date.map(time::format),
                "url": r.url.as_deref().and_then(web_url),
            })
        })
        .collect();
    let history: Vec<Value> = revisions(adv)
        .into_iter()
        .map(|(n, date, summary)| json!({"number": n, "date": date, "summary": line(&summary)}))
        .collect();
    json!({
        "to": line(&publisher.list),
        "subject": subject,
        "id": id,
        "revision": adv.revision,
        "title": title,
        "severity": adv.severity.map(|s| s.as_str()).unwrap_or("not rated"),
        "cves": adv.cves.iter().map(|c| line(c)).collect::<Vec<_>>(),
        "packages": adv.packages.iter().map(|p| line(p)).collect::<Vec<_>>(),
        "releases": releases,
        "summary": block(&adv.summary),
        "references": references,
        "history": history,
        "published": time::format(adv.published),
        "modified": time::format(adv.modified),
        "publisher": line(&publisher.name),
    })
}

/// One release's status in words, for the text.
fn release_line(r: &ReleaseEntry) -> String {
    let rel = line(&r.release);
    let refs: Vec<String> = fix_refs(r).iter().map(|f| line(f)).collect();
    match r.status {
        ReleaseStatus::Fixed if refs.is_empty() => format!("{rel}: fixed"),
        ReleaseStatus::Fixed => format!("{rel}: fixed in {}", refs.join(", ")),
        ReleaseStatus::NotAffected => format!("{rel}: not affected"),
        ReleaseStatus::Wontfix => match r.reason.as_deref().map(line) {
            Some(why) if !why.is_empty() => format!("{rel}: will not be fixed: {why}"),
            _ => format!("{rel}: will not be fixed"),
        },
        ReleaseStatus::Affected => format!("{rel}: affected, no fix yet"),
        ReleaseStatus::Unknown => format!("{rel}: not yet known"),
    }
}

/// A one-line field made safe: folded to one line, controls and bidi
/// overrides made visible.
fn line(s: &str) -> String {
    visible(&one_line(s))
}

/// A multi-line field made safe: lines kept (CRLF to LF), tabs to spaces,
/// every other control made visible, trailing spaces dropped.
fn block(s: &str) -> String {
    let lines: Vec<String> = visible(&s.replace("\r\n", "\n").replace('\t', "    "))
        .split('\n')
        .map(|l| l.trim_end().to_string())
        .collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// Greedy word wrap of each line of `s` at `width` characters. A word
/// wider than that stays whole if it is a URL and is cut otherwise.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for src in s.split('\n') {
        let mut cur = String::new();
        let mut n = 0;
        for word in src.split(' ').filter(|w| !w.is_empty()) {
            let len = word.chars().count();
            if len > width && !is_url(word) {
                let chars: Vec<char> = word.chars().collect();
                for chunk in chars.chunks(width) {
                    if n > 0 && n + 1 + chunk.len() <= width {
                        cur.push(' ');
                        cur.extend(chunk);
                        n += 1 + chunk.len();
                    } else {
                        if n > 0 {
                            out.push(std::mem::take(&mut cur));
                        }
                        cur = chunk.iter().collect();
                        n = chunk.len();
                    }
                }
                continue;
            }
            if n > 0 && n + 1 + len > width {
                out.push(std::mem::take(&mut cur));
                n = 0;
            }
            if n > 0 {
                cur.push(' ');
                n += 1;
            }
            cur.push_str(word);
            n += len;
        }
        out.push(cur);
    }
    out
}

/// The last guard, whatever a template did: each line wider than
/// [`WIDTH`] is wrapped again under its own indentation.
fn fit(out: &str) -> String {
    let mut lines = Vec::new();
    for l in out.split('\n') {
        let l = l.trim_end();
        if l.chars().count() <= WIDTH {
            lines.push(l.to_string());
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        let indent = if indent > WIDTH / 2 { 0 } else { indent };
        let pad = " ".repeat(indent);
        for w in wrap(l.trim_start(), WIDTH - indent) {
            lines.push(format!("{pad}{w}"));
        }
    }
    lines.join("\n")
}

/// A word that is a URL and so may be wider than a line.
fn is_url(word: &str) -> bool {
    word.starts_with("https://") || word.starts_with("http://")
}

/// `url` if it is a plain web URL (http or https, nothing that could
/// break a line, a JSON consumer or a `uri` format check), else nothing.
fn web_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let ok = !host.is_empty()
        && url.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        });
    ok.then(|| url.to_string())
}

/// The fix references of a fixed release (one or more, separated by
/// whitespace or commas).
fn fix_refs(r: &ReleaseEntry) -> Vec<String> {
    if r.status != ReleaseStatus::Fixed {
        return Vec::new();
    }
    r.reference
        .as_deref()
        .unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A full commit id (SHA-1 or SHA-256, lower-case hex), as OSV's GIT
/// ranges require.
fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A web URL for a fix reference: itself when it is one, the commit's page
/// on the repository when it is a commit id.
fn fix_url(f: &str, publisher: &Publisher) -> Option<String> {
    if let Some(u) = web_url(f) {
        return Some(u);
    }
    let repo = publisher.repository.as_deref().and_then(web_url)?;
    is_commit(f).then(|| format!("{}/commit/{f}", repo.trim_end_matches('/')))
}

/// The revision history, oldest first, always ending at this revision:
/// (number, RFC 3339 date, summary).
fn revisions(adv: &Advisory) -> Vec<(u32, String, String)> {
    let mut h: Vec<(u32, String, String)> = adv
        .history
        .iter()
        .filter(|e| e.number <= adv.revision)
        .map(|e| (e.number, time::format(e.date), e.summary.clone()))
        .collect();
    h.sort_by_key(|e| e.0);
    h.dedup_by_key(|e| e.0);
    if h.last().map(|e| e.0) != Some(adv.revision) {
        let what = if adv.revision <= 1 {
            "initial release"
        } else {
            "revised"
        };
        h.push((adv.revision, time::format(adv.modified), what.to_string()));
    }
    h
}

/// Text for a JSON string: controls other than newline and tab removed,
/// CRLF made LF.
fn json_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Pretty JSON with a final newline (serde_json's maps are sorted).
fn pretty(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// A release's standing as data, for `database_specific` in OSV.
fn release_data(r: &ReleaseEntry, publisher: &Publisher) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("release".into(), json!(one_line(&r.release)));
    m.insert("status".into(), json!(r.status.as_str()));
    let refs = fix_refs(r);
    if !refs.is_empty() {
        m.insert("fixed_by".into(), json!(refs));
        let urls: Vec<String> = refs.iter().filter_map(|f| fix_url(f, publisher)).collect();
        if !urls.is_empty() {
            m.insert("fix_urls".into(), json!(urls));
        }
    }
    if let Some(why) = r.reason.as_deref().map(one_line).filter(|w| !w.is_empty()) {
        m.insert("reason".into(), json!(why));
    }
    Value::Object(m)
}

/// The OSV record (pretty JSON with a final newline): id `x_<ID>`, CVEs as
/// aliases, no `package` (OSV has no NixOS ecosystem), one `affected` per
/// attribute with a `GIT` range on the repository holding one `fixed`
/// event per branch commit, releases and attribute in `database_specific`.
pub fn osv(adv: &Advisory, publisher: &Publisher) -> String {
    let mut fixed: Vec<String> = adv
        .releases
        .iter()
        .flat_map(fix_refs)
        .filter(|f| is_commit(f))
        .collect();
    fixed.sort();
    fixed.dedup();
    let repo = publisher.repository.as_deref().and_then(web_url);
    let releases: Vec<Value> = adv
        .releases
        .iter()
        .map(|r| release_data(r, publisher))
        .collect();
    let mut affected = Vec::new();
    let packages = package_names(adv);
    for p in &packages {
        let mut a = serde_json::Map::new();
        if let (Some(repo), false) = (&repo, fixed.is_empty()) {
            let mut events = vec![json!({"introduced": "0"})];
            events.extend(fixed.iter().map(|f| json!({"fixed": f})));
            a.insert(
                "ranges".into(),
                json!([{"type": "GIT", "repo": repo, "events": events}]),
            );
        }
        a.insert(
            "database_specific".into(),
            json!({"attribute": p, "releases": releases}),
        );
        affected.push(Value::Object(a));
    }
    let mut refs: Vec<Value> = Vec::new();
    for r in &adv.releases {
        for f in fix_refs(r) {
            if let Some(u) = fix_url(&f, publisher) {
                refs.push(json!({"type": "FIX", "url": u}));
            }
        }
    }
    for r in &adv.references {
        if let Some(u) = r.url.as_deref().and_then(web_url) {
            refs.push(json!({"type": "WEB", "url": u}));
        }
    }
    dedup_values(&mut refs);
    let mut db = serde_json::Map::new();
    db.insert("revision".into(), json!(adv.revision));
    if let Some(s) = adv.severity {
        db.insert("severity".into(), json!(s.as_str()));
    }
    let mut v = serde_json::Map::new();
    v.insert("schema_version".into(), json!("1.7.5"));
    v.insert("id".into(), json!(format!("x_{}", one_line(&adv.id))));
    v.insert("modified".into(), json!(time::format(adv.modified)));
    v.insert("published".into(), json!(time::format(adv.published)));
    v.insert(
        "aliases".into(),
        json!(adv.cves.iter().map(|c| one_line(c)).collect::<Vec<_>>()),
    );
    v.insert("summary".into(), json!(one_line(&adv.title)));
    let details = json_text(&adv.summary);
    if !details.is_empty() {
        v.insert("details".into(), json!(details));
    }
    v.insert("affected".into(), json!(affected));
    if !refs.is_empty() {
        v.insert("references".into(), json!(refs));
    }
    v.insert("database_specific".into(), Value::Object(db));
    pretty(&Value::Object(v))
}

/// Removes later duplicates, keeping the first's place.
fn dedup_values(v: &mut Vec<Value>) {
    let mut seen = Vec::new();
    v.retain(|x| {
        if seen.contains(x) {
            false
        } else {
            seen.push(x.clone());
            true
        }
    });
}

/// The packages, one line each, without duplicates; one placeholder when
/// the advisory names none (CSAF needs a product).
fn package_names(adv: &Advisory) -> Vec<String> {
    let mut p: Vec<String> = adv
        .packages
        .iter()
        .map(|p| one_line(p))
        .filter(|p| !p.is_empty())
        .collect();
    p.sort();
    p.dedup();
    if p.is_empty() {
        p.push("(unnamed package)".to_string());
    }
    p
}

/// A CVE id of the form CSAF's `cve` field accepts.
fn is_cve(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, num)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && num.len() >= 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && num.bytes().all(|b| b.is_ascii_digit())
}

/// Text that is never empty and never starts or ends with whitespace (as
/// CSAF's non-empty string fields need).
fn nonempty(s: String, fallback: &str) -> String {
    if s.trim().is_empty() {
        fallback.to_string()
    } else {
        s.trim().to_string()
    }
}

/// The CSAF 2.0 `csaf_security_advisory` document (pretty JSON with a
/// final newline): product tree of releases × packages (vendor → product
/// name → product version, ids `<release>:<package>`), one vulnerability
/// per CVE with its product status and remediations, tracking with the
/// whole revision history.
pub fn csaf(adv: &Advisory, publisher: &Publisher) -> String {
    let id = nonempty(one_line(&adv.id), "unnamed");
    let title = nonempty(one_line(&adv.title), &id);
    let summary = nonempty(json_text(&adv.summary), &title);
    let packages = package_names(adv);
    let vendor = nonempty(one_line(&publisher.name), &id);
    // Stable product ids: release and package, unique by construction.
    let pid = |rel: &str, pkg: &str| format!("{}:{pkg}", one_line(rel));
    let mut releases: Vec<&ReleaseEntry> = Vec::new();
    for r in &adv.releases {
        if !releases
            .iter()
            .any(|x| one_line(&x.release) == one_line(&r.release))
        {
            releases.push(r);
        }
    }
    let product_branches: Vec<Value> = packages
        .iter()
        .map(|pkg| {
            let versions: Vec<Value> = releases
                .iter()
                .map(|r| {
                    let rel = nonempty(one_line(&r.release), "release");
                    json!({
                        "category": "product_version",
                        "name": rel,
                        "product": {
                            "product_id": pid(&r.release, pkg),
                            "name": format!("{vendor} {rel} {pkg}"),
                        }
                    })
                })
                .collect();
            let mut b = serde_json::Map::new();
            b.insert("category".into(), json!("product_name"));
            b.insert("name".into(), json!(pkg));
            if versions.is_empty() {
                b.insert(
                    "product".into(),
                    json!({"product_id": pkg, "name": format!("{vendor} {pkg}")}),
                );
            } else {
                b.insert("branches".into(), json!(versions));
            }
            Value::Object(b)
        })
        .collect();
    let ids_for =
        |r: &ReleaseEntry| -> Vec<String> { packages.iter().map(|p| pid(&r.release, p)).collect() };
    let mut fixed = Vec::new();
    let mut known_affected = Vec::new();
    let mut not_affected = Vec::new();
    let mut investigating = Vec::new();
    let mut remediations = Vec::new();
    for r in &releases {
        let ids = ids_for(r);
        let rel = nonempty(one_line(&r.release), "release");
        match r.status {
            ReleaseStatus::Fixed => {
                fixed.extend(ids.clone());
                let refs = fix_refs(r);
                if refs.is_empty() {
                    remediations.push(json!({
                        "category": "vendor_fix",
                        "details": format!("Fixed in {rel}."),
                        "product_ids": ids,
                    }));
                }
                for f in refs {
                    let mut m = serde_json::Map::new();
                    m.insert("category".into(), json!("vendor_fix"));
                    m.insert(
                        "details".into(),
                        json!(format!("Fixed in {rel} by {}.", one_line(&f))),
                    );
                    m.insert("product_ids".into(), json!(ids));
                    if let Some(u) = fix_url(&f, publisher) {
                        m.insert("url".into(), json!(u));
                    }
                    remediations.push(Value::Object(m));
                }
            }
            ReleaseStatus::NotAffected => not_affected.extend(ids),
            ReleaseStatus::Wontfix => {
                known_affected.extend(ids.clone());
                let why = r.reason.as_deref().map(one_line).unwrap_or_default();
                remediations.push(json!({
                    "category": "no_fix_planned",
                    "details": nonempty(why, &format!("No fix is planned for {rel}.")),
                    "product_ids": ids,
                }));
            }
            ReleaseStatus::Affected => known_affected.extend(ids),
            ReleaseStatus::Unknown => investigating.extend(ids),
        }
    }
    let mut status = serde_json::Map::new();
    for (k, v) in [
        ("fixed", fixed),
        ("known_affected", known_affected),
        ("known_not_affected", not_affected),
        ("under_investigation", investigating),
    ] {
        if !v.is_empty() {
            status.insert(k.into(), json!(v));
        }
    }
    let mut cves: Vec<String> = adv
        .cves
        .iter()
        .map(|c| one_line(c))
        .filter(|c| is_cve(c))
        .collect();
    cves.sort();
    cves.dedup();
    let vuln = |cve: Option<&str>| {
        let mut m = serde_json::Map::new();
        if let Some(c) = cve {
            m.insert("cve".into(), json!(c));
        } else {
            m.insert("title".into(), json!(title));
        }
        m.insert(
            "notes".into(),
            json!([{"category": "description", "title": "Summary", "text": summary}]),
        );
        if !status.is_empty() {
            m.insert("product_status".into(), Value::Object(status.clone()));
        }
        if !remediations.is_empty() {
            m.insert("remediations".into(), json!(remediations));
        }
        Value::Object(m)
    };
    let vulnerabilities: Vec<Value> = if cves.is_empty() {
        vec![vuln(None)]
    } else {
        cves.iter().map(|c| vuln(Some(c))).collect()
    };
    let mut refs: Vec<Value> = Vec::new();
    for r in &adv.releases {
        for f in fix_refs(r) {
            if let Some(u) = fix_url(&f, publisher) {
                let what = format!("Fix for {}: {}", one_line(&r.release), one_line(&f));
                refs.push(json!({"category": "external", "summary": what, "url": u}));
            }
        }
    }
    for r in &adv.references {
        if let Some(u) = r.url.as_deref().and_then(web_url) {
            let what = nonempty(
                format!("{}: {}", one_line(&r.source), one_line(&r.subject)),
                "Reference",
            );
            refs.push(json!({"category": "external", "summary": what, "url": u}));
        }
    }
    dedup_values(&mut refs);
    if refs.is_empty() {
        // The security-advisory profile needs an external reference.
        let u = publisher
            .repository
            .as_deref()
            .and_then(web_url)
            .or_else(|| web_url(&publisher.namespace))
            .unwrap_or_else(|| "https://example.invalid".to_string());
        refs.push(json!({"category": "external", "summary": "The publisher", "url": u}));
    }
    let history: Vec<Value> = revisions(adv)
        .into_iter()
        .map(|(n, date, s)| {
            json!({"number": n.to_string(), "date": date, "summary": nonempty(one_line(&s), "revised")})
        })
        .collect();
    let mut document = serde_json::Map::new();
    document.insert("category".into(), json!("csaf_security_advisory"));
    document.insert("csaf_version".into(), json!("2.0"));
    document.insert("title".into(), json!(title));
    document.insert(
        "publisher".into(),
        json!({"category": "vendor", "name": vendor, "namespace": publisher.namespace}),
    );
    document.insert(
        "distribution".into(),
        json!({"text": "Public.", "tlp": {"label": "WHITE"}}),
    );
    if let Some(s) = adv.severity {
        document.insert("aggregate_severity".into(), json!({"text": s.as_str()}));
    }
    document.insert(
        "notes".into(),
        json!([{"category": "summary", "title": "Summary", "text": summary}]),
    );
    document.insert("references".into(), json!(refs));
    document.insert(
        "tracking".into(),
        json!({
            "id": id,
            "status": "final",
            "version": adv.revision.to_string(),
            "revision_history": history,
            "initial_release_date": time::format(adv.published),
            "current_release_date": time::format(adv.modified),
            "generator": {"engine": {"name": "secdesk", "version": env!("CARGO_PKG_VERSION")}},
        }),
    );
    let v = json!({
        "document": document,
        "product_tree": {"branches": [{"category": "vendor", "name": vendor, "branches": product_branches}]},
        "vulnerabilities": vulnerabilities,
    });
    pretty(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_urls_whole_and_cuts_other_long_words() {
        let url = format!("https://example.org/{}", "a".repeat(80));
        let lines = wrap(&format!("see {url} now {}", "b".repeat(30)), 20);
        assert_eq!(lines[0], "see");
        assert_eq!(lines[1], url);
        assert_eq!(lines[2], "now");
        assert_eq!(lines[3], "b".repeat(20));
        assert_eq!(lines[4], "b".repeat(10));
    }

    #[test]
    fn fit_rewraps_a_long_line_under_its_indent() {
        let out = fit(&format!("  {}", "word ".repeat(40)));
        assert!(
            out.lines()
                .all(|l| l.starts_with("  word") && l.chars().count() <= WIDTH)
        );
    }

    #[test]
    fn only_plain_web_urls_are_links() {
        assert!(web_url("https://github.com/NixOS/nixpkgs/pull/1").is_some());
        assert!(web_url("javascript:alert(1)").is_none());
        assert!(web_url("https://a.example/x y").is_none());
        assert!(web_url("https://a.example/\"><script>").is_none());
        assert!(web_url("https:///nohost").is_none());
    }

    #[test]
    fn only_full_lower_case_commit_ids_go_into_git_ranges() {
        assert!(is_commit(&"a".repeat(40)));
        assert!(is_commit(&"0".repeat(64)));
        assert!(!is_commit("abc1234"));
        assert!(!is_commit(&"A".repeat(40)));
    }

    #[test]
    fn cve_ids_as_csaf_accepts_them() {
        assert!(is_cve("CVE-2026-1234"));
        assert!(is_cve("CVE-2026-123456"));
        assert!(!is_cve("CVE-2026-123"));
        assert!(!is_cve("CVE-2026-1234\n"));
    }
}
