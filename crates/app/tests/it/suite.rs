//! The repository and workflow suite, run on SQLite and on PostgreSQL (when reachable).

use crate::common::{at, each_backend, open, HandClock};
use app::{ActionRequest, Actor, App, Applicant, DossierFilter, ErrorKind, IntakeRequest, RuleUpdate};
use calendar::deadline::due;
use calendar::{TimeLimit, WorkCalendar};
use domain::roles::{Role, Scope};
use domain::{Channel, Status};
use std::sync::Arc;
use store::{Dialect, Val};

const HAI_CHAU: &str = "20242";
const HOA_CUONG: &str = "20257";
const MARRIAGE_STATUS: &str = "1.004873"; // 3 working days, commune level

fn officer(commune: &str) -> Actor {
    Actor {
        department: None,
        username: format!("officer.{commune}"),
        role: Some(Role::Officer),
        scope: Scope::Commune { province: "48".into(), commune: commune.into() },
    }
}

fn specialist(commune: &str) -> Actor {
    Actor { username: format!("cv.{commune}"), role: Some(Role::Specialist), ..officer(commune) }
}

fn leader(commune: &str) -> Actor {
    Actor { username: format!("ct.{commune}"), role: Some(Role::CommuneLeader), ..officer(commune) }
}

/// The commune's specialist account, whom dossiers may be assigned to.
fn add_specialist(app: &App, commune: &str) -> String {
    let name = format!("cv.{commune}");
    app.accounts().add_user(&name, Role::Specialist, commune, "mat-khau-dai", None).unwrap();
    name
}

fn request(channel: Channel, address: Option<&str>) -> IntakeRequest {
    IntakeRequest {
        procedure_code: MARRIAGE_STATUS.into(),
        channel,
        commune_code: None,
        applicant: Applicant {
            full_name: "Nguyễn Thị Hoa".into(),
            phone: Some("0905 123 456".into()),
            id_number: Some("048190001234".into()),
            address: address.map(str::to_string),
        },
    }
}

fn act(
    app: &App,
    code: &str,
    action: &str,
    note: Option<&str>,
    who: &Actor,
) -> app::AppResult<app::DossierRecord> {
    let req = ActionRequest { note: note.map(str::to_string), ..ActionRequest::new(action) };
    app.dossiers().act(code, &req, who)
}

#[test]
fn a_dossier_lives_its_whole_life() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let d = app
            .dossiers()
            .receive(&request(Channel::Direct, Some("12 Trần Phú, P. Hải Châu I, Q. Hải Châu, Đà Nẵng")), &me)
            .unwrap();
        assert_eq!(d.status, Status::Received);
        assert_eq!(d.receiving_unit, HAI_CHAU);
        assert_eq!(d.address_commune.as_deref(), Some(HAI_CHAU), "the old address resolves to the new ward");
        assert!(d.code.starts_with("20242-260511-"), "{}", d.code);
        let cal = WorkCalendar::default();
        let expected = due(&cal, at(2026, 5, 11, 8, 0), TimeLimit::WorkingDays(3), None, &[]).unwrap().due;
        assert_eq!(d.due_at, Some(expected));

        // A wall clock has fractions of a second; the history keeps whole seconds.
        clock.set(at(2026, 5, 11, 9, 0) + chrono::Duration::nanoseconds(123_456_789));
        let cv = add_specialist(&app, HAI_CHAU);
        let assign = ActionRequest {
            to: Some(cv.clone()),
            note: Some("giao chuyên viên tư pháp".into()),
            ..ActionRequest::new("assign")
        };
        app.dossiers().act(&d.code, &assign, &leader(HAI_CHAU)).unwrap();
        clock.set(at(2026, 5, 12, 8, 0));
        let r = act(&app, &d.code, "request_supplement", Some("thiếu giấy tờ cư trú"), &specialist(HAI_CHAU))
            .unwrap();
        assert_eq!(r.status, Status::SupplementRequested);
        clock.set(at(2026, 5, 13, 8, 0));
        let r = act(&app, &d.code, "supplement_received", None, &me).unwrap();
        assert!(r.due_at.unwrap() > expected, "the wait for the citizen moves the due date");
        clock.set(at(2026, 5, 13, 10, 0));
        act(&app, &d.code, "approve", None, &leader(HAI_CHAU)).unwrap();
        let done = act(&app, &d.code, "return_result", None, &me).unwrap();
        assert_eq!(done.status, Status::Returned);
        assert_eq!(done.verdict.as_deref(), Some("early"));

        let read = app.dossiers().dossier(&d.code, &me).unwrap();
        assert_eq!(read.events.len() as i64, read.event_count);
        let kinds: Vec<String> = read
            .events
            .iter()
            .map(|e| serde_json::to_value(&e.kind).unwrap()["type"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            kinds,
            [
                "registered",
                "received",
                "due_changed",
                "assigned",
                "supplement_requested",
                "supplement_received",
                "due_changed",
                "approved",
                "result_returned"
            ]
        );
        assert_eq!(read.events[3].note.as_deref(), Some("giao chuyên viên tư pháp"));
        assert_eq!(read.events[3].at, at(2026, 5, 11, 9, 0));
        assert!(
            matches!(&read.events[4].kind, domain::EventKind::SupplementRequested { note } if note == "thiếu giấy tờ cư trú")
        );
        assert_eq!(read.events[4].note, None, "the reason is in the event, not repeated");

        // Statistics were written with the events.
        let stats = app
            .store()
            .read(|c| {
                c.query_one(
                    "SELECT CAST(SUM(received) AS BIGINT), CAST(SUM(resolved_early) AS BIGINT), CAST(SUM(returned) AS BIGINT), CAST(SUM(supplement_requested) AS BIGINT) FROM stats_daily WHERE unit_code = $1",
                    &[HAI_CHAU.into()],
                )
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            (stats.int(0), stats.int(1), stats.int(2), stats.int(3)),
            (Some(1), Some(1), Some(1), Some(1))
        );
        assert!(app.dossiers().verify().unwrap().ok());
    });
}

