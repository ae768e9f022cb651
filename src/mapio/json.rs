//! The JSON map: `OrgMap` as serde writes it, with a `version` (docs/map-format.md).

use crate::mapio::MapIoError;
use crate::org::OrgMap;

/// Parses and validates a JSON map; `file` names it in errors.
pub fn from_str(text: &str, file: &str) -> Result<OrgMap, MapIoError> {
    let map: OrgMap = serde_json::from_str(text).map_err(|e| MapIoError::Syntax {
        file: file.to_owned(),
        line: e.line() as u64,
        message: format!("{} (column {})", strip_position(&e.to_string()), e.column()),
    })?;
    map.validate().map_err(|source| MapIoError::Invalid { file: file.to_owned(), source })?;
    Ok(map)
}

/// serde_json ends its messages with " at line L column C"; the line is reported apart.
fn strip_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |i| &message[..i])
}

pub fn to_string(map: &OrgMap) -> String {
    let mut text = serde_json::to_string_pretty(map).expect("a map always serialises");
    text.push('\n');
    text
}
