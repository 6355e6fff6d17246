//! The native tier: rule plans compiled to machine code with cranelift.
//!
//! Each rule becomes one function that runs its `let`s and `when`s, its subject loops, and for
//! each subject its exemptions and requirements, in the interpreter's order and with its
//! arithmetic. Native code only ever concludes "this subject passes": a subject that is
//! exempt, fails a requirement or faults is handed back to the interpreter
//! (`evaluate::subject_outcome`), which evaluates it again and reports it — messages,
//! explanations, JSON Pointers — exactly as it always does. A fault outside any subject, or a
//! run past the step budget, gives the whole rule back to the interpreter. So native code
//! decides what it is fast at (the passing majority) and can never word a report differently.
//! Design and measurements: docs/jit.md.
//!
//! Functions of the policy (`fn`) are compiled too, once each, and called natively. Nodes
//! not worth compiling (interpolated strings outside messages) are evaluated by the
//! interpreter from native code (`abi::h_eval`); so are string built-ins, set algebra,
//! calendar arithmetic and plugin calls, through helpers that run the interpreter's code.

mod abi;
mod codegen;
mod run;

use std::time::Instant;

use cranelift_codegen::Context;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{AbiParam, Function, Signature, UserFuncName};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{ArenaMemoryProvider, JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module, ModuleReloc, default_libcall_names};

pub(crate) use run::evaluate_rule;

use crate::engine::{JitInfo, Prepared};
use abi::{Ctx, Tables};
use codegen::{Gen, Shared};

/// With `Tier::Auto`: compile once the snapshots already evaluated hold this many heap words
/// (record words and list elements) in total, or at once for a snapshot of twice as many.
/// Measured on this machine (docs/jit.md): compiling the Hachioji set costs as much as
/// interpreting ≈ 200k words of small facilities or ≈ 750k of one large facility, and native
/// code evaluates them about twice (small) to four times (large) as fast; the threshold sits
/// between, so the work lost to the wrong choice is bounded by about the compile time.
pub(crate) const AUTO_THRESHOLD_WORDS: u64 = 400_000;

/// Address space reserved for an engine's compiled code. The Hachioji set needs a few MiB;
/// a policy set that outgrows it is left to the interpreter.
const CODE_RESERVATION: usize = 256 << 20;

/// A compiled rule: `fn(ctx) -> status`.
type RuleFn = for<'a, 'c, 'm> extern "C" fn(&'a mut Ctx<'c, 'm>) -> u64;

/// A compiled rule and the tables its code refers to.
#[derive(Clone, Copy)]
pub(crate) struct Native<'j> {
    entry: RuleFn,
    tables: &'j Tables,
}

/// The compiled rules of an engine.
pub(crate) struct Jit {
    /// The code. Declared before `tables` only for reading order: nothing runs during drop.
    module: CodeMemory,
    /// One entry per rule of the program (`None`: evaluated by the interpreter).
    rules: Vec<Option<RuleFn>>,
    tables: Tables,
    info: JitInfo,
}

impl std::fmt::Debug for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit").field("info", &self.info).finish_non_exhaustive()
    }
}

/// The module owning the executable memory of the compiled code.
struct CodeMemory(Option<JITModule>);

// SAFETY: `JITModule` is neither `Send` nor `Sync` because it holds raw pointers to the code
// and a `RefCell` used while linking. After `finalize_definitions` nothing calls any of its
// methods again until `Drop` frees its memory, which needs exclusive ownership; the code it
// owns is immutable and reentrant (all state is in the `Ctx` each caller passes). Sharing or
// moving the owner between threads therefore shares nothing mutable.
#[allow(unsafe_code)]
unsafe impl Send for CodeMemory {}
// SAFETY: see `Send` above: no `&self` method of the module is ever called after compilation.
#[allow(unsafe_code)]
unsafe impl Sync for CodeMemory {}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(module) = self.module.0.take() {
            // SAFETY: the compiled functions are reachable only through `self.rules`, and are
            // called only while an evaluation borrows the engine that owns this `Jit`; it is
            // being dropped, so no such borrow (and no call) exists, and none can follow.
            unsafe { module.free_memory() }
        }
    }
}

