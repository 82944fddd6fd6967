//! The trial run goes through the real services, is deterministic for a seed, and leaves a
//! history that verifies and figures that add up.

use app::simulation::{hand_clock, simulate, SimOptions};
use app::{Actor, App};
use calendar::WorkCalendar;
use chrono::NaiveDate;

fn run(db: &crate::common::TestDb, seed: u64, threads: usize) -> (App, app::simulation::SimReport) {
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let (clock, read) = hand_clock(start.and_hms_opt(7, 30, 0).unwrap());
    let app = App::open(&db.url, WorkCalendar::default(), read).unwrap();
    let opts = SimOptions { days: 8, seed, scale: 0.2, threads };
    let r = simulate(&app, &clock, "46", start, opts, &|_, _, _, _| {}).unwrap();
    (app, r)
}

fn snapshot(app: &App) -> Vec<String> {
    app.store()
        .read(|c| {
            c.query(
                "SELECT code, status, applicant_name, due_at, event_count FROM dossiers ORDER BY code",
                &[],
            )
        })
        .unwrap()
        .iter()
        .map(|r| format!("{:?}", r.0))
        .collect()
}

#[test]
fn a_trial_run_is_deterministic_and_adds_up() {
    let (a, b, c) = (crate::common::sqlite(), crate::common::sqlite(), crate::common::sqlite());
    let (app_a, ra) = run(&a, 7, 4);
    // Another number of threads: the same run (documents stored at once by many threads
    // once lost a dossier now and then).
    let (app_b, rb) = run(&b, 7, 16);
    let (app_c, _) = run(&c, 8, 4);
    assert!(ra.dossiers > 100 && ra.actions > ra.dossiers, "{ra:?}");
    assert_eq!(ra, rb);
    assert_eq!(snapshot(&app_a), snapshot(&app_b), "same seed, same province");
    assert_ne!(snapshot(&app_a), snapshot(&app_c), "another seed, another run");
    assert!(app_a.dossiers().verify().unwrap().ok());
    let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let f = app_a.statistics().figures("46", from, to, &Actor::console("t")).unwrap();
    let received_events = app_a
        .store()
        .read(|c| c.query_one("SELECT COUNT(*) FROM events WHERE kind = 'received'", &[]))
        .unwrap()
        .and_then(|r| r.int(0))
        .unwrap();
    assert_eq!(f.received.total, received_events);
    assert!(f.online_rate.unwrap() > 0.8, "mostly online, as Đà Nẵng: {:?}", f.online_rate);
    // Citizens' documents, ratings and transfers to the province happen as in life.
    assert!(f.digitised > f.registered_online / 2, "{} of {}", f.digitised, f.registered_online);
    assert!(f.ratings.total > 0 && f.ratings.total < f.returned, "{:?} of {}", f.ratings, f.returned);
    assert!(f.transfers > 0, "{f:?}");
    let index = app_a.statistics().service_index("46", from, to, None, &Actor::console("t")).unwrap().index;
    for code in ["4.1", "5.1", "5.2"] {
        let i = index.indicators.iter().find(|i| i.code == code).unwrap();
        assert!(i.score.is_some_and(|s| s > 0.0), "simulated data scores on {code}: {i:?}");
    }
}

#[test]
fn several_provinces_run_together_and_an_unknown_one_is_refused() {
    let db = crate::common::sqlite();
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let (clock, read) = hand_clock(start.and_hms_opt(7, 30, 0).unwrap());
    let app = App::open(&db.url, WorkCalendar::default(), read).unwrap();
    let opts = SimOptions { days: 1, seed: 1, scale: 0.1, threads: 4 };
    let e = simulate(&app, &clock, "46,99", start, opts, &|_, _, _, _| {}).unwrap_err();
    assert_eq!(e.code.as_str(), "unknown_province");
    assert_eq!(snapshot(&app).len(), 0, "nothing is simulated when the list is wrong");
    simulate(&app, &clock, "46, 48", start, opts, &|_, _, _, _| {}).unwrap();
    let provinces = app
        .store()
        .read(|c| c.query("SELECT DISTINCT province_code FROM dossiers ORDER BY 1", &[]))
        .unwrap()
        .iter()
        .map(|r| r.string(0))
        .collect::<Vec<_>>();
    assert_eq!(provinces, ["46", "48"]);
}
