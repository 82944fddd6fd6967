//! A province's server feeds the national instance (issue #25): each dossier's status in the
//! portal's terms and the figures, no personal data; a round repeated changes nothing; only
//! what changed travels next; a commune's node cannot feed the nation.

use crate::common::{at, backends, open, sqlite, HandClock};
use app::{ActionRequest, Actor, App, Applicant, IntakeRequest};
use domain::Channel;

fn receive(app: &App, commune: &str, i: usize) -> String {
    let req = IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: if i.is_multiple_of(2) { Channel::Direct } else { Channel::Online },
        commune_code: Some(commune.into()),
        applicant: Applicant {
            full_name: format!("Nguyễn Văn {i}"),
            phone: Some("0905123456".into()),
            ..Applicant::default()
        },
    };
    app.dossiers().receive(&req, &Actor::console("motcua")).unwrap().code
}

/// Sends one round as the feed does; returns its feeds and how many status records the nation
/// took as new or newer.
fn round(province: &App, nation: &App, from: &app::nodes::Node) -> (Vec<app::national::Feed>, u64) {
    let r = province.national_round("48").unwrap();
    let mut taken = 0;
    for feed in &r.feeds {
        taken += nation.take_feed(from, feed.clone()).unwrap().dossiers;
    }
    province.national_round_done(r.next_cursor).unwrap();
    (r.feeds, taken)
}

fn status_rows(app: &App) -> Vec<(String, i64, i64, String)> {
    let rows = app
        .store()
        .read(|c| c.query("SELECT code, status, event_count, applicant_name FROM dossiers WHERE province_code = '48' ORDER BY code", &[]))
        .unwrap();
    rows.iter().map(|r| (r.string(0), r.int(1).unwrap(), r.int(2).unwrap(), r.string(3))).collect()
}

fn figures(app: &App) -> Vec<String> {
    let rows = app
        .store()
        .read(|c| {
            c.query(
                "SELECT unit_code, procedure_code, day, channel, registered, received, resolved_on_time, returned, rated, satisfied \
                 FROM stats_daily WHERE province_code = '48' ORDER BY unit_code, procedure_code, day, channel",
                &[],
            )
        })
        .unwrap();
    rows.iter()
        .map(|r| {
            let n: Vec<String> = (3..10).map(|i| r.int(i).unwrap().to_string()).collect();
            format!(
                "{} {} {} {}",
                r.string(0),
                r.string(1),
                r.col::<chrono::NaiveDate>("day").unwrap(),
                n.join(",")
            )
        })
        .collect()
}

