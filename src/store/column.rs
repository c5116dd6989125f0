//! How values cross the store boundary: `ToSql` and `FromSql` once for
//! each enum the database holds as a word, and for instants (RFC 3339 UTC
//! text, written by [`crate::time::format`]).
//!
//! A stored value this secdesk cannot read (a word it does not know, an
//! instant that does not parse) is an error naming the table, the row and
//! the column ([`super::Error::Corrupt`]), never a silent default: a row
//! edited by hand must not turn into an issue that is quietly `new`.

use crate::mail::Source;
use crate::outbox::{MailKind, OutboxState};
use crate::signal::{EventKind, Via};
use crate::time::{self, Instant};
use crate::triage::correlate::JoinedBy;
use crate::triage::{DismissReason, HistoryAction, ReleaseStatus, Severity, State};
use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use std::fmt;

/// A stored value that does not read back as its type.
#[derive(Debug)]
struct Unreadable(String);

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreadable {}

/// Where a stored value that does not read lies, and what is wrong with it.
/// Carried inside a `rusqlite::Error` until the store's error mapper turns
/// it into [`super::Error::Corrupt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt {
    /// The table.
    pub table: &'static str,
    /// The row's key, as `column value` (`id 12`).
    pub row: String,
    /// The column's name.
    pub column: String,
    /// What is wrong with the value.
    pub problem: String,
}

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "table {}, row {}, column {}: {}",
            self.table, self.row, self.column, self.problem
        )
    }
}

impl std::error::Error for Corrupt {}

macro_rules! sql_words {
    ($($t:ty),+ $(,)?) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let word = value.as_str()?;
                <$t>::parse(word).ok_or_else(|| {
                    let expected: Vec<&str> = <$t>::ALL.iter().map(|v| v.as_str()).collect();
                    FromSqlError::Other(Box::new(Unreadable(format!(
                        "unknown word {word:?}, expected one of {}",
                        expected.join(", ")
                    ))))
                })
            }
        }
    )+};
}

sql_words!(
    State,
    Severity,
    ReleaseStatus,
    DismissReason,
    HistoryAction,
    Source,
    OutboxState,
    MailKind,
    JoinedBy,
    EventKind,
    Via,
);

/// An instant as the database holds it: RFC 3339 UTC text, whole seconds,
/// `Z` suffix, so that text order is time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub Instant);

impl ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(time::format(self.0)))
    }
}

impl FromSql for Stamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        time::parse(text).map(Stamp).ok_or_else(|| {
            FromSqlError::Other(Box::new(Unreadable(format!(
                "{text:?} is not an RFC 3339 instant"
            ))))
        })
    }
}

/// One result row read with its table and key known, so a value that does
/// not read names where it lies.
pub(super) struct Cells<'r, 's> {
    row: &'r Row<'s>,
    table: &'static str,
    key: usize,
}

impl<'r, 's> Cells<'r, 's> {
    /// Reads `row` of `table`, whose key is in column `key`.
    pub fn new(row: &'r Row<'s>, table: &'static str, key: usize) -> Self {
        Cells { row, table, key }
    }

    /// Column `idx` as a `T`; a value that does not read is a [`Corrupt`].
    pub fn get<T: FromSql>(&self, idx: usize) -> rusqlite::Result<T> {
        self.row.get(idx).map_err(|e| self.corrupt(idx, e))
    }

    /// Column `idx` as an instant.
    pub fn instant(&self, idx: usize) -> rusqlite::Result<Instant> {
        self.get::<Stamp>(idx).map(|s| s.0)
    }

    /// Column `idx` as an instant, or `None` for NULL.
    pub fn opt_instant(&self, idx: usize) -> rusqlite::Result<Option<Instant>> {
        self.get::<Option<Stamp>>(idx).map(|s| s.map(|s| s.0))
    }

    /// A [`Corrupt`] for column `idx`, for values read in parts (a list of
    /// words in one column).
    pub fn unreadable(&self, idx: usize, problem: String) -> rusqlite::Error {
        self.corrupt(
            idx,
            rusqlite::Error::FromSqlConversionFailure(
                idx,
                rusqlite::types::Type::Text,
                Box::new(Unreadable(problem)),
            ),
        )
    }

    fn corrupt(&self, idx: usize, e: rusqlite::Error) -> rusqlite::Error {
        let (ty, problem) = match e {
            rusqlite::Error::FromSqlConversionFailure(_, ty, source) => (ty, source.to_string()),
            rusqlite::Error::InvalidColumnType(_, _, ty) => (ty, format!("unexpected {ty}")),
            other => return other,
        };
        let name = |i: usize| {
            self.row
                .as_ref()
                .column_name(i)
                .map(str::to_string)
                .unwrap_or_else(|_| format!("#{i}"))
        };
        let key = match self.row.get_ref(self.key) {
            Ok(ValueRef::Integer(n)) => n.to_string(),
            Ok(ValueRef::Text(t)) => format!("{:?}", String::from_utf8_lossy(t)),
            _ => "?".to_string(),
        };
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            ty,
            Box::new(Corrupt {
                table: self.table,
                row: format!("{} {key}", name(self.key)),
                column: name(idx),
                problem,
            }),
        )
    }
}
