//! Lowering of rule and function plans to cranelift IR.
//!
//! Every plan node becomes an `i64` word, exactly as the interpreter computes it; conditions
//! also have an `i8` form (`cond`) so comparisons feed branches directly. Field loads, list
//! scans, integer/date/enum/duration comparisons, checked arithmetic, membership in constant
//! sets (a bit mask for small enum sets), quantifiers and aggregates are native; the rest
//! calls a helper of `abi.rs` that runs the interpreter's own code on the values.
//!
//! Memory safety: generated code reads only the context prefix, the snapshot heap (every index
//! compared with the length first), slices returned by helpers (read below the length they
//! return) and constant arrays of `Tables::statics` (read below their compile-time length).
//!
//! Faults: where the interpreter would fault, generated code jumps to the current fault
//! block — at rule level it returns `STOPPED`, in a subject it hands the subject to the
//! interpreter, in a function it sets `faulted` and returns (the caller checks the flag).

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I8, I32, I64};
use cranelift_codegen::ir::{AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, SigRef, Signature, Value};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Linkage, Module};
use okite_ir::{BinOp, Builtin, OrdKind, QuantKind, Type, UnOp};

use super::abi::{self, Ctx, Tables};
use crate::engine::Prepared;
use crate::heap::{Heaps, ListHeader};
use crate::machine::INDEX_FROM;
use crate::plan::{BodyPlan, FnPlan, LoopPlan, Node, RulePlan, StmtPlan};
use crate::word::{NONE, Word};

/// The byte offset of a field of [`Ctx`].
macro_rules! off {
    ($f:ident) => {
        std::mem::offset_of!(Ctx<'static, 'static>, $f) as i32
    };
}

/// Constant sets of at most this many elements are tested by comparisons, not a scan.
const MAX_COMPARE_CHAIN: usize = 8;

/// What the lowering of every function of a module shares.
pub(crate) struct Shared<'a> {
    /// The prepared policy set.
    pub eng: &'a Prepared,
    /// Operand tables of the compiled code.
    pub tables: &'a mut Tables,
    /// Function variants declared so far: (function, mask of snapshot-closed parameters).
    pub variants: HashMap<(u32, u64), FuncId>,
    /// Variants declared but not yet compiled.
    pub pending: Vec<(u32, u64, FuncId)>,
    /// The module receiving the code.
    pub module: &'a mut JITModule,
    /// The host's calling convention (that of `extern "C"`).
    pub call_conv: CallConv,
}

/// The lowering of one function.
pub(crate) struct Gen<'s, 'a, 'f> {
    b: FunctionBuilder<'f>,
    s: &'s mut Shared<'a>,
    ctx: Value,
    pre: Prefix,
    vars: Vec<Variable>,
    /// INVARIANT (snapshot-closed): `closed[s]` only if every value slot `s` can hold is
    /// snapshot-closed (see `closed`).
    closed: Vec<bool>,
    fault: Block,
    nlocals: usize,
    sigs: HashMap<(usize, bool), SigRef>,
    fn_refs: HashMap<(u32, u64), FuncRef>,
    /// Nodes this function leaves to the interpreter.
    pub interpreted: usize,
    /// Function variants this function calls.
    pub calls: Vec<(u32, u64)>,
    /// Blocks that stop on an exhausted step budget, one per fault block they lead to,
    /// filled by `finish` (sharing them keeps functions small: every loop charges steps).
    over_budget: Vec<(Block, Block)>,
}

/// The context prefix, loaded once in the entry block of every function: it describes the
/// snapshot heap, which does not change while generated code runs (INVARIANT native-prefix).
#[derive(Clone, Copy)]
struct Prefix {
    words: Value,
    word_base32: Value,
    words_len: Value,
    lists: Value,
    list_base32: Value,
    lists_len: Value,
    elems: Value,
    elems_len: Value,
    root: Value,
    as_of: Value,
    budget: Value,
}

/// A list as generated code sees it: its word, elements and length, and whether it
/// outlives the evaluation (only those may be indexed).
#[derive(Clone, Copy)]
struct View {
    word: Value,
    ptr: Value,
    len: Value,
    stable: Value,
}

/// The elements of a collection known when compiling.
struct Static {
    elems: Vec<Word>,
    /// The engine-heap list they are (for an index look-up), if they are one.
    word: Option<Word>,
}

fn readonly() -> MemFlagsData {
    // The context prefix describing the snapshot heap is constant while generated code runs.
    MemFlagsData::trusted().with_readonly().with_can_move()
}

fn mutable() -> MemFlagsData {
    MemFlagsData::trusted()
}

fn elements() -> MemFlagsData {
    // Elements are read only below a length checked first, so they must not move above it.
    MemFlagsData::trusted().with_readonly()
}

impl<'s, 'a, 'f> Gen<'s, 'a, 'f> {
    /// Starts a function whose first parameter is the context and the others `nparams` words;
    /// the frame has `nlocals` slots, all `none`.
    pub fn new(
        mut b: FunctionBuilder<'f>,
        s: &'s mut Shared<'a>,
        nlocals: usize,
        nparams: usize,
        closed: Vec<bool>,
    ) -> (Self, Vec<Value>) {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params: Vec<Value> = b.block_params(entry).to_vec();
        let ctx = params.first().copied().unwrap_or_else(|| b.ins().iconst(I64, 0));
        let mut load = |offset: i32| b.ins().load(I64, readonly(), ctx, offset);
        let (words, word_base, words_len) = (load(off!(words)), load(off!(word_base)), load(off!(words_len)));
        let (lists, list_base, lists_len) = (load(off!(lists)), load(off!(list_base)), load(off!(lists_len)));
        let (elems, elems_len) = (load(off!(elems)), load(off!(elems_len)));
        let (root, as_of, budget) = (load(off!(root)), load(off!(as_of)), load(off!(budget)));
        let word_base32 = b.ins().ireduce(I32, word_base);
        let list_base32 = b.ins().ireduce(I32, list_base);
        let pre = Prefix {
            words,
            word_base32,
            words_len,
            lists,
            list_base32,
            lists_len,
            elems,
            elems_len,
            root,
            as_of,
            budget,
        };
        let none = b.ins().iconst(I64, NONE as i64);
        let vars: Vec<Variable> = (0..nlocals)
            .map(|_| {
                let v = b.declare_var(I64);
                b.def_var(v, none);
                v
            })
            .collect();
        let fault = b.create_block();
        let g = Gen {
            b,
            s,
            ctx,
            pre,
            vars,
            closed,
            fault,
            nlocals,
            sigs: HashMap::new(),
            fn_refs: HashMap::new(),
            interpreted: 0,
            calls: Vec::new(),
            over_budget: Vec::new(),
        };
        (g, params.into_iter().skip(1).take(nparams).collect())
    }

    /// Lowers a function plan: `fn(ctx, params…) -> word`.
    pub fn function(mut self, f: &FnPlan, params: &[Value]) -> (usize, Vec<(u32, u64)>) {
        let fault = self.fault;
        // The interpreter spends a step per call, after the arguments: here, on entry.
        let one = self.b.ins().iconst(I64, 1);
        self.charge(one);
        for (slot, v) in f.params.iter().zip(params) {
            self.set(*slot, *v);
        }
        let v = self.expr(&f.body);
        self.b.ins().return_(&[v]);
        self.b.switch_to_block(fault);
        let one = self.b.ins().iconst(I64, 1);
        self.b.ins().store(mutable(), one, self.ctx, off!(faulted));
        let zero = self.b.ins().iconst(I64, 0);
        self.b.ins().return_(&[zero]);
        self.finish()
    }

