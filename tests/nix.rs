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
//!
//! What needs nixpkgs itself (its stdenv, `runCommand`, installShellFiles)
//! cannot be built here, where only nixpkgs' `lib` is: instead the scripts
//! the build would run are taken from the evaluated Nix and run with the
//! real binaries (the module's configuration check, the package's
//! `postInstall`).

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
        "package.nix",
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
        let runs: [(&str, &[&str]); 4] = [
            // What the module's build-time check runs on this file.
            ("secdesk", &["check-config"]),
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

/// Evaluates one of the Nix test files that print JSON.
fn eval_json<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let lib = nixpkgs_lib();
    let output = nix_instantiate(&[
        "--eval",
        "--strict",
        "--readonly-mode",
        "--json",
        file,
        "--argstr",
        "lib",
        &lib,
    ]);
    assert!(
        output.status.success(),
        "{file} failed (exit {:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{file} does not give the expected JSON: {e}"))
}

/// Runs a build script as stdenv would (bash, `set -euo pipefail`) with
/// `env`, in `dir`; a missing bash fails naming the Debian package.
fn run_build_script(script: &str, dir: &Path, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env_remove("SECDESK_CONFIG")
        .env_remove("CREDENTIALS_DIRECTORY")
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        cmd.env(key, value);
    }
    match cmd.output() {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            panic!("bash not found: install Debian's bash (apt-get install bash)")
        }
        Err(err) => panic!("cannot run bash: {err}"),
    }
}

/// A stand-in for a package's output in the Nix store: `DIR/bin/NAME`
/// links to the binaries cargo built for this test run.
fn fake_package_out(dir: &Path, bins: &[&str]) -> PathBuf {
    let out = dir.join("out");
    std::fs::create_dir_all(out.join("bin")).expect("mkdir out/bin");
    for bin in bins {
        std::os::unix::fs::symlink(crate::util::bin_path(bin), out.join("bin").join(bin))
            .expect("link binary");
    }
    out
}

/// The binaries the package installs (every `src/bin` program;
/// `tooling::every_binary_is_listed` keeps the list whole).
pub const BINARIES: [&str; 7] = [
    "secdesk",
    "secdesk-advisory-render",
    "secdesk-fix-track",
    "secdesk-ingest",
    "secdesk-rotate-notify",
    "secdesk-site-render",
    "secdesk-triage-report",
];

/// One configuration's build-time check, as `check.nix` gives it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigCheck {
    expected: String,
    #[serde(rename = "buildCommand")]
    build_command: String,
    package: String,
    json: String,
}

/// The module's `checkConfig` derivation, run as the system build would run
/// it, with the real `secdesk`: every configuration the module's tests
/// accept builds the checked file (the generated JSON, unchanged); settings
/// with a typo, an unknown time zone or a malformed address, which the
/// module's types let through, fail the build with secdesk's error naming
/// the key, and build nothing.
#[test]
fn module_build_check_passes_accepted_settings_and_fails_the_build_on_refused_ones() {
    let checks: std::collections::BTreeMap<String, ConfigCheck> =
        eval_json("nixos-module/tests/check.nix");
    let refused_keys = [
        ("typoInReport", "unknown key `report.reprot`"),
        (
            "unknownTimeZone",
            "key `team[0].timezone`: unknown time zone \"Europe/Berln\"",
        ),
        (
            "badAddress",
            "key `report.to[0]`: invalid mail address \"security team\"",
        ),
    ];
    for (name, _) in refused_keys {
        assert!(checks.contains_key(name), "check.nix has no {name}");
    }
    assert!(checks.contains_key("example"), "check.nix has no example");
    let dir = crate::util::Dir::new("module_build_check");
    for (name, check) in &checks {
        let work = dir.join(name);
        std::fs::create_dir_all(&work).expect("mkdir");
        // The package's store path becomes the binaries built here.
        let package = fake_package_out(&work, &["secdesk"]);
        let script = check
            .build_command
            .replace(&check.package, &package.to_string_lossy());
        assert_ne!(
            script, check.build_command,
            "{name}: the script does not run the package"
        );
        let config = work.join("secdesk.json");
        std::fs::write(&config, &check.json).expect("write generated file");
        let out = work.join("checked.json");
        let output = run_build_script(&script, &work, &[("configFile", &config), ("out", &out)]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        match check.expected.as_str() {
            "accepted" => {
                assert!(
                    output.status.success(),
                    "{name}: the check refuses what the module generates:\n{stderr}\nJSON: {}",
                    check.json
                );
                eqnice!(format!("configuration OK: {}\n", config.display()), stdout);
                let built = std::fs::read_to_string(&out).expect("the checked file is built");
                eqnice!(check.json, built);
            }
            "refused" => {
                let key = refused_keys
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, key)| *key)
                    .unwrap_or_else(|| panic!("no expected error for {name}"));
                assert!(
                    !output.status.success(),
                    "{name}: the build passes:\n{stdout}"
                );
                let error = format!("secdesk: configuration {}: {key}", config.display());
                assert!(
                    stderr.contains(&error),
                    "{name}: expected {error:?} in:\n{stderr}"
                );
                assert!(
                    stderr.contains("services.secdesk.checkConfig = false"),
                    "{name}: the build log does not say how to skip the check:\n{stderr}"
                );
                assert!(!out.exists(), "{name}: a refused configuration was built");
            }
            other => panic!("{name}: unknown expectation {other}"),
        }
    }
}

