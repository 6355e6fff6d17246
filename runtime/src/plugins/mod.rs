//! WebAssembly plugins: functions a policy declares with `extern fn … from "x.wasm"`.
//!
//! The ABI (docs/plugins.md) maps Okite values to WebAssembly values:
//!
//! | Okite | parameter | result |
//! |---|---|---|
//! | `bool` | `i32` (0/1) | `i32` (0/1) |
//! | `int`, `decimal` (millionths), `duration` (months << 32 \| days) | `i64` | `i64` |
//! | `date` (days since 1970-01-01), enum (variant index) | `i32` | `i32` |
//! | `string` | `i32 ptr, i32 len` (UTF-8) | `i64` = ptr << 32 \| len |
//! | anything else (`T?`, lists, sets, records) | `i32 ptr, i32 len` (JSON) | `i64` = ptr << 32 \| len (JSON) |
//!
//! Bytes are passed in the module's exported `memory`, in buffers it allocates with its
//! exported `okite_alloc(len: i32) -> i32`. Each call runs in a fresh instance, so calls share
//! nothing; the sandbox (no imports at all, fuel, a memory cap, a deadline) lives in `host`.

#[cfg(feature = "plugins")]
mod host;

#[cfg(feature = "plugins")]
pub use host::Host;

use std::time::Duration;

/// Resource limits of one plugin call. A call that exceeds one ends with an `error` outcome
/// for its subject, naming the limit; nothing else is affected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PluginLimits {
    /// Fuel (about one per WebAssembly instruction executed) per call.
    pub fuel: u64,
    /// Linear memory per instance, in bytes.
    pub memory_bytes: usize,
    /// Wall-clock time per call (enforced with a granularity of about 10 ms).
    pub time: Duration,
}

impl PluginLimits {
    /// The default fuel: 50 million instructions, tens of milliseconds of work.
    pub const DEFAULT_FUEL: u64 = 50_000_000;
    /// The default memory cap, in MiB.
    pub const DEFAULT_MEMORY_MIB: u32 = 64;
    /// The default deadline, in milliseconds.
    pub const DEFAULT_TIME_MS: u64 = 1000;

    /// Limits of `fuel`, `memory_bytes` and `time` per call.
    pub fn new(fuel: u64, memory_bytes: usize, time: Duration) -> PluginLimits {
        PluginLimits { fuel, memory_bytes, time }
    }
}

impl Default for PluginLimits {
    /// [`PluginLimits::DEFAULT_FUEL`], [`PluginLimits::DEFAULT_MEMORY_MIB`] and
    /// [`PluginLimits::DEFAULT_TIME_MS`]: generous for lookups and parsers, small enough that a
    /// runaway module is stopped well within a second.
    fn default() -> Self {
        PluginLimits {
            fuel: Self::DEFAULT_FUEL,
            memory_bytes: Self::DEFAULT_MEMORY_MIB as usize * 1024 * 1024,
            time: Duration::from_millis(Self::DEFAULT_TIME_MS),
        }
    }
}

use okite_ir::{Type, TypeId};

use crate::machine::{EvalResult, Fault, Machine};
use crate::word::Word;

/// How a value crosses the boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Abi {
    /// `i32`: bools, dates, enum variants.
    I32,
    /// `i64`: ints, decimals, durations.
    I64,
    /// UTF-8 text in memory.
    Str,
    /// JSON text in memory.
    Json,
}

/// How values of type `ty` cross the boundary.
pub(crate) fn abi_of(program: &okite_ir::Program, ty: TypeId) -> Abi {
    match program.types.ty(ty) {
        Type::Bool | Type::Date | Type::Enum(_) => Abi::I32,
        Type::Int | Type::Decimal | Type::Duration => Abi::I64,
        Type::String => Abi::Str,
        _ => Abi::Json,
    }
}

/// Calls function `func` of plugin `plugin` with `args`.
pub(crate) fn call(m: &mut Machine<'_>, plugin: u32, func: u32, args: &[Word]) -> EvalResult {
    #[cfg(feature = "plugins")]
    {
        let eng = m.eng;
        match &eng.plugins {
            Some(host) => host.call(m, plugin, func, args),
            None => Err(Fault::Plugin("the policy set's plugins were not loaded".into())),
        }
    }
    #[cfg(not(feature = "plugins"))]
    {
        let _ = (m, plugin, func, args);
        Err(Fault::Plugin("this build of okite has no plugin support (feature `plugins`)".into()))
    }
}
