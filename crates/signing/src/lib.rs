//! Electronic results with legal value (Law 20/2023/QH15 on electronic transactions; Decree
//! 45/2020/NĐ-CP): a PDF signed as PAdES (a CMS SignedData, detached, in the file's signature
//! field, with the signing time and the certificate chain), the key held in a PKCS#11 token
//! (an official's USB token, a remote-signing service's module, or SoftHSM2 in tests), and the
//! verification of such a file against a set of trusted roots.
//!
//! The key never leaves the token: haicap hands it the bytes to sign (the signed attributes,
//! which seal the document's SHA-256) and receives the signature.

mod certs;
mod cms_data;
mod error;
mod pades;
#[cfg(feature = "test-support")]
pub mod testing;
mod token;
mod verify;

pub use certs::{fingerprint, load_crls, load_pem_chain, subject_name, Certificate, Crl};
pub use error::SignError;
pub use pades::{sign_pdf, Placement};
pub use token::{Token, TokenConfig};
pub use verify::{verify_pdf, Report, SignatureReport, Trust};

/// What signs: a key that makes RSA PKCS#1 v1.5 signatures over SHA-256, and the certificate
/// chain that vouches for it (the signer's certificate first).
pub trait KeySigner {
    fn chain(&self) -> &[Certificate];
    /// The signature of `message` (the token hashes it with SHA-256 itself).
    fn sign_sha256_rsa(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}