#[test]
fn a_province_feeds_the_nation_statuses_and_figures_without_personal_data() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let province = open(&db, &clock);
        let nation_db = sqlite();
        let nation = open(&nation_db, &clock);
        let (from, _) = nation.add_node("48").unwrap();
        let mut codes = vec![];
        for (i, commune) in ["20242", "20257", "20242", "20194"].iter().enumerate() {
            codes.push(receive(&province, commune, i));
        }
        clock.set(at(2026, 6, 2, 9, 0));
        province
            .dossiers()
            .act(&codes[0], &ActionRequest::new("approve"), &Actor::console("lanhdao"))
            .unwrap();

        // The first round sends everything; the nation holds each status, and no name.
        let (first, taken) = round(&province, &nation, &from);
        assert_eq!(taken, 4);
        let held = status_rows(&nation);
        let expected: Vec<_> =
            status_rows(&province).into_iter().map(|(c, s, n, _)| (c, s, n, String::new())).collect();
        assert_eq!(held, expected);
        assert_eq!(figures(&nation), figures(&province));
        let phones = nation
            .store()
            .read(|c| c.count("SELECT COUNT(*) FROM dossiers WHERE applicant_phone IS NOT NULL OR address_text IS NOT NULL", &[]))
            .unwrap();
        assert_eq!(phones, 0, "no personal data at the nation");

        // Later: what the round looks back over travels again and is not taken; then nothing
        // travels.
        clock.set(at(2026, 6, 2, 9, 3));
        assert_eq!(round(&province, &nation, &from).1, 0);
        clock.set(at(2026, 6, 2, 9, 10));
        let (feeds, taken) = round(&province, &nation, &from);
        assert_eq!((feeds.iter().map(|f| f.dossiers.len()).sum::<usize>(), taken), (0, 0));
        // One dossier moves on: only it travels, and the nation follows.
        clock.set(at(2026, 6, 2, 9, 20));
        province
            .dossiers()
            .act(&codes[0], &ActionRequest::new("return_result"), &Actor::console("motcua"))
            .unwrap();
        let (feeds, taken) = round(&province, &nation, &from);
        assert_eq!((feeds.iter().map(|f| f.dossiers.len()).sum::<usize>(), taken), (1, 1));
        assert_eq!(status_rows(&nation)[0].1, status_rows(&province)[0].1);
        assert_eq!(figures(&nation), figures(&province));
        // The citizen rates the service the next day: no event, but the day's figures travel.
        clock.set(at(2026, 6, 3, 10, 0));
        let pin = province.dossiers().dossier(&codes[0], &Actor::console("x")).unwrap().tracking_pin.unwrap();
        province.dossiers().rate(&codes[0], &pin, "203.0.113.9", 4, None).unwrap();
        assert_ne!(figures(&nation), figures(&province));
        round(&province, &nation, &from);
        assert_eq!(figures(&nation), figures(&province), "the rating's day sent again");
        // The first round delivered again, late: older records change nothing.
        let taken: u64 = first.iter().map(|f| nation.take_feed(&from, f.clone()).unwrap().dossiers).sum();
        assert_eq!(taken, 0);
        assert_eq!(status_rows(&nation)[0].1, status_rows(&province)[0].1);

        // The nation holds statuses, not the work: nobody acts on them there.
        let e = nation
            .dossiers()
            .act(&codes[1], &ActionRequest::new("approve"), &Actor::console("quocgia"))
            .unwrap_err();
        assert_eq!(e.code.as_str(), "written_elsewhere");
        assert!(e.message.contains("quốc gia chỉ giữ trạng thái"), "{}", e.message);

        // The provinces report their dossiers to the national portal; the nation none of theirs.
        assert_eq!(nation.portal_round().unwrap().queued, 0);

        // The nation's audit counts the provinces' records apart and holds.
        let report = nation.dossiers().verify().unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        assert_eq!(report.summaries, 4);

        // A commune's node feeds nothing; a province sends only its own.
        let (commune_node, _) = nation.add_node("20242").unwrap();
        let feed = app::national::Feed::default();
        assert_eq!(nation.take_feed(&commune_node, feed).unwrap_err().code.as_str(), "replication_writer");
        let (hue, _) = nation.add_node("46").unwrap();
        let r = app::national::Feed {
            dossiers: vec![app::national::StatusRecord {
                code: codes[1].clone(),
                province_code: "48".into(),
                receiving_unit: "20257".into(),
                handling_unit: "20257".into(),
                procedure_code: "1.004873".into(),
                procedure_version: 1,
                channel: 1,
                status: 4,
                registered_at: at(2026, 6, 1, 8, 0),
                received_at: None,
                due_at: None,
                finished_at: None,
                verdict: None,
                event_count: 99,
                updated_at: at(2026, 6, 1, 8, 0),
            }],
            ..Default::default()
        };
        assert_eq!(nation.take_feed(&hue, r).unwrap_err().code.as_str(), "replication_writer");
        assert_eq!(
            status_rows(&nation)[1],
            status_rows(&province).into_iter().map(|(c, s, n, _)| (c, s, n, String::new())).nth(1).unwrap()
        );
    }
}

/// The figures a dashboard shows of a unit, read by `who`.
fn seen(app: &App, unit: &str, who: &Actor) -> (i64, i64, i64, i64) {
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    let f = app.statistics().figures(unit, day(1), day(30), who).unwrap();
    (f.received.total, f.received.online, f.resolved.total, f.in_progress.total)
}