#[test]
fn refused_transitions_name_the_status_and_change_nothing() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let d = app.dossiers().receive(&request(Channel::Online, None), &me).unwrap();
        assert_eq!(d.status, Status::Registered);
        assert_eq!(d.due_at, None, "an online dossier has no appointment before it is received");
        let e = act(&app, &d.code, "return_result", None, &me).unwrap_err();
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Conflict, "invalid_transition"));
        assert_eq!(e.allowed, ["receive", "refuse", "request_supplement", "withdraw", "correct_applicant"]);
        assert!(e.message.contains("Mới đăng ký"), "{}", e.message);
        let e = act(&app, &d.code, "approve", None, &me).unwrap_err();
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Forbidden, "action_not_permitted"));
        assert_eq!(e.roles, ["commune_leader"]);
        let e = act(&app, &d.code, "approve", None, &leader(HAI_CHAU)).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_transition", "the leader may approve, but not before receipt");
        assert!(e.allowed.is_empty(), "none of the actions allowed now is the leader's: {:?}", e.allowed);
        assert_eq!(act(&app, &d.code, "refuse", None, &me).unwrap_err().code, "missing_reason");
        assert_eq!(act(&app, &d.code, "fly", None, &me).unwrap_err().code, "unknown_action");
        assert_eq!(app.dossiers().dossier(&d.code, &me).unwrap().event_count, 1);
        let r = act(&app, &d.code, "receive", None, &me).unwrap();
        assert_eq!(r.status, Status::Received);
        assert!(r.due_at.is_some());
    });
}

#[test]
fn bad_intake_is_refused_with_a_code_and_nothing_written() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let cases: Vec<(IntakeRequest, &str)> = vec![
            (
                IntakeRequest { procedure_code: "9.999999".into(), ..request(Channel::Direct, None) },
                "unknown_procedure",
            ),
            (
                IntakeRequest {
                    applicant: Applicant { full_name: "  ".into(), ..Applicant::default() },
                    ..request(Channel::Direct, None)
                },
                "missing_name",
            ),
            (
                IntakeRequest {
                    applicant: Applicant {
                        phone: Some("abc".into()),
                        ..request(Channel::Direct, None).applicant
                    },
                    ..request(Channel::Direct, None)
                },
                "invalid_phone",
            ),
            (
                IntakeRequest {
                    applicant: Applicant {
                        id_number: Some("12345".into()),
                        ..request(Channel::Direct, None).applicant
                    },
                    ..request(Channel::Direct, None)
                },
                "invalid_id_number",
            ),
            (
                IntakeRequest { commune_code: Some("99999".into()), ..request(Channel::Direct, None) },
                "unknown_unit",
            ),
            (
                IntakeRequest { commune_code: Some(HOA_CUONG.into()), ..request(Channel::Direct, None) },
                "out_of_scope",
            ),
            // Registering a birth late at a mobile desk: direct only.
            (
                IntakeRequest { procedure_code: "1.003583".into(), ..request(Channel::Online, None) },
                "channel_not_offered",
            ),
        ];
        for (req, code) in cases {
            assert_eq!(app.dossiers().receive(&req, &me).unwrap_err().code, code);
        }
        let n =
            app.store().read(|c| c.query_one("SELECT COUNT(*) FROM dossiers", &[])).unwrap().unwrap().int(0);
        assert_eq!(n, Some(0));
    });
}

