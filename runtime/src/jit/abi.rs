//! The boundary between generated code and the runtime: the context every compiled function
//! receives, and the helpers it calls for what is not worth compiling.
//!
//! Generated code reads the first fields of [`Ctx`] at fixed offsets (`offset_of!`): where the
//! snapshot's records and lists are, `as_of`, the step count and the fault flags. Everything
//! else it asks of a helper: an `extern "C"` function taking the context by reference, so the
//! helpers are ordinary safe Rust; the only `unsafe` (in `mod.rs`) turns finalized code into a
//! function pointer, and frees it with the engine.
//!
//! Faults in generated code are only a flag: wherever the interpreter would fault, native code
//! stops and hands the subject (or the rule) to the interpreter, which finds the same fault and
//! reports it in its own words (see `run.rs`).

use okite_ir::{BinOp, Builtin, OrdKind, UnOp};

use crate::evaluate::{RuleRun, subject_outcome};
use crate::machine::{Fault, Machine};
use crate::plan::{Node, RulePlan};
use crate::word::{NONE, Word};

/// The evaluation context of one rule run, shared with generated code.
///
/// INVARIANT (native-prefix): the fields up to `passed` are plain words and pointers whose
/// offsets generated code uses; the pointers and lengths describe the snapshot heap, which
/// nothing mutates while the context lives.
#[repr(C)]
pub(crate) struct Ctx<'c, 'm> {
    /// The snapshot heap's record words.
    pub words: *const Word,
    /// The first record offset of the snapshot heap.
    pub word_base: u64,
    /// `words.len()`.
    pub words_len: u64,
    /// The snapshot heap's list headers.
    pub lists: *const u8,
    /// The first list id of the snapshot heap.
    pub list_base: u64,
    /// `lists.len()`.
    pub lists_len: u64,
    /// The snapshot heap's list elements.
    pub elems: *const Word,
    /// `elems.len()`.
    pub elems_len: u64,
    /// The snapshot root.
    pub root: Word,
    /// `as_of`.
    pub as_of: Word,
    /// Steps spent by this rule (synchronised with the machine around helper calls).
    pub steps: u64,
    /// The step budget.
    pub budget: u64,
    /// Non-zero after a fault, until the subject's handler clears it.
    pub faulted: u64,
    /// Non-zero when the rule must be given back to the interpreter whole (the budget ran
    /// out, or the interpreter stopped a subject).
    pub abort: u64,
    /// The second result of [`h_elems`] and [`h_candidates`]: the length.
    pub ret_len: u64,
    /// The third result of [`h_elems`]: whether the list outlives the evaluation.
    pub ret_stable: u64,
    /// Subjects that passed in native code.
    pub passed: u64,
    /// The interpreter, for helpers.
    pub m: &'c mut Machine<'m>,
    /// The operand tables of the compiled code.
    pub tables: &'c Tables,
    /// The rule being evaluated, for the subject handler.
    pub rule: Option<RuleCx<'c>>,
    /// What the subjects handed to the interpreter produced.
    pub run: RuleRun,
    /// Copies of scratch lists and index look-ups that native code is iterating over.
    pub arena: Vec<Vec<Word>>,
    /// Locals for the next [`h_eval`].
    pub staged: Vec<(u32, Word)>,
    /// Lists under construction (literals, `filter`, `map`, plugin arguments).
    pub bufs: Vec<Vec<Word>>,
}

/// The rule a context evaluates.
#[derive(Clone, Copy)]
pub(crate) struct RuleCx<'c> {
    pub rule: &'c okite_ir::Rule,
    pub plan: &'c RulePlan,
    pub explain: bool,
}

/// What generated code refers to by index: operators and built-ins left to the interpreter,
/// nodes it evaluates, and constant collections.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    /// Binary operators applied by [`h_apply`].
    pub ops: Vec<(BinOp, okite_ir::TypeId)>,
    /// Unary operators applied by [`h_unary`].
    pub unops: Vec<UnOp>,
    /// Built-ins applied by [`h_builtin`].
    pub builtins: Vec<Builtin>,
    /// Nodes evaluated by [`h_eval`], with the frame size of their function or rule.
    pub nodes: Vec<(Node, usize)>,
    /// Elements of constant collections. Generated code holds their addresses.
    ///
    /// INVARIANT (static-arrays): never changed after compilation, so the boxed slices never
    /// move and stay readable for the compiled code's lifetime.
    pub statics: Vec<Box<[Word]>>,
}

