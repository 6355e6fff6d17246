//! Values as text: in messages (`"{p.min_length} 桁"`) and explanations.
//!
//! The forms are the language's literal forms (`2025-04-01`, `90d`, `1.5`, `privileged`,
//! `none`), so that what an officer reads can be pasted back into a policy or a test.

use okite_ir::{Program, Type, TypeId};

use crate::heap::Heaps;
use crate::word::{self, NONE, Word};

/// Renders a value of type `ty`.
pub fn render(program: &Program, heaps: Heaps<'_>, w: Word, ty: TypeId) -> String {
    let mut out = String::new();
    write(program, heaps, w, ty, &mut out, 0);
    out
}

/// At most this many elements of a collection are shown.
const MAX_ELEMENTS: usize = 20;

fn write(program: &Program, heaps: Heaps<'_>, w: Word, ty: TypeId, out: &mut String, depth: usize) {
    let t = program.types.ty(ty);
    if w == NONE && !matches!(t, Type::Bool) {
        out.push_str("none");
        return;
    }
    match t {
        Type::Bool => out.push_str(if w == 1 { "true" } else { "false" }),
        Type::Int => out.push_str(&word::to_int(w).to_string()),
        Type::Decimal => out.push_str(&word::to_decimal(w).to_string()),
        Type::String => out.push_str(heaps.str(w)),
        Type::Date => out.push_str(&word::to_date(w).to_string()),
        Type::Duration => out.push_str(&word::to_duration(w).to_string()),
        Type::Enum(e) => {
            let name =
                program.enums.get(e.0 as usize).and_then(|e| e.variants.get(w as usize)).map(|v| v.name.as_str());
            out.push_str(name.unwrap_or("?"));
        }
        Type::Optional(inner) => write(program, heaps, w, inner, out, depth),
        Type::List(el) | Type::Set(el) => {
            let is_set = matches!(t, Type::Set(_));
            let items = heaps.elems(w);
            let mut rendered: Vec<String> = items
                .iter()
                .take(MAX_ELEMENTS)
                .map(|&x| {
                    let mut s = String::new();
                    if depth < 4 {
                        write(program, heaps, x, el, &mut s, depth + 1);
                    } else {
                        s.push('…');
                    }
                    s
                })
                .collect();
            if is_set {
                rendered.sort();
            }
            if items.len() > MAX_ELEMENTS {
                rendered.push(format!("… {} more", items.len() - MAX_ELEMENTS));
            }
            out.push_str(if is_set { "{" } else { "[" });
            out.push_str(&rendered.join(", "));
            out.push_str(if is_set { "}" } else { "]" });
        }
        Type::Record(r) => {
            let Some(def) = program.records.get(r.0 as usize) else { return out.push('?') };
            let short = def.name.rsplit('.').next().unwrap_or(&def.name);
            match def.key.and_then(|k| def.fields.get(k as usize).map(|f| (k, f))) {
                Some((k, f)) => {
                    out.push_str(short);
                    out.push(' ');
                    write(program, heaps, heaps.field(w, k), f.ty, out, depth + 1);
                }
                None => out.push_str(short),
            }
        }
        Type::Never => out.push_str("none"),
    }
}
