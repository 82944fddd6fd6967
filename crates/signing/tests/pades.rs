//! A result rendered as PDF/A, signed with a key in SoftHSM2, verified by haicap and by
//! poppler's pdfsig (an independent implementation).

use chrono::Utc;
use signing::testing::*;
use signing::{KeySigner, Placement, Token, Trust};

#[test]
fn a_signed_result_verifies_and_one_changed_byte_fails() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let ca = make_ca(dir, "Test Root CA");
    let config = enrolled_token(dir, &ca, "CN=Trần Văn Bình,O=UBND Phường Hải Châu,C=VN");
    let root = certs(&ca.cert);
    let token = Token::open(&config, &root).unwrap();
    assert_eq!(token.chain().len(), 2, "the official's certificate and the root");

    let unsigned = pdf::render(&result_paper()).unwrap();
    let placement = Placement {
        name: "Trần Văn Bình".into(),
        reason: "Phê duyệt kết quả hồ sơ HC-2026-000123".into(),
        location: "UBND Phường Hải Châu".into(),
        at: Utc::now(),
    };
    let signed = signing::sign_pdf(&unsigned, &placement, &token).unwrap();
    assert_eq!(&signed[..unsigned.len()], &unsigned[..], "an incremental update keeps the original bytes");
    std::fs::write(dir.join("signed.pdf"), &signed).unwrap();

    // haicap's own reading.
    let trust = Trust { roots: root.clone(), ..Trust::default() };
    let report = signing::verify_pdf(&signed, &trust).unwrap();
    assert!(report.valid(), "{report:?}");
    let s = &report.signatures[0];
    assert_eq!(s.signer, "Trần Văn Bình");
    assert_eq!(s.organization.as_deref(), Some("UBND Phường Hải Châu"));
    assert_eq!(s.root.as_deref(), Some("Test Root CA"));
    assert_eq!(s.certificate_sha256, signing::fingerprint(&token.chain()[0]));

    // poppler's reading.
    let out = pdfsig(dir, "signed.pdf");
    assert!(out.contains("Signature is Valid"), "{out}");
    assert!(out.contains("Trần Văn Bình"), "{out}");
    assert!(out.contains("ETSI.CAdES.detached"), "{out}");
    assert!(out.contains("Total document signed"), "{out}");
    // With the test root trusted in an NSS database, poppler trusts the chain too.
    std::fs::create_dir_all(dir.join("nss")).unwrap();
    run(dir, "certutil", &["-N", "-d", "sql:nss", "--empty-password"]);
    run(
        dir,
        "certutil",
        &["-A", "-d", "sql:nss", "-n", "test-root", "-t", "CT,C,C", "-i", ca.cert.to_str().unwrap()],
    );
    let trusted = std::process::Command::new("pdfsig")
        .args(["-nssdir", "sql:nss", "signed.pdf"])
        .current_dir(dir)
        .output()
        .unwrap();
    let trusted = String::from_utf8_lossy(&trusted.stdout);
    assert!(trusted.contains("Certificate is Trusted"), "{trusted}");

    // One byte changed in the signed content (a letter of the producer's name, so that the
    // file still reads as a PDF): both readers see it.
    let at = signed.windows(6).position(|w| w == b"haicap").expect("producer");
    let mut altered = signed.clone();
    altered[at + 5] = b'q';
    std::fs::write(dir.join("altered.pdf"), &altered).unwrap();
    let report = signing::verify_pdf(&altered, &trust).unwrap();
    assert!(!report.valid());
    assert!(!report.signatures[0].intact);
    assert!(report.signatures[0].problems.iter().any(|p| p.contains("thay đổi")), "{report:?}");
    let out = pdfsig(dir, "altered.pdf");
    assert!(!out.contains("Signature is Valid"), "{out}");
    assert!(out.contains("Digest Mismatch"), "{out}");

    // A certificate outside the trusted roots is reported as such.
    let other = make_ca(dir, "Another CA");
    let report =
        signing::verify_pdf(&signed, &Trust { roots: certs(&other.cert), ..Trust::default() }).unwrap();
    let s = &report.signatures[0];
    assert!(s.intact && !s.trusted && !report.valid());
    assert!(s.problems.iter().any(|p| p.contains("chuỗi tin cậy")), "{s:?}");

    // Revocation, where the CA's list is loaded: a list that does not name the certificate is
    // consulted and the signature holds; once the CA revokes it, the chain fails.
    let fresh = make_crl(dir, &ca, "fresh.crl", &[]);
    let crls = signing::load_crls(&std::fs::read(&fresh).unwrap()).unwrap();
    let report = signing::verify_pdf(&signed, &Trust { roots: root.clone(), crls }).unwrap();
    assert!(report.valid() && report.signatures[0].revocation_checked, "{report:?}");
    assert!(
        !signing::verify_pdf(&signed, &trust).unwrap().signatures[0].revocation_checked,
        "no list, not checked"
    );
    let revoked = make_crl(dir, &ca, "revoked.crl", &[&dir.join("official.pem")]);
    let crls = signing::load_crls(&std::fs::read(&revoked).unwrap()).unwrap();
    let report = signing::verify_pdf(&signed, &Trust { roots: root.clone(), crls }).unwrap();
    let s = &report.signatures[0];
    assert!(s.intact && !s.trusted && !report.valid(), "{s:?}");
    assert!(s.problems.iter().any(|p| p.contains("đã bị thu hồi")), "{s:?}");
    // A list signed by another CA says nothing about this certificate.
    let forged = make_crl(dir, &other, "other.crl", &[&dir.join("official.pem")]);
    let crls = signing::load_crls(&std::fs::read(&forged).unwrap()).unwrap();
    let report = signing::verify_pdf(&signed, &Trust { roots: root.clone(), crls }).unwrap();
    assert!(report.valid() && !report.signatures[0].revocation_checked, "{report:?}");

    // Something appended after the signature: the signature still holds over what it covers,
    // but the file is not what was signed.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"\n% added later\n");
    let report = signing::verify_pdf(&appended, &trust).unwrap();
    assert!(report.signatures[0].intact && !report.signatures[0].covers_whole_file && !report.valid());
}