#[test]
fn a_commune_never_sees_another_communes_dossiers() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let ours = app.dossiers().receive(&request(Channel::Direct, None), &officer(HAI_CHAU)).unwrap();
        let theirs = app.dossiers().receive(&request(Channel::Direct, None), &officer(HOA_CUONG)).unwrap();
        let me = officer(HAI_CHAU);
        let e = app.dossiers().dossier(&theirs.code, &me).unwrap_err();
        assert_eq!((e.kind, e.code.as_str()), (ErrorKind::NotFound, "dossier_not_found"));
        assert_eq!(act(&app, &theirs.code, "approve", None, &me).unwrap_err().code, "dossier_not_found");
        let denied = app
            .store()
            .read(|c| {
                c.query_one(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'access_denied' AND target = $1",
                    &[(&theirs.code).into()],
                )
            })
            .unwrap()
            .and_then(|r| r.int(0));
        assert!(denied >= Some(2), "each denied look is in the audit log: {denied:?}");
        let page = app.dossiers().list(&DossierFilter::default(), &me).unwrap();
        assert_eq!(page.items.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), [ours.code.as_str()]);
        assert_eq!(page.total, 1);
        let province = Actor {
            department: None,
            username: "so".into(),
            role: Some(Role::Department),
            scope: Scope::Province("48".into()),
        };
        assert_eq!(app.dossiers().list(&DossierFilter::default(), &province).unwrap().total, 2);
        let hue = Actor {
            department: None,
            username: "hue".into(),
            role: Some(Role::Department),
            scope: Scope::Province("46".into()),
        };
        assert_eq!(app.dossiers().list(&DossierFilter::default(), &hue).unwrap().total, 0);
        // A dossier sent up to the province stays visible to the commune that received it.
        let t = ActionRequest { to: Some("48".into()), ..ActionRequest::new("transfer") };
        let moved = app.dossiers().act(&ours.code, &t, &specialist(HAI_CHAU)).unwrap();
        assert_eq!(moved.handling_unit, "48");
        assert!(app.dossiers().dossier(&ours.code, &me).is_ok());
        let t = ActionRequest { to: Some("19753".into()), ..ActionRequest::new("transfer") };
        assert!(app.dossiers().act(&ours.code, &t, &province).is_err(), "no transfer to another province");
        // The sender reads it, but no longer processes it.
        let e = act(&app, &ours.code, "approve", None, &leader(HAI_CHAU)).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.roles.as_slice()),
            ("action_not_permitted", ["province_leader"].as_slice())
        );
    });
}

#[test]
fn routing_follows_the_province_rules() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let neighbour = Some("K15 Núi Thành, phường Hòa Cường, Đà Nẵng");
        let e = app.dossiers().receive(&request(Channel::Direct, neighbour), &me).unwrap_err();
        assert_eq!(e.code.as_str(), "not_competent");
        let rule = RuleUpdate { boundary_free: Some(true), ..RuleUpdate::default() };
        app.set_rule("48", MARRIAGE_STATUS, rule).unwrap();
        let d = app.dossiers().receive(&request(Channel::Direct, neighbour), &me).unwrap();
        assert_eq!((d.handling_unit.as_str(), d.address_commune.as_deref()), (HAI_CHAU, Some(HOA_CUONG)));
        // Settings survive a restart.
        drop(app);
        let app = open(db, &clock);
        assert!(app.province_settings("48").unwrap().rules[0].boundary_free);
        assert!(app.dossiers().receive(&request(Channel::Direct, neighbour), &me).is_ok());
        app.set_code_pattern("48", "DN.{unit}.{yyyy}.{seq:6}").unwrap();
        let d = app.dossiers().receive(&request(Channel::Direct, None), &me).unwrap();
        assert_eq!(d.code.as_str(), "DN.20242.2026.000001");
        assert_eq!(app.set_code_pattern("48", "{yyyy}").unwrap_err().code, "invalid_code_pattern");
    });
}

