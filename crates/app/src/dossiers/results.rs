//! Results with legal value: the deciding leader signs the result document with the key in
//! their token (PAdES, PKCS#11), the signing is an event of the dossier's history sealing the
//! file's SHA-256 and the certificate's, the file is kept with the dossier; anyone holding a
//! file can check it against the trusted roots and the history, and the citizen holding the
//! tracking PIN downloads it.

use crate::dossiers::papers::{pdf_of, Form};
use crate::dossiers::workflow::permitted;
use crate::{Actor, App, AppError, AppResult, Code, DossierRecord, Dossiers};
use chrono::NaiveDateTime;
use domain::{Action, EventKind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use signing::{Certificate, Report, Token, TokenConfig, Trust};
use std::path::PathBuf;
use store::{Conn, StoreError};

/// How this server signs and checks signatures.
#[derive(Clone, Debug, Default)]
pub struct SigningSetup {
    /// The PKCS#11 module of the tokens (none: this server does not sign).
    pub module: Option<PathBuf>,
    /// The roots a signature must chain to (the national root CA in production).
    pub roots: Vec<Certificate>,
    /// The CA certificates between an official's certificate and the roots, which tokens
    /// often do not hold.
    pub intermediates: Vec<Certificate>,
    /// The CAs' revocation lists (a certificate they name fails verification).
    pub crls: Vec<signing::Crl>,
}

impl SigningSetup {
    /// A file's signatures checked against this server's roots and revocation lists, without
    /// looking for the file in any dossier's history.
    pub fn check(&self, pdf: &[u8]) -> AppResult<Verification> {
        let trust = Trust { roots: self.roots.clone(), crls: self.crls.clone() };
        let report = signing::verify_pdf(pdf, &trust).map_err(sign_error)?;
        Ok(Verification { report, roots_configured: !self.roots.is_empty(), history: None })
    }
}

/// Which signature: the leader's on the result or on the apology letter, or the agency's
/// seal on the signed result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signed {
    /// The result document, signed by the deciding leader (once sealed, the sealed file).
    Result,
    /// The apology letter with the new date of the last extension (Form 04).
    Apology,
    /// The agency's seal (its own certificate) on the leader's signed result.
    Seal,
}

impl Signed {
    /// The action that records the signing.
    pub fn action(self) -> &'static str {
        match self {
            Signed::Result => "sign_result",
            Signed::Apology => "sign_apology",
            Signed::Seal => "seal_result",
        }
    }

    /// The stored paper's kind (`signed_results.paper`).
    fn paper(self) -> &'static str {
        match self {
            Signed::Result => "result",
            Signed::Apology => "apology",
            Signed::Seal => "sealed_result",
        }
    }

    /// The file's SHA-256, the certificate's and the signer's name, if `kind` records a file
    /// of this paper (for the result: the leader's signed file or the sealed one).
    fn document(self, kind: &EventKind) -> Option<(&str, &str, &str)> {
        match (self, kind) {
            (Signed::Result, EventKind::ResultSigned { document_sha256, certificate_sha256, signer })
            | (Signed::Apology, EventKind::ApologySigned { document_sha256, certificate_sha256, signer }) => {
                Some((document_sha256, certificate_sha256, signer))
            }
            (
                Signed::Result | Signed::Seal,
                EventKind::ResultSealed { document_sha256, certificate_sha256, agency },
            ) => Some((document_sha256, certificate_sha256, agency)),
            _ => None,
        }
    }
}

/// A signed result kept with its dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedFile {
    pub sha256: String,
    /// "result", "sealed_result" or "apology".
    pub paper: String,
    pub file_name: String,
    pub size: u64,
    pub signed_at: NaiveDateTime,
}

