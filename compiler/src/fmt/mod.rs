//! `okite fmt`: one canonical layout for every file that parses.
//!
//! The formatter prints the AST again, taking from the source text only what the AST does not
//! hold: literals and strings (re-emitted exactly as written, escapes and Japanese text
//! untouched), comments, and whether a blank line separated two statements.
//!
//! # Layout
//!
//! - Two spaces of indentation; one item, field, variant, statement, patch or clause a line;
//!   each `{ … }` body opens on its header's line and closes on a line of its own. An empty body
//!   is `{}`.
//! - Items are separated by exactly one blank line, except consecutive `import`s, which keep at
//!   most one blank line where the source had one. Inside a body, a blank line of the source
//!   between two entries is kept as one blank line; blank lines after `{` and before `}` go.
//!   Items are never reordered (the order is part of the AST).
//! - Separators are canonical: `a >= b`, `not x`, `-x`, `f(x, by: y)`,
//!   `any(x in xs where p: q)`, `[a, b]`, `{a, b}`, `Type { f: v }`, `name: type = default`.
//!   Commas between fields and variants are dropped; parentheses are kept exactly where written.
//! - `fn`s keep the body form they were written with (`= expr` or a `{ … }` block).
//!
//! # Line breaking
//!
//! A line is at most [`WIDTH`] columns, counting East Asian wide characters (kana, kanji,
//! full-width forms) as two. A line that fits is never broken (but see rule 4). One that does
//! not is broken by these rules; a line that no rule can shorten (a long string, a call with
//! many arguments) stays long:
//!
//! 1. A rule statement's continuation clause goes on its own line, two columns deeper than the
//!    statement: `else "…"` of `require`, `where …` of `for`. An `unless` statement that follows
//!    a `for` is always indented the same way, as the proviso of that subject, and so are the
//!    `let`s between them.
//! 2. The value of a `const`, or the `= expr` body of a `fn`, moves to its own line, indented by
//!    two (unless it is a literal that would not fit there either: rule 6 breaks it in place).
//! 3. An `and`/`or` chain puts each of its operators at the start of a continuation line. A
//!    continuation line is four columns deeper than the statement it belongs to, or two deeper
//!    than an expression that begins its own line. An operand that still does not fit is broken
//!    the same way, two columns deeper (the chain's first operand shares the chain's lines).
//! 4. An `if … then … else …` puts each `else` on its own line: at the `if`'s column when the
//!    `if` begins the line, at the continuation indentation otherwise. An `if` with an
//!    `else if` always does, fitting or not.
//! 5. A quantifier puts `where FILTER` on a continuation line, or, without a filter, its body
//!    after `:`; the filter or body then breaks by rule 3. A call lets its last argument break
//!    after the others; `not` and parentheses let their operand break.
//! 6. A record literal puts one `field: value,` a line, two columns deeper than the line it
//!    starts on, and its `}` on a line of its own; a list or set literal does the same with its
//!    elements, except that literals and names fill the lines, and that a lone record (or list)
//!    element keeps its brackets on the same lines: `[Account {` … `}]`.
//!
//! # Comments
//!
//! Comments are found by scanning the source outside string literals (whose spans come from
//! the AST). Each comment belongs to the nearest entry of the body it sits in: one that starts
//! on the line where the previous entry (or the body's `{`) ends trails it on the same line;
//! any other is printed on its own line before the next entry, or before the `}` when none
//! follows. Doc comments (`///`) are comments like the others, so they stay just before their
//! item, field, variant or clause. A comment inside an entry (between the tokens of a
//! statement, a field, an item's header) makes that entry print exactly as written, so no
//! comment is ever lost or moved into an expression.
//!
//! # Safety
//!
//! A file with any syntax error is not formatted ([`FormatError::Syntax`]). The result is
//! parsed again and compared with the input's AST (spans erased) and comments: a mismatch would
//! be a bug in the formatter and is reported as [`FormatError::Unstable`] rather than written.

mod comments;
mod expr;
mod print;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;

use crate::span::LineIndex;
use crate::syntax::{self, ast};

/// The widest a line may be, in columns, before the formatter breaks it.
pub const WIDTH: usize = 100;

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The file does not parse; the first error, one-based.
    Syntax {
        /// Line of the error.
        line: u32,
        /// Column of the error, in characters.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The formatted text would not mean the same as the input: a bug in the formatter. The
    /// file is left as it is.
    Unstable {
        /// What differed.
        message: String,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax { line, column, message } => write!(f, "{line}:{column}: {message}"),
            FormatError::Unstable { message } => {
                write!(f, "the formatter would change this file's meaning ({message}); please report it")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats one file. Returns the canonical text (ending in one newline, or empty for an empty
/// file), or why the file cannot be formatted.
pub fn format(text: &str) -> Result<String, FormatError> {
    let normalized;
    let text = if text.contains("\r\n") {
        // A carriage return is whitespace wherever it may stand (strings cannot span lines).
        normalized = text.replace("\r\n", "\n");
        normalized.as_str()
    } else {
        text
    };
    let parsed = parse_clean(text)?;
    let found = comments::scan(text, &parsed);
    let out = print::file(text, &parsed, &found);

    // Never hand back a text that means something else.
    let reparsed = syntax::parse(&path(), &out);
    if !reparsed.errors.is_empty() {
        return Err(FormatError::Unstable { message: "the result does not parse".into() });
    }
    if fingerprint(&parsed) != fingerprint(&reparsed.file) {
        return Err(FormatError::Unstable { message: "the result parses to a different tree".into() });
    }
    let after = comments::scan(&out, &reparsed.file);
    if comment_texts(text, &found) != comment_texts(&out, &after) {
        return Err(FormatError::Unstable { message: "comments would be lost or reordered".into() });
    }
    Ok(out)
}

fn path() -> Arc<str> {
    Arc::from("<fmt>")
}

/// Parses `text`, or reports its first syntax error.
fn parse_clean(text: &str) -> Result<ast::File, FormatError> {
    let parsed = syntax::parse(&path(), text);
    match parsed.errors.iter().min_by_key(|d| d.primary.span.start) {
        None => Ok(parsed.file),
        Some(d) => {
            let (line, column) = LineIndex::new(text).line_col(text, d.primary.span.start);
            Err(FormatError::Syntax { line, column, message: d.message.clone() })
        }
    }
}

/// The comments' texts in order, line comments without trailing blanks.
fn comment_texts<'t>(text: &'t str, found: &[comments::Comment]) -> Vec<&'t str> {
    found.iter().map(|c| c.text(text)).collect()
}

/// The tree as `Debug` prints it with every span erased: two parses that differ only in where
/// things are written have the same fingerprint.
fn fingerprint(file: &ast::File) -> String {
    erase_spans(&format!("{file:?}"))
}

/// Replaces every `start..end` (how [`Span`](crate::span::Span) prints) outside string literals with `_`.
fn erase_spans(debug: &str) -> String {
    let bytes = debug.as_bytes();
    let mut out = String::with_capacity(debug.len());
    let mut i = 0;
    let mut last = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b.is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if bytes[j..].starts_with(b"..") && bytes.get(j + 2).is_some_and(u8::is_ascii_digit) {
                let mut k = j + 2;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                out.push_str(&debug[last..start]);
                out.push('_');
                last = k;
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out.push_str(&debug[last..]);
    out
}
