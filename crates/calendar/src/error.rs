//! Errors with a stable code for programs and a Vietnamese message for people.

use errors::Code;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarError {
    pub code: errors::Code,
    pub message: String,
}

impl CalendarError {
    pub(crate) fn new(code: errors::Code, message: impl Into<String>) -> Self {
        CalendarError { code, message: message.into() }
    }

    pub(crate) fn out_of_range(year: i32) -> Self {
        Self::new(
            Code::YearOutOfRange,
            format!(
                "năm {year} nằm ngoài phạm vi lịch hỗ trợ ({}–{})",
                crate::lunar::FIRST_YEAR,
                crate::lunar::LAST_YEAR
            ),
        )
    }
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lỗi [{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for CalendarError {}
