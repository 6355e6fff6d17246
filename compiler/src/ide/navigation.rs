//! Go to definition, find references, rename.

use std::sync::Arc;

use super::{declaration, reference_at, same_symbol, text};
use crate::db::{Db, SourceFile};
use crate::sema::{Symbol, check_file};
use crate::span::Span;

/// A place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's path.
    pub path: Arc<str>,
    /// Where.
    pub span: Span,
}

/// A replacement of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// The file's path.
    pub path: Arc<str>,
    /// The text replaced.
    pub span: Span,
    /// The new text.
    pub new_text: String,
}

/// Where the symbol at `offset` is declared.
pub fn definition(db: &dyn Db, file: SourceFile, offset: u32) -> Option<Location> {
    let r = reference_at(db, file, offset)?;
    let (f, span) = declaration(db, file, &r.symbol)?;
    Some(Location { path: f.path(db).clone(), span })
}

/// Every place the symbol at `offset` is named, declaration included when asked.
pub fn references(db: &dyn Db, file: SourceFile, offset: u32, include_declaration: bool) -> Vec<Location> {
    let Some(r) = reference_at(db, file, offset) else { return Vec::new() };
    let files: Vec<SourceFile> = match &r.symbol {
        Symbol::Local { .. } => vec![file],
        _ => db.workspace().files(db).clone(),
    };
    let mut out = Vec::new();
    for f in files {
        for x in &check_file(db, f).index.refs {
            if same_symbol(&x.symbol, &r.symbol) && (include_declaration || !x.is_def) {
                let loc = Location { path: f.path(db).clone(), span: x.span };
                if !out.contains(&loc) {
                    out.push(loc);
                }
            }
        }
    }
    out.sort_by(|a, b| (a.path.as_ref(), a.span).cmp(&(b.path.as_ref(), b.span)));
    out
}

/// Why a rename is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

/// The edits renaming the symbol at `offset` to `new_name` everywhere.
pub fn rename(db: &dyn Db, file: SourceFile, offset: u32, new_name: &str) -> Result<Vec<TextEdit>, RenameError> {
    let r = reference_at(db, file, offset).ok_or_else(|| RenameError("nothing to rename here".into()))?;
    match &r.symbol {
        Symbol::Builtin(n) => return Err(RenameError(format!("`{n}` is a built-in function"))),
        Symbol::Clause(_) => {
            return Err(RenameError("clause ids follow the guideline's numbering; edit them by hand".into()));
        }
        _ => {}
    }
    let valid = new_name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && new_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(RenameError(format!("`{new_name}` is not an identifier (ASCII letters, digits and `_`)")));
    }
    if crate::syntax::RESERVED.contains(&new_name) {
        return Err(RenameError(format!("`{new_name}` is a reserved word")));
    }
    // Declarations a rename must not touch: those outside the workspace's own sources.
    if let Some((decl_file, _)) = declaration(db, file, &r.symbol)
        && decl_file.path(db).starts_with('<')
    {
        return Err(RenameError("the standard library cannot be renamed".into()));
    }
    let mut edits = Vec::new();
    for loc in references(db, file, offset, true) {
        let Some(f) = db.workspace().files(db).iter().copied().find(|f| *f.path(db) == loc.path) else { continue };
        // Only rename spans that hold the name itself (not, say, a qualified path).
        let old = text(db, f).get(loc.span.range()).map(str::to_string).unwrap_or_default();
        if old.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            edits.push(TextEdit { path: loc.path, span: loc.span, new_text: new_name.to_string() });
        }
    }
    Ok(edits)
}
