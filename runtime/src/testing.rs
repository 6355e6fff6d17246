//! Running policy tests (`test "…" { given … expect … }`).
//!
//! A test's fixture is read as JSON (or YAML), edited as a JSON tree by the test's patches
//! (whose values are typed constant expressions, evaluated here and converted to JSON), then
//! decoded and evaluated exactly like any snapshot. The runner does no IO: fixtures come
//! through a callback, so the library, the CLI and the editor share it.

use okite_ir::{ExpectedOutcome, PatchOp, PatchSeg, TestDef};
use serde_json::Value;

use crate::decode::DecodeOptions;
use crate::engine::{Engine, EvalOptions, InputError};
use crate::heap::Heap;
use crate::machine::Machine;
use crate::plan::Lowerer;
use crate::report::{Outcome, RuleResult, SnapshotReport};
use crate::word::NONE;

/// Steps a patch value may take.
const PATCH_BUDGET: u64 = 1_000_000;

/// The result of one test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Where it is declared (`file:line:column`).
    pub location: String,
    /// Failed expectations (empty when the test passed).
    pub failures: Vec<TestFailure>,
    /// Rules the test checked, by qualified name.
    pub rules_checked: Vec<String>,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One expectation that did not hold, or a problem running the test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFailure {
    /// Where the expectation (or the problem) is.
    pub location: String,
    /// What was expected.
    pub expected: String,
    /// What happened.
    pub actual: String,
}

/// Reads a test's fixture: given the test, returns the fixture's text and whether it is YAML.
pub type FixtureLoader<'a> = dyn Fn(&TestDef) -> Result<(String, bool), String> + 'a;

/// Runs every test of the engine's program.
pub fn run_tests(engine: &Engine, load: &FixtureLoader<'_>) -> Vec<TestResult> {
    engine.program().tests.iter().map(|t| run_test(engine, t, load)).collect()
}

/// Runs one test.
pub fn run_test(engine: &Engine, test: &TestDef, load: &FixtureLoader<'_>) -> TestResult {
    let program = engine.program();
    let mut result = TestResult {
        name: test.name.clone(),
        location: test.location.to_string(),
        failures: Vec::new(),
        rules_checked: test
            .expectations
            .iter()
            .filter_map(|e| program.rules.get(e.rule.0 as usize))
            .map(|r| r.name.clone())
            .collect(),
    };
    let problem = |result: &mut TestResult, location: String, what: String| {
        result.failures.push(TestFailure { location, expected: "the test to run".into(), actual: what });
    };
    let (text, yaml) = match load(test) {
        Ok(t) => t,
        Err(e) => {
            problem(&mut result, test.location.to_string(), format!("cannot read fixture `{}`: {e}", test.facts_file));
            return result;
        }
    };
    let parsed: Result<Value, String> = if yaml {
        serde_yaml_ng::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    };
    let mut doc = match parsed {
        Ok(v) => v,
        Err(e) => {
            problem(&mut result, test.location.to_string(), format!("fixture `{}` is not valid: {e}", test.facts_file));
            return result;
        }
    };
    for patch in &test.patches {
        let value = match patch_value(engine, test, &patch.value) {
            Ok(v) => v,
            Err(e) => {
                problem(&mut result, patch.location.to_string(), e);
                return result;
            }
        };
        if let Err(e) = apply_patch(&mut doc, &patch.path, patch.op, value) {
            problem(&mut result, patch.location.to_string(), e);
            return result;
        }
    }
    let bytes = match serde_json::to_vec(&doc) {
        Ok(b) => b,
        Err(e) => {
            problem(&mut result, test.location.to_string(), e.to_string());
            return result;
        }
    };
    let snapshot = match engine.decode_json(&bytes, DecodeOptions::default()) {
        Ok(s) => s,
        Err(InputError::Schema(issues)) => {
            let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
            problem(
                &mut result,
                test.location.to_string(),
                format!("fixture `{}` does not fit the schema:\n{}", test.facts_file, lines.join("\n")),
            );
            return result;
        }
        Err(e) => {
            problem(&mut result, test.location.to_string(), format!("fixture `{}`: {e}", test.facts_file));
            return result;
        }
    };
    let report = engine.evaluate(&snapshot, &EvalOptions::default());
    check_expectations(engine, test, &report, &mut result);
    result
}

