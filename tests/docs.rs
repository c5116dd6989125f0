//! Documentation that must stay true.

use crate::util::repo;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Every file under src/ is named in ARCHITECTURE.md's code map, so the map
/// cannot silently rot when a module is added.
#[test]
fn every_source_file_is_in_the_architecture_map() {
    let map = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut missing: Vec<String> = source_files()
        .into_iter()
        .filter(|rel| !map.contains(&format!("`{rel}`")))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name these files (add a line for each, in backticks):\n{}",
        missing.join("\n")
    );
}

/// The README's Quick start holds exactly two fenced sh blocks of one
/// command line each, and .ci/run calls the second one.
#[test]
fn readme_quick_start_has_two_commands_and_ci_runs_the_tests() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let start = readme
        .find("## Quick start")
        .expect("a Quick start section");
    let rest = &readme[start + 3..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    let blocks: Vec<&str> = section
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or(""))
        .collect();
    assert_eq!(blocks.len(), 2, "two sh blocks in Quick start");
    for b in &blocks {
        assert_eq!(b.trim().lines().count(), 1, "one command line: {b}");
    }
    let ci = std::fs::read_to_string(repo().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.contains(blocks[1].trim()),
        ".ci/run calls `{}`",
        blocks[1].trim()
    );
}

/// The modules ARCHITECTURE.md marks pure (no I/O, `now` is a parameter),
/// with the plain records the store returns to them.
const PURE: &[&str] = &[
    "src/site.rs",
    "src/site/rows.rs",
    "src/site/render.rs",
    "src/site/charts.rs",
    "src/site/feed.rs",
    "src/layout.rs",
    "src/text.rs",
    "src/time.rs",
    "src/mail.rs",
    "src/mail/parse.rs",
    "src/mail/classify.rs",
    "src/mail/cve.rs",
    "src/mail/about.rs",
    "src/triage.rs",
    "src/triage/checklist.rs",
    "src/triage/correlate.rs",
    "src/triage/rules.rs",
    "src/rota.rs",
    "src/rota/ics.rs",
    "src/rota/notify.rs",
    "src/advisory.rs",
    "src/advisory/render.rs",
    "src/advisory/draft.rs",
    "src/rota/plan.rs",
    "src/rota/timeline.rs",
    "src/rota/check.rs",
    "src/rota/load.rs",
    "src/signal.rs",
    "src/signal/plan.rs",
    "src/signal/token.rs",
    "src/signal/reply.rs",
    "src/signal/mail.rs",
    "src/metrics.rs",
    "src/report.rs",
    "src/fix.rs",
    "src/fix/log.rs",
    "src/report/text.rs",
    "src/report/html.rs",
    "src/outbox.rs",
    "src/outbox/compose.rs",
    "src/outbox/key.rs",
    "src/mail/health.rs",
    "src/refusal.rs",
];

/// Every file of the application layer.
fn app_files() -> Vec<String> {
    source_files()
        .into_iter()
        .filter(|f| f == "src/app.rs" || f.starts_with("src/app/"))
        .collect()
}