impl Jit {
    /// Compiles every rule of `eng`. Never fails: a rule that cannot be compiled is left to
    /// the interpreter, with a note in [`Jit::info`].
    pub(crate) fn compile(eng: &Prepared) -> Jit {
        let started = Instant::now();
        let mut jit = Jit {
            module: CodeMemory(None),
            rules: vec![None; eng.rules.len()],
            tables: Tables::default(),
            info: JitInfo::default(),
        };
        match build(eng, &mut jit) {
            Ok(module) => jit.module = CodeMemory(Some(module)),
            Err(why) => {
                jit.rules.iter_mut().for_each(|r| *r = None);
                jit.info.notes.push((String::new(), format!("native code is unavailable: {why}")));
            }
        }
        jit.info.compiled = jit.rules.iter().filter(|r| r.is_some()).count();
        if jit.info.compiled == 0 {
            jit.info.fully_native = 0;
        }
        jit.info.compile_time = started.elapsed();
        jit
    }

    /// Rule `i` compiled, if it is.
    pub(crate) fn rule(&self, i: usize) -> Option<Native<'_>> {
        let entry = (*self.rules.get(i)?)?;
        Some(Native { entry, tables: &self.tables })
    }

    /// What was compiled.
    pub(crate) fn info(&self) -> JitInfo {
        self.info.clone()
    }
}

