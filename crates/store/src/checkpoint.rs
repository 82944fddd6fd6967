//! SQLite's checkpoints on a thread of their own. The writer only appends to the WAL; copying
//! the WAL's pages into the database file, and syncing it, no longer holds up its commits (on
//! a national trial run that copy was a fifth of the writer's time).
//!
//! A passive checkpoint never waits for the writer, but the WAL only starts again from its
//! beginning when a commit finds everything in it copied; under a steady stream of commits a
//! passive pass never quite catches up. So once the WAL is long, this thread copies until
//! little is left and asks the writer to copy the rest between two of its transactions: its
//! next commit then rewinds the WAL.

use crate::conn::Conn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What a `PRAGMA wal_checkpoint` reports: pages in the WAL, and how many of them are copied.
fn checkpoint(conn: &mut dyn Conn) -> Option<(i64, i64)> {
    let row = conn.query_one("PRAGMA wal_checkpoint(PASSIVE)", &[]).ok()??;
    Some((row.col("log").ok()?, row.col("checkpointed").ok()?))
}

impl Checkpointer {
    /// Starts the thread on its own connection; it copies every `tick` (an idle database costs
    /// one cheap statement). `rewind_at`: WAL pages past which the writer is asked (through
    /// `rewind`) to finish the copy; see [`Rewinder`].
    pub(crate) fn start(
        mut conn: Box<dyn Conn>,
        tick: Duration,
        rewind_at: i64,
        rewind: Arc<AtomicBool>,
    ) -> Checkpointer {
        let (stop, rx) = channel::<()>();
        let thread = std::thread::Builder::new()
            .name("haicap-checkpoint".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(tick) {
                    let Some((mut log, mut done)) = checkpoint(conn.as_mut()) else { continue };
                    if log < rewind_at || rewind.load(Ordering::Relaxed) {
                        continue;
                    }
                    // Each pass copies what the writer added during the last one: fewer pages
                    // each time, as copying is faster than the writes that made them.
                    for _ in 0..8 {
                        // What the writer is left to copy itself.
                        if log - done <= rewind_at / 8 {
                            break;
                        }
                        match checkpoint(conn.as_mut()) {
                            Some((l, d)) => (log, done) = (l, d),
                            None => break,
                        }
                    }
                    rewind.store(true, Ordering::Relaxed);
                }
            })
            .expect("a thread can be started");
        Checkpointer { stop: Some(stop), thread: Some(thread) }
    }
}

/// How many of the writer's next batches try again when its copy was cut short.
const WRITER_ATTEMPTS: u8 = 8;

/// The writer's side of a rewind, kept on the writer's thread.
#[derive(Default)]
pub(crate) struct Rewinder {
    attempts_left: u8,
}

impl Rewinder {
    /// Called by the writer between transactions: when asked, copies the rest of the WAL so
    /// that its next commit starts the WAL again from the beginning. A copy cut short (the
    /// checkpointer's thread was copying at that moment, which a busy machine makes likely) is
    /// tried again before the next few batches rather than at the checkpointer's next tick,
    /// so the WAL does not grow by a tick's worth of writes each time; a reader holding old
    /// pages can stop it, hence the limit.
    pub(crate) fn between_batches(&mut self, conn: &mut dyn Conn, rewind: &AtomicBool) {
        if rewind.swap(false, Ordering::Relaxed) {
            self.attempts_left = WRITER_ATTEMPTS;
        }
        if self.attempts_left > 0 {
            let copied_all = matches!(checkpoint(conn), Some((log, done)) if done >= log);
            self.attempts_left = if copied_all { 0 } else { self.attempts_left - 1 };
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writer::Writer;
    use crate::DbUrl;

    fn size(p: &std::path::Path) -> u64 {
        std::fs::metadata(p).map_or(0, |m| m.len())
    }

    /// Salt-1 of a WAL's header: one more each time the WAL starts again from its beginning.
    fn salt_1(wal: &std::path::Path) -> Option<[u8; 4]> {
        use std::io::Read;
        let mut header = [0u8; 20];
        std::fs::File::open(wal).ok()?.read_exact(&mut header).ok()?;
        Some([header[16], header[17], header[18], header[19]])
    }

    #[test]
    fn the_wal_is_copied_and_rewound_while_the_writer_keeps_writing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let url = DbUrl::Sqlite(db.clone());
        let mut first = url.connect().unwrap();
        first
            .batch("PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = OFF; CREATE TABLE t (b BLOB)")
            .unwrap();
        let rewind = Arc::new(AtomicBool::new(false));
        let _checkpointer =
            Checkpointer::start(url.connect().unwrap(), Duration::from_millis(20), 256, rewind.clone());
        let connect: crate::writer::Connect = Arc::new(move || url.connect());
        let writer = Writer::start(vec![first], connect, Default::default(), 16, Some(rewind));
        let wal = dir.path().join("t.db-wal");
        let mut largest = 0;
        let (mut rewinds, mut last_salt) = (0, None);
        // 3,000 rows of 8 KiB: about 6,000 pages, 25 MB, through a WAL rewound past 256 pages.
        for _ in 0..3_000 {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            writer.submit(
                None,
                |c| c.exec("INSERT INTO t VALUES (randomblob(8192))", &[]).map(|_| ()),
                move |r| tx.send(r).unwrap(),
            );
            rx.recv().unwrap().unwrap();
            largest = largest.max(size(&wal));
            // Salt-1 of the WAL header goes up by one each time the WAL starts again.
            let salt = salt_1(&wal);
            if last_salt.is_some() && salt != last_salt {
                rewinds += 1;
            }
            last_salt = salt;
        }
        // Never rewound, the WAL would hold every page written (the file never shrinks): over
        // 25 MB. How often it is rewound depends on how often the checkpointer's thread gets a
        // processor (the WAL peaks at about 8 MB on an idle machine, and reached 28 MB in a CI
        // run on a loaded one), so the test asks for rewinds, not for a size.
        assert!(rewinds >= 2, "the WAL was rewound {rewinds} times (largest {largest} bytes)");
        // And the pages reached the database file without any checkpoint by the writer's
        // connection itself (its automatic checkpoints are off).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size(&db) < 20 << 20 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(size(&db) >= 20 << 20, "the database file holds {} bytes", size(&db));
    }
}
