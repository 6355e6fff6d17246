//! Compiler diagnostics: plain data, produced by every phase and rendered at the edges
//! (codespan-reporting for terminals, JSON for tools, LSP diagnostics in the server).

mod codes;
mod render;

pub use codes::{ALL_CODES, Code};
pub use render::{ColorChoice, render_json, render_terminal};

use std::sync::Arc;

use crate::span::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Something probably unintended; fails `okite check` only with `--deny warnings`.
    Warning,
    /// The policy set cannot be compiled.
    Error,
}

/// A place in a source file with a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// The file; `None` means the diagnostic's own file.
    pub file: Option<Arc<str>>,
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// A suggested edit that fixes the problem, offered as a quick fix in the editor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// Short title, e.g. "replace with `password_policy`".
    pub title: String,
    /// The text to replace (in the diagnostic's file).
    pub span: Span,
    /// The replacement.
    pub replacement: String,
}

/// One diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The stable code (`E0020`).
    pub code: Code,
    /// Error or warning.
    pub level: Level,
    /// One line, lowercase, no trailing period, user input in backticks.
    pub message: String,
    /// The file the diagnostic is about.
    pub file: Arc<str>,
    /// The main place and what is wrong there.
    pub primary: Label,
    /// Related places.
    pub secondary: Vec<Label>,
    /// Further facts.
    pub notes: Vec<String>,
    /// What to do.
    pub help: Option<String>,
    /// A machine-applicable fix.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A new error with a primary label.
    pub fn error(code: Code, file: &Arc<str>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Level::Error, file, span, message)
    }

    /// A new warning with a primary label.
    pub fn warning(code: Code, file: &Arc<str>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Level::Warning, file, span, message)
    }

    fn new(code: Code, level: Level, file: &Arc<str>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            level,
            message: message.into(),
            file: file.clone(),
            primary: Label { file: None, span, message: String::new() },
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Sets the primary label's message.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a related place in the same file.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { file: None, span, message: message.into() });
        self
    }

    /// Adds a related place in another file.
    pub fn with_secondary_in(mut self, file: Arc<str>, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { file: Some(file), span, message: message.into() });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Attaches a machine-applicable fix.
    pub fn with_fix(mut self, title: impl Into<String>, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(Fix { title: title.into(), span, replacement: replacement.into() });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}
