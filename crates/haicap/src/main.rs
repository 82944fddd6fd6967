//! The `haicap` command line.

/// `println!` that returns an error instead of panicking when stdout is closed (`| head`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?;
    }};
}

mod address_cmd;
mod calendar_cmd;
mod catalog_cmd;
mod error;
mod lines;
mod units_cmd;

use clap::{Parser, Subcommand};
use error::CliError;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "haicap", version, about = "haicap: nền tảng vận hành chính quyền địa phương hai cấp")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Danh mục đơn vị hành chính hai cấp (2025) và đơn vị cũ.
    Units(units_cmd::UnitsArgs),
    /// Chuyển đổi địa chỉ cũ sang đơn vị hành chính mới.
    Address(address_cmd::AddressArgs),
    /// Âm lịch, ngày làm việc và hạn giải quyết hồ sơ.
    Calendar(calendar_cmd::CalendarArgs),
    /// Danh mục thủ tục hành chính.
    Catalog(catalog_cmd::CatalogArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Units(a) => units_cmd::run(a),
        Command::Address(a) => address_cmd::run(a),
        Command::Calendar(a) => calendar_cmd::run(a),
        Command::Catalog(a) => catalog_cmd::run(a),
    };
    match result {
        Ok(code) => code,
        // A reader that stopped reading (`| head`) is no error.
        Err(e) if e.code == "broken_pipe" => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

pub type CmdResult = Result<ExitCode, CliError>;
