//! Finding the comments of a parsed file: the grammar drops them, the formatter must not.
//!
//! The scan skips string literals by their spans in the AST rather than by lexing quotes, so a
//! `//` in a URL, a `"` inside an interpolation or a brace in a clause id never confuses it.

use crate::syntax::ast::*;

/// A comment in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// First byte (the `/`).
    pub start: usize,
    /// One past the last byte: the newline of a line comment is not part of it.
    pub end: usize,
    /// `/* … */` rather than `//` or `///`.
    pub block: bool,
}

impl Comment {
    /// The comment as it is printed: a line comment loses its trailing blanks.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        let raw = &text[self.start..self.end];
        if self.block { raw } else { raw.trim_end() }
    }
}

/// Every comment of `text` outside string literals, in source order. Doc comments (`///`)
/// are included: the formatter places them like any other comment.
pub(super) fn scan(text: &str, file: &File) -> Vec<Comment> {
    let strings = string_spans(file);
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut next_string = 0;
    let mut i = 0;
    while i < bytes.len() {
        while strings.get(next_string).is_some_and(|&(s, _)| s < i) {
            next_string += 1;
        }
        if let Some(&(s, e)) = strings.get(next_string)
            && s == i
        {
            i = e.max(i + 1);
            continue;
        }
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| i + n);
            found.push(Comment { start: i, end, block: false });
            i = end;
        } else if rest.starts_with(b"/*") {
            let end = block_end(bytes, i);
            found.push(Comment { start: i, end, block: true });
            i = end;
        } else if rest[0] == b'"' {
            // Not a string the AST knows of (cannot happen in a file that parsed): skip it as
            // the grammar would, to the closing quote on the same line.
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    found
}

/// The byte ranges of the string literals of `file`, sorted; nested ones included.
pub(super) fn string_spans(file: &File) -> Vec<(usize, usize)> {
    let mut strings = Vec::new();
    for item in &file.items {
        item_strings(item, &mut strings);
    }
    strings.sort_unstable();
    strings
}

/// The end of the (nesting) block comment that starts at `start`.
fn block_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

type Spans = Vec<(usize, usize)>;

fn plain(s: &PlainString, out: &mut Spans) {
    out.push((s.span.start as usize, s.span.end as usize));
}

fn item_strings(item: &Item, out: &mut Spans) {
    match &item.kind {
        ItemKind::Package(_) | ItemKind::Import(_) | ItemKind::Enum(_) | ItemKind::Error(_) => {}
        ItemKind::Extern(x) => plain(&x.from, out),
        ItemKind::Type(r) | ItemKind::Facts(r) => {
            for f in &r.fields {
                if let Some(d) = &f.default {
                    expr_strings(d, out);
                }
            }
        }
        ItemKind::Const(c) => expr_strings(&c.value, out),
        ItemKind::Fn(f) => {
            for l in &f.lets {
                expr_strings(&l.value, out);
            }
            expr_strings(&f.body, out);
        }
        ItemKind::Rule(r) => {
            for s in &r.stmts {
                match &s.kind {
                    RuleStmtKind::Clause(v) | RuleStmtKind::Tags(v) => v.iter().for_each(|p| plain(p, out)),
                    RuleStmtKind::Title(p) => plain(p, out),
                    RuleStmtKind::Severity(_) => {}
                    RuleStmtKind::When(e) | RuleStmtKind::Unless(e) => expr_strings(e, out),
                    RuleStmtKind::Let(l) => expr_strings(&l.value, out),
                    RuleStmtKind::For { source, filter, .. } => {
                        expr_strings(source, out);
                        filter.iter().for_each(|f| expr_strings(f, out));
                    }
                    RuleStmtKind::Require { cond, message } => {
                        expr_strings(cond, out);
                        message.iter().for_each(|m| expr_strings(m, out));
                    }
                    RuleStmtKind::Attest { by, .. } => by.iter().for_each(|b| expr_strings(b, out)),
                }
            }
        }
        ItemKind::Test(t) => {
            plain(&t.name, out);
            for g in &t.givens {
                plain(&g.file, out);
                for p in &g.patches {
                    expr_strings(&p.value, out);
                }
            }
            for e in &t.expects {
                e.message.iter().for_each(|m| plain(m, out));
            }
        }
        ItemKind::Section(s) => {
            plain(&s.id, out);
            plain(&s.title, out);
            for c in &s.clauses {
                plain(&c.id, out);
                plain(&c.text, out);
            }
        }
    }
}

/// The spans of the string literals in `e`. An interpolated string counts whole: what is
/// inside it, comments included, is printed as written.
fn expr_strings(e: &Expr, out: &mut Spans) {
    match &e.kind {
        ExprKind::Str(_) => out.push((e.span.start as usize, e.span.end as usize)),
        ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Date(_)
        | ExprKind::Duration(_)
        | ExprKind::Bool(_)
        | ExprKind::None
        | ExprKind::Facts
        | ExprKind::AsOf
        | ExprKind::Name(_)
        | ExprKind::Error => {}
        ExprKind::Field(b, _) | ExprKind::OptField(b, _) | ExprKind::Unary(_, b) | ExprKind::Paren(b) => {
            expr_strings(b, out)
        }
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            expr_strings(a, out);
            expr_strings(b, out);
        }
        ExprKind::If(c, t, e) => {
            expr_strings(c, out);
            expr_strings(t, out);
            expr_strings(e, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| expr_strings(&a.value, out)),
        ExprKind::Quant { source, filter, body, .. } => {
            expr_strings(source, out);
            filter.iter().for_each(|f| expr_strings(f, out));
            body.iter().for_each(|b| expr_strings(b, out));
        }
        ExprKind::List(xs) | ExprKind::Set(xs) => xs.iter().for_each(|x| expr_strings(x, out)),
        ExprKind::Record(_, fields) => fields.iter().for_each(|(_, v)| expr_strings(v, out)),
    }
}
