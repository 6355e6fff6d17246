//! Rewriting each file's IR from file-local reference tables to the program's global indices.

use std::collections::BTreeMap;

use okite_ir::{
    AttestSpec, Const, ConstId, EnumId, Expr, ExprKind, FnId, InterpPart, LoopStep, Prelude, Program, RecordId, Rule,
    RuleBody, RuleId, Stmt, Type, TypeId,
};

use super::Schema;
use crate::db::{Db, Workspace};
use crate::sema::{FileIr, QName, check_file};

struct Remap {
    types: Vec<TypeId>,
    records: Vec<RecordId>,
    enums: Vec<EnumId>,
    fns: Vec<FnId>,
    consts: Vec<ConstId>,
    rules: Vec<RuleId>,
    /// (plugin, function) of each `extern fn` the file calls.
    externs: Vec<(u32, u32)>,
}

fn lookup<T: Copy>(map: &BTreeMap<QName, T>, q: &QName, missing: T) -> T {
    map.get(q).copied().unwrap_or(missing)
}

pub(super) fn link_bodies(
    db: &dyn Db,
    ws: Workspace,
    schema: &mut Schema,
    extern_ids: &BTreeMap<QName, (u32, u32)>,
    program: &mut Program,
) {
    let files = ws.files(db);
    let irs: Vec<&FileIr> = files.iter().map(|&f| &check_file(db, f).ir).collect();

    let mut fn_ids: BTreeMap<QName, FnId> = BTreeMap::new();
    let mut rule_ids: BTreeMap<QName, RuleId> = BTreeMap::new();
    for ir in &irs {
        for f in &ir.functions {
            let id = FnId(fn_ids.len() as u32);
            fn_ids.entry(f.name.as_str().into()).or_insert(id);
        }
        for r in &ir.rules {
            let id = RuleId(rule_ids.len() as u32);
            rule_ids.entry(r.name.as_str().into()).or_insert(id);
        }
    }

    // Constants in dependency order, so that each refers only to earlier ones.
    let mut const_deps: BTreeMap<QName, Vec<QName>> = BTreeMap::new();
    let mut const_home: BTreeMap<QName, (usize, usize)> = BTreeMap::new();
    for (fi, ir) in irs.iter().enumerate() {
        for (ci, c) in ir.consts.iter().enumerate() {
            let q: QName = c.name.as_str().into();
            const_home.insert(q.clone(), (fi, ci));
            const_deps.insert(q, Vec::new());
        }
    }
    for ir in &irs {
        for edge in &ir.calls {
            if let Some(deps) = const_deps.get_mut(&edge.caller)
                && const_home.contains_key(&edge.callee)
            {
                deps.push(edge.callee.clone());
            }
        }
    }
    let mut const_order: Vec<QName> = Vec::new();
    let mut placed: BTreeMap<QName, ConstId> = BTreeMap::new();
    while placed.len() < const_deps.len() {
        let before = placed.len();
        for (q, deps) in &const_deps {
            if !placed.contains_key(q) && deps.iter().all(|d| placed.contains_key(d)) {
                placed.insert(q.clone(), ConstId(const_order.len() as u32));
                const_order.push(q.clone());
            }
        }
        if placed.len() == before {
            break; // a cycle; reported by the workspace checks, and no program is built then
        }
    }

    let maps: Vec<Remap> = irs
        .iter()
        .map(|ir| {
            let mut types = Vec::with_capacity(ir.types.all().len());
            for t in ir.types.all() {
                let global = match *t {
                    Type::Record(RecordId(i)) => Type::Record(
                        ir.records
                            .get(i as usize)
                            .map_or(RecordId(u32::MAX), |q| lookup(&schema.records, q, RecordId(u32::MAX))),
                    ),
                    Type::Enum(EnumId(i)) => Type::Enum(
                        ir.enums
                            .get(i as usize)
                            .map_or(EnumId(u32::MAX), |q| lookup(&schema.enums, q, EnumId(u32::MAX))),
                    ),
                    Type::List(TypeId(j)) => Type::List(types.get(j as usize).copied().unwrap_or(TypeId(u32::MAX))),
                    Type::Set(TypeId(j)) => Type::Set(types.get(j as usize).copied().unwrap_or(TypeId(u32::MAX))),
                    Type::Optional(TypeId(j)) => {
                        Type::Optional(types.get(j as usize).copied().unwrap_or(TypeId(u32::MAX)))
                    }
                    other => other,
                };
                types.push(schema.types.intern(global));
            }
            Remap {
                types,
                records: ir.records.iter().map(|q| lookup(&schema.records, q, RecordId(u32::MAX))).collect(),
                enums: ir.enums.iter().map(|q| lookup(&schema.enums, q, EnumId(u32::MAX))).collect(),
                fns: ir.fns.iter().map(|q| lookup(&fn_ids, q, FnId(u32::MAX))).collect(),
                consts: ir.consts_used.iter().map(|q| lookup(&placed, q, ConstId(u32::MAX))).collect(),
                rules: ir.rules_used.iter().map(|q| lookup(&rule_ids, q, RuleId(u32::MAX))).collect(),
                externs: ir.externs.iter().map(|q| lookup(extern_ids, q, (u32::MAX, u32::MAX))).collect(),
            }
        })
        .collect();

    for (ir, m) in irs.iter().zip(&maps) {
        for f in &ir.functions {
            let mut f = f.clone();
            m.frame(&mut f.locals);
            f.ret = m.ty(f.ret);
            m.expr(&mut f.body);
            program.functions.push(f);
        }
        for r in &ir.rules {
            let mut r = r.clone();
            m.rule(&mut r);
            program.rules.push(r);
        }
        for t in &ir.tests {
            let mut t = t.clone();
            m.frame(&mut t.locals);
            for p in &mut t.patches {
                m.expr(&mut p.value);
            }
            for e in &mut t.expectations {
                e.rule = m.rules.get(e.rule.0 as usize).copied().unwrap_or(RuleId(u32::MAX));
            }
            program.tests.push(t);
        }
    }
    for q in &const_order {
        let Some(&(fi, ci)) = const_home.get(q) else { continue };
        let mut c = irs[fi].consts[ci].clone();
        let m = &maps[fi];
        c.ty = m.ty(c.ty);
        m.frame(&mut c.locals);
        m.expr(&mut c.value);
        program.consts.push(c);
    }
}

