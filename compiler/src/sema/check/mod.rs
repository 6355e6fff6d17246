//! Checking one file: every item's body is resolved and type-checked against the signatures,
//! producing diagnostics and the file's typed IR.
//!
//! The IR of a file refers to records, enums, functions, constants and rules of other files by
//! qualified name through small reference tables; the linker (`crate::link`) turns those into
//! the global indices of a [`okite_ir::Program`]. That keeps this query's result independent
//! of every other file's bodies, which is what makes re-checking incremental.

mod declarations;
mod expr;
mod items;
mod rule;
mod test;

use std::sync::Arc;

use okite_ir::{
    ConstDef, ConstId, EnumId, Expr, ExprKind, FnDef, FnId, LocalDef, LocalId, RecordId, Rule, RuleId, SourceLocation,
    TestDef, Type, TypeId, TypeTable,
};

use super::index::{CompletionContext, FileIndex, Reference, Symbol};
use super::resolve::Resolver;
use super::signature::file_signatures;
use super::ty::{QName, Ty};
use crate::db::{Db, SourceFile};
use crate::diagnostics::{Code, Diagnostic};
use crate::span::{LineIndex, Span};
use crate::syntax::ast::{Ident, ItemKind};

/// A call of a function (or a use of a constant) by an item, for the workspace-level checks
/// (recursion, call depth, unused functions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallEdge {
    /// The calling item.
    pub caller: QName,
    /// The function or constant used.
    pub callee: QName,
    /// Where.
    pub span: Span,
}

/// The typed IR of one file, with references to other files' items by name.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileIr {
    /// Types used by the file; record and enum ids index `records`/`enums` below.
    pub types: TypeTable,
    /// `RecordId(i)` in this file means `records[i]`.
    pub records: Vec<QName>,
    /// `EnumId(i)` in this file means `enums[i]`.
    pub enums: Vec<QName>,
    /// `FnId(i)` in this file means `fns[i]`.
    pub fns: Vec<QName>,
    /// `ConstId(i)` in this file means `consts_used[i]`.
    pub consts_used: Vec<QName>,
    /// `RuleId(i)` in this file means `rules_used[i]`.
    pub rules_used: Vec<QName>,
    /// `Extern { plugin: i, .. }` in this file calls the `extern fn` named `externs[i]`; the
    /// linker assigns the program's plugin and function indices.
    pub externs: Vec<QName>,
    /// Constants declared here.
    pub consts: Vec<ConstDef>,
    /// Functions declared here.
    pub functions: Vec<FnDef>,
    /// Rules declared here.
    pub rules: Vec<Rule>,
    /// Tests declared here.
    pub tests: Vec<TestDef>,
    /// Calls and constant uses.
    pub calls: Vec<CallEdge>,
}

/// The result of checking a file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CheckedFile {
    /// Parse errors, signature errors and body errors, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The file's IR (meaningful only when there are no errors).
    pub ir: FileIr,
    /// Names and types by position, for the editor.
    pub index: FileIndex,
}

/// Checks `file`.
#[salsa::tracked(returns(ref))]
pub fn check_file(db: &dyn Db, file: SourceFile) -> CheckedFile {
    let parsed = crate::parse(db, file);
    let mut cx = Checker::new(db, file);
    // In a file that is not UTF-8 the undecodable bytes became U+FFFD, and the ASCII bytes
    // among them (the second byte of a Shift_JIS character may be `{` or `\`) break strings
    // and comments apart: its syntax errors are consequences of E0001, reported alone.
    let not_utf8 = file.utf8_error(db).is_some();
    cx.diags.extend(parsed.errors.iter().filter(|d| !not_utf8 || d.code == Code::INVALID_UTF8).cloned());
    cx.diags.extend(file_signatures(db, file).diagnostics.iter().cloned());
    cx.check_package_and_imports(&parsed.file);
    for item in &parsed.file.items {
        cx.check_item(item);
        cx.index_declarations(item);
        if let Some(name) = item.name() {
            cx.check_duplicate(name, item);
        }
    }
    let mut diagnostics = cx.diags;
    diagnostics.sort_by_key(|d| (d.primary.span.start, d.code.id()));
    diagnostics.dedup();
    CheckedFile { diagnostics, ir: cx.out, index: cx.index }
}

