//! Robustness: the compiler is total. Whatever bytes it is given it returns diagnostics (or a
//! program) without panicking, without overflowing the stack of an ordinary test thread, in
//! bounded time, with every span inside its file and on character boundaries, and every
//! program it produces passes `okite_ir::validate`.
//!
//! Random bytes and random mutations of the diagnostic fixtures (proptest, a bounded number of
//! cases so that the suite stays fast in debug builds), then hostile inputs written out
//! explicitly: huge files, deep nesting, unterminated everything.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use okite_compiler::diagnostics::{ColorChoice, render_terminal};
use okite_compiler::{Database, Diagnostic, FileInput};
use proptest::prelude::*;

/// Compiles `inputs` and checks every invariant; returns the diagnostics for further checks.
fn compile_checked(inputs: Vec<FileInput>, budget: Duration) -> Vec<Diagnostic> {
    let started = Instant::now();
    let db = Database::new(inputs);
    let diagnostics = db.diagnostics();
    for d in &diagnostics {
        check_span(&db, &d.file, d.primary.span, d);
        for label in &d.secondary {
            check_span(&db, label.file.as_deref().unwrap_or(&d.file), label.span, d);
        }
        if let Some(fix) = &d.fix {
            check_span(&db, &d.file, fix.span, d);
        }
    }
    match db.compile() {
        Ok(program) => {
            assert!(!diagnostics.iter().any(Diagnostic::is_error), "a program despite errors");
            if let Err(e) = okite_ir::validate::validate(&program) {
                panic!("the compiler produced an invalid program: {e}");
            }
        }
        Err(errors) => assert!(errors.iter().any(Diagnostic::is_error), "no program, yet no error"),
    }
    // Rendering slices the source at every span: it must not panic either.
    render_terminal(&diagnostics, &|name| db.source_text(name), ColorChoice::Never);
    let elapsed = started.elapsed();
    assert!(elapsed < budget, "took {elapsed:?} (budget {budget:?})");
    diagnostics
}

fn check_span(db: &Database, file: &str, span: okite_compiler::span::Span, d: &Diagnostic) {
    let text = db.source_text(file).unwrap_or_else(|| panic!("diagnostic about unknown file {file}: {d:?}"));
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end && end <= text.len(), "span {span:?} outside {file} ({} bytes): {d:?}", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {span:?} splits a character: {d:?}");
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = diagnostics.iter().map(|d| d.code.id()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// One file, compiled alone.
fn one(text: impl Into<Vec<u8>>) -> Vec<FileInput> {
    vec![FileInput { path: "hostile.okite".into(), bytes: text.into() }]
}

/// The budget for inputs a person could write.
const SMALL: Duration = Duration::from_secs(5);
/// The budget for the generated monsters, in a debug build.
const LARGE: Duration = Duration::from_secs(90);

const HEADER: &str =
    "package hachioji.hostile\n\nfacts Facility {\n  key name: string\n  count: int = 0\n  ok: bool = true\n}\n\n";

fn rule_with(cond: &str) -> String {
    format!("{HEADER}/// 生成された規則\nrule generated {{\n  clause \"1\"\n  require {cond}\n}}\n")
}

// -------------------------------------------------------------------------------------------------
// Explicit hostile inputs

#[test]
fn empty_file() {
    assert!(compile_checked(one(""), SMALL).is_empty());
}

#[test]
fn only_a_package() {
    assert!(compile_checked(one("package hachioji.empty\n"), SMALL).is_empty());
}

#[test]
fn non_utf8_file() {
    let mut bytes = rule_with("facts.ok").into_bytes();
    bytes.extend_from_slice(
        b"\n// \xff\xfe\x81{\\\x22\n/* \x83\x5c */\nrule r2 { clause \"2\" require \"\x82\xa0\" == \"x\" }\n",
    );
    assert_eq!(codes(&compile_checked(one(bytes), SMALL)), ["E0001"]);
}

#[test]
fn ten_megabytes_of_rules() {
    let mut text = String::from(HEADER);
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "/// 生成された規則 {i}\nrule generated_{i} {{\n  clause \"{i}\"\n  title \"規則 {i}\"\n  when facts.ok\n  require facts.count >= {i} and facts.name != \"施設{i}\"\n    else \"{{facts.name}}: {i} 件以上が必要です ({{facts.count}} 件)\"\n}}\n\n"
        ));
        i += 1;
    }
    assert!(compile_checked(one(text), LARGE).is_empty());
}

