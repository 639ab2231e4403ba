//! Covariance estimators. Rows of `X` are observations, columns variables.
//!
//! - [`cov`]: `(X − x̄)ᵀ(X − x̄)/(n − 1)` (numpy's `np.cov(X, rowvar=False)`);
//! - [`scm`]: the same with `1/n` (scikit-learn's `empirical_covariance`,
//!   pyriemann's `"scm"`);
//! - [`ledoit_wolf`], [`oas`]: `(1 − α) S + α μ I` with `S` the SCM,
//!   `μ = tr S / p` and the shrinkage `α` of scikit-learn (Ledoit and Wolf,
//!   "A well-conditioned estimator for large-dimensional covariance
//!   matrices", 2004; Chen et al., "Shrinkage algorithms for MMSE covariance
//!   estimation", 2010);
//! - [`augment`]: the delay embedding of the augmented covariance matrix
//!   (Carrara and Papadopoulo, "Classification of BCI-EEG based on augmented
//!   covariance matrix", 2023), as MOABB's AugmentedDataset builds it.

use crate::dense::gemm;
use crate::error::{Error, Result};
use crate::Matrix;
use faer::{Accum, Mat};

/// Column means, after checking the shape and that every entry is finite.
fn means(x: &Matrix, op: &'static str, min_rows: usize) -> Result<Vec<f64>> {
    if x.rows() < min_rows {
        return Err(Error::invalid(op, format!("needs at least {min_rows} observations (rows), got {}", x.rows())));
    }
    let n = x.rows() as f64;
    let sums: Vec<f64> = (0..x.cols()).map(|j| x.as_faer().col(j).sum()).collect();
    if sums.iter().any(|s| !s.is_finite()) {
        x.require_finite(op)?; // names the problem precisely (or the sum merely overflowed)
    }
    Ok(sums.into_iter().map(|s| s / n).collect())
}

/// Rows centred per block in a buffer that stays in cache.
const BLOCK_ROWS: usize = 2048;

/// `(X − x̄)ᵀ(X − x̄) / divisor`, symmetrised exactly: each thread takes a
/// range of rows and accumulates the Gram matrix of its rows, centred a
/// block at a time, so `X − x̄` is never formed (`2np²` flops).
fn centred_gram(x: &Matrix, mean: &[f64], divisor: f64) -> Matrix {
    use rayon::prelude::*;
    let (n, p) = (x.rows(), x.cols());
    let threads = if n * p * p > 1 << 22 { rayon::current_num_threads().max(1) } else { 1 };
    let share = n.div_ceil(threads).max(1);
    let partial = |start: usize| {
        let end = (start + share).min(n);
        let mut g = Mat::<f64>::zeros(p, p);
        let mut block = Mat::<f64>::zeros(BLOCK_ROWS.min(end - start), p);
        for first in (start..end).step_by(BLOCK_ROWS) {
            let rows = BLOCK_ROWS.min(end - first);
            let src = x.as_faer().subrows(first, rows);
            for (j, m) in mean.iter().enumerate() {
                let (from, to) = (src.col(j), block.as_mut().col_mut(j));
                for (t, f) in to.iter_mut().zip(from.iter()) {
                    *t = f - m;
                }
            }
            let b = block.as_ref().subrows(0, rows);
            faer::linalg::matmul::matmul(g.as_mut(), Accum::Add, b.transpose(), b, 1.0, faer::Par::Seq);
        }
        g
    };
    let g = (0..n)
        .step_by(share)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(partial)
        .reduce(|| Mat::zeros(p, p), |a, b| a + b);
    Matrix::from_fn(p, p, |i, j| 0.5 * (g[(i, j)] + g[(j, i)]) / divisor)
}

/// `X − x̄`, formed (for the estimators that need more than the Gram matrix).
fn centred(x: &Matrix, mean: &[f64]) -> Matrix {
    Matrix::from_fn(x.rows(), x.cols(), |i, j| x.at(i, j) - mean[j])
}

