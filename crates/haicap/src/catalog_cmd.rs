//! `haicap catalog`: the procedure catalog shipped with the binary, and checks of a
//! province's own catalog file.

use crate::error::CliError;
use crate::CmdResult;
use clap::{Args, Subcommand};
use domain::catalog::{Catalog, Confidence, LimitSource, Procedure};
use domain::national::{self, Format};
use domain::Channel;
use errors::Code;
use std::process::ExitCode;

#[derive(Args)]
pub struct CatalogArgs {
    #[command(flatten)]
    db: crate::db::DbArgs,
    #[command(subcommand)]
    cmd: CatalogCmd,
}

#[derive(Subcommand)]
enum CatalogCmd {
    /// Danh sách thủ tục (lọc theo tên, mã, lĩnh vực hoặc cách gọi thông thường).
    List {
        #[arg(long)]
        q: Option<String>,
    },
    /// Chi tiết một thủ tục; thông tin có độ tin cậy thấp được ghi rõ.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
        /// Kèm quy định riêng của tỉnh (phí, ủy quyền, không phụ thuộc địa giới).
        #[arg(long)]
        province: Option<String>,
    },
    /// Kiểm tra một tệp danh mục (cùng định dạng data/catalog/procedures.json, hoặc bản ghi Cổng
    /// DVCQG, bản xuất chi tiết thủ tục): đọc được gì, chỗ nào chưa chắc chắn.
    Check { file: String },
    /// Nạp danh mục vào cơ sở dữ liệu: thủ tục mới được thêm, thủ tục thay đổi có phiên bản mới.
    Import { file: String },
    /// Nạp danh sách thủ tục một xã, phường cung cấp (thay danh sách trước): tiếp nhận và trợ lý
    /// đưa các thủ tục này lên trước cho xã đó.
    Offers {
        file: String,
        /// Mã xã, phường.
        #[arg(long)]
        commune: String,
    },
}

fn confidence_note(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "",
        Confidence::Medium => " (độ tin cậy: trung bình)",
        Confidence::Low => " (độ tin cậy: THẤP, cần đối chiếu)",
        Confidence::NotApplicable | Confidence::Unknown => " (chưa xác minh)",
    }
}

fn matches(p: &Procedure, q: &str) -> bool {
    let q = vi_text::fold(q);
    let hay = [p.code.as_str(), p.name.as_str(), p.field.as_deref().unwrap_or("")]
        .into_iter()
        .chain(p.aliases.iter().map(String::as_str));
    hay.into_iter().any(|h| vi_text::fold(h).contains(&q))
}

