//! # tessera-lang — the Tessera language
//!
//! The lexer, the parser (an AST whose nodes carry byte spans), the
//! evaluator, the values, the builtin registry with its help texts, and the
//! [`Session`] that the REPL, the script runner and the Jupyter kernel drive.
//!
//! ```
//! use tessera_lang::{Session, StdSink};
//! let mut s = Session::new();
//! let v = s.execute("A = [1, 2; 3, 4]; det(A)", &mut StdSink).unwrap().unwrap();
//! assert_eq!(tessera_lang::display::plain(&v), "-2");
//! ```

pub mod ast;
pub mod boundary;
pub mod builtins;
pub mod code;
pub mod commands;
pub mod complete;
pub mod context;
pub mod display;
pub mod env;
pub mod error;
pub mod eval;
pub mod gpu;
pub mod index;
pub mod lexer;
pub mod name;
pub mod ops;
pub mod parser;
pub mod scalar;
pub mod session;
pub mod span;
pub mod suggest;
pub mod value;
pub mod workspace;

pub use error::{ErrorKind, LangError};
pub use session::{Completeness, Figures, NullSink, Placement, PlotMode, Session, Sink, StdSink};
pub use span::Span;
pub use tessera::figure::Figure;
pub use value::Value;
