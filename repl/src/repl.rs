//! The interactive REPL on rustyline: completion of builtins, variables,
//! record fields and `:` commands; the signature of the open call as a hint;
//! syntax highlighting; continuation lines while a bracket or block is open
//! ([`crate::cell::is_complete`], Jupyter's answer too); persistent history; Ctrl-C interrupts
//! a running evaluation (variables are kept) or clears the line at the
//! prompt; Ctrl-D leaves.

use crate::rust_cells::{complete_magic, rust_code, RustCells};
use rustyline::completion::Completer;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use tessera_lang::lexer::{lex, Tok};
use tessera_lang::Session;

/// rustyline's view of the session: completion, hints, highlighting, continuation.
struct Cell {
    session: Rc<RefCell<Session>>,
    rust: Rc<RefCell<RustCells>>,
}

impl Helper for Cell {}

impl Completer for Cell {
    type Candidate = String;

    /// The cell magic being typed, Tessera names, or in a `:rust` line Rust completions (once a Rust cell
    /// has started evcxr).
    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<String>)> {
        if let Some((start, _, magic)) = complete_magic(line, pos) {
            return Ok((start, vec![magic.to_string()]));
        }
        if let Some((offset, code)) = rust_code(line) {
            let found = match pos.checked_sub(offset) {
                Some(at) => self.rust.borrow_mut().complete(&self.session.borrow(), code, at),
                None => None,
            };
            return Ok(found.map_or((pos, Vec::new()), |(start, _, matches)| (offset + start, matches)));
        }
        let c = self.session.borrow().complete(line, pos);
        Ok((c.start, c.texts()))
    }
}

impl Hinter for Cell {
    type Hint = String;

    /// The signature of the builtin whose call is open, e.g. ` ← kron(A, B, ...)`.
    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() || rust_code(line).is_some() {
            return None;
        }
        tessera_lang::complete::signature_at(line, pos).map(|s| format!("   ← {s}"))
    }
}

/// ANSI colours for token classes.
const KEYWORD: &str = "\x1b[35m";
const NUMBER: &str = "\x1b[36m";
const STRING: &str = "\x1b[32m";
const BUILTIN: &str = "\x1b[34m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

impl Highlighter for Cell {
    fn highlight<'l>(&self, line: &'l str, _: usize) -> Cow<'l, str> {
        let Ok(tokens) = lex(line) else { return Cow::Borrowed(line) };
        let mut out = String::with_capacity(line.len() + 32);
        let mut at = 0;
        for t in tokens {
            let colour = match &t.tok {
                Tok::Number(_) => NUMBER,
                Tok::Str(_) => STRING,
                Tok::Ident(name) if tessera_lang::builtins::lookup(name).is_some() => BUILTIN,
                tok if !tok.text().is_empty() && tok.text().chars().all(char::is_alphabetic) => KEYWORD,
                _ => continue,
            };
            out.push_str(&line[at..t.span.start]);
            out.push_str(colour);
            out.push_str(&line[t.span.start..t.span.end]);
            out.push_str(RESET);
            at = t.span.end;
        }
        out.push_str(&line[at..]);
        Cow::Owned(out)
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("{DIM}{hint}{RESET}"))
    }

    fn highlight_char(&self, _: &str, _: usize, _: CmdKind) -> bool {
        true
    }
}

impl Validator for Cell {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        // An invalid cell is accepted too: running it shows its error.
        Ok(match crate::cell::is_complete(ctx.input()) {
            tessera_lang::Completeness::Incomplete => ValidationResult::Incomplete,
            _ => ValidationResult::Valid(None),
        })
    }
}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("TESSERA_HISTORY")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".tessera_history")))
}

/// Runs one cell (Tessera or Rust) and prints its value or error.
fn run_cell(session: &RefCell<Session>, rust: &RefCell<RustCells>, line: &str) {
    let shown = match rust_code(line) {
        Some((offset, code)) => rust
            .borrow_mut()
            .run(&mut session.borrow_mut(), code, offset, &mut crate::terminal::Terminal)
            .map(|shown| shown.as_ref().and_then(crate::rust_cells::plain_text).map(|text| format!("{text}\n"))),
        None => {
            let result = session.borrow_mut().execute(line, &mut crate::terminal::Terminal);
            result.map(|value| value.map(|v| crate::terminal::render(&v, session.borrow().plot_mode())))
        }
    };
    match shown {
        Ok(Some(text)) => print!("{text}"),
        Ok(None) => {}
        Err(e) => eprintln!("{}", e.render(line)),
    }
}

/// Runs the REPL until Ctrl-D or `:quit`.
pub fn run(device: tessera_lang::session::Placement) -> ExitCode {
    let config = Config::builder().completion_type(CompletionType::List).auto_add_history(true).build();
    let mut editor = match rustyline::Editor::<Cell, rustyline::history::DefaultHistory>::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(1);
        }
    };
    let session = Rc::new(RefCell::new(Session::new()));
    if let Err(e) = session.borrow_mut().set_device(device) {
        eprintln!("error: {}", e.message);
        return ExitCode::from(1);
    }
    let rust = Rc::new(RefCell::new(RustCells::new()));
    editor.set_helper(Some(Cell { session: session.clone(), rust: rust.clone() }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let interrupt = session.borrow().interrupt_handle();
    let _ = ctrlc::set_handler(move || interrupt.store(true, Ordering::Relaxed));
    println!("Tessera {} — :help for help, Tab to complete, Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
    loop {
        match editor.readline("tessera> ") {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) if matches!(line.trim(), ":quit" | ":q" | ":exit") => break,
            Ok(line) => {
                // The panic boundary of the REPL: a bug anywhere in running or
                // showing the cell is reported, and the session goes on.
                if let Err(caught) = tessera_lang::boundary::catch(|| run_cell(&session, &rust, &line)) {
                    eprintln!("{}", caught.into_error("the REPL").render(&line));
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
        if let Some(path) = &history {
            let _ = editor.append_history(path);
        }
    }
    ExitCode::SUCCESS
}
