//! `haicap serve`: the web app and the API.

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use clap::Args;
use errors::Code;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    signing: crate::signing_cmd::SigningArgs,
    /// Địa chỉ lắng nghe.
    #[arg(long, env = "HAICAP_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Nạp dữ liệu mẫu (Đà Nẵng, Huế) vào cơ sở dữ liệu chưa có tài khoản nào.
    #[arg(long)]
    demo: bool,
    /// Đánh dấu cookie Secure (khi chạy sau https).
    #[arg(long, env = "HAICAP_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Dạng nhật ký: json (mỗi dòng một bản ghi, cho hệ thống thu nhật ký), text, hoặc auto
    /// (text khi chạy trong cửa sổ dòng lệnh, json khi không).
    #[arg(long, env = "HAICAP_LOG_FORMAT", default_value = "auto", value_parser = ["auto", "json", "text"])]
    log_format: String,
    /// Mức nhật ký, ví dụ "info" hoặc "warn,web=info".
    #[arg(long, env = "HAICAP_LOG", default_value = "info")]
    log: String,
    /// Địa chỉ hoặc dải địa chỉ được đọc /metrics, cách nhau bởi dấu phẩy (mặc định: chỉ máy này).
    #[arg(long, env = "HAICAP_METRICS_ALLOW")]
    metrics_allow: Option<String>,
    /// Mã bí mật (Bearer) để đọc /metrics từ địa chỉ khác.
    #[arg(long, env = "HAICAP_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Các proxy ngược (địa chỉ hoặc dải, cách nhau bởi dấu phẩy) được tin tiêu đề X-Forwarded-For.
    #[arg(long, env = "HAICAP_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    /// Số giây chờ cơ sở dữ liệu khi khởi động (nếu nó chưa sẵn sàng).
    #[arg(long, env = "HAICAP_WAIT_DB", default_value_t = 60)]
    wait_db: u64,
    /// Thời hạn lưu trữ dữ liệu cá nhân, số ngày kể từ khi trả kết quả; hết hạn thì tự xoá
    /// (mỗi giờ rà một lần). 0: không tự xoá.
    #[arg(long, env = "HAICAP_RETENTION_DAYS", default_value_t = app::DEFAULT_RETENTION_DAYS)]
    retention_days: u32,
    /// Số yêu cầu mỗi phút của một địa chỉ tới các trang công khai (tra cứu, nộp trực tuyến,
    /// trợ lý, đăng nhập); 0: không giới hạn (để đo tải).
    #[arg(long, env = "HAICAP_PUBLIC_RATE", default_value_t = 30)]
    public_rate: u32,
    /// Lệnh gửi thư cảnh báo, ví dụ "/usr/sbin/sendmail -t -i" (mặc định: không gửi thư).
    #[arg(long, env = "HAICAP_EMAIL_COMMAND")]
    email_command: Option<String>,
    /// Địa chỉ người gửi thư cảnh báo.
    #[arg(long, env = "HAICAP_EMAIL_FROM")]
    email_from: Option<String>,
    /// Lệnh gửi tin nhắn cảnh báo; {to} được thay bằng số điện thoại (mặc định: không gửi).
    #[arg(long, env = "HAICAP_SMS_COMMAND")]
    sms_command: Option<String>,
    /// Lệnh gửi trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia (bản ghi JSON ở đầu vào chuẩn,
    /// mã thoát 0 khi cổng đã nhận); mỗi phút gửi các hồ sơ thay đổi, thử lại đến khi được
    /// (mặc định: không gửi).
    #[arg(long, env = "HAICAP_PORTAL_COMMAND")]
    portal_command: Option<String>,
    /// Chạy làm máy trạm của xã: địa chỉ máy chủ của tỉnh (https://…). Máy trạm làm việc cả
    /// khi mất kết nối và gửi lên tỉnh khi có kết nối.
    #[arg(long, env = "HAICAP_UPSTREAM", requires = "node_token")]
    upstream: Option<String>,
    /// Mã máy trạm do tỉnh cấp (haicap node add).
    #[arg(long, env = "HAICAP_NODE_TOKEN", hide_env_values = true, requires = "upstream")]
    node_token: Option<String>,
    /// Tại máy chủ của tỉnh: số phút máy trạm của xã không liên lạc thì cảnh báo quản trị của
    /// tỉnh; 0: không cảnh báo.
    #[arg(long, env = "HAICAP_NODE_SILENCE_MINUTES", default_value_t = 30)]
    node_silence_minutes: u32,
    /// Máy chủ quốc gia: nhận trạng thái hồ sơ và số liệu các tỉnh gửi lên (cấp mã cho tỉnh
    /// bằng haicap node add --commune MÃ_TỈNH).
    #[arg(long, env = "HAICAP_NATIONAL")]
    national: bool,
    /// Tại máy chủ của tỉnh: gửi trạng thái hồ sơ và số liệu (không có dữ liệu cá nhân) lên
    /// máy chủ quốc gia ở địa chỉ này.
    #[arg(long, env = "HAICAP_FEED_NATIONAL", requires_all = ["national_token", "province"])]
    feed_national: Option<String>,
    /// Mã do máy chủ quốc gia cấp cho tỉnh.
    #[arg(long, env = "HAICAP_NATIONAL_TOKEN", hide_env_values = true, requires = "feed_national")]
    national_token: Option<String>,
    /// Mã tỉnh của máy chủ này (khi gửi lên quốc gia).
    #[arg(long, env = "HAICAP_PROVINCE")]
    province: Option<String>,
    /// Số giây giữa hai lần gửi lên tỉnh.
    #[arg(long, env = "HAICAP_SYNC_SECONDS", default_value_t = 5)]
    sync_seconds: u64,
}

