//! Evaluating rules against a snapshot: applicability, subjects, exemptions, requirements and
//! attestations, aggregated into [`RuleResult`]s.

use okite_ir::{Date, LoopStep, Rule, RuleBody, Stmt, Type};

use crate::engine::{Engine, EvalOptions, Snapshot};
use crate::explain;
use crate::heap::{Heaps, pointer};
use crate::machine::{Fault, Machine};
use crate::plan::{BodyPlan, LoopPlan, RulePlan, StmtPlan};
use crate::render::render;
use crate::report::{Finding, Outcome, RuleResult, SnapshotReport, Status, SubjectCounts, SubjectNote, Summary};
use crate::word::{self, NONE, Word};

pub(crate) fn evaluate(engine: &Engine, snap: &Snapshot, options: &EvalOptions) -> SnapshotReport {
    let eng = engine.prepared();
    let mut report = SnapshotReport {
        source: String::new(),
        facility: snap.label.clone(),
        as_of: options.as_of.or(snap.as_of),
        status: Status::Evaluated,
        errors: Vec::new(),
        warnings: snap.warnings.clone(),
        summary: Summary::default(),
        results: Vec::new(),
    };
    if !engine.owns(snap) {
        report.status = Status::InputError;
        report.errors.push(crate::decode::InputIssue {
            path: String::new(),
            message: "the snapshot was decoded by another engine; decode it with the engine that evaluates it".into(),
        });
        return report;
    }
    let Some(as_of) = report.as_of else {
        report.status = Status::InputError;
        report.errors.push(crate::decode::InputIssue {
            path: "/as_of".into(),
            message: "the snapshot has no `as_of` date; add `\"as_of\": \"YYYY-MM-DD\"` or pass --as-of".into(),
        });
        return report;
    };
    #[cfg(feature = "jit")]
    let jit = engine.tier_for(snap);
    let mut m = Machine::new(eng, &eng.heap, &snap.heap, snap.root, as_of, options.step_budget);
    for (i, (rule, plan)) in eng.program.rules.iter().zip(&eng.rules).enumerate() {
        #[cfg(feature = "jit")]
        let result = match jit.and_then(|j| j.rule(i)) {
            Some(native) => crate::jit::evaluate_rule(&mut m, rule, plan, native, as_of, options.explain),
            None => evaluate_rule(&mut m, rule, plan, as_of, options.explain),
        };
        #[cfg(not(feature = "jit"))]
        let result = {
            let _ = i;
            evaluate_rule(&mut m, rule, plan, as_of, options.explain)
        };
        report.results.push(result);
        m.scratch = crate::heap::Heap::above(Some(&snap.heap));
    }
    report.summary = Summary::of(&report.results);
    report
}

pub(crate) fn rule_timings(
    engine: &Engine,
    snap: &Snapshot,
    options: &EvalOptions,
) -> Vec<(String, std::time::Duration)> {
    let eng = engine.prepared();
    let as_of = options.as_of.or(snap.as_of).unwrap_or(okite_ir::Date(0));
    #[cfg(feature = "jit")]
    let jit = engine.tier_for(snap);
    let mut m = Machine::new(eng, &eng.heap, &snap.heap, snap.root, as_of, options.step_budget);
    let mut out = Vec::with_capacity(eng.rules.len());
    for (i, (rule, plan)) in eng.program.rules.iter().zip(&eng.rules).enumerate() {
        let started = std::time::Instant::now();
        #[cfg(feature = "jit")]
        let _ = match jit.and_then(|j| j.rule(i)) {
            Some(native) => crate::jit::evaluate_rule(&mut m, rule, plan, native, as_of, false),
            None => evaluate_rule(&mut m, rule, plan, as_of, false),
        };
        #[cfg(not(feature = "jit"))]
        let _ = (i, evaluate_rule(&mut m, rule, plan, as_of, false));
        out.push((rule.name.clone(), started.elapsed()));
        m.scratch = crate::heap::Heap::above(Some(&snap.heap));
    }
    out
}

/// The subject being evaluated.
pub(crate) struct Subject {
    path: String,
    label: Option<String>,
}

