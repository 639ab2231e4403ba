//! # tessera-kernel — the Jupyter kernel (not yet built)
//!
//! This crate will hold the Jupyter messaging protocol over ZeroMQ: the
//! session interface it drives, the transport, and the core that owns routing,
//! busy/idle and execution counts (issue 4). It knows nothing of the language
//! beyond that interface. It is empty until that issue lands.
