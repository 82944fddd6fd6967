//! The `haicap` command line.

/// `println!` that returns an error instead of panicking when stdout is closed (`| head`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?;
    }};
}

mod address_cmd;
mod admin_cmd;
mod assistant_cmd;
mod bench_catalog;
mod bench_catchup;
mod bench_cmd;
mod bench_coordination;
mod bench_dashboard;
mod calendar_cmd;
mod catalog_cmd;
mod database_cmd;
mod db;
mod dossier_cmd;
mod error;
mod lines;
mod link;
mod national_feed;
mod node_cmd;
mod node_sync;
mod report_cmd;
mod serve_cmd;
mod signing_cmd;
mod simulate_cmd;
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
    /// Hồ sơ thủ tục hành chính: tiếp nhận, xử lý, tra cứu.
    Dossier(dossier_cmd::DossierArgs),
    /// Tài khoản người dùng.
    User(admin_cmd::UserArgs),
    /// Cấu hình riêng của tỉnh: mẫu mã hồ sơ, ủy quyền, phí, tiếp nhận không phụ thuộc địa giới.
    Province(admin_cmd::ProvinceArgs),
    /// Kiểm tra tính toàn vẹn của lịch sử hồ sơ.
    Audit(admin_cmd::AuditArgs),
    /// Đo hiệu năng tầng ứng dụng trên cơ sở dữ liệu thật.
    Bench(bench_cmd::BenchArgs),
    /// Chạy ứng dụng web và API (mặc định http://127.0.0.1:8080).
    Serve(Box<serve_cmd::ServeArgs>),
    /// Xuất sổ theo dõi hồ sơ của một đơn vị trong một khoảng thời gian (CSV, JSON theo Cổng DVCQG).
    Report(report_cmd::ReportArgs),
    /// Chạy thử một tỉnh: hồ sơ đến và được xử lý như thật, qua chính các dịch vụ của hệ thống.
    Simulate(simulate_cmd::SimulateArgs),
    /// Trợ lý số: hỏi đáp về thủ tục, đo độ chính xác, dựng lại chỉ mục.
    Assistant(assistant_cmd::AssistantArgs),
    /// Cơ sở dữ liệu: chép từ SQLite sang PostgreSQL.
    Db(database_cmd::DatabaseArgs),
    /// Khoá ký số của lãnh đạo trong thiết bị ký số (PKCS#11): tạo, đăng ký, liệt kê.
    Signing(signing_cmd::SigningCmd),
    /// Máy trạm của xã, phường (làm việc cả khi mất kết nối, đồng bộ lên tỉnh): cấp, thu hồi,
    /// liệt kê.
    Node(node_cmd::NodeCmd),
    /// Xác minh tệp PDF đã ký số: người ký, thời điểm, tính toàn vẹn, chuỗi tin cậy, lịch sử hồ sơ.
    VerifyPdf(signing_cmd::VerifyArgs),
    /// Bảng mã lỗi (Markdown, nội dung của docs/errors.md).
    Errors,
    /// Mô tả API (OpenAPI 3.1, JSON), sinh từ mã nguồn: như /api/openapi.json.
    Openapi,
}

/// Writes `text` to the standard output; a closed pipe (`| head`) is an error, not a panic.
fn print_out(text: &str) -> Result<ExitCode, error::CliError> {
    use std::io::Write;
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Units(a) => units_cmd::run(a),
        Command::Db(a) => database_cmd::run(a),
        Command::Errors => print_out(&errors::markdown()),
        Command::Openapi => match serde_json::to_string_pretty(&web::api_description()) {
            Ok(json) => print_out(&(json + "\n")),
            Err(e) => Err(error::CliError::new(errors::Code::Internal, e.to_string())),
        },
        Command::Address(a) => address_cmd::run(a),
        Command::Calendar(a) => calendar_cmd::run(a),
        Command::Catalog(a) => catalog_cmd::run(a),
        Command::Dossier(a) => dossier_cmd::run(a),
        Command::User(a) => admin_cmd::run_user(a),
        Command::Province(a) => admin_cmd::run_province(a),
        Command::Audit(a) => admin_cmd::run_audit(a),
        Command::Bench(a) => bench_cmd::run(a),
        Command::Serve(a) => serve_cmd::run(*a),
        Command::Simulate(a) => simulate_cmd::run(a),
        Command::Assistant(a) => assistant_cmd::run(a),
        Command::Report(a) => report_cmd::run(a),
        Command::Signing(a) => signing_cmd::run(a),
        Command::Node(a) => node_cmd::run(a),
        Command::VerifyPdf(a) => signing_cmd::run_verify(a),
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
