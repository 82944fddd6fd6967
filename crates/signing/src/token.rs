//! The key in a PKCS#11 token: an official's USB token, a remote-signing service's module or
//! SoftHSM2 speak the same interface. haicap opens the token by its label, logs in with the
//! user PIN, finds the private key and its certificate by their label, and asks the token to
//! sign; it also makes a key pair and its certificate request, and stores the certificate the
//! CA issues next to the key (enrolment).

use crate::certs::{self, Certificate};
use crate::error::SignError;
use crate::KeySigner;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use der::asn1::{BitString, SetOfVec, UintRef};
use der::{Encode, EncodePem, Sequence};
use errors::Code;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, OnceLock};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, Version};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Where the key is: the module (the token's PKCS#11 library), the token's label, the key's
/// label and the user PIN.
#[derive(Clone)]
pub struct TokenConfig {
    pub module: PathBuf,
    pub token: String,
    pub key: String,
    pub pin: String,
}

impl std::fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the PIN.
        f.debug_struct("TokenConfig")
            .field("module", &self.module)
            .field("token", &self.token)
            .field("key", &self.key)
            .finish()
    }
}

fn token_error(message: &str) -> impl Fn(cryptoki::error::Error) -> SignError + '_ {
    move |e| SignError::new(Code::SigningToken, message, e)
}

/// An open session on the token, logged in, with the key found.
pub struct Token {
    // The session closes (logging out) before the token's lock is released: fields drop in
    // order.
    session: Session,
    _lock: MutexGuard<'static, ()>,
    key: ObjectHandle,
    chain: Vec<Certificate>,
}

/// The library of `module`, loaded and initialised once per process: PKCS#11 allows one
/// initialisation per application, so two signings at once share it (it is never finalised).
fn context(module: &Path) -> Result<Pkcs11, SignError> {
    static CONTEXTS: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut contexts = CONTEXTS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(context) = contexts.get(module) {
        return Ok(context.clone());
    }
    let context =
        Pkcs11::new(module).map_err(token_error("không nạp được thư viện PKCS#11 của thiết bị ký số"))?;
    context
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(token_error("không khởi động được thư viện PKCS#11"))?;
    contexts.insert(module.to_path_buf(), context.clone());
    Ok(context)
}

/// One signing at a time per token: a token's login is shared by all the sessions of the
/// process, so a second session opened while the first is logged in would not ask for the
/// PIN. Held from opening the token until its session closes (which logs out).
fn token_lock(module: &Path, token: &str) -> MutexGuard<'static, ()> {
    type Locks = HashMap<(PathBuf, String), &'static Mutex<()>>;
    static LOCKS: OnceLock<Mutex<Locks>> = OnceLock::new();
    let lock: &'static Mutex<()> = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry((module.to_path_buf(), token.to_string()))
        // One small mutex per token ever used, kept for the process's life.
        .or_insert_with(|| Box::leak(Box::new(Mutex::new(()))));
    lock.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_session(config: &TokenConfig) -> Result<(MutexGuard<'static, ()>, Session), SignError> {
    let guard = token_lock(&config.module, &config.token);
    let context = context(&config.module)?;
    let slots =
        context.get_slots_with_token().map_err(token_error("không đọc được danh sách thiết bị ký số"))?;
    let slot = slots
        .into_iter()
        .find(|s| context.get_token_info(*s).is_ok_and(|i| i.label().trim() == config.token))
        .ok_or_else(|| {
            SignError::new(
                Code::SigningToken,
                format!("không thấy thiết bị ký số \"{}\"", config.token),
                "no such token",
            )
        })?;
    let session = context
        .open_rw_session(slot)
        .map_err(token_error("không mở được phiên làm việc với thiết bị ký số"))?;
    session
        .login(UserType::User, Some(&AuthPin::from(config.pin.clone())))
        .map_err(token_error("mã PIN của thiết bị ký số không đúng hoặc thiết bị đã khoá"))?;
    Ok((guard, session))
}

