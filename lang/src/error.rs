//! Errors of the language: a kind, one sentence, the span it is about, and an
//! optional hint. They stay structured until the edge, where [`LangError::render`]
//! writes them once, with `line L, column C` and the source line with a caret.

use crate::span::Span;
use std::fmt;

/// What kind of failure. Each kind has the name users and Jupyter's `ename`
/// see; the standard library's errors map onto kinds by their variant
/// ([`ErrorKind::of`]).
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
    /// A bad argument (count, keyword, range, index).
    Argument,
    /// Shapes that do not fit together, or a rectangular matrix where a square one is needed.
    Shape,
    /// A singular matrix where an inverse is needed.
    Singular,
    /// A value outside an operation's domain: not positive definite, not
    /// symmetric, NaN or infinity, no real result.
    Domain,
    /// An iteration that did not converge.
    Convergence,
    /// The GPU is missing or failed.
    Device,
    /// A file that cannot be read or written, or is malformed.
    File,
    /// A result larger than the memory this process can allocate.
    Memory,
    /// Ctrl-C or an interrupt request stopped the evaluation.
    Interrupted,
    /// A Rust cell did not compile, panicked or could not run.
    Rust,
    /// A bug in Tessera (a panic caught at the cell's boundary).
    Internal,
}

impl ErrorKind {
    /// Every kind, for tests and documentation.
    pub const ALL: [ErrorKind; 15] = [
        ErrorKind::Syntax,
        ErrorKind::Incomplete,
        ErrorKind::Name,
        ErrorKind::Type,
        ErrorKind::Argument,
        ErrorKind::Shape,
        ErrorKind::Singular,
        ErrorKind::Domain,
        ErrorKind::Convergence,
        ErrorKind::Device,
        ErrorKind::File,
        ErrorKind::Memory,
        ErrorKind::Interrupted,
        ErrorKind::Rust,
        ErrorKind::Internal,
    ];

    /// The name shown to users (and as Jupyter's `ename`).
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Syntax | ErrorKind::Incomplete => "SyntaxError",
            ErrorKind::Name => "NameError",
            ErrorKind::Type => "TypeError",
            ErrorKind::Argument => "ArgumentError",
            ErrorKind::Shape => "ShapeError",
            ErrorKind::Singular => "SingularError",
            ErrorKind::Domain => "DomainError",
            ErrorKind::Convergence => "ConvergenceError",
            ErrorKind::Device => "DeviceError",
            ErrorKind::File => "FileError",
            ErrorKind::Memory => "MemoryError",
            ErrorKind::Interrupted => "Interrupted",
            ErrorKind::Rust => "RustError",
            ErrorKind::Internal => "InternalError",
        }
    }

    /// The kind of a standard-library error, by its variant.
    pub fn of(e: &tessera::Error) -> ErrorKind {
        use tessera::Error as E;
        match e {
            E::ShapeMismatch { .. } | E::NotSquare { .. } => ErrorKind::Shape,
            E::Singular { .. } => ErrorKind::Singular,
            E::NotPositiveDefinite { .. } | E::NotSymmetric { .. } | E::NonFinite { .. } | E::Domain { .. } => {
                ErrorKind::Domain
            }
            E::InvalidArgument { .. } => ErrorKind::Argument,
            E::File { .. } => ErrorKind::File,
            E::OutOfMemory { .. } => ErrorKind::Memory,
            E::Device { .. } => ErrorKind::Device,
            E::NoConvergence { .. } => ErrorKind::Convergence,
        }
    }
}

/// A call of a user function that an error passed through: the function's
/// name and the span of the call.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub function: String,
    pub call: Span,
}

/// An error with the place in the source it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct LangError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
    /// The calls of user functions the error passed through, innermost
    /// first (a traceback).
    pub trace: Vec<Frame>,
    /// The standard-library error this one reports, when it is one (boxed:
    /// the `Err` of every evaluation step stays small).
    pub source: Option<Box<tessera::Error>>,
}

/// Result alias of the language crate.
pub type Result<T> = std::result::Result<T, LangError>;

impl LangError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Option<Span>) -> Self {
        LangError { kind, message: message.into(), span, hint: None, trace: Vec::new(), source: None }
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

    /// Keeps `e` as the standard-library error this one reports.
    fn reporting(mut self, e: tessera::Error) -> Self {
        self.source = Some(Box::new(e));
        self
    }

    /// Adds a hint ("did you mean `kron`?").
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Records that the error passed out of `function`, called at `call`.
    pub fn called(&mut self, function: &str, call: Span) {
        self.trace.push(Frame { function: function.to_string(), call });
    }

    /// Attaches a span if the error has none yet.
    pub fn at(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }

