//! The period report for meetings: a unit's figures in the words of the provinces' reports, its
//! service index, its communes (for a province) and the dossier register (Form 07), as an Excel
//! workbook, or the summary alone as CSV (UTF-8 with a BOM, so Excel shows Vietnamese).

use crate::dossiers::export::{verdict_label, REGISTER_HEADINGS};
use crate::statistics::figures::{unit_index, Figures, UnitIndex};
use crate::{Actor, AppError, AppResult, Statistics};
use chrono::NaiveDate;
use errors::Code;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::io::{Seek, Write};

/// Rows of the register on one sheet: Excel's last row (1,048,576) less the headings.
const SHEET_ROWS: u32 = 1_048_575;
/// The register's sheet, and the name its continuations start with (at most 31 characters).
const REGISTER_SHEET: &str = "Sổ theo dõi (Mẫu 07)";

/// What a report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// The figures and the index (and, as a workbook, the communes and the register).
    Summary,
    /// The dossier register (Form 07).
    Register,
}

/// Which report, of which unit and period, in which format (xlsx, csv or json).
#[derive(Clone, Copy, Debug)]
pub struct ReportSpec<'a> {
    pub unit: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub format: &'a str,
    pub kind: ReportKind,
}

impl ReportKind {
    pub fn parse(s: &str) -> AppResult<ReportKind> {
        match s.trim() {
            "summary" | "bao-cao" => Ok(ReportKind::Summary),
            "register" | "so-theo-doi" => Ok(ReportKind::Register),
            other => Err(AppError::new(Code::UnknownReportKind,
                format!("loại báo cáo \"{other}\" không có; dùng summary (báo cáo kỳ) hoặc register (sổ theo dõi)"),
            )),
        }
    }
}

fn pct(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{:.1} %", r * 100.0).replace('.', ","))
}

/// The report's lines: (heading, value), in the order and words of the provinces' reports.
pub fn summary_lines(f: &Figures, ix: Option<&UnitIndex>) -> Vec<(String, String)> {
    let n = |x: i64| vi_text::grouped(x.max(0));
    let mut v: Vec<(String, String)> = vec![
        ("Đơn vị".into(), format!("{} ({})", f.unit_name, f.unit)),
        ("Kỳ báo cáo".into(), format!("từ {} đến {}", f.from.format("%d/%m/%Y"), f.to.format("%d/%m/%Y"))),
        ("Số thủ tục hành chính".into(), vi_text::grouped(f.procedures.total as i64)),
        ("  trong đó cung cấp trực tuyến".into(), vi_text::grouped(f.procedures.online as i64)),
        ("Hồ sơ tiếp nhận".into(), n(f.received.total)),
        ("  trực tuyến".into(), n(f.received.online)),
        ("  trực tiếp".into(), n(f.received.direct)),
        ("  qua bưu chính".into(), n(f.received.postal)),
        ("Hồ sơ đã giải quyết".into(), n(f.resolved.total)),
        ("  trước hạn".into(), n(f.resolved.early)),
        ("  đúng hạn".into(), n(f.resolved.on_time)),
        ("  quá hạn".into(), n(f.resolved.late)),
        ("Hồ sơ đang giải quyết (tại thời điểm lập báo cáo)".into(), n(f.in_progress.total)),
        ("  trong hạn".into(), n(f.in_progress.on_time)),
        ("  quá hạn".into(), n(f.in_progress.overdue)),
        ("  chờ công dân bổ sung, thực hiện nghĩa vụ tài chính".into(), n(f.in_progress.waiting_for_citizen)),
        ("Tỷ lệ hồ sơ trực tuyến".into(), pct(f.online_rate)),
        ("Tỷ lệ giải quyết đúng hạn".into(), pct(f.on_time_rate)),
        ("Lượt yêu cầu bổ sung".into(), n(f.supplement_requests)),
        ("Thư xin lỗi, hẹn lại ngày trả (Mẫu 04)".into(), n(f.apology_letters)),
        ("Hồ sơ không được tiếp nhận".into(), n(f.refused)),
        ("Hồ sơ công dân rút".into(), n(f.withdrawn)),
        ("Hồ sơ dừng xử lý".into(), n(f.stopped)),
        ("Kết quả đã trả".into(), n(f.returned)),
        ("Hồ sơ có thành phần điện tử".into(), n(f.digitised)),
        ("Lượt đánh giá của công dân".into(), n(f.ratings.total)),
        ("  hài lòng, rất hài lòng".into(), n(f.ratings.satisfied)),
    ];
    if let Some(ix) = ix {
        let s = |x: f64| format!("{x:.2}").replace('.', ",");
        v.push((
            format!("Chỉ số phục vụ (QĐ 766/QĐ-TTg), cách tính {}", ix.index.version),
            ix.index.total.map_or("—".into(), |t| format!("{} / 100", s(t))),
        ));
        for g in &ix.index.groups {
            v.push((format!("  {}", g.label), format!("{} / {}", s(g.score), s(g.points))));
        }
    }
    v
}

