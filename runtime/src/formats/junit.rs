//! JUnit XML: a `<testsuite>` per snapshot, a `<testcase>` per rule. `fail` is a failure,
//! `error` an error, `not_applicable` and `manual` are skipped (with the reason), `waived`
//! passes with the waiver in `<system-out>`.

use std::io::{self, Write};

use okite_ir::Program;

use super::{ReportWriter, xml_escape as esc};
use crate::report::{Outcome, PolicyInfo, SnapshotReport, Status};

/// Writes JUnit XML.
#[derive(Debug, Default)]
pub struct Junit;

impl ReportWriter for Junit {
    fn begin(&mut self, out: &mut dyn Write, policy: &PolicyInfo, _: &Program) -> io::Result<()> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(out, "<testsuites name=\"okite: {}\">", esc(&policy.name))
    }

    fn snapshot(&mut self, out: &mut dyn Write, r: &SnapshotReport, program: &Program) -> io::Result<()> {
        let name = match &r.facility {
            Some(f) => format!("{f} ({})", r.source),
            None => r.source.clone(),
        };
        if r.status == Status::InputError {
            writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">",
                esc(&name)
            )?;
            let msg: Vec<String> = r.errors.iter().map(|e| format!("{}: {e}", r.source)).collect();
            writeln!(out, "    <testcase classname=\"input\" name=\"read snapshot\">")?;
            writeln!(out, "      <error message=\"the snapshot could not be read\">{}</error>", esc(&msg.join("\n")))?;
            writeln!(out, "    </testcase>")?;
            return writeln!(out, "  </testsuite>");
        }
        let s = &r.summary;
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\">",
            esc(&name),
            r.results.len(),
            s.fail,
            s.error,
            s.not_applicable + s.manual,
            r.as_of.map(|d| format!("{d}T00:00:00")).unwrap_or_default(),
        )?;
        for res in &r.results {
            let classname = program
                .section_of(&res.clause)
                .map_or_else(|| "other".to_string(), |sec| format!("{} {}", sec.id, sec.title));
            let title = res.title.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
            let name = format!("{} {}{title}", res.clauses.join(","), res.rule);
            write!(out, "    <testcase classname=\"{}\" name=\"{}\"", esc(&classname), esc(&name))?;
            let reason = res.reason.clone().unwrap_or_default();
            match res.outcome {
                Outcome::Pass => writeln!(out, "/>")?,
                Outcome::Fail => {
                    writeln!(out, ">")?;
                    let first = res.findings.first().map(|f| f.message.clone()).unwrap_or_default();
                    let body: Vec<String> = res
                        .findings
                        .iter()
                        .map(|f| {
                            let mut line = format!("{}: {}", if f.path.is_empty() { "/" } else { &f.path }, f.message);
                            if let Some(e) = &f.explanation {
                                super::explanation_lines(e, 1, &mut line);
                            }
                            line
                        })
                        .collect();
                    writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        esc(&first),
                        res.severity.as_str(),
                        esc(&body.join("\n"))
                    )?;
                    writeln!(out, "    </testcase>")?;
                }
                Outcome::Error => {
                    writeln!(out, ">")?;
                    writeln!(out, "      <error message=\"{}\"/>", esc(&reason))?;
                    writeln!(out, "    </testcase>")?;
                }
                Outcome::NotApplicable | Outcome::Manual => {
                    writeln!(out, ">")?;
                    writeln!(out, "      <skipped message=\"{}: {}\"/>", res.outcome.as_str(), esc(&reason))?;
                    writeln!(out, "    </testcase>")?;
                }
                Outcome::Waived => {
                    writeln!(out, ">")?;
                    let w: Vec<String> = res
                        .waivers
                        .iter()
                        .map(|w| format!("waived until {} by {}: {}", w.expires, w.approver, w.justification))
                        .collect();
                    writeln!(out, "      <system-out>{}</system-out>", esc(&w.join("\n")))?;
                    writeln!(out, "    </testcase>")?;
                }
            }
        }
        writeln!(out, "  </testsuite>")
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "</testsuites>")
    }
}
