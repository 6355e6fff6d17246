//! Writing reports: JSON (the documented, versioned format), a terminal summary for officers,
//! JUnit XML for CI systems and SARIF 2.1.0 for code-scanning tools.
//!
//! Every writer streams: it is given the snapshots one at a time, in order, so a batch of
//! thousands of facilities never has to be held in memory.

mod human;
mod json;
mod junit;
mod sarif;

use std::io::{self, Write};

use okite_ir::Program;

pub use human::Human;
pub use json::Json;
pub use junit::Junit;
pub use sarif::Sarif;

use crate::report::{PolicyInfo, SnapshotReport};

/// A report format.
pub trait ReportWriter {
    /// Called once, before any snapshot.
    fn begin(&mut self, out: &mut dyn Write, policy: &PolicyInfo, program: &Program) -> io::Result<()>;
    /// Called once per snapshot, in input order.
    fn snapshot(&mut self, out: &mut dyn Write, report: &SnapshotReport, program: &Program) -> io::Result<()>;
    /// Called once, after the last snapshot.
    fn end(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// Appends an explanation as indented plain-text lines (JUnit bodies, logs).
pub(crate) fn explanation_lines(e: &crate::report::Explanation, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    out.push_str(&format!("\n{pad}because `{}` is {}", e.condition, e.holds));
    if let Some(n) = &e.note {
        out.push_str(&format!("\n{pad}  {n}"));
    }
    for v in &e.values {
        let at = v.path.as_deref().map(|p| format!(" ({p})")).unwrap_or_default();
        out.push_str(&format!("\n{pad}  {} = {}{at}", v.expr, v.value));
    }
    if let Some(b) = &e.because {
        explanation_lines(b, depth + 1, out);
    }
}

/// Sets `key` of a JSON object built with `json!` (a no-op on any other value).
pub(crate) fn set(v: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let serde_json::Value::Object(map) = v {
        map.insert(key.to_string(), value);
    }
}

/// Escapes text for XML attributes and content.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry other control characters at all, not even as references.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
