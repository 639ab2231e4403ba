//! The `tessera` binary: the terminal REPL, `tessera run FILE`, and
//! `tessera -e CODE` (see `shared/SPEC.md`).
//!
//! Exit status: 0 success, 1 an evaluation or parse error, 2 bad usage.

mod cell;
#[cfg(test)]
mod generated;
mod jupyter;
mod large_pages;
#[cfg(test)]
mod reference;
mod repl;
mod rust_cells;
mod terminal;
#[cfg(test)]
mod vocabulary;

use std::process::ExitCode;
use tessera_lang::session::Placement;
use tessera_lang::Session;

/// The usage text; the constructors `--device` places come from the registry.
fn usage() -> String {
    let placed = tessera_lang::builtins::and_list(tessera_lang::builtins::placed().map(|b| b.name));
    format!(
        "usage: tessera                 start the interactive REPL
       tessera run FILE.tsr    run a script (output is what it prints)
       tessera -e 'CODE'       evaluate CODE and show its value
       tessera kernel install [--user | --sys-prefix | --prefix DIR]
                               install the Jupyter kernelspec `tessera`
       tessera kernel --connection-file FILE
                               run the Jupyter kernel (what kernel.json calls)
       --device cpu|gpu        with run, -e or the REPL: where new matrices go
                               ({placed} place them)"
    )
}

#[global_allocator]
static ALLOCATOR: large_pages::LargePages = large_pages::LargePages;

/// Deep recursion in user code needs a deep native stack.
const STACK_BYTES: usize = 256 << 20;

fn main() -> ExitCode {
    // With Rust cells this binary is also evcxr's runtime: evcxr starts it
    // again as the child that runs cells (and wraps rustc), and this call
    // takes over in that case. It must come first.
    #[cfg(feature = "rust")]
    evcxr::runtime_hook();
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

/// `--device cpu|gpu` taken out of `args`: `Err` for a bad value.
fn device_flag(args: &[String]) -> Result<(Placement, Vec<String>), ()> {
    let mut rest = Vec::with_capacity(args.len());
    let mut device = Placement::Cpu;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--device" {
            device = match it.next().map(String::as_str) {
                Some("cpu") => Placement::Cpu,
                Some("gpu") => Placement::Gpu,
                _ => return Err(()),
            };
        } else {
            rest.push(a.clone());
        }
    }
    Ok((device, rest))
}

fn dispatch(args: &[String]) -> ExitCode {
    let Ok((device, args)) = device_flag(args) else {
        eprintln!("{}", usage());
        return ExitCode::from(2);
    };
    match args.as_slice() {
        [] => repl::run(device),
        [flag, code] if flag == "-e" => evaluate(code, true, device),
        [cmd, file] if cmd == "run" => match std::fs::read_to_string(file) {
            Ok(code) => evaluate(&code, false, device),
            Err(e) => {
                eprintln!("error: cannot read {file}: {e}");
                ExitCode::from(2)
            }
        },
        [cmd, sub, rest @ ..] if cmd == "kernel" && sub == "install" => install(rest),
        [cmd, flag, file] if cmd == "kernel" && flag == "--connection-file" => kernel(file),
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{}", usage());
            ExitCode::from(2)
        }
    }
}

/// Runs `code` as one cell (Tessera, or Rust with `:rust`/`%%rust`); shows
/// the final value when `show` (as `-e` does).
fn evaluate(code: &str, show: bool, device: Placement) -> ExitCode {
    let mut session = Session::new();
    if let Err(e) = session.set_device(device) {
        eprintln!("error: {}", e.message);
        return ExitCode::from(1);
    }
    let interrupt = session.interrupt_handle();
    let _ = ctrlc::set_handler(move || interrupt.store(true, std::sync::atomic::Ordering::Relaxed));
    let shown = match rust_cells::rust_code(code) {
        Some((offset, rust)) => rust_cells::RustCells::new()
            .run(&mut session, rust, offset, &mut terminal::Terminal)
            .map(|shown| shown.as_ref().and_then(rust_cells::plain_text).map(|text| text.to_string() + "\n")),
        None => session
            .execute(code, &mut terminal::Terminal)
            .map(|value| value.map(|v| terminal::render(&v, session.plot_mode()))),
    };
    match shown {
        Ok(text) => {
            if let (true, Some(text)) = (show, text) {
                use std::io::Write;
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.render(code));
            ExitCode::from(1)
        }
    }
}

/// `tessera kernel install [--user | --sys-prefix | --prefix DIR]`.
fn install(args: &[String]) -> ExitCode {
    let target = match args {
        [] => jupyter::InstallTarget::System,
        [flag] if flag == "--user" => jupyter::InstallTarget::User,
        [flag] if flag == "--sys-prefix" => jupyter::InstallTarget::SysPrefix,
        [flag, dir] if flag == "--prefix" => jupyter::InstallTarget::Prefix(dir.into()),
        _ => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    match jupyter::install(&target) {
        Ok(dir) => {
            println!("installed the Jupyter kernelspec tessera in {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `tessera kernel --connection-file FILE`: serves Jupyter until shut down.
fn kernel(file: &str) -> ExitCode {
    use tessera_kernel::Interpreter;
    let info = match tessera_kernel::transport::ConnectionInfo::read(std::path::Path::new(file)) {
        Ok(info) => info,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let interpreter = jupyter::Tessera::new();
    let interrupt = interpreter.interrupt_flag();
    let _ = ctrlc::set_handler(move || interrupt.store(true, std::sync::atomic::Ordering::Relaxed));
    match tessera_kernel::transport::serve(interpreter, info) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
