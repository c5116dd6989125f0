//! Fuzzing's findings stay fixed (issue 18): every input saved under
//! `tests/fixtures/fuzz/TARGET/` (the seeds, and each crash or hang
//! `scripts/fuzz` found, as `crash-SHA` / `hang-SHA`) replayed through the
//! same target functions AFL++ runs (`fuzz/src/targets.rs`, compiled in
//! here), each asserting what must hold for every input.

#[path = "../fuzz/src/targets.rs"]
mod targets;

use crate::util::repo;

/// The saved inputs of one target, sorted.
fn inputs(target: &str) -> Vec<std::path::PathBuf> {
    let dir = repo().join("tests/fixtures/fuzz").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_saved_fuzz_input_replays_through_its_target_without_a_finding() {
    let mut replayed = Vec::new();
    for (name, target) in targets::TARGETS {
        let files = inputs(name);
        assert!(!files.is_empty(), "no seeds for the {name} target");
        for file in &files {
            let data = std::fs::read(file).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} fails again", file.display());
        }
        replayed.push(format!("{name}: {}", files.len()));
    }
    targets::cleanup();
    // Every target of scripts/fuzz has its seeds here.
    let names: Vec<&str> = targets::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["ingest", "mbox", "config", "reply"], "{replayed:?}");
}
