//! Calendar benchmarks: `cargo bench -p calendar --bench calendar`.

use calendar::deadline::due;
use calendar::{to_lunar, TimeLimit, WorkCalendar};
use chrono::{Duration, NaiveDate};

fn main() {
    divan::main();
}

#[divan::bench]
fn due_10_working_days(b: divan::Bencher) {
    let cal = WorkCalendar::default();
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let mut k = 0i64;
    b.bench_local(|| {
        k = (k + 1) % 700;
        divan::black_box(
            due(&cal, start + Duration::days(k), TimeLimit::WorkingDays(10), None, &[]).unwrap(),
        );
    });
}

#[divan::bench]
fn solar_to_lunar(b: divan::Bencher) {
    let base = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let mut k = 0i64;
    b.bench_local(|| {
        k = (k + 7919) % 109_000;
        divan::black_box(to_lunar(base + Duration::days(k)));
    });
}
