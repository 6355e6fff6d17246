//! The Okite runtime: evaluate fact snapshots against a compiled policy set.
//!
//! Load a policy set once — from a bundle written by `okite build`, or from an
//! [`okite_ir::Program`] — then decode and evaluate snapshots from any number of threads. No
//! compiler, file system or global state is needed.
//!
//! ```no_run
//! use okite_runtime::{DecodeOptions, Engine, EvalOptions, Outcome};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::from_bundle(&std::fs::read("hachioji.okb")?)?;
//! let snapshot = engine.decode_json(&std::fs::read("library.json")?, DecodeOptions::default())?;
//! let report = engine.evaluate(&snapshot, &EvalOptions::default());
//! for r in report.results.iter().filter(|r| r.outcome == Outcome::Fail) {
//!     println!("{} {}: {}", r.clause, r.rule, r.findings[0].message);
//! }
//! # Ok(()) }
//! ```
//!
//! Evaluation never panics: malformed input is an [`InputError`], and a rule that cannot be
//! decided (arithmetic overflow, a runaway evaluation) has outcome [`Outcome::Error`] while the
//! other rules are still evaluated.

mod decode;
mod engine;
mod evaluate;
mod explain;
mod heap;
mod machine;
mod plan;
mod render;
pub mod formats;
mod json_schema;
pub mod report;
mod strings;
pub mod testing;
pub mod waivers;
mod word;

pub use decode::{DecodeOptions, InputIssue};
pub use engine::{Engine, EvalOptions, InputError, LoadError, Snapshot};
pub use report::{Explanation, Finding, Outcome, PolicyInfo, Report, RuleResult, SnapshotReport, Status, Summary};
pub use json_schema::json_schema;
pub use waivers::Waivers;

/// Engines and snapshots are shared across threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Snapshot>();
};
