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
                "SELECT unit_code, procedure_code, day, channel, registered, received, resolved_on_time, returned \
                 FROM stats_daily WHERE province_code = '48' ORDER BY unit_code, procedure_code, day, channel",
                &[],
            )
        })
        .unwrap();
    rows.iter()
        .map(|r| {
            let n: Vec<String> = (3..8).map(|i| r.int(i).unwrap().to_string()).collect();
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
