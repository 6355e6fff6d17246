//! The native tier agrees with the interpreter on everything we have: the Hachioji policy set
//! over every sample facility, the compliant fixture, and a synthetic large facility, with
//! and without explanations. Reports must be byte-identical as JSON.

#![cfg(feature = "jit")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests")]

mod common;

use std::path::PathBuf;

use common::{compliant_fixture, hachioji, root};
use okite_runtime::synth::{Scale, scale};
use okite_runtime::{DecodeOptions, Engine, EngineOptions, EvalOptions, Tier};

fn engines(program: &okite_ir::Program) -> (Engine, Engine) {
    let with =
        |tier| Engine::with_options(program.clone(), EngineOptions { tier, ..EngineOptions::default() }).unwrap();
    (with(Tier::Interp), with(Tier::Jit))
}

fn report(engine: &Engine, facts: &[u8], explain: bool) -> String {
    let snap = engine.decode_json(facts, DecodeOptions::default()).unwrap();
    let options = EvalOptions { explain, ..EvalOptions::default() };
    serde_json::to_string_pretty(&engine.evaluate(&snap, &options)).unwrap()
}

fn assert_same(interp: &Engine, jit: &Engine, facts: &[u8], what: &str) {
    for explain in [false, true] {
        let a = report(interp, facts, explain);
        let b = report(jit, facts, explain);
        if a != b {
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
            let ctx = |s: &str| s.lines().skip(line.saturating_sub(5)).take(12).collect::<Vec<_>>().join("\n");
            panic!(
                "{what} (explain: {explain}): reports differ at line {line}\ninterp:\n{}\njit:\n{}",
                ctx(&a),
                ctx(&b)
            );
        }
    }
}

fn facilities() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out.push(root().join("policies/hachioji/fixtures/compliant.json"));
    out
}

#[test]
fn hachioji_agrees_on_every_sample_facility() {
    let program = hachioji();
    let (interp, jit) = engines(&program);
    let info = jit.jit_info().expect("compiled eagerly");
    assert_eq!(info.compiled, program.rules.len(), "every Hachioji rule compiles: {:?}", info.notes);
    for path in facilities() {
        assert_same(&interp, &jit, &std::fs::read(&path).unwrap(), &path.display().to_string());
    }
}

#[test]
fn hachioji_agrees_on_a_synthetic_large_facility() {
    let program = hachioji();
    let (interp, jit) = engines(&program);
    let base: serde_json::Value = serde_json::from_slice(&compliant_fixture()).unwrap();
    // Smaller than the benchmark's facility (debug builds), the same shape.
    let scales = [
        Scale { path: "/assets", count: 1_000 },
        Scale { path: "/systems/*/accounts", count: 300 },
        Scale { path: "/devices", count: 200 },
        Scale { path: "/area_visits", count: 5_000 },
    ];
    let large = serde_json::to_vec(&scale(&program, &base, &scales)).unwrap();
    assert_same(&interp, &jit, &large, "synthetic facility");
    // The non-compliant samples scaled up too: most subjects fail there.
    let library: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("examples/library.json")).unwrap()).unwrap();
    let large = serde_json::to_vec(&scale(&program, &library, &scales)).unwrap();
    assert_same(&interp, &jit, &large, "synthetic library");
}

#[test]
fn a_tiny_step_budget_gives_the_same_errors() {
    let program = hachioji();
    let (interp, jit) = engines(&program);
    let facts = std::fs::read(root().join("examples/library.json")).unwrap();
    for budget in [1, 10, 100, 1_000] {
        let options = EvalOptions { step_budget: budget, ..EvalOptions::default() };
        let a = interp.evaluate(&interp.decode_json(&facts, DecodeOptions::default()).unwrap(), &options);
        let b = jit.evaluate(&jit.decode_json(&facts, DecodeOptions::default()).unwrap(), &options);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap(), "budget {budget}");
    }
}

#[test]
fn auto_interprets_small_work_and_compiles_for_a_large_facility() {
    let program = hachioji();
    let auto =
        Engine::with_options(program.clone(), EngineOptions { tier: Tier::Auto, ..EngineOptions::default() }).unwrap();
    let interp =
        Engine::with_options(program.clone(), EngineOptions { tier: Tier::Interp, ..EngineOptions::default() })
            .unwrap();
    let small = std::fs::read(root().join("examples/library.json")).unwrap();
    assert_eq!(report(&auto, &small, false), report(&interp, &small, false));
    assert!(auto.jit_info().is_none(), "one small facility is not worth compiling for");
    // About a million heap words: past what a single snapshot needs to be compiled for.
    let base: serde_json::Value = serde_json::from_slice(&small).unwrap();
    let large = serde_json::to_vec(&scale(&program, &base, &[Scale { path: "/area_visits", count: 130_000 }])).unwrap();
    assert_eq!(report(&auto, &large, false), report(&interp, &large, false));
    let info = auto.jit_info().expect("a large facility is evaluated by native code");
    assert_eq!(info.compiled, program.rules.len());
    assert!(interp.jit_info().is_none(), "the interpreter tier never compiles");
}
