//! Completion: keywords, fields of the record before a `.`, variants of the expected enum,
//! functions, types, rules, clause ids inside `clause "…"`. Each item replaces the partial word
//! before the cursor; snippets are sent only to clients that accept them.

use okite_compiler::ide::{self, CompletionKind};
use okite_compiler::{SourceFile, span::Span};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, CompletionTextEdit, Documentation, InsertTextFormat,
    MarkupContent, MarkupKind, Position, TextEdit,
};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

fn kind(k: CompletionKind) -> CompletionItemKind {
    match k {
        CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::Variant => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Variable => CompletionItemKind::VARIABLE,
        CompletionKind::Constant => CompletionItemKind::CONSTANT,
        CompletionKind::Function => CompletionItemKind::FUNCTION,
        CompletionKind::Type => CompletionItemKind::STRUCT,
        CompletionKind::Enum => CompletionItemKind::ENUM,
        CompletionKind::Rule => CompletionItemKind::EVENT,
        CompletionKind::Clause => CompletionItemKind::REFERENCE,
        CompletionKind::Snippet => CompletionItemKind::SNIPPET,
    }
}

/// The completions at `position`.
pub fn completion(snap: &Snapshot, file: SourceFile, position: Position, snippets: bool) -> Option<CompletionResponse> {
    let map = LineMap::new(file.text(&snap.db));
    let offset = map.offset(position);
    let items = ide::completions(&snap.db, file, offset);
    if items.is_empty() {
        return None;
    }
    let converted = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            // The edit must cover the cursor and stay on its line.
            let replace = Span { start: item.replace.start.min(offset), end: item.replace.end.max(offset) };
            let range = map.range(replace);
            let (new_text, format) = match (&item.insert, item.snippet) {
                (Some(s), true) if snippets => (s.clone(), Some(InsertTextFormat::SNIPPET)),
                (Some(s), false) => (s.clone(), None),
                _ => (item.label.clone(), None),
            };
            CompletionItem {
                kind: Some(kind(item.kind)),
                detail: item.detail,
                documentation: item
                    .documentation
                    .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
                // The compiler's order within a group (guideline order for clause ids).
                sort_text: Some(format!("{:03}{i:05}", item.sort)),
                filter_text: Some(item.label.clone()),
                insert_text_format: format,
                text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text })),
                label: item.label,
                ..CompletionItem::default()
            }
        })
        .collect();
    Some(CompletionResponse::Array(converted))
}
