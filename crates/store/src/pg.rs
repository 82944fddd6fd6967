//! PostgreSQL, through `tokio-postgres` driven by a runtime of the connection's own (the
//! callers are synchronous threads): so that statements whose answers nobody waits for are
//! sent together, in one round trip (pipelining), instead of one round trip each.
//!
//! A statement given to [`Conn::exec_later`] is queued; the queue is sent with the next
//! statement that needs an answer, or with the COMMIT. An error of a queued statement is
//! reported there (the transaction is then aborted, so nothing of it is kept either way).

use crate::conn::{Conn, Dialect, Outcome};
use crate::value::{Columns, Row, Val};
use crate::StoreError;
use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::error::Error;
use std::pin::pin;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage, Statement};

pub struct PgConn {
    rt: tokio::runtime::Runtime,
    client: Client,
    // Prepared once per connection: a prepare is a round trip.
    statements: HashMap<String, Statement>,
    /// Statements sent with the next one that needs an answer.
    queued: Queued,
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
fn connection_lost(e: &tokio_postgres::Error) -> bool {
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

fn pg_err(e: tokio_postgres::Error) -> StoreError {
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

fn refs(params: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// Statements sent later, each with the rows it must change, if the caller said
/// ([`Conn::exec_later_expecting`]).
type Queued = Vec<(Statement, Vec<Val>, Option<u64>)>;

/// A conditional update checked by PostgreSQL itself: it fails (division by zero) unless it
/// changed `rows` rows. Checked by the client, the COMMIT sent in the same round trip would
/// already have kept it.
fn expecting(sql: &str, rows: u64) -> String {
    format!("WITH changed AS ({sql} RETURNING 1) SELECT 1 / CASE WHEN count(*) = {rows} THEN 1 ELSE 0 END FROM changed")
}

/// Sends the queued statements, with `then` after them in the same round trip; returns the
/// first error in the order they were queued (later ones only say the transaction was
/// aborted), or what `then` gave.
fn flush_with<T>(
    rt: &tokio::runtime::Runtime,
    client: &Client,
    queued: Queued,
    then: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, StoreError> {
    let params: Vec<Vec<&(dyn ToSql + Sync)>> = queued.iter().map(|(_, p, _)| refs(p)).collect();
    let sent = queued.iter().zip(&params).map(|((st, _, _), p)| client.execute(st, &p[..]));
    let (results, last) = rt.block_on(futures_util::future::join(futures_util::future::join_all(sent), then));
    for (r, (_, _, expected)) in results.into_iter().zip(&queued) {
        match (r, expected) {
            (Err(e), Some(rows)) if e.code() == Some(&SqlState::DIVISION_BY_ZERO) => {
                return Err(crate::conn::stale(*rows));
            }
            (r, _) => r.map_err(pg_err).map(|_| ())?,
        }
    }
    last.map_err(pg_err)
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.rt.block_on(self.client.prepare(sql)).map_err(pg_err)?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// Sends what is queued.
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let queued = std::mem::take(&mut self.queued);
        flush_with(&self.rt, &self.client, queued, async { Ok(()) })
    }

    /// A `COPY … FROM STDIN` in progress: write its rows, then `finish`.
    pub(crate) fn copy_in(&mut self, sql: &str) -> Result<CopyIn<'_>, StoreError> {
        self.flush()?;
        let sink = self.rt.block_on(self.client.copy_in::<_, Bytes>(sql)).map_err(pg_err)?;
        Ok(CopyIn { rt: &self.rt, sink: Box::pin(sink), buf: BytesMut::with_capacity(COPY_CHUNK) })
    }

    /// Calls `f` with each row of `sql` as the server sends them, without collecting them (a
    /// table of millions of rows is read in constant memory); `f` returns false to stop.
    pub(crate) fn each_row(
        &mut self,
        sql: &str,
        f: &mut dyn FnMut(&[Val]) -> bool,
    ) -> Result<(), StoreError> {
        self.flush()?;
        let rt = &self.rt;
        let mut rows = pin!(rt
            .block_on(self.client.query_raw(sql, std::iter::empty::<&(dyn ToSql + Sync)>()))
            .map_err(pg_err)?);
        let mut values = vec![];
        while let Some(r) = rt.block_on(rows.next()) {
            let r = r.map_err(pg_err)?;
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

    pub fn connect(url: &str) -> Result<PgConn, StoreError> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
        // A server that does not answer (a host down, a firewall dropping packets) must not
        // hold a request, or the writer, for the system's TCP timeout of minutes.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        // Idle connections to a server that went away unannounced are noticed within minutes.
        config.keepalives(true).keepalives_idle(Duration::from_secs(60));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("không tạo được luồng kết nối: {e}")))?;
        let (client, connection) = rt
            .block_on(config.connect(NoTls))
            .map_err(|e| StoreError::Unavailable(format!("không kết nối được PostgreSQL: {e}")))?;
        // The connection's messages are read whenever this runtime runs (in each `block_on`).
        rt.spawn(async move {
            let _ = connection.await;
        });
        Ok(PgConn { rt, client, statements: HashMap::new(), queued: vec![] })
    }
}

/// Bytes sent to a COPY at a time.
const COPY_CHUNK: usize = 256 * 1024;

/// A `COPY … FROM STDIN` being written: rows are buffered and sent by chunks.
pub(crate) struct CopyIn<'a> {
    rt: &'a tokio::runtime::Runtime,
    sink: std::pin::Pin<Box<tokio_postgres::CopyInSink<Bytes>>>,
    buf: BytesMut,
}

impl CopyIn<'_> {
    fn send(&mut self) -> std::io::Result<()> {
        let chunk = self.buf.split().freeze();
        self.rt.block_on(self.sink.send(chunk)).map_err(std::io::Error::other)
    }

