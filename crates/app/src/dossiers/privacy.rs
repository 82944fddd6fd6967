//! Citizens' personal data as the law asks (Law 91/2025/QH15 on personal data protection,
//! Decree 13/2023/NĐ-CP): sealed into the history, shown in full only to the three seats
//! that work on the dossier, every full read recorded, erased when the retention period ends.
//! docs/privacy.md maps each rule to its article.

use crate::dossiers::records::{load_events, DossierRecord, EventRow, COLUMNS};
use crate::{Actor, AppError, AppResult, Dossiers};
use chrono::{Duration, NaiveDateTime};
use domain::audit::{subject_digest, Subject};
use domain::permissions::{mask, needs_personal_data, Place};
use domain::{Dossier, Status};
use errors::Code;
use serde::Serialize;
use store::{Conn, StoreError, Val};

/// The audit-log action of a full read of a dossier's personal data.
pub const READ: &str = "personal_data_read";
/// The audit-log action of a download of a filed document.
pub const DOCUMENT_READ: &str = "document_read";
/// The audit-log action of an export holding personal data.
pub const EXPORT: &str = "personal_data_export";

/// What a citizen is told, and agrees to, before handing over personal data online (Law
/// 91/2025/QH15 on consent and notice; Decree 13/2023/NĐ-CP, Articles 11 and 13).
pub const CONSENT_NOTICE: &str = "Dữ liệu cá nhân ông/bà cung cấp (họ tên, số định danh, số điện thoại, địa chỉ, giấy tờ) \
chỉ dùng để giải quyết thủ tục hành chính này và liên hệ với ông/bà về hồ sơ; chỉ cán bộ một cửa nơi tiếp nhận, \
người xử lý và lãnh đạo đơn vị giải quyết được xem đầy đủ; mọi lần xem đều được ghi lại; dữ liệu được xoá khi hết \
thời hạn lưu trữ. Ông/bà có quyền xem, yêu cầu chỉnh sửa dữ liệu của mình tại bộ phận một cửa nơi nộp hồ sơ \
(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; Nghị định 13/2023/NĐ-CP).";

/// Refuses a submission of personal data without the citizen's consent to the notice.
pub fn require_consent(given: bool) -> AppResult<()> {
    if given {
        Ok(())
    } else {
        Err(AppError::new(
            Code::ConsentRequired,
            "cần đồng ý với thông báo xử lý dữ liệu cá nhân trước khi gửi",
        ))
    }
}

/// The retention period when none is configured: five years from the return of the result.
/// Provinces set theirs from their archive list (`HAICAP_RETENTION_DAYS`).
pub const DEFAULT_RETENTION_DAYS: u32 = 1825;

/// What a recorded read was, in Vietnamese.
pub fn read_label(action: &str) -> &'static str {
    match action {
        READ => "xem dữ liệu cá nhân",
        DOCUMENT_READ => "tải giấy tờ",
        EXPORT => "xuất báo cáo có dữ liệu cá nhân",
        _ => "khác",
    }
}

/// Who reads the erasure's event as its actor.
const RETENTION_ACTOR: &str = "hệ thống (hết thời hạn lưu trữ)";

/// A fresh random salt for a dossier's subject digest.
pub(crate) fn new_salt() -> String {
    crate::accounts::sessions::random_hex(16)
}

impl DossierRecord {
    /// The seal of who the dossier is for and what was filed, as the row holds them now.
    pub(crate) fn subject_digest(&self, documents: &[String]) -> String {
        let subject = Subject {
            applicant_name: &self.applicant_name,
            id_number: self.applicant_id_number.as_deref(),
            phone: self.applicant_phone.as_deref(),
            address_text: self.address_text.as_deref(),
            address_commune: self.address_commune.as_deref(),
            procedure_code: &self.procedure_code,
            procedure_version: self.procedure_version,
            channel: self.channel.portal_code(),
            documents: documents.iter().map(String::as_str).collect(),
        };
        subject_digest(self.seal_salt.as_deref(), &subject)
    }