/// What the subjects of a rule have produced so far.
#[derive(Default)]
pub(crate) struct RuleRun {
    pub(crate) findings: Vec<Finding>,
    pub(crate) notes: Vec<SubjectNote>,
    pub(crate) counts: SubjectCounts,
}

/// A rule's result before anything is known: `pass`, with its metadata.
pub(crate) fn new_result(rule: &Rule) -> RuleResult {
    RuleResult {
        rule: rule.name.clone(),
        clause: rule.clauses.first().cloned().unwrap_or_default(),
        clauses: rule.clauses.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        outcome: Outcome::Pass,
        underlying_outcome: None,
        reason: None,
        findings: Vec::new(),
        notes: Vec::new(),
        subjects: SubjectCounts::default(),
        waivers: Vec::new(),
        location: rule.location.clone(),
    }
}

/// The result of a rule whose `when` (the `k`-th item of its prelude) is false.
pub(crate) fn not_applicable_when(mut result: RuleResult, rule: &Rule, k: usize) -> RuleResult {
    let text = match rule.prelude.get(k) {
        Some(okite_ir::Prelude::When { text, .. }) => text.as_str(),
        _ => "",
    };
    result.outcome = Outcome::NotApplicable;
    result.reason = Some(format!("not applicable: `{text}` is false"));
    result
}

/// Evaluates a rule with the interpreter.
pub(crate) fn evaluate_rule(
    m: &mut Machine<'_>,
    rule: &Rule,
    plan: &RulePlan,
    as_of: Date,
    explain_all: bool,
) -> RuleResult {
    let result = new_result(rule);
    m.enter_frame(plan.nlocals);
    m.reset_budget();

    // Prelude: `let` and `when`.
    for (k, (slot, node)) in plan.prelude.iter().enumerate() {
        match (slot, m.eval(node)) {
            (_, Err(f)) => return errored(result, f),
            (Some(s), Ok(w)) => m.set_local(*s, w),
            (None, Ok(w)) => {
                if w != 1 {
                    return not_applicable_when(result, rule, k);
                }
            }
        }
    }

    if let BodyPlan::Attest { source, clause_field, on_field, by, every } = &plan.body {
        return attest(m, rule, result, source, *clause_field, *on_field, *by, *every, as_of);
    }

    let mut run = RuleRun::default();
    let outcome = if plan.loops.is_empty() {
        subject_outcome(m, rule, plan, explain_all, &mut run)
    } else {
        loops(m, rule, plan, 0, explain_all, &mut run)
    };
    finish(result, rule, run, outcome)
}

/// A rule's result from what its subjects produced, or from the fault that stopped them.
pub(crate) fn finish(mut result: RuleResult, rule: &Rule, run: RuleRun, outcome: Result<(), Fault>) -> RuleResult {
    result.findings = run.findings;
    result.notes = run.notes;
    result.subjects = run.counts;
    match outcome {
        Err(f) => errored(result, f),
        Ok(()) => {
            let c = run.counts;
            result.outcome = if c.total == 0 {
                let loops: Vec<String> = rule
                    .loops
                    .iter()
                    .filter_map(|l| match l {
                        LoopStep::For(l) => Some(format!("`{}`", l.text)),
                        LoopStep::Let { .. } => None,
                    })
                    .collect();
                result.reason = Some(match loops.as_slice() {
                    [one] => format!("not applicable: no subjects in {one}"),
                    many => format!("not applicable: no subjects in {}", many.join(" and, for each, ")),
                });
                Outcome::NotApplicable
            } else if c.fail > 0 {
                Outcome::Fail
            } else if c.error > 0 {
                Outcome::Error
            } else if c.pass > 0 {
                Outcome::Pass
            } else {
                result.reason = Some("not applicable: every subject is exempt".into());
                Outcome::NotApplicable
            };
            if result.outcome == Outcome::Error && result.reason.is_none() {
                result.reason = result.notes.iter().find(|n| n.outcome == Outcome::Error).map(|n| n.reason.clone());
            }
            result
        }
    }
}

pub(crate) fn errored(mut result: RuleResult, f: Fault) -> RuleResult {
    result.outcome = Outcome::Error;
    result.reason = Some(f.to_string());
    result
}

