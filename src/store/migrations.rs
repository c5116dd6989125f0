//! Numbered schema migrations, applied at open.
//!
//! Each migration is a file `migrations/NNNN_name.sql`, included in the
//! binary at build time. `PRAGMA user_version` holds the number of the last
//! migration applied. Each migration runs inside one `BEGIN IMMEDIATE`
//! transaction that first re-reads `user_version`, so two programs opening a
//! fresh database at the same moment cannot both apply it: the second waits
//! for the write lock, then sees the new version and does nothing.
//!
//! Never edit a migration that has shipped; add the next number. The test
//! `shipped_migrations_are_never_edited` pins each file's SHA-256 to keep
//! that promise (atuin keeps the same habit).
//!
//! A migration may also name a [`Fill`]: Rust that runs after its SQL, in
//! the same transaction, for what SQL alone cannot compute from the rows
//! already stored (migration 9 decodes every stored message to index its
//! text).

use rusqlite::{Connection, params};

/// A step run after a migration's SQL, in its transaction: fills what the
/// migration added for the rows stored before it.
pub type Fill = fn(&Connection) -> rusqlite::Result<()>;

/// One schema migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number: `user_version` after it is applied.
    pub version: i64,
    /// Its file name under `src/store/migrations/`.
    pub file: &'static str,
    /// The SQL it runs, as one batch.
    pub sql: &'static str,
    /// What runs after the SQL, if anything.
    pub fill: Option<Fill>,
}

macro_rules! migrations {
    ($($version:literal => $file:literal $(then $fill:path)?),+ $(,)?) => {
        &[$(Migration {
            version: $version,
            file: $file,
            sql: include_str!(concat!("migrations/", $file)),
            fill: migrations!(@fill $($fill)?),
        }),+]
    };
    (@fill) => { None };
    (@fill $fill:path) => { Some($fill) };
}

/// The migrations, in order; migration `n` is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[Migration] = migrations![
    1 => "0001_issues_messages_history.sql",
    2 => "0002_responsible_announce_ref.sql",
    3 => "0003_mailboxes_locations.sql",
    4 => "0004_outbox.sql",
    5 => "0005_rota_changes.sql",
    6 => "0006_job_indexes.sql",
    7 => "0007_message_copies.sql",
    8 => "0008_advisory_ids_joined_by.sql",
    9 => "0009_message_text_search.sql" then index_stored_messages,
    10 => "0010_signal.sql",
    11 => "0011_advisories.sql",
    12 => "0012_fix_tracking.sql",
    13 => "0013_site.sql",
    14 => "0014_site_stamps.sql",
];

/// Adds one message's subject and decoded text to the full-text index
/// (migration 9); `store::messages` runs it for every message it stores.
pub(super) const INDEX_TEXT: &str =
    "INSERT INTO message_text (rowid, subject, body) VALUES (?1, ?2, ?3)";

/// Indexes the subject and decoded text of every message stored before
/// migration 9, in row order; migration 9's [`Fill`].
/// A message is decoded as ingest decodes it (`mail::parse`), so old and
/// new messages are found alike; one without stored bytes is indexed by
/// its subject alone.
fn index_stored_messages(conn: &Connection) -> rusqlite::Result<()> {
    let mut read = conn.prepare(
        "SELECT m.id, m.subject, r.raw FROM messages m
         LEFT JOIN message_raw r ON r.message_id = m.id ORDER BY m.id",
    )?;
    let mut write = conn.prepare(INDEX_TEXT)?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let subject: String = row.get(1)?;
        let text = match row.get_ref(2)?.as_blob_or_null()? {
            Some(raw) => crate::mail::parse::parse(raw).text,
            None => String::new(),
        };
        write.execute(params![id, subject, text])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The SHA-256 of every shipped migration. A database that ran a
    /// migration never runs it again, so an edit would split the world into
    /// databases with the old text and databases with the new one.
    const SHIPPED: &[(&str, &str)] = &[
        (
            "0001_issues_messages_history.sql",
            "2447e99f034284ec4aa2401c362992072e5286dcfe98bfdf22bf4806a8906c8f",
        ),
        (
            "0002_responsible_announce_ref.sql",
            "dd533e6555994d72d434c498128d0569aed83ea8b2035d74e0a7af4b8b6506df",
        ),
        (
            "0003_mailboxes_locations.sql",
            "d704ed8df69b33a55746ce7c72e0c3572c52c15a8213d00ce03a65c37e9983dd",
        ),
        (
            "0004_outbox.sql",
            "0f706320bad2ad03882eee085ff2ae51e28894ebca09b222d93692dc1faf55f0",
        ),
        (
            "0005_rota_changes.sql",
            "04c73a509c6a8cdadb515cf042c003f628870701c78cc1069625d139f8837ef1",
        ),
        (
            "0006_job_indexes.sql",
            "d7ec0b240654e9dd03c92106c839c3ab8b425b7763bf24d29e98b19d996707dd",
        ),
        (
            "0007_message_copies.sql",
            "37ec613d20f7ae6eddb580258b9ad4c3bc56828e8174e451bb49ae96efc89b06",
        ),
        (
            "0008_advisory_ids_joined_by.sql",
            "8b5f08dcc5eb7b27eeb03521898999430a645bf87075591f0d20e36415ef3951",
        ),
        (
            "0009_message_text_search.sql",
            "d80b2dd37572337a5478d14904150cab5309280cff267a035c0e0c3637738924",
        ),
        (
            "0010_signal.sql",
            "f3e7afae06d04e12972c8ca8f3b9fefa9d7dd1e9ea5d1f029734cd51187a411b",
        ),
        (
            "0011_advisories.sql",
            "0f1514d12a49e0c1ecee460d0a3031b7cbcb7a4b58bf09fe09d4fee248554ffd",
        ),
        (
            "0012_fix_tracking.sql",
            "7dd31d0f33794885d4aeb4fc1e8655b2c7e0d46ddfd918234a95805103584f83",
        ),
        (
            "0013_site.sql",
            "6b38f07419573a407426ee24c2d76bec2c7b79b9fde6ffd3cb5676573282ebfe",
        ),
        (
            "0014_site_stamps.sql",
            "2dda90d0f41b08236bc649b952c68c21986de1cb77ef4896072eed49b2d05c5d",
        ),
    ];

    fn sha256(text: &str) -> String {
        Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn shipped_migrations_are_never_edited() {
        for (file, pinned) in SHIPPED {
            let m = MIGRATIONS
                .iter()
                .find(|m| m.file == *file)
                .unwrap_or_else(|| {
                    panic!("shipped migration {file} was removed; add a new migration instead")
                });
            assert_eq!(
                sha256(m.sql),
                *pinned,
                "migration {file} has shipped and must not change; revert it and add migration {:04} instead",
                MIGRATIONS.len() + 1
            );
        }
    }

    #[test]
    fn every_migration_is_numbered_in_order_and_pinned() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            let n = i as i64 + 1;
            assert_eq!(m.version, n, "{} is migration {n}", m.file);
            assert!(
                m.file.starts_with(&format!("{n:04}_")) && m.file.ends_with(".sql"),
                "migration {n} must be named {n:04}_name.sql, not {}",
                m.file
            );
            assert!(
                SHIPPED.iter().any(|(f, _)| *f == m.file),
                "pin migration {} in SHIPPED with its SHA-256 {} once it ships",
                m.file,
                sha256(m.sql)
            );
        }
    }
}