fn find_one(session: &Session, class: ObjectClass, label: &str) -> Result<Option<ObjectHandle>, SignError> {
    let found = session
        .find_objects(&[Attribute::Class(class), Attribute::Label(label.as_bytes().to_vec())])
        .map_err(token_error("không tìm được khoá trong thiết bị ký số"))?;
    Ok(found.into_iter().next())
}

impl Token {
    /// Opens the token and finds the key and its certificate; `intermediates` (the CA's
    /// certificates up to the root, which tokens often do not hold) complete the chain.
    pub fn open(config: &TokenConfig, intermediates: &[Certificate]) -> Result<Token, SignError> {
        let (lock, session) = open_session(config)?;
        let key = find_one(&session, ObjectClass::PRIVATE_KEY, &config.key)?.ok_or_else(|| {
            SignError::new(
                Code::SigningToken,
                format!("thiết bị ký số không có khoá \"{}\"", config.key),
                "no key",
            )
        })?;
        let cert = find_one(&session, ObjectClass::CERTIFICATE, &config.key)?.ok_or_else(|| {
            SignError::new(
                Code::SigningToken,
                format!(
                    "khoá \"{}\" chưa có chứng thư số: hãy nạp chứng thư (haicap signing enroll)",
                    config.key
                ),
                "no certificate",
            )
        })?;
        let value = session
            .get_attributes(cert, &[AttributeType::Value])
            .map_err(token_error("không đọc được chứng thư số trong thiết bị"))?;
        let der = value
            .into_iter()
            .find_map(|a| if let Attribute::Value(v) = a { Some(v) } else { None })
            .unwrap_or_default();
        let holder = certs::from_der(&der)?;
        let mut chain = vec![holder.clone()];
        chain.extend(intermediates.iter().filter(|c| **c != holder).cloned());
        Ok(Token { session, _lock: lock, key, chain })
    }

