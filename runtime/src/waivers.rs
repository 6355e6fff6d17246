//! Waivers: approved, time-limited exceptions to a rule's verdict, read from a YAML or JSON
//! file (`okite eval --waivers FILE`).
//!
//! ```yaml
//! waivers:
//!   - rule: hachioji.s14_id_password.password_strength   # or `clause: "14(8)"`
//!     facility: 中央図書館          # optional: the facility (name or source file) it is for
//!     subject: /systems/1          # optional: a subject's JSON Pointer or name; default all
//!     justification: 旧システムのため桁数の変更不可。更改予定 (2026年度)
//!     approver: 情報セキュリティ管理者 八王子太郎
//!     expires: 2026-09-30
//! ```
//!
//! A waiver is valid through its `expires` date (compared with `as_of`). An expired waiver
//! waives nothing, and the result says so. A waived result keeps its findings and records the
//! outcome it would have had.

use okite_ir::{Date, Program};
use serde::Deserialize;

use crate::decode::InputIssue;
use crate::report::{AppliedWaiver, Outcome, RuleResult, SnapshotReport};

/// One waiver as written.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule (qualified or short name).
    #[serde(default)]
    pub rule: Option<String>,
    /// Or a clause id: every rule implementing it.
    #[serde(default)]
    pub clause: Option<String>,
    /// The facility it is for (its name or snapshot source); all when absent.
    #[serde(default)]
    pub facility: Option<String>,
    /// The subject (JSON Pointer or name); the whole rule when absent.
    #[serde(default)]
    pub subject: Option<String>,
    /// Why the exception is acceptable (required).
    pub justification: String,
    /// Who approved it.
    pub approver: String,
    /// Last valid day, `YYYY-MM-DD`.
    pub expires: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverFile {
    waivers: Vec<Waiver>,
}

/// A validated set of waivers.
#[derive(Clone, Debug, Default)]
pub struct Waivers {
    items: Vec<(Waiver, Date)>,
}

impl Waivers {
    /// Parses and validates a waiver file (YAML or JSON) against the program's rules and
    /// clauses. Every problem is reported with its path, e.g. `/waivers/2/expires`.
    pub fn parse(text: &str, program: &Program) -> Result<Waivers, Vec<InputIssue>> {
        let file: WaiverFile = serde_yaml_ng::from_str(text).map_err(|e| {
            let at = e.location().map(|l| format!(" (line {}, column {})", l.line(), l.column())).unwrap_or_default();
            vec![InputIssue { path: String::new(), message: format!("{e}{at}") }]
        })?;
        let mut issues = Vec::new();
        let mut items = Vec::new();
        for (i, w) in file.waivers.into_iter().enumerate() {
            let at = |field: &str| format!("/waivers/{i}/{field}");
            if w.justification.trim().is_empty() {
                issues.push(InputIssue { path: at("justification"), message: "a waiver needs a justification".into() });
            }
            if w.approver.trim().is_empty() {
                issues.push(InputIssue { path: at("approver"), message: "a waiver needs an approver".into() });
            }
            match (&w.rule, &w.clause) {
                (None, None) => issues.push(InputIssue {
                    path: format!("/waivers/{i}"),
                    message: "a waiver names a `rule` or a `clause`".into(),
                }),
                (Some(r), _) if !program.rules.iter().any(|x| rule_matches(&x.name, r)) => {
                    issues.push(InputIssue { path: at("rule"), message: format!("no rule `{r}` in the policy set") })
                }
                (_, Some(c)) if !program.rules.iter().any(|x| x.clauses.contains(c)) => {
                    issues.push(InputIssue { path: at("clause"), message: format!("no rule implements clause `{c}`") })
                }
                _ => {}
            }
            match Date::parse_iso(&w.expires) {
                Some(d) => items.push((w, d)),
                None => issues.push(InputIssue {
                    path: at("expires"),
                    message: format!("expected a date (YYYY-MM-DD), found {:?}", w.expires),
                }),
            }
        }
        if issues.is_empty() { Ok(Waivers { items }) } else { Err(issues) }
    }

