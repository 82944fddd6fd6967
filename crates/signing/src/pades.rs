//! Putting a signature into a PDF: an incremental update (the signed file is the original
//! bytes, unchanged, followed by the update) that adds a signature field to the first page and
//! a signature dictionary whose /Contents is reserved, then the CMS computed over every byte
//! but that reservation.

use crate::cms_data;
use crate::error::SignError;
use crate::KeySigner;
use chrono::{DateTime, FixedOffset, Utc};
use errors::Code;
use lopdf::{Dictionary, IncrementalDocument, Object, StringFormat};
use sha2::{Digest, Sha256};

/// Room reserved for the CMS (bytes): a 4096-bit signature and a chain of four certificates
/// fit with room to spare.
const RESERVED: usize = 16 * 1024;
/// A placeholder wide enough for any offset the ranges can hold (ten digits each).
const WIDE: i64 = 9_999_999_999;

/// Who signs, as the signature dictionary says it, and when.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The signer's name (/Name).
    pub name: String,
    /// Why (/Reason): "Phê duyệt kết quả giải quyết hồ sơ …".
    pub reason: String,
    /// Where (/Location): the agency.
    pub location: String,
    pub at: DateTime<Utc>,
}

fn unreadable(e: impl std::fmt::Display) -> SignError {
    SignError::new(Code::PdfUnreadable, "tệp không phải PDF đọc được", e)
}

fn text(s: &str) -> Object {
    // A text string in UTF-16BE with its byte-order mark: PDF's way to hold Vietnamese.
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn pdf_date(at: DateTime<Utc>) -> String {
    let local: DateTime<FixedOffset> = at.with_timezone(&FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
    local.format("D:%Y%m%d%H%M%S+07'00'").to_string()
}

/// The file with an empty signature added, and where its /Contents reservation lies.
struct Prepared {
    bytes: Vec<u8>,
    /// The '<' and one past the '>' of the reserved /Contents.
    hole: (usize, usize),
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// The array `dict` holds under `key` (in place or by reference), or an empty one.
fn array_of(document: &lopdf::Document, dict: Option<&Dictionary>, key: &[u8]) -> Vec<Object> {
    dict.and_then(|d| d.get(key).ok())
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok().cloned())
        .unwrap_or_default()
}

fn prepare(pdf: &[u8], placement: &Placement) -> Result<Prepared, SignError> {
    let document = lopdf::Document::load_mem(pdf).map_err(unreadable)?;
    if document.is_encrypted() {
        return Err(SignError::new(Code::PdfUnreadable, "tệp PDF được mã hoá: không ký được", "encrypted"));
    }
    let root = document.trailer.get(b"Root").and_then(Object::as_reference).map_err(unreadable)?;
    let page = *document.get_pages().values().next().ok_or_else(|| unreadable("no page"))?;
    // What the update extends: the form's fields (a file signed before has some) and the
    // first page's annotations.
    let mut acroform = document
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok().cloned())
        .unwrap_or_default();
    let mut fields = array_of(&document, Some(&acroform), b"Fields");
    let mut annots = array_of(&document, document.get_dictionary(page).ok(), b"Annots");
    let mut update = IncrementalDocument::create_from(pdf.to_vec(), document);

    let signature = update.new_document.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Sig".to_vec())),
        ("Filter", Object::Name(b"Adobe.PPKLite".to_vec())),
        ("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec())),
        ("ByteRange", Object::Array(vec![0.into(), WIDE.into(), WIDE.into(), WIDE.into()])),
        ("Contents", Object::String(vec![0; RESERVED], StringFormat::Hexadecimal)),
        ("M", Object::string_literal(pdf_date(placement.at))),
        ("Name", text(&placement.name)),
        ("Reason", text(&placement.reason)),
        ("Location", text(&placement.location)),
    ]));
    // An invisible signature (a zero rectangle needs no appearance under PDF/A-2), printable
    // and locked, on the first page.
    let field = update.new_document.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Annot".to_vec())),
        ("Subtype", Object::Name(b"Widget".to_vec())),
        ("FT", Object::Name(b"Sig".to_vec())),
        ("T", Object::string_literal(format!("Signature{}", fields.len() + 1))),
        ("V", Object::Reference(signature)),
        ("Rect", Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()])),
        ("F", Object::Integer(132)),
        ("P", Object::Reference(page)),
    ]));
    fields.push(Object::Reference(field));
    acroform.set("Fields", Object::Array(fields));
    acroform.set("SigFlags", Object::Integer(3));

    update.opt_clone_object_to_new_document(page).map_err(unreadable)?;
    annots.push(Object::Reference(field));
    update.new_document.get_dictionary_mut(page).map_err(unreadable)?.set("Annots", Object::Array(annots));

    update.opt_clone_object_to_new_document(root).map_err(unreadable)?;
    update
        .new_document
        .get_dictionary_mut(root)
        .map_err(unreadable)?
        .set("AcroForm", Object::Dictionary(acroform));

    let mut bytes = Vec::with_capacity(pdf.len() + 2 * RESERVED + 4096);
    update.save_to(&mut bytes).map_err(unreadable)?;

    // Find the reservation and the ranges' placeholder in the update just written.
    let zeros = vec![b'0'; 2 * RESERVED];
    let start = find(&bytes, &zeros, pdf.len()).ok_or_else(|| unreadable("contents placeholder"))?;
    let open =
        start.checked_sub(1).filter(|&i| bytes[i] == b'<').ok_or_else(|| unreadable("contents '<'"))?;
    let close = start + zeros.len();
    if bytes.get(close) != Some(&b'>') {
        return Err(unreadable("contents '>'"));
    }
    let hole = (open, close + 1);
    let key = find(&bytes, b"/ByteRange", pdf.len()).ok_or_else(|| unreadable("byte range"))?;
    let left = find(&bytes, b"[", key).ok_or_else(|| unreadable("byte range '['"))?;
    let right = find(&bytes, b"]", left).ok_or_else(|| unreadable("byte range ']'"))?;
    let ranges = format!("0 {} {} {}", hole.0, hole.1, bytes.len() - hole.1);
    let width = right - left - 1;
    if ranges.len() > width {
        return Err(unreadable("byte range too wide"));
    }
    bytes[left + 1..right].copy_from_slice(format!("{ranges:<width$}").as_bytes());
    Ok(Prepared { bytes, hole })
}

/// `pdf` signed by `signer`: PAdES B-B, its signature covering the whole file but its own
/// value.
pub fn sign_pdf(pdf: &[u8], placement: &Placement, signer: &dyn KeySigner) -> Result<Vec<u8>, SignError> {
    let Prepared { mut bytes, hole } = prepare(pdf, placement)?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..hole.0]);
    hasher.update(&bytes[hole.1..]);
    let digest = hasher.finalize();
    let chain = signer.chain();
    let holder = chain.first().ok_or_else(|| {
        SignError::new(Code::SigningToken, "thiết bị ký số không có chứng thư số", "no certificate")
    })?;
    let attributes = cms_data::signed_attributes(&digest, placement.at, holder)?;
    let signature = signer.sign_sha256_rsa(&cms_data::to_be_signed(&attributes)?)?;
    let cms = cms_data::assemble(attributes, signature, chain)?;
    if 2 * cms.len() > hole.1 - hole.0 - 2 {
        return Err(SignError::new(
            Code::Signing,
            errors::INTERNAL_MESSAGE,
            format!("CMS of {} bytes exceeds the reservation", cms.len()),
        ));
    }
    let hex = crate::certs::hex(&cms);
    bytes[hole.0 + 1..hole.0 + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(bytes)
}
