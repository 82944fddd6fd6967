//! How pages are drawn: the header's user bar, templates rendered, error and message pages,
//! and the small formatting every page shares (unit names, dd/mm/yyyy times, escaping).

use crate::error::ApiError;
use app::Session;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDateTime;

/// The signed-in user as the header shows them.
pub struct UserBar {
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) unit: String,
    pub(crate) csrf: String,
    /// An administrator (the header links the access log).
    pub(crate) admin: bool,
    /// Who follows the provinces from the nation: the header offers what it may read.
    pub(crate) national: bool,
}

pub(crate) fn bar(s: &Session) -> Option<UserBar> {
    Some(UserBar {
        name: s.user.full_name.clone().unwrap_or_else(|| s.user.username.clone()),
        role: s.user.role.label().to_string(),
        unit: unit_name(&s.user.unit_code),
        csrf: s.csrf.clone(),
        admin: s.user.role == domain::roles::Role::Admin,
        national: s.user.role == domain::roles::Role::NationalLeader,
    })
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("lỗi hiển thị trang: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) user: Option<UserBar>,
    pub(crate) heading: String,
    pub(crate) text: String,
    pub(crate) link: Option<(String, String)>,
}

pub fn message_page(heading: &str, text: &str) -> Response {
    render(&MessagePage { user: None, heading: heading.into(), text: text.into(), link: None })
}

pub(crate) fn page_error(e: ApiError) -> Response {
    let status = crate::error::status_of(e.0.kind);
    crate::observe::log_failure(e.0.code.as_str(), status, e.0.cause.as_deref());
    let text = match crate::observe::request_id() {
        Some(id) if status.is_server_error() => format!("{} (mã yêu cầu {id})", e.0.message),
        _ => e.0.message,
    };
    crate::error::with_retry_after(status, message_page("Không thực hiện được", &text))
}

pub fn unit_name(code: &str) -> String {
    if code == domain::roles::NATION {
        return app::statistics::figures::NATION_NAME.to_string();
    }
    units::registry().unit_name(code).unwrap_or(code).to_string()
}

pub(crate) fn time(t: Option<NaiveDateTime>) -> String {
    t.map_or("—".into(), |t| t.format("%H:%M %d/%m/%Y").to_string())
}

/// A fragment as text (for a page that embeds it) or an empty one if it cannot render.
pub(crate) fn fragment(t: &impl Template) -> String {
    t.render().unwrap_or_default()
}

/// A stored document, shown in the browser (never sniffed into something else).
/// A PDF the server made, offered for download under `stem`.pdf.
pub(crate) fn pdf_file(stem: &str, bytes: Vec<u8>) -> Response {
    // The stem is made of a dossier's code and ASCII words; anything else is left out of the
    // header.
    let stem: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.pdf\"")),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) fn file_response(a: &app::blobs::Attachment, bytes: Vec<u8>) -> Response {
    let ext = match a.content_type.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    (
        [
            (axum::http::header::CONTENT_TYPE, a.content_type.clone()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"tep-{}.{ext}\"", a.seq)),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
