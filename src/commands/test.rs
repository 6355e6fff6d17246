//! `okite test`: run the policies' test blocks.

use std::path::{Path, PathBuf};

use okite_runtime::testing::{TestResult, run_tests};

use crate::args::{ColorArg, EngineArgs};
use crate::output::{Exit, color_stderr, color_stdout, usage_error};
use crate::{policy, sources};

pub fn run(
    paths: &[PathBuf],
    coverage: bool,
    threshold: Option<f64>,
    filter: Option<&str>,
    engine: &EngineArgs,
    color: ColorArg,
) -> Exit {
    let inputs = match sources::collect(&sources::or_default(paths)) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let program = match policy::compile(inputs, color_stderr(color)) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let engine = match okite_runtime::Engine::with_options((*program).clone(), engine.options()) {
        Ok(e) => e,
        Err(e) => return usage_error(e),
    };
    let load = |t: &okite_ir::TestDef| {
        let base = Path::new(&t.location.file).parent().unwrap_or(Path::new("."));
        let path = base.join(&t.facts_file);
        let yaml = path.extension().is_some_and(|x| x == "yaml" || x == "yml");
        std::fs::read_to_string(&path)
            .map(|text| (text, yaml))
            .map_err(|e| format!("{}: {}", sources::display(&path), sources::io_reason(&e)))
    };
    let results: Vec<TestResult> = match filter {
        None => run_tests(&engine, &load),
        Some(f) => engine
            .program()
            .tests
            .iter()
            .filter(|t| t.name.contains(f))
            .map(|t| okite_runtime::testing::run_test(&engine, t, &load))
            .collect(),
    };
    if results.is_empty() && filter.is_some() {
        return usage_error(format!("no test name contains {:?}", filter.unwrap_or_default()));
    }
    let paint = |code: &str, text: &str| {
        if color_stdout(color) { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    };
    let mut failed = 0usize;
    for r in &results {
        if r.passed() {
            println!("test {} ... {}", r.name, paint("32", "ok"));
        } else {
            failed += 1;
            println!("test {} ... {}", r.name, paint("1;31", "FAILED"));
        }
    }
    for r in results.iter().filter(|r| !r.passed()) {
        print_failure(r);
    }
    let passed = results.len() - failed;
    let verdict = if failed == 0 { paint("32", "ok") } else { paint("1;31", "FAILED") };
    println!("\ntest result: {verdict}. {passed} passed; {failed} failed; {} tests", results.len());

    let mut coverage_ok = true;
    if coverage {
        let exercised: std::collections::BTreeSet<&str> =
            results.iter().flat_map(|r| r.rules_checked.iter().map(String::as_str)).collect();
        let rules = &engine.program().rules;
        let missing: Vec<&okite_ir::Rule> = rules.iter().filter(|r| !exercised.contains(r.name.as_str())).collect();
        let pct =
            if rules.is_empty() { 100.0 } else { 100.0 * (rules.len() - missing.len()) as f64 / rules.len() as f64 };
        println!("\ncoverage: {} of {} rules exercised ({pct:.1}%)", rules.len() - missing.len(), rules.len());
        for r in &missing {
            println!("  not exercised: {} ({}) at {}", r.name, r.clauses.join(", "), r.location);
        }
        if let Some(t) = threshold
            && pct < t
        {
            println!("coverage {pct:.1}% is below the threshold {t}%");
            coverage_ok = false;
        }
    }
    if failed > 0 || !coverage_ok { Exit::Findings } else { Exit::Ok }
}

fn print_failure(r: &TestResult) {
    println!("\n---- {} ({}) ----", r.name, r.location);
    for f in &r.failures {
        println!("{}: expected {}", f.location, f.expected);
        println!(
            "{}  but {}",
            " ".repeat(f.location.len()),
            f.actual.replace('\n', &format!("\n{}  ", " ".repeat(f.location.len())))
        );
    }
}
