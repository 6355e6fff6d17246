//! Editor features as plain data: hover, navigation, rename, completion, signature help,
//! symbols, semantic tokens, folding, code actions and code lenses.
//!
//! Everything here is computed from the compiler's queries (mostly the [`FileIndex`] that
//! `check_file` records), so the editor and `okite check` always agree. Positions are byte
//! offsets into the file's text; the language server converts them to LSP positions. Nothing
//! here knows about LSP.
//!
//! [`FileIndex`]: crate::sema::FileIndex

mod actions;
mod completion;
mod hover;
pub mod lexer;
mod navigation;
mod signature_help;
mod symbols;
mod tokens;

use std::sync::Arc;

pub use actions::{CodeAction, CodeLens, CodeLensKind, code_actions, code_lenses};
pub use completion::{CompletionItem, CompletionKind, completions};
pub use hover::{Hover, hover};
pub use navigation::{Location, RenameError, TextEdit, definition, references, rename};
pub use signature_help::{SignatureHelp, signature_help};
pub use symbols::{
    DocumentSymbol, FoldingRange, SymbolKind, WorkspaceSymbol, document_symbols, folding_ranges, workspace_symbols,
};
pub use tokens::{SemanticToken, TokenType, semantic_tokens};

use crate::db::{Db, SourceFile};
use crate::names::{DefKind, package_index};
use crate::sema::{Reference, Symbol, check_file, signatures};
use crate::span::Span;

/// The reference at `offset` in `file`, if any.
fn reference_at(db: &dyn Db, file: SourceFile, offset: u32) -> Option<Reference> {
    check_file(db, file).index.reference_at(offset).cloned()
}

/// The file that declares a package item.
fn item_file(db: &dyn Db, qname: &str) -> Option<SourceFile> {
    let (package, name) = qname.rsplit_once('.')?;
    package_index(db, db.workspace()).lookup(package, name).next().map(|d| d.file)
}

/// The file and span where `symbol` is declared.
pub(crate) fn declaration(db: &dyn Db, from: SourceFile, symbol: &Symbol) -> Option<(SourceFile, Span)> {
    let file = match symbol {
        Symbol::Item { qname, .. } => item_file(db, qname)?,
        Symbol::Field { record, .. } => item_file(db, record)?,
        Symbol::Variant { enum_, .. } => item_file(db, enum_)?,
        Symbol::Local { decl, .. } => return Some((from, *decl)),
        Symbol::Clause(id) => {
            let ws = db.workspace();
            *ws.files(db).iter().find(|f| crate::names::file_summary(db, **f).clauses.iter().any(|c| c == id))?
        }
        Symbol::Builtin(_) => return None,
    };
    let def = check_file(db, file).index.refs.iter().find(|r| r.is_def && same_symbol(&r.symbol, symbol))?.span;
    Some((file, def))
}

/// Symbols are the same declaration (records and the facts root are one kind of item).
fn same_symbol(a: &Symbol, b: &Symbol) -> bool {
    match (a, b) {
        (Symbol::Item { qname: x, .. }, Symbol::Item { qname: y, .. }) => x == y,
        (Symbol::Local { decl: x, .. }, Symbol::Local { decl: y, .. }) => x == y,
        _ => a == b,
    }
}

/// The guideline text of a clause, with its section's title.
fn clause_text(db: &dyn Db, id: &str) -> Option<(String, String)> {
    let ws = db.workspace();
    for &f in ws.files(db) {
        for s in &signatures(db, f).sections {
            if let Some(c) = s.clauses.iter().find(|c| c.id == id) {
                return Some((format!("{} {}", s.id, s.title), c.text.clone()));
            }
        }
    }
    None
}

/// The short name of a qualified name.
fn short(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

/// A noun for an item kind, as the editor names it.
fn kind_word(k: DefKind) -> &'static str {
    match k {
        DefKind::Record => "type",
        DefKind::Facts => "facts",
        DefKind::Enum => "enum",
        DefKind::Fn => "fn",
        DefKind::Const => "const",
        DefKind::Rule => "rule",
        DefKind::Broken => "item",
    }
}

/// The text of `file` (for slicing spans).
fn text(db: &dyn Db, file: SourceFile) -> Arc<str> {
    file.text(db).clone()
}
