//! SARIF 2.1.0: one run; the policy's rules are the tool's reporting descriptors (carrying
//! their clause ids); one result per finding, plus `review` results for rules awaiting
//! attestation and `open` results for rules that could not be decided.

use std::io::{self, Write};

use okite_ir::{Program, Severity};
use serde_json::{Value, json};

use super::{ReportWriter, set};
use crate::report::{Outcome, PolicyInfo, SnapshotReport, Status};

/// Writes SARIF 2.1.0.
#[derive(Debug, Default)]
pub struct Sarif {
    count: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

impl Sarif {
    fn emit(&mut self, out: &mut dyn Write, v: &Value) -> io::Result<()> {
        if self.count > 0 {
            write!(out, ",")?;
        }
        write!(out, "\n        ")?;
        serde_json::to_writer(&mut *out, v)?;
        self.count += 1;
        Ok(())
    }
}

impl ReportWriter for Sarif {
    fn begin(&mut self, out: &mut dyn Write, policy: &PolicyInfo, program: &Program) -> io::Result<()> {
        let rules: Vec<Value> = program
            .rules
            .iter()
            .map(|r| {
                let short = r.name.rsplit('.').next().unwrap_or(&r.name);
                let mut d = json!({
                    "id": r.name,
                    "name": short,
                    "shortDescription": { "text": r.title.clone().unwrap_or_else(|| short.to_string()) },
                    "defaultConfiguration": { "level": level(r.severity) },
                    "properties": {
                        "clauses": r.clauses,
                        "severity": r.severity.as_str(),
                        "tags": r.tags,
                        "source": r.location.to_string(),
                    },
                });
                if !r.doc.is_empty() {
                    set(&mut d, "fullDescription", json!({ "text": r.doc }));
                }
                d
            })
            .collect();
        let driver = json!({
            "name": "okite",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://example.invalid/okite",
            "rules": rules,
            "properties": { "policy": policy.name },
        });
        write!(
            out,
            "{{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": {{ \"driver\": "
        )?;
        serde_json::to_writer(&mut *out, &driver)?;
        write!(out, " }},\n      \"results\": [")
    }

    fn snapshot(&mut self, out: &mut dyn Write, r: &SnapshotReport, program: &Program) -> io::Result<()> {
        let artifact = json!({ "uri": r.source });
        if r.status == Status::InputError {
            for e in &r.errors {
                let v = json!({
                    "ruleId": "okite/input",
                    "kind": "fail",
                    "level": "error",
                    "message": { "text": format!("the snapshot could not be read: {e}") },
                    "locations": [{ "physicalLocation": { "artifactLocation": artifact } , "logicalLocations": [{ "fullyQualifiedName": e.path, "kind": "member" }] }],
                });
                self.emit(out, &v)?;
            }
            return Ok(());
        }
        for res in &r.results {
            let index = program.rules.iter().position(|x| x.name == res.rule);
            let base = |kind: &str, lvl: &str, message: String, path: &str| {
                let mut v = json!({
                    "ruleId": res.rule,
                    "kind": kind,
                    "level": lvl,
                    "message": { "text": message },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": artifact },
                        "logicalLocations": [{ "fullyQualifiedName": if path.is_empty() { "/" } else { path }, "kind": "member" }],
                    }],
                    "properties": {
                        "clauses": res.clauses,
                        "facility": r.facility,
                        "as_of": r.as_of.map(|d| d.to_string()),
                        "outcome": res.outcome.as_str(),
                    },
                });
                if let Some(i) = index {
                    set(&mut v, "ruleIndex", json!(i));
                }
                v
            };
            match res.outcome {
                Outcome::Fail | Outcome::Waived => {
                    for f in &res.findings {
                        let mut v = base("fail", level(res.severity), f.message.clone(), &f.path);
                        if let Some(p) = v.get_mut("properties") {
                            set(p, "subject", json!(f.subject));
                        }
                        if let Some(e) = &f.explanation
                            && let Some(p) = v.get_mut("properties")
                        {
                            set(p, "explanation", serde_json::to_value(e).unwrap_or(Value::Null));
                        }
                        if res.outcome == Outcome::Waived {
                            let justification: Vec<&str> =
                                res.waivers.iter().map(|w| w.justification.as_str()).collect();
                            set(
                                &mut v,
                                "suppressions",
                                json!([{ "kind": "external", "justification": justification.join("; ") }]),
                            );
                        }
                        self.emit(out, &v)?;
                    }
                }
                Outcome::Manual => {
                    let v = base("review", "note", res.reason.clone().unwrap_or_default(), "");
                    self.emit(out, &v)?;
                }
                Outcome::Error => {
                    let v = base("open", "error", res.reason.clone().unwrap_or_default(), "");
                    self.emit(out, &v)?;
                }
                Outcome::Pass | Outcome::NotApplicable => {}
            }
        }
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "\n      ]\n    }}\n  ]\n}}")
    }
}
