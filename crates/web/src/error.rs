//! Errors as the API answers them: `{"error": {"code": "...", "message": "..."}}` with the
//! HTTP status of their kind; never a 500 for a bad request.

use app::{AppError, Code, ErrorKind};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

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

/// Every error answer: `{"error": {...}}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorAnswer {
    pub error: ErrorDetail,
}

/// What went wrong, in a stable code and a Vietnamese message.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: Code,
    /// Lời giải thích bằng tiếng Việt.
    pub message: String,
    /// For `invalid_transition`: the actions allowed now.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub allowed: Vec<&'static str>,
    /// For `action_not_permitted`: the roles that may take the action.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub roles: Vec<&'static str>,
    /// The id to quote to the province's IT staff, who find the cause in the log by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(e.kind);
        crate::observe::log_failure(e.code.as_str(), status, e.cause.as_deref());
        let error = ErrorDetail {
            code: e.code,
            message: e.message,
            allowed: e.allowed,
            roles: e.roles,
            request_id: crate::observe::request_id().map(|id| id.to_string()),
        };
        with_retry_after(status, Json(ErrorAnswer { error }))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
