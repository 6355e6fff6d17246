//! Structural validation of a [`Program`] from an untrusted source (a bundle file).
//!
//! The compiler only produces valid programs; a bundle, however, is bytes on disk. Before the
//! runtime evaluates one it checks that every index is in range, that no function is
//! recursive, and that expressions are not nested deeper than the evaluator's stack budget.
//! With this, a hand-crafted bundle can produce a wrong answer at worst, never a crash or a
//! hang.

use std::fmt;

use crate::expr::{Expr, ExprKind, InterpPart};
use crate::program::Program;
use crate::rule::{LoopStep, Prelude, RuleBody, Stmt};
use crate::types::Type;

/// The deepest expression nesting an evaluator must support. The compiler rejects source
/// nested more deeply than a quarter of this.
pub const MAX_EXPR_DEPTH: usize = 1024;

/// The deepest chain of nested expressions *across calls* an evaluator must support.
pub const MAX_EFFECTIVE_DEPTH: usize = 8192;

/// Why a program is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidProgram(pub String);

impl fmt::Display for InvalidProgram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid policy program: {}", self.0)
    }
}

impl std::error::Error for InvalidProgram {}

fn bad(msg: impl Into<String>) -> InvalidProgram {
    InvalidProgram(msg.into())
}

/// Checks the structural invariants the runtime relies on.
pub fn validate(p: &Program) -> Result<(), InvalidProgram> {
    let ntypes = p.types.all().len();
    let ty_ok = |t: crate::TypeId| (t.0 as usize) < ntypes;
    for (i, t) in p.types.all().iter().enumerate() {
        let ok = match *t {
            Type::Enum(e) => (e.0 as usize) < p.enums.len(),
            Type::Record(r) => (r.0 as usize) < p.records.len(),
            Type::List(x) | Type::Set(x) | Type::Optional(x) => ty_ok(x) && (x.0 as usize) < i,
            _ => true,
        };
        if !ok {
            return Err(bad(format!("type {i} refers to an undefined or later type")));
        }
    }
    for r in &p.records {
        if r.fields.iter().any(|f| !ty_ok(f.ty)) || r.key.is_some_and(|k| k as usize >= r.fields.len()) {
            return Err(bad(format!("record `{}` has an invalid field", r.name)));
        }
    }
    if p.root.is_some_and(|r| r.0 as usize >= p.records.len()) {
        return Err(bad("the facts root is not a record"));
    }

    // Effective depth of each function, computed in an order where callees come first; a
    // function whose callees are not all done after `n` rounds is part of a cycle.
    let nfns = p.functions.len();
    let mut fn_depth: Vec<Option<usize>> = vec![None; nfns];
    for _round in 0..=nfns {
        let mut progressed = false;
        for (i, f) in p.functions.iter().enumerate() {
            if fn_depth[i].is_some() {
                continue;
            }
            let cx = Cx { p, nlocals: f.locals.len(), fn_depth: &fn_depth, nconsts: p.consts.len() };
            match cx.depth(&f.body, 0) {
                Ok(Some(d)) => {
                    fn_depth[i] = Some(d);
                    progressed = true;
                }
                Ok(None) => {}
                Err(e) => return Err(bad(format!("function `{}`: {}", f.name, e.0))),
            }
            if f.params.iter().any(|l| l.0 as usize >= f.locals.len()) || !ty_ok(f.ret) {
                return Err(bad(format!("function `{}` has an invalid signature", f.name)));
            }
        }
        if !progressed {
            break;
        }
    }
    if let Some(i) = fn_depth.iter().position(Option::is_none) {
        return Err(bad(format!("function `{}` is recursive", p.functions[i].name)));
    }

    for (i, c) in p.consts.iter().enumerate() {
        let cx = Cx { p, nlocals: c.locals.len(), fn_depth: &fn_depth, nconsts: i };
        cx.check(&c.value).map_err(|e| bad(format!("constant `{}`: {}", c.name, e.0)))?;
    }
    for r in &p.rules {
        let cx = Cx { p, nlocals: r.locals.len(), fn_depth: &fn_depth, nconsts: p.consts.len() };
        let in_rule = |e: InvalidProgram| bad(format!("rule `{}`: {}", r.name, e.0));
        let local_ok = |l: crate::LocalId| (l.0 as usize) < r.locals.len();
        for s in &r.prelude {
            match s {
                Prelude::Let { var, value } if local_ok(*var) => cx.check(value).map_err(in_rule)?,
                Prelude::When { cond, .. } => cx.check(cond).map_err(in_rule)?,
                Prelude::Let { .. } => return Err(in_rule(bad("invalid local"))),
            }
        }
        for s in &r.loops {
            match s {
                LoopStep::For(l) if local_ok(l.var) => {
                    cx.check(&l.source).map_err(in_rule)?;
                    if let Some(f) = &l.filter {
                        cx.check(f).map_err(in_rule)?;
                    }
                }
                LoopStep::Let { var, value } if local_ok(*var) => cx.check(value).map_err(in_rule)?,
                _ => return Err(in_rule(bad("invalid local"))),
            }
        }
        for e in &r.exemptions {
            cx.check(&e.cond).map_err(in_rule)?;
        }
        match &r.body {
            RuleBody::Checks(stmts) => {
                for s in stmts {
                    match s {
                        Stmt::Let { var, value } if local_ok(*var) => cx.check(value).map_err(in_rule)?,
                        Stmt::Let { .. } => return Err(in_rule(bad("invalid local"))),
                        Stmt::Require(req) => {
                            cx.check(&req.cond).map_err(in_rule)?;
                            if let Some(m) = &req.message {
                                cx.check(m).map_err(in_rule)?;
                            }
                        }
                    }
                }
            }
            RuleBody::Attest(a) => {
                cx.check(&a.source).map_err(in_rule)?;
                let rec = match p.types.get(a.source.ty) {
                    Some(Type::List(el)) => match p.types.get(el) {
                        Some(Type::Record(r)) => p.records.get(r.0 as usize),
                        _ => None,
                    },
                    _ => None,
                };
                let n = rec.map_or(0, |r| r.fields.len());
                let by_ok = a.by.as_ref().is_none_or(|(f, _)| (*f as usize) < n);
                if (a.clause_field as usize) >= n || (a.on_field as usize) >= n || !by_ok {
                    return Err(in_rule(bad("attestation fields out of range")));
                }
            }
        }
    }
    for t in &p.tests {
        let cx = Cx { p, nlocals: t.locals.len(), fn_depth: &fn_depth, nconsts: p.consts.len() };
        for patch in &t.patches {
            cx.check(&patch.value).map_err(|e| bad(format!("test `{}`: {}", t.name, e.0)))?;
        }
        if t.expectations.iter().any(|e| e.rule.0 as usize >= p.rules.len()) {
            return Err(bad(format!("test `{}` expects an undefined rule", t.name)));
        }
    }
    Ok(())
}

