//! Running a compiled rule: the native counterpart of `evaluate::evaluate_rule`.
//!
//! The compiled function decides applicability and which subjects pass; the subjects it hands
//! back were recorded by the interpreter as it went (`abi::h_subject`). What is left here is
//! to assemble the result with the interpreter's own functions, or, when native code stopped
//! (a fault outside a subject, or the step budget), to evaluate the rule again with the
//! interpreter from the state it started in: native code never words a fault itself.

use okite_ir::{Date, Rule};

use super::Native;
use super::abi::{self, Ctx, RuleCx};
use crate::evaluate::{self, RuleRun};
use crate::heap::Heap;
use crate::machine::Machine;
use crate::plan::{BodyPlan, RulePlan};
use crate::report::RuleResult;

/// Evaluates a rule with its compiled code.
pub(crate) fn evaluate_rule(
    m: &mut Machine<'_>,
    rule: &Rule,
    plan: &RulePlan,
    native: Native<'_>,
    as_of: Date,
    explain_all: bool,
) -> RuleResult {
    let mark = m.index_mark();
    m.enter_frame(plan.nlocals);
    m.reset_budget();
    let snap = m.snap;
    let (root, as_of_word, budget) = (m.root, m.as_of, m.budget());
    let mut ctx = Ctx {
        words: snap.words.as_ptr(),
        word_base: u64::from(snap.word_base),
        words_len: snap.words.len() as u64,
        lists: snap.lists.as_ptr().cast::<u8>(),
        list_base: u64::from(snap.list_base),
        lists_len: snap.lists.len() as u64,
        elems: snap.elems.as_ptr(),
        elems_len: snap.elems.len() as u64,
        root,
        as_of: as_of_word,
        steps: 0,
        budget,
        faulted: 0,
        abort: 0,
        ret_len: 0,
        ret_stable: 0,
        passed: 0,
        m,
        tables: native.tables,
        rule: Some(RuleCx { rule, plan, explain: explain_all }),
        run: RuleRun::default(),
        arena: Vec::new(),
        staged: Vec::new(),
        bufs: Vec::new(),
    };
    let status = (native.entry)(&mut ctx);
    let (mut run, passed, stopped) = (std::mem::take(&mut ctx.run), ctx.passed, ctx.abort != 0);
    drop(ctx);

    let result = evaluate::new_result(rule);
    match status {
        abi::DONE if !stopped => match &plan.body {
            BodyPlan::Attest { source, clause_field, on_field, by, every } => {
                evaluate::attest(m, rule, result, source, *clause_field, *on_field, *by, *every, as_of)
            }
            BodyPlan::Checks(_) => {
                let passed = u32::try_from(passed).unwrap_or(u32::MAX);
                run.counts.total = run.counts.total.saturating_add(passed);
                run.counts.pass = run.counts.pass.saturating_add(passed);
                evaluate::finish(result, rule, run, Ok(()))
            }
        },
        s if s >= abi::WHEN_FALSE && !stopped => {
            evaluate::not_applicable_when(result, rule, (s - abi::WHEN_FALSE) as usize)
        }
        _ => {
            // Start again from where the rule started: fresh scratch values, and no index
            // built by the native run, so the interpreter spends exactly its own steps.
            m.forget_indexes(mark);
            m.scratch = Heap::above(Some(m.snap));
            evaluate::evaluate_rule(m, rule, plan, as_of, explain_all)
        }
    }
}
