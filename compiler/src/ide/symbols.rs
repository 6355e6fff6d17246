//! Document symbols (an outline by guideline section and clause), workspace symbols, folding.

use super::lexer::{TokenKind, tokenize};
use super::{clause_text, text};
use crate::db::{Db, SourceFile};
use crate::names::file_summary;
use crate::span::Span;
use crate::syntax::ast::{ItemKind, RuleStmtKind};

/// What a symbol is, for the outline's icons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A package.
    Package,
    /// A guideline section.
    Section,
    /// A guideline clause.
    Clause,
    /// A rule.
    Rule,
    /// A test.
    Test,
    /// A record type or the facts root.
    Type,
    /// An enum.
    Enum,
    /// A field.
    Field,
    /// An enum variant.
    Variant,
    /// A function.
    Function,
    /// A constant.
    Constant,
}

/// A node of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// The name shown.
    pub name: String,
    /// Extra text (a clause's title, a field's type).
    pub detail: Option<String>,
    /// Its kind.
    pub kind: SymbolKind,
    /// The whole construct.
    pub span: Span,
    /// Its name.
    pub selection: Span,
    /// Nested symbols.
    pub children: Vec<DocumentSymbol>,
}

fn sym(name: impl Into<String>, kind: SymbolKind, span: Span, selection: Span) -> DocumentSymbol {
    DocumentSymbol { name: name.into(), detail: None, kind, span, selection, children: Vec::new() }
}

/// The outline of a file: rules grouped by the guideline section of their clause, then the
/// schema, functions and tests.
pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<DocumentSymbol> {
    let parsed = crate::parse(db, file);
    let mut sections: Vec<DocumentSymbol> = Vec::new();
    let mut others: Vec<DocumentSymbol> = Vec::new();
    for item in &parsed.file.items {
        match &item.kind {
            ItemKind::Rule(r) => {
                let clauses: Vec<&str> = r
                    .stmts
                    .iter()
                    .filter_map(|s| match &s.kind {
                        RuleStmtKind::Clause(ids) => Some(ids.iter().map(|i| i.value.as_str()).collect::<Vec<_>>()),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                let title = r.stmts.iter().find_map(|s| match &s.kind {
                    RuleStmtKind::Title(t) => Some(t.value.clone()),
                    _ => None,
                });
                let mut s = sym(r.name.name.clone(), SymbolKind::Rule, item.span, r.name.span);
                s.detail = Some(match &title {
                    Some(t) => format!("{} {t}", clauses.join(", ")),
                    None => clauses.join(", "),
                });
                let heading = clauses
                    .first()
                    .and_then(|c| clause_text(db, c))
                    .map_or_else(|| "(no guideline section)".to_string(), |(section, _)| section);
                match sections.iter_mut().find(|g| g.name == heading) {
                    Some(g) => {
                        g.span = g.span.cover(item.span);
                        g.children.push(s);
                    }
                    None => {
                        let mut g = sym(heading, SymbolKind::Section, item.span, r.name.span);
                        g.children.push(s);
                        sections.push(g);
                    }
                }
            }
            ItemKind::Type(t) | ItemKind::Facts(t) => {
                let mut s = sym(t.name.name.clone(), SymbolKind::Type, item.span, t.name.span);
                if matches!(item.kind, ItemKind::Facts(_)) {
                    s.detail = Some("facts".into());
                }
                for f in &t.fields {
                    let mut c = sym(f.name.name.clone(), SymbolKind::Field, f.name.span.cover(f.ty.span), f.name.span);
                    c.detail = Some(text(db, file).get(f.ty.span.range()).unwrap_or("").to_string());
                    s.children.push(c);
                }
                others.push(s);
            }
            ItemKind::Enum(e) => {
                let mut s = sym(e.name.name.clone(), SymbolKind::Enum, item.span, e.name.span);
                s.children =
                    e.variants.iter().map(|(_, v)| sym(v.name.clone(), SymbolKind::Variant, v.span, v.span)).collect();
                others.push(s);
            }
            ItemKind::Fn(f) => others.push(sym(f.name.name.clone(), SymbolKind::Function, item.span, f.name.span)),
            ItemKind::Extern(f) => others.push(sym(f.name.name.clone(), SymbolKind::Function, item.span, f.name.span)),
            ItemKind::Const(c) => others.push(sym(c.name.name.clone(), SymbolKind::Constant, item.span, c.name.span)),
            ItemKind::Test(t) => others.push(sym(t.name.value.clone(), SymbolKind::Test, item.span, t.name.span)),
            ItemKind::Section(s) => {
                let mut g = sym(format!("{} {}", s.id.value, s.title.value), SymbolKind::Section, item.span, s.id.span);
                g.children = s
                    .clauses
                    .iter()
                    .map(|c| {
                        let mut x =
                            sym(c.id.value.clone(), SymbolKind::Clause, c.id.span.cover(c.text.span), c.id.span);
                        x.detail = Some(c.text.value.chars().take(40).collect());
                        x
                    })
                    .collect();
                sections.push(g);
            }
            ItemKind::Package(p) => others.push(sym(p.joined(), SymbolKind::Package, item.span, p.span)),
            ItemKind::Import(_) | ItemKind::Error(_) => {}
        }
    }
    sections.extend(others);
    sections
}

/// A symbol found by a workspace search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: SymbolKind,
    /// Its package or section.
    pub container: String,
    /// The file.
    pub path: std::sync::Arc<str>,
    /// Where its name is.
    pub span: Span,
}

/// Items (and clause ids) of the whole workspace whose name contains `query` (case-insensitive).
pub fn workspace_symbols(db: &dyn Db, query: &str) -> Vec<WorkspaceSymbol> {
    let q = query.to_lowercase();
    let mut out = Vec::new();
    for &f in db.workspace().files(db) {
        let package = file_summary(db, f).package.clone().unwrap_or_default();
        for s in document_symbols(db, f) {
            let mut stack = vec![s];
            while let Some(s) = stack.pop() {
                if s.kind != SymbolKind::Section && s.kind != SymbolKind::Package && s.name.to_lowercase().contains(&q)
                {
                    out.push(WorkspaceSymbol {
                        name: s.name.clone(),
                        kind: s.kind,
                        container: package.to_string(),
                        path: f.path(db).clone(),
                        span: s.selection,
                    });
                }
                stack.extend(s.children);
            }
        }
    }
    out.sort_by(|a, b| (a.name.len(), &a.name).cmp(&(b.name.len(), &b.name)));
    out.truncate(500);
    out
}

/// A range the editor can fold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldingRange {
    /// Where the range starts (its first line is kept visible).
    pub start: u32,
    /// Where it ends.
    pub end: u32,
    /// Whether it is a comment.
    pub comment: bool,
}

