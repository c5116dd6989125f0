//! The Nix side: the NixOS module, its tests and the flake, checked with
//! Debian's Nix (`nix-bin`), as `scripts/nix-check` does.
//!
//! Every `.nix` file must parse. With `NIXPKGS_LIB` pointing at a nixpkgs
//! `lib` directory, the module must also pass its evaluation test
//! (`nixos-module/tests/eval.nix`, `lib.evalModules` over stubs of the NixOS
//! options it sets); without it that one test says so on stderr and passes,
//! because the tests cannot fetch nixpkgs. The NixOS VM test
//! (`nixos-module/tests/basic.nix`) needs KVM and runs as a flake check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The marker line after which a document shows the NixOS example.
const EXAMPLE_MARKER: &str = "<!-- nixos-example -->";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `nix-instantiate` with `args` in the repository; a missing binary
/// fails the test naming the Debian package, as every missing tool does.
/// The dummy store: nothing here reads or writes the Nix store, so the
/// tests run as any user, without a Nix daemon.
fn nix_instantiate(args: &[&str]) -> Output {
    match Command::new("nix-instantiate")
        .args(["--store", "dummy://"])
        .args(args)
        .current_dir(repo())
        .output()
    {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            panic!("nix-instantiate not found: install Debian's nix-bin (apt-get install nix-bin)")
        }
        Err(err) => panic!("cannot run nix-instantiate: {err}"),
    }
}

/// Every `.nix` file under `dir`, skipping build output and hidden folders.
fn nix_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry
            .file_type()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if kind.is_dir() {
            let build_output = dir == repo() && name == "target";
            if !build_output && !name.starts_with('.') {
                nix_files(&path, found);
            }
        } else if kind.is_file() && name.ends_with(".nix") {
            found.push(path);
        }
    }
}

#[test]
fn every_nix_file_parses_with_nix_instantiate() {
    let mut files = Vec::new();
    nix_files(repo(), &mut files);
    files.sort();
    for expected in [
        "flake.nix",
        "nixos-module/default.nix",
        "nixos-module/tests/eval.nix",
        "nixos-module/tests/example.nix",
        "nixos-module/tests/basic.nix",
    ] {
        assert!(
            files.contains(&repo().join(expected)),
            "{expected} was not found among the .nix files: {files:?}"
        );
    }
    let mut broken = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(repo())
            .unwrap_or(file)
            .display()
            .to_string();
        let output = nix_instantiate(&["--parse", &name]);
        if !output.status.success() {
            broken.push(format!(
                "{name}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "{} of {} .nix files do not parse:\n{}",
        broken.len(),
        files.len(),
        broken.join("\n")
    );
}

#[test]
fn module_evaluates_against_nixpkgs_lib() {
    let Some(lib) = std::env::var_os("NIXPKGS_LIB") else {
        eprintln!(
            "NIXPKGS_LIB not set: module evaluation skipped \
             (set it to a nixpkgs lib directory to evaluate nixos-module/tests/eval.nix)"
        );
        return;
    };
    let lib = lib.to_string_lossy().into_owned();
    assert!(
        Path::new(&lib).join("default.nix").is_file(),
        "NIXPKGS_LIB={lib} is not a nixpkgs lib directory (no default.nix)"
    );
    // --readonly-mode: builtins.toFile computes store paths without writing.
    let output = nix_instantiate(&[
        "--eval",
        "--strict",
        "--readonly-mode",
        "nixos-module/tests/eval.nix",
        "--argstr",
        "lib",
        &lib,
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.trim() == "true",
        "the module evaluation test failed (exit {:?}):\n{}{}",
        output.status.code(),
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn documented_nixos_example_is_the_evaluated_one() {
    let example = std::fs::read_to_string(repo().join("nixos-module/tests/example.nix"))
        .expect("nixos-module/tests/example.nix is readable");
    let shows_example = |doc: &str, text: &str| {
        let Some(start) = text.lines().position(|line| line == EXAMPLE_MARKER) else {
            panic!("{doc} has no line {EXAMPLE_MARKER} before the NixOS example");
        };
        let after: Vec<&str> = text.lines().skip(start).collect();
        assert!(
            after.join("\n").contains(example.trim_end()),
            "{doc} does not show nixos-module/tests/example.nix verbatim after \
             {EXAMPLE_MARKER}; paste the file's text there"
        );
    };
    let docs =
        std::fs::read_to_string(repo().join("docs/nixos.md")).expect("docs/nixos.md is readable");
    shows_example("docs/nixos.md", &docs);
    // The README carries the example once the NixOS section is pasted in,
    // marked by the same line.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap_or_default();
    if readme.lines().any(|line| line == EXAMPLE_MARKER) {
        shows_example("README.md", &readme);
    }
}
