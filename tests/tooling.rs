//! What packagers and deploys use (issue 13): `--generate` (man pages and
//! shell completions from every binary, without configuration or
//! database) and `secdesk check-config` (the configuration checked as the
//! programs load it, without reading a secret or opening the database).
//! The Nix side of both (the package's `postInstall`, the module's
//! build-time check) is in `nix`.

use crate::nix::BINARIES;
use crate::util::{Desk, Dir, bin_path};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `bin` with `args` in `dir`, with a `$SECDESK_CONFIG` that is not
/// JSON: a program that read its configuration would fail.
fn run_in(dir: &Dir, bin: &str, args: &[&str]) -> Output {
    let broken = dir.write("broken.json", "{ not json");
    Command::new(bin_path(bin))
        .env("SECDESK_CONFIG", &broken)
        .env_remove("CREDENTIALS_DIRECTORY")
        .current_dir(&dir.path)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run binary")
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_binary_is_listed() {
    // A new program under src/bin must get its man page and completions
    // too: the package installs them for every file in bin/.
    let mut found: Vec<String> = names(&crate::util::repo().join("src/bin"))
        .into_iter()
        .map(|name| name.trim_end_matches(".rs").to_string())
        .collect();
    found.dedup();
    eqnice!(BINARIES.map(String::from).join("\n"), found.join("\n"));
}

#[test]
fn generate_prints_man_page_and_completions_without_configuration_or_database() {
    for bin in BINARIES {
        let dir = Dir::new(&format!("generate_{bin}"));
        let fn_name = bin.replace('-', "__");
        for (kind, needle) in [
            ("man", format!(".TH {bin} 1 ")),
            ("complete-bash", format!("complete -F _{fn_name} ")),
            ("complete-zsh", format!("#compdef {bin}\n")),
            // The completions know the flags, --generate's kinds included.
            (
                "complete-fish",
                "-l generate -d 'Print this program\\'s man page".to_string(),
            ),
        ] {
            let out = run_in(&dir, bin, &["--generate", kind]);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{bin} --generate {kind}: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                stdout.contains(&needle),
                "{bin} --generate {kind} lacks {needle:?}:\n{}",
                stdout.lines().take(3).collect::<Vec<_>>().join("\n")
            );
            assert!(out.stderr.is_empty(), "{bin} --generate {kind} logged");
        }
        let page = String::from_utf8(run_in(&dir, bin, &["--generate", "man"]).stdout)
            .expect("man page is UTF-8");
        // The help text is the page: exit codes are documented in both.
        assert!(page.contains("Exit codes"), "{bin}.1 lacks the exit codes");
        // Only the broken configuration is there: no database, no outbox.
        eqnice!("broken.json", names(&dir.path).join(" "));
    }
}