/// Structured logs on stderr: JSON lines for a log collector, or text for a person. Written
/// by a thread of their own, so that a request does not wait for the write (a full buffer
/// makes it wait rather than lose lines); the guard flushes them at exit.
fn init_logs(format: &str, filter: &str) -> Result<tracing_appender::non_blocking::WorkerGuard, CliError> {
    use tracing_subscriber::prelude::*;
    let targets: tracing_subscriber::filter::Targets = filter.parse().map_err(|e| {
        CliError::new(Code::BadLogFilter, format!("mức nhật ký \"{filter}\" không hợp lệ: {e}"))
    })?;
    let (writer, guard) =
        tracing_appender::non_blocking::NonBlockingBuilder::default().lossy(false).finish(std::io::stderr());
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let registry = tracing_subscriber::registry().with(targets);
    // A second initialisation (tests calling `run` twice) is harmless: the first one stays.
    let json = match format {
        "auto" => !std::io::IsTerminal::is_terminal(&std::io::stderr()),
        f => f == "json",
    };
    let _ = if json {
        registry.with(fmt.json().flatten_event(true)).try_init()
    } else {
        registry.with(fmt).try_init()
    };
    Ok(guard)
}

/// Opens the database, waiting up to `wait` for it when it does not answer yet (the server
/// and PostgreSQL started together at boot).
fn open_waiting(a: &ServeArgs) -> Result<app::App, CliError> {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(a.wait_db);
    loop {
        match a.db.open().and_then(|app| Ok(app.with_signing(a.signing.setup()?))) {
            Err(e) if e.code == "db_unavailable" && std::time::Instant::now() < until => {
                tracing::warn!(cause = e.message, "cơ sở dữ liệu chưa sẵn sàng; thử lại sau 2 giây");
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
            r => return r,
        }
    }
}

pub fn run(a: ServeArgs) -> CmdResult {
    let _logs = init_logs(&a.log_format, &a.log)?;
    // Before the database is opened, so that its first writes are counted.
    web::observe::install_metrics();
    let access = web::observe::MetricsAccess::parse(a.metrics_allow.as_deref(), a.metrics_token.as_deref())
        .map_err(|m| CliError::new(Code::BadMetricsAllow, m))?;
    let proxies = web::observe::parse_networks(a.trusted_proxies.as_deref().unwrap_or(""))
        .map_err(|m| CliError::new(Code::BadTrustedProxies, m))?;
    if a.demo {
        let s =
            app::simulation::demo::seed(&a.db.url()?, &a.db.places()?, a.db.calendar()?, app::vietnam_now())?;
        if s.users > 0 {
            eprintln!(
                "Đã nạp dữ liệu mẫu: {} tài khoản (mật khẩu {}), {} hồ sơ.",
                s.users,
                app::simulation::demo::DEMO_PASSWORD,
                s.dossiers
            );
        }
    }
    let app = Arc::new(open_waiting(&a)?);
    if let (Some(url), Some(token), Some(province)) = (&a.feed_national, &a.national_token, &a.province) {
        if units::registry().province(province).is_none() {
            return Err(CliError::new(
                Code::UnknownProvince,
                format!("không có tỉnh, thành phố mã \"{province}\""),
            ));
        }
        let link = crate::link::Link::to_nation(url, token);
        crate::national_feed::spawn(
            app.clone(),
            link,
            province.clone(),
            std::time::Duration::from_secs(a.sync_seconds.max(1)),
        );
    }
    if let (Some(url), Some(token)) = (&a.upstream, &a.node_token) {
        let link = crate::link::Link::to_province(url, token);
        crate::node_sync::attach(&app, &link, url)?;
        crate::node_sync::spawn(app.clone(), link, std::time::Duration::from_secs(a.sync_seconds.max(1)));
    }
    let web = Arc::new(
        web::Web::new(app, a.secure_cookies)
            .with_senders(
                app::alerts::Senders::from_commands(
                    a.email_command.as_deref(),
                    a.email_from.as_deref(),
                    a.sms_command.as_deref(),
                )
                .with_portal(a.portal_command.as_deref()),
            )
            .with_metrics_access(access)
            .with_trusted_proxies(proxies)
            .with_public_rate(a.public_rate)
            .with_retention((a.retention_days > 0).then(|| chrono::Duration::days(a.retention_days.into())))
            .as_national(a.national)
            .with_node_silence(
                (a.node_silence_minutes > 0)
                    .then(|| chrono::Duration::minutes(a.node_silence_minutes.into())),
            ),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(Code::Runtime, format!("không khởi động được: {e}")))?;
    rt.block_on(web::serve(web, a.listen)).map_err(|e| {
        CliError::new(Code::ListenFailed, format!("không lắng nghe được tại {}: {e}", a.listen))
    })?;
    Ok(ExitCode::SUCCESS)
}
