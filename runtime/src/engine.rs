//! The engine: a validated, prepared policy set that decodes and evaluates snapshots.

use std::sync::Arc;

use okite_ir::{Date, Program, Type, TypeId, validate::validate};
use rustc_hash::FxHashMap;

use crate::decode::{DecodeOptions, Decoder, InputIssue};
use crate::heap::Heap;
use crate::machine::Machine;
use crate::plan::{FnPlan, Lowerer, RulePlan, empty_list};
use crate::report::SnapshotReport;
use crate::word::{NONE, Word};

/// How one field is decoded.
#[derive(Clone, Debug)]
pub struct FieldInfo {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: TypeId,
    /// The value taken when the field is absent.
    pub default: Option<Word>,
    /// Whether absence means `none`.
    pub optional: bool,
}

/// How one record type is decoded.
#[derive(Clone, Debug)]
pub struct RecordInfo {
    /// Qualified name.
    pub name: String,
    /// Fields in order.
    pub fields: Vec<FieldInfo>,
    /// Field name → index.
    pub field_index: FxHashMap<Box<str>, u32>,
}

/// How one enum is decoded.
#[derive(Clone, Debug)]
pub struct EnumInfo {
    /// Variant name → index.
    pub variants: FxHashMap<Box<str>, u32>,
    /// Variant names in order.
    pub names: Vec<String>,
}

/// Everything derived from a program once, shared by every evaluation.
#[derive(Debug)]
pub struct Prepared {
    /// The program.
    pub program: Program,
    /// The engine's heap: string literals and constant values.
    pub heap: Heap,
    /// Values of the constants.
    pub consts: Vec<Word>,
    /// Function plans.
    pub fns: Vec<FnPlan>,
    /// Rule plans.
    pub rules: Vec<RulePlan>,
    /// Decoding tables per record.
    pub records: Vec<RecordInfo>,
    /// Decoding tables per enum.
    pub enums: Vec<EnumInfo>,
    /// The shared empty list of the engine's heap.
    pub empty_list: Word,
    /// Compiled plugins, if the program has any.
    #[cfg(feature = "plugins")]
    pub plugins: Option<crate::plugins::Host>,
    /// Which evaluator runs the rules.
    pub tier: Tier,
    /// The rules compiled to native code: compiled once, on first need, shared by every thread
    /// and freed with the engine.
    #[cfg(feature = "jit")]
    pub jit: std::sync::OnceLock<crate::jit::Jit>,
    /// With [`Tier::Auto`]: the facts evaluated so far (heap words), which decide when
    /// compiling pays off.
    #[cfg(feature = "jit")]
    pub auto_work: std::sync::atomic::AtomicU64,
}

impl Prepared {
    /// The shared empty list.
    pub fn heap_empty_list(&self) -> Word {
        self.empty_list
    }
}

/// Why a policy set could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The bundle could not be read.
    Bundle(okite_ir::BundleError),
    /// The program breaks a structural invariant.
    Invalid(okite_ir::validate::InvalidProgram),
    /// A plugin could not be loaded (invalid WebAssembly, forbidden imports, wrong exports).
    Plugin(String),
    /// A constant could not be evaluated.
    Constant {
        /// Its name.
        name: String,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Bundle(e) => e.fmt(f),
            LoadError::Invalid(e) => e.fmt(f),
            LoadError::Plugin(why) => f.write_str(why),
            LoadError::Constant { name, reason } => write!(f, "constant `{name}` cannot be evaluated: {reason}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Steps one constant may take to evaluate.
const CONST_BUDGET: u64 = 10_000_000;

/// A compiled policy set, ready to evaluate snapshots.
///
/// Cheap to clone (it is reference-counted), `Send + Sync`, and holds no mutable state: one
/// engine serves any number of threads.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use okite_runtime::Engine;
/// let engine = Engine::new(okite_ir::Program::default())?;
/// assert_eq!(engine.program().rules.len(), 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Prepared>,
}

/// A decoded snapshot: the facts of one facility at one date.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub(crate) engine: Arc<Prepared>,
    pub(crate) heap: Heap,
    pub(crate) root: Word,
    /// The snapshot's `as_of`, if it has one.
    pub as_of: Option<Date>,
    /// The facility's name (the facts root's `key` field), if it has one.
    pub label: Option<String>,
    /// Non-fatal problems (unknown fields).
    pub warnings: Vec<InputIssue>,
}

