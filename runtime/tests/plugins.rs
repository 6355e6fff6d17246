//! WebAssembly plugins under attack: a module that loops, hoards memory, recurses, lies about
//! its results or asks for the host's capabilities must make its own rule `error` (or be
//! refused when the policy set is loaded), never crash, hang or exhaust the engine, and never
//! disturb the other rules.

#![cfg(feature = "plugins")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use std::time::{Duration, Instant};

use okite_compiler::{Database, FileInput};
use okite_runtime::{DecodeOptions, Engine, EngineOptions, EvalOptions, LoadError, Outcome, PluginLimits, RuleResult};

/// A policy with one plugin rule (`uses_plugin`, calling `check(d)` for every domain) and one
/// ordinary rule (`independent`) that must pass whatever the plugin does.
fn policy(signature: &str) -> String {
    format!(
        r#"
package t

facts Facility {{
  key name: string
  domains: list<string> = []
}}

extern fn {signature} from "p.wat"

rule uses_plugin {{
  for d in facts.domains
  require check(d) else "{{d}}"
}}

rule independent {{
  require facts.name != ""
}}
"#
    )
}

use common::plugin_module as module;

const CHECK: &str = "check(d: string) -> bool";

fn compile(signature: &str, wat: &str) -> okite_ir::Program {
    let db = Database::new(vec![FileInput::new("t.okite", policy(signature)), FileInput::new("p.wat", wat)]);
    let program = db.compile().unwrap_or_else(|d| panic!("{d:#?}"));
    (*program).clone()
}

fn load(wat: &str, limits: PluginLimits) -> Result<Engine, LoadError> {
    Engine::with_options(compile(CHECK, wat), EngineOptions { plugin_limits: limits, ..EngineOptions::default() })
}

/// Evaluates a facility with two domains and returns the plugin rule and the ordinary rule.
fn run(engine: &Engine) -> (RuleResult, RuleResult) {
    let json = br#"{"as_of":"2026-04-01","name":"x","domains":["example.jp","gmail.com"]}"#;
    let snapshot = engine.decode_json(json, DecodeOptions::default()).unwrap();
    let report = engine.evaluate(&snapshot, &EvalOptions::default());
    let rule = |name: &str| report.results.iter().find(|r| r.rule == format!("t.{name}")).unwrap().clone();
    (rule("uses_plugin"), rule("independent"))
}

