//! Signature help: the parameters of the function being called, the current one highlighted.
//! Found from the text (the call is usually unfinished while it is being typed).

use super::lexer::{TokenKind, tokenize};
use super::{item_file, text};
use crate::db::{Db, SourceFile};
use crate::names::{DefKind, file_scope};
use crate::sema::signatures;

/// A signature with the parameter being written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    /// The whole signature, e.g. `fn approved(a: Approval?, by: Role) -> bool`.
    pub label: String,
    /// Each parameter's label (a substring of `label`).
    pub params: Vec<String>,
    /// The parameter the cursor is in.
    pub active: usize,
    /// Documentation (Markdown).
    pub doc: String,
}

/// The signature and description of a built-in function.
pub(crate) fn builtin_signature(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "length" => {
            ("length(x: string | list<T> | set<T>) -> int", "Characters of a string, or elements of a list or set.")
        }
        "count" => (
            "count(xs: list<T> | set<T>) -> int",
            "The number of elements; `count(x in xs where p)` counts those satisfying `p`.",
        ),
        "contains" => ("contains(s: string, part: string) -> bool", "Whether `part` occurs in `s`."),
        "starts_with" => ("starts_with(s: string, prefix: string) -> bool", "Whether `s` starts with `prefix`."),
        "ends_with" => ("ends_with(s: string, suffix: string) -> bool", "Whether `s` ends with `suffix`."),
        "lower" => ("lower(s: string) -> string", "Lower-case."),
        "upper" => ("upper(s: string) -> string", "Upper-case."),
        "trim" => ("trim(s: string) -> string", "Without leading and trailing whitespace."),
        "has_digit" => ("has_digit(s: string) -> bool", "Whether `s` has a digit (数字)."),
        "has_upper" => ("has_upper(s: string) -> bool", "Whether `s` has an upper-case letter (英大文字)."),
        "has_lower" => ("has_lower(s: string) -> bool", "Whether `s` has a lower-case letter (英小文字)."),
        "has_symbol" => {
            ("has_symbol(s: string) -> bool", "Whether `s` has a symbol (記号): neither a letter, a digit nor a space.")
        }
        "year" => ("year(d: date) -> int", "The year."),
        "month" => ("month(d: date) -> int", "The month, 1–12."),
        "day" => ("day(d: date) -> int", "The day of the month."),
        "fiscal_year" => (
            "fiscal_year(d: date) -> int",
            "The Japanese fiscal year (年度, April–March), named by the year it starts in.",
        ),
        "days" => ("days(d: duration) -> int", "The nominal length in whole days (a month is 30.4375 days)."),
        "days_between" => ("days_between(a: date, b: date) -> int", "`b - a` in days."),
        "abs" => ("abs(x: int | decimal) -> int | decimal", "The absolute value."),
        "min" => (
            "min(a: T, b: T) -> T",
            "The lesser of two values; `min(x in xs: e)` is the least over a collection (`none` when empty).",
        ),
        "max" => (
            "max(a: T, b: T) -> T",
            "The greater of two values; `max(x in xs: e)` is the greatest over a collection (`none` when empty).",
        ),
        "sum" => (
            "sum(xs: list<int | decimal | duration>) -> int | decimal | duration",
            "The sum; `sum(x in xs: e)` sums `e`.",
        ),
        "to_set" => ("to_set(xs: list<T>) -> set<T>", "The distinct elements of a list."),
        "is_empty" => ("is_empty(xs: list<T> | set<T>) -> bool", "Whether there is no element."),
        "is_none" => ("is_none(x: T?) -> bool", "Whether `x` is `none`."),
        "is_some" => ("is_some(x: T?) -> bool", "Whether `x` is not `none`."),
        _ => return None,
    })
}

/// The signature of the call around `offset`.
pub fn signature_help(db: &dyn Db, file: SourceFile, offset: u32) -> Option<SignatureHelp> {
    let src = text(db, file);
    let tokens = tokenize(&src);
    let before: Vec<_> = tokens
        .iter()
        .filter(|t| t.span.end <= offset && !matches!(t.kind, TokenKind::Comment | TokenKind::DocComment))
        .collect();
    // Walk back to the unclosed `(` of the call, counting commas at its level.
    let mut depth = 0i32;
    let mut commas = 0usize;
    let mut named: Option<&str> = None;
    let mut open = None;
    for (i, t) in before.iter().enumerate().rev() {
        let s = &src[t.span.range()];
        match s {
            ")" | "]" | "}" => depth += 1,
            "(" | "[" | "{" if depth > 0 => depth -= 1,
            "(" => {
                open = Some(i);
                break;
            }
            "[" | "{" => return None,
            "," if depth == 0 => commas += 1,
            ":" if depth == 0 && commas == 0 && named.is_none() => {
                named = before.get(i.wrapping_sub(1)).map(|t| &src[t.span.range()]);
            }
            _ => {}
        }
    }
    let open = open?;
    let callee =
        before.get(open.checked_sub(1)?).filter(|t| t.kind == TokenKind::Word).map(|t| &src[t.span.range()])?;
    let (label, params, doc) = match file_scope(db, file).get(callee) {
        [def] if def.kind == DefKind::Fn => {
            let sig = signatures(db, item_file(db, &def.qname)?).func(&def.qname)?.clone();
            let params: Vec<String> = sig.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            (format!("fn {callee}({}) -> {}", params.join(", "), sig.ret), params, sig.doc.clone())
        }
        _ => {
            let (sig, doc) = builtin_signature(callee)?;
            let inner = sig.split_once('(').and_then(|(_, r)| r.rsplit_once(')')).map_or("", |(p, _)| p);
            let params = split_params(inner);
            (sig.to_string(), params, doc.to_string())
        }
    };
    // A named argument (`by: …`) selects its parameter; otherwise commas count.
    let active = named
        .and_then(|n| params.iter().position(|p| p.split(':').next() == Some(n)))
        .unwrap_or(commas)
        .min(params.len().saturating_sub(1));
    Some(SignatureHelp { label, params, active, doc })
}

/// Splits `a: T, b: list<U>` at the commas not inside `<…>`.
fn split_params(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}
