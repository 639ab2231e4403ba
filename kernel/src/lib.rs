//! # tessera-kernel — the Jupyter kernel
//!
//! The Jupyter messaging protocol, knowing nothing of the language: it drives
//! anything that implements its interpreter interface, as xeus drives its
//! interpreters. Built so far: the wire format with HMAC-SHA256 signing and
//! verification ([`wire`]). The interpreter interface, the routing core and
//! the ZeroMQ transport come next (issue 4).

pub mod wire;
