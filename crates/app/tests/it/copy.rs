//! `haicap db copy`: a province's SQLite file moved into PostgreSQL reads the same there (every
//! dossier, its verified history, the same figures), goes on working, and a copy into a
//! database that already holds data is refused without touching it.

use app::simulation::{hand_clock, simulate, SimOptions};
use app::{Actor, App};
use calendar::WorkCalendar;
use chrono::NaiveDate;
use store::{DbUrl, Val};

fn count(app: &App, sql: &str) -> i64 {
    app.store().read(|c| c.query_one(sql, &[])).unwrap().and_then(|r| r.int(0)).unwrap()
}

fn dossiers(app: &App) -> Vec<String> {
    app.store()
        .read(|c| {
            c.query(
                "SELECT code, status, applicant_name, received_at, due_at, head_hash, event_count FROM dossiers ORDER BY code",
                &[],
            )
        })
        .unwrap()
        .iter()
        .map(|r| format!("{:?} {:?} {:?} {:?} {:?} {:?} {:?}", r.text(0), r.int(1), r.text(2), r.ts(3), r.ts(4), r.text(5), r.int(6)))
        .collect()
}

fn audit_line(app: &App, insert: &'static str, at: chrono::NaiveDateTime) {
    app.store().write(move |c| c.exec(insert, &[Val::Ts(at)])).unwrap();
}

#[test]
fn a_sqlite_file_copied_into_postgres_reads_the_same_and_goes_on() {
    let Some(pg) = crate::common::postgres() else { return };
    let sqlite = crate::common::sqlite();
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let (clock, read) = hand_clock(start.and_hms_opt(7, 30, 0).unwrap());
    let from = App::open(&sqlite.url, WorkCalendar::default(), read.clone()).unwrap();
    let opts = SimOptions { days: 6, seed: 3, scale: 0.2, threads: 4 };
    let r = simulate(&from, &clock, "46", start, opts, &|_, _, _, _| {}).unwrap();
    assert!(r.dossiers > 100, "{r:?}");
    // A line of the audit log, whose id PostgreSQL numbers by a sequence.
    audit_line(
        &from,
        "INSERT INTO audit_log (id, at, actor, action, detail) VALUES (41, $1, 'cli', 'test', 'dòng\tcó\ntab')",
        start.and_hms_opt(8, 0, 0).unwrap(),
    );

    let DbUrl::Sqlite(path) = &sqlite.url else { unreachable!() };
    let DbUrl::Postgres(target) = &pg.url else { unreachable!() };
    let report = store::copy::sqlite_to_postgres(path, target, &mut |_, _| {}).unwrap();
    let copied = |t: &str| report.tables.iter().find(|(n, _)| n == t).map(|(_, n)| *n as i64);
    assert_eq!(copied("dossiers"), Some(count(&from, "SELECT COUNT(*) FROM dossiers")));
    assert_eq!(copied("events"), Some(count(&from, "SELECT COUNT(*) FROM events")));

    // The documents stay where they were: the database holds their hashes, the folder their bytes.
    let blobs = app::blobs::FsBlobs { root: path.parent().unwrap().join("blobs") };
    let to =
        App::open(&pg.url, WorkCalendar::default(), read).unwrap().with_blobs(std::sync::Arc::new(blobs));
    assert_eq!(dossiers(&to), dossiers(&from));
    assert!(to.dossiers().verify().unwrap().ok(), "the copied history verifies");
    let actor = Actor::console("t");
    let (a, b) =
        (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    let (fa, fb) = (
        from.statistics().figures("46", a, b, &actor).unwrap(),
        to.statistics().figures("46", a, b, &actor).unwrap(),
    );
    assert_eq!(format!("{fa:?}"), format!("{fb:?}"));
    let detail = to.store().read(|c| c.query_one("SELECT detail FROM audit_log WHERE id = 41", &[])).unwrap();
    assert_eq!(detail.and_then(|r| r.text(0).map(str::to_string)).as_deref(), Some("dòng\tcó\ntab"));

    // It goes on: the next audit line takes the next id, and another day of work numbers its
    // dossiers after the copied ones (the counters came along) and still verifies.
    audit_line(
        &to,
        "INSERT INTO audit_log (at, actor, action) VALUES ($1, 'cli', 'after')",
        start.and_hms_opt(9, 0, 0).unwrap(),
    );
    assert_eq!(count(&to, "SELECT MAX(id) FROM audit_log"), 42);
    let had = count(&to, "SELECT COUNT(*) FROM dossiers");
    let next = start + chrono::Duration::days(7);
    let more = SimOptions { days: 1, seed: 4, scale: 0.2, threads: 4 };
    let r2 = simulate(&to, &clock, "46", next, more, &|_, _, _, _| {}).unwrap();
    assert!(r2.dossiers > 10, "{r2:?}");
    assert_eq!(count(&to, "SELECT COUNT(*) FROM dossiers"), had + r2.dossiers as i64);
    assert!(to.dossiers().verify().unwrap().ok());

    // Into a database that holds data: refused, and nothing changed there.
    let before = count(&to, "SELECT COUNT(*) FROM events");
    let again = store::copy::sqlite_to_postgres(path, target, &mut |_, _| {}).unwrap_err();
    assert_eq!(again.code(), "db_constraint", "{again}");
    assert_eq!(count(&to, "SELECT COUNT(*) FROM events"), before);
    // And a file that is not there is named, not created.
    let missing = path.with_file_name("khong-co.db");
    assert!(store::copy::sqlite_to_postgres(&missing, target, &mut |_, _| {}).is_err());
    assert!(!missing.exists());
}
