//! The server's mutable state: open documents, one compiler database per policy-set root, the
//! client's settings and capabilities. Every write to a database happens here, under the
//! state's mutex, in the order the client sent its notifications.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use okite_compiler::SourceFile;
use tower_lsp_server::ls_types::{FileChangeType, FileEvent, TextDocumentContentChangeEvent, Uri};

use crate::capabilities::ClientFlags;
use crate::convert::{db_path, file_path, path_string};
use crate::documents::{Document, apply_change};
use crate::roots::{self, Root};
use crate::settings::Settings;
use crate::snapshot::Snapshot;

/// The state, shared between the protocol handlers and the tasks they spawn.
pub type Shared = Arc<Mutex<State>>;

/// Locks the state. A panic while it was held (there should be none) leaves it usable: every
/// write to it is a whole edit.
pub fn lock(state: &Shared) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The server's state.
#[derive(Debug, Default)]
pub struct State {
    /// Open documents, by the client's URI.
    docs: HashMap<Uri, Document>,
    /// Policy sets being edited, by root key (the root directory's path, or an unsaved
    /// buffer's URI).
    roots: HashMap<String, Root>,
    /// The client's URI of each open document, by path (shared with snapshots).
    uris: Arc<HashMap<String, Uri>>,
    /// The workspace folders.
    folders: Vec<PathBuf>,
    /// The root found for each directory (cleared when files appear or disappear).
    root_of_dir: HashMap<PathBuf, PathBuf>,
    /// The client's settings.
    pub settings: Settings,
    /// What the client supports.
    pub client: ClientFlags,
    /// Debounced work waiting to run: the ticket of its last request, by key.
    pending: HashMap<String, u64>,
    /// The last debounce ticket handed out.
    tickets: u64,
}

impl State {
    /// Sets the workspace folders.
    pub fn set_folders(&mut self, folders: Vec<PathBuf>) {
        self.folders = folders;
        self.root_of_dir.clear();
    }

    /// Adds and removes workspace folders.
    pub fn change_folders(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) {
        self.folders.retain(|f| !removed.contains(f));
        self.folders.extend(added);
        self.root_of_dir.clear();
    }

    /// The workspace folder holding `path` (the innermost one).
    pub fn folder_of(&self, path: &Path) -> Option<&Path> {
        self.folders.iter().filter(|f| path.starts_with(f)).max_by_key(|f| f.components().count()).map(PathBuf::as_path)
    }

    /// The policy-set root of a file on disk.
    fn root_dir(&mut self, file: &Path) -> PathBuf {
        let dir = file.parent().map_or_else(|| file.to_path_buf(), Path::to_path_buf);
        if let Some(root) = self.root_of_dir.get(&dir) {
            return root.clone();
        }
        let bound = self.folder_of(file).map_or_else(|| dir.clone(), Path::to_path_buf);
        let open: HashMap<PathBuf, &str> =
            self.docs.values().map(|d| (PathBuf::from(&d.path), d.text.as_str())).collect();
        let root = roots::find_root(file, &bound, &|p: &Path| open.get(p).map(|t| (*t).to_string()));
        self.root_of_dir.insert(dir, root.clone());
        root
    }

    /// Opens a document; returns its root's key.
    pub fn open(&mut self, uri: Uri, version: i32, text: String) -> String {
        let path = db_path(&uri);
        let (key, dir) = match file_path(&uri) {
            Some(file) => {
                let dir = self.root_dir(&file);
                (path_string(&dir), Some(dir))
            }
            None => (path.clone(), None),
        };
        if !self.roots.contains_key(&key) {
            let mut files = dir.as_deref().map(roots::load).unwrap_or_default();
            // Open documents hold the editor's text, not the disk's.
            for f in &mut files {
                if let Some(doc) = self.docs.values().find(|d| d.path == f.path) {
                    f.bytes = doc.text.clone().into_bytes();
                }
            }
            let mut root = Root::new(dir, files);
            load_plugins(&mut root);
            self.roots.insert(key.clone(), root);
        }
        Arc::make_mut(&mut self.uris).insert(path.clone(), uri.clone());
        self.write(&path, &text, &key);
        self.docs.insert(uri, Document { version, text, path, root: key.clone() });
        key
    }

    /// Applies the client's changes to a document; returns its root's key (`None` for a
    /// document that is not open).
    pub fn change(&mut self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) -> Option<String> {
        let doc = self.docs.get_mut(uri)?;
        // INVARIANT (ordered-edits): changes apply in the order the client sent them. The
        // handler calls this before its first `.await`, and tower-lsp-server starts handlers
        // in the order messages arrive, so no later change can run first.
        for change in changes {
            apply_change(&mut doc.text, change);
        }
        doc.version = version;
        let (path, text, root) = (doc.path.clone(), doc.text.clone(), doc.root.clone());
        self.write(&path, &text, &root);
        Some(root)
    }

    /// Closes a document: its file goes back to the disk's text (or away, when there is
    /// none). Returns the keys of the roots that changed and whether the file is on disk.
    pub fn close(&mut self, uri: &Uri) -> (Vec<String>, bool) {
        let Some(doc) = self.docs.remove(uri) else { return (Vec::new(), true) };
        Arc::make_mut(&mut self.uris).remove(&doc.path);
        let on_disk = match file_path(uri).and_then(|p| std::fs::read(p).ok()) {
            Some(bytes) => {
                self.write(&doc.path, &String::from_utf8_lossy(&bytes), &doc.root);
                true
            }
            None => {
                self.remove(&doc.path, &doc.root);
                false
            }
        };
        (self.roots_holding(&doc.path, &doc.root), on_disk)
    }

