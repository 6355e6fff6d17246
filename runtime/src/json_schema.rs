//! The fact schema as JSON Schema (draft 2020-12), for `okite schema`: other tools can validate
//! or generate snapshots without knowing Okite.

use okite_ir::{Program, RecordDef, Type, TypeId};
use serde_json::{Map, Value, json};

use crate::formats::set;

/// The JSON Schema of a snapshot of `program`'s facts root, or `None` when it declares none.
///
/// The schema is strict (`additionalProperties: false`), as `okite eval --strict` is; without
/// `--strict` the runtime only warns about unknown fields.
pub fn json_schema(program: &Program) -> Option<Value> {
    let root = program.records.get(program.root?.0 as usize)?;
    let mut defs = Map::new();
    for r in &program.records {
        defs.insert(short(&r.name).to_string(), record_schema(program, r, false));
    }
    for e in &program.enums {
        let names: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
        let mut s = json!({ "type": "string", "enum": names });
        let docs: Vec<String> =
            e.variants.iter().filter(|v| !v.doc.is_empty()).map(|v| format!("- `{}`: {}", v.name, v.doc)).collect();
        let mut description = e.doc.clone();
        if !docs.is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&docs.join("\n"));
        }
        if !description.is_empty() {
            set(&mut s, "description", json!(description));
        }
        defs.insert(short(&e.name).to_string(), s);
    }
    let mut top = record_schema(program, root, true);
    set(&mut top, "$schema", json!("https://json-schema.org/draft/2020-12/schema"));
    set(&mut top, "title", json!(format!("{} snapshot", short(&root.name))));
    set(&mut top, "$defs", Value::Object(defs));
    Some(top)
}

fn short(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

fn record_schema(program: &Program, r: &RecordDef, root: bool) -> Value {
    let mut props = Map::new();
    let mut required: Vec<String> = Vec::new();
    for f in &r.fields {
        let mut s = type_schema(program, f.ty);
        if !f.doc.is_empty() {
            set(&mut s, "description", json!(f.doc));
        }
        if let Some(d) = &f.default {
            let default = match d {
                okite_ir::Const::EmptyList | okite_ir::Const::EmptySet => json!([]),
                okite_ir::Const::Bool(b) => json!(b),
                okite_ir::Const::Int(i) => json!(i),
                okite_ir::Const::None => Value::Null,
                other => json!(okite_ir::pretty::const_to_string(program, other).trim_matches('"')),
            };
            set(&mut s, "default", default);
        }
        let optional = matches!(program.types.ty(f.ty), Type::Optional(_));
        if f.default.is_none() && !optional {
            required.push(f.name.clone());
        }
        props.insert(f.name.clone(), s);
    }
    if root {
        props.insert(
            "as_of".into(),
            json!({ "type": "string", "format": "date", "description": "評価基準日 (the date the snapshot describes; `okite eval --as-of` overrides it)" }),
        );
        props.insert("$schema".into(), json!({ "type": "string" }));
        required.insert(0, "as_of".into());
    }
    let mut s = json!({ "type": "object", "properties": props, "required": required, "additionalProperties": false });
    if !r.doc.is_empty() {
        set(&mut s, "description", json!(r.doc));
    }
    s
}

fn type_schema(program: &Program, ty: TypeId) -> Value {
    match program.types.ty(ty) {
        Type::Bool => json!({ "type": "boolean" }),
        Type::Int => json!({ "type": "integer" }),
        Type::Decimal => {
            json!({ "anyOf": [{ "type": "number" }, { "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,6})?$" }] })
        }
        Type::String => json!({ "type": "string" }),
        Type::Date => json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }),
        Type::Duration => json!({ "type": "string", "pattern": "^(-?[0-9]+[dwmy])+$" }),
        Type::Enum(e) => {
            json!({ "$ref": format!("#/$defs/{}", program.enums.get(e.0 as usize).map_or("?", |e| short(&e.name))) })
        }
        Type::Record(r) => {
            json!({ "$ref": format!("#/$defs/{}", program.records.get(r.0 as usize).map_or("?", |r| short(&r.name))) })
        }
        Type::List(el) => json!({ "type": "array", "items": type_schema(program, el) }),
        Type::Set(el) => json!({ "type": "array", "items": type_schema(program, el) }),
        Type::Optional(inner) => json!({ "anyOf": [type_schema(program, inner), { "type": "null" }] }),
        Type::Never => json!({ "type": "null" }),
    }
}