#[test]
fn the_national_leader_sees_every_province_and_commune_and_no_citizen() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let (danang_db, hue_db) = (sqlite(), sqlite());
        let (danang, hue) = (open(&danang_db, &clock), open(&hue_db, &clock));
        let nation = open(&db, &clock);
        let mut codes = vec![];
        for (i, commune) in ["20242", "20257", "20242", "20194", "20242"].iter().enumerate() {
            codes.push(receive(&danang, commune, i));
        }
        for i in 0..3 {
            receive(&hue, "19753", i);
        }
        clock.set(at(2026, 6, 2, 9, 0));
        let lead = Actor::console("lanhdao");
        danang.dossiers().act(&codes[0], &ActionRequest::new("approve"), &lead).unwrap();
        for (province, code) in [(&danang, "48"), (&hue, "46")] {
            let (node, _) = nation.add_node(code).unwrap();
            let r = province.national_round(code).unwrap();
            for feed in r.feeds {
                nation.take_feed(&node, feed).unwrap();
            }
        }
        let add = |app: &App, name: &str, role, unit: &str| {
            Actor::of(&app.accounts().add_user(name, role, unit, "matkhau-dai-du", None).unwrap())
        };
        use domain::roles::Role;
        let leader = add(&nation, "lanhdao.quocgia", Role::NationalLeader, "VN");
        let console = Actor::console("x");

        // The nation: the sum of the provinces, each province and each commune as the
        // province's own server counts them.
        let (dn, hu) = (seen(&danang, "48", &console), seen(&hue, "46", &console));
        // Received: those at the desk (every other one); online ones wait to be accepted.
        assert_eq!((dn.0, hu.0), (3, 2));
        assert_eq!(seen(&nation, "VN", &leader), (dn.0 + hu.0, dn.1 + hu.1, dn.2 + hu.2, dn.3 + hu.3));
        assert_eq!(seen(&nation, "48", &leader), dn);
        assert_eq!(seen(&nation, "20242", &leader), seen(&danang, "20242", &console));
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        // Down to the communes of a province, as the province ranks them itself.
        let communes = |app: &App, who: &Actor, province: &str| {
            let mut v: Vec<_> = app
                .statistics()
                .province_breakdown(province, day(1), day(30), who)
                .unwrap()
                .into_iter()
                .map(|l| (l.code, l.received, l.open))
                .collect();
            v.sort();
            v
        };
        let open = |app: &App, province| communes(app, &console, province).iter().map(|l| l.2).sum::<i64>();
        let (dn_open, hu_open) = (open(&danang, "48"), open(&hue, "46"));
        assert_eq!((dn_open, hu_open), (5, 3), "approved, not yet returned, is open");
        let lines = nation.statistics().nation_breakdown(day(1), day(30), &leader).unwrap();
        assert_eq!(lines.len(), 34, "every province, those without dossiers too");
        let line = |code: &str| lines.iter().find(|l| l.code == code).unwrap();
        assert_eq!((line("48").received, line("48").online, line("48").open), (dn.0, dn.1, dn_open));
        assert_eq!((line("46").received, line("46").open), (hu.0, hu_open));
        assert_eq!(lines.iter().map(|l| l.received).sum::<i64>(), dn.0 + hu.0);
        assert!(line("48").index.is_some() && line("01").index.is_none(), "no dossier, no index to rank");
        // Of each province's communes, those that received a dossier: Hải Châu, and Phú Xuân.
        let count = |p: &str| units::registry().communes_of(p).unwrap().count() as i64;
        assert_eq!((line("48").communes, line("48").communes_active), (Some(count("48")), Some(1)));
        assert_eq!((line("46").communes_active, line("01").communes_active), (Some(1), Some(0)));
        assert_eq!(lines.iter().filter_map(|l| l.communes).sum::<i64>(), 3321);
        assert_eq!(communes(&nation, &leader, "48"), communes(&danang, &console, "48"));
        // The status records, never a name.
        let all = nation.dossiers().list(&app::DossierFilter::default(), &leader).unwrap();
        assert_eq!(all.total, 8);
        assert!(all.items.iter().all(|d| d.applicant_name.is_empty() && d.applicant_phone.is_none()));
        let report = |unit: &str, kind| {
            let spec =
                app::statistics::report::ReportSpec { unit, from: day(1), to: day(30), format: "csv", kind };
            nation.statistics().write_report(spec, &leader, &mut Vec::new())
        };
        assert!(report("VN", app::statistics::report::ReportKind::Summary).is_ok());
        let e = report("VN", app::statistics::report::ReportKind::Register).unwrap_err();
        assert_eq!(e.code.as_str(), "unknown_unit", "a register is a province's: {}", e.message);

        // A province's leader at the nation sees its province, not the nation's ranking.
        let dn_leader = add(&nation, "lanhdao.danang", Role::ProvinceLeader, "48");
        assert_eq!(seen(&nation, "48", &dn_leader), dn);
        let e = nation.statistics().figures("VN", day(1), day(30), &dn_leader).unwrap_err();
        assert_eq!(e.code.as_str(), "out_of_scope");
        let e = nation.statistics().nation_breakdown(day(1), day(30), &dn_leader).unwrap_err();
        assert_eq!(e.code.as_str(), "out_of_scope");

        // A national account on a province's server reads its figures, none of its citizens.
        let there = add(&danang, "lanhdao.quocgia", Role::NationalLeader, "VN");
        assert_eq!(seen(&danang, "48", &there), dn);
        assert_eq!(danang.dossiers().list(&app::DossierFilter::default(), &there).unwrap().total, 0);
        let e = danang.dossiers().dossier(&codes[1], &there).unwrap_err();
        assert_eq!(e.code.as_str(), "dossier_not_found");
        let register = report("48", app::statistics::report::ReportKind::Register);
        assert_eq!(register.unwrap(), 5, "the nation's register of a province: its status records");
        let spec = app::statistics::report::ReportSpec {
            unit: "48",
            from: day(1),
            to: day(30),
            format: "csv",
            kind: app::statistics::report::ReportKind::Register,
        };
        let mut out = Vec::new();
        assert_eq!(danang.statistics().write_report(spec, &there, &mut out).unwrap(), 0, "no citizen's row");
        assert!(!String::from_utf8_lossy(&out).contains("Nguyễn"));
        // Nor the province's staff, directives or proposals.
        assert!(danang.accounts().staff_comparison("48", &there).is_err());
    }
}