#[test]
fn generate_man_with_out_dir_writes_a_page_per_subcommand() {
    let dir = Dir::new("generate_man_out_dir");
    let man = dir.join("man");
    std::fs::create_dir_all(&man).expect("mkdir man");
    let out = run_in(&dir, "secdesk", &["--generate", "man", "--out-dir", "man"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| line.trim_start_matches("man/").to_string())
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    eqnice!(names(&man).join("\n"), sorted.join("\n"));
    eqnice!("secdesk.1", listed[0]);
    for page in [
        "secdesk-issues.1",
        "secdesk-claim.1",
        "secdesk-rota.1",
        "secdesk-rota-swap.1",
        "secdesk-rota-undo.1",
        "secdesk-status.1",
        "secdesk-check-config.1",
    ] {
        assert!(listed.iter().any(|l| l == page), "no {page} in {listed:?}");
    }
    assert!(
        !listed.iter().any(|l| l.contains("help")),
        "a page for clap's help subcommand: {listed:?}"
    );
    let top = std::fs::read_to_string(man.join("secdesk.1")).expect("secdesk.1");
    // The top page points at the subcommands' pages.
    for reference in ["secdesk\\-rota(1)", "secdesk\\-check\\-config(1)"] {
        assert!(
            top.contains(reference),
            "secdesk.1 does not name {reference}"
        );
    }
    let rota = std::fs::read_to_string(man.join("secdesk-rota.1")).expect("secdesk-rota.1");
    assert!(rota.contains(".TH secdesk-rota 1"), "{rota}");
    assert!(rota.contains("secdesk\\-rota\\-swap(1)"), "{rota}");
}

#[test]
fn generate_completion_with_out_dir_uses_the_shells_file_names() {
    let dir = Dir::new("generate_completion_out_dir");
    let out_dir = dir.join("completions");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    for kind in ["complete-bash", "complete-zsh", "complete-fish"] {
        let out = run_in(
            &dir,
            "secdesk-ingest",
            &["--generate", kind, "--out-dir", "completions"],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    eqnice!(
        "_secdesk-ingest secdesk-ingest.bash secdesk-ingest.fish",
        names(&out_dir).join(" ")
    );
}

#[test]
fn generate_with_an_unknown_kind_or_out_dir_alone_is_a_usage_error() {
    let dir = Dir::new("generate_usage_errors");
    let out = run_in(&dir, "secdesk", &["--generate", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid value 'pdf' for '--generate <KIND>'")
            && stderr
                .contains("[possible values: man, complete-bash, complete-zsh, complete-fish]"),
        "{stderr}"
    );
    let out = run_in(&dir, "secdesk-triage-report", &["--out-dir", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--generate <KIND>"), "{stderr}");
    // Without --generate, secdesk still wants its subcommand.
    let out = run_in(&dir, "secdesk", &["--json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn generate_into_a_closed_pipe_exits_0() {
    let dir = Dir::new("generate_closed_pipe");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} --generate complete-zsh | head -c 1 >/dev/null",
            bin_path("secdesk").display()
        ))
        .current_dir(&dir.path)
        .output()
        .expect("run sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A configuration using every kind of setting check-config looks at.
fn full_config(desk: &Desk) -> serde_json::Value {
    let mut config = crate::util::base_config(&desk.dir);
    config["rotation"] = serde_json::json!({
        "start": "2026-01-05", "handoff": "00:00", "order": ["alice", "bob", "carol"],
        "remind_before": "1h"
    });
    config["report"] = serde_json::json!({
        "to": ["security-team@example.org"], "stale_ingest_after": "2h"
    });
    // Secrets that exist nowhere: check-config reads none of them.
    config["imap"] = serde_json::json!([{
        "name": "lists", "host": "imap.example.org", "user": "security",
        "password_credential": "imap-lists", "mailboxes": ["INBOX"], "timeout": "30s"
    }]);
    config["smtp"] = serde_json::json!({
        "host": "smtp.example.org", "user": "security",
        "password_file": desk.dir.join("no-such-secret"),
        "from": "secdesk <security@example.org>"
    });
    config["signal"] = serde_json::json!({ "contacts_credential": "signal-contacts" });
    config
}

desktest!(
    fresh check_config_accepts_a_good_configuration_and_touches_nothing,
    |desk| {
        desk.set_config(&full_config(&desk));
        let stdout = desk.cmd("secdesk").arg("check-config").stdout();
        eqnice!(
            format!("configuration OK: {}\n", desk.config.display()),
            stdout
        );
        // No database was opened or created, no secret was read (none exists).
        assert!(!desk.db.exists(), "check-config created the database");
        eqnice!("config.json", names(&desk.dir.path).join(" "));
        // --db is ignored too.
        let db = desk.dir.join("other.sqlite");
        desk.cmd("secdesk")
            .args(["check-config", "--db"])
            .arg(&db)
            .stdout();
        assert!(!db.exists(), "check-config created --db");
    }
);

desktest!(check_config_json_names_the_file, |desk| {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Checked {
        file: Option<String>,
    }
    let checked: Checked = desk.cmd("secdesk").args(["--json", "check-config"]).json();
    assert_eq!(checked.file, Some(desk.config.display().to_string()));
});

desktest!(
    fresh check_config_typo_in_a_key_names_the_key_and_the_file_and_exits_2,
    |desk| {
        let mut config = full_config(&desk);
        config["report"]["reprot"] = serde_json::json!(["security-team@example.org"]);
        desk.set_config(&config);
        let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
        eqnice!(
            format!(
                "secdesk: configuration {}: unknown key `report.reprot`, expected one of `to` or `stale_ingest_after`\n",
                desk.config.display()
            ),
            stderr
        );
        assert!(!desk.db.exists(), "check-config created the database");
        // The same error the timer job stops with: the same loading code.
        let job = desk.cmd("secdesk-rotate-notify").assert_usage_error();
        eqnice!(
            stderr.replacen("secdesk:", "secdesk-rotate-notify:", 1),
            job
        );
    }
);

desktest!(
    check_config_unknown_member_in_rotation_order_exits_2,
    |desk| {
        let mut config = full_config(&desk);
        config["rotation"]["order"] = serde_json::json!(["alice", "mallory", "bob"]);
        desk.set_config(&config);
        let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
        eqnice!(
            format!(
                "secdesk: configuration {}: key `rotation.order[1]`: unknown member \"mallory\", expected an id from `team`\n",
                desk.config.display()
            ),
            stderr
        );
    }
);

desktest!(check_config_bad_time_zone_exits_2, |desk| {
    let mut config = full_config(&desk);
    config["team"][2]["timezone"] = serde_json::json!("Asia/Tokio");
    desk.set_config(&config);
    let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
    eqnice!(
        format!(
            "secdesk: configuration {}: key `team[2].timezone`: unknown time zone \"Asia/Tokio\", expected an IANA zone name like \"Europe/Berlin\"\n",
            desk.config.display()
        ),
        stderr
    );
});

desktest!(check_config_bad_duration_exits_2, |desk| {
    let mut config = full_config(&desk);
    config["rotation"]["remind_before"] = serde_json::json!("an hour");
    desk.set_config(&config);
    let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
    assert!(
        stderr.starts_with(&format!(
            "secdesk: configuration {}: key `rotation.remind_before`: ",
            desk.config.display()
        )),
        "{stderr}"
    );
});

desktest!(
    check_config_catches_what_the_jobs_meet_only_when_sending,
    |desk| {
        // smtp.user without a password: rotate-notify would load this file and
        // fail at every delivery; check-config refuses it up front.
        let mut config = full_config(&desk);
        config["smtp"]
            .as_object_mut()
            .expect("smtp is an object")
            .remove("password_file");
        desk.set_config(&config);
        let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
        assert!(
            stderr.starts_with(&format!(
                "secdesk: configuration {}: key `smtp.user`: a user is set without a password",
                desk.config.display()
            )),
            "{stderr}"
        );
        let mut config = full_config(&desk);
        config["team"][1]["email"] = serde_json::json!("bob at example.org");
        desk.set_config(&config);
        let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
        assert!(
            stderr.contains("key `team[1].email`: invalid mail address \"bob at example.org\""),
            "{stderr}"
        );
        let mut config = full_config(&desk);
        config["imap"][0]["password_credential"] = serde_json::json!("secrets/imap");
        desk.set_config(&config);
        let stderr = desk.cmd("secdesk").arg("check-config").assert_usage_error();
        assert!(
            stderr.contains(
                "key `imap[0].password_credential`: \"secrets/imap\" is not a credential name"
            ),
            "{stderr}"
        );
    }
);

desktest!(check_config_of_a_missing_file_exits_2_naming_it, |desk| {
    let missing = desk.dir.join("missing.json");
    let out = Command::new(bin_path("secdesk"))
        .env_remove("SECDESK_CONFIG")
        .current_dir(&desk.dir.path)
        .arg("check-config")
        .arg("--config")
        .arg(&missing)
        .output()
        .expect("run secdesk");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "secdesk: cannot read configuration {}: ",
            missing.display()
        )),
        "{stderr}"
    );
});
