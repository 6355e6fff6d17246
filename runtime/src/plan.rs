//! The evaluation plan: the IR with every constant pre-encoded as a [`Word`].
//!
//! Lowering is structural (one plan node per IR node, children in the same order), so the
//! explainer can walk an IR expression and its plan side by side: the IR gives the source text
//! of each sub-expression, the plan gives its value. A native tier would compile the plan.

use okite_ir::{
    BinOp, Builtin, Const, Expr, ExprKind, InterpPart, LoopStep, Prelude, QuantKind, RuleBody, Stmt, TypeId, UnOp,
};

use crate::heap::{Heap, NO_ORIGIN};
use crate::word::{self, NONE, Word};

/// A plan node.
#[derive(Clone, Debug)]
pub enum Node {
    /// A constant.
    Const(Word),
    /// A frame slot.
    Local(u32),
    /// The snapshot root.
    Facts,
    /// The evaluation date.
    AsOf,
    /// A record field.
    Field(Box<Node>, u32),
    /// A field of an optional record.
    OptField(Box<Node>, u32),
    /// A list element, or `none`.
    Index(Box<Node>, Box<Node>),
    /// A unary operation.
    Unary(UnOp, Box<Node>),
    /// A binary operation; the type is the left operand's (for structural equality).
    Binary(BinOp, Box<Node>, Box<Node>, TypeId),
    /// `if`
    If(Box<Node>, Box<Node>, Box<Node>),
    /// `let` in a block.
    Let(u32, Box<Node>, Box<Node>),
    /// A call of a function plan.
    Call(u32, Vec<Node>),
    /// A built-in.
    Builtin(Builtin, Vec<Node>),
    /// A plugin function: plugin index, function index, arguments.
    Extern(u32, u32, Vec<Node>),
    /// A quantifier or aggregate; the type is the body's (or the element's).
    Quant {
        /// Which.
        kind: QuantKind,
        /// The element slot.
        var: u32,
        /// The collection.
        source: Box<Node>,
        /// Skip elements for which this is false.
        filter: Option<Box<Node>>,
        /// Predicate or value.
        body: Option<Box<Node>>,
        /// Type of the collection.
        source_ty: TypeId,
        /// When the elements that can count are those whose field `.0` equals the value of
        /// `.1` (an `x.f == e` conjunct of the gating predicate, `e` not mentioning `x`), the
        /// machine may look them up in an index instead of scanning.
        index: Option<(u32, Box<Node>)>,
    },
    /// A list literal.
    List(Vec<Node>),
    /// A set literal.
    Set(Vec<Node>),
    /// A record literal (fields in declaration order).
    Record(Vec<Node>),
    /// An interpolated string.
    Interp(Vec<Part>),
}

impl Node {
    /// Calls `f` on each direct sub-expression, in evaluation order (a quantifier's index key,
    /// a copy of part of its filter or body, comes last).
    pub fn for_each_child<'n>(&'n self, f: &mut impl FnMut(&'n Node)) {
        match self {
            Node::Const(_) | Node::Local(_) | Node::Facts | Node::AsOf => {}
            Node::Field(b, _) | Node::OptField(b, _) | Node::Unary(_, b) => f(b),
            Node::Index(a, b) | Node::Binary(_, a, b, _) | Node::Let(_, a, b) => {
                f(a);
                f(b);
            }
            Node::If(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Node::Call(_, args)
            | Node::Builtin(_, args)
            | Node::Extern(_, _, args)
            | Node::List(args)
            | Node::Set(args)
            | Node::Record(args) => args.iter().for_each(f),
            Node::Quant { source, filter, body, index, .. } => {
                f(source);
                filter.iter().chain(body.iter()).for_each(|x| f(x));
                if let Some((_, k)) = index {
                    f(k);
                }
            }
            Node::Interp(parts) => parts.iter().for_each(|p| {
                if let Part::Value(x, _) = p {
                    f(x);
                }
            }),
        }
    }
}

/// A piece of an interpolated string.
#[derive(Clone, Debug)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A value to render, with its type.
    Value(Node, TypeId),
}

/// A function's plan.
#[derive(Clone, Debug)]
pub struct FnPlan {
    /// Frame size.
    pub nlocals: usize,
    /// Parameter slots.
    pub params: Vec<u32>,
    /// The body.
    pub body: Node,
}

/// A rule's plan; its shape mirrors [`okite_ir::Rule`].
#[derive(Clone, Debug)]
pub struct RulePlan {
    /// Frame size.
    pub nlocals: usize,
    /// `let` (slot, value) or `when` (cond), in order.
    pub prelude: Vec<(Option<u32>, Node)>,
    /// `for` (slot, source, filter) or `let` (slot, value).
    pub loops: Vec<LoopPlan>,
    /// `unless` conditions.
    pub exemptions: Vec<Node>,
    /// The body.
    pub body: BodyPlan,
}

