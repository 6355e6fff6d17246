//! Diagnostics: the compiler's converted to LSP's, computed for a whole policy set after the
//! editor pauses, and published for each file whose diagnostics changed.
//!
//! After a change, a document's diagnostics wait [`DEBOUNCE`]; a later change restarts the
//! wait. Then every file of its policy set is checked on a snapshot (salsa recomputes only what
//! the edit touched), so errors an edit causes in other files, open or not, show too. A file's
//! diagnostics are published when they differ from what was last published for it, and an open
//! document's always when its version moved; an open document's only if its version is still
//! the one that was checked.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use okite_compiler::{Db as _, Level};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString, Uri};

use crate::convert::{LineMap, file_uri};
use crate::roots::Published;
use crate::snapshot::{self, Snapshot};
use crate::state::{Shared, lock};

/// How long diagnostics wait for the editor to pause.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// Converts one diagnostic of a file whose text `map` indexes.
pub fn to_lsp(snap: &Snapshot, map: &LineMap<'_>, d: &okite_compiler::Diagnostic) -> Diagnostic {
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            let file = label.file.as_deref().unwrap_or(&d.file);
            let location = snap.location(file, label.span)?;
            let message = if label.message.is_empty() { "related".to_string() } else { label.message.clone() };
            Some(DiagnosticRelatedInformation { location, message })
        })
        .collect();
    Diagnostic {
        range: map.range(d.primary.span),
        severity: Some(match d.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.id().to_string())),
        source: Some("okite".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

/// The diagnostics of every file of a snapshot, by path; `None` for files that are another
/// root's to publish (under a nested root, or open in another root).
fn compute(snap: &Snapshot, nested: &[PathBuf], elsewhere: &HashSet<String>) -> Vec<(String, Option<Vec<Diagnostic>>)> {
    let db = &snap.db;
    let mut out = Vec::new();
    for &file in db.workspace().files(db) {
        let path = file.path(db).to_string();
        if path.starts_with('<') {
            continue;
        }
        if elsewhere.contains(&path) || nested.iter().any(|n| std::path::Path::new(&path).starts_with(n)) {
            out.push((path, None));
            continue;
        }
        let found = db.file_diagnostics(file);
        let converted = if found.is_empty() {
            Vec::new()
        } else {
            let map = LineMap::new(file.text(db));
            found.iter().map(|d| to_lsp(snap, &map, d)).collect()
        };
        out.push((path, Some(converted)));
    }
    out
}

/// Publishes a root's diagnostics after [`DEBOUNCE`], unless `key` is scheduled again
/// meanwhile.
pub fn schedule(client: &Client, state: &Shared, key: String, root: String) {
    let ticket = lock(state).debounce_ticket(&key);
    let (client, state) = (client.clone(), state.clone());
    tokio::spawn(async move {
        tokio::time::sleep(DEBOUNCE).await;
        if lock(&state).debounce_due(&key, ticket) {
            publish(&client, &state, &root).await;
        }
    });
}

/// Checks every file of a root and publishes the diagnostics that changed.
pub async fn publish(client: &Client, state: &Shared, key: &str) {
    let (snap, checked, nested, elsewhere) = {
        let s = lock(state);
        let Some(root) = s.root(key) else { return };
        let snap = Snapshot { db: root.db.clone(), uris: s.uris() };
        let open = s.open_versions();
        let elsewhere: HashSet<String> = open.iter().filter(|(_, (_, r))| r != key).map(|(p, _)| p.clone()).collect();
        let checked: HashMap<String, i32> =
            open.into_iter().filter(|(_, (_, r))| r == key).map(|(p, (v, _))| (p, v)).collect();
        (snap, checked, s.nested_roots(key), elsewhere)
    };
    // Cancelled by a newer edit: that edit scheduled its own round.
    let Ok(computed) = snapshot::run(move || compute(&snap, &nested, &elsewhere)).await else { return };
    let updates = reconcile(state, key, computed, &checked);
    for (uri, diagnostics, version) in updates {
        client.publish_diagnostics(uri, diagnostics, version).await;
    }
}

/// Records what is to be published and returns it: the files whose diagnostics changed.
fn reconcile(
    state: &Shared,
    key: &str,
    computed: Vec<(String, Option<Vec<Diagnostic>>)>,
    checked: &HashMap<String, i32>,
) -> Vec<(Uri, Vec<Diagnostic>, Option<i32>)> {
    let mut s = lock(state);
    let open = s.open_versions();
    let uris = s.uris();
    let Some(root) = s.root_mut(key) else { return Vec::new() };
    let uri_of = |path: &str| uris.get(path).cloned().or_else(|| file_uri(path));
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (path, diagnostics) in computed {
        seen.insert(path.clone());
        let Some(diagnostics) = diagnostics else {
            root.published.remove(&path);
            continue;
        };
        let version = match (checked.get(&path), open.get(&path)) {
            // Still the version that was checked.
            (Some(v), Some((now, _))) if v == now => Some(*v),
            // Changed, closed or opened since: a later round publishes it.
            (Some(_), _) | (None, Some(_)) => continue,
            (None, None) => None,
        };
        let Some(uri) = uri_of(&path) else { continue };
        let next = Published { version, diagnostics };
        let entry = root.published.entry(path).or_default();
        if *entry != next {
            out.push((uri, next.diagnostics.clone(), version));
            *entry = next;
        }
    }
    // Files that left the policy set: clear what they showed.
    let gone: Vec<String> = root.published.keys().filter(|p| !seen.contains(*p)).cloned().collect();
    for path in gone {
        if let Some(previous) = root.published.remove(&path)
            && !previous.diagnostics.is_empty()
            && let Some(uri) = uri_of(&path)
        {
            out.push((uri, Vec::new(), None));
        }
    }
    out
}
