//! The whole dossier under the seal, and personal data as the law asks: shown in full only to
//! those whose work needs it, every full read recorded, erased when its time is up.

use crate::common::{at, backends, open, HandClock, TestDb};
use app::blobs::{FsBlobs, Upload};
use app::{ActionRequest, Actor, App, Applicant, ErrorKind, IntakeRequest};
use domain::roles::{Role, Scope};
use domain::{Channel, EventKind, Status};
use std::sync::Arc;
use store::Val;

const A: &str = "20242";
const PROCEDURE: &str = "1.004873";

fn staff(role: Role, unit: &str) -> Actor {
    let scope = if unit.len() == 2 {
        Scope::Province(unit.into())
    } else {
        Scope::Commune { province: "48".into(), commune: unit.into() }
    };
    Actor { username: format!("{}.{unit}", role.code()), role: Some(role), scope, department: None }
}

fn applicant(name: &str) -> Applicant {
    Applicant {
        full_name: name.into(),
        phone: Some("0905123456".into()),
        id_number: Some("048190001234".into()),
        address: Some("12 Trần Phú, Hải Châu, Đà Nẵng".into()),
    }
}

fn request(channel: Channel, name: &str) -> IntakeRequest {
    IntakeRequest {
        procedure_code: PROCEDURE.into(),
        channel,
        commune_code: Some(A.into()),
        applicant: applicant(name),
    }
}

/// The app with its documents in the test's own folder (bytes unique to this run).
fn app_for(db: &TestDb, clock: &HandClock) -> App {
    open(db, clock).with_blobs(Arc::new(FsBlobs { root: db.data.path().join("blobs") }))
}

fn scan(tag: &str) -> Upload {
    Upload::new("to-khai.pdf", format!("%PDF-1.4\n% {tag} {:?}\n%%EOF\n", std::time::SystemTime::now()))
}

fn alter(app: &App, sql: &'static str, params: Vec<Val>) {
    app.store().write(move |c| c.exec(sql, &params)).unwrap();
}

#[test]
fn each_alteration_behind_the_apps_back_is_named_by_verify() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = app_for(&db, &clock);
        let desk = staff(Role::Officer, A);
        let codes: Vec<String> = (0..5)
            .map(|i| {
                app.dossiers().receive(&request(Channel::Direct, &format!("Người {i}")), &desk).unwrap().code
            })
            .collect();
        let online = app
            .dossiers()
            .submit_online(&request(Channel::Online, "Người có giấy tờ"), &[scan("a")])
            .unwrap();
        let untouched_online =
            app.dossiers().submit_online(&request(Channel::Online, "Người khác"), &[scan("b")]).unwrap();
        assert!(app.dossiers().verify().unwrap().ok());
        assert_eq!(app.dossiers().verify().unwrap().unsealed, 0, "every new dossier is sealed");

        alter(
            &app,
            "UPDATE dossiers SET applicant_name = 'Kẻ Mạo Danh' WHERE code = $1",
            vec![(&codes[1]).into()],
        );
        alter(
            &app,
            "UPDATE dossiers SET applicant_id_number = '048190009999' WHERE code = $1",
            vec![(&codes[2]).into()],
        );
        alter(
            &app,
            "UPDATE dossiers SET procedure_code = '1.001193' WHERE code = $1",
            vec![(&codes[3]).into()],
        );
        alter(
            &app,
            "UPDATE dossiers SET applicant_phone = '0911000000' WHERE code = $1",
            vec![(&codes[4]).into()],
        );
        // A document's bytes replaced in the store.
        let sha = app.dossiers().attachments(&online.code, &Actor::console("t")).unwrap()[0].sha256.clone();
        let path = db.data.path().join("blobs").join(&sha[..2]).join(&sha[2..]);
        std::fs::write(&path, b"%PDF-1.4\n% gia mao\n%%EOF\n").unwrap();

        let report = app.dossiers().verify().unwrap();
        let mut expected =
            vec![codes[1].clone(), codes[2].clone(), codes[3].clone(), codes[4].clone(), online.code.clone()];
        expected.sort();
        assert_eq!(report.altered_dossiers(), expected, "{:#?}", report.problems);
        assert!(!report.altered_dossiers().contains(&untouched_online.code));
        assert!(
            report.problems.iter().any(|p| p.message.contains("giấy tờ đã nộp")),
            "{:#?}",
            report.problems
        );
    }
}

