//! haicap's storage: SQLite (a file, WAL, durable commits) by default, PostgreSQL when given a
//! `postgres://` URL. One SQL dialect for both ([`Conn`]), one migration set ([`migrate`]), and
//! a group-commit writer: writes from many callers are run in one transaction and acknowledged
//! only once it is on disk, so durability does not cost one disk sync per dossier.

mod conn;
pub mod migrate;
mod pg;
mod sqlite;
mod value;
mod writer;

pub use conn::{Conn, Dialect};
pub use value::{Row, Val};

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use writer::Writer;

/// What went wrong in the store. `Busy` and `Unavailable` are worth a retry; `Constraint` and
/// `AppendOnly` mean the write was refused and nothing of it was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    Unavailable(String),
    Busy(String),
    Constraint(String),
    AppendOnly(String),
    Database(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "db_unavailable",
            StoreError::Busy(_) => "db_busy",
            StoreError::Constraint(_) => "db_constraint",
            StoreError::AppendOnly(_) => "append_only",
            StoreError::Database(_) => "db_error",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            StoreError::Unavailable(m)
            | StoreError::Busy(m)
            | StoreError::Constraint(m)
            | StoreError::AppendOnly(m)
            | StoreError::Database(m) => m,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lỗi cơ sở dữ liệu [{}]: {}", self.code(), self.message())
    }
}

impl std::error::Error for StoreError {}

/// Where the data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    /// `sqlite://PATH`, `sqlite:PATH`, `postgres://…`, `postgresql://…`, or a plain file path.
    pub fn parse(s: &str) -> Result<DbUrl, StoreError> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(s.to_string()));
        }
        let path = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")).unwrap_or(s);
        if path.is_empty() || s.contains("://") && !s.starts_with("sqlite://") {
            return Err(StoreError::Unavailable(format!(
                "địa chỉ cơ sở dữ liệu \"{s}\" không hợp lệ: dùng sqlite://ĐƯỜNG_DẪN hoặc postgres://…"
            )));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            DbUrl::Sqlite(_) => Dialect::Sqlite,
            DbUrl::Postgres(_) => Dialect::Postgres,
        }
    }

    pub fn connect(&self) -> Result<Box<dyn Conn>, StoreError> {
        Ok(match self {
            DbUrl::Sqlite(p) => Box::new(sqlite::SqliteConn::open(p)?),
            DbUrl::Postgres(u) => Box::new(pg::PgConn::connect(u)?),
        })
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            // Never print a password.
            DbUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => write!(f, "{}://…{}", &u[..s], &u[at..]),
                _ => f.write_str(u),
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Writer connections. SQLite has one writer whatever is asked; PostgreSQL can use several.
    pub writers: usize,
    /// Most writes committed together.
    pub max_batch: usize,
    /// Whether a commit is on disk when acknowledged (the default). Off, SQLite syncs only at
    /// checkpoints and PostgreSQL commits asynchronously: a crash of the machine may lose the
    /// last moments of work, never consistency. For rehearsals and bulk loads only.
    pub durable: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { writers: 2, max_batch: 256, durable: true }
    }
}

/// A migrated database with its writer and a pool of reading connections.
pub struct Store {
    url: DbUrl,
    writer: Writer,
    readers: Mutex<Vec<Box<dyn Conn>>>,
}

impl Store {
    /// Opens (creating or migrating as needed) the database at `url`.
    pub fn open(url: &DbUrl, opts: Options) -> Result<Store, StoreError> {
        let mut first = url.connect()?;
        migrate::migrate(first.as_mut())?;
        let n = if url.dialect() == Dialect::Sqlite { 1 } else { opts.writers.max(1) };
        let mut conns = vec![first];
        for _ in 1..n {
            conns.push(url.connect()?);
        }
        if url.dialect() == Dialect::Sqlite {
            // Fresh table statistics for the planner (which otherwise may prefer a big index
            // to the small partial one of open dossiers); cheap when nothing changed much.
            conns[0].batch("PRAGMA optimize=0x10002")?;
            // The writer's page cache survives its own commits (a reader's is reset by each
            // of them): 64 MiB keeps the hot indexes in memory.
            conns[0].batch("PRAGMA cache_size = -65536")?;
            // Checkpoints every 16,384 pages (64 MiB of WAL) instead of 1,000: a hot page
            // written by many commits is copied into the database once, not each time. A bulk
            // run (not durable) waits for 256 MiB: 30 % faster on a national trial run.
            let pages = if opts.durable { 16_384 } else { 65_536 };
            conns[0].batch(&format!("PRAGMA wal_autocheckpoint = {pages}"))?;
        }
        if !opts.durable {
            for c in &mut conns {
                c.batch(match url.dialect() {
                    Dialect::Sqlite => "PRAGMA synchronous = NORMAL",
                    Dialect::Postgres => "SET synchronous_commit = off",
                })?;
            }
        }
        Ok(Store {
            url: url.clone(),
            writer: Writer::start(conns, opts.max_batch.max(1)),
            readers: Mutex::new(vec![]),
        })
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub fn dialect(&self) -> Dialect {
        self.url.dialect()
    }

    /// Refreshes the planner's statistics where they are stale (SQLite; PostgreSQL's
    /// autovacuum does it). Called once a day, when the day is sealed.
    pub fn optimize(&self) -> Result<(), StoreError> {
        if self.dialect() == Dialect::Sqlite {
            self.write(|c| c.batch("PRAGMA optimize"))?;
        }
        Ok(())
    }

    /// Runs `work` in a write transaction (shared with other callers' writes) and returns its
    /// result once committed. `work` may run twice: when a write in the same batch fails,
    /// the batch is rolled back and each write retried on its own. It must only talk to the
    /// database; it must leave nothing written when it returns an error of its own making.
    pub fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.submit(work, move |r| {
            let _ = tx.send(r);
        });
        rx.recv().unwrap_or_else(|_| Err(StoreError::Unavailable("bộ ghi dữ liệu đã dừng".into())))
    }

    /// Like [`Store::write`], without waiting: `done` is called on the writer's thread.
    pub fn submit<T, F, D>(&self, work: F, done: D)
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
        D: FnOnce(Result<T, StoreError>) + Send + 'static,
    {
        self.writer.submit(work, done)
    }

    /// Runs `f` on a reading connection.
    pub fn read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let conn = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match conn {
            Some(c) => c,
            None => self.url.connect()?,
        };
        let out = f(conn.as_mut());
        // A connection that failed may be broken: drop it rather than pool it.
        if out.is_ok() {
            self.readers.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(DbUrl::parse("sqlite:///tmp/a.db").unwrap(), DbUrl::Sqlite("/tmp/a.db".into()));
        assert_eq!(DbUrl::parse("sqlite://data/h.db").unwrap(), DbUrl::Sqlite("data/h.db".into()));
        assert_eq!(DbUrl::parse("h.db").unwrap(), DbUrl::Sqlite("h.db".into()));
        assert_eq!(DbUrl::parse("postgres://u:secret@h/db").unwrap().dialect(), Dialect::Postgres);
        assert_eq!(DbUrl::parse("postgres://u:secret@h/db").unwrap().to_string(), "postgres://…@h/db");
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("").is_err());
    }
}
