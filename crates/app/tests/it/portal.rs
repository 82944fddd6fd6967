//! Each dossier's status for the national public service portal, through the outbox (issue
//! #25): queued once per change, a newer status replacing an older one still waiting, tried
//! until the portal takes it, never given up.

use crate::common::{at, backends, open, HandClock};
use app::alerts::Senders;
use app::{ActionRequest, Actor, App, Applicant, IntakeRequest};
use chrono::Duration;
use domain::Channel;
use std::path::Path;

fn receive(app: &App, i: usize) -> String {
    let req = IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: Channel::Direct,
        commune_code: Some("20242".into()),
        applicant: Applicant { full_name: format!("Lê Văn {i}"), ..Applicant::default() },
    };
    app.dossiers().receive(&req, &Actor::console("motcua")).unwrap().code
}

/// The records the portal took, in the order it took them: (MaHoSo, TrangThaiHoSo).
fn taken(dir: &Path) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(dir.join("taken.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["MaHoSo"].as_str().unwrap().to_string(), v["TrangThaiHoSo"].as_u64().unwrap())
        })
        .collect()
}

fn portal_status(app: &App, code: &str) -> u64 {
    app.dossiers().dossier(code, &Actor::console("x")).unwrap().status.portal_code() as u64
}

#[test]
fn each_status_reaches_the_portal_once_in_order_however_long_it_is_down() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let app = open(&db, &clock);
        // The portal's side: takes a record (one JSON per line) unless it is down.
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("portal.sh");
        std::fs::write(
            &script,
            format!(
                "if [ -e {d}/down ]; then echo 'cổng không trả lời' >&2; exit 1; fi\n[ \"$1\" = dvcqg ] || exit 2\ncat >> {d}/taken.jsonl\necho >> {d}/taken.jsonl\n",
                d = dir.path().display()
            ),
        )
        .unwrap();
        let senders = Senders::default().with_portal(Some(&format!("sh {} {{to}}", script.display())));
        let codes: Vec<String> = (0..3).map(|i| receive(&app, i)).collect();

        // The first round queues what is open; the portal is down: nothing is lost.
        std::fs::write(dir.path().join("down"), "").unwrap();
        assert_eq!(app.portal_round().unwrap().queued, 3);
        let r = app.alerts().deliver_outbox(&senders, 100).unwrap();
        assert_eq!((r.sent, r.retrying, r.failed), (0, 3, 0));
        // One moves on while the portal is down: its newer status replaces the one waiting.
        clock.set(at(2026, 6, 1, 8, 30));
        app.dossiers().act(&codes[0], &ActionRequest::new("approve"), &Actor::console("lanhdao")).unwrap();
        let round = app.portal_round().unwrap();
        assert_eq!((round.queued, round.superseded), (1, 1));
        // A round that looks back over what it queued queues nothing again.
        clock.set(at(2026, 6, 1, 8, 31));
        assert_eq!(app.portal_round().unwrap(), app::portal::PortalRound::default());

        // A day down: tried again and again (at least every half hour), never given up.
        let mut attempts = 0;
        for _ in 0..48 {
            clock.set(app.now() + Duration::minutes(31));
            let r = app.alerts().deliver_outbox(&senders, 100).unwrap();
            assert_eq!(r.failed, 0);
            attempts += r.retrying;
        }
        assert_eq!(attempts, 48 * 3, "each status tried every round");
        let backlog = app.portal_backlog().unwrap();
        assert_eq!(backlog.pending, 3);
        assert!(backlog.last_error.as_deref().unwrap_or("").contains("cổng không trả lời"), "{backlog:?}");
        assert!(taken(dir.path()).is_empty());

        // Back: each dossier's latest status, once, and nothing waits.
        std::fs::remove_file(dir.path().join("down")).unwrap();
        clock.set(app.now() + Duration::minutes(31));
        assert_eq!(app.alerts().deliver_outbox(&senders, 100).unwrap().sent, 3);
        let mut got = taken(dir.path());
        got.sort();
        let mut expected: Vec<(String, u64)> =
            codes.iter().map(|c| (c.clone(), portal_status(&app, c))).collect();
        expected.sort();
        assert_eq!(got, expected);
        assert_eq!(app.portal_backlog().unwrap().pending, 0);
        assert_ne!(portal_status(&app, &codes[0]), portal_status(&app, &codes[1]), "the newer one went");

        // The next change travels alone, after the earlier ones.
        app.dossiers().act(&codes[1], &ActionRequest::new("approve"), &Actor::console("lanhdao")).unwrap();
        assert_eq!(app.portal_round().unwrap().queued, 1);
        assert_eq!(app.alerts().deliver_outbox(&senders, 100).unwrap().sent, 1);
        let got = taken(dir.path());
        assert_eq!(got.len(), 4);
        assert_eq!(got[3], (codes[1].clone(), portal_status(&app, &codes[1])));
        // A backlog for the portal never holds back an officer's alert: alerts go first.
        for i in 3..6 {
            receive(&app, i);
        }
        assert_eq!(app.portal_round().unwrap().queued, 3);
        clock.set(app.now() + Duration::minutes(1));
        let now = app.now();
        app.store()
            .write(move |c| {
                c.exec(
                    "INSERT INTO outbox (created_at, recipient, channel, address, subject, body, status, attempts, next_attempt_at) \
                     VALUES ($1, 'lan', 'log', NULL, 'Hồ sơ sắp đến hạn', 'x', 'pending', 0, $2)",
                    &[now.into(), now.into()],
                )
            })
            .unwrap();
        assert_eq!(app.alerts().deliver_outbox(&senders, 1).unwrap().sent, 1);
        let left = app
            .store()
            .read(|c| {
                c.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND channel = 'log'", &[])
            })
            .unwrap();
        assert_eq!((left, app.portal_backlog().unwrap().pending), (0, 3), "the alert went first");
        assert_eq!(app.alerts().deliver_outbox(&senders, 100).unwrap().sent, 3);

        // Nothing more to send; a server that does not feed the portal sends nothing of it.
        assert_eq!(app.portal_round().unwrap().queued, 0);
        let r = app.alerts().deliver_outbox(&Senders::default(), 100).unwrap();
        assert_eq!((r.sent, r.retrying), (0, 0));
    }
}