impl SignedFile {
    pub(crate) fn insert(&self, c: &mut dyn Conn, code: &str, province: &str) -> Result<(), StoreError> {
        c.exec(
            "INSERT INTO signed_results (sha256, dossier_code, province_code, file_name, size, signed_at, paper) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                (&self.sha256).into(),
                code.into(),
                province.into(),
                (&self.file_name).into(),
                store::Val::Int(self.size as i64),
                self.signed_at.into(),
                (&self.paper).into(),
            ],
        )?;
        Ok(())
    }

    fn from_row(r: &store::Row) -> Result<SignedFile, StoreError> {
        Ok(SignedFile {
            sha256: r.col("sha256")?,
            paper: r.col("paper")?,
            file_name: r.col("file_name")?,
            size: r.col::<i64>("size")?.max(0) as u64,
            signed_at: r.col("signed_at")?,
        })
    }
}

/// The key a leader signs with: where it is, and the certificate enrolled for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SigningKey {
    pub username: String,
    pub token_label: String,
    pub key_label: String,
    pub certificate_sha256: String,
    /// The holder's name and organisation, as the certificate gives them.
    pub holder: String,
    pub organization: Option<String>,
    pub enrolled_at: NaiveDateTime,
}

/// The key a unit seals its results with (its organisation certificate), in a token its
/// clerk's desk holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgencyKey {
    pub unit_code: String,
    pub token_label: String,
    pub key_label: String,
    pub certificate_sha256: String,
    /// The agency as the certificate names it.
    pub holder: String,
    pub enrolled_at: NaiveDateTime,
}

/// What a signed file says, checked against the trusted roots and the dossiers' histories.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub report: Report,
    /// Whether this server has trusted roots configured (without them, no chain is trusted).
    pub roots_configured: bool,
    /// The dossier whose history records this very file as its signed result, if any.
    pub history: Option<HistoryMatch>,
}

