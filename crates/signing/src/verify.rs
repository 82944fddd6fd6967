//! Reading the signatures of a PDF: for each, who signed and when, whether the bytes it covers
//! are those it sealed, whether the file changed after it, and whether its certificate leads to
//! a trusted root.

use crate::certs::{self, Certificate};
use crate::cms_data;
use crate::error::SignError;
use cms::cert::CertificateChoices;
use cms::signed_data::SignerIdentifier;
use der::asn1::OctetStringRef;
use der::{Decode, Encode};
use errors::Code;
use lopdf::Object;
use sha2::{Digest, Sha256};
use x509_cert::time::Time;

/// The roots a signature's chain must end at (the national root CA in production), and the
/// revocation lists of the CAs under them.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    pub roots: Vec<Certificate>,
    pub crls: Vec<certs::Crl>,
}

/// What a file's signatures say.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The SHA-256 of the whole file, as the dossier's history records a signed result's.
    pub file_sha256: String,
    pub signatures: Vec<SignatureReport>,
}

impl Report {
    /// Whether the file is signed, every signature holds, the last covers the whole file and
    /// every chain is trusted.
    pub fn valid(&self) -> bool {
        !self.signatures.is_empty()
            && self.signatures.iter().all(|s| s.intact && s.trusted)
            && self.signatures.last().is_some_and(|s| s.covers_whole_file)
    }
}

impl SignatureReport {
    /// The signing time as people read it: "15:01:14 07/12/2026" (Vietnam time).
    pub fn signed_at_text(&self) -> String {
        let Some(at) = &self.signed_at else { return "không ghi".into() };
        match chrono::DateTime::parse_from_rfc3339(at) {
            Ok(t) => t
                .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
                .format("%H:%M:%S %d/%m/%Y")
                .to_string(),
            Err(_) => at.clone(),
        }
    }
}

/// One signature.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignatureReport {
    /// The signer's common name and organisation, from the certificate.
    pub signer: String,
    pub organization: Option<String>,
    /// When it was signed, as the signed attributes (or the signature dictionary) say: RFC 3339
    /// in Vietnam time.
    pub signed_at: Option<String>,
    /// The SHA-256 of the signer's certificate.
    pub certificate_sha256: String,
    /// The content's digest matches the one sealed and the signature is the certificate's key's.
    pub intact: bool,
    /// The signature covers every byte of the file but its own value: nothing was added after.
    pub covers_whole_file: bool,
    /// What was added after this signature is covered by a later intact signature (the
    /// agency's seal after the leader's signature): an addition its later signer vouches for.
    pub signed_later: bool,
    /// The certificate chains to a configured root, each link's signature checked and each
    /// certificate valid when the signature was made.
    pub trusted: bool,
    /// The root it chains to, if trusted.
    pub root: Option<String>,
    /// The signer's certificate was looked up in a revocation list its issuer signed.
    pub revocation_checked: bool,
    /// What is wrong, in Vietnamese (empty when all holds).
    pub problems: Vec<String>,
}

fn unreadable(e: impl std::fmt::Display) -> SignError {
    SignError::new(Code::PdfUnreadable, "tệp không phải PDF đọc được", e)
}

struct Found {
    ranges: Vec<(usize, usize)>,
    contents: Vec<u8>,
    m: Option<String>,
}

fn signatures(document: &lopdf::Document) -> Vec<Found> {
    let mut found: Vec<Found> = document
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has(b"ByteRange") && d.has(b"Contents"))
        .filter_map(|d| {
            let ranges = d.get(b"ByteRange").ok()?.as_array().ok()?;
            let numbers: Vec<i64> = ranges.iter().filter_map(|n| n.as_i64().ok()).collect();
            if numbers.len() != 4 || numbers.iter().any(|&n| n < 0) {
                return None;
            }
            let contents = match d.get(b"Contents").ok()? {
                Object::String(bytes, _) => bytes.clone(),
                _ => return None,
            };
            let m = d
                .get(b"M")
                .ok()
                .and_then(|m| m.as_str().ok())
                .map(|m| String::from_utf8_lossy(m).into_owned());
            Some(Found {
                ranges: vec![
                    (numbers[0] as usize, numbers[1] as usize),
                    (numbers[2] as usize, numbers[3] as usize),
                ],
                contents,
                m,
            })
        })
        .collect();
    // In file order: an earlier signature covers less of the file.
    found.sort_by_key(|f| f.ranges[1].0 + f.ranges[1].1);
    found
}