impl Remap {
    fn ty(&self, t: TypeId) -> TypeId {
        self.types.get(t.0 as usize).copied().unwrap_or(TypeId(u32::MAX))
    }

    fn frame(&self, locals: &mut [okite_ir::LocalDef]) {
        for l in locals {
            l.ty = self.ty(l.ty);
        }
    }

    fn constant(&self, c: &mut Const) {
        if let Const::Enum(e, _) = c {
            *e = self.enums.get(e.0 as usize).copied().unwrap_or(EnumId(u32::MAX));
        }
    }

    fn rule(&self, r: &mut Rule) {
        self.frame(&mut r.locals);
        for p in &mut r.prelude {
            match p {
                Prelude::Let { value, .. } => self.expr(value),
                Prelude::When { cond, .. } => self.expr(cond),
            }
        }
        for l in &mut r.loops {
            match l {
                LoopStep::For(l) => {
                    self.expr(&mut l.source);
                    if let Some(f) = &mut l.filter {
                        self.expr(f);
                    }
                }
                LoopStep::Let { value, .. } => self.expr(value),
            }
        }
        for e in &mut r.exemptions {
            self.expr(&mut e.cond);
        }
        match &mut r.body {
            RuleBody::Checks(stmts) => {
                for s in stmts {
                    match s {
                        Stmt::Let { value, .. } => self.expr(value),
                        Stmt::Require(req) => {
                            self.expr(&mut req.cond);
                            if let Some(m) = &mut req.message {
                                self.expr(m);
                            }
                        }
                    }
                }
            }
            RuleBody::Attest(AttestSpec { source, by, .. }) => {
                self.expr(source);
                if let Some((_, c)) = by {
                    self.constant(c);
                }
            }
        }
    }

    fn expr(&self, e: &mut Expr) {
        e.ty = self.ty(e.ty);
        match &mut e.kind {
            ExprKind::Const(c) => self.constant(c),
            ExprKind::Local(_) | ExprKind::Facts | ExprKind::AsOf => {}
            ExprKind::Global(c) => *c = self.consts.get(c.0 as usize).copied().unwrap_or(ConstId(u32::MAX)),
            ExprKind::Field { base, .. } | ExprKind::OptField { base, .. } => self.expr(base),
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Unary { arg, .. } => self.expr(arg),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::If { cond, then, els } => {
                self.expr(cond);
                self.expr(then);
                self.expr(els);
            }
            ExprKind::Let { value, body, .. } => {
                self.expr(value);
                self.expr(body);
            }
            ExprKind::Call { func, args } => {
                *func = self.fns.get(func.0 as usize).copied().unwrap_or(FnId(u32::MAX));
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Extern { plugin, func, args } => {
                (*plugin, *func) = self.externs.get(*plugin as usize).copied().unwrap_or((u32::MAX, u32::MAX));
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Builtin { args, .. } | ExprKind::List(args) | ExprKind::Set(args) => {
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Record { record, fields } => {
                *record = self.records.get(record.0 as usize).copied().unwrap_or(RecordId(u32::MAX));
                for f in fields {
                    self.expr(f);
                }
            }
            ExprKind::Quant { source, filter, body, .. } => {
                self.expr(source);
                if let Some(f) = filter {
                    self.expr(f);
                }
                if let Some(b) = body {
                    self.expr(b);
                }
            }
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Expr(x) = p {
                        self.expr(x);
                    }
                }
            }
        }
    }
}
