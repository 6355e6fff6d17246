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
    &["package", "import", "type", "enum", "facts", "const", "fn", "rule", "test", "section"];

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

/// Finds item chunks nested deeper than [`MAX_NESTING`]. Returns, for each, the chunk and the
/// position of its first bracket beyond the limit.
pub fn find_too_deep(text: &str) -> Vec<(Span, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut chunk_start = 0usize;
    let mut depth = 0usize;
    let mut deep_at: Option<usize> = None;
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
                if let Some(at) = deep_at.take() {
                    out.push((Span::new(chunk_start, i), at));
                }
                chunk_start = i + 1;
                depth = 0;
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
                if depth > MAX_NESTING && deep_at.is_none() {
                    deep_at = Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    if let Some(at) = deep_at {
        out.push((Span::new(chunk_start, bytes.len()), at));
    }
    out
}

/// `text` with the given chunks replaced by spaces (newlines kept, so lines stay put).
pub fn blank_out(text: &str, chunks: &[(Span, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for (span, _) in chunks {
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
        let (span, _) = found[0];
        assert!(text[span.range()].starts_with("rule b"));
        let blanked = blank_out(&text, &found);
        assert!(blanked.contains("rule a") && blanked.contains("rule c") && !blanked.contains("rule b"));
        assert_eq!(blanked.len(), text.len());
    }

    #[test]
    fn brackets_in_comments_do_not_count() {
        let text = format!("// {}\n/* {} */ rule a {{}}", "(".repeat(500), "[".repeat(500));
        assert!(find_too_deep(&text).is_empty());
    }
}
