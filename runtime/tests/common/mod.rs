//! What the runtime's integration tests and benchmarks share: the repository's policy sources,
//! compiled with the compiler (a dev-dependency only). Benchmarks include this file by path.

#![allow(dead_code, reason = "each test or bench uses a part")]
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests and benchmarks stop loudly")]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.okite` file under `dir`, recursively, in path order.
pub fn sources(dir: &Path, out: &mut Vec<okite_compiler::FileInput>) {
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "okite") {
            out.push(okite_compiler::FileInput::new(p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
        }
    }
}

/// The policy set in `dir` (with its plugins), compiled.
pub fn compile_dir(dir: &Path) -> okite_ir::Program {
    let mut inputs = Vec::new();
    sources(dir, &mut inputs);
    let mut db = okite_compiler::Database::new(inputs);
    db.load_plugins(&mut |path| std::fs::read(path).ok());
    (*db.compile().unwrap_or_else(|d| panic!("{} compiles: {d:?}", dir.display()))).clone()
}

/// The large synthetic facility of the benchmarks, as scales of the compliant fixture: 10k
/// assets, 2k accounts, 1k devices, 100k entry-log records.
pub const LARGE: [okite_runtime::synth::Scale<'static>; 4] = [
    okite_runtime::synth::Scale { path: "/assets", count: 10_000 },
    okite_runtime::synth::Scale { path: "/systems/*/accounts", count: 2_000 },
    okite_runtime::synth::Scale { path: "/devices", count: 1_000 },
    okite_runtime::synth::Scale { path: "/area_visits", count: 100_000 },
];

/// The Hachioji set's compliant fixture.
pub fn compliant_fixture() -> Vec<u8> {
    std::fs::read(root().join("policies/hachioji/fixtures/compliant.json")).unwrap()
}

/// The Hachioji policy set, compiled.
pub fn hachioji() -> okite_ir::Program {
    compile_dir(&root().join("policies/hachioji"))
}

/// A plugin module's text: `body` inside a module that declares the Okite signatures
/// `manifest` (one per line) and exports the memory and the bump allocator the ABI needs.
pub fn plugin_module(manifest: &str, body: &str) -> String {
    format!(
        r#"(module
  (@custom "okite" "abi 1\n{manifest}\n")
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "okite_alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (local.get $p))
  {body})"#
    )
}
