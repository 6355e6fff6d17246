//! The salsa database: inputs (one per source file, plus the set of files) and the
//! [`Database`] that owns them.
//!
//! Every other query lives next to the phase it belongs to; this module only defines the
//! inputs and the glue. Queries return their results (they do not accumulate), as in ruff/ty.

use std::sync::{Arc, Mutex};

use salsa::Setter as _;

/// One source file.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path as given (diagnostics show it verbatim).
    #[returns(ref)]
    pub path: Arc<str>,
    /// The text; invalid UTF-8 was replaced (see `utf8_error`).
    #[returns(ref)]
    pub text: Arc<str>,
    /// The byte offset of the first invalid UTF-8 sequence in the original bytes, if any.
    #[returns(copy)]
    pub utf8_error: Option<u32>,
}

/// A WebAssembly plugin module (`.wasm` binary or `.wat` text), as bytes.
#[salsa::input(debug)]
pub struct PluginFile {
    /// The path as given.
    #[returns(ref)]
    pub path: Arc<str>,
    /// The contents.
    #[returns(ref)]
    pub bytes: Arc<[u8]>,
}

/// The set of files compiled together: a policy set and the standard library.
#[salsa::input(debug)]
pub struct Workspace {
    /// Files, sorted by path so that every ordering derived from them is deterministic.
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    /// Plugin modules, sorted by path.
    #[returns(ref)]
    pub plugins: Vec<PluginFile>,
}

/// The database interface queries are written against.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The workspace input.
    fn workspace(&self) -> Workspace;
}

/// Records which queries salsa executed, for tests that prove incrementality.
#[derive(Clone, Default, Debug)]
pub struct ExecutionLog(Arc<Mutex<Option<Vec<String>>>>);

impl ExecutionLog {
    /// Starts (or restarts) recording.
    pub fn start(&self) {
        if let Ok(mut log) = self.0.lock() {
            *log = Some(Vec::new());
        }
    }

    /// Stops recording and returns the queries executed since [`ExecutionLog::start`], each as
    /// `query_name(Id(…))`.
    pub fn take(&self) -> Vec<String> {
        self.0.lock().ok().and_then(|mut log| log.take()).unwrap_or_default()
    }

    fn record(&self, entry: String) {
        if let Ok(mut log) = self.0.lock()
            && let Some(log) = log.as_mut()
        {
            log.push(entry);
        }
    }
}

/// The compiler's database.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    workspace: Option<Workspace>,
    log: ExecutionLog,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").finish_non_exhaustive()
    }
}

impl Database {
    fn empty() -> Self {
        let log = ExecutionLog::default();
        let sink = log.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                sink.record(format!("{database_key:?}"));
            }
        })));
        Database { storage, workspace: None, log }
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    fn workspace(&self) -> Workspace {
        match self.workspace {
            Some(ws) => ws,
            // A workspace is created by `Database::new`/`set_files`; reaching here would be a bug
            // in how the database was constructed.
            None => unreachable!("the database has no workspace; create it with Database::new"),
        }
    }
}

/// A file's path and contents, as handed to the database.
#[derive(Clone, Debug)]
pub struct FileInput {
    /// The path, as it should appear in diagnostics.
    pub path: String,
    /// The raw bytes (validated as UTF-8 here, so a bad file is a diagnostic, not an IO error).
    pub bytes: Vec<u8>,
}

impl FileInput {
    /// A file from text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> FileInput {
        FileInput { path: path.into(), bytes: text.into().into_bytes() }
    }
}

/// Whether a path names a plugin module rather than Okite source.
pub fn is_plugin_path(path: &str) -> bool {
    path.ends_with(".wasm") || path.ends_with(".wat")
}

fn decode(bytes: Vec<u8>) -> (Arc<str>, Option<u32>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s.into(), None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (text.into(), Some(u32::try_from(at).unwrap_or(u32::MAX)))
        }
    }
}

impl Database {
    /// A database holding `files` and the standard library.
    pub fn new(files: Vec<FileInput>) -> Database {
        let mut db = Database::empty();
        db.set_files(files);
        db
    }

    /// Replaces the set of files. Files whose path and text are unchanged keep their salsa
    /// input, so nothing derived from them is recomputed. `.wasm` and `.wat` files are plugin
    /// modules.
    pub fn set_files(&mut self, files: Vec<FileInput>) {
        let (plugin_inputs, mut all): (Vec<FileInput>, Vec<FileInput>) =
            files.into_iter().partition(|f| is_plugin_path(&f.path));
        self.set_plugins(plugin_inputs);
        all.push(FileInput::new(crate::stdlib::STD_PATH, crate::stdlib::STD_SOURCE));
        all.sort_by(|a, b| a.path.cmp(&b.path));
        all.dedup_by(|a, b| a.path == b.path);
        let existing: Vec<SourceFile> = match self.workspace {
            Some(ws) => ws.files(self).clone(),
            None => Vec::new(),
        };
        let mut inputs = Vec::with_capacity(all.len());
        for f in all {
            let (text, utf8_error) = decode(f.bytes);
            let found = existing.iter().copied().find(|s| &**s.path(self) == f.path.as_str());
            let input = match found {
                Some(s) => {
                    if *s.text(self) != text {
                        s.set_text(self).to(text);
                    }
                    if s.utf8_error(self) != utf8_error {
                        s.set_utf8_error(self).to(utf8_error);
                    }
                    s
                }
                None => SourceFile::new(self, f.path.as_str().into(), text, utf8_error),
            };
            inputs.push(input);
        }
        match self.workspace {
            Some(ws) => {
                if *ws.files(self) != inputs {
                    ws.set_files(self).to(inputs);
                }
            }
            None => self.workspace = Some(Workspace::new(self, inputs, Vec::new())),
        }
    }

