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
    /// One JSON document given inline (standard input).
    Text {
        /// Shown in reports (`-`, or `-:line` for NDJSON on standard input).
        source: String,
        /// The document.
        text: String,
    },
    /// One line of an NDJSON file, read when it is evaluated (so a large batch file is never
    /// held in memory at once).
    Line {
        /// `file:line`.
        source: String,
        /// The file.
        path: PathBuf,
        /// Byte offset of the line.
        offset: u64,
        /// Its length in bytes.
        len: usize,
    },
}

impl Input {
    /// The name shown in reports.
    pub fn source(&self) -> &str {
        match self {
            Input::File { source, .. } | Input::Text { source, .. } | Input::Line { source, .. } => source,
        }
    }
}

fn is_ndjson(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "ndjson" || x == "jsonl")
}

/// Whether a file found in a directory is a snapshot: JSON, YAML or NDJSON, except waiver
/// files (`*.waivers.yaml`, `*.waivers.json`), which may sit beside the snapshots they waive.
fn is_snapshot(p: &Path) -> bool {
    let waivers = p.file_stem().is_some_and(|s| s.to_string_lossy().ends_with(".waivers"));
    !waivers && (p.extension().is_some_and(|x| x == "json" || x == "yaml" || x == "yml") || is_ndjson(p))
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
        index_lines(p, &source, out).map_err(|e| format!("cannot read `{source}`: {}", sources::io_reason(&e)))?;
    } else {
        out.push(Input::File { source, path: p.to_path_buf() });
    }
    Ok(())
}

/// One document, or one per non-empty line when the text holds several (NDJSON).
fn split_documents(source: &str, text: &str, out: &mut Vec<Input>) {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).collect();
    let single = lines.len() <= 1 || serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    if single {
        out.push(Input::Text { source: source.to_string(), text: text.to_string() });
        return;
    }
    for (i, line) in lines {
        out.push(Input::Text { source: format!("{source}:{}", i + 1), text: line.to_string() });
    }
}

/// Records where each non-empty line of an NDJSON file is, without keeping the text.
fn index_lines(path: &Path, source: &str, out: &mut Vec<Input>) -> std::io::Result<()> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.iter().any(|b| !b.is_ascii_whitespace()) {
            out.push(Input::Line { source: format!("{source}:{number}"), path: path.to_path_buf(), offset, len: n });
        }
        offset += n as u64;
    }
    Ok(())
}

fn read_line(path: &Path, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; len];
    f.read_exact(&mut buf)?;
    Ok(buf)
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
const STREAM_ABOVE: u64 = 4 * 1024 * 1024;

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
        Input::Line { source, path, offset, len } => {
            let bytes = read_line(path, *offset, *len)
                .map_err(|e| issue(format!("cannot read `{source}`: {}", sources::io_reason(&e))))?;
            engine.decode_json(&bytes, options)
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
