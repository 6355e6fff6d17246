//! Checking rules: metadata, statement order, subjects, requirements and attestations.

use okite_ir::{
    AttestSpec, Const, Duration, Exemption, ExprKind as IrKind, Loop, LoopStep, Prelude, Require, Rule, RuleBody,
    Severity, Stmt,
};

use super::{Checker, Context};
use crate::diagnostics::{Code, Diagnostic};
use crate::names::{clause_ids, closest};
use crate::sema::ty::{Ty, short};
use crate::span::Span;
use crate::syntax::ast::{Expr, Item, RuleDecl, RuleStmtKind};

/// Where in a rule's reading order a statement belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Prelude,
    Loops,
    Unless,
    Body,
}

impl Checker<'_> {
    pub(crate) fn check_rule(&mut self, item: &Item, rule: &RuleDecl) {
        let q = self.qualify(&rule.name.name);
        self.begin_item(q.clone(), Context::Normal);
        let mut clauses: Vec<String> = Vec::new();
        let mut clause_span: Option<Span> = None;
        let mut title: Option<(String, Span)> = None;
        let mut severity: Option<(Severity, Span)> = None;
        let mut tags = Vec::new();
        let mut prelude = Vec::new();
        let mut loops = Vec::new();
        let mut exemptions = Vec::new();
        let mut body = Vec::new();
        let mut attest: Option<(AttestSpec, Span)> = None;
        let mut checks: Option<Span> = None;
        let mut phase = Phase::Prelude;
        let db = self.r.db;
        let known_clauses = clause_ids(db, db.workspace());

        for stmt in &rule.stmts {
            let span = stmt.span;
            match &stmt.kind {
                RuleStmtKind::Clause(ids) => {
                    if let Some(prev) = clause_span {
                        self.duplicate_meta(
                            "clause",
                            span,
                            prev,
                            "list every clause in one `clause` statement: `clause \"7(6)イ\", \"7(6)ウ\"`",
                        );
                    }
                    clause_span.get_or_insert(span);
                    for id in ids {
                        if let Some(known) = &known_clauses
                            && !known.contains(id.value.as_str())
                        {
                            let mut d = Diagnostic::error(
                                Code::UNKNOWN_CLAUSE,
                                &self.r.path,
                                id.span,
                                format!("no clause `{}` in the guideline index", id.value),
                            )
                            .with_label("unknown clause id");
                            // `14（8）`, typed with an IME, for `14(8)`.
                            let halfwidth: String = id.value.chars().map(to_halfwidth).collect();
                            let suggestion = if known.contains(halfwidth.as_str()) {
                                d = d.with_note("the id is written with full-width characters");
                                Some(halfwidth.as_str())
                            } else {
                                closest(&id.value, known.iter().map(|k| &**k))
                            };
                            if let Some(c) = suggestion {
                                d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                                    format!("replace with `{c}`"),
                                    id.span,
                                    format!("\"{c}\""),
                                );
                            }
                            self.push(d);
                        }
                        if clauses.contains(&id.value) {
                            self.push(self.error(
                                Code::DUPLICATE_META,
                                id.span,
                                format!("clause `{}` listed twice", id.value),
                            ));
                        }
                        clauses.push(id.value.clone());
                    }
                }
                RuleStmtKind::Title(t) => {
                    if let Some((_, prev)) = &title {
                        let prev = *prev;
                        self.duplicate_meta("title", span, prev, "a rule has one title");
                    } else {
                        title = Some((t.value.clone(), span));
                    }
                }
                RuleStmtKind::Severity(s) => {
                    if let Some((_, prev)) = &severity {
                        let prev = *prev;
                        self.duplicate_meta("severity", span, prev, "a rule has one severity");
                    }
                    match Severity::parse(&s.name) {
                        Some(sev) => {
                            severity.get_or_insert((sev, span));
                        }
                        None => {
                            let names = Severity::ALL.map(Severity::as_str);
                            let mut d = Diagnostic::error(
                                Code::UNKNOWN_SEVERITY,
                                &self.r.path,
                                s.span,
                                format!("unknown severity `{}`", s.name),
                            )
                            .with_label("expected `critical`, `high`, `medium`, `low` or `info`");
                            if let Some(c) = closest(&s.name, names) {
                                d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                                    format!("replace with `{c}`"),
                                    s.span,
                                    c,
                                );
                            }
                            self.push(d);
                        }
                    }
                }
                RuleStmtKind::Tags(ts) => tags.extend(ts.iter().map(|t| t.value.clone())),
                RuleStmtKind::When(e) => {
                    if phase > Phase::Prelude {
                        self.out_of_order(span, "`when` must come before the rule's `for`, `unless` and `require`");
                    }
                    let cond = self.expect(e, &Ty::Bool);
                    prelude.push(Prelude::When { cond: cond.ir, text: self.text_of(e) });
                }
                RuleStmtKind::For { var, source, filter } => {
                    if phase > Phase::Loops {
                        self.out_of_order(span, "`for` must come before the rule's `unless` and `require`");
                    }
                    phase = Phase::Loops;
                    let src = self.expr(source, None);
                    let el = match &src.ty {
                        Ty::List(el) | Ty::Set(el) => (**el).clone(),
                        t if t.is_error() => Ty::Error,
                        t => {
                            let t = t.clone();
                            let mut d = Diagnostic::error(
                                Code::MISMATCH,
                                &self.r.path,
                                source.span,
                                format!("`for` needs a list or set, found `{t}`"),
                            )
                            .with_label("not a collection");
                            if t.is_optional() {
                                d = d.with_help(format!(
                                    "write `({} ?? [])` to treat `none` as no subjects",
                                    self.snippet(source.span)
                                ));
                            } else if matches!(t, Ty::Record(_)) {
                                d = d.with_help(
                                    "a single record needs no loop: use it directly, or `when` for applicability",
                                );
                            }
                            self.push(d);
                            Ty::Error
                        }
                    };
                    let v = self.declare(&var.name, el, var.span, true);
                    let filter_ir = filter.as_ref().map(|f| self.expect(f, &Ty::Bool).ir);
                    let mut text = self.text_of(source);
                    if let Some(f) = filter {
                        text = format!("{text} where {}", self.text_of(f));
                    }
                    loops.push(LoopStep::For(Loop { var: v, source: src.ir, filter: filter_ir, text }));
                }
                RuleStmtKind::Unless(e) => {
                    if phase > Phase::Unless {
                        self.out_of_order(span, "`unless` must come before the rule's `require`");
                    }
                    phase = phase.max(Phase::Unless);
                    let cond = self.expect(e, &Ty::Bool);
                    exemptions.push(Exemption { cond: cond.ir, text: self.text_of(e) });
                }
                RuleStmtKind::Let(l) => {
                    let value = match &l.ty {
                        Some(t) => {
                            let t = self.r.resolve_type(t, &mut self.diags);
                            self.expect(&l.value, &t)
                        }
                        None => self.expr(&l.value, None),
                    };
                    let var = self.declare(&l.name.name, value.ty.clone(), l.name.span, true);
                    match phase {
                        Phase::Prelude => prelude.push(Prelude::Let { var, value: value.ir }),
                        Phase::Loops => loops.push(LoopStep::Let { var, value: value.ir }),
                        Phase::Unless | Phase::Body => {
                            phase = Phase::Body;
                            body.push(Stmt::Let { var, value: value.ir });
                        }
                    }
                }
                RuleStmtKind::Require { cond, message } => {
                    phase = Phase::Body;
                    checks.get_or_insert(span);
                    let c = self.expect(cond, &Ty::Bool);
                    let m = message.as_ref().map(|m| self.expect(m, &Ty::String).ir);
                    let location = self.location(span);
                    body.push(Stmt::Require(Require { cond: c.ir, message: m, text: self.text_of(cond), location }));
                }
                RuleStmtKind::Attest { every, by } => {
                    if attest.is_some() {
                        self.push(
                            self.error(Code::RULE_SHAPE, span, "a rule attests once").with_label("second `attest`"),
                        );
                        continue;
                    }
                    if let Some(spec) = self.attest_spec(every, by.as_ref(), span) {
                        attest = Some((spec, span));
                    } else {
                        attest = Some((placeholder_attest(self), span));
                    }
                }
            }
        }

        let rule_body = match (attest, checks) {
            (Some((spec, span)), None) => {
                if loops.iter().any(|l| matches!(l, LoopStep::For(_))) {
                    self.push(
                        self.error(Code::RULE_SHAPE, span, "an attestation rule has no subjects")
                            .with_label("attests the facility as a whole")
                            .with_help("remove the `for`, or turn the rule into a `require`"),
                    );
                }
                if !exemptions.is_empty() {
                    self.push(
                        self.error(Code::RULE_SHAPE, span, "an attestation rule cannot have `unless`")
                            .with_help("use `when` to say when the attestation is needed"),
                    );
                }
                RuleBody::Attest(spec)
            }
            (Some((_, a)), Some(r)) => {
                self.push(
                    Diagnostic::error(Code::RULE_SHAPE, &self.r.path, a, "a rule either requires or attests, not both")
                        .with_label("attestation")
                        .with_secondary(r, "requirement")
                        .with_help("split it into two rules for the same clause, with distinct titles"),
                );
                RuleBody::Checks(body)
            }
            (None, None) => {
                self.push(
                    self.error(Code::RULE_SHAPE, rule.name.span, format!("rule `{}` checks nothing", rule.name.name))
                        .with_label("no `require` and no `attest`")
                        .with_help(
                            "add `require CONDITION`, or `attest every 1y by ROLE` for a clause no fact can decide",
                        ),
                );
                RuleBody::Checks(body)
            }
            (None, Some(_)) => RuleBody::Checks(body),
        };

        if clauses.is_empty() {
            self.push(
                Diagnostic::warning(
                    Code::NO_CLAUSE,
                    &self.r.path,
                    rule.name.span,
                    format!("rule `{}` names no clause", rule.name.name),
                )
                .with_label("which guideline clause does it implement?")
                .with_help("add `clause \"…\"` so reports trace its verdicts to the guideline"),
            );
        }

        let locals = self.end_item();
        let location = self.location(rule.name.span);
        self.out.rules.push(Rule {
            name: q.to_string(),
            clauses,
            title: title.map(|(t, _)| t),
            severity: severity.map_or(Severity::Medium, |(s, _)| s),
            tags,
            doc: item.doc.clone(),
            location,
            locals,
            prelude,
            loops,
            exemptions,
            body: rule_body,
        });
    }

    fn duplicate_meta(&mut self, what: &str, span: Span, prev: Span, help: &str) {
        self.push(
            Diagnostic::error(Code::DUPLICATE_META, &self.r.path, span, format!("`{what}` given twice"))
                .with_label("second one")
                .with_secondary(prev, "first given here")
                .with_help(help.to_string()),
        );
    }

    fn out_of_order(&mut self, span: Span, why: &str) {
        self.push(
            Diagnostic::error(Code::RULE_ORDER, &self.r.path, span, "rule statements out of order")
                .with_label(why.to_string())
                .with_note("a rule reads: metadata, `when`/`let`, `for`, `unless`, then `require`"),
        );
    }

    /// The source text of an expression with whitespace collapsed: what reports quote.
    pub(crate) fn text_of(&self, e: &Expr) -> String {
        self.snippet(e.span).split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn attest_spec(&mut self, every: &crate::syntax::ast::Ident, by: Option<&Expr>, span: Span) -> Option<AttestSpec> {
        let period = Duration::parse_literal(&every.name);
        if period.is_none_or(|d| d.nominal_sixteenths() <= 0) {
            self.push(
                self.error(
                    Code::ATTEST_PERIOD,
                    every.span,
                    format!("`{}` is not a valid attestation period", every.name),
                )
                .with_label("expected a positive duration such as `1y`"),
            );
            return None;
        }
        let every_d = period?;
        let shape_error = |cx: &mut Self, why: String| {
            cx.push(
                Diagnostic::error(Code::ATTESTATION_SHAPE, &cx.r.path, span, "attestations are not declared")
                    .with_label(why)
                    .with_help("add to the facts root: `attestations: list<Attestation> = []`, where `Attestation` has `clause: string`, `on: date` and `by: ROLE`"),
            );
        };
        let Some(root) = self.facts_root() else {
            shape_error(self, "no facts root is declared".into());
            return None;
        };
        let root_sig = self.r.record_sig(&root)?;
        let Some((att_index, att_field)) = root_sig.field("attestations") else {
            shape_error(self, format!("`{}` has no field `attestations`", short(&root)));
            return None;
        };
        let Ty::List(el) = &att_field.ty else {
            shape_error(self, "`attestations` is not a list".into());
            return None;
        };
        let Ty::Record(rq) = &**el else {
            shape_error(self, "`attestations` is not a list of records".into());
            return None;
        };
        let list_ty = att_field.ty.clone();
        let rq = rq.clone();
        let rec = self.r.record_sig(&rq)?;
        let clause_field = rec.field("clause").filter(|(_, f)| f.ty == Ty::String).map(|(i, _)| i);
        let on_field = rec.field("on").filter(|(_, f)| f.ty == Ty::Date).map(|(i, _)| i);
        let by_field = rec.field("by").map(|(i, f)| (i, f.ty.clone()));
        let (Some(clause_field), Some(on_field)) = (clause_field, on_field) else {
            shape_error(self, format!("`{}` needs fields `clause: string` and `on: date`", short(&rq)));
            return None;
        };
        let (by, by_text) = match by {
            None => (None, None),
            Some(e) => {
                let Some((bi, bty)) = by_field else {
                    shape_error(self, format!("`{}` has no field `by` for the role", short(&rq)));
                    return None;
                };
                let t = self.expect(e, &bty);
                match t.ir.kind {
                    IrKind::Const(c @ Const::Enum(..)) => (Some((bi, c)), Some(self.text_of(e))),
                    _ if t.ty.is_error() => return None,
                    _ => {
                        self.push(
                            self.error(Code::ATTESTATION_SHAPE, e.span, "the role must be a variant")
                                .with_label(format!("expected a variant of `{bty}`")),
                        );
                        return None;
                    }
                }
            }
        };
        let root_ty = Ty::Record(root.clone());
        let facts = self.node(&root_ty, IrKind::Facts);
        let source = self.node(&list_ty, IrKind::Field { base: Box::new(facts.ir), field: att_index });
        Some(AttestSpec { every: every_d, source: source.ir, clause_field, on_field, by, by_text })
    }
}

/// Stands in for an attestation that could not be resolved (already reported).
fn placeholder_attest(cx: &mut Checker<'_>) -> AttestSpec {
    let source = cx.error_expr().ir;
    AttestSpec { every: Duration::months(12), source, clause_field: 0, on_field: 0, by: None, by_text: None }
}

/// The ASCII form of a full-width ASCII character (`（` → `(`), other characters unchanged.
fn to_halfwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}
