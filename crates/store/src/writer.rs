//! The group-commit writer: callers hand it writes; it runs as many as are waiting in one
//! transaction, commits once, and only then answers each caller.
//!
//! The answers are given by a thread of its own, the notifier, which the writer hands each
//! committed batch. Waking a waiting caller is a system call after which the scheduler often
//! runs the caller in the writer's place: answering a batch of twenty callers itself, the
//! writer spent a third of its time off the processor (`perf` on a national trial run). The
//! notifier also drops the finished writes, whose captures (dossier records with their
//! histories) would otherwise be freed on the writer's thread.
//!
//! A writer whose connection is lost (PostgreSQL restarted, the network cut) connects again
//! for its next batch; a batch that failed before its commit is run once more on the new
//! connection. A batch whose connection was lost *during* its commit may or may not be on
//! disk: the writer hands it to a thread of its own, the resolver, and goes on (refusing at
//! once while the database is away). The resolver asks the database what became of that
//! transaction (by its id, taken before the commit) until it can answer, then acknowledges
//! the batch if it was kept, or runs it again if it was not, so that nothing acknowledged is
//! lost and nothing is applied twice.

use crate::checkpoint;
use crate::conn::{Conn, Outcome};
use crate::health::Health;
use crate::tx::{Reserved, Tx};
use crate::StoreError;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

type Work = Box<dyn FnMut(&mut dyn Conn) -> Result<(), StoreError> + Send>;
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// Opens a writer connection, set up as the first ones were.
pub(crate) type Connect = Arc<dyn Fn() -> Result<Box<dyn Conn>, StoreError> + Send + Sync>;

struct Job {
    work: Work,
    finish: Finish,
    /// The counter the job takes a number from ([`Conn::next_number`]), if any: a batch's
    /// numbers are taken together before its transaction (see `tx`).
    number: Option<String>,
}

/// Committed (or refused) writes and their outcomes, for the notifier.
type Answers = Vec<(Job, Result<(), StoreError>)>;

/// Writes whose transaction `id` lost its connection while committing, for the resolver.
struct Uncertain {
    id: i64,
    jobs: Vec<Job>,
    /// When their callers are told that the outcome is unknown.
    until: Instant,
}

impl Uncertain {
    fn new(id: i64, jobs: Vec<Job>) -> Uncertain {
        Uncertain { id, jobs, until: Instant::now() + RESOLVE_FOR }
    }
}

/// What became of a batch: the answers known now, and the writes whose commit is uncertain.
#[derive(Default)]
struct Settled {
    answers: Answers,
    uncertain: Vec<Uncertain>,
}

pub(crate) struct Writer {
    tx: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
    resolver: Option<JoinHandle<()>>,
    notifier: Option<JoinHandle<()>>,
}

/// What each writer thread shares.
struct Shared {
    connect: Connect,
    health: Arc<Health>,
    max_batch: usize,
    rewind: Option<Arc<AtomicBool>>,
}

impl Writer {
    /// `rewind`: set by SQLite's checkpointer when the writer should finish a checkpoint.
    pub(crate) fn start(
        conns: Vec<Box<dyn Conn>>,
        connect: Connect,
        health: Arc<Health>,
        max_batch: usize,
        rewind: Option<Arc<AtomicBool>>,
    ) -> Writer {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let (answer_tx, answer_rx) = channel::<Answers>();
        let (aside_tx, aside_rx) = channel::<Uncertain>();
        let shared = Arc::new(Shared { connect, health, max_batch, rewind });
        let threads = conns
            .into_iter()
            .enumerate()
            .map(|(i, conn)| {
                let rx = rx.clone();
                let shared = shared.clone();
                let answers = answer_tx.clone();
                let aside = aside_tx.clone();
                std::thread::Builder::new()
                    .name(format!("haicap-writer-{i}"))
                    .spawn(move || run(Some(conn), &rx, &answers, &aside, &shared))
                    .expect("a thread can be started")
            })
            .collect();
        // It stops once every writer has stopped (their senders are gone).
        drop(aside_tx);
        let resolver = {
            let answers = answer_tx.clone();
            std::thread::Builder::new()
                .name("haicap-resolver".into())
                .spawn(move || resolve_aside(&aside_rx, &answers, &shared))
                .expect("a thread can be started")
        };
        // It stops once every writer and the resolver have stopped.
        drop(answer_tx);
        let notifier = std::thread::Builder::new()
            .name("haicap-notifier".into())
            .spawn(move || {
                for answers in answer_rx {
                    answers.into_iter().for_each(|(job, r)| (job.finish)(r));
                }
            })
            .expect("a thread can be started");
        Writer { tx: Some(tx), threads, resolver: Some(resolver), notifier: Some(notifier) }
    }

