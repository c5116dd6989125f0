//! Helpers: a fresh directory per test, the `Desk` fixture (config,
//! database, fixed `--now`), and `TestCommand` running the real binaries.

use secdesk::store::Store;
use secdesk::store::issues::{IssueDetail, IssueFilter};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled real list mail (a tree of Maildirs, one per list).
pub fn sample_mail() -> PathBuf {
    repo().join("tests/fixtures/mail")
}

/// The instant every test runs at unless it says otherwise.
pub const NOW: &str = "2026-11-22T09:00:00Z";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty directory for one test, kept after the run for
/// inspection (under target/), removed and recreated at the next run.
pub struct Dir {
    pub path: PathBuf,
}

impl Dir {
    pub fn new(name: &str) -> Dir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = repo()
            .join("target")
            .join("test-dirs")
            .join(format!("{name}-{n}"));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create test dir");
        Dir { path }
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.path.join(p)
    }

    /// Writes a file (creating parent directories).
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(rel);
        std::fs::create_dir_all(path.parent().expect("file has a parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write test file");
        path
    }
}

/// A test's secdesk: a directory with a configuration file and database.
pub struct Desk {
    pub dir: Dir,
    pub config: PathBuf,
    pub db: PathBuf,
    pub now: String,
}

/// The configuration every test starts from (releases and a team of three).
pub fn base_config(dir: &Dir) -> serde_json::Value {
    serde_json::json!({
        "database": dir.join("secdesk.sqlite"),
        "outbox_dir": dir.join("outbox"),
        "releases": ["25.05", "25.11", "unstable"],
        "team": [
            {"id": "alice", "name": "Alice", "email": "alice@example.org", "timezone": "Europe/Berlin", "unix_user": "alice"},
            {"id": "bob", "name": "Bob", "email": "bob@example.org", "timezone": "America/New_York"},
            {"id": "carol", "name": "Carol", "email": "carol@example.org", "timezone": "Asia/Tokyo"}
        ]
    })
}

impl Desk {
    /// A desk as set up for use: configuration and an empty database
    /// (what `secdesk init` makes; the programs that only read refuse a
    /// database that does not exist).
    pub fn new(name: &str) -> Desk {
        let desk = Desk::fresh(name);
        Store::create(&desk.db).expect("create the test database");
        desk
    }

    /// A desk with its configuration and no database file yet.
    pub fn fresh(name: &str) -> Desk {
        let dir = Dir::new(name);
        let config = dir.join("config.json");
        let db = dir.join("secdesk.sqlite");
        let desk = Desk {
            dir,
            config,
            db,
            now: NOW.to_string(),
        };
        desk.set_config(&base_config(&desk.dir));
        desk
    }

    /// Replaces the configuration file.
    pub fn set_config(&self, value: &serde_json::Value) {
        std::fs::write(
            &self.config,
            serde_json::to_vec_pretty(value).expect("json"),
        )
        .expect("write config");
    }

    /// The current configuration, to change and write back.
    pub fn config_json(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(&self.config).expect("read config"))
            .expect("config is json")
    }

    /// A command for one of the binaries, with this desk's configuration
    /// and `--now`, and none of the user's environment that would change it.
    pub fn cmd(&self, bin: &str) -> TestCommand {
        self.cmd_at(bin, &self.now)
    }

    /// [`Desk::cmd`] at another instant.
    pub fn cmd_at(&self, bin: &str, now: &str) -> TestCommand {
        let mut cmd = Command::new(bin_path(bin));
        cmd.env_remove("SECDESK_CONFIG")
            .env_remove("SECDESK_USER")
            .env_remove("CREDENTIALS_DIRECTORY")
            .current_dir(&self.dir.path)
            .arg("--config")
            .arg(&self.config)
            .arg("--now")
            .arg(now);
        TestCommand { cmd }
    }

    /// `secdesk-ingest --maildir DIR` at this desk's `now`; asserts success.
    pub fn ingest_maildir(&self, dir: &Path) -> String {
        self.cmd("secdesk-ingest")
            .arg("--maildir")
            .arg(dir)
            .stdout()
    }

    /// Opens the database directly, for whole-state comparisons.
    pub fn store(&self) -> Store {
        Store::open(&self.db).expect("open test database")
    }

    /// Asserts a secret is nowhere in the database file (WAL included: the
    /// bytes may not have reached the main file yet). The database must
    /// exist, so that the check cannot pass by looking at nothing.
    pub fn assert_secret_not_stored(&self, secret: &str) {
        assert!(!secret.is_empty(), "an empty secret cannot be looked for");
        assert!(
            self.db.is_file(),
            "no database at {} to look for the secret in",
            self.db.display()
        );
        for file in [self.db.clone(), self.db.with_extension("sqlite-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a password is stored in {}",
                file.display()
            );
        }
    }

    /// Every issue with everything stored about it: two databases with the
    /// same dump hold the same tracker state.
    pub fn dump(&self) -> Vec<IssueDetail> {
        dump(&self.db)
    }
}

