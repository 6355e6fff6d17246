//! Synthetic facilities for benchmarks and load tests: a real snapshot scaled up by repeating
//! the elements of chosen lists, with the `key` fields made unique.
//!
//! ```
//! use okite_runtime::synth::{Scale, scale};
//! # let program = okite_ir::Program::default();
//! let base = serde_json::json!({ "as_of": "2026-04-01", "assets": [{ "id": "a" }] });
//! let big = scale(&program, &base, &[Scale { path: "/assets", count: 3 }]);
//! assert_eq!(big["assets"].as_array().map(Vec::len), Some(3));
//! ```

use okite_ir::{Program, Type, TypeId};
use serde_json::Value;

/// How many elements a list of the snapshot should have.
#[derive(Clone, Copy, Debug)]
pub struct Scale<'a> {
    /// JSON Pointer of the list, where `*` matches every element of a list on the way
    /// (`/systems/*/accounts`); the count is then shared out among the matching lists.
    pub path: &'a str,
    /// Total number of elements wanted.
    pub count: usize,
}

/// Scales `base` (a snapshot of `program`'s schema) to the given list sizes. Elements are
/// repeated in order; a repeated element's `key` field gets a `-N` suffix so subjects stay
/// distinguishable, when that key is the record's own identity (a string field called `id`,
/// `name` or `code`) rather than a reference to another record (`area_id`).
pub fn scale(program: &Program, base: &Value, scales: &[Scale<'_>]) -> Value {
    let mut out = base.clone();
    for s in scales {
        let segs: Vec<&str> = s.path.split('/').filter(|x| !x.is_empty()).collect();
        let mut targets: Vec<(&mut Value, Option<TypeId>)> = Vec::new();
        let root_ty = program.root.and_then(|r| program.types.find(Type::Record(r)));
        collect(program, &mut out, root_ty, &segs, &mut targets);
        let n = targets.len().max(1);
        for (k, (list, el_ty)) in targets.into_iter().enumerate() {
            let want = s.count / n + usize::from(k < s.count % n);
            grow(program, list, el_ty, want);
        }
    }
    out
}

fn collect<'v>(
    program: &Program,
    v: &'v mut Value,
    ty: Option<TypeId>,
    segs: &[&str],
    out: &mut Vec<(&'v mut Value, Option<TypeId>)>,
) {
    let Some((first, rest)) = segs.split_first() else {
        let el = ty.and_then(|t| match program.types.ty(program.types.strip_optional(t)) {
            Type::List(e) | Type::Set(e) => Some(e),
            _ => None,
        });
        out.push((v, el));
        return;
    };
    let record = ty.and_then(|t| match program.types.ty(program.types.strip_optional(t)) {
        Type::Record(r) => program.records.get(r.0 as usize),
        _ => None,
    });
    match (*first, v) {
        ("*", Value::Array(items)) => {
            let el = ty.and_then(|t| match program.types.ty(program.types.strip_optional(t)) {
                Type::List(e) | Type::Set(e) => Some(e),
                _ => None,
            });
            for item in items {
                collect(program, item, el, rest, out);
            }
        }
        (key, Value::Object(map)) => {
            let field_ty = record.and_then(|r| r.fields.iter().find(|f| f.name == key)).map(|f| f.ty);
            if let Some(child) = map.get_mut(key) {
                collect(program, child, field_ty, rest, out);
            }
        }
        _ => {}
    }
}

fn grow(program: &Program, list: &mut Value, el_ty: Option<TypeId>, want: usize) {
    let Value::Array(items) = list else { return };
    if items.is_empty() {
        return;
    }
    let key = el_ty
        .and_then(|t| match program.types.ty(program.types.strip_optional(t)) {
            Type::Record(r) => program.records.get(r.0 as usize),
            _ => None,
        })
        .and_then(|r| r.key.and_then(|k| r.fields.get(k as usize)))
        .filter(|f| matches!(f.name.as_str(), "id" | "name" | "code"))
        .map(|f| f.name.clone());
    let originals = items.len();
    items.truncate(want.max(1));
    let mut i = 0usize;
    while items.len() < want {
        let Some(mut copy) = items.get(i % originals).cloned() else { break };
        if let (Some(k), Value::Object(map)) = (&key, &mut copy)
            && let Some(Value::String(s)) = map.get_mut(k.as_str())
        {
            s.push_str(&format!("-{}", i + originals));
        }
        items.push(copy);
        i += 1;
    }
}
