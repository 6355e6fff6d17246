//! Renders IR back to Okite source syntax, for explanations and debugging.
//!
//! The compiler stores the rendered text of conditions in the IR (`Require::text`); the
//! runtime renders sub-expressions when it explains a failure. Both go through here so that
//! what an officer reads always looks like what they wrote.

use std::fmt::Write;

use crate::expr::{BinOp, Builtin, Const, Expr, ExprKind, InterpPart, QuantKind, UnOp};
use crate::program::{LocalDef, Program};
use crate::types::Type;

/// Renders `expr`, naming locals from `locals` (the frame it belongs to).
pub fn expr_to_string(program: &Program, locals: &[LocalDef], expr: &Expr) -> String {
    let mut out = String::new();
    Printer { program, locals }.expr(&mut out, expr, 0);
    out
}

/// Renders a constant.
pub fn const_to_string(program: &Program, c: &Const) -> String {
    match c {
        Const::Bool(b) => b.to_string(),
        Const::Int(i) => i.to_string(),
        Const::Decimal(d) => d.to_string(),
        Const::Str(s) => format!("{s:?}"),
        Const::Date(d) => d.to_string(),
        Const::Duration(d) => d.to_string(),
        Const::Enum(e, v) => program
            .enums
            .get(e.0 as usize)
            .and_then(|e| e.variants.get(*v as usize))
            .map_or_else(|| format!("<variant {v}>"), |v| v.name.clone()),
        Const::None => "none".into(),
        Const::EmptyList => "[]".into(),
        Const::EmptySet => "{}".into(),
    }
}

struct Printer<'a> {
    program: &'a Program,
    locals: &'a [LocalDef],
}

fn binop_token(op: BinOp) -> (&'static str, u8) {
    use BinOp::*;
    match op {
        Or => ("or", 1),
        And => ("and", 2),
        Eq | EqDeep => ("==", 4),
        Ne | NeDeep => ("!=", 4),
        Lt(_) => ("<", 4),
        Le(_) | SetSubset => ("<=", 4),
        Gt(_) => (">", 4),
        Ge(_) | SetSuperset => (">=", 4),
        InList | InSet => ("in", 4),
        NotInList | NotInSet => ("not in", 4),
        Coalesce => ("??", 5),
        IntAdd | DecAdd | DateAddDur | DurAdd | StrConcat | ListConcat => ("+", 6),
        IntSub | DecSub | DateSubDur | DateSubDate | DurSub | SetDiff => ("-", 6),
        SetUnion => ("|", 6),
        IntMul | DecMul | DurMulInt => ("*", 7),
        IntDiv | DecDiv => ("/", 7),
        IntRem => ("%", 7),
        SetIntersect => ("&", 7),
    }
}

/// The name a built-in is called by in source.
pub fn builtin_name(b: Builtin) -> &'static str {
    use Builtin::*;
    match b {
        StrLen | CollectionLen => "length",
        Contains => "contains",
        StartsWith => "starts_with",
        EndsWith => "ends_with",
        Lower => "lower",
        Upper => "upper",
        Trim => "trim",
        HasDigit => "has_digit",
        HasUpper => "has_upper",
        HasLower => "has_lower",
        HasSymbol => "has_symbol",
        Year => "year",
        Month => "month",
        Day => "day",
        FiscalYear => "fiscal_year",
        DurationDays => "days",
        DaysBetween => "days_between",
        IntAbs | DecAbs => "abs",
        Min2(_) => "min",
        Max2(_) => "max",
        ToSet => "to_set",
        IsEmpty => "is_empty",
        IsNone => "is_none",
        IsSome => "is_some",
    }
}

/// The name a quantifier is written with.
pub fn quant_name(q: QuantKind) -> &'static str {
    match q {
        QuantKind::Any => "any",
        QuantKind::All => "all",
        QuantKind::None => "none",
        QuantKind::Count => "count",
        QuantKind::SumInt | QuantKind::SumDec | QuantKind::SumDur => "sum",
        QuantKind::Min(_) => "min",
        QuantKind::Max(_) => "max",
        QuantKind::Filter => "filter",
        QuantKind::Map => "map",
    }
}