/// Asserts that the plugin rule is `error` with a reason containing `why`, and that the other
/// rule was evaluated normally.
fn assert_contained(body: &str, limits: PluginLimits, why: &str) {
    let engine = load(&module(CHECK, body), limits).unwrap();
    let started = Instant::now();
    let (plugin_rule, other) = run(&engine);
    assert_eq!(plugin_rule.outcome, Outcome::Error, "{plugin_rule:#?}");
    let reason = plugin_rule.reason.clone().unwrap_or_default();
    assert!(reason.contains(why), "reason {reason:?} should contain {why:?}");
    assert!(reason.contains("plugin `p.wat` function `check`"), "{reason}");
    assert_eq!(other.outcome, Outcome::Pass);
    // Each of the two calls is stopped by its own limit; generous bound for a loaded machine.
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

fn small_limits() -> PluginLimits {
    PluginLimits { fuel: 1_000_000, memory_bytes: 4 * 1024 * 1024, time: Duration::from_secs(2) }
}

#[test]
fn a_well_behaved_plugin_decides_its_rule() {
    // `check` is true for text longer than 9 bytes: "example.jp" (10) passes, "gmail.com" (9) fails.
    let body =
        r#"(func (export "check") (param $p i32) (param $n i32) (result i32) (i32.gt_u (local.get $n) (i32.const 9)))"#;
    let engine = load(&module(CHECK, body), PluginLimits::default()).unwrap();
    let (plugin_rule, other) = run(&engine);
    assert_eq!(plugin_rule.outcome, Outcome::Fail);
    assert_eq!(plugin_rule.findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(), ["gmail.com"]);
    assert_eq!(other.outcome, Outcome::Pass);
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let body = r#"(func (export "check") (param i32 i32) (result i32) (loop $l (br $l)) (i32.const 1))"#;
    assert_contained(body, small_limits(), "ran out of fuel (budget 1000000 instructions)");
}

#[test]
fn an_infinite_loop_with_unlimited_fuel_hits_the_deadline() {
    let body = r#"(func (export "check") (param i32 i32) (result i32) (loop $l (br $l)) (i32.const 1))"#;
    let limits = PluginLimits { fuel: u64::MAX, time: Duration::from_millis(100), ..small_limits() };
    assert_contained(body, limits, "did not finish within 100ms");
}

#[test]
fn a_memory_grow_bomb_is_capped() {
    // Grows until refused, then touches the last page it believes it has.
    let body = r#"(func (export "check") (param i32 i32) (result i32)
        (block $full (loop $grow
          (br_if $full (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
          (br $grow)))
        (i32.store (i32.const 0x7fff_fff0) (i32.const 1))
        (i32.const 1))"#;
    assert_contained(body, small_limits(), "accessed memory out of bounds");
}

#[test]
fn a_module_whose_initial_memory_exceeds_the_cap_is_refused_at_load() {
    let wat = r#"(module
      (@custom "okite" "abi 1\ncheck(d: string) -> bool\n")
      (memory (export "memory") 1000)
      (func (export "okite_alloc") (param i32) (result i32) (i32.const 0))
      (func (export "check") (param i32 i32) (result i32) (i32.const 1)))"#;
    let e = load_error(wat);
    assert!(e.contains("one memory of at most 4 MiB"), "{e}");
}

#[test]
fn unbounded_recursion_overflows_the_plugin_stack_not_the_host() {
    let body = r#"(func $f (export "check") (param i32 i32) (result i32) (call $f (local.get 0) (local.get 1)))"#;
    let limits = PluginLimits { fuel: u64::MAX, ..small_limits() };
    assert_contained(body, limits, "overflowed its stack");
}

#[test]
fn a_trap_is_reported() {
    let body = r#"(func (export "check") (param i32 i32) (result i32) (unreachable))"#;
    assert_contained(body, small_limits(), "trapped");
}

#[test]
fn a_bool_that_is_neither_0_nor_1_is_an_abi_violation() {
    let body = r#"(func (export "check") (param i32 i32) (result i32) (i32.const 7))"#;
    assert_contained(body, small_limits(), "returned 7 for a bool");
}

#[test]
fn result_text_outside_memory_is_an_abi_violation() {
    let manifest = "check(d: string) -> string";
    for (packed, why) in [
        // 16 bytes at 64 KiB: one past the end of the one-page memory.
        ("0x0001_0000_0000_0010", "outside its memory"),
        // A huge length.
        ("0x0000_0000_ffff_ffff", "outside its memory"),
        // A pointer near 4 GiB whose end would wrap around.
        ("0xffff_fff0_0000_0100", "outside its memory"),
    ] {
        let body = format!(r#"(func (export "check") (param i32 i32) (result i64) (i64.const {packed}))"#);
        let sig = "check(d: string) -> string";
        let program = {
            let text = policy(sig).replace("require check(d) else", "require check(d) != \"\" else");
            let db =
                Database::new(vec![FileInput::new("t.okite", text), FileInput::new("p.wat", module(manifest, &body))]);
            (*db.compile().unwrap_or_else(|d| panic!("{d:#?}"))).clone()
        };
        let engine =
            Engine::with_options(program, EngineOptions { plugin_limits: small_limits(), ..EngineOptions::default() })
                .unwrap();
        let (plugin_rule, other) = run(&engine);
        assert_eq!(plugin_rule.outcome, Outcome::Error, "{packed}");
        assert!(plugin_rule.reason.clone().unwrap_or_default().contains(why), "{packed}: {:?}", plugin_rule.reason);
        assert_eq!(other.outcome, Outcome::Pass);
    }
}

#[test]
fn an_allocator_returning_a_bad_pointer_is_an_abi_violation() {
    let wat = r#"(module
      (@custom "okite" "abi 1\ncheck(d: string) -> bool\n")
      (memory (export "memory") 1)
      (func (export "okite_alloc") (param i32) (result i32) (i32.const 0xfffc))
      (func (export "check") (param i32 i32) (result i32) (i32.const 1)))"#;
    let engine = load(wat, small_limits()).unwrap();
    let (plugin_rule, _) = run(&engine);
    assert_eq!(plugin_rule.outcome, Outcome::Error);
    assert!(plugin_rule.reason.unwrap_or_default().contains("okite_alloc returned 65532, outside its memory"));
}

fn load_error(wat: &str) -> String {
    match load(wat, small_limits()) {
        Ok(_) => panic!("the module should be refused:\n{wat}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_module_that_imports_anything_is_refused_at_load() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (@custom "okite" "abi 1\ncheck(d: string) -> bool\n")
      (memory (export "memory") 1)
      (func (export "okite_alloc") (param i32) (result i32) (i32.const 0))
      (func (export "check") (param i32 i32) (result i32) (i32.const 1)))"#;
    let e = load_error(wat);
    assert!(e.contains("imports `wasi_snapshot_preview1::fd_write`"), "{e}");
    assert!(e.contains("no imports"), "{e}");
}

#[test]
fn a_missing_export_is_refused_at_load() {
    let wat = module(CHECK, r#"(func (export "chekc") (param i32 i32) (result i32) (i32.const 1))"#);
    let e = load_error(&wat);
    assert!(e.contains("does not export `check`"), "{e}");
}

#[test]
fn an_export_with_the_wrong_wasm_types_is_refused_at_load() {
    let wat = module(CHECK, r#"(func (export "check") (param i64) (result i64) (i64.const 1))"#);
    let e = load_error(&wat);
    assert!(e.contains("exports `check` as (i64) -> (i64), but its Okite signature needs (i32, i32) -> i32"), "{e}");
}

#[test]
fn a_text_passing_module_without_an_allocator_is_refused_at_load() {
    let wat = r#"(module
      (@custom "okite" "abi 1\ncheck(d: string) -> bool\n")
      (memory (export "memory") 1)
      (func (export "check") (param i32 i32) (result i32) (i32.const 1)))"#;
    let e = load_error(wat);
    assert!(e.contains("must export `memory` and `okite_alloc"), "{e}");
}

#[test]
fn records_and_lists_cross_as_json() {
    // `count_dots(ds)` receives a JSON array; the module counts the dots in the text.
    let manifest = "count_dots(ds: list<string>) -> int";
    let body = r#"(func (export "count_dots") (param $p i32) (param $n i32) (result i64)
        (local $i i32) (local $c i64)
        (block $done (loop $scan
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (if (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 46))
            (then (local.set $c (i64.add (local.get $c) (i64.const 1)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $scan)))
        (local.get $c))"#;
    let text = r#"
package t

facts Facility {
  key name: string
  domains: list<string> = []
}

extern fn count_dots(ds: list<string>) -> int from "p.wat"

rule uses_plugin {
  require count_dots(facts.domains) == 3 else "{count_dots(facts.domains)}"
}
"#;
    let db = Database::new(vec![FileInput::new("t.okite", text), FileInput::new("p.wat", module(manifest, body))]);
    let engine = Engine::new((*db.compile().unwrap()).clone()).unwrap();
    let json = br#"{"as_of":"2026-04-01","name":"x","domains":["a.example.jp","b.jp"]}"#;
    let snapshot = engine.decode_json(json, DecodeOptions::default()).unwrap();
    let report = engine.evaluate(&snapshot, &EvalOptions::default());
    assert_eq!(report.results[0].outcome, Outcome::Pass, "{:#?}", report.results[0]);
}

#[test]
fn calls_from_many_threads_are_independent() {
    let body =
        r#"(func (export "check") (param $p i32) (param $n i32) (result i32) (i32.gt_u (local.get $n) (i32.const 9)))"#;
    let engine = load(&module(CHECK, body), PluginLimits::default()).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    let (plugin_rule, _) = run(&engine);
                    assert_eq!(plugin_rule.outcome, Outcome::Fail);
                }
            });
        }
    });
}