impl Snapshot {
    /// Approximate bytes held by the decoded facts.
    pub fn heap_bytes(&self) -> usize {
        self.heap.heap_bytes()
    }
}

/// Why a snapshot could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// Not valid JSON or YAML.
    Syntax {
        /// One-based line (0 when unknown).
        line: usize,
        /// One-based column (0 when unknown).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Well-formed, but not what the schema says.
    Schema(Vec<InputIssue>),
    /// The policy set declares no facts root.
    NoSchema,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Syntax { line, column, message } if *line > 0 => write!(f, "{line}:{column}: {message}"),
            InputError::Syntax { message, .. } => f.write_str(message),
            InputError::Schema(issues) => {
                let parts: Vec<String> = issues.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join("\n"))
            }
            InputError::NoSchema => f.write_str("the policy set declares no `facts` root, so it cannot read snapshots"),
        }
    }
}

impl std::error::Error for InputError {}

/// Options of an evaluation.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// Overrides the snapshot's `as_of`.
    pub as_of: Option<Date>,
    /// Attach explanations to findings.
    pub explain: bool,
    /// Steps one rule may take before it is stopped with outcome `error`.
    pub step_budget: u64,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { as_of: None, explain: false, step_budget: 200_000_000 }
    }
}

/// Options of an engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct EngineOptions {
    /// Resource limits of every plugin call.
    pub plugin_limits: crate::plugins::PluginLimits,
    /// Which evaluator runs the rules.
    pub tier: Tier,
}

/// Which evaluator runs the rules. Every tier gives byte-identical reports; they differ only in
/// speed (docs/jit.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tier {
    /// The interpreter: no start-up cost.
    Interp,
    /// Rules compiled to native code (cranelift) when the engine is created. Without the
    /// `jit` feature, the interpreter.
    Jit,
    /// The interpreter until the facts evaluated (one large facility, or many small ones) are
    /// enough to repay compiling, then native code.
    #[default]
    Auto,
}

/// What the native tier made of a policy set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JitInfo {
    /// Rules compiled to native code.
    pub compiled: usize,
    /// Of those, rules in which every expression is native (others call the interpreter for
    /// some expressions, such as interpolated strings outside messages).
    pub fully_native: usize,
    /// Rules left to the interpreter, and notes on partly native ones: (rule, why).
    pub notes: Vec<(String, String)>,
    /// Time spent compiling.
    pub compile_time: std::time::Duration,
}

impl Engine {
    /// Prepares a program: validates it, evaluates its constants and lowers it to plans.
    pub fn new(program: Program) -> Result<Engine, LoadError> {
        Engine::with_options(program, EngineOptions::default())
    }

