//! Results with legal value, through the application: a leader enrolled with a key in a
//! SoftHSM2 token signs an approved dossier's result; the history records it; the file checks
//! against the trusted root and the history (and with poppler's pdfsig); the citizen downloads
//! it with the tracking PIN. Its own test binary: SoftHSM2 reads its configuration from the
//! environment, set once here.

#[path = "it/common/mod.rs"]
mod common;

use app::dossiers::papers::{pdf_of, Form};
use app::dossiers::results::{Signed, SigningSetup};
use app::statistics::report::{ReportKind, ReportSpec};
use app::{ActionRequest, Actor, Applicant, IntakeRequest};
use common::{at, backends, open, HandClock};
use domain::roles::Role;
use domain::{Channel, EventKind, Status};
use signing::testing::{
    certs, enroll_key, enrolled_token, make_ca, pdfa_failures, pdfsig, tools_present, MODULE,
};

const WARD: &str = "20242"; // Phường Hải Châu
const PROCEDURE: &str = "1.004873";

fn actor(app: &app::App, name: &str) -> Actor {
    let (u, _) = app.accounts().user(name).unwrap().unwrap();
    Actor::of(&u)
}

#[test]
fn a_leader_signs_the_result_and_anyone_can_check_it() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let ca = make_ca(dir, "Test Root CA");
    let config = enrolled_token(dir, &ca, "CN=Trần Văn Bình,O=UBND Phường Hải Châu,C=VN");
    let pem = std::fs::read_to_string(dir.join("official.pem")).unwrap();
    // The ward's own key, for its seal on the results it issues.
    let seal = enroll_key(dir, &ca, "con-dau", "CN=UBND Phường Hải Châu,O=UBND Phường Hải Châu,C=VN");
    let seal_pem = std::fs::read_to_string(dir.join("con-dau.pem")).unwrap();

    for db in backends() {
        eprintln!("backend: {}", db.url);
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(&db, &clock).with_signing(SigningSetup {
            module: Some(MODULE.into()),
            roots: certs(&ca.cert),
            intermediates: vec![],
            crls: vec![],
        });
        let accounts = app.accounts();
        accounts
            .add_user("chutich.hc", Role::CommuneLeader, WARD, "mat-khau-dai", Some("Trần Văn Bình"))
            .unwrap();
        accounts.add_user("motcua.hc", Role::Officer, WARD, "mat-khau-dai", None).unwrap();
        accounts.add_user("xuly.hc", Role::Specialist, WARD, "mat-khau-dai", None).unwrap();
        let leader = actor(&app, "chutich.hc");

        // Only a leader is enrolled.
        let e = app.enroll_signing_key("xuly.hc", &config.token, &config.key, &pem).unwrap_err();
        assert_eq!(e.code.as_str(), "action_not_permitted");
        let key = app.enroll_signing_key("chutich.hc", &config.token, &config.key, &pem).unwrap();
        assert_eq!(key.holder, "Trần Văn Bình");

        let console = Actor::console("thiết lập");
        let req = IntakeRequest {
            procedure_code: PROCEDURE.into(),
            channel: Channel::Direct,
            commune_code: Some(WARD.into()),
            applicant: Applicant { full_name: "Nguyễn Thị Ánh Tuyết".into(), ..Applicant::default() },
        };
        let d = app.dossiers().receive(&req, &console).unwrap();
        let pin = d.tracking_pin.clone().expect("a PIN");
        assert_eq!(d.status, Status::Received, "filed at the desk: received at once");

        // An extension: the leader signs its apology letter (Form 04), and the citizen gets it.
        let e = app.dossiers().sign_apology(&d.code, &config.pin, &leader).unwrap_err();
        assert_eq!(e.code.as_str(), "nothing_to_sign", "no extension yet");
        let extend = ActionRequest {
            extra_days: Some(2),
            note: Some("cần xác minh thêm".into()),
            ..ActionRequest::new("extend")
        };
        let d = app.dossiers().act(&d.code, &extend, &leader).unwrap();
        assert!(app.dossiers().actions_for(&d, &leader).contains(&"sign_apology"));
        let d = app.dossiers().sign_apology(&d.code, &config.pin, &leader).unwrap();
        assert!(matches!(d.events.last().unwrap().kind, EventKind::ApologySigned { .. }));
        assert!(!app.dossiers().actions_for(&d, &leader).contains(&"sign_apology"), "signed once");
        let (letter, letter_bytes) =
            app.dossiers().track_signed(&d.code, &pin, "203.0.113.7", Signed::Apology).unwrap();
        assert!(letter.file_name.ends_with("-mau-04-ky-so.pdf"), "{}", letter.file_name);
        let check = app.verify_result(&letter_bytes).unwrap();
        assert!(check.matches_history(), "{check:?}");
        let text = pdf_text(dir, &letter_bytes);
        assert!(
            text.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ") && text.contains("cần xác minh thêm"),
            "{text}"
        );
        assert!(text.contains("(Ký số)") && text.contains("Trần Văn Bình"), "{text}");
        let e = app.dossiers().track_signed(&d.code, &pin, "203.0.113.7", Signed::Result).unwrap_err();
        assert_eq!(e.code.as_str(), "no_signed_result", "the letter is not the result");

        // Nothing to sign before the decision; the generic action never signs.
        let e = app.dossiers().sign_result(&d.code, &config.pin, &leader).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid_transition");
        clock.set(at(2026, 5, 12, 9, 0));
        let d = app.dossiers().act(&d.code, &ActionRequest::new("approve"), &leader).unwrap();
        let e = app.dossiers().act(&d.code, &ActionRequest::new("sign_result"), &leader).unwrap_err();
        assert_eq!(e.code.as_str(), "sign_with_token");
        // Another seat may not sign; a wrong PIN opens nothing and writes nothing.
        let e = app.dossiers().sign_result(&d.code, &config.pin, &actor(&app, "xuly.hc")).unwrap_err();
        assert_eq!(e.code.as_str(), "action_not_permitted");
        let e = app.dossiers().sign_result(&d.code, "0000", &leader).unwrap_err();
        assert_eq!(e.code.as_str(), "signing_token");
        assert_eq!(app.dossiers().dossier(&d.code, &console).unwrap().event_count, d.event_count);

        let signed = app.dossiers().sign_result(&d.code, &config.pin, &leader).unwrap();
        assert_eq!(signed.status, Status::Resolved, "signing does not change the status");
        let last = signed.events.last().unwrap();
        assert_eq!(last.actor, "chutich.hc");
        let EventKind::ResultSigned { document_sha256, certificate_sha256, signer } = &last.kind else {
            panic!("{:?}", last.kind)
        };
        assert_eq!(signer, "Trần Văn Bình");
        assert_eq!(*certificate_sha256, key.certificate_sha256);
        // Once: the file the citizen holds stays the one; signing is no longer offered.
        let e = app.dossiers().sign_result(&d.code, &config.pin, &leader).unwrap_err();
        assert_eq!(e.code.as_str(), "already_signed");
        assert!(!app.dossiers().actions_for(&signed, &leader).contains(&"sign_result"));

        // The officer who returns the result downloads it; it is the file the history names.
        let (file, bytes) = app.dossiers().signed_result(&d.code, &actor(&app, "motcua.hc")).unwrap();
        assert_eq!(file.sha256, *document_sha256);
        assert!(file.file_name.ends_with("-ky-so.pdf"));
        let check = app.verify_result(&bytes).unwrap();
        assert!(check.matches_history(), "{check:?}");
        let h = check.history.as_ref().unwrap();
        assert_eq!((h.dossier_code.as_str(), h.signer.as_str()), (d.code.as_str(), "Trần Văn Bình"));
        let s = &check.report.signatures[0];
        assert_eq!(s.root.as_deref(), Some("Test Root CA"));
        let text = pdf_text(dir, &bytes);
        assert!(text.contains("Nguyễn Thị Ánh Tuyết") && text.contains(&d.code), "{text}");
        assert!(text.contains("Trần Văn Bình"), "the signer is named under the result: {text}");

        // A certificate (Giấy xác nhận tình trạng hôn nhân) is issued in the ward's name: it
        // reaches the citizen with the ward's seal, which the one-stop desk of the handling
        // ward adds with the ward's own key.
        assert!(app.dossiers().seal_required(&signed));
        let e = app.dossiers().track_signed(&d.code, &pin, "203.0.113.7", Signed::Result).unwrap_err();
        assert_eq!(e.code.as_str(), "no_signed_result", "not before the seal");
        assert!(!app.dossiers().track(&d.code, &pin, "203.0.113.7").unwrap().signed_result);
        let mut portal = Vec::new();
        let spec = ReportSpec {
            unit: WARD,
            from: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
            format: "json",
            kind: ReportKind::Register,
        };
        app.statistics().write_report(spec, &console, &mut portal).unwrap();
        assert!(String::from_utf8(portal).unwrap().contains("\"KetQuaDienTu\":0"), "signed, not yet sealed");
        let officer = actor(&app, "motcua.hc");
        assert!(app.dossiers().actions_for(&signed, &officer).contains(&"seal_result"));
        assert!(!app.dossiers().actions_for(&signed, &leader).contains(&"seal_result"));
        let e = app.dossiers().seal_result(&d.code, &seal.pin, &leader).unwrap_err();
        assert_eq!(e.code.as_str(), "action_not_permitted", "the leader signs, the desk seals");
        let e = app.dossiers().seal_result(&d.code, &seal.pin, &officer).unwrap_err();
        assert_eq!(e.code.as_str(), "no_signing_key", "no key enrolled for the ward yet");
        let e = app.enroll_agency_key("99999", &seal.token, &seal.key, &seal_pem).unwrap_err();
        assert_eq!(e.code.as_str(), "unknown_unit");
        let agency = app.enroll_agency_key(WARD, &seal.token, &seal.key, &seal_pem).unwrap();
        assert_eq!(agency.holder, "UBND Phường Hải Châu");
        let e = app.dossiers().act(&d.code, &ActionRequest::new("seal_result"), &officer).unwrap_err();
        assert_eq!(e.code.as_str(), "sign_with_token");
        let e = app.dossiers().seal_result(&d.code, "0000", &officer).unwrap_err();
        assert_eq!(e.code.as_str(), "signing_token");
        let sealed = app.dossiers().seal_result(&d.code, &seal.pin, &officer).unwrap();
        let EventKind::ResultSealed {
            document_sha256: sealed_sha,
            certificate_sha256: seal_cert,
            agency: by,
        } = &sealed.events.last().unwrap().kind
        else {
            panic!("{:?}", sealed.events.last().unwrap().kind)
        };
        assert_eq!(
            (by.as_str(), seal_cert.as_str()),
            ("UBND Phường Hải Châu", agency.certificate_sha256.as_str())
        );
        let e = app.dossiers().seal_result(&d.code, &seal.pin, &officer).unwrap_err();
        assert_eq!(e.code.as_str(), "already_signed");
        assert!(!app.dossiers().actions_for(&sealed, &officer).contains(&"seal_result"));

        // The sealed file keeps the leader's signature intact, adds the ward's, and is the
        // one the citizen receives; pdfsig finds both valid.
        let (sealed_file, sealed_bytes) = app.dossiers().signed_result(&d.code, &officer).unwrap();
        assert_eq!((&sealed_file.sha256, sealed_file.paper.as_str()), (sealed_sha, "sealed_result"));
        assert_eq!(&sealed_bytes[..bytes.len()], &bytes[..], "the leader's file, with the seal appended");
        let check = app.verify_result(&sealed_bytes).unwrap();
        assert!(check.matches_history(), "{check:?}");
        let h = check.history.as_ref().unwrap();
        assert_eq!(
            (h.signer.as_str(), h.sealed_by.as_deref()),
            ("Trần Văn Bình", Some("UBND Phường Hải Châu"))
        );
        let names: Vec<&str> = check.report.signatures.iter().map(|s| s.signer.as_str()).collect();
        assert_eq!(names, ["Trần Văn Bình", "UBND Phường Hải Châu"]);
        assert!(check.report.signatures[0].signed_later && check.report.signatures[0].problems.is_empty());
        std::fs::write(dir.join("sealed.pdf"), &sealed_bytes).unwrap();
        let out = pdfsig(dir, "sealed.pdf");
        assert_eq!(out.matches("Signature is Valid").count(), 2, "{out}");
        // The leader's file alone still checks against the history (a copy handed out before).
        assert!(app.verify_result(&bytes).unwrap().matches_history());

        // Every paper is PDF/A-2b for an independent validator (page-validation, PyPI): the
        // forms, the result's draft, the signed letter and result. The sealed file breaks one
        // rule only: its first signature's byte range ends where its revision does, not at the
        // end of the file, as every later signature's incremental update must leave it.
        let mut files = vec![];
        let full = app.dossiers().dossier(&d.code, &console).unwrap();
        for (name, form) in [
            ("mau-01", Form::Receipt),
            ("mau-04", Form::Letter(4)),
            ("mau-06", Form::ControlSheet),
            ("ban-du-thao", Form::Result),
        ] {
            let paper =
                app.dossiers().paper_of(&full, form, "https://dichvucong.example/tra-cuu", None).unwrap();
            std::fs::write(dir.join(format!("{name}.pdf")), pdf_of(&paper).unwrap()).unwrap();
            files.push(dir.join(format!("{name}.pdf")));
        }
        std::fs::write(dir.join("signed.pdf"), &bytes).unwrap();
        std::fs::write(dir.join("letter.pdf"), &letter_bytes).unwrap();
        // The register (Form 07) of the ward's month, printed; the portal register says the
        // result is available now that it is sealed (and the apology letter never counted).
        let month = |d| chrono::NaiveDate::from_ymd_opt(2026, 5, d).unwrap();
        let report = |format: &'static str, kind| {
            let mut out = Vec::new();
            let spec = ReportSpec { unit: WARD, from: month(1), to: month(31), format, kind };
            app.statistics().write_report(spec, &console, &mut out).map(|_| out)
        };
        let register = report("pdf", ReportKind::Register).unwrap();
        std::fs::write(dir.join("register.pdf"), &register).unwrap();
        let text = pdf_text(dir, &register);
        assert!(text.contains("SỔ THEO DÕI HỒ SƠ") && text.contains(&d.code), "{text}");
        let e = report("pdf", ReportKind::Summary).unwrap_err();
        assert_eq!(e.code.as_str(), "unknown_format", "the summary is a spreadsheet");
        let json = String::from_utf8(report("json", ReportKind::Register).unwrap()).unwrap();
        assert!(json.contains("\"KetQuaDienTu\":1"), "{json}");
        files.extend(["signed.pdf", "letter.pdf", "sealed.pdf", "register.pdf"].map(|f| dir.join(f)));
        let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
        if let Some(failures) = pdfa_failures(&paths) {
            for (file, failed) in files.iter().zip(&failures) {
                let expected: &[&str] =
                    if file.ends_with("sealed.pdf") { &["PDFA2B-SIGNATURE-BYTERANGE-001"] } else { &[] };
                assert_eq!(failed, expected, "{}", file.display());
            }
        }

        // The citizen with the receipt's PIN downloads the sealed file; a guess does not.
        let (_, mine) = app.dossiers().track_signed(&d.code, &pin, "203.0.113.7", Signed::Result).unwrap();
        assert_eq!(mine, sealed_bytes);
        let e = app.dossiers().track_signed(&d.code, "AAAAAAAA", "203.0.113.7", Signed::Result).unwrap_err();
        assert_eq!(e.code.as_str(), "dossier_not_found");
        assert!(app.dossiers().track(&d.code, &pin, "203.0.113.7").unwrap().signed_result);

        // One byte changed: the signature fails and the file is no dossier's result.
        let mut altered = bytes.clone();
        let at_byte = altered.windows(6).position(|w| w == b"haicap").unwrap();
        altered[at_byte] = b'H';
        let check = app.verify_result(&altered).unwrap();
        assert!(!check.matches_history() && !check.report.signatures[0].intact);
        assert!(check.history.is_none());

        // The result is returned afterwards as usual, and the whole history still verifies.
        app.dossiers().act(&d.code, &ActionRequest::new("return_result"), &actor(&app, "motcua.hc")).unwrap();
        assert!(app.dossiers().verify().unwrap().ok());
        // The sweep keeps the signed file.
        app.sweep_blobs(std::time::Duration::ZERO).unwrap();
        assert_eq!(app.dossiers().signed_result(&d.code, &console).unwrap().1, sealed_bytes);

        // A residence registration's result is a notice (the database updated, the citizen
        // told): signed by the chair alone, no seal, the citizen's as soon as it is signed.
        let req = IntakeRequest { procedure_code: "1.004222".into(), ..req.clone() };
        let notice = app.dossiers().receive(&req, &console).unwrap();
        let notice_pin = notice.tracking_pin.clone().unwrap();
        app.dossiers().act(&notice.code, &ActionRequest::new("approve"), &leader).unwrap();
        let notice = app.dossiers().sign_result(&notice.code, &config.pin, &leader).unwrap();
        assert!(!app.dossiers().seal_required(&notice));
        assert!(!app.dossiers().actions_for(&notice, &officer).contains(&"seal_result"));
        let (_, file) =
            app.dossiers().track_signed(&notice.code, &notice_pin, "203.0.113.8", Signed::Result).unwrap();
        let text = pdf_text(dir, &file);
        assert!(text.contains("THÔNG BÁO") && text.contains("Thông báo kết quả giải quyết"), "{text}");
        assert!(!text.contains("TM. ỦY BAN NHÂN DÂN"), "{text}");
    }
    a_result_signed_at_a_node_is_downloaded_and_checked_at_the_province(&ca, &config, &pem, &seal, &seal_pem);
}

