//! Edit-sequence robustness: hundreds of random edit sequences over copies of the real
//! Hachioji policies — inserting and deleting random ranges, typing one character at a time,
//! pasting chunks of other files, deleting everything — each edit followed by requests at
//! random positions (hover, completion, semantic tokens, document symbols, code actions,
//! signature help, folding), and undoing earlier edits. The server must answer every request in
//! bounded time, without an error, with ranges inside the document; and at the end of a
//! sequence the diagnostics it publishes must be those a fresh database computes for the final
//! text (what salsa re-used across the edits must not show).
//!
//! The sequences come from a fixed seed (`OKITE_LSP_SEED` picks another); a failure names the
//! sequence and the edit so it can be replayed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Client, decode_tokens, line_lengths, position, range_within, run, tokens_well_formed};
use okite_compiler::{Database, FileInput};
use serde_json::{Value, json};

/// Sequences to run.
const SEQUENCES: usize = 300;
/// Every how many sequences the final diagnostics are compared with a fresh database's (each
/// comparison waits for the debounce and compiles the policy set from scratch).
const COMPARE_EVERY: usize = 4;

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A byte offset on a character boundary of `text`, anywhere.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut i = rng.below(text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A boundary of `text` at most `max` bytes after `at`.
fn end_near(rng: &mut Rng, text: &str, at: usize, max: usize) -> usize {
    let mut end = (at + rng.below(max + 1)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end.max(at)
}

/// A random slice of `text` of at most `max` bytes.
fn chunk<'a>(rng: &mut Rng, text: &'a str, max: usize) -> &'a str {
    let start = boundary(rng, text);
    let mut end = (start + 1 + rng.below(max)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[start..end.max(start)]
}

/// Fragments people type in Okite, broken ones included.
const FRAGMENTS: &[&str] = &[
    "system.",
    "facts.",
    "?.",
    "??",
    " and ",
    " or not ",
    "require ",
    "\n  require x.min_length >= 8 else \"{x.name}: 桁\"\n",
    "for s in facts.systems where ",
    "any(a in s.accounts: a.",
    "clause \"14(",
    "\"",
    "{",
    "}",
    "(",
    ")",
    "[",
    "<",
    "\n",
    "\r\n",
    "\t",
    "///  説明\n",
    "/* ",
    " */",
    "rule r {\n",
    "test \"t\" {\n  given facts from \"../fixtures/compliant.json\" with {\n",
    "type T {\n  key id: string\n",
    "enum E { a b }\n",
    "fn f(x: int) -> bool = ",
    "import hachioji.model\n",
    "package p\n",
    "90d",
    "1y",
    "2026-04-01",
    "0.5",
    "情報セキュリティ",
    "𝒳",
    "é",
    "count(x in xs where ",
    "approved(",
    ", by: ",
];

/// An edit: the byte range replaced in the mirror text and the new text.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

impl Edit {
    /// Applies the edit to `text`; returns the edit that undoes it.
    fn apply(self, text: &mut String) -> Edit {
        let removed = text[self.start..self.end].to_string();
        text.replace_range(self.start..self.end, &self.text);
        Edit { start: self.start, end: self.start + self.text.len(), text: removed }
    }
}

fn random_edit(rng: &mut Rng, text: &str, others: &[String]) -> Edit {
    let at = boundary(rng, text);
    match rng.below(100) {
        // Insert a fragment.
        0..=32 => Edit { start: at, end: at, text: rng.pick(FRAGMENTS).to_string() },
        // Nest deeper than the compiler accepts.
        33..=34 => {
            let depth = 100 + rng.below(200);
            let open = rng.pick(&["(", "[", "{", "not ", "-"]).repeat(depth);
            Edit { start: at, end: at, text: format!("{open}x") }
        }
        // Delete a small range.
        35..=59 => {
            let end = end_near(rng, text, at, 40);
            Edit { start: at, end, text: String::new() }
        }
        // Delete a large range.
        60..=69 => {
            let end = end_near(rng, text, at, text.len());
            Edit { start: at, end, text: String::new() }
        }
        // Paste a chunk of another file.
        70..=84 => {
            let other = rng.pick(others);
            Edit { start: at, end: at, text: chunk(rng, other, 600).to_string() }
        }
        // Replace a range with a chunk of another file.
        85..=94 => {
            let end = end_near(rng, text, at, 200);
            let other = rng.pick(others);
            Edit { start: at, end, text: chunk(rng, other, 200).to_string() }
        }
        // Delete everything.
        _ => Edit { start: 0, end: text.len(), text: String::new() },
    }
}

/// Checks the answers of random requests at random positions of `text`.
async fn probe(client: &mut Client, rng: &mut Rng, uri: &str, text: &str, count: usize, context: &str) {
    let lines = line_lengths(text);
    let types = okite_compiler::ide::TokenType::ALL.len() as u32;
    for _ in 0..count {
        let offset = boundary(rng, text);
        let pos =
            if rng.chance(3) { json!({ "line": lines.len() + 3, "character": 7 }) } else { position(text, offset) };
        let doc = json!({ "uri": uri });
        let started = Instant::now();
        let kind = rng.below(8);
        let (method, params): (&'static str, Value) = match kind {
            0 => ("textDocument/hover", json!({ "textDocument": doc, "position": pos })),
            1 | 2 => ("textDocument/completion", json!({ "textDocument": doc, "position": pos })),
            3 => ("textDocument/semanticTokens/full", json!({ "textDocument": doc })),
            4 => ("textDocument/documentSymbol", json!({ "textDocument": doc })),
            5 => {
                let end = position(text, end_near(rng, text, offset, 400));
                let range = json!({ "start": position(text, offset), "end": end });
                (
                    "textDocument/codeAction",
                    json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } }),
                )
            }
            6 => ("textDocument/signatureHelp", json!({ "textDocument": doc, "position": pos })),
            _ => ("textDocument/foldingRange", json!({ "textDocument": doc })),
        };
        let answer = client.request(method, params).await;
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(10), "{context}: {method} took {elapsed:?}");
        let answer = answer.unwrap_or_else(|e| panic!("{context}: {method} failed: {e:?}"));
        let ok = match kind {
            0 => answer.is_null() || range_within(&answer["range"], &lines),
            1 | 2 => {
                let items = answer.as_array().cloned().unwrap_or_default();
                items.iter().all(|i| {
                    let range = &i["textEdit"]["range"];
                    range_within(range, &lines) && range["start"]["line"] == range["end"]["line"]
                })
            }
            3 => match tokens_well_formed(&decode_tokens(answer["data"].as_array().unwrap()), &lines, types) {
                Ok(()) => true,
                Err(e) => panic!("{context}: semantic tokens: {e}"),
            },
            4 => symbols_within(&answer, &lines),
            5 => answer.as_array().unwrap().iter().all(|a| {
                a["edit"]["changes"].as_object().is_none_or(|c| {
                    c.get(uri)
                        .is_none_or(|edits| edits.as_array().unwrap().iter().all(|e| range_within(&e["range"], &lines)))
                })
            }),
            6 => answer.is_null() || answer["signatures"].as_array().is_some_and(|s| s.len() == 1),
            _ => answer.as_array().unwrap().iter().all(|f| {
                f["startLine"].as_u64() < f["endLine"].as_u64()
                    && (f["endLine"].as_u64().unwrap() as usize) < lines.len()
            }),
        };
        assert!(ok, "{context}: {method} answered out of the document: {answer}");
    }
}