/// Runs the subject loops from step `k`; a fault stops the whole rule only when it happens
/// outside a subject (in a loop source or filter).
fn loops(
    m: &mut Machine<'_>,
    rule: &Rule,
    plan: &RulePlan,
    k: usize,
    explain_all: bool,
    run: &mut RuleRun,
) -> Result<(), Fault> {
    let Some(step) = plan.loops.get(k) else {
        return subject_outcome(m, rule, plan, explain_all, run);
    };
    match step {
        LoopPlan::Let(slot, node) => {
            let w = m.eval(node)?;
            m.set_local(*slot, w);
            loops(m, rule, plan, k + 1, explain_all, run)
        }
        LoopPlan::For { var, source, filter } => {
            let list = m.eval(source)?;
            if list == NONE {
                return Ok(());
            }
            let items = m.elems(list);
            for &x in items.iter() {
                m.step()?;
                m.set_local(*var, x);
                if let Some(f) = filter
                    && m.eval(f)? != 1
                {
                    continue;
                }
                loops(m, rule, plan, k + 1, explain_all, run)?;
            }
            Ok(())
        }
    }
}

/// The subject bound by the innermost `for`: its JSON Pointer and its key.
fn current_subject(m: &Machine<'_>, rule: &Rule, plan: &RulePlan) -> Subject {
    let innermost = plan.loops.iter().rev().find_map(|l| match l {
        LoopPlan::For { var, source, .. } => Some((*var, source)),
        LoopPlan::Let(..) => None,
    });
    let Some((var, _)) = innermost else { return Subject { path: String::new(), label: None } };
    let w = m.local(var);
    let ty = rule.locals.get(var as usize).map(|l| l.ty);
    let program = m.program();
    m.with_view(|v| {
        let (path, label) = match ty.map(|t| program.types.ty(t)) {
            Some(Type::Record(rid)) => {
                let path = pointer(program, m.snap, v.record_origin(w)).unwrap_or_default();
                let label = program.records.get(rid.0 as usize).and_then(|r| {
                    let k = r.key?;
                    let f = r.fields.get(k as usize)?;
                    let kw = v.field(w, k);
                    (kw != NONE).then(|| render(program, v, kw, f.ty))
                });
                (path, label)
            }
            Some(_) => {
                let label = ty.map(|t| render(program, v, w, t));
                (String::new(), label)
            }
            None => (String::new(), None),
        };
        Subject { path, label }
    })
}

/// Evaluates the current subject (the loop variables are set) and records what it produced.
pub(crate) fn subject_outcome(
    m: &mut Machine<'_>,
    rule: &Rule,
    plan: &RulePlan,
    explain_all: bool,
    run: &mut RuleRun,
) -> Result<(), Fault> {
    // Naming the subject (its JSON Pointer and key) costs allocations, so it is done only
    // when something is reported about it.
    let subject = |m: &Machine<'_>| current_subject(m, rule, plan);
    run.counts.total += 1;
    for (node, ex) in plan.exemptions.iter().zip(&rule.exemptions) {
        match m.eval(node) {
            Ok(1) => {
                run.counts.exempt += 1;
                let subject = subject(m);
                run.notes.push(SubjectNote {
                    subject: subject.path,
                    subject_label: subject.label,
                    outcome: Outcome::NotApplicable,
                    reason: format!("exempt: `{}`", ex.text),
                });
                return Ok(());
            }
            Ok(_) => {}
            Err(f) => return subject_error(run, &subject(m), f),
        }
    }
    let BodyPlan::Checks(stmts) = &plan.body else { return Ok(()) };
    let RuleBody::Checks(ir_stmts) = &rule.body else { return Ok(()) };
    let mut failed = false;
    for (stmt, ir) in stmts.iter().zip(ir_stmts) {
        match (stmt, ir) {
            (StmtPlan::Let(slot, node), _) => match m.eval(node) {
                Ok(w) => m.set_local(*slot, w),
                Err(f) => return subject_error(run, &subject(m), f),
            },
            (StmtPlan::Require { cond, message }, Stmt::Require(req)) => match m.eval(cond) {
                Ok(1) => {}
                Ok(_) => {
                    failed = true;
                    let text = match message {
                        Some(msg) => match m.eval_text(msg) {
                            Ok(t) => t,
                            Err(f) => format!("{} (the message could not be built: {f})", req.text),
                        },
                        None => format!("requirement not met: `{}`", req.text),
                    };
                    let detail = if explain_all { explain::Detail::Full } else { explain::Detail::PathsOnly };
                    let why = explain::why_false(m, &rule.locals, &req.cond, cond, detail);
                    let subject = subject(m);
                    let path = explain::primary_path(&why).unwrap_or_else(|| subject.path.clone());
                    run.findings.push(Finding {
                        message: text,
                        path,
                        subject: subject.path,
                        subject_label: subject.label,
                        explanation: explain_all.then_some(why),
                        location: Some(req.location.clone()),
                    });
                }
                Err(f) => return subject_error(run, &subject(m), f),
            },
            _ => {}
        }
    }
    if failed {
        run.counts.fail += 1;
    } else {
        run.counts.pass += 1;
    }
    Ok(())
}

