//! Random sequences of actions against the workflow's invariants.

use calendar::{TimeLimit, WorkCalendar};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::dossier::Terms;
use domain::{replication, Action, Channel, Dossier, EventKind, Status};
use proptest::prelude::*;
use std::sync::OnceLock;

fn cal() -> &'static WorkCalendar {
    static C: OnceLock<WorkCalendar> = OnceLock::new();
    C.get_or_init(WorkCalendar::default)
}

fn action(k: u8) -> Action {
    match k % 20 {
        0 => Action::Receive,
        1 => Action::Refuse { reason: "thiếu giấy tờ".into() },
        2 => Action::RequestSupplement { note: "bổ sung".into() },
        3 => Action::SupplementReceived,
        4 => Action::Assign { to: "chuyên viên".into() },
        5 => Action::Transfer { to_agency: "Sở Tư pháp".into() },
        6 => Action::RequestPayment { amount_vnd: 50_000 },
        7 => Action::PaymentReceived,
        8 => Action::Approve,
        9 => Action::Deny { reason: "không đủ điều kiện".into() },
        10 => Action::Extend { extra: TimeLimit::WorkingDays(2), reason: "xác minh".into() },
        11 => Action::Stop { reason: "quá hạn bổ sung".into() },
        12 => Action::Withdraw { reason: "công dân rút".into() },
        13 => Action::Propose { approve: true, note: "đủ điều kiện".into() },
        14 => Action::DraftExtension { extra: TimeLimit::WorkingDays(3), reason: "xác minh".into() },
        15 => Action::CorrectApplicant { subject: "0".repeat(64), reason: "ghi sai tên".into() },
        17 => Action::SignApology {
            document_sha256: "3".repeat(64),
            certificate_sha256: "2".repeat(64),
            signer: "Trần Văn Bình".into(),
        },
        16 => Action::SignResult {
            document_sha256: "1".repeat(64),
            certificate_sha256: "2".repeat(64),
            signer: "Trần Văn Bình".into(),
        },
        18 => Action::SealResult {
            document_sha256: "4".repeat(64),
            certificate_sha256: "5".repeat(64),
            agency: "UBND xã A".into(),
        },
        _ => Action::ReturnResult,
    }
}

/// The action with a given code (for picking among the allowed ones).
fn action_for(code: &str) -> Action {
    (0..20).map(action).find(|a| a.code() == code).expect("every code has an action")
}

