//! Evaluation results: per snapshot, per rule, per subject. Serialized as the versioned JSON
//! report documented in docs/report-format.md.

use okite_ir::{Date, Severity, SourceLocation};
use serde::Serialize;

use crate::decode::InputIssue;

/// The version of the JSON report format; bumped on any incompatible change.
pub const REPORT_VERSION: u32 = 1;

/// The verdict on a rule (or one of its subjects).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Complies.
    Pass,
    /// Does not apply to this facility (or subject).
    NotApplicable,
    /// Fails, but an approved, unexpired waiver covers it.
    Waived,
    /// Needs an officer's attestation (missing or stale).
    Manual,
    /// Could not be decided (malformed fact, arithmetic overflow, budget exhausted).
    Error,
    /// Does not comply.
    Fail,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 6] =
        [Outcome::Pass, Outcome::Fail, Outcome::NotApplicable, Outcome::Manual, Outcome::Waived, Outcome::Error];

    /// The outcome's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Manual => "manual",
            Outcome::Waived => "waived",
            Outcome::Error => "error",
        }
    }

    /// How much an outcome dominates when subjects are aggregated:
    /// fail > error > manual > waived > pass > not applicable.
    pub fn severity_rank(self) -> u8 {
        match self {
            Outcome::NotApplicable => 0,
            Outcome::Pass => 1,
            Outcome::Waived => 2,
            Outcome::Manual => 3,
            Outcome::Error => 4,
            Outcome::Fail => 5,
        }
    }

    /// The aggregate of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        if other.severity_rank() > self.severity_rank() { other } else { self }
    }
}

/// One fact, named by its expression, its value and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExplainedValue {
    /// The expression as written.
    pub expr: String,
    /// Its value, in literal form.
    pub value: String,
    /// JSON Pointer of the fact, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Why a condition is false: the root cause, one level at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The condition explained.
    pub condition: String,
    /// Its value: false for the failed requirement itself; inner steps may explain why a part
    /// was true (the element that violates a `none`, the operand of a `not`).
    pub holds: bool,
    /// The values that decided it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ExplainedValue>,
    /// A sentence about the decision (which element, how many, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The deeper reason, for quantifiers and function calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<Box<Explanation>>,
}

/// A failed requirement of one subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's message for it.
    pub message: String,
    /// JSON Pointer of the fact that decided it.
    pub path: String,
    /// JSON Pointer of the subject (empty for the facility itself).
    pub subject: String,
    /// The subject's name (its `key`), if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_label: Option<String>,
    /// Why, when explanations were asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    /// Where the requirement is written.
    #[serde(skip)]
    pub location: Option<SourceLocation>,
}

/// A subject with a noteworthy outcome other than a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectNote {
    /// JSON Pointer of the subject.
    pub subject: String,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_label: Option<String>,
    /// `not_applicable` (exempt), `error` or `waived`.
    pub outcome: Outcome,
    /// Why.
    pub reason: String,
}

/// Counts of subjects by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SubjectCounts {
    /// Subjects evaluated.
    pub total: u32,
    /// Passing.
    pub pass: u32,
    /// Failing.
    pub fail: u32,
    /// Exempt (`unless`).
    pub exempt: u32,
    /// Errors.
    pub error: u32,
    /// Waived.
    pub waived: u32,
}

/// A waiver applied to a result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedWaiver {
    /// The subject it covers (empty: the whole rule).
    pub subject: String,
    /// Why it was granted.
    pub justification: String,
    /// Who approved it.
    pub approver: String,
    /// Last day it is valid.
    pub expires: String,
    /// Whether it had expired at `as_of` (then it waives nothing).
    pub expired: bool,
}