#[test]
fn ten_thousand_nested_parentheses() {
    let cond = format!("{}facts.ok{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), SMALL)), ["E0003"]);
}

#[test]
fn ten_thousand_nots() {
    let cond = format!("{}facts.ok", "not ".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), SMALL)), ["E0003"]);
}

#[test]
fn ten_thousand_minus_signs() {
    let cond = format!("{}facts.count > 0", "- ".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), SMALL)), ["E0003"]);
}

#[test]
fn a_hundred_thousand_term_sum() {
    let cond = format!("{}1 > 0", "1 + ".repeat(100_000));
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), LARGE)), ["E0003"]);
}

#[test]
fn ten_thousand_nested_ifs() {
    let cond = format!("{}facts.ok{}", "if facts.ok then facts.ok else ".repeat(10_000), "");
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), SMALL)), ["E0003"]);
}

#[test]
fn a_hundred_thousand_field_accesses() {
    let cond = format!("facts{} == none", ".name".repeat(100_000));
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), LARGE)), ["E0003"]);
}

#[test]
fn ten_thousand_nested_list_types() {
    let text = format!("{HEADER}type Deep {{\n  xs: {}int{}\n}}\n", "list<".repeat(10_000), ">".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(text), SMALL)), ["E0003"]);
}

#[test]
fn ten_thousand_nested_interpolations() {
    let cond = format!("{}x{} == \"\"", "\"{".repeat(10_000), "}\"".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(rule_with(&cond)), SMALL)), ["E0003"]);
}

#[test]
fn unterminated_string() {
    let text = format!("{HEADER}rule r {{\n  clause \"1\n  require facts.ok\n}}\n");
    assert_eq!(codes(&compile_checked(one(text), SMALL)), ["E0004"]);
}

#[test]
fn unterminated_block_comment() {
    let text = format!("{HEADER}/* 説明\nrule r {{\n  clause \"1\"\n  require facts.ok\n}}\n");
    assert_eq!(codes(&compile_checked(one(text), SMALL)), ["E0005"]);
}

#[test]
fn block_comments_nested_ten_thousand_deep() {
    let closed = format!("{HEADER}{}コメント{}\n", "/* ".repeat(10_000), " */".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(closed), SMALL)), ["E0003"]);
    let unclosed = format!("{HEADER}{}コメント\n", "/* ".repeat(10_000));
    assert_eq!(codes(&compile_checked(one(unclosed), SMALL)), ["E0003"]);
}

/// Every way of nesting, just under the limit (128) and well over it. Under it, the whole pipeline
/// (tree building, checking, lowering, linking, validation, rendering, dropping) walks trees as
/// deep as the language allows, on an ordinary test thread; over it, one E0003.
#[test]
fn the_deepest_accepted_expressions_compile() {
    let header = "package hachioji.deep\n\nfacts Facility {\n  key name: string\n  count: int = 0\n  ok: bool = true\n  \
                  names: list<string> = []\n  first: Node?\n}\n\ntype Node {\n  key id: string\n  next: Node?\n}\n\n\
                  fn _same(b: bool) -> bool = b\n\n";
    type Shape = fn(usize) -> String;
    let shapes: [(&str, Shape); 10] = [
        ("parentheses", |n| format!("{}facts.ok{}", "(".repeat(n), ")".repeat(n))),
        ("not", |n| format!("{}facts.ok", "not ".repeat(n))),
        ("minus", |n| format!("{}facts.count > 0", "- ".repeat(n))),
        ("if chain", |n| format!("{}facts.ok", "if facts.ok then facts.ok else ".repeat(n))),
        ("and chain", |n| format!("facts.ok{}", " and facts.ok".repeat(n))),
        ("calls", |n| format!("{}facts.ok{}", "_same(".repeat(n), ")".repeat(n))),
        ("quantifiers", |n| format!("{}facts.ok{}", "any(x in facts.names: ".repeat(n), ")".repeat(n))),
        ("lists", |n| format!("{}facts.ok{} != []", "[".repeat(n), "]".repeat(n))),
        ("interpolation", |n| format!("{}facts.name{} != \"\"", "\"{".repeat(n), "}\"".repeat(n))),
        ("optional fields", |n| format!("facts.first{} == none", "?.next".repeat(n))),
    ];
    for (what, shape) in shapes {
        let text = |n: usize| format!("{header}/// {what}\nrule deep {{\n  clause \"1\"\n  require {}\n}}\n", shape(n));
        let under = compile_checked(one(text(120)), SMALL);
        assert!(under.is_empty(), "{what}, 120 deep: {under:#?}");
        let over = compile_checked(one(text(200)), SMALL);
        assert_eq!(codes(&over), ["E0003"], "{what}, 200 deep");
        assert_eq!(over.len(), 1, "{what}, 200 deep: one diagnostic, got {over:#?}");
    }
}

