//! Positions, ranges and URIs: LSP's zero-based lines and UTF-16 columns against the
//! compiler's byte offsets, and document URIs against the paths the compiler's database uses.
//!
//! A database path is the file's absolute path for `file:` URIs and the URI itself otherwise
//! (an unsaved `untitled:` buffer), so every file the server knows has exactly one path.

use std::path::{Path, PathBuf};

use okite_compiler::span::{LineIndex, Span};
use tower_lsp_server::ls_types::{Position, Range, Uri};

/// A text with its line index: converts between byte offsets and LSP positions.
#[derive(Debug)]
pub struct LineMap<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> LineMap<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineMap<'a> {
        LineMap { text, index: LineIndex::new(text) }
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The byte offset of a position, clamped to the text (a column past the end of its line
    /// is the end of the line, before its `\r\n`).
    pub fn offset(&self, position: Position) -> u32 {
        let offset = self.index.offset_utf16(self.text, position.line, position.character);
        let bytes = self.text.as_bytes();
        let at = offset as usize;
        let before_crlf = at > 0 && bytes.get(at) == Some(&b'\n') && bytes.get(at - 1) == Some(&b'\r');
        if before_crlf { offset - 1 } else { offset }
    }

    /// The position of a byte offset (clamped to the text, and to the start of the character
    /// it falls in).
    pub fn position(&self, offset: u32) -> Position {
        let mut at = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let (line, character) = self.index.line_col_utf16(self.text, to_u32(at));
        Position { line, character }
    }

    /// The range of a span.
    pub fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start), end: self.position(span.end.max(span.start)) }
    }

    /// The span of a range (its ends in order).
    pub fn span(&self, range: Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        Span::new(a.min(b) as usize, a.max(b) as usize)
    }

    /// The range of the whole text.
    pub fn whole(&self) -> Range {
        Range { start: Position { line: 0, character: 0 }, end: self.position(to_u32(self.text.len())) }
    }

    /// The line index.
    pub fn index(&self) -> &LineIndex {
        &self.index
    }
}

/// A length or offset as the compiler counts (texts beyond 4 GiB are clamped).
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The file a URI names, for `file:` URIs.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?.into_owned();
    path.is_absolute().then_some(path)
}

/// The database path of the document at `uri`.
pub fn db_path(uri: &Uri) -> String {
    match file_path(uri) {
        Some(p) => path_string(&p),
        None => uri.as_str().to_string(),
    }
}

/// A path as the database spells it.
pub fn path_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The URI of a database path that names a file on disk (not the standard library's
/// `<std>/…`, nor an unsaved buffer's URI).
pub fn file_uri(path: &str) -> Option<Uri> {
    let p = Path::new(path);
    if p.is_absolute() { Uri::from_file_path(p) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "ab\n情報 x\n𝒳y\n";
        let map = LineMap::new(text);
        let y = text.find('y').unwrap_or(0) as u32;
        assert_eq!(map.position(y), Position { line: 2, character: 2 });
        assert_eq!(map.offset(Position { line: 2, character: 2 }), y);
        let x = text.find('x').unwrap_or(0) as u32;
        assert_eq!(map.position(x), Position { line: 1, character: 3 });
        // Inside a character: the start of the character.
        assert_eq!(map.position(4), Position { line: 1, character: 0 });
        // Past the end of a line: the end of the line; past the text: its end.
        assert_eq!(map.offset(Position { line: 0, character: 99 }), 2);
        assert_eq!(map.offset(Position { line: 99, character: 0 }), text.len() as u32);
        assert_eq!(map.whole().end, Position { line: 3, character: 0 });
        let crlf = LineMap::new("ab\r\ncd");
        assert_eq!(crlf.offset(Position { line: 0, character: 9 }), 2);
    }

    #[test]
    fn paths_and_uris() {
        let uri: Uri = "file:///tmp/p%20q/a.okite"
            .parse()
            .unwrap_or_else(|_| Uri::from_file_path("/").unwrap_or_else(|| unreachable!()));
        assert_eq!(db_path(&uri), "/tmp/p q/a.okite");
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap_or_else(|_| uri.clone());
        assert_eq!(db_path(&untitled), "untitled:Untitled-1");
        assert!(file_uri("<std>/std.okite").is_none());
        assert_eq!(
            file_uri("/tmp/p q/a.okite").map(|u| u.as_str().to_string()).as_deref(),
            Some("file:///tmp/p%20q/a.okite")
        );
    }
}
