//! Policy-set roots: which files are compiled together, and reading them from disk.
//!
//! The root of a file is the directory of its policy set: the nearest ancestor (within its
//! workspace folder) that has a `fixtures/` directory and declares the facts root (a line
//! starting with `facts `) in its subtree, as the VS Code extension and `docs/editor.md` have
//! it. Without `fixtures/`, the nearest ancestor whose subtree declares the facts root, widened
//! upwards while that adds no other facts root: the schema may sit in a subdirectory
//! (`model/`) of the policy set, whose rules are beside it. Else the file's own directory.
//! Every `.okite` file under a root is compiled with it, except under `target/`,
//! `node_modules/` and hidden directories (`.git/` among them). This is the only module of the
//! server that reads the file system for sources.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use okite_compiler::{Database, FileInput};
use tower_lsp_server::ls_types::Diagnostic;

use crate::convert::path_string;

/// A policy set being edited: its database and what was last published for its files.
#[derive(Debug)]
pub struct Root {
    /// Its directory; `None` for an unsaved buffer compiled alone.
    pub dir: Option<PathBuf>,
    /// The compiler's database: every source of the root (open documents with the editor's
    /// text) and the standard library.
    pub db: Database,
    /// The diagnostics last published, by path.
    pub published: HashMap<String, Published>,
}

/// Diagnostics as last published for one file.
#[derive(Debug, Default, PartialEq)]
pub struct Published {
    /// The document version they were published with (`None` for a closed file).
    pub version: Option<i32>,
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl Root {
    /// A root over `files`.
    pub fn new(dir: Option<PathBuf>, files: Vec<FileInput>) -> Root {
        Root { dir, db: Database::new(files), published: HashMap::new() }
    }

    /// Whether the file at `path` belongs to this root's sources on disk.
    pub fn covers(&self, path: &str) -> bool {
        self.dir.as_deref().is_some_and(|dir| is_source_under(dir, Path::new(path)))
    }
}

/// Directories never searched for sources (besides hidden ones).
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

fn skipped(name: &str) -> bool {
    name.starts_with('.') || SKIPPED_DIRS.contains(&name)
}

/// Whether `path` is a `.okite` file under `dir` and not inside a skipped directory.
pub fn is_source_under(dir: &Path, path: &Path) -> bool {
    let Ok(rest) = path.strip_prefix(dir) else { return false };
    let mut parts: Vec<Component<'_>> = rest.components().collect();
    let Some(Component::Normal(_)) = parts.pop() else { return false };
    is_okite(path) && parts.iter().all(|c| matches!(c, Component::Normal(n) if !skipped(&n.to_string_lossy())))
}

/// Whether a path names an Okite source.
pub fn is_okite(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "okite")
}

/// The `.okite` files under `dir`, sorted. Symbolic links to directories are not followed
/// (no cycles); unreadable directories are skipped.
fn sources(dir: &Path, skip: Option<&Path>, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if !skipped(&e.file_name().to_string_lossy()) && Some(path.as_path()) != skip {
                sources(&path, skip, out);
            }
        } else if is_okite(&path) {
            out.push(path);
        }
    }
}

/// Whether a source declares the facts root.
fn declares_facts(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("facts "))
}

/// The directory marking a policy set's root by convention (it holds the sample facility).
const FIXTURES: &str = "fixtures";

