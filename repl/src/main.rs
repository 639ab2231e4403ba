//! The `tessera` binary: the terminal REPL, `tessera run FILE`, and
//! `tessera -e CODE` (see `shared/SPEC.md`).
//!
//! Exit status: 0 success, 1 an evaluation or parse error, 2 bad usage.

mod repl;

use std::process::ExitCode;
use tessera_lang::{display, Session, StdSink};

const USAGE: &str = "usage: tessera                 start the interactive REPL
       tessera run FILE.tsr    run a script (output is what it prints)
       tessera -e 'CODE'       evaluate CODE and show its value";

/// Deep recursion in user code needs a deep native stack.
const STACK_BYTES: usize = 256 << 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker = std::thread::Builder::new().stack_size(STACK_BYTES).spawn(move || dispatch(&args));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal failure (please report it)");
            ExitCode::from(1)
        }
    }
}

fn dispatch(args: &[String]) -> ExitCode {
    match args {
        [] => repl::run(),
        [flag, code] if flag == "-e" => evaluate(code, true),
        [cmd, file] if cmd == "run" => match std::fs::read_to_string(file) {
            Ok(code) => evaluate(&code, false),
            Err(e) => {
                eprintln!("error: cannot read {file}: {e}");
                ExitCode::from(2)
            }
        },
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Runs `code` as one cell; shows the final value when `show` (as `-e` does).
fn evaluate(code: &str, show: bool) -> ExitCode {
    let mut session = Session::new();
    let interrupt = session.interrupt_handle();
    let _ = ctrlc::set_handler(move || interrupt.store(true, std::sync::atomic::Ordering::Relaxed));
    match session.execute(code, &mut StdSink) {
        Ok(value) => {
            if let (true, Some(v)) = (show, value) {
                println!("{}", display::plain(&v));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.render(code));
            ExitCode::from(1)
        }
    }
}
