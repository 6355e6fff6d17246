//! The wasmtime host: modules compiled once per engine, a fresh sandboxed instance per call.
//!
//! Sandbox: the linker offers no imports at all (a module that imports anything — WASI, a
//! clock, the file system — is refused when the policy set is loaded); every call gets a fuel
//! budget, a cap on linear memory and a wall-clock deadline (epoch interruption, ticked by a
//! background thread that ends with the host). A trap, exhausted fuel or memory, a timeout or a
//! broken ABI is a [`Fault::Plugin`] for that subject: the rest of the evaluation goes on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use okite_ir::{PluginDef, Program, TypeId};
use wasmtime::{
    Config, Engine, Extern, Func, InstanceAllocationStrategy, InstancePre, Linker, Memory, Module, ModuleExport,
    PoolingAllocationConfig, Store, StoreLimits, StoreLimitsBuilder, Trap, Val, ValType,
};

use super::{Abi, PluginLimits, abi_of};
use crate::json_value::{from_json, to_json};
use crate::machine::{EvalResult, Fault, Machine};
use crate::word::{self, NONE, Word};

/// Plugin calls that may run at the same time, across all threads of one engine; a call beyond
/// it is an `error` outcome saying so.
const MAX_CONCURRENT_CALLS: u32 = 1000;

/// Bytes of each memory and table slot kept resident between calls.
const KEEP_RESIDENT: usize = 64 * 1024;

/// How often the deadline clock ticks.
const TICK: Duration = Duration::from_millis(10);

struct Plugin {
    name: String,
    pre: InstancePre<StoreLimits>,
    /// The exports a call uses, found once by name.
    memory: Option<ModuleExport>,
    alloc: Option<ModuleExport>,
    functions: Vec<Option<ModuleExport>>,
}

