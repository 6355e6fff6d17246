//! A forgiving lexer for the editor: it never fails, and it splits strings around their
//! `{…}` interpolations, so that semantic highlighting and completion work on text that does
//! not parse yet.

use crate::span::Span;

/// The kinds of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or a keyword.
    Word,
    /// A number, date or duration literal.
    Number,
    /// Literal text of a string (quotes included at its ends).
    Str,
    /// `// …` or `/* … */`.
    Comment,
    /// `/// …`
    DocComment,
    /// Anything else: operators and punctuation, one or two characters.
    Punct,
}

/// A token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Its kind.
    pub kind: TokenKind,
    /// Where.
    pub span: Span,
}

/// Splits `text` into tokens (whitespace is skipped).
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // Interpolation depth stack: for each open `{` inside a string, the brace depth at which
    // the string resumes.
    let mut resume: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0usize;
    let push = |out: &mut Vec<Token>, kind, s: usize, e: usize| out.push(Token { kind, span: Span::new(s, e) });
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let doc = bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/');
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            push(&mut out, if doc { TokenKind::DocComment } else { TokenKind::Comment }, start, i);
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let mut nest = 0usize;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    nest += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    nest -= 1;
                    i += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            push(&mut out, TokenKind::Comment, start, i);
            continue;
        }
        if b == b'"' || (b == b'}' && resume.last() == Some(&depth)) {
            // A string, or the rest of one after an interpolation.
            if b == b'}' {
                resume.pop();
            }
            i += 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\n' => break,
                    b'{' if bytes.get(i + 1) == Some(&b'{') => i += 2,
                    b'}' if bytes.get(i + 1) == Some(&b'}') => i += 2,
                    b'{' => {
                        resume.push(depth);
                        i += 1;
                        push(&mut out, TokenKind::Str, start, i);
                        break;
                    }
                    _ => i += 1,
                }
            }
            if out.last().is_none_or(|t| t.span.start as usize != start) {
                push(&mut out, TokenKind::Str, start, i.min(bytes.len()));
            }
            continue;
        }
        if b.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'-')) {
                // Dates (`2025-04-01`), decimals and durations are one token; a `-` continues
                // only a date.
                if bytes[i] == b'-' && !(i - start == 4 || i - start == 7) {
                    break;
                }
                if bytes[i] == b'.' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            push(&mut out, TokenKind::Number, start, i);
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            push(&mut out, TokenKind::Word, start, i);
            continue;
        }
        let two = bytes.get(i..i + 2).unwrap_or(&[]);
        let len = if matches!(two, b"==" | b"!=" | b"<=" | b">=" | b"??" | b"?." | b"->" | b"+=") { 2 } else { 1 };
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        // Step over a whole character, so a token never splits UTF-8.
        let ch_len = text.get(i..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
        i += len.max(ch_len);
        push(&mut out, TokenKind::Punct, start, i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text).into_iter().map(|t| (t.kind, &text[t.span.range()])).collect()
    }

    #[test]
    fn splits_strings_around_interpolations() {
        assert_eq!(
            kinds(r#"else "{s.name}: {n} 桁""#),
            vec![
                (TokenKind::Word, "else"),
                (TokenKind::Str, "\"{"),
                (TokenKind::Word, "s"),
                (TokenKind::Punct, "."),
                (TokenKind::Word, "name"),
                (TokenKind::Str, "}: {"),
                (TokenKind::Word, "n"),
                (TokenKind::Str, "} 桁\""),
            ]
        );
    }

    #[test]
    fn literals_comments_and_operators() {
        assert_eq!(
            kinds("/// doc\nx >= 2025-04-01 - 90d // c\n/* a /* b */ c */ 1.5 ?? y?.z"),
            vec![
                (TokenKind::DocComment, "/// doc"),
                (TokenKind::Word, "x"),
                (TokenKind::Punct, ">="),
                (TokenKind::Number, "2025-04-01"),
                (TokenKind::Punct, "-"),
                (TokenKind::Number, "90d"),
                (TokenKind::Comment, "// c"),
                (TokenKind::Comment, "/* a /* b */ c */"),
                (TokenKind::Number, "1.5"),
                (TokenKind::Punct, "??"),
                (TokenKind::Word, "y"),
                (TokenKind::Punct, "?."),
                (TokenKind::Word, "z"),
            ]
        );
    }
}
