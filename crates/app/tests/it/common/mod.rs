//! Test databases: a fresh SQLite file, and a fresh PostgreSQL database when a server is
//! reachable (dropped afterwards). `HAICAP_TEST_PG` names the server; `HAICAP_REQUIRE_PG=1`
//! (set by CI) turns "unreachable" into a failure instead of a skip.

#![allow(dead_code)]

use app::{App, Clock};
use calendar::WorkCalendar;
use chrono::{NaiveDate, NaiveDateTime};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::Arc;
use store::DbUrl;

pub struct TestDb {
    pub url: DbUrl,
    /// The data directory (the assistant's index).
    pub data: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop_pg {
            if let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = DbUrl::Sqlite(dir.path().join("haicap.db"));
    TestDb { url, data: tempfile::tempdir().unwrap(), _dir: Some(dir), drop_pg: None }
}

static N: AtomicU32 = AtomicU32::new(0);

/// A fresh PostgreSQL database, or None (with a note) when no server answers.
pub fn postgres() -> Option<TestDb> {
    let (admin, mut client) = store::scratch::admin()?;
    let name = format!("haicap_t{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = store::scratch::url_of(&admin, &name);
    Some(TestDb {
        url: DbUrl::Postgres(url),
        data: tempfile::tempdir().unwrap(),
        _dir: None,
        drop_pg: Some((admin, name)),
    })
}

/// Every backend this machine has: SQLite always, PostgreSQL when reachable.
pub fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

/// Runs `test` on each database there is (SQLite, and PostgreSQL when it answers).
pub fn each_backend(test: impl Fn(&TestDb)) {
    for db in backends() {
        eprintln!("backend: {}", db.url);
        test(&db);
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct HandClock(Arc<AtomicI64>);

impl HandClock {
    pub fn at(t: NaiveDateTime) -> HandClock {
        HandClock(Arc::new(AtomicI64::new(t.and_utc().timestamp_nanos_opt().unwrap())))
    }
    pub fn set(&self, t: NaiveDateTime) {
        self.0.store(t.and_utc().timestamp_nanos_opt().unwrap(), Ordering::SeqCst);
    }
    pub fn clock(&self) -> Clock {
        let s = self.0.clone();
        Arc::new(move || chrono::DateTime::from_timestamp_nanos(s.load(Ordering::SeqCst)).naive_utc())
    }
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
}

pub fn open(db: &TestDb, clock: &HandClock) -> App {
    App::open(&db.url, WorkCalendar::default(), clock.clock())
        .unwrap()
        .with_places(app::Places::in_dir(db.data.path()))
}
