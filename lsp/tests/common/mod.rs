//! The in-process client the server's tests drive it with: requests and notifications go
//! straight into the `LspService` (no stdio), messages from the server come out of its client
//! socket. Server-to-client requests (`client/registerCapability`, `workspace/configuration`,
//! refreshes) are answered as a plain client would; notifications are kept for the test.

#![allow(dead_code, reason = "each test binary uses part of the helper")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use okite_lsp::Backend;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service as _, ServiceExt as _};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::{Error, Request, Response};
use tower_lsp_server::ls_types::Uri;

/// How long any one answer may take before the test fails (a hang is a failure).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs an async test on the server's own runtime (its thread stacks).
pub fn run<F: Future<Output = ()>>(test: F) {
    okite_lsp::runtime().expect("a runtime").block_on(test);
}

/// The repository's Hachioji policy set.
pub fn hachioji() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies/hachioji")
}

/// A scratch directory, removed when dropped.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh scratch directory.
pub fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("okite-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    Scratch(dir)
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("a readable directory") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

/// Where a copy of the Hachioji policy set is, in its workspace folder.
pub const HACHIOJI: &str = "policies/hachioji";

/// A copy of the Hachioji policy set in a scratch directory (the workspace folder, returned),
/// laid out as in the repository so the plugin modules it names are found.
pub fn hachioji_copy(name: &str) -> Scratch {
    let dir = scratch(name);
    copy_tree(&hachioji(), &dir.join(HACHIOJI));
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    if plugins.is_dir() {
        copy_tree(&plugins, &dir.join("plugins"));
    }
    dir
}

/// The URI of a file.
pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path).expect("an absolute path").as_str().to_string()
}

/// A client connected to a server in process.
pub struct Client {
    service: LspService<Backend>,
    next_id: i64,
    /// Notifications from the server, in order.
    inbox: mpsc::UnboundedReceiver<Request>,
    /// The versions of the documents this client opened, by URI.
    pub versions: std::collections::HashMap<String, i32>,
    /// The server's answer to `initialize`.
    pub initialized: Value,
    /// Diagnostics published and not yet looked at, in order.
    published: Vec<Value>,
}

impl Client {
    /// A server, initialized with `folder` as workspace folder and `settings` as the `okite`
    /// settings (answered to `workspace/configuration` too).
    pub async fn start(folder: &Path, settings: Value) -> Client {
        let (service, socket) = okite_lsp::service();
        let (mut requests, mut responses) = socket.split();
        let (tx, inbox) = mpsc::unbounded_channel();
        let answer = settings.clone();
        tokio::spawn(async move {
            while let Some(request) = requests.next().await {
                if let Some(id) = request.id().cloned() {
                    let result = match request.method() {
                        "workspace/configuration" => json!([answer]),
                        _ => Value::Null,
                    };
                    if responses.send(Response::from_ok(id, result)).await.is_err() {
                        break;
                    }
                }
                if tx.send(request).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            service,
            next_id: 0,
            inbox,
            versions: Default::default(),
            initialized: Value::Null,
            published: Vec::new(),
        };
        let capabilities = json!({
            "workspace": {
                "configuration": true,
                "didChangeWatchedFiles": { "dynamicRegistration": true },
                "codeLens": { "refreshSupport": true },
                "workspaceFolders": true
            },
            "textDocument": {
                "completion": { "completionItem": { "snippetSupport": true } },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
                "publishDiagnostics": { "versionSupport": true }
            }
        });
        let init = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "capabilities": capabilities,
                    "workspaceFolders": [{ "uri": uri(folder), "name": "ws" }],
                    "initializationOptions": settings,
                }),
            )
            .await;
        client.initialized = init.unwrap_or_else(|e| panic!("initialize: {e:?}"));
        client.notify("initialized", json!({})).await;
        client
    }

    /// Sends a request and returns its result.
    pub async fn request(&mut self, method: &'static str, params: Value) -> Result<Value, Error> {
        self.next_id += 1;
        let request = Request::build(method).id(self.next_id).params(params).finish();
        let response = tokio::time::timeout(TIMEOUT, async {
            let service = self.service.ready().await.expect("the server is running");
            service.call(request).await.expect("the server is running")
        })
        .await
        .unwrap_or_else(|_| panic!("no answer to {method} within {TIMEOUT:?}"));
        let response = response.unwrap_or_else(|| panic!("no response to {method}"));
        response.into_parts().1
    }

    /// Sends a request that must succeed.
    pub async fn ask(&mut self, method: &'static str, params: Value) -> Value {
        match self.request(method, params).await {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e:?}"),
        }
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let notification = Request::build(method).params(params).finish();
        let service = self.service.ready().await.expect("the server is running");
        let answer = tokio::time::timeout(TIMEOUT, service.call(notification)).await;
        assert!(matches!(answer, Ok(Ok(None))), "{method}: {answer:?}");
    }

    /// Opens a document (version 1) with the text of the file at `path`, or `text`.
    pub async fn open(&mut self, path: &Path, text: Option<&str>) -> String {
        let text = match text {
            Some(t) => t.to_string(),
            None => std::fs::read_to_string(path).expect("a readable file"),
        };
        let uri = uri(path);
        self.versions.insert(uri.clone(), 1);
        let item = json!({ "uri": uri, "languageId": "okite", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": item })).await;
        uri
    }

    /// Sends changes to a document (the next version); returns that version.
    pub async fn change(&mut self, uri: &str, changes: Value) -> i32 {
        let version = self.versions.get(uri).copied().unwrap_or(0) + 1;
        self.versions.insert(uri.to_string(), version);
        let params = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes });
        self.notify("textDocument/didChange", params).await;
        version
    }

    /// Replaces a document's whole text; returns the new version.
    pub async fn replace(&mut self, uri: &str, text: &str) -> i32 {
        self.change(uri, json!([{ "text": text }])).await
    }

    /// Closes a document.
    pub async fn close(&mut self, uri: &str) {
        self.versions.remove(uri);
        self.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })).await;
    }

    /// The next notification the server sends (of any kind).
    pub async fn next_notification(&mut self) -> Request {
        tokio::time::timeout(TIMEOUT, self.inbox.recv())
            .await
            .unwrap_or_else(|_| panic!("no message from the server within {TIMEOUT:?}"))
            .expect("the server is running")
    }

    /// The diagnostics published for `uri` with `version` (`None`: published for a closed
    /// file, without version), waiting for them if need be. Publications for other documents
    /// are kept for later calls; earlier ones for this document are dropped.
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i32>) -> Vec<Value> {
        let matches = |params: &Value| {
            params["uri"] == uri && params.get("version").and_then(Value::as_i64) == version.map(i64::from)
        };
        loop {
            if let Some(i) = self.published.iter().position(&matches) {
                let found = self.published.remove(i);
                self.published.retain(|p| p["uri"] != uri);
                return found["diagnostics"].as_array().cloned().unwrap_or_default();
            }
            let message = self.next_notification().await;
            if message.method() == "textDocument/publishDiagnostics" {
                self.published.push(message.params().cloned().unwrap_or(Value::Null));
            }
        }
    }

    /// Drops the notifications received so far.
    pub fn drain(&mut self) {
        while self.inbox.try_recv().is_ok() {}
        self.published.clear();
    }
}

