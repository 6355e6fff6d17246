//! `okite check`: compile and report.

use std::path::PathBuf;

use okite_compiler::Level;
use okite_compiler::diagnostics::{ColorChoice, render_json, render_terminal};

use crate::args::{CheckFormat, ColorArg};
use crate::output::{Exit, color_stderr, usage_error};
use crate::sources;

pub fn run(paths: &[PathBuf], format: CheckFormat, deny_warnings: bool, color: ColorArg) -> Exit {
    let inputs = match sources::collect_nonempty(paths) {
        Ok(i) => i,
        Err(e) => return usage_error(e),
    };
    let nfiles = inputs.len();
    let db = sources::open_database(inputs);
    let diags = db.diagnostics();
    let source = |path: &str| db.source_text(path);
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    match format {
        CheckFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&render_json(&diags, &source)).unwrap_or_default())
        }
        CheckFormat::Human => {
            let choice = if color_stderr(color) { ColorChoice::Always } else { ColorChoice::Never };
            eprint!("{}", render_terminal(&diags, &source, choice));
            let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            eprintln!(
                "checked {}: {}, {}",
                plural(nfiles, "file"),
                plural(errors, "error"),
                plural(warnings, "warning")
            );
        }
    }
    if errors > 0 || (deny_warnings && warnings > 0) { Exit::Findings } else { Exit::Ok }
}
