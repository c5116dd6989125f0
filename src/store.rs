//! The SQLite database every program shares: the only module holding SQL.
//!
//! One file, WAL, `synchronous=NORMAL`, `foreign_keys=ON`, a busy timeout,
//! and `BEGIN IMMEDIATE` for every write transaction, because the timer jobs
//! and people's CLI calls run at the same time. Every state change and the
//! history row describing it are written in one [`Store::write`] call.
//! All instants are stored as RFC 3339 UTC text (see [`crate::time`]).

pub mod advisory;
pub mod column;
pub mod fix;
pub mod issues;
pub mod mailboxes;
pub mod messages;
pub mod migrations;
pub mod outbox;
pub mod report;
pub mod rota;
pub mod signal;
pub mod site;
pub mod triage;

use crate::triage::State;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a program waits for another's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Errors from the database; each says which database and what it was doing.
///
/// Each variant's message says every fact once and carries no `source()`:
/// the message already holds SQLite's words, and `anyhow` prints a cause
/// chain after the message, so a variant that did both printed them twice.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused an operation.
    #[error("database {path}: {doing}: {error}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What secdesk was doing.
        doing: String,
        /// SQLite's error (in the message, not a `source()`).
        error: rusqlite::Error,
    },
    /// A stored value this secdesk cannot read: a word it does not know or
    /// an instant that does not parse (a row edited by hand, or written by
    /// a newer version). Never replaced by a default.
    #[error("database {path}: {doing}: {place}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What secdesk was doing.
        doing: String,
        /// The table, row and column, and what is wrong with the value
        /// (boxed: this error is rare and the others are small).
        place: Box<column::Corrupt>,
    },
    /// The database was written by a newer secdesk.
    #[error(
        "database {path}: schema version {found} is newer than this secdesk knows ({known}); upgrade secdesk"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version in the file.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// [`Store::open`] found no file: only [`Store::create`] makes one, so
    /// that a wrong path is an error instead of a new, empty database.
    #[error("database {path} does not exist")]
    Missing {
        /// The path looked at.
        path: PathBuf,
    },
    /// The file could not be opened or created, or its directory cannot
    /// be written (SQLite keeps its WAL and lock files beside the
    /// database): what is wrong, and what to change.
    #[error("database {path}: {problem}")]
    Unusable {
        /// The database file.
        path: PathBuf,
        /// What is wrong with the file or its directory, and what to do.
        problem: String,
    },
}

/// Maps a SQLite error to [`Error::Sqlite`], naming the database and what
/// was being done; a value [`column::Cells`] could not read becomes
/// [`Error::Corrupt`], naming its row; a file that cannot be opened or
/// written becomes [`Error::Unusable`] when the file system says why.
fn failed(path: &Path, doing: &str) -> impl FnOnce(rusqlite::Error) -> Error + use<> {
    let path = path.to_path_buf();
    let doing = doing.to_string();
    move |source| match source {
        rusqlite::Error::FromSqlConversionFailure(idx, ty, inner) => {
            match inner.downcast::<column::Corrupt>() {
                Ok(place) => Error::Corrupt { path, doing, place },
                Err(inner) => Error::Sqlite {
                    path,
                    doing,
                    error: rusqlite::Error::FromSqlConversionFailure(idx, ty, inner),
                },
            }
        }
        error if is_about_files(&error) => match why_unusable(&path) {
            Some(problem) => Error::Unusable { path, problem },
            None => Error::Sqlite { path, doing, error },
        },
        error => Error::Sqlite { path, doing, error },
    }
}

/// Whether SQLite failed on the file itself (cannot open it, read-only),
/// which the file system can explain better than SQLite's words.
fn is_about_files(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(
            rusqlite::ErrorCode::CannotOpen
                | rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::PermissionDenied
        )
    )
}

