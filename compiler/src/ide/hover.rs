//! Hover: what a name is (its signature, its doc comment, and for rules and clause ids the
//! guideline's own text), or the type of the expression under the cursor.

use super::{clause_text, item_file, kind_word, reference_at, short};
use crate::db::{Db, SourceFile};
use crate::names::DefKind;
use crate::sema::{Symbol, Ty, check_file, signatures};
use crate::span::Span;

/// Hover contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// The range the hover is about.
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

fn code(s: &str) -> String {
    format!("```okite\n{s}\n```")
}

fn with_doc(head: String, doc: &str) -> String {
    if doc.trim().is_empty() { head } else { format!("{head}\n\n{doc}") }
}

/// What is under `offset` in `file`.
pub fn hover(db: &dyn Db, file: SourceFile, offset: u32) -> Option<Hover> {
    let Some(r) = reference_at(db, file, offset) else {
        let (span, ty) = check_file(db, file).index.type_at(offset)?.clone();
        return Some(Hover { span, markdown: code(&format!(": {ty}")) });
    };
    let markdown = describe(db, &r.symbol)?;
    Some(Hover { span: r.span, markdown })
}

/// Markdown describing a symbol (shared with completion's documentation).
pub(crate) fn describe(db: &dyn Db, symbol: &Symbol) -> Option<String> {
    Some(match symbol {
        Symbol::Item { qname, kind } => {
            let sigs = signatures(db, item_file(db, qname)?);
            match kind {
                DefKind::Record | DefKind::Facts => {
                    let r = sigs.record(qname)?;
                    let fields: Vec<String> = r.fields.iter().map(|f| format!("  {}: {}", f.name, f.ty)).collect();
                    let head = format!("{} {} {{\n{}\n}}", kind_word(*kind), short(qname), fields.join("\n"));
                    with_doc(code(&head), &r.doc)
                }
                DefKind::Enum => {
                    let e = sigs.enum_(qname)?;
                    let variants: Vec<&str> = e.variants.iter().map(|(v, _)| &**v).collect();
                    with_doc(code(&format!("enum {} {{ {} }}", short(qname), variants.join(", "))), &e.doc)
                }
                DefKind::Fn => {
                    let f = sigs.func(qname)?;
                    let signature = fn_signature(short(qname), &f.params, &f.ret);
                    let signature = match &f.plugin {
                        Some(module) => format!("extern {signature} from {module:?}"),
                        None => signature,
                    };
                    with_doc(code(&signature), &f.doc)
                }
                DefKind::Const => {
                    let c = sigs.constant(qname)?;
                    with_doc(code(&format!("const {}: {}", short(qname), c.ty)), &c.doc)
                }
                DefKind::Rule => {
                    let r = sigs.rule(qname)?;
                    let mut head = format!("rule {}", short(qname));
                    if !r.clauses.is_empty() {
                        head.push_str(&format!(
                            "\nclause {}",
                            r.clauses.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
                        ));
                    }
                    head.push_str(&format!("\nseverity {}", r.severity.as_str()));
                    let mut md = code(&head);
                    if let Some(t) = &r.title {
                        md.push_str(&format!("\n\n**{t}**"));
                    }
                    if !r.doc.trim().is_empty() {
                        md.push_str(&format!("\n\n{}", r.doc));
                    }
                    for c in &r.clauses {
                        if let Some((section, text)) = clause_text(db, c) {
                            md.push_str(&format!("\n\n---\n**{c}** ({section})\n\n{text}"));
                        }
                    }
                    md
                }
                DefKind::Broken => return None,
            }
        }
        Symbol::Field { record, field } => {
            let r = signatures(db, item_file(db, record)?).record(record)?;
            let (_, f) = r.field(field)?;
            let default = f.default.as_ref().map(|d| format!(" = {}", const_text(d))).unwrap_or_default();
            with_doc(code(&format!("{}.{}: {}{default}", short(record), field, f.ty)), &f.doc)
        }
        Symbol::Variant { enum_, variant } => {
            let e = signatures(db, item_file(db, enum_)?).enum_(enum_)?;
            let doc = e.variants.iter().find(|(v, _)| v == variant).map(|(_, d)| d.as_str()).unwrap_or("");
            with_doc(code(&format!("{}.{variant}", short(enum_))), doc)
        }
        Symbol::Local { name, ty, .. } => code(&format!("{name}: {ty}")),
        Symbol::Clause(id) => {
            let (section, text) = clause_text(db, id)?;
            format!("**{id}** ({section})\n\n{text}")
        }
        Symbol::Builtin(name) => {
            let (sig, doc) = super::signature_help::builtin_signature(name)?;
            with_doc(code(sig), doc)
        }
    })
}

/// `fn name(a: T, b: U) -> R`
pub(crate) fn fn_signature(name: &str, params: &[(std::sync::Arc<str>, Ty)], ret: &Ty) -> String {
    let ps: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    format!("fn {name}({}) -> {ret}", ps.join(", "))
}

fn const_text(c: &okite_ir::Const) -> String {
    match c {
        okite_ir::Const::Bool(b) => b.to_string(),
        okite_ir::Const::Int(i) => i.to_string(),
        okite_ir::Const::Decimal(d) => d.to_string(),
        okite_ir::Const::Str(s) => format!("{s:?}"),
        okite_ir::Const::Date(d) => d.to_string(),
        okite_ir::Const::Duration(d) => d.to_string(),
        okite_ir::Const::Enum(_, v) => format!("variant {v}"),
        okite_ir::Const::None => "none".into(),
        okite_ir::Const::EmptyList => "[]".into(),
        okite_ir::Const::EmptySet => "{}".into(),
    }
}
