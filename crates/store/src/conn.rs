//! One connection, whichever the database: SQL with `$1, $2…` placeholders (both read them),
//! values as [`Val`], rows as [`Row`].

use crate::value::{Row, Val};
use crate::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub trait Conn: Send {
    fn dialect(&self) -> Dialect;
    /// Runs statements without parameters (DDL, BEGIN, COMMIT…).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Runs one statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError>;

    fn query_one(&mut self, sql: &str, params: &[Val]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The number a single aggregate answers (`SELECT COUNT(*) …`): its one row's one column.
    /// An answer of no row, of more columns or of another type is an error, not a zero.
    fn count(&mut self, sql: &str, params: &[Val]) -> Result<i64, StoreError> {
        self.query_one(sql, params)?
            .ok_or_else(|| StoreError::Database("câu đếm không trả về dòng nào".into()))?
            .only()
    }

    /// Runs an `INSERT … RETURNING id` and answers that id; no row, or no integer `id`, is an
    /// error.
    fn insert_returning_id(&mut self, sql: &str, params: &[Val]) -> Result<i64, StoreError> {
        self.query_one(sql, params)?
            .ok_or_else(|| StoreError::Database("câu thêm không trả về mã".into()))?
            .col("id")
    }

    /// Whether the connection is known to be unusable (closed by the server), without asking it.
    fn is_broken(&self) -> bool {
        false
    }

    /// Runs a statement whose answer the caller does not need (an insert, an upsert): the
    /// database may receive it with the next statement that needs one, in one round trip.
    /// Its error, if any, is then reported by that statement, or by the COMMIT. For writes
    /// inside a transaction only (outside one, it would wait for the next statement).
    fn exec_later(&mut self, sql: &str, params: Vec<Val>) -> Result<(), StoreError> {
        self.exec(sql, &params).map(|_| ())
    }

    /// As [`Conn::exec_later`], for a conditional update or delete (one statement, without
    /// `RETURNING`) whose condition is what the caller last read: unless it changes exactly `rows` rows, the transaction fails with
    /// [`StoreError::Stale`] (another write came first; read again and retry). A writer's
    /// batch of such updates then costs no round trip each.
    fn exec_later_expecting(&mut self, sql: &str, params: Vec<Val>, rows: u64) -> Result<(), StoreError> {
        match self.exec(sql, &params)? {
            n if n == rows => Ok(()),
            _ => Err(stale(rows)),
        }
    }

    /// Inside a write transaction: adds the integers `params[keys..]` to the row whose key is
    /// `params[..keys]`, by `sql` (an upsert that adds its values to the row's). In the
    /// writer's transactions the additions to one row are summed and written at the commit
    /// (see `tx`); elsewhere at once. Nothing in the same transaction may read those rows.
    fn add_at_commit(&mut self, sql: &str, params: Vec<Val>, keys: usize) -> Result<(), StoreError> {
        let _ = keys;
        self.exec_later(sql, params)
    }

    /// Inside a write transaction: the next number of the counter `key` (from 1). Never the
    /// same number twice. On SQLite the number is taken in the transaction (a write that fails
    /// gives it back); in a PostgreSQL writer's transaction on a connection of its own (see
    /// `tx`: a number taken by a write that then fails is skipped).
    fn next_number(&mut self, key: &str) -> Result<i64, StoreError> {
        self.query_one(NEXT_NUMBER, &[key.into()])?
            .ok_or_else(|| StoreError::Database("bộ đếm không trả số".into()))?
            .col("value")
    }

    /// Outside a transaction: runs a query in a transaction of its own, committed at once,
    /// then starts a write transaction as [`Conn::begin_tracked`]; returns the query's rows
    /// and the transaction's id. On PostgreSQL in one round trip, the first commit not
    /// waiting for the disk: for what the second transaction depends on (see `tx`), whose own
    /// commit puts both on disk.
    fn begin_tracked_after(
        &mut self,
        sql: &str,
        params: &[Val],
    ) -> Result<(Vec<Row>, Option<i64>), StoreError> {
        self.begin()?;
        let rows = match self.query(sql, params) {
            Ok(rows) => rows,
            Err(e) => {
                let _ = self.batch("ROLLBACK");
                return Err(e);
            }
        };
        self.batch("COMMIT")?;
        Ok((rows, self.begin_tracked()?))
    }

    /// Starts a write transaction and returns an identifier under which its outcome can be
    /// asked later from another connection ([`Conn::transaction_outcome`]), when the
    /// connection was lost while committing. `None` where a commit cannot be uncertain that
    /// way (SQLite: a local file).
    fn begin_tracked(&mut self) -> Result<Option<i64>, StoreError> {
        self.begin()?;
        Ok(None)
    }

    /// What became of the transaction `id` (from [`Conn::begin_tracked`]).
    fn transaction_outcome(&mut self, _id: i64) -> Result<Outcome, StoreError> {
        Ok(Outcome::Unknown)
    }

    /// Inside a write transaction: waits until no other transaction holds `lock`, and holds it
    /// until this one ends, so that work done by several writers or servers (a migration, the
    /// daily seal, an alert sweep) runs one at a time and the next finds it done. SQLite has one
    /// writer, so it holds it already.
    fn lock_until_commit(&mut self, lock: Lock) -> Result<(), StoreError> {
        match self.dialect() {
            Dialect::Sqlite => Ok(()),
            Dialect::Postgres => self.batch(&format!("SELECT pg_advisory_xact_lock({})", lock as i64)),
        }
    }

    /// Starts a write transaction (SQLite takes the write lock at once, so it never has to
    /// upgrade a read lock and fail half-way).
    fn begin(&mut self) -> Result<(), StoreError> {
        match self.dialect() {
            Dialect::Sqlite => self.batch("BEGIN IMMEDIATE"),
            Dialect::Postgres => self.batch("BEGIN"),
        }
    }
}

/// The error of a conditional update that found the row changed.
pub(crate) fn stale(expected: u64) -> StoreError {
    StoreError::Stale(format!(
        "dữ liệu đã đổi từ lần đọc trước (lệnh cập nhật không đổi đúng {expected} dòng)"
    ))
}

/// Takes a counter's next number.
pub(crate) const NEXT_NUMBER: &str =
    "INSERT INTO counters (key, value) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET value = counters.value + 1 RETURNING value";

/// What became of a transaction whose commit was interrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Committed,
    Aborted,
    /// Its server process has not finished yet: ask again.
    InProgress,
    Unknown,
}

/// Work that runs one transaction at a time across writers and servers (the numbers are
/// PostgreSQL advisory-lock keys, fixed: servers of different versions must agree on them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    Migrate = 7243019,
    Seal = 7243020,
    AlertSweep = 7243021,
    Retention = 7243022,
}
