//! Checks that need every file at once: recursion and call depth (termination), constant
//! cycles, unused functions, and rules an officer could not tell apart in a report.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Code, Diagnostic};
use crate::sema::{QName, check_file, signatures};
use crate::span::Span;
use crate::stdlib::STD_PACKAGE;

/// The deepest chain of function calls allowed (E0032).
pub const MAX_CALL_DEPTH: usize = 32;

/// Workspace-level diagnostics, each attached to the file it is about.
#[salsa::tracked(returns(ref))]
pub fn workspace_diagnostics(db: &dyn Db, ws: Workspace) -> Vec<Diagnostic> {
    let files = ws.files(db);
    let mut diags = Vec::new();

    let mut fn_home: BTreeMap<QName, SourceFile> = BTreeMap::new();
    let mut const_home: BTreeMap<QName, SourceFile> = BTreeMap::new();
    for &f in files {
        let sigs = signatures(db, f);
        for func in &sigs.fns {
            fn_home.entry(func.qname.clone()).or_insert(f);
        }
        for c in &sigs.consts {
            const_home.entry(c.qname.clone()).or_insert(f);
        }
    }
    // caller → [(callee, span, file of the call)]
    let mut edges: BTreeMap<QName, Vec<(QName, Span, SourceFile)>> = BTreeMap::new();
    for &f in files {
        for e in &check_file(db, f).ir.calls {
            edges.entry(e.caller.clone()).or_default().push((e.callee.clone(), e.span, f));
        }
    }

    report_cycles(db, &fn_home, &edges, Code::RECURSION, "recursive call", &mut diags);
    report_cycles(db, &const_home, &edges, Code::CONST_VALUE, "constant defined in terms of itself", &mut diags);
    report_call_depth(db, &fn_home, &edges, &mut diags);

    // Unused functions.
    let called: BTreeSet<&QName> = edges.values().flatten().map(|(callee, _, _)| callee).collect();
    for (q, &file) in &fn_home {
        let name = q.rsplit('.').next().unwrap_or(q);
        let in_std = q.strip_suffix(name).is_some_and(|p| p.trim_end_matches('.') == STD_PACKAGE);
        if called.contains(q) || in_std || name.starts_with('_') {
            continue;
        }
        let path = file.path(db);
        let span = decl_span(db, file, name);
        diags.push(
            Diagnostic::warning(Code::UNUSED_FUNCTION, path, span, format!("function `{name}` is never used"))
                .with_help(format!("remove it, or rename it to `_{name}` if it is kept on purpose")),
        );
    }

    // Rules indistinguishable in reports.
    // (sorted clause ids, title) → the rules that have them.
    type ReportKey = (Vec<String>, Option<String>);
    let mut by_key: BTreeMap<ReportKey, Vec<(QName, SourceFile)>> = BTreeMap::new();
    for &f in files {
        for r in &signatures(db, f).rules {
            if r.clauses.is_empty() {
                continue;
            }
            let mut clauses = r.clauses.clone();
            clauses.sort();
            by_key.entry((clauses, r.title.clone())).or_default().push((r.qname.clone(), f));
        }
    }
    for ((clauses, title), rules) in &by_key {
        let Some(((first, first_file), rest)) = rules.split_first() else { continue };
        if rest.is_empty() {
            continue;
        }
        let first_name = short(first);
        let first_span = decl_span(db, *first_file, first_name);
        let clauses: Vec<String> = clauses.iter().map(|c| format!("`{c}`")).collect();
        for (q, file) in rest {
            let name = short(q);
            let span = decl_span(db, *file, name);
            let how = match title {
                Some(t) => format!("under the same title \"{t}\""),
                None => "without a title".to_string(),
            };
            let mut d = Diagnostic::warning(
                Code::DUPLICATE_CLAUSE,
                file.path(db),
                span,
                format!("rules `{first_name}` and `{name}` both implement {} {how}", clauses.join(", ")),
            )
            .with_label(format!("its findings read like those of `{first_name}`"))
            .with_help("give each rule a distinct `title`, or merge them");
            d = if first_file == file {
                d.with_secondary(first_span, format!("`{first_name}` is declared here"))
            } else {
                d.with_secondary_in(first_file.path(db).clone(), first_span, format!("`{first_name}` is declared here"))
            };
            diags.push(d);
        }
    }
    diags
}

fn decl_span(db: &dyn Db, file: SourceFile, name: &str) -> Span {
    crate::parse(db, file)
        .file
        .items
        .iter()
        .filter_map(|i| i.name())
        .find(|n| n.name == name)
        .map_or(Span::default(), |n| n.span)
}

