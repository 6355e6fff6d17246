//! Signature help: the signature of the function being called, the argument being written
//! highlighted.

use okite_compiler::{SourceFile, ide};
use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, Position, SignatureHelp,
    SignatureInformation,
};

use crate::convert::{LineMap, to_u32};
use crate::snapshot::Snapshot;

/// UTF-16 length of a string.
fn utf16_len(s: &str) -> u32 {
    to_u32(s.encode_utf16().count())
}

/// The signature help at `position`.
pub fn signature_help(snap: &Snapshot, file: SourceFile, position: Position) -> Option<SignatureHelp> {
    let offset = LineMap::new(file.text(&snap.db)).offset(position);
    let found = ide::signature_help(&snap.db, file, offset)?;
    // Each parameter as offsets into the label (searched in order, so repeated text is found
    // at the right place).
    let mut from = 0usize;
    let parameters: Vec<ParameterInformation> = found
        .params
        .iter()
        .map(|p| {
            let label = match found.label.get(from..).and_then(|rest| rest.find(p.as_str())) {
                Some(i) => {
                    let start = from + i;
                    from = start + p.len();
                    let before = found.label.get(..start).unwrap_or_default();
                    let a = utf16_len(before);
                    ParameterLabel::LabelOffsets([a, a + utf16_len(p)])
                }
                None => ParameterLabel::Simple(p.clone()),
            };
            ParameterInformation { label, documentation: None }
        })
        .collect();
    let documentation = (!found.doc.trim().is_empty())
        .then(|| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: found.doc.clone() }));
    let active = to_u32(found.active);
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: found.label,
            documentation,
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}
