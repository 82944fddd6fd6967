//! Errors of the use cases: a stable code, a Vietnamese message, and what kind of failure it
//! is (the web layer maps the kind to an HTTP status).

use domain::DomainError;
use std::fmt;
use store::StoreError;

pub use errors::Code;
/// What kind of failure an error is (the web maps it to an HTTP status): the catalogue's.
pub use errors::Kind as ErrorKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: Code,
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
    /// An error of `code`, of the kind the catalogue gives it, saying `message`.
    pub fn new(code: Code, message: impl Into<String>) -> AppError {
        AppError {
            kind: code.kind(),
            code,
            message: message.into(),
            allowed: vec![],
            roles: vec![],
            cause: None,
        }
    }

    /// A fault of ours: the client is told only that it happened; `cause` is logged.
    pub fn internal(code: Code, cause: impl fmt::Display) -> AppError {
        AppError {
            kind: ErrorKind::Internal,
            code,
            message: INTERNAL_MESSAGE.into(),
            allowed: vec![],
            roles: vec![],
            cause: Some(cause.to_string()),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lỗi [{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for AppError {}

pub use errors::INTERNAL_MESSAGE;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        // Our words, from the catalogue; the driver's stay in the cause, for the log.
        let code = e.code();
        AppError {
            kind: code.kind(),
            code,
            message: code.message().into(),
            allowed: vec![],
            roles: vec![],
            cause: Some(e.message().to_string()),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError {
            kind: e.code.kind(),
            code: e.code,
            message: e.message,
            allowed: e.allowed,
            roles: vec![],
            cause: None,
        }
    }
}

impl From<domain::permissions::Refusal> for AppError {
    fn from(r: domain::permissions::Refusal) -> Self {
        AppError { roles: r.roles, ..AppError::new(r.code, r.message) }
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
            (StoreError::Stale(driver.into()), ErrorKind::Conflict),
            (StoreError::OutcomeUnknown(driver.into()), ErrorKind::Unavailable),
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