    /// The error as the user reads it, with the calls it passed through
    /// below, innermost first, each with the line that made it:
    ///
    /// ```text
    /// error: solve: shapes 3×3 and 4×1 do not match (rows of A must equal rows of b)
    ///   at line 1, column 13
    ///   1 | fn fit(A, b) { solve(A, b) }
    ///     |                ^^^^^^^^^^^
    ///   in fit, called at line 2, column 1: fit(eye(3), ones(4, 1))
    /// ```
    ///
    /// The line shown is from the span's own source when it has one: an error
    /// inside a function that an earlier cell defined points into that cell
    /// ("of an earlier cell"), not into `source`, the text being run now. A
    /// call repeated (recursion) is shown once, with how many times more.
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error: {}", self.message);
        if let Some(span) = self.span {
            let place = Place::of(span, source);
            let gutter = place.line.to_string();
            let pad = " ".repeat(gutter.len());
            out.push_str(&format!("\n  {}\n  {gutter} | {}\n  {pad} | ", place.at(), place.shown));
            out.push_str(&format!("{}{}", " ".repeat(place.column - 1), "^".repeat(place.width)));
        }
        let mut frames = self.trace.iter().peekable();
        while let Some(frame) = frames.next() {
            let mut again = 0;
            while frames.next_if(|next| *next == frame).is_some() {
                again += 1;
            }
            let place = Place::of(frame.call, source);
            out.push_str(&format!("\n  in {}, called {}: {}", frame.function, place.at(), place.shown.trim()));
            if again > 0 {
                out.push_str(&format!("\n  … that call {again} more times"));
            }
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("\n  hint: {hint}"));
        }
        out
    }
}

/// Where a span is, for a message: its line, column and width in its own
/// source (or in the one being run, when it has none).
struct Place {
    line: usize,
    column: usize,
    width: usize,
    /// The span's line.
    shown: String,
    elsewhere: bool,
}

impl Place {
    fn of(span: Span, source: &str) -> Place {
        let registered = span.source.text();
        let (text, elsewhere) = match registered.as_deref() {
            Some(own) => (own, own != source),
            None => (source, false),
        };
        let (line, column) = span.line_column(text);
        let width = span.text(text).lines().next().map_or(1, |s| s.chars().count().max(1));
        let shown = text.lines().nth(line - 1).unwrap_or("").to_string();
        Place { line, column, width, shown, elsewhere }
    }

    /// `at line 2, column 5` (`of an earlier cell`).
    fn at(&self) -> String {
        let of = if self.elsewhere { " of an earlier cell" } else { "" };
        format!("at line {}, column {}{of}", self.line, self.column)
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LangError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

impl From<tessera::Error> for LangError {
    fn from(e: tessera::Error) -> Self {
        LangError::new(ErrorKind::of(&e), e.to_string(), None).reporting(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera::{Error as E, Shape};

    #[test]
    fn every_stdlib_error_has_its_own_name() {
        let cases = [
            (E::shapes("solve", Shape(3, 3), Shape(4, 1), "rows"), "ShapeError"),
            (E::NotSquare { op: "det", shape: Shape(2, 3) }, "ShapeError"),
            (E::singular("inv"), "SingularError"),
            (E::NotPositiveDefinite { op: "chol", detail: String::new() }, "DomainError"),
            (E::NotSymmetric { op: "eigh", asymmetry: 1.0 }, "DomainError"),
            (E::NonFinite { op: "svd" }, "DomainError"),
            (E::domain("logm", "negative eigenvalue"), "DomainError"),
            (E::invalid("zeros", "bad"), "ArgumentError"),
            (E::file("load", "truncated"), "FileError"),
            (
                E::OutOfMemory { op: "zeros", what: "a matrix".into(), bytes: 1 << 40, available: 1 << 30 },
                "MemoryError",
            ),
            (E::Device { reason: "no adapter".into() }, "DeviceError"),
            (E::NoConvergence { op: "eigvals" }, "ConvergenceError"),
        ];
        for (e, name) in cases {
            let l = LangError::from(e.clone());
            assert_eq!(l.kind.name(), name, "{e}");
            assert_eq!(l.message, e.to_string());
            assert_eq!(l.source.as_deref(), Some(&e));
        }
    }

    #[test]
    fn the_language_kinds_have_their_names() {
        let names: Vec<&str> = ErrorKind::ALL.iter().map(ErrorKind::name).collect();
        assert_eq!(
            names,
            [
                "SyntaxError",
                "SyntaxError",
                "NameError",
                "TypeError",
                "ArgumentError",
                "ShapeError",
                "SingularError",
                "DomainError",
                "ConvergenceError",
                "DeviceError",
                "FileError",
                "MemoryError",
                "Interrupted",
                "RustError",
                "InternalError"
            ]
        );
    }

    #[test]
    fn an_error_renders_against_its_own_source() {
        let earlier = "fn f(x) = x + ⊗nosuch";
        let id = crate::span::SourceId::register(earlier);
        let start = earlier.find("nosuch").unwrap();
        let e =
            LangError::new(ErrorKind::Name, "`nosuch` is not defined", Some(Span::new(start, start + 6).in_source(id)));
        assert_eq!(
            e.render("\"⊗⊗⊗⊗\"; f(1)"),
            "error: `nosuch` is not defined\n  at line 1, column 16 of an earlier cell\n  1 | fn f(x) = x + ⊗nosuch\n    |                ^^^^^^"
        );
        assert_eq!(
            e.render(earlier),
            "error: `nosuch` is not defined\n  at line 1, column 16\n  1 | fn f(x) = x + ⊗nosuch\n    |                ^^^^^^"
        );
    }
}
