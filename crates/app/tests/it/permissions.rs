//! The role × action matrix, generated from its one table (`domain::permissions::MATRIX`):
//! every role, at every unit it can hold, tries every action on dossiers in every relation to
//! its unit (received there, handled there, both, neither), on SQLite and PostgreSQL. The
//! behaviour must be what the table says: allowed, refused with `action_not_permitted` naming
//! the roles needed, or, out of scope, a dossier that does not exist.

use crate::common::{at, backends, open, HandClock};
use app::{ActionRequest, Actor, App, Applicant, ErrorKind, IntakeRequest};
use domain::dossier::{allowed_in, ACTIONS};
use domain::permissions::{allows, role_for, Place, MATRIX};
use domain::roles::{Role, Scope, ALL_ROLES};
use domain::{Channel, Status};

const A: &str = "20242"; // Phường Hải Châu, where the dossiers are received
const B: &str = "20257"; // Phường Hòa Cường, a neighbour it may be sent to
const PROVINCE: &str = "48";
const COMMUNE_PROCEDURE: &str = "1.004873";

/// How the dossier stands to the units: where it was received and where it is handled.
#[derive(Clone, Copy, Debug)]
enum Setup {
    /// Received and handled at A.
    Local,
    /// Received at A, handled by the province (a province-level procedure).
    Up,
    /// Received at A, then transferred to B.
    Sideways,
}

fn actor(role: Role, unit: &str) -> Actor {
    let scope = if unit.len() == 2 {
        Scope::Province(unit.into())
    } else {
        Scope::Commune { province: PROVINCE.into(), commune: unit.into() }
    };
    Actor { username: format!("{}.{unit}", role.code()), role: Some(role), scope, department: None }
}

/// The specialist a dossier handled at `unit` may be assigned to.
fn assignee(unit: &str) -> String {
    format!("xuly.{unit}")
}

/// A request for `action` with every field it needs, valid for a dossier handled at `handling`.
fn request(action: &str, handling: &str) -> ActionRequest {
    let to = match action {
        "assign" => Some(assignee(handling)),
        "transfer" if handling == PROVINCE => Some(A.to_string()),
        "transfer" => Some(PROVINCE.to_string()),
        _ => None,
    };
    ActionRequest {
        note: Some("lý do thử nghiệm".into()),
        to,
        amount_vnd: Some(50_000),
        extra_days: Some(2),
        verdict: Some("approve".into()),
        applicant: Some(Applicant { full_name: "Nguyễn Văn Sửa".into(), ..Applicant::default() }),
        ..ActionRequest::new(action)
    }
}

/// The status to try `action` in: the first, along the workflow, that allows it and that the
/// setup can reach (a transferred dossier was received first).
fn status_for(action: &str, setup: Setup) -> Option<Status> {
    [
        Status::Registered,
        Status::Received,
        Status::SupplementRequested,
        Status::PaymentRequested,
        Status::Resolved,
    ]
    .into_iter()
    .filter(|s| !(matches!(setup, Setup::Sideways) && *s == Status::Registered))
    .find(|s| allowed_in(*s).contains(&action))
}

/// A fresh dossier in `status`, moved there by the console (which holds every seat).
fn dossier(app: &App, setup: Setup, status: Status, up_procedure: &str) -> (String, String) {
    let console = Actor::console("thiết lập");
    let procedure = if matches!(setup, Setup::Up) { up_procedure } else { COMMUNE_PROCEDURE };
    let req = IntakeRequest {
        procedure_code: procedure.into(),
        channel: Channel::Online,
        commune_code: Some(A.into()),
        applicant: Applicant {
            full_name: "Trần Thị Bình".into(),
            phone: Some("0905123456".into()),
            id_number: Some("048190001234".into()),
            address: None,
        },
    };
    let d = app.dossiers().receive(&req, &console).unwrap();
    let mut steps: Vec<ActionRequest> = vec![];
    if status != Status::Registered {
        steps.push(ActionRequest::new("receive"));
        if matches!(setup, Setup::Sideways) {
            steps.push(ActionRequest { to: Some(B.into()), ..ActionRequest::new("transfer") });
        }
    }
    match status {
        Status::SupplementRequested => steps.push(request("request_supplement", "")),
        Status::PaymentRequested => steps.push(request("request_payment", "")),
        Status::Resolved => steps.push(ActionRequest::new("approve")),
        _ => {}
    }
    let mut last = d;
    for s in steps {
        last = app.dossiers().act(&last.code, &s, &console).unwrap();
    }
    assert!(last.status == status || status == Status::Received, "{status:?}: {:?}", last.status);
    (last.code, last.handling_unit)
}

