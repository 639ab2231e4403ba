//! Low-rank adapters and low-rank corrections of a weight `W` (`out × in`).

use super::quantize::Quantized;
use super::rsvd::truncated_svd;
use crate::dense::Svd;
use crate::error::{Error, Result};
use crate::ops::Operator;
use crate::random::Rng;
use crate::Matrix;

/// `U diag(√σ)` or `V diag(√σ)`: a factor of `U Σ Vᵀ` split evenly.
fn times_sqrt(m: &Matrix, s: &[f64]) -> Matrix {
    Matrix::from_fn(m.rows(), s.len(), |i, j| m.at(i, j) * s[j].sqrt())
}

/// A LoRA pair and the base it is added to: `W = residual + B A`.
#[derive(Debug, Clone)]
pub struct Adapter {
    /// `A`, `r × in`.
    pub a: Matrix,
    /// `B`, `out × r`.
    pub b: Matrix,
    /// The frozen base, `out × in`.
    pub residual: Matrix,
}

/// PiSSA (Meng, Wang and Zhang, "PiSSA: Principal Singular Values and
/// Singular Vectors Adaptation of Large Language Models", NeurIPS 2024), as
/// PEFT's `pissa_init` with scale 1: from the top `r` singular triplets
/// `U_r Σ_r V_rᵀ` of `W`, `A = diag(√σ) V_rᵀ`, `B = U_r diag(√σ)` and
/// `residual = W − B A`. With the exact truncated SVD,
/// `‖residual‖²_F = Σ_{i>r} σᵢ²` (Eckart–Young). Cost `O(out·in·r)` after the SVD.
/// Errors unless `top` has `W`'s shape.
pub fn pissa(w: &Matrix, top: &Svd) -> Result<Adapter> {
    if top.u.rows() != w.rows() || top.v.rows() != w.cols() {
        return Err(Error::shapes("pissa", w.shape(), top.u.shape(), "the SVD must be of W"));
    }
    let b = times_sqrt(&top.u, &top.s);
    let a = times_sqrt(&top.v, &top.s).transpose();
    let residual = w.sub(&b.matmul(&a)?)?;
    Ok(Adapter { a, b, residual })
}

/// A fresh LoRA pair for an `out × in` weight (Hu et al., "LoRA: Low-Rank
/// Adaptation of Large Language Models", ICLR 2022), initialised as PEFT's
/// default: `A` (`r × in`) Kaiming-uniform with `a = √5`, i.e. uniform on
/// `±1/√in`, and `B` (`out × r`) zeros, so `W + s·B A = W` at the start.
pub fn lora_init(out: usize, input: usize, r: usize, rng: &mut Rng) -> (Matrix, Matrix) {
    let bound = 1.0 / (input.max(1) as f64).sqrt();
    let a = rng.rand(r, input).map(|u| (2.0 * u - 1.0) * bound);
    (a, Matrix::zeros(out, r))
}

/// The LoRA operator `W + s·B A` (dense plus scaled low-rank), never formed.
/// Errors unless `B` is `out × r` and `A` is `r × in` for `W` `out × in`.
pub fn lora(w: Matrix, a: &Matrix, b: &Matrix, scale: f64) -> Result<Operator> {
    if b.rows() != w.rows() || a.cols() != w.cols() || a.rows() != b.cols() {
        return Err(Error::shapes("lora", b.shape(), a.shape(), "B must be out×r and A r×in for an out×in W"));
    }
    let update = Operator::scaled(scale, Operator::lowrank(b.clone(), a.transpose())?);
    Operator::sum(Operator::Dense(w), update)
}

/// ZeroQuant-V2's low-rank compensation (Yao et al., "ZeroQuant-V2:
/// Exploring Post-training Quantization in LLMs from Comprehensive Study to
/// Low Rank Compensation", 2023): with the quantization `Q` of `W` and the
/// truncated SVD of the error `E = W − Q = U Σ Vᵀ`, the operator
/// `Q + Û V̂`, `Û = U_r Σ_r^{½}`, `V̂ = Σ_r^{½} V_rᵀ`; its error² is
/// `Σ_{k>r} σ_k(E)²`. The factors stay in full precision (the paper can
/// quantize them too). Cost: one SVD of `E`.
pub fn lorc(w: &Matrix, q: Quantized, r: usize) -> Result<Operator> {
    let error = w.sub(&q.dequantize())?;
    let top = truncated_svd("lorc", &error, r)?;
    let correction = Operator::lowrank(times_sqrt(&top.u, &top.s), times_sqrt(&top.v, &top.s))?;
    Operator::sum(Operator::Quantized(Box::new(q)), correction)
}

