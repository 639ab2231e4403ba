//! # tessera-kernel — the Jupyter kernel
//!
//! The Jupyter messaging protocol, knowing nothing of the language: it drives
//! anything that implements [`Interpreter`], as xeus drives its interpreters.
//!
//! - [`wire`]: the wire format, HMAC-SHA256 signing and verification;
//! - [`interpreter`]: the interface a language implements;
//! - [`core`]: routing, busy/idle, execution counts, history, and the panic
//!   boundary (a panicking interpreter gets an `InternalError` reply);
//! - [`transport`]: the five ZeroMQ sockets on an I/O thread, interrupts by
//!   message or SIGINT, and the exit when the parent process dies.
//!
//! The `tessera kernel` command and the kernelspec install are the binary's
//! (`repl/src/jupyter.rs`).

pub mod core;
pub mod interpreter;
pub mod transport;
pub mod wire;

pub use crate::core::{Action, Channels, Core};
pub use interpreter::{
    Completeness, Completion, ErrorInfo, Interpreter, LanguageInfo, Match, MimeBundle, Output, Stream,
};
