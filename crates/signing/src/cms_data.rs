//! The CMS SignedData of a PAdES signature (ETSI EN 319 142-1, baseline B-B): detached (the
//! PDF's signed byte ranges are the content), its signed attributes sealing the content's
//! SHA-256, the signing time and the signer's certificate (ESS signing-certificate-v2), and
//! the chain.

use crate::certs::{Certificate, RSA};
use crate::error::SignError;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier, SignerInfo,
    SignerInfos,
};
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use errors::Code;
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;

const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(crate) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");

/// ESSCertIDv2 with the default hash (SHA-256) and no issuer-serial (RFC 5035).
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn encoding(e: der::Error) -> SignError {
    SignError::new(Code::Signing, errors::INTERNAL_MESSAGE, e)
}

fn attribute(oid: Oid, value: Any) -> Result<Attribute, SignError> {
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value]).map_err(encoding)? })
}

fn algorithm(oid: Oid) -> AlgorithmIdentifierOwned {
    // SHA-256 is written without parameters (RFC 5754); rsaEncryption with NULL (RFC 3279).
    let parameters = if oid == SHA256 { None } else { Some(Any::null()) };
    AlgorithmIdentifierOwned { oid, parameters }
}

/// The signed attributes: what the token signs (their DER as a SET).
pub(crate) fn signed_attributes(
    content_sha256: &[u8],
    signed_at: chrono::DateTime<chrono::Utc>,
    signer: &Certificate,
) -> Result<SignedAttributes, SignError> {
    let time = der::DateTime::from_unix_duration(std::time::Duration::from_secs(
        signed_at.timestamp().max(0) as u64,
    ))
    .map_err(encoding)?;
    let time = Time::UtcTime(der::asn1::UtcTime::from_date_time(time).map_err(encoding)?);
    let cert_hash = Sha256::digest(signer.to_der().map_err(encoding)?);
    let essv2 = SigningCertificateV2 {
        certs: vec![EssCertIdV2 { cert_hash: OctetString::new(cert_hash.to_vec()).map_err(encoding)? }],
    };
    let attributes = vec![
        attribute(CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(encoding)?)?,
        attribute(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_sha256.to_vec()).map_err(encoding)?)
                .map_err(encoding)?,
        )?,
        attribute(SIGNING_TIME, Any::encode_from(&time).map_err(encoding)?)?,
        attribute(SIGNING_CERTIFICATE_V2, Any::encode_from(&essv2).map_err(encoding)?)?,
    ];
    SetOfVec::try_from(attributes).map_err(encoding)
}

/// The DER the signature covers: the signed attributes as a SET (RFC 5652, 5.4).
pub(crate) fn to_be_signed(attributes: &SignedAttributes) -> Result<Vec<u8>, SignError> {
    attributes.to_der().map_err(encoding)
}

/// The ContentInfo holding the SignedData, DER-encoded: what goes into the PDF's /Contents.
pub(crate) fn assemble(
    attributes: SignedAttributes,
    signature: Vec<u8>,
    chain: &[Certificate],
) -> Result<Vec<u8>, SignError> {
    let signer = chain
        .first()
        .ok_or_else(|| SignError::new(Code::Signing, errors::INTERNAL_MESSAGE, "empty chain"))?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate.issuer.clone(),
            serial_number: signer.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: algorithm(SHA256),
        signed_attrs: Some(attributes),
        signature_algorithm: algorithm(Oid::new_unwrap(RSA)),
        signature: OctetString::new(signature).map_err(encoding)?,
        unsigned_attrs: None,
    };
    let certificates = chain.iter().cloned().map(CertificateChoices::Certificate).collect::<Vec<_>>();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm(SHA256)]).map_err(encoding)?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(certificates).map_err(encoding)?)),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(encoding)?),
    };
    let info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(encoding)?,
    };
    info.to_der().map_err(encoding)
}

/// The SignedData in a signature's /Contents (which is padded with zeros after the DER).
pub(crate) fn parse(contents: &[u8]) -> Result<SignedData, SignError> {
    let bad = |e: der::Error| SignError::new(Code::PdfUnreadable, "chữ ký trong tệp không đọc được (CMS)", e);
    let mut reader = der::SliceReader::new(contents).map_err(bad)?;
    let info = ContentInfo::decode(&mut reader).map_err(bad)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(SignError::new(
            Code::PdfUnreadable,
            "chữ ký trong tệp không phải CMS SignedData",
            info.content_type,
        ));
    }
    info.content.decode_as::<SignedData>().map_err(bad)
}

/// The value of a signed attribute, if present once.
pub(crate) fn attribute_value(attributes: &SignedAttributes, oid: Oid) -> Option<&Any> {
    attributes.iter().find(|a| a.oid == oid).and_then(|a| a.values.get(0))
}
