//! The fuzz targets: arbitrary bytes through the paths hostile input takes
//! into secdesk, each asserting what must hold for every input (beyond
//! "no panic"), so a broken promise is a finding too.
//!
//! The same file is compiled into the fuzz crate (for AFL++) and into the
//! main crate's integration tests (`tests/fuzz.rs`, by `#[path]`), so a
//! saved input replays through exactly the code that found it.
//!
//! - `ingest`: one message through parse, classify, the Bat-Signal reply
//!   intercept, store and correlate (`mail::ingest::store_batch`, the path
//!   of every message), against a real SQLite file that keeps what earlier
//!   inputs stored, so correlation meets existing issues and threads.
//! - `mbox`: splitting an mbox file (`mail::source::mbox::Mbox`), with the
//!   default message limit and with a small one.
//! - `config`: loading a configuration (`config::Config::parse`, then the
//!   deferred checks `secdesk check-config` makes, and who is on call).
//! - `reply`: reading a reply to a page (`signal::reply::read`) and
//!   checking its tokens (`signal::token::find`, `signal::token::verify`).
//!
//! In the two mail targets the marker `@@TOKEN@@` is replaced by a valid
//! reply token of signal 1, so the fuzzer starts from real tokens.

use secdesk::config::Config;
use secdesk::job::ingest::SignalReplies;
use secdesk::mail::ingest::{Options, Run, prepare, store_batch};
use secdesk::mail::source::Incoming;
use secdesk::mail::source::mbox::Mbox;
use secdesk::signal::{reply, token};
use secdesk::store::Store;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// One target: any bytes in; a panic is a finding.
pub type Target = fn(&[u8]);

/// Every target by name, as `scripts/fuzz` and the replay test list them.
pub const TARGETS: &[(&str, Target)] = &[
    ("ingest", ingest),
    ("mbox", mbox),
    ("config", config),
    ("reply", reply),
];

/// The token key of the fuzzed desk.
const TOKEN_SECRET: &str = "fuzz token key";
/// Replaced in mail inputs by a valid token of signal 1.
const TOKEN_MARKER: &[u8] = b"@@TOKEN@@";
/// The (role, member) pairs a token may be of.
const PAIRS: &[(&str, &str)] = &[
    ("coordination", "alice"),
    ("qa", "carol"),
    ("package-fixing", "bob"),
];
/// Inputs one database takes before a fresh one replaces it, so the file
/// stays small over millions of inputs.
const INPUTS_PER_DATABASE: u32 = 2_000;

fn now() -> secdesk::time::Instant {
    secdesk::time::parse("2026-11-22T09:00:00Z").expect("a valid instant")
}