#[test]
fn a_correction_is_an_event_with_its_reason_and_the_seal_follows_it() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = app_for(&db, &clock);
        let desk = staff(Role::Officer, A);
        let d = app.dossiers().receive(&request(Channel::Direct, "Nguyễn Văn Sai"), &desk).unwrap();
        let fix = ActionRequest {
            note: Some("ghi sai tên đệm khi tiếp nhận".into()),
            applicant: Some(Applicant { full_name: "Nguyễn Văn Sáu".into(), ..applicant("") }),
            ..ActionRequest::new("correct_applicant")
        };
        let e = app.dossiers().act(&d.code, &fix, &staff(Role::CommuneLeader, A)).unwrap_err();
        assert_eq!(e.code.as_str(), "action_not_permitted", "the desk that received it corrects it");
        let no_reason = ActionRequest { note: None, ..fix.clone() };
        assert_eq!(app.dossiers().act(&d.code, &no_reason, &desk).unwrap_err().code, "missing_reason");
        let r = app.dossiers().act(&d.code, &fix, &desk).unwrap();
        assert_eq!(r.applicant_name, "Nguyễn Văn Sáu");
        let last = r.events.last().unwrap();
        assert!(
            matches!(&last.kind, EventKind::ApplicantCorrected { reason, .. } if reason == "ghi sai tên đệm khi tiếp nhận"),
            "{last:?}"
        );
        assert_eq!(
            app.dossiers()
                .list(
                    &app::DossierFilter { text: Some("nguyen van sau".into()), ..Default::default() },
                    &desk
                )
                .unwrap()
                .total,
            1
        );
        assert!(app.dossiers().verify().unwrap().ok(), "a correction through the application keeps the seal");
        alter(
            &app,
            "UPDATE dossiers SET applicant_name = 'Nguyễn Văn Sai' WHERE code = $1",
            vec![(&d.code).into()],
        );
        assert_eq!(
            app.dossiers().verify().unwrap().altered_dossiers(),
            std::slice::from_ref(&d.code),
            "going back by hand is an alteration"
        );
    }
}

#[test]
fn personal_data_is_masked_unless_the_work_needs_it_and_each_full_read_is_recorded() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = app_for(&db, &clock);
        let desk = staff(Role::Officer, A);
        let d =
            app.dossiers().submit_online(&request(Channel::Online, "Phạm Thị Riêng"), &[scan("c")]).unwrap();
        let full = app.dossiers().dossier(&d.code, &desk).unwrap();
        assert_eq!(full.applicant_id_number.as_deref(), Some("048190001234"));
        assert!(!full.masked);
        for who in [staff(Role::ProvinceLeader, "48"), staff(Role::Department, "48"), staff(Role::Admin, A)] {
            let seen = app.dossiers().dossier(&d.code, &who).unwrap();
            assert_eq!(seen.applicant_id_number.as_deref(), Some("*********234"), "{}", who.username);
            assert_eq!(seen.applicant_phone.as_deref(), Some("*******456"));
            assert!(seen.masked);
            let e = app.dossiers().attachment(&d.code, 1, &who).unwrap_err();
            assert_eq!((e.kind, e.code.as_str()), (ErrorKind::Forbidden, "personal_data_restricted"));
        }
        // Lists are masked for everyone, the desk included.
        let page = app.dossiers().list(&app::DossierFilter::default(), &desk).unwrap();
        assert_eq!(page.items[0].applicant_id_number.as_deref(), Some("*********234"));
        // The specialist of the handling unit reads in full; the desk downloads the document.
        app.dossiers().dossier(&d.code, &staff(Role::Specialist, A)).unwrap();
        let (_, bytes) = app.dossiers().attachment(&d.code, 1, &desk).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let reads = app.dossiers().reads(&d.code).unwrap();
        let who: Vec<(&str, &str)> = reads.iter().map(|r| (r.actor.as_str(), r.action.as_str())).collect();
        assert_eq!(
            who,
            [
                ("officer.20242", "personal_data_read"),
                ("specialist.20242", "personal_data_read"),
                ("officer.20242", "document_read")
            ],
            "masked reads are not personal-data reads"
        );
        assert_eq!(app.dossiers().recent_reads(&Actor::console("t"), 10).unwrap().len(), 3);
        assert_eq!(
            app.dossiers().recent_reads(&staff(Role::Admin, A), 10).unwrap().len(),
            3,
            "the commune's administrator"
        );
        assert!(
            app.dossiers().recent_reads(&staff(Role::Admin, "20257"), 10).unwrap().is_empty(),
            "not the neighbour's"
        );
        assert_eq!(app.dossiers().recent_reads(&desk, 10).unwrap_err().code, "admin_only");
        // A register export keeps names (and is recorded) but masks the numbers.
        let (from, to) = (at(2026, 5, 1, 0, 0).date(), at(2026, 5, 31, 0, 0).date());
        let mut out = vec![];
        app.dossiers()
            .write_register(A, from, to, &staff(Role::ProvinceLeader, "48"), "json", &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Phạm Thị Riêng") && text.contains("*******456") && !text.contains("0905123456"),
            "{text}"
        );
        let last = &app.dossiers().recent_reads(&Actor::console("t"), 10).unwrap()[0];
        assert_eq!(
            (last.actor.as_str(), last.action.as_str()),
            ("province_leader.48", "personal_data_export")
        );
    }
}