fn time_of(any: &der::Any) -> Option<chrono::DateTime<chrono::Utc>> {
    // Time is a CHOICE (UTCTime or GeneralizedTime): decoded from the attribute's whole TLV.
    let time = Time::from_der(&any.to_der().ok()?).ok()?;
    chrono::DateTime::from_timestamp(time.to_unix_duration().as_secs() as i64, 0)
}

/// The signatures of `pdf`, each checked; `Err` only when the file cannot be read as a PDF.
pub fn verify_pdf(pdf: &[u8], trust: &Trust) -> Result<Report, SignError> {
    // The file is anyone's upload: a parser that panics on it must answer "unreadable".
    let document = std::panic::catch_unwind(|| lopdf::Document::load_mem(pdf))
        .map_err(|_| unreadable("the parser gave up"))?
        .map_err(unreadable)?;
    let file_sha256 = certs::hex(&Sha256::digest(pdf));
    let found = signatures(&document);
    let mut signatures: Vec<SignatureReport> = found.iter().map(|f| check(pdf, f, trust)).collect();
    // A signature followed by another whose signed bytes begin at the start of the file and
    // reach past this one's: what was added after it is what the later signature signed.
    for i in 0..signatures.len().saturating_sub(1) {
        let end = |f: &Found| f.ranges[1].0 + f.ranges[1].1;
        let (next, report) = (&found[i + 1], &signatures[i + 1]);
        if !signatures[i].covers_whole_file
            && report.intact
            && next.ranges[0].0 == 0
            && end(next) > end(&found[i])
        {
            signatures[i].signed_later = true;
            signatures[i].problems.retain(|p| p != ADDED_AFTER);
        }
    }
    Ok(Report { file_sha256, signatures })
}

/// The problem of a signature with bytes after its range.
const ADDED_AFTER: &str = "tệp có nội dung được thêm sau khi ký";

