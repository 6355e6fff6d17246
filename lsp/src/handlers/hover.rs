//! Hover: what the name under the cursor is (signature, doc comment, the guideline's clause
//! text), or the type of the expression there, as Markdown.

use okite_compiler::{SourceFile, ide};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

/// The hover at `position`.
pub fn hover(snap: &Snapshot, file: SourceFile, position: Position) -> Option<Hover> {
    let map = LineMap::new(file.text(&snap.db));
    let found = ide::hover(&snap.db, file, map.offset(position))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
        range: Some(map.range(found.span)),
    })
}
