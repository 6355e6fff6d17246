//! Checking policy tests: the fixture, the edits (typed against the schema) and the
//! expectations.

use okite_ir::{Expectation, ExpectedOutcome, Patch, PatchOp, PatchSeg, TestDef};

use super::{Checker, Context};
use crate::diagnostics::{Code, Diagnostic};
use crate::names::{DefKind, closest};
use crate::sema::index::Symbol;
use crate::sema::ty::Ty;
use crate::syntax::ast::{Item, PatchDecl, PatchSegDecl, TestDecl};

impl Checker<'_> {
    pub(crate) fn check_test(&mut self, item: &Item, t: &TestDecl) {
        let _ = item;
        let q = self.qualify(&format!("test {:?}", t.name.value));
        self.begin_item(q, Context::Constant);
        let facts_file = match t.givens.as_slice() {
            [g] => g.file.value.clone(),
            [] => {
                self.push(
                    self.error(Code::TEST_GIVEN, t.name.span, "test has no fixture")
                        .with_label("no `given facts from \"…\"`")
                        .with_help("start the test with `given facts from \"fixtures/facility.json\"`"),
                );
                String::new()
            }
            [first, rest @ ..] => {
                for g in rest {
                    self.push(
                        Diagnostic::error(Code::TEST_GIVEN, &self.r.path, g.span, "a test has one fixture")
                            .with_label("second `given`")
                            .with_secondary(first.span, "first fixture")
                            .with_help("put the edits into one `with { … }` block"),
                    );
                }
                first.file.value.clone()
            }
        };
        let mut patches = Vec::new();
        for g in &t.givens {
            for p in &g.patches {
                if let Some(patch) = self.patch(p) {
                    patches.push(patch);
                }
            }
        }
        let mut expectations = Vec::new();
        for e in &t.expects {
            let outcome = match e.outcome.name.as_str() {
                "passes" => ExpectedOutcome::Pass,
                "fails" => ExpectedOutcome::Fail,
                "not_applicable" => ExpectedOutcome::NotApplicable,
                "manual" => ExpectedOutcome::Manual,
                _ => ExpectedOutcome::Error,
            };
            let rule = match self.r.lookup(&e.rule.name) {
                [d] if d.kind == DefKind::Rule => {
                    let q = d.qname.clone();
                    self.refer(e.rule.span, Symbol::Item { qname: q.clone(), kind: DefKind::Rule });
                    Some(self.rule_id(&q))
                }
                [d] if d.kind == DefKind::Broken => None,
                defs => {
                    let mut d = Diagnostic::error(
                        Code::UNKNOWN_RULE,
                        &self.r.path,
                        e.rule.span,
                        format!("unknown rule `{}`", e.rule.name),
                    )
                    .with_label(if defs.is_empty() {
                        "no rule of this name in scope".to_string()
                    } else {
                        "not a rule".to_string()
                    });
                    let rules: Vec<&str> = self
                        .r
                        .scope
                        .names
                        .iter()
                        .filter(|(_, ds)| ds.iter().any(|d| d.kind == DefKind::Rule))
                        .map(|(n, _)| &**n)
                        .collect();
                    if let Some(c) = closest(&e.rule.name, rules) {
                        d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                            format!("replace with `{c}`"),
                            e.rule.span,
                            c.to_string(),
                        );
                    }
                    self.push(d);
                    None
                }
            };
            if let Some(rule) = rule {
                let location = self.location(e.span);
                expectations.push(Expectation {
                    rule,
                    outcome,
                    message: e.message.as_ref().map(|m| m.value.clone()),
                    location,
                });
            }
        }
        let locals = self.end_item();
        let location = self.location(t.name.span);
        self.out.tests.push(TestDef {
            name: t.name.value.clone(),
            location,
            facts_file,
            patches,
            locals,
            expectations,
        });
    }

    fn patch(&mut self, p: &PatchDecl) -> Option<Patch> {
        let mut path = Vec::new();
        let mut ty: Option<Ty> = None;
        for (i, seg) in p.path.iter().enumerate() {
            match seg {
                PatchSegDecl::Field(name) => {
                    if i == 0 && name.name == "as_of" {
                        ty = Some(Ty::Date);
                        path.push(PatchSeg::Field(name.name.clone()));
                        continue;
                    }
                    let current = match &ty {
                        None => Ty::Record(self.facts_root()?),
                        Some(t) => t.strip_optional().clone(),
                    };
                    let Ty::Record(q) = &current else {
                        self.push(
                            self.error(Code::PATCH_PATH, name.span, format!("`{current}` has no fields"))
                                .with_label(format!("cannot edit `.{}` here", name.name)),
                        );
                        return None;
                    };
                    let sig = self.r.record_sig(q)?;
                    match sig.field(&name.name) {
                        Some((_, f)) => {
                            self.refer(
                                name.span,
                                Symbol::Field { record: q.clone(), field: name.name.as_str().into() },
                            );
                            ty = Some(f.ty.clone());
                        }
                        None => {
                            let mut d = Diagnostic::error(
                                Code::PATCH_PATH,
                                &self.r.path,
                                name.span,
                                format!("no field `{}` on `{current}`", name.name),
                            )
                            .with_label("unknown field");
                            if let Some(c) = closest(&name.name, sig.fields.iter().map(|f| &*f.name)) {
                                d = d.with_help(format!("did you mean `{c}`?")).with_fix(
                                    format!("replace with `{c}`"),
                                    name.span,
                                    c.to_string(),
                                );
                            }
                            self.push(d);
                            return None;
                        }
                    }
                    path.push(PatchSeg::Field(name.name.clone()));
                }
                PatchSegDecl::Index(n, span) => {
                    let current = ty.clone().unwrap_or(Ty::Error);
                    let Ty::List(el) = current.strip_optional() else {
                        self.push(
                            self.error(Code::PATCH_PATH, *span, format!("`{current}` is not a list"))
                                .with_label("cannot index here"),
                        );
                        return None;
                    };
                    ty = Some((**el).clone());
                    path.push(PatchSeg::Index(*n));
                }
            }
        }
        let target = ty?;
        let (op, want) = if p.append {
            match target.strip_optional() {
                Ty::List(el) => (PatchOp::Append, (**el).clone()),
                other => {
                    let other = other.clone();
                    self.push(
                        self.error(Code::PATCH_PATH, p.span, format!("`+=` appends to a list, and this is `{other}`"))
                            .with_help("use `=` to replace the value"),
                    );
                    return None;
                }
            }
        } else {
            (PatchOp::Set, target)
        };
        let value = self.expect(&p.value, &want);
        let location = self.location(p.span);
        Some(Patch { path, op, value: value.ir, location })
    }
}
