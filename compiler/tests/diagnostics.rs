//! Diagnostic fixtures, data-driven: every `.okite` file (or directory of them) under
//! `tests/diagnostics/` is compiled on its own and its rendered diagnostics are compared with the
//! sibling `.stderr` file.
//!
//! Naming carries the expectation:
//! - `E0020_mismatched_types.okite` (or a directory `E0031_recursion/`) must produce E0020 and
//!   nothing else: one mistake, one kind of diagnostic, no cascade.
//! - `ok_*.okite` (or `ok_*/`) must produce no diagnostic at all, compile, and give a program
//!   that `okite_ir::validate` accepts. They have no `.stderr`.
//!
//! Together the fixtures must produce every code in [`ALL_CODES`].
//!
//! `UPDATE_EXPECT=1 cargo test -p okite-compiler --test diagnostics` rewrites the `.stderr` files;
//! read the diff critically before committing it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use expect_test::expect_file;
use okite_compiler::diagnostics::{ALL_CODES, ColorChoice, render_terminal};
use okite_compiler::{Database, Diagnostic, FileInput};

/// One fixture: a file or a directory of files compiled together.
struct Fixture {
    /// `E0020_mismatched_types`, `ok_rules`, …
    name: String,
    /// The sources, with paths relative to `tests/diagnostics/` so output is machine-independent.
    inputs: Vec<FileInput>,
    /// Where the expected output lives.
    stderr: PathBuf,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("diagnostics")
}

fn read_input(path: &Path, shown_as: String) -> FileInput {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    // Bytes, not text: the E0001 fixture is deliberately not UTF-8.
    FileInput { path: shown_as, bytes }
}

fn fixtures() -> Vec<Fixture> {
    let dir = fixture_dir();
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("tests/diagnostics exists").map(|e| e.expect("readable entry").path()).collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        let file_name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8 file names").to_string();
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("readable fixture directory")
                .map(|e| e.expect("readable entry").path())
                // Plugin modules (`.wat`, `.wasm`) are compiled with the sources that name them.
                .filter(|p| p.extension().is_some_and(|x| x == "okite" || x == "wat" || x == "wasm"))
                .collect();
            files.sort();
            assert!(
                files.iter().any(|f| f.extension().is_some_and(|x| x == "okite")),
                "fixture directory {file_name}/ has no .okite file"
            );
            let inputs = files
                .iter()
                .map(|f| {
                    let inner = f.file_name().and_then(|n| n.to_str()).expect("UTF-8 file names");
                    read_input(f, format!("{file_name}/{inner}"))
                })
                .collect();
            out.push(Fixture { stderr: dir.join(format!("{file_name}.stderr")), name: file_name, inputs });
        } else if let Some(stem) = file_name.strip_suffix(".okite") {
            out.push(Fixture {
                name: stem.to_string(),
                inputs: vec![read_input(&path, file_name.clone())],
                stderr: dir.join(format!("{stem}.stderr")),
            });
        } else {
            assert!(file_name.ends_with(".stderr"), "unexpected file in tests/diagnostics: {file_name}");
        }
    }
    out
}

/// What compiling a fixture gave.
struct Compiled {
    db: Database,
    diagnostics: Vec<Diagnostic>,
}

/// The one helper every case goes through.
fn compile(fixture: &Fixture) -> Compiled {
    let db = Database::new(fixture.inputs.clone());
    let diagnostics = db.diagnostics();
    Compiled { db, diagnostics }
}

fn render(c: &Compiled) -> String {
    render_terminal(&c.diagnostics, &|name| c.db.source_text(name), ColorChoice::Never)
}

/// The code a fixture is named after (`E0020_…` → `E0020`).
fn named_code(name: &str) -> Option<&str> {
    let (code, _) = name.split_once('_')?;
    (code.len() == 5 && (code.starts_with('E') || code.starts_with('W'))).then_some(code)
}

#[test]
fn every_fixture_matches_its_expected_output() {
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let compiled = compile(&fixture);
        let codes: BTreeSet<&str> = compiled.diagnostics.iter().map(|d| d.code.id()).collect();
        if fixture.name.starts_with("ok_") {
            if !compiled.diagnostics.is_empty() {
                failures.push(format!("{}: expected no diagnostics, got:\n{}", fixture.name, render(&compiled)));
                continue;
            }
            match compiled.db.compile() {
                Ok(program) => {
                    if let Err(e) = okite_ir::validate::validate(&program) {
                        failures.push(format!("{}: the compiled program is invalid: {e}", fixture.name));
                    }
                }
                Err(_) => failures.push(format!("{}: no diagnostics, yet no program", fixture.name)),
            }
            assert!(!fixture.stderr.exists(), "{}: clean fixtures have no .stderr", fixture.name);
            continue;
        }
        let Some(code) = named_code(&fixture.name) else {
            failures.push(format!("{}: name it `E0000_what` or `ok_what`", fixture.name));
            continue;
        };
        if !codes.contains(code) {
            failures.push(format!("{}: does not produce {code} (it produces {codes:?})", fixture.name));
        }
        if codes.iter().any(|c| *c != code) {
            failures.push(format!("{}: produces other codes besides {code}: {codes:?}", fixture.name));
        }
        let rendered = render(&compiled);
        let expected = expect_file![fixture.stderr.clone()];
        if std::panic::catch_unwind(|| expected.assert_eq(&rendered)).is_err() {
            failures.push(format!("{}: output differs from {}", fixture.name, fixture.stderr.display()));
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_code_has_a_fixture() {
    let mut produced = BTreeSet::new();
    let mut named = BTreeSet::new();
    for fixture in fixtures() {
        produced.extend(compile(&fixture).diagnostics.iter().map(|d| d.code.id()));
        if let Some(code) = named_code(&fixture.name) {
            named.insert(code.to_string());
        }
    }
    let missing: Vec<&str> = ALL_CODES.iter().map(|c| c.id()).filter(|c| !produced.contains(c)).collect();
    assert!(missing.is_empty(), "no fixture produces {missing:?}");
    let unnamed: Vec<&str> = ALL_CODES.iter().map(|c| c.id()).filter(|c| !named.contains(*c)).collect();
    assert!(unnamed.is_empty(), "no fixture is named after {unnamed:?}");
    let unknown: Vec<&String> = named.iter().filter(|n| !ALL_CODES.iter().any(|c| c.id() == n.as_str())).collect();
    assert!(unknown.is_empty(), "fixtures named after codes that do not exist: {unknown:?}");
}
