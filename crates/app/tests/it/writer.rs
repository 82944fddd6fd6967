//! The group-commit writer on several PostgreSQL connections: writes that lock the same rows
//! in opposite orders deadlock now and then; the database aborts one, and the writer must run
//! it again rather than lose it.

use std::sync::atomic::{AtomicUsize, Ordering};
use store::{Options, Store, Val};

#[test]
fn deadlocked_writes_are_run_again_not_lost() {
    let Some(db) = crate::common::postgres() else { return };
    // Deadlocks found in 10 ms instead of a second (new connections of this database).
    let store::DbUrl::Postgres(url) = &db.url else { unreachable!() };
    let name = url.rsplit('/').next().unwrap();
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("ALTER DATABASE {name} SET deadlock_timeout = '10ms'")).unwrap();
    let store = Store::open(&db.url, Options { writers: 4, ..Options::default() }).unwrap();
    store
        .write(|c| c.batch("CREATE TABLE pair (k BIGINT PRIMARY KEY, v BIGINT NOT NULL); INSERT INTO pair VALUES (1, 0), (2, 0)"))
        .unwrap();
    let failed = AtomicUsize::new(0);
    let (threads, writes) = (8, 25);
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (store, failed) = (&store, &failed);
            scope.spawn(move || {
                let (first, second) = if t % 2 == 0 { (1i64, 2i64) } else { (2, 1) };
                for _ in 0..writes {
                    let r = store.write(move |c| {
                        c.exec("UPDATE pair SET v = v + 1 WHERE k = $1", &[Val::Int(first)])?;
                        // Widen the window in which the other order takes the other row.
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        c.exec("UPDATE pair SET v = v + 1 WHERE k = $1", &[Val::Int(second)])?;
                        Ok(())
                    });
                    if r.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(failed.into_inner(), 0, "no write is refused for a deadlock");
    let rows = store.read(|c| c.query("SELECT v FROM pair ORDER BY k", &[])).unwrap();
    let total = (threads * writes) as i64;
    assert_eq!(rows.iter().map(|r| r.int(0).unwrap()).collect::<Vec<_>>(), [total, total]);
}