#[test]
fn codes_are_unique_and_gapless_under_concurrency() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = std::sync::Arc::new(open(db, &clock));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let app = app.clone();
                std::thread::spawn(move || {
                    (0..40)
                        .map(|_| {
                            app.dossiers()
                                .receive(&request(Channel::Direct, None), &officer(HAI_CHAU))
                                .unwrap()
                                .code
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut codes: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        codes.sort();
        let expected: Vec<String> = (1..=320).map(|n| format!("20242-260511-{n:04}")).collect();
        assert_eq!(codes, expected);
        assert!(app.dossiers().verify().unwrap().ok());
    });
}

#[test]
fn history_is_append_only_in_the_database_itself() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let d = app.dossiers().receive(&request(Channel::Direct, None), &officer(HAI_CHAU)).unwrap();
        let code = d.code.clone();
        let r = app.store().write(move |c| {
            c.exec("UPDATE events SET actor = 'x' WHERE dossier_code = $1", &[(&code).into()])
        });
        assert_eq!(r.unwrap_err().code(), "append_only");
        let code = d.code.clone();
        let r = app
            .store()
            .write(move |c| c.exec("DELETE FROM events WHERE dossier_code = $1", &[(&code).into()]));
        assert_eq!(r.unwrap_err().code(), "append_only");
        if app.store().dialect() == Dialect::Postgres {
            // The application's role has no right to rewrite history, triggers or not.
            let r = app.store().write(|c| {
                c.batch("SET LOCAL ROLE haicap_app")?;
                c.batch("ALTER TABLE events DISABLE TRIGGER USER")
            });
            assert!(r.is_err());
            let r = app.store().write(|c| {
                c.batch("SET LOCAL ROLE haicap_app")?;
                c.exec("UPDATE events SET actor = 'x'", &[])
            });
            assert!(r.unwrap_err().message().contains("permission denied"));
            let r = app.store().write(|c| {
                c.batch("SET LOCAL ROLE haicap_app")?;
                c.exec("INSERT INTO counters (key, value) VALUES ('role-check', 1)", &[])
            });
            assert!(r.is_ok(), "the role may still write what it should: {r:?}");
        }
        assert!(app.dossiers().verify().unwrap().ok());
    });
}

/// Bypasses the guards as an intruder with file or superuser access would.
fn tamper(app: &App, sql: &'static str, params: Vec<Val>) {
    let dialect = app.store().dialect();
    app.store()
        .write(move |c| {
            match dialect {
                Dialect::Sqlite => c.batch("DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; DROP TRIGGER IF EXISTS day_heads_no_update")?,
                Dialect::Postgres => c.batch("ALTER TABLE events DISABLE TRIGGER USER; ALTER TABLE day_heads DISABLE TRIGGER USER")?,
            }
            c.exec(sql, &params)
        })
        .unwrap();
}

#[test]
fn verify_names_each_dossier_whose_history_was_altered() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let codes: Vec<String> = (0..5)
            .map(|_| app.dossiers().receive(&request(Channel::Direct, None), &me).unwrap().code)
            .collect();
        for c in &codes {
            act(&app, c, "approve", None, &leader(HAI_CHAU)).unwrap();
        }
        // The next day seals the 11th.
        clock.set(at(2026, 5, 12, 8, 0));
        assert_eq!(app.dossiers().seal().unwrap(), Some(at(2026, 5, 11, 0, 0).date()));
        assert!(app.dossiers().digest(at(2026, 5, 11, 0, 0).date()).unwrap().is_some());
        assert!(app.dossiers().verify().unwrap().ok());
        // The seal holds each dossier's last event of the day (each had several).
        let pairs = |sql: &'static str| {
            let rows = app.store().read(move |c| c.query(sql, &[])).unwrap();
            let mut v: Vec<(String, i64)> = rows.iter().map(|r| (r.string(0), r.int(1).unwrap())).collect();
            v.sort();
            v
        };
        let heads = pairs("SELECT dossier_code, seq FROM day_heads");
        assert_eq!(heads, pairs("SELECT dossier_code, MAX(seq) FROM events GROUP BY dossier_code"));
        assert!(heads.iter().all(|h| h.1 > 1), "{heads:?}");

        // An edited note in one dossier, a deleted last event in another.
        tamper(&app, "UPDATE events SET body = REPLACE(body, 'officer.20242', 'someone') WHERE dossier_code = $1 AND seq = 2", vec![(&codes[1]).into()]);
        tamper(&app, "DELETE FROM events WHERE dossier_code = $1 AND seq = 4", vec![(&codes[3]).into()]);
        let report = app.dossiers().verify().unwrap();
        assert!(!report.ok());
        assert_eq!(report.altered_dossiers(), vec![codes[1].clone(), codes[3].clone()]);
    });
}

#[test]
fn accounts_use_argon2id_and_fit_their_unit() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let u = app
            .accounts()
            .add_user("Lan.Nguyen", Role::Officer, HAI_CHAU, "mat-khau-dai", Some("Nguyễn Thị Lan"))
            .unwrap();
        assert_eq!((u.username.as_str(), u.province_code.as_str()), ("lan.nguyen", "48"));
        let (_, hash) = app.accounts().user("lan.nguyen").unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert_eq!(app.accounts().authenticate("LAN.NGUYEN", "mat-khau-dai").unwrap().unit_code, HAI_CHAU);
        assert_eq!(app.accounts().authenticate("lan.nguyen", "sai").unwrap_err().code, "invalid_credentials");
        assert_eq!(app.accounts().authenticate("nobody", "x").unwrap_err().code, "invalid_credentials");
        assert_eq!(
            app.accounts()
                .add_user("lan.nguyen", Role::Officer, HAI_CHAU, "12345678", None)
                .unwrap_err()
                .code,
            "user_exists"
        );
        assert_eq!(
            app.accounts()
                .add_user("leader", Role::ProvinceLeader, HAI_CHAU, "12345678", None)
                .unwrap_err()
                .code,
            "role_unit_mismatch"
        );
        assert_eq!(
            app.accounts().add_user("x y", Role::Officer, HAI_CHAU, "12345678", None).unwrap_err().code,
            "invalid_username"
        );
        assert_eq!(
            app.accounts().add_user("short", Role::Officer, HAI_CHAU, "123", None).unwrap_err().code,
            "weak_password"
        );
        assert_eq!(
            app.accounts().add_user("nowhere", Role::Officer, "00000", "12345678", None).unwrap_err().code,
            "unknown_unit"
        );
    });
}

