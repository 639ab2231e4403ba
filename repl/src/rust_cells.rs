//! Rust cells: `%%rust` (a notebook cell's first line) and `:rust` (the REPL)
//! evaluated by evcxr with the stdlib loaded (`use tessera::prelude::*`).
//!
//! The bridge (see `tessera::session`): before a cell, each session variable
//! it mentions that is a matrix, an operator or a number is written to the
//! session's exchange directory and bound in the cell under its own name
//! (`A: Matrix`, `K: Operator`, `x: f64`); `session::set("B", &b)?` in the
//! cell hands a value back, bound in the session when the cell ends. Rust
//! variables live on from cell to cell, as in evcxr.
//!
//! Errors come back as Tessera errors: a compilation error with its span in
//! the cell, a panic with its message. The Rust side then keeps running, and
//! the Tessera session keeps every variable in every case.
//!
//! Built only with the cargo feature `rust` (on by default); without it a
//! Rust cell says how to get it.

use tessera_lang::{ErrorKind, LangError};

/// The MIME bundle a Rust cell's final value shows as, by MIME type.
pub type Shown = Vec<(String, String)>;

/// The cell magic that makes a notebook cell a Rust cell.
pub const MAGIC: &str = "%%rust";

/// The Rust code of a cell, and its byte offset in the cell, when the cell
/// is a Rust cell: [`MAGIC`] on the first line, or `:rust CODE`.
pub fn rust_code(cell: &str) -> Option<(usize, &str)> {
    let start = cell.len() - cell.trim_start().len();
    let rest = &cell[start..];
    let (head, body) = rest.split_once('\n').unwrap_or((rest, ""));
    if head.trim_end() == MAGIC {
        return Some((cell.len() - body.len(), body));
    }
    let code = rest.strip_prefix(":rust")?;
    if !code.is_empty() && !code.starts_with(char::is_whitespace) {
        return None;
    }
    Some((cell.len() - code.len(), code))
}

/// The cell magic being typed at the start of a cell (`%%ru` before the
/// cursor): the byte range it replaces, and [`MAGIC`].
pub fn complete_magic(cell: &str, cursor: usize) -> Option<(usize, usize, &'static str)> {
    let start = cell.len() - cell.trim_start().len();
    let typed = cell.get(start..cursor)?;
    (typed.starts_with('%') && MAGIC.starts_with(typed)).then_some((start, cursor, MAGIC))
}

