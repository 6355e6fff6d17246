//! Cheap checks run before the parser, so that hostile input cannot exhaust the stack.
//!
//! pest is a recursive-descent parser and every later phase walks the tree recursively. Rather
//! than make each of them depth-aware, input nested deeper than [`MAX_NESTING`] brackets is
//! found here with a linear scan, reported once, and blanked out (replaced by spaces, so every
//! byte offset stays valid) before parsing. The recovery unit is the same as the parser's: the
//! text between two lines that start an item.

use crate::span::Span;

/// The deepest bracket nesting accepted in source.
pub const MAX_NESTING: usize = 128;

const SYNC_KEYWORDS: &[&str] =
    &["package", "import", "type", "enum", "facts", "const", "fn", "extern", "rule", "test", "section"];

/// Whether the text at `at` (a line start) starts an item, by the same test as the grammar's
/// `sync` rule.
pub fn starts_item(text: &[u8], at: usize) -> bool {
    let rest = text.get(at..).unwrap_or(&[]);
    if rest.starts_with(b"///") {
        return true;
    }
    SYNC_KEYWORDS.iter().any(|kw| {
        rest.starts_with(kw.as_bytes()) && !rest.get(kw.len()).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    })
}

/// What is nested too deeply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// `(`, `[` and `{`, in code and in interpolated strings.
    Brackets,
    /// `list<` and `set<`.
    Types,
    /// `/*` inside `/*`.
    Comments,
}

/// An item chunk nested deeper than [`MAX_NESTING`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// The chunk, from a line that starts an item to the next.
    pub chunk: Span,
    /// The first opening beyond the limit.
    pub at: usize,
    /// What it opens.
    pub what: Nesting,
}

/// Finds the item chunks nested deeper than [`MAX_NESTING`].
pub fn find_too_deep(text: &str) -> Vec<TooDeep> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut chunk_start = 0usize;
    let mut depth = 0usize;
    // `>` is also an operator, so it closes a type only while one is open: a comparison can make
    // this count too low (the parser's own stack guard then still applies), never too high.
    let mut type_depth = 0usize;
    let mut deep_at: Option<(usize, Nesting)> = None;
    let mut comment_depth = 0usize;
    let mut in_string = false;
    let mut in_line_comment = false;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            in_line_comment = false;
            in_string = false;
            if starts_item(bytes, i + 1) {
                if let Some((at, what)) = deep_at.take() {
                    out.push(TooDeep { chunk: Span::new(chunk_start, i), at, what });
                }
                chunk_start = i + 1;
                depth = 0;
                type_depth = 0;
                comment_depth = 0;
            }
            i += 1;
            continue;
        }
        if in_line_comment {
            i += 1;
            continue;
        }
        if comment_depth > 0 {
            if bytes[i..].starts_with(b"*/") {
                comment_depth -= 1;
                i += 2;
            } else if bytes[i..].starts_with(b"/*") {
                comment_depth += 1;
                if comment_depth > MAX_NESTING {
                    deep_at.get_or_insert((i, Nesting::Comments));
                }
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                b'{' | b'(' | b'[' => depth += 1,
                b'}' | b')' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'/' if bytes[i..].starts_with(b"//") => in_line_comment = true,
            b'/' if bytes[i..].starts_with(b"/*") => {
                comment_depth = 1;
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    deep_at.get_or_insert((i, Nesting::Brackets));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'<' if opens_type(bytes, i) => {
                type_depth += 1;
                if type_depth > MAX_NESTING {
                    deep_at.get_or_insert((i, Nesting::Types));
                }
            }
            b'>' => type_depth = type_depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    if let Some((at, what)) = deep_at {
        out.push(TooDeep { chunk: Span::new(chunk_start, bytes.len()), at, what });
    }
    out
}

/// Whether the `<` at `at` follows `list` or `set` (spaces allowed between).
fn opens_type(bytes: &[u8], at: usize) -> bool {
    let before = bytes.get(..at).unwrap_or(&[]);
    let word_end = before.iter().rposition(|b| *b != b' ' && *b != b'\t').map_or(0, |p| p + 1);
    let word = &before[..word_end];
    ["list", "set"].iter().any(|kw| {
        word.ends_with(kw.as_bytes()) && {
            let start = word.len() - kw.len();
            start == 0 || !(word[start - 1].is_ascii_alphanumeric() || word[start - 1] == b'_')
        }
    })
}

/// `text` with the given chunks replaced by spaces (newlines kept, so lines stay put).
pub fn blank_out(text: &str, chunks: &[TooDeep]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for TooDeep { chunk: span, .. } in chunks {
        for b in bytes.iter_mut().take(span.end as usize).skip(span.start as usize) {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Every byte of the blanked ranges is now ASCII and the rest is untouched UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_the_deep_chunk() {
        let deep = "(".repeat(MAX_NESTING + 1);
        let text = format!("rule a {{ require true }}\nrule b {{ require {deep} }}\nrule c {{ require true }}\n");
        let found = find_too_deep(&text);
        assert_eq!(found.len(), 1);
        let span = found[0].chunk;
        assert_eq!(found[0].what, Nesting::Brackets);
        assert!(text[span.range()].starts_with("rule b"));
        let blanked = blank_out(&text, &found);
        assert!(blanked.contains("rule a") && blanked.contains("rule c") && !blanked.contains("rule b"));
        assert_eq!(blanked.len(), text.len());
    }

    #[test]
    fn finds_deep_types_and_comments() {
        let types =
            format!("type T {{\n  xs: {}int{}\n}}\n", "list <".repeat(MAX_NESTING + 1), ">".repeat(MAX_NESTING + 1));
        assert_eq!(find_too_deep(&types).iter().map(|d| d.what).collect::<Vec<_>>(), [Nesting::Types]);
        let comparisons = format!("rule r {{ require {} }}", "a < b and ".repeat(2 * MAX_NESTING));
        assert!(find_too_deep(&comparisons).is_empty());
        let comments = format!("{}x{}", "/*".repeat(MAX_NESTING + 1), "*/".repeat(MAX_NESTING + 1));
        assert_eq!(find_too_deep(&comments).iter().map(|d| d.what).collect::<Vec<_>>(), [Nesting::Comments]);
    }

    #[test]
    fn brackets_in_comments_do_not_count() {
        let text = format!("// {}\n/* {} */ rule a {{}}", "(".repeat(500), "[".repeat(500));
        assert!(find_too_deep(&text).is_empty());
    }
}
