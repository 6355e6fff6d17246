//! Semantic tokens: the compiler's classification of every token, delta-encoded. Tokens that
//! span lines (block comments) are split into one token per line, which every client accepts.

use okite_compiler::ide::{self, TokenType};
use okite_compiler::{SourceFile, span::Span};
use tower_lsp_server::ls_types::{Position, SemanticToken, SemanticTokens, SemanticTokensResult};

use crate::capabilities::{MODIFIER_DECLARATION, MODIFIER_DOCUMENTATION};
use crate::convert::{LineMap, to_u32};
use crate::snapshot::Snapshot;

/// The tokens of a whole file.
pub fn semantic_tokens(snap: &Snapshot, file: SourceFile) -> SemanticTokensResult {
    let map = LineMap::new(file.text(&snap.db));
    let tokens = ide::semantic_tokens(&snap.db, file);
    SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data: encode(&map, &tokens) })
}

/// The one-line pieces of a span (line breaks, `\r` included, left out).
fn line_pieces(text: &str, span: Span) -> Vec<Span> {
    let (mut start, end) = (span.start as usize, (span.end as usize).min(text.len()));
    let mut out = Vec::new();
    while start < end {
        let Some(rest) = text.get(start..end) else { break };
        let (mut piece_end, next) = match rest.find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (end, end),
        };
        if piece_end > start && text.as_bytes().get(piece_end - 1) == Some(&b'\r') {
            piece_end -= 1;
        }
        if piece_end > start {
            out.push(Span::new(start, piece_end));
        }
        start = next;
    }
    out
}

/// Delta-encodes tokens: in order, one line each, never overlapping.
pub fn encode(map: &LineMap<'_>, tokens: &[ide::SemanticToken]) -> Vec<SemanticToken> {
    let mut sorted: Vec<&ide::SemanticToken> = tokens.iter().collect();
    sorted.sort_by_key(|t| (t.span.start, t.span.end));
    let mut out = Vec::with_capacity(sorted.len());
    let mut previous = Position { line: 0, character: 0 };
    let mut covered_to = Position { line: 0, character: 0 };
    for t in sorted {
        let Some(token_type) = TokenType::ALL.iter().position(|x| *x == t.ty) else { continue };
        let mut modifiers = 0;
        if t.declaration {
            modifiers |= MODIFIER_DECLARATION;
        }
        if t.documentation {
            modifiers |= MODIFIER_DOCUMENTATION;
        }
        for piece in line_pieces(map.text(), t.span) {
            let start = map.position(piece.start);
            let end = map.position(piece.end);
            if end.line != start.line || end.character <= start.character {
                continue;
            }
            if (start.line, start.character) < (covered_to.line, covered_to.character) {
                continue;
            }
            let delta_line = start.line - previous.line;
            let delta_start = if delta_line == 0 { start.character - previous.character } else { start.character };
            out.push(SemanticToken {
                delta_line,
                delta_start,
                length: end.character - start.character,
                token_type: to_u32(token_type),
                token_modifiers_bitset: modifiers,
            });
            previous = start;
            covered_to = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_tokens_are_split_and_overlaps_dropped() {
        let text = "/* a\r\n 情報 */ x\n";
        let map = LineMap::new(text);
        let token = |start: usize, end: usize, ty| ide::SemanticToken {
            span: Span::new(start, end),
            ty,
            declaration: false,
            documentation: false,
        };
        let comment_end = text.find("*/").unwrap() + 2;
        let x = text.find('x').unwrap();
        let tokens = [
            token(0, comment_end, TokenType::Comment),
            token(1, 3, TokenType::Keyword),
            token(x, x + 1, TokenType::Variable),
        ];
        let data: Vec<(u32, u32, u32)> =
            encode(&map, &tokens).iter().map(|t| (t.delta_line, t.delta_start, t.length)).collect();
        assert_eq!(data, [(0, 0, 4), (1, 0, 6), (0, 7, 1)]);
    }
}
