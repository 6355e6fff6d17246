//! Typed expressions.
//!
//! Every operator is specialised to its operand types by the compiler (`IntAdd` rather than
//! `Add`), and every node carries its result type, so evaluators never inspect types at run
//! time and a code generator can map each node to a fixed instruction sequence.

use serde::{Deserialize, Serialize};

use crate::calendar::{Date, Duration};
use crate::decimal::Decimal;
use crate::program::{ConstId, FnId};
use crate::types::{EnumId, RecordId, TypeId};

/// A slot in the frame of the rule, function or constant being evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalId(pub u32);

/// A value known at compile time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Const {
    /// `true` / `false`
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A decimal literal.
    Decimal(Decimal),
    /// A string literal without interpolation.
    Str(String),
    /// A date literal such as `2025-04-01`.
    Date(Date),
    /// A duration literal such as `90d`.
    Duration(Duration),
    /// An enum variant: the enum and the variant's index.
    Enum(EnumId, u32),
    /// `none`
    None,
    /// `[]`
    EmptyList,
    /// `{}`
    EmptySet,
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expr {
    /// The type of the value the expression produces.
    pub ty: TypeId,
    /// What the expression computes.
    pub kind: ExprKind,
}

/// The expression forms. Child expressions are boxed; nesting depth is bounded by the
/// compiler and checked again by [`crate::validate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExprKind {
    /// A literal.
    Const(Const),
    /// A local variable or parameter.
    Local(LocalId),
    /// A named constant.
    Global(ConstId),
    /// `facts`: the root record of the snapshot.
    Facts,
    /// `as_of`: the evaluation date.
    AsOf,
    /// `base.field` where `base` is a record.
    Field {
        /// The record.
        base: Box<Expr>,
        /// Index of the field in the record definition.
        field: u32,
    },
    /// `base?.field` where `base` is an optional record; `none` propagates.
    OptField {
        /// The optional record.
        base: Box<Expr>,
        /// Index of the field in the record definition.
        field: u32,
    },
    /// `base[index]`: the element or `none` when out of range.
    Index {
        /// The list.
        base: Box<Expr>,
        /// The zero-based position.
        index: Box<Expr>,
    },
    /// A unary operation.
    Unary {
        /// The operator.
        op: UnOp,
        /// The operand.
        arg: Box<Expr>,
    },
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `if cond then a else b`
    If {
        /// The condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        els: Box<Expr>,
    },
    /// `let var = value` followed by `body`, from a block.
    Let {
        /// The bound slot.
        var: LocalId,
        /// Its value.
        value: Box<Expr>,
        /// The rest of the block.
        body: Box<Expr>,
    },
    /// A call of a user-defined pure function.
    Call {
        /// The function.
        func: FnId,
        /// Arguments, one per parameter, already coerced.
        args: Vec<Expr>,
    },
    /// A call of a function exported by a WebAssembly plugin.
    Extern {
        /// Index in [`crate::Program::plugins`].
        plugin: u32,
        /// Index of the function in that plugin's [`crate::PluginDef::functions`].
        func: u32,
        /// Arguments, one per parameter.
        args: Vec<Expr>,
    },
    /// A call of a built-in function.
    Builtin {
        /// The built-in.
        func: Builtin,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// A quantifier or aggregate over a list or set: `any(x in xs where p: e)`.
    Quant {
        /// Which one.
        kind: QuantKind,
        /// The slot bound to each element.
        var: LocalId,
        /// The collection.
        source: Box<Expr>,
        /// Elements for which this is false are skipped.
        filter: Option<Box<Expr>>,
        /// The predicate (any/all/none) or the mapped value (sum/min/max/map).
        body: Option<Box<Expr>>,
    },
    /// A list literal.
    List(Vec<Expr>),
    /// A set literal.
    Set(Vec<Expr>),
    /// A record literal with every field given (defaults already filled in).
    Record {
        /// The record type.
        record: RecordId,
        /// One expression per field, in declaration order.
        fields: Vec<Expr>,
    },
    /// An interpolated string: `"{system.name}: …"`.
    Interp(Vec<InterpPart>),
}

/// One piece of an interpolated string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterpPart {
    /// Literal text.
    Text(String),
    /// A value rendered in its canonical text form.
    Expr(Expr),
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnOp {
    /// Boolean negation.
    Not,
    /// Integer negation (checked).
    IntNeg,
    /// Decimal negation.
    DecNeg,
    /// Duration negation.
    DurNeg,
    /// Widening an `int` to a `decimal` (checked).
    IntToDec,
}

/// How values of an ordered type compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrdKind {
    /// Signed word order: ints, decimals and dates.
    Int,
    /// Nominal length: durations.
    Duration,
    /// Lexicographic by Unicode scalar values: strings.
    String,
}