/// Whether Rust code has all its brackets closed (strings, characters and
/// comments skipped): the REPL continues a `:rust` line until it has.
fn brackets_closed(code: &str) -> bool {
    let mut depth = 0i64;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            // A character literal ('{', '\'', '\n'); a lifetime ('a) has no closing quote.
            '\'' => {
                let mut ahead = chars.clone();
                let len = match (ahead.next(), ahead.next(), ahead.next()) {
                    (Some('\\'), Some(_), Some('\'')) => 3,
                    (Some(_), Some('\''), _) => 2,
                    _ => 0,
                };
                for _ in 0..len {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    depth <= 0
}

/// Whether the REPL has the whole of a `:rust` input: a `:rust` line with
/// code is whole when its brackets close; `:rust` alone starts a block that
/// an empty line ends.
pub fn input_complete(code: &str) -> bool {
    match code.split_once('\n') {
        None if code.trim().is_empty() => false,
        Some((first, rest)) if first.trim().is_empty() => {
            rest.ends_with('\n') || rest.lines().last().is_some_and(|l| l.trim().is_empty())
        }
        _ => brackets_closed(code),
    }
}

/// The `text/plain` part of what a Rust cell shows.
pub fn plain_text(shown: &Shown) -> Option<&str> {
    shown.iter().find(|(mime, _)| mime == "text/plain").map(|(_, text)| text.as_str())
}

fn rust_error(message: impl Into<String>) -> LangError {
    LangError::new(ErrorKind::Rust, message, None)
}

// Compiled in every test build too, so that one build checks what a build
// without Rust cells says.
#[cfg(any(test, not(feature = "rust")))]
mod disabled {
    use super::*;
    use tessera_lang::{Session, Sink};

    /// Rust cells in a build without them: every cell says how to get them.
    #[derive(Default)]
    pub struct RustCells;

    impl RustCells {
        pub fn new() -> RustCells {
            RustCells
        }

        pub fn complete(&mut self, _: &Session, _: &str, _: usize) -> Option<(usize, usize, Vec<String>)> {
            None
        }

        pub fn run(
            &mut self,
            _: &mut Session,
            _: &str,
            _: usize,
            _: &mut dyn Sink,
        ) -> Result<Option<Shown>, LangError> {
            Err(rust_error("this tessera was built without Rust cells").with_hint(
                "build it with the `rust` cargo feature, which is on by default: \
                 `cargo build --release -p tessera-repl` (without --no-default-features); \
                 Rust cells also need cargo and rustc on PATH",
            ))
        }
    }
}

// Built only with the `rust` feature, whose evcxr needs Rust 1.95 anyway.
#[cfg(feature = "rust")]
#[clippy::msrv = "1.95"]
mod engine;

#[cfg(not(feature = "rust"))]
pub use disabled::RustCells;
#[cfg(feature = "rust")]
pub use engine::RustCells;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rust_cells() {
        assert_eq!(rust_code("%%rust\nlet x = 1;"), Some((7, "let x = 1;")));
        assert_eq!(rust_code("  %%rust  \nx"), Some((11, "x")));
        assert_eq!(rust_code("%%rust"), Some((6, "")));
        assert_eq!(complete_magic("%%ru", 4), Some((0, 4, "%%rust")));
        assert_eq!(complete_magic("\n  %", 4), Some((3, 4, "%%rust")));
        assert_eq!(complete_magic("%%ru\nx", 6), None);
        assert_eq!(complete_magic("x = %%", 6), None);
        assert_eq!(complete_magic("%%time", 6), None);
        assert_eq!(rust_code(":rust 1 + 1"), Some((5, " 1 + 1")));
        assert_eq!(rust_code(":rust"), Some((5, "")));
        assert_eq!(rust_code(":rusty"), None);
        assert_eq!(rust_code("x = 1\n%%rust"), None);
        assert_eq!(rust_code(":vars"), None);
    }

    #[test]
    fn repl_input_ends_where_rust_does() {
        assert!(!input_complete(" "));
        assert!(!input_complete(" \nlet x = 1;"));
        assert!(input_complete(" \nlet x = 1;\n"));
        assert!(input_complete(" let x = 1;"));
        assert!(!input_complete(" fn f() {"));
        assert!(input_complete(" fn f() {\n}"));
    }

    #[test]
    fn a_build_without_rust_cells_says_how_to_get_them() {
        let mut session = tessera_lang::Session::new();
        let mut cells = disabled::RustCells::new();
        assert_eq!(cells.complete(&session, "x", 1), None);
        let e = cells.run(&mut session, "1 + 1", 0, &mut tessera_lang::NullSink).unwrap_err();
        assert_eq!(e.message, "this tessera was built without Rust cells");
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("the `rust` cargo feature")), "{:?}", e.hint);
    }

    #[test]
    fn counts_brackets_like_rust() {
        assert!(brackets_closed("let x = vec![1, 2];"));
        assert!(!brackets_closed("fn f() {"));
        assert!(brackets_closed("let s = \"{ not a bracket\";"));
        assert!(brackets_closed("let c = '{'; let d = '\\'';"));
        assert!(brackets_closed("fn f<'a>(x: &'a str) -> &'a str { x }"));
        assert!(brackets_closed("// {\n/* ( */ 1"));
        assert!(!brackets_closed("for i in 0..3 {\n    println!(\"{i}\");"));
    }
}
