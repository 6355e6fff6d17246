//! Latency of the language server over the Hachioji policy set (issue 5's targets: diagnostics
//! after an edit < 50 ms, hover and completion < 20 ms at p99).
//!
//! Two passes. First, sampled percentiles, printed: each sample is one request timed from the
//! moment it is sent to its answer, through the server in process (the same `LspService` the
//! binary serves on stdio, driven by the tests' client), so snapshots, blocking threads and
//! conversion to LSP are all counted. Then criterion, for the steady state of the same three
//! operations. `cargo bench -p okite-lsp --bench latency`; with `-- --test`, every measurement
//! runs a few times only (a smoke test).
//!
//! Diagnostics are debounced: the server waits for the editor to pause before it checks. The
//! bench reports both the check itself (what runs after the pause: every file of the policy set,
//! with salsa re-checking only the edited one) and the time from the edit to the publication,
//! the pause included.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic, reason = "a bench")]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Client, at, position};
use criterion::Criterion;
use okite_compiler::{Database, Db as _, FileInput};
use serde_json::{Value, json};

/// The file edited and queried: section 7, the largest of the rules.
const SECTION: &str = "sections/s07_assets.okite";
/// A rule body's message: the one-character edits go inside it.
const MESSAGE: &str = "暗号化もパスワード設定もされずに保存されています";
/// Where hover asks: a field of a record, in a rule body.
const HOVER_AT: &str = "t.confidentiality)\n";
/// The receiver completion asks after (`t.` with the field name deleted).
const COMPLETE_AFTER: &str = "require approved_before(t.";
const COMPLETE_FIELD: &str = "approval";

fn main() {
    let quick = std::env::args().any(|a| a == "--test");
    let runtime = okite_lsp::runtime().expect("a runtime");
    let mut bench = runtime.block_on(Bench::start());
    let samples = |n: usize| if quick { 3 } else { n };

    println!("latency over policies/hachioji ({SECTION}), {} samples a line:", samples(200));
    report("diagnostics: check after a one-character edit", &check_after_edit(samples(200)));
    report("diagnostics: edit to publication (debounce included)", &runtime.block_on(bench.publish(samples(40))));
    report("hover", &runtime.block_on(bench.hover(samples(200), false)));
    report("hover, first request after an edit", &runtime.block_on(bench.hover(samples(100), true)));
    report("completion after `.`", &runtime.block_on(bench.complete(samples(200), false)));
    report("completion after `.`, just typed", &runtime.block_on(bench.complete(samples(100), true)));

    let mut criterion = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut db = hachioji_database();
    let path = section_path().display().to_string();
    let original = std::fs::read_to_string(&path).expect("section 7");
    let mut edits = 0;
    criterion.bench_function("diagnostics after a one-character edit", |b| {
        b.iter(|| {
            edits += 1;
            db.set_file_text(&path, &edited(&original, edits));
            black_box(check_all(&db))
        });
    });
    criterion.bench_function("hover", |b| b.iter(|| runtime.block_on(bench.hover_once())));
    criterion.bench_function("completion after `.`", |b| b.iter(|| runtime.block_on(bench.complete_once())));
    criterion.final_summary();
}

/// Prints the percentiles of a set of samples.
fn report(what: &str, samples: &[Duration]) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let at = |q: f64| {
        let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i].as_secs_f64() * 1000.0
    };
    println!("  {what:<55} p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms", at(0.50), at(0.99), at(1.0));
}

fn section_path() -> std::path::PathBuf {
    common::hachioji().join(SECTION).canonicalize().expect("the Hachioji policy set")
}

/// The text of section 7 with the `n`th one-character edit applied inside a rule's message
/// (edits alternate between two texts, so each one changes the file).
fn edited(original: &str, n: usize) -> String {
    let at = original.find(MESSAGE).expect("the message") + MESSAGE.len();
    let mut text = original.to_string();
    if n % 2 == 1 {
        text.insert(at, '。');
    }
    text
}

// ---------------------------------------------------------------------------------------------
// The check itself, on the compiler's database (what the server runs once the editor pauses)

fn hachioji_database() -> Database {
    let root = common::hachioji().canonicalize().expect("the Hachioji policy set");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut db = Database::new(files);
    db.load_plugins(&mut |path| std::fs::read(path).ok());
    check_all(&db);
    db
}

fn collect(dir: &Path, out: &mut Vec<FileInput>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|x| x == "okite") {
            out.push(FileInput { path: path.display().to_string(), bytes: std::fs::read(&path).expect("a file") });
        }
    }
}

/// Every file's diagnostics, as the server computes them for a policy set.
fn check_all(db: &Database) -> usize {
    db.workspace().files(db).iter().map(|&f| db.file_diagnostics(f).len()).sum()
}

