//! The Nix side: the NixOS module, its tests and the flake, checked with
//! Debian's Nix (`nix-bin`), as `scripts/nix-check` does.
//!
//! Every `.nix` file must parse, and the module must pass its evaluation
//! test (`nixos-module/tests/eval.nix`, `lib.evalModules` over stubs of the
//! NixOS options it sets) against a real nixpkgs `lib`: `NIXPKGS_LIB` when
//! set, else `../shared/nixpkgs-lib/lib` beside the repository when present
//! (test material, not part of the project). Without either the test fails
//! naming what to set: the tests cannot fetch nixpkgs, and a skipped
//! evaluation would leave the Secrets and Hardening promises unchecked.
//! The NixOS VM test (`nixos-module/tests/basic.nix`) needs KVM and runs as
//! a flake check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The marker line after which a document shows the NixOS example.
const EXAMPLE_MARKER: &str = "<!-- nixos-example -->";

/// Where the pinned nixpkgs `lib` lies when `NIXPKGS_LIB` is not set,
/// relative to the repository root (as `scripts/nix-check` looks for it).
const SHARED_NIXPKGS_LIB: &str = "../shared/nixpkgs-lib/lib";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The nixpkgs `lib` directory to evaluate the module against, as an
/// absolute path: `NIXPKGS_LIB`, else [`SHARED_NIXPKGS_LIB`]; neither fails
/// the test naming what to set.
pub fn nixpkgs_lib() -> String {
    let lib = match std::env::var_os("NIXPKGS_LIB") {
        Some(lib) => PathBuf::from(lib),
        None => {
            let shared = repo().join(SHARED_NIXPKGS_LIB);
            assert!(
                shared.join("default.nix").is_file(),
                "no nixpkgs lib to evaluate the NixOS module against: set NIXPKGS_LIB to a \
                 nixpkgs lib directory (a nixpkgs checkout's lib/, or nix-community/nixpkgs.lib's), \
                 or put one at {SHARED_NIXPKGS_LIB} beside the repository"
            );
            shared
        }
    };
    assert!(
        lib.join("default.nix").is_file(),
        "NIXPKGS_LIB={} is not a nixpkgs lib directory (no default.nix)",
        lib.display()
    );
    // `import` in Nix wants an absolute path.
    lib.canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", lib.display()))
        .to_string_lossy()
        .into_owned()
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
    let lib = nixpkgs_lib();
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

/// The JSON the module generates for every configuration its tests accept
/// (`nixos-module/tests/configs.nix`, through `json.nix`) is accepted by
/// secdesk's own configuration parser: each of the programs the units run
/// (and the CLI the operators run) starts on it and exits 0. Module and
/// program cannot drift apart unseen; the secrets' paths stay out of it.
#[test]
fn generated_json_of_every_accepted_module_configuration_is_accepted_by_secdesk() {
    let lib = nixpkgs_lib();
    let output = nix_instantiate(&[
        "--eval",
        "--strict",
        "--readonly-mode",
        "--json",
        "nixos-module/tests/json.nix",
        "--argstr",
        "lib",
        &lib,
    ]);
    assert!(
        output.status.success(),
        "nixos-module/tests/json.nix failed (exit {:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    let configs: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&output.stdout).expect("json.nix gives names and JSON texts");
    for expected in ["example", "quiet", "signal", "userSettings"] {
        assert!(
            configs.contains_key(expected),
            "json.nix has no configuration {expected}: {:?}",
            configs.keys().collect::<Vec<_>>()
        );
    }
    let dir = crate::util::Dir::new("generated_json_is_accepted");
    let empty = dir.join("empty-maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(empty.join(sub)).expect("mkdir maildir");
    }
    for (name, json) in &configs {
        for secret in ["/run/secrets", "/nix/store"] {
            assert!(
                !json.contains(secret),
                "the JSON of {name} holds a secret's path ({secret}): {json}"
            );
        }
        let file = dir.write(format!("{name}.json"), json);
        // The module's database is under /var/lib/secdesk; --db keeps the
        // runs in the test directory. No credential directory: reading the
        // configuration reads no secret.
        let db = dir.join(format!("{name}.sqlite"));
        let runs: [(&str, &[&str]); 3] = [
            ("secdesk-ingest", &["--maildir", &empty.to_string_lossy()]),
            ("secdesk", &["status", "--json"]),
            ("secdesk-triage-report", &["--stdout"]),
        ];
        for (bin, args) in runs {
            let out = Command::new(crate::util::bin_path(bin))
                .env_remove("SECDESK_CONFIG")
                .env_remove("CREDENTIALS_DIRECTORY")
                .current_dir(&dir.path)
                .arg("--config")
                .arg(&file)
                .arg("--db")
                .arg(&db)
                .args(["--now", crate::util::NOW])
                .args(args)
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run binary");
            assert!(
                out.status.success(),
                "{bin} {} refuses the JSON the module generates for {name} (exit {:?}):\n{}\nJSON: {json}",
                args.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
