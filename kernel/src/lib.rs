//! # tessera-kernel — the Jupyter kernel
//!
//! The Jupyter messaging protocol, knowing nothing of the language: it drives
//! anything that implements [`Interpreter`], as xeus drives its interpreters.
//!
//! - [`wire`]: the wire format, HMAC-SHA256 signing and verification;
//! - [`interpreter`]: the interface a language implements;
//! - [`core`]: routing, busy/idle, execution counts and history.
//!
//! Not built yet (issue 4): the ZeroMQ transport, the `tessera kernel` command
//! and the kernelspec install.

pub mod core;
pub mod interpreter;
pub mod transport;
pub mod wire;

pub use crate::core::{Action, Channels, Core};
pub use interpreter::{Completeness, Completion, ErrorInfo, Interpreter, LanguageInfo, MimeBundle, Output, Stream};
