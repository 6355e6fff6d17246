//! Names: what each file declares, the package index built from all files, and the scope in
//! which a file's names resolve.
//!
//! Everything here is span-free on purpose: editing the body of a rule changes no summary, so
//! salsa backdates these queries and no other file is re-checked.

mod index;
mod suggest;
mod summary;

pub use index::{Def, PackageIndex, Scope, clause_ids, facts_roots, file_scope, package_index};
pub use suggest::{closest, did_you_mean};
pub use summary::{DefKind, FileSummary, ImportSummary, file_summary};
