//! Semantic analysis: signatures, name resolution and type checking, which together turn a
//! parsed file into diagnostics and typed IR.

mod builtins;
mod check;
mod index;
mod resolve;
mod signature;
mod ty;

pub use builtins::NAMES as BUILTIN_NAMES;
pub use check::{CallEdge, CheckedFile, FileIr, check_file, completion_context};
pub use index::{COMPLETION_MARKER, CompletionContext, FileIndex, Reference, Symbol};
pub use signature::{
    ConstSig, EnumSig, FieldSig, FnSig, RecordSig, RuleSig, SignatureResult, Signatures, file_signatures, signatures,
};
pub use ty::{Fit, QName, Ty, builtin_type, short};