/// A step of the subject loops.
#[derive(Clone, Debug)]
pub enum LoopPlan {
    /// `for`
    For {
        /// Slot.
        var: u32,
        /// Collection.
        source: Node,
        /// Filter.
        filter: Option<Node>,
    },
    /// `let`
    Let(u32, Node),
}

/// A rule body.
#[derive(Clone, Debug)]
pub enum BodyPlan {
    /// `let` (Some(slot), value) and `require` (None, cond, message).
    Checks(Vec<StmtPlan>),
    /// Attestation: the list of records, field indices, period, required role.
    Attest {
        /// The attestation list.
        source: Node,
        /// Index of `clause`.
        clause_field: u32,
        /// Index of `on`.
        on_field: u32,
        /// Index of `by` and the role word.
        by: Option<(u32, Word)>,
        /// Freshness period.
        every: okite_ir::Duration,
    },
}

/// A statement of a rule body.
#[derive(Clone, Debug)]
pub enum StmtPlan {
    /// `let`
    Let(u32, Node),
    /// `require`
    Require {
        /// Condition.
        cond: Node,
        /// Message.
        message: Option<Node>,
    },
}

/// Lowers IR into plans, interning string constants into the engine's heap.
pub struct Lowerer<'a> {
    /// The heap receiving string constants: the engine's, or one stacked on it.
    pub heap: &'a mut Heap,
    /// The string layers below `heap` (empty for the engine's own heap).
    pub below: &'a [&'a crate::strings::Interner],
    /// Values of the constants evaluated so far.
    pub consts: &'a [Word],
    /// The shared empty list.
    pub empty_list: Word,
}

impl std::fmt::Debug for Lowerer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lowerer").finish_non_exhaustive()
    }
}

