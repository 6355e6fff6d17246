//! Expressions: the canonical one-line form, and the line-breaking rules 3–5 of the module
//! documentation for an expression that does not fit.

use super::WIDTH;
use crate::syntax::ast::*;

/// Lays out expressions of one source text (literals and strings are copied from it).
#[derive(Clone, Copy, Debug)]
pub(super) struct Exprs<'t> {
    pub text: &'t str,
}

/// Where an expression goes: the column it starts at, the indentation of the line it starts
/// on, the indentation of its continuation lines, how many columns follow it on its last line,
/// and whether it begins its line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Place {
    pub col: usize,
    pub indent: usize,
    pub cont: usize,
    pub trail: usize,
    pub starts_line: bool,
}

impl Place {
    /// An expression after some text on the line of a statement indented by `indent`.
    pub fn after(col: usize, indent: usize) -> Place {
        Place { col, indent, cont: indent + 4, trail: 0, starts_line: false }
    }

    /// An expression that begins its own line at `indent`.
    pub fn line(indent: usize) -> Place {
        Place { col: indent, indent, cont: indent + 2, trail: 0, starts_line: true }
    }

    /// The place of an operand that starts a continuation line after `lead` columns.
    fn continuation(self, lead: usize, trail: usize) -> Place {
        Place { col: self.cont + lead, indent: self.cont, cont: self.cont + 2, trail, starts_line: false }
    }
}

/// Display columns of `s`: two for East Asian wide characters, one for the others.
pub(super) fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// The column after `s` when it is written starting at `col`.
pub(super) fn end_col(col: usize, s: &str) -> usize {
    match s.rfind('\n') {
        Some(i) => width(&s[i + 1..]),
        None => col + width(s),
    }
}