    /// Lowers a rule plan: `fn(ctx) -> status`. Passing subjects are counted in
    /// `ctx.passed`; every other subject goes to `h_subject`.
    pub fn rule(mut self, plan: &RulePlan) -> (usize, Vec<(u32, u64)>) {
        let stopped = self.fault;
        let mut bound: Vec<u32> = Vec::new();
        for (k, (slot, node)) in plan.prelude.iter().enumerate() {
            match slot {
                Some(s) => {
                    let v = self.expr(node);
                    self.set(*s, v);
                    bound.push(*s);
                }
                None => {
                    let c = self.cond(node);
                    let (yes, no) = (self.b.create_block(), self.b.create_block());
                    self.b.ins().brif(c, yes, &[], no, &[]);
                    self.b.switch_to_block(no);
                    let status = self.b.ins().iconst(I64, (abi::WHEN_FALSE + k as u64) as i64);
                    self.b.ins().return_(&[status]);
                    self.b.switch_to_block(yes);
                }
            }
        }
        match &plan.body {
            BodyPlan::Attest { .. } => {
                // The interpreter evaluates the attestation; it needs the prelude's values.
                for s in &bound {
                    let slot = self.b.ins().iconst(I64, i64::from(*s));
                    let v = self.get(*s);
                    self.helper(abi::h_set_local as *const () as usize, &[slot, v], false);
                }
            }
            BodyPlan::Checks(stmts) => self.loops(plan, stmts, 0, &mut bound),
        }
        let done = self.b.ins().iconst(I64, abi::DONE as i64);
        self.b.ins().return_(&[done]);
        self.b.switch_to_block(stopped);
        let status = self.b.ins().iconst(I64, abi::STOPPED as i64);
        self.b.ins().return_(&[status]);
        self.finish()
    }

    /// A function that always faults: the variant that failed to compile, so that what calls
    /// it is handed to the interpreter.
    pub fn stub(mut self) {
        let fault = self.fault;
        self.b.ins().jump(fault, &[]);
        self.b.switch_to_block(fault);
        let one = self.b.ins().iconst(I64, 1);
        self.b.ins().store(mutable(), one, self.ctx, off!(faulted));
        let zero = self.b.ins().iconst(I64, 0);
        self.b.ins().return_(&[zero]);
        self.finish();
    }

    fn finish(mut self) -> (usize, Vec<(u32, u64)>) {
        for (abort, fault) in std::mem::take(&mut self.over_budget) {
            self.b.switch_to_block(abort);
            let one = self.b.ins().iconst(I64, 1);
            self.b.ins().store(mutable(), one, self.ctx, off!(abort));
            self.b.ins().store(mutable(), one, self.ctx, off!(faulted));
            self.b.ins().jump(fault, &[]);
        }
        self.b.seal_all_blocks();
        let config = self.s.module.target_config();
        self.b.finalize(config);
        self.calls.sort_unstable();
        self.calls.dedup();
        (self.interpreted, self.calls)
    }

    // -----------------------------------------------------------------------------------------
    // Rule structure