/// The unbiased sample covariance, `n − 1` in the denominator (`2np²` flops).
pub fn cov(x: &Matrix) -> Result<Matrix> {
    let mean = means(x, "cov", 2)?;
    Ok(centred_gram(x, &mean, (x.rows() - 1) as f64))
}

/// The sample covariance matrix with `1/n` (centred).
pub fn scm(x: &Matrix) -> Result<Matrix> {
    let mean = means(x, "scm", 1)?;
    Ok(centred_gram(x, &mean, x.rows() as f64))
}

/// `(1 − α) S + α μ I`.
fn shrink(s: &Matrix, alpha: f64) -> Matrix {
    let p = s.rows();
    let mu = s.trace().expect("square") / p as f64;
    Matrix::from_fn(p, p, |i, j| (1.0 - alpha) * s.at(i, j) + if i == j { alpha * mu } else { 0.0 })
}

/// Ledoit–Wolf shrinkage: the estimate and its shrinkage `α` (scikit-learn's `ledoit_wolf`).
pub fn ledoit_wolf(x: &Matrix) -> Result<(Matrix, f64)> {
    let mean = means(x, "ledoit_wolf", 1)?;
    let xc = centred(x, &mean);
    let (n, p) = (x.rows() as f64, x.cols());
    let s = centred_gram(x, &mean, n);
    if p == 1 {
        return Ok((s, 0.0));
    }
    let x2 = xc.map(|v| v * v);
    let x2_col_sums: Vec<f64> = (0..p).map(|j| x2.as_faer().col(j).sum()).collect();
    let mu = x2_col_sums.iter().sum::<f64>() / n / p as f64;
    // β′ = Σᵢⱼ (X2ᵀ X2)ᵢⱼ with X2 = Xc∘Xc.
    let beta_sum = {
        let mut g = Mat::zeros(p, p);
        gemm(g.as_mut(), Accum::Replace, x2.as_faer().transpose(), x2.as_faer());
        g.sum()
    };
    // XcᵀXc = n S, so δ′ = Σ (n Sᵢⱼ)² / n² = Σ Sᵢⱼ².
    let delta_ = s.map(|v| v * v).sum();
    let beta = (beta_sum / n - delta_) / (p as f64 * n);
    let delta = (delta_ - 2.0 * mu * x2_col_sums.iter().sum::<f64>() / n + p as f64 * mu * mu) / p as f64;
    let beta = beta.min(delta);
    let alpha = if beta == 0.0 { 0.0 } else { beta / delta };
    Ok((shrink(&s, alpha), alpha))
}

/// Oracle approximating shrinkage: the estimate and its shrinkage `α` (scikit-learn's `oas`).
pub fn oas(x: &Matrix) -> Result<(Matrix, f64)> {
    let mean = means(x, "oas", 1)?;
    let (n, p) = (x.rows() as f64, x.cols() as f64);
    let s = centred_gram(x, &mean, n);
    if x.cols() == 1 {
        return Ok((s, 0.0));
    }
    let alpha_mean = s.map(|v| v * v).sum() / (p * p);
    let mu = s.trace()? / p;
    let num = alpha_mean + mu * mu;
    let den = (n + 1.0) * (alpha_mean - mu * mu / p);
    let alpha = if den == 0.0 { 1.0 } else { (num / den).min(1.0) };
    Ok((shrink(&s, alpha), alpha))
}

/// The delay embedding: the row windows `X[p·lag : T − (order − p)·lag, :]`
/// for `p = 0 … order−1`, side by side: `(T − order·lag) × (C·order)`.
pub fn augment(x: &Matrix, order: usize, lag: usize) -> Result<Matrix> {
    let t = x.rows();
    if order == 0 || lag == 0 {
        return Err(Error::invalid("augment", format!("order and lag must be positive, got {order} and {lag}")));
    }
    let span = order
        .checked_mul(lag)
        .filter(|&s| s < t)
        .ok_or_else(|| Error::invalid("augment", format!("order·lag = {}·{} leaves no rows of {t}", order, lag)))?;
    let rows = t - span;
    let c = x.cols();
    Ok(Matrix::from_fn(rows, c * order, |i, j| x.at((j / c) * lag + i, j % c)))
}
