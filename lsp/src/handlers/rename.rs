//! Rename, and the check before it (`prepareRename`): the name under the cursor and whether it
//! can be renamed at all (built-ins, clause ids and the standard library cannot).

use std::collections::HashMap;

use okite_compiler::{SourceFile, ide};
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{Position, PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

/// `RequestFailed`: the request was valid but cannot be done (the editor shows the message).
const REQUEST_FAILED: i64 = -32803;

fn refused(message: String) -> jsonrpc::Error {
    jsonrpc::Error { code: jsonrpc::ErrorCode::ServerError(REQUEST_FAILED), message: message.into(), data: None }
}

/// Any identifier: `prepareRename` asks the compiler for a rename to it and keeps the range of
/// the edit under the cursor (whether a rename is possible does not depend on the new name).
const PROBE_NAME: &str = "renamed";

/// The range of the name at `position` and the name itself, or why it cannot be renamed.
pub fn prepare(
    snap: &Snapshot,
    file: SourceFile,
    position: Position,
) -> jsonrpc::Result<Option<PrepareRenameResponse>> {
    let map = LineMap::new(file.text(&snap.db));
    let offset = map.offset(position);
    let edits = ide::rename(&snap.db, file, offset, PROBE_NAME).map_err(|e| refused(e.0))?;
    let path = file.path(&snap.db);
    let here = edits.iter().find(|e| e.path == *path && e.span.contains(offset));
    Ok(here.map(|e| PrepareRenameResponse::RangeWithPlaceholder {
        range: map.range(e.span),
        placeholder: map.text().get(e.span.range()).unwrap_or_default().to_string(),
    }))
}

/// The edits renaming the name at `position` to `new_name` in every file.
pub fn rename(
    snap: &Snapshot,
    file: SourceFile,
    position: Position,
    new_name: &str,
) -> jsonrpc::Result<Option<WorkspaceEdit>> {
    let offset = LineMap::new(file.text(&snap.db)).offset(position);
    let edits = ide::rename(&snap.db, file, offset, new_name).map_err(|e| refused(e.0))?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for e in edits {
        if let Some(location) = snap.location(&e.path, e.span) {
            changes.entry(location.uri).or_default().push(TextEdit { range: location.range, new_text: e.new_text });
        }
    }
    Ok((!changes.is_empty()).then(|| WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }))
}