#[test]
fn catalog_import_versions_changed_procedures() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        assert_eq!(app.catalog().procedures.len(), 111, "the shipped catalog is seeded on first start");
        let json = domain::catalog::BUILTIN_CATALOG_JSON;
        let r = app.import_catalog(json).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 0, 111));
        let changed = json.replacen(
            "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
            "Cấp Giấy xác nhận tình trạng hôn nhân",
            1,
        );
        let r = app.import_catalog(&changed).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 1, 110));
        assert_eq!(app.catalog().get(MARRIAGE_STATUS).unwrap().name, "Cấp Giấy xác nhận tình trạng hôn nhân");
        let d = app.dossiers().receive(&request(Channel::Direct, None), &officer(HAI_CHAU)).unwrap();
        assert_eq!(d.procedure_version, 2);
        let bad = json.replacen("\"code\": \"1.004873\"", "\"code\": \"1.001193\"", 1);
        assert_eq!(app.import_catalog(&bad).unwrap_err().code, "invalid_procedure");
        assert_eq!(app.catalog().procedures.len(), 111, "a bad file changes nothing");
    });
}

#[test]
fn two_servers_on_one_database_never_lose_an_action() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let a = open(db, &clock);
        let b = open(db, &clock);
        let me = officer(HAI_CHAU);
        let d = a.dossiers().receive(&request(Channel::Direct, None), &me).unwrap();
        // b moves the dossier on while a still holds its own copy of it.
        let assign = ActionRequest { to: Some(add_specialist(&a, HAI_CHAU)), ..ActionRequest::new("assign") };
        let boss = leader(HAI_CHAU);
        b.dossiers().act(&d.code, &assign, &boss).unwrap();
        b.dossiers().act(&d.code, &ActionRequest::new("approve"), &boss).unwrap();
        // a's copy is stale: its append is refused, it reads again and decides on the truth.
        let e = a.dossiers().act(&d.code, &ActionRequest::new("approve"), &boss).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_transition", "a sees that b already approved");
        let r = a.dossiers().act(&d.code, &ActionRequest::new("return_result"), &me).unwrap();
        assert_eq!((r.status, r.event_count), (Status::Returned, 6));
        assert!(a.dossiers().verify().unwrap().ok());
    });
}

#[test]
fn steps_on_one_dossier_at_once_are_each_applied_once_in_one_chain() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let (a, b) = (open(db, &clock), open(db, &clock));
        let d = a.dossiers().receive(&request(Channel::Direct, None), &officer(HAI_CHAU)).unwrap();
        let boss = leader(HAI_CHAU);
        let person = add_specialist(&a, HAI_CHAU);
        let before = a.dossiers().dossier(&d.code, &boss).unwrap().event_count;
        // Sixteen assignments through two servers at once: each reads the dossier, most find
        // it changed by the time their write runs (in the same batch or another), write
        // nothing and read it again.
        let n = std::sync::atomic::AtomicUsize::new(0);
        let results = at_once(16, || {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let server = if i.is_multiple_of(2) { &a } else { &b };
            let assign = ActionRequest { to: Some(person.clone()), ..ActionRequest::new("assign") };
            server.dossiers().act(&d.code, &assign, &boss).map(|_| ()).map_err(|e| e.code.to_string())
        });
        let done = results.iter().filter(|r| r.is_ok()).count();
        // Under this much contention a step may give up after its retries: never silently.
        assert!(
            results.iter().all(|r| r.as_ref().err().is_none_or(|c| c == "concurrent_update")),
            "{results:?}"
        );
        let after = a.dossiers().dossier(&d.code, &boss).unwrap().event_count;
        assert_eq!(after - before, done as i64, "each step applied once: {results:?}");
        let v = a.dossiers().verify().unwrap();
        assert!(v.ok(), "{v:?}");
    });
}

