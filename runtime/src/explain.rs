//! Explanations: why a requirement is false, as the root cause and the values that decided
//! it, not the whole evaluation trace.
//!
//! The explainer walks a requirement's IR (for the text of each sub-expression) and its plan
//! (to evaluate them) side by side, descending only into the part that decided the result:
//! the false conjunct of an `and`, the first counter-example of an `all`, the body of a called
//! function. It runs only for failures, so it may re-evaluate freely.

use okite_ir::{BinOp, Expr, ExprKind, LocalDef, Program, QuantKind, Type, UnOp, pretty};

use crate::evaluate::render_word;
use crate::heap::pointer;
use crate::machine::Machine;
use crate::plan::Node;
use crate::report::{ExplainedValue, Explanation};
use crate::word::NONE;

/// Explanations stop descending after this many levels.
const MAX_DEPTH: usize = 12;

/// Whether an explanation is for people (with source text and rendered values) or only to
/// find a finding's JSON Pointer (which needs neither, and is computed for every finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Texts and values.
    Full,
    /// Paths only; texts and values are left empty.
    PathsOnly,
}

/// Why `ir` (whose plan is `node`) evaluated to false.
pub fn why_false(m: &mut Machine<'_>, locals: &[LocalDef], ir: &Expr, node: &Node, detail: Detail) -> Explanation {
    why(m, locals, ir, node, false, 0, detail)
}

/// The JSON Pointer of the fact at the root of an explanation: the deepest one named.
pub fn primary_path(e: &Explanation) -> Option<String> {
    if let Some(p) = e.because.as_deref().and_then(primary_path) {
        return Some(p);
    }
    e.values.iter().find_map(|v| v.path.clone())
}

fn text(program: &Program, locals: &[LocalDef], ir: &Expr, detail: Detail) -> String {
    match detail {
        Detail::Full => pretty::expr_to_string(program, locals, ir),
        Detail::PathsOnly => String::new(),
    }
}

fn value_text(m: &Machine<'_>, w: crate::word::Word, ty: okite_ir::TypeId, detail: Detail) -> String {
    match detail {
        Detail::Full => render_word(m, w, ty),
        Detail::PathsOnly => String::new(),
    }
}

fn leaf(m: &mut Machine<'_>, locals: &[LocalDef], ir: &Expr, node: &Node, holds: bool, detail: Detail) -> Explanation {
    let program = m.program();
    let mut values: Vec<ExplainedValue> = operand(m, locals, ir, node, detail).into_iter().collect();
    // A call's verdict means little without its arguments (`is_empty(free)` is false because
    // `free` = [...]); plain names and field reads are shown, computed arguments are not.
    if let (
        ExprKind::Builtin { args, .. } | ExprKind::Call { args, .. } | ExprKind::Extern { args, .. },
        Node::Builtin(_, nodes) | Node::Call(_, nodes) | Node::Extern(_, _, nodes),
    ) = (&ir.kind, node)
    {
        for (a, n) in args.iter().zip(nodes) {
            if matches!(a.kind, ExprKind::Local(_) | ExprKind::Field { .. } | ExprKind::OptField { .. }) {
                values.extend(operand(m, locals, a, n, detail));
            }
        }
    }
    Explanation { condition: text(program, locals, ir, detail), holds, values, note: None, because: None }
}

/// Whether an expression is the same for every snapshot (so not worth showing as a value).
fn is_constant(ir: &Expr) -> bool {
    match &ir.kind {
        ExprKind::Const(_) | ExprKind::Global(_) => true,
        ExprKind::List(items) | ExprKind::Set(items) => items.iter().all(is_constant),
        ExprKind::Unary { arg, .. } => is_constant(arg),
        _ => false,
    }
}

/// The value of a sub-expression, unless it is a constant.
fn operand(m: &mut Machine<'_>, locals: &[LocalDef], ir: &Expr, node: &Node, detail: Detail) -> Option<ExplainedValue> {
    if is_constant(ir) {
        return None;
    }
    let program = m.program();
    let w = m.eval(node).ok()?;
    Some(ExplainedValue {
        expr: text(program, locals, ir, detail),
        value: value_text(m, w, ir.ty, detail),
        path: path_of(m, ir, node),
    })
}

