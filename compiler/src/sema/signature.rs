//! Signatures: the resolved, span-free shape of every item a file declares (record fields
//! and their types, function parameters, constant types, rule names and clauses, the guideline
//! index). Other files depend on these, never on the bodies.

use std::sync::Arc;

use okite_ir::{ClauseDef, Const, SectionDef, Severity};

use super::resolve::Resolver;
use super::ty::{Fit, QName, Ty};
use crate::db::{Db, SourceFile};
use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast::{self, ExprKind, ItemKind, RuleStmtKind};

/// A field of a record type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSig {
    /// Name.
    pub name: Arc<str>,
    /// Type.
    pub ty: Ty,
    /// Doc comment.
    pub doc: String,
    /// Default value.
    pub default: Option<Const>,
}

/// A record type (`type` or `facts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSig {
    /// Qualified name.
    pub qname: QName,
    /// Doc comment.
    pub doc: String,
    /// Fields in order.
    pub fields: Vec<FieldSig>,
    /// Index of the `key` field.
    pub key: Option<u32>,
    /// Declared with `facts`.
    pub is_facts: bool,
}

impl RecordSig {
    /// The field called `name` and its index.
    pub fn field(&self, name: &str) -> Option<(u32, &FieldSig)> {
        self.fields.iter().enumerate().find(|(_, f)| &*f.name == name).map(|(i, f)| (i as u32, f))
    }
}

/// An enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumSig {
    /// Qualified name.
    pub qname: QName,
    /// Doc comment.
    pub doc: String,
    /// Variants and their doc comments.
    pub variants: Vec<(Arc<str>, String)>,
}

impl EnumSig {
    /// The index of the variant called `name`.
    pub fn variant(&self, name: &str) -> Option<u32> {
        self.variants.iter().position(|(v, _)| &**v == name).map(|i| i as u32)
    }
}

/// A function's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnSig {
    /// Qualified name.
    pub qname: QName,
    /// Doc comment.
    pub doc: String,
    /// Parameters.
    pub params: Vec<(Arc<str>, Ty)>,
    /// Return type.
    pub ret: Ty,
    /// For an `extern fn`, the plugin module implementing it: its path resolved against the
    /// declaring file (see [`crate::plugins::resolve_path`]).
    pub plugin: Option<Arc<str>>,
}

/// A constant's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstSig {
    /// Qualified name.
    pub qname: QName,
    /// Doc comment.
    pub doc: String,
    /// Type.
    pub ty: Ty,
}

/// A rule's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSig {
    /// Qualified name.
    pub qname: QName,
    /// Doc comment.
    pub doc: String,
    /// Clause ids.
    pub clauses: Vec<String>,
    /// Title.
    pub title: Option<String>,
    /// Severity (default medium).
    pub severity: Severity,
    /// Whether it is an attestation.
    pub attested: bool,
}

/// Everything a file declares, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Signatures {
    /// The package.
    pub package: Option<Arc<str>>,
    /// Records.
    pub records: Vec<RecordSig>,
    /// Enums.
    pub enums: Vec<EnumSig>,
    /// Functions.
    pub fns: Vec<FnSig>,
    /// Constants.
    pub consts: Vec<ConstSig>,
    /// Rules.
    pub rules: Vec<RuleSig>,
    /// Guideline sections.
    pub sections: Vec<SectionDef>,
}

impl Signatures {
    /// The record called `qname`.
    pub fn record(&self, qname: &str) -> Option<&RecordSig> {
        self.records.iter().find(|r| &*r.qname == qname)
    }

    /// The enum called `qname`.
    pub fn enum_(&self, qname: &str) -> Option<&EnumSig> {
        self.enums.iter().find(|e| &*e.qname == qname)
    }

    /// The function called `qname`.
    pub fn func(&self, qname: &str) -> Option<&FnSig> {
        self.fns.iter().find(|f| &*f.qname == qname)
    }

    /// The constant called `qname`.
    pub fn constant(&self, qname: &str) -> Option<&ConstSig> {
        self.consts.iter().find(|c| &*c.qname == qname)
    }

    /// The rule called `qname`.
    pub fn rule(&self, qname: &str) -> Option<&RuleSig> {
        self.rules.iter().find(|r| &*r.qname == qname)
    }
}

/// Signatures together with the diagnostics found while resolving them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SignatureResult {
    /// The signatures.
    pub sigs: Signatures,
    /// Unknown types, invalid defaults, …
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves the signatures of `file`, with diagnostics.
#[salsa::tracked(returns(ref))]
pub fn file_signatures(db: &dyn Db, file: SourceFile) -> SignatureResult {
    let mut diagnostics = Vec::new();
    let sigs = collect(db, file, &mut diagnostics);
    SignatureResult { sigs, diagnostics }
}

