//! Indexing what an item declares and the names in its signature (for the editor): the
//! checker indexes bodies as it checks them; this covers the rest.

use super::Checker;
use crate::names::DefKind;
use crate::sema::index::{Reference, Symbol};
use crate::span::Span;
use crate::syntax::ast::{Item, ItemKind, RuleStmtKind, TypeExpr, TypeExprKind};

impl Checker<'_> {
    fn define(&mut self, span: Span, symbol: Symbol) {
        self.index.refs.push(Reference { span, symbol, is_def: true });
    }

    pub(crate) fn index_declarations(&mut self, item: &Item) {
        let kind = match &item.kind {
            ItemKind::Type(_) => Some(DefKind::Record),
            ItemKind::Facts(_) => Some(DefKind::Facts),
            ItemKind::Enum(_) => Some(DefKind::Enum),
            ItemKind::Fn(_) | ItemKind::Extern(_) => Some(DefKind::Fn),
            ItemKind::Const(_) => Some(DefKind::Const),
            ItemKind::Rule(_) => Some(DefKind::Rule),
            _ => None,
        };
        if let (Some(kind), Some(name)) = (kind, item.name()) {
            let qname = self.qualify(&name.name);
            self.define(name.span, Symbol::Item { qname, kind });
        }
        match &item.kind {
            ItemKind::Type(r) | ItemKind::Facts(r) => {
                let record = self.qualify(&r.name.name);
                for f in &r.fields {
                    self.define(
                        f.name.span,
                        Symbol::Field { record: record.clone(), field: f.name.name.as_str().into() },
                    );
                    self.index_type(&f.ty);
                }
            }
            ItemKind::Enum(e) => {
                let enum_ = self.qualify(&e.name.name);
                for (_, v) in &e.variants {
                    self.define(v.span, Symbol::Variant { enum_: enum_.clone(), variant: v.name.as_str().into() });
                }
            }
            ItemKind::Fn(f) => {
                for (_, t) in &f.params {
                    self.index_type(t);
                }
                self.index_type(&f.ret);
                for l in &f.lets {
                    if let Some(t) = &l.ty {
                        self.index_type(t);
                    }
                }
            }
            ItemKind::Extern(f) => {
                for (_, t) in &f.params {
                    self.index_type(t);
                }
                self.index_type(&f.ret);
            }
            ItemKind::Const(c) => {
                if let Some(t) = &c.ty {
                    self.index_type(t);
                }
            }
            ItemKind::Rule(r) => {
                for s in &r.stmts {
                    match &s.kind {
                        RuleStmtKind::Clause(ids) => {
                            for id in ids {
                                self.refer(id.span, Symbol::Clause(id.value.as_str().into()));
                            }
                        }
                        RuleStmtKind::Let(l) => {
                            if let Some(t) = &l.ty {
                                self.index_type(t);
                            }
                        }
                        _ => {}
                    }
                }
            }
            ItemKind::Section(s) => {
                for c in &s.clauses {
                    self.define(c.id.span, Symbol::Clause(c.id.value.as_str().into()));
                }
            }
            ItemKind::Package(_) | ItemKind::Import(_) | ItemKind::Test(_) | ItemKind::Error(_) => {}
        }
    }

    /// Records the type names in a written type.
    fn index_type(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeExprKind::List(inner) | TypeExprKind::Set(inner) => self.index_type(inner),
            TypeExprKind::Named(path) => {
                let Some(last) = path.segments.last() else { return };
                if path.segments.len() != 1 {
                    return;
                }
                if let [def] = self.r.lookup(&last.name)
                    && def.kind.is_type()
                {
                    let symbol = Symbol::Item { qname: def.qname.clone(), kind: def.kind };
                    self.refer(last.span, symbol);
                }
            }
        }
    }
}
