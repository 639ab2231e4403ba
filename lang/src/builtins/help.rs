//! Help pages, generated from the builtin registry.

use crate::builtins;
use crate::env::Env;
use crate::error::{ErrorKind, LangError, Result};

/// The help page of a builtin: signature, summary, formula and source, and
/// the example with what it shows.
pub fn builtin_help(name: &str) -> Option<String> {
    let b = builtins::lookup(name)?;
    let indent = |text: &str, first: &str, rest: &str| -> String {
        text.lines()
            .enumerate()
            .map(|(i, l)| format!("{}{l}", if i == 0 { first } else { rest }))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut page =
        format!("{}\n\n{}\n\n{}\n\nExample:\n{}", b.signature, b.summary, b.help, indent(b.example, "    ", "    "));
    if !b.shows.is_empty() {
        page.push_str(&format!("\n{}", indent(b.shows, "    → ", "      ")));
    }
    Some(page)
}

/// `?name`: a builtin's page, or what a variable holds.
pub fn help_text(name: &str, env: &Env) -> Result<String> {
    if let Some(text) = builtin_help(name) {
        return Ok(text);
    }
    if let Some(v) = env.get(name) {
        return Ok(format!("{name}: {}\n{}", v.kind(), crate::display::plain(&v)));
    }
    let candidates: Vec<&str> = builtins::names().collect();
    let err = LangError::new(ErrorKind::Name, format!("no help for `{name}`: it is not defined"), None);
    Err(match crate::suggest::nearest(name, candidates.into_iter()) {
        Some(best) => err.with_hint(format!("did you mean `{best}`?")),
        None => err,
    })
}