    fn set_plugins(&mut self, mut plugins: Vec<FileInput>) {
        plugins.sort_by(|a, b| a.path.cmp(&b.path));
        plugins.dedup_by(|a, b| a.path == b.path);
        let existing: Vec<PluginFile> = match self.workspace {
            Some(ws) => ws.plugins(self).clone(),
            None => Vec::new(),
        };
        let mut inputs = Vec::with_capacity(plugins.len());
        for p in plugins {
            let bytes: Arc<[u8]> = p.bytes.into();
            let input = match existing.iter().copied().find(|x| &**x.path(self) == p.path.as_str()) {
                Some(x) => {
                    if *x.bytes(self) != bytes {
                        x.set_bytes(self).to(bytes);
                    }
                    x
                }
                None => PluginFile::new(self, p.path.as_str().into(), bytes),
            };
            inputs.push(input);
        }
        match self.workspace {
            Some(ws) => {
                if *ws.plugins(self) != inputs {
                    ws.set_plugins(self).to(inputs);
                }
            }
            None => self.workspace = Some(Workspace::new(self, Vec::new(), inputs)),
        }
    }

    /// The plugin modules that `extern fn … from "…"` declarations name and the workspace does
    /// not hold, as resolved paths (relative to the current directory when the declaring files'
    /// paths are).
    pub fn missing_plugins(&self) -> Vec<String> {
        let ws = self.workspace();
        let held: Vec<&str> = ws.plugins(self).iter().map(|p| &**p.path(self)).collect();
        let mut missing: Vec<String> = Vec::new();
        for &f in ws.files(self) {
            for sig in &crate::sema::signatures(self, f).fns {
                if let Some(path) = &sig.plugin
                    && !held.contains(&&**path)
                    && !missing.iter().any(|m| **m == **path)
                {
                    missing.push(path.to_string());
                }
            }
        }
        missing.sort();
        missing
    }

    /// Adds the [missing plugins](Self::missing_plugins) that `read` supplies (the compiler does
    /// no IO itself); a module `read` cannot supply is reported where it is declared.
    pub fn load_plugins(&mut self, read: &mut dyn FnMut(&str) -> Option<Vec<u8>>) {
        let found: Vec<FileInput> = self
            .missing_plugins()
            .into_iter()
            .filter_map(|path| read(&path).map(|bytes| FileInput { path, bytes }))
            .collect();
        if found.is_empty() {
            return;
        }
        let ws = self.workspace();
        let mut all: Vec<FileInput> = ws
            .plugins(self)
            .iter()
            .map(|p| FileInput { path: p.path(self).to_string(), bytes: p.bytes(self).to_vec() })
            .collect();
        all.extend(found);
        self.set_plugins(all);
    }

    /// Replaces one file's text (adding the file if it is new).
    pub fn set_file_text(&mut self, path: &str, text: &str) {
        let file = self.file(path);
        match file {
            Some(f) => {
                if &**f.text(self) != text {
                    f.set_text(self).to(text.into());
                }
                if f.utf8_error(self).is_some() {
                    f.set_utf8_error(self).to(None);
                }
            }
            None => {
                let ws = self.workspace();
                let mut files = ws.files(self).clone();
                files.push(SourceFile::new(self, path.into(), text.into(), None));
                files.sort_by(|a, b| a.path(self).cmp(b.path(self)));
                ws.set_files(self).to(files);
            }
        }
    }

    /// Removes a file.
    pub fn remove_file(&mut self, path: &str) {
        let ws = self.workspace();
        let files: Vec<SourceFile> = ws.files(self).iter().copied().filter(|f| &**f.path(self) != path).collect();
        if files.len() != ws.files(self).len() {
            ws.set_files(self).to(files);
        }
    }

    /// The file with this path.
    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.workspace().files(self).iter().copied().find(|f| &**f.path(self) == path)
    }

    /// The text of the file with this path.
    pub fn source_text(&self, path: &str) -> Option<&str> {
        self.file(path).map(|f| &**f.text(self))
    }

    /// The log of executed queries.
    pub fn execution_log(&self) -> &ExecutionLog {
        &self.log
    }
}