fn with_token(data: &[u8]) -> Vec<u8> {
    let real = token::token(TOKEN_SECRET.as_bytes(), 1, "qa", "carol");
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    while let Some(at) = memchr_find(rest, TOKEN_MARKER) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(real.as_bytes());
        rest = &rest[at + TOKEN_MARKER.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where the targets keep their files: `$SECDESK_FUZZ_DIR` (set by
/// `scripts/fuzz`, removed after the run), else the system's temporary
/// directory; names carry the process id.
fn work_dir() -> PathBuf {
    let base = std::env::var_os("SECDESK_FUZZ_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("secdesk-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the fuzz work directory can be made");
    dir
}

struct Desk {
    dir: PathBuf,
    config: Config,
    store: Store,
    inputs: u32,
    generation: u32,
}

impl Desk {
    fn new(generation: u32) -> Desk {
        let dir = work_dir();
        let secret = dir.join("token-secret");
        std::fs::write(&secret, TOKEN_SECRET).expect("the token key can be written");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600))
            .expect("the token key can be made private");
        let text = serde_json::json!({
            "database": dir.join(format!("fuzz-{generation}.sqlite")),
            "team": [
                {"id": "alice", "email": "alice@example.org"},
                {"id": "bob", "email": "bob@example.org"},
                {"id": "carol", "email": "carol@example.org"}
            ],
            "signal": {
                "roles": {"coordination": ["alice"], "qa": ["carol"], "package-fixing": ["bob"]},
                "ack_timeout": "15m",
                "reply_to": "security@example.org",
                "token_secret_file": secret
            }
        })
        .to_string();
        let config = Config::parse(&dir.join("config.json"), &text)
            .expect("the fuzzed desk's configuration is valid");
        for suffix in ["", "-wal", "-shm"] {
            let mut name = config.database.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        let store = Store::create(&config.database).expect("a fresh database opens");
        Desk {
            dir,
            config,
            store,
            inputs: 0,
            generation,
        }
    }

    fn remove(self) {
        let Desk { dir, store, .. } = self;
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}

thread_local! {
    static DESK: RefCell<Option<Desk>> = const { RefCell::new(None) };
}

/// Removes the `ingest` target's database and files (the replay test calls
/// it when done; a fuzzing process leaves them to `scripts/fuzz`).
pub fn cleanup() {
    DESK.with(|d| {
        if let Some(desk) = d.borrow_mut().take() {
            desk.remove();
        }
    });
}

/// One message stored as ingest stores it, counted exactly once.
pub fn ingest(data: &[u8]) {
    let raw = with_token(data);
    DESK.with(|cell| {
        let mut slot = cell.borrow_mut();
        let stale = slot
            .as_ref()
            .is_some_and(|d| d.inputs >= INPUTS_PER_DATABASE);
        if stale {
            let old = slot.take().expect("checked just above");
            let generation = old.generation + 1;
            old.remove();
            *slot = Some(Desk::new(generation));
        }
        let desk = slot.get_or_insert_with(|| Desk::new(0));
        desk.inputs += 1;
        let Desk { config, store, .. } = desk;
        let incoming = Incoming {
            raw,
            cut: None,
            origin: "fuzz".into(),
            hint: None,
            location: None,
        };
        let item = prepare(incoming);
        let mut log = |_: &str| {};
        let mut replies = SignalReplies::new(config);
        let mut run =
            Run::new(now(), Options::new(config, false), &mut log).with_intercept(&mut replies);
        let outcomes = store_batch(store, std::slice::from_ref(&item), &mut run, &mut |_, _| {
            Ok(())
        })
        .expect("the database takes or refuses the message, never fails the batch");
        let summary = run.finish();
        assert_eq!(outcomes.len(), 1, "one outcome per message");
        let accounted = summary.new
            + summary.copies
            + summary.duplicates
            + summary.refused_total()
            + summary.signal_replies;
        assert_eq!(
            (summary.seen, accounted),
            (1, 1),
            "every message is accounted for exactly once: {summary:?}"
        );
    });
}

/// An mbox file split into messages: nothing made up, nothing over the
/// limit, no read error from memory.
pub fn mbox(data: &[u8]) {
    for limit in [64 << 20, 1024] {
        let mut total = 0usize;
        for message in Mbox::new(data, Path::new("fuzz.mbox"), None, limit) {
            let message = message.expect("reading from memory never fails");
            assert!(
                message.raw.len() as u64 <= limit,
                "a message over the limit: {} bytes, limit {limit}",
                message.raw.len()
            );
            if let Some(whole) = message.cut {
                assert!(whole > limit, "cut at {limit} but only {whole} bytes");
            }
            total += message.raw.len();
        }
        assert!(
            total <= data.len(),
            "the messages hold {total} bytes, the file {}",
            data.len()
        );
    }
}

/// A configuration loaded and checked as every program and
/// `secdesk check-config` do; an error names the file.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let file = Path::new("/etc/secdesk/fuzz.json");
    match Config::parse(file, &text) {
        Ok(config) => {
            if let Err(e) = config.check_deferred(file) {
                let said = e.to_string();
                assert!(
                    said.contains("fuzz.json"),
                    "an error without the file: {said}"
                );
            }
            let _ = config.heartbeat_url();
            // What every rota command and rotate-notify then computes from
            // it: the schedule around now, and who is on call.
            if let Some(rot) = &config.rotation {
                let now = now();
                let _ = secdesk::rota::on_call(rot, &[], now);
                let _ = secdesk::rota::schedule(rot, &[], now.date_naive(), 3);
            }
        }
        Err(e) => {
            let said = e.to_string();
            assert!(
                said.contains("fuzz.json"),
                "an error without the file: {said}"
            );
        }
    }
}

/// A reply read for its tokens; a token verifies only as the token of the
/// pair it names.
pub fn reply(data: &[u8]) {
    let raw = with_token(data);
    let parsed = secdesk::mail::parse::parse(&raw);
    let Some(read) = reply::read(
        Some("security@example.org"),
        &parsed.subject,
        &raw,
        &parsed.text,
        &parsed.from,
    ) else {
        return;
    };
    let secret = TOKEN_SECRET.as_bytes();
    for candidate in token::find(&read.text) {
        if let Some((role, member)) = token::verify(secret, &candidate, PAIRS) {
            assert_eq!(
                token::token(secret, candidate.signal, role, member),
                candidate.text(),
                "a token verified as another pair's"
            );
        }
    }
}
