//! The JSON report (docs/report-format.md): one document, snapshots streamed into its array.

use std::io::{self, Write};

use okite_ir::Program;

use super::ReportWriter;
use crate::report::{PolicyInfo, REPORT_VERSION, SnapshotReport};

/// Writes the versioned JSON report.
#[derive(Debug, Default)]
pub struct Json {
    count: usize,
}

impl ReportWriter for Json {
    fn begin(&mut self, out: &mut dyn Write, policy: &PolicyInfo, _: &Program) -> io::Result<()> {
        write!(out, "{{\n  \"okite_report\": {REPORT_VERSION},\n  \"policy\": ")?;
        serde_json::to_writer(&mut *out, policy)?;
        write!(out, ",\n  \"snapshots\": [")
    }

    fn snapshot(&mut self, out: &mut dyn Write, report: &SnapshotReport, _: &Program) -> io::Result<()> {
        if self.count > 0 {
            write!(out, ",")?;
        }
        write!(out, "\n    ")?;
        serde_json::to_writer(&mut *out, report)?;
        self.count += 1;
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "\n  ]\n}}")
    }
}