/// The index of figures already read, under the rules in force on the period's last day.
fn index_of(f: &Figures) -> Option<UnitIndex> {
    domain::service_index::rules_in(domain::service_index::VERSIONS, f.to).map(|r| unit_index(f.clone(), r))
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::internal(Code::WriteFailed, format!("không tạo được tệp Excel: {e}"))
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::internal(Code::WriteFailed, format!("không ghi được báo cáo: {e}"))
}

fn headings(ws: &mut Worksheet, bold: &Format, titles: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    for (i, (t, w)) in titles.iter().zip(widths).enumerate() {
        ws.write_string_with_format(0, i as u16, *t, bold)?;
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

impl Statistics<'_> {
    /// What a report asked for must be before a byte of it is written: a known format, a
    /// period of at most a year, a unit the actor may see. (The web layer streams the file
    /// once this holds, so that its failures are answers, not truncated files.)
    pub fn check_report(&self, spec: &ReportSpec, actor: &Actor) -> AppResult<()> {
        crate::statistics::figures::check_period(spec.from, spec.to)?;
        if !matches!(spec.format, "xlsx" | "csv" | "json" | "pdf") {
            return Err(AppError::new(
                Code::UnknownFormat,
                format!("định dạng \"{}\" không có; dùng xlsx, csv, json hoặc pdf", spec.format),
            ));
        }
        // The printed register (Form 07) is a paper; the period's summary is a spreadsheet.
        if spec.format == "pdf" && spec.kind != ReportKind::Register {
            return Err(AppError::new(
                Code::UnknownFormat,
                "định dạng pdf chỉ có cho sổ theo dõi hồ sơ (Mẫu 07, kind=register)",
            ));
        }
        // The unit and the actor's right to see it, as every statistic checks them.
        crate::statistics::figures::stats_unit(spec.unit, spec.from, spec.to, actor)?;
        if spec.unit.trim() == domain::roles::NATION && spec.kind == ReportKind::Register {
            return Err(AppError::new(
                Code::UnknownUnit,
                "sổ theo dõi hồ sơ lập cho từng tỉnh, xã; toàn quốc có báo cáo tổng hợp",
            ));
        }
        if spec.format == "pdf" {
            self.app.dossiers().check_register_pdf(spec.unit, spec.from, spec.to, actor)?;
        }
        Ok(())
    }

    /// Writes the period report of `unit` over `from..=to`: `xlsx` (summary, communes and the
    /// register in one workbook) or `csv` (the summary, or the register with `Register`).
    /// Returns the number of dossiers in the register written (0 for a CSV summary).
    pub fn write_report(&self, spec: ReportSpec, actor: &Actor, out: &mut dyn Write) -> AppResult<usize> {
        self.check_report(&spec, actor)?;
        let ReportSpec { unit, from, to, format, kind } = spec;
        match (format, kind) {
            ("xlsx", _) => self.write_workbook(unit, from, to, actor, out, SHEET_ROWS),
            ("csv", ReportKind::Summary) => {
                let f = self.figures(unit, from, to, actor)?;
                let ix = index_of(&f);
                out.write_all("\u{feff}".as_bytes()).map_err(io_error)?;
                let mut w = csv::Writer::from_writer(out);
                crate::statistics::spreadsheet::write_row(&mut w, ["Chỉ tiêu", "Số liệu"])
                    .map_err(|e| io_error(e.into()))?;
                for (k, v) in summary_lines(&f, ix.as_ref()) {
                    crate::statistics::spreadsheet::write_row(&mut w, [k.as_str(), v.as_str()])
                        .map_err(|e| io_error(e.into()))?;
                }
                w.flush().map_err(io_error)?;
                Ok(0)
            }
            (format, _) => self.app.dossiers().write_register(unit, from, to, actor, format, out),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn write_workbook(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
        out: &mut dyn Write,
        sheet_rows: u32,
    ) -> AppResult<usize> {
        let f = self.figures(unit, from, to, actor)?;
        let ix = index_of(&f);
        let nation = f.unit == domain::roles::NATION;
        let communes = if nation || domain::roles::is_province(&f.unit) {
            self.units_below(&f.unit, from, to, actor)?
        } else {
            vec![]
        };
        let catalog = self.app.catalog();
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let title = Format::new().set_bold().set_font_size(14);
        let when = Format::new().set_num_format("dd/mm/yyyy hh:mm");
        let percent = Format::new().set_num_format("0.0%");

        let ws = wb.add_worksheet().set_name("Báo cáo kỳ").map_err(xlsx_error)?;
        ws.write_string_with_format(
            0,
            0,
            format!("BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH - {}", f.unit_name),
            &title,
        )
        .map_err(xlsx_error)?;
        ws.set_column_width(0, 60).map_err(xlsx_error)?;
        ws.set_column_width(1, 24).map_err(xlsx_error)?;
        for (i, (k, v)) in summary_lines(&f, ix.as_ref()).iter().enumerate() {
            ws.write_string(i as u32 + 2, 0, k).map_err(xlsx_error)?;
            ws.write_string(i as u32 + 2, 1, v).map_err(xlsx_error)?;
        }
        if let Some(ix) = &ix {
            let ws = wb.add_worksheet().set_name("Chỉ số 766").map_err(xlsx_error)?;
            headings(
                ws,
                &bold,
                &["Mã", "Chỉ số", "Nhóm", "Công thức", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm tối đa", "Điểm"],
                &[6.0, 40.0, 28.0, 70.0, 10.0, 10.0, 10.0, 12.0, 10.0],
            )
            .map_err(xlsx_error)?;
            for (i, x) in ix.index.indicators.iter().enumerate() {
                let r = i as u32 + 1;
                let group = ix.index.groups.iter().find(|g| g.group == x.group).map_or("", |g| g.label);
                ws.write_string(r, 0, x.code).map_err(xlsx_error)?;
                ws.write_string(r, 1, x.name).map_err(xlsx_error)?;
                ws.write_string(r, 2, group).map_err(xlsx_error)?;
                ws.write_string(r, 3, x.formula).map_err(xlsx_error)?;
                ws.write_number(r, 4, x.numerator as f64).map_err(xlsx_error)?;
                ws.write_number(r, 5, x.denominator as f64).map_err(xlsx_error)?;
                if let Some(rate) = x.rate {
                    ws.write_number_with_format(r, 6, rate, &percent).map_err(xlsx_error)?;
                }
                ws.write_number(r, 7, x.points).map_err(xlsx_error)?;
                if let Some(s) = x.score {
                    ws.write_number(r, 8, s).map_err(xlsx_error)?;
                }
            }
        }
        if !communes.is_empty() {
            let (sheet, column) = if nation {
                ("Theo tỉnh, thành phố", "Tỉnh, thành phố")
            } else {
                ("Theo xã, phường", "Xã, phường")
            };
            let ws = wb.add_worksheet().set_name(sheet).map_err(xlsx_error)?;
            headings(
                ws,
                &bold,
                &[
                    "Mã",
                    column,
                    "Chỉ số 766",
                    "Tiếp nhận",
                    "Trực tuyến",
                    "Đã giải quyết",
                    "Giải quyết quá hạn",
                    "Tỷ lệ đúng hạn",
                    "Đang mở",
                    "Đang quá hạn",
                ],
                &[8.0, 28.0, 12.0, 12.0, 12.0, 14.0, 18.0, 14.0, 10.0, 14.0],
            )
            .map_err(xlsx_error)?;
            for (i, l) in communes.iter().enumerate() {
                let r = i as u32 + 1;
                ws.write_string(r, 0, &l.code).map_err(xlsx_error)?;
                ws.write_string(r, 1, &l.name).map_err(xlsx_error)?;
                if let Some(x) = l.index {
                    ws.write_number(r, 2, x).map_err(xlsx_error)?;
                }
                for (c, v) in [(3, l.received), (4, l.online), (5, l.resolved), (6, l.late)] {
                    ws.write_number(r, c, v as f64).map_err(xlsx_error)?;
                }
                if let Some(x) = l.on_time_rate {
                    ws.write_number_with_format(r, 7, x, &percent).map_err(xlsx_error)?;
                }
                ws.write_number(r, 8, l.open as f64).map_err(xlsx_error)?;
                ws.write_number(r, 9, l.overdue as f64).map_err(xlsx_error)?;
            }
        }
        // The register can be long: rows go to temporary files as they come, not to memory,
        // and continue on further sheets past a sheet's last row.
        let widths = [22.0, 12.0, 50.0, 24.0, 12.0, 20.0, 17.0, 17.0, 17.0, 12.0, 12.0, 12.0];
        let register_sheet = |wb: &mut Workbook, part: u32| -> Result<usize, XlsxError> {
            let ws = wb.add_worksheet_with_constant_memory()?;
            ws.set_name(if part == 1 {
                REGISTER_SHEET.to_string()
            } else {
                format!("{REGISTER_SHEET} ({part})")
            })?;
            headings(ws, &bold, &REGISTER_HEADINGS, &widths)?;
            Ok(wb.worksheets().len() - 1)
        };
        // The nation's register is its provinces' (millions of rows): asked province by province.
        if nation {
            return finish(wb, out).map(|_| 0);
        }
        let mut part = 1;
        let mut sheet = register_sheet(&mut wb, part).map_err(xlsx_error)?;
        let mut row = 0u32;
        let n = self.app.dossiers().register(unit, from, to, actor, |d, _| {
            if row == sheet_rows {
                part += 1;
                sheet = register_sheet(&mut wb, part).map_err(std::io::Error::other)?;
                row = 0;
            }
            row += 1;
            let name = catalog.get(&d.procedure_code).map_or("", |p| p.name.as_str());
            let put = |ws: &mut Worksheet| -> Result<(), XlsxError> {
                ws.write_string(row, 0, &d.code)?;
                ws.write_string(row, 1, &d.procedure_code)?;
                ws.write_string(row, 2, name)?;
                ws.write_string(row, 3, &d.applicant_name)?;
                ws.write_string(row, 4, d.channel.label())?;
                ws.write_string(row, 5, d.status.label())?;
                for (c, t) in [(6, d.received_at), (7, d.due_at), (8, d.finished_at)] {
                    if let Some(t) = t {
                        ws.write_datetime_with_format(row, c, t, &when)?;
                    }
                }
                ws.write_string(row, 9, verdict_label(d.verdict.as_deref()))?;
                ws.write_string(row, 10, &d.receiving_unit)?;
                ws.write_string(row, 11, &d.handling_unit)?;
                Ok(())
            };
            let ws = wb.worksheet_from_index(sheet).map_err(std::io::Error::other)?;
            put(ws).map_err(std::io::Error::other)
        })?;
        finish(wb, out)?;
        Ok(n)
    }
}

/// Writes the workbook out, assembled in a temporary file, not in memory: a workbook of a
/// million rows is tens of megabytes.
fn finish(mut wb: Workbook, out: &mut dyn Write) -> AppResult<()> {
    let mut file = tempfile::tempfile().map_err(io_error)?;
    wb.save_to_writer(&mut file).map_err(xlsx_error)?;
    file.seek(std::io::SeekFrom::Start(0)).map_err(io_error)?;
    std::io::copy(&mut file, out).map_err(io_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Applicant, IntakeRequest};
    use calamine::{Reader, Xlsx};
    use domain::Channel;

    #[test]
    fn a_register_longer_than_a_sheet_goes_on_over_further_sheets_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
        let day = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let now = day.and_hms_opt(9, 0, 0).unwrap();
        let app = crate::App::open(&url, calendar::WorkCalendar::default(), std::sync::Arc::new(move || now))
            .unwrap();
        let console = Actor::console("test");
        for i in 0..23 {
            let req = IntakeRequest {
                procedure_code: "1.004873".into(),
                channel: Channel::Direct,
                commune_code: Some("20242".into()),
                applicant: Applicant { full_name: format!("Người {i}"), ..Applicant::default() },
            };
            app.dossiers().receive(&req, &console).unwrap();
        }
        let mut buf = vec![];
        // Ten rows a sheet stand for Excel's million.
        let n = app.statistics().write_workbook("48", day, day, &console, &mut buf, 10).unwrap();
        assert_eq!(n, 23);
        let mut book = Xlsx::new(std::io::Cursor::new(buf)).unwrap();
        let names = book.sheet_names();
        let parts: Vec<&String> = names.iter().filter(|n| n.starts_with(REGISTER_SHEET)).collect();
        assert_eq!(
            parts,
            [REGISTER_SHEET.to_string(), format!("{REGISTER_SHEET} (2)"), format!("{REGISTER_SHEET} (3)")]
                .iter()
                .collect::<Vec<_>>()
        );
        let mut codes = vec![];
        for (i, name) in parts.iter().enumerate() {
            let range = book.worksheet_range(name).unwrap();
            let rows: Vec<_> = range.rows().collect();
            assert_eq!(rows[0][0].to_string(), REGISTER_HEADINGS[0], "each sheet has its headings");
            assert_eq!(rows.len() - 1, [10, 10, 3][i]);
            codes.extend(rows.iter().skip(1).map(|r| r[0].to_string()));
        }
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted, "every dossier once, in code order across the sheets");
        assert_eq!(codes.len(), 23);
    }
}