    /// Hides all but the last three digits of the ID number and the phone.
    pub fn mask_personal(&mut self) {
        self.applicant_id_number = self.applicant_id_number.as_deref().map(mask);
        self.applicant_phone = self.applicant_phone.as_deref().map(mask);
        self.tracking_pin = None;
        self.masked = true;
    }

    pub(crate) fn place(&self) -> Place<'_> {
        Place { receiving: &self.receiving_unit, handling: &self.handling_unit }
    }
}

impl Actor {
    /// Whether the dossier is within the actor's scope: its units, and for the nation's scope
    /// only the status records provinces fed it (no citizen's particulars).
    pub(crate) fn sees_dossier(&self, d: &DossierRecord) -> bool {
        self.scope.sees(&d.province_code, &d.receiving_unit, &d.handling_unit)
            && (!self.scope.status_records_only() || crate::national::is_status_record(d.writer.as_deref()))
    }
}

/// The SHA-256 of a dossier's documents, in filing order.
pub(crate) fn documents_of(c: &mut dyn Conn, code: &str) -> Result<Vec<String>, StoreError> {
    let rows =
        c.query("SELECT sha256 FROM attachments WHERE dossier_code = $1 ORDER BY seq", &[code.into()])?;
    rows.iter().map(|r| r.col("sha256")).collect()
}

/// A recorded read of personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReadEntry {
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// What a retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ErasureReport {
    pub erased: u64,
    /// Documents whose bytes were removed (no dossier still keeping its data refers to them).
    pub documents_removed: u64,
}

/// Dossiers erased per transaction: a retention run never holds the writer for long.
const ERASE_BATCH: i64 = 200;

