//! The command line, as clap parses it. Documented in README.md and `okite help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// Explain a diagnostic code, e.g. `okite explain E0020`.
    Explain {
        /// The code.
        code: String,
    },
}
