//! Errors of the language: a kind, one sentence, the span it is about, and an
//! optional hint. They stay structured until the edge, where [`LangError::render`]
//! writes them once, with `line L, column C` and the source line with a caret.

use crate::span::Span;
use std::fmt;

/// What kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is not valid Tessera.
    Syntax,
    /// The input stops in the middle of a construct (an open bracket or string);
    /// the REPL continues on the next line instead of reporting it.
    Incomplete,
    /// A name that is not defined.
    Name,
    /// A value of the wrong kind for an operation.
    Type,
    /// Shapes, singular matrices, domains: the standard library's errors.
    Math,
    /// A bad argument (count, keyword, range, index).
    Argument,
    /// Ctrl-C or an interrupt request stopped the evaluation.
    Interrupted,
    /// A Rust cell did not compile, panicked or could not run.
    Rust,
}

impl ErrorKind {
    /// The name shown to users (and as Jupyter's `ename`).
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Syntax | ErrorKind::Incomplete => "SyntaxError",
            ErrorKind::Name => "NameError",
            ErrorKind::Type => "TypeError",
            ErrorKind::Math => "MathError",
            ErrorKind::Argument => "ArgumentError",
            ErrorKind::Interrupted => "Interrupted",
            ErrorKind::Rust => "RustError",
        }
    }
}

/// An error with the place in the source it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct LangError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
}

/// Result alias of the language crate.
pub type Result<T> = std::result::Result<T, LangError>;

impl LangError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Option<Span>) -> Self {
        LangError { kind, message: message.into(), span, hint: None }
    }

    pub fn syntax(message: impl Into<String>, span: Span) -> Self {
        LangError::new(ErrorKind::Syntax, message, Some(span))
    }

    pub fn incomplete(message: impl Into<String>, span: Span) -> Self {
        LangError::new(ErrorKind::Incomplete, message, Some(span))
    }

    pub fn type_error(message: impl Into<String>, span: Span) -> Self {
        LangError::new(ErrorKind::Type, message, Some(span))
    }

    pub fn argument(message: impl Into<String>, span: Span) -> Self {
        LangError::new(ErrorKind::Argument, message, Some(span))
    }

    /// Adds a hint ("did you mean `kron`?").
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attaches a span if the error has none yet.
    pub fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    /// The error as the user reads it:
    ///
    /// ```text
    /// error: solve: shapes 3×3 and 4×1 do not match (rows of A must equal rows of b)
    ///   at line 2, column 5
    ///   2 | x = solve(A, b)
    ///     |     ^^^^^^^^^^^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error: {}", self.message);
        if let Some(span) = self.span {
            let (line, column) = span.line_column(source);
            let text = source.lines().nth(line - 1).unwrap_or("");
            let width = source[span.start.min(source.len())..span.end.min(source.len())]
                .lines()
                .next()
                .map_or(1, |s| s.chars().count().max(1));
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            out.push_str(&format!("\n  at line {line}, column {column}\n  {gutter} | {text}\n  {pad} | "));
            out.push_str(&format!("{}{}", " ".repeat(column - 1), "^".repeat(width)));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("\n  hint: {hint}"));
        }
        out
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LangError {}

impl From<tessera::Error> for LangError {
    fn from(e: tessera::Error) -> Self {
        LangError::new(ErrorKind::Math, e.to_string(), None)
    }
}