fn check_expectations(engine: &Engine, test: &TestDef, report: &SnapshotReport, result: &mut TestResult) {
    if !report.errors.is_empty() {
        let lines: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        result.failures.push(TestFailure {
            location: test.location.to_string(),
            expected: "the fixture to be evaluated".into(),
            actual: lines.join("\n"),
        });
        return;
    }
    for e in &test.expectations {
        let Some(rule) = engine.program().rules.get(e.rule.0 as usize) else { continue };
        let Some(r) = report.results.iter().find(|r| r.rule == rule.name) else { continue };
        let short = rule.name.rsplit('.').next().unwrap_or(&rule.name);
        let want = match e.outcome {
            ExpectedOutcome::Pass => Outcome::Pass,
            ExpectedOutcome::Fail => Outcome::Fail,
            ExpectedOutcome::NotApplicable => Outcome::NotApplicable,
            ExpectedOutcome::Manual => Outcome::Manual,
            ExpectedOutcome::Error => Outcome::Error,
        };
        let with = e.message.as_ref().map(|m| format!(" with {m:?}")).unwrap_or_default();
        let outcome_ok = r.outcome == want;
        let message_ok = e.message.as_ref().is_none_or(|m| texts(r).iter().any(|t| t.contains(m.as_str())));
        if !(outcome_ok && message_ok) {
            let mut actual = format!("it {}", describe(r.outcome));
            let mut shown: Vec<String> = r.findings.iter().map(|f| f.message.clone()).collect();
            shown.extend(r.reason.iter().cloned());
            shown.extend(
                r.notes.iter().map(|n| format!("({}) {}", n.subject_label.as_deref().unwrap_or(&n.subject), n.reason)),
            );
            if !shown.is_empty() {
                let lines: Vec<String> = shown.iter().take(6).map(|t| format!("  {t}")).collect();
                actual.push_str(":\n");
                actual.push_str(&lines.join("\n"));
            }
            result.failures.push(TestFailure {
                location: e.location.to_string(),
                expected: format!("`{short}` {}{with}", e.outcome.keyword()),
                actual,
            });
        }
    }
}

fn describe(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "passed",
        Outcome::Fail => "failed",
        Outcome::NotApplicable => "was not applicable",
        Outcome::Manual => "needs attestation (manual)",
        Outcome::Waived => "was waived",
        Outcome::Error => "could not be decided (error)",
    }
}

/// The texts an expectation's `with "…"` is matched against.
fn texts(r: &RuleResult) -> Vec<String> {
    let mut out: Vec<String> = r.findings.iter().map(|f| f.message.clone()).collect();
    out.extend(r.reason.iter().cloned());
    out.extend(r.notes.iter().map(|n| n.reason.clone()));
    out
}

/// Evaluates a patch's value and converts it to JSON.
fn patch_value(engine: &Engine, test: &TestDef, value: &okite_ir::Expr) -> Result<Value, String> {
    let eng = engine.prepared();
    let mut heap = Heap::above(Some(&eng.heap));
    let below = [&eng.heap.strings];
    let empty = eng.heap_empty_list();
    let node = Lowerer { heap: &mut heap, below: &below, consts: &eng.consts, empty_list: empty }.expr(value);
    let today = okite_ir::Date(0);
    let mut m = Machine::new(eng, &eng.heap, &heap, NONE, today, PATCH_BUDGET);
    m.enter_frame(test.locals.len());
    let w = m.eval(&node).map_err(|e| format!("the value cannot be computed: {e}"))?;
    Ok(crate::json_value::to_json(&m, w, value.ty))
}

/// Applies one edit to the fixture's JSON.
fn apply_patch(doc: &mut Value, path: &[PatchSeg], op: PatchOp, value: Value) -> Result<(), String> {
    let mut here = doc;
    let mut walked = String::new();
    for seg in path {
        match seg {
            PatchSeg::Field(name) => {
                walked.push('/');
                walked.push_str(name);
                let Value::Object(map) = here else {
                    return Err(format!("cannot edit `{walked}`: its parent is not an object"));
                };
                here = map.entry(name.clone()).or_insert(Value::Null);
            }
            PatchSeg::Index(i) => {
                walked.push_str(&format!("/{i}"));
                let Value::Array(items) = here else {
                    return Err(format!("cannot edit `{walked}`: its parent is not a list"));
                };
                let len = items.len();
                here = items
                    .get_mut(*i as usize)
                    .ok_or_else(|| format!("cannot edit `{walked}`: the list has only {len} element(s)"))?;
            }
        }
    }
    match op {
        PatchOp::Set => *here = value,
        PatchOp::Append => {
            if here.is_null() {
                *here = Value::Array(Vec::new());
            }
            let Value::Array(items) = here else {
                return Err(format!("cannot append to `{walked}`: it is not a list"));
            };
            items.push(value);
        }
    }
    Ok(())
}
