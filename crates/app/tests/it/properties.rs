//! Random sequences of actions through the application layer and a real database: whatever
//! is asked, the stored history is whole, replays to the stored state, and verifies; the
//! statistics count what the events say.

use crate::common::{at, open, sqlite, HandClock};
use app::{ActionRequest, Actor, Applicant, IntakeRequest};
use domain::roles::Scope;
use domain::{Channel, Dossier};
use proptest::prelude::*;

const ACTIONS: [&str; 14] = [
    "receive",
    "refuse",
    "request_supplement",
    "supplement_received",
    "assign",
    "transfer",
    "request_payment",
    "payment_received",
    "approve",
    "deny",
    "extend",
    "stop",
    "withdraw",
    "return_result",
];

fn request(action: &str) -> ActionRequest {
    ActionRequest {
        note: Some("ghi chú".into()),
        to: Some(if action == "transfer" { "48".into() } else { "chuyenvien".into() }),
        amount_vnd: Some(50_000),
        extra_days: Some(2),
        ..ActionRequest::new(action)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_keeps_the_history_whole(
        steps in prop::collection::vec((0usize..14, 0u32..600), 1..25),
        online in any::<bool>(),
    ) {
        let db = sqlite();
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(&db, &clock);
        let me = Actor { username: "o".into(), role: None, scope: Scope::Commune { province: "48".into(), commune: "20242".into() }, department: None };
        let req = IntakeRequest {
            procedure_code: "1.004873".into(),
            channel: if online { Channel::Online } else { Channel::Direct },
            commune_code: None,
            applicant: Applicant { full_name: "A".into(), ..Applicant::default() },
        };
        let d = app.dossiers().receive(&req, &me).unwrap();
        let mut now = at(2026, 5, 11, 8, 0);
        let mut accepted = 0;
        for (k, minutes) in steps {
            now += chrono::Duration::minutes(minutes as i64);
            clock.set(now);
            let before = app.dossiers().dossier(&d.code, &me).unwrap();
            match app.dossiers().act(&d.code, &request(ACTIONS[k]), &me) {
                Ok(after) => {
                    accepted += 1;
                    prop_assert!(after.event_count > before.event_count);
                }
                Err(e) => {
                    // A refusal writes nothing.
                    prop_assert_eq!(app.dossiers().dossier(&d.code, &me).unwrap().event_count, before.event_count, "{}", e);
                }
            }
        }
        let stored = app.dossiers().dossier(&d.code, &me).unwrap();
        let replayed = Dossier::replay(&stored.events).unwrap();
        prop_assert_eq!(replayed.status, stored.status);
        prop_assert_eq!(replayed.due_at, stored.due_at);
        prop_assert_eq!(stored.events.len() as i64, stored.event_count);
        prop_assert!(accepted <= stored.events.len());
        let report = app.dossiers().verify().unwrap();
        prop_assert!(report.ok(), "{:?}", report.problems);
        let received = app
            .store()
            .read(|c| c.query_one("SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT) FROM stats_daily", &[]))
            .unwrap()
            .and_then(|r| r.int(0));
        let events_received = stored.events.iter().filter(|e| matches!(e.kind, domain::EventKind::Received)).count() as i64;
        prop_assert_eq!(received, Some(events_received));
    }
}
