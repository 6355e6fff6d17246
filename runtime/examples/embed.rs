//! Embedding the runtime: load a compiled policy set once, evaluate snapshots from many
//! threads. No compiler, no global state.
//!
//! ```sh
//! okite build -o /tmp/hachioji.okb
//! cargo run -p okite-runtime --example embed -- /tmp/hachioji.okb examples/*.json
//! ```

use std::process::ExitCode;

use okite_runtime::{DecodeOptions, Engine, EvalOptions, Outcome};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(bundle) = args.next() else {
        eprintln!("usage: embed POLICY.okb SNAPSHOT.json…");
        return ExitCode::from(2);
    };
    let engine = match std::fs::read(&bundle)
        .map_err(|e| e.to_string())
        .and_then(|b| Engine::from_bundle(&b).map_err(|e| e.to_string()))
    {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{bundle}: {e}");
            return ExitCode::from(2);
        }
    };
    let paths: Vec<String> = args.collect();
    // One engine, shared by reference across threads: `Engine` is `Send + Sync`.
    let lines: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .iter()
            .map(|path| {
                let engine = &engine;
                scope.spawn(move || {
                    let bytes = match std::fs::read(path) {
                        Ok(b) => b,
                        Err(e) => return format!("{path}: {e}"),
                    };
                    match engine.decode_json(&bytes, DecodeOptions::default()) {
                        Err(e) => format!("{path}: cannot read: {e}"),
                        Ok(snapshot) => {
                            let report = engine.evaluate(&snapshot, &EvalOptions::default());
                            let failing: Vec<&str> = report
                                .results
                                .iter()
                                .filter(|r| r.outcome == Outcome::Fail)
                                .map(|r| r.clause.as_str())
                                .collect();
                            format!("{path}: {} rules fail: {}", failing.len(), failing.join(" "))
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| "a worker panicked".into())).collect()
    });
    for l in lines {
        println!("{l}");
    }
    ExitCode::SUCCESS
}