/// The signatures of `file`, without diagnostics: what other files depend on. Backdated when
/// an edit changes only spans or bodies.
#[salsa::tracked(returns(ref))]
pub fn signatures(db: &dyn Db, file: SourceFile) -> Signatures {
    file_signatures(db, file).sigs.clone()
}

fn collect(db: &dyn Db, file: SourceFile, diags: &mut Vec<Diagnostic>) -> Signatures {
    let parsed = crate::parse(db, file);
    let r = Resolver::new(db, file);
    let package = r.package().cloned();
    let qualify = |name: &str| -> QName {
        match &package {
            Some(p) => format!("{p}.{name}").into(),
            None => name.into(),
        }
    };
    let mut sigs = Signatures { package: package.clone(), ..Signatures::default() };
    for item in &parsed.file.items {
        match &item.kind {
            ItemKind::Type(rec) | ItemKind::Facts(rec) => {
                let mut fields: Vec<FieldSig> = Vec::new();
                let mut key = None;
                for f in &rec.fields {
                    if fields.iter().any(|g| *g.name == *f.name.name) {
                        let first = rec.fields.iter().find(|g| g.name.name == f.name.name).map(|g| g.name.span);
                        let mut d = Diagnostic::error(
                            Code::DUPLICATE,
                            &r.path,
                            f.name.span,
                            format!("field `{}` is declared twice", f.name.name),
                        )
                        .with_label("second declaration");
                        if let Some(first) = first {
                            d = d.with_secondary(first, "first declared here");
                        }
                        diags.push(d);
                        continue;
                    }
                    let ty = r.resolve_type(&f.ty, diags);
                    let default = f.default.as_ref().and_then(|d| literal_const(&r, d, Some(&ty), diags)).and_then(
                        |(c, cty, span)| match (cty.fits(&ty), c) {
                            (Fit::Same, c) => Some(c),
                            (Fit::IntToDecimal, Const::Int(i)) => match okite_ir::Decimal::from_int(i) {
                                Some(d) => Some(Const::Decimal(d)),
                                None => {
                                    diags.push(Diagnostic::error(
                                        Code::INVALID_LITERAL,
                                        &r.path,
                                        span,
                                        "decimal out of range",
                                    ));
                                    None
                                }
                            },
                            _ => {
                                diags.push(
                                    Diagnostic::error(Code::MISMATCH, &r.path, span, "mismatched types")
                                        .with_label(format!("expected `{ty}`, found `{cty}`")),
                                );
                                None
                            }
                        },
                    );
                    if f.key {
                        if key.is_some() {
                            diags.push(
                                Diagnostic::error(
                                    Code::DUPLICATE,
                                    &r.path,
                                    f.name.span,
                                    "a record has at most one `key` field",
                                )
                                .with_label("second key"),
                            );
                        } else {
                            key = Some(fields.len() as u32);
                        }
                    }
                    fields.push(FieldSig { name: f.name.name.as_str().into(), ty, doc: f.doc.clone(), default });
                }
                sigs.records.push(RecordSig {
                    qname: qualify(&rec.name.name),
                    doc: item.doc.clone(),
                    fields,
                    key,
                    is_facts: matches!(item.kind, ItemKind::Facts(_)),
                });
            }
            ItemKind::Enum(e) => {
                let mut variants: Vec<(Arc<str>, String)> = Vec::new();
                for (doc, v) in &e.variants {
                    if variants.iter().any(|(n, _)| **n == *v.name) {
                        let first = e.variants.iter().find(|(_, w)| w.name == v.name).map(|(_, w)| w.span);
                        let mut d = Diagnostic::error(
                            Code::DUPLICATE,
                            &r.path,
                            v.span,
                            format!("variant `{}` is declared twice", v.name),
                        )
                        .with_label("second declaration");
                        if let Some(first) = first {
                            d = d.with_secondary(first, "first declared here");
                        }
                        diags.push(d);
                        continue;
                    }
                    variants.push((v.name.as_str().into(), doc.clone()));
                }
                sigs.enums.push(EnumSig { qname: qualify(&e.name.name), doc: item.doc.clone(), variants });
            }
            ItemKind::Fn(f) => {
                let params = f.params.iter().map(|(n, t)| (n.name.as_str().into(), r.resolve_type(t, diags))).collect();
                let ret = r.resolve_type(&f.ret, diags);
                sigs.fns.push(FnSig { qname: qualify(&f.name.name), doc: item.doc.clone(), params, ret, plugin: None });
            }
            ItemKind::Extern(f) => {
                let params = f.params.iter().map(|(n, t)| (n.name.as_str().into(), r.resolve_type(t, diags))).collect();
                let ret = r.resolve_type(&f.ret, diags);
                let plugin = crate::plugins::resolve_path(&r.path, &f.from.value);
                sigs.fns.push(FnSig {
                    qname: qualify(&f.name.name),
                    doc: item.doc.clone(),
                    params,
                    ret,
                    plugin: Some(plugin.into()),
                });
            }
            ItemKind::Const(c) => {
                let ty = match &c.ty {
                    Some(t) => r.resolve_type(t, diags),
                    None => match literal_const(&r, &c.value, None, &mut Vec::new()) {
                        Some((_, ty, _)) => ty,
                        // An invalid literal (`2025-02-30`) is already reported.
                        None if matches!(c.value.kind, ExprKind::Error) => Ty::Error,
                        None => {
                            diags.push(
                                Diagnostic::error(
                                    Code::CONST_VALUE,
                                    &r.path,
                                    c.name.span,
                                    format!("constant `{}` needs a type", c.name.name),
                                )
                                .with_label("its value is not a literal")
                                .with_help(format!("annotate it: `const {}: TYPE = …`", c.name.name)),
                            );
                            Ty::Error
                        }
                    },
                };
                sigs.consts.push(ConstSig { qname: qualify(&c.name.name), doc: item.doc.clone(), ty });
            }
            ItemKind::Rule(rule) => {
                let mut clauses = Vec::new();
                let mut title = None;
                let mut severity = Severity::Medium;
                let mut attested = false;
                for s in &rule.stmts {
                    match &s.kind {
                        RuleStmtKind::Clause(ids) => clauses.extend(ids.iter().map(|i| i.value.clone())),
                        RuleStmtKind::Title(t) if title.is_none() => title = Some(t.value.clone()),
                        RuleStmtKind::Severity(sv) => severity = Severity::parse(&sv.name).unwrap_or(severity),
                        RuleStmtKind::Attest { .. } => attested = true,
                        _ => {}
                    }
                }
                sigs.rules.push(RuleSig {
                    qname: qualify(&rule.name.name),
                    doc: item.doc.clone(),
                    clauses,
                    title,
                    severity,
                    attested,
                });
            }
            ItemKind::Section(s) => sigs.sections.push(SectionDef {
                id: s.id.value.clone(),
                title: s.title.value.clone(),
                clauses: s
                    .clauses
                    .iter()
                    .map(|c| ClauseDef {
                        id: c.id.value.clone(),
                        text: c.text.value.clone(),
                        normative: !c.informative,
                    })
                    .collect(),
            }),
            ItemKind::Package(_) | ItemKind::Import(_) | ItemKind::Test(_) | ItemKind::Error(_) => {}
        }
    }
    sigs
}