impl Verification {
    /// The file is signed, intact, trusted, and is the result a dossier's intact history
    /// records, signed with the certificate the history names.
    pub fn matches_history(&self) -> bool {
        self.report.valid()
            && self.history.as_ref().is_some_and(|h| h.certificate_matches && h.history_intact)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HistoryMatch {
    pub dossier_code: String,
    pub signed_at: NaiveDateTime,
    /// The signer as the history names them.
    pub signer: String,
    /// The agency whose seal the history records on this file, if sealed.
    pub sealed_by: Option<String>,
    /// The file's signatures are made with the certificates the history names (the leader's,
    /// then the agency's on a sealed file), and no other.
    pub certificate_matches: bool,
    /// The dossier's history passes the audit's checks (hash chain, projection, seal).
    pub history_intact: bool,
}

fn sign_error(e: signing::SignError) -> AppError {
    if e.code.kind() == errors::Kind::Internal {
        AppError::internal(e.code, format!("{}: {}", e.message, e.detail))
    } else {
        tracing::warn!(code = e.code.as_str(), detail = %e.detail, "ký số: {}", e.message);
        AppError::new(e.code, e.message)
    }
}

const KEY_COLUMNS: &str =
    "username, token_label, key_label, certificate_pem, certificate_sha256, enrolled_at";

/// The holder's name and organisation, as the stored certificate gives them.
fn holder_of(r: &store::Row) -> Result<(String, Option<String>), StoreError> {
    let pem: String = r.col("certificate_pem")?;
    Ok(signing::load_pem_chain(pem.as_bytes())
        .ok()
        .and_then(|c| c.into_iter().next())
        .map_or((String::new(), None), |c| signing::subject_name(&c)))
}

const AGENCY_KEY_COLUMNS: &str =
    "unit_code, token_label, key_label, certificate_pem, certificate_sha256, enrolled_at";

fn agency_key_from_row(r: &store::Row) -> Result<AgencyKey, StoreError> {
    Ok(AgencyKey {
        unit_code: r.col("unit_code")?,
        token_label: r.col("token_label")?,
        key_label: r.col("key_label")?,
        certificate_sha256: r.col("certificate_sha256")?,
        holder: holder_of(r)?.0,
        enrolled_at: r.col("enrolled_at")?,
    })
}

fn key_from_row(r: &store::Row) -> Result<SigningKey, StoreError> {
    let (holder, organization) = holder_of(r)?;
    Ok(SigningKey {
        username: r.col("username")?,
        token_label: r.col("token_label")?,
        key_label: r.col("key_label")?,
        certificate_sha256: r.col("certificate_sha256")?,
        holder,
        organization,
        enrolled_at: r.col("enrolled_at")?,
    })
}

impl App {
    /// Replaces how this server signs and checks signatures (none by default).
    pub fn with_signing(mut self, setup: SigningSetup) -> App {
        self.signing = std::sync::Arc::new(setup);
        self
    }

    /// Records that `username`, a leader who decides dossiers, signs with the key `key_label`
    /// of the token `token_label`, certified by `certificate_pem` (the certificate the CA
    /// issued for that key; stored in the token by `haicap signing enroll`).
    pub fn enroll_signing_key(
        &self,
        username: &str,
        token_label: &str,
        key_label: &str,
        certificate_pem: &str,
    ) -> AppResult<SigningKey> {
        let username = username.trim().to_lowercase();
        let user = match self.accounts().user(&username)? {
            Some((u, _)) if u.active => u,
            _ => return Err(AppError::new(Code::UnknownUser, format!("không có tài khoản \"{username}\""))),
        };
        if !domain::permissions::MATRIX
            .iter()
            .any(|g| g.action == "sign_result" && domain::permissions::seat_of(user.role) == Some(g.seat))
        {
            return Err(AppError::new(
                Code::ActionNotPermitted,
                format!("tài khoản \"{username}\" không phải lãnh đạo quyết định hồ sơ: không ký kết quả"),
            ));
        }
        self.store_key("signing_keys", KEY_COLUMNS, &username, token_label, key_label, certificate_pem)?;
        self.accounts().log("console", "signing_key_enrolled", Some(&username), None, Some(key_label));
        self.signing_key(&username)?
            .ok_or_else(|| AppError::internal(Code::DbError, "khoá ký số vừa ghi không đọc lại được"))
    }

    /// Stores, replacing its holder's earlier one, a key in `table` whose `columns` start with
    /// the holder's (an account's name, a unit's code): which token, which key, the
    /// certificate and its SHA-256, when.
    fn store_key(
        &self,
        table: &'static str,
        columns: &'static str,
        holder: &str,
        token_label: &str,
        key_label: &str,
        certificate_pem: &str,
    ) -> AppResult<()> {
        let certs = signing::load_pem_chain(certificate_pem.as_bytes()).map_err(sign_error)?;
        let holder_column = columns.split(',').next().unwrap_or_default();
        let row: [store::Val; 6] = [
            holder.into(),
            token_label.trim().into(),
            key_label.trim().into(),
            certificate_pem.into(),
            signing::fingerprint(&certs[0]).into(),
            self.now().into(),
        ];
        self.store.write(move |c| {
            c.exec(&format!("DELETE FROM {table} WHERE {holder_column} = $1"), &row[..1])?;
            c.exec(&format!("INSERT INTO {table} ({columns}) VALUES ($1, $2, $3, $4, $5, $6)"), &row)?;
            Ok(())
        })?;
        Ok(())
    }

    /// The key `username` signs with, if enrolled.
    pub fn signing_key(&self, username: &str) -> AppResult<Option<SigningKey>> {
        let name = username.trim().to_lowercase();
        let row = self.store.read(move |c| {
            c.query_one(
                &format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE username = $1"),
                &[(&name).into()],
            )
        })?;
        Ok(row.map(|r| key_from_row(&r)).transpose()?)
    }

    /// Records that `unit` (a commune or a province) seals its results with the key
    /// `key_label` of the token `token_label`, certified by `certificate_pem` (its organisation
    /// certificate); replaces the unit's earlier key.
    pub fn enroll_agency_key(
        &self,
        unit: &str,
        token_label: &str,
        key_label: &str,
        certificate_pem: &str,
    ) -> AppResult<AgencyKey> {
        let unit = unit.trim().to_string();
        if units::registry().unit_name(&unit).is_none() {
            return Err(AppError::new(
                Code::UnknownUnit,
                format!("không có xã, phường hoặc tỉnh mã \"{unit}\""),
            ));
        }
        self.store_key("agency_keys", AGENCY_KEY_COLUMNS, &unit, token_label, key_label, certificate_pem)?;
        self.accounts().log("console", "agency_key_enrolled", Some(&unit), None, Some(key_label));
        self.agency_key(&unit)?.ok_or_else(|| {
            AppError::internal(Code::DbError, "khoá ký số của cơ quan vừa ghi không đọc lại được")
        })
    }

    /// The key `unit` seals its results with, if enrolled.
    pub fn agency_key(&self, unit: &str) -> AppResult<Option<AgencyKey>> {
        let unit = unit.trim().to_string();
        let row = self.store.read(move |c| {
            c.query_one(
                &format!("SELECT {AGENCY_KEY_COLUMNS} FROM agency_keys WHERE unit_code = $1"),
                &[(&unit).into()],
            )
        })?;
        Ok(row.map(|r| agency_key_from_row(&r)).transpose()?)
    }

    /// Every unit's enrolled seal key.
    pub fn agency_keys(&self) -> AppResult<Vec<AgencyKey>> {
        let rows = self.store.read(|c| {
            c.query(&format!("SELECT {AGENCY_KEY_COLUMNS} FROM agency_keys ORDER BY unit_code"), &[])
        })?;
        Ok(rows.iter().map(agency_key_from_row).collect::<Result<_, _>>()?)
    }

    /// Every enrolled key.
    pub fn signing_keys(&self) -> AppResult<Vec<SigningKey>> {
        let rows = self
            .store
            .read(|c| c.query(&format!("SELECT {KEY_COLUMNS} FROM signing_keys ORDER BY username"), &[]))?;
        Ok(rows.iter().map(key_from_row).collect::<Result<_, _>>()?)
    }

    /// Checks a signed file: its signatures against the trusted roots, and whether a dossier's
    /// history records it as its signed result.
    pub fn verify_result(&self, pdf: &[u8]) -> AppResult<Verification> {
        let mut verification = self.signing.check(pdf)?;
        let sha = verification.report.file_sha256.clone();
        let certs: Vec<String> =
            verification.report.signatures.iter().map(|s| s.certificate_sha256.clone()).collect();
        verification.history = self.store.read(move |c| {
            let Some(row) =
                c.query_one("SELECT dossier_code FROM signed_results WHERE sha256 = $1", &[(&sha).into()])?
            else {
                return Ok(None);
            };
            let code: String = row.col("dossier_code")?;
            let events = crate::dossiers::records::load_events(c, &code)?;
            let events: Vec<&domain::Event> = events.iter().map(|(e, _)| e).collect();
            // The event that names this very file: a result (signed or sealed) or a letter.
            let Some((found, (_, cert, name))) = events.iter().enumerate().find_map(|(i, e)| {
                let doc = Signed::Result.document(&e.kind).or_else(|| Signed::Apology.document(&e.kind))?;
                (doc.0 == sha).then_some((i, doc))
            }) else {
                return Ok(None);
            };
            let e = events[found];
            // A sealed file carries the leader's signature first and the agency's after it.
            let (signer, sealed_by, expected) = match &e.kind {
                EventKind::ResultSealed { .. } => {
                    let leader = events[..found].iter().rev().find_map(|e| match &e.kind {
                        EventKind::ResultSigned { certificate_sha256, signer, .. } => {
                            Some((signer, certificate_sha256))
                        }
                        _ => None,
                    });
                    let (signer, leader_cert) =
                        leader.map_or((String::new(), String::new()), |(s, c)| (s.clone(), c.clone()));
                    (signer, Some(name.to_string()), vec![leader_cert, cert.to_string()])
                }
                _ => (name.to_string(), None, vec![cert.to_string()]),
            };
            let intact = crate::dossiers::audit::verify_one(c, &code)?.is_empty();
            Ok(Some(HistoryMatch {
                dossier_code: code,
                signed_at: e.at,
                signer,
                sealed_by,
                certificate_matches: certs == expected,
                history_intact: intact,
            }))
        })?;
        Ok(verification)
    }
}

/// The signed paper the history names last, if it is kept.
pub(crate) fn latest_signed(
    c: &mut dyn Conn,
    d: &DossierRecord,
    which: Signed,
) -> Result<Option<SignedFile>, StoreError> {
    let Some(sha) =
        d.events.iter().rev().find_map(|e| which.document(&e.kind).map(|(doc, _, _)| doc.to_string()))
    else {
        return Ok(None);
    };
    let row = c.query_one(
        "SELECT sha256, paper, file_name, size, signed_at FROM signed_results WHERE sha256 = $1 AND dossier_code = $2",
        &[(&sha).into(), (&d.code).into()],
    )?;
    row.map(|r| SignedFile::from_row(&r)).transpose()
}

/// Whether `d` has a paper waiting for this signature: an approved result not yet signed, an
/// extension's apology letter not yet signed, a signed result not yet sealed.
pub(crate) fn awaits_signature(d: &DossierRecord, which: Signed) -> bool {
    let signed = d.events.iter().any(|e| matches!(e.kind, EventKind::ResultSigned { .. }));
    match which {
        Signed::Result => approved(d) && !signed,
        Signed::Apology => domain::dossier::apology_awaits_signature(&d.events),
        Signed::Seal => signed && !sealed(d),
    }
}

/// Whether the agency's seal is on `d`'s result.
fn sealed(d: &DossierRecord) -> bool {
    d.events.iter().any(|e| matches!(e.kind, EventKind::ResultSealed { .. }))
}

/// Whether `d`'s history records a signed paper of this kind (and its data is kept).
pub fn has_signed(d: &DossierRecord, which: Signed) -> bool {
    d.erased_at.is_none() && d.events.iter().any(|e| which.document(&e.kind).is_some())
}

/// Whether the leader's last decision on `d` approved it.
fn approved(d: &DossierRecord) -> bool {
    d.events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Approved | EventKind::Denied { .. }))
        .is_some_and(|e| matches!(e.kind, EventKind::Approved))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Dossiers<'_> {
    /// The deciding leader signs the result of an approved dossier with their token (`pin`
    /// opens it; it is used once and never kept): the result document is made from the
    /// dossier, signed, kept, and the signing recorded in the history.
    pub fn sign_result(&self, code: &str, pin: &str, actor: &Actor) -> AppResult<DossierRecord> {
        self.sign(code, Signed::Result, pin, actor)
    }

