//! What the server offers (its capabilities, the semantic tokens legend) and what it uses of
//! the client's.

use okite_compiler::ide::TokenType;
use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, FoldingRangeProviderCapability, HoverProviderCapability, OneOf, PositionEncodingKind,
    RenameOptions, SaveOptions, SemanticTokenModifier, SemanticTokenType, SemanticTokensFullOptions,
    SemanticTokensLegend, SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities,
    SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkDoneProgressOptions, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};

/// What the server uses of the client's capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientFlags {
    /// Completion items may be snippets.
    pub snippets: bool,
    /// Document symbols may nest.
    pub hierarchical_symbols: bool,
    /// The server may register a file watcher.
    pub watch_files: bool,
    /// The server may ask for settings (`workspace/configuration`).
    pub configuration: bool,
    /// The server may ask the client to refresh code lenses.
    pub code_lens_refresh: bool,
}

impl ClientFlags {
    /// The flags of a client's capabilities.
    pub fn of(caps: &ClientCapabilities) -> ClientFlags {
        let text = caps.text_document.as_ref();
        let workspace = caps.workspace.as_ref();
        ClientFlags {
            snippets: text
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            watch_files: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
        }
    }
}

/// The LSP name of a semantic token type. Rules and constants have no standard type: they get
/// their own names (an editor extension may map them with `semanticTokenTypes` super types).
fn token_type_name(ty: TokenType) -> SemanticTokenType {
    match ty {
        TokenType::Keyword => SemanticTokenType::KEYWORD,
        TokenType::Type => SemanticTokenType::TYPE,
        TokenType::Enum => SemanticTokenType::ENUM,
        TokenType::EnumMember => SemanticTokenType::ENUM_MEMBER,
        TokenType::Function => SemanticTokenType::FUNCTION,
        TokenType::Variable => SemanticTokenType::VARIABLE,
        TokenType::Parameter => SemanticTokenType::PARAMETER,
        TokenType::Property => SemanticTokenType::PROPERTY,
        TokenType::Constant => SemanticTokenType::new("constant"),
        TokenType::Rule => SemanticTokenType::new("rule"),
        TokenType::String => SemanticTokenType::STRING,
        TokenType::Number => SemanticTokenType::NUMBER,
        TokenType::Comment => SemanticTokenType::COMMENT,
        TokenType::Operator => SemanticTokenType::OPERATOR,
        TokenType::Namespace => SemanticTokenType::NAMESPACE,
    }
}

/// Bit of the `declaration` modifier.
pub const MODIFIER_DECLARATION: u32 = 1;
/// Bit of the `documentation` modifier.
pub const MODIFIER_DOCUMENTATION: u32 = 2;

/// The semantic tokens legend: token types in [`TokenType::ALL`] order, so a type's index in
/// the legend is its index there.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TokenType::ALL.iter().map(|t| token_type_name(*t)).collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION, SemanticTokenModifier::DOCUMENTATION],
    }
}

/// The server's capabilities.
pub fn server_capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            will_save: None,
            will_save_wait_until: None,
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions { include_text: Some(false) })),
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([".", "\"", "?"].map(String::from).to_vec()),
            resolve_provider: Some(false),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(["(", ","].map(String::from).to_vec()),
            retrigger_characters: None,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}
