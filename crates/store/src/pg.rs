//! PostgreSQL, through the synchronous `postgres` client.

use crate::conn::{Conn, Dialect, Outcome};
use crate::value::{Row, Val};
use crate::StoreError;
use bytes::BytesMut;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::error::Error;
use std::str::FromStr;
use std::time::Duration;

pub struct PgConn {
    client: Client,
    // Prepared once per connection: a prepare is a round trip.
    statements: HashMap<String, Statement>,
}

impl ToSql for Val {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(v) => v.to_sql(ty, out),
            Val::Bool(b) => b.to_sql(ty, out),
            Val::Text(s) => s.to_sql(ty, out),
            Val::Ts(t) => t.to_sql(ty, out),
            Val::Date(d) => d.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Whether the connection itself is gone (the server stopped, restarted or cut it; the network
/// failed), as opposed to a statement that failed on a live connection.
fn connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code().map(|c| c.code()) {
        // Class 08: connection exception; 57P01-57P03: the server is shutting down, crashed,
        // or cannot take connections yet (still starting).
        Some(c) => c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03"),
        // No SQLSTATE: the client's own failure to talk to the server (a socket error).
        None => e.source().is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some()),
    }
}

fn pg_err(e: postgres::Error) -> StoreError {
    let message = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    };
    if connection_lost(&e) {
        return StoreError::Unavailable(message);
    }
    if message.contains("append_only") || message.contains("permission denied") {
        return StoreError::AppendOnly(message);
    }
    match e.code().map(|c| c.code()) {
        Some(c) if c.starts_with("23") => StoreError::Constraint(message),
        Some("40001") | Some("40P01") => StoreError::Busy(message),
        _ => StoreError::Database(message),
    }
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql).map_err(pg_err)?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// Calls `f` with each row of `sql` as the server sends them, without collecting them (a
    /// table of millions of rows is read in constant memory); `f` returns false to stop.
    pub(crate) fn each_row(
        &mut self,
        sql: &str,
        f: &mut dyn FnMut(&[Val]) -> bool,
    ) -> Result<(), StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut rows =
            self.client.query_raw(sql, std::iter::empty::<&(dyn ToSql + Sync)>()).map_err(pg_err)?;
        let mut values = vec![];
        while let Some(r) = rows.next().map_err(pg_err)? {
            values.clear();
            for i in 0..r.len() {
                values.push(read_value(&r, i)?);
            }
            if !f(&values) {
                break;
            }
        }
        Ok(())
    }

    /// A `COPY … FROM STDIN` in progress: write its rows, then `finish`.
    pub(crate) fn copy_in(&mut self, sql: &str) -> Result<postgres::CopyInWriter<'_>, StoreError> {
        self.client.copy_in(sql).map_err(pg_err)
    }

    pub fn connect(url: &str) -> Result<PgConn, StoreError> {
        let mut config = postgres::Config::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
        // A server that does not answer (a host down, a firewall dropping packets) must not
        // hold a request, or the writer, for the system's TCP timeout of minutes.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // Idle connections to a server that went away unannounced are noticed within minutes.
        config.keepalives(true).keepalives_idle(Duration::from_secs(60));
        let client = config
            .connect(NoTls)
            .map_err(|e| StoreError::Unavailable(format!("không kết nối được PostgreSQL: {e}")))?;
        Ok(PgConn { client, statements: HashMap::new() })
    }
}

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn read_value(row: &postgres::Row, i: usize) -> Result<Val, StoreError> {
    let ty = row.columns()[i].type_();
    let v = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i).map(|v| v.map(Val::Int))
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i).map(|v| v.map(|v| Val::Int(v.into())))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i).map(|v| v.map(|v| Val::Int(v.into())))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i).map(|v| v.map(Val::Bool))
    } else if *ty == Type::TIMESTAMP {
        row.try_get::<_, Option<chrono::NaiveDateTime>>(i).map(|v| v.map(Val::Ts))
    } else if *ty == Type::DATE {
        row.try_get::<_, Option<chrono::NaiveDate>>(i).map(|v| v.map(Val::Date))
    } else {
        row.try_get::<_, Option<String>>(i).map(|v| v.map(Val::Text))
    };
    Ok(v.map_err(pg_err)?.unwrap_or(Val::Null))
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(pg_err)
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let st = self.statement(sql)?;
        self.client.execute(&st, &refs).map_err(pg_err)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let st = self.statement(sql)?;
        let rows = self.client.query(&st, &refs).map_err(pg_err)?;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| read_value(r, i)).collect::<Result<Vec<_>, _>>().map(Row))
            .collect()
    }

    fn is_broken(&self) -> bool {
        self.client.is_closed()
    }

    fn transaction_id(&mut self) -> Result<Option<i64>, StoreError> {
        let row = self.client.query_one("SELECT txid_current()", &[]).map_err(pg_err)?;
        Ok(Some(row.try_get::<_, i64>(0).map_err(pg_err)?))
    }

    fn transaction_outcome(&mut self, id: i64) -> Result<Outcome, StoreError> {
        let row = self.client.query_one("SELECT txid_status($1)", &[&id]).map_err(pg_err)?;
        Ok(match row.try_get::<_, Option<String>>(0).map_err(pg_err)?.as_deref() {
            Some("committed") => Outcome::Committed,
            Some("aborted") => Outcome::Aborted,
            Some(_) => Outcome::InProgress,
            // Too old to be known: cannot happen for a transaction of seconds ago.
            None => Outcome::Unknown,
        })
    }
}
