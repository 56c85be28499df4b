//! EPUB (to be written).
use crate::{Limits, Text, TextError};

/// Read an EPUB.
pub fn from_epub(_bytes: &[u8], file: &str, _limits: &Limits) -> Result<Text, TextError> {
    Err(TextError::NotEpub {
        file: file.to_string(),
        reason: "not yet".into(),
    })
}