/// Binary operators, specialised to operand types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinOp {
    /// Short-circuit conjunction.
    And,
    /// Short-circuit disjunction.
    Or,
    /// `a ?? b`: `a` unless it is `none`.
    Coalesce,
    /// Identity of scalar words (also optional scalars).
    Eq,
    /// Negated [`BinOp::Eq`].
    Ne,
    /// Structural equality of lists, sets and records.
    EqDeep,
    /// Negated [`BinOp::EqDeep`].
    NeDeep,
    /// `<`
    Lt(OrdKind),
    /// `<=`
    Le(OrdKind),
    /// `>`
    Gt(OrdKind),
    /// `>=`
    Ge(OrdKind),
    /// Checked integer addition.
    IntAdd,
    /// Checked integer subtraction.
    IntSub,
    /// Checked integer multiplication.
    IntMul,
    /// Integer division rounding toward zero; division by zero is an error.
    IntDiv,
    /// Remainder with the sign of the dividend; by zero is an error.
    IntRem,
    /// Decimal addition.
    DecAdd,
    /// Decimal subtraction.
    DecSub,
    /// Decimal multiplication.
    DecMul,
    /// Decimal division.
    DecDiv,
    /// `date + duration`
    DateAddDur,
    /// `date - duration`
    DateSubDur,
    /// `date - date`: the number of days between, as a duration.
    DateSubDate,
    /// `duration + duration`
    DurAdd,
    /// `duration - duration`
    DurSub,
    /// `duration * int`
    DurMulInt,
    /// `string + string`
    StrConcat,
    /// `list + list`
    ListConcat,
    /// `a | b` on sets.
    SetUnion,
    /// `a & b` on sets.
    SetIntersect,
    /// `a - b` on sets.
    SetDiff,
    /// `a <= b` on sets.
    SetSubset,
    /// `a >= b` on sets.
    SetSuperset,
    /// `x in list`
    InList,
    /// `x not in list`
    NotInList,
    /// `x in set`
    InSet,
    /// `x not in set`
    NotInSet,
}

/// Built-in functions. Each has a fixed signature checked by the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Builtin {
    /// `length(s: string) -> int`: Unicode scalar values.
    StrLen,
    /// `length(xs) -> int` on lists and sets.
    CollectionLen,
    /// `contains(s, part) -> bool`
    Contains,
    /// `starts_with(s, prefix) -> bool`
    StartsWith,
    /// `ends_with(s, suffix) -> bool`
    EndsWith,
    /// `lower(s) -> string`
    Lower,
    /// `upper(s) -> string`
    Upper,
    /// `trim(s) -> string`
    Trim,
    /// `has_digit(s) -> bool`
    HasDigit,
    /// `has_upper(s) -> bool`
    HasUpper,
    /// `has_lower(s) -> bool`
    HasLower,
    /// `has_symbol(s) -> bool`: any character that is not a letter, digit or space.
    HasSymbol,
    /// `year(d) -> int`
    Year,
    /// `month(d) -> int`
    Month,
    /// `day(d) -> int`
    Day,
    /// `fiscal_year(d) -> int`: the Japanese fiscal year (April–March).
    FiscalYear,
    /// `days(dur) -> int`: nominal length in whole days.
    DurationDays,
    /// `days_between(a, b) -> int`
    DaysBetween,
    /// `abs(i) -> int`
    IntAbs,
    /// `abs(d) -> decimal`
    DecAbs,
    /// `min(a, b)` of an ordered type.
    Min2(OrdKind),
    /// `max(a, b)` of an ordered type.
    Max2(OrdKind),
    /// `to_set(xs: list<T>) -> set<T>`
    ToSet,
    /// `is_empty(xs) -> bool`
    IsEmpty,
    /// `is_none(x) -> bool`
    IsNone,
    /// `is_some(x) -> bool`
    IsSome,
}

/// Quantifiers and aggregates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantKind {
    /// True when the body holds for some element.
    Any,
    /// True when the body holds for every element (vacuously for none).
    All,
    /// True when the body holds for no element.
    None,
    /// The number of elements (after the filter).
    Count,
    /// Sum of the body over the elements: `int`.
    SumInt,
    /// Sum of the body: `decimal`.
    SumDec,
    /// Sum of the body: `duration`.
    SumDur,
    /// Least body value, or `none` when there are no elements.
    Min(OrdKind),
    /// Greatest body value, or `none`.
    Max(OrdKind),
    /// The elements for which the body holds, as a list (or a set from a set).
    Filter,
    /// The body's value for every element, as a list.
    Map,
}