    /// [`Engine::new`], with options.
    pub fn with_options(program: Program, options: EngineOptions) -> Result<Engine, LoadError> {
        validate(&program).map_err(LoadError::Invalid)?;
        #[cfg(feature = "plugins")]
        let plugins = crate::plugins::Host::new(&program, options.plugin_limits).map_err(LoadError::Plugin)?;
        #[cfg(not(feature = "plugins"))]
        let _ = options;
        let records = program
            .records
            .iter()
            .map(|r| {
                let fields: Vec<FieldInfo> = r
                    .fields
                    .iter()
                    .map(|f| FieldInfo {
                        name: f.name.clone(),
                        ty: f.ty,
                        default: None,
                        optional: matches!(program.types.ty(f.ty), Type::Optional(_)),
                    })
                    .collect();
                let field_index = fields.iter().enumerate().map(|(i, f)| (f.name.as_str().into(), i as u32)).collect();
                RecordInfo { name: r.name.clone(), fields, field_index }
            })
            .collect();
        let enums = program
            .enums
            .iter()
            .map(|e| EnumInfo {
                variants: e.variants.iter().enumerate().map(|(i, v)| (v.name.as_str().into(), i as u32)).collect(),
                names: e.variants.iter().map(|v| v.name.clone()).collect(),
            })
            .collect();
        let mut prepared = Prepared {
            program,
            heap: Heap::default(),
            consts: Vec::new(),
            fns: Vec::new(),
            rules: Vec::new(),
            records,
            enums,
            empty_list: NONE,
            #[cfg(feature = "plugins")]
            plugins,
            tier: options.tier,
            #[cfg(feature = "jit")]
            jit: std::sync::OnceLock::new(),
            #[cfg(feature = "jit")]
            auto_work: std::sync::atomic::AtomicU64::new(0),
        };

        // Constants, in order, each evaluated with the heap under construction as scratch so
        // that the lists and strings they make stay in the engine's heap.
        let mut heap = Heap::default();
        let empty = empty_list(&mut heap);
        let mut consts: Vec<Word> = Vec::with_capacity(prepared.program.consts.len());
        let empty_heap = Heap::default();
        for c in &prepared.program.consts {
            let node = Lowerer { heap: &mut heap, below: &[], consts: &consts, empty_list: empty }.expr(&c.value);
            let mut m = Machine::with_scratch(&prepared, &empty_heap, std::mem::take(&mut heap), CONST_BUDGET);
            m.enter_frame(c.locals.len());
            let value = m.eval(&node);
            heap = std::mem::take(&mut m.scratch);
            match value {
                Ok(w) => consts.push(w),
                Err(e) => return Err(LoadError::Constant { name: c.name.clone(), reason: e.to_string() }),
            }
        }
        let mut lower = Lowerer { heap: &mut heap, below: &[], consts: &consts, empty_list: empty };
        let fns = prepared.program.functions.iter().map(|f| lower.function(f)).collect();
        let rules = prepared.program.rules.iter().map(|r| lower.rule(r)).collect();
        let defaults: Vec<Vec<Option<Word>>> = prepared
            .program
            .records
            .iter()
            .map(|r| r.fields.iter().map(|f| f.default.as_ref().map(|c| lower.constant(c))).collect())
            .collect();
        for (info, ds) in prepared.records.iter_mut().zip(defaults) {
            for (f, d) in info.fields.iter_mut().zip(ds) {
                f.default = d;
            }
        }
        prepared.fns = fns;
        prepared.rules = rules;
        prepared.consts = consts;
        prepared.heap = heap;
        prepared.empty_list = empty;
        let engine = Engine { inner: Arc::new(prepared) };
        #[cfg(feature = "jit")]
        if engine.inner.tier == Tier::Jit {
            engine.native();
        }
        Ok(engine)
    }

    /// Loads a bundle written by `okite build` (see [`okite_ir::bundle`]).
    pub fn from_bundle(bytes: &[u8]) -> Result<Engine, LoadError> {
        let program = okite_ir::decode_bundle(bytes).map_err(LoadError::Bundle)?;
        Engine::new(program)
    }

    /// The program.
    pub fn program(&self) -> &Program {
        &self.inner.program
    }

    pub(crate) fn prepared(&self) -> &Prepared {
        &self.inner
    }

