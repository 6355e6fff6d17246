//! `okite synth` (hidden): scale a snapshot into a synthetic facility.

use std::path::Path;

use okite_runtime::synth::{Scale, scale};

use crate::args::ColorArg;
use crate::output::{Exit, color_stderr, usage_error};
use crate::{policy, sources};

pub fn run(base: &Path, scales: &[String], policy_path: Option<&Path>, color: ColorArg) -> Exit {
    let loaded = match policy::load(policy_path, color_stderr(color)) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let text = match std::fs::read_to_string(base) {
        Ok(t) => t,
        Err(e) => return usage_error(format!("cannot read `{}`: {}", sources::display(base), sources::io_reason(&e))),
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return usage_error(format!("`{}` is not JSON: {e}", sources::display(base))),
    };
    let mut parsed = Vec::new();
    for s in scales {
        let Some((path, count)) = s.split_once('=') else {
            return usage_error(format!("`{s}`: expected POINTER=COUNT"));
        };
        let Ok(count) = count.parse::<usize>() else { return usage_error(format!("`{s}`: COUNT must be a number")) };
        parsed.push(Scale { path, count });
    }
    let out = scale(&loaded.program, &value, &parsed);
    println!("{}", serde_json::to_string(&out).unwrap_or_default());
    Exit::Ok
}
