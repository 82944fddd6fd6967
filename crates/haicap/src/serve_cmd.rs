//! `haicap serve`: the web app and the API.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use clap::Args;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Địa chỉ lắng nghe.
    #[arg(long, env = "HAICAP_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Nạp dữ liệu mẫu (Đà Nẵng, Huế) vào cơ sở dữ liệu chưa có tài khoản nào.
    #[arg(long)]
    demo: bool,
    /// Đánh dấu cookie Secure (khi chạy sau https).
    #[arg(long, env = "HAICAP_SECURE_COOKIES")]
    secure_cookies: bool,
}

pub fn run(a: ServeArgs) -> CmdResult {
    if a.demo {
        let data = std::env::var("HAICAP_CALENDAR_DATA").ok();
        let hours = std::env::var("HAICAP_OFFICE_HOURS").ok();
        let cal = crate::calendar_cmd::build_calendar(data.as_deref(), hours.as_deref())?;
        let s = app::demo::seed(&a.db.url()?, cal, app::vietnam_now())?;
        if s.users > 0 {
            eprintln!(
                "Đã nạp dữ liệu mẫu: {} tài khoản (mật khẩu {}), {} hồ sơ.",
                s.users,
                app::demo::DEMO_PASSWORD,
                s.dossiers
            );
        }
    }
    let app = Arc::new(a.db.open()?);
    let web = Arc::new(web::Web::new(app, a.secure_cookies).with_senders(app::alerts::Senders::from_env()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new("runtime", format!("không khởi động được: {e}")))?;
    rt.block_on(web::serve(web, a.listen))
        .map_err(|e| CliError::new("listen_failed", format!("không lắng nghe được tại {}: {e}", a.listen)))?;
    Ok(ExitCode::SUCCESS)
}