#[test]
fn officers_find_dossiers_by_name_without_accents_or_by_phone() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let d = app.dossiers().receive(&request(Channel::Direct, None), &me).unwrap();
        let mut other = request(Channel::Direct, None);
        other.applicant.full_name = "Lê Văn Tám".into();
        other.applicant.phone = Some("0912000111".into());
        app.dossiers().receive(&other, &me).unwrap();
        let find = |text: &str, who: &Actor| {
            let f = DossierFilter { text: Some(text.into()), per_page: 50, ..DossierFilter::default() };
            app.dossiers()
                .list(&f, who)
                .unwrap()
                .items
                .into_iter()
                .map(|d| d.applicant_name)
                .collect::<Vec<_>>()
        };
        assert_eq!(find("nguyen thi HOA", &me), ["Nguyễn Thị Hoa"]);
        assert_eq!(find("Hoa Nguyễn", &me), ["Nguyễn Thị Hoa"], "words in any order");
        assert_eq!(find("0912000", &me), ["Lê Văn Tám"]);
        assert_eq!(find(&d.code, &me), ["Nguyễn Thị Hoa"]);
        assert_eq!(find("%", &me).len(), 2, "a wildcard typed is no wildcard");
        assert!(find("_", &me).len() == 2 && find("a%b", &me).is_empty());
        assert!(find("nguyen", &officer(HOA_CUONG)).is_empty(), "search stays within the scope");
    });
}

/// `f` called by `n` threads at once; their results.
fn at_once<T: Send>(n: usize, f: impl Fn() -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n).map(|_| s.spawn(&f)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn the_first_writes_of_a_new_day_all_succeed_and_each_day_is_sealed_once() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 9, 0));
        let app = open(db, &clock);
        let desk = officer(HAI_CHAU);
        for day in [2, 4, 6] {
            // A busy day (its seal takes a while) ...
            clock.set(at(2026, 3, day, 9, 0));
            for _ in 0..150 {
                app.dossiers().receive(&request(Channel::Direct, None), &desk).unwrap();
            }
            // ... then the next morning, many desks at once: each write may find the day to
            // seal (on PostgreSQL, on several writer connections); none may be reported failed.
            clock.set(at(2026, 3, day + 1, 8, 0));
            for r in &at_once(16, || app.dossiers().receive(&request(Channel::Direct, None), &desk)) {
                assert!(r.is_ok(), "{}/03: {r:?}", day + 1);
            }
        }
        // And sealing itself, asked for by several callers at once (`haicap audit seal` while
        // the desks work): each gets the same answer, the day is sealed once.
        clock.set(at(2026, 3, 7, 9, 0));
        for _ in 0..150 {
            app.dossiers().receive(&request(Channel::Direct, None), &desk).unwrap();
        }
        clock.set(at(2026, 3, 8, 8, 0));
        for r in &at_once(6, || app.dossiers().seal()) {
            assert!(
                matches!(r, Ok(Some(d)) if *d == chrono::NaiveDate::from_ymd_opt(2026, 3, 7).unwrap()),
                "{r:?}"
            );
        }
        let count = |sql: &str| app.store().read(|c| c.query_one(sql, &[])).unwrap().and_then(|r| r.int(0));
        assert_eq!(count("SELECT COUNT(*) FROM dossiers"), Some(3 * (150 + 16) + 150));
        // The days with work before today: 2 to 7 March, each sealed once.
        assert_eq!(count("SELECT COUNT(*) FROM day_digests"), Some(6));
        assert!(app.dossiers().verify().unwrap().ok());
    });
}

#[test]
fn an_intake_answered_by_the_writer_holds_no_thread_and_the_day_before_is_sealed_off_it() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 9, 0));
        let app = std::sync::Arc::new(open(db, &clock));
        let desk = officer(HAI_CHAU);
        for _ in 0..20 {
            app.dossiers().receive(&request(Channel::Direct, None), &desk).unwrap();
        }
        // The next morning: fifty intakes handed to the writer at once from one thread; the
        // first finds the day before to seal, which must not be done on the writer's notifier
        // (it would wait for the writer it serves).
        clock.set(at(2026, 3, 3, 8, 0));
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..50 {
            let tx = tx.clone();
            app.receive_then(&request(Channel::Direct, None), &desk, None, move |r| tx.send(r).unwrap());
        }
        drop(tx);
        let codes: std::collections::BTreeSet<String> =
            rx.iter().map(|r| r.expect("every intake committed").code).collect();
        assert_eq!(codes.len(), 50, "each with a code of its own");
        // A refused one is answered at once, with nothing written.
        let (tx, rx) = std::sync::mpsc::channel();
        let bad = IntakeRequest { procedure_code: "0.000000".into(), ..request(Channel::Direct, None) };
        app.receive_then(&bad, &desk, None, move |r| tx.send(r).unwrap());
        assert_eq!(rx.recv().unwrap().unwrap_err().code, "unknown_procedure");
        let count = |sql: &str| app.store().read(|c| c.query_one(sql, &[])).unwrap().and_then(|r| r.int(0));
        assert_eq!(count("SELECT COUNT(*) FROM dossiers"), Some(70));
        let sealed = (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            count("SELECT COUNT(*) FROM day_digests") == Some(1)
        });
        assert!(sealed, "2 March sealed");
        assert!(app.dossiers().verify().unwrap().ok());
    });
}

