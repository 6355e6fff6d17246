//! Name and type resolution shared by signature collection and body checking.

use std::sync::Arc;

use okite_ir::EnumId;

use super::signature::{ConstSig, EnumSig, FnSig, RecordSig, Signatures, signatures};
use super::ty::{Ty, builtin_type};
use crate::db::{Db, SourceFile};
use crate::diagnostics::{Code, Diagnostic};
use crate::names::{Def, DefKind, Scope, did_you_mean, file_scope, package_index};
use crate::syntax::ast::{TypeExpr, TypeExprKind};

/// Resolves names for one file.
pub(crate) struct Resolver<'db> {
    /// The database.
    pub db: &'db dyn Db,
    /// The file.
    pub file: SourceFile,
    /// Its path, for diagnostics.
    pub path: Arc<str>,
    /// Its scope.
    pub scope: &'db Scope,
}

impl<'db> Resolver<'db> {
    /// A resolver for `file`.
    pub fn new(db: &'db dyn Db, file: SourceFile) -> Resolver<'db> {
        Resolver { db, file, path: file.path(db).clone(), scope: file_scope(db, file) }
    }

    /// The file's package.
    pub fn package(&self) -> Option<&Arc<str>> {
        self.scope.package.as_ref()
    }

    /// The signatures of the file declaring `qname`.
    fn sigs_of(&self, qname: &str) -> Option<&'db Signatures> {
        let (package, name) = qname.rsplit_once('.')?;
        let def = package_index(self.db, self.db.workspace()).lookup(package, name).next()?;
        Some(signatures(self.db, def.file))
    }

    /// The record type called `qname`.
    pub fn record_sig(&self, qname: &str) -> Option<&'db RecordSig> {
        self.sigs_of(qname)?.record(qname)
    }

    /// The enum called `qname`.
    pub fn enum_sig(&self, qname: &str) -> Option<&'db EnumSig> {
        self.sigs_of(qname)?.enum_(qname)
    }

    /// The variant names of the enum called `qname`, read from its file's syntax tree (no
    /// dependency on any file's signatures).
    pub fn enum_variants_syntactic(&self, qname: &str) -> Option<Vec<String>> {
        let (package, name) = qname.rsplit_once('.')?;
        let def = package_index(self.db, self.db.workspace()).lookup(package, name).next()?;
        crate::parse(self.db, def.file).file.items.iter().find_map(|item| match &item.kind {
            crate::syntax::ast::ItemKind::Enum(e) if e.name.name == name => {
                Some(e.variants.iter().map(|(_, v)| v.name.clone()).collect())
            }
            _ => None,
        })
    }

    /// The function called `qname`.
    pub fn fn_sig(&self, qname: &str) -> Option<&'db FnSig> {
        self.sigs_of(qname)?.func(qname)
    }

    /// The constant called `qname`.
    pub fn const_sig(&self, qname: &str) -> Option<&'db ConstSig> {
        self.sigs_of(qname)?.constant(qname)
    }

    /// Stand-in for an enum id in signature constants; the linker replaces it.
    pub fn enum_placeholder(&self) -> EnumId {
        EnumId(u32::MAX)
    }

    /// The definitions `name` may denote.
    pub fn lookup(&self, name: &str) -> &'db [Def] {
        self.scope.get(name)
    }

    /// Resolves a dotted name to one definition of a type; reports problems.
    fn resolve_type_name(&self, t: &TypeExpr, diags: &mut Vec<Diagnostic>) -> Ty {
        let TypeExprKind::Named(path) = &t.kind else { return Ty::Error };
        let Some(last) = path.segments.last() else { return Ty::Error };
        if path.segments.len() == 1 {
            if let Some(b) = builtin_type(&last.name) {
                return b;
            }
            if matches!(last.name.as_str(), "list" | "set") {
                diags.push(
                    Diagnostic::error(
                        Code::BAD_TYPE,
                        &self.path,
                        t.span,
                        format!("`{}` needs an element type", last.name),
                    )
                    .with_label(format!("write `{}<T>`", last.name)),
                );
                return Ty::Error;
            }
        }
        let candidates: Vec<&Def> = if path.segments.len() == 1 {
            self.lookup(&last.name).iter().collect()
        } else {
            let package =
                path.segments[..path.segments.len() - 1].iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
            package_index(self.db, self.db.workspace()).lookup(&package, &last.name).collect()
        };
        let types: Vec<&Def> =
            candidates.iter().copied().filter(|d| d.kind.is_type() || d.kind == DefKind::Broken).collect();
        match types.as_slice() {
            [d] => match d.kind {
                DefKind::Record | DefKind::Facts => Ty::Record(d.qname.clone()),
                DefKind::Enum => Ty::Enum(d.qname.clone()),
                _ => Ty::Error,
            },
            [] => {
                let mut diag = Diagnostic::error(
                    Code::UNKNOWN_TYPE,
                    &self.path,
                    path.span,
                    format!("unknown type `{}`", path.joined()),
                )
                .with_label("not a built-in type, nor a `type` or `enum` in scope");
                if let Some(other) = candidates.first() {
                    diag = diag.with_note(format!("`{}` is a {}, not a type", last.name, other.kind.describe()));
                }
                let names = self
                    .scope
                    .names
                    .iter()
                    .filter(|(_, defs)| defs.iter().any(|d| d.kind.is_type()))
                    .map(|(n, _)| &**n)
                    .chain(["bool", "int", "decimal", "string", "date", "duration"]);
                if let Some(help) = did_you_mean(&last.name, names) {
                    diag = diag.with_help(help);
                }
                diags.push(diag);
                Ty::Error
            }
            many => {
                let from: Vec<String> = many.iter().map(|d| format!("`{}`", d.qname)).collect();
                diags.push(
                    Diagnostic::error(Code::AMBIGUOUS, &self.path, path.span, format!("`{}` is ambiguous", last.name))
                        .with_label(format!("could be {}", from.join(" or ")))
                        .with_help(ambiguity_help(&last.name, many.iter().copied())),
                );
                Ty::Error
            }
        }
    }

    /// Resolves a written type.
    pub fn resolve_type(&self, t: &TypeExpr, diags: &mut Vec<Diagnostic>) -> Ty {
        let base = match &t.kind {
            TypeExprKind::Named(_) => self.resolve_type_name(t, diags),
            TypeExprKind::List(inner) => Ty::List(Box::new(self.resolve_type(inner, diags))),
            TypeExprKind::Set(inner) => {
                let el = self.resolve_type(inner, diags);
                if !el.is_scalar() && !el.is_error() {
                    diags.push(
                        Diagnostic::error(
                            Code::SET_ELEMENT,
                            &self.path,
                            inner.span,
                            format!("a set cannot hold `{el}`"),
                        )
                        .with_label("sets hold scalars: bool, int, decimal, string, date, duration or an enum")
                        .with_help("use a `list` instead"),
                    );
                    Ty::Set(Box::new(Ty::Error))
                } else {
                    Ty::Set(Box::new(el))
                }
            }
        };
        if t.optional { base.optional() } else { base }
    }
}

/// The help for an ambiguous name: a selective import of its first candidate.
pub(crate) fn ambiguity_help<'a>(name: &str, candidates: impl IntoIterator<Item = &'a Def>) -> String {
    match candidates.into_iter().next().and_then(|d| d.qname.rsplit_once('.')) {
        Some((package, _)) => format!("import it from one package only, e.g. `import {package}.{{{name}}}`"),
        None => "import it from one package only: `import PACKAGE.{NAME}`".to_string(),
    }
}
