//! Rules: the unit of evaluation, tied to guideline clauses.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::calendar::Duration;
use crate::expr::{Const, Expr, LocalId};
use crate::program::LocalDef;

/// Where an item or statement was written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceLocation {
    /// The file, as given to the compiler (relative paths stay relative).
    pub file: String,
    /// One-based line.
    pub line: u32,
    /// One-based column, in characters.
    pub column: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// How serious a failure of the rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational only.
    Info,
    /// Low.
    Low,
    /// Medium (the default).
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The keyword that names the severity in source and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity named `s`.
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A compiled rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Qualified name, e.g. `hachioji.s14.password_strength`.
    pub name: String,
    /// The guideline clauses it implements, e.g. `["14(8)"]`.
    pub clauses: Vec<String>,
    /// A short human title.
    pub title: Option<String>,
    /// How serious a failure is.
    pub severity: Severity,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// The doc comment: by convention the clause text.
    pub doc: String,
    /// Where the rule is declared.
    pub location: SourceLocation,
    /// The frame: every `let`, `for` and quantifier variable of the rule.
    pub locals: Vec<LocalDef>,
    /// Statements evaluated once, before any subject: `let` and `when`.
    pub prelude: Vec<Prelude>,
    /// The subject loops, outermost first, with `let`s between them.
    pub loops: Vec<LoopStep>,
    /// Exemptions (`unless`): a subject for which one holds is exempt.
    pub exemptions: Vec<Exemption>,
    /// What the rule checks of each subject.
    pub body: RuleBody,
}

/// A statement of the prelude.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prelude {
    /// `let var = value`
    Let {
        /// The slot.
        var: LocalId,
        /// The value.
        value: Expr,
    },
    /// `when cond`: the rule applies only if it holds.
    When {
        /// The condition.
        cond: Expr,
        /// The condition as source text, for "not applicable because …".
        text: String,
    },
}

/// One step of the subject loops.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoopStep {
    /// `for var in source where filter`
    For(Loop),
    /// `let var = value`, evaluated per subject.
    Let {
        /// The slot.
        var: LocalId,
        /// The value.
        value: Expr,
    },
}

/// `for var in source where filter`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loop {
    /// The slot bound to each element.
    pub var: LocalId,
    /// The list or set iterated.
    pub source: Expr,
    /// Elements for which this is false are not subjects.
    pub filter: Option<Expr>,
    /// The source (and filter) as source text.
    pub text: String,
}

/// `unless cond`: the guideline's own proviso (ただし…この限りではない).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    /// The exempting condition.
    pub cond: Expr,
    /// It as source text.
    pub text: String,
}

/// What a rule checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleBody {
    /// Requirements decided from facts.
    Checks(Vec<Stmt>),
    /// A requirement no fact can decide: an officer attests it periodically.
    Attest(AttestSpec),
}

/// A statement of a rule body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stmt {
    /// `let var = value`
    Let {
        /// The slot.
        var: LocalId,
        /// The value.
        value: Expr,
    },
    /// `require cond else message`
    Require(Require),
}

/// `require cond else message`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Require {
    /// Must hold for the subject to pass.
    pub cond: Expr,
    /// The finding's message (a string expression), if the author wrote one.
    pub message: Option<Expr>,
    /// The condition as source text.
    pub text: String,
    /// Where the requirement is written.
    pub location: SourceLocation,
}

/// `attest every PERIOD by ROLE`, resolved against the snapshot's attestation records.
///
/// The compiler checks the facts schema has a field of `list<R>` where `R` has `clause:
/// string` and `on: date` (and `by` of the role's type when the rule names a role); this
/// records where those are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestSpec {
    /// How long an attestation stays fresh.
    pub every: Duration,
    /// Expression for the list of attestation records (`facts.attestations`).
    pub source: Expr,
    /// Field index of `clause` in the attestation record.
    pub clause_field: u32,
    /// Field index of `on`.
    pub on_field: u32,
    /// Field index of `by` and the role required, if the rule names one.
    pub by: Option<(u32, Const)>,
    /// The role as source text.
    pub by_text: Option<String>,
}