/// The text of a PDF, as poppler's pdftotext reads it (fonts embedded with their Unicode map).
fn pdf_text(dir: &std::path::Path, bytes: &[u8]) -> String {
    let path = dir.join("check.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A result signed and sealed at a commune's node reaches the province with its files: the
/// citizen downloads it there with the tracking PIN, and it checks against the province's
/// copy of the history. With the keys of the test above (SoftHSM2 holds one token directory
/// per process).
fn a_result_signed_at_a_node_is_downloaded_and_checked_at_the_province(
    ca: &signing::testing::Ca,
    config: &signing::TokenConfig,
    pem: &str,
    seal: &signing::TokenConfig,
    seal_pem: &str,
) {
    let setup = || SigningSetup {
        module: Some(MODULE.into()),
        roots: certs(&ca.cert),
        intermediates: vec![],
        crls: vec![],
    };
    for db in backends() {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let node_db = common::sqlite();
        let province = open(&db, &clock).with_signing(setup());
        let node = open(&node_db, &clock).with_signing(setup());
        let (at_province, _) = province.add_node(WARD).unwrap();
        node.attach_upstream("https://tinh.example", WARD, "48").unwrap();
        for (name, role) in [("chutich.hc", Role::CommuneLeader), ("motcua.hc", Role::Officer)] {
            node.accounts().add_user(name, role, WARD, "mat-khau-dai", Some("Trần Văn Bình")).unwrap();
        }
        node.enroll_signing_key("chutich.hc", &config.token, &config.key, pem).unwrap();
        node.enroll_agency_key(WARD, &seal.token, &seal.key, seal_pem).unwrap();
        let (leader, officer) = (actor(&node, "chutich.hc"), actor(&node, "motcua.hc"));
        let req = IntakeRequest {
            procedure_code: PROCEDURE.into(),
            channel: Channel::Direct,
            commune_code: Some(WARD.into()),
            applicant: Applicant { full_name: "Nguyễn Thị Ánh Tuyết".into(), ..Applicant::default() },
        };
        let d = node.dossiers().receive(&req, &officer).unwrap();
        let pin = d.tracking_pin.clone().unwrap();
        node.dossiers().act(&d.code, &ActionRequest::new("approve"), &leader).unwrap();
        node.dossiers().sign_result(&d.code, &config.pin, &leader).unwrap();
        node.dossiers().seal_result(&d.code, &seal.pin, &officer).unwrap();

        // The push names two signed files; the province refuses them until it has their bytes.
        let push = node.pending_push(10).unwrap();
        assert_eq!(push.dossiers[0].signed.len(), 2);
        let taken = province.take_push(&at_province, push.clone()).unwrap();
        assert_eq!(taken[0].refused.as_ref().unwrap().code, "replication_documents");
        let files: Vec<String> = push.dossiers[0].files().map(str::to_string).collect();
        for sha in province.missing_documents(&files).unwrap() {
            province.take_document(&node.document(&sha).unwrap()).unwrap();
        }
        // A signed file the history does not name is refused.
        let mut stray = push.clone();
        stray.dossiers[0].signed[0].sha256 = province.take_document(b"%PDF-1.7 not signed").unwrap();
        let taken = province.take_push(&at_province, stray).unwrap();
        assert_eq!(taken[0].refused.as_ref().unwrap().code, "replication_tampered");
        let taken = province.take_push(&at_province, push).unwrap();
        assert!(taken[0].refused.is_none(), "{taken:?}");
        node.acknowledge(&taken).unwrap();

        // At the province, the citizen downloads the sealed result; it checks against the
        // province's history.
        let (file, bytes) =
            province.dossiers().track_signed(&d.code, &pin, "203.0.113.7", Signed::Result).unwrap();
        assert_eq!(file.paper, "sealed_result");
        let check = province.verify_result(&bytes).unwrap();
        assert!(check.matches_history(), "{check:?}");
        assert_eq!(check.history.unwrap().dossier_code, d.code);
    }
}
