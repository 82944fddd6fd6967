//! What a citizen may see without an account: a dossier's progress, checked by the last four
//! digits of the phone number given at intake, and nothing personal; and a rating once the
//! result is returned.

use crate::{Actor, AppError, AppResult, Dossiers, ErrorKind};
use chrono::NaiveDateTime;
use domain::{EventKind, Status};
use errors::Code;
use serde::Serialize;
use store::{StoreError, Val};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackStep {
    pub at: NaiveDateTime,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackView {
    pub code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub status: Status,
    pub status_label: String,
    pub portal_status: u8,
    pub receiving_unit: String,
    pub registered_at: NaiveDateTime,
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub verdict: Option<String>,
    pub steps: Vec<TrackStep>,
    pub rated: bool,
    /// A signed result can be downloaded (with the PIN).
    pub signed_result: bool,
    /// A signed apology letter (Form 04) can be downloaded (with the PIN).
    pub signed_apology: bool,
}

/// A public description of an event: no names, no reasons typed by officials.
fn public_step(kind: &EventKind) -> Option<String> {
    Some(
        match kind {
            EventKind::Registered { .. } => "Đã đăng ký hồ sơ",
            EventKind::Received => "Đã tiếp nhận hồ sơ",
            EventKind::Refused { .. } => "Hồ sơ không được tiếp nhận (liên hệ bộ phận một cửa để biết lý do)",
            EventKind::SupplementRequested { .. } => "Yêu cầu bổ sung hồ sơ (liên hệ bộ phận một cửa)",
            EventKind::SupplementReceived => "Đã nhận hồ sơ bổ sung",
            EventKind::Assigned { .. } => "Đang xử lý",
            EventKind::Transferred { .. } => "Chuyển cơ quan có thẩm quyền xử lý",
            EventKind::PaymentRequested { .. } => "Yêu cầu thực hiện nghĩa vụ tài chính",
            EventKind::PaymentReceived => "Đã thực hiện nghĩa vụ tài chính",
            EventKind::Approved | EventKind::Denied { .. } => "Đã có kết quả giải quyết",
            EventKind::Extended { .. } => "Gia hạn thời gian giải quyết (có thư xin lỗi)",
            EventKind::Stopped { .. } => "Dừng xử lý hồ sơ",
            EventKind::Withdrawn { .. } => "Công dân rút hồ sơ",
            EventKind::ResultReturned => "Đã trả kết quả",
            EventKind::ResultSigned { .. } => "Kết quả đã được lãnh đạo ký số",
            EventKind::ResultSealed { .. } => "Kết quả đã được đóng dấu số của cơ quan",
            EventKind::ApologySigned { .. } => {
                "Thư xin lỗi và hẹn lại ngày trả kết quả đã được ký số: tải về tại trang tra cứu này"
            }
            EventKind::DueChanged { .. }
            | EventKind::Proposed { .. }
            | EventKind::ExtensionDrafted { .. }
            | EventKind::ApplicantCorrected { .. }
            | EventKind::PersonalDataErased { .. } => return None,
        }
        .to_string(),
    )
}

/// The tracking PIN's alphabet: no 0/O, 1/I/L, so that it is read back from paper without
/// doubt. Eight characters of 31: about 40 bits, beyond guessing within the limits below.
const PIN_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub(crate) const PIN_LENGTH: usize = 8;

/// A fresh random tracking PIN (not derived from the code: codes are sequential).
pub(crate) fn new_pin() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut out = String::with_capacity(PIN_LENGTH);
    // One call for the randomness of a whole PIN (intake is a hot path), more only in the
    // rare case that too many bytes were rejected.
    let mut buf = [0u8; 2 * PIN_LENGTH];
    while out.len() < PIN_LENGTH {
        OsRng.fill_bytes(&mut buf);
        // Rejection sampling: every symbol equally likely (248 = 8 × 31).
        for b in buf.iter().map(|b| *b as usize).filter(|b| *b < 248).take(PIN_LENGTH - out.len()) {
            out.push(PIN_ALPHABET[b % PIN_ALPHABET.len()] as char);
        }
    }
    out
}

/// Whether `secret` opens dossier `d`: its tracking PIN (case and spaces ignored), or, for a
/// dossier filed before PINs existed, the last four digits of the phone given at intake.
fn opens(d: &crate::DossierRecord, secret: &str) -> bool {
    let s: String =
        secret.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    match &d.tracking_pin {
        Some(pin) => s.len() == pin.len() && s == *pin,
        None => {
            s.len() == 4
                && s.bytes().all(|b| b.is_ascii_digit())
                && d.applicant_phone.as_deref().is_some_and(|p| p.ends_with(&s))
        }
    }
}

