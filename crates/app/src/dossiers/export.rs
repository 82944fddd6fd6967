//! The dossier register of a unit over a period, for reports: as CSV (UTF-8 with a BOM, so
//! that Excel shows Vietnamese) and as JSON in the national portal's field names.

use crate::dossiers::records::{DossierRecord, COLUMNS};
use crate::{Actor, AppError, AppResult, Dossiers};
use chrono::{NaiveDate, NaiveDateTime};
use errors::Code;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::Write;
use store::{StoreError, Val};

/// The portal's date-time form: `yyyyMMddHHmmss`.
fn portal_time(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.format("%Y%m%d%H%M%S").to_string()))
}

fn vi_time(t: Option<NaiveDateTime>) -> String {
    t.map_or(String::new(), |t| t.format("%d/%m/%Y %H:%M").to_string())
}

pub(crate) use domain::papers::REGISTER_HEADINGS;

/// The most dossiers one PDF register holds (about 25 pages of a commune's month are 400;
/// a province's year belongs in the workbook).
pub const REGISTER_PDF_MAX: usize = 5_000;

fn register_too_long(n: usize) -> AppError {
    AppError::new(
        Code::RegisterTooLong,
        format!(
            "sổ theo dõi có {n} hồ sơ, quá dài cho một tệp PDF (tối đa {REGISTER_PDF_MAX}): dùng xlsx hoặc csv, hoặc chọn kỳ ngắn hơn"
        ),
    )
}

/// A dossier's line of the register, in the order of [`REGISTER_HEADINGS`].
fn register_row(d: &DossierRecord, procedure_name: &str) -> [String; 12] {
    [
        d.code.clone(),
        d.procedure_code.clone(),
        procedure_name.to_string(),
        d.applicant_name.clone(),
        d.channel.label().to_string(),
        d.status.label().to_string(),
        vi_time(d.received_at),
        vi_time(d.due_at),
        vi_time(d.finished_at),
        verdict_label(d.verdict.as_deref()).to_string(),
        d.receiving_unit.clone(),
        d.handling_unit.clone(),
    ]
}

/// A resolution's verdict in the register's words.
pub(crate) fn verdict_label(code: Option<&str>) -> &'static str {
    match code {
        Some("early") => "trước hạn",
        Some("on_time") => "đúng hạn",
        Some("late") => "quá hạn",
        _ => "",
    }
}

/// A dossier in the national portal's field names; `signed`: its result, digitally signed,
/// can be downloaded (KetQuaDienTu 1).
pub fn portal_json(d: &DossierRecord, signed: bool) -> Value {
    json!({
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "MaDonVi": d.receiving_unit,
        "DonViXuLy": d.handling_unit,
        "ChuHoSo": d.applicant_name,
        "SoDienThoai": d.applicant_phone,
        "KenhThucHien": d.channel.portal_code(),
        "TrangThaiHoSo": d.status.portal_code(),
        "NgayDangKy": portal_time(Some(d.registered_at)),
        "NgayTiepNhan": portal_time(d.received_at),
        "NgayHenTra": portal_time(d.due_at),
        "NgayKetThucXuLy": portal_time(d.finished_at),
        "KetQuaDienTu": u8::from(signed),
    })
}

