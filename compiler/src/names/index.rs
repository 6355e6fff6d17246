//! The package index (every declared name of every package) and per-file scopes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::summary::{DefKind, file_summary};
use crate::db::{Db, SourceFile, Workspace};
use crate::sema::QName;
use crate::stdlib::STD_PACKAGE;

/// A declared name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Def {
    /// The short name.
    pub name: Arc<str>,
    /// Its qualified name, `package.name`.
    pub qname: QName,
    /// What it is.
    pub kind: DefKind,
    /// The file declaring it.
    pub file: SourceFile,
}

/// Every package and the names declared in it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PackageIndex {
    /// Package name → its definitions, in file order then source order (duplicates kept, so
    /// the checker can report them).
    pub packages: BTreeMap<Arc<str>, Vec<Def>>,
    /// Package name → name → the same definitions, in the same order: every resolution of a
    /// qualified name looks here, so it must not cost a scan of the package.
    by_name: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Vec<Def>>>,
}

impl PackageIndex {
    /// The definitions called `name` in `package`.
    pub fn lookup<'a>(&'a self, package: &str, name: &str) -> impl Iterator<Item = &'a Def> + 'a {
        self.by_name.get(package).and_then(|names| names.get(name)).into_iter().flatten()
    }
}

/// The package index of the workspace.
#[salsa::tracked(returns(ref))]
pub fn package_index(db: &dyn Db, ws: Workspace) -> PackageIndex {
    let mut index = PackageIndex::default();
    for &file in ws.files(db) {
        let summary = file_summary(db, file);
        let Some(package) = &summary.package else { continue };
        let defs = index.packages.entry(package.clone()).or_default();
        let by_name = index.by_name.entry(package.clone()).or_default();
        for (name, kind) in &summary.items {
            let def = Def { name: name.clone(), qname: format!("{package}.{name}").into(), kind: *kind, file };
            by_name.entry(name.clone()).or_default().push(def.clone());
            defs.push(def);
        }
    }
    index
}

/// The names visible in a file, with the definitions each may denote. More than one
/// definition means the name is ambiguous where used.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Scope {
    /// The file's own package.
    pub package: Option<Arc<str>>,
    /// Name → candidates at the innermost level that has any (own package, then imports, then
    /// the standard library).
    pub names: BTreeMap<Arc<str>, Vec<Def>>,
}

impl Scope {
    /// The candidates for `name`.
    pub fn get(&self, name: &str) -> &[Def] {
        self.names.get(name).map_or(&[], Vec::as_slice)
    }

    /// Every visible name.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(|k| &**k)
    }
}

/// The scope of `file`.
#[salsa::tracked(returns(ref))]
pub fn file_scope(db: &dyn Db, file: SourceFile) -> Scope {
    let summary = file_summary(db, file);
    let index = package_index(db, db.workspace());
    let mut levels: [BTreeMap<Arc<str>, Vec<Def>>; 3] = Default::default();
    if let Some(own) = &summary.package {
        for d in index.packages.get(own).into_iter().flatten() {
            levels[0].entry(d.name.clone()).or_default().push(d.clone());
        }
    }
    for import in &summary.imports {
        if Some(&import.package) == summary.package.as_ref() {
            continue;
        }
        for d in index.packages.get(&import.package).into_iter().flatten() {
            let listed = import.names.as_ref().is_none_or(|ns| ns.contains(&d.name));
            let entry = levels[1].entry(d.name.clone()).or_default();
            if listed && !entry.contains(d) {
                entry.push(d.clone());
            }
        }
    }
    if summary.package.as_deref() != Some(STD_PACKAGE) {
        for d in index.packages.get(STD_PACKAGE).into_iter().flatten() {
            levels[2].entry(d.name.clone()).or_default().push(d.clone());
        }
    }
    let mut names: BTreeMap<Arc<str>, Vec<Def>> = BTreeMap::new();
    for level in levels {
        for (name, defs) in level {
            if !defs.is_empty() {
                names.entry(name).or_insert(defs);
            }
        }
    }
    // An own-package duplicate is reported where it is declared; in scope, the first wins.
    if let Some(own) = &summary.package {
        for defs in names.values_mut() {
            if defs.len() > 1 && defs.iter().all(|d| d.qname.starts_with(&format!("{own}.")[..])) {
                defs.truncate(1);
            }
        }
    }
    Scope { package: summary.package.clone(), names }
}

/// Every `facts` declaration of the workspace (exactly one is valid).
#[salsa::tracked(returns(ref))]
pub fn facts_roots(db: &dyn Db, ws: Workspace) -> Vec<Def> {
    let index = package_index(db, ws);
    index.packages.values().flatten().filter(|d| d.kind == DefKind::Facts).cloned().collect()
}

/// The clause ids of the workspace's guideline index, or `None` when it has none.
#[salsa::tracked(returns(ref))]
pub fn clause_ids(db: &dyn Db, ws: Workspace) -> Option<BTreeSet<Arc<str>>> {
    let mut ids = BTreeSet::new();
    for &file in ws.files(db) {
        ids.extend(file_summary(db, file).clauses.iter().cloned());
    }
    (!ids.is_empty()).then_some(ids)
}