fn subject_error(run: &mut RuleRun, subject: &Subject, f: Fault) -> Result<(), Fault> {
    if let Fault::Budget(_) = f {
        return Err(f);
    }
    run.counts.error += 1;
    run.notes.push(SubjectNote {
        subject: subject.path.clone(),
        subject_label: subject.label.clone(),
        outcome: Outcome::Error,
        reason: f.to_string(),
    });
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn attest(
    m: &mut Machine<'_>,
    rule: &Rule,
    mut result: RuleResult,
    source: &crate::plan::Node,
    clause_field: u32,
    on_field: u32,
    by: Option<(u32, Word)>,
    every: okite_ir::Duration,
    as_of: Date,
) -> RuleResult {
    let list = match m.eval(source) {
        Ok(w) => w,
        Err(f) => return errored(result, f),
    };
    let short = rule.name.rsplit('.').next().unwrap_or(&rule.name);
    let items = m.elems(list);
    // The latest matching attestation made on or before `as_of`.
    let mut latest: Option<(Date, Word)> = None;
    for &a in items.iter() {
        let c = m.field(a, clause_field);
        let names = m.str(c);
        let matches = rule.clauses.iter().any(|id| id == names) || names == rule.name || names == short;
        if !matches {
            continue;
        }
        if let Some((f, role)) = by
            && m.field(a, f) != role
        {
            continue;
        }
        let on = word::to_date(m.field(a, on_field));
        if on > as_of {
            continue;
        }
        if latest.is_none_or(|(d, _)| on > d) {
            latest = Some((on, a));
        }
    }
    let role = match &rule.body {
        RuleBody::Attest(spec) => spec.by_text.clone(),
        RuleBody::Checks(_) => None,
    };
    let by_text = role.map(|r| format!(" by {r}")).unwrap_or_default();
    let subject =
        m.with_view(|v| latest.and_then(|(_, a)| pointer(m.program(), m.snap, v.record_origin(a)))).unwrap_or_default();
    result.subjects = SubjectCounts { total: 1, ..SubjectCounts::default() };
    let fresh_from = as_of.checked_sub(every);
    match latest {
        Some((on, _)) if fresh_from.is_some_and(|from| on > from) => {
            result.outcome = Outcome::Pass;
            result.subjects.pass = 1;
            result.reason = Some(format!("attested{by_text} on {on}"));
        }
        Some((on, _)) => {
            result.outcome = Outcome::Manual;
            let at = if subject.is_empty() { String::new() } else { format!(" ({subject})") };
            result.reason = Some(format!(
                "attestation is stale: last attested{by_text} on {on}{at}, more than {every} before {as_of}"
            ));
        }
        None => {
            result.outcome = Outcome::Manual;
            let ids = rule.clauses.join(", ");
            result.reason = Some(format!("needs attestation{by_text} every {every}: no attestation of {ids} found"));
        }
    }
    result
}

/// Renders a value for explanations (shared with the explainer).
pub(crate) fn render_word(m: &Machine<'_>, w: Word, ty: okite_ir::TypeId) -> String {
    m.with_view(|v: Heaps<'_>| render(m.program(), v, w, ty))
}
