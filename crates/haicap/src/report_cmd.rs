//! `haicap report`: a unit's period report (Excel workbook or CSV) and its dossier register, for
//! meetings and the national portal.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use chrono::NaiveDate;
use clap::Args;
use errors::Code;
use std::io::Write;
use std::process::ExitCode;

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Mã tỉnh hoặc xã, phường.
    #[arg(long)]
    unit: String,
    /// Từ ngày (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// Đến ngày (YYYY-MM-DD).
    #[arg(long)]
    to: String,
    /// xlsx (báo cáo kỳ, chỉ số 766, các xã và sổ theo dõi trong một tệp Excel), csv (UTF-8 có
    /// BOM, mở được bằng Excel), json (trạng thái hồ sơ theo trường của Cổng DVCQG) hoặc pdf
    /// (sổ theo dõi hồ sơ, Mẫu 07, PDF/A).
    #[arg(long, default_value = "csv")]
    format: String,
    /// Với csv: register (sổ theo dõi hồ sơ, Mẫu 07) hoặc summary (báo cáo kỳ); với pdf:
    /// register (sổ theo dõi in trên A4 ngang).
    #[arg(long, default_value = "register")]
    kind: String,
    /// Tệp kết quả; mặc định in ra màn hình.
    #[arg(long)]
    output: Option<String>,
}

fn date(name: &str, s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::new(Code::InvalidDate, format!("{name} phải có dạng YYYY-MM-DD (nhận được \"{s}\")"))
    })
}

pub fn run(a: ReportArgs) -> CmdResult {
    let (from, to) = (date("--from", &a.from)?, date("--to", &a.to)?);
    if to < from {
        return Err(CliError::new(Code::InvalidPeriod, "--to phải sau --from"));
    }
    let kind = app::statistics::report::ReportKind::parse(&a.kind)?;
    if a.format == "xlsx" && a.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(CliError::new(Code::OutputRequired, "tệp Excel cần --output TỆP (không in ra màn hình)"));
    }
    let app = a.db.open()?;
    let spec = app::statistics::report::ReportSpec { unit: &a.unit, from, to, format: &a.format, kind };
    let actor = a.db.actor(&app)?;
    let n = match &a.output {
        // Written beside the target and renamed: never half a report under its name.
        Some(path) => {
            let tmp = format!("{path}.tmp{}", std::process::id());
            let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(|e| {
                CliError::new(Code::OutputFailed, format!("không tạo được tệp '{path}': {e}"))
            })?);
            let n = app.statistics().write_report(spec, &actor, &mut f);
            let n = n.and_then(|n| {
                f.flush().map(|_| n).map_err(|e| app::AppError::new(Code::WriteFailed, e.to_string()))
            });
            match n {
                Ok(n) => {
                    std::fs::rename(&tmp, path)?;
                    n
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e.into());
                }
            }
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            app.statistics().write_report(spec, &actor, &mut out)?
        }
    };
    eprintln!("Đã xuất {n} hồ sơ.");
    Ok(ExitCode::SUCCESS)
}
