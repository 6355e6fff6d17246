//! Semantic tokens: the lexer's classification, refined by what the checker resolved each name
//! to (a field, a variant, a function, a rule, …).

use super::lexer::{TokenKind, tokenize};
use super::text;
use crate::db::{Db, SourceFile};
use crate::names::DefKind;
use crate::sema::{Symbol, check_file};
use crate::span::Span;

/// Token types, in the order the server advertises them (the legend).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// Keywords.
    Keyword,
    /// Record types.
    Type,
    /// Enums.
    Enum,
    /// Enum variants.
    EnumMember,
    /// Functions (user and built-in) and quantifiers.
    Function,
    /// Variables.
    Variable,
    /// Parameters.
    Parameter,
    /// Fields.
    Property,
    /// Constants.
    Constant,
    /// Rules.
    Rule,
    /// Strings.
    String,
    /// Numbers, dates and durations.
    Number,
    /// Comments.
    Comment,
    /// Operators.
    Operator,
    /// Package names.
    Namespace,
}

impl TokenType {
    /// Every type, in legend order.
    pub const ALL: [TokenType; 15] = [
        TokenType::Keyword,
        TokenType::Type,
        TokenType::Enum,
        TokenType::EnumMember,
        TokenType::Function,
        TokenType::Variable,
        TokenType::Parameter,
        TokenType::Property,
        TokenType::Constant,
        TokenType::Rule,
        TokenType::String,
        TokenType::Number,
        TokenType::Comment,
        TokenType::Operator,
        TokenType::Namespace,
    ];
}

/// A classified range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Where.
    pub span: Span,
    /// What.
    pub ty: TokenType,
    /// Whether it is a declaration.
    pub declaration: bool,
    /// Whether it is documentation (doc comments).
    pub documentation: bool,
}

const KEYWORDS: &[&str] = &[
    "package",
    "import",
    "type",
    "enum",
    "facts",
    "const",
    "fn",
    "rule",
    "test",
    "section",
    "key",
    "clause",
    "title",
    "severity",
    "tags",
    "when",
    "for",
    "in",
    "where",
    "unless",
    "let",
    "require",
    "else",
    "attest",
    "every",
    "by",
    "given",
    "from",
    "with",
    "expect",
    "passes",
    "fails",
    "not_applicable",
    "manual",
    "errors",
    "informative",
    "and",
    "or",
    "not",
    "if",
    "then",
    "true",
    "false",
    "none",
    "as_of",
    "list",
    "set",
    "critical",
    "high",
    "medium",
    "low",
    "info",
    "bool",
    "int",
    "decimal",
    "string",
    "date",
    "duration",
];

/// Every token of `file`, in order.
pub fn semantic_tokens(db: &dyn Db, file: SourceFile) -> Vec<SemanticToken> {
    let src = text(db, file);
    let index = &check_file(db, file).index;
    let mut resolved: Vec<(Span, TokenType, bool)> = index
        .refs
        .iter()
        .filter_map(|r| {
            let ty = match &r.symbol {
                Symbol::Item { kind, .. } => match kind {
                    DefKind::Record | DefKind::Facts => TokenType::Type,
                    DefKind::Enum => TokenType::Enum,
                    DefKind::Fn => TokenType::Function,
                    DefKind::Const => TokenType::Constant,
                    DefKind::Rule => TokenType::Rule,
                    DefKind::Broken => return None,
                },
                Symbol::Field { .. } => TokenType::Property,
                Symbol::Variant { .. } => TokenType::EnumMember,
                Symbol::Local { .. } => TokenType::Variable,
                Symbol::Builtin(_) => TokenType::Function,
                Symbol::Clause(_) => return None,
            };
            Some((r.span, ty, r.is_def))
        })
        .collect();
    resolved.sort_by_key(|(s, _, _)| s.start);
    let mut out = Vec::new();
    // Words on the rest of a `package`/`import` line name packages.
    let mut namespace_until = 0u32;
    for t in tokenize(&src) {
        let word = src.get(t.span.range()).unwrap_or("");
        let tok = |ty| SemanticToken { span: t.span, ty, declaration: false, documentation: false };
        match t.kind {
            TokenKind::Comment => out.push(tok(TokenType::Comment)),
            TokenKind::DocComment => out.push(SemanticToken { documentation: true, ..tok(TokenType::Comment) }),
            TokenKind::Str => out.push(tok(TokenType::String)),
            TokenKind::Number => out.push(tok(TokenType::Number)),
            TokenKind::Punct => {
                if matches!(
                    word,
                    "==" | "!=" | "<=" | ">=" | "<" | ">" | "??" | "?." | "+" | "-" | "*" | "/" | "%" | "|" | "&"
                ) {
                    out.push(tok(TokenType::Operator));
                }
            }
            TokenKind::Word => {
                let found = resolved.binary_search_by_key(&t.span.start, |(s, _, _)| s.start).ok().map(|i| resolved[i]);
                match found {
                    Some((span, ty, def)) if span == t.span => {
                        out.push(SemanticToken { span, ty, declaration: def, documentation: false });
                    }
                    _ if t.span.start < namespace_until => out.push(tok(TokenType::Namespace)),
                    _ if KEYWORDS.contains(&word) => out.push(tok(TokenType::Keyword)),
                    _ if matches!(word, "any" | "all" | "count" | "sum" | "min" | "max" | "filter" | "map") => {
                        out.push(tok(TokenType::Function));
                    }
                    _ => {}
                }
                if matches!(word, "package" | "import") {
                    let end = src
                        .get(t.span.end as usize..)
                        .and_then(|r| r.find('\n'))
                        .map_or(src.len(), |i| t.span.end as usize + i);
                    namespace_until = end as u32;
                }
            }
        }
    }
    out
}