impl Dossiers<'_> {
    /// `d` with the applicant's data corrected, and the seal of the corrected subject.
    pub(crate) fn corrected(
        &self,
        d: &DossierRecord,
        applicant: Option<&crate::Applicant>,
    ) -> AppResult<(DossierRecord, String)> {
        let a = applicant.ok_or_else(|| {
            AppError::new(Code::MissingApplicant, "cần thông tin người nộp đã điều chỉnh (applicant)")
        })?;
        let a = crate::dossiers::intake::check_applicant(a)?;
        let mut rec = d.clone();
        rec.address_commune =
            crate::dossiers::intake::resolve_home(a.address.as_deref()).map(|h| h.0.to_string());
        rec.applicant_name = a.full_name;
        rec.applicant_phone = a.phone;
        rec.applicant_id_number = a.id_number;
        rec.address_text = a.address;
        // A dossier filed before the seal existed is sealed from its first correction on.
        rec.seal_salt = Some(d.seal_salt.clone().unwrap_or_else(new_salt));
        let code = d.code.clone();
        let documents = self.app.store.read(move |c| documents_of(c, &code))?;
        let digest = rec.subject_digest(&documents);
        Ok((rec, digest))
    }

    /// Whether `actor` sees `d`'s ID number and phone in full. The console (the server's
    /// operator) does; an account does when its seat works on the dossier.
    pub fn sees_personal_data(&self, d: &DossierRecord, actor: &Actor) -> bool {
        match (actor.role, actor.unit()) {
            (None, _) => true,
            (Some(role), Some(unit)) => needs_personal_data(role, unit, d.place()),
            (Some(_), None) => false,
        }
    }

    /// `d` as `actor` may read it: masked unless their work needs the personal data.
    pub fn present(&self, mut d: DossierRecord, actor: &Actor) -> DossierRecord {
        if !self.sees_personal_data(&d, actor) {
            d.mask_personal();
        }
        d
    }

    /// Records that `actor` read personal data (`action`: [`READ`], [`DOCUMENT_READ`],
    /// [`EXPORT`]) of `target` (a dossier code, or a report).
    pub fn record_read(&self, actor: &Actor, action: &str, target: &str, detail: Option<&str>) {
        self.app.accounts().log(&actor.username, action, Some(target), None, detail);
    }

    /// Who read the personal data of dossier `code`, oldest first.
    pub fn reads(&self, code: &str) -> AppResult<Vec<ReadEntry>> {
        let rows = self.app.store.read(|c| {
            c.query(
                "SELECT at, actor, action, target, ip, detail FROM audit_log WHERE target = $1 AND action IN ($2, $3, $4) ORDER BY at, id",
                &[code.trim().into(), READ.into(), DOCUMENT_READ.into(), EXPORT.into()],
            )
        })?;
        Ok(rows.iter().map(read_entry).collect::<Result<_, _>>()?)
    }

    /// The latest reads and exports of personal data within an administrator's scope, newest
    /// first (the administrator's page): of the scope's dossiers, or by the scope's accounts.
    pub fn recent_reads(&self, actor: &Actor, limit: i64) -> AppResult<Vec<ReadEntry>> {
        if !matches!(actor.role, None | Some(domain::roles::Role::Admin)) {
            return Err(AppError::new(
                Code::AdminOnly,
                "chỉ quản trị hệ thống xem nhật ký truy cập dữ liệu cá nhân",
            ));
        }
        let mut params: Vec<Val> = vec![READ.into(), DOCUMENT_READ.into(), EXPORT.into()];
        let scope = match &actor.scope {
            domain::roles::Scope::Everything => String::new(),
            // Administrators only reach here; the nation's scope reads no personal data.
            domain::roles::Scope::Nation => " AND 1 = 0".into(),
            domain::roles::Scope::Province(p) => {
                params.push(p.into());
                " AND (EXISTS (SELECT 1 FROM dossiers d WHERE d.code = l.target AND d.province_code = $4) \
                 OR EXISTS (SELECT 1 FROM users u WHERE u.username = l.actor AND u.province_code = $4))"
                    .into()
            }
            domain::roles::Scope::Commune { commune, .. } => {
                params.push(commune.into());
                " AND (EXISTS (SELECT 1 FROM dossiers d WHERE d.code = l.target AND (d.receiving_unit = $4 OR d.handling_unit = $4)) \
                 OR EXISTS (SELECT 1 FROM users u WHERE u.username = l.actor AND u.unit_code = $4))"
                    .into()
            }
        };
        params.push(Val::Int(limit.clamp(1, 1000)));
        let sql = format!(
            "SELECT at, actor, action, target, ip, detail FROM audit_log l WHERE action IN ($1, $2, $3){scope} ORDER BY at DESC, id DESC LIMIT ${}",
            params.len()
        );
        let rows = self.app.store.read(|c| c.query(&sql, &params))?;
        Ok(rows.iter().map(read_entry).collect::<Result<_, _>>()?)
    }

    /// Erases the personal data of every dossier finished more than `retention` ago: the
    /// applicant's name, ID number, phone and address, the seal's salt and the documents'
    /// bytes; an event seals what is left, so that the chain still verifies.
    pub fn erase_expired(&self, retention: Duration) -> AppResult<ErasureReport> {
        if retention < Duration::days(1) {
            return Err(AppError::new(Code::InvalidRetention, "thời hạn lưu trữ tối thiểu 1 ngày"));
        }
        let mut report = ErasureReport::default();
        loop {
            let cutoff = self.app.now() - retention;
            let now = self.app.now();
            let (erased, documents) = self.app.store.write(move |c| erase_batch(c, cutoff, now))?;
            report.erased += erased.len() as u64;
            for code in &erased {
                self.app.forget(code);
            }
            for sha in documents {
                if self.app.blobs.delete(&sha).is_ok() {
                    report.documents_removed += 1;
                }
            }
            if (erased.len() as i64) < ERASE_BATCH {
                break;
            }
        }
        if report.erased > 0 {
            tracing::info!(
                erased = report.erased,
                documents = report.documents_removed,
                "đã xoá dữ liệu cá nhân hết thời hạn lưu trữ"
            );
        }
        Ok(report)
    }
}