/// The JSON Pointer of the fact a sub-expression reads, if it reads one directly.
fn path_of(m: &mut Machine<'_>, ir: &Expr, node: &Node) -> Option<String> {
    let program = m.program();
    match (&ir.kind, node) {
        (
            ExprKind::Field { base, field } | ExprKind::OptField { base, field },
            Node::Field(bn, _) | Node::OptField(bn, _),
        ) => {
            let b = m.eval(bn).ok()?;
            if b == NONE {
                return path_of(m, base, bn);
            }
            let origin = m.with_view(|v| v.record_origin(b));
            let base_path = pointer(program, m.snap, origin)?;
            let rec = match program.types.ty(program.types.strip_optional(base.ty)) {
                Type::Record(r) => program.records.get(r.0 as usize)?,
                _ => return None,
            };
            let name = rec.fields.get(*field as usize)?.name.replace('~', "~0").replace('/', "~1");
            Some(format!("{base_path}/{name}"))
        }
        (ExprKind::Index { base, .. }, Node::Index(bn, idx)) => {
            let i = m.eval(idx).ok()?;
            let base_path = path_of(m, base, bn)?;
            Some(format!("{base_path}/{}", crate::word::to_int(i)))
        }
        (ExprKind::Facts, _) => Some(String::new()),
        _ => {
            let w = m.eval(node).ok()?;
            if w == NONE {
                return None;
            }
            let origin = match program.types.ty(program.types.strip_optional(ir.ty)) {
                Type::Record(_) => m.with_view(|v| v.record_origin(w)),
                Type::List(_) | Type::Set(_) => m.with_view(|v| v.list_origin(w)),
                _ => return None,
            };
            pointer(program, m.snap, origin)
        }
    }
}

fn element_path(
    m: &Machine<'_>,
    ir_source: &Expr,
    w: crate::word::Word,
    index: usize,
    list: crate::word::Word,
) -> Option<String> {
    let program = m.program();
    match program.types.ty(program.types.strip_optional(ir_source.ty)) {
        Type::List(el) | Type::Set(el) => match program.types.ty(el) {
            Type::Record(_) => pointer(program, m.snap, m.with_view(|v| v.record_origin(w))),
            _ => pointer(program, m.snap, m.with_view(|v| v.list_origin(list))).map(|p| format!("{p}/{index}")),
        },
        _ => None,
    }
}