fn check_invariants(d: &Dossier) -> Result<(), TestCaseError> {
    prop_assert_eq!(Some(d.status), d.events.last().map(|e| e.to));
    for (i, e) in d.events.iter().enumerate() {
        prop_assert_eq!(e.seq as usize, i + 1);
    }
    // The clock waits for the citizen only once it runs: a supplement asked at intake stops none.
    prop_assert_eq!(d.status.waits_for_citizen() && d.received_at.is_some(), d.waiting_since.is_some());
    prop_assert_eq!(d.due_at.is_some(), d.received_at.is_some());
    prop_assert_eq!(d.finished_at.is_some(), d.approved.is_some());
    if matches!(d.status, Status::Resolved | Status::Returned) {
        prop_assert!(d.finished_at.is_some());
    }
    // Due dates only move later: a pause or an extension never brings them forward.
    let mut last = None;
    for e in &d.events {
        if let EventKind::DueChanged { from, to, .. } = &e.kind {
            prop_assert_eq!(*from, last);
            if let Some(f) = from {
                prop_assert!(to >= f, "due moved earlier: {} -> {}", f, to);
            }
            last = Some(*to);
        }
    }
    prop_assert_eq!(last, d.due_at);
    // The agency's seal only on a result the leader signed, and once.
    let signed = d.events.iter().position(|e| matches!(e.kind, EventKind::ResultSigned { .. }));
    let sealed: Vec<usize> =
        (0..d.events.len()).filter(|&i| matches!(d.events[i].kind, EventKind::ResultSealed { .. })).collect();
    prop_assert!(sealed.len() <= 1);
    prop_assert_eq!(d.result_sealed, !sealed.is_empty());
    if let Some(&i) = sealed.first() {
        prop_assert!(signed.is_some_and(|s| s < i), "sealed before it was signed");
    }
    if let Some(due) = d.due_at {
        prop_assert!(cal().is_working_day(due.date()).unwrap());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
    ))]

    #[test]
    fn random_workflows_keep_every_invariant(
        start in 0i64..(2 * 365 * 24),
        steps in proptest::collection::vec((0u8..20, any::<bool>(), 0i64..(72 * 60)), 1..40),
        limit in 1u32..15,
        deliveries in proptest::collection::vec((0usize..60, 1usize..8), 0..25),
    ) {
        let t0 = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap() + Duration::hours(start);
        let terms = Terms { limit: TimeLimit::WorkingDays(limit), cutoff: None };
        let mut d = Dossier::register("P-1", Channel::Online, "UBND xã A", terms, t0, "citizen");
        let mut t: NaiveDateTime = t0;
        for (k, legal, gap) in steps {
            t += Duration::minutes(gap);
            // Mostly an action allowed now (to reach deep states), sometimes any action at all.
            // Actions that end the dossier are picked rarely, so that histories grow long.
            let allowed_now: Vec<&str> = d
                .allowed()
                .iter()
                .copied()
                .filter(|c| k % 9 == 0 || !matches!(*c, "refuse" | "withdraw" | "stop"))
                .collect();
            let a = if legal && !allowed_now.is_empty() {
                action_for(allowed_now[k as usize % allowed_now.len()])
            } else {
                action(k)
            };
            let before = d.clone();
            let allowed = d.allowed().contains(&a.code());
            match d.act(&a, t, "officer", cal()).map(|added| added.len()) {
                Ok(added) => {
                    prop_assert!(allowed);
                    prop_assert!(added > 0);
                    prop_assert_eq!(d.events.len(), before.events.len() + added);
                    prop_assert_eq!(&d.events[..before.events.len()], &before.events[..]);
                }
                Err(e) => {
                    prop_assert!(!allowed || e.code != "invalid_transition");
                    prop_assert_eq!(&d, &before, "a refused action changed the dossier");
                }
            }
            check_invariants(&d)?;
        }
        let mut replayed = Dossier::replay(&d.events).unwrap();
        replayed.code = d.code.clone();
        prop_assert_eq!(&replayed, &d);

        // The history pushed up a tier in runs delivered at random, repeated, out of turn:
        // each run is taken once or refused as a gap, the receiver always holds a prefix of
        // the chain, and the whole delivered once more leaves it holding the chain exactly.
        let run = replication::chained("P-1", &d.events);
        let chain: Vec<String> = run.iter().map(|p| p.hash.clone()).collect();
        let mut held: Vec<String> = vec![];
        for (start, len) in deliveries {
            let s = start % run.len();
            let e = (s + len).min(run.len());
            match replication::admit("P-1", &held, &run[s..e]) {
                Ok(known) => held.extend(chain[s + known..e].iter().cloned()),
                Err(replication::Refusal::Gap { .. }) => prop_assert!(s > held.len()),
                Err(other) => prop_assert!(false, "refused: {:?}", other),
            }
            prop_assert_eq!(&held[..], &chain[..held.len()]);
        }
        let known = replication::admit("P-1", &held, &run).unwrap();
        held.extend(chain[known..].iter().cloned());
        prop_assert_eq!(held, chain);
    }
}

#[test]
fn the_generator_reaches_long_histories() {
    // The longest legal path, step by step: every action of the workflow at least once.
    let t0 = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let terms = Terms { limit: TimeLimit::WorkingDays(5), cutoff: None };
    let mut d = Dossier::register("P-2", Channel::Direct, "UBND xã A", terms, t0, "o");
    let path = [
        "receive",
        "assign",
        "request_supplement",
        "supplement_received",
        "transfer",
        "request_payment",
        "payment_received",
        "extend",
        "approve",
        "return_result",
    ];
    for (i, code) in path.iter().enumerate() {
        d.act(&action_for(code), t0 + Duration::hours(i as i64 * 5), "o", cal()).unwrap();
    }
    assert_eq!(d.status, Status::Returned);
    check_invariants(&d).unwrap();
}
