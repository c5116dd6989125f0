//! The SQLite database every program shares: the only module holding SQL.
//!
//! One file, WAL, `synchronous=NORMAL`, `foreign_keys=ON`, a busy timeout,
//! and `BEGIN IMMEDIATE` for every write transaction, because the timer jobs
//! and people's CLI calls run at the same time. Every state change and the
//! history row describing it are written in one [`Store::write`] call.
//! All instants are stored as RFC 3339 UTC text (see [`crate::time`]).

pub mod issues;
pub mod mailboxes;
pub mod messages;
pub mod migrations;
pub mod outbox;
pub mod report;
pub mod rota;
pub mod triage;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a program waits for another's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Errors from the database; each says which database and what it was doing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused an operation.
    #[error("database {path}: {doing}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What secdesk was doing.
        doing: String,
        /// SQLite's error.
        source: rusqlite::Error,
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
}

/// Maps a SQLite error to [`Error::Sqlite`], naming the database and what
/// was being done.
fn failed(path: &Path, doing: &str) -> impl FnOnce(rusqlite::Error) -> Error + use<> {
    let path = path.to_path_buf();
    let doing = doing.to_string();
    move |source| Error::Sqlite {
        path,
        doing,
        source,
    }
}

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
}

/// Read access inside a transaction, so a listing sees one snapshot.
pub struct Reader<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl Store {
    /// Opens (creating if needed) the database and applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let err = |doing: &str| failed(path, doing);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
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
            let sql = migrations::MIGRATIONS[version as usize].sql;
            tx.execute_batch(sql)
                .map_err(sql_err(format!("apply migration {next}")))?;
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
        let wrapped = Tx { tx, path: &path };
        let value = f(&wrapped)?;
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