/// What may be completed at the [`COMPLETION_MARKER`] in `text` (the text of `file` with the
/// marker inserted at the cursor, at byte `offset`): the one item containing it is checked
/// against the workspace as it is.
pub fn completion_context(db: &dyn Db, file: SourceFile, text: &str, offset: u32) -> Option<CompletionContext> {
    let parsed = crate::syntax::parse(file.path(db), text);
    let item = parsed.file.items.iter().find(|i| i.span.start <= offset && offset <= i.span.end)?;
    let mut cx = Checker::with_text(db, file, text.into());
    cx.check_item(item);
    cx.completion
}

impl Checker<'_> {
    fn check_item(&mut self, item: &crate::syntax::ast::Item) {
        match &item.kind {
            ItemKind::Const(c) => self.check_const(item, c),
            ItemKind::Fn(f) => self.check_fn(item, f),
            ItemKind::Extern(f) => self.check_extern(f),
            ItemKind::Rule(r) => self.check_rule(item, r),
            ItemKind::Test(t) => self.check_test(item, t),
            ItemKind::Facts(_) => self.check_facts_unique(item),
            ItemKind::Section(s) => self.check_section(s),
            ItemKind::Type(_) | ItemKind::Enum(_) | ItemKind::Package(_) | ItemKind::Import(_) | ItemKind::Error(_) => {
            }
        }
    }
}

/// A typed expression: its IR and its semantic type.
#[derive(Clone, Debug)]
pub(crate) struct TExpr {
    pub ir: Expr,
    pub ty: Ty,
}

/// A variable of the item being checked.
#[derive(Clone, Debug)]
struct LocalInfo {
    name: Arc<str>,
    ty: Ty,
    span: Span,
    used: bool,
    warn_unused: bool,
}

/// What expressions may use, depending on where they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// Rules, functions, tests' expectations: anything.
    Normal,
    /// Constant values and test patches: literals, constants and built-ins only.
    Constant,
}

pub(crate) struct Checker<'db> {
    pub r: Resolver<'db>,
    pub diags: Vec<Diagnostic>,
    pub out: FileIr,
    lines: LineIndex,
    text: Arc<str>,
    /// The current frame.
    locals: Vec<LocalInfo>,
    /// Visible locals, innermost last.
    visible: Vec<LocalId>,
    /// The item being checked, for call edges.
    current: QName,
    pub context: Context,
    /// Where the current item's diagnostics start in `diags`.
    item_diags_start: usize,
    /// Whether the current item contains an expression the parser could not build.
    pub item_has_broken_expr: bool,
    /// Names and types by position.
    pub index: FileIndex,
    /// What was found at the completion marker, when checking for completion.
    pub completion: Option<CompletionContext>,
}

