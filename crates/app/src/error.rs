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
    /// The database failed (503).
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    /// For `invalid_transition`: the actions allowed now.
    pub allowed: Vec<&'static str>,
}

impl AppError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> AppError {
        AppError { kind, code, message: message.into(), allowed: vec![] }
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

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let kind = match e {
            StoreError::Constraint(_) | StoreError::AppendOnly(_) => ErrorKind::Conflict,
            _ => ErrorKind::Unavailable,
        };
        AppError { kind, code: e.code(), message: e.message().to_string(), allowed: vec![] }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        let kind = match e.code {
            "invalid_transition" | "not_competent" => ErrorKind::Conflict,
            _ => ErrorKind::Invalid,
        };
        AppError { kind, code: e.code, message: e.message, allowed: e.allowed }
    }
}

pub type AppResult<T> = Result<T, AppError>;
