//! Go to definition and find references, across the files of a policy set.

use okite_compiler::{SourceFile, ide};
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Position};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

/// Where the name at `position` is declared (nothing for built-ins and the standard library,
/// which have no file the editor could open).
pub fn definition(snap: &Snapshot, file: SourceFile, position: Position) -> Option<GotoDefinitionResponse> {
    let offset = LineMap::new(file.text(&snap.db)).offset(position);
    let found = ide::definition(&snap.db, file, offset)?;
    snap.location(&found.path, found.span).map(GotoDefinitionResponse::Scalar)
}

/// Every place the name at `position` is used (and declared, when asked).
pub fn references(snap: &Snapshot, file: SourceFile, position: Position, include_declaration: bool) -> Vec<Location> {
    let offset = LineMap::new(file.text(&snap.db)).offset(position);
    ide::references(&snap.db, file, offset, include_declaration)
        .into_iter()
        .filter_map(|l| snap.location(&l.path, l.span))
        .collect()
}