    /// The leader signs the apology letter of the last extension (Form 04), as the result.
    pub fn sign_apology(&self, code: &str, pin: &str, actor: &Actor) -> AppResult<DossierRecord> {
        self.sign(code, Signed::Apology, pin, actor)
    }

    /// The clerk's desk of the handling unit seals the leader's signed result with the unit's
    /// own key (`pin` opens its token): the sealed file replaces the signed one.
    pub fn seal_result(&self, code: &str, pin: &str, actor: &Actor) -> AppResult<DossierRecord> {
        self.sign(code, Signed::Seal, pin, actor)
    }

    /// Makes `which` paper of the dossier (for the seal: takes the signed result), signs it in
    /// the token of the actor (for the seal: of the handling unit) and records it.
    pub fn sign(&self, code: &str, which: Signed, pin: &str, actor: &Actor) -> AppResult<DossierRecord> {
        // Who may sign comes before what signing needs (as for every action).
        let d = self.load(code, actor)?;
        permitted(actor, which.action(), d.place())?;
        if !domain::dossier::allowed_in(d.status).contains(&which.action()) {
            return Err(AppError::new(
                Code::InvalidTransition,
                format!(
                    "hồ sơ đang ở trạng thái \"{}\": không có văn bản nào để ký số lúc này",
                    d.status.label()
                ),
            ));
        }
        if !awaits_signature(&d, which) {
            return Err(match which {
                Signed::Result if !approved(&d) => AppError::new(
                    Code::NothingToSign,
                    "hồ sơ không được phê duyệt: không có kết quả để ký số",
                ),
                Signed::Result => AppError::new(Code::AlreadySigned, "kết quả của hồ sơ đã được ký số"),
                Signed::Apology => AppError::new(
                    Code::NothingToSign,
                    "không có thư xin lỗi, hẹn lại ngày trả (Mẫu 04) nào chờ ký: hồ sơ chưa gia hạn, hoặc đã ký",
                ),
                Signed::Seal if sealed(&d) => {
                    AppError::new(Code::AlreadySigned, "kết quả của hồ sơ đã được đóng dấu số")
                }
                Signed::Seal => AppError::new(
                    Code::NothingToSign,
                    "kết quả chưa được lãnh đạo ký số: đóng dấu số sau khi lãnh đạo ký",
                ),
            });
        }
        if pin.is_empty() || pin.len() > 64 {
            return Err(AppError::new(Code::MissingPin, "cần mã PIN của thiết bị ký số (tối đa 64 ký tự)"));
        }
        let setup = self.app.signing.clone();
        let module = setup.module.clone().ok_or_else(|| {
            AppError::new(
                Code::SigningNotConfigured,
                "máy chủ chưa được cấu hình thiết bị ký số (HAICAP_SIGNING_MODULE)",
            )
        })?;
        let (token_label, key_label, certificate_sha256) = match which {
            Signed::Seal => self
                .app
                .agency_key(&d.handling_unit)?
                .map(|k| (k.token_label, k.key_label, k.certificate_sha256))
                .ok_or_else(|| {
                    AppError::new(
                        Code::NoSigningKey,
                        "đơn vị xử lý chưa đăng ký khoá ký số của cơ quan: quản trị viên đăng ký bằng haicap signing enroll --unit",
                    )
                })?,
            _ => self
                .app
                .signing_key(&actor.username)?
                .map(|k| (k.token_label, k.key_label, k.certificate_sha256))
                .ok_or_else(|| {
                    AppError::new(
                        Code::NoSigningKey,
                        "tài khoản chưa được đăng ký khoá ký số: quản trị viên đăng ký bằng haicap signing enroll",
                    )
                })?,
        };
        let config = TokenConfig { module, token: token_label, key: key_label, pin: pin.to_string() };
        let token = Token::open(&config, &setup.intermediates).map_err(sign_error)?;
        let holder = signing::KeySigner::chain(&token)[0].clone();
        if signing::fingerprint(&holder) != certificate_sha256 {
            return Err(AppError::new(
                Code::CertificateInvalid,
                "chứng thư số trong thiết bị khác chứng thư đã đăng ký: hãy đăng ký lại",
            ));
        }
        let (name, _) = signing::subject_name(&holder);
        let (unsigned, stem, location, reason) = match which {
            Signed::Result => {
                let paper = self.paper_of(&d, Form::Result, "", Some(&name))?;
                let reason = format!("Phê duyệt kết quả giải quyết hồ sơ {}", d.code);
                (pdf_of(&paper)?, paper.file_stem, paper.agency, reason)
            }
            Signed::Apology => {
                let mut letter = self.paper_of(&d, Form::Letter(4), "", None)?;
                letter.signer_name = Some(name.clone());
                letter.digital = true;
                let reason = format!("Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {}", d.code);
                (pdf_of(&letter)?, letter.file_stem, letter.agency, reason)
            }
            Signed::Seal => {
                let (file, bytes) = self.signed_file(&d, Signed::Result)?;
                let stem = file.file_name.trim_end_matches(".pdf").trim_end_matches("-ky-so").to_string();
                (bytes, stem, name.clone(), format!("Đóng dấu số kết quả giải quyết hồ sơ {}", d.code))
            }
        };
        let placement = signing::Placement { name: name.clone(), reason, location, at: chrono::Utc::now() };
        let signed = signing::sign_pdf(&unsigned, &placement, &token).map_err(sign_error)?;
        drop(token);
        let sha = hex(&Sha256::digest(&signed));
        self.app
            .blobs
            .put(&sha, &signed)
            .map_err(|e| AppError::internal(Code::BlobStore, format!("không lưu được văn bản đã ký: {e}")))?;
        let file = SignedFile {
            sha256: sha.clone(),
            paper: which.paper().to_string(),
            file_name: format!(
                "{stem}-{}.pdf",
                if which == Signed::Seal { "ky-so-dong-dau" } else { "ky-so" }
            ),
            size: signed.len() as u64,
            signed_at: self.app.now(),
        };
        let document_sha256 = sha;
        let action = match which {
            Signed::Result => Action::SignResult { document_sha256, certificate_sha256, signer: name },
            Signed::Apology => Action::SignApology { document_sha256, certificate_sha256, signer: name },
            Signed::Seal => Action::SealResult { document_sha256, certificate_sha256, agency: name },
        };
        metrics::counter!("haicap_papers_signed_total", "paper" => which.action()).increment(1);
        self.act_with(&d.code, which.action(), &|_| Ok(action.clone()), None, None, Some(&file), actor)
    }

