//! Compression and adaptation of weight matrices (`out × in`, as PyTorch and
//! safetensors store them): quantization, low-rank adapters and corrections,
//! and Kronecker fitting. Each result that is a structure is an
//! [`Operator`](crate::Operator): quantized, quantized plus low-rank, dense
//! plus low-rank, or a sum of Kronecker products.

mod adapters;
pub mod codebook;
mod kronecker;
mod quantize;
mod rsvd;

pub use adapters::{fwsvd, lora, lora_init, lorc, pissa, Adapter};
pub use kronecker::nearest_kron;
pub use quantize::{Quantized, QuantizedParts, Scheme, SCHEMES};
pub use rsvd::{rsvd, truncated_svd};