/// The package as `package.nix` evaluates it, with stand-ins for its
/// arguments (`nixos-module/tests/package.nix`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Package {
    pname: String,
    version: String,
    #[serde(rename = "postInstall")]
    post_install: String,
    #[serde(rename = "nativeBuildInputs")]
    native_build_inputs: Vec<String>,
    #[serde(rename = "crossPostInstall")]
    cross_post_install: String,
}

/// What nixpkgs' installShellFiles does with the files it is given, enough
/// to see which files `postInstall` installs where (nixpkgs itself is not
/// here): `installShellCompletion --cmd NAME --bash F --zsh F --fish F` and
/// `installManPage F...`, into the directories nixpkgs uses.
const INSTALL_SHELL_FILES: &str = r#"
installShellCompletion() {
  local cmd= shell file
  while [ $# -gt 0 ]; do
    case $1 in
      --cmd) cmd=$2; shift 2 ;;
      --bash|--zsh|--fish)
        shell=${1#--}; file=$2; shift 2
        [ -s "$file" ] || { echo "installShellCompletion: $file is empty or missing" >&2; return 1; }
        case $shell in
          bash) install -Dm644 "$file" "$out/share/bash-completion/completions/$cmd.bash" ;;
          zsh) install -Dm644 "$file" "$out/share/zsh/site-functions/_$cmd" ;;
          fish) install -Dm644 "$file" "$out/share/fish/vendor_completions.d/$cmd.fish" ;;
        esac ;;
      *) echo "installShellCompletion: unexpected $1" >&2; return 1 ;;
    esac
  done
}
installManPage() {
  local page
  for page in "$@"; do
    [ -s "$page" ] || { echo "installManPage: $page is empty or missing" >&2; return 1; }
    install -Dm644 "$page" "$out/share/man/man1/${page##*/}"
  done
}
"#;

/// `package.nix` installs a man page and bash, zsh and fish completions for
/// every binary, generated by the built binaries (`--generate`); the
/// subcommands of `secdesk` get pages of their own. A cross build, which
/// cannot run them, installs none and still builds.
#[test]
fn package_installs_man_pages_and_completions_of_every_binary() {
    let package: Package = eval_json("nixos-module/tests/package.nix");
    eqnice!("secdesk", package.pname);
    eqnice!(env!("CARGO_PKG_VERSION"), package.version);
    assert!(
        package
            .native_build_inputs
            .iter()
            .any(|i| i == "install-shell-files"),
        "installShellFiles is not a native build input: {:?}",
        package.native_build_inputs
    );
    eqnice!("", package.cross_post_install);

    let dir = crate::util::Dir::new("package_post_install");
    let out = fake_package_out(&dir.path, &BINARIES);
    let build = dir.join("build");
    std::fs::create_dir_all(&build).expect("mkdir build");
    // Nothing may be read from or written to a configuration or database.
    let script = format!("{INSTALL_SHELL_FILES}\n{}", package.post_install);
    let output = run_build_script(&script, &build, &[("out", &out)]);
    assert!(
        output.status.success(),
        "postInstall fails:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let read = |rel: &str| {
        std::fs::read_to_string(out.join(rel))
            .unwrap_or_else(|e| panic!("postInstall did not install {rel}: {e}"))
    };
    for bin in BINARIES {
        let page = read(&format!("share/man/man1/{bin}.1"));
        assert!(page.contains(&format!(".TH {bin} 1")), "{bin}.1:\n{page}");
        let bash = read(&format!("share/bash-completion/completions/{bin}.bash"));
        assert!(
            bash.contains(&format!("complete -F _{}", bin.replace('-', "__"))),
            "{bin}.bash:\n{bash}"
        );
        let zsh = read(&format!("share/zsh/site-functions/_{bin}"));
        assert!(
            zsh.starts_with(&format!("#compdef {bin}")),
            "_{bin}:\n{zsh}"
        );
        let fish = read(&format!("share/fish/vendor_completions.d/{bin}.fish"));
        assert!(
            fish.contains(&format!("complete -c {bin}")),
            "{bin}.fish:\n{fish}"
        );
    }
    for page in [
        "secdesk-rota.1",
        "secdesk-rota-swap.1",
        "secdesk-claim.1",
        "secdesk-check-config.1",
    ] {
        let text = read(&format!("share/man/man1/{page}"));
        assert!(text.contains(".SH SYNOPSIS"), "{page}:\n{text}");
    }
    let leftovers: Vec<String> = std::fs::read_dir(&build)
        .expect("read build dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "generated")
        .collect();
    assert!(
        leftovers.is_empty(),
        "postInstall left files behind (a database?): {leftovers:?}"
    );
}

/// The Bat-Signal configuration's jobs as `credentials.nix` gives them.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalUnits {
    json: String,
    jobs: std::collections::BTreeMap<String, SignalJob>,
    trigger: String,
    database: String,
}

