//! The figures always agree with the dossiers themselves: for random periods and units, what
//! the statistics say equals a direct count over the events and the dossiers.

use crate::common::{at, backends, open, HandClock};
use app::blobs::Upload;
use app::{ActionRequest, Actor, Applicant, IntakeRequest};
use chrono::{Duration, NaiveDate};
use domain::roles::Scope;
use domain::{Channel, Status};

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const DESKS: [&str; 3] = ["20242", "20257", "19753"];

#[test]
fn figures_equal_a_direct_count_for_random_periods_and_units() {
    for db in backends() {
        let start = at(2026, 3, 2, 8, 0);
        let clock = HandClock::at(start);
        let app = open(&db, &clock);
        let console = Actor::console("test");
        let mut rng = Lcg(7);
        let mut open_codes: Vec<String> = vec![];
        for day in 0..30 {
            for hour in [8, 10, 14, 16] {
                let now = start + Duration::days(day) + Duration::hours(hour - 8);
                clock.set(now + Duration::minutes(rng.next(50) as i64));
                for desk in DESKS {
                    let channel = [Channel::Direct, Channel::Online, Channel::Postal][rng.next(3) as usize];
                    let req = IntakeRequest {
                        procedure_code: "1.004873".into(),
                        channel,
                        commune_code: Some(desk.into()),
                        applicant: Applicant {
                            full_name: "A".into(),
                            phone: Some("0905000000".into()),
                            ..Applicant::default()
                        },
                    };
                    // Some online dossiers come with their documents (digitised).
                    let d = if channel == Channel::Online && rng.next(2) == 0 {
                        let pdf = Upload::new("don.pdf", b"%PDF-1.4 don".to_vec());
                        app.dossiers().submit_online(&req, &[pdf]).unwrap()
                    } else {
                        app.dossiers().receive(&req, &console).unwrap()
                    };
                    open_codes.push(d.code);
                }
                for code in open_codes.clone() {
                    let action = [
                        "receive",
                        "assign",
                        "request_supplement",
                        "supplement_received",
                        "approve",
                        "return_result",
                        "extend",
                        "deny",
                        "withdraw",
                    ][rng.next(9) as usize];
                    let req = ActionRequest {
                        note: Some("n".into()),
                        to: Some("x1".into()),
                        extra_days: Some(1),
                        ..ActionRequest::new(action)
                    };
                    let acted =
                        if rng.next(3) == 0 { app.dossiers().act(&code, &req, &console).ok() } else { None };
                    if let Some(d) = acted.filter(|_| action == "return_result") {
                        // Some citizens rate the service once the result is returned, with the
                        // PIN of their receipt.
                        if rng.next(5) != 0 {
                            let pin = d.tracking_pin.unwrap();
                            app.dossiers().rate(&code, &pin, &code, 1 + rng.next(5) as u8, None).unwrap();
                        }
                    }
                }
                open_codes.retain(|_| rng.next(10) != 0);
            }
        }
        clock.set(at(2026, 4, 20, 9, 0));
        // Direct counts from events joined with their dossiers.
        let rows = app
            .store()
            .read(|c| {
                c.query(
                    "SELECT d.receiving_unit, d.province_code, d.channel, e.kind, e.at, d.verdict FROM events e JOIN dossiers d ON d.code = e.dossier_code",
                    &[],
                )
            })
            .unwrap();
        let digitised = app
            .store()
            .read(|c| {
                c.query(
                    "SELECT d.receiving_unit, d.province_code, d.registered_at FROM dossiers d WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.dossier_code = d.code)",
                    &[],
                )
            })
            .unwrap();
        let ratings = app
            .store()
            .read(|c| {
                c.query("SELECT d.receiving_unit, d.province_code, r.at, r.score FROM ratings r JOIN dossiers d ON d.code = r.dossier_code", &[])
            })
            .unwrap();
        assert!(digitised.len() > 20 && ratings.len() > 3, "{} {}", digitised.len(), ratings.len());
        let dossiers = app
            .dossiers()
            .list(&app::DossierFilter { per_page: 500, ..Default::default() }, &console)
            .unwrap();
        assert!(dossiers.total > 300, "enough data: {}", dossiers.total);
        let mut rng = Lcg(11);
        for _ in 0..25 {
            let unit = ["48", "46", "20242", "20257", "19753"][rng.next(5) as usize];
            let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Duration::days(rng.next(30) as i64);
            let to = from + Duration::days(rng.next(20) as i64);
            let f = app.statistics().figures(unit, from, to, &console).unwrap();
            let mine = |r: &store::Row| {
                if unit.len() == 2 {
                    r.text(1) == Some(unit)
                } else {
                    r.text(0) == Some(unit)
                }
            };
            let in_period = |r: &store::Row| r.ts(4).is_some_and(|t| t.date() >= from && t.date() <= to);
            let count = |kind: &str, extra: &dyn Fn(&store::Row) -> bool| {
                rows.iter().filter(|r| mine(r) && in_period(r) && r.text(3) == Some(kind) && extra(r)).count()
                    as i64
            };
            let channel = |c: i64| move |r: &store::Row| r.int(2) == Some(c);
            let verdict = |v: &'static str| move |r: &store::Row| r.text(5) == Some(v);
            let any = |_: &store::Row| true;
            assert_eq!(f.received.direct, count("received", &channel(1)), "{unit} {from}..{to}");
            assert_eq!(f.received.online, count("received", &channel(2)));
            assert_eq!(f.received.postal, count("received", &channel(3)));
            let resolved = |v| count("approved", &verdict(v)) + count("denied", &verdict(v));
            assert_eq!(
                (f.resolved.early, f.resolved.on_time, f.resolved.late),
                (resolved("early"), resolved("on_time"), resolved("late"))
            );
            assert_eq!(f.supplement_requests, count("supplement_requested", &any));
            assert_eq!(f.apology_letters, count("extended", &any));
            assert_eq!(f.returned, count("result_returned", &any));
            assert_eq!(f.withdrawn, count("withdrawn", &any));
            let dated =
                |r: &&store::Row| mine(r) && r.ts(2).is_some_and(|t| t.date() >= from && t.date() <= to);
            assert_eq!(f.digitised, digitised.iter().filter(dated).count() as i64, "digitised {unit}");
            assert_eq!(f.ratings.total, ratings.iter().filter(dated).count() as i64, "rated {unit}");
            assert_eq!(
                f.ratings.satisfied,
                ratings.iter().filter(dated).filter(|r| r.int(3).unwrap_or(0) >= 4).count() as i64
            );
            // The index is scored from these same figures, and a commune's line in the
            // province's ranking carries the same index as the commune's own page.
            let ix = app.statistics().service_index(unit, from, to, None, &console).unwrap();
            assert_eq!(
                ix.index,
                domain::service_index::score(
                    &domain::service_index::VERSIONS[0],
                    &app::statistics::figures::index_inputs(&f)
                )
            );
            if unit.len() == 5 {
                let lines = app.statistics().province_breakdown("48", from, to, &console).unwrap();
                if let Some(line) = lines.iter().find(|l| l.code == unit) {
                    assert_eq!(line.index, ix.index.total, "ranking and page agree for {unit}");
                }
            }
            // In progress now, from the dossiers themselves.
            let scope = if unit.len() == 2 {
                Scope::Province(unit.into())
            } else {
                Scope::Commune { province: "".into(), commune: unit.into() }
            };
            let who = Actor { username: "t".into(), role: None, scope, department: None };
            let all = app
                .dossiers()
                .list(&app::DossierFilter { per_page: 500, ..Default::default() }, &who)
                .unwrap();
            let mut items = all.items;
            let mut page = 2;
            while (items.len() as i64) < all.total {
                items.extend(
                    app.dossiers()
                        .list(&app::DossierFilter { per_page: 500, page, ..Default::default() }, &who)
                        .unwrap()
                        .items,
                );
                page += 1;
            }
            let items: Vec<_> =
                items.into_iter().filter(|d| unit.len() == 2 || d.receiving_unit == unit).collect();
            let active =
                items.iter().filter(|d| matches!(d.status, Status::Received | Status::Processing)).count()
                    as i64;
            let waiting = items.iter().filter(|d| d.status.waits_for_citizen()).count() as i64;
            let overdue = items
                .iter()
                .filter(|d| {
                    matches!(d.status, Status::Received | Status::Processing)
                        && d.due_at.is_some_and(|due| due < app.now())
                })
                .count() as i64;
            assert_eq!(
                (f.in_progress.total, f.in_progress.overdue, f.in_progress.waiting_for_citizen),
                (active + waiting, overdue, waiting)
            );
            if f.received.total > 0 {
                assert_eq!(
                    f.online_rate,
                    Some(
                        ((f.received.online as f64 / f.received.total as f64) * 10_000.0).round() / 10_000.0
                    )
                );
            }
        }
        // Scope: a commune cannot read another commune's or the province's figures.
        let lan = Actor {
            department: None,
            username: "lan".into(),
            role: None,
            scope: Scope::Commune { province: "48".into(), commune: "20242".into() },
        };
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert!(app.statistics().figures("20242", day, day, &lan).is_ok());
        assert_eq!(app.statistics().figures("20257", day, day, &lan).unwrap_err().code, "out_of_scope");
        assert_eq!(app.statistics().figures("48", day, day, &lan).unwrap_err().code, "out_of_scope");
    }
}