/// The application layer is what the binaries, jobs and future handlers
/// call: it takes `now` as a value and knows nothing of the command line.
#[test]
fn application_layer_never_reads_the_clock_nor_uses_the_edge() {
    let files = app_files();
    assert!(files.len() >= 5, "no application layer found: {files:?}");
    let forbidden = [
        "Utc::now",
        "SystemTime::now",
        "anyhow",
        "clap",
        "crate::cli",
        "std::env",
    ];
    let mut found = Vec::new();
    for file in &files {
        // Code only: the module docs say what is absent, in those words.
        let text: String = read(file)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for word in forbidden {
            if text.contains(word) {
                found.push(format!("{file}: {word}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the application layer uses the edge:\n{}",
        found.join("\n")
    );
}

/// The binaries parse and print: they open no transaction of their own.
/// Reading or writing the store is a library call (`app::*`, `job::*`).
#[test]
fn binaries_open_no_transactions() {
    let mut found = Vec::new();
    for file in source_files()
        .into_iter()
        .filter(|f| f.starts_with("src/bin/"))
    {
        for (n, line) in read(&file).lines().enumerate() {
            if line.contains(".read(|") || line.contains(".write(|") || line.contains("rusqlite") {
                found.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "binaries touching the store:\n{}",
        found.join("\n")
    );
}

/// The functional core stays pure: the modules ARCHITECTURE.md marks pure
/// import no store, no mail source, no SMTP, no file system, and never read
/// the clock.
#[test]
fn pure_modules_do_no_io_and_never_read_the_clock() {
    let forbidden = [
        "crate::store",
        "mail::source",
        "outbox::deliver",
        "std::fs",
        "std::net",
        "rusqlite",
        "lettre",
        "Utc::now",
        "SystemTime::now",
        "crate::cli",
    ];
    let mut found = Vec::new();
    for file in PURE {
        let text =
            std::fs::read_to_string(repo().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for f in forbidden {
                if line.contains(f) {
                    found.push(format!("{file}:{}: {f}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "pure modules doing I/O:\n{}",
        found.join("\n")
    );
}

/// Only `store` holds SQL: no string literal outside `src/store.rs` and
/// `src/store/` (binaries included) holds an SQL statement.
#[test]
fn no_sql_outside_the_store() {
    let mut found = Vec::new();
    let mut in_store = 0;
    for file in source_files() {
        let store = file == "src/store.rs" || file.starts_with("src/store/");
        for (line, literal) in lex(&read(&file)).strings {
            if let Some(k) = sql(&literal) {
                if store {
                    in_store += 1;
                } else {
                    let shown: String = literal.chars().take(60).collect();
                    found.push(format!("{file}:{line}: {k:?} in {shown:?}"));
                }
            }
        }
    }
    assert!(in_store > 0, "the SQL shapes match nothing in src/store");
    assert!(
        found.is_empty(),
        "SQL outside src/store (move it into a store function):\n{}",
        found.join("\n")
    );
}

/// The SQL statement a string literal holds, by its shape (whitespace
/// folded): `SELECT … FROM`, `UPDATE … SET`, `INSERT INTO`, `DELETE FROM`,
/// schema statements, `PRAGMA`, `BEGIN IMMEDIATE`. A bare `SELECT INBOX`
/// is the IMAP command, not SQL.
fn sql(literal: &str) -> Option<&'static str> {
    let text = literal.split_whitespace().collect::<Vec<_>>().join(" ");
    let shapes: [(&'static str, &str); 14] = [
        ("SELECT ", " FROM "),
        ("UPDATE ", " SET "),
        ("INSERT INTO", ""),
        ("INSERT OR ", ""),
        ("REPLACE INTO", ""),
        ("DELETE FROM", ""),
        ("CREATE TABLE", ""),
        ("CREATE INDEX", ""),
        ("CREATE UNIQUE INDEX", ""),
        ("ALTER TABLE", ""),
        ("DROP TABLE", ""),
        ("DROP INDEX", ""),
        ("BEGIN IMMEDIATE", ""),
        ("PRAGMA", ""),
    ];
    shapes.into_iter().find_map(|(start, then)| {
        let at = text.find(start)?;
        text[at + start.len()..].contains(then).then_some(start)
    })
}

/// Pure modules import nothing from the shell: not the store, not a mail
/// source or ingest, not SMTP or lettre's message building, not the jobs or
/// the CLI. Unlike the purity test above, this reads the import paths
/// (`crate::{store, time}`, `super::super::store`), so no spelling hides an
/// import.
#[test]
fn pure_modules_import_no_store_and_no_shell() {
    let shell: [&[&str]; 8] = [
        &["store"],
        &["mail", "source"],
        &["mail", "ingest"],
        &["mail", "fetch"],
        &["outbox", "deliver"],
        &["outbox", "message"],
        &["job"],
        &["cli"],
    ];
    let modules = Modules::read();
    let mut found = Vec::new();
    for file in PURE {
        for (line, path) in crate_paths(file, &read(file), &modules) {
            for target in modules.resolve_full(&path) {
                let target: Vec<&str> = target.iter().map(String::as_str).collect();
                if shell.iter().any(|s| target.starts_with(s)) {
                    found.push(format!("{file}:{line}: crate::{}", path.join("::")));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "pure modules importing the shell:\n{}",
        found.join("\n")
    );
}

/// Dependencies point one way: the `crate::` and `super::` paths between
/// the library's modules (top-level ones, and second-level ones such as
/// `mail::ingest` or `store::messages`) form no cycle. A path to a name a
/// module re-exports counts as a path to the child that defines it.
/// `#[cfg(test)]` modules are left out.
#[test]
fn no_cycles_between_modules() {
    let modules = Modules::read();
    // edge -> first place it is seen
    let mut edges: BTreeMap<(String, String), String> = Default::default();
    for file in source_files() {
        if file.starts_with("src/bin/") || file == "src/lib.rs" {
            continue;
        }
        let from = node(&module_of(&file));
        // Unit tests may reach anywhere in the crate (the store's tests list
        // issues); only the code they test must point one way. The house
        // style puts a file's tests last.
        let src = read(&file);
        let code = src.split("\n#[cfg(test)]").next().unwrap_or(&src);
        for (line, path) in crate_paths(&file, code, &modules) {
            for to in modules.resolve_node(&path) {
                if to != from {
                    edges
                        .entry((from.clone(), to))
                        .or_insert_with(|| format!("{file}:{line}"));
                }
            }
        }
    }
    let cycles = cycles(&edges);
    let described: Vec<String> = cycles
        .iter()
        .map(|c| {
            let mut s = c.join(" → ");
            for pair in c.windows(2) {
                let at = &edges[&(pair[0].clone(), pair[1].clone())];
                s.push_str(&format!("\n    {} → {} at {at}", pair[0], pair[1]));
            }
            s
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "dependency cycles between modules:\n{}",
        described.join("\n")
    );
}

fn read(file: &str) -> String {
    std::fs::read_to_string(repo().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every `.rs` file under `src/`, as `src/a/b.rs`, sorted.
fn source_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(repo()).expect("under repo");
                files.push(rel.display().to_string());
            }
        }
    }
    files.sort();
    files
}

/// The module path of a library file: `src/mail/source/imap.rs` →
/// `["mail", "source", "imap"]`, `src/lib.rs` → `[]`.
fn module_of(file: &str) -> Vec<String> {
    let rel = file.trim_start_matches("src/").trim_end_matches(".rs");
    if rel == "lib" {
        return Vec::new();
    }
    rel.split('/').map(str::to_string).collect()
}

/// The node a module belongs to in the dependency graph: its first two
/// segments (`mail::source::imap` → `mail::source`).
fn node(module: &[String]) -> String {
    module
        .iter()
        .take(2)
        .cloned()
        .collect::<Vec<_>>()
        .join("::")
}

/// The library's modules and the names each re-exports from a child.
struct Modules {
    modules: BTreeSet<Vec<String>>,
    /// (module, name) → the child module the name comes from.
    reexports: BTreeMap<(Vec<String>, String), Vec<String>>,
}

impl Modules {
    fn read() -> Modules {
        let files: Vec<String> = source_files()
            .into_iter()
            .filter(|f| !f.starts_with("src/bin/") && f != "src/lib.rs")
            .collect();
        let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
        let mut reexports = BTreeMap::new();
        for file in &files {
            let module = module_of(file);
            let code = lex(&read(file)).code;
            let chars: Vec<char> = code.chars().collect();
            let mut i = 0;
            while let Some(at) = find(&chars, i, "pub use ") {
                let mut j = at + "pub use ".len();
                for (path, alias) in tree(&chars, &mut j) {
                    let mut child = module.clone();
                    let rest = match path.first().map(String::as_str) {
                        Some("crate") => {
                            child = Vec::new();
                            &path[1..]
                        }
                        Some("self") => &path[1..],
                        _ => &path[..],
                    };
                    // The longest prefix of the path that is a module.
                    let mut defining = None;
                    for seg in rest {
                        child.push(seg.clone());
                        if modules.contains(&child) {
                            defining = Some(child.clone());
                        } else {
                            break;
                        }
                    }
                    if let (Some(defining), Some(name)) = (defining, alias)
                        && defining.starts_with(&module)
                        && defining != module
                    {
                        reexports.insert((module.clone(), name), defining);
                    }
                }
                i = j.max(at + 1);
            }
        }
        Modules { modules, reexports }
    }

    /// The modules an absolute path (after `crate::`) may name: the longest
    /// prefix that is a module, and, when the next segment is a name that
    /// module re-exports, the child it comes from.
    fn resolve_full(&self, path: &[String]) -> Vec<Vec<String>> {
        let mut longest = None;
        let mut prefix = Vec::new();
        for seg in path {
            prefix.push(seg.clone());
            if self.modules.contains(&prefix) {
                longest = Some(prefix.clone());
            } else {
                break;
            }
        }
        let Some(module) = longest else {
            return Vec::new();
        };
        let mut out = vec![module.clone()];
        if let Some(next) = path.get(module.len()) {
            if let Some(child) = self.reexports.get(&(module.clone(), next.clone())) {
                out.push(child.clone());
            }
        } else if let Some(child) = module
            .split_last()
            .and_then(|(name, parent)| self.reexports.get(&(parent.to_vec(), name.clone())))
        {
            // `crate::outbox::compose` names the module and the function
            // `outbox` re-exports under the same name.
            out.push(child.clone());
        }
        out
    }

    fn resolve_node(&self, path: &[String]) -> Vec<String> {
        let mut nodes: Vec<String> = self.resolve_full(path).iter().map(|m| node(m)).collect();
        nodes.dedup();
        nodes
    }
}

/// Every path a library file's code names into the crate (comments left
/// out, string literals kept: serde's `serialize_with = "crate::…"`), made
/// absolute (the segments after `crate::`), with its line: `crate::` and
/// `super::` paths, and paths through a name bound to a module (`use
/// crate::store;` then `store::messages::…`, or a child module by its
/// name). `pub use` re-exports are names, not dependencies: they are
/// followed by [`Modules::resolve_full`] instead.
fn crate_paths(file: &str, src: &str, modules: &Modules) -> Vec<(usize, Vec<String>)> {
    let module = module_of(file);
    let chars: Vec<char> = lex(src).code.chars().collect();
    let absolute = absolute_paths(&module, &chars);
    let mut bound: BTreeMap<String, Vec<String>> = modules
        .modules
        .iter()
        .filter(|m| m.len() == module.len() + 1 && m.starts_with(&module))
        .filter_map(|m| Some((m.last()?.clone(), m.clone())))
        .collect();
    for (_, path, alias) in &absolute {
        if let Some(alias) = alias
            && modules.modules.contains(path)
        {
            bound.insert(alias.clone(), path.clone());
        }
    }
    let mut out: Vec<(usize, Vec<String>)> = absolute
        .into_iter()
        .map(|(line, path, _)| (line, path))
        .collect();
    let chars = without_pub_use(&chars);
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        if !boundary || !is_ident(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let Some(base) = bound.get(&name) else {
            continue;
        };
        if chars.get(i) != Some(&':') || chars.get(i + 1) != Some(&':') {
            continue;
        }
        i += 2;
        let line = chars[..start].iter().filter(|&&c| c == '\n').count() + 1;
        for (path, _) in tree(&chars, &mut i) {
            let mut abs = base.clone();
            abs.extend(path.into_iter().filter(|s| s != "self" && s != "*"));
            out.push((line, abs));
        }
    }
    out
}

/// The `crate::` and `super::` paths in code, absolute, with their lines
/// and the names they bind.
fn absolute_paths(module: &[String], chars: &[char]) -> Vec<(usize, Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut i = 0;
    let starts = |s: &str, at: usize| {
        s.chars()
            .enumerate()
            .all(|(k, c)| chars.get(at + k) == Some(&c))
    };
    while i < chars.len() {
        let boundary = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        let start = i;
        let base = if boundary && starts("crate::", i) {
            i += "crate::".len();
            Some(Vec::new())
        } else if boundary && starts("super::", i) {
            let mut base = module.to_vec();
            while starts("super::", i) {
                base.pop();
                i += "super::".len();
            }
            Some(base)
        } else {
            None
        };
        match base {
            Some(base) => {
                let line = chars[..start].iter().filter(|&&c| c == '\n').count() + 1;
                for (path, alias) in tree(chars, &mut i) {
                    let mut abs = base.clone();
                    abs.extend(path.into_iter().filter(|s| s != "self" && s != "*"));
                    out.push((line, abs, alias));
                }
            }
            None => i += 1,
        }
    }
    out
}

/// The code with every `pub use …;` blanked (lines kept).
fn without_pub_use(chars: &[char]) -> Vec<char> {
    let mut out = chars.to_vec();
    let mut from = 0;
    while let Some(at) = find(chars, from, "pub use ") {
        let end = (at..chars.len())
            .find(|&j| chars[j] == ';')
            .unwrap_or(chars.len());
        for c in &mut out[at..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        from = end;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn find(chars: &[char], from: usize, pat: &str) -> Option<usize> {
    let pat: Vec<char> = pat.chars().collect();
    (from..chars.len()).find(|&i| chars[i..].starts_with(&pat))
}

/// Parses a use tree at `i` (`a::b`, `a::{b, c::d as e}`, `a::*`) into its
/// leaf paths, each with the name it binds (`None` for `*`).
fn tree(chars: &[char], i: &mut usize) -> Vec<(Vec<String>, Option<String>)> {
    let skip_ws = |i: &mut usize| {
        while chars.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
    };
    let ident = |i: &mut usize| -> String {
        let start = *i;
        while chars.get(*i).is_some_and(|&c| is_ident(c)) {
            *i += 1;
        }
        chars[start..*i].iter().collect()
    };
    skip_ws(i);
    match chars.get(*i) {
        Some('{') => {
            *i += 1;
            let mut out = Vec::new();
            loop {
                skip_ws(i);
                match chars.get(*i) {
                    Some('}') => {
                        *i += 1;
                        break;
                    }
                    Some(',') => *i += 1,
                    None => break,
                    Some(_) => {
                        let before = *i;
                        out.extend(tree(chars, i));
                        if *i == before {
                            *i += 1;
                        }
                    }
                }
            }
            out
        }
        Some('*') => {
            *i += 1;
            vec![(vec!["*".to_string()], None)]
        }
        Some(&c) if is_ident(c) => {
            let name = ident(i);
            if chars.get(*i) == Some(&':') && chars.get(*i + 1) == Some(&':') {
                *i += 2;
                let sub = tree(chars, i);
                if sub.is_empty() {
                    return vec![(vec![name.clone()], Some(name))];
                }
                return sub
                    .into_iter()
                    .map(|(mut p, alias)| {
                        p.insert(0, name.clone());
                        let alias = match alias.as_deref() {
                            Some("self") => Some(name.clone()),
                            _ => alias,
                        };
                        (p, alias)
                    })
                    .collect();
            }
            let mut j = *i;
            skip_ws(&mut j);
            if chars[j..].starts_with(&['a', 's', ' ']) {
                j += 3;
                skip_ws(&mut j);
                let alias = ident(&mut j);
                *i = j;
                return vec![(vec![name], Some(alias))];
            }
            vec![(vec![name.clone()], Some(name))]
        }
        _ => Vec::new(),
    }
}

/// A Rust file split into its code (comments removed, string literals kept)
/// and its string literals with their lines.
struct Lexed {
    code: String,
    strings: Vec<(usize, String)>,
}

fn lex(src: &str) -> Lexed {
    let c: Vec<char> = src.chars().collect();
    let mut code = String::with_capacity(src.len());
    let mut strings = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, x)| c.get(i + k) == Some(&x));
    while i < c.len() {
        if at(i, "//") {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 0;
            while i < c.len() {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                        code.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c[i] == 'r'
            && (i == 0
                || !is_ident(c[i - 1])
                || (c[i - 1] == 'b' && (i < 2 || !is_ident(c[i - 2]))))
            && {
                let mut j = i + 1;
                while c.get(j) == Some(&'#') {
                    j += 1;
                }
                c.get(j) == Some(&'"')
            }
        {
            let start_line = line;
            let mut j = i + 1;
            let mut hashes = 0;
            while c[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut s = String::new();
            while j < c.len() && !at(j, &close) {
                if c[j] == '\n' {
                    line += 1;
                }
                s.push(c[j]);
                j += 1;
            }
            j = (j + close.chars().count()).min(c.len());
            code.extend(&c[i..j]);
            strings.push((start_line, s));
            i = j;
        } else if c[i] == '"' {
            let start_line = line;
            let mut j = i + 1;
            let mut s = String::new();
            while j < c.len() && c[j] != '"' {
                if c[j] == '\\' && j + 1 < c.len() {
                    s.push(c[j]);
                    j += 1;
                }
                if c[j] == '\n' {
                    line += 1;
                }
                s.push(c[j]);
                j += 1;
            }
            j = (j + 1).min(c.len());
            code.extend(&c[i..j]);
            strings.push((start_line, s));
            i = j;
        } else if c[i] == '\'' {
            // A char literal ('x', '\n', '\u{1F600}', '"'), else a lifetime.
            let end = if c.get(i + 1) == Some(&'\\') {
                (i + 2..c.len()).find(|&j| c[j] == '\'' && j > i + 2)
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            let j = end.map_or(i + 1, |e| e + 1);
            code.extend(&c[i..j]);
            i = j;
        } else {
            if c[i] == '\n' {
                line += 1;
            }
            code.push(c[i]);
            i += 1;
        }
    }
    Lexed { code, strings }
}

/// The cycles of a directed graph, one per strongly connected component of
/// more than one node, each as a closed path `a → b → … → a`.
fn cycles(edges: &BTreeMap<(String, String), String>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            for m in &next[n.as_str()] {
                if seen.insert(m.to_string()) {
                    stack.push(m.to_string());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<String>> = next.keys().map(|&n| (n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for &n in next.keys() {
        if done.contains(n) || !reachable[n].contains(n) {
            continue;
        }
        let component: BTreeSet<String> = reachable[n]
            .iter()
            .filter(|m| reachable[m.as_str()].contains(n))
            .cloned()
            .collect();
        done.extend(component.iter().cloned());
        // The shortest way from n back to n inside the component.
        let mut back: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = VecDeque::from([n.to_string()]);
        'search: while let Some(m) = queue.pop_front() {
            for &k in &next[m.as_str()] {
                if !component.contains(k) {
                    continue;
                }
                if k == n {
                    // m, back to n along the search, reversed: n → … → m → n.
                    let mut path = vec![m.clone()];
                    let mut at = m.clone();
                    while let Some(p) = back.get(&at) {
                        path.push(p.clone());
                        at = p.clone();
                    }
                    path.reverse();
                    path.push(n.to_string());
                    out.push(path);
                    break 'search;
                }
                if !back.contains_key(k) && k != n {
                    back.insert(k.to_string(), m.clone());
                    queue.push_back(k.to_string());
                }
            }
        }
    }
    out
}
