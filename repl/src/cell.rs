//! Whether a cell is ready to run: one answer for the REPL's line editor
//! (continue on the next line?) and for Jupyter's `is_complete_request`
//! (jupyter console asks it at every Enter), Rust cells and session
//! commands included.

use crate::rust_cells::{input_complete, rust_code};
use tessera_lang::Completeness;

/// Complete, still open (continue on the next line), or invalid.
///
/// - A Rust cell (`%%rust`, `:rust`) is whole when its brackets close, or,
///   begun by `:rust` or `%%rust` alone, at an empty line.
/// - `:time CODE` is as complete as CODE; any other `:` command is one line.
/// - Tessera code is complete unless it stops inside a bracket, a block or a
///   string.
pub fn is_complete(code: &str) -> Completeness {
    if let Some((_, rust)) = rust_code(code) {
        return match input_complete(rust) {
            true => Completeness::Complete,
            false => Completeness::Incomplete,
        };
    }
    let code = match code.trim_start().strip_prefix(':') {
        Some(command) => match command.strip_prefix("time") {
            Some(rest) if rest.starts_with(char::is_whitespace) => rest,
            _ => return Completeness::Complete,
        },
        None => code,
    };
    match tessera_lang::parser::is_complete(code) {
        Ok(true) => Completeness::Complete,
        Ok(false) => Completeness::Incomplete,
        Err(e) => Completeness::Invalid(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(code: &str) -> &'static str {
        match is_complete(code) {
            Completeness::Complete => "complete",
            Completeness::Incomplete => "incomplete",
            Completeness::Invalid(_) => "invalid",
        }
    }

    #[test]
    fn one_answer_for_every_kind_of_cell() {
        for (code, expected) in [
            ("x = 1", "complete"),
            ("x = [1, 2,", "incomplete"),
            ("x = )", "invalid"),
            (":vars", "complete"),
            (":load my file.bin", "complete"),
            (":time for i in 0:3 {", "incomplete"),
            (":time 1 + 1", "complete"),
            (":timer", "complete"),
            (":rust let v = vec![1,", "incomplete"),
            (":rust let v = vec![1];", "complete"),
            (":rust", "incomplete"),
            ("%%rust\nfn f() {", "incomplete"),
            ("%%rust\nfn f() {}", "complete"),
        ] {
            assert_eq!(state(code), expected, "{code:?}");
        }
    }
}
