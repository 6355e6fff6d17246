//! Syntax: the grammar, the tree it produces, and the guards that keep parsing total.

pub mod ast;
mod guard;
mod parse;

pub use guard::MAX_NESTING;
pub use parse::{MAX_EXPR_HEIGHT, Parsed, parse};

/// The reserved words: they cannot name a field, variable or function (docs/language.md).
pub const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "if", "then", "else", "true", "false", "none", "let", "for", "where", "unless",
    "require", "facts", "as_of",
];