/// The result of one rule on one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// Qualified rule name.
    pub rule: String,
    /// The first clause it implements (the one reports group by).
    pub clause: String,
    /// Every clause it implements.
    pub clauses: Vec<String>,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its severity.
    pub severity: Severity,
    /// The verdict.
    pub outcome: Outcome,
    /// For `waived`: what the outcome would have been.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub underlying_outcome: Option<Outcome>,
    /// Why, for `not_applicable`, `manual` and `error` (and exemptions of the whole rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Failed requirements.
    pub findings: Vec<Finding>,
    /// Exempt, erroneous and waived subjects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<SubjectNote>,
    /// Subject counts.
    pub subjects: SubjectCounts,
    /// Waivers that matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<AppliedWaiver>,
    /// Where the rule is declared.
    #[serde(skip)]
    pub location: SourceLocation,
}

/// Counts of rules by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Passing rules.
    pub pass: u32,
    /// Failing rules.
    pub fail: u32,
    /// Rules that do not apply.
    pub not_applicable: u32,
    /// Rules awaiting attestation.
    pub manual: u32,
    /// Waived rules.
    pub waived: u32,
    /// Rules that could not be decided.
    pub error: u32,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[RuleResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            *s.slot(r.outcome) += 1;
        }
        s
    }

    fn slot(&mut self, o: Outcome) -> &mut u32 {
        match o {
            Outcome::Pass => &mut self.pass,
            Outcome::Fail => &mut self.fail,
            Outcome::NotApplicable => &mut self.not_applicable,
            Outcome::Manual => &mut self.manual,
            Outcome::Waived => &mut self.waived,
            Outcome::Error => &mut self.error,
        }
    }

    /// The count for one outcome.
    pub fn count(&self, o: Outcome) -> u32 {
        let mut copy = *self;
        *copy.slot(o)
    }
}

/// Whether a snapshot could be evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every rule was evaluated.
    Evaluated,
    /// The snapshot could not be read; no rule was evaluated.
    InputError,
}

/// The report on one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SnapshotReport {
    /// Where the snapshot came from (a path, `-`, `file:line` for NDJSON).
    pub source: String,
    /// The facility's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// The evaluation date.
    #[serde(serialize_with = "ser_date")]
    pub as_of: Option<Date>,
    /// Evaluated or not.
    pub status: Status,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<InputIssue>,
    /// Non-fatal input problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<InputIssue>,
    /// Rules by outcome.
    pub summary: Summary,
    /// One result per rule, in policy order.
    pub results: Vec<RuleResult>,
}

impl SnapshotReport {
    /// A report for a snapshot that could not be read.
    pub fn input_error(source: impl Into<String>, errors: Vec<InputIssue>) -> SnapshotReport {
        SnapshotReport {
            source: source.into(),
            facility: None,
            as_of: None,
            status: Status::InputError,
            errors,
            warnings: Vec::new(),
            summary: Summary::default(),
            results: Vec::new(),
        }
    }

    /// Whether any rule failed.
    pub fn has_failures(&self) -> bool {
        self.results.iter().any(|r| r.outcome == Outcome::Fail)
    }
}

fn ser_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

/// A report on a batch of snapshots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub okite_report: u32,
    /// The policy set evaluated.
    pub policy: PolicyInfo,
    /// One entry per snapshot, in input order.
    pub snapshots: Vec<SnapshotReport>,
}

/// Which policy set produced a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// Its name (the bundle or directory, or `hachioji (built in)`).
    pub name: String,
    /// Number of rules.
    pub rules: usize,
}

impl Report {
    /// A report over `snapshots`.
    pub fn new(policy: PolicyInfo, snapshots: Vec<SnapshotReport>) -> Report {
        Report { okite_report: REPORT_VERSION, policy, snapshots }
    }

    /// Whether any rule of any snapshot failed.
    pub fn has_failures(&self) -> bool {
        self.snapshots.iter().any(SnapshotReport::has_failures)
    }

    /// Whether any snapshot could not be read.
    pub fn has_input_errors(&self) -> bool {
        self.snapshots.iter().any(|s| s.status == Status::InputError)
    }
}
