//! Code lenses: "▶ Run test" above each test, and above each rule its outcome on the sample
//! facility ("Evaluate: pass on compliant.json", "Evaluate: fail (2 findings) on
//! compliant.json"). The client runs the commands:
//!
//! - `okite.runTest`, arguments `[file URI, test name]`;
//! - `okite.evaluateRule`, arguments `[qualified rule name, file URI]` (the URI names the
//!   policy set to the client, whatever editor is active when the lens is clicked).
//!
//! Lenses are computed in two steps: what the file holds and the compiled program on a
//! snapshot ([`collect`]), then the evaluation without it ([`finish`]), so that evaluating
//! never holds back an edit.

use std::path::PathBuf;
use std::sync::Arc;

use okite_compiler::SourceFile;
use okite_compiler::ide::{self, CodeLensKind};
use okite_ir::Program;
use serde_json::Value;
use tower_lsp_server::ls_types::{CodeLens, Command, Range, Uri};

use crate::convert::LineMap;
use crate::sample::Evaluations;
use crate::snapshot::Snapshot;

/// The command of the Run test lens.
pub const RUN_TEST: &str = "okite.runTest";
/// The command of the Evaluate lens.
pub const EVALUATE_RULE: &str = "okite.evaluateRule";

/// A file's lenses before evaluation.
#[derive(Debug)]
pub struct Collected {
    lenses: Vec<(Range, CodeLensKind)>,
    /// The compiled program, when the file has rules and the policy set has no error.
    program: Option<Arc<Program>>,
}

/// The lenses of a file and, if it has rules, the compiled policy set.
pub fn collect(snap: &Snapshot, file: SourceFile) -> Collected {
    let map = LineMap::new(file.text(&snap.db));
    let lenses: Vec<(Range, CodeLensKind)> =
        ide::code_lenses(&snap.db, file).into_iter().map(|l| (map.range(l.span), l.kind)).collect();
    let has_rules = lenses.iter().any(|(_, k)| matches!(k, CodeLensKind::Evaluate { .. }));
    let program = if has_rules { snap.db.compile().ok() } else { None };
    Collected { lenses, program }
}

fn lens(range: Range, title: String, command: &str, arguments: Vec<Value>) -> CodeLens {
    CodeLens {
        range,
        command: Some(Command { title, command: command.into(), arguments: Some(arguments) }),
        data: None,
    }
}

/// The lenses with their titles: rules evaluated on `sample` (none when the policy set has
/// errors).
pub fn finish(collected: Collected, sample: Option<PathBuf>, evaluations: &Evaluations, uri: &Uri) -> Vec<CodeLens> {
    let sample_name = sample.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    let outcomes = match (&collected.program, &sample) {
        (Some(program), Some(sample)) => Some(evaluations.outcomes(program, sample)),
        _ => None,
    };
    let mut out = Vec::new();
    for (range, kind) in collected.lenses {
        match kind {
            CodeLensKind::RunTest { name } => {
                out.push(lens(range, "▶ Run test".into(), RUN_TEST, vec![uri.as_str().into(), name.into()]));
            }
            CodeLensKind::Evaluate { rule } => {
                if collected.program.is_none() {
                    continue;
                }
                let name = sample_name.as_deref().unwrap_or_default();
                let title = match &outcomes {
                    None => "Evaluate (no sample facility)".to_string(),
                    Some(Ok(found)) => match found.get(&*rule) {
                        Some((outcome, 0)) => format!("Evaluate: {} on {name}", outcome.as_str()),
                        Some((outcome, 1)) => format!("Evaluate: {} (1 finding) on {name}", outcome.as_str()),
                        Some((outcome, n)) => format!("Evaluate: {} ({n} findings) on {name}", outcome.as_str()),
                        None => format!("Evaluate on {name}"),
                    },
                    Some(Err(why)) => format!("Evaluate: {why}"),
                };
                out.push(lens(range, title, EVALUATE_RULE, vec![rule.as_ref().into(), uri.as_str().into()]));
            }
        }
    }
    out
}
