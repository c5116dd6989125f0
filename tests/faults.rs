//! Bad mail, bad configuration and killed runs: each gives a clear
//! outcome, loses nothing and never panics.

use crate::util::{Desk, sample_mail};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::Child;

/// Writes `n` messages shaped like list mail into a Maildir: advisories
/// naming CVEs shared by about three messages each, list copies, replies.
pub fn generate_maildir(dir: &Path, n: usize) {
    let cur = dir.join("cur");
    std::fs::create_dir_all(&cur).expect("mkdir cur");
    std::fs::create_dir_all(dir.join("new")).expect("mkdir new");
    for i in 0..n {
        let cve = 10_000 + i / 3;
        let msg = match i % 4 {
            0 => format!(
                "Message-ID: <adv-{i}@gen.example>\nList-Id: <oss-security.lists.openwall.com>\nDate: Mon, 1 Jan 2024 00:{:02}:00 +0000\nFrom: Researcher <r@gen.example>\nSubject: [oss-security] CVE-2024-{cve}: pkg{cve}: buffer overflow\n\nHello,\n\npkg{cve} before 1.2.3 has a buffer overflow (CVE-2024-{cve}).\n{}\n",
                i % 60,
                "Details follow. ".repeat(40)
            ),
            1 => format!(
                "Message-ID: <dsa-{i}@gen.example>\nList-Id: <debian-security-announce.lists.debian.org>\nDate: Tue, 2 Jan 2024 00:00:00 +0000\nSubject: [SECURITY] [DSA {i}-1] pkg{cve} security update\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- -------------------------------------------------------------------------\nDebian Security Advisory DSA-{i}-1\n- -------------------------------------------------------------------------\n\nPackage        : pkg{cve}\nCVE ID         : CVE-2024-{cve}\n\n{}\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
                "We recommend that you upgrade. ".repeat(30)
            ),
            2 => format!(
                "Message-ID: <re-{i}@gen.example>\nIn-Reply-To: <adv-{}@gen.example>\nReferences: <adv-{}@gen.example>\nList-Id: <oss-security.lists.openwall.com>\nDate: Wed, 3 Jan 2024 00:00:00 +0000\nSubject: Re: [oss-security] pkg{cve}: buffer overflow\n\n> quoted\n\nThanks, patched.\n",
                i - 2,
                i - 2
            ),
            _ => format!(
                "From: Someone via Fulldisclosure <fulldisclosure@seclists.org>\nDate: Thu, 4 Jan 2024 00:00:00 +0000\nSubject: Stored XSS in webapp{i}\n\nNo CVE yet for webapp{i}. {}\n",
                "Steps to reproduce. ".repeat(20)
            ),
        };
        std::fs::write(cur.join(format!("{i:08}.gen:2,")), msg).expect("write message");
    }
}

