//! Errors of the use cases: a stable code, a Vietnamese message, and what kind of failure it
//! is (the web layer maps the kind to an HTTP status).

use domain::DomainError;
use std::fmt;
use store::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request itself is wrong (400/422).
    Invalid,
    /// Nothing there, or nothing the caller may see (404).
    NotFound,
    /// Not allowed in the current state, or lost a race (409).
    Conflict,
    /// Not allowed for this caller (403).
    Forbidden,
    /// Wrong credentials (401).
    Unauthorized,
    /// The request body is too large (413).
    TooLarge,
    /// Too many attempts (429).
    TooManyRequests,
    /// The database is away or busy: worth trying again shortly (503).
    Unavailable,
    /// A fault of ours (a bug, a broken record, a disk that failed): 500, with a generic
    /// message and the request's id; the cause goes to the log only.
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    /// For `invalid_transition`: the actions allowed now.
    pub allowed: Vec<&'static str>,
    /// For `action_not_permitted`: the roles that may take the action.
    pub roles: Vec<&'static str>,
    /// What really happened (a driver's or the system's words), for the operator's log; never
    /// shown to a client.
    pub cause: Option<String>,
}

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> AppError {
        AppError { kind, code, message: message.into(), allowed: vec![], roles: vec![], cause: None }
    }

    /// A fault of ours: the client is told only that it happened; `cause` is logged.
    pub fn internal(code: &'static str, cause: impl fmt::Display) -> AppError {
        AppError {
            kind: ErrorKind::Internal,
            code,
            message: INTERNAL_MESSAGE.into(),
            allowed: vec![],
            roles: vec![],
            cause: Some(cause.to_string()),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::Invalid, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(ErrorKind::NotFound, code, message)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lỗi [{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for AppError {}

/// What a client is told of a fault of ours.
pub const INTERNAL_MESSAGE: &str = "lỗi xử lý nội bộ; bộ phận kỹ thuật đã được ghi nhận, hãy thử lại sau";

/// The store's failures as a client is told of them: our words, one per code; the driver's
/// words stay in the cause, for the log.
const STORE_ERRORS: &[(&str, ErrorKind, &str)] = &[
    (
        "db_unavailable",
        ErrorKind::Unavailable,
        "cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau ít phút",
    ),
    ("db_busy", ErrorKind::Unavailable, "hệ thống đang bận; hãy thử lại"),
    ("db_constraint", ErrorKind::Conflict, "dữ liệu mâu thuẫn với dữ liệu đã có; hãy tải lại và thử lại"),
    ("append_only", ErrorKind::Conflict, "lịch sử hồ sơ chỉ được ghi thêm, không được sửa hay xoá"),
    ("db_error", ErrorKind::Internal, INTERNAL_MESSAGE),
];

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let code = e.code();
        let (kind, message) = STORE_ERRORS
            .iter()
            .find(|(c, ..)| *c == code)
            .map_or((ErrorKind::Internal, INTERNAL_MESSAGE), |(_, k, m)| (*k, *m));
        AppError {
            kind,
            code,
            message: message.into(),
            allowed: vec![],
            roles: vec![],
            cause: Some(e.message().to_string()),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        let kind = match e.code {
            "invalid_transition" | "not_competent" => ErrorKind::Conflict,
            _ => ErrorKind::Invalid,
        };
        AppError { kind, code: e.code, message: e.message, allowed: e.allowed, roles: vec![], cause: None }
    }
}

impl From<domain::permissions::Refusal> for AppError {
    fn from(r: domain::permissions::Refusal) -> Self {
        AppError { roles: r.roles, ..AppError::new(ErrorKind::Forbidden, r.code, r.message) }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_reaches_the_client_in_our_words_with_the_cause_kept_for_the_log() {
        let driver = "terminating connection due to administrator command";
        for (e, kind) in [
            (StoreError::Unavailable(driver.into()), ErrorKind::Unavailable),
            (StoreError::Busy(driver.into()), ErrorKind::Unavailable),
            (StoreError::Constraint(driver.into()), ErrorKind::Conflict),
            (StoreError::AppendOnly(driver.into()), ErrorKind::Conflict),
            (StoreError::Database(driver.into()), ErrorKind::Internal),
        ] {
            let code = e.code();
            let a = AppError::from(e);
            assert_eq!((a.code, a.kind), (code, kind));
            assert!(!a.message.contains("administrator") && !a.message.is_empty(), "{}", a.message);
            assert_eq!(a.cause.as_deref(), Some(driver));
        }
    }
}