    /// Decodes a JSON snapshot.
    pub fn decode_json(&self, bytes: &[u8], options: DecodeOptions) -> Result<Snapshot, InputError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let snap = self.decode_with(&mut de, options, |e| json_syntax(&e))?;
        de.end().map_err(|e| json_syntax(&e))?;
        Ok(snap)
    }

    /// Decodes a JSON snapshot from a reader, without holding the whole text in memory.
    pub fn decode_json_reader(
        &self,
        reader: impl std::io::Read,
        options: DecodeOptions,
    ) -> Result<Snapshot, InputError> {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(256 * 1024, reader));
        let snap = self.decode_with(&mut de, options, |e| json_syntax(&e))?;
        de.end().map_err(|e| json_syntax(&e))?;
        Ok(snap)
    }

    /// Decodes a YAML snapshot.
    pub fn decode_yaml(&self, text: &str, options: DecodeOptions) -> Result<Snapshot, InputError> {
        flow_depth_guard(text)?;
        let de = serde_yaml_ng::Deserializer::from_str(text);
        self.decode_with(de, options, |e: serde_yaml_ng::Error| {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            InputError::Syntax { line, column, message: e.to_string() }
        })
    }

    fn decode_with<'de, D: serde::Deserializer<'de>>(
        &self,
        de: D,
        options: DecodeOptions,
        syntax: impl Fn(D::Error) -> InputError,
    ) -> Result<Snapshot, InputError> {
        let eng = &self.inner;
        let Some(root_id) = eng.program.root else { return Err(InputError::NoSchema) };
        let mut d = Decoder::new(eng, options);
        let root = d.root(root_id, de).map_err(syntax)?;
        if !d.errors.is_empty() {
            return Err(InputError::Schema(d.errors));
        }
        let label = eng.program.records.get(root_id.0 as usize).and_then(|r| r.key).and_then(|k| {
            let w = d.heap.words.get(1 + k as usize).copied().unwrap_or(NONE);
            let ty = eng.program.records.get(root_id.0 as usize)?.fields.get(k as usize)?.ty;
            let layers = [&eng.heap, &d.heap];
            (w != NONE).then(|| crate::render::render(&eng.program, crate::heap::Heaps { layers: &layers }, w, ty))
        });
        Ok(Snapshot { engine: self.inner.clone(), heap: d.heap, root, as_of: d.as_of, label, warnings: d.warnings })
    }

    /// Evaluates every rule against a snapshot decoded by this engine.
    pub fn evaluate(&self, snapshot: &Snapshot, options: &EvalOptions) -> SnapshotReport {
        crate::evaluate::evaluate(self, snapshot, options)
    }

    /// Evaluates each rule alone and measures it: a profiling aid for policy authors (the
    /// times are wall-clock, so this is the one non-deterministic output of the runtime).
    pub fn rule_timings(&self, snapshot: &Snapshot, options: &EvalOptions) -> Vec<(String, std::time::Duration)> {
        crate::evaluate::rule_timings(self, snapshot, options)
    }

    /// What the native tier compiled, once it has (never with [`Tier::Interp`], and only after
    /// the first large enough evaluation with [`Tier::Auto`]).
    pub fn jit_info(&self) -> Option<JitInfo> {
        #[cfg(feature = "jit")]
        return self.inner.jit.get().map(crate::jit::Jit::info);
        #[cfg(not(feature = "jit"))]
        None
    }

    /// The compiled rules, compiling them on first use.
    #[cfg(feature = "jit")]
    fn native(&self) -> &crate::jit::Jit {
        self.inner.jit.get_or_init(|| crate::jit::Jit::compile(&self.inner))
    }

    /// The compiled rules to evaluate `snapshot` with, if the tier says so.
    #[cfg(feature = "jit")]
    pub(crate) fn tier_for(&self, snapshot: &Snapshot) -> Option<&crate::jit::Jit> {
        use std::sync::atomic::Ordering;
        match self.inner.tier {
            Tier::Interp => None,
            Tier::Jit => Some(self.native()),
            Tier::Auto => {
                if let Some(jit) = self.inner.jit.get() {
                    return Some(jit);
                }
                let work = snapshot.heap.words.len() as u64 + snapshot.heap.elems.len() as u64;
                // Ski rental: interpret until the work done so far would have paid for
                // compiling; a snapshot big enough to repay compiling on its own is native at once.
                let before = self.inner.auto_work.fetch_add(work, Ordering::Relaxed);
                let threshold = crate::jit::AUTO_THRESHOLD_WORDS;
                (before >= threshold || work >= 2 * threshold).then(|| self.native())
            }
        }
    }

    pub(crate) fn owns(&self, snapshot: &Snapshot) -> bool {
        Arc::ptr_eq(&self.inner, &snapshot.engine)
    }
}

/// The deepest `[`/`{` nesting accepted in YAML. The YAML scanner takes time quadratic in the
/// nesting of flow collections, so hostile input is refused before it is parsed.
const MAX_YAML_FLOW_DEPTH: usize = 128;

fn flow_depth_guard(text: &str) -> Result<(), InputError> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut line = 1usize;
    let mut column = 0usize;
    let mut comment = false;
    let mut prev = ' ';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            comment = false;
            prev = c;
            continue;
        }
        match (quote, c) {
            _ if comment => {}
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_YAML_FLOW_DEPTH {
                    return Err(InputError::Syntax {
                        line,
                        column,
                        message: format!("collections nested more than {MAX_YAML_FLOW_DEPTH} levels deep"),
                    });
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    Ok(())
}

fn json_syntax(e: &serde_json::Error) -> InputError {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the position is reported separately.
    let message = match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_string(),
        None => message,
    };
    InputError::Syntax { line: e.line(), column: e.column(), message }
}
