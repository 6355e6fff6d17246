//! The terminal report for officers: per facility, grouped by guideline section, findings in
//! the policy's own (Japanese) words, colour only when asked for.

use std::io::{self, Write};

use okite_ir::Program;

use super::ReportWriter;
use crate::report::{Explanation, Outcome, PolicyInfo, RuleResult, SnapshotReport, Status};

/// Writes the human-readable report.
#[derive(Debug, Default)]
pub struct Human {
    /// Use ANSI colours.
    pub color: bool,
    /// Also list passing and not-applicable rules.
    pub verbose: bool,
    totals: [u32; 6],
    snapshots: usize,
    unreadable: usize,
}

impl Human {
    /// A writer with these options.
    pub fn new(color: bool, verbose: bool) -> Human {
        Human { color, verbose, ..Human::default() }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    fn outcome(&self, o: Outcome) -> String {
        let (code, mark) = match o {
            Outcome::Fail => ("1;31", "✗ fail"),
            Outcome::Error => ("1;35", "! error"),
            Outcome::Manual => ("33", "? manual"),
            Outcome::Waived => ("34", "~ waived"),
            Outcome::Pass => ("32", "✓ pass"),
            Outcome::NotApplicable => ("2", "- n/a"),
        };
        self.paint(code, mark)
    }
}

fn index(o: Outcome) -> usize {
    Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0)
}

impl ReportWriter for Human {
    fn begin(&mut self, _: &mut dyn Write, _: &PolicyInfo, _: &Program) -> io::Result<()> {
        Ok(())
    }

    fn snapshot(&mut self, out: &mut dyn Write, r: &SnapshotReport, program: &Program) -> io::Result<()> {
        self.snapshots += 1;
        let name = r.facility.as_deref().unwrap_or("(unnamed facility)");
        let as_of = r.as_of.map(|d| format!(" — as of {d}")).unwrap_or_default();
        writeln!(out, "{} ({}){as_of}", self.paint("1", name), r.source)?;
        if r.status == Status::InputError {
            self.unreadable += 1;
            writeln!(out, "  {} the snapshot could not be read:", self.paint("1;31", "error:"))?;
            for e in &r.errors {
                writeln!(out, "    {}: {e}", r.source)?;
            }
            writeln!(out)?;
            return Ok(());
        }
        for w in &r.warnings {
            writeln!(out, "  {} {}: {w}", self.paint("33", "warning:"), r.source)?;
        }
        let counts: Vec<String> = Outcome::ALL
            .iter()
            .map(|o| {
                let n = r.summary.count(*o);
                if let Some(t) = self.totals.get_mut(index(*o)) {
                    *t += n;
                }
                format!("{} {n}", o.as_str())
            })
            .collect();
        writeln!(out, "  {}", counts.join(" · "))?;

        // Group by guideline section, in guideline order; rules without a section last.
        let mut groups: Vec<(Option<usize>, Vec<&RuleResult>)> = Vec::new();
        for res in &r.results {
            if !self.verbose && matches!(res.outcome, Outcome::Pass | Outcome::NotApplicable) {
                continue;
            }
            let section =
                program.section_of(&res.clause).and_then(|s| program.sections.iter().position(|x| x.id == s.id));
            match groups.iter_mut().find(|(s, _)| *s == section) {
                Some((_, v)) => v.push(res),
                None => groups.push((section, vec![res])),
            }
        }
        groups.sort_by_key(|(s, _)| s.unwrap_or(usize::MAX));
        for (section, results) in groups {
            let title = match section.and_then(|i| program.sections.get(i)) {
                Some(s) => format!("{} {}", s.id, s.title),
                None => "その他 (rules without a guideline section)".into(),
            };
            writeln!(out, "\n  {}", self.paint("1", &title))?;
            for res in results {
                let label =
                    res.title.clone().unwrap_or_else(|| res.rule.rsplit('.').next().unwrap_or(&res.rule).to_string());
                let clause = if res.clauses.is_empty() { "-".to_string() } else { res.clauses.join(",") };
                writeln!(out, "    {} {clause} {label} [{}]", self.outcome(res.outcome), res.severity.as_str())?;
                if let Some(u) = res.underlying_outcome {
                    writeln!(out, "        underlying outcome: {}", u.as_str())?;
                }
                if let Some(reason) = &res.reason {
                    writeln!(out, "        {reason}")?;
                }
                for f in &res.findings {
                    let path = if f.path.is_empty() { "/".to_string() } else { f.path.clone() };
                    writeln!(out, "        {} {}", self.paint("2", &path), f.message)?;
                    if let Some(e) = &f.explanation {
                        write_explanation(out, e, 10)?;
                    }
                }
                // A single note is the rule's reason already, printed above.
                let repeats = res.notes.len() == 1 && res.notes.first().map(|n| &n.reason) == res.reason.as_ref();
                for n in res.notes.iter().filter(|_| !repeats) {
                    let who = n.subject_label.clone().unwrap_or_else(|| n.subject.clone());
                    let who = if who.is_empty() { "/".to_string() } else { who };
                    writeln!(out, "        {} {who}: {}", self.paint("2", n.outcome.as_str()), n.reason)?;
                }
                for w in &res.waivers {
                    let state = if w.expired { "expired" } else { "valid" };
                    writeln!(
                        out,
                        "        waiver ({state} until {}, approved by {}): {}",
                        w.expires, w.approver, w.justification
                    )?;
                }
            }
        }
        writeln!(out)?;
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.snapshots > 1 {
            let counts: Vec<String> = Outcome::ALL
                .iter()
                .map(|o| format!("{} {}", o.as_str(), self.totals.get(index(*o)).copied().unwrap_or(0)))
                .collect();
            writeln!(out, "{} snapshots ({} unreadable): {}", self.snapshots, self.unreadable, counts.join(" · "))?;
        }
        Ok(())
    }
}

fn write_explanation(out: &mut dyn Write, e: &Explanation, indent: usize) -> io::Result<()> {
    let mut text = String::new();
    super::explanation_lines(e, indent / 2, &mut text);
    writeln!(out, "{}", text.trim_start_matches('\n'))
}
