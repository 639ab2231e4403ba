//! Completion and inspection at a cursor, shared by the REPL and Jupyter.

use crate::builtins;
use crate::commands::COMMANDS;
use crate::display::summary;
use crate::env::Env;
use crate::lexer::{is_keyword, FIXED};
use crate::value::Value;

/// Candidates replacing `code[start..end]`, sorted by text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Completion {
    pub start: usize,
    pub end: usize,
    pub candidates: Vec<Candidate>,
}

impl Completion {
    /// The candidates' texts.
    pub fn texts(&self) -> Vec<String> {
        self.candidates.iter().map(|c| c.text.clone()).collect()
    }
}

/// One completion: its text, what it names, and its signature (a builtin's
/// call form, a command's usage, a variable's kind and shape).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub text: String,
    pub kind: Kind,
    pub signature: String,
}

/// What a completion names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Variable,
    Builtin,
    Constant,
    Keyword,
    Command,
    Field,
}

impl Kind {
    /// Its name, as completers label items (Jupyter's `type`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Variable => "variable",
            Kind::Builtin => "builtin",
            Kind::Constant => "constant",
            Kind::Keyword => "keyword",
            Kind::Command => "command",
            Kind::Field => "field",
        }
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The start of the identifier that ends at `cursor`.
fn word_start(code: &str, cursor: usize) -> usize {
    code[..cursor].char_indices().rev().take_while(|(_, c)| is_word(*c)).last().map_or(cursor, |(i, _)| i)
}

/// Completions of the word before `cursor` (a byte offset into `code`):
/// commands after `:`, a record's fields after `name.`, and otherwise the
/// variables, builtins, constants and keywords (a variable that shadows a
/// builtin is listed as the variable).
pub fn complete(code: &str, cursor: usize, env: &Env) -> Completion {
    let cursor = floor_char_boundary(code, cursor);
    let start = word_start(code, cursor);
    let prefix = &code[start..cursor];
    let before = code[..start].trim_end_matches([' ', '\t']);
    let line_start = code[..start].rfind('\n').map_or(0, |i| i + 1);
    let candidate = |text: &str, kind: Kind, signature: String| Candidate { text: text.to_string(), kind, signature };
    // Only the names that match are described (a variable's summary is not free).
    let matching = |name: &str| name.starts_with(prefix);
    let mut candidates: Vec<Candidate> = if code[line_start..start].trim_start() == ":" {
        COMMANDS
            .iter()
            .filter(|c| matching(c.name))
            .map(|c| candidate(c.name, Kind::Command, c.usage.to_string()))
            .collect()
    } else if let Some(owner) = before.strip_suffix('.') {
        // `record.fi`: the fields of the record named just before the dot.
        let owner_start = word_start(owner, owner.len());
        match env.get(&owner[owner_start..]) {
            Some(Value::Record(r)) => r
                .fields
                .iter()
                .filter(|(n, _)| matching(n))
                .map(|(n, v)| candidate(n, Kind::Field, summary(v)))
                .collect(),
            _ => vec![],
        }
    } else {
        let variables = env.visible_names().into_iter().filter(|n| matching(n)).filter_map(|n| {
            let v = env.get(&n)?;
            Some(candidate(&n, Kind::Variable, summary(&v)))
        });
        let builtins = builtins::all().filter(|b| matching(b.name));
        let constants = builtins::CONSTANTS.iter().filter(|c| matching(c));
        let keywords = FIXED.iter().map(|(text, _)| *text).filter(|t| is_keyword(t) && matching(t));
        variables
            .chain(builtins.map(|b| candidate(b.name, Kind::Builtin, b.signature.to_string())))
            .chain(constants.map(|c| candidate(c, Kind::Constant, String::new())))
            .chain(keywords.map(|k| candidate(k, Kind::Keyword, String::new())))
            .collect()
    };
    // Stable: of equal texts, the first listed (the variable) stays.
    candidates.sort_by(|a, b| a.text.cmp(&b.text));
    candidates.dedup_by(|later, first| later.text == first.text);
    Completion { start, end: cursor, candidates }
}

fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The identifier under or just before `cursor`.
pub fn name_at(code: &str, cursor: usize) -> Option<&str> {
    let cursor = floor_char_boundary(code, cursor);
    let end = code[cursor..].find(|c: char| !is_word(c)).map_or(code.len(), |k| cursor + k);
    let start = word_start(code, cursor);
    (start < end).then(|| &code[start..end])
}

/// The name called by the innermost call open at `cursor` (`kron(A, |` and
/// `kron(A, [1, |` → `kron`), if the call's parenthesis follows a name.
pub fn callee_at(code: &str, cursor: usize) -> Option<&str> {
    let cursor = floor_char_boundary(code, cursor);
    let mut depth = 0usize;
    for (i, c) in code[..cursor].char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' if depth > 0 => depth -= 1,
            '(' => {
                let start = word_start(code, i);
                return (start < i).then(|| &code[start..i]);
            }
            _ => {}
        }
    }
    None
}