    fn loops(&mut self, plan: &RulePlan, stmts: &[StmtPlan], k: usize, bound: &mut Vec<u32>) {
        match plan.loops.get(k) {
            None => self.subject(plan, stmts, bound),
            Some(LoopPlan::Let(slot, node)) => {
                let v = self.expr(node);
                self.set(*slot, v);
                bound.push(*slot);
                self.loops(plan, stmts, k + 1, bound);
                bound.pop();
            }
            Some(LoopPlan::For { var, source, filter }) => {
                let list = self.expr(source);
                let after = self.b.create_block();
                let present = self.b.create_block();
                let is_none = self.b.ins().icmp_imm_s(IntCC::Equal, list, NONE as i64);
                self.b.ins().brif(is_none, after, &[], present, &[]);
                self.b.switch_to_block(present);
                let view = self.view(list, self.closed_node(source));
                let i = self.b.declare_var(I64);
                let zero = self.b.ins().iconst(I64, 0);
                self.b.def_var(i, zero);
                let (header, body, next) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                let iv = self.b.use_var(i);
                let more = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, view.len);
                self.b.ins().brif(more, body, &[], after, &[]);
                self.b.switch_to_block(body);
                // The interpreter spends a step per element, before the filter.
                let one = self.b.ins().iconst(I64, 1);
                self.charge(one);
                let x = self.element(view.ptr, iv);
                self.set(*var, x);
                if let Some(f) = filter {
                    let c = self.cond(f);
                    let pass = self.b.create_block();
                    self.b.ins().brif(c, pass, &[], next, &[]);
                    self.b.switch_to_block(pass);
                }
                bound.push(*var);
                self.loops(plan, stmts, k + 1, bound);
                bound.pop();
                self.b.ins().jump(next, &[]);
                self.b.switch_to_block(next);
                let iv = self.b.use_var(i);
                let iv = self.b.ins().iadd_imm_s(iv, 1);
                self.b.def_var(i, iv);
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(after);
            }
        }
    }

    /// One subject: native code decides whether it passes; any other outcome (an exemption,
    /// a false requirement, a fault) is the interpreter's to report.
    fn subject(&mut self, plan: &RulePlan, stmts: &[StmtPlan], bound: &[u32]) {
        let slow = self.b.create_block();
        let done = self.b.create_block();
        let outer = std::mem::replace(&mut self.fault, slow);
        for ex in &plan.exemptions {
            let c = self.cond(ex);
            let next = self.b.create_block();
            self.b.ins().brif(c, slow, &[], next, &[]);
            self.b.switch_to_block(next);
        }
        for stmt in stmts {
            match stmt {
                StmtPlan::Let(slot, node) => {
                    let v = self.expr(node);
                    self.set(*slot, v);
                }
                StmtPlan::Require { cond, .. } => {
                    let c = self.cond(cond);
                    let next = self.b.create_block();
                    self.b.ins().brif(c, next, &[], slow, &[]);
                    self.b.switch_to_block(next);
                }
            }
        }
        let passed = self.b.ins().load(I64, mutable(), self.ctx, off!(passed));
        let passed = self.b.ins().iadd_imm_s(passed, 1);
        self.b.ins().store(mutable(), passed, self.ctx, off!(passed));
        self.b.ins().jump(done, &[]);

        self.b.switch_to_block(slow);
        for s in bound {
            let slot = self.b.ins().iconst(I64, i64::from(*s));
            let v = self.get(*s);
            self.helper(abi::h_set_local as *const () as usize, &[slot, v], false);
        }
        let stop = self.helper(abi::h_subject as *const () as usize, &[], true);
        let stopped = self.b.create_block();
        self.b.ins().brif(stop, stopped, &[], done, &[]);
        self.b.switch_to_block(stopped);
        let status = self.b.ins().iconst(I64, abi::STOPPED as i64);
        self.b.ins().return_(&[status]);
        self.b.switch_to_block(done);
        self.fault = outer;
    }

    // -----------------------------------------------------------------------------------------
    // Plumbing

    fn get(&mut self, slot: u32) -> Value {
        match self.vars.get(slot as usize) {
            Some(v) => self.b.use_var(*v),
            None => self.b.ins().iconst(I64, NONE as i64),
        }
    }

    fn set(&mut self, slot: u32, v: Value) {
        if let Some(var) = self.vars.get(slot as usize) {
            self.b.def_var(*var, v);
        }
    }

    fn word(&mut self, w: Word) -> Value {
        self.b.ins().iconst(I64, w as i64)
    }

    /// The word of `then` where `c` (an `i8`) is true, else of `otherwise`, each lowered in
    /// its own block.
    fn branches(
        &mut self,
        c: Value,
        then: impl FnOnce(&mut Self) -> Value,
        otherwise: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        let res = self.b.declare_var(I64);
        let (tb, eb, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.ins().brif(c, tb, &[], eb, &[]);
        self.b.switch_to_block(tb);
        let v = then(self);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(eb);
        let v = otherwise(self);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.b.use_var(res)
    }

    fn bool_word(&mut self, c: Value) -> Value {
        self.b.ins().uextend(I64, c)
    }

    /// Calls helper `f` (an address) with the context and `args`.
    fn helper(&mut self, f: usize, args: &[Value], ret: bool) -> Value {
        let key = (args.len(), ret);
        let sig = match self.sigs.get(&key) {
            Some(s) => *s,
            None => {
                let mut sig = Signature::new(self.s.call_conv);
                for _ in 0..=args.len() {
                    sig.params.push(AbiParam::new(I64));
                }
                if ret {
                    sig.returns.push(AbiParam::new(I64));
                }
                let s = self.b.import_signature(sig);
                self.sigs.insert(key, s);
                s
            }
        };
        let callee = self.b.ins().iconst(I64, f as i64);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.ctx);
        all.extend_from_slice(args);
        let inst = self.b.ins().call_indirect(sig, callee, &all);
        match self.b.inst_results(inst).first().copied() {
            Some(v) => v,
            None => self.b.ins().iconst(I64, 0),
        }
    }

    /// Continues only when the last call did not fault.
    fn check(&mut self) {
        let f = self.b.ins().load(I64, mutable(), self.ctx, off!(faulted));
        let ok = self.b.create_block();
        self.b.ins().brif(f, self.fault, &[], ok, &[]);
        self.b.switch_to_block(ok);
    }

    /// Jumps to the fault block when `c` (an `i8`) is true.
    fn fault_if(&mut self, c: Value) {
        let ok = self.b.create_block();
        self.b.ins().brif(c, self.fault, &[], ok, &[]);
        self.b.switch_to_block(ok);
    }

    /// Spends `n` steps; past the budget the rule goes back to the interpreter whole.
    fn charge(&mut self, n: Value) {
        let steps = self.b.ins().load(I64, mutable(), self.ctx, off!(steps));
        let steps = self.b.ins().iadd(steps, n);
        self.b.ins().store(mutable(), steps, self.ctx, off!(steps));
        let budget = self.pre.budget;
        let over = self.b.ins().icmp(IntCC::UnsignedGreaterThan, steps, budget);
        let fault = self.fault;
        let abort = match self.over_budget.iter().find(|(_, f)| *f == fault) {
            Some((abort, _)) => *abort,
            None => {
                let abort = self.b.create_block();
                self.over_budget.push((abort, fault));
                abort
            }
        };
        let ok = self.b.create_block();
        self.b.ins().brif(over, abort, &[], ok, &[]);
        self.b.switch_to_block(ok);
    }

    /// Leaves `n` to the interpreter: the locals it reads are staged, then `h_eval`.
    fn fallback(&mut self, n: &Node) -> Value {
        self.interpreted += 1;
        let idx = self.s.tables.nodes.len();
        self.s.tables.nodes.push((n.clone(), self.nlocals));
        let mut slots = Vec::new();
        locals_of(n, &mut slots);
        slots.sort_unstable();
        slots.dedup();
        for s in slots {
            if (s as usize) < self.vars.len() {
                let slot = self.b.ins().iconst(I64, i64::from(s));
                let v = self.get(s);
                self.helper(abi::h_stage as *const () as usize, &[slot, v], false);
            }
        }
        let idx = self.b.ins().iconst(I64, idx as i64);
        let r = self.helper(abi::h_eval as *const () as usize, &[idx], true);
        self.check();
        r
    }

    fn ty(&self, t: okite_ir::TypeId) -> Type {
        self.s.eng.program.types.ty(t)
    }

    // -----------------------------------------------------------------------------------------
    // Heap access

    /// Field `i` of record `r` (`none` when `r` is): a bounds-checked load from the snapshot
    /// heap, or the interpreter's read for records elsewhere.
    fn field(&mut self, r: Value, i: u32, closed: bool) -> Value {
        if closed {
            return self.closed_field(r, i);
        }
        let res = self.b.declare_var(I64);
        let (idx, fast_ok) = self.field_index(r, i);
        let (fast, slow, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.ins().brif(fast_ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let v = self.word_at(idx);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(slow);
        let fi = self.b.ins().iconst(I64, i64::from(i));
        let v = self.helper(abi::h_field as *const () as usize, &[r, fi], true);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.b.use_var(res)
    }

    /// The elements of list `w`: from the snapshot heap's headers when the list and its
    /// elements are in range, else from `h_elems`.
    fn view(&mut self, w: Value, closed: bool) -> View {
        if closed {
            return self.closed_view(w);
        }
        let (ptr, len, stable) = (self.b.declare_var(I64), self.b.declare_var(I64), self.b.declare_var(I64));
        let (li, inb) = self.list_index(w);
        let (header, fast, slow, join) =
            (self.b.create_block(), self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.ins().brif(inb, header, &[], slow, &[]);

        self.b.switch_to_block(header);
        let (start, n, ok) = self.list_header(li);
        self.b.ins().brif(ok, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let p = self.elements_from(start);
        let one = self.b.ins().iconst(I64, 1);
        self.b.def_var(ptr, p);
        self.b.def_var(len, n);
        self.b.def_var(stable, one);
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(slow);
        let p = self.helper(abi::h_elems as *const () as usize, &[w], true);
        let n = self.b.ins().load(I64, mutable(), self.ctx, off!(ret_len));
        let st = self.b.ins().load(I64, mutable(), self.ctx, off!(ret_stable));
        self.b.def_var(ptr, p);
        self.b.def_var(len, n);
        self.b.def_var(stable, st);
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(join);
        View { word: w, ptr: self.b.use_var(ptr), len: self.b.use_var(len), stable: self.b.use_var(stable) }
    }

    /// Field `i` of a snapshot-closed record: the snapshot heap's word, `none` out of range
    /// (for `none` itself, or a field past the record), without a branch.
    fn closed_field(&mut self, r: Value, i: u32) -> Value {
        let (idx, ok) = self.field_index(r, i);
        // Out of range, read the first word instead (the context guarantees there is one)
        // and discard it.
        let zero = self.b.ins().iconst(I64, 0);
        let at = self.b.ins().select(ok, idx, zero);
        let v = self.word_at(at);
        let none = self.word(NONE);
        self.b.ins().select(ok, v, none)
    }

    /// The elements of a snapshot-closed list: a list of the snapshot heap, or else (`none`,
    /// or a field's default, the engine's empty list) no elements, without a branch.
    fn closed_view(&mut self, w: Value) -> View {
        let (li, inb) = self.list_index(w);
        let zero = self.b.ins().iconst(I64, 0);
        // Out of range, read the first header instead (the context guarantees there is one).
        let at = self.b.ins().select(inb, li, zero);
        let (start, n, fits) = self.list_header(at);
        let ok = self.b.ins().band(inb, fits);
        let len = self.b.ins().select(ok, n, zero);
        let ptr = self.elements_from(start);
        // Snapshot lists and the engine's lists outlive the evaluation.
        let stable = self.b.ins().iconst(I64, 1);
        View { word: w, ptr, len, stable }
    }

    /// `(w as u32).wrapping_sub(base)` for a 32-bit `base`, as an `i64`.
    fn snap_index(&mut self, w: Value, base: Value) -> Value {
        let w32 = self.b.ins().ireduce(I32, w);
        let off = self.b.ins().isub(w32, base);
        self.b.ins().uextend(I64, off)
    }

    /// The index in the snapshot's words of field `i` of record `r`, and whether it is in
    /// range (`r` not `none`, the index below the length).
    fn field_index(&mut self, r: Value, i: u32) -> (Value, Value) {
        let not_none = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, NONE as i64);
        let idx = self.snap_index(r, self.pre.word_base32);
        let idx = self.b.ins().iadd_imm_s(idx, 1 + i64::from(i));
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, idx, self.pre.words_len);
        (idx, self.b.ins().band(inb, not_none))
    }

    /// The snapshot's word at `idx` (in range, checked by the caller).
    fn word_at(&mut self, idx: Value) -> Value {
        let byte = self.b.ins().ishl_imm_s(idx, 3);
        let addr = self.b.ins().iadd(self.pre.words, byte);
        self.b.ins().load(I64, elements(), addr, 0)
    }

    /// The index of list `w` among the snapshot's list headers, and whether it is one.
    fn list_index(&mut self, w: Value) -> (Value, Value) {
        let li = self.snap_index(w, self.pre.list_base32);
        (li, self.b.ins().icmp(IntCC::UnsignedLessThan, li, self.pre.lists_len))
    }

    /// The start and length of the list header at `li` (in range, checked by the caller), and
    /// whether its elements lie within the snapshot's elements.
    fn list_header(&mut self, li: Value) -> (Value, Value, Value) {
        let at = self.b.ins().imul_imm_s(li, std::mem::size_of::<ListHeader>() as i64);
        let at = self.b.ins().iadd(self.pre.lists, at);
        let start = self.b.ins().uload32(elements(), at, std::mem::offset_of!(ListHeader, start) as i32);
        let n = self.b.ins().uload32(elements(), at, std::mem::offset_of!(ListHeader, len) as i32);
        let end = self.b.ins().iadd(start, n);
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, end, self.pre.elems_len);
        (start, n, fits)
    }

    /// The address of the snapshot's element `start`.
    fn elements_from(&mut self, start: Value) -> Value {
        let byte = self.b.ins().ishl_imm_s(start, 3);
        self.b.ins().iadd(self.pre.elems, byte)
    }

    /// Whether `n` is snapshot-closed: its value is a record or list of the snapshot heap,
    /// `none`, or the engine's empty list (the only engine value a snapshot field can hold:
    /// the default `[]`), and so is every record or list reachable from it. The decoder
    /// writes nothing else into the snapshot heap.
    fn closed_node(&self, n: &Node) -> bool {
        closed(n, &self.closed, self.s.eng.empty_list)
    }

    /// Element `i` (below the length, checked by the caller) of the elements at `ptr`.
    fn element(&mut self, ptr: Value, i: Value) -> Value {
        let byte = self.b.ins().ishl_imm_s(i, 3);
        let addr = self.b.ins().iadd(ptr, byte);
        self.b.ins().load(I64, elements(), addr, 0)
    }

    /// The elements of `n` when they are known at compile time: a constant list of the
    /// engine's heap, or a list or set literal of constants.
    fn static_elems(&self, n: &Node) -> Option<Static> {
        match n {
            Node::Const(w) if *w != NONE && self.s.eng.heap.has_list(*w as u32) => {
                let layers = [&self.s.eng.heap];
                let elems = Heaps { layers: &layers }.elems(*w).to_vec();
                Some(Static { elems, word: Some(*w) })
            }
            Node::List(items) | Node::Set(items) => {
                let mut elems = Vec::with_capacity(items.len());
                for i in items {
                    match i {
                        Node::Const(w) => elems.push(*w),
                        _ => return None,
                    }
                }
                if matches!(n, Node::Set(_)) {
                    // As `Machine::make_set` does.
                    elems.sort_unstable();
                    elems.dedup();
                }
                Some(Static { elems, word: None })
            }
            _ => None,
        }
    }

    /// A view of constant elements: their array lives in `Tables::statics`.
    fn static_view(&mut self, st: &Static) -> View {
        let ptr = match st.elems.is_empty() {
            true => self.b.ins().iconst(I64, 0),
            false => {
                let boxed: Box<[Word]> = st.elems.clone().into_boxed_slice();
                let p = boxed.as_ptr() as i64;
                self.s.tables.statics.push(boxed);
                self.b.ins().iconst(I64, p)
            }
        };
        let len = self.b.ins().iconst(I64, st.elems.len() as i64);
        // Only an engine-heap list is stable: a literal is a scratch list to the interpreter.
        let stable = self.b.ins().iconst(I64, i64::from(st.word.is_some()));
        let word = self.word(st.word.unwrap_or(NONE));
        View { word, ptr, len, stable }
    }

    /// A view of collection `n`, whether constant or computed.
    fn view_of(&mut self, n: &Node) -> View {
        match self.static_elems(n) {
            Some(st) => self.static_view(&st),
            None => {
                let w = self.expr(n);
                let c = self.closed_node(n);
                self.view(w, c)
            }
        }
    }

    /// Whether `a` (not `none`) is an element of collection `coll`, as an `i8`.
    fn member(&mut self, a: Value, coll: &Node) -> Value {
        let not_none = self.b.ins().icmp_imm_s(IntCC::NotEqual, a, NONE as i64);
        if let Some(st) = self.static_elems(coll) {
            if st.elems.is_empty() {
                return self.b.ins().iconst(I8, 0);
            }
            if st.elems.iter().all(|&e| e < 64) {
                // A bit mask: `none` and every other word ≥ 64 fail the range test.
                let mask = st.elems.iter().fold(0u64, |m, &e| m | (1u64 << e));
                let mask = self.b.ins().iconst(I64, mask as i64);
                let small = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, a, 64);
                let shifted = self.b.ins().ushr(mask, a);
                let bit = self.b.ins().band_imm_s(shifted, 1);
                let bit = self.b.ins().icmp_imm_s(IntCC::NotEqual, bit, 0);
                return self.b.ins().band(small, bit);
            }
            if st.elems.len() <= MAX_COMPARE_CHAIN {
                let mut found = self.b.ins().iconst(I8, 0);
                for &e in &st.elems {
                    let eq = self.b.ins().icmp_imm_s(IntCC::Equal, a, e as i64);
                    found = self.b.ins().bor(found, eq);
                }
                return self.b.ins().band(found, not_none);
            }
            let v = self.static_view(&st);
            let found = self.scan(a, v);
            return self.b.ins().band(found, not_none);
        }
        let w = self.expr(coll);
        let c = self.closed_node(coll);
        let v = self.view(w, c);
        let found = self.scan(a, v);
        self.b.ins().band(found, not_none)
    }

    /// Whether `a` is among the elements of `v` (a linear scan: on a set, which is sorted
    /// and de-duplicated, the same answer as the interpreter's binary search).
    fn scan(&mut self, a: Value, v: View) -> Value {
        let (i, found) = (self.b.declare_var(I64), self.b.declare_var(I8));
        let zero = self.b.ins().iconst(I64, 0);
        let no = self.b.ins().iconst(I8, 0);
        self.b.def_var(i, zero);
        self.b.def_var(found, no);
        let (header, body, hit, exit) =
            (self.b.create_block(), self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, v.len);
        self.b.ins().brif(more, body, &[], exit, &[]);
        self.b.switch_to_block(body);
        let x = self.element(v.ptr, iv);
        let eq = self.b.ins().icmp(IntCC::Equal, x, a);
        let next = self.b.ins().iadd_imm_s(iv, 1);
        self.b.def_var(i, next);
        self.b.ins().brif(eq, hit, &[], header, &[]);
        self.b.switch_to_block(hit);
        let yes = self.b.ins().iconst(I8, 1);
        self.b.def_var(found, yes);
        self.b.ins().jump(exit, &[]);
        self.b.switch_to_block(exit);
        self.b.use_var(found)
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    /// The truth of a boolean node (`word == 1`, as the interpreter tests it), as an `i8`.
    fn cond(&mut self, n: &Node) -> Value {
        match n {
            Node::Binary(op @ (BinOp::And | BinOp::Or), l, r, _) => {
                let res = self.b.declare_var(I8);
                let lc = self.cond(l);
                self.b.def_var(res, lc);
                let (rhs, join) = (self.b.create_block(), self.b.create_block());
                if *op == BinOp::And {
                    self.b.ins().brif(lc, rhs, &[], join, &[]);
                } else {
                    self.b.ins().brif(lc, join, &[], rhs, &[]);
                }
                self.b.switch_to_block(rhs);
                let rc = self.cond(r);
                self.b.def_var(res, rc);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
                self.b.use_var(res)
            }
            Node::Unary(UnOp::Not, a) => {
                let c = self.cond(a);
                self.b.ins().bxor_imm_s(c, 1)
            }
            Node::Binary(op, l, r, _) if compares(*op) => self.compare(*op, l, r),
            Node::Binary(op @ (BinOp::InList | BinOp::InSet | BinOp::NotInList | BinOp::NotInSet), l, r, _) => {
                let a = self.expr(l);
                let m = self.member(a, r);
                if matches!(op, BinOp::InList | BinOp::InSet) { m } else { self.b.ins().bxor_imm_s(m, 1) }
            }
            Node::Builtin(b @ (Builtin::IsNone | Builtin::IsSome), args) if args.len() == 1 => {
                let a = self.arg(args, 0);
                let cc = if *b == Builtin::IsNone { IntCC::Equal } else { IntCC::NotEqual };
                self.b.ins().icmp_imm_s(cc, a, NONE as i64)
            }
            _ => {
                let w = self.expr(n);
                self.b.ins().icmp_imm_s(IntCC::Equal, w, 1)
            }
        }
    }

    /// A comparison of two scalar words, as an `i8`.
    fn compare(&mut self, op: BinOp, l: &Node, r: &Node) -> Value {
        let a = self.expr(l);
        let b = self.expr(r);
        match op {
            BinOp::Eq => self.b.ins().icmp(IntCC::Equal, a, b),
            BinOp::Ne => self.b.ins().icmp(IntCC::NotEqual, a, b),
            BinOp::Lt(k) | BinOp::Le(k) | BinOp::Gt(k) | BinOp::Ge(k) => {
                let cc = match op {
                    BinOp::Lt(_) => IntCC::SignedLessThan,
                    BinOp::Le(_) => IntCC::SignedLessThanOrEqual,
                    BinOp::Gt(_) => IntCC::SignedGreaterThan,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                let (x, y) = self.ordered(k, a, b);
                self.b.ins().icmp(cc, x, y)
            }
            _ => self.b.ins().iconst(I8, 0),
        }
    }

    /// Two words mapped to signed integers that order as `Machine::cmp` orders them.
    fn ordered(&mut self, k: OrdKind, a: Value, b: Value) -> (Value, Value) {
        match k {
            OrdKind::Int => (a, b),
            OrdKind::Duration => (self.nominal(a), self.nominal(b)),
            OrdKind::String => {
                let c = self.helper(abi::h_str_cmp as *const () as usize, &[a, b], true);
                let zero = self.b.ins().iconst(I64, 0);
                (c, zero)
            }
        }
    }

    /// `Duration::nominal_sixteenths` of a duration word.
    fn nominal(&mut self, w: Value) -> Value {
        let months = self.b.ins().sshr_imm_s(w, 32);
        let days = self.b.ins().ireduce(I32, w);
        let days = self.b.ins().sextend(I64, days);
        let m = self.b.ins().imul_imm_s(months, 487);
        let d = self.b.ins().ishl_imm_s(days, 4);
        self.b.ins().iadd(m, d)
    }

    fn arg(&mut self, args: &[Node], i: usize) -> Value {
        match args.get(i) {
            Some(a) => self.expr(a),
            None => self.b.ins().iconst(I64, NONE as i64),
        }
    }

    /// The word of node `n`.
    fn expr(&mut self, n: &Node) -> Value {
        match n {
            Node::Const(w) => self.word(*w),
            Node::Local(i) => self.get(*i),
            Node::Facts => self.pre.root,
            Node::AsOf => self.pre.as_of,
            Node::Field(base, i) | Node::OptField(base, i) => {
                let r = self.expr(base);
                let c = self.closed_node(base);
                self.field(r, *i, c)
            }
            Node::Index(base, index) => self.index(base, index),
            Node::Unary(op, a) => self.unary(*op, a, n),
            Node::Binary(op, l, r, ty) => self.binary(*op, l, r, *ty, n),
            Node::If(c, t, e) => {
                let cv = self.cond(c);
                self.branches(cv, |g| g.expr(t), |g| g.expr(e))
            }
            Node::Let(slot, value, body) => {
                let v = self.expr(value);
                self.set(*slot, v);
                self.expr(body)
            }
            Node::Call(f, args) => self.call(*f, args, n),
            Node::Builtin(b, args) => self.builtin(*b, args),
            Node::Extern(plugin, func, args) => {
                let buf = self.helper(abi::h_buf_open as *const () as usize, &[], true);
                for a in args {
                    let v = self.expr(a);
                    self.helper(abi::h_buf_push as *const () as usize, &[buf, v], false);
                }
                let p = self.b.ins().iconst(I64, i64::from(*plugin));
                let f = self.b.ins().iconst(I64, i64::from(*func));
                let r = self.helper(abi::h_extern as *const () as usize, &[p, f, buf], true);
                self.check();
                r
            }
            Node::Quant { kind, var, source, filter, body, source_ty, index } => self.quant(
                *kind,
                false,
                *var,
                source,
                filter.as_deref(),
                body.as_deref(),
                *source_ty,
                index.as_ref().map(|(f, k)| (*f, &**k)),
            ),
            Node::List(items) | Node::Set(items) | Node::Record(items) => {
                let buf = self.helper(abi::h_buf_open as *const () as usize, &[], true);
                for i in items {
                    let v = self.expr(i);
                    self.helper(abi::h_buf_push as *const () as usize, &[buf, v], false);
                }
                let finish = match n {
                    Node::List(_) => abi::h_buf_list as *const () as usize,
                    Node::Set(_) => abi::h_buf_set as *const () as usize,
                    _ => abi::h_buf_record as *const () as usize,
                };
                self.helper(finish, &[buf], true)
            }
            // Interpolated strings outside messages are rare and all about text.
            Node::Interp(_) => self.fallback(n),
        }
    }

    fn index(&mut self, base: &Node, index: &Node) -> Value {
        if let (
            Node::Quant { kind: QuantKind::Filter, var, source, filter, body, source_ty, index: look_up },
            Node::Const(0),
        ) = (base, index)
        {
            let look_up = look_up.as_ref().map(|(f, k)| (*f, &**k));
            return self.quant(
                QuantKind::Filter,
                true,
                *var,
                source,
                filter.as_deref(),
                body.as_deref(),
                *source_ty,
                look_up,
            );
        }
        let b = self.expr(base);
        let i = self.expr(index);
        let res = self.b.declare_var(I64);
        let none = self.word(NONE);
        self.b.def_var(res, none);
        let b_none = self.b.ins().icmp_imm_s(IntCC::Equal, b, NONE as i64);
        let i_none = self.b.ins().icmp_imm_s(IntCC::Equal, i, NONE as i64);
        let either = self.b.ins().bor(b_none, i_none);
        let (look, check, hit, join) =
            (self.b.create_block(), self.b.create_block(), self.b.create_block(), self.b.create_block());
        self.b.ins().brif(either, join, &[], look, &[]);
        self.b.switch_to_block(look);
        let c = self.closed_node(base);
        let v = self.view(b, c);
        self.b.ins().jump(check, &[]);
        self.b.switch_to_block(check);
        // A negative index is a huge unsigned one: out of range, as `usize::try_from` says.
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, i, v.len);
        self.b.ins().brif(inb, hit, &[], join, &[]);
        self.b.switch_to_block(hit);
        let x = self.element(v.ptr, i);
        self.b.def_var(res, x);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.b.use_var(res)
    }

    fn unary(&mut self, op: UnOp, a: &Node, n: &Node) -> Value {
        match op {
            UnOp::Not => {
                let c = self.cond(n);
                self.bool_word(c)
            }
            UnOp::IntNeg | UnOp::DecNeg => {
                let v = self.expr(a);
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, v, i64::MIN);
                self.fault_if(min);
                self.b.ins().ineg(v)
            }
            UnOp::DurNeg | UnOp::IntToDec => {
                let v = self.expr(a);
                let idx = self.s.tables.unops.len();
                self.s.tables.unops.push(op);
                let idx = self.b.ins().iconst(I64, idx as i64);
                let r = self.helper(abi::h_unary as *const () as usize, &[idx, v], true);
                self.check();
                r
            }
        }
    }

    fn apply(&mut self, op: BinOp, ty: okite_ir::TypeId, a: Value, b: Value) -> Value {
        let idx = self.s.tables.ops.len();
        self.s.tables.ops.push((op, ty));
        let idx = self.b.ins().iconst(I64, idx as i64);
        let r = self.helper(abi::h_apply as *const () as usize, &[idx, a, b], true);
        self.check();
        r
    }

    fn binary(&mut self, op: BinOp, l: &Node, r: &Node, ty: okite_ir::TypeId, n: &Node) -> Value {
        match op {
            BinOp::And | BinOp::Or | BinOp::InList | BinOp::InSet | BinOp::NotInList | BinOp::NotInSet => {
                let c = self.cond(n);
                self.bool_word(c)
            }
            _ if compares(op) => {
                let c = self.compare(op, l, r);
                self.bool_word(c)
            }
            BinOp::Coalesce => {
                let a = self.expr(l);
                let is_none = self.b.ins().icmp_imm_s(IntCC::Equal, a, NONE as i64);
                self.branches(is_none, |g| g.expr(r), |_| a)
            }
            BinOp::IntAdd | BinOp::DecAdd | BinOp::IntSub | BinOp::DecSub | BinOp::IntMul => {
                let a = self.expr(l);
                let b = self.expr(r);
                let (v, of) = match op {
                    BinOp::IntAdd | BinOp::DecAdd => self.b.ins().sadd_overflow(a, b),
                    BinOp::IntMul => self.b.ins().smul_overflow(a, b),
                    _ => self.b.ins().ssub_overflow(a, b),
                };
                // Overflow, or the reserved `none` word (`word::from_int`).
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, v, i64::MIN);
                let bad = self.b.ins().bor(of, min);
                self.fault_if(bad);
                v
            }
            BinOp::IntDiv | BinOp::IntRem => {
                let a = self.expr(l);
                let b = self.expr(r);
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
                let b_neg1 = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
                let overflow = self.b.ins().band(a_min, b_neg1);
                let bad = self.b.ins().bor(zero, overflow);
                self.fault_if(bad);
                let v = if op == BinOp::IntDiv { self.b.ins().sdiv(a, b) } else { self.b.ins().srem(a, b) };
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, v, i64::MIN);
                self.fault_if(min);
                v
            }
            BinOp::DateSubDate => {
                let a = self.expr(l);
                let b = self.expr(r);
                let a32 = self.b.ins().ireduce(I32, a);
                let b32 = self.b.ins().ireduce(I32, b);
                let (d, of) = self.b.ins().ssub_overflow(a32, b32);
                self.fault_if(of);
                // A duration of days: months 0, days in the low half.
                self.b.ins().uextend(I64, d)
            }
            _ => {
                let a = self.expr(l);
                let b = self.expr(r);
                self.apply(op, ty, a, b)
            }
        }
    }

    fn call(&mut self, f: u32, args: &[Node], n: &Node) -> Value {
        let eng = self.s.eng;
        let Some(plan) = eng.fns.get(f as usize) else { return self.fallback(n) };
        if plan.params.len() != args.len() {
            return self.fallback(n);
        }
        // A variant of the callee per pattern of snapshot-closed arguments, so the callee's
        // loads from its parameters are as direct as the caller's.
        let mask = args.iter().take(64).enumerate().fold(0u64, |m, (i, a)| m | (u64::from(self.closed_node(a)) << i));
        let id = match self.s.variants.get(&(f, mask)) {
            Some(id) => *id,
            None => {
                let mut sig = Signature::new(self.s.call_conv);
                for _ in 0..=args.len() {
                    sig.params.push(AbiParam::new(I64));
                }
                sig.returns.push(AbiParam::new(I64));
                let name = self.s.eng.program.functions.get(f as usize).map_or("", |d| d.name.as_str());
                match self.s.module.declare_function(&format!("fn{f}_{mask:x}:{name}"), Linkage::Local, &sig) {
                    Ok(id) => {
                        self.s.variants.insert((f, mask), id);
                        self.s.pending.push((f, mask, id));
                        id
                    }
                    Err(_) => return self.fallback(n),
                }
            }
        };
        let mut vals = Vec::with_capacity(args.len() + 1);
        vals.push(self.ctx);
        for a in args {
            vals.push(self.expr(a));
        }
        let fref = match self.fn_refs.get(&(f, mask)) {
            Some(r) => *r,
            None => {
                let r = self.s.module.declare_func_in_func(id, self.b.func);
                self.fn_refs.insert((f, mask), r);
                r
            }
        };
        self.calls.push((f, mask));
        let inst = self.b.ins().call(fref, &vals);
        let r = match self.b.inst_results(inst).first().copied() {
            Some(v) => v,
            None => self.b.ins().iconst(I64, NONE as i64),
        };
        self.check();
        r
    }

    fn builtin(&mut self, b: Builtin, args: &[Node]) -> Value {
        let unary = matches!(
            b,
            Builtin::CollectionLen
                | Builtin::IsEmpty
                | Builtin::IsNone
                | Builtin::IsSome
                | Builtin::IntAbs
                | Builtin::DecAbs
        );
        // Native forms assume the checker's arities; anything else is the interpreter's.
        if args.len() != if unary { 1 } else { 2 } {
            return self.generic_builtin(b, args);
        }
        match b {
            Builtin::CollectionLen | Builtin::IsEmpty => {
                let Some(a) = args.first() else { return self.generic_builtin(b, args) };
                let v = self.view_of(a);
                if b == Builtin::CollectionLen {
                    v.len
                } else {
                    let c = self.b.ins().icmp_imm_s(IntCC::Equal, v.len, 0);
                    self.bool_word(c)
                }
            }
            Builtin::IsNone | Builtin::IsSome => {
                let a = self.arg(args, 0);
                let cc = if b == Builtin::IsNone { IntCC::Equal } else { IntCC::NotEqual };
                let c = self.b.ins().icmp_imm_s(cc, a, NONE as i64);
                self.bool_word(c)
            }
            Builtin::IntAbs | Builtin::DecAbs => {
                let a = self.arg(args, 0);
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
                self.fault_if(min);
                let neg = self.b.ins().ineg(a);
                let is_neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, a, 0);
                self.b.ins().select(is_neg, neg, a)
            }
            Builtin::DaysBetween => {
                let a = self.arg(args, 0);
                let c = self.arg(args, 1);
                let a32 = self.b.ins().ireduce(I32, a);
                let c32 = self.b.ins().ireduce(I32, c);
                let a64 = self.b.ins().sextend(I64, a32);
                let c64 = self.b.ins().sextend(I64, c32);
                self.b.ins().isub(c64, a64)
            }
            Builtin::Min2(k) | Builtin::Max2(k) if k != OrdKind::String => {
                let a = self.arg(args, 0);
                let c = self.arg(args, 1);
                let (x, y) = self.ordered(k, a, c);
                // min: `c` when a > c; max: `c` when a < c (ties keep `a`).
                let cc = if matches!(b, Builtin::Min2(_)) { IntCC::SignedGreaterThan } else { IntCC::SignedLessThan };
                let take_c = self.b.ins().icmp(cc, x, y);
                self.b.ins().select(take_c, c, a)
            }
            _ => self.generic_builtin(b, args),
        }
    }

    fn generic_builtin(&mut self, b: Builtin, args: &[Node]) -> Value {
        let a = self.arg(args, 0);
        let c = self.arg(args, 1);
        let idx = self.s.tables.builtins.len();
        self.s.tables.builtins.push(b);
        let idx = self.b.ins().iconst(I64, idx as i64);
        let r = self.helper(abi::h_builtin as *const () as usize, &[idx, a, c], true);
        self.check();
        r
    }

    // -----------------------------------------------------------------------------------------
    // Quantifiers and aggregates

    #[allow(clippy::too_many_arguments, reason = "the fields of `Node::Quant`")]
    /// A quantifier or aggregate; with `first`, a `filter` whose first element is all that is
    /// wanted (`filter(…)[0]`): every element is still visited, as the interpreter does (its
    /// predicates may fault), but no list is built.
    fn quant(
        &mut self,
        kind: QuantKind,
        first: bool,
        var: u32,
        source: &Node,
        filter: Option<&Node>,
        body: Option<&Node>,
        source_ty: okite_ir::TypeId,
        index: Option<(u32, &Node)>,
    ) -> Value {
        let first = first && kind == QuantKind::Filter && !matches!(self.ty(source_ty), Type::Set(_));
        let st = self.static_elems(source);
        let v = match &st {
            Some(st) => self.static_view(st),
            None => {
                let w = self.expr(source);
                let is_none = self.b.ins().icmp_imm_s(IntCC::Equal, w, NONE as i64);
                self.fault_if(is_none);
                let c = self.closed_node(source);
                self.view(w, c)
            }
        };
        let (ptr, len) = match index {
            Some((field, key)) => self.candidates(v, st.as_ref(), field, key),
            None => (v.ptr, v.len),
        };

        let res = self.b.declare_var(I64);
        let acc = self.b.declare_var(I64);
        let days = self.b.declare_var(I32);
        let i = self.b.declare_var(I64);
        let zero = self.b.ins().iconst(I64, 0);
        let zero32 = self.b.ins().iconst(I32, 0);
        let none = self.word(NONE);
        self.b.def_var(i, zero);
        self.b.def_var(res, zero);
        self.b.def_var(days, zero32);
        let init = if first || matches!(kind, QuantKind::Min(_) | QuantKind::Max(_)) { none } else { zero };
        self.b.def_var(acc, init);
        let buf = match kind {
            QuantKind::Filter | QuantKind::Map if !first => {
                Some(self.helper(abi::h_buf_open as *const () as usize, &[], true))
            }
            _ => None,
        };

        let (header, body_b, next, exit, early, out) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, len);
        self.b.ins().brif(more, body_b, &[], exit, &[]);

        self.b.switch_to_block(body_b);
        let x = self.element(ptr, iv);
        self.set(var, x);
        if let Some(f) = filter {
            let c = self.cond(f);
            let pass = self.b.create_block();
            self.b.ins().brif(c, pass, &[], next, &[]);
            self.b.switch_to_block(pass);
        }
        match kind {
            QuantKind::Any | QuantKind::All | QuantKind::None => {
                let holds = match body {
                    Some(b) => self.cond(b),
                    None => self.b.ins().icmp_imm_s(IntCC::Equal, x, 1),
                };
                // `any` stops at a true element, `all` and `none` at a decisive one.
                let (decided, value) = match kind {
                    QuantKind::Any => (holds, 1),
                    QuantKind::All => (self.b.ins().bxor_imm_s(holds, 1), 0),
                    _ => (holds, 0),
                };
                let stop = self.b.create_block();
                self.b.ins().brif(decided, stop, &[], next, &[]);
                self.b.switch_to_block(stop);
                let value = self.b.ins().iconst(I64, value);
                self.b.def_var(res, value);
                self.b.ins().jump(early, &[]);
            }
            QuantKind::Count => {
                let holds = match body {
                    Some(b) => {
                        let c = self.cond(b);
                        self.b.ins().uextend(I64, c)
                    }
                    None => self.b.ins().iconst(I64, 1),
                };
                let a = self.b.use_var(acc);
                let a = self.b.ins().iadd(a, holds);
                self.b.def_var(acc, a);
                self.b.ins().jump(next, &[]);
            }
            QuantKind::SumInt | QuantKind::SumDec => {
                let v = match body {
                    Some(b) => self.expr(b),
                    None => x,
                };
                let a = self.b.use_var(acc);
                let (s, of) = self.b.ins().sadd_overflow(a, v);
                self.fault_if(of);
                self.b.def_var(acc, s);
                self.b.ins().jump(next, &[]);
            }
            QuantKind::SumDur => {
                let v = match body {
                    Some(b) => self.expr(b),
                    None => x,
                };
                let vm = self.b.ins().sshr_imm_s(v, 32);
                let vm = self.b.ins().ireduce(I32, vm);
                let vd = self.b.ins().ireduce(I32, v);
                // Months accumulate in `acc` (as a sign-extended i32), days in `days`.
                let am = self.b.use_var(acc);
                let am = self.b.ins().ireduce(I32, am);
                let ad = self.b.use_var(days);
                let (m, of1) = self.b.ins().sadd_overflow(am, vm);
                let (d, of2) = self.b.ins().sadd_overflow(ad, vd);
                let of = self.b.ins().bor(of1, of2);
                self.fault_if(of);
                let m = self.b.ins().sextend(I64, m);
                self.b.def_var(acc, m);
                self.b.def_var(days, d);
                self.b.ins().jump(next, &[]);
            }
            QuantKind::Min(k) | QuantKind::Max(k) => {
                let v = match body {
                    Some(b) => self.expr(b),
                    None => x,
                };
                let present = self.b.create_block();
                let v_none = self.b.ins().icmp_imm_s(IntCC::Equal, v, NONE as i64);
                self.b.ins().brif(v_none, next, &[], present, &[]);
                self.b.switch_to_block(present);
                let best = self.b.use_var(acc);
                let (first, compare, take) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                let empty = self.b.ins().icmp_imm_s(IntCC::Equal, best, NONE as i64);
                self.b.ins().brif(empty, first, &[], compare, &[]);
                self.b.switch_to_block(compare);
                let (p, q) = self.ordered(k, v, best);
                let cc =
                    if matches!(kind, QuantKind::Min(_)) { IntCC::SignedLessThan } else { IntCC::SignedGreaterThan };
                let better = self.b.ins().icmp(cc, p, q);
                self.b.ins().brif(better, take, &[], next, &[]);
                self.b.switch_to_block(first);
                self.b.ins().jump(take, &[]);
                self.b.switch_to_block(take);
                self.b.def_var(acc, v);
                self.b.ins().jump(next, &[]);
            }
            QuantKind::Filter | QuantKind::Map => {
                let item = match (kind, body) {
                    (QuantKind::Filter, Some(b)) => {
                        let keep = self.cond(b);
                        let kept = self.b.create_block();
                        self.b.ins().brif(keep, kept, &[], next, &[]);
                        self.b.switch_to_block(kept);
                        x
                    }
                    (QuantKind::Map, Some(b)) => self.expr(b),
                    _ => x,
                };
                if first {
                    let a = self.b.use_var(acc);
                    let unset = self.b.ins().icmp_imm_s(IntCC::Equal, a, NONE as i64);
                    let chosen = self.b.ins().select(unset, item, a);
                    self.b.def_var(acc, chosen);
                } else {
                    let buf = buf.unwrap_or(zero);
                    self.helper(abi::h_buf_push as *const () as usize, &[buf, item], false);
                }
                self.b.ins().jump(next, &[]);
            }
        }

        self.b.switch_to_block(next);
        let iv = self.b.use_var(i);
        let iv = self.b.ins().iadd_imm_s(iv, 1);
        self.b.def_var(i, iv);
        self.b.ins().jump(header, &[]);

        // Steps are spent when the loop ends: one per element visited.
        self.b.switch_to_block(early);
        let iv = self.b.use_var(i);
        let visited = self.b.ins().iadd_imm_s(iv, 1);
        self.charge(visited);
        self.b.ins().jump(out, &[]);

        self.b.switch_to_block(exit);
        self.charge(len);
        match kind {
            QuantKind::Any => {
                let v = self.b.ins().iconst(I64, 0);
                self.b.def_var(res, v);
            }
            QuantKind::All | QuantKind::None => {
                let v = self.b.ins().iconst(I64, 1);
                self.b.def_var(res, v);
            }
            QuantKind::Count | QuantKind::Min(_) | QuantKind::Max(_) => {
                let a = self.b.use_var(acc);
                self.b.def_var(res, a);
            }
            QuantKind::SumInt | QuantKind::SumDec => {
                let a = self.b.use_var(acc);
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
                self.fault_if(min);
                let a = self.b.use_var(acc);
                self.b.def_var(res, a);
            }
            QuantKind::SumDur => {
                let m = self.b.use_var(acc);
                let d = self.b.use_var(days);
                let m = self.b.ins().ishl_imm_s(m, 32);
                let d = self.b.ins().uextend(I64, d);
                let bits = self.b.ins().bor(m, d);
                let clash = self.b.ins().icmp_imm_s(IntCC::Equal, bits, NONE as i64);
                self.fault_if(clash);
                self.b.def_var(res, bits);
            }
            QuantKind::Filter if first => {
                let a = self.b.use_var(acc);
                self.b.def_var(res, a);
            }
            QuantKind::Filter | QuantKind::Map => {
                let as_set = kind == QuantKind::Filter && matches!(self.ty(source_ty), Type::Set(_));
                let finish =
                    if as_set { abi::h_buf_set as *const () as usize } else { abi::h_buf_list as *const () as usize };
                let buf = buf.unwrap_or(zero);
                let w = self.helper(finish, &[buf], true);
                self.b.def_var(res, w);
            }
        }
        self.b.ins().jump(out, &[]);
        self.b.switch_to_block(out);
        self.b.use_var(res)
    }

    /// The elements that may satisfy a gating `x.field == key`: for a stable list of at least
    /// `INDEX_FROM` elements, those the machine's index finds (as `Machine::candidates`);
    /// otherwise all of them.
    fn candidates(&mut self, v: View, st: Option<&Static>, field: u32, key: &Node) -> (Value, Value) {
        if let Some(st) = st
            && (st.word.is_none() || st.elems.len() < INDEX_FROM)
        {
            return (v.ptr, v.len);
        }
        let (ptr, len) = (self.b.declare_var(I64), self.b.declare_var(I64));
        self.b.def_var(ptr, v.ptr);
        self.b.def_var(len, v.len);
        let big = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, v.len, INDEX_FROM as i64);
        let stable = self.b.ins().icmp_imm_s(IntCC::NotEqual, v.stable, 0);
        let indexed = self.b.ins().band(big, stable);
        let (look, join) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(indexed, look, &[], join, &[]);
        self.b.switch_to_block(look);
        let k = self.expr(key);
        let f = self.b.ins().iconst(I64, i64::from(field));
        let p = self.helper(abi::h_candidates as *const () as usize, &[v.word, f, k], true);
        self.check();
        let n = self.b.ins().load(I64, mutable(), self.ctx, off!(ret_len));
        self.b.def_var(ptr, p);
        self.b.def_var(len, n);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        (self.b.use_var(ptr), self.b.use_var(len))
    }
}