#[test]
fn every_role_action_and_relation_does_what_the_table_says() {
    for db in backends() {
        eprintln!("backend: {}", db.url);
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(&db, &clock);
        let catalog = app.catalog();
        let up = catalog
            .procedures
            .iter()
            .find(|p| {
                matches!(p.level, domain::catalog::Level::Province)
                    && p.online
                    && p.terms(Channel::Online).is_some()
            })
            .expect("the catalog has a province procedure filed online")
            .code
            .clone();
        for unit in [A, B] {
            app.accounts().add_user(&assignee(unit), Role::Specialist, unit, "mat-khau-dai", None).unwrap();
        }
        app.accounts()
            .add_user(&assignee(PROVINCE), Role::Department, PROVINCE, "mat-khau-dai", None)
            .unwrap();

        let mut checked = 0;
        let (mut allowed, mut refused, mut hidden) = (0, 0, 0);
        for role in ALL_ROLES {
            for unit in [A, B, PROVINCE].into_iter().filter(|u| role.fits_unit(u)) {
                let who = actor(role, unit);
                for &action in ACTIONS {
                    for setup in [Setup::Local, Setup::Up, Setup::Sideways] {
                        let Some(status) = status_for(action, setup) else { continue };
                        let (code, handling) = dossier(&app, setup, status, &up);
                        let place = Place { receiving: A, handling: &handling };
                        // Signing takes the leader's token: without one configured, a seat
                        // that may sign passes the checks and is told the server cannot.
                        let got = if action == "sign_result" {
                            app.dossiers().sign_result(&code, "1234", &who)
                        } else if action == "sign_apology" {
                            app.dossiers().sign_apology(&code, "1234", &who)
                        } else if action == "seal_result" {
                            app.dossiers().seal_result(&code, "1234", &who)
                        } else {
                            app.dossiers().act(&code, &request(action, &handling), &who)
                        };
                        let case = format!("{role} at {unit}, {action} on {setup:?} ({status:?})");
                        checked += 1;
                        if !who.scope.sees(PROVINCE, A, &handling) {
                            assert_eq!(got.unwrap_err().code, "dossier_not_found", "{case}");
                            hidden += 1;
                        } else if allows(role, unit, action, place) && action == "sign_result" {
                            assert_eq!(got.unwrap_err().code, "signing_not_configured", "{case}");
                            allowed += 1;
                        } else if allows(role, unit, action, place) && action == "seal_result" {
                            // Approved, not yet signed by the leader: nothing to seal.
                            assert_eq!(got.unwrap_err().code, "nothing_to_sign", "{case}");
                            allowed += 1;
                        } else if allows(role, unit, action, place) && action == "sign_apology" {
                            // Received, never extended: no letter waits.
                            assert_eq!(got.unwrap_err().code, "nothing_to_sign", "{case}");
                            allowed += 1;
                        } else if allows(role, unit, action, place) {
                            assert!(got.is_ok(), "{case}: {:?}", got.err());
                            allowed += 1;
                            let rec = app.dossiers().dossier(&code, &Actor::console("t")).unwrap();
                            assert_eq!(rec.events.last().unwrap().actor, who.username, "{case}");
                        } else {
                            let e = got.unwrap_err();
                            assert_eq!(
                                (e.kind, e.code.as_str()),
                                (ErrorKind::Forbidden, "action_not_permitted"),
                                "{case}"
                            );
                            let needed: Vec<&str> = MATRIX
                                .iter()
                                .filter(|g| g.action == action)
                                .map(|g| {
                                    role_for(
                                        g.seat,
                                        if g.desk == domain::permissions::Desk::Receiving {
                                            A
                                        } else {
                                            &handling
                                        },
                                    )
                                    .code()
                                })
                                .collect();
                            assert_eq!(e.roles, needed, "{case}");
                            refused += 1;
                            // Nothing was written.
                            let rec = app.dossiers().dossier(&code, &Actor::console("t")).unwrap();
                            assert_ne!(rec.events.last().unwrap().actor, who.username, "{case}");
                        }
                        // What the API offers this caller is exactly what it may do.
                        let rec = app.dossiers().visible(&code, &Actor::console("t")).unwrap();
                        for a in app.dossiers().actions_for(&rec, &who) {
                            assert!(allows(role, unit, a, rec_place(&rec)), "{case}: offered {a}");
                        }
                    }
                }
            }
        }
        eprintln!("{checked} cases: {allowed} allowed, {refused} refused, {hidden} out of scope");
        assert!(allowed > 30 && refused > 200 && hidden > 20, "{allowed} {refused} {hidden}");
        assert!(app.dossiers().verify().unwrap().ok());
    }
}