/// Whether `s`, written at `col` and followed by `trail` columns, stays within [`WIDTH`].
pub(super) fn fits(col: usize, s: &str, trail: usize) -> bool {
    !s.contains('\n') && col + width(s) + trail <= WIDTH
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

impl<'t> Exprs<'t> {
    /// The source text of `e`, exactly as written.
    fn source(&self, e: &Expr) -> &'t str {
        self.text.get(e.span.range()).unwrap_or_default()
    }

    /// `e` on one line with canonical spacing.
    pub fn flat(&self, e: &Expr) -> String {
        let mut out = String::new();
        self.flat_into(e, &mut out);
        out
    }

    fn flat_into(&self, e: &Expr, out: &mut String) {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Date(_)
            | ExprKind::Duration(_)
            | ExprKind::Str(_)
            | ExprKind::Error => out.push_str(self.source(e)),
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::None => out.push_str("none"),
            ExprKind::Facts => out.push_str("facts"),
            ExprKind::AsOf => out.push_str("as_of"),
            ExprKind::Name(n) => out.push_str(&n.name),
            ExprKind::Field(base, name) => {
                self.flat_into(base, out);
                out.push('.');
                out.push_str(&name.name);
            }
            ExprKind::OptField(base, name) => {
                self.flat_into(base, out);
                out.push_str("?.");
                out.push_str(&name.name);
            }
            ExprKind::Index(base, index) => {
                self.flat_into(base, out);
                out.push('[');
                self.flat_into(index, out);
                out.push(']');
            }
            ExprKind::Unary(op, x) => {
                out.push_str(match op {
                    UnaryOp::Not => "not ",
                    UnaryOp::Neg => "-",
                });
                self.flat_into(x, out);
            }
            ExprKind::Binary(op, l, r) => {
                self.flat_into(l, out);
                out.push(' ');
                out.push_str(op.token());
                out.push(' ');
                self.flat_into(r, out);
            }
            ExprKind::If(c, t, f) => {
                out.push_str("if ");
                self.flat_into(c, out);
                out.push_str(" then ");
                self.flat_into(t, out);
                out.push_str(" else ");
                self.flat_into(f, out);
            }
            ExprKind::Call(name, args) => {
                out.push_str(&name.name);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.arg_into(a, out);
                }
                out.push(')');
            }
            ExprKind::Quant { name, var, source, filter, body } => {
                out.push_str(&name.name);
                out.push('(');
                out.push_str(&var.name);
                out.push_str(" in ");
                self.flat_into(source, out);
                if let Some(f) = filter {
                    out.push_str(" where ");
                    self.flat_into(f, out);
                }
                if let Some(b) = body {
                    out.push_str(": ");
                    self.flat_into(b, out);
                }
                out.push(')');
            }
            ExprKind::List(xs) => {
                out.push('[');
                self.list_into(xs, out);
                out.push(']');
            }
            ExprKind::Set(xs) => {
                out.push('{');
                self.list_into(xs, out);
                out.push('}');
            }
            ExprKind::Record(ty, fields) => {
                out.push_str(&ty.joined());
                if fields.is_empty() {
                    out.push_str(" {}");
                    return;
                }
                out.push_str(" { ");
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&name.name);
                    out.push_str(": ");
                    self.flat_into(value, out);
                }
                out.push_str(" }");
            }
            ExprKind::Paren(x) => {
                out.push('(');
                self.flat_into(x, out);
                out.push(')');
            }
        }
    }

    fn arg_into(&self, a: &Arg, out: &mut String) {
        if let Some(n) = &a.name {
            out.push_str(&n.name);
            out.push_str(": ");
        }
        self.flat_into(&a.value, out);
    }

    fn list_into(&self, xs: &[Expr], out: &mut String) {
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.flat_into(x, out);
        }
    }

    /// `e` at `at`: on one line if it fits, else broken by the rules of the module
    /// documentation. Lines after the first carry their indentation.
    pub fn layout(&self, e: &Expr, at: Place) -> String {
        let flat = self.flat(e);
        if fits(at.col, &flat, at.trail) && !always_breaks(e) {
            return flat;
        }
        match &e.kind {
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), ..) => self.chain(e, *op, at),
            ExprKind::If(..) => self.if_chain(e, at),
            ExprKind::Quant { name, var, source, filter, body } => {
                self.quant(&name.name, &var.name, source, filter.as_deref(), body.as_deref(), at)
            }
            ExprKind::Unary(UnaryOp::Not, x) => {
                let inner = self.layout(x, Place { col: at.col + 4, starts_line: false, ..at });
                format!("not {inner}")
            }
            ExprKind::Paren(x) => {
                let inner = self.layout(x, Place { col: at.col + 1, trail: at.trail + 1, starts_line: false, ..at });
                format!("({inner})")
            }
            ExprKind::Call(name, args) => self.call(&name.name, args, at).unwrap_or(flat),
            ExprKind::Record(ty, fields) => self.record(&ty.joined(), fields, at),
            ExprKind::List(xs) => self.elements('[', xs, ']', at),
            ExprKind::Set(xs) => self.elements('{', xs, '}', at),
            _ => flat,
        }
    }

    /// Rule 3: `a and b or c` with every operator of the loosest chain starting a line.
    fn chain(&self, e: &Expr, op: BinaryOp, at: Place) -> String {
        let mut rights = Vec::new();
        let mut first = e;
        while let ExprKind::Binary(o, l, r) = &first.kind
            && *o == op
        {
            rights.push(r.as_ref());
            first = l;
        }
        rights.reverse();
        let mut out = self.layout(first, Place { trail: 0, ..at });
        let token = op.token();
        for (i, r) in rights.iter().enumerate() {
            newline(&mut out, at.cont);
            out.push_str(token);
            out.push(' ');
            let trail = if i + 1 == rights.len() { at.trail } else { 0 };
            out.push_str(&self.layout(r, at.continuation(token.len() + 1, trail)));
        }
        out
    }

    /// Rule 4: `if a then b` / `else if c then d` / `else e`, one branch a line.
    fn if_chain(&self, e: &Expr, at: Place) -> String {
        let else_col = if at.starts_line { at.col } else { at.cont };
        let branch =
            |col: usize, trail: usize| Place { col, indent: else_col, cont: else_col + 4, trail, starts_line: false };
        let mut out = String::new();
        let mut current = e;
        let mut col = at.col;
        let mut first = true;
        loop {
            match &current.kind {
                ExprKind::If(c, t, f) => {
                    if !first {
                        newline(&mut out, else_col);
                        out.push_str("else ");
                        col = else_col + 5;
                    }
                    first = false;
                    out.push_str("if ");
                    let cond = self.layout(c, branch(col + 3, " then ".len()));
                    out.push_str(&cond);
                    out.push_str(" then ");
                    col = end_col(col + 3, &cond) + " then ".len();
                    out.push_str(&self.layout(t, branch(col, 0)));
                    current = f;
                }
                _ => {
                    newline(&mut out, else_col);
                    out.push_str("else ");
                    out.push_str(&self.layout(current, branch(else_col + 5, at.trail)));
                    return out;
                }
            }
        }
    }

    /// Rule 5: `q(x in xs` / `where filter: body)`, or `q(x in xs:` / `body)`.
    fn quant(
        &self,
        name: &str,
        var: &str,
        source: &Expr,
        filter: Option<&Expr>,
        body: Option<&Expr>,
        at: Place,
    ) -> String {
        let mut out = format!("{name}({var} in ");
        let col = at.col + width(&out);
        let source_trail = if filter.is_some() { 0 } else { 1 };
        let src = self.layout(source, Place { col, trail: source_trail, starts_line: false, ..at });
        out.push_str(&src);
        match (filter, body) {
            (Some(f), body) => {
                newline(&mut out, at.cont);
                out.push_str("where ");
                let body_flat = body.map(|b| self.flat(b));
                let after = body_flat.as_ref().map_or(0, |b| 2 + width(b)) + 1 + at.trail;
                let filter = self.layout(f, at.continuation("where ".len(), after));
                out.push_str(&filter);
                if let Some(b) = body {
                    out.push_str(": ");
                    let col = end_col(at.cont + "where ".len(), &filter) + 2;
                    let place = Place { col, ..at.continuation(0, at.trail + 1) };
                    out.push_str(&self.layout(b, place));
                }
            }
            (None, Some(b)) => {
                out.push(':');
                newline(&mut out, at.cont);
                out.push_str(&self.layout(b, at.continuation(0, at.trail + 1)));
            }
            (None, None) => {}
        }
        out.push(')');
        out
    }

    /// A call whose last argument breaks when laid out after the others, or `None`.
    fn call(&self, name: &str, args: &[Arg], at: Place) -> Option<String> {
        let (last, init) = args.split_last()?;
        if is_atom(&last.value) {
            return None;
        }
        let mut out = format!("{name}(");
        for a in init {
            self.arg_into(a, &mut out);
            out.push_str(", ");
        }
        if let Some(n) = &last.name {
            out.push_str(&n.name);
            out.push_str(": ");
        }
        let col = at.col + width(&out);
        let value = self.layout(&last.value, Place { col, trail: at.trail + 1, starts_line: false, ..at });
        if !value.contains('\n') {
            return None;
        }
        out.push_str(&value);
        out.push(')');
        Some(out)
    }

    /// Rule 6: `Type {` / one `field: value,` a line / `}`.
    fn record(&self, ty: &str, fields: &[(Ident, Expr)], at: Place) -> String {
        if fields.is_empty() {
            return format!("{ty} {{}}");
        }
        let inner = at.indent + 2;
        let mut out = format!("{ty} {{");
        for (name, value) in fields {
            newline(&mut out, inner);
            out.push_str(&name.name);
            out.push_str(": ");
            let col = inner + name.name.len() + 2;
            let place = Place { col, indent: inner, cont: inner + 4, trail: 1, starts_line: false };
            out.push_str(&self.layout(value, place));
            out.push(',');
        }
        newline(&mut out, at.indent);
        out.push('}');
        out
    }

    /// Rule 6: `[` / one element a line / `]` (scalars filling the lines), or `[Type {` … `}]`
    /// for a lone literal.
    fn elements(&self, open: char, xs: &[Expr], close: char, at: Place) -> String {
        if let [only] = xs
            && matches!(only.kind, ExprKind::Record(..) | ExprKind::List(_) | ExprKind::Set(_))
        {
            let inner = self.layout(only, Place { col: at.col + 1, trail: at.trail + 1, starts_line: false, ..at });
            return format!("{open}{inner}{close}");
        }
        if xs.is_empty() {
            return format!("{open}{close}");
        }
        let inner = at.indent + 2;
        let mut out = String::from(open);
        if xs.iter().all(is_atom) {
            // Short scalars fill the lines.
            let mut col = WIDTH;
            for x in xs {
                let piece = format!("{},", self.flat(x));
                let w = width(&piece);
                if col + 1 + w > WIDTH {
                    newline(&mut out, inner);
                    col = inner + w;
                } else {
                    out.push(' ');
                    col += 1 + w;
                }
                out.push_str(&piece);
            }
            newline(&mut out, at.indent);
            out.push(close);
            return out;
        }
        for x in xs {
            newline(&mut out, inner);
            let place = Place { col: inner, indent: inner, cont: inner + 4, trail: 1, starts_line: false };
            out.push_str(&self.layout(x, place));
            out.push(',');
        }
        newline(&mut out, at.indent);
        out.push(close);
        out
    }
}

/// Whether `e` is broken even when it fits: an `if` with an `else if` (rule 4).
pub(super) fn always_breaks(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::If(_, _, f) if matches!(f.kind, ExprKind::If(..)))
}

/// A literal or a name: an element that fills lines rather than taking one of its own.
fn is_atom(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Date(_)
        | ExprKind::Duration(_)
        | ExprKind::Bool(_)
        | ExprKind::None
        | ExprKind::Str(_)
        | ExprKind::Facts
        | ExprKind::AsOf
        | ExprKind::Name(_) => true,
        ExprKind::Field(base, _) | ExprKind::OptField(base, _) | ExprKind::Unary(UnaryOp::Neg, base) => is_atom(base),
        _ => false,
    }
}
