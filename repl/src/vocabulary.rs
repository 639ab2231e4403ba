//! The language's vocabulary as JSON, for the highlighters outside Rust: the
//! Pygments lexer (`jupyter/tessera-pygments`, for nbconvert, jupyter
//! console and Sphinx) reads `vocabulary.json` beside it. Everything comes
//! from the lexer's [`FIXED`] table, the builtin registry and the command
//! list, so the REPL's highlighter (which uses the lexer itself) and the
//! generated modes agree by construction.

use serde_json::json;
use tessera_lang::builtins::{self, CONSTANTS};
use tessera_lang::commands::COMMANDS;
use tessera_lang::lexer::{is_keyword, FIXED};

/// The vocabulary: keywords, operators (longest first, so that an
/// alternation of them matches as the lexer does), builtins, constants and
/// session commands.
pub fn json() -> String {
    let keywords: Vec<&str> = FIXED.iter().map(|(text, _)| *text).filter(|t| is_keyword(t)).collect();
    let mut operators: Vec<&str> = FIXED.iter().map(|(text, _)| *text).filter(|t| !is_keyword(t)).collect();
    operators.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    let mut names: Vec<&str> = builtins::groups().into_iter().flat_map(|(_, bs)| bs).map(|b| b.name).collect();
    names.sort_unstable();
    let commands: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    let doc = json!({
        "generated_by": "repl/src/vocabulary.rs (TESSERA_BLESS=1 cargo test -p tessera-repl)",
        "keywords": keywords,
        "operators": operators,
        "builtins": names,
        "constants": CONSTANTS,
        "commands": commands,
        "comment": "#",
        "string_escapes": ["\\n", "\\t", "\\r", "\\0", "\\\\", "\\\""],
    });
    serde_json::to_string_pretty(&doc).expect("JSON") + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn vocabulary_is_current() {
        crate::generated::assert_current("jupyter/tessera-pygments/tessera_pygments/vocabulary.json", &super::json());
    }
}
