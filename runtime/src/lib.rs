//! The Okite runtime: evaluate fact snapshots against a compiled policy set.
//!
//! Load a policy set once — from a bundle written by `okite build`, or from an
//! [`okite_ir::Program`] — then decode and evaluate snapshots from any number of threads. No
//! compiler, file system or global state is needed.
//!
//! ```
//! use okite_runtime::{DecodeOptions, Engine, EvalOptions, Outcome};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let bundle = policy_bundle();
//! // `bundle` holds the bytes of a file written by `okite build -o policy.okb`.
//! let engine = Engine::from_bundle(&bundle)?;
//! let facts = r#"{"as_of": "2026-04-01", "systems": [{"name": "図書館システム", "min_length": 6}]}"#;
//! let snapshot = engine.decode_json(facts.as_bytes(), DecodeOptions::default())?;
//! let report = engine.evaluate(&snapshot, &EvalOptions::default());
//! let failed: Vec<_> = report.results.iter().filter(|r| r.outcome == Outcome::Fail).collect();
//! assert_eq!(failed[0].clause, "14(8)");
//! assert_eq!(failed[0].findings[0].message, "図書館システム: 6 桁");
//! assert_eq!(failed[0].findings[0].path, "/systems/0/min_length");
//! # Ok(()) }
//! # fn policy_bundle() -> Vec<u8> {
//! #     let src = r#"
//! #         package p
//! #         type System { key name: string  min_length: int }
//! #         facts Facility { systems: list<System> = [] }
//! #         rule strong { clause "14(8)"  for s in facts.systems  require s.min_length >= 8 else "{s.name}: {s.min_length} 桁" }
//! #     "#;
//! #     let db = okite_compiler::Database::new(vec![okite_compiler::FileInput::new("p.okite", src)]);
//! #     okite_ir::encode_bundle(&db.compile().expect("the policy compiles"))
//! # }
//! ```
//!
//! Evaluation never panics: malformed input is an [`InputError`], and a rule that cannot be
//! decided (arithmetic overflow, a runaway evaluation) has outcome [`Outcome::Error`] while the
//! other rules are still evaluated.

mod decode;
mod engine;
mod evaluate;
mod explain;
pub mod formats;
mod heap;
#[cfg(feature = "jit")]
#[allow(unsafe_code, reason = "generated code is entered through function pointers; see ARCHITECTURE.md")]
mod jit;
mod json_schema;
mod json_value;
mod machine;
mod plan;
mod plugins;
mod render;
pub mod report;
mod strings;
pub mod synth;
pub mod testing;
pub mod waivers;
mod word;

pub use decode::{DecodeOptions, InputIssue};
pub use engine::{Engine, EngineOptions, EvalOptions, InputError, JitInfo, LoadError, Snapshot, Tier};
pub use json_schema::json_schema;
pub use plugins::PluginLimits;
pub use report::{Explanation, Finding, Outcome, PolicyInfo, Report, RuleResult, SnapshotReport, Status, Summary};
pub use waivers::Waivers;

/// Engines and snapshots are shared across threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Snapshot>();
};
