//! `haicap db copy`: moves a province's SQLite file into PostgreSQL when it outgrows one file.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use clap::{Args, Subcommand};
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
}

pub fn run(a: DatabaseArgs) -> CmdResult {
    match a.command {
        DatabaseCommand::Copy { db, to } => copy(&db, &to),
    }
}

fn copy(db: &DbArgs, to: &str) -> CmdResult {
    let DbUrl::Sqlite(from) = db.url()? else {
        return Err(CliError::new("unsupported_copy", "nguồn phải là một tệp SQLite (--db sqlite://…)"));
    };
    let DbUrl::Postgres(to) = DbUrl::parse(to)? else {
        return Err(CliError::new("unsupported_copy", "đích phải là PostgreSQL (--to postgres://…)"));
    };
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut progress = |table: &str, rows: u64| {
        let line = format!("{table}: {rows} dòng · {:.0} s", started.elapsed().as_secs_f64());
        if tty {
            eprint!("\r{line}          ");
        } else {
            eprintln!("{line}");
        }
    };
    let report = store::copy::sqlite_to_postgres(&from, &to, &mut progress)?;
    if tty {
        eprintln!();
    }
    let tables: Vec<String> = report.tables.iter().map(|(t, n)| format!("\"{t}\":{n}")).collect();
    outln!(
        "{{\"tables\":{{{}}},\"rows\":{},\"seconds\":{:.1}}}",
        tables.join(","),
        report.rows(),
        started.elapsed().as_secs_f64()
    );
    if !report.skipped.is_empty() {
        eprintln!("không chép (chỉ mục tìm kiếm riêng của SQLite): {}", report.skipped.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