/// See `Gen::closed_node`; `slots` says which locals are snapshot-closed.
fn closed(n: &Node, slots: &[bool], empty_list: Word) -> bool {
    match n {
        Node::Facts => true,
        Node::Const(w) => *w == NONE || *w == empty_list,
        Node::Local(s) => slots.get(*s as usize).copied().unwrap_or(false),
        Node::Field(b, _) | Node::OptField(b, _) | Node::Index(b, _) => closed(b, slots, empty_list),
        Node::If(_, t, e) | Node::Binary(BinOp::Coalesce, t, e, _) => {
            closed(t, slots, empty_list) && closed(e, slots, empty_list)
        }
        Node::Let(_, _, body) => closed(body, slots, empty_list),
        _ => false,
    }
}

/// Which of `nlocals` slots are snapshot-closed, given which parameters are: the greatest
/// assignment in which every binding of a closed slot binds a closed value (or an element
/// of a closed collection).
pub(crate) fn closed_slots(
    nlocals: usize,
    params: &[(u32, bool)],
    roots: &[&Node],
    extra: &[(u32, &Node)],
    empty_list: Word,
) -> Vec<bool> {
    let mut binds: Vec<(u32, &Node)> = extra.to_vec();
    // Every `let` binds its value, every quantifier its elements.
    fn walk<'n>(n: &'n Node, out: &mut Vec<(u32, &'n Node)>) {
        match n {
            Node::Let(s, v, _) => out.push((*s, v)),
            Node::Quant { var, source, .. } => out.push((*var, source)),
            _ => {}
        }
        n.for_each_child(&mut |c| walk(c, out));
    }
    for r in roots {
        walk(r, &mut binds);
    }
    for (_, node) in extra {
        walk(node, &mut binds);
    }
    let mut slots = vec![true; nlocals];
    for (slot, c) in params {
        if let Some(x) = slots.get_mut(*slot as usize) {
            *x = *c;
        }
    }
    // A quantifier's or loop's variable holds elements of its source: closed when the
    // source is (elements of snapshot lists are snapshot values; the engine's empty list
    // has none). A `let` holds its value. Each pass only turns slots off, so this ends.
    loop {
        let mut changed = false;
        for (slot, node) in &binds {
            let ok = closed(node, &slots, empty_list);
            if let Some(x) = slots.get_mut(*slot as usize)
                && *x
                && !ok
            {
                *x = false;
                changed = true;
            }
        }
        if !changed {
            return slots;
        }
    }
}