/// The register's unit (trimmed), the column that holds it, and the period as times; refused
/// for a period too long, an unknown unit or one the actor may not see.
fn register_bounds(
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
    actor: &Actor,
) -> AppResult<(String, &'static str, NaiveDateTime, NaiveDateTime)> {
    crate::statistics::figures::check_period(from, to)?;
    let reg = units::registry();
    let unit = unit.trim().to_string();
    let (column, province) = match (reg.commune(&unit), reg.province(&unit)) {
        (Some(c), _) => ("receiving_unit", reg.province_of(c).code),
        (None, Some(p)) => ("province_code", p.code),
        _ => {
            return Err(AppError::new(
                Code::UnknownUnit,
                format!("không có xã, phường hay tỉnh mã \"{unit}\""),
            ))
        }
    };
    if !actor.scope.sees(province, &unit, &unit) {
        return Err(AppError::new(Code::OutOfScope, "tài khoản không xem được đơn vị này"));
    }
    let start = from.and_hms_opt(0, 0, 0).expect("midnight");
    let end = (to + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight");
    Ok((unit, column, start, end))
}

impl Dossiers<'_> {
    /// Refuses a register too long to print as one PDF (Form 07) before a byte is written.
    pub fn check_register_pdf(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
    ) -> AppResult<()> {
        let (unit, column, start, end) = register_bounds(unit, from, to, actor)?;
        let row = self.app.store.read(|c| {
            c.query_one(
                &format!(
                    "SELECT COUNT(*) AS n FROM dossiers WHERE {column} = $1 AND registered_at >= $2 AND registered_at < $3"
                ),
                &[Val::Text(unit.clone()), start.into(), end.into()],
            )
        })?;
        let n = row.map(|r| r.col::<i64>("n")).transpose()?.unwrap_or(0).max(0) as usize;
        if n > REGISTER_PDF_MAX {
            return Err(register_too_long(n));
        }
        Ok(())
    }

    /// Calls `each` for every dossier of `unit` (province or commune) registered in the
    /// period, in code order, a page at a time.
    pub fn register(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
        mut each: impl FnMut(&DossierRecord, bool) -> std::io::Result<()>,
    ) -> AppResult<usize> {
        let (unit, column, start, end) = register_bounds(unit, from, to, actor)?;
        let readable = crate::national::rows_condition(actor);
        let mut after = String::new();
        let mut n = 0;
        loop {
            let rows = self.app.store.read(|c| {
                c.query(
                    &format!(
                        "SELECT {COLUMNS} FROM dossiers WHERE {column} = $1 AND registered_at >= $2 AND registered_at < $3 AND code > $4 AND {readable} ORDER BY code LIMIT 2000"
                    ),
                    &[Val::Text(unit.clone()), start.into(), end.into(), Val::Text(after.clone())],
                )
            })?;
            let Some(last) = rows.last() else { break };
            let first: String = rows[0].col("code")?;
            after = last.col("code")?;
            let signed = self.signed_papers(&first, &after)?;
            for r in &rows {
                // A register is a list: the phone and the ID number masked (the applicant's
                // name is kept, so the export is recorded below).
                let mut d = DossierRecord::from_row(r)?;
                d.mask_personal();
                let has_result = self.result_available(&d, &signed);
                each(&d, has_result).map_err(|e| {
                    AppError::internal(Code::WriteFailed, format!("không ghi được báo cáo: {e}"))
                })?;
                n += 1;
            }
        }
        self.record_read(
            actor,
            crate::dossiers::privacy::EXPORT,
            &format!("báo cáo {unit} {}–{}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y")),
            Some(&format!("{n} hồ sơ, có họ tên người nộp")),
        );
        Ok(n)
    }

    /// The signed papers (but apologies) of the dossiers whose codes lie in `first..=last`, as
    /// (code, paper): one read for a page of dossiers.
    pub(crate) fn signed_papers(&self, first: &str, last: &str) -> AppResult<HashSet<(String, String)>> {
        let rows = self.app.store.read(|c| {
            c.query(
                "SELECT DISTINCT dossier_code, paper FROM signed_results WHERE dossier_code >= $1 AND dossier_code <= $2 AND paper <> 'apology'",
                &[first.into(), last.into()],
            )
        })?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.col::<String>("dossier_code")?, r.col::<String>("paper")?)))
            .collect::<Result<_, StoreError>>()?)
    }

    /// Whether the portal says the dossier's result is available to download (KetQuaDienTu):
    /// signed, and sealed where its result bears the agency's seal; `signed` from
    /// [`Dossiers::signed_papers`].
    pub(crate) fn result_available(&self, d: &DossierRecord, signed: &HashSet<(String, String)>) -> bool {
        let has = |paper: &str| signed.contains(&(d.code.clone(), paper.to_string()));
        d.erased_at.is_none() && (has("sealed_result") || (has("result") && !self.seal_required(d)))
    }

    /// Writes the register as CSV (with a BOM) or JSON lines of portal fields.
    pub fn write_register(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
        format: &str,
        out: &mut dyn Write,
    ) -> AppResult<usize> {
        let io =
            |e: std::io::Error| AppError::internal(Code::WriteFailed, format!("không ghi được báo cáo: {e}"));
        let catalog = self.app.catalog();
        match format {
            "csv" => {
                out.write_all("\u{feff}".as_bytes()).map_err(io)?;
                let mut w = csv::Writer::from_writer(out);
                crate::statistics::spreadsheet::write_row(&mut w, REGISTER_HEADINGS)
                    .map_err(|e| io(e.into()))?;
                let n = self.register(unit, from, to, actor, |d, _| {
                    let name = catalog.get(&d.procedure_code).map_or("", |p| p.name.as_str());
                    crate::statistics::spreadsheet::write_row(&mut w, register_row(d, name))
                        .map_err(std::io::Error::other)
                })?;
                w.flush().map_err(io)?;
                Ok(n)
            }
            "json" => {
                out.write_all(b"[").map_err(io)?;
                let mut first = true;
                let n = self.register(unit, from, to, actor, |d, signed| {
                    if !first {
                        out.write_all(b",\n")?;
                    }
                    first = false;
                    serde_json::to_writer(&mut *out, &portal_json(d, signed)).map_err(std::io::Error::other)
                })?;
                out.write_all(b"]\n").map_err(io)?;
                Ok(n)
            }
            "pdf" => {
                let (mut rows, mut too_long) = (Vec::new(), false);
                let n = self.register(unit, from, to, actor, |d, _| {
                    if rows.len() == REGISTER_PDF_MAX {
                        too_long = true;
                        return Err(std::io::Error::other("sổ theo dõi quá dài"));
                    }
                    let name = catalog.get(&d.procedure_code).map_or("", |p| p.name.as_str());
                    rows.push(register_row(d, name).to_vec());
                    Ok(())
                });
                if too_long {
                    return Err(register_too_long(REGISTER_PDF_MAX + 1));
                }
                let n = n?;
                let reg = units::registry();
                let name = reg.unit_name(unit.trim()).unwrap_or(unit.trim());
                let paper = domain::papers::register(name, from, to, self.app.now(), rows);
                out.write_all(&crate::dossiers::papers::pdf_of(&paper)?).map_err(io)?;
                Ok(n)
            }
            other => Err(AppError::new(
                Code::UnknownFormat,
                format!("định dạng \"{other}\" không có; dùng csv, json hoặc pdf"),
            )),
        }
    }
}