    /// Applies the waivers to a snapshot's results.
    pub fn apply(&self, report: &mut SnapshotReport) {
        let Some(as_of) = report.as_of else { return };
        for result in &mut report.results {
            for (w, expires) in &self.items {
                if !self.covers_rule(w, result) || !covers_facility(w, report.facility.as_deref(), &report.source) {
                    continue;
                }
                apply_one(result, w, *expires, as_of);
            }
            finish(result);
        }
        report.summary = crate::report::Summary::of(&report.results);
    }

    fn covers_rule(&self, w: &Waiver, r: &RuleResult) -> bool {
        w.rule.as_ref().is_some_and(|name| rule_matches(&r.rule, name))
            || w.clause.as_ref().is_some_and(|c| r.clauses.contains(c))
    }

    /// Number of waivers.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn rule_matches(qualified: &str, given: &str) -> bool {
    qualified == given || qualified.rsplit('.').next() == Some(given)
}

fn covers_facility(w: &Waiver, facility: Option<&str>, source: &str) -> bool {
    match &w.facility {
        None => true,
        Some(f) => facility == Some(f.as_str()) || source == f || source.ends_with(&format!("/{f}")),
    }
}

fn apply_one(r: &mut RuleResult, w: &Waiver, expires: Date, as_of: Date) {
    if !matches!(r.outcome, Outcome::Fail | Outcome::Manual | Outcome::Error) && r.underlying_outcome.is_none() {
        return;
    }
    let expired = as_of > expires;
    let subject_matches = |subject: &str, label: Option<&str>| match &w.subject {
        None => true,
        Some(s) => s == subject || label == Some(s.as_str()),
    };
    let matched = w.subject.is_none()
        || r.findings.iter().any(|f| subject_matches(&f.subject, f.subject_label.as_deref()))
        || r.notes.iter().any(|n| subject_matches(&n.subject, n.subject_label.as_deref()));
    if !matched {
        return;
    }
    r.waivers.push(AppliedWaiver {
        subject: w.subject.clone().unwrap_or_default(),
        justification: w.justification.clone(),
        approver: w.approver.clone(),
        expires: expires.to_string(),
        expired,
    });
}

/// Decides the outcome once every waiver has been considered: waived when unexpired waivers
/// cover every failing subject (or the whole rule).
fn finish(r: &mut RuleResult) {
    if r.waivers.is_empty() || !matches!(r.outcome, Outcome::Fail | Outcome::Manual | Outcome::Error) {
        return;
    }
    let live: Vec<&AppliedWaiver> = r.waivers.iter().filter(|w| !w.expired).collect();
    let whole = live.iter().any(|w| w.subject.is_empty());
    let covered = |subject: &str, label: Option<&str>| {
        live.iter().any(|w| w.subject == subject || Some(w.subject.as_str()) == label)
    };
    let all_findings = r.findings.iter().all(|f| covered(&f.subject, f.subject_label.as_deref()));
    let errors_covered =
        r.notes.iter().filter(|n| n.outcome == Outcome::Error).all(|n| covered(&n.subject, n.subject_label.as_deref()));
    if whole || (all_findings && errors_covered && !r.findings.is_empty()) {
        r.underlying_outcome = Some(r.outcome);
        r.outcome = Outcome::Waived;
        // The waived subjects are counted as such (the findings stay, for the record).
        let s = &mut r.subjects;
        s.waived += s.fail + s.error;
        s.fail = 0;
        s.error = 0;
        return;
    }
    if let Some(w) = r.waivers.iter().find(|w| w.expired) {
        let note = format!("waiver expired on {} (approved by {})", w.expires, w.approver);
        r.reason = Some(match r.reason.take() {
            Some(prev) => format!("{prev}; {note}"),
            None => note,
        });
    }
}
