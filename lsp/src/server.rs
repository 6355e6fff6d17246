//! The protocol surface: [`Backend`] implements `tower_lsp_server::LanguageServer`.
//!
//! Notifications change the state synchronously, before their first `.await`, so they apply
//! in the order the client sent them (see the ordered-edits invariant in `state.rs`); then
//! they schedule diagnostics. Requests take a snapshot of the document's database under the
//! state's lock and run their handler on a blocking thread (`snapshot.rs`); a request about a
//! document that is not open answers null (or an empty list).

use std::sync::Arc;

use okite_compiler::SourceFile;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, CodeLens, CodeLensParams, CompletionParams, CompletionResponse,
    ConfigurationItem, DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentFormattingParams, DocumentRangeFormattingParams,
    DocumentSymbolParams, DocumentSymbolResponse, FileSystemWatcher, FoldingRange, FoldingRangeParams, GlobPattern,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams, InitializeParams, InitializeResult,
    InitializedParams, Location, MessageType, PrepareRenameResponse, ReferenceParams, Registration, RenameParams,
    SemanticTokensParams, SemanticTokensResult, ServerInfo, SignatureHelp, SignatureHelpParams, SymbolInformation,
    TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::capabilities::{ClientFlags, server_capabilities};
use crate::convert::file_path;
use crate::diagnostics;
use crate::handlers::{
    code_actions, code_lens, completion, folding, formatting, hover, navigation, rename, semantic_tokens,
    signature_help, symbols,
};
use crate::sample::Evaluations;
use crate::snapshot::{self, Snapshot};
use crate::state::{Shared, lock};

