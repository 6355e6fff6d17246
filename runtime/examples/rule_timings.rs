//! Times each rule on a snapshot: `rule_timings POLICY.okb SNAPSHOT.json` (a profiling aid
//! for policy authors: the slowest rules first).

use okite_runtime::{DecodeOptions, Engine, EvalOptions};

fn fail(what: impl std::fmt::Display) -> ! {
    eprintln!("{what}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(bundle), Some(snapshot)) = (args.first(), args.get(1)) else {
        eprintln!("usage: rule_timings POLICY.okb SNAPSHOT.json");
        std::process::exit(2);
    };
    let engine = Engine::from_bundle(&std::fs::read(bundle).unwrap_or_default()).unwrap_or_else(|e| fail(e));
    let bytes = std::fs::read(snapshot).unwrap_or_default();
    let t = std::time::Instant::now();
    let snap = engine.decode_json(&bytes, DecodeOptions::default()).unwrap_or_else(|e| fail(e));
    eprintln!("decode: {:?} ({} bytes, heap {} bytes)", t.elapsed(), bytes.len(), snap.heap_bytes());
    let mut timings = engine.rule_timings(&snap, &EvalOptions::default());
    timings.sort_by_key(|t| std::cmp::Reverse(t.1));
    let total: std::time::Duration = timings.iter().map(|t| t.1).sum();
    eprintln!("evaluate: {total:?}");
    for (rule, d) in timings.iter().take(25) {
        println!("{d:>12?}  {rule}");
    }
}
