//! Folding ranges: items, guideline sections, runs of comments.

use okite_compiler::{SourceFile, ide};
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

/// The folding ranges of a file, by line. A range ending with a `}` alone on its line stops
/// before that line, so the brace stays visible when folded.
pub fn folding_ranges(snap: &Snapshot, file: SourceFile) -> Vec<FoldingRange> {
    let text = file.text(&snap.db);
    let map = LineMap::new(text);
    let mut out = Vec::new();
    for r in ide::folding_ranges(&snap.db, file) {
        let start_line = map.position(r.start).line;
        let mut end_line = map.position(r.end).line;
        let brace = (r.end as usize).checked_sub(1).filter(|&b| text.as_bytes().get(b) == Some(&b'}'));
        if !r.comment
            && let Some(brace) = brace
        {
            let (line, line_start) = map.index().line_of(crate::convert::to_u32(brace));
            if text.get(line_start as usize..brace).is_some_and(|before| before.trim().is_empty()) {
                end_line = crate::convert::to_u32(line).saturating_sub(1);
            }
        }
        if end_line > start_line {
            out.push(FoldingRange {
                start_line,
                end_line,
                kind: r.comment.then_some(FoldingRangeKind::Comment),
                ..FoldingRange::default()
            });
        }
    }
    out
}
