//! Checking package structure, constants, functions, the facts root and the guideline index.

use okite_ir::{ConstDef, Expr, ExprKind as IrKind, FnDef};

use super::{Checker, Context};
use crate::diagnostics::{Code, Diagnostic};
use crate::names::{did_you_mean, package_index};
use crate::sema::ty::Ty;
use crate::span::Span;
use crate::syntax::ast::{ConstDecl, ExternDecl, File, FnDecl, Ident, Item, ItemKind, SectionDecl};

impl Checker<'_> {
    pub(crate) fn check_package_and_imports(&mut self, file: &File) {
        let mut seen_package: Option<Span> = None;
        let mut first_item: Option<Span> = None;
        for item in &file.items {
            match &item.kind {
                ItemKind::Package(p) => {
                    if let Some(prev) = seen_package {
                        self.push(
                            Diagnostic::error(Code::PACKAGE, &self.r.path, p.span, "a file declares its package once")
                                .with_label("second `package`")
                                .with_secondary(prev, "first declared here"),
                        );
                    } else if let Some(before) = first_item {
                        self.push(
                            Diagnostic::error(Code::PACKAGE, &self.r.path, p.span, "`package` must come first")
                                .with_label("declared after other items")
                                .with_secondary(before, "this item comes before it"),
                        );
                    }
                    seen_package.get_or_insert(p.span);
                }
                ItemKind::Import(i) => {
                    first_item.get_or_insert(item.span);
                    self.check_import(i);
                }
                ItemKind::Error(_) => {}
                _ => {
                    first_item.get_or_insert(item.span);
                }
            }
        }
        if seen_package.is_none() && !file.items.is_empty() {
            let at =
                file.items.first().map_or(Span::default(), |i| Span::new(i.span.start as usize, i.span.start as usize));
            self.push(
                Diagnostic::error(Code::PACKAGE, &self.r.path, at, "missing `package` declaration")
                    .with_label("expected `package NAME` before this")
                    .with_help("start the file with `package NAME`, e.g. `package hachioji.s14_id_password`"),
            );
        }
    }

    fn check_import(&mut self, import: &crate::syntax::ast::Import) {
        let index = package_index(self.r.db, self.r.db.workspace());
        let package = import.package.joined();
        let Some(defs) = index.packages.get(package.as_str()) else {
            let mut d = Diagnostic::error(
                Code::UNRESOLVED_IMPORT,
                &self.r.path,
                import.package.span,
                format!("no package `{package}`"),
            )
            .with_label("not declared by any file of the policy set");
            if let Some(h) = did_you_mean(&package, index.packages.keys().map(|k| &**k)) {
                d = d.with_help(h);
            }
            self.push(d);
            return;
        };
        for name in import.names.iter().flatten() {
            if !defs.iter().any(|d| *d.name == *name.name) {
                let mut d = Diagnostic::error(
                    Code::UNRESOLVED_IMPORT,
                    &self.r.path,
                    name.span,
                    format!("`{package}` has no `{}`", name.name),
                )
                .with_label("not declared in that package");
                if let Some(h) = did_you_mean(&name.name, defs.iter().map(|d| &*d.name)) {
                    d = d.with_help(h);
                }
                self.push(d);
            }
        }
    }

    /// Reports a second definition of the same name in the package.
    pub(crate) fn check_duplicate(&mut self, name: &Ident, item: &Item) {
        if name.name.is_empty() {
            return;
        }
        let Some(package) = self.r.package().cloned() else { return };
        let index = package_index(self.r.db, self.r.db.workspace());
        let defs: Vec<_> = index.lookup(&package, &name.name).collect();
        if defs.len() < 2 {
            return;
        }
        // Report at every definition but the first (by file order, then source order).
        let first = defs[0];
        if first.file == self.r.file && self.first_decl_span(&name.name) == Some(name.span) {
            return;
        }
        let mut d = Diagnostic::error(
            Code::DUPLICATE,
            &self.r.path,
            name.span,
            format!("`{}` is defined more than once in `{package}`", name.name),
        )
        .with_label(format!("{} redefined here", item_noun(item)));
        if first.file == self.r.file {
            if let Some(span) = self.first_decl_span(&name.name) {
                d = d.with_secondary(span, "first defined here");
            }
        } else {
            d = d.with_note(format!("first defined in {}", first.file.path(self.r.db)));
        }
        self.push(d.with_help("rename one of them"));
    }

    fn first_decl_span(&self, name: &str) -> Option<Span> {
        crate::parse(self.r.db, self.r.file)
            .file
            .items
            .iter()
            .filter_map(Item::name)
            .find(|n| n.name == name)
            .map(|n| n.span)
    }

    pub(crate) fn check_facts_unique(&mut self, item: &Item) {
        let roots = crate::names::facts_roots(self.r.db, self.r.db.workspace());
        if roots.len() < 2 {
            return;
        }
        let Some(name) = item.name() else { return };
        let q = self.qualify(&name.name);
        if roots.first().is_some_and(|r| r.qname == q) {
            return;
        }
        let others: Vec<String> = roots.iter().map(|r| format!("`{}`", r.qname)).collect();
        self.push(
            Diagnostic::error(Code::FACTS_ROOT, &self.r.path, name.span, "the facts root is declared more than once")
                .with_label("another `facts` declaration")
                .with_note(format!("declared as {}", others.join(" and ")))
                .with_help("keep one `facts` declaration and merge the fields into it"),
        );
    }

    pub(crate) fn check_section(&mut self, s: &SectionDecl) {
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for c in &s.clauses {
            if let Some((_, prev)) = seen.iter().find(|(id, _)| *id == c.id.value) {
                let prev = *prev;
                self.push(
                    Diagnostic::error(
                        Code::DUPLICATE_CLAUSE_DEF,
                        &self.r.path,
                        c.id.span,
                        format!("clause `{}` is defined twice", c.id.value),
                    )
                    .with_label("second definition")
                    .with_secondary(prev, "first defined here"),
                );
            }
            seen.push((&c.id.value, c.id.span));
        }
    }

    pub(crate) fn check_const(&mut self, item: &Item, c: &ConstDecl) {
        let q = self.qualify(&c.name.name);
        self.begin_item(q.clone(), Context::Constant);
        let declared = self.r.const_sig(&q).map_or(Ty::Error, |s| s.ty.clone());
        let value = self.expect(&c.value, &declared);
        let locals = self.end_item();
        let ty = self.ty_id(&declared);
        self.out.consts.push(ConstDef { name: q.to_string(), ty, locals, value: value.ir, doc: item.doc.clone() });
    }

    pub(crate) fn check_fn(&mut self, item: &Item, f: &FnDecl) {
        let q = self.qualify(&f.name.name);
        self.begin_item(q.clone(), Context::Normal);
        let Some(sig) = self.r.fn_sig(&q).cloned() else { return };
        let mut params = Vec::with_capacity(f.params.len());
        for ((name, _), (_, ty)) in f.params.iter().zip(&sig.params) {
            params.push(self.declare(&name.name, ty.clone(), name.span, false));
        }
        // A block `{ let a = …  let b = …  result }` becomes nested `Let` expressions.
        let mut bound = Vec::new();
        for l in &f.lets {
            let value = match &l.ty {
                Some(t) => {
                    let t = self.r.resolve_type(t, &mut self.diags);
                    self.expect(&l.value, &t)
                }
                None => self.expr(&l.value, None),
            };
            let var = self.declare(&l.name.name, value.ty.clone(), l.name.span, true);
            bound.push((var, value));
        }
        let mut body = self.expect(&f.body, &sig.ret).ir;
        for (var, value) in bound.into_iter().rev() {
            let ty = body.ty;
            body = Expr { ty, kind: IrKind::Let { var, value: Box::new(value.ir), body: Box::new(body) } };
        }
        let locals = self.end_item();
        let ret = self.ty_id(&sig.ret);
        let location = self.location(f.name.span);
        self.out.functions.push(FnDef {
            name: q.to_string(),
            params,
            locals,
            ret,
            body,
            doc: item.doc.clone(),
            location,
        });
    }
}

