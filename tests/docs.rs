//! Documentation that must stay true.

use crate::util::repo;

/// Every file under src/ is named in ARCHITECTURE.md's code map, so the map
/// cannot silently rot when a module is added.
#[test]
fn every_source_file_is_in_the_architecture_map() {
    let map = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut missing = Vec::new();
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(repo())
                    .expect("under repo")
                    .display()
                    .to_string();
                if !map.contains(&format!("`{rel}`")) {
                    missing.push(rel);
                }
            }
        }
    }
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

/// The functional core stays pure: the modules ARCHITECTURE.md marks pure
/// import no store, no mail source, no SMTP, no file system, and never read
/// the clock.
#[test]
fn pure_modules_do_no_io_and_never_read_the_clock() {
    let pure = [
        "src/layout.rs",
        "src/text.rs",
        "src/time.rs",
        "src/mail.rs",
        "src/mail/parse.rs",
        "src/mail/classify.rs",
        "src/triage.rs",
        "src/triage/checklist.rs",
        "src/triage/correlate.rs",
        "src/triage/rules.rs",
        "src/rota.rs",
        "src/rota/ics.rs",
        "src/rota/notify.rs",
        "src/report.rs",
        "src/report/text.rs",
        "src/report/html.rs",
        "src/outbox.rs",
        "src/outbox/compose.rs",
    ];
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
    for file in pure {
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