fn check_after_edit(samples: usize) -> Vec<Duration> {
    let mut db = hachioji_database();
    let path = section_path().display().to_string();
    let original = std::fs::read_to_string(&path).expect("section 7");
    (1..=samples)
        .map(|n| {
            let text = edited(&original, n);
            let started = Instant::now();
            db.set_file_text(&path, &text);
            let found = check_all(&db);
            let took = started.elapsed();
            assert_eq!(found, 0, "the Hachioji policy set checks clean");
            took
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Through the server

struct Bench {
    client: Client,
    uri: String,
    /// The text the server holds.
    text: String,
}

impl Bench {
    async fn start() -> Bench {
        let path = section_path();
        let folder = common::hachioji().canonicalize().expect("the Hachioji policy set");
        let mut client = Client::start(&folder, json!({})).await;
        let uri = client.open(&path, None).await;
        let found = client.diagnostics(&uri, Some(1)).await;
        assert!(found.is_empty(), "the Hachioji policy set checks clean: {found:?}");
        let text = std::fs::read_to_string(&path).expect("section 7");
        Bench { client, uri, text }
    }

    /// Inserts or removes one character inside a rule's message; returns the new version.
    async fn edit(&mut self) -> i32 {
        let at = self.text.find(MESSAGE).expect("the message") + MESSAGE.len();
        let removing = self.text[at..].starts_with('。');
        let end = if removing { at + '。'.len_utf8() } else { at };
        let new_text = if removing { "" } else { "。" };
        let range = json!({ "start": position(&self.text, at), "end": position(&self.text, end) });
        self.text.replace_range(at..end, new_text);
        self.client.change(&self.uri, json!([{ "range": range, "text": new_text }])).await
    }

    async fn publish(&mut self, samples: usize) -> Vec<Duration> {
        let mut out = Vec::new();
        for _ in 0..samples {
            self.client.drain();
            let started = Instant::now();
            let version = self.edit().await;
            black_box(self.client.diagnostics(&self.uri, Some(version)).await);
            out.push(started.elapsed());
        }
        out
    }

    async fn hover_once(&mut self) -> Value {
        let at_field = self.text.find(HOVER_AT).expect("the hover target") + 3;
        let params = at(&self.uri, position(&self.text, at_field));
        let found = self.client.ask("textDocument/hover", params).await;
        assert!(found["contents"]["value"].as_str().is_some_and(|s| s.contains("int")), "{found}");
        found
    }

    async fn hover(&mut self, samples: usize, after_edit: bool) -> Vec<Duration> {
        let mut out = Vec::new();
        for _ in 0..samples {
            if after_edit {
                self.edit().await;
            }
            let started = Instant::now();
            black_box(self.hover_once().await);
            out.push(started.elapsed());
        }
        self.client.drain();
        out
    }

    /// Deletes or restores the field name after `t.` (one change either way).
    async fn toggle_field(&mut self) {
        let at = self.text.find(COMPLETE_AFTER).expect("the completion receiver") + COMPLETE_AFTER.len();
        let deleting = self.text[at..].starts_with(COMPLETE_FIELD);
        let end = if deleting { at + COMPLETE_FIELD.len() } else { at };
        let range = json!({ "start": position(&self.text, at), "end": position(&self.text, end) });
        let new_text = if deleting { "" } else { COMPLETE_FIELD };
        self.text.replace_range(at..end, new_text);
        self.client.change(&self.uri, json!([{ "range": range, "text": new_text }])).await;
    }

    async fn complete_once(&mut self) -> Value {
        if !self.text.contains(&format!("{COMPLETE_AFTER},")) {
            self.toggle_field().await;
        }
        self.ask_completion().await
    }

    async fn ask_completion(&mut self) -> Value {
        let at_dot = self.text.find(COMPLETE_AFTER).expect("the completion receiver") + COMPLETE_AFTER.len();
        let params = at(&self.uri, position(&self.text, at_dot));
        let found = self.client.ask("textDocument/completion", params).await;
        let items = found.get("items").unwrap_or(&found).as_array().cloned().unwrap_or_default();
        assert!(items.iter().any(|i| i["label"] == "recipient"), "fields of Transmission: {found}");
        found
    }

    async fn complete(&mut self, samples: usize, just_typed: bool) -> Vec<Duration> {
        let mut out = Vec::new();
        for _ in 0..samples {
            if just_typed {
                // Restore the field, then delete it again: the request follows that change.
                if self.text.contains(&format!("{COMPLETE_AFTER},")) {
                    self.toggle_field().await;
                }
                self.toggle_field().await;
            } else if !self.text.contains(&format!("{COMPLETE_AFTER},")) {
                self.toggle_field().await;
            }
            let started = Instant::now();
            black_box(self.ask_completion().await);
            out.push(started.elapsed());
        }
        // Leave the rule whole: hover asks inside it.
        self.toggle_field().await;
        self.client.drain();
        out
    }
}
