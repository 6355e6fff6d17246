//! `okite build`: compile a policy set into a bundle.

use std::path::Path;

use crate::args::ColorArg;
use crate::output::{Exit, color_stderr, usage_error};
use crate::{policy, sources};

pub fn run(path: Option<&Path>, output: &Path, color: ColorArg) -> Exit {
    let loaded = match policy::load(path, color_stderr(color)) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let bytes = okite_ir::encode_bundle(&loaded.program);
    if let Err(e) = std::fs::write(output, &bytes) {
        return usage_error(format!("cannot write `{}`: {}", sources::display(output), sources::io_reason(&e)));
    }
    eprintln!(
        "wrote {} ({} rules, {} bytes, bundle format {})",
        sources::display(output),
        loaded.program.rules.len(),
        bytes.len(),
        okite_ir::FORMAT_VERSION
    );
    Exit::Ok
}
