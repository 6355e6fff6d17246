//! The command line, as clap parses it. Documented in README.md and `okite help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Policy-as-code for information-security guidelines.
#[derive(Debug, Parser)]
#[command(name = "okite", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Output formats of `okite check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style diagnostics.
    Human,
    /// A JSON array of diagnostics (docs/diagnostics.md).
    Json,
}

/// What `--deny` can promote to errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Every warning.
    Warnings,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile policies and report diagnostics (exit 0 clean, 1 errors, 2 usage).
    Check {
        /// Files or directories of `.okite` files [default: policies/].
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Treat warnings as errors.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
    },
    /// Evaluate fact snapshots (exit 0 nothing fails, 1 a rule fails, 2 usage or input errors).
    Eval(EvalArgs),
    /// Run the policies' `test` blocks (exit 0 all pass, 1 a test fails, 2 usage).
    Test {
        /// Files or directories of `.okite` files [default: policies/].
        paths: Vec<PathBuf>,
        /// Report the rules no test exercises.
        #[arg(long)]
        coverage: bool,
        /// With --coverage: fail unless at least this percentage of rules is exercised.
        #[arg(long, requires = "coverage")]
        threshold: Option<f64>,
        /// Run only the tests whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Compile a policy set into a bundle the runtime loads without the compiler.
    Build {
        /// The policy sources [default: the built-in Hachioji set].
        path: Option<PathBuf>,
        /// Where to write the bundle.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print the JSON Schema of the policy set's snapshots.
    Schema {
        /// The policy set [default: the built-in Hachioji set].
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// List the guideline's clauses and the rules implementing them (exit 1 when a normative
    /// clause has no rule).
    Clauses {
        /// The policy set [default: the built-in Hachioji set].
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Generate a synthetic facility by scaling a snapshot's lists (benchmarks, load tests).
    #[command(hide = true)]
    Synth {
        /// The snapshot to scale.
        base: PathBuf,
        /// `POINTER=COUNT`, e.g. `/assets=10000` or `/systems/*/accounts=2000`.
        #[arg(required = true)]
        scales: Vec<String>,
        /// The policy set whose schema the snapshot follows [default: built-in Hachioji].
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Run the language server over standard input and output (for editors).
    Lsp,
    /// Format policy sources (exit 1 with --check when a file would change).
    Fmt {
        /// Files or directories of `.okite` files [default: policies/].
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that would change.
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code, e.g. `okite explain E0020`.
    Explain {
        /// The code.
        code: String,
    },
}

/// Report formats of `okite eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// A summary for officers, grouped by guideline section.
    Human,
    /// The versioned JSON report (docs/report-format.md).
    Json,
    /// JUnit XML.
    Junit,
    /// SARIF 2.1.0.
    Sarif,
}

/// `okite eval`
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Snapshots: JSON/YAML files, directories (searched recursively), NDJSON files, or `-`
    /// for standard input.
    #[arg(required = true)]
    pub snapshots: Vec<PathBuf>,
    /// The policy set: a directory of `.okite` files or a bundle [default: built-in Hachioji].
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Evaluate as of this date (YYYY-MM-DD) instead of each snapshot's `as_of`.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<okite_ir::Date>,
    /// A waiver file (YAML or JSON).
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
    pub format: EvalFormat,
    /// Write the report here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Explain each finding: the condition that failed and the values that decided it.
    #[arg(long)]
    pub explain: bool,
    /// Evaluate this many snapshots at once [default: the number of CPUs].
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Unknown fields in snapshots are errors, not warnings.
    #[arg(long)]
    pub strict: bool,
    /// List passing and not-applicable rules too (human format).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Report only these rules (qualified or short names, or clause ids); repeatable.
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// How the engine runs policies: the evaluator, and resource limits of plugin calls.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Engine")]
pub struct EngineArgs {
    /// The evaluator: the interpreter, rules compiled to native code, or native code once the
    /// facts are many enough to repay compiling (docs/jit.md). The reports are the same.
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,
    /// Fuel (about one per WebAssembly instruction) each plugin call may burn.
    #[arg(long, value_name = "N", default_value_t = okite_runtime::PluginLimits::DEFAULT_FUEL)]
    pub plugin_fuel: u64,
    /// Linear memory each plugin call may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = okite_runtime::PluginLimits::DEFAULT_MEMORY_MIB, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub plugin_memory: u32,
    /// Wall-clock time each plugin call may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = okite_runtime::PluginLimits::DEFAULT_TIME_MS, value_parser = clap::value_parser!(u64).range(1..))]
    pub plugin_timeout: u64,
}

/// `--engine`
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// The interpreter.
    Interp,
    /// Native code (cranelift), compiled before the first snapshot.
    Jit,
    /// The interpreter for small work, native code once compiling pays off.
    Auto,
}

impl EngineArgs {
    /// The engine options these flags select.
    pub fn options(&self) -> okite_runtime::EngineOptions {
        okite_runtime::EngineOptions {
            tier: match self.engine {
                EngineArg::Interp => okite_runtime::Tier::Interp,
                EngineArg::Jit => okite_runtime::Tier::Jit,
                EngineArg::Auto => okite_runtime::Tier::Auto,
            },
            plugin_limits: okite_runtime::PluginLimits::new(
                self.plugin_fuel,
                self.plugin_memory as usize * 1024 * 1024,
                std::time::Duration::from_millis(self.plugin_timeout),
            ),
        }
    }
}

fn parse_date(s: &str) -> Result<okite_ir::Date, String> {
    okite_ir::Date::parse_iso(s).ok_or_else(|| format!("`{s}` is not a date; write YYYY-MM-DD"))
}
