//! Reads: a handler runs on a snapshot of a database (a clone, sharing its memoized results)
//! on a blocking thread, so that a write never waits for a request and a request never sees a
//! half-applied edit.
//!
//! A write to the database cancels every snapshot: salsa unwinds the query running on it with
//! `salsa::Cancelled`, which is caught here and answered `ContentModified` (-32801), so the
//! client asks again. Any other panic (a bug) is caught too and answered as an internal error:
//! the server goes on.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use okite_compiler::Database;
use okite_compiler::span::Span;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::{Location, Uri};

use crate::convert::{LineMap, file_uri};

/// A database snapshot and what is needed to name its files to the client.
#[derive(Debug)]
pub struct Snapshot {
    /// The snapshot.
    pub db: Database,
    /// The client's URIs of open documents, by path (the client knows them by these).
    pub uris: Arc<HashMap<String, Uri>>,
}

impl Snapshot {
    /// The URI of a file of the database; `None` for the standard library.
    pub fn uri(&self, path: &str) -> Option<Uri> {
        self.uris.get(path).cloned().or_else(|| file_uri(path))
    }

    /// The text of a file of the database.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.db.source_text(path)
    }

    /// The location of a span in a file of the database.
    pub fn location(&self, path: &str, span: Span) -> Option<Location> {
        let uri = self.uri(path)?;
        let map = LineMap::new(self.text(path)?);
        Some(Location { uri, range: map.range(span) })
    }
}

/// Runs `read` on a blocking thread, turning cancellation into `ContentModified` and a panic
/// into an internal error.
pub async fn run<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> jsonrpc::Result<T> {
    match tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(read))).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(payload)) => Err(panic_error(payload)),
        Err(e) => Err(internal(format!("the request's task failed: {e}"))),
    }
}

/// The answer to a request whose handler unwound.
fn panic_error(payload: Box<dyn Any + Send>) -> jsonrpc::Error {
    if payload.is::<salsa::Cancelled>() {
        return jsonrpc::Error::content_modified();
    }
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    internal(format!("internal error in the Okite language server: {what}"))
}

fn internal(message: String) -> jsonrpc::Error {
    jsonrpc::Error { code: jsonrpc::ErrorCode::InternalError, message: message.into(), data: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellation_and_panics_become_errors() {
        let rt = crate::runtime().unwrap();
        rt.block_on(async {
            assert_eq!(run(|| 1).await, Ok(1));
            let cancelled = run(|| std::panic::resume_unwind(Box::new(salsa::Cancelled::PendingWrite))).await;
            assert_eq!(cancelled.unwrap_err().code, jsonrpc::ErrorCode::ContentModified);
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let bug = run(|| -> u8 { panic!("boom") }).await;
            std::panic::set_hook(hook);
            let e = bug.unwrap_err();
            assert_eq!(e.code, jsonrpc::ErrorCode::InternalError);
            assert!(e.message.contains("boom"), "{}", e.message);
        });
    }
}
