//! The cost of crossing into a WebAssembly plugin, per call.
//!
//! Each benchmark evaluates one rule over the same 1,000 strings; they differ only in who
//! decides each string:
//!
//! - `native_builtin`: the built-in `length(d) > 9`;
//! - `plugin_trivial`: a plugin function doing the same comparison, so the difference from
//!   `native_builtin` is the call overhead (instantiation, copying the string in, the call);
//! - `plugin_web_domains`: the real `is_url_shortener` of `plugins/web_domains.wat`;
//! - `native_suffix_list`: the same decision written in Okite over a list of suffixes.
//!
//! Divide by 1,000 for the time per call.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark that cannot set up must stop loudly"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use okite_compiler::{Database, FileInput};
use okite_runtime::{DecodeOptions, Engine, EvalOptions, Snapshot};

const CALLS: usize = 1_000;

/// A plugin deciding what `native_builtin` decides.
fn trivial() -> String {
    common::plugin_module(
        "longer_than_nine(d: string) -> bool",
        r#"(func (export "longer_than_nine") (param $p i32) (param $n i32) (result i32)
    (i32.gt_u (local.get $n) (i32.const 9)))"#,
    )
}

fn policy(check: &str) -> String {
    format!(
        r#"
package b

facts Facility {{
  key name: string
  urls: list<string> = []
}}

extern fn longer_than_nine(d: string) -> bool from "trivial.wat"
extern fn is_url_shortener(address: string) -> bool from "web_domains.wat"

const SHORTENERS: list<string> = ["bit.ly", "bitly.com", "bit.do", "t.co", "goo.gl", "g.co", "tinyurl.com", "ow.ly", "buff.ly", "is.gd", "v.gd", "t.ly", "x.gd", "cutt.ly", "rebrand.ly", "rb.gy", "shorturl.at", "tiny.cc", "lnkd.in", "j.mp", "amzn.to", "amzn.asia", "fb.me", "s.id"]

rule r {{
  for d in facts.urls
  require {check}
}}
"#
    )
}

fn engine(check: &str) -> (Engine, Snapshot) {
    let web_domains =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/web_domains.wat")).unwrap();
    let db = Database::new(vec![
        FileInput::new("b.okite", policy(check)),
        FileInput::new("trivial.wat", trivial()),
        FileInput::new("web_domains.wat", web_domains),
    ]);
    let program = db.compile().unwrap_or_else(|d| panic!("{d:#?}"));
    let engine = Engine::new((*program).clone()).unwrap();
    let urls: Vec<String> = (0..CALLS)
        .map(|i| if i % 10 == 0 { format!("https://bit.ly/{i}") } else { format!("https://www.example{i}.jp/page") })
        .collect();
    let json = serde_json::json!({ "as_of": "2026-04-01", "name": "bench", "urls": urls });
    let snapshot = engine.decode_json(json.to_string().as_bytes(), DecodeOptions::default()).unwrap();
    (engine, snapshot)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("plugins");
    group.throughput(Throughput::Elements(CALLS as u64));
    for (name, check) in [
        ("native_builtin", "length(d) > 9"),
        ("plugin_trivial", "longer_than_nine(d)"),
        ("plugin_web_domains", "not is_url_shortener(d)"),
        ("native_suffix_list", r#"none(s in SHORTENERS: contains(lower(d), "/{s}/") or contains(lower(d), ".{s}/"))"#),
    ] {
        let (engine, snapshot) = engine(check);
        let options = EvalOptions::default();
        group.bench_function(name, |b| b.iter(|| engine.evaluate(&snapshot, &options)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