/// Compiles rules and the functions they call into a finalized module, filling
/// `jit.rules`, `jit.tables` and `jit.info`.
fn build(eng: &Prepared, jit: &mut Jit) -> Result<JITModule, String> {
    let build_started = Instant::now();
    let mut flags = settings::builder();
    for (k, v) in [
        // Generated code is mostly loads, compares and calls into the runtime: cranelift's
        // optimiser bought ≈ 13% of evaluation time for ≈ 40% more compile time (docs/jit.md).
        ("opt_level", "none"),
        ("use_colocated_libcalls", "false"),
        ("is_pic", "false"),
        ("enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" }),
    ] {
        flags.set(k, v).map_err(|e| e.to_string())?;
    }
    if let Ok(extra) = std::env::var("OKITE_JIT_FLAGS") {
        for kv in extra.split(',') {
            if let Some((k, v)) = kv.split_once('=') {
                flags.set(k, v).map_err(|e| e.to_string())?;
            }
        }
    }
    let isa = cranelift_native::builder()
        .map_err(|e| e.to_string())?
        .finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())?;
    if isa.pointer_type() != I64 {
        return Err("the host's pointers are not 64 bits wide".into());
    }
    let call_conv = isa.default_call_conv();
    let workers_isa = isa.clone();
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    // One contiguous reservation (address space only; pages are committed as code is
    // written): compiled functions call each other with 32-bit PC-relative calls, which the
    // default provider cannot guarantee, since it takes each function's memory wherever the
    // allocator finds it (the heap and mmap areas are further apart than ±2 GiB).
    let arena = ArenaMemoryProvider::new_with_size(CODE_RESERVATION)
        .map_err(|e| format!("cannot reserve memory for code: {e}"))?;
    builder.memory_provider(Box::new(arena));
    let mut module = JITModule::new(builder);
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();

    // Rules first; each call declares the variant of its callee for the pattern of
    // snapshot-closed arguments it passes, and the variants are compiled after, until none
    // is pending (each function has at most 2^arity variants, and there is no recursion).
    let mut shared = Shared {
        eng,
        tables: &mut jit.tables,
        variants: std::collections::HashMap::new(),
        pending: Vec::new(),
        module: &mut module,
        call_conv,
    };
    // Lowering is sequential (it declares the variants it calls); compiling is the expensive
    // part: it starts as soon as the first function is lowered and runs on every core;
    // defining the code in the module is sequential again.
    let compiled = compile_while_lowering(&*workers_isa, &mut |emit| lower_all(eng, &mut shared, &mut fctx, emit))?;
    let compiled_at = Instant::now();
    let functions = compiled.len();
    let bytes: usize = compiled.iter().map(|(_, _, c)| c.as_ref().map_or(0, |c| c.bytes.len())).sum();
    // Per rule: its code, the nodes it leaves to the interpreter, the variants it calls.
    let mut rule_units: Vec<Option<(FuncId, usize, Vec<Variant>)>> = vec![None; eng.rules.len()];
    // Function variants: (own interpreted nodes, variants called).
    let mut fn_units: VariantUnits = Default::default();
    for (id, unit, code) in compiled {
        let defined = code.and_then(|c| {
            shared.module.define_function_bytes(id, c.align, &c.bytes, &c.relocs).map_err(|e| e.to_string())
        });
        match (unit, defined) {
            (Unit::Rule { index, own, calls }, Ok(())) => {
                if let Some(slot) = rule_units.get_mut(index) {
                    *slot = Some((id, own, calls));
                }
            }
            (Unit::Rule { index, .. }, Err(e)) => {
                let name = eng.program.rules.get(index).map_or_else(String::new, |r| r.name.clone());
                jit.info.notes.push((name, format!("runs in the interpreter: {e}")));
            }
            (Unit::Variant { f, mask, own, calls }, Ok(())) => {
                fn_units.insert((f, mask), (own, calls));
            }
            (Unit::Variant { f, mask, .. }, Err(e)) => {
                // Whatever calls it must still link: a stub that faults hands every call to
                // the interpreter.
                let name = eng.program.functions.get(f as usize).map_or("?", |d| d.name.as_str());
                jit.info.notes.push((String::new(), format!("function `{name}` runs in the interpreter: {e}")));
                let nparams = eng.fns.get(f as usize).map_or(0, |p| p.params.len());
                let sig = variant_signature(shared.module, call_conv, nparams);
                ctx.func = Function::with_name_signature(UserFuncName::user(0, id.as_u32()), sig);
                let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
                let (g, _) = Gen::new(b, &mut shared, 0, nparams, Vec::new());
                g.stub();
                shared.module.define_function(id, &mut ctx).map_err(|e| e.to_string())?;
                shared.module.clear_context(&mut ctx);
                fn_units.insert((f, mask), (1, Vec::new()));
            }
        }
    }

    // Nodes left to the interpreter by a unit and everything it calls.
    fn interpreted(
        key: Variant,
        units: &VariantUnits,
        memo: &mut std::collections::HashMap<Variant, usize>,
        depth: usize,
    ) -> usize {
        if let Some(n) = memo.get(&key) {
            return *n;
        }
        let Some((own, calls)) = units.get(&key) else { return 0 };
        // Call chains are at most 32 deep; the bound only guards a malformed program.
        let n =
            if depth > 64 { *own } else { calls.iter().fold(*own, |n, c| n + interpreted(*c, units, memo, depth + 1)) };
        memo.insert(key, n);
        n
    }
    let mut memo = std::collections::HashMap::new();
    let mut ids: Vec<Option<(FuncId, usize)>> = vec![None; eng.rules.len()];
    for ((slot, unit), i) in ids.iter_mut().zip(rule_units).zip(0..) {
        let Some((id, own, calls)) = unit else { continue };
        let n = calls.iter().fold(own, |n, c| n + interpreted(*c, &fn_units, &mut memo, 0));
        if n > 0 {
            let name = eng.program.rules.get(i).map_or_else(String::new, |r| r.name.clone());
            jit.info.notes.push((name, format!("{n} expression(s) evaluated by the interpreter from native code")));
        }
        *slot = Some((id, n));
    }
    module.finalize_definitions().map_err(|e| e.to_string())?;
    if std::env::var_os("OKITE_JIT_STATS").is_some() {
        eprintln!(
            "jit: {functions} functions ({bytes} bytes of code) lowered and compiled in {:?}, defined and finalized in {:?}",
            compiled_at - build_started,
            compiled_at.elapsed()
        );
    }
    for (slot, id) in jit.rules.iter_mut().zip(ids) {
        let Some((id, interpreted)) = id else { continue };
        let code = module.get_finalized_function(id);
        // SAFETY: `code` is the finalized machine code of a function defined above with the
        // signature `fn(i64) -> i64` in the host's C calling convention, which is the ABI of
        // `RuleFn` (a reference is a pointer-sized integer to it); it stays mapped until `Jit`
        // is dropped, and `Jit` owns both the module and these pointers.
        *slot = Some(unsafe { std::mem::transmute::<*const u8, RuleFn>(code) });
        if interpreted == 0 {
            jit.info.fully_native += 1;
        }
    }
    Ok(module)
}