    /// Makes an RSA-2048 key pair in the token under `config.key` (the private key never
    /// leaves it) and returns a certificate request (PKCS#10, PEM) for `subject` (an RFC 4514
    /// name, "CN=Trần Văn Bình,O=UBND Phường Hải Châu,C=VN"), signed by the new key.
    pub fn generate(config: &TokenConfig, subject: &str) -> Result<String, SignError> {
        let (lock, session) = open_session(config)?;
        if find_one(&session, ObjectClass::PRIVATE_KEY, &config.key)?.is_some() {
            return Err(SignError::new(
                Code::SigningToken,
                format!("thiết bị ký số đã có khoá \"{}\"; chọn nhãn khác", config.key),
                "key exists",
            ));
        }
        let name = Name::from_str(subject).map_err(|e| {
            SignError::new(Code::CertificateInvalid, format!("tên chủ thể \"{subject}\" không hợp lệ"), e)
        })?;
        let label = config.key.as_bytes().to_vec();
        let id = sha2_id(&config.key);
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::ModulusBits(2048.into()),
            Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            Attribute::Label(label.clone()),
            Attribute::Id(id.clone()),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Label(label),
            Attribute::Id(id),
        ];
        let (public_key, private_key) = session
            .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
            .map_err(token_error("thiết bị ký số không tạo được cặp khoá"))?;
        let attributes = session
            .get_attributes(public_key, &[AttributeType::Modulus, AttributeType::PublicExponent])
            .map_err(token_error("không đọc được khoá công khai vừa tạo"))?;
        let (mut modulus, mut exponent) = (Vec::new(), Vec::new());
        for a in attributes {
            match a {
                Attribute::Modulus(m) => modulus = m,
                Attribute::PublicExponent(e) => exponent = e,
                _ => {}
            }
        }
        let spki = rsa_spki(&modulus, &exponent)?;
        let info = CertReqInfo {
            version: Version::V1,
            subject: name,
            public_key: spki,
            attributes: SetOfVec::new(),
        };
        let tbs = info.to_der().map_err(encoding)?;
        let signature = session
            .sign(&Mechanism::Sha256RsaPkcs, private_key, &tbs)
            .map_err(token_error("thiết bị ký số không ký được yêu cầu chứng thư"))?;
        let request = CertReq {
            info,
            algorithm: AlgorithmIdentifierOwned {
                oid: oid(certs::SHA256_RSA),
                parameters: Some(der::Any::null()),
            },
            signature: BitString::from_bytes(&signature).map_err(encoding)?,
        };
        drop(session);
        drop(lock);
        request.to_pem(der::pem::LineEnding::LF).map_err(encoding)
    }

    /// Stores `cert` in the token beside its key (same label and id), after checking that it
    /// certifies that key.
    pub fn enroll(config: &TokenConfig, cert: &Certificate) -> Result<(), SignError> {
        let (_lock, session) = open_session(config)?;
        let key = find_one(&session, ObjectClass::PUBLIC_KEY, &config.key)?.ok_or_else(|| {
            SignError::new(
                Code::SigningToken,
                format!("thiết bị ký số không có khoá \"{}\"", config.key),
                "no key",
            )
        })?;
        let attributes = session
            .get_attributes(key, &[AttributeType::Modulus])
            .map_err(token_error("không đọc được khoá công khai"))?;
        let modulus =
            attributes.into_iter().find_map(|a| if let Attribute::Modulus(m) = a { Some(m) } else { None });
        let certified = certs::public_key(cert)?;
        let same = modulus
            .is_some_and(|m| rsa::BigUint::from_bytes_be(&m) == *rsa::traits::PublicKeyParts::n(&certified));
        if !same {
            return Err(SignError::new(
                Code::CertificateInvalid,
                format!("chứng thư số không cấp cho khoá \"{}\" trong thiết bị", config.key),
                "key mismatch",
            ));
        }
        if let Some(old) = find_one(&session, ObjectClass::CERTIFICATE, &config.key)? {
            session.destroy_object(old).map_err(token_error("không thay được chứng thư số cũ"))?;
        }
        let der = cert.to_der().map_err(encoding)?;
        session
            .create_object(&[
                Attribute::Class(ObjectClass::CERTIFICATE),
                Attribute::CertificateType(CertificateType::X_509),
                Attribute::Token(true),
                Attribute::Label(config.key.as_bytes().to_vec()),
                Attribute::Id(sha2_id(&config.key)),
                Attribute::Subject(cert.tbs_certificate.subject.to_der().map_err(encoding)?),
                Attribute::Value(der),
            ])
            .map_err(token_error("không lưu được chứng thư số vào thiết bị"))?;
        Ok(())
    }
}

impl KeySigner for Token {
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn sign_sha256_rsa(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.session
            .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
            .map_err(token_error("thiết bị ký số không ký được"))
    }
}

fn encoding(e: der::Error) -> SignError {
    SignError::new(Code::Signing, errors::INTERNAL_MESSAGE, e)
}

fn oid(s: &str) -> der::asn1::ObjectIdentifier {
    der::asn1::ObjectIdentifier::new_unwrap(s)
}

/// The key's CKA_ID: derived from its label, so that key, public key and certificate pair up.
fn sha2_id(label: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(label.as_bytes())[..16].to_vec()
}

#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    exponent: UintRef<'a>,
}

fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Result<SubjectPublicKeyInfoOwned, SignError> {
    let key = RsaPublicKey {
        modulus: UintRef::new(modulus).map_err(encoding)?,
        exponent: UintRef::new(exponent).map_err(encoding)?,
    };
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned { oid: oid(certs::RSA), parameters: Some(der::Any::null()) },
        subject_public_key: BitString::from_bytes(&key.to_der().map_err(encoding)?).map_err(encoding)?,
    })
}
