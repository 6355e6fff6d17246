//! The abstract syntax tree: what was written, with byte spans, before any name is resolved.
//!
//! Broken items survive as [`ItemKind::Error`] carrying whatever name could be salvaged, so
//! that references to them do not cascade into "unknown name" errors.

use crate::span::Span;

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A dotted path such as `hachioji.model`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// The segments.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// The path joined with dots.
    pub fn joined(&self) -> String {
        let parts: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        parts.join(".")
    }
}

/// A string literal without interpolation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlainString {
    /// The unescaped value.
    pub value: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A parsed file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct File {
    /// Items in source order.
    pub items: Vec<Item>,
}

/// An item with its doc comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The doc comment lines joined with newlines.
    pub doc: String,
    /// What the item is.
    pub kind: ItemKind,
    /// The whole item, doc comment excluded.
    pub span: Span,
}

impl Item {
    /// The name the item declares, if any.
    pub fn name(&self) -> Option<&Ident> {
        match &self.kind {
            ItemKind::Type(t) | ItemKind::Facts(t) => Some(&t.name),
            ItemKind::Enum(e) => Some(&e.name),
            ItemKind::Const(c) => Some(&c.name),
            ItemKind::Fn(f) => Some(&f.name),
            ItemKind::Extern(f) => Some(&f.name),
            ItemKind::Rule(r) => Some(&r.name),
            ItemKind::Error(e) => e.name.as_ref(),
            ItemKind::Package(_) | ItemKind::Import(_) | ItemKind::Test(_) | ItemKind::Section(_) => None,
        }
    }
}

/// The kinds of item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// `package a.b`
    Package(Path),
    /// `import a.b` or `import a.b.{X, Y}`
    Import(Import),
    /// `type T { … }`
    Type(RecordDecl),
    /// `facts T { … }`
    Facts(RecordDecl),
    /// `enum E { … }`
    Enum(EnumDecl),
    /// `const X = …`
    Const(ConstDecl),
    /// `fn f(…) -> T …`
    Fn(FnDecl),
    /// `extern fn f(…) -> T from "plugin.wasm"`
    Extern(ExternDecl),
    /// `rule r { … }`
    Rule(RuleDecl),
    /// `test "…" { … }`
    Test(TestDecl),
    /// `section "14" "…" { … }`
    Section(SectionDecl),
    /// Text that did not parse as an item.
    Error(ErrorItem),
}

/// An import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The package.
    pub package: Path,
    /// The names listed, or `None` for all.
    pub names: Option<Vec<Ident>>,
}

/// A record (`type`) or the facts root (`facts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDecl {
    /// The type's name.
    pub name: Ident,
    /// Its fields.
    pub fields: Vec<FieldDecl>,
}

/// A field of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDecl {
    /// Doc comment.
    pub doc: String,
    /// Whether it is the record's `key`.
    pub key: bool,
    /// Name.
    pub name: Ident,
    /// Type.
    pub ty: TypeExpr,
    /// Default value.
    pub default: Option<Expr>,
}

/// A type as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeExpr {
    /// The form.
    pub kind: TypeExprKind,
    /// Whether `?` follows.
    pub optional: bool,
    /// Where it is written.
    pub span: Span,
}

/// Forms of a written type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeExprKind {
    /// A named type: builtin (`int`) or declared.
    Named(Path),
    /// `list<T>`
    List(Box<TypeExpr>),
    /// `set<T>`
    Set(Box<TypeExpr>),
}

/// `enum E { … }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumDecl {
    /// Name.
    pub name: Ident,
    /// Variants with their doc comments.
    pub variants: Vec<(String, Ident)>,
}

/// `const X: T = expr`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstDecl {
    /// Name.
    pub name: Ident,
    /// Declared type.
    pub ty: Option<TypeExpr>,
    /// Value.
    pub value: Expr,
}

/// `fn f(params) -> T body`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnDecl {
    /// Name.
    pub name: Ident,
    /// Parameters.
    pub params: Vec<(Ident, TypeExpr)>,
    /// Return type.
    pub ret: TypeExpr,
    /// `let`s of a block body.
    pub lets: Vec<LetStmt>,
    /// The result expression.
    pub body: Expr,
}

/// `extern fn f(params) -> T from "plugin.wasm"`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternDecl {
    /// Name (also the export's name in the module).
    pub name: Ident,
    /// Parameters.
    pub params: Vec<(Ident, TypeExpr)>,
    /// Return type.
    pub ret: TypeExpr,
    /// The module's path, relative to this file.
    pub from: PlainString,
}

/// `let x: T = expr`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetStmt {
    /// Bound name.
    pub name: Ident,
    /// Declared type.
    pub ty: Option<TypeExpr>,
    /// Value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// `rule r { … }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDecl {
    /// Name.
    pub name: Ident,
    /// Statements in source order.
    pub stmts: Vec<RuleStmt>,
}

/// A statement of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleStmt {
    /// What it is.
    pub kind: RuleStmtKind,
    /// The whole statement.
    pub span: Span,
}