/// The signature of the builtin whose call is open at `cursor` (`kron(A, |`).
pub fn signature_at(code: &str, cursor: usize) -> Option<&'static str> {
    builtins::lookup(callee_at(code, cursor)?).map(|b| b.signature)
}

/// What inspecting at `cursor` shows (Shift-Tab, the Contextual Help panel,
/// `inspect_request`): inside an open call, the callee's help, as IPython
/// prefers the callable; elsewhere, the help of the builtin or the value of
/// the variable under or just before the cursor.
pub fn inspect(code: &str, cursor: usize, env: &Env) -> Option<String> {
    let known = |name: &&str| builtins::lookup(name).is_some() || env.get(name).is_some();
    let name = callee_at(code, cursor).filter(known).or_else(|| name_at(code, cursor))?;
    builtins::help::help_text(name, env).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Scope;

    #[test]
    fn completes_builtins_variables_fields_and_commands() {
        let env = Scope::global();
        env.set("kronecker_data".into(), Value::Number(1.0));
        let c = complete("x = kronsu", 10, &env);
        assert_eq!((c.start, c.end, c.texts()), (4, 10, vec!["kronsum".to_string()]));
        assert_eq!(complete("kro", 3, &env).texts(), vec!["kron", "kronecker_data", "kronsum"]);
        assert_eq!(complete(":he", 3, &env).texts(), vec!["help"]);
        let record =
            crate::value::record(vec![("K", Value::matrix(tessera::Matrix::eye(3))), ("R", Value::Number(2.0))]);
        env.set("cam".into(), record);
        assert_eq!(complete("cam.", 4, &env).texts(), vec!["K", "R"]);
        assert_eq!(complete("wh", 2, &env).texts(), vec!["where", "while"]);
    }

    #[test]
    fn each_candidate_says_what_it_names_and_its_signature() {
        let env = Scope::global();
        env.set("kron_x".into(), Value::matrix(tessera::Matrix::zeros(2, 3)));
        env.set("inv".into(), Value::Number(1.0));
        let c = complete("kro", 3, &env);
        let described: Vec<(&str, &str, &str)> =
            c.candidates.iter().map(|c| (c.text.as_str(), c.kind.name(), c.signature.as_str())).collect();
        assert_eq!(
            described,
            [
                ("kron", "builtin", "kron(A, B, ...)"),
                ("kron_x", "variable", "2×3 matrix"),
                ("kronsum", "builtin", "kronsum(A, B)")
            ]
        );
        // A variable that shadows a builtin is the variable.
        let inv = complete("inv", 3, &env).candidates;
        assert_eq!((inv[0].kind, inv[0].signature.as_str()), (Kind::Variable, "number"));
        assert_eq!(complete(":ti", 3, &env).candidates[0].signature, ":time CODE");
        assert_eq!(complete("pi", 2, &env).candidates[0].kind, Kind::Constant);
        assert_eq!(complete("whi", 3, &env).candidates[0].kind, Kind::Keyword);
        let record = crate::value::record(vec![("K", Value::matrix(tessera::Matrix::eye(3)))]);
        env.set("cam".into(), record);
        let field = &complete("cam.K", 5, &env).candidates[0];
        assert_eq!((field.kind.name(), field.signature.as_str()), ("field", "3×3 matrix"));
    }

    #[test]
    fn finds_the_open_call_and_the_name_under_the_cursor() {
        assert_eq!(signature_at("y = kron(A, ", 12), Some("kron(A, B, ...)"));
        assert_eq!(signature_at("kron(A, B) + 1", 14), None);
        assert_eq!(signature_at("det(inv(A), ", 12), Some("det(A)"));
        assert_eq!(name_at("x = svdvals(A)", 6), Some("svdvals"));
        assert!(inspect("svd", 1, &Scope::global()).unwrap().contains("svd(A)"));
    }

    #[test]
    fn inspection_inside_an_open_call_shows_the_callee() {
        let env = Scope::global();
        env.set("A".into(), Value::Number(2.0));
        for code in ["kron(", "kron(A, ", "y = kron(A, eye(2)", "kron(A, [1, 2"] {
            let page = inspect(code, code.len(), &env).unwrap_or_else(|| panic!("{code}: nothing"));
            assert!(page.starts_with("kron(A, B, ...)"), "{code}: {page}");
        }
        let norm = inspect("norm(A, ", 8, &env).unwrap();
        assert!(norm.starts_with("norm("), "{norm}");
        // Outside a call, and in a call of an unknown name, the name under the cursor.
        assert_eq!(inspect("A", 1, &env).unwrap(), "A: number\n2");
        assert_eq!(inspect("nosuch(A", 8, &env).unwrap(), "A: number\n2");
        assert_eq!(callee_at("f(x)[1, ", 8), None);
        assert_eq!(callee_at("(1 + ", 5), None);
        assert!(inspect("kron(A, B) ", 11, &env).is_none());
    }
}