fn check(pdf: &[u8], found: &Found, trust: &Trust) -> SignatureReport {
    let mut report = SignatureReport {
        signer: String::new(),
        organization: None,
        signed_at: None,
        certificate_sha256: String::new(),
        intact: false,
        covers_whole_file: false,
        signed_later: false,
        trusted: false,
        root: None,
        revocation_checked: false,
        problems: Vec::new(),
    };
    let [(a, b), (c, d)] = [found.ranges[0], found.ranges[1]];
    let in_file = a == 0 && a + b <= c && c.checked_add(d).is_some_and(|end| end <= pdf.len());
    if !in_file {
        report.problems.push("vùng được ký nằm ngoài tệp: tệp đã bị cắt hoặc sửa".into());
        return report;
    }
    report.covers_whole_file = c + d == pdf.len();
    if !report.covers_whole_file {
        report.problems.push(ADDED_AFTER.into());
    }
    let signed = match cms_data::parse(&found.contents) {
        Ok(s) => s,
        Err(e) => {
            report.problems.push(e.message);
            return report;
        }
    };
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let Some(info) = signed.signer_infos.0.iter().next() else {
        report.problems.push("chữ ký không có thông tin người ký".into());
        return report;
    };
    let holder = certificates.iter().find(|c| match &info.sid {
        SignerIdentifier::IssuerAndSerialNumber(i) => {
            c.tbs_certificate.issuer == i.issuer && c.tbs_certificate.serial_number == i.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(_) => true,
    });
    let Some(holder) = holder else {
        report.problems.push("chữ ký không kèm chứng thư số của người ký".into());
        return report;
    };
    let (name, organization) = certs::subject_name(holder);
    report.signer = name;
    report.organization = organization;
    report.certificate_sha256 = certs::fingerprint(holder);

    let mut hasher = Sha256::new();
    hasher.update(&pdf[a..a + b]);
    hasher.update(&pdf[c..c + d]);
    let digest = hasher.finalize();
    let Some(attributes) = &info.signed_attrs else {
        report.problems.push("chữ ký không có thuộc tính được ký (không theo PAdES)".into());
        return report;
    };
    let signed_at = cms_data::attribute_value(attributes, cms_data::SIGNING_TIME).and_then(time_of);
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    report.signed_at = signed_at.map(|t| t.with_timezone(&vietnam).to_rfc3339()).or_else(|| found.m.clone());
    let sealed = cms_data::attribute_value(attributes, cms_data::MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetStringRef>().ok())
        .map(|o| o.as_bytes().to_vec());
    let digest_holds = info.digest_alg.oid == cms_data::SHA256 && sealed.as_deref() == Some(&digest[..]);
    if !digest_holds {
        report.problems.push("nội dung tệp đã bị thay đổi sau khi ký".into());
    }
    let signature_holds = match (certs::public_key(holder), attributes.to_der()) {
        (Ok(key), Ok(message)) => certs::rsa_verifies(
            &key,
            &info.signature_algorithm.oid.to_string(),
            &message,
            info.signature.as_bytes(),
        ),
        _ => false,
    };
    if !signature_holds {
        report.problems.push("chữ ký không khớp với khoá của chứng thư số".into());
    }
    report.intact = digest_holds && signature_holds;

    let at = signed_at.map_or_else(|| chrono::Utc::now().timestamp(), |t| t.timestamp());
    match chain_to_root(holder, &certificates, trust, at) {
        Ok((root, checked)) => {
            report.trusted = true;
            report.root = Some(certs::subject_name(&root).0);
            report.revocation_checked = checked;
        }
        Err(problem) => report.problems.push(problem),
    }
    report
}

/// Whether a revocation list `issuer` signed names `cert`: `Ok(true)` when one was consulted
/// and does not, `Ok(false)` when none is loaded.
///
/// A revoked certificate fails whatever signing time the file claims: without a trusted
/// timestamp that time is the signer's word, and a stolen key can be used with any date.
fn revocation(cert: &Certificate, issuer: &Certificate, trust: &Trust) -> Result<bool, String> {
    let mut checked = false;
    for crl in trust.crls.iter().filter(|c| certs::crl_issued_by(c, issuer)) {
        checked = true;
        let mut revoked = crl.tbs_cert_list.revoked_certificates.iter().flatten();
        if let Some(entry) = revoked.find(|r| r.serial_number == cert.tbs_certificate.serial_number) {
            let (name, _) = certs::subject_name(cert);
            let vietnam = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
            let secs = entry.revocation_date.to_unix_duration().as_secs() as i64;
            let date = chrono::DateTime::from_timestamp(secs, 0)
                .map_or(String::new(), |d| d.with_timezone(&vietnam).format(" ngày %d/%m/%Y").to_string());
            return Err(format!("chứng thư số \"{name}\" đã bị thu hồi{date}"));
        }
    }
    Ok(checked)
}

/// Walks from `cert` up through `pool` to one of the trusted roots, checking each signature,
/// each validity period at `at` and, where a revocation list of the issuer is loaded, that the
/// certificate is not in it. Also says whether the signer's certificate was so checked.
fn chain_to_root(
    cert: &Certificate,
    pool: &[Certificate],
    trust: &Trust,
    at: i64,
) -> Result<(Certificate, bool), String> {
    let mut current = cert.clone();
    let mut signer_checked = None;
    for _ in 0..8 {
        let (from, to) = certs::validity(&current);
        if at < from || at > to {
            let (name, _) = certs::subject_name(&current);
            return Err(format!(
                "chứng thư số \"{name}\" không còn hiệu lực (hoặc chưa có hiệu lực) vào lúc ký"
            ));
        }
        if trust.roots.iter().any(|r| r == &current) {
            return Ok((current, signer_checked.unwrap_or(false)));
        }
        if let Some(root) = trust.roots.iter().find(|r| certs::issued_by(&current, r)) {
            let checked = revocation(&current, root, trust)?;
            return Ok((root.clone(), signer_checked.unwrap_or(checked)));
        }
        match pool.iter().find(|p| *p != &current && certs::issued_by(&current, p)) {
            Some(issuer) => {
                let checked = revocation(&current, issuer, trust)?;
                signer_checked.get_or_insert(checked);
                current = issuer.clone();
            }
            None => break,
        }
    }
    Err("chứng thư số không thuộc chuỗi tin cậy đã cấu hình (không dẫn tới chứng thư gốc được tin cậy)"
        .into())
}
