//! Rendering diagnostics: codespan-reporting for terminals, JSON for tools.
//!
//! This is the only module that knows codespan-reporting; the rest of the compiler deals in
//! [`Diagnostic`] values.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use serde_json::json;

use super::{Diagnostic, Level};
use crate::span::LineIndex;

/// Whether terminal output is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// ANSI colours.
    Always,
    /// Plain text.
    Never,
}

/// Renders diagnostics as rustc-style text. `source` returns the text of a file by name.
pub fn render_terminal<'a>(
    diagnostics: &[Diagnostic],
    source: &dyn Fn(&str) -> Option<&'a str>,
    color: ColorChoice,
) -> String {
    let mut files = SimpleFiles::new();
    let mut ids: Vec<(String, usize)> = Vec::new();
    let mut file_id = |name: &str| -> usize {
        if let Some((_, id)) = ids.iter().find(|(n, _)| n == name) {
            return *id;
        }
        let id = files.add(name.to_string(), source(name).unwrap_or("").to_string());
        ids.push((name.to_string(), id));
        id
    };
    let mut rendered = Vec::new();
    for d in diagnostics {
        let own = file_id(&d.file);
        let mut labels = vec![cs::Label::primary(own, d.primary.span.range()).with_message(&d.primary.message)];
        for l in &d.secondary {
            let id = l.file.as_deref().map_or(own, &mut file_id);
            labels.push(cs::Label::secondary(id, l.span.range()).with_message(&l.message));
        }
        let mut notes = d.notes.clone();
        if let Some(h) = &d.help {
            notes.push(format!("help: {h}"));
        }
        if let Some(fix) = &d.fix {
            notes.push(format!("fix: {}", fix.title));
        }
        let diag = match d.level {
            Level::Error => cs::Diagnostic::error(),
            Level::Warning => cs::Diagnostic::warning(),
        }
        .with_code(d.code.id())
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes);
        rendered.push(diag);
    }
    let config = term::Config::default();
    let mut out = String::new();
    for diag in &rendered {
        match color {
            ColorChoice::Never => {
                let _ = term::emit_to_string(&mut out, &config, &files, diag);
            }
            ColorChoice::Always => {
                let mut buf = termcolor::Buffer::ansi();
                if term::emit_to_write_style(&mut buf, &config, &files, diag).is_ok() {
                    out.push_str(&String::from_utf8_lossy(buf.as_slice()));
                }
            }
        }
    }
    out
}

/// Renders diagnostics as the JSON array `okite check --format json` prints (documented in
/// docs/diagnostics.md): positions are one-based lines and columns in characters.
pub fn render_json<'a>(diagnostics: &[Diagnostic], source: &dyn Fn(&str) -> Option<&'a str>) -> serde_json::Value {
    let position = |file: &str, span: crate::span::Span| {
        let text = source(file).unwrap_or("");
        let index = LineIndex::new(text);
        let (line, column) = index.line_col(text, span.start);
        let (end_line, end_column) = index.line_col(text, span.end);
        json!({ "file": file, "line": line, "column": column, "end_line": end_line, "end_column": end_column })
    };
    let items: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let secondary: Vec<_> = d
                .secondary
                .iter()
                .map(|l| {
                    let file = l.file.as_deref().unwrap_or(&d.file);
                    json!({ "location": position(file, l.span), "message": l.message })
                })
                .collect();
            json!({
                "code": d.code.id(),
                "level": match d.level { Level::Error => "error", Level::Warning => "warning" },
                "message": d.message,
                "location": position(&d.file, d.primary.span),
                "label": d.primary.message,
                "secondary": secondary,
                "notes": d.notes,
                "help": d.help,
                "fix": d.fix.as_ref().map(|f| json!({
                    "title": f.title,
                    "location": position(&d.file, f.span),
                    "replacement": f.replacement,
                })),
            })
        })
        .collect();
    serde_json::Value::Array(items)
}