/// Status of a rule function: finished.
pub(crate) const DONE: u64 = 0;
/// Status of a rule function: stopped by a fault outside a subject or the budget; the
/// interpreter re-runs the rule.
pub(crate) const STOPPED: u64 = 1;
/// Status of a rule function: `WHEN_FALSE + k` when the `k`-th prelude item (a `when`) is
/// false.
pub(crate) const WHEN_FALSE: u64 = 2;

impl Ctx<'_, '_> {
    fn fail(&mut self, f: &Fault) -> Word {
        self.faulted = 1;
        if matches!(f, Fault::Budget(_)) {
            self.abort = 1;
        }
        0
    }

    /// Runs `f` on the machine with the step count handed over and back.
    fn with_steps<R>(&mut self, f: impl FnOnce(&mut Machine<'_>) -> R) -> R {
        self.m.set_steps(self.steps);
        let r = f(self.m);
        self.steps = self.m.steps();
        r
    }

    fn keep(&mut self, items: Vec<Word>) -> *const Word {
        self.ret_len = items.len() as u64;
        let p = items.as_ptr();
        // Moving the vector into the arena moves its header, not its buffer: `p` stays valid
        // until the context is dropped.
        self.arena.push(items);
        p
    }
}

// The helpers take the context by reference: generated code passes the pointer it was given.
// Their parameter types are words; `Ctx` is opaque to the generated code beyond its prefix.

/// `Field`/`OptField` off the snapshot fast path: `none` for `none`, else the interpreter's read.
pub(crate) extern "C" fn h_field(ctx: &mut Ctx<'_, '_>, record: Word, field: u64) -> Word {
    if record == NONE { NONE } else { ctx.m.field(record, field as u32) }
}

/// The elements of a list off the snapshot fast path: a pointer, with the length in
/// `ret_len` and whether the list is stable in `ret_stable`.
pub(crate) extern "C" fn h_elems(ctx: &mut Ctx<'_, '_>, list: Word) -> *const Word {
    if let Some(s) = ctx.m.stable_elems(list) {
        ctx.ret_len = s.len() as u64;
        ctx.ret_stable = 1;
        return s.as_ptr();
    }
    ctx.ret_stable = 0;
    let items = ctx.m.elems(list).into_owned();
    ctx.keep(items)
}

/// The elements of the stable `list` whose `field` equals `key`, from the machine's index
/// (built on first use, spending steps as the interpreter does); the length in `ret_len`.
pub(crate) extern "C" fn h_candidates(ctx: &mut Ctx<'_, '_>, list: Word, field: u64, key: Word) -> *const Word {
    let all = ctx.m.stable_elems(list).unwrap_or(&[]);
    match ctx.with_steps(|m| m.indexed(all, list, field as u32, key)) {
        Ok(items) => ctx.keep(items),
        Err(f) => {
            ctx.fail(&f);
            ctx.ret_len = 0;
            std::ptr::null()
        }
    }
}

/// A binary operator of `tables.ops`.
pub(crate) extern "C" fn h_apply(ctx: &mut Ctx<'_, '_>, op: u64, a: Word, b: Word) -> Word {
    let Some(&(op, ty)) = ctx.tables.ops.get(op as usize) else {
        return ctx.fail(&Fault::Malformed("operator"));
    };
    match ctx.m.apply(op, a, b, ty) {
        Ok(w) => w,
        Err(f) => ctx.fail(&f),
    }
}

/// A unary operator of `tables.unops`.
pub(crate) extern "C" fn h_unary(ctx: &mut Ctx<'_, '_>, op: u64, a: Word) -> Word {
    let Some(&op) = ctx.tables.unops.get(op as usize) else {
        return ctx.fail(&Fault::Malformed("operator"));
    };
    match ctx.m.unary(op, a) {
        Ok(w) => w,
        Err(f) => ctx.fail(&f),
    }
}

/// A built-in of `tables.builtins`, applied to its arguments' values.
pub(crate) extern "C" fn h_builtin(ctx: &mut Ctx<'_, '_>, b: u64, a: Word, c: Word) -> Word {
    let Some(&b) = ctx.tables.builtins.get(b as usize) else {
        return ctx.fail(&Fault::Malformed("built-in"));
    };
    match ctx.m.apply_builtin(b, a, c) {
        Ok(w) => w,
        Err(f) => ctx.fail(&f),
    }
}

/// Orders two strings: -1, 0 or 1.
pub(crate) extern "C" fn h_str_cmp(ctx: &mut Ctx<'_, '_>, a: Word, b: Word) -> i64 {
    ctx.m.cmp(OrdKind::String, a, b) as i64
}

/// Stages a local for the next [`h_eval`].
pub(crate) extern "C" fn h_stage(ctx: &mut Ctx<'_, '_>, slot: u64, w: Word) {
    ctx.staged.push((slot as u32, w));
}

/// Evaluates node `idx` of `tables.nodes` with the interpreter, in a frame holding the staged
/// locals.
pub(crate) extern "C" fn h_eval(ctx: &mut Ctx<'_, '_>, idx: u64) -> Word {
    let tables = ctx.tables;
    let Some((node, nlocals)) = tables.nodes.get(idx as usize) else {
        return ctx.fail(&Fault::Malformed("node"));
    };
    let staged = std::mem::take(&mut ctx.staged);
    let r = ctx.with_steps(|m| {
        let frame = m.push_frame(*nlocals);
        for (slot, w) in staged {
            m.set_local(slot, w);
        }
        let r = m.eval(node);
        m.pop_frame(frame);
        r
    });
    match r {
        Ok(w) => w,
        Err(f) => ctx.fail(&f),
    }
}

/// Sets a local of the rule's frame (before [`h_subject`]).
pub(crate) extern "C" fn h_set_local(ctx: &mut Ctx<'_, '_>, slot: u64, w: Word) {
    ctx.m.set_local(slot as u32, w);
}

/// Hands the current subject to the interpreter, which evaluates it again and records its
/// findings, exemption or error. Returns non-zero when the rule must stop.
pub(crate) extern "C" fn h_subject(ctx: &mut Ctx<'_, '_>) -> u64 {
    ctx.faulted = 0;
    if ctx.abort != 0 {
        return 1;
    }
    let Some(rc) = ctx.rule else {
        ctx.abort = 1;
        return 1;
    };
    let mut run = std::mem::take(&mut ctx.run);
    let r = ctx.with_steps(|m| subject_outcome(m, rc.rule, rc.plan, rc.explain, &mut run));
    ctx.run = run;
    match r {
        Ok(()) => 0,
        Err(_) => {
            ctx.abort = 1;
            1
        }
    }
}

/// Opens a list under construction; returns its handle.
pub(crate) extern "C" fn h_buf_open(ctx: &mut Ctx<'_, '_>) -> u64 {
    ctx.bufs.push(Vec::new());
    (ctx.bufs.len() - 1) as u64
}

/// Appends to a list under construction.
pub(crate) extern "C" fn h_buf_push(ctx: &mut Ctx<'_, '_>, buf: u64, w: Word) {
    if let Some(b) = ctx.bufs.get_mut(buf as usize) {
        b.push(w);
    }
}

fn take_buf(ctx: &mut Ctx<'_, '_>, buf: u64) -> Vec<Word> {
    ctx.bufs.get_mut(buf as usize).map(std::mem::take).unwrap_or_default()
}

/// Finishes a list under construction as a list.
pub(crate) extern "C" fn h_buf_list(ctx: &mut Ctx<'_, '_>, buf: u64) -> Word {
    let items = take_buf(ctx, buf);
    ctx.m.make_list(&items)
}

/// Finishes a list under construction as a set.
pub(crate) extern "C" fn h_buf_set(ctx: &mut Ctx<'_, '_>, buf: u64) -> Word {
    let items = take_buf(ctx, buf);
    ctx.m.make_set(items)
}

/// Finishes a list under construction as a record of those fields.
pub(crate) extern "C" fn h_buf_record(ctx: &mut Ctx<'_, '_>, buf: u64) -> Word {
    let fields = take_buf(ctx, buf);
    let r = ctx.m.scratch.alloc_record(fields.len(), crate::heap::NO_ORIGIN);
    for (i, w) in fields.into_iter().enumerate() {
        ctx.m.scratch.set_field(r, i as u32, w);
    }
    r
}

/// Calls plugin function `func` of plugin `plugin` with the list under construction `buf`
/// as arguments, spending one step first as the interpreter does.
pub(crate) extern "C" fn h_extern(ctx: &mut Ctx<'_, '_>, plugin: u64, func: u64, buf: u64) -> Word {
    let args = take_buf(ctx, buf);
    let r = ctx.with_steps(|m| {
        m.step()?;
        crate::plugins::call(m, plugin as u32, func as u32, &args)
    });
    match r {
        Ok(w) => w,
        Err(f) => ctx.fail(&f),
    }
}