/// Why `ir` evaluated to `value`.
fn why(
    m: &mut Machine<'_>,
    locals: &[LocalDef],
    ir: &Expr,
    node: &Node,
    value: bool,
    depth: usize,
    detail: Detail,
) -> Explanation {
    let program = m.program();
    if depth >= MAX_DEPTH {
        return leaf(m, locals, ir, node, value, detail);
    }
    let condition = text(program, locals, ir, detail);
    match (&ir.kind, node) {
        (ExprKind::Unary { op: UnOp::Not, arg }, Node::Unary(_, an)) => why(m, locals, arg, an, !value, depth, detail),
        (ExprKind::Binary { op: BinOp::And, lhs, rhs }, Node::Binary(_, ln, rn, _)) => {
            let l = m.eval(ln).ok() == Some(1);
            if value {
                why(m, locals, lhs, ln, true, depth + 1, detail)
            } else if !l {
                why(m, locals, lhs, ln, false, depth + 1, detail)
            } else {
                why(m, locals, rhs, rn, false, depth + 1, detail)
            }
        }
        (ExprKind::Binary { op: BinOp::Or, lhs, rhs }, Node::Binary(_, ln, rn, _)) => {
            if value {
                let l = m.eval(ln).ok() == Some(1);
                return if l {
                    why(m, locals, lhs, ln, true, depth + 1, detail)
                } else {
                    why(m, locals, rhs, rn, true, depth + 1, detail)
                };
            }
            // Neither alternative holds: show both.
            let left = why(m, locals, lhs, ln, false, depth + 1, detail);
            let right = why(m, locals, rhs, rn, false, depth + 1, detail);
            let mut values = left.values.clone();
            values.extend(right.values.iter().cloned());
            Explanation {
                condition,
                holds: false,
                values,
                note: Some(format!("neither `{}` nor `{}` holds", left.condition, right.condition)),
                because: left.because.or(right.because),
            }
        }
        (ExprKind::Binary { lhs, rhs, .. }, Node::Binary(_, ln, rn, _)) => {
            let mut values = Vec::new();
            values.extend(operand(m, locals, lhs, ln, detail));
            values.extend(operand(m, locals, rhs, rn, detail));
            Explanation { condition, holds: value, values, note: None, because: None }
        }
        (
            ExprKind::Quant { kind, var, source, filter, body },
            Node::Quant { source: sn, filter: fnode, body: bn, index, .. },
        ) => {
            let Ok(list) = m.eval(sn) else { return leaf(m, locals, ir, node, value, detail) };
            let total = m.elems(list).len();
            let source_text = text(program, locals, source, detail);
            let var_name = locals.get(var.0 as usize).map_or("x", |l| l.name.as_str()).to_string();
            // Only these results are decided by one element; the others are decided by all of
            // them, and scanning would cost as much as the rule itself for every finding.
            let decisive_possible =
                matches!((kind, value), (QuantKind::All, false) | (QuantKind::Any, true) | (QuantKind::None, false));
            if decisive_possible {
                // An `all` is decided by any element; the others only by elements passing the
                // gating predicate, which the index finds without a scan.
                let items = match kind {
                    QuantKind::All => Ok(m.elems(list)),
                    _ => m.candidates(list, index.as_ref()),
                };
                let items = items.map(std::borrow::Cow::into_owned).unwrap_or_default();
                for &x in &items {
                    m.set_local(var.0, x);
                    if let (Some(_), Some(fnode)) = (filter, fnode)
                        && m.eval(fnode).ok() != Some(1)
                    {
                        continue;
                    }
                    let holds = match bn {
                        Some(b) => m.eval(b).ok() == Some(1),
                        None => x == 1,
                    };
                    let decisive = if *kind == QuantKind::All { !holds } else { holds };
                    if !decisive {
                        continue;
                    }
                    let el_ty = match program.types.ty(source.ty) {
                        Type::List(t) | Type::Set(t) => t,
                        _ => source.ty,
                    };
                    let rendered = value_text(m, x, el_ty, detail);
                    let position = m.elems(list).iter().position(|w| *w == x).unwrap_or(0);
                    let path = element_path(m, source, x, position, list);
                    let at = path.as_deref().map(|p| format!(" at {p}")).unwrap_or_default();
                    let because = match (body, bn) {
                        (Some(b), Some(bn)) => Some(Box::new(why(m, locals, b, bn, holds, depth + 1, detail))),
                        _ => None,
                    };
                    return Explanation {
                        condition,
                        holds: value,
                        values: vec![ExplainedValue { expr: var_name.clone(), value: rendered, path }],
                        note: Some(format!("`{var_name}` = element {position} of `{source_text}`{at}")),
                        because,
                    };
                }
            }
            let elements = if total == 1 { "1 element".to_string() } else { format!("{total} elements") };
            let note = match (kind, value) {
                (QuantKind::Any, false) => format!("no element of `{source_text}` ({elements}) satisfies it"),
                (QuantKind::All | QuantKind::None, true) => {
                    format!("it holds for every element of `{source_text}` ({elements})")
                }
                _ => format!("`{source_text}` has {elements}"),
            };
            // The collection is named in the note; its pointer would wrongly become the finding's
            // path, when what is missing belongs to the subject.
            Explanation { condition, holds: value, values: Vec::new(), note: Some(note), because: None }
        }
        (ExprKind::Call { func, args }, Node::Call(f, arg_nodes)) => {
            let Some(def) = program.functions.get(func.0 as usize) else {
                return leaf(m, locals, ir, node, value, detail);
            };
            let Some(plan) = m.eng.fns.get(*f as usize) else { return leaf(m, locals, ir, node, value, detail) };
            let mut values = Vec::new();
            let mut words = Vec::new();
            for ((a, an), p) in args.iter().zip(arg_nodes).zip(&def.params) {
                let w = m.eval(an).unwrap_or(NONE);
                words.push(w);
                let pname = def.locals.get(p.0 as usize).map_or("?", |l| l.name.as_str());
                if !matches!(a.kind, ExprKind::Const(_)) {
                    values.push(ExplainedValue {
                        expr: {
                            let arg = text(program, locals, a, detail);
                            if arg == pname { arg } else { format!("{pname} = {arg}") }
                        },
                        value: value_text(m, w, a.ty, detail),
                        path: path_of(m, a, an),
                    });
                }
            }
            let frame = m.push_frame(plan.nlocals);
            for (slot, w) in plan.params.iter().zip(words) {
                m.set_local(*slot, w);
            }
            let inner = why(m, &def.locals, &def.body, &plan.body, value, depth + 1, detail);
            m.pop_frame(frame);
            Explanation { condition, holds: value, values, note: None, because: Some(Box::new(inner)) }
        }
        (ExprKind::Let { var, body, .. }, Node::Let(_, vn, bn)) => {
            if let Ok(w) = m.eval(vn) {
                m.set_local(var.0, w);
            }
            why(m, locals, body, bn, value, depth, detail)
        }
        (ExprKind::If { then, els, .. }, Node::If(cn, tn, en)) => {
            if m.eval(cn).ok() == Some(1) {
                why(m, locals, then, tn, value, depth + 1, detail)
            } else {
                why(m, locals, els, en, value, depth + 1, detail)
            }
        }
        _ => leaf(m, locals, ir, node, value, detail),
    }
}