/// What a file of national records holds, read as the import reads it.
fn check_records(text: &str, format: Format) -> CmdResult {
    let mut records = vec![];
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let r = match format {
            Format::Portal => national::portal_record(line),
            _ => national::structured_record(line),
        };
        records
            .push(r.map_err(|e| CliError::new(Code::InvalidProcedure, format!("dòng {}: {}", i + 1, e.0)))?);
    }
    let offers: Vec<&national::Offer> = records.iter().flat_map(|r| &r.offers).collect();
    let timed = offers.iter().filter(|o| o.limit.is_some()).count();
    let with_unit = offers.iter().filter(|o| o.limit.as_ref().is_some_and(|l| l.unit.is_some())).count();
    let free = offers.iter().filter(|o| o.fee.free).count();
    let priced = offers.iter().filter(|o| !o.fee.amounts.is_empty()).count();
    let elsewhere = offers.iter().filter(|o| o.fee.set_elsewhere && o.fee.amounts.is_empty()).count();
    let mut doubts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &records {
        for (field, _) in &r.doubts {
            *doubts.entry(field.as_str()).or_default() += 1;
        }
    }
    outln!(
        "{} bản ghi ({}); {} hình thức nộp: {} có thời hạn, {} có cả đơn vị; phí: {} miễn, {} có số tiền, {} theo quy định, {} chưa có thông tin.",
        records.len(),
        national::origin_label(format, records.iter().map(|r| r.source.as_str())),
        offers.len(),
        timed,
        with_unit,
        free,
        priced,
        elsewhere,
        offers.iter().filter(|o| o.fee.unstated()).count()
    );
    outln!(
        "{} giấy tờ; {} văn bản pháp lý; {} bản ghi có thông tin chưa chắc chắn.",
        records.iter().map(|r| r.documents.len()).sum::<usize>(),
        records.iter().map(|r| r.legal.len()).sum::<usize>(),
        records.iter().filter(|r| !r.doubts.is_empty()).count()
    );
    for (field, n) in doubts {
        outln!("  chưa chắc chắn: {field}: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(a: CatalogArgs) -> CmdResult {
    match a.cmd {
        CatalogCmd::List { q } => {
            let c = a.db.open()?.catalog();
            let mut n = 0;
            for p in c.procedures.iter().filter(|p| q.as_deref().is_none_or(|q| matches(p, q))) {
                outln!("{}\t{}\t{}", p.code, p.name, p.field.as_deref().unwrap_or(""));
                n += 1;
            }
            if n == 0 {
                eprintln!("Không có thủ tục nào khớp.");
                return Ok(ExitCode::from(1));
            }
        }
        CatalogCmd::Show { code, json, province } => {
            let app = a.db.open()?;
            let c = app.catalog();
            let p = c.get(&code).ok_or_else(|| {
                CliError::new(Code::UnknownProcedure, format!("không có thủ tục mã '{code}' trong danh mục"))
            })?;
            if json {
                outln!("{}", serde_json::to_string_pretty(p).expect("serialize"));
                return Ok(ExitCode::SUCCESS);
            }
            outln!("{} — {}", p.code, p.name);
            if let Some(f) = &p.field {
                outln!("Lĩnh vực: {f}");
            }
            if let Some(a) = &p.authority {
                outln!("Cơ quan giải quyết: {a}{}", confidence_note(p.confidence("competent_authority")));
            }
            if let Some(r) = &p.result {
                outln!("Kết quả: {r}");
            }
            outln!("Thời hạn: {}{}", p.time_summary, confidence_note(p.confidence("processing_time")));
            for t in &p.channel_terms {
                let how = match (t.terms, t.source) {
                    (Some(x), LimitSource::Portal) => format!("{}", x.limit),
                    (Some(x), _) => {
                        format!("{} (bổ sung từ quy định; Cổng ghi \"{}\")", x.limit, t.published)
                    }
                    (None, _) => {
                        format!("chưa rõ đơn vị (Cổng ghi \"{}\"), cần quản trị viên bổ sung", t.published)
                    }
                };
                let cutoff = t.terms.and_then(|x| x.cutoff).map_or(String::new(), |c| {
                    format!(", nhận sau {} thì tính từ ngày làm việc tiếp theo", c.format("%H:%M"))
                });
                outln!("  {}: {how}{cutoff}", t.channel.label());
            }
            let channels: Vec<&str> =
                [(p.direct, Channel::Direct), (p.online, Channel::Online), (p.postal, Channel::Postal)]
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, c)| c.label())
                    .collect();
            outln!("Hình thức nộp: {}", channels.join(", "));
            outln!("Phí, lệ phí: {}{}", p.fee_summary, confidence_note(p.confidence("fee")));
            if !p.documents.is_empty() {
                outln!("Thành phần hồ sơ:");
                for d in &p.documents {
                    outln!("  - {d}");
                }
            }
            if !p.legal_basis.is_empty() {
                outln!("Căn cứ pháp lý: {}", p.legal_basis.join("; "));
            }
            if let Some(u) = &p.portal_url {
                outln!("Cổng Dịch vụ công quốc gia: {u}");
            }
            if let Some(province) = province {
                let s = app.province_settings(&province)?;
                match s.rules.iter().find(|r| r.procedure_code == p.code) {
                    None => outln!("Tỉnh {}: không có quy định riêng.", s.province_code),
                    Some(r) => outln!(
                        "Tỉnh {}: ủy quyền cấp xã: {}; tiếp nhận không phụ thuộc địa giới: {}; phí của tỉnh: {}",
                        s.province_code,
                        if r.delegated_to_commune { "có" } else { "không" },
                        if r.boundary_free { "có" } else { "không" },
                        r.fee_vnd.map_or("theo danh mục".into(), |f| format!("{f} đồng"))
                    ),
                }
            }
        }
        CatalogCmd::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                CliError::new(Code::InputNotFound, format!("không đọc được tệp '{file}': {e}"))
            })?;
            let started = std::time::Instant::now();
            let r = a.db.open()?.import_catalog(&text)?;
            let what = match r.format {
                "portal" => "bản ghi Cổng Dịch vụ công quốc gia",
                "structured" => "bản xuất chi tiết thủ tục",
                _ => "danh mục",
            };
            for c in &r.changes {
                outln!("  {} đổi: {}", c.code, c.fields.join(", "));
            }
            outln!(
                "Đã nạp {what}: {} thủ tục mới, {} thủ tục có phiên bản mới, {} không đổi; {} bản ghi có thông tin chưa chắc chắn (ghi độ tin cậy thấp). Mất {:.1} giây.",
                r.added,
                r.updated,
                r.unchanged,
                r.doubtful,
                started.elapsed().as_secs_f64()
            );
        }
        CatalogCmd::Offers { file, commune } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                CliError::new(Code::InputNotFound, format!("không đọc được tệp '{file}': {e}"))
            })?;
            let r = a.db.open()?.import_offers(&commune, &text)?;
            for name in &r.unresolved {
                outln!("  không tìm thấy trong danh mục: {name}");
            }
            outln!(
                "Đã nạp danh sách của xã {}: {} dòng, {} thủ tục ({} có trong danh mục, {} tìm theo tên), {} không xác định được.",
                r.commune_code,
                r.listed,
                r.offered,
                r.in_catalog,
                r.by_name,
                r.unresolved.len()
            );
        }
        CatalogCmd::Check { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                CliError::new(Code::InputNotFound, format!("không đọc được tệp '{file}': {e}"))
            })?;
            if let Some(format @ (Format::Portal | Format::Structured)) = Format::detect(&text) {
                return check_records(&text, format);
            }
            let c = Catalog::parse(&text).map_err(|e| CliError::new(e.code, e.message))?;
            let terms: Vec<_> = c.procedures.iter().flat_map(|p| &p.channel_terms).collect();
            let completed = terms.iter().filter(|t| t.source == LimitSource::Summary).count();
            let unknown = terms.iter().filter(|t| t.source == LimitSource::Unknown).count();
            outln!(
                "Danh mục hợp lệ: {} thủ tục; thời hạn theo hình thức nộp: {} đọc được từ Cổng, {} bổ sung từ quy định, {} chưa rõ đơn vị.",
                c.procedures.len(),
                terms.len() - completed - unknown,
                completed,
                unknown
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
