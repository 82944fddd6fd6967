//! haicap's storage: SQLite (a file, WAL, durable commits) by default, PostgreSQL when given a
//! `postgres://` URL. One SQL dialect for both ([`Conn`]), one migration set ([`migrate`]), and
//! a group-commit writer: writes from many callers are run in one transaction and acknowledged
//! only once it is on disk, so durability does not cost one disk sync per dossier.

pub mod backup;
mod bus;
mod checkpoint;
mod conn;
pub mod copy;
mod filter;
mod health;
pub mod migrate;
mod pg;
pub mod scratch;
mod sqlite;
mod tx;
mod value;
mod writer;

pub use bus::Bus;
pub use conn::{Conn, Dialect, Lock, Outcome};
pub use filter::{numbered, Filter};
pub use value::{Columns, FromVal, Row, Val};

use health::Health;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use writer::Writer;

/// What went wrong in the store. `Busy` and `Unavailable` are worth a retry; `Constraint` and
/// `AppendOnly` mean the write was refused and nothing of it was kept; `Stale`, that a
/// conditional update found its row changed since it was read ([`Conn::exec_later_expecting`]):
/// nothing was kept, read again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    Unavailable(String),
    Busy(String),
    Constraint(String),
    AppendOnly(String),
    Stale(String),
    /// The connection was lost during the commit and the database did not say, for as long
    /// as the writer asked, whether the write was kept: unlike `Unavailable`, it may have been.
    OutcomeUnknown(String),
    Database(String),
}

