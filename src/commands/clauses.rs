//! `okite clauses`: the guideline's clauses, and which rules implement them.

use std::path::Path;

use okite_ir::{Program, RuleBody};
use serde_json::json;

use crate::args::{CheckFormat, ColorArg};
use crate::output::{Exit, color_stderr, color_stdout, usage_error};
use crate::policy;

/// How a rule decides its clause.
fn kind(program: &Program, rule: &str) -> &'static str {
    match program.rules.iter().find(|r| r.name == rule).map(|r| &r.body) {
        Some(RuleBody::Attest(_)) => "attested",
        _ => "automated",
    }
}

pub fn run(path: Option<&Path>, format: CheckFormat, color: ColorArg) -> Exit {
    let loaded = match policy::load(path, color_stderr(color)) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let program = &loaded.program;
    if program.sections.is_empty() {
        return usage_error(format!("{} has no guideline index (`section` declarations)", loaded.name));
    }
    let paint =
        |code: &str, t: &str| if color_stdout(color) { format!("\x1b[{code}m{t}\x1b[0m") } else { t.to_string() };
    let mut missing = 0usize;
    let (mut automated, mut attested, mut normative) = (0usize, 0usize, 0usize);
    let mut entries = Vec::new();
    let mut human = String::new();
    for s in &program.sections {
        human.push_str(&format!("{}\n", paint("1", &format!("{} {}", s.id, s.title))));
        for c in &s.clauses {
            let rules: Vec<&str> =
                program.rules.iter().filter(|r| r.clauses.contains(&c.id)).map(|r| r.name.as_str()).collect();
            let kinds: Vec<&str> = rules.iter().map(|r| kind(program, r)).collect();
            if c.normative {
                normative += 1;
                if rules.is_empty() {
                    missing += 1;
                } else if kinds.contains(&"automated") {
                    automated += 1;
                } else {
                    attested += 1;
                }
            }
            let status = match (c.normative, rules.is_empty()) {
                (false, true) => paint("2", "informative"),
                (true, true) => paint("1;31", "NO RULE"),
                _ if kinds.contains(&"automated") => paint("32", "automated"),
                _ => paint("33", "attested"),
            };
            let names: Vec<&str> = rules.iter().map(|r| r.rsplit('.').next().unwrap_or(r)).collect();
            human.push_str(&format!("  {:<12} {status:<11} {}\n", c.id, names.join(", ")));
            entries.push(json!({
                "id": c.id,
                "section": s.id,
                "normative": c.normative,
                "text": c.text,
                "rules": rules.iter().zip(&kinds).map(|(r, k)| json!({ "rule": r, "kind": k })).collect::<Vec<_>>(),
            }));
        }
    }
    let summary = json!({
        "normative": normative,
        "automated": automated,
        "attested": attested,
        "without_rule": missing,
    });
    match format {
        CheckFormat::Json => {
            let doc = json!({ "policy": loaded.name, "clauses": entries, "summary": summary });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CheckFormat::Human => {
            print!("{human}");
            println!(
                "\n{normative} normative clauses: {automated} decided from facts, {attested} attested, {missing} without a rule"
            );
        }
    }
    if missing > 0 { Exit::Findings } else { Exit::Ok }
}
