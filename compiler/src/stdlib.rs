//! The standard library, embedded so that every build of the compiler carries it.

/// The path under which the standard library appears in diagnostics.
pub const STD_PATH: &str = "<std>/std.okite";

/// The package name of the standard library, imported into every file.
pub const STD_PACKAGE: &str = "std";

/// Its source.
pub const STD_SOURCE: &str = include_str!("../../stdlib/std.okite");