/// Rule statement forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleStmtKind {
    /// `clause "…", "…"`
    Clause(Vec<PlainString>),
    /// `title "…"`
    Title(PlainString),
    /// `severity high`
    Severity(Ident),
    /// `tags "…", "…"`
    Tags(Vec<PlainString>),
    /// `when expr`
    When(Expr),
    /// `for x in expr where expr`
    For {
        /// The subject variable.
        var: Ident,
        /// The collection.
        source: Expr,
        /// The filter.
        filter: Option<Expr>,
    },
    /// `unless expr`
    Unless(Expr),
    /// `let x = expr`
    Let(LetStmt),
    /// `require expr else "…"`
    Require {
        /// The condition.
        cond: Expr,
        /// The message (an interpolated string).
        message: Option<Expr>,
    },
    /// `attest every 1y by role`
    Attest {
        /// The period literal.
        every: Ident,
        /// The role.
        by: Option<Expr>,
    },
}

/// `test "name" { … }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestDecl {
    /// The test's name.
    pub name: PlainString,
    /// `given` statements (one is expected).
    pub givens: Vec<Given>,
    /// `expect` statements.
    pub expects: Vec<Expect>,
}

/// `given facts from "file" with { patches }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Given {
    /// The fixture path.
    pub file: PlainString,
    /// Edits.
    pub patches: Vec<PatchDecl>,
    /// The whole statement.
    pub span: Span,
}

/// `path = expr` / `path += expr`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchDecl {
    /// The path segments.
    pub path: Vec<PatchSegDecl>,
    /// `+=` rather than `=`.
    pub append: bool,
    /// The value.
    pub value: Expr,
    /// The whole patch.
    pub span: Span,
}

/// A segment of a patch path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchSegDecl {
    /// `.name`
    Field(Ident),
    /// `[n]`
    Index(u32, Span),
}

/// `expect rule outcome with "text"`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The rule.
    pub rule: Ident,
    /// The outcome keyword.
    pub outcome: Ident,
    /// The text expected in a message.
    pub message: Option<PlainString>,
    /// The whole statement.
    pub span: Span,
}

/// `section "id" "title" { clauses }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionDecl {
    /// Section number.
    pub id: PlainString,
    /// Title.
    pub title: PlainString,
    /// Clauses.
    pub clauses: Vec<ClauseDecl>,
}

/// `clause "id" informative? "text"`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClauseDecl {
    /// Doc comment.
    pub doc: String,
    /// Clause id.
    pub id: PlainString,
    /// Whether it is informative.
    pub informative: bool,
    /// The clause text.
    pub text: PlainString,
}

/// What could be salvaged from an item that did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorItem {
    /// The keyword the item starts with, if any (`rule`, `fn`, …).
    pub keyword: Option<String>,
    /// The name after the keyword, if it could be read.
    pub name: Option<Ident>,
}

/// An expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// The form.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// Unary operators as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Binary operators as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `??`
    Coalesce,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `|`
    Union,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `&`
    Inter,
}

impl BinaryOp {
    /// The operator as written.
    pub fn token(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            In => "in",
            NotIn => "not in",
            Coalesce => "??",
            Add => "+",
            Sub => "-",
            Union => "|",
            Mul => "*",
            Div => "/",
            Rem => "%",
            Inter => "&",
        }
    }
}

/// A call argument, optionally named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// `name:` if given.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// A piece of a string literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StrPart {
    /// Text (escapes already applied).
    Text(String),
    /// `{expr}`
    Expr(Expr),
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// An integer literal (already range-checked).
    Int(i64),
    /// A decimal literal.
    Decimal(okite_ir::Decimal),
    /// A date literal.
    Date(okite_ir::Date),
    /// A duration literal.
    Duration(okite_ir::Duration),
    /// `true` / `false`
    Bool(bool),
    /// `none`
    None,
    /// A string, possibly interpolated.
    Str(Vec<StrPart>),
    /// `facts`
    Facts,
    /// `as_of`
    AsOf,
    /// A bare name.
    Name(Ident),
    /// `base.name`
    Field(Box<Expr>, Ident),
    /// `base?.name`
    OptField(Box<Expr>, Ident),
    /// `base[index]`
    Index(Box<Expr>, Box<Expr>),
    /// A unary operation.
    Unary(UnaryOp, Box<Expr>),
    /// A binary operation.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `f(args)`
    Call(Ident, Vec<Arg>),
    /// `q(x in source where filter: body)`
    Quant {
        /// Which quantifier.
        name: Ident,
        /// The bound variable.
        var: Ident,
        /// The collection.
        source: Box<Expr>,
        /// `where` clause.
        filter: Option<Box<Expr>>,
        /// `: body`
        body: Option<Box<Expr>>,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{a, b}`
    Set(Vec<Expr>),
    /// `Type { f: v }`
    Record(Path, Vec<(Ident, Expr)>),
    /// `(e)`
    Paren(Box<Expr>),
    /// A sub-expression that could not be built (too deep, literal out of range); already
    /// reported.
    Error,
}