/// A variant of a policy function: (function, mask of its snapshot-closed parameters).
type Variant = (u32, u64);

/// Compiled variants: the nodes each leaves to the interpreter, and the variants it calls.
type VariantUnits = std::collections::HashMap<Variant, (usize, Vec<Variant>)>;

/// What a lowered function is, with the nodes it leaves to the interpreter (`own`) and the
/// variants it calls.
enum Unit {
    /// Rule `index` of the program.
    Rule { index: usize, own: usize, calls: Vec<Variant> },
    /// A variant of function `f` for a pattern of snapshot-closed arguments.
    Variant { f: u32, mask: u64, own: usize, calls: Vec<Variant> },
}

/// The signature of a compiled function of `nparams` parameters: the context, the
/// parameters, and one word returned.
fn variant_signature(module: &JITModule, call_conv: CallConv, nparams: usize) -> Signature {
    let mut sig = module.make_signature();
    sig.call_conv = call_conv;
    for _ in 0..=nparams {
        sig.params.push(AbiParam::new(I64));
    }
    sig.returns.push(AbiParam::new(I64));
    sig
}

/// Where lowering hands each function it has lowered.
type Emit<'e> = &'e mut dyn FnMut(FuncId, Function, Unit);

/// A unit with its machine code, or why cranelift could not compile it.
type Compiled = (FuncId, Unit, Result<Code, String>);

/// A function's machine code, ready to be placed in the module.
struct Code {
    bytes: Vec<u8>,
    align: u64,
    relocs: Vec<ModuleReloc>,
}

/// Compiles the functions `lower` emits on every available core, starting while it is still
/// lowering; returns each unit with its code, in the order they were emitted.
fn compile_while_lowering(
    isa: &dyn TargetIsa,
    lower: &mut dyn FnMut(Emit<'_>) -> Result<(), String>,
) -> Result<Vec<Compiled>, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, FuncId, Function)>();
    let queue = std::sync::Mutex::new(rx);
    // Takes functions from the queue until it is closed and empty.
    let work = |queue: &std::sync::Mutex<std::sync::mpsc::Receiver<(usize, FuncId, Function)>>| {
        let mut ctx = Context::new();
        let mut done = Vec::new();
        loop {
            let next = match queue.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => break,
            };
            let Ok((k, id, func)) = next else { break };
            done.push((k, compile(isa, &mut ctx, id, func)));
        }
        done
    };
    let mut units: Vec<(FuncId, Unit)> = Vec::new();
    let (lowered, done) = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(|| work(&queue))).collect();
        let lowered = lower(&mut |id, func, unit| {
            let _ = tx.send((units.len(), id, func));
            units.push((id, unit));
        });
        drop(tx);
        let mut done = work(&queue);
        // A helper that panicked (a cranelift bug) leaves its functions "not compiled": they
        // run in the interpreter.
        for h in helpers {
            if let Ok(d) = h.join() {
                done.extend(d);
            }
        }
        (lowered, done)
    });
    lowered?;
    let mut code: Vec<Result<Code, String>> = (0..units.len()).map(|_| Err("not compiled".to_string())).collect();
    for (k, c) in done {
        if let Some(slot) = code.get_mut(k) {
            *slot = c;
        }
    }
    Ok(units.into_iter().zip(code).map(|((id, unit), code)| (id, unit, code)).collect())
}

