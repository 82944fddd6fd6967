//! Properties of deadline arithmetic and the lunar calendar over random inputs.

use calendar::deadline::due;
use calendar::{to_lunar, to_solar, Pause, TimeLimit, WorkCalendar};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use std::sync::OnceLock;

fn cal() -> &'static WorkCalendar {
    static C: OnceLock<WorkCalendar> = OnceLock::new();
    C.get_or_init(WorkCalendar::default)
}

/// An instant between 2024 and 2028, to any minute.
fn instant() -> impl Strategy<Value = NaiveDateTime> {
    (0i64..(5 * 365 * 24 * 60)).prop_map(|m| {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(m)
    })
}

proptest! {
    // PROPTEST_CASES raises the count for a longer local run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400),
    ))]

    #[test]
    fn n_then_m_working_days_is_n_plus_m(r in instant(), n in 1u32..40, m in 1u32..40) {
        let c = cal();
        let first = due(c, r, TimeLimit::WorkingDays(n), None, &[]).unwrap().due;
        let then = due(c, first, TimeLimit::WorkingDays(m), None, &[]).unwrap().due;
        let whole = due(c, r, TimeLimit::WorkingDays(n + m), None, &[]).unwrap().due;
        prop_assert_eq!(then, whole);
    }

    #[test]
    fn due_dates_are_working_days(r in instant(), n in 0u32..60, kind in 0u8..4) {
        let limit = match kind {
            0 => TimeLimit::WorkingDays(n),
            1 => TimeLimit::Days(n),
            2 => TimeLimit::WorkingHours(n),
            _ => TimeLimit::SameDay,
        };
        let d = due(cal(), r, limit, None, &[]).unwrap().due;
        prop_assert!(cal().is_working_day(d.date()).unwrap(), "{} {:?} → {}", r, limit, d);
        prop_assert!(d >= r);
    }

    #[test]
    fn a_pause_never_brings_the_due_date_earlier(
        r in instant(), n in 1u32..30, start in 0i64..20_000, len in 1i64..20_000, kind in 0u8..3,
    ) {
        let limit = match kind {
            0 => TimeLimit::WorkingDays(n),
            1 => TimeLimit::Days(n),
            _ => TimeLimit::WorkingHours(n),
        };
        let from = r + Duration::minutes(start);
        let p = Pause { from, to: from + Duration::minutes(len), reason: "chờ bổ sung".into() };
        let without = due(cal(), r, limit, None, &[]).unwrap().due;
        let with = due(cal(), r, limit, None, std::slice::from_ref(&p)).unwrap().due;
        prop_assert!(with >= without, "{} {:?} pause {:?}", r, limit, p);
        prop_assert!(cal().is_working_day(with.date()).unwrap());
    }

    #[test]
    fn lunar_round_trip(days in 0i64..109_500) {
        let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(days);
        let l = to_lunar(d);
        prop_assert!((1..=12).contains(&l.month) && (1..=30).contains(&l.day));
        prop_assert_eq!(to_solar(l), Some(d));
    }
}
