use errors::Code;

/// A failure to sign or to read a signed file: a stable code and a Vietnamese message; the
/// token's or the parser's own words stay in `detail`, for the log.
#[derive(Debug, Clone)]
pub struct SignError {
    pub code: Code,
    pub message: String,
    pub detail: String,
}

impl SignError {
    pub fn new(code: Code, message: impl Into<String>, detail: impl std::fmt::Display) -> Self {
        SignError { code, message: message.into(), detail: detail.to_string() }
    }
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SignError {}
