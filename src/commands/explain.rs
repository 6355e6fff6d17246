//! `okite explain CODE`: the long explanation of a diagnostic code.

use okite_compiler::Code;

use crate::output::{Exit, usage_error};

pub fn run(code: &str) -> Exit {
    match Code::lookup(code.trim()) {
        Some(c) => {
            println!("{}: {}\n\n{}", c.id(), c.title(), c.explanation());
            Exit::Ok
        }
        None => usage_error(format!("unknown diagnostic code `{code}`; codes look like `E0020` or `W0001`")),
    }
}