fn symbols_within(symbols: &Value, lines: &[u32]) -> bool {
    symbols.as_array().unwrap().iter().all(|s| {
        range_within(&s["range"], lines)
            && range_within(&s["selectionRange"], lines)
            && s["name"].as_str().is_some_and(|n| !n.is_empty())
            && s.get("children").is_none_or(|c| symbols_within(c, lines))
    })
}

fn sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["", "model", "sections", "tests"] {
        for entry in std::fs::read_dir(common::hachioji().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "okite") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn random_edit_sequences_never_break_the_server() {
    let seed: u64 = std::env::var("OKITE_LSP_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x0C17_E202);
    run(async move {
        let ws = common::hachioji_copy("robustness");
        let originals: Vec<(PathBuf, String)> = sources()
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let relative = p.strip_prefix(common::hachioji()).unwrap().to_path_buf();
                (ws.join(common::HACHIOJI).join(relative), text)
            })
            .collect();
        assert!(originals.len() >= 60, "the Hachioji policy set: {} files", originals.len());
        let texts: Vec<String> = originals.iter().map(|(_, t)| t.clone()).collect();
        let mut client = Client::start(&ws, json!({})).await;
        let mut rng = Rng(seed | 1);
        let started = Instant::now();
        for sequence in 0..SEQUENCES {
            let (path, original) = &originals[rng.below(originals.len())];
            let uri = client.open(path, Some(original)).await;
            let mut text = original.clone();
            let mut undo: Vec<Edit> = Vec::new();
            let edits = 1 + rng.below(6);
            for step in 0..edits {
                let context = format!("seed {seed}, sequence {sequence}, edit {step} of {}", path.display());
                if rng.chance(20) {
                    // Type a fragment one character at a time, probing after each.
                    let at = boundary(&mut rng, &text);
                    let fragment = rng.pick(FRAGMENTS).to_string();
                    let mut cursor = at;
                    for ch in fragment.chars() {
                        let pos = position(&text, cursor);
                        client
                            .change(&uri, json!([{ "range": { "start": pos, "end": pos }, "text": ch.to_string() }]))
                            .await;
                        undo.push(Edit { start: cursor, end: cursor, text: ch.to_string() }.apply(&mut text));
                        cursor += ch.len_utf8();
                        probe(&mut client, &mut rng, &uri, &text, 1, &context).await;
                    }
                } else if rng.chance(5) {
                    // A whole-text change.
                    let edit = random_edit(&mut rng, &text, &texts);
                    undo.push(edit.apply(&mut text));
                    client.replace(&uri, &text).await;
                    probe(&mut client, &mut rng, &uri, &text, 2, &context).await;
                } else {
                    // Undo the last edits (as an editor sends an undo: the inverse change), or
                    // make a new one.
                    let undoing = rng.chance(15) && !undo.is_empty();
                    let steps = if undoing { 1 + rng.below(undo.len()) } else { 1 };
                    for _ in 0..steps {
                        // Only an undo takes from the stack: the inverses below it were
                        // computed on the texts they undo back to.
                        let edit = match if undoing { undo.pop() } else { None } {
                            Some(edit) => edit,
                            None => random_edit(&mut rng, &text, &texts),
                        };
                        let range = json!({ "start": position(&text, edit.start), "end": position(&text, edit.end) });
                        client.change(&uri, json!([{ "range": range, "text": edit.text }])).await;
                        let inverse = edit.apply(&mut text);
                        if !undoing {
                            undo.push(inverse);
                        }
                    }
                    probe(&mut client, &mut rng, &uri, &text, 2, &context).await;
                }
            }
            if sequence % COMPARE_EVERY == 0 {
                // Compiled while the server waits out its debounce.
                let fresh = fresh_diagnostics(&ws.join(common::HACHIOJI), path, &text);
                let version = client.versions[&uri];
                let published = client.diagnostics(&uri, Some(version)).await;
                let context = format!("seed {seed}, sequence {sequence} of {}", path.display());
                assert_same_diagnostics(&published, &fresh, &context);
            }
            client.close(&uri).await;
            client.drain();
        }
        // The server is still whole: a clean file gets no diagnostics.
        let (path, original) = &originals[0];
        let uri = client.open(path, Some(original)).await;
        assert_eq!(client.diagnostics(&uri, Some(1)).await, Vec::<Value>::new());
        eprintln!("{SEQUENCES} edit sequences in {:?}", started.elapsed());
    });
}