    pub(crate) fn submit<T, F, D>(&self, number: Option<String>, mut work: F, done: D)
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
        D: FnOnce(Result<T, StoreError>) + Send + 'static,
    {
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let out = slot.clone();
        let job = Job {
            number,
            work: Box::new(move |c| {
                let v = work(c)?;
                *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
                Ok(())
            }),
            finish: Box::new(move |r| {
                let v = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                done(r.and_then(|_| v.ok_or_else(|| StoreError::Database("kết quả ghi bị mất".into()))))
            }),
        };
        let Some(tx) = &self.tx else { return };
        if let Err(e) = tx.send(job) {
            (e.0.finish)(Err(StoreError::Unavailable("bộ ghi dữ liệu đã dừng".into())));
        }
    }

    /// Whether every writer thread still runs.
    pub(crate) fn alive(&self) -> bool {
        self.threads.iter().all(|t| !t.is_finished())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue lets each thread finish what it holds and stop.
        self.tx = None;
        for t in self.threads.drain(..).chain(self.resolver.take()).chain(self.notifier.take()) {
            let _ = t.join();
        }
    }
}

fn next_batch(rx: &Mutex<Receiver<Job>>, max: usize) -> Option<Vec<Job>> {
    let rx = rx.lock().unwrap_or_else(|e| e.into_inner());
    let first = rx.recv().ok()?;
    let mut batch = vec![first];
    while batch.len() < max {
        match rx.try_recv() {
            Ok(j) => batch.push(j),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// How often a write that lost a deadlock or a serialization conflict is run again.
const BUSY_RETRIES: u32 = 30;

/// How long the resolver keeps asking what became of a commit cut short before it gives up
/// and answers that the outcome is unknown (the database is then away for longer than this).
const RESOLVE_FOR: Duration = Duration::from_secs(300);

/// Once the server stops, how much longer the resolver asks before answering "unknown".
const RESOLVE_AT_STOP: Duration = Duration::from_secs(10);

fn run(
    mut conn: Option<Box<dyn Conn>>,
    rx: &Mutex<Receiver<Job>>,
    answers: &Sender<Answers>,
    aside: &Sender<Uncertain>,
    shared: &Shared,
) {
    let mut rewinder = checkpoint::Rewinder::default();
    while let Some(batch) = next_batch(rx, shared.max_batch) {
        if let (Some(r), Some(c)) = (&shared.rewind, conn.as_mut()) {
            rewinder.between_batches(c.as_mut(), r);
        }
        let started = Instant::now();
        let size = batch.len();
        let Settled { answers: mut answered, uncertain } = settle(&mut conn, shared, batch);
        metrics::histogram!("haicap_writer_batch_size").record(size as f64);
        metrics::histogram!("haicap_writer_commit_seconds").record(started.elapsed().as_secs_f64());
        for u in uncertain {
            // The resolver lives as long as any writer: a send cannot fail while this one runs.
            if let Err(e) = aside.send(u) {
                answered.extend(unknown(e.0));
            }
        }
        // The notifier lives as long as any writer: a send cannot fail while this one runs.
        if let Err(e) = answers.send(answered) {
            e.0.into_iter().for_each(|(job, r)| (job.finish)(r));
        }
    }
}

/// Runs a batch in one transaction; when that fails, runs each of its writes alone, so that
/// only a write that fails by itself is refused.
fn settle(conn: &mut Option<Box<dyn Conn>>, shared: &Shared, mut batch: Vec<Job>) -> Settled {
    // Numbers taken for this batch's writes (see `tx`), held until it is answered.
    let mut numbers = Reserved::default();
    let refuse_all = |batch: Vec<Job>, e: StoreError| Settled {
        answers: batch.into_iter().map(|j| (j, Err(e.clone()))).collect(),
        uncertain: Vec::new(),
    };
    match attempt(conn, shared, &mut numbers, &mut batch) {
        Ok(()) => {
            Settled { answers: batch.into_iter().map(|j| (j, Ok(()))).collect(), uncertain: Vec::new() }
        }
        Err(Failure::Uncertain(id)) => {
            Settled { answers: Vec::new(), uncertain: vec![Uncertain::new(id, batch)] }
        }
        // The database is away: every write of the batch is refused (none was kept).
        Err(Failure::Refused(e @ StoreError::Unavailable(_))) => refuse_all(batch, e),
        // A write alone that failed by itself is refused at once; only a lost deadlock or
        // conflict is worth running again.
        Err(Failure::Refused(e)) if batch.len() == 1 && !matches!(e, StoreError::Busy(_)) => {
            refuse_all(batch, e)
        }
        // One write failed (or several writers' batches deadlocked, and the database aborted
        // this one): run each alone.
        Err(Failure::Refused(_)) => {
            let mut settled = Settled::default();
            for mut job in batch {
                match alone(conn, shared, &mut numbers, &mut job) {
                    Ok(()) => settled.answers.push((job, Ok(()))),
                    Err(Failure::Refused(e)) => settled.answers.push((job, Err(e))),
                    Err(Failure::Uncertain(id)) => settled.uncertain.push(Uncertain::new(id, vec![job])),
                }
            }
            settled
        }
    }
}

/// Runs one write in its own transaction, again after a deadlock or serialization conflict
/// (another writer's transaction went first; nothing of this one was kept).
fn alone(
    conn: &mut Option<Box<dyn Conn>>,
    shared: &Shared,
    numbers: &mut Reserved,
    job: &mut Job,
) -> Result<(), Failure> {
    let mut tries = 0;
    loop {
        match attempt(conn, shared, numbers, std::slice::from_mut(job)) {
            Err(Failure::Refused(StoreError::Busy(_))) if tries < BUSY_RETRIES => {
                tries += 1;
                // A jittered pause, so that writers that collided do not collide again in step.
                let cap = 1u64 << tries.min(6);
                std::thread::sleep(Duration::from_millis(1 + jitter() % cap));
            }
            r => return r,
        }
    }
}

fn jitter() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64)
}

/// How a transaction failed.
enum TxError {
    /// Nothing of it was kept.
    Failed(StoreError),
    /// The connection was lost while committing: the transaction `id` may or may not be on
    /// disk.
    Uncertain(i64, StoreError),
}

/// How an attempt at a batch failed.
enum Failure {
    /// Nothing of it was kept.
    Refused(StoreError),
    /// Its commit was cut short: the transaction `id` may or may not be on disk.
    Uncertain(i64),
}

/// Runs the jobs in one transaction on the writer's connection, connecting first when it has
/// none. A connection found lost before the commit is dropped, and the transaction run once
/// more on a new one (at once: a server restarted, or a connection cut by a proxy, is usually
/// back already).
fn attempt(
    conn: &mut Option<Box<dyn Conn>>,
    shared: &Shared,
    numbers: &mut Reserved,
    jobs: &mut [Job],
) -> Result<(), Failure> {
    let mut last = None;
    for _ in 0..2 {
        let c = match conn {
            Some(c) if !c.is_broken() => c,
            _ => match (shared.connect)() {
                Ok(c) => {
                    metrics::counter!("haicap_db_reconnects_total").increment(1);
                    conn.insert(c)
                }
                Err(e) => {
                    *conn = None;
                    shared.health.could_not_connect(&e);
                    return Err(Failure::Refused(e));
                }
            },
        };
        match in_one_transaction(c.as_mut(), numbers, jobs) {
            Ok(()) => {
                shared.health.answered();
                return Ok(());
            }
            Err(TxError::Failed(e @ StoreError::Unavailable(_))) => {
                *conn = None;
                shared.health.lost(&e);
                last = Some(e);
            }
            Err(TxError::Failed(e)) => return Err(Failure::Refused(e)),
            Err(TxError::Uncertain(id, e)) => {
                *conn = None;
                shared.health.lost(&e);
                return Err(Failure::Uncertain(id));
            }
        }
    }
    Err(Failure::Refused(last.unwrap_or_else(|| StoreError::Unavailable("không ghi được dữ liệu".into()))))
}

/// The resolver: asks, on a connection of its own, what became of each transaction whose
/// commit was cut short, until the database answers or [`RESOLVE_FOR`] has passed. Their
/// callers wait meanwhile (answering them "failed" could make them repeat a write that was
/// kept); the writers go on with the others.
fn resolve_aside(rx: &Receiver<Uncertain>, answers: &Sender<Answers>, shared: &Shared) {
    let mut conn: Option<Box<dyn Conn>> = None;
    let mut waiting: Vec<Uncertain> = Vec::new();
    let mut open = true;
    let mut pause = Duration::from_millis(50);
    metrics::gauge!("haicap_writer_unresolved_commits").set(0.0);
    loop {
        // Wait for work when there is none; between rounds of asking, a pause that new work
        // cuts short (and starts again from the shortest).
        let had = waiting.len();
        if open {
            open = receive(rx, &mut waiting, (had > 0).then_some(pause));
            if !open {
                // The server stops: what the database does not answer soon is unknown.
                let by = Instant::now() + RESOLVE_AT_STOP;
                waiting.iter_mut().for_each(|u| u.until = u.until.min(by));
            }
        } else if !waiting.is_empty() {
            std::thread::sleep(pause);
        }
        if waiting.is_empty() {
            return;
        }
        pause = if waiting.len() > had {
            Duration::from_millis(50)
        } else {
            (pause * 2).min(Duration::from_secs(2))
        };
        let mut answered = Answers::new();
        let mut reachable = true;
        for u in std::mem::take(&mut waiting) {
            // One unanswered question a round: a host that drops packets makes each wait.
            let outcome = if reachable { ask(&mut conn, shared, u.id) } else { None };
            reachable = outcome.is_some();
            match outcome {
                Some(o @ (Outcome::Committed | Outcome::Aborted)) => {
                    tracing::warn!(transaction = u.id, outcome = ?o, "kết quả ghi bị gián đoạn khi lưu đã được xác định");
                    if o == Outcome::Committed {
                        answered.extend(u.jobs.into_iter().map(|j| (j, Ok(()))));
                    } else {
                        // Not kept: run again.
                        let settled = settle(&mut conn, shared, u.jobs);
                        answered.extend(settled.answers);
                        waiting.extend(settled.uncertain);
                    }
                }
                Some(Outcome::Unknown) => answered.extend(unknown(u)),
                // Away, or its server process still finishing: ask again later.
                _ if Instant::now() >= u.until => answered.extend(unknown(u)),
                _ => waiting.push(u),
            }
        }
        metrics::gauge!("haicap_writer_unresolved_commits").set(waiting.len() as f64);
        if !answered.is_empty() {
            if let Err(e) = answers.send(answered) {
                e.0.into_iter().for_each(|(job, r)| (job.finish)(r));
            }
        }
    }
}

/// Takes what the writers handed over: waits for the first (for `wait`, or for as long as it
/// takes), then takes the rest at once. False once the writers are gone.
fn receive(rx: &Receiver<Uncertain>, waiting: &mut Vec<Uncertain>, wait: Option<Duration>) -> bool {
    let first = match wait {
        Some(d) => rx.recv_timeout(d),
        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
    };
    match first {
        Ok(u) => waiting.push(u),
        Err(RecvTimeoutError::Timeout) => return true,
        Err(RecvTimeoutError::Disconnected) => return false,
    }
    loop {
        match rx.try_recv() {
            Ok(u) => waiting.push(u),
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Disconnected) => return false,
        }
    }
}

