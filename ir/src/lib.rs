//! The typed intermediate representation (IR) of an Okite policy set.
//!
//! This crate is the contract between the compiler (which produces a [`Program`]) and the
//! runtime (which evaluates it). It holds plain data only: no parser, no salsa, no evaluator,
//! no JIT. Keeping it small is what lets the runtime be embedded without the compiler and the
//! compiler be built and fuzzed without wasmtime or cranelift.
//!
//! Everything here is fully resolved and typed: names are indices, every expression carries its
//! [`TypeId`], and every operator is specialised to the types of its operands (`IntAdd`,
//! `DateSubDuration`, …), so an interpreter or a code generator never dispatches on types at run
//! time.

pub mod bundle;
pub mod calendar;
pub mod decimal;
pub mod expr;
pub mod guideline;
pub mod pretty;
pub mod program;
pub mod rule;
pub mod test;
pub mod types;
pub mod validate;

pub use bundle::{BundleError, FORMAT_VERSION, decode_bundle, encode_bundle};
pub use calendar::{Date, Duration};
pub use decimal::Decimal;
pub use expr::{BinOp, Builtin, Const, Expr, ExprKind, InterpPart, LocalId, OrdKind, QuantKind, UnOp};
pub use guideline::{ClauseDef, SectionDef};
pub use program::{ConstDef, ConstId, ExternFnDef, FnDef, FnId, LocalDef, PluginDef, Program, RuleId};
pub use rule::{
    AttestSpec, Exemption, Loop, LoopStep, Prelude, Require, Rule, RuleBody, Severity, SourceLocation, Stmt,
};
pub use test::{Expectation, ExpectedOutcome, Patch, PatchOp, PatchSeg, TestDef};
pub use types::{EnumDef, EnumId, FieldDef, RecordDef, RecordId, Type, TypeId, TypeTable, VariantDef};
