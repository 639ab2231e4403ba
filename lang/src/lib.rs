//! # tessera-lang — the Tessera language (not yet built)
//!
//! This crate will hold the lexer, parser and AST with source spans, the
//! evaluator, the values, the builtin registry with help texts, and the
//! `Session` that the REPL, the script runner and the Jupyter kernel all drive
//! (see `shared/SPEC.md` and issue 3). It depends on the standard library
//! (`tessera`) and on nothing above it. It is empty until that issue lands.