/// Which locals of a rule's frame are snapshot-closed (see `closed_slots`): every
/// node of the rule is a root, and its `let`s and `for`s bind their slots.
pub(crate) fn rule_closed_slots(plan: &RulePlan, empty_list: Word) -> Vec<bool> {
    let mut roots: Vec<&Node> = Vec::new();
    let mut binds: Vec<(u32, &Node)> = Vec::new();
    for (slot, node) in &plan.prelude {
        match slot {
            Some(s) => binds.push((*s, node)),
            None => roots.push(node),
        }
    }
    for l in &plan.loops {
        match l {
            LoopPlan::For { var, source, filter } => {
                binds.push((*var, source));
                roots.extend(filter);
            }
            LoopPlan::Let(s, node) => binds.push((*s, node)),
        }
    }
    roots.extend(&plan.exemptions);
    match &plan.body {
        BodyPlan::Checks(stmts) => {
            for st in stmts {
                match st {
                    StmtPlan::Let(s, node) => binds.push((*s, node)),
                    StmtPlan::Require { cond, message } => {
                        roots.push(cond);
                        roots.extend(message);
                    }
                }
            }
        }
        BodyPlan::Attest { source, .. } => roots.push(source),
    }
    closed_slots(plan.nlocals, &[], &roots, &binds, empty_list)
}

/// Whether `op` compares two scalar words natively.
fn compares(op: BinOp) -> bool {
    matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_))
}

/// The slots `n` reads.
fn locals_of(n: &Node, out: &mut Vec<u32>) {
    if let Node::Local(v) = n {
        out.push(*v);
    }
    n.for_each_child(&mut |c| locals_of(c, out));
}
