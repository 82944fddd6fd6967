//! `haicap report`: the dossier register of a unit over a period, for meetings and the portal.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use chrono::NaiveDate;
use clap::Args;
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
    /// csv (UTF-8 có BOM, mở được bằng Excel) hoặc json (trường của Cổng DVCQG).
    #[arg(long, default_value = "csv")]
    format: String,
    /// Tệp kết quả; mặc định in ra màn hình.
    #[arg(long)]
    output: Option<String>,
}

fn date(name: &str, s: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        CliError::new("invalid_date", format!("{name} phải có dạng YYYY-MM-DD (nhận được \"{s}\")"))
    })
}

pub fn run(a: ReportArgs) -> CmdResult {
    let (from, to) = (date("--from", &a.from)?, date("--to", &a.to)?);
    if to < from {
        return Err(CliError::new("invalid_period", "--to phải sau --from"));
    }
    let app = a.db.open()?;
    let actor = a.db.actor(&app)?;
    let n = match &a.output {
        // Written beside the target and renamed: never half a report under its name.
        Some(path) => {
            let tmp = format!("{path}.tmp{}", std::process::id());
            let mut f =
                std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(|e| {
                    CliError::new("output_failed", format!("không tạo được tệp '{path}': {e}"))
                })?);
            let n = app.write_register(&a.unit, from, to, &actor, &a.format, &mut f);
            let n = n.and_then(|n| {
                f.flush().map(|_| n).map_err(|e| app::AppError::invalid("write_failed", e.to_string()))
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
            app.write_register(&a.unit, from, to, &actor, &a.format, &mut out)?
        }
    };
    eprintln!("Đã xuất {n} hồ sơ.");
    Ok(ExitCode::SUCCESS)
}