#[test]
fn intakes_at_many_desks_at_once_never_deadlock_the_writers() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        // Two servers on one database, each with its writer. Each desk's intakes take its day
        // counter's numbers and add to its statistics rows: two transactions locking those
        // rows in different orders would wait for each other in a circle (PostgreSQL breaks it
        // after a second and the writes are run again alone).
        let app = std::sync::Arc::new(open(db, &clock));
        let other = std::sync::Arc::new(open(db, &clock));
        let deadlocks = || {
            if app.store().dialect() != Dialect::Postgres {
                return 0;
            }
            let sql = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()";
            let row = app.store().read(|c| {
                c.batch("SELECT pg_stat_clear_snapshot()")?;
                c.query_one(sql, &[])
            });
            row.unwrap().and_then(|r| r.int(0)).unwrap_or(0)
        };
        let before = deadlocks();
        let desks = ["20194", "20197", "20200", "20209", "20242", "20257", "20260", "20263"];
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..800 {
            let tx = tx.clone();
            let desk = officer(desks[(i * 5) % desks.len()]);
            let server = if i % 2 == 0 { &app } else { &other };
            server.receive_then(&request(Channel::Direct, None), &desk, None, move |r| tx.send(r).unwrap());
        }
        drop(tx);
        let codes: Vec<String> = rx.iter().map(|r| r.expect("every intake committed").code).collect();
        assert_eq!(codes.len(), 800);
        // Each desk numbered its day without a gap or a repeat.
        for desk in desks {
            let mut mine: Vec<&str> =
                codes.iter().filter(|c| c.starts_with(desk)).map(String::as_str).collect();
            mine.sort();
            assert_eq!(mine.len(), 100, "{desk}");
            assert!(mine.last().unwrap().ends_with("-0100"), "{desk}: {:?}", mine.last());
        }
        // Statistics are flushed to the shared view shortly after the transactions end.
        std::thread::sleep(std::time::Duration::from_millis(1200));
        assert_eq!(deadlocks(), before, "the writers deadlocked");
    });
}

#[test]
fn a_disabled_account_signs_in_no_more_and_its_sessions_end_on_every_server() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 8, 0));
        let (a, b) = (open(db, &clock), open(db, &clock));
        a.accounts().add_user("lan", Role::Officer, HAI_CHAU, "mat-khau-dai", None).unwrap();
        a.accounts().add_user("quantri", Role::Admin, HAI_CHAU, "mat-khau-dai", None).unwrap();
        a.accounts().add_user("quantri.hue", Role::Admin, "19753", "mat-khau-dai", None).unwrap();
        let (token, _) = a.accounts().login("lan", "mat-khau-dai", "192.0.2.1").unwrap();
        assert!(b.accounts().session(&token).unwrap().is_some(), "the other server knows the session");
        let admin = |name: &str| Actor::of(&a.accounts().user(name).unwrap().unwrap().0);
        // Another unit's administrator may not, nor may an administrator lock themselves.
        assert_eq!(
            a.accounts().set_active("lan", false, &admin("quantri.hue")).unwrap_err().code,
            "admin_only"
        );
        assert_eq!(
            a.accounts().set_active("quantri", false, &admin("quantri")).unwrap_err().code,
            "admin_only"
        );
        assert_eq!(
            a.accounts().set_active("khong.co", false, &admin("quantri")).unwrap_err().code,
            "user_not_found"
        );
        assert!(!a.accounts().set_active("lan", false, &admin("quantri")).unwrap().active);
        assert!(a.accounts().session(&token).unwrap().is_none(), "ended at once here");
        // The other server re-reads its cached sessions within 30 seconds.
        clock.set(at(2026, 3, 2, 8, 1));
        assert!(b.accounts().session(&token).unwrap().is_none(), "and there");
        assert_eq!(
            b.accounts().login("lan", "mat-khau-dai", "192.0.2.1").unwrap_err().code,
            "invalid_credentials"
        );
        // Enabled again from the console: she signs in.
        assert!(a.accounts().set_active("lan", true, &Actor::console("test")).unwrap().active);
        assert!(b.accounts().login("lan", "mat-khau-dai", "192.0.2.1").is_ok());
    });
}