impl Dossiers<'_> {
    /// The dossier behind a code and its tracking secret. A wrong code and a wrong secret look
    /// the same; failures are counted per dossier and per client address, and past the limit
    /// the answer is 429 whatever is sent, the right secret included.
    fn citizens_dossier(&self, code: &str, secret: &str, client: &str) -> AppResult<crate::DossierRecord> {
        let not_found =
            || AppError::new(Code::DossierNotFound, "không tìm thấy hồ sơ với mã và mã tra cứu này");
        let now = self.app.now();
        let code_key: String = code.trim().chars().take(64).collect();
        let keys = [format!("track:{code_key}"), format!("track-ip:{client}")];
        if self.app.accounts().throttled(&keys, now)? {
            return Err(AppError::new(
                Code::TooManyAttempts,
                format!(
                    "nhập sai mã tra cứu quá nhiều lần; hãy thử lại sau {} phút",
                    crate::accounts::sessions::THROTTLE_MINUTES
                ),
            ));
        }
        let found = match self.load(code, &Actor::console("public")) {
            Ok(d) if opens(&d, secret) => Some(d),
            Ok(_) => None,
            Err(e) if e.kind == ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        match found {
            Some(d) => Ok(d),
            None => {
                self.app.accounts().count_failure(&keys, now)?;
                Err(not_found())
            }
        }
    }

    /// The public view of a dossier, to whoever holds its code and tracking PIN; `client` is
    /// the caller's address (failures are limited per address too).
    pub fn track(&self, code: &str, secret: &str, client: &str) -> AppResult<TrackView> {
        let d = self.citizens_dossier(code, secret, client)?;
        let catalog = self.app.catalog();
        let code2 = d.code.clone();
        let rated = self
            .app
            .store
            .read(|c| {
                c.query_one("SELECT 1 FROM ratings WHERE dossier_code = $1", &[Val::Text(code2.clone())])
            })?
            .is_some();
        use crate::dossiers::results::{has_signed, Signed};
        let (signed_result, signed_apology) = (self.result_ready(&d), has_signed(&d, Signed::Apology));
        Ok(TrackView {
            procedure_name: catalog.get(&d.procedure_code).map(|p| p.name.clone()).unwrap_or_default(),
            status_label: d.status.label().to_string(),
            portal_status: d.status.portal_code(),
            steps: d
                .events
                .iter()
                .filter_map(|e| public_step(&e.kind).map(|what| TrackStep { at: e.at, what }))
                .collect(),
            code: d.code,
            procedure_code: d.procedure_code,
            status: d.status,
            receiving_unit: d.receiving_unit,
            registered_at: d.registered_at,
            received_at: d.received_at,
            due_at: d.due_at,
            finished_at: d.finished_at,
            signed_result,
            signed_apology,
            verdict: d.verdict,
            rated,
        })
    }

    /// A signed paper (the result, or the apology letter of Form 04), to whoever holds the
    /// receipt's tracking PIN (the attempts limited as for tracking).
    pub fn track_signed(
        &self,
        code: &str,
        secret: &str,
        client: &str,
        which: crate::dossiers::results::Signed,
    ) -> AppResult<(crate::dossiers::results::SignedFile, Vec<u8>)> {
        let d = self.citizens_dossier(code, secret, client)?;
        // A result issued in the agency's name reaches the citizen with the agency's seal.
        if which != crate::dossiers::results::Signed::Apology && !self.result_ready(&d) {
            return Err(AppError::new(
                Code::NoSignedResult,
                "kết quả chưa sẵn sàng để tải về: chưa được ký số, hoặc đang chờ đóng dấu số của cơ quan",
            ));
        }
        self.signed_file(&d, which)
    }

    /// A citizen's rating (1 to 5) of a dossier whose result was returned, by whoever holds the
    /// receipt's tracking PIN; once per dossier.
    pub fn rate(
        &self,
        code: &str,
        secret: &str,
        client: &str,
        score: u8,
        comment: Option<&str>,
    ) -> AppResult<()> {
        let d = self.citizens_dossier(code, secret, client)?;
        if d.status != Status::Returned {
            return Err(AppError::new(Code::NotReturnedYet, "chỉ đánh giá được khi đã nhận kết quả"));
        }
        if !(1..=5).contains(&score) {
            return Err(AppError::new(Code::InvalidScore, "mức hài lòng từ 1 đến 5"));
        }
        let comment = rating_comment(comment);
        let now = self.app.now();
        let vals: Vec<Val> = vec![
            (&d.code).into(),
            (&d.province_code).into(),
            Val::Int(score.into()),
            comment.into(),
            now.into(),
        ];
        // The rating and its counters in one transaction: the index never counts half of it.
        let deltas = domain::stats::rating_deltas(score, now.date());
        match self.app.store.write(move |c| {
            c.exec("INSERT INTO ratings (dossier_code, province_code, score, comment, at) VALUES ($1, $2, $3, $4, $5)", &vals)?;
            crate::dossiers::records::bump_stats(c, &d, &deltas)
        }) {
            Ok(_) => Ok(()),
            Err(StoreError::Constraint(_)) => {
                Err(AppError::new(Code::AlreadyRated, "hồ sơ này đã được đánh giá"))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A rating's comment as kept: trimmed, at most 1,000 characters, none when empty.
pub(crate) fn rating_comment(comment: Option<&str>) -> Option<String> {
    comment.map(str::trim).filter(|c| !c.is_empty()).map(|c| c.chars().take(1000).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_eight_symbols_of_the_alphabet_and_not_repeated() {
        let pins: std::collections::HashSet<String> = (0..200).map(|_| new_pin()).collect();
        assert_eq!(pins.len(), 200);
        for p in &pins {
            assert_eq!(p.len(), PIN_LENGTH);
            assert!(p.bytes().all(|b| PIN_ALPHABET.contains(&b)), "{p}");
        }
    }
}