/// Every issue of a database, in full.
pub fn dump(db: &Path) -> Vec<IssueDetail> {
    let mut store = Store::open(db).expect("open database");
    store
        .read(|r| {
            let mut out = Vec::new();
            for s in r.issues(&IssueFilter::default())? {
                if let Some(d) = r.issue_detail(s.id)? {
                    out.push(d);
                }
            }
            Ok::<_, secdesk::store::Error>(out)
        })
        .expect("dump database")
}

/// The path of a binary built for this test run.
pub fn bin_path(bin: &str) -> PathBuf {
    let path = match bin {
        "secdesk" => env!("CARGO_BIN_EXE_secdesk"),
        "secdesk-ingest" => env!("CARGO_BIN_EXE_secdesk-ingest"),
        "secdesk-advisory-render" => env!("CARGO_BIN_EXE_secdesk-advisory-render"),
        "secdesk-fix-track" => env!("CARGO_BIN_EXE_secdesk-fix-track"),
        "secdesk-triage-report" => env!("CARGO_BIN_EXE_secdesk-triage-report"),
        "secdesk-rotate-notify" => env!("CARGO_BIN_EXE_secdesk-rotate-notify"),
        "secdesk-site-render" => env!("CARGO_BIN_EXE_secdesk-site-render"),
        other => panic!("unknown binary {other}"),
    };
    PathBuf::from(path)
}

/// A command running a real binary.
pub struct TestCommand {
    pub cmd: Command,
}

impl TestCommand {
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> TestCommand {
        self.cmd.arg(a);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> TestCommand {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> TestCommand {
        self.cmd.env_remove(k);
        self
    }

    /// Runs and returns the raw output.
    pub fn output(mut self) -> Output {
        self.cmd.stdin(Stdio::null());
        self.cmd.output().expect("run binary")
    }

    /// Runs, asserts exit 0, returns stdout.
    pub fn stdout(self) -> String {
        let desc = format!("{:?}", self.cmd);
        let out = self.output();
        if !out.status.success() {
            panic!(
                "{desc} failed with {}\nstdout:\n{}\nstderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8(out.stdout).expect("stdout is UTF-8")
    }

    /// Runs, asserts exit 0, parses stdout as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> T {
        let text = self.stdout();
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("not the expected JSON ({e}):\n{text}"))
    }

    /// Runs, asserts the exit code, returns the output.
    pub fn assert_exit_code(self, code: i32) -> Output {
        let desc = format!("{:?}", self.cmd);
        let out = self.output();
        if out.status.code() != Some(code) {
            panic!(
                "{desc}: expected exit {code}, got {}\nstdout:\n{}\nstderr:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out
    }

    /// Runs, asserts exit 2 (refused or wrong request), returns stderr.
    pub fn assert_usage_error(self) -> String {
        let out = self.assert_exit_code(2);
        String::from_utf8(out.stderr).expect("stderr is UTF-8")
    }
}

/// Copies the listed sample files into a fresh Maildir at `dir/name`.
pub fn maildir_with(dir: &Dir, name: &str, samples: &[&str]) -> PathBuf {
    let root = dir.join(name);
    for s in samples {
        let src = sample_mail().join(s);
        let file = Path::new(s).file_name().expect("sample has a name");
        let dst = root.join("cur").join(file);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
    }
    std::fs::create_dir_all(root.join("new")).expect("mkdir new");
    root
}
