//! Errors as the API answers them: `{"error": {"code": "...", "message": "..."}}` with the
//! HTTP status of their kind; never a 500 for a bad request.

use app::{AppError, Code, ErrorKind};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError(AppError::new(code, message))
    }

    /// A thing named in the URL that does not exist: 404, whatever the code's kind (the same
    /// code names an unknown thing in a body with 400).
    pub fn not_found(code: Code, message: impl Into<String>) -> ApiError {
        ApiError(AppError { kind: ErrorKind::NotFound, ..AppError::new(code, message) })
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// The HTTP status of a kind of error (the catalogue's: `errors::Kind::status`).
pub fn status_of(kind: ErrorKind) -> StatusCode {
    StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Seconds a client is told to wait after a 429 (the throttling window).
const RETRY_AFTER_SECONDS: &str = "900";

/// `body` with `status`, and, for a 429, when to try again.
pub fn with_retry_after(status: StatusCode, body: impl IntoResponse) -> Response {
    let mut res = (status, body).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(e.kind);
        crate::observe::log_failure(e.code.as_str(), status, e.cause.as_deref());
        let mut body = serde_json::json!({ "error": { "code": e.code, "message": e.message } });
        if !e.allowed.is_empty() {
            body["error"]["allowed"] = serde_json::json!(e.allowed);
        }
        if !e.roles.is_empty() {
            body["error"]["roles"] = serde_json::json!(e.roles);
        }
        // The id to quote to the province's IT staff, who find the cause in the log by it.
        if let Some(id) = crate::observe::request_id() {
            body["error"]["request_id"] = serde_json::json!(&*id);
        }
        with_retry_after(status, Json(body))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
