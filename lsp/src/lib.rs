//! The Okite language server: the compiler's editor features (`okite_compiler::ide`) over the
//! Language Server Protocol, on `tower-lsp-server`.
//!
//! The shape, in the order a request travels:
//!
//! - [`Backend`] (`server.rs`) implements the protocol: each notification changes the
//!   [`state`] synchronously, each request takes a [`snapshot`] and runs a handler on it.
//! - `state.rs` holds the open documents (`documents.rs`) and one compiler database per
//!   policy-set root (`roots.rs`); every write to a database happens there, in order.
//! - `snapshot.rs` runs a handler on a clone of a database on a blocking thread, catching
//!   salsa's cancellation (answered as `ContentModified`) and any panic.
//! - `handlers/` converts between LSP and the compiler's plain data, one file per feature;
//!   `convert.rs` holds positions, ranges and URIs.
//! - `diagnostics.rs` debounces and publishes diagnostics; `sample.rs` evaluates rules against
//!   the sample facility for code lenses; `settings.rs` reads the client's settings.
//!
//! Only this crate knows LSP: the compiler hands out byte offsets and plain structs.

mod capabilities;
mod convert;
mod diagnostics;
mod documents;
mod handlers;
mod roots;
mod sample;
mod server;
mod settings;
mod snapshot;
mod state;

use tower_lsp_server::{ClientSocket, LspService};

pub use server::Backend;

/// Stack size of the runtime's threads: queries recurse over expressions (nested at most 128
/// deep, but each level is several frames of the parser and the checker).
const STACK_SIZE: usize = 32 * 1024 * 1024;

/// The runtime the server runs on: two workers (requests themselves run on blocking threads),
/// with stacks large enough for the compiler.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(STACK_SIZE)
        .thread_name("okite-lsp")
        .enable_all()
        .build()
}

/// The language server as a tower service, and the socket its messages to the client go
/// through. Tests drive it in process; [`run_stdio`] serves it on standard input and output.
pub fn service() -> (LspService<Backend>, ClientSocket) {
    LspService::new(Backend::new)
}

/// Serves the Language Server Protocol on standard input and output until the client exits.
pub fn run_stdio() -> Result<(), String> {
    let runtime = runtime().map_err(|e| format!("cannot start the language server: {e}"))?;
    runtime.block_on(async {
        let (service, socket) = service();
        tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    // Reading standard input blocks a thread that only the next byte would wake: do not wait
    // for it (nor for a request still running) once the client has said `exit`.
    runtime.shutdown_background();
    Ok(())
}
