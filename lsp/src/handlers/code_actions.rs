//! Quick fixes: each with the diagnostic it fixes attached, the obvious one preferred.

use std::collections::HashMap;

use okite_compiler::{SourceFile, ide};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, NumberOrString, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::convert::LineMap;
use crate::diagnostics::to_lsp;
use crate::snapshot::Snapshot;

/// Whether the client asked for quick fixes (or did not say which kinds).
fn wants_quick_fixes(params: &CodeActionParams) -> bool {
    params.context.only.as_ref().is_none_or(|only| {
        only.iter().any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()) || k.as_str().is_empty())
    })
}

/// The quick fixes for the diagnostics in the requested range.
pub fn code_actions(snap: &Snapshot, file: SourceFile, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    if !wants_quick_fixes(params) {
        return Vec::new();
    }
    let map = LineMap::new(file.text(&snap.db));
    let actions = ide::code_actions(&snap.db, file, map.span(params.range));
    if actions.is_empty() {
        return Vec::new();
    }
    let ours = snap.db.file_diagnostics(file);
    actions
        .into_iter()
        .map(|action| {
            let diagnostics: Vec<Diagnostic> = action
                .fixes
                .iter()
                .filter_map(|(code, span)| {
                    let range = map.range(*span);
                    let code_id = NumberOrString::String(code.id().to_string());
                    // The client's own diagnostic when it sent it (clients match them by
                    // identity), else ours.
                    let theirs = params
                        .context
                        .diagnostics
                        .iter()
                        .find(|d| d.range == range && d.code.as_ref() == Some(&code_id));
                    theirs.cloned().or_else(|| {
                        ours.iter().find(|d| d.code == *code && d.primary.span == *span).map(|d| to_lsp(snap, &map, d))
                    })
                })
                .collect();
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for e in action.edits {
                if let Some(location) = snap.location(&e.path, e.span) {
                    changes
                        .entry(location.uri)
                        .or_default()
                        .push(TextEdit { range: location.range, new_text: e.new_text });
                }
            }
            CodeActionOrCommand::CodeAction(CodeAction {
                title: action.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                is_preferred: Some(action.preferred),
                ..CodeAction::default()
            })
        })
        .collect()
}