/// Compiled plugins of one policy set.
pub struct Host {
    engine: Engine,
    plugins: Vec<Plugin>,
    limits: PluginLimits,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("plugins", &self.plugins.len()).field("limits", &self.limits).finish()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Host {
    /// Compiles the program's plugins; `Ok(None)` when it has none.
    pub(crate) fn new(program: &Program, limits: PluginLimits) -> Result<Option<Host>, String> {
        if program.plugins.is_empty() {
            return Ok(None);
        }
        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true);
        // Every call instantiates afresh; a pool of pre-reserved slots makes that a few
        // microseconds instead of an mmap and munmap per call. Slots bound the number of calls
        // in flight at once (across threads), not the number of calls.
        let mut pool = PoolingAllocationConfig::new();
        pool.total_core_instances(MAX_CONCURRENT_CALLS)
            .total_memories(MAX_CONCURRENT_CALLS)
            .total_tables(MAX_CONCURRENT_CALLS)
            .max_memories_per_module(1)
            .max_tables_per_module(1)
            .max_memory_size(limits.memory_bytes)
            // Plugins are small: resetting their first pages with memset on reuse is cheaper than
            // returning them to the kernel and faulting them back in on every call, and copying
            // their data segments cheaper than mapping a copy-on-write image.
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool)).memory_init_cow(false);
        let engine = Engine::new(&config).map_err(|e| format!("cannot start the plugin engine: {e}"))?;
        let linker: Linker<StoreLimits> = Linker::new(&engine);
        let mut plugins = Vec::with_capacity(program.plugins.len());
        for p in &program.plugins {
            let module = Module::new(&engine, &p.wasm).map_err(|e| {
                let why = short_error(&e);
                if why.contains("pooling allocator") {
                    format!(
                        "plugin `{}` cannot be loaded: {why} (a plugin has one memory of at most {} MiB and one table)",
                        p.name,
                        limits.memory_bytes >> 20
                    )
                } else {
                    format!("plugin `{}` is not valid WebAssembly: {why}", p.name)
                }
            })?;
            if let Some(import) = module.imports().next() {
                return Err(format!(
                    "plugin `{}` imports `{}::{}`, but plugins run in a sandbox with no imports (no WASI, clock, files or network)",
                    p.name,
                    import.module(),
                    import.name()
                ));
            }
            check_exports(program, p, &module)?;
            let pre = linker.instantiate_pre(&module).map_err(|e| format!("plugin `{}`: {e}", p.name))?;
            plugins.push(Plugin {
                name: p.name.clone(),
                memory: module.get_export_index("memory"),
                alloc: module.get_export_index("okite_alloc"),
                functions: p.functions.iter().map(|f| module.get_export_index(&f.name)).collect(),
                pre,
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (ticker_engine, ticker_stop) = (engine.clone(), stop.clone());
        std::thread::Builder::new()
            .name("okite-plugin-clock".into())
            .spawn(move || {
                while !ticker_stop.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    ticker_engine.increment_epoch();
                }
            })
            .map_err(|e| format!("cannot start the plugin clock: {e}"))?;
        Ok(Some(Host { engine, plugins, limits, stop }))
    }

    /// Calls a plugin function with Okite values.
    pub(crate) fn call(&self, m: &mut Machine<'_>, plugin: u32, func: u32, args: &[Word]) -> EvalResult {
        let program = m.program();
        let (Some(def), Some(p)) = (program.plugins.get(plugin as usize), self.plugins.get(plugin as usize)) else {
            return Err(Fault::Malformed("call of an undefined plugin"));
        };
        let Some(f) = def.functions.get(func as usize) else {
            return Err(Fault::Malformed("call of an undefined plugin function"));
        };
        let fail = |why: String| Fault::Plugin(format!("plugin `{}` function `{}`: {why}", p.name, f.name));

        let limits = StoreLimitsBuilder::new().memory_size(self.limits.memory_bytes).instances(1).build();
        let mut store = Store::new(&self.engine, limits);
        store.limiter(|l| l);
        store.set_fuel(self.limits.fuel).map_err(|e| fail(e.to_string()))?;
        let ticks = (self.limits.time.as_millis() / TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        let instance = p.pre.instantiate(&mut store).map_err(|e| fail(describe(&e, &self.limits)))?;
        let mut export = |e: &Option<ModuleExport>| e.as_ref().and_then(|e| instance.get_module_export(&mut store, e));
        let memory = export(&p.memory).and_then(Extern::into_memory);
        let alloc = export(&p.alloc).and_then(Extern::into_func);
        let function = p.functions.get(func as usize).and_then(&mut export).and_then(Extern::into_func);
        let io = Io { memory, alloc };

        let mut params: Vec<Val> = Vec::with_capacity(args.len() * 2);
        for (&w, &ty) in args.iter().zip(&f.params) {
            match abi_of(program, ty) {
                Abi::I32 => params.push(Val::I32(w as i32)),
                Abi::I64 => params.push(Val::I64(w as i64)),
                Abi::Str => {
                    let bytes = m.str(w).as_bytes().to_vec();
                    let (ptr, len) = io.write(&mut store, &bytes).map_err(&fail)?;
                    params.extend([Val::I32(ptr), Val::I32(len)]);
                }
                Abi::Json => {
                    let text = serde_json::to_string(&to_json(m, w, ty)).unwrap_or_default();
                    let (ptr, len) = io.write(&mut store, text.as_bytes()).map_err(&fail)?;
                    params.extend([Val::I32(ptr), Val::I32(len)]);
                }
            }
        }
        let Some(function) = function else { return Err(fail("the module does not export it".into())) };
        let mut results = [match abi_of(program, f.ret) {
            Abi::I32 => Val::I32(0),
            _ => Val::I64(0),
        }];
        function.call(&mut store, &params, &mut results).map_err(|e| fail(describe(&e, &self.limits)))?;
        decode_result(m, &mut store, &io, &results[0], f.ret).map_err(fail)
    }
}

/// Checks, when the policy set is loaded, that every function it calls is exported with the
/// WebAssembly signature its Okite signature implies.
fn check_exports(program: &Program, p: &PluginDef, module: &Module) -> Result<(), String> {
    let needs_memory = p.functions.iter().any(|f| {
        f.params.iter().chain(std::iter::once(&f.ret)).any(|t| matches!(abi_of(program, *t), Abi::Str | Abi::Json))
    });
    if needs_memory {
        let has = |name: &str| module.exports().any(|e| e.name() == name);
        if !has("memory") || !has("okite_alloc") {
            return Err(format!(
                "plugin `{}` passes text, so it must export `memory` and `okite_alloc(len: i32) -> i32`",
                p.name
            ));
        }
    }
    for f in &p.functions {
        let want_params: Vec<ValType> = f.params.iter().flat_map(|t| valtypes(abi_of(program, *t))).collect();
        let want_result = match abi_of(program, f.ret) {
            Abi::I32 => ValType::I32,
            _ => ValType::I64,
        };
        let Some(export) = module.exports().find(|e| e.name() == f.name) else {
            return Err(format!("plugin `{}` does not export `{}`", p.name, f.name));
        };
        let Some(ft) = export.ty().func().cloned() else {
            return Err(format!("plugin `{}` export `{}` is not a function", p.name, f.name));
        };
        let got_params: Vec<ValType> = ft.params().collect();
        let got_results: Vec<ValType> = ft.results().collect();
        let same = got_params.len() == want_params.len()
            && got_params.iter().zip(&want_params).all(|(a, b)| ValType::eq(a, b))
            && got_results.len() == 1
            && got_results.first().is_some_and(|r| ValType::eq(r, &want_result));
        if !same {
            return Err(format!(
                "plugin `{}` exports `{}` as ({}) -> ({}), but its Okite signature needs ({}) -> {}",
                p.name,
                f.name,
                list(&got_params),
                list(&got_results),
                list(&want_params),
                want_result
            ));
        }
    }
    Ok(())
}

fn list(v: &[ValType]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn valtypes(abi: Abi) -> Vec<ValType> {
    match abi {
        Abi::I32 => vec![ValType::I32],
        Abi::I64 => vec![ValType::I64],
        Abi::Str | Abi::Json => vec![ValType::I32, ValType::I32],
    }
}

/// The instance's `memory` and `okite_alloc`, through which text crosses.
struct Io {
    memory: Option<Memory>,
    alloc: Option<Func>,
}

impl Io {
    /// Copies bytes into the instance's memory, in a buffer from its `okite_alloc`.
    fn write(&self, store: &mut Store<StoreLimits>, bytes: &[u8]) -> Result<(i32, i32), String> {
        let len = i32::try_from(bytes.len()).map_err(|_| "an argument is larger than 2 GiB".to_string())?;
        let alloc = self
            .alloc
            .and_then(|f| f.typed::<i32, i32>(&*store).ok())
            .ok_or("it does not export `okite_alloc(len: i32) -> i32`")?;
        let ptr = alloc.call(&mut *store, len).map_err(|e| format!("okite_alloc failed: {}", short_error(&e)))?;
        let memory = self.memory.ok_or("it does not export `memory`")?;
        let start = usize::try_from(ptr).map_err(|_| format!("okite_alloc returned a negative pointer {ptr}"))?;
        memory
            .write(&mut *store, start, bytes)
            .map_err(|_| format!("okite_alloc returned {ptr}, outside its memory, for {len} bytes"))?;
        Ok((ptr, len))
    }
}

/// Reads a result back into an Okite value.
fn decode_result(
    m: &mut Machine<'_>,
    store: &mut Store<StoreLimits>,
    io: &Io,
    v: &Val,
    ty: TypeId,
) -> Result<Word, String> {
    let program = m.program();
    match (abi_of(program, ty), v) {
        (Abi::I32, Val::I32(x)) => {
            let x = *x;
            match program.types.ty(ty) {
                okite_ir::Type::Bool if x == 0 || x == 1 => Ok(word::from_bool(x == 1)),
                okite_ir::Type::Bool => Err(format!("returned {x} for a bool (expected 0 or 1)")),
                okite_ir::Type::Enum(e) => {
                    let n = program.enums.get(e.0 as usize).map_or(0, |e| e.variants.len());
                    usize::try_from(x)
                        .ok()
                        .filter(|i| *i < n)
                        .map(|i| i as Word)
                        .ok_or(format!("returned variant {x}, out of range"))
                }
                _ => Ok(word::from_date(okite_ir::Date(x))),
            }
        }
        (Abi::I64, Val::I64(x)) => {
            let w = *x as u64;
            if w == NONE { Err("returned the reserved value i64::MIN".into()) } else { Ok(w) }
        }
        (Abi::Str | Abi::Json, Val::I64(packed)) => {
            let ptr = (*packed as u64 >> 32) as usize;
            let len = (*packed as u64 & 0xffff_ffff) as usize;
            let memory = io.memory.ok_or("it does not export `memory`")?;
            let data = memory.data(&*store);
            let bytes = ptr.checked_add(len).and_then(|end| data.get(ptr..end)).ok_or(format!(
                "returned text at {ptr}..{} outside its memory of {} bytes",
                ptr.saturating_add(len),
                data.len()
            ))?;
            let text =
                std::str::from_utf8(bytes).map_err(|_| "returned text that is not UTF-8".to_string())?.to_string();
            if abi_of(program, ty) == Abi::Str {
                return Ok(m.intern(&text));
            }
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("returned invalid JSON: {e}"))?;
            from_json(m, &value, ty).map_err(|e| format!("returned JSON of the wrong shape: {e}"))
        }
        _ => Err("returned a value of the wrong WebAssembly type".into()),
    }
}

/// A trap or error in words.
fn describe(e: &wasmtime::Error, limits: &PluginLimits) -> String {
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => format!("ran out of fuel (budget {} instructions)", limits.fuel),
        Some(Trap::Interrupt) => format!("did not finish within {:?}", limits.time),
        Some(Trap::StackOverflow) => "overflowed its stack".into(),
        Some(Trap::MemoryOutOfBounds) => "accessed memory out of bounds".into(),
        Some(t) => format!("trapped: {t}"),
        None => short_error(e),
    }
}

fn short_error(e: &wasmtime::Error) -> String {
    let s = format!("{e:#}");
    s.lines().next().unwrap_or("").to_string()
}
