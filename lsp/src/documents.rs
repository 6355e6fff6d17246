//! Open documents: the editor's text of each, with its version, and how the editor's changes
//! apply to it.

use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

use crate::convert::LineMap;

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The editor's version of the text (increases with every change).
    pub version: i32,
    /// The editor's text.
    pub text: String,
    /// The path the compiler's databases know it by.
    pub path: String,
    /// The policy-set root it is compiled in (a key of the state's roots).
    pub root: String,
}

/// Applies one change (a range replaced, or the whole text) to `text`. Positions out of the
/// text are clamped to it, so no change can fail.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        Some(range) => {
            let span = LineMap::new(text).span(range);
            // Offsets from a line map lie on character boundaries within the text; checked
            // anyway, as `replace_range` would panic otherwise.
            let r = span.range();
            if r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end) {
                text.replace_range(r, &change.text);
            }
        }
        None => *text = change.text,
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn change(a: (u32, u32), b: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        let range =
            Range { start: Position { line: a.0, character: a.1 }, end: Position { line: b.0, character: b.1 } };
        TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: text.into() }
    }

    #[test]
    fn changes_replace_utf16_ranges_and_clamp() {
        let mut text = "rule 規則 {\n}\n".to_string();
        apply_change(&mut text, change((0, 5), (0, 7), "r"));
        assert_eq!(text, "rule r {\n}\n");
        apply_change(&mut text, change((1, 0), (1, 0), "  require true\n"));
        assert_eq!(text, "rule r {\n  require true\n}\n");
        // Reversed and out-of-range positions.
        apply_change(&mut text, change((9, 9), (2, 0), ""));
        assert_eq!(text, "rule r {\n  require true\n");
        apply_change(&mut text, TextDocumentContentChangeEvent { range: None, range_length: None, text: "x".into() });
        assert_eq!(text, "x");
    }
}
