//! `haicap db copy`: moves a province's SQLite file into PostgreSQL when it outgrows one file.
//! `haicap db backup` and `haicap db restore`: a whole deployment, documents included, into
//! one file and back, into an empty database of either kind.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use clap::{Args, Subcommand};
use errors::Code;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;
use store::DbUrl;

#[derive(Args)]
pub struct DatabaseArgs {
    #[command(subcommand)]
    command: DatabaseCommand,
}

#[derive(Subcommand)]
enum DatabaseCommand {
    /// Chép toàn bộ dữ liệu từ tệp SQLite (--db) sang một cơ sở dữ liệu PostgreSQL trống.
    Copy {
        #[command(flatten)]
        db: DbArgs,
        /// Cơ sở dữ liệu PostgreSQL đích (postgres://…), phải trống.
        #[arg(long)]
        to: String,
    },
    /// Sao lưu toàn bộ cơ sở dữ liệu (--db) và các tệp đính kèm vào một tệp mới, khi đang phục vụ.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// Tệp sao lưu sẽ tạo (chưa được có).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Khôi phục một tệp sao lưu vào cơ sở dữ liệu trống (--db: sqlite://… hoặc postgres://…).
    Restore {
        /// Tệp sao lưu.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn run(a: DatabaseArgs) -> CmdResult {
    match a.command {
        DatabaseCommand::Copy { db, to } => copy(&db, &to),
        DatabaseCommand::Backup { db, to } => backup(&db, &to),
        DatabaseCommand::Restore { file, db } => restore(&file, &db),
    }
}

/// Progress on stderr: one line rewritten on a terminal, a line per step otherwise.
fn progress_printer() -> impl FnMut(&str, u64) {
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    move |table: &str, rows: u64| {
        let line = format!("{table}: {rows} dòng · {:.0} s", started.elapsed().as_secs_f64());
        if tty {
            eprint!("\r{line}          ");
        } else {
            eprintln!("{line}");
        }
    }
}

/// Ends the progress line on a terminal, before the result.
fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}

fn tables_json(tables: &[(String, u64)]) -> String {
    tables.iter().map(|(t, n)| format!("\"{t}\":{n}")).collect::<Vec<_>>().join(",")
}

fn backup(db: &DbArgs, to: &std::path::Path) -> CmdResult {
    let app = db.open()?;
    let started = Instant::now();
    let report = app.backup(to, &mut progress_printer())?;
    end_progress();
    outln!(
        "{{\"file\":{},\"tables\":{{{}}},\"rows\":{},\"documents\":{},\"missing_documents\":{},\"seconds\":{:.1}}}",
        serde_json::to_string(&to.display().to_string()).unwrap_or_default(),
        tables_json(&report.tables),
        report.rows(),
        report.documents,
        report.missing.len(),
        started.elapsed().as_secs_f64()
    );
    if !report.missing.is_empty() {
        eprintln!(
            "cảnh báo: {} tệp đính kèm được hồ sơ nhắc đến nhưng không có trong kho tệp (đã mất trước khi sao lưu): {}",
            report.missing.len(),
            report.missing.join(", ")
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn restore(file: &std::path::Path, db: &DbArgs) -> CmdResult {
    let started = Instant::now();
    let url = db.url()?;
    let tables = app::backup::restore_tables(file, &url, &mut progress_printer())?;
    end_progress();
    // Opened as the server would open it: the documents go to its blob store.
    let app = db.open()?;
    let documents = app.restore_documents(file)?;
    let rows: u64 = tables.iter().map(|(_, n)| n).sum();
    outln!(
        "{{\"tables\":{{{}}},\"rows\":{rows},\"documents\":{documents},\"seconds\":{:.1}}}",
        tables_json(&tables),
        started.elapsed().as_secs_f64()
    );
    eprintln!("Đã khôi phục. Kiểm tra lịch sử hồ sơ: haicap audit verify --db {url}");
    Ok(ExitCode::SUCCESS)
}

fn copy(db: &DbArgs, to: &str) -> CmdResult {
    let DbUrl::Sqlite(from) = db.url()? else {
        return Err(CliError::new(Code::UnsupportedCopy, "nguồn phải là một tệp SQLite (--db sqlite://…)"));
    };
    let DbUrl::Postgres(to) = DbUrl::parse(to)? else {
        return Err(CliError::new(Code::UnsupportedCopy, "đích phải là PostgreSQL (--to postgres://…)"));
    };
    let started = Instant::now();
    let report = store::copy::sqlite_to_postgres(&from, &to, &mut progress_printer())?;
    end_progress();
    outln!(
        "{{\"tables\":{{{}}},\"rows\":{},\"seconds\":{:.1}}}",
        tables_json(&report.tables),
        report.rows(),
        started.elapsed().as_secs_f64()
    );
    if !report.skipped.is_empty() {
        eprintln!("không chép (chỉ mục tìm kiếm riêng của SQLite): {}", report.skipped.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