fn rec_place(d: &app::DossierRecord) -> Place<'_> {
    Place { receiving: &d.receiving_unit, handling: &d.handling_unit }
}

#[test]
fn an_administrator_administers_and_never_acts_on_a_dossier() {
    let db = crate::common::sqlite();
    let clock = HandClock::at(at(2026, 5, 11, 8, 0));
    let app = open(&db, &clock);
    let req = IntakeRequest {
        procedure_code: COMMUNE_PROCEDURE.into(),
        channel: Channel::Direct,
        commune_code: Some(A.into()),
        applicant: Applicant { full_name: "Lê Văn Cường".into(), ..Applicant::default() },
    };
    let e = app.dossiers().receive(&req, &actor(Role::Admin, A)).unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str(), e.roles.as_slice()),
        (ErrorKind::Forbidden, "action_not_permitted", ["officer"].as_slice())
    );
    let e = app.dossiers().receive(&req, &actor(Role::Specialist, A)).unwrap_err();
    assert_eq!(e.code.as_str(), "action_not_permitted", "a specialist does not receive at the desk");
    let d = app.dossiers().receive(&req, &actor(Role::Officer, A)).unwrap();
    // A seat that may not take an action is told so, even with the action's fields missing.
    for action in ["deny", "extend", "stop", "propose", "transfer", "assign"] {
        let e =
            app.dossiers().act(&d.code, &ActionRequest::new(action), &actor(Role::Officer, A)).unwrap_err();
        assert_eq!(e.code.as_str(), "action_not_permitted", "{action}");
    }
    for action in ACTIONS {
        assert!(app.dossiers().actions_for(&d, &actor(Role::Admin, A)).is_empty(), "{action}");
    }
    // The national administrator keeps the country's shared data and sees no dossier.
    let u =
        app.accounts().add_user("quantri.quocgia", Role::NationalAdmin, "VN", "mat-khau-dai", None).unwrap();
    let national = Actor::of(&u);
    assert_eq!(app.dossiers().dossier(&d.code, &national).unwrap_err().code, "dossier_not_found");
    assert_eq!(app.dossiers().list(&app::DossierFilter::default(), &national).unwrap().total, 0);
    assert!(app.dossiers().actions_for(&d, &national).is_empty());
    assert_eq!(
        app.accounts().add_user("x.quocgia", Role::Admin, "VN", "mat-khau-dai", None).unwrap_err().code,
        "role_unit_mismatch"
    );
}