/// What the file system says is wrong with a database path: its
/// directory missing or not writable (SQLite creates its WAL and lock
/// files there, also for a database that exists), the file not writable.
fn why_unusable(path: &Path) -> Option<String> {
    use rustix::fs::{Access, access};
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(format!(
                "cannot create it: the directory {} does not exist; create it first, or choose another path",
                dir.display()
            ));
        }
        Ok(m) if !m.is_dir() => {
            return Some(format!(
                "cannot create it: {} is not a directory",
                dir.display()
            ));
        }
        _ => {}
    }
    if path.is_dir() {
        return Some("is a directory, not a database file".into());
    }
    if access(dir, Access::WRITE_OK | Access::EXEC_OK).is_err() {
        return Some(format!(
            "the directory {} must be writable by {}, as SQLite writes its WAL there",
            dir.display(),
            running_user()
        ));
    }
    if path.exists() && access(path, Access::READ_OK | Access::WRITE_OK).is_err() {
        return Some(format!(
            "the file must be readable and writable by {}, as every program writes to it",
            running_user()
        ));
    }
    None
}

/// Who this program runs as, for messages: `name (uid N)` from
/// `/etc/passwd`, else `uid N`.
fn running_user() -> String {
    let uid = rustix::process::geteuid().as_raw();
    let name = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                let id = fields.nth(1)?;
                (id.parse::<u32>().ok()? == uid).then(|| name.to_string())
            })
        });
    match name {
        Some(name) => format!("user {name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

/// The open states as an SQL list, for `state IN (…)`: the words of every
/// [`crate::triage::State`] that [`crate::triage::State::is_open`] holds,
/// in order (a unit test checks both). A macro, so that queries are built
/// with `concat!` and stay static text; the partial index
/// `issues_open_created` (migration 6) holds the same list, and SQLite uses
/// a partial index only when the query says exactly what it says.
macro_rules! open_states {
    () => {
        "'new', 'claimed', 'triaged'"
    };
}
use open_states;

/// The words of the states `keep` holds, as an SQL list for `state IN (…)`,
/// so that which states a query means is decided by `triage`, not by text
/// copied into the query.
pub fn state_list(keep: impl Fn(State) -> bool) -> String {
    State::ALL
        .iter()
        .filter(|s| keep(**s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The open-state list (`open_states!`) as a constant.
pub const OPEN_STATES: &str = open_states!();

/// Result of store operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A write transaction (`BEGIN IMMEDIATE`); committed when the closure
/// given to [`Store::write`] returns `Ok`.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    path: &'a Path,
    /// Messages' text for the full-text index, written just before the
    /// commit (`Tx::flush_text`): once the FTS5 table is part of a
    /// transaction, every later statement that fires a trigger (migration
    /// 14) makes FTS5 flush its buffer to disk, which doubled ingest.
    pending_text: std::cell::RefCell<Vec<(i64, String, String)>>,
}

/// Read access inside a transaction, so a listing sees one snapshot.
pub struct Reader<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl Store {
    /// Opens an existing database and applies migrations; a missing file is
    /// [`Error::Missing`], never a new empty database, so that a program
    /// pointed at the wrong path says so instead of reporting "no issues"
    /// or mailing from an empty rota.
    pub fn open(path: &Path) -> Result<Store> {
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::Missing {
                path: path.to_path_buf(),
            }),
            _ => Store::connect(path, false),
        }
    }

    /// Opens the database, creating it (with every migration) when the
    /// file does not exist yet: for `secdesk-ingest` and `secdesk init`.
    pub fn create(path: &Path) -> Result<Store> {
        Store::connect(path, true)
    }

    fn connect(path: &Path, create: bool) -> Result<Store> {
        let err = |doing: &str| failed(path, doing);
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(err("open"))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(err("set busy timeout"))?;
        // Switching to WAL needs a moment of exclusive access, and SQLite
        // answers "busy" at once instead of waiting when another program is
        // doing the same on a fresh file: retry until the busy timeout.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            {
                Ok(_) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(err("enable WAL")(e)),
            }
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err("set synchronous"))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err("enable foreign keys"))?;
        // Ingest wraps each message in a savepoint; its statement journal
        // (the pages one message changed) stays in memory instead of a temp
        // file written for every message, which cost an eighth of ingest.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(err("keep temporary data in memory"))?;
        // Ingest runs some thirty distinct statements per message; with
        // rusqlite's default cache of 16 they pushed each other out and were
        // prepared again for every message.
        conn.set_prepared_statement_cache_capacity(128);
        // With the query planner stability guarantee, a cached statement
        // whose parameter the planner would like to look at (`ref = ?1` in
        // a join) is not thrown away and re-prepared on every reuse; without
        // it, that cost a third of ingest's time.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(err("enable query planner stability"))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
        let known = migrations::MIGRATIONS.len() as i64;
        // The common case, an up-to-date database, needs no write lock: a
        // CLI call must not wait for an ingest batch to commit.
        let current: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(failed(&self.path, "read schema version"))?;
        if current == known {
            return Ok(());
        }
        loop {
            let path = self.path.clone();
            let sql_err = |doing: String| failed(&path, &doing);
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql_err("begin migration".into()))?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(sql_err("read schema version".into()))?;
            if version > known {
                return Err(Error::TooNew {
                    path: self.path.clone(),
                    found: version,
                    known,
                });
            }
            if version == known {
                return Ok(());
            }
            let next = version + 1;
            let migration = migrations::MIGRATIONS[version as usize];
            tx.execute_batch(migration.sql)
                .map_err(sql_err(format!("apply migration {next}")))?;
            if let Some(fill) = migration.fill {
                fill(&tx).map_err(sql_err(format!("fill migration {next}")))?;
            }
            tx.pragma_update(None, "user_version", next)
                .map_err(sql_err(format!("record migration {next}")))?;
            tx.commit()
                .map_err(sql_err(format!("commit migration {next}")))?;
        }
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`): it commits
    /// when `f` returns `Ok` and rolls back otherwise, so a change and its
    /// history row land together or not at all.
    pub fn write<T, E>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed(&path, "begin write"))?;
        let wrapped = Tx {
            tx,
            path: &path,
            pending_text: Default::default(),
        };
        let value = f(&wrapped)?;
        wrapped.flush_text()?;
        wrapped.tx.commit().map_err(failed(&path, "commit"))?;
        Ok(value)
    }

    /// Lets SQLite refresh the statistics its planner uses (`PRAGMA
    /// optimize`, cheap when nothing changed much); called after a run that
    /// wrote many rows, so queries keep picking the right index as the
    /// database grows.
    pub fn optimize(&mut self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA analysis_limit = 1000; PRAGMA optimize;")
            .map_err(failed(&self.path, "optimize"))
    }

    /// Runs `f` in one read transaction, so everything it reads is one
    /// consistent snapshot even while another program writes.
    pub fn read<T, E>(&mut self, f: impl FnOnce(&Reader<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<Error>,
    {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(failed(&path, "begin read"))?;
        let value = f(&Reader {
            conn: &tx,
            path: &path,
        })?;
        // A read transaction has nothing to commit; dropping it ends it.
        drop(tx);
        Ok(value)
    }
}

impl<'a> Tx<'a> {
    /// Reads inside this write transaction (sees its own writes).
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            conn: &self.tx,
            path: self.path,
        }
    }

    fn conn(&self) -> &Connection {
        &self.tx
    }

    fn err(&self, doing: &str) -> impl FnOnce(rusqlite::Error) -> Error + use<> {
        failed(self.path, doing)
    }
}

