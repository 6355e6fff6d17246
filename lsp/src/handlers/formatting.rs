//! Formatting with `okite fmt`'s formatter. The whole document is formatted, for a range too
//! (the formatter has one canonical layout per file): the answer is one edit replacing the
//! whole text, or none when it is already formatted.

use tower_lsp_server::ls_types::TextEdit;

use crate::convert::LineMap;

/// The edits formatting `text`; `Ok(None)` when it does not parse (nothing to format yet),
/// `Err` when the formatter refused (a formatter bug, worth logging).
pub fn format(text: &str) -> Result<Option<Vec<TextEdit>>, String> {
    match okite_compiler::fmt::format(text) {
        Ok(formatted) if formatted == text => Ok(Some(Vec::new())),
        Ok(formatted) => Ok(Some(vec![TextEdit { range: LineMap::new(text).whole(), new_text: formatted }])),
        Err(okite_compiler::fmt::FormatError::Syntax { .. }) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}