impl StoreError {
    pub fn code(&self) -> errors::Code {
        use errors::Code;
        match self {
            StoreError::Unavailable(_) => Code::DbUnavailable,
            StoreError::Busy(_) => Code::DbBusy,
            StoreError::Constraint(_) => Code::DbConstraint,
            StoreError::AppendOnly(_) => Code::AppendOnly,
            StoreError::Stale(_) => Code::ConcurrentUpdate,
            StoreError::OutcomeUnknown(_) => Code::DbOutcomeUnknown,
            StoreError::Database(_) => Code::DbError,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            StoreError::Unavailable(m)
            | StoreError::Busy(m)
            | StoreError::Constraint(m)
            | StoreError::AppendOnly(m)
            | StoreError::Stale(m)
            | StoreError::OutcomeUnknown(m)
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

    pub fn dialect_name(&self) -> &'static str {
        match self {
            DbUrl::Sqlite(_) => "sqlite",
            DbUrl::Postgres(_) => "postgres",
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
    /// Writer connections. SQLite has one writer whatever is asked; PostgreSQL can use several
    /// (two by default: one writer was faster over HTTP on a 2-core machine, slower by a
    /// quarter to a third at the application layer; docs/benchmarks.md).
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

/// Sets up a writer's connection (the first, and each one opened again after a loss).
fn set_up_writer(c: &mut dyn Conn, opts: Options) -> Result<(), StoreError> {
    if c.dialect() == Dialect::Sqlite {
        // The writer's page cache survives its own commits (a reader's is reset by each
        // of them): 64 MiB keeps the hot indexes in memory; 256 MiB for a bulk run,
        // whose hot set is a whole nation's open dossiers.
        let cache_kib = if opts.durable { 65_536 } else { 262_144 };
        c.batch(&format!("PRAGMA cache_size = -{cache_kib}"))?;
        // Checkpoints run on a thread of their own (see `checkpoint`), every second, or
        // every 3 s for a bulk run (not durable: a hot page written by many commits is
        // copied fewer times); the WAL is rewound once past 16,384 pages (64 MiB), 65,536
        // (256 MiB) for a bulk run.
        c.batch("PRAGMA wal_autocheckpoint = 0")?;
        // A WAL file that grew (a bulk load, a long reader) is cut back when rewound.
        c.batch(&format!("PRAGMA journal_size_limit = {}", BULK_WAL_REWIND_PAGES * 4096))?;
    }
    if !opts.durable {
        c.batch(match c.dialect() {
            Dialect::Sqlite => "PRAGMA synchronous = NORMAL",
            Dialect::Postgres => "SET synchronous_commit = off",
        })?;
    }
    Ok(())
}

/// WAL pages past which SQLite's WAL is rewound (64 MiB), and for a bulk run (256 MiB).
const WAL_REWIND_PAGES: i64 = 16_384;
const BULK_WAL_REWIND_PAGES: i64 = 65_536;

/// A migrated database with its writer and a pool of reading connections. Connections lost
/// (PostgreSQL restarted, the network cut) are dropped and opened again when next needed, so
/// service resumes by itself once the database is back.
pub struct Store {
    url: DbUrl,
    writer: Writer,
    /// SQLite's checkpoints, off the writer's thread (dropped after the writer).
    _checkpointer: Option<checkpoint::Checkpointer>,
    /// Idle reading connections, each with the generation of [`Health`] it was opened in.
    readers: Mutex<Vec<(u64, Box<dyn Conn>)>>,
    health: Arc<Health>,
    /// When a readiness probe last saw a write go through the writer.
    writer_seen: Mutex<Option<std::time::Instant>>,
}

/// How long a readiness probe's write through the writer counts.
const WRITER_PROBE_EVERY: Duration = Duration::from_secs(1);

/// Idle reading connections kept for the next reads; more are opened when needed and
/// closed after use.
const MAX_IDLE_READERS: usize = 32;

/// How the store found the database, for a readiness probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// The database answers a query.
    pub database: bool,
    /// The schema version found, when it answered; ready only at [`migrate::LATEST`].
    pub schema: Option<i64>,
    /// A write went through the writer and was committed in time.
    pub writer: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database && self.schema == Some(migrate::LATEST) && self.writer
    }
}

impl Store {
    /// Opens (creating or migrating as needed) the database at `url`.
    pub fn open(url: &DbUrl, opts: Options) -> Result<Store, StoreError> {
        let mut first = url.connect()?;
        migrate::migrate(first.as_mut())?;
        let n = if url.dialect() == Dialect::Sqlite { 1 } else { opts.writers.max(1) };
        if url.dialect() == Dialect::Sqlite {
            // Fresh table statistics for the planner (which otherwise may prefer a big index
            // to the small partial one of open dossiers); cheap when nothing changed much.
            first.batch("PRAGMA optimize=0x10002")?;
        }
        let connect_writer: writer::Connect = {
            let url = url.clone();
            Arc::new(move || {
                let mut c = url.connect()?;
                set_up_writer(c.as_mut(), opts)?;
                Ok(c)
            })
        };
        set_up_writer(first.as_mut(), opts)?;
        let mut conns = vec![first];
        for _ in 1..n {
            conns.push(connect_writer()?);
        }
        let (checkpointer, rewind) = if url.dialect() == Dialect::Sqlite {
            let rewind = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (secs, pages) = if opts.durable { (1, WAL_REWIND_PAGES) } else { (3, BULK_WAL_REWIND_PAGES) };
            // Its `synchronous` does not matter: a checkpoint syncs the file under NORMAL and
            // FULL alike, and this connection never commits.
            let tick = std::time::Duration::from_secs(secs);
            let checkpointer = checkpoint::Checkpointer::start(url.connect()?, tick, pages, rewind.clone());
            (Some(checkpointer), Some(rewind))
        } else {
            (None, None)
        };
        let health = Arc::new(Health::default());
        metrics::gauge!("haicap_db_up").set(1.0);
        Ok(Store {
            url: url.clone(),
            writer: Writer::start(conns, connect_writer, health.clone(), opts.max_batch.max(1), rewind),
            _checkpointer: checkpointer,
            readers: Mutex::new(vec![]),
            health,
            writer_seen: Mutex::new(None),
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

    /// Before a bulk load into SQLite: grows the database past its first gibibyte at once,
    /// into free pages that the load then fills. Returns whether it grew.
    ///
    /// Why: while a b-tree page splits, SQLite parks pages in its cache under the number of
    /// the lock-byte page (the one at 1 GiB). In a smaller database each commit after a split
    /// then scans the writer's whole page cache to drop pages past the end of the file: a
    /// fifth of the writer's time on a national trial run, none once the file is larger.
    pub fn reserve_past_lock_page(&self) -> Result<bool, StoreError> {
        if self.dialect() != Dialect::Sqlite {
            return Ok(false);
        }
        let grew = self.write(|c| {
            let int = |c: &mut dyn Conn, sql: &str| -> Result<i64, StoreError> {
                c.query_one(sql, &[])?.map_or(Ok(0), |r| r.only())
            };
            let page_size = int(c, "PRAGMA page_size")?.max(512);
            let lock_page = (1i64 << 30) / page_size + 1;
            let missing = (lock_page + 16 - int(c, "PRAGMA page_count")?) * page_size;
            if missing <= 0 {
                return Ok(false);
            }
            // Rows of 1 MiB (a single blob of 1 GiB is past SQLite's length limit), dropped in
            // the same transaction: their pages stay in the file, on the freelist.
            c.batch("CREATE TABLE haicap_reserve (b BLOB)")?;
            let rows = missing / (1 << 20) + 1;
            c.exec(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                 INSERT INTO haicap_reserve SELECT zeroblob(1048576) FROM n",
                &[Val::Int(rows)],
            )?;
            c.batch("DROP TABLE haicap_reserve")?;
            Ok(true)
        })?;
        if grew {
            // The gibibyte went through the WAL: copied now, and the WAL file cut back (on a
            // connection of its own: a checkpoint cannot run inside the writer's transaction).
            // The store's checkpointer may be copying at that moment: the pragma then answers
            // busy (first column 1) at once, without waiting, so it is asked again.
            let mut c = self.url.connect()?;
            for _ in 0..250 {
                let busy = c
                    .query_one("PRAGMA wal_checkpoint(TRUNCATE)", &[])?
                    .map(|r| r.col::<i64>("busy"))
                    .transpose()?;
                if busy != Some(1) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        Ok(grew)
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
        self.write_numbered(None, work)
    }

    /// Like [`Store::write`], for a write that takes a number of the counter `number`
    /// ([`Conn::next_number`]: a desk's dossier numbers of the day): on PostgreSQL the numbers
    /// of a batch's writes are taken together, before its transaction, so that writers and
    /// servers do not wait for each other on a counter's row.
    pub fn write_numbered<T, F>(&self, number: Option<String>, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.submit_numbered(number, work, move |r| {
            let _ = tx.send(r);
        });
        rx.recv().unwrap_or_else(|_| Err(StoreError::Unavailable("bộ ghi dữ liệu đã dừng".into())))
    }

    /// Like [`Store::write`], without waiting: `done` is called, once committed, on the
    /// writer's notifier thread.
    pub fn submit<T, F, D>(&self, work: F, done: D)
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
        D: FnOnce(Result<T, StoreError>) + Send + 'static,
    {
        self.writer.submit(None, work, done)
    }

    /// [`Store::submit`] for a write that takes a number (see [`Store::write_numbered`]).
    pub fn submit_numbered<T, F, D>(&self, number: Option<String>, work: F, done: D)
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
        D: FnOnce(Result<T, StoreError>) + Send + 'static,
    {
        self.writer.submit(number, work, done)
    }

    /// Runs `f` on a reading connection. When the connection turns out lost (the database
    /// restarted since it was opened), every idle connection of that time is dropped and `f`
    /// runs once more on a new one: a read may be repeated, a restart need not be seen.
    pub fn read<T>(
        &self,
        mut f: impl FnMut(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let (generation, mut conn) = match self.checkout() {
                Ok(c) => c,
                Err(e) => {
                    self.health.could_not_connect(&e);
                    return Err(e);
                }
            };
            match f(conn.as_mut()) {
                Ok(v) => {
                    self.health.answered();
                    self.checkin(generation, conn);
                    return Ok(v);
                }
                Err(e @ StoreError::Unavailable(_)) => {
                    self.health.lost(&e);
                    self.readers.lock().unwrap_or_else(|e| e.into_inner()).clear();
                    if tries >= 2 {
                        return Err(e);
                    }
                }
                // A connection that failed may be in a bad state: dropped rather than pooled.
                Err(e) => return Err(e),
            }
        }
    }

    fn checkout(&self) -> Result<(u64, Box<dyn Conn>), StoreError> {
        let current = self.health.generation();
        let mut idle = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((generation, c)) = idle.pop() {
            if generation == current && !c.is_broken() {
                metrics::gauge!("haicap_db_idle_readers").set(idle.len() as f64);
                return Ok((generation, c));
            }
        }
        drop(idle);
        if !self.health.may_try() {
            return Err(StoreError::Unavailable("cơ sở dữ liệu đang mất kết nối".into()));
        }
        Ok((current, self.url.connect()?))
    }

    fn checkin(&self, generation: u64, conn: Box<dyn Conn>) {
        if generation != self.health.generation() {
            return;
        }
        let mut idle = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push((generation, conn));
            metrics::gauge!("haicap_db_idle_readers").set(idle.len() as f64);
        }
    }

    /// Messages between the servers sharing this database (PostgreSQL); None for SQLite,
    /// which one server uses alone.
    pub fn start_bus(&self) -> Option<(Bus, std::sync::mpsc::Receiver<String>)> {
        match &self.url {
            DbUrl::Postgres(u) => Some(Bus::start(u)),
            DbUrl::Sqlite(_) => None,
        }
    }

    /// Whether the database answered the last time it was asked (no query is made).
    pub fn is_up(&self) -> bool {
        self.health.is_up()
    }

    /// Asks the database, the schema and the writer, each within `timeout`, for a readiness
    /// probe.
    pub fn readiness(&self, timeout: Duration) -> Readiness {
        let schema = self
            .read(|c| {
                c.query_one("SELECT CAST(MAX(version) AS BIGINT) FROM schema_migrations", &[])?
                    .map_or(Ok(None), |r| r.only::<Option<i64>>())
            })
            .ok();
        let database = schema.is_some();
        let writer = database && self.writer.alive() && self.writer_answers(timeout);
        Readiness { database, schema: schema.flatten(), writer }
    }

    /// Whether a write goes through the writer within `timeout`. A success is remembered for
    /// a second: probes are frequent (and `/readyz` is reachable by anyone), so a healthy
    /// server writes for them at most once a second.
    fn writer_answers(&self, timeout: Duration) -> bool {
        let mut seen = self.writer_seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.is_some_and(|t| t.elapsed() < WRITER_PROBE_EVERY) {
            return true;
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.submit(
            |c| c.query_one("SELECT 1", &[]).map(|_| ()),
            move |r| {
                let _ = tx.send(r);
            },
        );
        let ok = matches!(rx.recv_timeout(timeout), Ok(Ok(())));
        *seen = ok.then(std::time::Instant::now);
        ok
    }
}

/// A fresh database on the test server, or None (skipped) without one.
#[cfg(test)]
pub(crate) fn test_database() -> Option<(DbUrl, postgres::Client, String)> {
    let (base, mut admin) = scratch::admin()?;
    let name = format!(
        "haicap_store_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
            % 1_000_000
    );
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    Some((DbUrl::parse(&scratch::url_of(&base, &name)).unwrap(), admin, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads by column name on `url`'s database: each type, NULL, and the two mistakes.
    fn columns_by_name(url: &DbUrl) {
        let mut c = url.connect().unwrap();
        c.batch("CREATE TABLE t (name TEXT, n BIGINT NOT NULL, at TIMESTAMP, day DATE, gone TEXT)").unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap().and_hms_opt(9, 30, 0).unwrap();
        c.exec(
            "INSERT INTO t (name, n, at, day) VALUES ($1, $2, $3, $4)",
            &["Hải Châu".into(), Val::Int(7), at.into(), at.date().into()],
        )
        .unwrap();
        // Columns in another order than the reader's, one renamed by the query.
        let r = c.query_one("SELECT day, gone, at, n AS count, name FROM t", &[]).unwrap().unwrap();
        assert_eq!(r.col::<String>("name").unwrap(), "Hải Châu");
        assert_eq!(r.col::<i64>("count").unwrap(), 7);
        assert!(r.col::<bool>("count").unwrap());
        assert_eq!(r.col::<chrono::NaiveDateTime>("at").unwrap(), at);
        assert_eq!(r.col::<chrono::NaiveDate>("day").unwrap(), at.date());
        assert_eq!(r.col::<Option<String>>("gone").unwrap(), None);
        assert_eq!(r.col::<Option<i64>>("count").unwrap(), Some(7));
        assert_eq!(r.col_parsed("count", |n: i64| u8::try_from(n).ok()).unwrap(), 7u8);
        let e = r.col_parsed("count", |n: i64| (n > 100).then_some(n)).unwrap_err();
        assert!(matches!(&e, StoreError::Database(m) if m.contains("\"count\"")), "{e:?}");
        // A column the query does not have, a NULL where a value must be, a wrong type: errors
        // naming the column, not defaults.
        for e in [
            r.col::<i64>("n").unwrap_err(),
            r.col::<String>("gone").unwrap_err(),
            r.col::<i64>("name").unwrap_err(),
            r.col::<Option<i64>>("name").unwrap_err(),
        ] {
            assert!(matches!(&e, StoreError::Database(m) if m.contains('"')), "{e:?}");
        }
        assert!(!r.col::<i64>("name").unwrap_err().message().contains("Hải Châu"), "no value in the error");
        // A single aggregate: its one column, whatever the database names it; more columns,
        // no row or another type are errors, not zero.
        assert_eq!(c.count("SELECT COUNT(*) FROM t", &[]).unwrap(), 1);
        assert_eq!(c.count("SELECT COUNT(*) FROM t WHERE n > 7", &[]).unwrap(), 0);
        assert!(c.count("SELECT COUNT(*), MAX(n) FROM t", &[]).is_err());
        assert!(c.count("SELECT n FROM t WHERE n > 7", &[]).is_err());
        assert!(c.count("SELECT name FROM t", &[]).is_err());
        let max = c.query_one("SELECT MAX(at) FROM t WHERE n > 7", &[]).unwrap().unwrap();
        assert_eq!(max.only::<Option<chrono::NaiveDateTime>>().unwrap(), None);
    }

    #[test]
    fn columns_are_read_by_name_with_an_error_on_a_mismatch_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        columns_by_name(&DbUrl::Sqlite(dir.path().join("c.db")));
    }

    #[test]
    fn columns_are_read_by_name_with_an_error_on_a_mismatch_postgres() {
        let Some((url, mut admin, name)) = test_database() else { return };
        columns_by_name(&url);
        admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    }

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

    #[test]
    fn a_bulk_load_gets_a_database_past_the_lock_page_with_its_tables_intact() {
        let dir = tempfile::tempdir().unwrap();
        let url = DbUrl::Sqlite(dir.path().join("bulk.db"));
        let store = Store::open(&url, Options { durable: false, ..Options::default() }).unwrap();
        let tables = |s: &Store| {
            s.read(|c| c.query_one("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", &[]))
                .unwrap()
                .and_then(|r| r.int(0))
        };
        let before = tables(&store);
        assert!(store.reserve_past_lock_page().unwrap());
        let pragma =
            |sql: &'static str| store.read(|c| c.query_one(sql, &[])).unwrap().and_then(|r| r.int(0));
        let pages = pragma("PRAGMA page_count").unwrap();
        let page_size = pragma("PRAGMA page_size").unwrap();
        assert!(pages * page_size > 1 << 30, "{pages} pages of {page_size} bytes");
        // The room is free pages, the scratch table is gone, and the WAL was cut back.
        assert!(pragma("PRAGMA freelist_count").unwrap() * page_size >= 1 << 30);
        assert_eq!(tables(&store), before);
        assert_eq!(std::fs::metadata(dir.path().join("bulk.db-wal")).map_or(0, |m| m.len()), 0);
        // Done once: a database already large enough is left as it is.
        assert!(!store.reserve_past_lock_page().unwrap());
    }

    #[test]
    fn statistics_taken_of_empty_tables_are_refreshed_once_they_grow() {
        let dir = tempfile::tempdir().unwrap();
        let url = DbUrl::Sqlite(dir.path().join("stats.db"));
        // Opening a new database analyses its empty tables.
        let store = Store::open(&url, Options::default()).unwrap();
        store
            .write(|c| {
                for i in 0..3_000i64 {
                    c.exec(
                        "INSERT INTO events (dossier_code, seq, province_code, at, actor, kind, body, hash)
                         VALUES ($1, 1, '48', $2, 'a', 'received', '{}', 'h')",
                        &[
                            Val::Text(format!("D{i:05}")),
                            Val::Text(format!("2026-01-{:02} 08:00:00", 1 + i % 28)),
                        ],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        store.optimize().unwrap();
        let rows = store
            .read(|c| {
                c.query(
                    "EXPLAIN QUERY PLAN SELECT hash FROM events WHERE COALESCE(arrived_at, at) >= '2026-01-02' AND COALESCE(arrived_at, at) < '2026-01-03'",
                    &[],
                )
            })
            .unwrap();
        let plan = rows.iter().map(|r| r.string(3)).collect::<Vec<_>>().join("; ");
        assert!(
            plan.contains("events_arrived"),
            "a day's events are read through the index on their arrival: {plan}"
        );
    }
}
