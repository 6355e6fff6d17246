//! The Okite compiler.
