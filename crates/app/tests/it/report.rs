//! The period report read back as a spreadsheet user would: every dossier of the period in the
//! register, the same figures as the dashboard, nothing from outside the period or the unit.

use crate::common::{at, backends, open, HandClock};
use app::statistics::report::{ReportKind, ReportSpec};
use app::{ActionRequest, Actor, Applicant, IntakeRequest};
use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use domain::Channel;

#[test]
fn the_workbook_holds_the_figures_the_index_and_every_dossier_of_the_period() {
    for db in backends() {
        let start = at(2026, 3, 2, 8, 0);
        let clock = HandClock::at(start);
        let app = open(&db, &clock);
        let console = Actor::console("test");
        let mut codes = vec![];
        for day in 0..6 {
            clock.set(start + Duration::days(day));
            for (i, desk) in ["20242", "20257"].iter().enumerate() {
                let req = IntakeRequest {
                    procedure_code: "1.004873".into(),
                    channel: if i == 0 { Channel::Direct } else { Channel::Postal },
                    commune_code: Some(desk.to_string()),
                    applicant: Applicant { full_name: format!("Người {day}-{i}"), ..Applicant::default() },
                };
                let code = app.dossiers().receive(&req, &console).unwrap().code;
                if i == 1 {
                    app.dossiers().act(&code, &ActionRequest::new("receive"), &console).unwrap();
                }
                codes.push(code);
            }
        }
        app.dossiers().act(&codes[0], &ActionRequest::new("approve"), &console).unwrap();
        let (from, to) =
            (NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 6).unwrap());
        let mut buf = vec![];
        let spec = ReportSpec { unit: "48", from, to, format: "xlsx", kind: ReportKind::Summary };
        let n = app.statistics().write_report(spec, &console, &mut buf).unwrap();
        assert_eq!(n, 8, "4 days × 2 desks");
        let mut book = Xlsx::new(std::io::Cursor::new(buf)).unwrap();
        assert_eq!(
            book.sheet_names(),
            ["Báo cáo kỳ", "Chỉ số 766", "Theo xã, phường", "Sổ theo dõi (Mẫu 07)"].map(String::from)
        );
        let register = book.worksheet_range("Sổ theo dõi (Mẫu 07)").unwrap();
        let rows: Vec<_> = register.rows().skip(1).collect();
        assert_eq!(rows.len(), 8);
        let mut in_period: Vec<String> = codes[2..10].to_vec();
        in_period.sort();
        let listed: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
        assert_eq!(listed, in_period, "the period's dossiers, in code order");
        // Dates are real dates (Excel can sort them), not text.
        assert!(matches!(rows[0][7], Data::DateTime(_)), "{:?}", rows[0][7]);
        let summary = book.worksheet_range("Báo cáo kỳ").unwrap();
        let value =
            |k: &str| summary.rows().find(|r| r[0] == k).map(|r| r[1].to_string()).unwrap_or_default();
        let f = app.statistics().figures("48", from, to, &console).unwrap();
        assert_eq!(value("Hồ sơ tiếp nhận"), f.received.total.to_string());
        assert_eq!(value("  qua bưu chính"), "4");
        let communes = book.worksheet_range("Theo xã, phường").unwrap();
        let hai_chau = communes.rows().find(|r| r[0] == "20242").unwrap();
        assert_eq!(hai_chau[3], Data::Float(4.0), "received at Hải Châu in the period");
        // A commune's workbook has no communes sheet, and another commune's is refused.
        let lan = Actor {
            username: "lan".into(),
            role: None,
            department: None,
            scope: domain::roles::Scope::Commune { province: "48".into(), commune: "20242".into() },
        };
        let mut buf = vec![];
        let spec = ReportSpec { unit: "20257", ..spec };
        assert_eq!(app.statistics().write_report(spec, &lan, &mut buf).unwrap_err().code, "out_of_scope");
        assert!(buf.is_empty(), "nothing written when refused");
        let spec = ReportSpec { unit: "20242", ..spec };
        assert_eq!(app.statistics().write_report(spec, &lan, &mut buf).unwrap(), 4);
        let book = Xlsx::new(std::io::Cursor::new(buf)).unwrap();
        assert_eq!(book.sheet_names().len(), 3);
    }
}

#[test]
fn a_formula_typed_by_a_citizen_stays_text_in_every_csv() {
    let db = crate::common::sqlite();
    let clock = HandClock::at(at(2026, 3, 2, 8, 0));
    let app = open(&db, &clock);
    let console = Actor::console("test");
    let formula = "=HYPERLINK(\"http://evil.example\",\"Xem\")";
    let req = IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: Channel::Direct,
        commune_code: Some("20242".into()),
        applicant: Applicant { full_name: formula.into(), ..Applicant::default() },
    };
    app.dossiers().receive(&req, &console).unwrap();
    let day = at(2026, 3, 2, 0, 0).date();
    let mut buf = vec![];
    app.dossiers().write_register("20242", day, day, &console, "csv", &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let row = rdr.records().next().unwrap().unwrap();
    assert_eq!(&row[3], format!("'{formula}"), "the name cell starts with an apostrophe");
    assert!(text.lines().all(|l| !l.starts_with('=') && !l.contains(",=")), "{text}");
}
