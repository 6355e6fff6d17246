//! `okite schema`: the JSON Schema of snapshots.

use std::path::Path;

use crate::args::ColorArg;
use crate::output::{Exit, color_stderr, usage_error};
use crate::policy;

pub fn run(path: Option<&Path>, color: ColorArg) -> Exit {
    let loaded = match policy::load(path, color_stderr(color)) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    match okite_runtime::json_schema(&loaded.program) {
        Some(schema) => {
            println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
            Exit::Ok
        }
        None => usage_error(format!("{} declares no `facts` root, so it has no snapshot schema", loaded.name)),
    }
}
