//! Code actions (quick fixes) and code lenses.

use std::sync::Arc;

use super::navigation::TextEdit;
use super::text;
use crate::db::{Db, SourceFile};
use crate::diagnostics::Code;
use crate::names::{DefKind, file_summary, package_index};
use crate::span::Span;
use crate::syntax::ast::{ItemKind, RuleStmtKind};

/// A fix the editor offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    /// What it does.
    pub title: String,
    /// The diagnostic it fixes, if any (its code and span).
    pub fixes: Option<(Code, Span)>,
    /// The edits.
    pub edits: Vec<TextEdit>,
    /// Whether it is the obvious fix (applied by "fix all").
    pub preferred: bool,
}

/// Fixes for the diagnostics in `range`: each diagnostic's own fix ("did you mean"), an
/// `import` for a name another package declares, and a `clause` for a rule without one.
pub fn code_actions(db: &dyn Db, file: SourceFile, range: Span) -> Vec<CodeAction> {
    let path = file.path(db).clone();
    let src = text(db, file);
    let mut out = Vec::new();
    for d in crate::file_diagnostics(db, file) {
        let overlaps = d.primary.span.start <= range.end && range.start <= d.primary.span.end;
        if !overlaps {
            continue;
        }
        if let Some(fix) = &d.fix {
            out.push(CodeAction {
                title: fix.title.clone(),
                fixes: Some((d.code, d.primary.span)),
                edits: vec![TextEdit { path: path.clone(), span: fix.span, new_text: fix.replacement.clone() }],
                preferred: true,
            });
        }
        if d.code == Code::UNKNOWN_NAME || d.code == Code::UNKNOWN_TYPE {
            let name = src.get(d.primary.span.range()).unwrap_or("");
            for (package, defs) in &package_index(db, db.workspace()).packages {
                if defs.iter().any(|x| &*x.name == name && x.kind != DefKind::Broken)
                    && file_summary(db, file).package.as_deref() != Some(package)
                {
                    let at = import_position(db, file);
                    out.push(CodeAction {
                        title: format!("import `{name}` from `{package}`"),
                        fixes: Some((d.code, d.primary.span)),
                        edits: vec![TextEdit {
                            path: path.clone(),
                            span: Span::new(at, at),
                            new_text: format!("import {package}.{{{name}}}\n"),
                        }],
                        preferred: false,
                    });
                }
            }
        }
        if d.code == Code::NO_CLAUSE
            && let Some(at) = rule_body_start(db, file, d.primary.span)
        {
            out.push(CodeAction {
                title: "add a `clause` to the rule".into(),
                fixes: Some((d.code, d.primary.span)),
                edits: vec![TextEdit {
                    path: path.clone(),
                    span: Span::new(at, at),
                    new_text: "\n  clause \"\"".into(),
                }],
                preferred: true,
            });
        }
    }
    out
}

/// Where a new `import` goes: after the last import, else after `package`.
fn import_position(db: &dyn Db, file: SourceFile) -> usize {
    let parsed = crate::parse(db, file);
    let src = text(db, file);
    let after = parsed
        .file
        .items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Import(_) | ItemKind::Package(_)))
        .map(|i| i.span.end as usize)
        .max()
        .unwrap_or(0);
    // Start of the next line.
    src.get(after..).and_then(|r| r.find('\n')).map_or(src.len(), |i| after + i + 1)
}

/// Just after the `{` of the rule whose name is at `name`.
fn rule_body_start(db: &dyn Db, file: SourceFile, name: Span) -> Option<usize> {
    let src = text(db, file);
    let from = name.end as usize;
    src.get(from..)?.find('{').map(|i| from + i + 1)
}

/// What a code lens does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeLensKind {
    /// Run one test.
    RunTest {
        /// The test's name.
        name: String,
    },
    /// Evaluate a rule against a sample facility (the server fills in the outcome).
    Evaluate {
        /// The rule's qualified name.
        rule: Arc<str>,
    },
}

/// A code lens: where, and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    /// The line it is shown above (the item's name).
    pub span: Span,
    /// What it does.
    pub kind: CodeLensKind,
}

/// "Run test" over every test and "Evaluate" over every rule of a file.
pub fn code_lenses(db: &dyn Db, file: SourceFile) -> Vec<CodeLens> {
    let parsed = crate::parse(db, file);
    let package = file_summary(db, file).package.clone().unwrap_or_default();
    let mut out = Vec::new();
    for item in &parsed.file.items {
        match &item.kind {
            ItemKind::Test(t) => {
                out.push(CodeLens { span: t.name.span, kind: CodeLensKind::RunTest { name: t.name.value.clone() } })
            }
            ItemKind::Rule(r) => {
                let has_body = r
                    .stmts
                    .iter()
                    .any(|s| matches!(s.kind, RuleStmtKind::Require { .. } | RuleStmtKind::Attest { .. }));
                if has_body {
                    let rule: Arc<str> = if package.is_empty() {
                        r.name.name.as_str().into()
                    } else {
                        format!("{package}.{}", r.name.name).into()
                    };
                    out.push(CodeLens { span: r.name.span, kind: CodeLensKind::Evaluate { rule } });
                }
            }
            _ => {}
        }
    }
    out
}
