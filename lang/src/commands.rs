//! The session commands, listed: `:help [topic]`, `:vars`, `:time CODE`,
//! `:device`, `:plot`, `:save`, `:load`, `:clear`, `:rust`, `:quit`, for
//! help, completion and the reference. They work the same in the REPL and in
//! notebook cells; [`crate::session`] runs them (`:rust` and `:quit` are the
//! binary's).

use crate::builtins;

/// A session command: its name, usage and one-line description.
pub struct Command {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
}

/// Every command, for `:help` and completion. `:quit` is the REPL's.
pub const COMMANDS: &[Command] = &[
    Command { name: "help", usage: ":help [name]", summary: "this overview, or the help of a builtin" },
    Command { name: "vars", usage: ":vars", summary: "the variables: name, kind, shape, bytes" },
    Command { name: "time", usage: ":time CODE", summary: "runs CODE and reports how long it took" },
    Command {
        name: "device",
        usage: ":device [cpu|gpu]",
        summary: "where constructors place new matrices (`:device` names them)",
    },
    Command {
        name: "figure",
        usage: ":figure [both|auto|svg|png]",
        summary:
            "which images a figure is in Jupyter (both by default; auto: SVG up to 10⁴ points or cells, PNG beyond)",
    },
    Command {
        name: "plot",
        usage: ":plot [inline|text|off]",
        summary: "how figures are shown: images, text, or not at all",
    },
    Command {
        name: "format",
        usage: ":format [short|long]",
        summary: "matrix entries with six significant digits, or with every digit (see printopts)",
    },
    Command { name: "save", usage: ":save FILE", summary: "writes every variable to FILE, bit for bit" },
    Command { name: "load", usage: ":load FILE", summary: "reads the variables saved in FILE" },
    Command { name: "clear", usage: ":clear", summary: "removes every variable" },
    Command {
        name: "rust",
        usage: ":rust CODE",
        summary: "runs Rust with the stdlib and the session's matrices (%%rust in a notebook)",
    },
    Command { name: "quit", usage: ":quit", summary: "leaves the REPL (Ctrl-D too)" },
];

/// The overview `:help` shows.
pub fn overview() -> String {
    let mut out = String::from("Tessera: structured matrices, interactively.\n\nCommands:\n");
    for c in COMMANDS {
        out.push_str(&format!("  {:<14} {}\n", c.usage, c.summary));
    }
    out.push_str("\nBuiltins (?name or help(name) for one):\n");
    let names: Vec<&str> = builtins::names().collect();
    for chunk in names.chunks(8) {
        out.push_str(&format!("  {}\n", chunk.join(", ")));
    }
    out.push_str("\nConstants: pi, inf, nan, im");
    out
}