/// Asks what became of the transaction `id`; `None` while the database does not answer.
fn ask(conn: &mut Option<Box<dyn Conn>>, shared: &Shared, id: i64) -> Option<Outcome> {
    let c = match conn {
        Some(c) => c,
        None => match (shared.connect)() {
            Ok(c) => conn.insert(c),
            Err(e) => {
                shared.health.could_not_connect(&e);
                return None;
            }
        },
    };
    match c.transaction_outcome(id) {
        Ok(o) => {
            shared.health.answered();
            Some(o)
        }
        Err(e) => {
            *conn = None;
            shared.health.lost(&e);
            None
        }
    }
}

/// The answers to writes whose outcome could not be learnt.
fn unknown(u: Uncertain) -> Answers {
    tracing::error!(transaction = u.id, "không xác định được kết quả ghi (tra bằng txid_status)");
    let e = StoreError::OutcomeUnknown(format!("không xác định được kết quả giao dịch {}", u.id));
    u.jobs.into_iter().map(|j| (j, Err(e.clone()))).collect()
}

/// Runs a job's work. A bug that panics in it fails that write (its batch is rolled back and
/// the others run again alone) instead of ending the writer's thread, which every later write
/// of the server waits for.
fn run_job(job: &mut Job, conn: &mut dyn Conn) -> Result<(), StoreError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.work)(conn))) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("");
            tracing::error!(cause = what, "một thao tác ghi bị lỗi lập trình (panic); đã huỷ thao tác đó");
            Err(StoreError::Database(format!("panic: {what}")))
        }
    }
}

