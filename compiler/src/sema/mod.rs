//! Semantic analysis: signatures, name resolution and type checking, which together turn a
//! parsed file into diagnostics and typed IR.

mod builtins;
mod check;
mod resolve;
mod signature;
mod ty;

pub use check::{CallEdge, CheckedFile, FileIr, check_file};
pub use signature::{
    ConstSig, EnumSig, FieldSig, FnSig, RecordSig, RuleSig, SignatureResult, Signatures, file_signatures, signatures,
};
pub use ty::{Fit, QName, Ty, builtin_type};
