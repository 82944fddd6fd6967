//! What every database command shares: where the database is, and who is acting.

use crate::calendar_cmd::build_calendar;
use crate::error::CliError;
use app::{Actor, App, AppError};
use clap::Args;
use errors::Code;
use std::path::PathBuf;
use store::DbUrl;

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Cơ sở dữ liệu: sqlite://ĐƯỜNG_DẪN hoặc postgres://… (mặc định: haicap.db trong thư mục dữ liệu).
    #[arg(long, env = "HAICAP_DB", global = true)]
    pub db: Option<String>,
    /// Thư mục dữ liệu.
    #[arg(long, env = "HAICAP_DATA_DIR", default_value = "haicap-data", global = true)]
    pub data_dir: PathBuf,
    /// Thực hiện với quyền của tài khoản này (mặc định: quản trị tại máy chủ, thấy mọi đơn vị).
    #[arg(long = "as", value_name = "USERNAME", global = true)]
    pub as_user: Option<String>,
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        let mut message = e.message;
        // The operator at the console is told the cause a web client is not.
        if let Some(cause) = e.cause {
            message.push_str(&format!(" ({cause})"));
        }
        if !e.allowed.is_empty() {
            message.push_str(&format!(" [mã thao tác: {}]", e.allowed.join(", ")));
        }
        CliError::new(e.code, message)
    }
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        CliError::new(e.code(), e.message().to_string())
    }
}

impl DbArgs {
    pub fn url(&self) -> Result<DbUrl, CliError> {
        match &self.db {
            Some(u) => Ok(DbUrl::parse(u)?),
            None => Ok(DbUrl::Sqlite(self.data_dir.join("haicap.db"))),
        }
    }

    /// Opens (creating or migrating) the database.
    pub fn open(&self) -> Result<App, CliError> {
        let data = std::env::var("HAICAP_CALENDAR_DATA").ok();
        let hours = std::env::var("HAICAP_OFFICE_HOURS").ok();
        let cal = build_calendar(data.as_deref(), hours.as_deref())?;
        Ok(App::open(&self.url()?, cal, std::sync::Arc::new(app::vietnam_now))?.with_data_dir(&self.data_dir))
    }

    pub fn actor(&self, app: &App) -> Result<Actor, CliError> {
        match &self.as_user {
            None => Ok(Actor::console("cli")),
            Some(name) => match app.user(name)? {
                Some((u, _)) if u.active => Ok(Actor::of(&u)),
                _ => Err(CliError::new(
                    Code::UnknownUser,
                    format!("không có tài khoản \"{name}\" đang hoạt động"),
                )),
            },
        }
    }
}