fn in_one_transaction(conn: &mut dyn Conn, numbers: &mut Reserved, jobs: &mut [Job]) -> Result<(), TxError> {
    // The numbers held once the batch's are taken: what a transaction that failed drew is
    // given back, for its writes run again; one whose commit was cut short keeps them spent
    // (kept or not: a number is never given twice).
    let mut held = None;
    let r = (|| {
        let id = numbers.top_up_and_begin(conn, jobs.iter().filter_map(|j| j.number.as_deref()))?;
        held = Some(numbers.clone());
        let mut tx = Tx::new(conn, numbers);
        jobs.iter_mut().try_for_each(|j| run_job(j, &mut tx))?;
        tx.write_sums()?;
        Ok(id)
    })();
    let failed = |conn: &mut dyn Conn, numbers: &mut Reserved, e| {
        let _ = conn.batch("ROLLBACK");
        if let Some(held) = held.clone() {
            *numbers = held;
        }
        Err(TxError::Failed(e))
    };
    let id = match r {
        Ok(id) => id,
        Err(e) => return failed(conn, numbers, e),
    };
    match conn.batch("COMMIT") {
        Ok(()) => Ok(()),
        Err(e @ StoreError::Unavailable(_)) => match id {
            Some(id) => Err(TxError::Uncertain(id, e)),
            None => failed(conn, numbers, e),
        },
        Err(e) => failed(conn, numbers, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Row, Val};
    use crate::{test_database, DbUrl, Dialect};
    use std::sync::atomic::{AtomicU8, Ordering};

    /// How the next COMMIT of a [`Cut`] connection goes wrong.
    const FINE: u8 = 0;
    /// The commit reaches the database, then the connection is cut before the answer.
    const CUT_AFTER_COMMIT: u8 = 1;
    /// The connection is cut before the commit reaches the database.
    const CUT_BEFORE_COMMIT: u8 = 2;
    /// The commit reaches the database, then the database goes away before the answer.
    const GONE_AFTER_COMMIT: u8 = 3;
    /// The commit reaches the database, the answer is lost, and the database cannot say what
    /// became of the transaction (it is asked too late).
    const FORGOTTEN_AFTER_COMMIT: u8 = 4;
    /// Set by the above: the next question about a transaction is answered "unknown".
    const UNKNOWABLE: u8 = 5;

    /// A real connection whose COMMIT can be made to fail as a lost connection.
    struct Cut {
        inner: Box<dyn Conn>,
        next: Arc<AtomicU8>,
        /// Set when the database is away: no connection can be made.
        away: Arc<AtomicBool>,
    }

    /// Connections to `url` as [`Cut`] ones, refused while `away` is set.
    fn cut_connections(url: &DbUrl, next: &Arc<AtomicU8>, away: &Arc<AtomicBool>) -> Connect {
        let (url, next, away) = (url.clone(), next.clone(), away.clone());
        Arc::new(move || {
            if away.load(Ordering::SeqCst) {
                return Err(StoreError::Unavailable("connection refused".into()));
            }
            Ok(Box::new(Cut { inner: url.connect()?, next: next.clone(), away: away.clone() })
                as Box<dyn Conn>)
        })
    }

    impl Conn for Cut {
        fn dialect(&self) -> Dialect {
            self.inner.dialect()
        }
        fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
            if sql == "COMMIT" {
                let lost = || Err(StoreError::Unavailable("connection closed".into()));
                match self.next.swap(FINE, Ordering::SeqCst) {
                    CUT_AFTER_COMMIT => {
                        self.inner.batch("COMMIT")?;
                        return lost();
                    }
                    CUT_BEFORE_COMMIT => {
                        self.inner.batch("ROLLBACK")?;
                        return lost();
                    }
                    GONE_AFTER_COMMIT => {
                        self.inner.batch("COMMIT")?;
                        self.away.store(true, Ordering::SeqCst);
                        return lost();
                    }
                    FORGOTTEN_AFTER_COMMIT => {
                        self.inner.batch("COMMIT")?;
                        self.next.store(UNKNOWABLE, Ordering::SeqCst);
                        return lost();
                    }
                    _ => {}
                }
            }
            self.inner.batch(sql)
        }
        fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
            self.inner.exec(sql, params)
        }
        fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
            self.inner.query(sql, params)
        }
        fn exec_later(&mut self, sql: &str, params: Vec<Val>) -> Result<(), StoreError> {
            self.inner.exec_later(sql, params)
        }
        fn exec_later_expecting(&mut self, sql: &str, params: Vec<Val>, rows: u64) -> Result<(), StoreError> {
            self.inner.exec_later_expecting(sql, params, rows)
        }
        fn begin_tracked(&mut self) -> Result<Option<i64>, StoreError> {
            self.inner.begin_tracked()
        }
        fn transaction_outcome(&mut self, id: i64) -> Result<Outcome, StoreError> {
            if self.next.compare_exchange(UNKNOWABLE, FINE, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                return Ok(Outcome::Unknown);
            }
            self.inner.transaction_outcome(id)
        }
    }

    fn count(url: &DbUrl, id: i64) -> i64 {
        let mut c = url.connect().unwrap();
        c.count("SELECT count(*) FROM probe WHERE id = $1", &[Val::Int(id)]).unwrap()
    }

    #[test]
    fn a_commit_cut_short_is_answered_from_what_the_database_kept() {
        let Some((url, mut admin, name)) = test_database() else { return };
        url.connect().unwrap().batch("CREATE TABLE probe (id BIGINT NOT NULL)").unwrap();
        let next = Arc::new(AtomicU8::new(FINE));
        let connect = cut_connections(&url, &next, &Arc::default());
        let health = Arc::new(Health::default());
        let writer = Writer::start(vec![connect().unwrap()], connect, health.clone(), 16, None);
        let write = |id: i64| {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            writer.submit(
                None,
                move |c| c.exec("INSERT INTO probe (id) VALUES ($1)", &[Val::Int(id)]),
                move |r| tx.send(r).unwrap(),
            );
            rx.recv().unwrap()
        };

        // Kept, though the answer was lost: acknowledged, and not run again.
        next.store(CUT_AFTER_COMMIT, Ordering::SeqCst);
        assert_eq!(write(1), Ok(1));
        assert_eq!(count(&url, 1), 1, "applied once");

        // Not kept: run again on a new connection, and kept once.
        next.store(CUT_BEFORE_COMMIT, Ordering::SeqCst);
        assert_eq!(write(2), Ok(1));
        assert_eq!(count(&url, 2), 1, "applied once");

        // Kept, but the database cannot say so: not "unavailable" (which promises that nothing
        // was kept, so that a client repeats it), but "unknown".
        next.store(FORGOTTEN_AFTER_COMMIT, Ordering::SeqCst);
        let e = write(4).unwrap_err();
        assert!(matches!(e, StoreError::OutcomeUnknown(_)), "{e:?}");
        assert_eq!(e.code().as_str(), "db_outcome_unknown");
        assert_eq!(count(&url, 4), 1, "it was kept");

        // And the writer goes on as before.
        assert_eq!(write(3), Ok(1));
        assert!(health.is_up());
        drop(writer);
        admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    }

    #[test]
    fn while_a_cut_commit_waits_for_the_database_the_writer_refuses_the_next_writes_at_once() {
        let Some((url, mut admin, name)) = test_database() else { return };
        url.connect().unwrap().batch("CREATE TABLE probe (id BIGINT NOT NULL)").unwrap();
        let (next, away) = (Arc::new(AtomicU8::new(FINE)), Arc::new(AtomicBool::new(false)));
        let connect = cut_connections(&url, &next, &away);
        let health = Arc::new(Health::default());
        // One writer thread: the cut commit must not hold it.
        let writer = Writer::start(vec![connect().unwrap()], connect, health.clone(), 16, None);
        let write = |id: i64| {
            let (tx, rx) = std::sync::mpsc::channel();
            writer.submit(
                None,
                move |c| c.exec("INSERT INTO probe (id) VALUES ($1)", &[Val::Int(id)]),
                move |r| tx.send(r).unwrap(),
            );
            rx
        };

        next.store(GONE_AFTER_COMMIT, Ordering::SeqCst);
        let first = write(1);
        // Its outcome cannot be learnt while the database is away: no answer yet.
        assert!(first.recv_timeout(Duration::from_millis(300)).is_err());
        assert!(!health.is_up());
        // The next write is refused at once, in the store's words, and not kept.
        let second = write(2).recv_timeout(Duration::from_secs(5)).expect("answered while the first waits");
        assert!(matches!(second, Err(StoreError::Unavailable(_))), "{second:?}");
        assert!(first.try_recv().is_err(), "the cut commit is not answered before the database is back");

        // Back: the first was kept, so it is acknowledged (not run again); writes go on.
        away.store(false, Ordering::SeqCst);
        assert_eq!(first.recv_timeout(Duration::from_secs(10)).expect("answered once it is back"), Ok(1));
        assert_eq!(write(3).recv_timeout(Duration::from_secs(10)).unwrap(), Ok(1));
        assert_eq!((count(&url, 1), count(&url, 2), count(&url, 3)), (1, 0, 1));
        assert!(health.is_up());
        drop(writer);
        admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    }

    #[test]
    fn a_write_sent_later_that_fails_is_refused_alone_and_the_others_of_its_batch_kept() {
        let Some((url, mut admin, name)) = test_database() else { return };
        url.connect().unwrap().batch("CREATE TABLE probe (id BIGINT PRIMARY KEY)").unwrap();
        let connect: Connect = {
            let url = url.clone();
            Arc::new(move || url.connect())
        };
        let writer = Writer::start(vec![connect().unwrap()], connect, Default::default(), 64, None);
        let (tx, rx) = std::sync::mpsc::channel();
        // Handed over at once, so that they share batches: a duplicate among good ones, each
        // sent without waiting for its answer (pipelined on PostgreSQL).
        for id in [1i64, 2, 1, 3, 4] {
            let tx = tx.clone();
            writer.submit(
                None,
                move |c| c.exec_later("INSERT INTO probe (id) VALUES ($1)", vec![Val::Int(id)]),
                move |r| tx.send((id, r)).unwrap(),
            );
        }
        let mut answers: Vec<(i64, Result<(), StoreError>)> = (0..5).map(|_| rx.recv().unwrap()).collect();
        answers.sort_by_key(|(id, r)| (*id, r.is_err()));
        let refused: Vec<_> = answers.iter().filter(|(_, r)| r.is_err()).collect();
        assert_eq!(refused.len(), 1, "{answers:?}");
        assert!(matches!(refused[0], (1, Err(StoreError::Constraint(_)))), "{answers:?}");
        for id in [1, 2, 3, 4] {
            assert_eq!(count(&url, id), 1);
        }
        drop(writer);
        admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    }

    /// A conditional update sent without waiting for its answer, then an insert: kept when the
    /// condition holds; when it does not, the write is refused as stale and nothing of it kept
    /// (its COMMIT travels with it, so the database itself must refuse it).
    fn conditional_updates(url: &DbUrl) {
        let mut c = url.connect().unwrap();
        c.batch("CREATE TABLE item (id BIGINT PRIMARY KEY, version BIGINT NOT NULL)").unwrap();
        c.batch("CREATE TABLE probe (id BIGINT NOT NULL)").unwrap();
        c.batch("INSERT INTO item (id, version) VALUES (1, 1)").unwrap();
        let connect: Connect = {
            let url = url.clone();
            Arc::new(move || url.connect())
        };
        let writer = Writer::start(vec![connect().unwrap()], connect, Default::default(), 16, None);
        let (tx, rx) = std::sync::mpsc::channel();
        // Handed over at once: the second, read at version 1 too, shares the first's batch or
        // follows it, and finds version 2 either way.
        for (probe, seen) in [(10i64, 1i64), (20, 1), (30, 2)] {
            let tx = tx.clone();
            writer.submit(
                None,
                move |c| {
                    c.exec_later_expecting(
                        "UPDATE item SET version = version + 1 WHERE id = 1 AND version = $1",
                        vec![Val::Int(seen)],
                        1,
                    )?;
                    c.exec_later("INSERT INTO probe (id) VALUES ($1)", vec![Val::Int(probe)])
                },
                move |r| tx.send((probe, r)).unwrap(),
            );
        }
        let mut answers: Vec<_> = (0..3).map(|_| rx.recv().unwrap()).collect();
        answers.sort_by_key(|a| a.0);
        assert!(answers[0].1.is_ok() && answers[2].1.is_ok(), "{answers:?}");
        assert!(matches!(&answers[1].1, Err(StoreError::Stale(_))), "{answers:?}");
        drop(writer);
        let ids = c.query("SELECT id FROM probe ORDER BY id", &[]).unwrap();
        assert_eq!(ids.iter().map(|r| r.int(0).unwrap()).collect::<Vec<_>>(), [10, 30]);
        let version = c.query_one("SELECT version FROM item", &[]).unwrap().unwrap().int(0);
        assert_eq!(version, Some(3));
    }

    #[test]
    fn a_conditional_update_that_finds_its_row_changed_is_refused_as_stale_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        conditional_updates(&DbUrl::Sqlite(dir.path().join("c.db")));
    }

    #[test]
    fn a_conditional_update_that_finds_its_row_changed_is_refused_as_stale_postgres() {
        let Some((url, mut admin, name)) = test_database() else { return };
        conditional_updates(&url);
        admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    }

    #[test]
    fn a_write_that_panics_is_refused_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let url = DbUrl::Sqlite(dir.path().join("p.db"));
        url.connect().unwrap().batch("CREATE TABLE probe (id BIGINT NOT NULL)").unwrap();
        let connect: Connect = {
            let url = url.clone();
            Arc::new(move || url.connect())
        };
        let writer = Writer::start(vec![connect().unwrap()], connect, Default::default(), 16, None);
        let (tx, rx) = std::sync::mpsc::channel();
        for id in [1i64, 2, 3] {
            let tx = tx.clone();
            writer.submit(
                None,
                move |c| {
                    c.exec("INSERT INTO probe (id) VALUES ($1)", &[Val::Int(id)])?;
                    if id == 2 {
                        panic!("a bug in write {id}");
                    }
                    Ok(())
                },
                move |r| tx.send((id, r)).unwrap(),
            );
        }
        let mut answers: Vec<_> = (0..3).map(|_| rx.recv().unwrap()).collect();
        answers.sort_by_key(|a| a.0);
        assert!(answers[0].1.is_ok() && answers[2].1.is_ok(), "{answers:?}");
        assert!(matches!(&answers[1].1, Err(StoreError::Database(m)) if m.contains("a bug")), "{answers:?}");
        // Its insert was rolled back; the writer still writes.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        writer.submit(
            None,
            |c| c.exec("INSERT INTO probe (id) VALUES (4)", &[]),
            move |r| tx.send(r).unwrap(),
        );
        assert_eq!(rx.recv().unwrap(), Ok(1));
        assert!(writer.alive());
        let ids = url.connect().unwrap().query("SELECT id FROM probe ORDER BY id", &[]).unwrap();
        assert_eq!(ids.iter().map(|r| r.int(0).unwrap()).collect::<Vec<_>>(), [1, 3, 4]);
    }

    /// 120 writes handed over at once to two writers (PostgreSQL; SQLite has one), each taking
    /// a number of one of three counters and adding 1 to that counter's sum; the 50th fails
    /// after taking its number. Returns the numbers given per counter and the sums.
    fn numbered_writes(url: &DbUrl, writers: usize) -> (Vec<Vec<i64>>, Vec<i64>) {
        let mut c = url.connect().unwrap();
        c.batch("CREATE TABLE counters (key TEXT PRIMARY KEY, value BIGINT NOT NULL)").unwrap();
        c.batch("CREATE TABLE given (key TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (key, n))").unwrap();
        c.batch("CREATE TABLE sums (key TEXT PRIMARY KEY, total BIGINT NOT NULL)").unwrap();
        let connect: Connect = {
            let url = url.clone();
            Arc::new(move || url.connect())
        };
        let conns = (0..writers).map(|_| connect().unwrap()).collect();
        let writer = Writer::start(conns, connect, Default::default(), 64, None);
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..120i64 {
            let key = format!("k{}", i % 3);
            let tx = tx.clone();
            writer.submit(
                Some(key.clone()),
                move |c| {
                    let n = c.next_number(&key)?;
                    c.exec_later("INSERT INTO given (key, n) VALUES ($1, $2)", vec![key.as_str().into(), Val::Int(n)])?;
                    c.add_at_commit(
                        "INSERT INTO sums (key, total) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET total = sums.total + excluded.total",
                        vec![key.as_str().into(), Val::Int(1)],
                        1,
                    )?;
                    if i == 50 {
                        return Err(StoreError::Constraint("refused".into()));
                    }
                    Ok(())
                },
                move |r| tx.send((i, r)).unwrap(),
            );
        }
        let answers: Vec<(i64, Result<(), StoreError>)> = (0..120).map(|_| rx.recv().unwrap()).collect();
        assert_eq!(answers.iter().filter(|(_, r)| r.is_err()).map(|(i, _)| *i).collect::<Vec<_>>(), [50]);
        drop(writer);
        let mut read = |sql: &str| -> Vec<(String, i64)> {
            c.query(sql, &[]).unwrap().iter().map(|r| (r.string(0), r.int(1).unwrap())).collect()
        };
        let given = read("SELECT key, n FROM given ORDER BY key, n");
        let numbers = ["k0", "k1", "k2"]
            .iter()
            .map(|k| given.iter().filter(|(g, _)| g == k).map(|(_, n)| *n).collect())
            .collect();
        let sums = read("SELECT key, total FROM sums ORDER BY key").into_iter().map(|(_, t)| t).collect();
        (numbers, sums)
    }

    #[test]
    fn numbers_are_given_once_and_sums_count_only_what_was_kept_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let (numbers, sums) = numbered_writes(&DbUrl::Sqlite(dir.path().join("n.db")), 1);
        // Taken in the transaction: the failed write gave its number back (k2: 50 % 3).
        assert_eq!(numbers[0], (1..=40).collect::<Vec<_>>());
        assert_eq!(numbers[2], (1..=39).collect::<Vec<_>>());
        assert_eq!(sums, [40, 40, 39]);
    }

    #[test]
    fn numbers_are_given_once_and_sums_count_only_what_was_kept_postgres() {
        let Some((url, mut admin, name)) = test_database() else { return };
        let (numbers, sums) = numbered_writes(&url, 2);
        assert_eq!(sums, [40, 40, 39]);
        for (k, given) in numbers.iter().enumerate() {
            // Unique (the table's key), in order, and as many as were kept.
            assert_eq!(given.len() as i64, sums[k]);
            assert!(given.windows(2).all(|w| w[0] < w[1]));
        }
        // The counters that no write failed in have no gap.
        assert_eq!(numbers[0], (1..=40).collect::<Vec<_>>());
        assert_eq!(numbers[1], (1..=40).collect::<Vec<_>>());
        // The refused write's number is skipped at most: its batch's others took theirs again.
        assert!(numbers[2].last().is_some_and(|&n| n <= 40), "{:?}", numbers[2]);
        admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
    }
}