    /// Applies changes to files on disk (open documents keep the editor's text); returns the
    /// keys of the roots that changed.
    pub fn files_changed(&mut self, events: &[FileEvent]) -> Vec<String> {
        let mut changed: Vec<String> = Vec::new();
        for event in events {
            let Some(file) = file_path(&event.uri) else { continue };
            if !roots::is_okite(&file) {
                continue;
            }
            if event.typ != FileChangeType::CHANGED {
                // A new or deleted file may move a root (a `facts` declaration appears or goes).
                self.root_of_dir.clear();
            }
            let path = path_string(&file);
            if self.docs.values().any(|d| d.path == path) {
                continue;
            }
            let keys: Vec<String> =
                self.roots.iter().filter(|(_, r)| r.covers(&path)).map(|(k, _)| k.clone()).collect();
            let bytes = if event.typ == FileChangeType::DELETED { None } else { std::fs::read(&file).ok() };
            for key in keys {
                if let Some(root) = self.roots.get_mut(&key) {
                    match &bytes {
                        Some(b) => root.db.set_file_text(&path, &String::from_utf8_lossy(b)),
                        None => root.db.remove_file(&path),
                    }
                }
                if !changed.contains(&key) {
                    changed.push(key);
                }
            }
        }
        changed
    }

    /// The keys of the roots holding a file: those whose sources cover it, and its own.
    fn roots_holding(&self, path: &str, own: &str) -> Vec<String> {
        self.roots.iter().filter(|(k, r)| k.as_str() == own || r.covers(path)).map(|(k, _)| k.clone()).collect()
    }

    /// Writes a file's text to every database holding it.
    fn write(&mut self, path: &str, text: &str, own: &str) {
        // Only a file declaring `extern fn` can name a plugin module not loaded yet.
        let may_name_plugins = text.lines().any(|l| l.trim_start().starts_with("extern "));
        for key in self.roots_holding(path, own) {
            if let Some(root) = self.roots.get_mut(&key) {
                root.db.set_file_text(path, text);
                if may_name_plugins {
                    load_plugins(root);
                }
            }
        }
    }

    /// Removes a file from every database holding it.
    fn remove(&mut self, path: &str, own: &str) {
        for key in self.roots_holding(path, own) {
            if let Some(root) = self.roots.get_mut(&key) {
                root.db.remove_file(path);
            }
        }
    }

    /// A snapshot of the database an open document is compiled in, and the document's file.
    pub fn snapshot(&self, uri: &Uri) -> Option<(Snapshot, SourceFile)> {
        let doc = self.docs.get(uri)?;
        let root = self.roots.get(&doc.root)?;
        let file = root.db.file(&doc.path)?;
        Some((Snapshot { db: root.db.clone(), uris: self.uris.clone() }, file))
    }

    /// Snapshots of every database.
    pub fn snapshots(&self) -> Vec<Snapshot> {
        self.roots.values().map(|r| Snapshot { db: r.db.clone(), uris: self.uris.clone() }).collect()
    }

    /// An open document.
    pub fn document(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    /// A root.
    pub fn root(&self, key: &str) -> Option<&Root> {
        self.roots.get(key)
    }

    /// A root, to update what was published.
    pub fn root_mut(&mut self, key: &str) -> Option<&mut Root> {
        self.roots.get_mut(key)
    }

    /// The directories of the roots nested in `key`'s: their files are theirs to publish.
    pub fn nested_roots(&self, key: &str) -> Vec<PathBuf> {
        let Some(dir) = self.roots.get(key).and_then(|r| r.dir.clone()) else { return Vec::new() };
        self.roots.values().filter_map(|r| r.dir.clone()).filter(|d| d != &dir && d.starts_with(&dir)).collect()
    }

    /// A ticket for debounced work under `key`: it is due if no later ticket for the same key
    /// was taken by the time it is presented to [`State::debounce_due`].
    pub fn debounce_ticket(&mut self, key: &str) -> u64 {
        self.tickets += 1;
        self.pending.insert(key.to_string(), self.tickets);
        self.tickets
    }

    /// Whether the work of `ticket` is due (and then it is no longer pending).
    pub fn debounce_due(&mut self, key: &str, ticket: u64) -> bool {
        let due = self.pending.get(key) == Some(&ticket);
        if due {
            self.pending.remove(key);
        }
        due
    }

    /// The client's URI of each open document, by path.
    pub fn uris(&self) -> Arc<HashMap<String, Uri>> {
        self.uris.clone()
    }

    /// The version and root of every open document, by path.
    pub fn open_versions(&self) -> HashMap<String, (i32, String)> {
        self.docs.values().map(|d| (d.path.clone(), (d.version, d.root.clone()))).collect()
    }
}

/// Reads the plugin modules (`extern fn … from "p.wasm"`) the root's sources name and its
/// database lacks; a module that cannot be read is a diagnostic where it is named. Paths are
/// absolute: the declaring files' paths are.
fn load_plugins(root: &mut Root) {
    // The signatures this reads are queries; a bug in one must not take the server down.
    let _ = catch_unwind(AssertUnwindSafe(|| root.db.load_plugins(&mut |path| std::fs::read(path).ok())));
}
