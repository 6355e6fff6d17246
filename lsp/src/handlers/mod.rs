//! One module per editor feature: each converts a request's LSP parameters to the compiler's
//! byte offsets, calls `okite_compiler::ide`, and converts the answer back. They run on a
//! database snapshot (see `snapshot.rs`), never on the server's state.

pub mod code_actions;
pub mod code_lens;
pub mod completion;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod navigation;
pub mod rename;
pub mod semantic_tokens;
pub mod signature_help;
pub mod symbols;
