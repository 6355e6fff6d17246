//! Evaluating a policy set against its sample facility, for the Evaluate code lenses.
//!
//! The outcome of every rule is computed at once and kept until the program or the sample
//! changes, so the lenses of every file of a policy set cost one evaluation. This runs without
//! a database snapshot (the program is compiled first), so it never delays an edit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use okite_ir::Program;
use okite_runtime::{DecodeOptions, Engine, EvalOptions, InputError, Outcome};

/// The outcome of every rule on a sample and its number of findings, by qualified rule name,
/// or why there is none (a few words, shown in the lens).
pub type Outcomes = Result<Arc<HashMap<String, (Outcome, usize)>>, String>;

/// The last evaluation.
#[derive(Debug, Default)]
pub struct Evaluations {
    last: Mutex<Option<Evaluation>>,
}

#[derive(Debug)]
struct Evaluation {
    program: Arc<Program>,
    sample: PathBuf,
    modified: Option<SystemTime>,
    outcomes: Outcomes,
}

impl Evaluations {
    /// The outcomes of `program`'s rules on the snapshot at `sample`.
    pub fn outcomes(&self, program: &Arc<Program>, sample: &Path) -> Outcomes {
        let modified = std::fs::metadata(sample).and_then(|m| m.modified()).ok();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = last.as_ref()
            && Arc::ptr_eq(&e.program, program)
            && e.sample == sample
            && e.modified == modified
        {
            return e.outcomes.clone();
        }
        let outcomes = evaluate(program, sample).map(Arc::new);
        *last = Some(Evaluation {
            program: program.clone(),
            sample: sample.to_path_buf(),
            modified,
            outcomes: outcomes.clone(),
        });
        outcomes
    }
}

fn evaluate(program: &Program, sample: &Path) -> Result<HashMap<String, (Outcome, usize)>, String> {
    let name = sample.file_name().map_or_else(|| sample.display().to_string(), |n| n.to_string_lossy().into_owned());
    let engine = Engine::new(program.clone()).map_err(|_| "the policy set cannot be evaluated".to_string())?;
    let bytes = std::fs::read(sample).map_err(|_| format!("cannot read {name}"))?;
    let yaml = sample.extension().is_some_and(|x| x == "yaml" || x == "yml");
    let snapshot = if yaml {
        engine.decode_yaml(&String::from_utf8_lossy(&bytes), DecodeOptions::default())
    } else {
        engine.decode_json(&bytes, DecodeOptions::default())
    }
    .map_err(|e| match e {
        InputError::Syntax { .. } => format!("{name} is not valid"),
        InputError::Schema(_) => format!("{name} does not fit the schema"),
        InputError::NoSchema => "the policy set declares no facts".to_string(),
    })?;
    let report = engine.evaluate(&snapshot, &EvalOptions::default());
    Ok(report.results.into_iter().map(|r| (r.rule, (r.outcome, r.findings.len()))).collect())
}
