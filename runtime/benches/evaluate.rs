//! Evaluation speed, over the real policy set (`policies/hachioji`):
//!
//! - `large/*`: a large synthetic facility (10k assets, 2k accounts, 1k devices, 100k entry-log
//!   records), decode + evaluate, against `serde_json` parsing the same bytes into a `Value`
//!   (the ratio is the target: ≤ 2.0);
//! - `batch/*`: 1,000 small facilities on 1 and 2 threads (the ratio is the scaling);
//! - `small/*`: one small facility, decoded once, evaluated by a prepared engine.

#![allow(clippy::panic, reason = "a benchmark that cannot set up must stop loudly")]

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use okite_runtime::synth::scale;
use okite_runtime::{DecodeOptions, Engine, EvalOptions};
use rayon::prelude::*;

struct Setup {
    engine: Engine,
    small: Vec<u8>,
    large: Vec<u8>,
}

fn setup() -> Setup {
    let program = common::hachioji();
    let small = common::compliant_fixture();
    let base: serde_json::Value = serde_json::from_slice(&small).unwrap_or_default();
    let large = serde_json::to_vec(&scale(&program, &base, &common::LARGE)).unwrap_or_default();
    let engine = Engine::new(program).unwrap_or_else(|e| panic!("{e}"));
    Setup { engine, small, large }
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
