//! Errors said once (issue 13): each case the issue reported, run as the
//! user ran it, must name its path exactly once and say what to do; a
//! wrong database path or mail source never creates a database.
//!
//! The repetition came from error types whose message included their
//! cause and also returned it as `source()`, which `anyhow` then printed
//! again (`store::Error::Sqlite`, `config::Error::Read`, `ReadError`), plus
//! context naming the path once more at the edge.

use crate::util::{Desk, Dir, bin_path};
use std::path::Path;
use std::process::{Command, Output};

/// How often `needle` occurs in `text`.
fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// Asserts the exit code and that stderr is one line naming `path` once;
/// returns stderr.
fn said_once(out: &Output, code: i32, path: &Path) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "exit code; stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let path = path.display().to_string();
    assert_eq!(count(&stderr, &path), 1, "{path} named once in: {stderr}");
    assert!(count(&stderr, "os error") <= 1, "{stderr}");
    stderr
}

desktest!(missing_configuration_file_is_named_once, |desk| {
    let missing = desk.dir.join("nope/config.json");
    let out = Command::new(bin_path("secdesk"))
        .env("SECDESK_CONFIG", &missing)
        .current_dir(&desk.dir.path)
        .arg("issues")
        .output()
        .expect("run secdesk");
    let stderr = said_once(&out, 2, &missing);
    assert_eq!(count(&stderr, "No such file or directory"), 1, "{stderr}");
});

desktest!(
    db_in_a_missing_directory_is_named_once_by_every_program,
    |desk| {
        let db = desk.dir.join("missing-dir/x.sqlite");
        for bin in ["secdesk", "secdesk-rotate-notify", "secdesk-triage-report"] {
            let cmd = desk.cmd(bin).arg("--db").arg(&db);
            let cmd = match bin {
                "secdesk" => cmd.arg("issues"),
                "secdesk-triage-report" => cmd.arg("--stdout"),
                _ => cmd,
            };
            let stderr = said_once(&cmd.output(), 1, &db);
            assert!(
                stderr.contains("does not exist (set by --db); create it with `secdesk init`"),
                "{bin}: {stderr}"
            );
        }
        let empty = desk.dir.write("empty.mbox", "");
        let out = desk
            .cmd("secdesk-ingest")
            .arg("--db")
            .arg(&db)
            .arg("--mbox")
            .arg(&empty)
            .output();
        let stderr = said_once(&out, 1, &db);
        assert!(
            stderr.contains(&format!(
                "cannot create it: the directory {} does not exist",
                desk.dir.join("missing-dir").display()
            )) && stderr.ends_with("the path is set by --db\n"),
            "{stderr}"
        );
        assert!(!desk.dir.join("missing-dir").exists());
    }
);

desktest!(
    fresh missing_database_is_refused_naming_the_key_and_file_and_not_created,
    |desk| {
        for (bin, args) in [
            ("secdesk", &["issues"][..]),
            ("secdesk", &["status"][..]),
            ("secdesk-rotate-notify", &[][..]),
            ("secdesk-triage-report", &["--stdout"][..]),
        ] {
            let out = desk.cmd(bin).args(args).output();
            let stderr = said_once(&out, 1, &desk.db);
            assert!(
                stderr.contains(&format!(
                    "does not exist (set by `database` in {}); create it with `secdesk init`, or read mail into it with `secdesk-ingest`",
                    desk.config.display()
                )),
                "{bin}: {stderr}"
            );
            assert!(out.stdout.is_empty(), "{bin} printed nothing");
            assert!(!desk.db.exists(), "{bin} created no database");
        }
    }
);

/// `secdesk status` as another user than root, where the test runs as
/// root (root writes anywhere): `setpriv` (Debian util-linux) drops to
/// nobody.
fn as_unprivileged(desk: &Desk, args: &[&str]) -> Output {
    let root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m));
    let mut cmd = if root.ok() == Some(0) {
        let setpriv = Path::new("/usr/bin/setpriv");
        assert!(
            setpriv.exists(),
            "this test needs setpriv: apt-get install util-linux"
        );
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin_path("secdesk"));
        c
    } else {
        Command::new(bin_path("secdesk"))
    };
    cmd.env_remove("SECDESK_CONFIG")
        .current_dir(&desk.dir.path)
        .arg("--config")
        .arg(&desk.config)
        .args(args);
    cmd.output().expect("run secdesk")
}

desktest!(
    fresh read_only_database_directory_says_it_must_be_writable_for_the_wal,
    |desk| {
        use std::os::unix::fs::PermissionsExt;
        let out = desk.cmd("secdesk").arg("init").stdout();
        assert!(out.starts_with("created database"), "{out}");
        let set = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .expect("chmod")
        };
        set(&desk.db, 0o666);
        set(&desk.config, 0o644);
        set(&desk.dir.path, 0o555);
        let out = as_unprivileged(&desk, &["status"]);
        set(&desk.dir.path, 0o755);
        let stderr = said_once(&out, 1, &desk.db);
        assert!(
            stderr.contains(&format!(
                "the directory {} must be writable by ",
                desk.dir.path.display()
            )) && stderr.contains(", as SQLite writes its WAL there; the path is set by `database` in "),
            "{stderr}"
        );
    }
);

