//! What the checker learns about positions in a file, for the editor: which symbol each name
//! refers to (or defines), and the type of each expression.
//!
//! Recorded while checking (so it is exactly what the type checker decided, never a second
//! opinion) and returned as part of [`super::CheckedFile`].

use std::sync::Arc;

use super::ty::{QName, Ty};
use crate::names::DefKind;
use crate::span::Span;

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A package item: type, enum, function, constant or rule.
    Item {
        /// Qualified name.
        qname: QName,
        /// What it is.
        kind: DefKind,
    },
    /// A field of a record type.
    Field {
        /// The record type.
        record: QName,
        /// The field.
        field: Arc<str>,
    },
    /// A variant of an enum.
    Variant {
        /// The enum.
        enum_: QName,
        /// The variant.
        variant: Arc<str>,
    },
    /// A variable (parameter, `let`, `for` or quantifier variable), identified by where it is
    /// declared.
    Local {
        /// The variable's name.
        name: Arc<str>,
        /// Where it is declared in this file.
        decl: Span,
        /// Its type.
        ty: Ty,
    },
    /// A guideline clause id.
    Clause(Arc<str>),
    /// A built-in function.
    Builtin(Arc<str>),
}

/// A name in source and what it denotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Where the name is.
    pub span: Span,
    /// What it refers to.
    pub symbol: Symbol,
    /// Whether this is the declaration itself.
    pub is_def: bool,
}

/// The position index of one file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileIndex {
    /// Names, in the order the checker met them.
    pub refs: Vec<Reference>,
    /// Checked expressions and their types.
    pub types: Vec<(Span, Ty)>,
}

impl FileIndex {
    /// The innermost reference whose span contains `offset`.
    pub fn reference_at(&self, offset: u32) -> Option<&Reference> {
        self.refs.iter().filter(|r| r.span.contains(offset)).min_by_key(|r| r.span.end - r.span.start)
    }

    /// The innermost typed expression containing `offset`.
    pub fn type_at(&self, offset: u32) -> Option<&(Span, Ty)> {
        self.types.iter().filter(|(s, _)| s.contains(offset)).min_by_key(|(s, _)| s.end - s.start)
    }
}

/// The identifier the editor inserts at the cursor before asking the checker what may be
/// completed there (as rust-analyzer does): it parses where a name is expected, and the checker
/// records the context it meets it in.
pub const COMPLETION_MARKER: &str = "okite_complete_here_";

/// What may be written at the completion marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompletionContext {
    /// After `base.` or `base?.`: the fields of a record.
    Field {
        /// The record type.
        record: QName,
    },
    /// Where a value is expected.
    Value {
        /// The type expected there, when known.
        expected: Option<Ty>,
        /// The variables in scope and their types, innermost last.
        locals: Vec<(Arc<str>, Ty)>,
    },
    /// Where a type is expected.
    Type,
}
