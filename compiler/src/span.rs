//! Byte spans and line/column conversion.

use std::fmt;

/// A half-open byte range in one source file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: clamp(start), end: clamp(end.max(start)) }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Whether `offset` lies within the span (end inclusive, so a cursor just after a name
    /// still counts as on it).
    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// The byte range.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Shifts the span by `delta` bytes.
    pub fn shifted(self, delta: usize) -> Span {
        Span::new(self.start as usize + delta, self.end as usize + delta)
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Converts byte offsets to one-based lines and columns (columns in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(clamp(i + 1));
            }
        }
        LineIndex { line_starts }
    }

    /// Zero-based line and the byte offset where that line starts.
    pub fn line_of(&self, offset: u32) -> (usize, u32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        };
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// One-based line and column (in characters) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let (line, start) = self.line_of(offset);
        let end = (offset as usize).min(text.len());
        let start = (start as usize).min(end);
        let col = text.get(start..end).map_or(end - start, |s| s.chars().count());
        (clamp(line + 1), clamp(col + 1))
    }

    /// Zero-based line and UTF-16 column, as the Language Server Protocol counts.
    pub fn line_col_utf16(&self, text: &str, offset: u32) -> (u32, u32) {
        let (line, start) = self.line_of(offset);
        let end = (offset as usize).min(text.len());
        let start = (start as usize).min(end);
        let col = text.get(start..end).map_or(0, |s| s.encode_utf16().count());
        (clamp(line), clamp(col))
    }

    /// The byte offset of a zero-based line and UTF-16 column, clamped to the text.
    pub fn offset_utf16(&self, text: &str, line: u32, col: u32) -> u32 {
        let Some(&start) = self.line_starts.get(line as usize) else {
            return clamp(text.len());
        };
        let mut units = 0u32;
        let rest = text.get(start as usize..).unwrap_or("");
        for (i, ch) in rest.char_indices() {
            if units >= col || ch == '\n' {
                return start + clamp(i);
            }
            units += ch.len_utf16() as u32;
        }
        clamp(text.len())
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}