/// One job: the program its unit starts and its `LoadCredential=` lines.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalJob {
    program: String,
    credentials: Vec<String>,
}

/// With `services.secdesk.signal.contactsFile` and `tokenSecretFile`, each
/// job gets only the Bat-Signal secrets it reads: rotate-notify the
/// contacts and the token key, ingest the key only, the report neither;
/// the JSON names them by credential, never by path. Run as its unit runs
/// it (a `$CREDENTIALS_DIRECTORY` holding exactly its credentials), every
/// job starts; rotate-notify without either signal credential fails
/// naming it, so the module cannot drop one unseen. The path unit watches
/// the file `secdesk signal` writes beside the database.
#[test]
fn bat_signal_secrets_reach_exactly_the_jobs_that_read_them() {
    let units: SignalUnits = eval_json("nixos-module/tests/credentials.nix");
    let names = |unit: &str| -> Vec<String> {
        units.jobs[unit]
            .credentials
            .iter()
            .map(|line| line.split(':').next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        vec!["smtp", "signal-contacts", "signal-token"],
        names("secdesk-rotate-notify")
    );
    assert_eq!(
        vec!["imap-lists", "imap-vendors", "signal-token"],
        names("secdesk-ingest")
    );
    assert_eq!(vec!["smtp"], names("secdesk-triage-report"));
    let config: serde_json::Value = serde_json::from_str(&units.json).expect("JSON");
    eqnice!(
        serde_json::json!(["signal-contacts", "signal-token"]),
        serde_json::json!([
            config["signal"]["contacts_credential"],
            config["signal"]["token_secret_credential"]
        ])
    );
    for key in ["contacts_file", "token_secret_file"] {
        assert!(
            config["signal"].get(key).is_none(),
            "{key} in {}",
            units.json
        );
    }
    assert!(!units.json.contains("/run/secrets"), "{}", units.json);
    let db_dir = Path::new(&units.database).parent().expect("database dir");
    eqnice!(
        db_dir.join("signal.trigger").display().to_string(),
        units.trigger
    );

    // The JSON as the units get it, but mail written to an outbox here
    // instead of sent to smtp.example.org (the SMTP credential stays
    // loaded, unused).
    let dir = crate::util::Dir::new("bat_signal_credentials");
    let mut config = config;
    config.as_object_mut().expect("object").remove("smtp");
    config["outbox_dir"] = dir.join("outbox").to_string_lossy().into_owned().into();
    std::fs::create_dir_all(dir.join("outbox")).expect("mkdir outbox");
    let file = dir.write("secdesk.json", config.to_string());
    let db = dir.join("secdesk.sqlite");
    let empty = dir.join("empty-maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(empty.join(sub)).expect("mkdir maildir");
    }
    let contacts =
        r#"{"alice": ["alice-pager@example.net"], "dmitri": ["dmitri-sms@example.net"]}"#;
    let credential_text = |name: &str| match name {
        "signal-contacts" => contacts.to_string(),
        "signal-token" => "0123456789abcdef0123456789abcdef\n".to_string(),
        other => format!("password of {other}\n"),
    };
    // Runs a job's program with a credentials directory of `names`.
    let run = |unit: &str, names: &[String], args: &[&str]| -> Output {
        let creds = dir.join(format!("credentials-{unit}-{}", names.join("+")));
        std::fs::create_dir_all(&creds).expect("mkdir credentials");
        for name in names {
            std::fs::write(creds.join(name), credential_text(name)).expect("write credential");
        }
        Command::new(crate::util::bin_path(&units.jobs[unit].program))
            .env_remove("SECDESK_CONFIG")
            .env("CREDENTIALS_DIRECTORY", &creds)
            .current_dir(&dir.path)
            .arg("--config")
            .arg(&file)
            .arg("--db")
            .arg(&db)
            .args(["--now", crate::util::NOW])
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run job")
    };
    let maildir = empty.to_string_lossy().into_owned();
    let jobs: [(&str, &[&str]); 3] = [
        ("secdesk-ingest", &["--maildir", &maildir]),
        ("secdesk-rotate-notify", &[]),
        ("secdesk-triage-report", &["--stdout"]),
    ];
    for (unit, args) in jobs {
        let out = run(unit, &names(unit), args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "{unit} fails with the credentials the module gives it (exit {:?}):\n{text}",
            out.status.code()
        );
        for private in ["alice-pager@example.net", "dmitri-sms@example.net"] {
            assert!(!text.contains(private), "{unit} printed {private}:\n{text}");
        }
    }
    for missing in ["signal-contacts", "signal-token"] {
        let fewer: Vec<String> = names("secdesk-rotate-notify")
            .into_iter()
            .filter(|n| n != missing)
            .collect();
        let out = run("secdesk-rotate-notify", &fewer, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains(missing),
            "rotate-notify without the credential {missing} (exit {:?}):\n{stderr}",
            out.status.code()
        );
    }
}

/// The exposure bound `scripts/nix-check` enforces.
const MAX_EXPOSURE: f64 = 1.2;

/// Every service the module generates (the example, a configuration
/// without servers, and the example with the Bat-Signal's credentials and
/// path unit, as `units.nix` renders them) scores an exposure of at most
/// [`MAX_EXPOSURE`] in `systemd-analyze security --offline=true`, as
/// `scripts/nix-check` checks; a missing or too old systemd-analyze fails
/// naming the Debian package.
#[test]
fn every_generated_service_scores_an_exposure_within_the_bound() {
    let text: String = eval_json("nixos-module/tests/units.nix");
    let text = text.replace("@Q@", "\"");
    let dir = crate::util::Dir::new("unit_exposure");
    let mut services = Vec::new();
    for file in text.split("### ").filter(|f| !f.is_empty()) {
        let (name, body) = file.split_once('\n').expect("a name line");
        let path = dir.write(name, body);
        if name.ends_with(".service") {
            services.push((name.to_string(), path));
        }
    }
    for expected in [
        "signal/secdesk-rotate-notify.service",
        "signal/secdesk-ingest.service",
        "signal/secdesk-triage-report.service",
        "signal/secdesk-rotate-notify.path",
        "example/secdesk-rotate-notify.service",
        "serverless/secdesk-ingest.service",
    ] {
        assert!(
            dir.join(expected).is_file(),
            "units.nix gives no {expected}"
        );
    }
    let mut scores = Vec::new();
    for (name, path) in &services {
        let out = match Command::new("systemd-analyze")
            .args(["security", "--offline=true", "--no-pager"])
            .arg(path)
            .output()
        {
            Ok(out) => out,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => panic!(
                "systemd-analyze not found: install Debian's systemd (250 or newer) to score the units' exposure"
            ),
            Err(err) => panic!("cannot run systemd-analyze: {err}"),
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "systemd-analyze security --offline=true {name} failed (systemd 250 or newer needed):\n{stdout}{stderr}"
        );
        let exposure: f64 = stdout
            .lines()
            .find_map(|l| l.split("Overall exposure level for ").nth(1))
            .and_then(|rest| rest.split(": ").nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no exposure level for {name} in:\n{stdout}"));
        scores.push(format!("{name} {exposure}"));
        assert!(
            exposure <= MAX_EXPOSURE,
            "{name} scores an exposure of {exposure}, above {MAX_EXPOSURE}:\n{}",
            stdout
                .lines()
                .filter(|l| l.contains('✗'))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert_eq!(services.len(), 12, "scored: {scores:?}");
}
