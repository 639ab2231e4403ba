//! The interactive REPL on rustyline: continuation lines while a bracket or
//! block is open (the language's own `is_complete`), persistent history,
//! Ctrl-C to interrupt a running evaluation (variables are kept) or to
//! clear the line at the prompt, Ctrl-D to leave.

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::Helper;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use tessera_lang::{display, Session, StdSink};

/// Tells rustyline to continue while the cell is incomplete.
struct Cell;

impl Helper for Cell {}
impl Highlighter for Cell {}
impl Hinter for Cell {
    type Hint = String;
}
impl Completer for Cell {
    type Candidate = String;
}

impl Validator for Cell {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if input.trim_start().starts_with(':') {
            return Ok(ValidationResult::Valid(None));
        }
        Ok(match tessera_lang::parser::is_complete(input) {
            Ok(false) => ValidationResult::Incomplete,
            _ => ValidationResult::Valid(None),
        })
    }
}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".tessera_history"))
}

/// Runs the REPL until Ctrl-D or `:quit`.
pub fn run() -> ExitCode {
    let mut editor = match rustyline::Editor::<Cell, rustyline::history::DefaultHistory>::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(1);
        }
    };
    editor.set_helper(Some(Cell));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    let mut session = Session::new();
    let interrupt = session.interrupt_handle();
    let _ = ctrlc::set_handler(move || interrupt.store(true, Ordering::Relaxed));
    println!("Tessera {} — :help for help, Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
    loop {
        match editor.readline("tessera> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if matches!(line.trim(), ":quit" | ":q" | ":exit") {
                    break;
                }
                match session.execute(&line, &mut StdSink) {
                    Ok(Some(v)) => println!("{}", display::plain(&v)),
                    Ok(None) => {}
                    Err(e) => eprintln!("{}", e.render(&line)),
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    ExitCode::SUCCESS
}