// -------------------------------------------------------------------------------------------------
// Random inputs

/// The diagnostic fixtures, as seeds for mutation: each a set of files compiled together.
fn seeds() -> Vec<Vec<FileInput>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("diagnostics");
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fixtures").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    let read = |p: &Path| FileInput {
        path: p.strip_prefix(&dir).expect("inside").display().to_string(),
        bytes: std::fs::read(p).expect("readable"),
    };
    let mut out = Vec::new();
    for path in entries {
        if path.is_dir() {
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(&path).expect("dir").map(|e| e.expect("entry").path()).collect();
            files.sort();
            out.push(files.iter().filter(|f| f.extension().is_some_and(|x| x == "okite")).map(|f| read(f)).collect());
        } else if path.extension().is_some_and(|x| x == "okite") {
            out.push(vec![read(&path)]);
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Duplicate { at: usize, len: usize },
    Swap { a: usize, b: usize, len: usize },
    Inject { at: usize, token: &'static str },
}

const TOKENS: &[&str] = &["{", "}", "(", ")", "\"", "/*", "*/", "//", "///", "\n", "rule ", "not ", "?.", "??", "\\"];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..64usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 0..128usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<usize>(), 1..64usize).prop_map(|(a, b, len)| Mutation::Swap { a, b, len }),
        (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(at, token)| Mutation::Inject { at, token }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len();
    let pos = |at: usize| if n == 0 { 0 } else { at % (n + 1) };
    match m {
        Mutation::Delete { at, len } => {
            let s = pos(*at);
            let e = (s + len).min(n);
            bytes.drain(s..e);
        }
        Mutation::Insert { at, bytes: ins } => {
            let s = pos(*at);
            bytes.splice(s..s, ins.iter().copied());
        }
        Mutation::Duplicate { at, len } => {
            let s = pos(*at);
            let e = (s + len).min(n);
            let copy = bytes[s..e].to_vec();
            bytes.splice(e..e, copy);
        }
        Mutation::Swap { a, b, len } => {
            let (a, b) = (pos(*a), pos(*b));
            let (a, b) = (a.min(b), a.max(b));
            let len = (*len).min(b - a).min(n - b);
            if len > 0 {
                let first = bytes[a..a + len].to_vec();
                let second = bytes[b..b + len].to_vec();
                bytes.splice(b..b + len, first);
                bytes.splice(a..a + len, second);
            }
        }
        Mutation::Inject { at, token } => {
            let s = pos(*at);
            bytes.splice(s..s, token.bytes());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_break_the_compiler(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        compile_checked(one(bytes), SMALL);
    }

    #[test]
    fn random_ascii_never_breaks_the_compiler(text in "[ -~\n]{0,1024}") {
        compile_checked(one(text), SMALL);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_break_the_compiler(
        seed in any::<prop::sample::Index>(),
        file in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let all = seeds();
        let mut inputs = all[seed.index(all.len())].clone();
        let target = file.index(inputs.len());
        for m in &mutations {
            apply(&mut inputs[target].bytes, m);
        }
        compile_checked(inputs, SMALL);
    }
}
