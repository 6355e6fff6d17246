//! Type checking and lowering of expressions.

use okite_ir::{BinOp, Const, ExprKind as IrKind, InterpPart, OrdKind, QuantKind, UnOp};

use super::{Checker, Context, TExpr};
use crate::diagnostics::{Code, Diagnostic};
use crate::names::{DefKind, did_you_mean};
use crate::sema::builtins;
use crate::sema::index::{COMPLETION_MARKER, CompletionContext, Symbol};
use crate::sema::resolve::ambiguity_help;
use crate::sema::ty::{Fit, QName, Ty, short};
use crate::span::Span;
use crate::syntax::ast::{Arg, BinaryOp, Expr, ExprKind, Ident, Path, StrPart, UnaryOp};

impl Checker<'_> {
    /// Checks `e`, with `expected` as a hint for bare enum variants and empty collections. The
    /// result is *not* coerced to `expected`; use [`Checker::expect`] for that.
    pub(crate) fn expr(&mut self, e: &Expr, expected: Option<&Ty>) -> TExpr {
        let t = self.expr_kind(e, expected);
        if !t.ty.is_error() {
            self.index.types.push((e.span, t.ty.clone()));
        }
        t
    }

    fn expr_kind(&mut self, e: &Expr, expected: Option<&Ty>) -> TExpr {
        let span = e.span;
        match &e.kind {
            ExprKind::Int(i) => self.node(&Ty::Int, IrKind::Const(Const::Int(*i))),
            ExprKind::Decimal(d) => self.node(&Ty::Decimal, IrKind::Const(Const::Decimal(*d))),
            ExprKind::Bool(b) => self.node(&Ty::Bool, IrKind::Const(Const::Bool(*b))),
            ExprKind::Date(d) => self.node(&Ty::Date, IrKind::Const(Const::Date(*d))),
            ExprKind::Duration(d) => self.node(&Ty::Duration, IrKind::Const(Const::Duration(*d))),
            ExprKind::None => {
                let ty = match expected {
                    Some(t @ Ty::Optional(_)) => t.clone(),
                    _ => Ty::Never.optional(),
                };
                self.node(&ty, IrKind::Const(Const::None))
            }
            ExprKind::Str(parts) => self.string(parts),
            ExprKind::Facts => {
                if self.context == Context::Constant {
                    self.push(
                        self.error(Code::CONST_VALUE, span, "constants cannot use `facts`")
                            .with_label("facts differ per snapshot; a constant is computed once"),
                    );
                    return self.error_expr();
                }
                match self.facts_root() {
                    Some(root) => self.node(&Ty::Record(root), IrKind::Facts),
                    None => {
                        self.push(
                            self.error(Code::NO_FACTS_ROOT, span, "no facts root is declared")
                                .with_label("`facts` has no type")
                                .with_help("declare the snapshot's root: `facts Facility { … }`"),
                        );
                        self.error_expr()
                    }
                }
            }
            ExprKind::AsOf => {
                if self.context == Context::Constant {
                    self.push(
                        self.error(Code::CONST_VALUE, span, "constants cannot use `as_of`")
                            .with_label("the evaluation date differs per snapshot"),
                    );
                    return self.error_expr();
                }
                self.node(&Ty::Date, IrKind::AsOf)
            }
            ExprKind::Name(id) => self.name(id, expected),
            ExprKind::Field(base, name) => self.field(base, name, false),
            ExprKind::OptField(base, name) => self.field(base, name, true),
            ExprKind::Index(base, index) => {
                let b = self.expr(base, None);
                let i = self.expect(index, &Ty::Int);
                match &b.ty {
                    Ty::List(el) => {
                        let ty = (**el).clone().optional();
                        self.node(&ty, IrKind::Index { base: Box::new(b.ir), index: Box::new(i.ir) })
                    }
                    t if t.is_error() => self.error_expr(),
                    t => {
                        let t = t.clone();
                        self.push(
                            self.error(Code::BAD_OPERANDS, base.span, format!("cannot index into `{t}`"))
                                .with_label("only lists can be indexed"),
                        );
                        self.error_expr()
                    }
                }
            }
            ExprKind::Unary(op, arg) => self.unary(*op, arg, span),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span),
            ExprKind::If(c, a, b) => {
                let c = self.expect(c, &Ty::Bool);
                let a_t = self.expr(a, expected);
                let b_t = self.expr(b, expected.or(Some(&a_t.ty)));
                match a_t.ty.join(&b_t.ty) {
                    Some(ty) => {
                        let a_t = self.coerce(a_t, &ty, a.span);
                        let b_t = self.coerce(b_t, &ty, b.span);
                        self.node(
                            &ty,
                            IrKind::If { cond: Box::new(c.ir), then: Box::new(a_t.ir), els: Box::new(b_t.ir) },
                        )
                    }
                    None => {
                        let (at, bt) = (a_t.ty.clone(), b_t.ty.clone());
                        self.push(
                            Diagnostic::error(
                                Code::MISMATCH,
                                &self.r.path,
                                b.span,
                                "`if` and `else` have different types",
                            )
                            .with_label(format!("this is `{bt}`"))
                            .with_secondary(a.span, format!("this is `{at}`")),
                        );
                        self.error_expr()
                    }
                }
            }
            ExprKind::Call(name, args) => self.call(name, args, span),
            ExprKind::Quant { name, var, source, filter, body } => {
                self.quant(name, var, source, filter.as_deref(), body.as_deref(), span)
            }
            ExprKind::List(items) | ExprKind::Set(items) => {
                let is_set = matches!(e.kind, ExprKind::Set(_));
                self.collection(items, is_set, expected, span)
            }
            ExprKind::Record(path, fields) => self.record_literal(path, fields),
            ExprKind::Paren(inner) => self.expr(inner, expected),
            ExprKind::Error => {
                self.item_has_broken_expr = true;
                self.error_expr()
            }
        }
    }

    /// Checks `e` and coerces it to `expected`, reporting a mismatch.
    pub(crate) fn expect(&mut self, e: &Expr, expected: &Ty) -> TExpr {
        let t = self.expr(e, Some(expected));
        self.coerce(t, expected, e.span)
    }

    /// Coerces a checked expression to `expected`.
    pub(crate) fn coerce(&mut self, t: TExpr, expected: &Ty, span: Span) -> TExpr {
        match t.ty.fits(expected) {
            Fit::Same => {
                if t.ty.is_error() || expected.is_error() {
                    return t;
                }
                let id = self.ty_id(expected);
                let mut ir = t.ir;
                ir.ty = id;
                TExpr { ir, ty: expected.clone() }
            }
            Fit::IntToDecimal => self.node(&Ty::Decimal, IrKind::Unary { op: UnOp::IntToDec, arg: Box::new(t.ir) }),
            Fit::No => {
                let found = t.ty.clone();
                let mut d = Diagnostic::error(Code::MISMATCH, &self.r.path, span, "mismatched types")
                    .with_label(format!("expected `{expected}`, found `{found}`"));
                if let (Ty::Optional(inner), false) = (&found, expected.is_optional())
                    && inner.fits(expected) != Fit::No
                {
                    d = Diagnostic::error(
                        Code::OPTIONAL_MISUSE,
                        &self.r.path,
                        span,
                        format!("`{found}` may be `none`"),
                    )
                    .with_label(format!("expected `{expected}`"))
                    .with_help(format!("say what `none` means, e.g. `{} ?? DEFAULT`", self.snippet(span)));
                }
                self.push(d);
                self.error_expr()
            }
        }
    }

    fn string(&mut self, parts: &[StrPart]) -> TExpr {
        if parts.iter().all(|p| matches!(p, StrPart::Text(_))) {
            let text: String = parts.iter().map(|p| if let StrPart::Text(t) = p { t.as_str() } else { "" }).collect();
            return self.node(&Ty::String, IrKind::Const(Const::Str(text)));
        }
        let mut out = Vec::new();
        for p in parts {
            match p {
                StrPart::Text(t) => out.push(InterpPart::Text(t.clone())),
                StrPart::Expr(e) => {
                    let t = self.expr(e, None);
                    out.push(InterpPart::Expr(t.ir));
                }
            }
        }
        self.node(&Ty::String, IrKind::Interp(out))
    }

    // -----------------------------------------------------------------------------------------
    // Names

    fn name(&mut self, id: &Ident, expected: Option<&Ty>) -> TExpr {
        if id.name == COMPLETION_MARKER {
            let locals = self.visible_locals();
            self.completion = Some(CompletionContext::Value { expected: expected.cloned(), locals });
            return self.error_expr();
        }
        if let Some((local, ty)) = self.local(&id.name) {
            self.refer_local(id, local);
            return self.node(&ty, IrKind::Local(local));
        }
        // A bare variant of the expected enum.
        if let Some(q) = expected.and_then(expected_enum)
            && let Some(sig) = self.r.enum_sig(&q)
            && let Some(v) = sig.variant(&id.name)
        {
            self.refer(id.span, Symbol::Variant { enum_: q.clone(), variant: id.name.as_str().into() });
            let eid = self.enum_id(&q);
            return self.node(&Ty::Enum(q), IrKind::Const(Const::Enum(eid, v)));
        }
        let defs = self.r.lookup(&id.name);
        if let [def] = defs {
            self.refer(id.span, Symbol::Item { qname: def.qname.clone(), kind: def.kind });
        }
        match defs {
            [def] => match def.kind {
                DefKind::Const => {
                    if self.context == Context::Constant && def.qname == self.current {
                        self.push(self.error(Code::CONST_VALUE, id.span, "a constant cannot refer to itself"));
                        return self.error_expr();
                    }
                    let q = def.qname.clone();
                    let ty = self.r.const_sig(&q).map_or(Ty::Error, |c| c.ty.clone());
                    let cid = self.const_id(&q, id.span);
                    self.node(&ty, IrKind::Global(cid))
                }
                DefKind::Broken => self.error_expr(),
                DefKind::Enum => {
                    self.push(
                        self.error(Code::MISMATCH, id.span, format!("`{}` is an enum, not a value", id.name))
                            .with_help(format!("name a variant: `{}.VARIANT`", id.name)),
                    );
                    self.error_expr()
                }
                kind => {
                    self.push(
                        self.error(
                            Code::MISMATCH,
                            id.span,
                            format!("`{}` is a {}, not a value", id.name, kind.describe()),
                        )
                        .with_label(match kind {
                            DefKind::Fn => "call it: `name(…)`",
                            _ => "not usable in an expression",
                        }),
                    );
                    self.error_expr()
                }
            },
            // Where a type that failed to resolve is expected (an ambiguous enum), a bare variant
            // of an enum in scope is taken as meant: the failure is already reported.
            [] if matches!(expected.map(Ty::strip_optional), Some(Ty::Error)) && self.is_variant_in_scope(&id.name) => {
                self.error_expr()
            }
            [] => {
                // Values only: a type or rule name is never what was meant here.
                let mut candidates: Vec<String> = self.visible_names().iter().map(|n| n.to_string()).collect();
                candidates.extend(
                    self.r
                        .scope
                        .names
                        .iter()
                        .filter(|(_, defs)| defs.iter().any(|d| matches!(d.kind, DefKind::Const | DefKind::Enum)))
                        .map(|(n, _)| n.to_string()),
                );
                if let Some(q) = expected.and_then(expected_enum)
                    && let Some(sig) = self.r.enum_sig(&q)
                {
                    candidates.extend(sig.variants.iter().map(|(v, _)| v.to_string()));
                }
                let closest = crate::names::closest(&id.name, candidates.iter().map(String::as_str)).map(String::from);
                let mut d =
                    Diagnostic::error(Code::UNKNOWN_NAME, &self.r.path, id.span, format!("unknown name `{}`", id.name))
                        .with_label("not found in this scope");
                if let Some(c) = closest {
                    d = d.with_help(format!("did you mean `{c}`?")).with_fix(format!("replace with `{c}`"), id.span, c);
                } else if let Some(q) = expected.and_then(expected_enum) {
                    d = d.with_note(format!("a bare name here would be a variant of `{}`", short(&q)));
                }
                self.push(d);
                self.error_expr()
            }
            many => {
                let from: Vec<String> = many.iter().map(|d| format!("`{}`", d.qname)).collect();
                self.push(
                    self.error(Code::AMBIGUOUS, id.span, format!("`{}` is ambiguous", id.name))
                        .with_label(format!("could be {}", from.join(" or ")))
                        .with_help(ambiguity_help(&id.name, many)),
                );
                self.error_expr()
            }
        }
    }

    /// Whether `name` is a variant of some enum visible in this file.
    fn is_variant_in_scope(&self, name: &str) -> bool {
        self.r
            .scope
            .names
            .values()
            .flatten()
            .filter(|d| d.kind == DefKind::Enum)
            .any(|d| self.r.enum_sig(&d.qname).is_some_and(|sig| sig.variant(name).is_some()))
    }

    fn field(&mut self, base: &Expr, name: &Ident, optional: bool) -> TExpr {
        // `Enum.variant`
        if let ExprKind::Name(n) = &base.kind {
            let is_local = self.visible_names().iter().any(|l| **l == *n.name);
            if !is_local
                && let [def] = self.r.lookup(&n.name)
                && def.kind == DefKind::Enum
            {
                let q = def.qname.clone();
                self.refer(n.span, Symbol::Item { qname: q.clone(), kind: DefKind::Enum });
                return self.variant(&q, name);
            }
        }
        let b = self.expr(base, None);
        let record_q = match (&b.ty, optional) {
            (Ty::Record(q), _) => Some((q.clone(), false)),
            (Ty::Optional(inner), true) => match &**inner {
                Ty::Record(q) => Some((q.clone(), true)),
                _ => None,
            },
            _ => None,
        };
        let Some((q, through_optional)) = record_q else {
            if b.ty.is_error() {
                return self.error_expr();
            }
            let ty = b.ty.clone();
            let dot = if optional { "?." } else { "." };
            let mut d = Diagnostic::error(Code::BAD_OPERANDS, &self.r.path, name.span, format!("`{ty}` has no fields"))
                .with_label(format!("`{dot}{}` needs a record", name.name));
            match &ty {
                Ty::Optional(inner) if matches!(**inner, Ty::Record(_)) => {
                    let dot_span = Span::new(base.span.end as usize, name.span.start as usize);
                    d = Diagnostic::error(
                        Code::OPTIONAL_MISUSE,
                        &self.r.path,
                        dot_span.cover(name.span),
                        format!("`{ty}` may be `none`"),
                    )
                    .with_label(format!("cannot read `{}` of `none`", name.name))
                    .with_help(format!("use `?.{}` to get `none` when it is none", name.name))
                    .with_fix("use `?.`", dot_span, "?.");
                }
                Ty::List(_) | Ty::Set(_) => {
                    d = d.with_help(format!(
                        "it is a collection: use a quantifier, e.g. `any(x in {}: x.{})`",
                        self.snippet(base.span),
                        name.name
                    ));
                }
                _ => {}
            }
            self.push(d);
            return self.error_expr();
        };
        if name.name == COMPLETION_MARKER {
            self.completion = Some(CompletionContext::Field { record: q.clone() });
            return self.error_expr();
        }
        let Some(sig) = self.r.record_sig(&q) else { return self.error_expr() };
        match sig.field(&name.name) {
            Some((index, f)) => {
                self.refer(name.span, Symbol::Field { record: q.clone(), field: name.name.as_str().into() });
                let fty = f.ty.clone();
                let (ty, kind) = if through_optional || optional {
                    (fty.optional(), IrKind::OptField { base: Box::new(b.ir), field: index })
                } else {
                    (fty, IrKind::Field { base: Box::new(b.ir), field: index })
                };
                self.node(&ty, kind)
            }
            None => {
                let names: Vec<&str> = sig.fields.iter().map(|f| &*f.name).collect();
                let mut d = Diagnostic::error(
                    Code::UNKNOWN_FIELD,
                    &self.r.path,
                    name.span,
                    format!("no field `{}` on `{}`", name.name, short(&q)),
                )
                .with_label("unknown field");
                if let Some(c) = crate::names::closest(&name.name, names.iter().copied()) {
                    d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                        format!("replace with `{c}`"),
                        name.span,
                        c,
                    );
                } else {
                    let list: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
                    d = d.with_note(format!("`{}` has {}", short(&q), list.join(", ")));
                }
                self.push(d);
                self.error_expr()
            }
        }
    }

    fn variant(&mut self, q: &QName, name: &Ident) -> TExpr {
        let Some(sig) = self.r.enum_sig(q) else { return self.error_expr() };
        match sig.variant(&name.name) {
            Some(v) => {
                self.refer(name.span, Symbol::Variant { enum_: q.clone(), variant: name.name.as_str().into() });
                let eid = self.enum_id(q);
                self.node(&Ty::Enum(q.clone()), IrKind::Const(Const::Enum(eid, v)))
            }
            None => {
                let mut d = Diagnostic::error(
                    Code::UNKNOWN_VARIANT,
                    &self.r.path,
                    name.span,
                    format!("no variant `{}` in `{}`", name.name, short(q)),
                )
                .with_label("unknown variant");
                if let Some(help) = did_you_mean(&name.name, sig.variants.iter().map(|(v, _)| &**v)) {
                    d = d.with_help(help);
                }
                self.push(d);
                self.error_expr()
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Operators

    fn unary(&mut self, op: UnaryOp, arg: &Expr, span: Span) -> TExpr {
        match op {
            UnaryOp::Not => {
                let a = self.expect(arg, &Ty::Bool);
                self.node(&Ty::Bool, IrKind::Unary { op: UnOp::Not, arg: Box::new(a.ir) })
            }
            UnaryOp::Neg => {
                let a = self.expr(arg, None);
                let op = match a.ty {
                    Ty::Int => UnOp::IntNeg,
                    Ty::Decimal => UnOp::DecNeg,
                    Ty::Duration => UnOp::DurNeg,
                    ref t if t.is_error() => return self.error_expr(),
                    ref t => {
                        let t = t.clone();
                        self.push(
                            self.error(Code::BAD_OPERANDS, span, format!("cannot negate `{t}`"))
                                .with_label("`-` needs an int, decimal or duration"),
                        );
                        return self.error_expr();
                    }
                };
                let ty = a.ty.clone();
                self.node(&ty, IrKind::Unary { op, arg: Box::new(a.ir) })
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> TExpr {
        use BinaryOp as B;
        match op {
            B::And | B::Or => {
                let a = self.expect(l, &Ty::Bool);
                let b = self.expect(r, &Ty::Bool);
                let op = if op == B::And { BinOp::And } else { BinOp::Or };
                self.bin(&Ty::Bool, op, a, b)
            }
            B::Eq | B::Ne => self.equality(op == B::Ne, l, r, span),
            B::Lt | B::Le | B::Gt | B::Ge => self.ordering(op, l, r, span),
            B::In | B::NotIn => self.membership(op == B::NotIn, l, r),
            B::Coalesce => {
                let a = self.expr(l, None);
                match a.ty.clone() {
                    Ty::Optional(inner) => {
                        let b = self.expr(r, Some(&inner));
                        let result = if b.ty.is_optional() { (*inner).clone().optional() } else { (*inner).clone() };
                        let b = self.coerce(b, &result, r.span);
                        let a = self.coerce(a, &result.clone().optional(), l.span);
                        self.bin(&result, BinOp::Coalesce, a, b)
                    }
                    t if t.is_error() => self.error_expr(),
                    t => {
                        self.push(
                            Diagnostic::error(
                                Code::BAD_OPERANDS,
                                &self.r.path,
                                l.span,
                                format!("`{t}` is never `none`"),
                            )
                            .with_label("`??` needs an optional value on its left")
                            .with_help("remove `?? …`"),
                        );
                        self.error_expr()
                    }
                }
            }
            _ => self.arithmetic(op, l, r, span),
        }
    }

    fn bin(&mut self, ty: &Ty, op: BinOp, a: TExpr, b: TExpr) -> TExpr {
        self.node(ty, IrKind::Binary { op, lhs: Box::new(a.ir), rhs: Box::new(b.ir) })
    }

    /// Checks both operands of a symmetric operator, letting either side give the other its
    /// type (so `privileged == a.kind` works as well as `a.kind == privileged`).
    fn operands(&mut self, l: &Expr, r: &Expr) -> (TExpr, TExpr) {
        if self.is_unresolved_bare_name(l) {
            let b = self.expr(r, None);
            let a = self.expr(l, Some(&b.ty.clone()));
            (a, b)
        } else {
            let a = self.expr(l, None);
            let b = self.expr(r, Some(&a.ty.clone()));
            (a, b)
        }
    }

    fn is_unresolved_bare_name(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => {
                !self.visible_names().iter().any(|l| **l == *n.name) && self.r.lookup(&n.name).is_empty()
            }
            ExprKind::Set(items) | ExprKind::List(items) => {
                items.first().is_some_and(|i| self.is_unresolved_bare_name(i))
            }
            ExprKind::Paren(inner) => self.is_unresolved_bare_name(inner),
            _ => false,
        }
    }

    fn equality(&mut self, negate: bool, l: &Expr, r: &Expr, span: Span) -> TExpr {
        let (a, b) = self.operands(l, r);
        if a.ty.is_error() || b.ty.is_error() {
            return self.error_expr();
        }
        let Some(ty) = a.ty.join(&b.ty) else {
            return self.compare_mismatch(if negate { BinaryOp::Ne } else { BinaryOp::Eq }, &a.ty, &b.ty, span);
        };
        let a = self.coerce(a, &ty, l.span);
        let b = self.coerce(b, &ty, r.span);
        let deep = !ty.strip_optional().is_scalar() && *ty.strip_optional() != Ty::Never;
        let op = match (deep, negate) {
            (false, false) => BinOp::Eq,
            (false, true) => BinOp::Ne,
            (true, false) => BinOp::EqDeep,
            (true, true) => BinOp::NeDeep,
        };
        self.bin(&Ty::Bool, op, a, b)
    }

    fn ordering(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> TExpr {
        let (a, b) = self.operands(l, r);
        if a.ty.is_error() || b.ty.is_error() {
            return self.error_expr();
        }
        for (t, e) in [(&a.ty, l), (&b.ty, r)] {
            if t.is_optional() {
                let t = t.clone();
                self.push(
                    Diagnostic::error(Code::OPTIONAL_MISUSE, &self.r.path, e.span, format!("`{t}` may be `none`"))
                        .with_label("cannot be ordered while it may be `none`")
                        .with_help(format!("say what `none` means, e.g. `({} ?? DEFAULT)`", self.snippet(e.span))),
                );
                return self.error_expr();
            }
        }
        if let (Ty::Set(_), Ty::Set(_)) = (&a.ty, &b.ty) {
            let Some(ty) = a.ty.join(&b.ty) else { return self.compare_mismatch(op, &a.ty, &b.ty, span) };
            let setop = match op {
                BinaryOp::Le => BinOp::SetSubset,
                BinaryOp::Ge => BinOp::SetSuperset,
                _ => {
                    self.push(
                        self.error(Code::BAD_OPERANDS, span, format!("`{}` is not defined on sets", op.token()))
                            .with_help("use `<=` (subset) or `>=` (superset)"),
                    );
                    return self.error_expr();
                }
            };
            let a = self.coerce(a, &ty, l.span);
            let b = self.coerce(b, &ty, r.span);
            return self.bin(&Ty::Bool, setop, a, b);
        }
        let Some(ty) = a.ty.join(&b.ty) else { return self.compare_mismatch(op, &a.ty, &b.ty, span) };
        let kind = match ty {
            Ty::Int | Ty::Decimal | Ty::Date => OrdKind::Int,
            Ty::Duration => OrdKind::Duration,
            Ty::String => OrdKind::String,
            _ => return self.mismatch_operands(op, &a.ty.clone(), &b.ty.clone(), span),
        };
        let a = self.coerce(a, &ty, l.span);
        let b = self.coerce(b, &ty, r.span);
        let op = match op {
            BinaryOp::Lt => BinOp::Lt(kind),
            BinaryOp::Le => BinOp::Le(kind),
            BinaryOp::Gt => BinOp::Gt(kind),
            _ => BinOp::Ge(kind),
        };
        self.bin(&Ty::Bool, op, a, b)
    }

    /// Two sides of a comparison with different types (E0020; an operator that does not apply to
    /// one type is E0022).
    fn compare_mismatch(&mut self, op: BinaryOp, a: &Ty, b: &Ty, span: Span) -> TExpr {
        self.push(
            Diagnostic::error(Code::MISMATCH, &self.r.path, span, format!("cannot compare `{a}` with `{b}`"))
                .with_label(format!("`{a}` on the left, `{b}` on the right"))
                .with_help(format!("both sides of `{}` must have the same type", op.token())),
        );
        self.error_expr()
    }

    fn mismatch_operands(&mut self, op: BinaryOp, a: &Ty, b: &Ty, span: Span) -> TExpr {
        self.push(
            Diagnostic::error(
                Code::BAD_OPERANDS,
                &self.r.path,
                span,
                format!("`{}` cannot be applied to `{a}` and `{b}`", op.token()),
            )
            .with_label(format!("`{a}` {} `{b}`", op.token()))
            .with_note("see the operator table in docs/language.md"),
        );
        self.error_expr()
    }

    fn membership(&mut self, negate: bool, l: &Expr, r: &Expr) -> TExpr {
        // `a.kind in {shared, privileged}`: the element decides what the bare variants are.
        let (coll, checked_element) = if self.is_unresolved_bare_name(r) {
            let x = self.expr(l, None);
            let el = Box::new(x.ty.strip_optional().clone());
            let hint = if is_set_literal(r) { Ty::Set(el) } else { Ty::List(el) };
            (self.expr(r, Some(&hint)), Some(x))
        } else {
            (self.expr(r, None), None)
        };
        let (el, is_set) = match &coll.ty {
            Ty::List(el) => ((**el).clone(), false),
            Ty::Set(el) => ((**el).clone(), true),
            t if t.is_error() => {
                if checked_element.is_none() {
                    self.expr(l, None);
                }
                return self.error_expr();
            }
            t => {
                let t = t.clone();
                let mut d = Diagnostic::error(
                    Code::BAD_OPERANDS,
                    &self.r.path,
                    r.span,
                    format!("`in` needs a list or set, found `{t}`"),
                )
                .with_label("not a collection");
                if t == Ty::String {
                    d = d.with_help("to test for a substring, use `contains(text, part)`");
                }
                self.push(d);
                return self.error_expr();
            }
        };
        let x = match checked_element {
            Some(x) => x,
            None => self.expr(l, Some(&el)),
        };
        // `none` is in no collection, so an optional element is fine.
        let want = if x.ty.is_optional() { el.clone().optional() } else { el };
        let x = self.coerce(x, &want, l.span);
        let op = match (is_set, negate) {
            (false, false) => BinOp::InList,
            (false, true) => BinOp::NotInList,
            (true, false) => BinOp::InSet,
            (true, true) => BinOp::NotInSet,
        };
        self.bin(&Ty::Bool, op, x, coll)
    }

    fn arithmetic(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> TExpr {
        use BinaryOp as B;
        let (a, b) = self.operands(l, r);
        if a.ty.is_error() || b.ty.is_error() {
            return self.error_expr();
        }
        for (t, e) in [(&a.ty, l), (&b.ty, r)] {
            if t.is_optional() {
                let t = t.clone();
                self.push(
                    Diagnostic::error(Code::OPTIONAL_MISUSE, &self.r.path, e.span, format!("`{t}` may be `none`"))
                        .with_label(format!("`{}` needs a value", op.token()))
                        .with_help(format!("say what `none` means, e.g. `({} ?? DEFAULT)`", self.snippet(e.span))),
                );
                return self.error_expr();
            }
        }
        let (at, bt) = (a.ty.clone(), b.ty.clone());
        let numeric = |t: &Ty| matches!(t, Ty::Int | Ty::Decimal);
        let (result, irop, swap) = match (op, &at, &bt) {
            (B::Add, Ty::Int, Ty::Int) => (Ty::Int, BinOp::IntAdd, false),
            (B::Sub, Ty::Int, Ty::Int) => (Ty::Int, BinOp::IntSub, false),
            (B::Mul, Ty::Int, Ty::Int) => (Ty::Int, BinOp::IntMul, false),
            (B::Div, Ty::Int, Ty::Int) => (Ty::Int, BinOp::IntDiv, false),
            (B::Rem, Ty::Int, Ty::Int) => (Ty::Int, BinOp::IntRem, false),
            (B::Add, x, y) if numeric(x) && numeric(y) => (Ty::Decimal, BinOp::DecAdd, false),
            (B::Sub, x, y) if numeric(x) && numeric(y) => (Ty::Decimal, BinOp::DecSub, false),
            (B::Mul, x, y) if numeric(x) && numeric(y) => (Ty::Decimal, BinOp::DecMul, false),
            (B::Div, x, y) if numeric(x) && numeric(y) => (Ty::Decimal, BinOp::DecDiv, false),
            (B::Add, Ty::Date, Ty::Duration) => (Ty::Date, BinOp::DateAddDur, false),
            (B::Add, Ty::Duration, Ty::Date) => (Ty::Date, BinOp::DateAddDur, true),
            (B::Sub, Ty::Date, Ty::Duration) => (Ty::Date, BinOp::DateSubDur, false),
            (B::Sub, Ty::Date, Ty::Date) => (Ty::Duration, BinOp::DateSubDate, false),
            (B::Add, Ty::Duration, Ty::Duration) => (Ty::Duration, BinOp::DurAdd, false),
            (B::Sub, Ty::Duration, Ty::Duration) => (Ty::Duration, BinOp::DurSub, false),
            (B::Mul, Ty::Duration, Ty::Int) => (Ty::Duration, BinOp::DurMulInt, false),
            (B::Mul, Ty::Int, Ty::Duration) => (Ty::Duration, BinOp::DurMulInt, true),
            (B::Add, Ty::String, Ty::String) => (Ty::String, BinOp::StrConcat, false),
            (B::Add, Ty::List(_), Ty::List(_)) => match at.join(&bt) {
                Some(j) => (j, BinOp::ListConcat, false),
                None => return self.mismatch_operands(op, &at, &bt, span),
            },
            (B::Union | B::Inter | B::Sub, Ty::Set(_), Ty::Set(_)) => match at.join(&bt) {
                Some(j) => (
                    j,
                    match op {
                        B::Union => BinOp::SetUnion,
                        B::Inter => BinOp::SetIntersect,
                        _ => BinOp::SetDiff,
                    },
                    false,
                ),
                None => return self.mismatch_operands(op, &at, &bt, span),
            },
            _ => return self.mismatch_operands(op, &at, &bt, span),
        };
        let (a, b) = if result == Ty::Decimal {
            (self.coerce(a, &Ty::Decimal, l.span), self.coerce(b, &Ty::Decimal, r.span))
        } else if matches!(irop, BinOp::ListConcat | BinOp::SetUnion | BinOp::SetIntersect | BinOp::SetDiff) {
            (self.coerce(a, &result, l.span), self.coerce(b, &result, r.span))
        } else {
            (a, b)
        };
        if swap { self.bin(&result, irop, b, a) } else { self.bin(&result, irop, a, b) }
    }

    // -----------------------------------------------------------------------------------------
    // Calls

    fn call(&mut self, name: &Ident, args: &[Arg], span: Span) -> TExpr {
        if self.visible_names().iter().any(|l| **l == *name.name) {
            self.push(self.error(
                Code::NOT_CALLABLE,
                name.span,
                format!("`{}` is a variable, not a function", name.name),
            ));
            return self.error_expr();
        }
        let defs = self.r.lookup(&name.name);
        match defs {
            [def] if def.kind == DefKind::Fn => {
                let q = def.qname.clone();
                return self.user_call(&q, name, args, span);
            }
            [def] if def.kind == DefKind::Broken => {
                for a in args {
                    self.expr(&a.value, None);
                }
                return self.error_expr();
            }
            [def] => {
                let kind = def.kind.describe();
                self.push(
                    self.error(Code::NOT_CALLABLE, name.span, format!("`{}` is a {kind}, not a function", name.name))
                        .with_label("cannot be called"),
                );
                return self.error_expr();
            }
            many @ [_, _, ..] => {
                let from: Vec<String> = many.iter().map(|d| format!("`{}`", d.qname)).collect();
                self.push(
                    self.error(Code::AMBIGUOUS, name.span, format!("`{}` is ambiguous", name.name))
                        .with_label(format!("could be {}", from.join(" or ")))
                        .with_help(ambiguity_help(&name.name, many)),
                );
                return self.error_expr();
            }
            [] => {}
        }
        if builtins::is_builtin(&name.name) {
            if let Some(a) = args.iter().find(|a| a.name.is_some()) {
                let n = a.name.as_ref().map_or(name.span, |n| n.span);
                self.push(
                    self.error(Code::ARGUMENTS, n, "built-in functions take positional arguments")
                        .with_label("remove the name"),
                );
            }
            self.refer(name.span, Symbol::Builtin(name.name.as_str().into()));
            return self.builtin_call(name, args, span);
        }
        let mut candidates: Vec<&str> = builtins::NAMES.to_vec();
        let scope_fns: Vec<String> = self
            .r
            .scope
            .names
            .iter()
            .filter(|(_, d)| d.iter().any(|d| d.kind == DefKind::Fn))
            .map(|(n, _)| n.to_string())
            .collect();
        candidates.extend(scope_fns.iter().map(String::as_str));
        let mut d =
            Diagnostic::error(Code::UNKNOWN_NAME, &self.r.path, name.span, format!("unknown function `{}`", name.name))
                .with_label("not a function in scope");
        if let Some(c) = crate::names::closest(&name.name, candidates) {
            d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                format!("replace with `{c}`"),
                name.span,
                c.to_string(),
            );
        }
        self.push(d);
        for a in args {
            self.expr(&a.value, None);
        }
        self.error_expr()
    }

    fn user_call(&mut self, q: &QName, name: &Ident, args: &[Arg], span: Span) -> TExpr {
        self.refer(name.span, Symbol::Item { qname: q.clone(), kind: DefKind::Fn });
        // Recorded before any error, so that a wrong call does not also make the function
        // "never used".
        let is_extern = self.r.fn_sig(q).is_some_and(|s| s.plugin.is_some());
        let callee = if is_extern { Err(self.extern_id(q, name.span)) } else { Ok(self.fn_id(q, name.span)) };
        if self.context == Context::Constant {
            self.push(
                self.error(Code::CONST_VALUE, name.span, "constants cannot call functions")
                    .with_label("a constant is a literal or an expression of literals and other constants"),
            );
            return self.error_expr();
        }
        let Some(sig) = self.r.fn_sig(q) else { return self.error_expr() };
        let params = sig.params.clone();
        let ret = sig.ret.clone();
        let mut slots: Vec<Option<&Arg>> = vec![None; params.len()];
        let mut positional = 0usize;
        let mut ok = true;
        for a in args {
            let index = match &a.name {
                Some(n) => match params.iter().position(|(p, _)| **p == *n.name) {
                    Some(i) => i,
                    None => {
                        let pnames: Vec<&str> = params.iter().map(|(p, _)| &**p).collect();
                        let mut d = Diagnostic::error(
                            Code::ARGUMENTS,
                            &self.r.path,
                            n.span,
                            format!("`{}` has no parameter `{}`", name.name, n.name),
                        )
                        .with_label("unknown parameter");
                        if let Some(h) = did_you_mean(&n.name, pnames) {
                            d = d.with_help(h);
                        }
                        self.push(d);
                        ok = false;
                        continue;
                    }
                },
                None => {
                    let i = positional;
                    positional += 1;
                    i
                }
            };
            match slots.get_mut(index) {
                Some(slot @ None) => *slot = Some(a),
                Some(Some(_)) => {
                    let s = a.name.as_ref().map_or(a.value.span, |n| n.span);
                    self.push(self.error(Code::ARGUMENTS, s, format!("argument `{}` given twice", params[index].0)));
                    ok = false;
                }
                None => {
                    self.push(
                        self.error(
                            Code::ARGUMENTS,
                            a.value.span,
                            format!("`{}` takes {}", name.name, plural(params.len(), "argument")),
                        )
                        .with_label("extra argument"),
                    );
                    ok = false;
                }
            }
        }
        let mut irs = Vec::with_capacity(params.len());
        for (i, (pname, pty)) in params.iter().enumerate() {
            match slots[i] {
                Some(a) => irs.push(self.expect(&a.value, pty).ir),
                None => {
                    self.push(
                        self.error(Code::ARGUMENTS, span, format!("missing argument `{pname}: {pty}`"))
                            .with_label(format!("`{}` takes {}", name.name, plural(params.len(), "argument"))),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return self.error_expr();
        }
        match callee {
            Ok(func) => self.node(&ret, IrKind::Call { func, args: irs }),
            Err(plugin) => self.node(&ret, IrKind::Extern { plugin, func: 0, args: irs }),
        }
    }

    fn builtin_call(&mut self, name: &Ident, args: &[Arg], span: Span) -> TExpr {
        // One-argument `min`/`max`/`sum` over a collection are aggregates without a binder.
        if args.len() == 1 && matches!(name.name.as_str(), "min" | "max" | "sum") {
            let source = &args[0].value;
            let var = Ident { name: "_element".into(), span: source.span };
            let body = Expr { kind: ExprKind::Name(var.clone()), span: source.span };
            return self.quant(name, &var, source, None, Some(&body), span);
        }
        let checked: Vec<TExpr> = args.iter().map(|a| self.expr(&a.value, None)).collect();
        if checked.iter().any(|t| t.ty.is_error()) {
            return self.error_expr();
        }
        match builtins::resolve(&name.name, &checked.iter().map(|t| t.ty.clone()).collect::<Vec<_>>()) {
            Ok(sig) => {
                let mut irs = Vec::with_capacity(checked.len());
                for ((t, want), a) in checked.into_iter().zip(&sig.params).zip(args) {
                    irs.push(self.coerce(t, want, a.value.span).ir);
                }
                self.node(&sig.ret, IrKind::Builtin { func: sig.builtin, args: irs })
            }
            Err(why) => {
                self.push(
                    self.error(Code::ARGUMENTS, span, format!("wrong arguments to `{}`", name.name))
                        .with_label(why.found)
                        .with_note(format!("`{}` takes {}", name.name, why.expected)),
                );
                self.error_expr()
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Quantifiers

    fn quant(
        &mut self,
        name: &Ident,
        var: &Ident,
        source: &Expr,
        filter: Option<&Expr>,
        body: Option<&Expr>,
        span: Span,
    ) -> TExpr {
        let src = self.expr(source, None);
        let (el, is_set) = match &src.ty {
            Ty::List(el) => ((**el).clone(), false),
            Ty::Set(el) => ((**el).clone(), true),
            t if t.is_error() => return self.error_expr(),
            t => {
                let t = t.clone();
                let mut d = Diagnostic::error(
                    Code::QUANTIFIER,
                    &self.r.path,
                    source.span,
                    format!("`{}` needs a list or set, found `{t}`", name.name),
                )
                .with_label("not a collection");
                if t.is_optional() {
                    d = d.with_help(format!("write `({} ?? [])` to treat `none` as empty", self.snippet(source.span)));
                }
                self.push(d);
                return self.error_expr();
            }
        };
        let mark = self.mark();
        let v = self.declare(&var.name, el.clone(), var.span, false);
        let filter_ir = filter.map(|f| Box::new(self.expect(f, &Ty::Bool).ir));
        let q = name.name.as_str();
        let result = match q {
            "any" | "all" | "none" | "count" | "filter" => {
                // The predicate is the body; `any(x in xs where p)` reads naturally, so a lone
                // `where` is the predicate too.
                let (filter_ir, pred) = match (filter_ir, body) {
                    (f, Some(b)) => (f, Some(self.expect(b, &Ty::Bool).ir)),
                    (Some(f), None) if q != "count" && q != "filter" => (None, Some(*f)),
                    (f, None) => (f, None),
                };
                let pred = match (pred, q) {
                    (Some(p), _) => Some(p),
                    (None, "count") => None,
                    (None, "filter") => None,
                    (None, _) if el == Ty::Bool => Some(self.node(&Ty::Bool, IrKind::Local(v)).ir),
                    (None, _) => {
                        self.push(self.error(Code::QUANTIFIER, span, format!("`{q}` needs a condition")).with_help(
                            format!("write `{q}({} in {}: CONDITION)`", var.name, self.snippet(source.span)),
                        ));
                        self.restore(mark);
                        return self.error_expr();
                    }
                };
                let (kind, ty) = match q {
                    "any" => (QuantKind::Any, Ty::Bool),
                    "all" => (QuantKind::All, Ty::Bool),
                    "none" => (QuantKind::None, Ty::Bool),
                    "count" => (QuantKind::Count, Ty::Int),
                    _ => (
                        QuantKind::Filter,
                        if is_set { Ty::Set(Box::new(el.clone())) } else { Ty::List(Box::new(el.clone())) },
                    ),
                };
                let (filter_ir, body_ir) = match (kind, filter_ir, pred) {
                    // `filter(x in xs where a: b)` keeps elements where both hold.
                    (QuantKind::Filter | QuantKind::Count, Some(f), Some(p)) => (Some(f), Some(Box::new(p))),
                    (QuantKind::Filter | QuantKind::Count, Some(f), None) => (None, Some(f)),
                    (_, f, p) => (f, p.map(Box::new)),
                };
                self.node(
                    &ty,
                    IrKind::Quant { kind, var: v, source: Box::new(src.ir), filter: filter_ir, body: body_ir },
                )
            }
            "sum" | "min" | "max" | "map" => {
                let Some(b) = body else {
                    self.push(
                        self.error(Code::QUANTIFIER, span, format!("`{q}` needs a value after `:`"))
                            .with_help(format!("write `{q}({} in {}: VALUE)`", var.name, self.snippet(source.span))),
                    );
                    self.restore(mark);
                    return self.error_expr();
                };
                let b = self.expr(b, None);
                let bty = b.ty.clone();
                let (kind, ty) = match (q, &bty) {
                    (_, t) if t.is_error() => {
                        self.restore(mark);
                        return self.error_expr();
                    }
                    ("map", t) => (QuantKind::Map, Ty::List(Box::new(t.clone()))),
                    ("sum", Ty::Int) => (QuantKind::SumInt, Ty::Int),
                    ("sum", Ty::Decimal) => (QuantKind::SumDec, Ty::Decimal),
                    ("sum", Ty::Duration) => (QuantKind::SumDur, Ty::Duration),
                    ("min" | "max", Ty::Int | Ty::Decimal | Ty::Date | Ty::Duration | Ty::String) => {
                        let ord = match bty {
                            Ty::Duration => OrdKind::Duration,
                            Ty::String => OrdKind::String,
                            _ => OrdKind::Int,
                        };
                        let kind = if q == "min" { QuantKind::Min(ord) } else { QuantKind::Max(ord) };
                        (kind, bty.clone().optional())
                    }
                    (_, t) => {
                        let t = t.clone();
                        self.push(self.error(Code::QUANTIFIER, span, format!("`{q}` cannot aggregate `{t}`")).with_label(if q == "sum" {
                            "`sum` adds ints, decimals or durations"
                        } else {
                            "`min`/`max` need ints, decimals, dates, durations or strings (optional values: use `??` or `where`)"
                        }));
                        self.restore(mark);
                        return self.error_expr();
                    }
                };
                self.node(
                    &ty,
                    IrKind::Quant {
                        kind,
                        var: v,
                        source: Box::new(src.ir),
                        filter: filter_ir,
                        body: Some(Box::new(b.ir)),
                    },
                )
            }
            _ => {
                self.restore(mark);
                return self.error_expr();
            }
        };
        self.restore(mark);
        result
    }

    // -----------------------------------------------------------------------------------------
    // Literals of collections and records

    fn collection(&mut self, items: &[Expr], is_set: bool, expected: Option<&Ty>, span: Span) -> TExpr {
        let want_el = expected.and_then(|t| match t.strip_optional() {
            Ty::List(el) if !is_set => Some((**el).clone()),
            Ty::Set(el) if is_set => Some((**el).clone()),
            _ => None,
        });
        let mut checked = Vec::with_capacity(items.len());
        let mut el = want_el.clone().unwrap_or(Ty::Never);
        for item in items {
            let hint = if el == Ty::Never { want_el.as_ref() } else { Some(&el) };
            let t = self.expr(item, hint);
            match el.join(&t.ty) {
                Some(j) => el = j,
                None => {
                    let (et, tt) = (el.clone(), t.ty.clone());
                    self.push(
                        self.error(Code::MISMATCH, item.span, "elements of a collection must have one type")
                            .with_label(format!("expected `{et}`, found `{tt}`")),
                    );
                }
            }
            checked.push((t, item.span));
        }
        if is_set && !el.is_scalar() && el != Ty::Never && !el.is_error() {
            self.push(
                self.error(Code::SET_ELEMENT, span, format!("a set cannot hold `{el}`"))
                    .with_label("sets hold scalars: bool, int, decimal, string, date, duration or an enum")
                    .with_help("use a list `[…]` instead"),
            );
            return self.error_expr();
        }
        let irs: Vec<_> = checked.into_iter().map(|(t, s)| self.coerce(t, &el, s).ir).collect();
        let ty = if is_set { Ty::Set(Box::new(el)) } else { Ty::List(Box::new(el)) };
        let kind = if is_set { IrKind::Set(irs) } else { IrKind::List(irs) };
        self.node(&ty, kind)
    }

    fn record_literal(&mut self, path: &Path, fields: &[(Ident, Expr)]) -> TExpr {
        let q = match path.segments.as_slice() {
            [one] => match self.r.lookup(&one.name) {
                [d] if matches!(d.kind, DefKind::Record | DefKind::Facts) => Some(d.qname.clone()),
                [d] if d.kind == DefKind::Broken => return self.error_expr(),
                _ => None,
            },
            _ => {
                let package = path.segments[..path.segments.len() - 1]
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let last = path.segments.last().map_or("", |s| s.name.as_str());
                crate::names::package_index(self.r.db, self.r.db.workspace())
                    .lookup(&package, last)
                    .find(|d| matches!(d.kind, DefKind::Record | DefKind::Facts))
                    .map(|d| d.qname.clone())
            }
        };
        let Some(q) = q else {
            self.push(
                self.error(Code::UNKNOWN_TYPE, path.span, format!("unknown record type `{}`", path.joined()))
                    .with_label("not a `type` in scope"),
            );
            for (_, v) in fields {
                self.expr(v, None);
            }
            return self.error_expr();
        };
        if let Some(last) = path.segments.last() {
            self.refer(last.span, Symbol::Item { qname: q.clone(), kind: DefKind::Record });
        }
        let Some(sig) = self.r.record_sig(&q) else { return self.error_expr() };
        let mut given: Vec<Option<(&Ident, &Expr)>> = vec![None; sig.fields.len()];
        // Fields an unknown field name was taken for (`min_lenght` → `min_length`): not also
        // reported missing.
        let mut suggested: Vec<&str> = Vec::new();
        let mut ok = true;
        for (fname, value) in fields {
            match sig.field(&fname.name) {
                Some((i, _)) => {
                    self.refer(fname.span, Symbol::Field { record: q.clone(), field: fname.name.as_str().into() });
                    if let Some((first, _)) = given[i as usize] {
                        self.push(
                            self.error(Code::RECORD_LITERAL, fname.span, format!("field `{}` given twice", fname.name))
                                .with_label("second value")
                                .with_secondary(first.span, "first given here"),
                        );
                        self.expr(value, None);
                        ok = false;
                        continue;
                    }
                    given[i as usize] = Some((fname, value));
                }
                None => {
                    let mut d = Diagnostic::error(
                        Code::UNKNOWN_FIELD,
                        &self.r.path,
                        fname.span,
                        format!("no field `{}` on `{}`", fname.name, short(&q)),
                    )
                    .with_label("unknown field");
                    if let Some(c) = crate::names::closest(&fname.name, sig.fields.iter().map(|f| &*f.name)) {
                        d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                            format!("replace with `{c}`"),
                            fname.span,
                            c.to_string(),
                        );
                        suggested.push(c);
                    }
                    self.push(d);
                    self.expr(value, None);
                    ok = false;
                }
            }
        }
        let mut irs = Vec::with_capacity(sig.fields.len());
        let mut missing = Vec::new();
        for (i, f) in sig.fields.iter().enumerate() {
            match given[i] {
                Some((_, value)) => irs.push(self.expect(value, &f.ty).ir),
                None => match (&f.default, f.ty.is_optional()) {
                    (Some(c), _) => {
                        let c = self.localize_const(c, &f.ty);
                        irs.push(self.node(&f.ty, IrKind::Const(c)).ir);
                    }
                    (None, true) => irs.push(self.node(&f.ty, IrKind::Const(Const::None)).ir),
                    (None, false) if suggested.contains(&&*f.name) => {}
                    (None, false) => missing.push(format!("`{}: {}`", f.name, f.ty)),
                },
            }
        }
        if !missing.is_empty() {
            self.push(
                self.error(
                    Code::RECORD_LITERAL,
                    path.span,
                    format!("missing field{} {}", if missing.len() > 1 { "s" } else { "" }, missing.join(", ")),
                )
                .with_label(format!("`{}` needs them", short(&q)))
                .with_help("give them, or declare defaults in the type"),
            );
            ok = false;
        }
        if !ok {
            return self.error_expr();
        }
        let rid = self.record_id(&q);
        self.node(&Ty::Record(q), IrKind::Record { record: rid, fields: irs })
    }

    /// A signature constant (whose enum ids are placeholders) with this file's enum ids.
    pub(crate) fn localize_const(&mut self, c: &Const, ty: &Ty) -> Const {
        match (c, ty.strip_optional()) {
            (Const::Enum(_, v), Ty::Enum(q)) => Const::Enum(self.enum_id(q), *v),
            _ => c.clone(),
        }
    }
}

/// Whether `e` is a set literal, parentheses aside.
fn is_set_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Set(_) => true,
        ExprKind::Paren(inner) => is_set_literal(inner),
        _ => false,
    }
}

/// `1 argument`, `2 arguments`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// The enum a bare name would be a variant of, where `t` is expected.
fn expected_enum(t: &Ty) -> Option<QName> {
    match t.strip_optional() {
        Ty::Enum(q) => Some(q.clone()),
        _ => None,
    }
}