/// A position as LSP counts it (zero-based line, UTF-16 column) of a byte offset.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// The position just after the first occurrence of `needle` (at its start with `at_start`).
pub fn position_of(text: &str, needle: &str, at_start: bool) -> Value {
    let i = text.find(needle).unwrap_or_else(|| panic!("`{needle}` is in the text"));
    position(text, if at_start { i } else { i + needle.len() })
}

/// The parameters of a request at a position in a document.
pub fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

/// The lines of a text (ended by `\n` or `\r\n`), each's length in UTF-16 units.
pub fn line_lengths(text: &str) -> Vec<u32> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let last = lines.pop().unwrap_or_default();
    let mut out: Vec<u32> =
        lines.iter().map(|l| l.strip_suffix('\r').unwrap_or(l).encode_utf16().count() as u32).collect();
    out.push(last.encode_utf16().count() as u32);
    out
}

/// Whether an LSP range (JSON) lies within a text whose lines are `lines`, in order.
pub fn range_within(range: &Value, lines: &[u32]) -> bool {
    let point = |p: &Value| -> Option<(u32, u32)> {
        let line = u32::try_from(p.get("line")?.as_u64()?).ok()?;
        let character = u32::try_from(p.get("character")?.as_u64()?).ok()?;
        // The end of a line (before `\r\n`) or, at the last line, of the text.
        (character <= *lines.get(line as usize)?).then_some((line, character))
    };
    match (range.get("start").and_then(point), range.get("end").and_then(point)) {
        (Some(a), Some(b)) => a <= b,
        _ => false,
    }
}

/// Decodes delta-encoded semantic tokens to (line, start, length, type, modifiers).
pub fn decode_tokens(data: &[Value]) -> Vec<(u32, u32, u32, u32, u32)> {
    let numbers: Vec<u32> = data.iter().map(|v| v.as_u64().expect("a number") as u32).collect();
    let mut out = Vec::new();
    let (mut line, mut start) = (0u32, 0u32);
    for t in numbers.chunks(5) {
        let [delta_line, delta_start, length, ty, modifiers] = t else { panic!("tokens come in fives: {numbers:?}") };
        line += delta_line;
        start = if *delta_line == 0 { start + delta_start } else { *delta_start };
        out.push((line, start, *length, *ty, *modifiers));
    }
    out
}

/// Whether decoded semantic tokens are well-formed over a text: within its lines, in order,
/// not overlapping, of a type and modifiers the legend has.
pub fn tokens_well_formed(
    tokens: &[(u32, u32, u32, u32, u32)],
    lines: &[u32],
    legend_types: u32,
) -> Result<(), String> {
    let mut previous_end: Option<(u32, u32)> = None;
    for &(line, start, length, ty, modifiers) in tokens {
        let Some(&len) = lines.get(line as usize) else { return Err(format!("token on line {line} past the end")) };
        if length == 0 || start + length > len {
            return Err(format!("token {line}:{start}+{length} outside its line of {len}"));
        }
        if ty >= legend_types || modifiers > 3 {
            return Err(format!("token type {ty} / modifiers {modifiers} not in the legend"));
        }
        if previous_end.is_some_and(|(l, e)| l == line && start < e) {
            return Err(format!("token {line}:{start} overlaps the previous one"));
        }
        previous_end = Some((line, start + length));
    }
    Ok(())
}