impl Checker<'_> {
    /// An `extern fn`: its module must exist, be valid, and declare the same signature.
    pub(crate) fn check_extern(&mut self, f: &ExternDecl) {
        let q = self.qualify(&f.name.name);
        let Some(sig) = self.r.fn_sig(&q).cloned() else { return };
        let Some(path) = sig.plugin.clone() else { return };
        let db = self.r.db;
        let file = db.workspace().plugins(db).iter().copied().find(|p| **p.path(db) == *path);
        let Some(file) = file else {
            self.push(
                self.error(Code::PLUGIN_NOT_FOUND, f.from.span, format!("cannot find plugin module `{path}`"))
                    .with_label("no such module")
                    .with_note("the path is relative to this file"),
            );
            return;
        };
        let module = match crate::plugins::plugin_module(db, file) {
            Ok(m) => m,
            Err(reason) => {
                self.push(
                    self.error(Code::PLUGIN_INVALID, f.from.span, format!("`{path}` is not a usable plugin module"))
                        .with_label(reason.clone()),
                );
                return;
            }
        };
        let written = {
            let ps: Vec<String> = sig.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            format!("{}({}) -> {}", f.name.name, ps.join(", "), sig.ret)
        };
        let Some(declared) = module.functions.iter().find(|d| d.name == f.name.name) else {
            let names: Vec<&str> = module.functions.iter().map(|d| d.name.as_str()).collect();
            let mut d = self
                .error(Code::PLUGIN_SIGNATURE, f.name.span, format!("`{path}` declares no function `{}`", f.name.name))
                .with_label("not in the module's `okite` section");
            d = match did_you_mean(&f.name.name, names.iter().copied()) {
                Some(h) => d.with_help(h),
                None if names.is_empty() => d.with_note("the module declares no functions"),
                None => d.with_note(format!("the module declares: {}", names.join(", "))),
            };
            self.push(d);
            return;
        };
        let same = declared.params.len() == sig.params.len()
            && declared
                .params
                .iter()
                .zip(&sig.params)
                .all(|((_, a), (_, b))| *a == crate::plugins::normalise(&b.to_string()))
            && declared.ret == crate::plugins::normalise(&sig.ret.to_string());
        if !same {
            self.push(
                self.error(Code::PLUGIN_SIGNATURE, f.name.span, format!("`{}` does not match its plugin", f.name.name))
                    .with_label("declared here")
                    .with_note(format!("this file:  {written}"))
                    .with_note(format!("the module: {}", declared.signature()))
                    .with_help("declare the function exactly as the module does"),
            );
        }
    }
}

fn item_noun(item: &Item) -> &'static str {
    match &item.kind {
        ItemKind::Type(_) | ItemKind::Facts(_) => "type",
        ItemKind::Enum(_) => "enum",
        ItemKind::Const(_) => "constant",
        ItemKind::Fn(_) => "function",
        ItemKind::Rule(_) => "rule",
        _ => "item",
    }
}