/// Waits until the database holds at least `min` messages or the child
/// exits; returns the count seen. No timing is asserted on.
pub fn wait_for_messages(db: &Path, min: i64, child: &mut Child) -> i64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let n = if db.exists() {
            crate::ingest::secdesk_messages(db)
        } else {
            0
        };
        if n >= min || std::time::Instant::now() > deadline {
            return n;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return n;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// How many times [`kill_mid_run`] tries before it fails the test.
const KILL_ATTEMPTS: i64 = 8;

/// SIGKILL's signal number (9 on Linux and every other Unix).
const SIGKILL: i32 = 9;

/// Starts a run with `spawn` and SIGKILLs it mid-run: while it is still
/// running and once the database at `db` holds some but not all of the
/// `total` messages. A kill that missed (the run had finished, or had
/// stored none or all) is retried from an empty database at another kill
/// point (after more committed messages each time), at most
/// [`KILL_ATTEMPTS`] times; then the test fails, saying what each attempt
/// saw. Returns the messages the killed run had stored.
///
/// Whether the kill came mid-run is read from the facts, not from timing:
/// the process died of SIGKILL (it had not exited by itself) and the
/// database holds strictly between none and all.
pub fn kill_mid_run(db: &Path, total: i64, mut spawn: impl FnMut() -> Child) -> i64 {
    use std::os::unix::process::ExitStatusExt;
    let mut missed = Vec::new();
    for attempt in 0..KILL_ATTEMPTS {
        for file in [
            db.to_path_buf(),
            db.with_extension("sqlite-wal"),
            db.with_extension("sqlite-shm"),
        ] {
            let _ = std::fs::remove_file(file);
        }
        // Kill points from the first committed batch to half the messages.
        let min = (attempt * total / (2 * KILL_ATTEMPTS)).max(1);
        let mut child = spawn();
        let seen = wait_for_messages(db, min, &mut child);
        let running = child.try_wait().expect("poll the run").is_none();
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reap the run");
        let killed = status.signal() == Some(SIGKILL);
        let partial = crate::ingest::secdesk_messages(db);
        if running && killed && 0 < partial && partial < total {
            return partial;
        }
        missed.push(format!(
            "attempt {attempt}: waited for {min}, saw {seen}; running when killed: {running}; \
             {status}; {partial} of {total} stored"
        ));
    }
    panic!(
        "no kill landed mid-run in {KILL_ATTEMPTS} attempts:\n{}",
        missed.join("\n")
    );
}

fn bad_mail(desk: &Desk) -> std::path::PathBuf {
    let root = desk.dir.join("bad");
    let cur = root.join("cur");
    std::fs::create_dir_all(&cur).expect("mkdir");
    let w = |name: &str, bytes: &[u8]| std::fs::write(cur.join(name), bytes).expect("write");
    w("01-empty", b"");
    let mut garbage = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..65_536 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push((x & 0xff) as u8);
    }
    w("02-garbage", &garbage);
    w(
        "03-truncated-multipart",
        b"Message-ID: <trunc@x>\nSubject: truncated CVE-2024-7001\nContent-Type: multipart/mixed; boundary=\"BB\"\n\n--BB\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nQ1ZFLTIwMjQtNzAwMiBpbiB0aGUgYm9keQ==\n--BB\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAAA////",
    );
    w(
        "04-header-no-body",
        b"Message-ID: <nobody@x>\nSubject: header only CVE-2024-7003",
    );
    w(
        "05-bad-charsets",
        b"Message-ID: <charset@x>\nSubject: =?x-unknown-8?Q?caf=E9?= =?UTF-8?B?!!!not-base64?= CVE-2024-7004\nContent-Type: text/plain; charset=\"no-such-charset\"\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 =ZZ \xff\xfe CVE-2024-7005\n",
    );
    let mut big = b"Message-ID: <big@x>\nSubject: twenty megabytes CVE-2024-7006\n\n".to_vec();
    while big.len() < 20 << 20 {
        big.extend_from_slice(
            b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n",
        );
    }
    w("06-20mb", &big);
    let mut many = b"Message-ID: <many@x>\nSubject: five thousand CVEs\n\n".to_vec();
    for i in 0..5000 {
        writeln!(many, "CVE-2023-{:05}", 20_000 + i).expect("write");
    }
    w("07-5000-cves", &many);
    let mut long = b"Message-ID: <long@x>\nSubject: ".to_vec();
    long.extend(std::iter::repeat_n(b'A', 1 << 20));
    long.extend_from_slice(b" CVE-2024-7008\n\nbody\n");
    w("08-1mb-header", &long);
    let good =
        std::fs::read(sample_mail().join("debian/cur/dsa-1553-1-ikiwiki.eml")).expect("sample");
    w("09-good", &good);
    root
}