impl Printer<'_> {
    fn local(&self, out: &mut String, i: u32) {
        match self.locals.get(i as usize) {
            Some(l) => out.push_str(&l.name),
            None => {
                let _ = write!(out, "_{i}");
            }
        }
    }

    fn field_name(&self, base: &Expr, field: u32) -> &str {
        let mut ty = self.program.types.ty(base.ty);
        if let Type::Optional(inner) = ty {
            ty = self.program.types.ty(inner);
        }
        match ty {
            Type::Record(r) => self
                .program
                .records
                .get(r.0 as usize)
                .and_then(|r| r.fields.get(field as usize))
                .map_or("?", |f| f.name.as_str()),
            _ => "?",
        }
    }

    fn list(&self, out: &mut String, items: &[Expr]) {
        for (i, e) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(out, e, 0);
        }
    }

    /// Writes `e`, parenthesised if its precedence is below `min_prec`.
    fn expr(&self, out: &mut String, e: &Expr, min_prec: u8) {
        match &e.kind {
            ExprKind::Const(c) => out.push_str(&const_to_string(self.program, c)),
            ExprKind::Local(l) => self.local(out, l.0),
            ExprKind::Global(c) => {
                let name = self.program.consts.get(c.0 as usize).map_or("?", |c| c.name.as_str());
                out.push_str(name.rsplit('.').next().unwrap_or(name));
            }
            ExprKind::Facts => out.push_str("facts"),
            ExprKind::AsOf => out.push_str("as_of"),
            ExprKind::Field { base, field } => {
                self.expr(out, base, 9);
                out.push('.');
                out.push_str(self.field_name(base, *field));
            }
            ExprKind::OptField { base, field } => {
                self.expr(out, base, 9);
                out.push_str("?.");
                out.push_str(self.field_name(base, *field));
            }
            ExprKind::Index { base, index } => {
                self.expr(out, base, 9);
                out.push('[');
                self.expr(out, index, 0);
                out.push(']');
            }
            ExprKind::Unary { op, arg } => match op {
                UnOp::Not => self.wrap(out, min_prec, 3, |out| {
                    out.push_str("not ");
                    self.expr(out, arg, 3);
                }),
                UnOp::IntNeg | UnOp::DecNeg | UnOp::DurNeg => self.wrap(out, min_prec, 8, |out| {
                    out.push('-');
                    self.expr(out, arg, 8);
                }),
                UnOp::IntToDec => self.expr(out, arg, min_prec),
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let (tok, prec) = binop_token(*op);
                self.wrap(out, min_prec, prec, |out| {
                    self.expr(out, lhs, prec);
                    let _ = write!(out, " {tok} ");
                    self.expr(out, rhs, prec + 1);
                });
            }
            ExprKind::If { cond, then, els } => self.wrap(out, min_prec, 1, |out| {
                out.push_str("if ");
                self.expr(out, cond, 0);
                out.push_str(" then ");
                self.expr(out, then, 0);
                out.push_str(" else ");
                self.expr(out, els, 1);
            }),
            ExprKind::Let { var, value, body } => {
                out.push_str("{ let ");
                self.local(out, var.0);
                out.push_str(" = ");
                self.expr(out, value, 0);
                out.push(' ');
                self.expr(out, body, 0);
                out.push_str(" }");
            }
            ExprKind::Call { func, args } => {
                let name = self.program.functions.get(func.0 as usize).map_or("?", |f| f.name.as_str());
                out.push_str(name.rsplit('.').next().unwrap_or(name));
                out.push('(');
                self.list(out, args);
                out.push(')');
            }
            ExprKind::Extern { plugin, func, args } => {
                let name = self
                    .program
                    .plugins
                    .get(*plugin as usize)
                    .and_then(|p| p.functions.get(*func as usize))
                    .map_or("?", |f| f.name.as_str());
                out.push_str(name);
                out.push('(');
                self.list(out, args);
                out.push(')');
            }
            ExprKind::Builtin { func, args } => {
                out.push_str(builtin_name(*func));
                out.push('(');
                self.list(out, args);
                out.push(')');
            }
            ExprKind::Quant { kind, var, source, filter, body } => {
                out.push_str(quant_name(*kind));
                out.push('(');
                self.local(out, var.0);
                out.push_str(" in ");
                self.expr(out, source, 0);
                if let Some(f) = filter {
                    out.push_str(" where ");
                    self.expr(out, f, 0);
                }
                if let Some(b) = body {
                    out.push_str(": ");
                    self.expr(out, b, 0);
                }
                out.push(')');
            }
            ExprKind::List(items) => {
                out.push('[');
                self.list(out, items);
                out.push(']');
            }
            ExprKind::Set(items) => {
                out.push('{');
                self.list(out, items);
                out.push('}');
            }
            ExprKind::Record { record, fields } => {
                let def = self.program.records.get(record.0 as usize);
                let name = def.map_or("?", |d| d.name.rsplit('.').next().unwrap_or(&d.name));
                out.push_str(name);
                out.push_str(" { ");
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let fname = def.and_then(|d| d.fields.get(i)).map_or("?", |f| f.name.as_str());
                    out.push_str(fname);
                    out.push_str(": ");
                    self.expr(out, f, 0);
                }
                out.push_str(" }");
            }
            ExprKind::Interp(parts) => {
                out.push('"');
                for p in parts {
                    match p {
                        InterpPart::Text(t) => {
                            for ch in t.chars() {
                                match ch {
                                    '"' => out.push_str("\\\""),
                                    '\\' => out.push_str("\\\\"),
                                    '{' => out.push_str("{{"),
                                    '}' => out.push_str("}}"),
                                    '\n' => out.push_str("\\n"),
                                    c => out.push(c),
                                }
                            }
                        }
                        InterpPart::Expr(e) => {
                            out.push('{');
                            self.expr(out, e, 0);
                            out.push('}');
                        }
                    }
                }
                out.push('"');
            }
        }
    }

    fn wrap(&self, out: &mut String, min_prec: u8, prec: u8, f: impl FnOnce(&mut String)) {
        let paren = prec < min_prec;
        if paren {
            out.push('(');
        }
        f(out);
        if paren {
            out.push(')');
        }
    }
}
