//! Snapshot inputs of `okite eval`: files, directories (recursively), `-` for standard input,
//! and NDJSON (one snapshot per line, in `.ndjson`/`.jsonl` files or on standard input).

use std::io::Read;
use std::path::{Path, PathBuf};

use okite_runtime::{DecodeOptions, Engine, InputError, InputIssue, Snapshot};

use crate::sources;

/// One snapshot to evaluate.
pub enum Input {
    /// A JSON or YAML file.
    File {
        /// Shown in reports.
        source: String,
        /// Where it is.
        path: PathBuf,
    },
    /// One JSON document given inline (a line of NDJSON, or standard input).
    Text {
        /// Shown in reports (`file:line` for NDJSON).
        source: String,
        /// The document.
        text: String,
    },
}

impl Input {
    /// The name shown in reports.
    pub fn source(&self) -> &str {
        match self {
            Input::File { source, .. } | Input::Text { source, .. } => source,
        }
    }
}

fn is_ndjson(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "ndjson" || x == "jsonl")
}

fn is_snapshot(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "json" || x == "yaml" || x == "yml") || is_ndjson(p)
}

/// Resolves the command-line arguments to inputs, in order.
pub fn discover(args: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for a in args {
        if a.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read standard input: {}", sources::io_reason(&e)))?;
            split_documents("-", &text, &mut out);
            continue;
        }
        let meta = std::fs::metadata(a)
            .map_err(|e| format!("cannot read `{}`: {}", sources::display(a), sources::io_reason(&e)))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(a, &mut files)
                .map_err(|e| format!("cannot read directory `{}`: {}", sources::display(a), sources::io_reason(&e)))?;
            if files.is_empty() {
                return Err(format!("no .json, .yaml or .yml snapshots in `{}`", sources::display(a)));
            }
            for f in files {
                push_file(&f, &mut out)?;
            }
        } else {
            push_file(a, &mut out)?;
        }
    }
    Ok(out)
}

fn push_file(p: &Path, out: &mut Vec<Input>) -> Result<(), String> {
    let source = sources::display(p);
    if is_ndjson(p) {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read `{source}`: {}", sources::io_reason(&e)))?;
        split_documents(&source, &text, out);
    } else {
        out.push(Input::File { source, path: p.to_path_buf() });
    }
    Ok(())
}

/// One document, or one per non-empty line when the text holds several (NDJSON).
fn split_documents(source: &str, text: &str, out: &mut Vec<Input>) {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
    let single = lines.len() <= 1 || serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    if single && !source.ends_with(".ndjson") && !source.ends_with(".jsonl") {
        out.push(Input::Text { source: source.to_string(), text: text.to_string() });
        return;
    }
    for (i, line) in lines {
        out.push(Input::Text { source: format!("{source}:{}", i + 1), text: line.to_string() });
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if is_snapshot(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Files larger than this are decoded from a stream rather than read whole, so that memory
/// stays close to the size of the decoded facts.
const STREAM_ABOVE: u64 = 16 * 1024 * 1024;

/// Reads and decodes an input; any failure is a list of issues for the report.
pub fn decode(engine: &Engine, input: &Input, options: DecodeOptions) -> Result<Snapshot, Vec<InputIssue>> {
    let issue = |message: String| vec![InputIssue { path: String::new(), message }];
    let result = match input {
        Input::Text { text, .. } => {
            if text.trim_start().starts_with('{') {
                engine.decode_json(text.as_bytes(), options)
            } else {
                engine.decode_yaml(text, options)
            }
        }
        Input::File { path, source } => {
            let yaml = path.extension().is_some_and(|x| x == "yaml" || x == "yml");
            let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let open_err = |e: std::io::Error| issue(format!("cannot read `{source}`: {}", sources::io_reason(&e)));
            if yaml {
                let text = std::fs::read_to_string(path).map_err(open_err)?;
                engine.decode_yaml(&text, options)
            } else if len > STREAM_ABOVE {
                let f = std::fs::File::open(path).map_err(open_err)?;
                engine.decode_json_reader(f, options)
            } else {
                let bytes = std::fs::read(path).map_err(open_err)?;
                engine.decode_json(&bytes, options)
            }
        }
    };
    result.map_err(|e| match e {
        InputError::Schema(issues) => issues,
        InputError::Syntax { line, column, message } if line > 0 => {
            issue(format!("invalid {} at line {line}, column {column}: {message}", syntax_kind(input)))
        }
        other => issue(other.to_string()),
    })
}

fn syntax_kind(input: &Input) -> &'static str {
    match input {
        Input::File { path, .. } if path.extension().is_some_and(|x| x == "yaml" || x == "yml") => "YAML",
        _ => "JSON",
    }
}