/// Reports one diagnostic per cycle in the graph restricted to `nodes`.
fn report_cycles(
    db: &dyn Db,
    nodes: &BTreeMap<QName, SourceFile>,
    edges: &BTreeMap<QName, Vec<(QName, Span, SourceFile)>>,
    code: Code,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    // Iterative DFS with colours; a back edge closes a cycle.
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: BTreeMap<&QName, Colour> = nodes.keys().map(|k| (k, Colour::White)).collect();
    let mut reported: BTreeSet<Vec<QName>> = BTreeSet::new();
    for start in nodes.keys() {
        if colour.get(start) != Some(&Colour::White) {
            continue;
        }
        let mut stack: Vec<(&QName, usize)> = vec![(start, 0)];
        colour.insert(start, Colour::Grey);
        while let Some((node, i)) = stack.pop() {
            let out: Vec<&(QName, Span, SourceFile)> = edges
                .get(node)
                .map(|v| v.iter().filter(|(c, _, _)| nodes.contains_key(c)).collect())
                .unwrap_or_default();
            if let Some(&(callee, span, file)) = out.get(i).map(|e| (&e.0, e.1, e.2)).as_ref() {
                stack.push((node, i + 1));
                match colour.get(callee).copied() {
                    Some(Colour::White) => {
                        colour.insert(callee, Colour::Grey);
                        stack.push((callee, 0));
                    }
                    Some(Colour::Grey) => {
                        let pos = stack.iter().position(|(n, _)| *n == callee).unwrap_or(0);
                        let mut cycle: Vec<QName> = stack[pos..].iter().map(|(n, _)| (*n).clone()).collect();
                        let path_text: Vec<String> =
                            cycle.iter().chain(std::iter::once(callee)).map(|q| format!("`{}`", short(q))).collect();
                        cycle.sort();
                        if reported.insert(cycle) {
                            let d = Diagnostic::error(
                                code,
                                file.path(db),
                                span,
                                format!("{what}: {}", path_text.join(" → ")),
                            );
                            diags.push(if code == Code::RECURSION {
                                d.with_label("this call closes the cycle")
                                    .with_note("Okite has no recursion, so that every policy terminates")
                                    .with_help("compute it with a quantifier (`any`, `count`, `sum`, …) instead")
                            } else {
                                d.with_label("this use closes the cycle")
                                    .with_note(
                                        "a constant is computed once, from literals and constants computed before it",
                                    )
                                    .with_help("write one of the values as a literal")
                            });
                        }
                    }
                    _ => {}
                }
            } else {
                colour.insert(node, Colour::Black);
            }
        }
    }
}

fn report_call_depth(
    db: &dyn Db,
    fns: &BTreeMap<QName, SourceFile>,
    edges: &BTreeMap<QName, Vec<(QName, Span, SourceFile)>>,
    diags: &mut Vec<Diagnostic>,
) {
    // Longest chain from each function, computed bottom-up; cycles are left at depth 0 (they
    // are reported as recursion).
    let mut depth: BTreeMap<&QName, usize> = BTreeMap::new();
    for _ in 0..=fns.len() {
        let mut changed = false;
        for q in fns.keys() {
            let d = 1 + edges
                .get(q)
                .into_iter()
                .flatten()
                .filter(|(c, _, _)| fns.contains_key(c) && c != q)
                .map(|(c, _, _)| depth.get(c).copied().unwrap_or(0))
                .max()
                .unwrap_or(0);
            let d = d.min(MAX_CALL_DEPTH * 4);
            if depth.get(q) != Some(&d) {
                depth.insert(q, d);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut reported = BTreeSet::new();
    for (caller, calls) in edges {
        for (callee, span, file) in calls {
            let Some(&d) = depth.get(callee) else { continue };
            let caller_depth = depth.get(caller).copied().unwrap_or(0);
            if d > MAX_CALL_DEPTH && caller_depth <= MAX_CALL_DEPTH && reported.insert(callee.clone()) {
                diags.push(
                    Diagnostic::error(
                        Code::CALL_DEPTH,
                        file.path(db),
                        *span,
                        format!("call chain through `{}` is {d} functions deep", short(callee)),
                    )
                    .with_label(format!("more than {MAX_CALL_DEPTH} nested calls"))
                    .with_help("flatten the helper functions"),
                );
            }
        }
    }
}

fn short(q: &Arc<str>) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}