/// The diagnostics of `path` with `text`, from a database built from scratch over the policy set
/// at `root` as it is on disk (as the server's holds it, every other file being closed):
/// `(range, code, message)`.
fn fresh_diagnostics(root: &std::path::Path, path: &std::path::Path, text: &str) -> Vec<(Value, String, String)> {
    fn sources(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "okite") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    sources(root, &mut paths);
    let files = paths
        .iter()
        .map(|p| {
            let bytes = if p == path { text.as_bytes().to_vec() } else { std::fs::read(p).unwrap() };
            FileInput { path: p.to_string_lossy().into_owned(), bytes }
        })
        .collect();
    let mut db = Database::new(files);
    db.load_plugins(&mut |p| std::fs::read(p).ok());
    let file = db.file(&path.to_string_lossy()).unwrap();
    db.file_diagnostics(file)
        .iter()
        .map(|d| {
            let range = json!({
                "start": position(text, d.primary.span.start as usize),
                "end": position(text, d.primary.span.end as usize),
            });
            (range, d.code.id().to_string(), d.message.clone())
        })
        .collect()
}

/// Published diagnostics are the fresh ones, in order (the server appends notes and help to the
/// message).
fn assert_same_diagnostics(published: &[Value], fresh: &[(Value, String, String)], context: &str) {
    let shown: Vec<(Value, String, String)> = published
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap_or_default();
            let first = message.split("\nnote: ").next().unwrap_or_default();
            let first = first.split("\nhelp: ").next().unwrap_or_default();
            (d["range"].clone(), d["code"].as_str().unwrap_or_default().to_string(), first.to_string())
        })
        .collect();
    assert_eq!(shown, fresh, "{context}: published diagnostics differ from a fresh database's");
}
