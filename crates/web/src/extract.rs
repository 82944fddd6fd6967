//! Reading a request: JSON bodies and query strings whose every rejection is an API error with
//! a Vietnamese message, and the date and drill-down parameters several routes share.

use crate::error::{ApiError, ApiResult};
use crate::Web;
use axum::extract::rejection::JsonRejection;
use axum::extract::Query;
use axum::extract::{FromRequest, Request};
use axum::Json;
use errors::Code;
use serde::de::DeserializeOwned;

/// `Json` whose every rejection is an API error with a Vietnamese message.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(match e {
                JsonRejection::JsonDataError(e) => {
                    ApiError::new(Code::InvalidField, format!("dữ liệu không hợp lệ: {}", e.body_text()))
                }
                JsonRejection::JsonSyntaxError(_) => {
                    ApiError::new(Code::InvalidJson, "nội dung gửi lên không phải JSON hợp lệ")
                }
                JsonRejection::MissingJsonContentType(_) => {
                    ApiError::new(Code::UnsupportedMediaType, "cần Content-Type: application/json")
                }
                JsonRejection::BytesRejection(_) => {
                    ApiError::new(Code::BodyTooLarge, "nội dung gửi lên quá lớn (tối đa 64 KiB)")
                }
                _ => ApiError::new(Code::InvalidJson, "nội dung gửi lên không đọc được"),
            }),
        }
    }
}

/// The query string, or an API error saying what is wrong with it.
/// A record's number from the path (a proposal's, an alert's…); anything else names nothing:
/// a JSON error with `code` (404), not axum's plain-text rejection.
pub(crate) fn path_id(raw: &str, code: Code, what: &str) -> ApiResult<i64> {
    raw.trim()
        .parse()
        .ok()
        .filter(|i: &i64| *i > 0)
        .ok_or_else(|| ApiError::not_found(code, format!("không có {what} số \"{}\"", raw.trim())))
}

pub(crate) fn query<T>(q: Result<Query<T>, axum::extract::rejection::QueryRejection>) -> ApiResult<T> {
    q.map(|Query(q)| q)
        .map_err(|e| ApiError::new(Code::InvalidQuery, format!("tham số không hợp lệ: {}", e.body_text())))
}

pub(crate) fn date_param(
    name: &str,
    v: Option<&str>,
    default: chrono::NaiveDate,
) -> ApiResult<chrono::NaiveDate> {
    // Absent means the default; present but empty or malformed is an error.
    match v.map(str::trim) {
        None => Ok(default),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            ApiError::new(Code::InvalidDate, format!("{name} phải có dạng YYYY-MM-DD (nhận được \"{v}\")"))
        }),
    }
}

/// The drill-down from an indicator: which dossiers, over which period (the month so far by
/// default).
pub(crate) fn behind_param(
    web: &Web,
    behind: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<Option<(domain::service_index::Behind, chrono::NaiveDate, chrono::NaiveDate)>> {
    // The dates are checked even without a list asked for: a bad date is never ignored.
    let (month_start, today) = app::statistics::figures::month_to_date(web.app.now().date());
    let from = date_param("from", from, month_start)?;
    let to = date_param("to", to, today)?;
    let Some(b) = behind else { return Ok(None) };
    let behind = domain::service_index::Behind::parse(b)
        .ok_or_else(|| ApiError::new(Code::UnknownBehind, format!("không có danh sách \"{b}\"")))?;
    if to < from {
        return Err(ApiError::new(Code::InvalidPeriod, "từ ngày phải trước đến ngày"));
    }
    Ok(Some((behind, from, to)))
}
