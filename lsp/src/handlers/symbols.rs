//! Document symbols (the outline: rules grouped by guideline section, then the schema,
//! functions and tests) and workspace symbols.

use std::collections::HashSet;

use okite_compiler::ide::{self, SymbolKind as Kind};
use okite_compiler::{SourceFile, span::Span};
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolResponse, Location, SymbolInformation, SymbolKind, Uri,
};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

fn kind(k: Kind) -> SymbolKind {
    match k {
        Kind::Package => SymbolKind::PACKAGE,
        Kind::Section => SymbolKind::NAMESPACE,
        Kind::Clause => SymbolKind::STRING,
        Kind::Rule => SymbolKind::EVENT,
        Kind::Test => SymbolKind::METHOD,
        Kind::Type => SymbolKind::STRUCT,
        Kind::Enum => SymbolKind::ENUM,
        Kind::Field => SymbolKind::FIELD,
        Kind::Variant => SymbolKind::ENUM_MEMBER,
        Kind::Function => SymbolKind::FUNCTION,
        Kind::Constant => SymbolKind::CONSTANT,
    }
}

/// A symbol's name as the editor may show it: never empty (clients reject empty names).
fn shown(name: String) -> String {
    if name.trim().is_empty() { "(unnamed)".to_string() } else { name }
}

/// Whether `inner` lies within `outer`.
fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

#[allow(deprecated, reason = "`DocumentSymbol::deprecated` must be given to build one")]
fn nested(map: &LineMap<'_>, s: ide::DocumentSymbol) -> DocumentSymbol {
    // The protocol wants the name's range inside the whole symbol's.
    let selection =
        if within(s.selection, s.span) { s.selection } else { Span { start: s.span.start, end: s.span.start } };
    DocumentSymbol {
        name: shown(s.name),
        detail: s.detail.filter(|d| !d.is_empty()),
        kind: kind(s.kind),
        tags: None,
        deprecated: None,
        range: map.range(s.span),
        selection_range: map.range(selection),
        children: (!s.children.is_empty()).then(|| s.children.into_iter().map(|c| nested(map, c)).collect()),
    }
}

#[allow(deprecated, reason = "`SymbolInformation::deprecated` must be given to build one")]
fn information(name: String, kind: SymbolKind, location: Location, container: Option<String>) -> SymbolInformation {
    SymbolInformation { name: shown(name), kind, tags: None, deprecated: None, location, container_name: container }
}

fn flatten(
    uri: &Uri,
    map: &LineMap<'_>,
    s: ide::DocumentSymbol,
    container: Option<&str>,
    out: &mut Vec<SymbolInformation>,
) {
    let location = Location { uri: uri.clone(), range: map.range(s.span) };
    let name = shown(s.name);
    out.push(information(name.clone(), kind(s.kind), location, container.map(str::to_string)));
    for c in s.children {
        flatten(uri, map, c, Some(&name), out);
    }
}

/// The outline of a file, nested when the client supports it.
pub fn document_symbols(snap: &Snapshot, file: SourceFile, hierarchical: bool) -> Option<DocumentSymbolResponse> {
    let map = LineMap::new(file.text(&snap.db));
    let symbols = ide::document_symbols(&snap.db, file);
    if hierarchical {
        return Some(DocumentSymbolResponse::Nested(symbols.into_iter().map(|s| nested(&map, s)).collect()));
    }
    let uri = snap.uri(file.path(&snap.db))?;
    let mut out = Vec::new();
    for s in symbols {
        flatten(&uri, &map, s, None, &mut out);
    }
    Some(DocumentSymbolResponse::Flat(out))
}

/// Items and clause ids of every policy set whose name contains `query`.
pub fn workspace_symbols(snaps: &[Snapshot], query: &str) -> Vec<SymbolInformation> {
    let mut out: Vec<SymbolInformation> = Vec::new();
    let mut seen: HashSet<(String, u32, u32)> = HashSet::new();
    for snap in snaps {
        for s in ide::workspace_symbols(&snap.db, query) {
            let Some(location) = snap.location(&s.path, s.span) else { continue };
            let start = location.range.start;
            if !seen.insert((location.uri.as_str().to_string(), start.line, start.character)) {
                continue;
            }
            let container = (!s.container.is_empty()).then_some(s.container);
            out.push(information(s.name, kind(s.kind), location, container));
        }
    }
    out
}