#[test]
fn failed_logins_are_counted_across_the_servers_sharing_a_database() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 8, 0));
        let (a, b) = (open(db, &clock), open(db, &clock));
        a.accounts().add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
        // Failures alternate between the two servers, as a load balancer would send them.
        for i in 0..5 {
            let server = if i % 2 == 0 { &a } else { &b };
            assert_eq!(
                server.accounts().login("lan", "sai", "192.0.2.1").unwrap_err().code,
                "invalid_credentials"
            );
        }
        for server in [&a, &b] {
            let e = server.accounts().login("lan", "mat-khau-dai", "192.0.2.1").unwrap_err();
            assert_eq!((e.code.as_str(), e.kind), ("too_many_attempts", ErrorKind::TooManyRequests));
        }
        // The guesser locked out itself: Lan signs in from her office.
        assert!(b.accounts().login("lan", "mat-khau-dai", "192.0.2.9").is_ok());
        // A guesser spread over many addresses locks the account for everyone (20 failures).
        for i in 0..15 {
            assert_eq!(
                a.accounts().login("lan", "sai", &format!("198.51.100.{i}")).unwrap_err().code,
                "invalid_credentials"
            );
        }
        assert_eq!(
            b.accounts().login("lan", "mat-khau-dai", "192.0.2.9").unwrap_err().code,
            "too_many_attempts"
        );
        // A guesser past the limit fills no audit log, and a long typed name is cut.
        for _ in 0..50 {
            assert_eq!(a.accounts().login("lan", "sai", "192.0.2.1").unwrap_err().code, "too_many_attempts");
        }
        let long = "x".repeat(500);
        let _ = a.accounts().login(&long, "sai", "192.0.2.77");
        let rows = a
            .store()
            .read(|c| c.query("SELECT actor, action FROM audit_log WHERE action LIKE 'login%'", &[]))
            .unwrap();
        assert_eq!(rows.len(), 22, "twenty failures, a login and the long name, no line per throttled try");
        assert!(rows.iter().all(|r| r.string(0).chars().count() <= 64));
        // After the window, the right password works again on either.
        clock.set(at(2026, 3, 2, 8, 16));
        assert!(b.accounts().login("lan", "mat-khau-dai", "192.0.2.9").is_ok());
    });
}

/// Receives under an intake key, waiting for the outcome.
fn receive_under(app: &Arc<App>, key: &str, actor: &Actor) -> Result<app::DossierRecord, app::AppError> {
    let (tx, rx) = std::sync::mpsc::channel();
    app.receive_then(&request(Channel::Direct, None), actor, Some(key), move |r| tx.send(r).unwrap());
    rx.recv().unwrap()
}

#[test]
fn an_intake_repeated_under_its_key_through_two_servers_at_once_is_filed_once() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let (a, b) = (Arc::new(open(db, &clock)), Arc::new(open(db, &clock)));
        let me = officer(HAI_CHAU);
        // Eight copies of one request through two servers at once (a client retrying after
        // answers lost on the way): one dossier; every other copy is refused on the key and
        // finds that dossier under it.
        let n = std::sync::atomic::AtomicUsize::new(0);
        let results = at_once(8, || {
            let server =
                if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst).is_multiple_of(2) { &a } else { &b };
            receive_under(server, "lan-retry-0001", &me)
        });
        let filed: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(filed.len(), 1, "{results:?}");
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert_eq!(r.code.as_str(), "db_constraint", "{r:?}");
        }
        let found = a.dossiers().filed_under("lan-retry-0001", &me).unwrap().expect("filed under the key");
        assert_eq!(found.code, filed[0].code);
        let all = a.dossiers().list(&DossierFilter::default(), &me).unwrap();
        assert_eq!(all.total, 1);
        // The key is the officer's own: another officer neither finds it nor is refused by it.
        let other = Actor { username: "khac".into(), ..officer(HAI_CHAU) };
        assert!(a.dossiers().filed_under("lan-retry-0001", &other).unwrap().is_none());
        assert!(receive_under(&b, "lan-retry-0001", &other).is_ok());
        // A day later the key is forgotten (the housekeeping sweep).
        clock.set(at(2026, 5, 12, 9, 0));
        assert_eq!(a.dossiers().sweep_intake_keys().unwrap(), 2);
        assert!(a.dossiers().filed_under("lan-retry-0001", &me).unwrap().is_none());
    });
}

#[test]
fn a_dossier_row_that_cannot_be_read_is_an_error_not_a_gap_in_the_list() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let me = officer(HAI_CHAU);
        let d = app.dossiers().receive(&request(Channel::Direct, None), &me).unwrap();
        app.dossiers().receive(&request(Channel::Direct, None), &me).unwrap();
        assert_eq!(app.dossiers().list(&DossierFilter::default(), &me).unwrap().total, 2);
        // A status outside the portal's table (a bad hand edit, a newer schema): the list says
        // something is wrong instead of quietly showing one dossier of two.
        let code = d.code.clone();
        app.store()
            .write(move |c| {
                c.exec("UPDATE dossiers SET status = 99 WHERE code = $1", &[code.as_str().into()])
            })
            .unwrap();
        let e = app.dossiers().list(&DossierFilter::default(), &me).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        assert!(e.cause.as_deref().is_some_and(|c| c.contains("status")), "{e:?}");
    });
}