/// The policy-set root of `file` (see the module's documentation), not above `bound`.
/// `open_text` gives the editor's text of open files (it takes precedence over the disk's).
pub fn find_root(file: &Path, bound: &Path, open_text: &dyn Fn(&Path) -> Option<String>) -> PathBuf {
    let Some(dir) = file.parent() else { return file.to_path_buf() };
    let declares = |found: &[PathBuf]| {
        found.iter().any(|p| match open_text(p) {
            Some(text) => declares_facts(&text),
            None => std::fs::read(p).is_ok_and(|bytes| declares_facts(&String::from_utf8_lossy(&bytes))),
        })
    };
    // Each ancestor's subtree includes the previous one's: search only what is new.
    let mut searched: Option<&Path> = None;
    // INVARIANT: `root`'s subtree declares exactly one facts root (files may repeat it, the
    // compiler reports that), found while walking up.
    let mut root: Option<&Path> = None;
    for ancestor in dir.ancestors() {
        if !ancestor.starts_with(bound) || root.is_some_and(|r| r.join(FIXTURES).is_dir()) {
            break;
        }
        let mut found = Vec::new();
        sources(ancestor, searched, &mut found);
        match (root, declares(&found)) {
            (None, true) | (Some(_), false) => root = Some(ancestor),
            // Another policy set's facts: the one below is this file's.
            (Some(_), true) => break,
            (None, false) => {}
        }
        searched = Some(ancestor);
    }
    root.unwrap_or(dir).to_path_buf()
}

/// Every source under `dir`, read from disk (unreadable files are left out: the editor will
/// say why when they are opened).
pub fn load(dir: &Path) -> Vec<FileInput> {
    let mut found = Vec::new();
    sources(dir, None, &mut found);
    found
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|bytes| FileInput { path: path_string(&p), bytes }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("okite-lsp-roots-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_root_is_the_policy_set_declaring_facts() {
        let ws = scratch("find");
        write(&ws.join("policy/model/facility.okite"), "package m\n\nfacts Facility {\n}\n");
        write(&ws.join("policy/sections/s1.okite"), "package s\n");
        write(&ws.join("policy/target/old.okite"), "package old\n");
        write(&ws.join("policy/.hidden/h.okite"), "package h\n");
        write(&ws.join("lone/x.okite"), "package x\n");
        let none = |_: &Path| None;
        let section = ws.join("policy/sections/s1.okite");
        let model = ws.join("policy/model/facility.okite");
        // No fixtures: widened up to the workspace folder, which adds no other facts root.
        assert_eq!(find_root(&section, &ws, &none), ws);
        assert_eq!(find_root(&model, &ws, &none), ws);
        assert_eq!(find_root(&ws.join("lone/x.okite"), &ws, &none), ws);
        // `fixtures/` marks the policy set's directory: the schema's own files are compiled
        // with the rules beside them, not alone.
        std::fs::create_dir_all(ws.join("policy/fixtures")).unwrap();
        assert_eq!(find_root(&section, &ws, &none), ws.join("policy"));
        assert_eq!(find_root(&model, &ws, &none), ws.join("policy"));
        assert_eq!(find_root(&ws.join("lone/x.okite"), &ws, &none), ws);
        // Another facts root above stops the widening.
        write(&ws.join("other/facility.okite"), "package o\n\nfacts Other {\n}\n");
        let _ = std::fs::remove_dir_all(ws.join("policy/fixtures"));
        assert_eq!(find_root(&model, &ws, &none), ws.join("policy"));
        // Not above the bound: the file's own directory.
        assert_eq!(find_root(&ws.join("lone/x.okite"), &ws.join("lone"), &none), ws.join("lone"));
        // An open document's text counts, not the disk's.
        let open = |p: &Path| (p.ends_with("s1.okite")).then(|| "facts F {}\n".to_string());
        assert_eq!(find_root(&section, &ws, &open), ws.join("policy/sections"));

        let loaded: Vec<String> = load(&ws.join("policy")).into_iter().map(|f| f.path).collect();
        assert_eq!(loaded, [path_string(&ws.join("policy/model/facility.okite")), path_string(&section)]);
        assert!(is_source_under(&ws.join("policy"), &section));
        assert!(!is_source_under(&ws.join("policy"), &ws.join("policy/target/old.okite")));
        assert!(!is_source_under(&ws.join("policy"), &ws.join("policy/sections/notes.md")));
        let _ = std::fs::remove_dir_all(&ws);
    }
}
