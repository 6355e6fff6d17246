//! Values as JSON and back: test fixtures' edits and the plugin ABI carry values this way.

use okite_ir::{Date, Decimal, Type, TypeId};
use serde_json::Value;

use crate::decode::parse_duration;
use crate::heap::NO_ORIGIN;
use crate::machine::Machine;
use crate::word::{self, NONE, Word};

/// Converts a value to the JSON a snapshot would carry for it.
pub(crate) fn to_json(m: &Machine<'_>, w: Word, ty: TypeId) -> Value {
    let p = m.program();
    let t = p.types.ty(ty);
    if w == NONE && !matches!(t, Type::Bool) {
        return Value::Null;
    }
    match t {
        Type::Bool => Value::Bool(w == 1),
        Type::Int => Value::from(word::to_int(w)),
        Type::Decimal => Value::String(word::to_decimal(w).to_string()),
        Type::String => Value::String(m.str(w).to_string()),
        Type::Date => Value::String(word::to_date(w).to_string()),
        Type::Duration => Value::String(word::to_duration(w).to_string()),
        Type::Enum(e) => Value::String(
            p.enums
                .get(e.0 as usize)
                .and_then(|e| e.variants.get(w as usize))
                .map_or(String::new(), |v| v.name.clone()),
        ),
        Type::Optional(inner) => to_json(m, w, inner),
        Type::List(el) | Type::Set(el) => Value::Array(m.elems(w).iter().map(|x| to_json(m, *x, el)).collect()),
        Type::Record(r) => {
            let mut obj = serde_json::Map::new();
            if let Some(def) = p.records.get(r.0 as usize) {
                for (i, f) in def.fields.iter().enumerate() {
                    let v = to_json(m, m.field(w, i as u32), f.ty);
                    if !v.is_null() {
                        obj.insert(f.name.clone(), v);
                    }
                }
            }
            Value::Object(obj)
        }
        Type::Never => Value::Null,
    }
}

/// Builds the value of type `ty` that `v` denotes, in the machine's scratch heap.
pub(crate) fn from_json(m: &mut Machine<'_>, v: &Value, ty: TypeId) -> Result<Word, String> {
    let p = m.program();
    let t = p.types.ty(ty);
    let wrong = || format!("expected {}, found {v}", type_name(m, ty));
    match (t, v) {
        (Type::Optional(_), Value::Null) => Ok(NONE),
        (Type::Optional(inner), _) => from_json(m, v, inner),
        (Type::Bool, Value::Bool(b)) => Ok(word::from_bool(*b)),
        (Type::Int, Value::Number(n)) => n.as_i64().and_then(word::from_int).ok_or_else(wrong),
        (Type::Decimal, Value::Number(n)) => match n.as_i64() {
            Some(i) => Decimal::from_int(i).and_then(word::from_decimal).ok_or_else(wrong),
            None => n.as_f64().and_then(Decimal::from_f64).and_then(word::from_decimal).ok_or_else(wrong),
        },
        (Type::Decimal, Value::String(s)) => Decimal::parse(s).and_then(word::from_decimal).ok_or_else(wrong),
        (Type::String, Value::String(s)) => Ok(m.intern(s)),
        (Type::Date, Value::String(s)) => Date::parse_iso(s).map(word::from_date).ok_or_else(wrong),
        (Type::Duration, Value::String(s)) => parse_duration(s).and_then(word::from_duration).ok_or_else(wrong),
        (Type::Enum(e), Value::String(s)) => {
            let index = p.enums.get(e.0 as usize).and_then(|e| e.variants.iter().position(|x| &x.name == s));
            index.map(|i| i as Word).ok_or_else(wrong)
        }
        (Type::List(el), Value::Array(items)) => {
            let mut ws = Vec::with_capacity(items.len());
            for x in items {
                ws.push(from_json(m, x, el)?);
            }
            Ok(m.make_list(&ws))
        }
        (Type::Set(el), Value::Array(items)) => {
            let mut ws = Vec::with_capacity(items.len());
            for x in items {
                ws.push(from_json(m, x, el)?);
            }
            Ok(m.make_set(ws))
        }
        (Type::Record(r), Value::Object(map)) => {
            let Some(def) = p.records.get(r.0 as usize) else { return Err(wrong()) };
            let mut ws = Vec::with_capacity(def.fields.len());
            for f in &def.fields {
                let w = match map.get(&f.name) {
                    Some(x) => from_json(m, x, f.ty)?,
                    None if matches!(p.types.ty(f.ty), Type::Optional(_)) => NONE,
                    None => return Err(format!("missing field `{}`", f.name)),
                };
                ws.push(w);
            }
            let rec = m.scratch.alloc_record(ws.len(), NO_ORIGIN);
            for (i, w) in ws.into_iter().enumerate() {
                m.scratch.set_field(rec, i as u32, w);
            }
            Ok(rec)
        }
        _ => Err(wrong()),
    }
}

/// The name of a type, for messages.
pub(crate) fn type_name(m: &Machine<'_>, ty: TypeId) -> String {
    let p = m.program();
    match p.types.ty(ty) {
        Type::Bool => "bool".into(),
        Type::Int => "int".into(),
        Type::Decimal => "decimal".into(),
        Type::String => "string".into(),
        Type::Date => "date".into(),
        Type::Duration => "duration".into(),
        Type::Enum(e) => {
            p.enums.get(e.0 as usize).map_or("enum".into(), |e| e.name.rsplit('.').next().unwrap_or("").to_string())
        }
        Type::Record(r) => {
            p.records.get(r.0 as usize).map_or("record".into(), |r| r.name.rsplit('.').next().unwrap_or("").to_string())
        }
        Type::List(el) => format!("list<{}>", type_name(m, el)),
        Type::Set(el) => format!("set<{}>", type_name(m, el)),
        Type::Optional(inner) => format!("{}?", type_name(m, inner)),
        Type::Never => "none".into(),
    }
}