/// The language server.
#[derive(Debug)]
pub struct Backend {
    client: Client,
    state: Shared,
    evaluations: Arc<Evaluations>,
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client) -> Backend {
        Backend { client, state: Shared::default(), evaluations: Arc::default() }
    }

    /// Runs `read` on a snapshot of the database of the document at `uri`; `unknown` when the
    /// document is not open.
    async fn read<R: Send + 'static>(
        &self,
        uri: &Uri,
        unknown: R,
        read: impl FnOnce(&Snapshot, SourceFile) -> R + Send + 'static,
    ) -> Result<R> {
        let Some((snap, file)) = lock(&self.state).snapshot(uri) else { return Ok(unknown) };
        snapshot::run(move || read(&snap, file)).await
    }

    fn flags(&self) -> ClientFlags {
        lock(&self.state).client
    }

    /// Asks the client to show code lenses again (their evaluation may have changed).
    fn refresh_code_lenses(&self) {
        if self.flags().code_lens_refresh {
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = client.code_lens_refresh().await;
            });
        }
    }

    /// Asks the client for the `okite` settings; refreshes code lenses if they changed.
    fn pull_settings(&self) {
        let (client, state) = (self.client.clone(), self.state.clone());
        let refresh = self.flags().code_lens_refresh;
        tokio::spawn(async move {
            let item = ConfigurationItem { scope_uri: None, section: Some("okite".into()) };
            let Ok(values) = client.configuration(vec![item]).await else { return };
            let changed = values.first().is_some_and(|v| lock(&state).settings.update(v));
            if changed && refresh {
                let _ = client.code_lens_refresh().await;
            }
        });
    }

    /// Registers the watcher of `.okite` files.
    fn watch_sources(&self) {
        let client = self.client.clone();
        tokio::spawn(async move {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.okite".into()),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "okite-sources".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(e) = client.register_capability(vec![registration]).await {
                client.log_message(MessageType::WARNING, format!("cannot watch .okite files: {}", e.message)).await;
            }
        });
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let mut s = lock(&self.state);
        s.client = ClientFlags::of(&params.capabilities);
        let folders: Vec<_> = match &params.workspace_folders {
            Some(folders) => folders.iter().filter_map(|f| file_path(&f.uri)).collect(),
            #[allow(deprecated, reason = "older clients give only a root URI")]
            None => params.root_uri.as_ref().and_then(file_path).into_iter().collect(),
        };
        s.set_folders(folders);
        if let Some(options) = &params.initialization_options {
            s.settings.update(options);
        }
        Ok(InitializeResult {
            capabilities: server_capabilities(),
            server_info: Some(ServerInfo { name: "okite".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let flags = self.flags();
        if flags.watch_files {
            self.watch_sources();
        }
        if flags.configuration {
            self.pull_settings();
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let key = doc.uri.as_str().to_string();
        let root = lock(&self.state).open(doc.uri, doc.version, doc.text);
        diagnostics::schedule(&self.client, &self.state, key, root);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let root = lock(&self.state).change(&uri, params.text_document.version, params.content_changes);
        if let Some(root) = root {
            diagnostics::schedule(&self.client, &self.state, uri.as_str().to_string(), root);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let root = lock(&self.state).document(&uri).map(|d| d.root.clone());
        if let Some(root) = root {
            diagnostics::schedule(&self.client, &self.state, uri.as_str().to_string(), root);
            self.refresh_code_lenses();
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (roots, on_disk) = lock(&self.state).close(&uri);
        for root in roots {
            diagnostics::schedule(&self.client, &self.state, root.clone(), root);
        }
        if !on_disk {
            // Gone with its buffer: nothing will publish for it again.
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let roots = lock(&self.state).files_changed(&params.changes);
        if !roots.is_empty() {
            for root in roots {
                diagnostics::schedule(&self.client, &self.state, root.clone(), root);
            }
            self.refresh_code_lenses();
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let changed = lock(&self.state).settings.update_from_change(&params.settings);
        if changed {
            self.refresh_code_lenses();
        } else if self.flags().configuration {
            // Clients that pull send no settings with the notification.
            self.pull_settings();
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let added = params.event.added.iter().filter_map(|f| file_path(&f.uri)).collect();
        let removed: Vec<_> = params.event.removed.iter().filter_map(|f| file_path(&f.uri)).collect();
        lock(&self.state).change_folders(added, &removed);
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.read(&at.text_document.uri, None, move |snap, file| hover::hover(snap, file, at.position)).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.read(&at.text_document.uri, None, move |snap, file| navigation::definition(snap, file, at.position)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let declaration = params.context.include_declaration;
        self.read(&at.text_document.uri, None, move |snap, file| {
            Some(navigation::references(snap, file, at.position, declaration))
        })
        .await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri;
        self.read(&uri, Ok(None), move |snap, file| rename::prepare(snap, file, params.position)).await?
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let new_name = params.new_name;
        self.read(&at.text_document.uri, Ok(None), move |snap, file| rename::rename(snap, file, at.position, &new_name))
            .await?
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let snippets = self.flags().snippets;
        self.read(&at.text_document.uri, None, move |snap, file| {
            completion::completion(snap, file, at.position, snippets)
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        self.read(&at.text_document.uri, None, move |snap, file| {
            signature_help::signature_help(snap, file, at.position)
        })
        .await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let hierarchical = self.flags().hierarchical_symbols;
        self.read(&params.text_document.uri, None, move |snap, file| {
            symbols::document_symbols(snap, file, hierarchical)
        })
        .await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let snaps = lock(&self.state).snapshots();
        let found: Vec<SymbolInformation> =
            snapshot::run(move || symbols::workspace_symbols(&snaps, &params.query)).await?;
        Ok(Some(WorkspaceSymbolResponse::Flat(found)))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        self.read(&params.text_document.uri, None, |snap, file| Some(semantic_tokens::semantic_tokens(snap, file)))
            .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.read(&params.text_document.uri, None, |snap, file| Some(folding::folding_ranges(snap, file))).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.read(&uri, None, move |snap, file| Some(code_actions::code_actions(snap, file, &params))).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let sample = {
            let s = lock(&self.state);
            let Some(doc) = s.document(&uri) else { return Ok(None) };
            let root_dir = s.root(&doc.root).and_then(|r| r.dir.clone());
            let folder = file_path(&uri).and_then(|p| s.folder_of(&p).map(std::path::Path::to_path_buf));
            s.settings.sample_facility(folder.as_deref(), root_dir.as_deref())
        };
        let Some(collected) = self.read(&uri, None, |snap, file| Some(code_lens::collect(snap, file))).await? else {
            return Ok(None);
        };
        let evaluations = self.evaluations.clone();
        let lenses = snapshot::run(move || code_lens::finish(collected, sample, &evaluations, &uri)).await?;
        Ok(Some(lenses))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.format(&params.text_document.uri).await
    }

    async fn range_formatting(&self, params: DocumentRangeFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        // The formatter lays out whole files: a range gets the whole document's edit.
        self.format(&params.text_document.uri).await
    }
}

impl Backend {
    async fn format(&self, uri: &Uri) -> Result<Option<Vec<TextEdit>>> {
        let Some(text) = lock(&self.state).document(uri).map(|d| d.text.clone()) else { return Ok(None) };
        match snapshot::run(move || formatting::format(&text)).await? {
            Ok(edits) => Ok(edits),
            Err(why) => {
                self.client.log_message(MessageType::WARNING, format!("not formatted: {why}")).await;
                Ok(None)
            }
        }
    }
}