impl Lowerer<'_> {
    /// The word of a constant.
    pub fn constant(&mut self, c: &Const) -> Word {
        match c {
            Const::Bool(b) => word::from_bool(*b),
            Const::Int(i) => word::from_int(*i).unwrap_or(NONE),
            Const::Decimal(d) => word::from_decimal(*d).unwrap_or(NONE),
            Const::Str(s) => Word::from(self.heap.strings.intern(self.below, s)),
            Const::Date(d) => word::from_date(*d),
            Const::Duration(d) => word::from_duration(*d).unwrap_or(NONE),
            Const::Enum(_, v) => Word::from(*v),
            Const::None => NONE,
            Const::EmptyList | Const::EmptySet => self.empty_list,
        }
    }

    /// Lowers an expression.
    pub fn expr(&mut self, e: &Expr) -> Node {
        let b = |n: Node| Box::new(n);
        match &e.kind {
            ExprKind::Const(c) => Node::Const(self.constant(c)),
            ExprKind::Local(l) => Node::Local(l.0),
            ExprKind::Global(c) => Node::Const(self.consts.get(c.0 as usize).copied().unwrap_or(NONE)),
            ExprKind::Facts => Node::Facts,
            ExprKind::AsOf => Node::AsOf,
            ExprKind::Field { base, field } => Node::Field(b(self.expr(base)), *field),
            ExprKind::OptField { base, field } => Node::OptField(b(self.expr(base)), *field),
            ExprKind::Index { base, index } => Node::Index(b(self.expr(base)), b(self.expr(index))),
            ExprKind::Unary { op, arg } => Node::Unary(*op, b(self.expr(arg))),
            ExprKind::Binary { op, lhs, rhs } => Node::Binary(*op, b(self.expr(lhs)), b(self.expr(rhs)), lhs.ty),
            ExprKind::If { cond, then, els } => Node::If(b(self.expr(cond)), b(self.expr(then)), b(self.expr(els))),
            ExprKind::Let { var, value, body } => Node::Let(var.0, b(self.expr(value)), b(self.expr(body))),
            ExprKind::Call { func, args } => Node::Call(func.0, args.iter().map(|a| self.expr(a)).collect()),
            ExprKind::Builtin { func, args } => Node::Builtin(*func, args.iter().map(|a| self.expr(a)).collect()),
            ExprKind::Extern { plugin, func, args } => {
                Node::Extern(*plugin, *func, args.iter().map(|a| self.expr(a)).collect())
            }
            ExprKind::Quant { kind, var, source, filter, body } => {
                let filter = filter.as_ref().map(|f| b(self.expr(f)));
                let body = body.as_ref().map(|x| b(self.expr(x)));
                let gating: Vec<&Node> = match kind {
                    QuantKind::Any | QuantKind::None | QuantKind::Count | QuantKind::Filter => {
                        filter.iter().chain(body.iter()).map(|n| &**n).collect()
                    }
                    QuantKind::All => Vec::new(),
                    _ => filter.iter().map(|n| &**n).collect(),
                };
                let index = gating.into_iter().find_map(|n| equality_key(n, var.0)).map(|(f, k)| (f, b(k)));
                Node::Quant {
                    kind: *kind,
                    var: var.0,
                    source: b(self.expr(source)),
                    filter,
                    body,
                    source_ty: source.ty,
                    index,
                }
            }
            ExprKind::List(items) => Node::List(items.iter().map(|i| self.expr(i)).collect()),
            ExprKind::Set(items) => Node::Set(items.iter().map(|i| self.expr(i)).collect()),
            ExprKind::Record { fields, .. } => Node::Record(fields.iter().map(|f| self.expr(f)).collect()),
            ExprKind::Interp(parts) => Node::Interp(
                parts
                    .iter()
                    .map(|p| match p {
                        InterpPart::Text(t) => Part::Text(t.clone()),
                        InterpPart::Expr(x) => Part::Value(self.expr(x), x.ty),
                    })
                    .collect(),
            ),
        }
    }

    /// Lowers a rule.
    pub fn rule(&mut self, r: &okite_ir::Rule) -> RulePlan {
        let prelude = r
            .prelude
            .iter()
            .map(|p| match p {
                Prelude::Let { var, value } => (Some(var.0), self.expr(value)),
                Prelude::When { cond, .. } => (None, self.expr(cond)),
            })
            .collect();
        let loops = r
            .loops
            .iter()
            .map(|l| match l {
                LoopStep::For(l) => LoopPlan::For {
                    var: l.var.0,
                    source: self.expr(&l.source),
                    filter: l.filter.as_ref().map(|f| self.expr(f)),
                },
                LoopStep::Let { var, value } => LoopPlan::Let(var.0, self.expr(value)),
            })
            .collect();
        let exemptions = r.exemptions.iter().map(|x| self.expr(&x.cond)).collect();
        let body = match &r.body {
            RuleBody::Checks(stmts) => BodyPlan::Checks(
                stmts
                    .iter()
                    .map(|s| match s {
                        Stmt::Let { var, value } => StmtPlan::Let(var.0, self.expr(value)),
                        Stmt::Require(req) => StmtPlan::Require {
                            cond: self.expr(&req.cond),
                            message: req.message.as_ref().map(|m| self.expr(m)),
                        },
                    })
                    .collect(),
            ),
            RuleBody::Attest(a) => BodyPlan::Attest {
                source: self.expr(&a.source),
                clause_field: a.clause_field,
                on_field: a.on_field,
                by: a.by.as_ref().map(|(f, c)| (*f, self.constant(c))),
                every: a.every,
            },
        };
        RulePlan { nlocals: r.locals.len(), prelude, loops, exemptions, body }
    }

    /// Lowers a function.
    pub fn function(&mut self, f: &okite_ir::FnDef) -> FnPlan {
        FnPlan { nlocals: f.locals.len(), params: f.params.iter().map(|p| p.0).collect(), body: self.expr(&f.body) }
    }
}

/// Finds a conjunct `x.f == e` (or `e == x.f`) of `n`, where `e` does not mention slot `x`.
fn equality_key(n: &Node, var: u32) -> Option<(u32, Node)> {
    match n {
        Node::Binary(BinOp::And, l, r, _) => equality_key(l, var).or_else(|| equality_key(r, var)),
        Node::Binary(BinOp::Eq, l, r, _) => {
            let field_of_var = |x: &Node| match x {
                Node::Field(base, f) if matches!(**base, Node::Local(v) if v == var) => Some(*f),
                _ => None,
            };
            match (field_of_var(l), field_of_var(r)) {
                (Some(f), _) if !mentions(r, var) => Some((f, (**r).clone())),
                (_, Some(f)) if !mentions(l, var) => Some((f, (**l).clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `n` reads slot `var`.
fn mentions(n: &Node, var: u32) -> bool {
    if let Node::Local(v) = n {
        return *v == var;
    }
    let mut found = false;
    n.for_each_child(&mut |c| found = found || mentions(c, var));
    found
}

/// Adds the shared empty list to a fresh engine heap.
pub fn empty_list(heap: &mut Heap) -> Word {
    heap.push_list(&[], NO_ORIGIN)
}