/// Compiles one function to machine code.
fn compile(isa: &dyn TargetIsa, ctx: &mut Context, id: FuncId, func: Function) -> Result<Code, String> {
    ctx.clear();
    ctx.func = func;
    let align = match ctx.compile(isa, &mut ControlPlane::default()) {
        Ok(code) => u64::from(code.buffer.alignment),
        Err(e) => return Err(format!("{:?}", e.inner)),
    };
    let Some(code) = ctx.compiled_code() else { return Err("no code".into()) };
    let relocs = code.buffer.relocs().iter().map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id)).collect();
    Ok(Code { bytes: code.code_buffer().to_vec(), align, relocs })
}

/// The name of rule `i`, for symbols and notes.
fn rule_name(eng: &Prepared, i: usize) -> &str {
    eng.program.rules.get(i).map_or("", |r| r.name.as_str())
}

/// Lowers every rule, then every function variant the rules (and those variants) call, to
/// cranelift IR, handing each function to `emit` as soon as it is lowered.
fn lower_all(
    eng: &Prepared,
    shared: &mut Shared<'_>,
    fctx: &mut FunctionBuilderContext,
    emit: Emit<'_>,
) -> Result<(), String> {
    let call_conv = shared.call_conv;
    for (i, plan) in eng.rules.iter().enumerate() {
        let mut sig = shared.module.make_signature();
        sig.call_conv = call_conv;
        sig.params.push(AbiParam::new(I64));
        sig.returns.push(AbiParam::new(I64));
        let id =
            // Symbol names show in profilers (cranelift-jit writes perf maps).
            shared.module.declare_function(&format!("rule{i}:{}", rule_name(eng, i)), Linkage::Local, &sig).map_err(|e| e.to_string())?;
        let mut func = Function::with_name_signature(UserFuncName::user(1, id.as_u32()), sig);
        let closed = codegen::rule_closed_slots(plan, eng.empty_list);
        let (own, calls) = {
            let b = FunctionBuilder::new(&mut func, fctx);
            let (g, _) = Gen::new(b, shared, plan.nlocals, 0, closed);
            g.rule(plan)
        };
        let name = eng.program.rules.get(i).map_or("", |r| r.name.as_str());
        if std::env::var("OKITE_JIT_DUMP").is_ok_and(|d| !d.is_empty() && name.ends_with(&d)) {
            eprintln!("{}", func.display());
        }
        emit(id, func, Unit::Rule { index: i, own, calls });
    }
    while let Some((f, mask, id)) = shared.pending.pop() {
        let Some(plan) = eng.fns.get(f as usize) else { continue };
        let sig = variant_signature(shared.module, call_conv, plan.params.len());
        let mut func = Function::with_name_signature(UserFuncName::user(0, id.as_u32()), sig);
        let params: Vec<(u32, bool)> =
            plan.params.iter().enumerate().map(|(i, p)| (*p, i < 64 && mask & (1 << i) != 0)).collect();
        let closed = codegen::closed_slots(plan.nlocals, &params, &[&plan.body], &[], eng.empty_list);
        let (own, calls) = {
            let b = FunctionBuilder::new(&mut func, fctx);
            let (g, params) = Gen::new(b, shared, plan.nlocals, plan.params.len(), closed);
            g.function(plan, &params)
        };
        emit(id, func, Unit::Variant { f, mask, own, calls });
    }
    Ok(())
}
