//! Errors as they cross to the UI and to participants: `{code, message}`.

use serde::Serialize;
use ts_rs::TS;

/// The one shape every failed command or request has on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ApiError {
    /// A stable machine-readable code (`invalid_map`, `not_found`, `storage`, …).
    pub code: String,
    /// A sentence for a person, naming what is wrong.
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError { code: code.to_owned(), message: message.into() }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<crate::org::MapError> for ApiError {
    fn from(e: crate::org::MapError) -> ApiError {
        ApiError::new("invalid_map", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_serialises_as_code_and_message_only() {
        let e = ApiError::new("not_found", "no workshop 7");
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"code":"not_found","message":"no workshop 7"}"#);
    }
}
