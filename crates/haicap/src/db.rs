//! What every database command shares: where the database is, and who is acting.

use crate::calendar_cmd::build_calendar;
use crate::error::CliError;
use app::{Actor, App, AppError, Places};
use calendar::WorkCalendar;
use clap::Args;
use errors::Code;
use std::path::PathBuf;
use store::DbUrl;

#[derive(Args, Clone, Debug, Default)]
pub struct DbArgs {
    /// Cơ sở dữ liệu: sqlite://ĐƯỜNG_DẪN hoặc postgres://… (mặc định: haicap.db trong thư mục dữ liệu).
    #[arg(long, env = "HAICAP_DB", global = true)]
    pub db: Option<String>,
    /// Thư mục dữ liệu: chỉ mục trợ lý số, giấy tờ (mặc định: thư mục của tệp SQLite, hoặc
    /// haicap-data khi dùng PostgreSQL hay không ghi --db).
    #[arg(long, env = "HAICAP_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Thư mục giấy tờ của công dân (mặc định: blobs trong thư mục dữ liệu); các máy chủ dùng
    /// chung một cơ sở dữ liệu phải dùng chung thư mục này.
    #[arg(long, env = "HAICAP_BLOBS", global = true)]
    pub blobs: Option<PathBuf>,
    /// Tệp CSV bổ sung ngày nghỉ/ngày làm bù (date,kind,name,basis), ghi đè dữ liệu có sẵn.
    #[arg(long, env = "HAICAP_CALENDAR_DATA", global = true)]
    pub calendar_data: Option<String>,
    /// Giờ làm việc, ví dụ "mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30".
    #[arg(long, env = "HAICAP_OFFICE_HOURS", global = true)]
    pub office_hours: Option<String>,
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
            None => Ok(DbUrl::Sqlite(
                self.data_dir.clone().unwrap_or_else(|| "haicap-data".into()).join("haicap.db"),
            )),
        }
    }

    /// Where the index and the documents go: what the flags say, else beside the database.
    pub fn places(&self) -> Result<Places, CliError> {
        let data_dir = match &self.data_dir {
            Some(d) => d.clone(),
            None => app::places::default_data_dir(&self.url()?),
        };
        let blobs = self.blobs.clone().unwrap_or_else(|| data_dir.join("blobs"));
        Ok(Places { data_dir, blobs })
    }

    /// The working calendar: the shipped days off and office hours, or the flags'.
    pub fn calendar(&self) -> Result<WorkCalendar, CliError> {
        build_calendar(self.calendar_data.as_deref(), self.office_hours.as_deref())
    }

    /// Opens (creating or migrating) the database.
    pub fn open(&self) -> Result<App, CliError> {
        Ok(App::open(&self.url()?, self.calendar()?, std::sync::Arc::new(app::vietnam_now))?
            .with_places(self.places()?))
    }

    pub fn actor(&self, app: &App) -> Result<Actor, CliError> {
        match &self.as_user {
            None => Ok(Actor::console("cli")),
            Some(name) => match app.accounts().user(name)? {
                Some((u, _)) if u.active => Ok(Actor::of(&u)),
                _ => Err(CliError::new(
                    Code::UnknownUser,
                    format!("không có tài khoản \"{name}\" đang hoạt động"),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        db: DbArgs,
    }

    fn places(args: &[&str]) -> Places {
        Cli::try_parse_from(std::iter::once("haicap").chain(args.iter().copied()))
            .unwrap()
            .db
            .places()
            .unwrap()
    }

    #[test]
    fn the_data_directory_holds_the_documents_whatever_the_database() {
        // PostgreSQL: the data directory given is where the documents go (it was ignored).
        let pg = places(&["--db", "postgres://db.example/haicap", "--data-dir", "/var/lib/haicap"]);
        assert_eq!(pg, Places::in_dir("/var/lib/haicap"));
        assert_eq!(places(&["--db", "postgres://db.example/haicap"]), Places::in_dir("haicap-data"));
        // SQLite: beside the file unless told otherwise; no flag at all: haicap-data.
        assert_eq!(places(&["--db", "sqlite:///srv/x/h.db"]), Places::in_dir("/srv/x"));
        assert_eq!(places(&[]), Places::in_dir("haicap-data"));
        // The documents' folder on its own (shared by several servers).
        let shared = places(&["--data-dir", "/var/lib/haicap", "--blobs", "/srv/blobs"]);
        assert_eq!(
            (shared.data_dir.to_str(), shared.blobs.to_str()),
            (Some("/var/lib/haicap"), Some("/srv/blobs"))
        );
    }
}
