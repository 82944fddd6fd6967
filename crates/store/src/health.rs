//! Whether the database is reachable, as the store last found it: set by every connection
//! attempt and every failure that lost a connection, read by the readiness probe, and logged
//! once when the database goes and once when it is back (not at each failed request).

use crate::StoreError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug)]
pub(crate) struct Health {
    up: AtomicBool,
    /// One more each time a connection was found lost: pooled connections of an earlier
    /// generation went to the same server and are dropped instead of tried.
    generation: AtomicU64,
    /// When the database was found gone, to log how long it was away.
    since: Mutex<Option<Instant>>,
    /// While it is gone: when a reader last tried to connect.
    last_try: Mutex<Option<Instant>>,
}

/// While the database is gone, how often a reader tries to connect: the other requests are
/// answered at once instead of each waiting for a connection that will not come (a host that
/// drops packets makes every attempt wait the whole connect timeout).
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

impl Default for Health {
    fn default() -> Self {
        Health {
            up: AtomicBool::new(true),
            generation: AtomicU64::new(0),
            since: Mutex::new(None),
            last_try: Mutex::new(None),
        }
    }
}

impl Health {
    pub(crate) fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    /// Whether a reader should try to connect now: always while the database is up; while it
    /// is gone, one reader every [`RETRY_EVERY`].
    pub(crate) fn may_try(&self) -> bool {
        if self.is_up() {
            return true;
        }
        let mut last = self.last_try.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < RETRY_EVERY) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// A connection failed in a way that says the database is gone (or the connection was cut).
    pub(crate) fn lost(&self, e: &StoreError) {
        if !matches!(e, StoreError::Unavailable(_)) {
            return;
        }
        self.generation.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("haicap_db_connection_lost_total").increment(1);
        if self.up.swap(false, Ordering::Relaxed) {
            *self.since.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            metrics::gauge!("haicap_db_up").set(0.0);
            // The driver's words are for the operator's log only, never for a client.
            tracing::error!(
                cause = e.message(),
                "mất kết nối cơ sở dữ liệu; các yêu cầu trả 503 cho đến khi kết nối lại"
            );
        }
    }

    /// A new connection could not be opened: recorded as a loss only if the database was
    /// thought to be there (while it is known to be gone, each failed attempt says nothing new).
    pub(crate) fn could_not_connect(&self, e: &StoreError) {
        if self.is_up() {
            self.lost(e);
        }
    }

    /// A statement succeeded: the database answers.
    pub(crate) fn answered(&self) {
        if !self.up.load(Ordering::Relaxed) && !self.up.swap(true, Ordering::Relaxed) {
            let away = self.since.lock().unwrap_or_else(|e| e.into_inner()).take();
            metrics::gauge!("haicap_db_up").set(1.0);
            tracing::warn!(
                away_ms = away.map_or(0, |t| t.elapsed().as_millis() as u64),
                "cơ sở dữ liệu đã kết nối lại; phục vụ bình thường"
            );
        }
    }
}
