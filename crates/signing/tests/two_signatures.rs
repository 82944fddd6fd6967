//! Two signatures on one file (the agency's seal after the leader's signature), and signings at
//! once in one process: its own test binary, since SoftHSM2 reads its token directory once
//! per process.

use chrono::Utc;
use signing::testing::*;
use signing::{Placement, Token, Trust};

/// A second signature on a signed file (the agency's seal beside the leader's): each verifies,
/// the first now covers a revision of the file and the second the whole of it; pdfsig agrees.
#[test]
fn a_second_signature_keeps_the_first_one_valid() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let ca = make_ca(dir, "Test Root CA");
    let leader = enrolled_token(dir, &ca, "CN=Trần Văn Bình,O=UBND Phường Hải Châu,C=VN");
    let agency = enroll_key(dir, &ca, "con-dau", "CN=UBND Phường Hải Châu,O=UBND Phường Hải Châu,C=VN");
    let root = certs(&ca.cert);
    let placement = |name: &str| Placement {
        name: name.into(),
        reason: "Kết quả hồ sơ HC-2026-000123".into(),
        location: "UBND Phường Hải Châu".into(),
        at: Utc::now(),
    };
    let once = signing::sign_pdf(
        &pdf::render(&result_paper()).unwrap(),
        &placement("Trần Văn Bình"),
        &Token::open(&leader, &root).unwrap(),
    )
    .unwrap();
    let twice =
        signing::sign_pdf(&once, &placement("UBND Phường Hải Châu"), &Token::open(&agency, &root).unwrap())
            .unwrap();
    assert_eq!(&twice[..once.len()], &once[..]);

    let report = signing::verify_pdf(&twice, &Trust { roots: root, ..Trust::default() }).unwrap();
    assert!(report.valid(), "{report:?}");
    let names: Vec<&str> = report.signatures.iter().map(|s| s.signer.as_str()).collect();
    assert_eq!(names, ["Trần Văn Bình", "UBND Phường Hải Châu"], "in the order they were made");
    assert!(report.signatures.iter().all(|s| s.intact && s.trusted));
    assert!(!report.signatures[0].covers_whole_file && report.signatures[1].covers_whole_file);
    // What follows the leader's signature is the seal, signed: no problem to report.
    assert!(report.signatures[0].signed_later && report.signatures[0].problems.is_empty(), "{report:?}");
    assert!(!report.signatures[1].signed_later);
    // Bytes appended after the seal are nobody's: the seal reports them, and the leader's
    // signature still counts the seal as signed.
    let mut appended = twice.clone();
    appended.extend_from_slice(b"\n% added\n");
    let report =
        signing::verify_pdf(&appended, &Trust { roots: certs(&ca.cert), ..Trust::default() }).unwrap();
    assert!(!report.valid());
    assert!(!report.signatures[1].covers_whole_file && !report.signatures[1].problems.is_empty());

    std::fs::write(dir.join("twice.pdf"), &twice).unwrap();
    let out = pdfsig(dir, "twice.pdf");
    assert_eq!(out.matches("Signature is Valid").count(), 2, "{out}");
    assert!(
        out.contains("Signature Field Name: Signature1") && out.contains("Signature Field Name: Signature2"),
        "{out}"
    );

    // Signings at once, as two leaders at two desks: the library is initialised once for the
    // process, one token's signings take turns, and each still checks its own PIN.
    let unsigned = pdf::render(&result_paper()).unwrap();
    let roots = certs(&ca.cert);
    let outcomes: Vec<Result<usize, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let (mut config, roots, unsigned) =
                    (if i % 2 == 0 { leader.clone() } else { agency.clone() }, &roots, &unsigned);
                if i == 5 {
                    config.pin = "9999".into();
                }
                scope.spawn(move || {
                    let token = Token::open(&config, roots).map_err(|e| e.code.as_str().to_string())?;
                    let signed =
                        signing::sign_pdf(unsigned, &placement("x"), &token).map_err(|e| e.message)?;
                    Ok(signed.len())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(outcomes[..5].iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(outcomes[5], Err("signing_token".to_string()), "a wrong PIN while others sign");
}
