//! Results rendered and signed per second: the result document laid out as PDF/A, signed with
//! a key in SoftHSM2 (PAdES), and checked again. `cargo bench -p signing --bench results`
//! (needs softhsm2, openssl and poppler-utils; docs/benchmarks.md).

use chrono::{NaiveDate, Utc};
use divan::Bencher;
use domain::papers::{Block, Paper};
use signing::testing::{certs, enrolled_token, make_ca, tools_present};
use signing::{Placement, Token, Trust};
use std::sync::OnceLock;

fn main() {
    if !tools_present() {
        return;
    }
    divan::main();
}

/// A result document as a commune issues it.
fn paper() -> Paper {
    let at = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap().and_hms_opt(9, 30, 0).unwrap();
    Paper {
        form_no: None,
        agency: "UBND PHƯỜNG HẢI CHÂU".into(),
        reference: "20242-261205-0042".into(),
        place_date: "Hải Châu, ngày 05 tháng 12 năm 2026".into(),
        dated: at,
        title: "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN".into(),
        subject: Some("Về việc cấp Giấy xác nhận tình trạng hôn nhân".into()),
        body: vec![
            Block::Text("Ủy ban nhân dân Phường Hải Châu trả kết quả giải quyết hồ sơ sau:".into()),
            Block::Field("Thủ tục".into(), "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân".into()),
            Block::Field("Mã hồ sơ".into(), "20242-261205-0042".into()),
            Block::Field("Người nộp hồ sơ".into(), "Nguyễn Thị Ánh Tuyết".into()),
            Block::Field("Ngày tiếp nhận".into(), "02/12/2026".into()),
            Block::Field("Ngày phê duyệt".into(), "05/12/2026".into()),
        ],
        signer_title: "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH".into(),
        signer_name: Some("Trần Văn Bình".into()),
        digital: true,
        file_stem: "20242-261205-0042-ket-qua".into(),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    config: signing::TokenConfig,
    roots: Vec<signing::Certificate>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let ca = make_ca(dir.path(), "Bench Root CA");
        let config = enrolled_token(dir.path(), &ca, "CN=Trần Văn Bình,O=UBND Phường Hải Châu,C=VN");
        Setup { roots: certs(&ca.cert), config, _dir: dir }
    })
}

fn placement() -> Placement {
    Placement {
        name: "Trần Văn Bình".into(),
        reason: "Phê duyệt kết quả".into(),
        location: "UBND Phường Hải Châu".into(),
        at: Utc::now(),
    }
}

/// Laying the result out as PDF/A-2b (fonts subset and embedded).
#[divan::bench]
fn render(bencher: Bencher) {
    let p = paper();
    bencher.bench(|| pdf::render(&p).unwrap());
}

/// Signing a rendered result in the token (the PDF update, the CMS, one RSA-2048 signature).
#[divan::bench]
fn sign(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let unsigned = pdf::render(&paper()).unwrap();
    bencher.bench_local(|| signing::sign_pdf(&unsigned, &placement(), &token).unwrap());
}

/// Rendering and signing: what one result costs the server.
#[divan::bench]
fn render_and_sign(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let p = paper();
    bencher.bench_local(|| signing::sign_pdf(&pdf::render(&p).unwrap(), &placement(), &token).unwrap());
}

/// Checking a signed result against the root (what /xac-minh does before the history).
#[divan::bench]
fn verify(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let signed = signing::sign_pdf(&pdf::render(&paper()).unwrap(), &placement(), &token).unwrap();
    let trust = Trust { roots: s.roots.clone(), ..Trust::default() };
    bencher.bench(|| assert!(signing::verify_pdf(&signed, &trust).unwrap().valid()));
}
