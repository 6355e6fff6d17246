//! Syntax: the grammar, the tree it produces, and the guards that keep parsing total.

pub mod ast;
mod guard;
mod parse;

pub use guard::MAX_NESTING;
pub use parse::{MAX_EXPR_HEIGHT, Parsed, parse};
