//! `docs/reference.md`, generated from the builtin registry, the session
//! commands, the error kinds and the command line: the repository's own
//! reference. A test compares the file with what this writes, so CI fails
//! when it is stale; `TESSERA_BLESS=1 cargo test -p tessera-repl reference`
//! writes it anew (and every other generated file, [`crate::generated`]).

use tessera_lang::builtins::{self, Builtin, Device};
use tessera_lang::commands::COMMANDS;
use tessera_lang::ErrorKind;

/// What the GPU column says of a builtin.
fn gpu_column(b: &Builtin) -> &'static str {
    match b.device {
        Device::Cpu => "",
        Device::Gpu(_) => "runs on the gpu",
        Device::Any => "any device",
        Device::Placed => "placed by `:device gpu`",
    }
}

/// A text for a Markdown table cell: `|` escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The whole page.
pub fn page() -> String {
    let mut out = String::from(
        "# Tessera reference\n\n\
         Generated from the builtin registry by `repl/src/reference.rs`; do not edit by hand \
         (`TESSERA_BLESS=1 cargo test -p tessera-repl reference` writes it anew, and CI fails when it is stale). \
         The language itself is described in [language.md](language.md).\n\n",
    );
    out.push_str("## Builtins\n\n");
    out.push_str(
        "The GPU column: *runs on the gpu* builtins take gpu matrices and compute on the device; *any device* \
         ones take values wherever they live; *placed by `:device gpu`* constructors put their new matrices on \
         the GPU when `:device gpu` (or `--device gpu`) is set. Every other builtin runs on the cpu and asks for \
         `cpu(x)` when given a gpu value.\n\n",
    );
    for (topic, members) in builtins::groups() {
        out.push_str(&format!("### {topic}\n\n| builtin | what it gives | GPU |\n|---|---|---|\n"));
        for b in &members {
            out.push_str(&format!("| [`{}`](#{}) | {} | {} |\n", b.signature, b.name, cell(b.summary), gpu_column(b)));
        }
        out.push('\n');
        for b in members {
            out.push_str(&format!("#### {}\n\n`{}`: {}\n\n{}\n\n", b.name, b.signature, b.summary, b.help));
            if !b.keywords.is_empty() {
                let keywords: Vec<String> = b.keywords.iter().map(|k| format!("`{k}`")).collect();
                out.push_str(&format!("Keywords: {}.\n\n", keywords.join(", ")));
            }
            out.push_str(&format!("```tessera\n{}\n", b.example));
            for line in b.shows.lines() {
                out.push_str(&format!("# → {line}\n"));
            }
            out.push_str("```\n\n");
        }
    }
    out.push_str(
        "## Session commands\n\nThe same in the REPL and in notebook cells.\n\n| command | what it does |\n|---|---|\n",
    );
    for c in COMMANDS {
        out.push_str(&format!("| `{}` | {} |\n", c.usage, cell(c.summary)));
    }
    out.push_str(
        "\n## Errors\n\nEvery error names its kind (Jupyter's `ename`), says what went wrong in one sentence \
         (`evalue`), and points at its line and column (`traceback`, as the REPL prints it).\n\n| kind |\n|---|\n",
    );
    let mut names: Vec<&str> = ErrorKind::ALL.iter().map(ErrorKind::name).collect();
    names.dedup();
    for name in names {
        out.push_str(&format!("| `{name}` |\n"));
    }
    out.push_str(&format!(
        "\n## Command line\n\n```text\n{}\n```\n\n\
         ## Jupyter\n\n\
         The kernel speaks protocol {}: language `tessera`, MIME type `text/x-tessera`, files `.tsr`. A cell's value \
         is `execute_result` with `text/plain`; a matrix adds `text/html` and, up to 8×8, `text/latex`; an operator up to \
         16×16, and a tuple, list or record holding a matrix, add `text/html` (nested tables); a figure is \
         `display_data` with `image/svg+xml` and `image/png` (`:figure auto`: one of them, by size; `:plot text`: braille `text/plain`; \
         `:plot off`: its summary). `?name` and Shift-Tab page a builtin's help; `%%rust` cells run Rust through evcxr \
         ([rust.md](rust.md)).\n",
        crate::usage(),
        tessera_kernel::wire::PROTOCOL_VERSION,
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reference_is_current() {
        crate::generated::assert_current("docs/reference.md", &super::page());
    }
}
