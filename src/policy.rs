//! Loading the policy set a command works on: the built-in Hachioji set, a directory of
//! `.okite` sources, or a compiled bundle (`.okb`).

use std::path::Path;
use std::sync::Arc;

use okite_compiler::FileInput;
use okite_compiler::diagnostics::{ColorChoice, render_terminal};
use okite_ir::Program;
use okite_runtime::Engine;

use crate::sources;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));
}

/// A loaded policy set.
pub struct Policy {
    /// Its name for reports.
    pub name: String,
    /// The compiled program.
    pub program: Arc<Program>,
}

/// The sources of the built-in Hachioji policy set.
pub fn builtin_sources() -> Vec<FileInput> {
    builtin::HACHIOJI.iter().map(|(p, s)| FileInput::new(*p, *s)).collect()
}

/// Compiles sources, printing diagnostics on failure.
pub fn compile(inputs: Vec<FileInput>, color: bool) -> Result<Arc<Program>, String> {
    let db = sources::open_database(inputs);
    match db.compile() {
        Ok(p) => Ok(p),
        Err(diags) => {
            let choice = if color { ColorChoice::Always } else { ColorChoice::Never };
            let errors: Vec<_> = diags.into_iter().filter(|d| d.is_error()).collect();
            eprint!("{}", render_terminal(&errors, &|p| db.source_text(p), choice));
            Err(format!("the policy set has {} error(s); run `okite check` on it", errors.len()))
        }
    }
}

/// Loads `path` (a bundle or sources), or the built-in set.
pub fn load(path: Option<&Path>, color: bool) -> Result<Policy, String> {
    let Some(path) = path else {
        return Ok(Policy { name: "hachioji (built in)".into(), program: compile(builtin_sources(), color)? });
    };
    let shown = sources::display(path);
    if path.is_file() && is_bundle(path) {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{shown}`: {}", sources::io_reason(&e)))?;
        let program = okite_ir::decode_bundle(&bytes).map_err(|e| format!("`{shown}`: {e}"))?;
        return Ok(Policy { name: shown, program: Arc::new(program) });
    }
    let inputs = sources::collect(&[path.to_path_buf()])?;
    if inputs.is_empty() {
        return Err(format!("no `.okite` files in `{shown}`"));
    }
    Ok(Policy { name: shown, program: compile(inputs, color)? })
}

fn is_bundle(path: &Path) -> bool {
    if path.extension().is_some_and(|x| x == "okb") {
        return true;
    }
    let mut head = [0u8; 8];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
        && &head == b"OKITEBND"
}

/// An engine for a loaded policy.
pub fn engine(policy: &Policy, args: &crate::args::EngineArgs) -> Result<Engine, String> {
    Engine::with_options((*policy.program).clone(), args.options()).map_err(|e| format!("{}: {e}", policy.name))
}
