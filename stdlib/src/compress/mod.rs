//! Compression and adaptation of weight matrices (`out × in`, as PyTorch and
//! safetensors store them): quantization, low-rank adapters and corrections,
//! and Kronecker fitting. Each result that is a structure is an
//! [`Operator`](crate::Operator): quantized, quantized plus low-rank, dense
//! plus low-rank, or a sum of Kronecker products.

mod adapters;
mod budget;
pub mod codebook;
mod eva;
mod kronecker;
mod lqlora;
mod quantize;
mod rsvd;
mod salt;

pub use adapters::{fwsvd, lora, lora_init, lorc, pissa, Adapter};
pub use budget::{allocate, grid, lqlora_budget, Allocation, Config};
pub use eva::{eva, eva_ranks, Eva};
pub use kronecker::{nearest_kron, phm};
pub use lqlora::{lqlora, LqLora, Quantizer};
#[cfg(feature = "gpu")]
pub(crate) use quantize::Rounding;
pub use quantize::{Quantized, QuantizedParts, ScaleDtype, ScaleQuant, Scheme, SCALE_DTYPES, SCHEMES};
pub use rsvd::{rsvd, truncated_svd};
pub use salt::{salt, salt_weight, Salt};

use crate::error::{Error, Result};
use crate::{Matrix, Operator};

/// Errors unless the Fisher information `f` of `w` has its shape and finite,
/// non-negative entries: the check of `fwsvd`, `lqlora` and `lqlora_budget`.
pub(crate) fn check_fisher(op: &'static str, w: &Matrix, f: &Matrix) -> Result<()> {
    if f.shape() != w.shape() {
        return Err(Error::shapes(op, w.shape(), f.shape(), "the Fisher information must have W's shape"));
    }
    if !f.is_finite() || f.as_faer().col_iter().any(|c| c.iter().any(|&x| x < 0.0)) {
        return Err(Error::invalid(op, "the Fisher information must be finite and non-negative"));
    }
    Ok(())
}

/// Bits per entry of `op` (its total bits over `rows·cols`): a quantized part
/// counts its codes and f32 scales ([`Quantized::bits`]), and every other
/// stored number counts `float_bits` (16 for bf16 weights). A sum such as
/// LoRC's `Q + U Vᵀ` adds its terms' bits. An empty operator gives 0.
pub fn bits(op: &Operator, float_bits: f64) -> f64 {
    let crate::Shape(m, n) = op.shape();
    match m as f64 * n as f64 {
        0.0 => 0.0,
        entries => total_bits(op, float_bits) / entries,
    }
}

fn total_bits(op: &Operator, float_bits: f64) -> f64 {
    let parts = |xs: &[Operator]| xs.iter().map(|x| total_bits(x, float_bits)).sum();
    match op {
        Operator::Quantized(q) => {
            let crate::Shape(m, n) = q.shape();
            q.bits() * m as f64 * n as f64
        }
        Operator::Kronecker(xs) | Operator::BlockDiagonal(xs) | Operator::Sum(xs) | Operator::Product(xs) => parts(xs),
        Operator::KroneckerSum(a, b) => total_bits(a, float_bits) + total_bits(b, float_bits),
        Operator::Scaled(_, a) => float_bits + total_bits(a, float_bits),
        Operator::Transposed(a) => total_bits(a, float_bits),
        other => other.storage() as f64 * float_bits,
    }
}