/// A row of `SELECT at, actor, action, target, ip, detail FROM audit_log`, by column name.
fn read_entry(r: &store::Row) -> Result<ReadEntry, store::StoreError> {
    Ok(ReadEntry {
        at: r.col("at")?,
        actor: r.col("actor")?,
        action: r.col("action")?,
        target: r.col("target")?,
        ip: r.col("ip")?,
        detail: r.col("detail")?,
    })
}

/// One batch of erasures, in one transaction, one server at a time. Returns the dossiers
/// erased and the documents no dossier keeping its data still refers to.
fn erase_batch(
    c: &mut dyn Conn,
    cutoff: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    c.lock_until_commit(store::Lock::Retention)?;
    let finals: Vec<String> = [Status::Returned, Status::Refused, Status::Withdrawn, Status::Stopped]
        .iter()
        .map(|s| s.portal_code().to_string())
        .collect();
    let rows = c.query(
        &format!(
            "SELECT {COLUMNS} FROM dossiers WHERE status IN ({}) AND erased_at IS NULL AND writer IS NULL AND updated_at < $1 ORDER BY updated_at LIMIT $2",
            finals.join(", ")
        ),
        &[cutoff.into(), Val::Int(ERASE_BATCH)],
    )?;
    let mut erased = vec![];
    let mut documents = vec![];
    let mut results = vec![];
    for row in &rows {
        let mut rec = DossierRecord::from_row(row)?;
        let events: Vec<_> = load_events(c, &rec.code)?.into_iter().map(|(e, _)| e).collect();
        let Some(mut d) = Dossier::replay(&events) else { continue };
        d.code = rec.code.clone();
        let docs = documents_of(c, &rec.code)?;
        rec.applicant_name = String::new();
        rec.applicant_id_number = None;
        rec.applicant_phone = None;
        rec.address_text = None;
        rec.seal_salt = None;
        let subject = rec.subject_digest(&docs);
        let before = d.events.len();
        if d.erase(now, RETENTION_ACTOR, subject).is_err() {
            continue;
        }
        let (rows, head) = EventRow::chain(&rec.code, &rec.head_hash, &d.events[before..]);
        let updated = c.exec(
            "UPDATE dossiers SET applicant_name = '', applicant_phone = NULL, applicant_id_number = NULL, \
             address_text = NULL, seal_salt = NULL, erased_at = $1, search_key = $2, event_count = $3, head_hash = $4 \
             WHERE code = $5 AND event_count = $6",
            &[
                now.into(),
                rec.code.to_lowercase().into(),
                Val::Int(d.events.len() as i64),
                (&head).into(),
                (&rec.code).into(),
                Val::Int(rec.event_count),
            ],
        )?;
        if updated != 1 {
            continue;
        }
        EventRow::insert_all(&rows, c, &rec.code, &rec.province_code)?;
        erased.push(rec.code.clone());
        documents.extend(docs);
        // A signed result names the applicant: its bytes go; its row (hash, dossier, no
        // personal data) stays, so that a file a citizen kept still finds its history.
        for r in
            c.query("SELECT sha256 FROM signed_results WHERE dossier_code = $1", &[(&rec.code).into()])?
        {
            results.push(r.col::<String>("sha256")?);
        }
    }
    // A document is removed once no dossier that keeps its data refers to it (the same scan
    // filed twice is stored once).
    documents.sort();
    documents.dedup();
    let mut unreferenced = vec![];
    for sha in documents {
        let still = c.query_one(
            "SELECT 1 FROM attachments a JOIN dossiers d ON d.code = a.dossier_code WHERE a.sha256 = $1 AND d.erased_at IS NULL LIMIT 1",
            &[(&sha).into()],
        )?;
        if still.is_none() {
            unreferenced.push(sha);
        }
    }
    unreferenced.extend(results);
    Ok((erased, unreferenced))
}
