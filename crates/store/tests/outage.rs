//! PostgreSQL restarted under load, on a throw-away cluster: the store resumes by itself,
//! keeps every write it acknowledged, and applies none twice.

mod support {
    pub mod cluster;
}

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{DbUrl, Options, Store, StoreError, Val};
use support::cluster::Cluster;

#[test]
fn a_restart_under_load_loses_nothing_acknowledged_and_applies_nothing_twice() {
    let Some(cluster) = Cluster::new() else { return };
    let url = DbUrl::parse(&cluster.url()).unwrap();
    let store = Arc::new(Store::open(&url, Options::default()).unwrap());
    store
        .write(|c| c.batch("CREATE TABLE probe (id BIGINT NOT NULL, at TIMESTAMP NOT NULL DEFAULT now())"))
        .unwrap();
    assert!(store.readiness(Duration::from_secs(3)).ready());

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let refused = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let writers: Vec<_> = (0..8i64)
        .map(|t| {
            let (store, stop, ack, refused) =
                (store.clone(), stop.clone(), acknowledged.clone(), refused.clone());
            std::thread::spawn(move || {
                let mut i = 0i64;
                while !stop.load(Ordering::Relaxed) {
                    let id = t * 1_000_000 + i;
                    i += 1;
                    // No unique key: a write applied twice would show as two rows.
                    match store.write(move |c| c.exec("INSERT INTO probe (id) VALUES ($1)", &[Val::Int(id)]))
                    {
                        Ok(_) => ack.lock().unwrap().push(id),
                        Err(e) => {
                            refused.lock().unwrap().push((id, e.code().to_string()));
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                    // Readers too, through the pool.
                    let _ = store.read(|c| c.query_one("SELECT count(*) FROM probe", &[]));
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(800));
    cluster.stop();
    // While it is away: every failure says the database is unavailable, in the store's terms,
    // and the store is not ready.
    std::thread::sleep(Duration::from_millis(500));
    assert!(!store.is_up());
    // A write now is refused, in the store's words (the writers' own refusals depend on how the
    // scheduler placed them in the outage, on a loaded machine none may fall in it).
    let e = store.write(|c| c.exec("INSERT INTO probe (id) VALUES (-2)", &[])).unwrap_err();
    assert_eq!(e.code(), "db_unavailable");
    assert!(!store.readiness(Duration::from_secs(3)).ready());
    std::thread::sleep(Duration::from_millis(1000));
    cluster.start();

    // Service resumes without anyone reopening the store.
    let back = Instant::now();
    let mut resumed = None;
    while back.elapsed() < Duration::from_secs(20) {
        if store.write(|c| c.exec("INSERT INTO probe (id) VALUES (-1)", &[])).is_ok() {
            resumed = Some(back.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let resumed = resumed.expect("writes resume within 20 s of the database's return");
    assert!(store.readiness(Duration::from_secs(3)).ready());
    assert!(store.is_up());
    let before = acknowledged.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(800));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let after = acknowledged.lock().unwrap().len();
    assert!(after > before, "the writers went on after the restart ({before} -> {after})");

    let rows =
        store.read(|c| c.query("SELECT id, count(*) FROM probe WHERE id >= 0 GROUP BY id", &[])).unwrap();
    let mut stored = HashSet::new();
    for r in &rows {
        assert_eq!(r.int(1), Some(1), "write {:?} applied {:?} times", r.int(0), r.int(1));
        stored.insert(r.int(0).unwrap());
    }
    let ack = acknowledged.lock().unwrap();
    let missing: Vec<_> = ack.iter().filter(|id| !stored.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let refused = refused.lock().unwrap();
    let kept = store.read(|c| c.query_one("SELECT count(*) FROM probe WHERE id = -2", &[])).unwrap();
    assert_eq!(kept.and_then(|r| r.int(0)), Some(0), "the write refused during the outage was not kept");
    for (id, code) in refused.iter() {
        assert_eq!(code, "db_unavailable", "write {id} refused as {code}");
        // A client told "refused" tries again: had it been kept, it would be there twice.
        assert!(!stored.contains(id), "write {id} was refused, yet stored");
    }
    eprintln!(
        "acknowledged {}, refused {} during the outage; resumed {:?} after the start",
        ack.len(),
        refused.len(),
        resumed
    );
}

#[test]
fn a_database_that_is_not_there_is_unavailable_in_the_stores_words() {
    // A port where nothing listens.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = DbUrl::parse(&format!("postgres://postgres@127.0.0.1:{port}/test")).unwrap();
    match Store::open(&url, Options::default()) {
        Err(StoreError::Unavailable(_)) => {}
        Err(e) => panic!("expected unavailable, got {e:?}"),
        Ok(_) => panic!("opened a database that is not there"),
    }
}