desktest!(bad_mail_is_stored_and_the_run_carries_on, |desk| {
    let dir = bad_mail(&desk);
    let out = desk
        .cmd("secdesk-ingest")
        .arg("--maildir")
        .arg(&dir)
        .assert_exit_code(0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("01-empty: empty message, not stored"),
        "the empty file is reported: {stderr}"
    );
    // Issue 11: the empty file is refused (with its reason), no longer
    // counted as unparsable; the other unreadable message still is.
    assert!(
        stdout.starts_with(
            "ingest: 9 seen, 8 new, 0 copies, 0 duplicates, 1 refused (1 empty), 1 unparsable"
        ),
        "{stdout}"
    );
    let d = desk.dump();
    let all_cves: Vec<&String> = d.iter().flat_map(|i| i.summary.cves.iter()).collect();
    for cve in [
        "CVE-2008-0165",
        "CVE-2024-7001",
        "CVE-2024-7002",
        "CVE-2024-7003",
        "CVE-2024-7006",
        "CVE-2024-7008",
    ] {
        assert!(all_cves.iter().any(|c| *c == cve), "{cve} was tracked");
    }
    let many = d
        .iter()
        .find(|i| i.summary.title == "five thousand CVEs")
        .expect("5000-CVE issue");
    assert_eq!(many.summary.cves.len(), 5000);
    let long = d
        .iter()
        .find(|i| i.summary.cves.contains(&"CVE-2024-7008".to_string()))
        .expect("long header");
    assert!(
        long.summary.title.chars().count() <= 501,
        "the subject is cut for display"
    );
    // The raw bytes are kept whole.
    let mut store = desk.store();
    let raw = store
        .read(|r| r.raw_message("big@x"))
        .expect("read")
        .expect("stored");
    assert!(raw.len() >= 20 << 20);
    // Every issue can be shown, in text and JSON.
    for i in &d {
        desk.cmd("secdesk")
            .args(["show", &i.summary.id.to_string()])
            .stdout();
        desk.cmd("secdesk")
            .args(["show", &i.summary.id.to_string(), "--json"])
            .stdout();
    }
    // A second run stores nothing new.
    let again = desk
        .cmd("secdesk-ingest")
        .arg("--maildir")
        .arg(&dir)
        .stdout();
    assert!(
        again.starts_with("ingest: 9 seen, 0 new, 0 copies, 8 duplicates, 1 refused (1 empty)"),
        "{again}"
    );
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_parse_or_classify(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let parsed = secdesk::mail::parse(&raw);
        prop_assert!(!parsed.message_id.is_empty());
        let c = secdesk::mail::classify(&parsed, None);
        prop_assert!(c.cves.iter().all(|c| c.starts_with("CVE-")));
    }

    #[test]
    fn header_shaped_noise_never_panics(
        headers in proptest::collection::vec(("[A-Za-z-]{1,20}", "[ -~\\t]{0,80}|=\\?[a-z0-9-]{0,12}\\?[QBqb]\\?[ -~]{0,40}\\?="), 0..12),
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut raw = Vec::new();
        for (k, v) in headers {
            raw.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        raw.extend_from_slice(&body);
        let parsed = secdesk::mail::parse(&raw);
        let _ = secdesk::mail::classify(&parsed, None);
        prop_assert!(!parsed.subject.contains('\n') && !parsed.subject.contains('\r'));
    }
}

desktest!(unknown_config_key_is_exit_2_naming_file_and_key, |desk| {
    let mut c = desk.config_json();
    c["releses"] = serde_json::json!(["x"]);
    desk.set_config(&c);
    for bin in ["secdesk-ingest", "secdesk"] {
        let cmd = desk.cmd(bin);
        let cmd = if bin == "secdesk" {
            cmd.arg("issues")
        } else {
            cmd
        };
        let err = cmd.assert_usage_error();
        assert!(err.contains(&desk.config.display().to_string()), "{err}");
        assert!(err.contains("unknown key `releses`"), "{err}");
        assert!(err.contains("`releases`"), "names what was expected: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
});

desktest!(
    wrong_config_type_is_exit_2_naming_key_and_expected_type,
    |desk| {
        let mut c = desk.config_json();
        c["team"][1]["timezone"] = serde_json::json!(5);
        desk.set_config(&c);
        let err = desk.cmd("secdesk").arg("issues").assert_usage_error();
        assert!(err.contains("key `team[1].timezone`"), "{err}");
        assert!(err.contains("expected a string"), "{err}");
    }
);

desktest!(missing_config_file_is_exit_2, |desk| {
    std::fs::remove_file(&desk.config).expect("rm config");
    let err = desk.cmd("secdesk-ingest").assert_usage_error();
    assert!(err.contains("cannot read configuration"), "{err}");
    assert!(err.contains(&desk.config.display().to_string()), "{err}");
});

desktest!(fresh config_from_environment_variable_is_used, |desk| {
    // The configured database is not the default one (./secdesk.sqlite in
    // the working directory), so only a program that read the variable
    // finds it.
    let configured = desk.dir.join("configured.sqlite");
    let mut c = desk.config_json();
    c["database"] = configured.display().to_string().into();
    desk.set_config(&c);
    let default = desk.dir.join("secdesk.sqlite");
    assert_ne!(configured, default);
    let run = |bin: &str, args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(crate::util::bin_path(bin))
            .env("SECDESK_CONFIG", &desk.config)
            .env_remove("SECDESK_USER")
            .env_remove("CREDENTIALS_DIRECTORY")
            .current_dir(&desk.dir.path)
            .args(args)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(
        "secdesk-ingest",
        &["--maildir".as_ref(), sample_mail().as_os_str()],
    );
    let out = run("secdesk", &["issues".as_ref(), "--json".as_ref()]);
    let issues: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(issues.len(), 11, "the configured database holds the issues");
    assert!(
        configured.exists(),
        "the database named in $SECDESK_CONFIG was created"
    );
    assert!(
        !default.exists(),
        "the default database was not touched: {}",
        default.display()
    );
});

desktest!(
    without_any_config_the_embedded_defaults_use_the_current_directory,
    |desk| {
        let mut cmd = std::process::Command::new(crate::util::bin_path("secdesk-ingest"));
        cmd.env_remove("SECDESK_CONFIG")
            .current_dir(&desk.dir.path)
            .arg("--maildir")
            .arg(sample_mail());
        let out = cmd.output().expect("run");
        // /etc/secdesk/config.json does not exist on a test machine.
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(desk.dir.join("secdesk.sqlite").exists());
    }
);
