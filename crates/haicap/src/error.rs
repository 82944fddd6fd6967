//! Errors shown to the operator: a stable code for scripts, a Vietnamese message for people.

use errors::Code;
use std::fmt;

#[derive(Debug)]
pub struct CliError {
    pub code: errors::Code,
    pub message: String,
}

impl CliError {
    pub fn new(code: errors::Code, message: impl Into<String>) -> Self {
        CliError { code, message: message.into() }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lỗi [{}]: {}", self.code, self.message)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return CliError::new(Code::BrokenPipe, "đầu ra đã đóng");
        }
        CliError::new(Code::IoError, format!("lỗi đọc/ghi: {e}"))
    }
}