    /// Ends the COPY; returns the rows the server took.
    pub(crate) fn finish(mut self) -> Result<u64, StoreError> {
        if !self.buf.is_empty() {
            self.send().map_err(|e| StoreError::Database(e.to_string()))?;
        }
        self.rt.block_on(self.sink.as_mut().finish()).map_err(pg_err)
    }
}

impl std::io::Write for CopyIn<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= COPY_CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn read_value(row: &tokio_postgres::Row, i: usize) -> Result<Val, StoreError> {
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

/// The id in the answer to `BEGIN; SELECT txid_current()`.
fn transaction_id(messages: &[SimpleQueryMessage]) -> Result<i64, StoreError> {
    let id = messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse::<i64>().ok()),
        _ => None,
    });
    id.ok_or_else(|| StoreError::Database("không đọc được mã giao dịch".into()))
}

fn to_rows(rows: &[tokio_postgres::Row]) -> Result<Vec<Row>, StoreError> {
    let columns =
        rows.first().map(|r| Columns::new(r.columns().iter().map(|c| c.name()))).unwrap_or_default();
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| read_value(r, i))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| Row(v, columns.clone()))
        })
        .collect()
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        let mut queued = std::mem::take(&mut self.queued);
        // What a rolled-back transaction queued is not sent at all.
        if sql == "ROLLBACK" {
            queued.clear();
        }
        flush_with(&self.rt, &self.client, queued, self.client.batch_execute(sql))
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let st = self.statement(sql)?;
        let refs = refs(params);
        let queued = std::mem::take(&mut self.queued);
        flush_with(&self.rt, &self.client, queued, self.client.execute(&st, &refs))
    }

    fn exec_later(&mut self, sql: &str, params: Vec<Val>) -> Result<(), StoreError> {
        let st = self.statement(sql)?;
        self.queued.push((st, params, None));
        Ok(())
    }

    fn exec_later_expecting(&mut self, sql: &str, params: Vec<Val>, rows: u64) -> Result<(), StoreError> {
        let st = self.statement(&expecting(sql, rows))?;
        self.queued.push((st, params, Some(rows)));
        Ok(())
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        let st = self.statement(sql)?;
        let refs = refs(params);
        let queued = std::mem::take(&mut self.queued);
        let rows = flush_with(&self.rt, &self.client, queued, self.client.query(&st, &refs))?;
        to_rows(&rows)
    }

    fn is_broken(&self) -> bool {
        self.client.is_closed()
    }

    fn begin_tracked(&mut self) -> Result<Option<i64>, StoreError> {
        // One round trip for both.
        let queued = std::mem::take(&mut self.queued);
        let messages = flush_with(
            &self.rt,
            &self.client,
            queued,
            self.client.simple_query("BEGIN; SELECT txid_current()"),
        )?;
        transaction_id(&messages).map(Some)
    }

    fn begin_tracked_after(
        &mut self,
        sql: &str,
        params: &[Val],
    ) -> Result<(Vec<Row>, Option<i64>), StoreError> {
        let st = self.statement(sql)?;
        let refs = refs(params);
        let queued = std::mem::take(&mut self.queued);
        // Sent together; a COMMIT after a failed statement only ends its transaction.
        let together = futures_util::future::join4(
            self.client.batch_execute("BEGIN; SET LOCAL synchronous_commit = off"),
            self.client.query(&st, &refs),
            self.client.batch_execute("COMMIT"),
            self.client.simple_query("BEGIN; SELECT txid_current()"),
        );
        let (begun, rows, committed, messages) =
            flush_with(&self.rt, &self.client, queued, async { Ok(together.await) })?;
        begun.map_err(pg_err)?;
        let rows = rows.map_err(pg_err)?;
        committed.map_err(pg_err)?;
        let id = transaction_id(&messages.map_err(pg_err)?)?;
        Ok((to_rows(&rows)?, Some(id)))
    }

    fn transaction_outcome(&mut self, id: i64) -> Result<Outcome, StoreError> {
        let row =
            self.rt.block_on(self.client.query_one("SELECT txid_status($1)", &[&id])).map_err(pg_err)?;
        Ok(match row.try_get::<_, Option<String>>(0).map_err(pg_err)?.as_deref() {
            Some("committed") => Outcome::Committed,
            Some("aborted") => Outcome::Aborted,
            Some(_) => Outcome::InProgress,
            // Too old to be known: cannot happen for a transaction of seconds ago.
            None => Outcome::Unknown,
        })
    }
}