impl<'a> Reader<'a> {
    fn err(&self, doing: &str) -> impl FnOnce(rusqlite::Error) -> Error + use<> {
        failed(self.path, doing)
    }
}

/// What unit tests of the store and its callers share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;

    /// A fresh database file under the system's temp directory, removed
    /// (with its WAL files) when dropped; `name` keeps tests apart.
    pub(crate) struct TempDb(pub(crate) PathBuf);

    impl TempDb {
        pub(crate) fn new(name: &str) -> TempDb {
            let dir =
                std::env::temp_dir().join(format!("secdesk-test-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create a temp directory");
            TempDb(dir.join("secdesk.db"))
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            if let Some(dir) = self.0.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::State;

    use test_support::TempDb;

    fn two_issues(db: &TempDb) -> Store {
        let now = crate::time::parse("2026-11-22T10:00:00Z").expect("a valid instant");
        let mut store = Store::create(&db.0).expect("create");
        store
            .write(|tx| {
                tx.create_issue("first", None, now)?;
                tx.create_issue("second", Some(crate::triage::Severity::High), now)?;
                Ok::<_, Error>(())
            })
            .expect("write");
        store
    }

    fn corrupt(db: &TempDb, sql: &str) {
        let conn = Connection::open(&db.0).expect("open by hand");
        conn.execute_batch(sql).expect("corrupt a row");
    }

    fn listing_error(store: &mut Store) -> String {
        let listed = store.read(|r| r.issues(&issues::IssueFilter::default()));
        match listed {
            Ok(rows) => panic!("a corrupt row must not list: {rows:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn unknown_state_word_is_an_error_naming_the_row() {
        let db = TempDb::new("unknown-state");
        let mut store = two_issues(&db);
        corrupt(&db, "UPDATE issues SET state = 'bogus' WHERE id = 2");
        let err = listing_error(&mut store);
        assert!(
            err.ends_with(
                "list issues: table issues, row id 2, column state: unknown word \"bogus\", \
                 expected one of new, claimed, triaged, fixed, announced, dismissed"
            ),
            "{err}"
        );
        assert!(
            err.starts_with(&format!("database {}: ", db.0.display())),
            "{err}"
        );
    }

    #[test]
    fn unparsable_instant_is_an_error_naming_the_row() {
        let db = TempDb::new("bad-instant");
        let mut store = two_issues(&db);
        corrupt(
            &db,
            "UPDATE issues SET created_at = 'yesterday' WHERE id = 1",
        );
        let err = listing_error(&mut store);
        assert!(
            err.ends_with(
                "list issues: table issues, row id 1, column created_at: \"yesterday\" is not an RFC 3339 instant"
            ),
            "{err}"
        );
    }

    #[test]
    fn unknown_history_action_is_an_error_naming_the_row() {
        let db = TempDb::new("bad-action");
        let mut store = two_issues(&db);
        corrupt(
            &db,
            "INSERT INTO history (id, issue_id, at, actor, action) VALUES (7, 1, '2026-11-22T10:00:00Z', 'alice', 'juggled')",
        );
        let err = store
            .read(|r| r.history(1))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "read history: table history, row id 7, column action: unknown word \"juggled\""
            ),
            "{err}"
        );
    }

    #[test]
    fn instants_are_stored_as_rfc3339_utc_text() {
        let db = TempDb::new("instant-format");
        drop(two_issues(&db));
        let conn = Connection::open(&db.0).expect("open by hand");
        let (created, severity): (String, String) = conn
            .query_row(
                "SELECT created_at, severity FROM issues WHERE id = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("read by hand");
        assert_eq!(
            (created.as_str(), severity.as_str()),
            ("2026-11-22T10:00:00Z", "high")
        );
    }

    #[test]
    fn open_states_are_the_states_that_are_open() {
        let words: Vec<String> = State::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{s}'"))
            .collect();
        assert_eq!(OPEN_STATES, words.join(", "));
    }

    /// `INDEXED BY` makes SQLite refuse the query ("no query solution")
    /// when the partial index cannot serve its WHERE clause, so this fails
    /// if the open-state list and the index drift apart.
    #[test]
    fn open_issue_queries_can_use_the_partial_index() {
        let db = TempDb::new("partial-index");
        drop(two_issues(&db));
        let conn = Connection::open(&db.0).expect("open by hand");
        let sql = concat!(
            "SELECT i.id FROM issues i INDEXED BY issues_open_created WHERE i.merged_into IS NULL AND i.state IN (",
            open_states!(),
            ") AND i.created_at >= ?1 ORDER BY i.created_at, i.id"
        );
        let ids: Vec<i64> = conn
            .prepare(sql)
            .and_then(|mut s| {
                s.query_map(["2026-11-22T00:00:00Z"], |r| r.get(0))
                    .and_then(|rows| rows.collect())
            })
            .expect("the partial index serves the open-state list");
        assert_eq!(ids, [1, 2]);
        let narrower = "SELECT i.id FROM issues i INDEXED BY issues_open_created WHERE i.state IN ('new', 'claimed')";
        assert!(
            conn.prepare(narrower).is_err(),
            "a different list cannot use the index"
        );
    }

    #[test]
    fn open_states_match_the_partial_index() {
        let index = migrations::MIGRATIONS
            .iter()
            .flat_map(|m| m.sql.lines())
            .find(|l| l.contains("INDEX issues_open_created"))
            .expect("migration 6 creates issues_open_created");
        assert!(
            index.ends_with(&format!("WHERE state IN ({OPEN_STATES});")),
            "the partial index and OPEN_STATES must list the same states, or open-issue queries stop using it: {index}"
        );
    }
}