struct Cx<'a> {
    p: &'a Program,
    nlocals: usize,
    fn_depth: &'a [Option<usize>],
    nconsts: usize,
}

impl Cx<'_> {
    fn check(&self, e: &Expr) -> Result<(), InvalidProgram> {
        match self.depth(e, 0)? {
            Some(d) if d <= MAX_EFFECTIVE_DEPTH => Ok(()),
            Some(_) => Err(bad("expressions nested too deeply across calls")),
            None => Err(bad("call of a recursive or undefined function")),
        }
    }

    /// The effective depth of `e`, or `None` when it calls a function whose depth is not yet
    /// known.
    fn depth(&self, e: &Expr, level: usize) -> Result<Option<usize>, InvalidProgram> {
        if level > MAX_EXPR_DEPTH {
            return Err(bad("expression nested too deeply"));
        }
        if (e.ty.0 as usize) >= self.p.types.all().len() {
            return Err(bad("expression of an undefined type"));
        }
        let mut max = 0usize;
        let mut sub = |x: &Expr| -> Result<bool, InvalidProgram> {
            match self.depth(x, level + 1)? {
                Some(d) => {
                    max = max.max(d);
                    Ok(true)
                }
                None => Ok(false),
            }
        };
        let local_ok = |l: crate::LocalId| (l.0 as usize) < self.nlocals;
        let mut known = true;
        match &e.kind {
            ExprKind::Const(_) | ExprKind::Facts | ExprKind::AsOf => {}
            ExprKind::Local(l) => {
                if !local_ok(*l) {
                    return Err(bad("reference to an undefined local"));
                }
            }
            ExprKind::Global(c) => {
                if c.0 as usize >= self.nconsts {
                    return Err(bad("reference to an undefined or later constant"));
                }
            }
            ExprKind::Field { base, field } | ExprKind::OptField { base, field } => {
                let rec = match self.p.types.ty(self.p.types.strip_optional(base.ty)) {
                    Type::Record(r) => self.p.records.get(r.0 as usize),
                    _ => None,
                };
                if rec.is_none_or(|r| *field as usize >= r.fields.len()) {
                    return Err(bad("field access on a non-record or out of range"));
                }
                known &= sub(base)?;
            }
            ExprKind::Index { base, index } => {
                known &= sub(base)?;
                known &= sub(index)?;
            }
            ExprKind::Unary { arg, .. } => known &= sub(arg)?,
            ExprKind::Binary { lhs, rhs, .. } => {
                known &= sub(lhs)?;
                known &= sub(rhs)?;
            }
            ExprKind::If { cond, then, els } => {
                known &= sub(cond)?;
                known &= sub(then)?;
                known &= sub(els)?;
            }
            ExprKind::Let { var, value, body } => {
                if !local_ok(*var) {
                    return Err(bad("let binds an undefined local"));
                }
                known &= sub(value)?;
                known &= sub(body)?;
            }
            ExprKind::Call { func, args } => {
                let Some(callee) = self.fn_depth.get(func.0 as usize) else {
                    return Err(bad("call of an undefined function"));
                };
                let want = self.p.functions.get(func.0 as usize).map_or(0, |f| f.params.len());
                if args.len() != want {
                    return Err(bad("call with the wrong number of arguments"));
                }
                for a in args {
                    known &= sub(a)?;
                }
                match callee {
                    Some(d) => max = max.max(*d),
                    None => known = false,
                }
            }
            ExprKind::Extern { plugin, func, args } => {
                let want = self
                    .p
                    .plugins
                    .get(*plugin as usize)
                    .and_then(|p| p.functions.get(*func as usize))
                    .map(|f| f.params.len());
                if want != Some(args.len()) {
                    return Err(bad("call of an undefined plugin function, or with the wrong number of arguments"));
                }
                for a in args {
                    known &= sub(a)?;
                }
            }
            ExprKind::Builtin { args, .. } | ExprKind::List(args) | ExprKind::Set(args) => {
                for a in args {
                    known &= sub(a)?;
                }
            }
            ExprKind::Record { record, fields } => {
                let n = self.p.records.get(record.0 as usize).map(|r| r.fields.len());
                if n != Some(fields.len()) {
                    return Err(bad("record literal does not match its type"));
                }
                for a in fields {
                    known &= sub(a)?;
                }
            }
            ExprKind::Quant { var, source, filter, body, .. } => {
                if !local_ok(*var) {
                    return Err(bad("quantifier binds an undefined local"));
                }
                known &= sub(source)?;
                if let Some(f) = filter {
                    known &= sub(f)?;
                }
                if let Some(b) = body {
                    known &= sub(b)?;
                }
            }
            ExprKind::Interp(parts) => {
                for part in parts {
                    if let InterpPart::Expr(x) = part {
                        known &= sub(x)?;
                    }
                }
            }
        }
        Ok(known.then_some(max + 1))
    }
}
