//! The Okite language server.
