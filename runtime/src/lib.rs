//! The Okite runtime.
