//! The trial run goes through the real services, is deterministic for a seed, and leaves a
//! history that verifies and figures that add up.

mod common;

use app::simulate::{hand_clock, simulate, SimOptions};
use app::{Actor, App};
use calendar::WorkCalendar;
use chrono::NaiveDate;

fn run(db: &common::TestDb, seed: u64) -> (App, app::simulate::SimReport) {
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let (clock, read) = hand_clock(start.and_hms_opt(7, 30, 0).unwrap());
    let app = App::open(&db.url, WorkCalendar::default(), read).unwrap();
    let opts = SimOptions { days: 4, seed, scale: 0.2, threads: 4 };
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
    let (a, b, c) = (common::sqlite(), common::sqlite(), common::sqlite());
    let (app_a, ra) = run(&a, 7);
    let (app_b, rb) = run(&b, 7);
    let (app_c, _) = run(&c, 8);
    assert!(ra.dossiers > 100 && ra.actions > ra.dossiers, "{ra:?}");
    assert_eq!(ra, rb);
    assert_eq!(snapshot(&app_a), snapshot(&app_b), "same seed, same province");
    assert_ne!(snapshot(&app_a), snapshot(&app_c), "another seed, another run");
    assert!(app_a.verify().unwrap().ok());
    let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let f = app_a.figures("46", from, to, &Actor::console("t")).unwrap();
    let received_events = app_a
        .store()
        .read(|c| c.query_one("SELECT COUNT(*) FROM events WHERE kind = 'received'", &[]))
        .unwrap()
        .and_then(|r| r.int(0))
        .unwrap();
    assert_eq!(f.received.total, received_events);
    assert!(f.online_rate.unwrap() > 0.8, "mostly online, as Đà Nẵng: {:?}", f.online_rate);
}