/// Items, sections, runs of comments and block comments.
pub fn folding_ranges(db: &dyn Db, file: SourceFile) -> Vec<FoldingRange> {
    let parsed = crate::parse(db, file);
    let src = text(db, file);
    let mut out: Vec<FoldingRange> = parsed
        .file
        .items
        .iter()
        .filter(|i| src.get(i.span.range()).is_some_and(|t| t.contains('\n')))
        .map(|i| FoldingRange { start: i.span.start, end: i.span.end, comment: false })
        .collect();
    let mut run: Option<(u32, u32)> = None;
    for t in tokenize(&src) {
        let is_comment = matches!(t.kind, TokenKind::Comment | TokenKind::DocComment);
        let multi = src.get(t.span.range()).is_some_and(|x| x.contains('\n'));
        if is_comment && multi {
            out.push(FoldingRange { start: t.span.start, end: t.span.end, comment: true });
            continue;
        }
        match (&mut run, is_comment) {
            (Some((_, end)), true)
                if src
                    .get(*end as usize..t.span.start as usize)
                    .is_some_and(|gap| gap.trim().is_empty() && gap.matches('\n').count() == 1) =>
            {
                *end = t.span.end;
            }
            (_, true) => {
                if let Some((s, e)) = run.take()
                    && src.get(s as usize..e as usize).is_some_and(|x| x.contains('\n'))
                {
                    out.push(FoldingRange { start: s, end: e, comment: true });
                }
                run = Some((t.span.start, t.span.end));
            }
            (_, false) => {
                if let Some((s, e)) = run.take()
                    && src.get(s as usize..e as usize).is_some_and(|x| x.contains('\n'))
                {
                    out.push(FoldingRange { start: s, end: e, comment: true });
                }
            }
        }
    }
    out.sort_by_key(|r| (r.start, r.end));
    out
}
