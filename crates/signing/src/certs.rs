//! Certificates: reading them from PEM, naming their holder, fingerprinting them, and checking
//! one's signature with another's key.

use crate::error::SignError;
use der::{Decode, Encode};
use errors::Code;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

pub use x509_cert::crl::CertificateList as Crl;
pub use x509_cert::Certificate;

// OIDs of the attributes and algorithms read here.
const CN: &str = "2.5.4.3";
const O: &str = "2.5.4.10";
pub(crate) const SHA256_RSA: &str = "1.2.840.113549.1.1.11";
const SHA384_RSA: &str = "1.2.840.113549.1.1.12";
const SHA512_RSA: &str = "1.2.840.113549.1.1.13";
pub(crate) const RSA: &str = "1.2.840.113549.1.1.1";

/// Every certificate in a PEM file (or several concatenated), in order.
pub fn load_pem_chain(pem: &[u8]) -> Result<Vec<Certificate>, SignError> {
    let certs = Certificate::load_pem_chain(pem)
        .map_err(|e| SignError::new(Code::CertificateInvalid, "không đọc được chứng thư số (PEM)", e))?;
    if certs.is_empty() {
        return Err(SignError::new(Code::CertificateInvalid, "tệp không chứa chứng thư số nào", "empty"));
    }
    Ok(certs)
}

/// The SHA-256 of the certificate's DER, in hex: how an event names the certificate.
pub fn fingerprint(cert: &Certificate) -> String {
    hex(&Sha256::digest(cert.to_der().unwrap_or_default()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(name: &x509_cert::name::Name, oid: &str) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid.to_string() == oid).and_then(|atv| {
        let value = &atv.value;
        // Names are written as UTF8String by Vietnamese CAs, PrintableString by older ones.
        value
            .decode_as::<der::asn1::Utf8StringRef>()
            .map(|s| s.as_str().to_string())
            .or_else(|_| value.decode_as::<der::asn1::PrintableStringRef>().map(|s| s.as_str().to_string()))
            .or_else(|_| value.decode_as::<der::asn1::Ia5StringRef>().map(|s| s.as_str().to_string()))
            .ok()
    })
}

/// The holder's common name and organisation ("Trần Văn Bình", "UBND Phường Hải Châu").
pub fn subject_name(cert: &Certificate) -> (String, Option<String>) {
    let subject = &cert.tbs_certificate.subject;
    (attribute(subject, CN).unwrap_or_else(|| subject.to_string()), attribute(subject, O))
}

pub(crate) fn public_key(cert: &Certificate) -> Result<RsaPublicKey, SignError> {
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| {
        SignError::new(Code::CertificateInvalid, "khoá công khai của chứng thư số không đọc được", e)
    })?;
    RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| SignError::new(Code::CertificateInvalid, "chứng thư số không dùng khoá RSA", e))
}

/// Whether `signature` over `message` was made by `key` with the algorithm `oid` names.
pub(crate) fn rsa_verifies(key: &RsaPublicKey, oid: &str, message: &[u8], signature: &[u8]) -> bool {
    let ok = match oid {
        SHA256_RSA | RSA => key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature),
        SHA384_RSA => key.verify(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(message), signature),
        SHA512_RSA => key.verify(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(message), signature),
        _ => return false,
    };
    ok.is_ok()
}

/// Whether `issuer` signed `cert`.
pub(crate) fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let (Ok(tbs), Ok(key)) = (cert.tbs_certificate.to_der(), public_key(issuer)) else { return false };
    let Some(signature) = cert.signature.as_bytes() else { return false };
    rsa_verifies(&key, &cert.signature_algorithm.oid.to_string(), &tbs, signature)
}

/// The certificate's validity period, as Unix seconds.
pub(crate) fn validity(cert: &Certificate) -> (i64, i64) {
    let v = &cert.tbs_certificate.validity;
    (v.not_before.to_unix_duration().as_secs() as i64, v.not_after.to_unix_duration().as_secs() as i64)
}

pub(crate) fn from_der(bytes: &[u8]) -> Result<Certificate, SignError> {
    Certificate::from_der(bytes)
        .map_err(|e| SignError::new(Code::CertificateInvalid, "chứng thư số không đọc được", e))
}

/// Every revocation list in a file: PEM ("X509 CRL" blocks) or one DER list.
pub fn load_crls(bytes: &[u8]) -> Result<Vec<Crl>, SignError> {
    let bad = |e: der::Error| {
        SignError::new(Code::CertificateInvalid, "không đọc được danh sách chứng thư bị thu hồi (CRL)", e)
    };
    const END: &str = "-----END X509 CRL-----";
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN X509 CRL-----") => text
            .split_inclusive(END)
            .filter(|block| block.contains(END))
            .map(|block| {
                let (_, der) = der::pem::decode_vec(block.trim().as_bytes()).map_err(|e| bad(e.into()))?;
                Crl::from_der(&der).map_err(bad)
            })
            .collect(),
        _ => Ok(vec![Crl::from_der(bytes).map_err(bad)?]),
    }
}

/// Whether `issuer` issued and signed `crl`.
pub(crate) fn crl_issued_by(crl: &Crl, issuer: &Certificate) -> bool {
    if crl.tbs_cert_list.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let (Ok(tbs), Ok(key)) = (crl.tbs_cert_list.to_der(), public_key(issuer)) else { return false };
    let Some(signature) = crl.signature.as_bytes() else { return false };
    rsa_verifies(&key, &crl.signature_algorithm.oid.to_string(), &tbs, signature)
}