/// Fisher-weighted SVD (Hsu et al., "Language model compression with
/// weighted low-rank factorization", ICLR 2022): with
/// `Î = diag(√Σ_j F_ij)` (row sums, `axis = 1`), the rank-`r` `Ŵ` minimising
/// `‖Î(W − Ŵ)‖_F` is `Î⁻¹ SVD_r(Î W)`. Writing `V_r` for the top right
/// singular vectors of `Î W`, this is `Ŵ = (W V_r) V_rᵀ`, which also holds
/// where a row's Fisher sum is zero (any value is optimal there, and this
/// keeps the row's projection). `axis = 0` weights columns instead:
/// `‖(W − Ŵ) Î‖` with `Î = diag(√Σ_i F_ij)`. Cost: one SVD of `Î W`.
/// Errors unless `F` has `W`'s shape with finite, non-negative entries.
pub fn fwsvd(w: &Matrix, fisher: &Matrix, r: usize, axis: usize) -> Result<Operator> {
    super::check_fisher("fwsvd", w, fisher)?;
    match axis {
        1 => {
            let weight: Vec<f64> = (0..w.rows()).map(|i| fisher.as_faer().row(i).iter().sum::<f64>().sqrt()).collect();
            let weighted = Matrix::from_fn(w.rows(), w.cols(), |i, j| weight[i] * w.at(i, j));
            let v = truncated_svd("fwsvd", &weighted, r)?.v;
            Operator::lowrank(w.matmul(&v)?, v)
        }
        0 => Ok(fwsvd(&w.transpose(), &fisher.transpose(), r, 1)?.transpose()),
        _ => Err(Error::invalid("fwsvd", format!("axis must be 0 or 1, got {axis}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compress::Scheme;

    fn sum_sq(xs: &[f64]) -> f64 {
        xs.iter().map(|s| s * s).sum()
    }

    #[test]
    fn pissa_splits_w_and_leaves_the_dropped_spectrum() {
        let mut rng = Rng::seeded(6);
        let w = rng.randn(12, 9);
        let s = w.svdvals().unwrap();
        let p = pissa(&w, &truncated_svd("pissa", &w, 3).unwrap()).unwrap();
        assert_eq!((p.a.shape(), p.b.shape()), (crate::Shape(3, 9), crate::Shape(12, 3)));
        assert!(p.residual.add(&p.b.matmul(&p.a).unwrap()).unwrap().sub(&w).unwrap().norm_fro() < 1e-12);
        let r2 = p.residual.norm_fro().powi(2);
        assert!((r2 - sum_sq(&s[3..])).abs() < 1e-10 * r2);
    }

    #[test]
    fn lorc_leaves_the_dropped_spectrum_of_the_quantization_error() {
        let mut rng = Rng::seeded(7);
        let w = rng.randn(10, 16);
        let q = Quantized::new(&w, Scheme::NormalFloat { bits: 3 }, 16, false).unwrap();
        let e = w.sub(&q.dequantize()).unwrap().svdvals().unwrap();
        let op = lorc(&w, q, 4).unwrap();
        let err2 = w.sub(&op.dense()).unwrap().norm_fro().powi(2);
        assert!((err2 - sum_sq(&e[4..])).abs() < 1e-10 * err2);
    }

    #[test]
    fn fwsvd_with_a_constant_fisher_is_the_truncated_svd_and_minimises_the_weighted_error() {
        let mut rng = Rng::seeded(8);
        let w = rng.randn(8, 6);
        let plain = truncated_svd("fwsvd", &w, 2).unwrap();
        let best = Matrix::from_fn(8, 2, |i, j| plain.u.at(i, j) * plain.s[j]).matmul(&plain.v.transpose()).unwrap();
        for axis in [0, 1] {
            let got = fwsvd(&w, &Matrix::filled(8, 6, 0.3), 2, axis).unwrap().dense();
            assert!(got.sub(&best).unwrap().norm_fro() < 1e-12, "axis {axis}");
        }
        let f = rng.rand(8, 6);
        let weight: Vec<f64> = (0..8).map(|i| (0..6).map(|j| f.at(i, j)).sum::<f64>().sqrt()).collect();
        let weighted = |m: &Matrix| Matrix::from_fn(8, 6, |i, j| weight[i] * m.at(i, j));
        let got = fwsvd(&w, &f, 2, 1).unwrap().dense();
        let err = weighted(&w.sub(&got).unwrap()).norm_fro();
        let s = weighted(&w).svdvals().unwrap();
        assert!((err * err - sum_sq(&s[2..])).abs() < 1e-10, "the Eckart–Young bound of Î W");
        assert!(err < weighted(&w.sub(&best).unwrap()).norm_fro());
        let mut zero_row = f.clone();
        (0..6).for_each(|j| zero_row.set(3, j, 0.0).unwrap());
        assert!(fwsvd(&w, &zero_row, 2, 1).unwrap().dense().is_finite());
        assert!(fwsvd(&w, &f.scale(-1.0), 2, 1).is_err());
    }

    #[test]
    fn lora_starts_at_w() {
        let mut rng = Rng::seeded(9);
        let w = rng.randn(5, 7);
        let (a, b) = lora_init(5, 7, 2, &mut rng);
        assert!(a.as_faer().col_iter().all(|c| c.iter().all(|x| x.abs() <= 1.0 / 7f64.sqrt())));
        let op = lora(w.clone(), &a, &b, 0.5).unwrap();
        assert_eq!(op.dense(), w);
        assert_eq!(op.storage(), 35 + 1 + 2 * 12);
    }
}
