//! Evaluation speed, over the real policy set (`policies/hachioji`) when it compiles, else the
//! test policy of `tests/data/policy`:
//!
//! - `large/*`: a large synthetic facility (10k assets, 2k accounts, 1k devices, 100k entry-log
//!   records), decode + evaluate, against `serde_json` parsing the same bytes into a `Value`
//!   (the ratio is the target: ≤ 2.0);
//! - `batch/*`: 1,000 small facilities on 1 and 2 threads (the ratio is the scaling);
//! - `small/*`: one small facility, decoded once, evaluated by a prepared engine.

#![allow(clippy::panic, reason = "a benchmark that cannot set up must stop loudly")]

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use okite_runtime::synth::{Scale, scale};
use okite_runtime::{DecodeOptions, Engine, EvalOptions};
use rayon::prelude::*;

struct Setup {
    engine: Engine,
    small: Vec<u8>,
    large: Vec<u8>,
}

fn sources(dir: &Path, out: &mut Vec<okite_compiler::FileInput>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "okite") {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            out.push(okite_compiler::FileInput::new(p.display().to_string(), text));
        }
    }
}

fn setup() -> Setup {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let hachioji = root.join("policies/hachioji");
    let fixture = hachioji.join("fixtures/compliant.json");
    let mut inputs = Vec::new();
    sources(&hachioji, &mut inputs);
    let mut db = okite_compiler::Database::new(inputs);
    db.load_plugins(&mut |path| std::fs::read(path).ok());
    let (program, base, scales): (_, _, Vec<Scale<'static>>) = match (db.compile(), std::fs::read(&fixture)) {
        (Ok(p), Ok(bytes)) => (
            p,
            bytes,
            vec![
                Scale { path: "/assets", count: 10_000 },
                Scale { path: "/systems/*/accounts", count: 2_000 },
                Scale { path: "/devices", count: 1_000 },
                Scale { path: "/area_visits", count: 100_000 },
            ],
        ),
        _ => {
            eprintln!("note: the Hachioji policy set or its fixture is not ready; benchmarking the test policy");
            let mut inputs = Vec::new();
            sources(&root.join("tests/data/policy"), &mut inputs);
            let db = okite_compiler::Database::new(inputs);
            let p = db.compile().unwrap_or_else(|d| panic!("{d:?}"));
            let bytes = std::fs::read(root.join("tests/data/snapshots/library.json")).unwrap_or_default();
            (
                p,
                bytes,
                vec![
                    Scale { path: "/systems", count: 1_000 },
                    Scale { path: "/systems/*/accounts", count: 2_000 },
                    Scale { path: "/staff", count: 10_000 },
                    Scale { path: "/trainings", count: 100 },
                ],
            )
        }
    };
    let base_value: serde_json::Value = serde_json::from_slice(&base).unwrap_or_default();
    let large = serde_json::to_vec(&scale(&program, &base_value, &scales)).unwrap_or_default();
    let engine = Engine::new((*program).clone()).unwrap_or_else(|e| panic!("{e}"));
    Setup { engine, small: base, large }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let opts = EvalOptions::default();
    let decode = DecodeOptions::default();
    eprintln!("large facility: {} bytes; small facility: {} bytes", s.large.len(), s.small.len());

    let mut g = c.benchmark_group("large");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(s.large.len() as u64));
    g.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&s.large).map(|v| v.is_object()))
    });
    g.bench_function("decode_and_evaluate", |b| {
        b.iter(|| {
            let snap = s.engine.decode_json(&s.large, decode).unwrap_or_else(|e| panic!("{e}"));
            s.engine.evaluate(&snap, &opts).results.len()
        })
    });
    let snap = s.engine.decode_json(&s.large, decode).unwrap_or_else(|e| panic!("{e}"));
    g.bench_function("evaluate_only", |b| b.iter(|| s.engine.evaluate(&snap, &opts).results.len()));
    g.finish();

    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
        g.bench_function(format!("1000_small_{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    (0..1000)
                        .into_par_iter()
                        .map(|_| {
                            let snap = s.engine.decode_json(&s.small, decode).unwrap_or_else(|e| panic!("{e}"));
                            s.engine.evaluate(&snap, &opts).summary.fail
                        })
                        .sum::<u32>()
                })
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("small");
    let snap = s.engine.decode_json(&s.small, decode).unwrap_or_else(|e| panic!("{e}"));
    g.bench_function("evaluate", |b| b.iter(|| s.engine.evaluate(&snap, &opts).results.len()));
    g.bench_function("decode", |b| b.iter(|| s.engine.decode_json(&s.small, decode).map(|x| x.as_of)));
    g.finish();
}

criterion_group!(evaluate, benches);
criterion_main!(evaluate);
