//! Terminal concerns shared by commands: colour decisions and exit codes.

use std::io::IsTerminal;

use crate::args::ColorArg;

/// The process exit status, as documented for every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success: nothing failed.
    Ok = 0,
    /// The command ran and found problems (compile errors, failing rules, failing tests).
    Findings = 1,
    /// Bad usage or unreadable input.
    Usage = 2,
}

/// Whether to colour output written to stderr.
pub fn color_stderr(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    }
}

/// Whether to colour output written to stdout.
pub fn color_stdout(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    }
}

/// Prints a usage or input error in one consistent style.
pub fn usage_error(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}
