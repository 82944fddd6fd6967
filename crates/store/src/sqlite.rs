//! SQLite: a file in WAL mode with durable commits (the WAL is synced at every commit).

use crate::conn::{Conn, Dialect};
use crate::value::{date_text, ts_text, Columns, Row, Val};
use crate::StoreError;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use std::path::Path;
use std::time::Duration;

pub struct SqliteConn {
    conn: Connection,
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(Value::Null),
            Val::Int(v) => ToSqlOutput::Owned(Value::Integer(*v)),
            Val::Bool(b) => ToSqlOutput::Owned(Value::Integer(*b as i64)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Ts(t) => ToSqlOutput::Owned(Value::Text(ts_text(t))),
            Val::Date(d) => ToSqlOutput::Owned(Value::Text(date_text(d))),
        })
    }
}

fn sql_err(e: rusqlite::Error) -> StoreError {
    let message = e.to_string();
    if message.contains("append_only") {
        return StoreError::AppendOnly(message);
    }
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Constraint(message)
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
        {
            StoreError::Busy(message)
        }
        _ => StoreError::Database(message),
    }
}

impl SqliteConn {
    pub fn open(path: &Path) -> Result<SqliteConn, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("không tạo được thư mục dữ liệu {}: {e}", dir.display()))
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| {
            StoreError::Unavailable(format!("không mở được cơ sở dữ liệu {}: {e}", path.display()))
        })?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql_err)?;
        // WAL: readers never block the writer; synchronous=FULL: a commit is on disk when
        // it returns. foreign_keys off: the projections are checked by the application.
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;").map_err(sql_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteConn { conn })
    }

    /// Calls `f` with each row of `sql`, without collecting them (a table of millions of
    /// rows is read in constant memory); `f` returns false to stop.
    pub(crate) fn each_row(
        &mut self,
        sql: &str,
        f: &mut dyn FnMut(&[ValueRef<'_>]) -> bool,
    ) -> Result<(), StoreError> {
        let mut st = self.conn.prepare(sql).map_err(sql_err)?;
        let n = st.column_count();
        let mut rows = st.query([]).map_err(sql_err)?;
        while let Some(r) = rows.next().map_err(sql_err)? {
            let values = (0..n).map(|i| r.get_ref(i)).collect::<Result<Vec<_>, _>>().map_err(sql_err)?;
            if !f(&values) {
                break;
            }
        }
        Ok(())
    }
}

impl SqliteConn {
    /// Runs `sql` with a text and a blob (`?1`, `?2`): the one place bytes are written.
    pub(crate) fn put_blob(&mut self, sql: &str, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let mut st = self.conn.prepare_cached(sql).map_err(sql_err)?;
        st.execute(rusqlite::params![key, bytes]).map_err(sql_err)?;
        Ok(())
    }

    /// Calls `f` with each (text, blob) row of `sql`, one at a time.
    pub(crate) fn each_blob(
        &mut self,
        sql: &str,
        f: &mut crate::backup::EachDocument<'_>,
    ) -> Result<u64, StoreError> {
        let mut st = self.conn.prepare(sql).map_err(sql_err)?;
        let mut rows = st.query([]).map_err(sql_err)?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(sql_err)? {
            let key: String = r.get(0).map_err(sql_err)?;
            let bytes = r.get_ref(1).map_err(sql_err)?;
            let bytes =
                bytes.as_blob_or_null().map_err(|e| StoreError::Database(e.to_string()))?.unwrap_or(&[]);
            f(&key, bytes)?;
            n += 1;
        }
        Ok(n)
    }
}

fn read_value(v: ValueRef<'_>) -> Val {
    match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(i) => Val::Int(i),
        ValueRef::Real(f) => Val::Int(f as i64),
        ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

/// SQLite numbers `$N` placeholders by first appearance, not by N: they must appear in order.
fn placeholders_in_order(sql: &str) -> bool {
    let mut last = 0u32;
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let digits: String = sql[i + 1..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = digits.parse::<u32>() {
                if n > last + 1 {
                    return false;
                }
                last = last.max(n);
            }
            i += digits.len();
        }
        i += 1;
    }
    true
}

impl Conn for SqliteConn {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(sql_err)
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        debug_assert!(placeholders_in_order(sql), "placeholders out of order: {sql}");
        let mut st = self.conn.prepare_cached(sql).map_err(sql_err)?;
        let n = st.execute(rusqlite::params_from_iter(params.iter())).map_err(sql_err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        debug_assert!(placeholders_in_order(sql), "placeholders out of order: {sql}");
        let mut st = self.conn.prepare_cached(sql).map_err(sql_err)?;
        let n = st.column_count();
        let columns = Columns::new(st.column_names());
        let mut rows = st.query(rusqlite::params_from_iter(params.iter())).map_err(sql_err)?;
        let mut out = vec![];
        while let Some(r) = rows.next().map_err(sql_err)? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(read_value(r.get_ref(i).map_err(sql_err)?));
            }
            out.push(Row(row, columns.clone()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_order_is_checked() {
        assert!(placeholders_in_order("SELECT $1, $2, $1, $3"));
        assert!(!placeholders_in_order("UPDATE t SET a = $1, b = $3 WHERE c = $2"));
        assert!(placeholders_in_order("SELECT '$$' || $1"));
    }
}
