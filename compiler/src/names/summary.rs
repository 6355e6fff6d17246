//! The span-free summary of what one file declares.

use std::sync::Arc;

use crate::db::{Db, SourceFile};
use crate::syntax::ast::ItemKind;

/// What kind of thing a name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefKind {
    /// `type`
    Record,
    /// `facts` (also a record type)
    Facts,
    /// `enum`
    Enum,
    /// `fn`
    Fn,
    /// `const`
    Const,
    /// `rule`
    Rule,
    /// An item that failed to parse; its name exists but nothing is known about it.
    Broken,
}

impl DefKind {
    /// A noun for messages.
    pub fn describe(self) -> &'static str {
        match self {
            DefKind::Record | DefKind::Facts => "type",
            DefKind::Enum => "enum",
            DefKind::Fn => "function",
            DefKind::Const => "constant",
            DefKind::Rule => "rule",
            DefKind::Broken => "item",
        }
    }

    /// Whether the name denotes a type.
    pub fn is_type(self) -> bool {
        matches!(self, DefKind::Record | DefKind::Facts | DefKind::Enum)
    }
}

/// An `import` without spans.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportSummary {
    /// The package.
    pub package: Arc<str>,
    /// The names listed, or all.
    pub names: Option<Vec<Arc<str>>>,
}

/// What a file declares.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FileSummary {
    /// Its package (the first `package` declaration).
    pub package: Option<Arc<str>>,
    /// Its imports.
    pub imports: Vec<ImportSummary>,
    /// Declared names and their kinds, in source order.
    pub items: Vec<(Arc<str>, DefKind)>,
    /// The clause ids of its guideline index, in order.
    pub clauses: Vec<Arc<str>>,
}

/// The summary of `file`.
#[salsa::tracked(returns(ref))]
pub fn file_summary(db: &dyn Db, file: SourceFile) -> FileSummary {
    let parsed = crate::parse(db, file);
    let mut summary = FileSummary::default();
    for item in &parsed.file.items {
        match &item.kind {
            ItemKind::Package(p) => {
                if summary.package.is_none() {
                    summary.package = Some(p.joined().into());
                }
            }
            ItemKind::Import(i) => summary.imports.push(ImportSummary {
                package: i.package.joined().into(),
                names: i.names.as_ref().map(|ns| ns.iter().map(|n| n.name.as_str().into()).collect()),
            }),
            ItemKind::Section(s) => summary.clauses.extend(s.clauses.iter().map(|c| c.id.value.as_str().into())),
            ItemKind::Error(e) => {
                if let Some(name) = &e.name {
                    summary.items.push((name.name.as_str().into(), DefKind::Broken));
                }
            }
            kind => {
                let def_kind = match kind {
                    ItemKind::Type(_) => DefKind::Record,
                    ItemKind::Facts(_) => DefKind::Facts,
                    ItemKind::Enum(_) => DefKind::Enum,
                    ItemKind::Fn(_) | ItemKind::Extern(_) => DefKind::Fn,
                    ItemKind::Const(_) => DefKind::Const,
                    ItemKind::Rule(_) => DefKind::Rule,
                    _ => continue,
                };
                if let Some(name) = item.name()
                    && !name.name.is_empty()
                {
                    summary.items.push((name.name.as_str().into(), def_kind));
                }
            }
        }
    }
    summary
}