impl<'db> Checker<'db> {
    fn new(db: &'db dyn Db, file: SourceFile) -> Checker<'db> {
        Checker::with_text(db, file, file.text(db).clone())
    }

    fn with_text(db: &'db dyn Db, file: SourceFile, text: Arc<str>) -> Checker<'db> {
        Checker {
            r: Resolver::new(db, file),
            diags: Vec::new(),
            out: FileIr::default(),
            lines: LineIndex::new(&text),
            text,
            locals: Vec::new(),
            visible: Vec::new(),
            current: "".into(),
            context: Context::Normal,
            item_diags_start: 0,
            item_has_broken_expr: false,
            index: FileIndex::default(),
            completion: None,
        }
    }

    pub(crate) fn qualify(&self, name: &str) -> QName {
        match self.r.package() {
            Some(p) => format!("{p}.{name}").into(),
            None => name.into(),
        }
    }

    pub(crate) fn location(&self, span: Span) -> SourceLocation {
        let (line, column) = self.lines.line_col(&self.text, span.start);
        SourceLocation { file: self.r.path.to_string(), line, column }
    }

    /// A new error about this file (to be [`Checker::push`]ed).
    pub(crate) fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, &self.r.path, span, message)
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    // -----------------------------------------------------------------------------------------
    // Frames and locals

    /// Starts checking a new item.
    pub(crate) fn begin_item(&mut self, qname: QName, context: Context) {
        self.locals.clear();
        self.visible.clear();
        self.current = qname;
        self.context = context;
        self.item_diags_start = self.diags.len();
        self.item_has_broken_expr = false;
    }

    /// Ends the item: reports unused variables and returns the frame.
    ///
    /// An item with errors gets no unused-variable warnings: the variable is often used in the
    /// very expression that failed (a misspelt use, a skipped expression), so the warning would
    /// only repeat the error.
    pub(crate) fn end_item(&mut self) -> Vec<LocalDef> {
        let locals = std::mem::take(&mut self.locals);
        self.visible.clear();
        let item_failed = self.item_has_broken_expr
            || self.diags.get(self.item_diags_start..).is_some_and(|ds| ds.iter().any(Diagnostic::is_error));
        let mut defs = Vec::with_capacity(locals.len());
        for l in locals {
            if l.warn_unused && !l.used && !l.name.starts_with('_') && !item_failed {
                self.diags.push(
                    Diagnostic::warning(
                        Code::UNUSED_VARIABLE,
                        &self.r.path,
                        l.span,
                        format!("variable `{}` is never used", l.name),
                    )
                    .with_help(format!("remove it, or rename it to `_{}`", l.name)),
                );
            }
            let ty = self.ty_id(&l.ty);
            defs.push(LocalDef { name: l.name.to_string(), ty });
        }
        defs
    }

    /// Records that the name at `span` refers to `symbol`.
    pub(crate) fn refer(&mut self, span: Span, symbol: Symbol) {
        self.index.refs.push(Reference { span, symbol, is_def: false });
    }

    /// Records a use of local `id` at `name`.
    pub(crate) fn refer_local(&mut self, name: &Ident, id: LocalId) {
        if let Some(l) = self.locals.get(id.0 as usize) {
            let symbol = Symbol::Local { name: l.name.clone(), decl: l.span, ty: l.ty.clone() };
            self.refer(name.span, symbol);
        }
    }

    /// The visible variables and their types, innermost last.
    pub(crate) fn visible_locals(&self) -> Vec<(Arc<str>, Ty)> {
        self.visible
            .iter()
            .filter_map(|l| self.locals.get(l.0 as usize))
            .map(|l| (l.name.clone(), l.ty.clone()))
            .collect()
    }

    /// Declares a variable and makes it visible.
    pub(crate) fn declare(&mut self, name: &str, ty: Ty, span: Span, warn_unused: bool) -> LocalId {
        if let Some(prev) = self.visible.iter().rev().find(|l| *self.locals[l.0 as usize].name == *name) {
            let prev_span = self.locals[prev.0 as usize].span;
            if warn_unused && !name.starts_with('_') {
                self.diags.push(
                    Diagnostic::error(Code::DUPLICATE, &self.r.path, span, format!("`{name}` is already defined"))
                        .with_label("redefined here")
                        .with_secondary(prev_span, "first defined here")
                        .with_help("choose another name"),
                );
            }
        }
        let id = LocalId(self.locals.len() as u32);
        if !name.starts_with("_element") {
            let symbol = Symbol::Local { name: name.into(), decl: span, ty: ty.clone() };
            self.index.refs.push(Reference { span, symbol, is_def: true });
        }
        self.locals.push(LocalInfo { name: name.into(), ty, span, used: false, warn_unused });
        self.visible.push(id);
        id
    }

    /// Marks the visible-locals stack, to restore with [`Checker::restore`].
    pub(crate) fn mark(&self) -> usize {
        self.visible.len()
    }

    /// Hides the locals declared since `mark`.
    pub(crate) fn restore(&mut self, mark: usize) {
        self.visible.truncate(mark);
    }

    /// The visible local called `name`.
    pub(crate) fn local(&mut self, name: &str) -> Option<(LocalId, Ty)> {
        let id = *self.visible.iter().rev().find(|l| *self.locals[l.0 as usize].name == *name)?;
        let info = &mut self.locals[id.0 as usize];
        info.used = true;
        Some((id, info.ty.clone()))
    }

    /// Names of the visible locals, for suggestions.
    pub(crate) fn visible_names(&self) -> Vec<Arc<str>> {
        self.visible.iter().map(|l| self.locals[l.0 as usize].name.clone()).collect()
    }

    // -----------------------------------------------------------------------------------------
    // Emitting IR types and references

    pub(crate) fn ty_id(&mut self, ty: &Ty) -> TypeId {
        let t = match ty {
            Ty::Bool => Type::Bool,
            Ty::Int => Type::Int,
            Ty::Decimal => Type::Decimal,
            Ty::String => Type::String,
            Ty::Date => Type::Date,
            Ty::Duration => Type::Duration,
            Ty::Enum(q) => Type::Enum(EnumId(intern(&mut self.out.enums, q))),
            Ty::Record(q) => Type::Record(RecordId(intern(&mut self.out.records, q))),
            Ty::List(t) => Type::List(self.ty_id(t)),
            Ty::Set(t) => Type::Set(self.ty_id(t)),
            Ty::Optional(t) => Type::Optional(self.ty_id(t)),
            Ty::Never | Ty::Error => Type::Never,
        };
        self.out.types.intern(t)
    }

    pub(crate) fn enum_id(&mut self, q: &QName) -> EnumId {
        EnumId(intern(&mut self.out.enums, q))
    }

    pub(crate) fn record_id(&mut self, q: &QName) -> RecordId {
        RecordId(intern(&mut self.out.records, q))
    }

    pub(crate) fn fn_id(&mut self, q: &QName, span: Span) -> FnId {
        self.out.calls.push(CallEdge { caller: self.current.clone(), callee: q.clone(), span });
        FnId(intern(&mut self.out.fns, q))
    }

    /// The file-local index of an `extern fn`, recording the call edge as [`Self::fn_id`] does.
    pub(crate) fn extern_id(&mut self, q: &QName, span: Span) -> u32 {
        self.out.calls.push(CallEdge { caller: self.current.clone(), callee: q.clone(), span });
        intern(&mut self.out.externs, q)
    }

    pub(crate) fn const_id(&mut self, q: &QName, span: Span) -> ConstId {
        self.out.calls.push(CallEdge { caller: self.current.clone(), callee: q.clone(), span });
        ConstId(intern(&mut self.out.consts_used, q))
    }

    pub(crate) fn rule_id(&mut self, q: &QName) -> RuleId {
        RuleId(intern(&mut self.out.rules_used, q))
    }

    /// An IR expression of type `ty`.
    pub(crate) fn node(&mut self, ty: &Ty, kind: ExprKind) -> TExpr {
        let id = self.ty_id(ty);
        TExpr { ir: Expr { ty: id, kind }, ty: ty.clone() }
    }

    /// The placeholder for an expression that has an error (never evaluated: a file with errors
    /// is never linked into a program).
    pub(crate) fn error_expr(&mut self) -> TExpr {
        self.node(&Ty::Error, ExprKind::Const(okite_ir::Const::None))
    }

    /// The facts root record, if exactly one is declared.
    pub(crate) fn facts_root(&self) -> Option<QName> {
        match crate::names::facts_roots(self.r.db, self.r.db.workspace()).as_slice() {
            [one] => Some(one.qname.clone()),
            _ => None,
        }
    }

    /// The source text of a span.
    pub(crate) fn snippet(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

fn intern(table: &mut Vec<QName>, q: &QName) -> u32 {
    if let Some(i) = table.iter().position(|x| x == q) {
        return i as u32;
    }
    table.push(q.clone());
    (table.len() - 1) as u32
}