/// The constant value of a literal expression (field defaults, untyped constants), its type
/// and span. Bare names are resolved as variants of `expected` when it is an enum.
pub(crate) fn literal_const(
    r: &Resolver<'_>,
    e: &ast::Expr,
    expected: Option<&Ty>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Const, Ty, crate::span::Span)> {
    let span = e.span;
    let (c, ty) = match &e.kind {
        ExprKind::Int(i) => (Const::Int(*i), Ty::Int),
        ExprKind::Decimal(d) => (Const::Decimal(*d), Ty::Decimal),
        ExprKind::Bool(b) => (Const::Bool(*b), Ty::Bool),
        ExprKind::Date(d) => (Const::Date(*d), Ty::Date),
        ExprKind::Duration(d) => (Const::Duration(*d), Ty::Duration),
        ExprKind::None => (Const::None, Ty::Never.optional()),
        ExprKind::Str(parts) => match parts.as_slice() {
            [] => (Const::Str(String::new()), Ty::String),
            [ast::StrPart::Text(t)] => (Const::Str(t.clone()), Ty::String),
            _ => return not_literal(r, span, diags),
        },
        ExprKind::List(items) if items.is_empty() => (Const::EmptyList, Ty::List(Box::new(Ty::Never))),
        ExprKind::Set(items) if items.is_empty() => (Const::EmptySet, Ty::Set(Box::new(Ty::Never))),
        ExprKind::Paren(inner) => return literal_const(r, inner, expected, diags),
        ExprKind::Name(n) => match expected.map(Ty::strip_optional) {
            Some(Ty::Enum(q)) => {
                // Read the variants from syntax: going through `signatures` here would make the
                // signatures of a file depend on themselves.
                let variants = r.enum_variants_syntactic(q)?;
                match variants.iter().position(|v| *v == n.name) {
                    Some(v) => (Const::Enum(r.enum_placeholder(), v as u32), Ty::Enum(q.clone())),
                    None => return not_literal(r, span, diags),
                }
            }
            _ => return not_literal(r, span, diags),
        },
        ExprKind::Error => return None,
        _ => return not_literal(r, span, diags),
    };
    Some((c, ty, span))
}

fn not_literal(
    r: &Resolver<'_>,
    span: crate::span::Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Const, Ty, crate::span::Span)> {
    diags.push(Diagnostic::error(Code::CONST_VALUE, &r.path, span, "expected a literal").with_label(
        "defaults are literals: numbers, strings, dates, durations, `true`, `false`, `none`, `[]`, `{}` or a variant",
    ));
    None
}
