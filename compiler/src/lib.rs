//! The Okite compiler: from `.okite` sources to diagnostics and a typed [`okite_ir::Program`].
//!
//! The pipeline is a set of salsa queries over one input per source file:
//!
//! ```text
//! parse ─► file_summary ─► package_index ─► file_scope ─► file_signatures ─► check_file ─► program
//! ```
//!
//! Each query returns its result (diagnostics included) rather than accumulating, and the
//! span-free ones (`file_summary`, `package_index`, `file_scope`, `signatures`) are what other
//! files depend on, so editing a rule's body re-checks only its own file.
//!
//! The compiler does no IO: callers hand it file contents ([`FileInput`]) and read results.

pub mod db;
pub mod diagnostics;
pub mod fmt;
pub mod ide;
mod link;
pub mod names;
pub mod plugins;
pub mod sema;
pub mod span;
mod stdlib;
pub mod syntax;

use std::sync::Arc;

pub use db::{Database, Db, ExecutionLog, FileInput, SourceFile, Workspace};
pub use diagnostics::{Code, Diagnostic, Level};
pub use link::{program, workspace_diagnostics};
pub use stdlib::{STD_PACKAGE, STD_PATH, STD_SOURCE};

use diagnostics::Code as DiagCode;

/// Parses `file`. Never fails: syntax errors are part of the result.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> syntax::Parsed {
    let path = file.path(db);
    let text = file.text(db);
    let mut parsed = syntax::parse(path, text);
    if let Some(at) = file.utf8_error(db) {
        // The text up to the first bad byte is unchanged by the lossy decoding, and there it
        // holds U+FFFD: mark that whole character, so no span splits one.
        let at = at as usize;
        let len = text.get(at..).and_then(|rest| rest.chars().next()).map_or(0, char::len_utf8);
        parsed.errors.insert(
            0,
            Diagnostic::error(DiagCode::INVALID_UTF8, path, span::Span::new(at, at + len), "file is not valid UTF-8")
                .with_label("invalid byte sequence here (shown as �)")
                .with_help("re-save the file as UTF-8"),
        );
    }
    parsed
}

/// The diagnostics of one file, workspace-level ones about it included.
pub fn file_diagnostics(db: &dyn Db, file: SourceFile) -> Vec<Diagnostic> {
    let path = file.path(db).clone();
    let mut out: Vec<Diagnostic> = sema::check_file(db, file).diagnostics.clone();
    out.extend(workspace_diagnostics(db, db.workspace()).iter().filter(|d| d.file == path).cloned());
    out
}

impl Database {
    /// Every diagnostic of the workspace: per file in path order, then workspace-level ones.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let ws = self.workspace();
        let mut all: Vec<Diagnostic> = Vec::new();
        for &f in ws.files(self) {
            all.extend(sema::check_file(self, f).diagnostics.iter().cloned());
        }
        all.extend(workspace_diagnostics(self, ws).iter().cloned());
        all
    }

    /// The diagnostics of one file, workspace-level ones about it included.
    pub fn file_diagnostics(&self, file: SourceFile) -> Vec<Diagnostic> {
        file_diagnostics(self, file)
    }

    /// The compiled program, or every diagnostic when there are errors.
    pub fn compile(&self) -> Result<Arc<okite_ir::Program>, Vec<Diagnostic>> {
        match program(self, self.workspace()) {
            Some(p) => Ok(p.clone()),
            None => Err(self.diagnostics()),
        }
    }
}
