//! The group-commit writer: callers hand it writes; it runs as many as are waiting in one
//! transaction, commits once, and only then answers each caller.
//!
//! The answers are given by a thread of its own, the notifier, which the writer hands each
//! committed batch. Waking a waiting caller is a system call after which the scheduler often
//! runs the caller in the writer's place: answering a batch of twenty callers itself, the
//! writer spent a third of its time off the processor (`perf` on a national trial run). The
//! notifier also drops the finished writes, whose captures (dossier records with their
//! histories) would otherwise be freed on the writer's thread.

use crate::checkpoint;
use crate::conn::Conn;
use crate::StoreError;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

type Work = Box<dyn FnMut(&mut dyn Conn) -> Result<(), StoreError> + Send>;
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

struct Job {
    work: Work,
    finish: Finish,
}

/// Committed (or refused) writes and their outcomes, for the notifier.
type Answers = Vec<(Job, Result<(), StoreError>)>;

pub(crate) struct Writer {
    tx: Option<Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
    notifier: Option<JoinHandle<()>>,
}

impl Writer {
    /// `rewind`: set by SQLite's checkpointer when the writer should finish a checkpoint.
    pub(crate) fn start(
        conns: Vec<Box<dyn Conn>>,
        max_batch: usize,
        rewind: Option<Arc<AtomicBool>>,
    ) -> Writer {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let (answer_tx, answer_rx) = channel::<Answers>();
        let threads = conns
            .into_iter()
            .enumerate()
            .map(|(i, mut conn)| {
                let rx = rx.clone();
                let rewind = rewind.clone();
                let answers = answer_tx.clone();
                std::thread::Builder::new()
                    .name(format!("haicap-writer-{i}"))
                    .spawn(move || run(conn.as_mut(), &rx, &answers, max_batch, rewind.as_deref()))
                    .expect("a thread can be started")
            })
            .collect();
        // It stops once every writer has stopped (their senders are gone).
        drop(answer_tx);
        let notifier = std::thread::Builder::new()
            .name("haicap-notifier".into())
            .spawn(move || {
                for answers in answer_rx {
                    answers.into_iter().for_each(|(job, r)| (job.finish)(r));
                }
            })
            .expect("a thread can be started");
        Writer { tx: Some(tx), threads, notifier: Some(notifier) }
    }

    pub(crate) fn submit<T, F, D>(&self, mut work: F, done: D)
    where
        T: Send + 'static,
        F: FnMut(&mut dyn Conn) -> Result<T, StoreError> + Send + 'static,
        D: FnOnce(Result<T, StoreError>) + Send + 'static,
    {
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let out = slot.clone();
        let job = Job {
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
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue lets each thread finish what it holds and stop.
        self.tx = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        if let Some(n) = self.notifier.take() {
            let _ = n.join();
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

fn run(
    conn: &mut dyn Conn,
    rx: &Mutex<Receiver<Job>>,
    answers: &Sender<Answers>,
    max_batch: usize,
    rewind: Option<&AtomicBool>,
) {
    let mut rewinder = checkpoint::Rewinder::default();
    while let Some(mut batch) = next_batch(rx, max_batch) {
        if let Some(r) = rewind {
            rewinder.between_batches(conn, r);
        }
        let answered: Answers = match in_one_transaction(conn, &mut batch) {
            Ok(()) => batch.into_iter().map(|j| (j, Ok(()))).collect(),
            // A write alone that failed by itself is refused at once; only a lost deadlock or
            // conflict is worth running again.
            Err(e) if batch.len() == 1 && !matches!(e, StoreError::Busy(_)) => {
                batch.into_iter().map(|j| (j, Err(e.clone()))).collect()
            }
            // One write failed (or several writers' batches deadlocked, and the database
            // aborted this one): run each alone, so that only a write that fails by itself is
            // refused.
            Err(_) => batch
                .into_iter()
                .map(|mut job| {
                    let r = alone(conn, &mut job);
                    (job, r)
                })
                .collect(),
        };
        // The notifier lives as long as any writer: a send cannot fail while this one runs.
        if let Err(e) = answers.send(answered) {
            e.0.into_iter().for_each(|(job, r)| (job.finish)(r));
        }
    }
}

/// Runs one write in its own transaction, again after a deadlock or serialization conflict
/// (another writer's transaction went first; nothing of this one was kept).
fn alone(conn: &mut dyn Conn, job: &mut Job) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        match in_one_transaction(conn, std::slice::from_mut(job)) {
            Err(StoreError::Busy(_)) if attempt < BUSY_RETRIES => {
                attempt += 1;
                // A jittered pause, so that writers that collided do not collide again in step.
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos() as u64);
                let cap = 1u64 << attempt.min(6);
                std::thread::sleep(std::time::Duration::from_millis(1 + nanos % cap));
            }
            r => return r,
        }
    }
}

fn in_one_transaction(conn: &mut dyn Conn, jobs: &mut [Job]) -> Result<(), StoreError> {
    conn.begin()?;
    let r = jobs.iter_mut().try_for_each(|j| (j.work)(conn)).and_then(|_| conn.batch("COMMIT"));
    if r.is_err() {
        let _ = conn.batch("ROLLBACK");
    }
    r
}
