//! Linking: the per-file IRs and signatures become one [`okite_ir::Program`] with global
//! indices; and the checks that need the whole workspace (recursion, call depth, constant
//! cycles, unused functions, indistinguishable rules).

mod remap;
mod workspace_checks;

use std::collections::BTreeMap;
use std::sync::Arc;

use okite_ir::{
    EnumDef, EnumId, ExternFnDef, FieldDef, PluginDef, Program, RecordDef, RecordId, Type, TypeId, TypeTable,
    VariantDef,
};

pub use workspace_checks::workspace_diagnostics;

use crate::db::{Db, Workspace};
use crate::names::facts_roots;
use crate::sema::{QName, Ty, check_file, signatures};

/// The linked program of the workspace, or `None` when any file has errors.
#[salsa::tracked(returns(ref))]
pub fn program(db: &dyn Db, ws: Workspace) -> Option<Arc<Program>> {
    let files = ws.files(db);
    let has_errors = files.iter().any(|&f| check_file(db, f).diagnostics.iter().any(|d| d.is_error()))
        || workspace_diagnostics(db, ws).iter().any(|d| d.is_error());
    if has_errors {
        return None;
    }
    Some(Arc::new(link(db, ws)))
}

/// Global ids of records and enums, and the type table built over them.
pub(crate) struct Schema {
    pub types: TypeTable,
    pub records: BTreeMap<QName, RecordId>,
    pub enums: BTreeMap<QName, EnumId>,
}

impl Schema {
    pub(crate) fn type_id(&mut self, ty: &Ty) -> TypeId {
        let t = match ty {
            Ty::Bool => Type::Bool,
            Ty::Int => Type::Int,
            Ty::Decimal => Type::Decimal,
            Ty::String => Type::String,
            Ty::Date => Type::Date,
            Ty::Duration => Type::Duration,
            Ty::Enum(q) => Type::Enum(self.enums.get(q).copied().unwrap_or(EnumId(u32::MAX))),
            Ty::Record(q) => Type::Record(self.records.get(q).copied().unwrap_or(RecordId(u32::MAX))),
            Ty::List(t) => Type::List(self.type_id(t)),
            Ty::Set(t) => Type::Set(self.type_id(t)),
            Ty::Optional(t) => Type::Optional(self.type_id(t)),
            Ty::Never | Ty::Error => Type::Never,
        };
        self.types.intern(t)
    }
}

fn link(db: &dyn Db, ws: Workspace) -> Program {
    let files = ws.files(db);
    let mut program = Program::default();
    let mut schema = Schema { types: TypeTable::default(), records: BTreeMap::new(), enums: BTreeMap::new() };

    // Ids first, so that field types can refer to records declared later.
    for &f in files {
        let sigs = signatures(db, f);
        for r in &sigs.records {
            let id = RecordId(schema.records.len() as u32);
            schema.records.entry(r.qname.clone()).or_insert(id);
        }
        for e in &sigs.enums {
            let id = EnumId(schema.enums.len() as u32);
            schema.enums.entry(e.qname.clone()).or_insert(id);
        }
    }
    let mut records: Vec<Option<RecordDef>> = vec![None; schema.records.len()];
    let mut enums: Vec<Option<EnumDef>> = vec![None; schema.enums.len()];
    for &f in files {
        let sigs = signatures(db, f);
        for e in &sigs.enums {
            let Some(id) = schema.enums.get(&e.qname).copied() else { continue };
            enums[id.0 as usize].get_or_insert_with(|| EnumDef {
                name: e.qname.to_string(),
                doc: e.doc.clone(),
                variants: e.variants.iter().map(|(n, d)| VariantDef { name: n.to_string(), doc: d.clone() }).collect(),
            });
        }
        for r in &sigs.records {
            let Some(id) = schema.records.get(&r.qname).copied() else { continue };
            if records[id.0 as usize].is_some() {
                continue;
            }
            let fields = r
                .fields
                .iter()
                .map(|fd| {
                    let ty = schema.type_id(&fd.ty);
                    let default = fd.default.clone().map(|c| match (c, fd.ty.strip_optional()) {
                        (okite_ir::Const::Enum(_, v), Ty::Enum(q)) => {
                            okite_ir::Const::Enum(schema.enums.get(q).copied().unwrap_or(EnumId(u32::MAX)), v)
                        }
                        (c, _) => c,
                    });
                    FieldDef { name: fd.name.to_string(), ty, doc: fd.doc.clone(), default }
                })
                .collect();
            records[id.0 as usize] =
                Some(RecordDef { name: r.qname.to_string(), doc: r.doc.clone(), fields, key: r.key });
        }
        program.sections.extend(sigs.sections.iter().cloned());
    }
    program.records = records.into_iter().flatten().collect();
    program.enums = enums.into_iter().flatten().collect();
    program.root = facts_roots(db, ws).first().and_then(|r| schema.records.get(&r.qname).copied());
    // Snapshots are decoded as the root type even when no rule says `facts`, so it must have
    // a type id of its own.
    if let Some(root) = program.root {
        schema.types.intern(okite_ir::Type::Record(root));
    }

    let externs = link_plugins(db, ws, &mut schema, &mut program);
    remap::link_bodies(db, ws, &mut schema, &externs, &mut program);
    program.types = schema.types;
    program
}

/// The program's plugins, one per module that an `extern fn` names (in path order), and the
/// (plugin, function) indices of every `extern fn` by qualified name.
fn link_plugins(db: &dyn Db, ws: Workspace, schema: &mut Schema, program: &mut Program) -> BTreeMap<QName, (u32, u32)> {
    let mut by_module: BTreeMap<Arc<str>, Vec<&crate::sema::FnSig>> = BTreeMap::new();
    for &f in ws.files(db) {
        for sig in &signatures(db, f).fns {
            if let Some(path) = &sig.plugin {
                by_module.entry(path.clone()).or_default().push(sig);
            }
        }
    }
    let mut ids = BTreeMap::new();
    for (path, sigs) in by_module {
        // A missing or invalid module is an error of the declaring file, so no program is
        // linked then; the fallbacks below are never used.
        let wasm = ws
            .plugins(db)
            .iter()
            .find(|p| **p.path(db) == *path)
            .and_then(|p| crate::plugins::plugin_module(db, *p).as_ref().ok())
            .map(|m| m.wasm.to_vec())
            .unwrap_or_default();
        let plugin = program.plugins.len() as u32;
        let mut functions = Vec::with_capacity(sigs.len());
        for sig in sigs {
            ids.insert(sig.qname.clone(), (plugin, functions.len() as u32));
            functions.push(ExternFnDef {
                name: crate::sema::short(&sig.qname).to_string(),
                params: sig.params.iter().map(|(_, t)| schema.type_id(t)).collect(),
                ret: schema.type_id(&sig.ret),
            });
        }
        program.plugins.push(PluginDef { name: path.to_string(), wasm, functions });
    }
    ids
}
