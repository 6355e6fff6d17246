//! Policy tests: a fixture snapshot, edits to it, and the outcomes expected of rules.

use serde::{Deserialize, Serialize};

use crate::expr::Expr;
use crate::program::{LocalDef, RuleId};
use crate::rule::SourceLocation;

/// `test "name" { given facts from "…" with { … } expect … }`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestDef {
    /// The test's name.
    pub name: String,
    /// Where it is declared.
    pub location: SourceLocation,
    /// The fixture snapshot, as written (relative to the directory of `location.file`).
    pub facts_file: String,
    /// Edits applied to the fixture before evaluation, in order.
    pub patches: Vec<Patch>,
    /// Slots used by quantifiers inside patch values.
    pub locals: Vec<LocalDef>,
    /// What must come out.
    pub expectations: Vec<Expectation>,
}

/// One edit of the fixture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patch {
    /// Where, from the snapshot root.
    pub path: Vec<PatchSeg>,
    /// Replace, or append to a list.
    pub op: PatchOp,
    /// The new value: a constant expression of the type at `path`.
    pub value: Expr,
    /// Where the edit is written.
    pub location: SourceLocation,
}

/// A step of a patch path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatchSeg {
    /// A field by name.
    Field(String),
    /// A list element by position.
    Index(u32),
}

/// How a patch applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatchOp {
    /// `path = value`
    Set,
    /// `path += value`: append to the list at `path`.
    Append,
}

/// `expect rule OUTCOME [with "text"]`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// The rule.
    pub rule: RuleId,
    /// The outcome it must have.
    pub outcome: ExpectedOutcome,
    /// Text some finding's message (or the rule's reason) must contain.
    pub message: Option<String>,
    /// Where the expectation is written.
    pub location: SourceLocation,
}

/// The outcomes a test can expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExpectedOutcome {
    /// `passes`
    Pass,
    /// `fails`
    Fail,
    /// `not_applicable`
    NotApplicable,
    /// `manual`
    Manual,
    /// `errors`
    Error,
}

impl ExpectedOutcome {
    /// The keyword used in source.
    pub fn keyword(self) -> &'static str {
        match self {
            ExpectedOutcome::Pass => "passes",
            ExpectedOutcome::Fail => "fails",
            ExpectedOutcome::NotApplicable => "not_applicable",
            ExpectedOutcome::Manual => "manual",
            ExpectedOutcome::Error => "errors",
        }
    }
}