#[test]
fn retention_erases_personal_data_and_the_history_still_verifies() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = app_for(&db, &clock);
        let console = Actor::console("t");
        let done =
            app.dossiers().submit_online(&request(Channel::Online, "Hết Hạn Lưu"), &[scan("d")]).unwrap();
        let open_one = app.dossiers().receive(&request(Channel::Direct, "Còn Xử Lý"), &console).unwrap();
        for a in ["receive", "approve", "return_result"] {
            app.dossiers().act(&done.code, &ActionRequest::new(a), &console).unwrap();
        }
        let sha = app.dossiers().attachments(&done.code, &console).unwrap()[0].sha256.clone();
        clock.set(at(2026, 5, 15, 8, 0));
        assert_eq!(app.dossiers().erase_expired(chrono::Duration::days(5)).unwrap().erased, 0, "not yet");
        clock.set(at(2026, 5, 18, 8, 0));
        let r = app.dossiers().erase_expired(chrono::Duration::days(5)).unwrap();
        assert_eq!((r.erased, r.documents_removed), (1, 1));
        let d = app.dossiers().dossier(&done.code, &console).unwrap();
        assert_eq!(
            (
                d.applicant_name.as_str(),
                d.applicant_phone.as_deref(),
                d.applicant_id_number.as_deref(),
                d.address_text.as_deref()
            ),
            ("", None, None, None)
        );
        assert_eq!(d.status, Status::Returned);
        assert!(d.erased_at.is_some());
        assert!(matches!(d.events.last().unwrap().kind, EventKind::PersonalDataErased { .. }));
        assert!(
            !db.data.path().join("blobs").join(&sha[..2]).join(&sha[2..]).exists(),
            "the document is gone"
        );
        assert_eq!(app.dossiers().attachment(&done.code, 1, &console).unwrap_err().code, "attachment_erased");
        assert_eq!(app.dossiers().dossier(&open_one.code, &console).unwrap().applicant_name, "Còn Xử Lý");
        assert_eq!(
            app.dossiers()
                .list(&app::DossierFilter { text: Some("het han".into()), ..Default::default() }, &console)
                .unwrap()
                .total,
            0
        );
        let v = app.dossiers().verify().unwrap();
        assert!(v.ok(), "{:#?}", v.problems);
        assert_eq!(app.dossiers().erase_expired(chrono::Duration::days(5)).unwrap().erased, 0, "once");
        assert_eq!(
            app.dossiers().erase_expired(chrono::Duration::hours(1)).unwrap_err().code,
            "invalid_retention"
        );
    }
}

#[test]
fn nothing_is_stored_for_a_refused_submission_and_the_sweep_removes_what_nobody_refers_to() {
    let db = crate::common::sqlite();
    let clock = HandClock::at(at(2026, 5, 11, 8, 0));
    let app = app_for(&db, &clock);
    let blobs = db.data.path().join("blobs");
    let count = || app::blobs::FsBlobs { root: blobs.clone() }.list_count();
    // A wrong procedure, an empty name: refused before any file is stored.
    let bad = IntakeRequest { procedure_code: "9.999999".into(), ..request(Channel::Online, "A") };
    assert_eq!(app.dossiers().submit_online(&bad, &[scan("x")]).unwrap_err().code, "unknown_procedure");
    let nameless = request(Channel::Online, " ");
    assert_eq!(app.dossiers().submit_online(&nameless, &[scan("y")]).unwrap_err().code, "missing_name");
    assert_eq!(count(), 0, "no file without a dossier");
    // A file stored for a transaction that then failed: nobody refers to it.
    let kept = app.dossiers().submit_online(&request(Channel::Online, "Có Hồ Sơ"), &[scan("z")]).unwrap();
    use app::blobs::BlobStore;
    let store = FsBlobs { root: blobs.clone() };
    let orphan = "ab".repeat(32);
    store.put(&orphan, b"%PDF-1.4 mo coi").unwrap();
    std::fs::write(blobs.join("ab").join(".half-written.tmp1-1"), b"x").unwrap();
    assert_eq!(count(), 3);
    let young = app.sweep_blobs(std::time::Duration::from_secs(3600)).unwrap();
    assert_eq!(
        (young.removed, young.leftovers),
        (0, 0),
        "an hour's grace: a submission may be about to refer to it"
    );
    let r = app.sweep_blobs(std::time::Duration::ZERO).unwrap();
    assert_eq!((r.removed, r.leftovers, r.kept), (1, 1, 1));
    let sha = app.dossiers().attachments(&kept.code, &Actor::console("t")).unwrap()[0].sha256.clone();
    assert!(store.get(&sha).unwrap().is_some(), "the referred document stays");
    assert!(store.get(&orphan).unwrap().is_none());
    assert!(app.dossiers().verify().unwrap().ok());
}