    /// Whether the result of `d` is issued in the agency's name and so bears its seal (the
    /// procedure's result, `domain::result_kind`).
    pub fn seal_required(&self, d: &DossierRecord) -> bool {
        let catalog = self.app.catalog();
        domain::result_kind::template(catalog.get(&d.procedure_code).and_then(|p| p.result.as_deref())).seal
    }

    /// Whether the citizen can receive `d`'s signed result: signed, and sealed where the
    /// result bears the agency's seal.
    pub fn result_ready(&self, d: &DossierRecord) -> bool {
        has_signed(d, Signed::Result) && (sealed(d) || !self.seal_required(d))
    }

    /// The signed result of a dossier, to those whose work needs its personal data (the
    /// result names the applicant); the read is recorded.
    pub fn signed_result(&self, code: &str, actor: &Actor) -> AppResult<(SignedFile, Vec<u8>)> {
        self.signed_paper(code, Signed::Result, actor)
    }

    /// A signed paper of a dossier, to those whose work needs its personal data (it names the
    /// applicant); the read is recorded.
    pub fn signed_paper(&self, code: &str, which: Signed, actor: &Actor) -> AppResult<(SignedFile, Vec<u8>)> {
        let d = self.load(code, actor)?;
        if !self.sees_personal_data(&d, actor) {
            return Err(AppError::new(
                Code::PersonalDataRestricted,
                "văn bản ghi thông tin người nộp: chỉ dành cho cán bộ một cửa nơi tiếp nhận, người xử lý và lãnh đạo đơn vị xử lý",
            ));
        }
        let (file, bytes) = self.signed_file(&d, which)?;
        self.record_read(actor, crate::dossiers::privacy::DOCUMENT_READ, &d.code, Some(&file.file_name));
        Ok((file, bytes))
    }

    /// The signed paper of `d` of this kind, if any, with its bytes.
    pub(crate) fn signed_file(&self, d: &DossierRecord, which: Signed) -> AppResult<(SignedFile, Vec<u8>)> {
        if d.erased_at.is_some() {
            return Err(AppError::new(
                Code::AttachmentErased,
                "văn bản đã được xoá khi hết thời hạn lưu trữ",
            ));
        }
        let d2 = d.clone();
        let missing = match which {
            Signed::Result => "hồ sơ chưa có kết quả được ký số",
            Signed::Apology => "hồ sơ chưa có thư xin lỗi được ký số",
            Signed::Seal => "kết quả của hồ sơ chưa được đóng dấu số",
        };
        let file = self
            .app
            .store
            .read(move |c| latest_signed(c, &d2, which))?
            .ok_or_else(|| AppError::new(Code::NoSignedResult, missing))?;
        let bytes = self.app.blob(&file.sha256)?;
        Ok((file, bytes))
    }
}
