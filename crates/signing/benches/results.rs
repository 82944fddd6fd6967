//! Results rendered and signed per second: the result document laid out as PDF/A, signed with
//! a key in SoftHSM2 (PAdES), and checked again. `cargo bench -p signing --bench results`
//! (needs softhsm2, openssl and poppler-utils; docs/benchmarks.md).

use chrono::Utc;
use divan::Bencher;
use signing::testing::{certs, enrolled_token, make_ca, result_paper, tools_present};
use signing::{Placement, Token, Trust};
use std::sync::OnceLock;

fn main() {
    if !tools_present() {
        return;
    }
    divan::main();
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
    let p = result_paper();
    bencher.bench(|| pdf::render(&p).unwrap());
}

/// Signing a rendered result in the token (the PDF update, the CMS, one RSA-2048 signature).
#[divan::bench]
fn sign(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let unsigned = pdf::render(&result_paper()).unwrap();
    bencher.bench_local(|| signing::sign_pdf(&unsigned, &placement(), &token).unwrap());
}

/// Rendering and signing: what one result costs the server.
#[divan::bench]
fn render_and_sign(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let p = result_paper();
    bencher.bench_local(|| signing::sign_pdf(&pdf::render(&p).unwrap(), &placement(), &token).unwrap());
}

/// Checking a signed result against the root (what /xac-minh does before the history).
#[divan::bench]
fn verify(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let signed = signing::sign_pdf(&pdf::render(&result_paper()).unwrap(), &placement(), &token).unwrap();
    let trust = Trust { roots: s.roots.clone(), ..Trust::default() };
    bencher.bench(|| assert!(signing::verify_pdf(&signed, &trust).unwrap().valid()));
}

/// The agency's seal: a second signature on the leader's signed result (reads the signed
/// file's fields, appends a second update).
#[divan::bench]
fn seal(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let signed = signing::sign_pdf(&pdf::render(&result_paper()).unwrap(), &placement(), &token).unwrap();
    bencher.bench_local(|| signing::sign_pdf(&signed, &placement(), &token).unwrap());
}

/// Checking a sealed result: two signatures.
#[divan::bench]
fn verify_sealed(bencher: Bencher) {
    let s = setup();
    let token = Token::open(&s.config, &s.roots).unwrap();
    let signed = signing::sign_pdf(&pdf::render(&result_paper()).unwrap(), &placement(), &token).unwrap();
    let sealed = signing::sign_pdf(&signed, &placement(), &token).unwrap();
    let trust = Trust { roots: s.roots.clone(), ..Trust::default() };
    bencher.bench(|| assert!(signing::verify_pdf(&sealed, &trust).unwrap().valid()));
}
