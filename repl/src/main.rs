//! The `tessera` binary: terminal REPL, `run`, `-e`, `kernel`, `kernel install`
//! (see `shared/SPEC.md`). The language and the REPL arrive with issue 3; until
//! then the binary says so and exits with the usage status.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "tessera {}: the language, the REPL and the Jupyter kernel are not built yet; \
         this release contains the standard library (`cargo doc -p tessera-stdlib --open`).",
        env!("CARGO_PKG_VERSION")
    );
    ExitCode::from(2)
}