desktest!(
    fresh png_given_as_mbox_is_refused_storing_nothing_and_creating_no_database,
    |desk| {
        let png = desk
            .dir
            .write("photo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice());
        let out = desk.cmd("secdesk-ingest").arg("--mbox").arg(&png).output();
        let stderr = said_once(&out, 2, &png);
        assert!(
            stderr.contains("is not an mbox file: its first line does not start with `From `"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty(), "no summary line for a run that did not start");
        assert!(!desk.db.exists(), "no database created");
    }
);

desktest!(
    fresh empty_or_missing_maildir_and_missing_mbox_are_refused_before_anything_is_stored,
    |desk| {
        let empty = desk.dir.join("empty");
        std::fs::create_dir_all(empty.join("sub")).expect("mkdir");
        let missing = desk.dir.join("missing");
        let file = desk.dir.write("a-file", "x");
        for (flag, path, says) in [
            ("--maildir", &empty, "holds no Maildir (no cur/ or new/ directory in it or below); a folder of message files is read with --eml"),
            ("--maildir", &missing, "does not exist"),
            ("--maildir", &file, "is a file, not a directory"),
            ("--eml", &empty, "holds no files to read as messages"),
            ("--mbox", &missing, "does not exist"),
            ("--mbox", &empty, "is a directory, not an mbox file"),
        ] {
            let out = desk.cmd("secdesk-ingest").arg(flag).arg(path).output();
            let stderr = said_once(&out, 2, path);
            assert!(
                stderr.starts_with(&format!("secdesk-ingest: {flag} {}: {says}", path.display())),
                "{flag}: {stderr}"
            );
            assert!(!desk.db.exists(), "{flag} {}: no database created", path.display());
        }
        // One bad source among good ones: nothing is read.
        let good = crate::util::maildir_with(
            &desk.dir,
            "good",
            &["oss-security/cur/qualys-needrestart-lpe-2024.eml"],
        );
        desk.cmd("secdesk-ingest")
            .arg("--maildir")
            .arg(&good)
            .arg("--maildir")
            .arg(&empty)
            .assert_exit_code(2);
        assert!(!desk.db.exists());
    }
);

desktest!(
    empty_mbox_and_empty_maildir_are_sources_with_nothing_in_them,
    |desk| {
        let mbox = desk.dir.write("empty.mbox", "");
        std::fs::create_dir_all(desk.dir.join("md/new")).expect("mkdir");
        let out = desk
            .cmd("secdesk-ingest")
            .arg("--mbox")
            .arg(&mbox)
            .arg("--maildir")
            .arg(desk.dir.join("md"))
            .stdout();
        assert!(out.starts_with("ingest: 0 seen, 0 new,"), "{out}");
    }
);

desktest!(
    unparsable_message_inside_a_real_mbox_is_still_stored_and_counted,
    |desk| {
        let mut mbox = b"From a@example.org Mon Jan  1 00:00:00 2024\n".to_vec();
        mbox.extend_from_slice(b"\x89PNG\r\n\x1a\n\0\0garbage\n");
        let path = desk.dir.write("odd.mbox", &mbox);
        let out = desk.cmd("secdesk-ingest").arg("--mbox").arg(&path).stdout();
        assert!(out.starts_with("ingest: 1 seen, 1 new,"), "{out}");
        assert_eq!(desk.dump().len(), 1);
    }
);

#[test]
fn relative_database_is_beside_the_configuration_wherever_the_program_runs() {
    let dir = Dir::new("relative_database_beside_config");
    let config = dir.write(
        "etc/config.json",
        r#"{"database": "desk.sqlite", "team": [{"id": "alice"}]}"#,
    );
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let run = |bin: &str, args: &[&str]| {
        Command::new(bin_path(bin))
            .env_remove("SECDESK_CONFIG")
            .current_dir(&elsewhere)
            .arg("--config")
            .arg(&config)
            .arg("--now")
            .arg(crate::util::NOW)
            .args(args)
            .output()
            .expect("run")
    };
    let beside = dir.join("etc/desk.sqlite");
    let out = run("secdesk-rotate-notify", &[]);
    let stderr = said_once(&out, 1, &beside);
    assert!(stderr.contains("does not exist"), "{stderr}");
    let out = run("secdesk", &["init"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "created database {} (schema version {}; the path is set by `database` in {})\n",
            beside.display(),
            secdesk::store::migrations::MIGRATIONS.len(),
            config.display()
        )
    );
    let out = run("secdesk", &["init"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "database {} exists already (schema version {}); nothing changed\n",
            beside.display(),
            secdesk::store::migrations::MIGRATIONS.len()
        )
    );
    assert_eq!(run("secdesk", &["issues"]).stdout, b"no issues\n");
    assert!(beside.is_file());
    assert!(
        !elsewhere.join("desk.sqlite").exists(),
        "nothing in the working directory"
    );
}
