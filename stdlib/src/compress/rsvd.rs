//! Truncated and randomized singular value decompositions.

use crate::dense::{gemm, Svd};
use crate::error::{Error, Result};
use crate::Matrix;
use faer::{Accum, Mat, MatRef};

/// Errors unless `0 ≤ r ≤ min(m, n)`.
pub(crate) fn check_rank(op: &'static str, a: &Matrix, r: usize) -> Result<()> {
    let k = a.rows().min(a.cols());
    if r > k {
        return Err(Error::invalid(op, format!("rank {r} is larger than min(m, n) = {k} of a {} matrix", a.shape())));
    }
    Ok(())
}

/// The first `r` singular triplets of a thin SVD.
fn truncate(svd: Svd, r: usize) -> Svd {
    let cols = |m: &Matrix| Matrix::from_faer(m.as_faer().subcols(0, r).to_owned());
    Svd { u: cols(&svd.u), s: svd.s[..r].to_vec(), v: cols(&svd.v) }
}

/// The rank-`r` truncated SVD `U_r Σ_r V_rᵀ`, the best rank-`r`
/// approximation in every unitarily invariant norm (Eckart–Young). Cost: one
/// thin SVD, `O(mn·min(m, n))`. Errors unless `r ≤ min(m, n)`, and on NaN or
/// infinite entries.
pub fn truncated_svd(op: &'static str, a: &Matrix, r: usize) -> Result<Svd> {
    check_rank(op, a, r)?;
    Ok(truncate(a.svd()?, r))
}

/// Randomized SVD (Halko, Martinsson and Tropp, "Finding structure with
/// randomness", SIAM Review 53 (2011), Algorithms 4.4 and 5.1): with the
/// Gaussian test matrix `Ω` (`n×l`, `l ≥ r`), `Q = orth(A Ω)`, then `iters`
/// power iterations `Q ← orth(A orth(Aᵀ Q))`, then the SVD of the small
/// `B = Qᵀ A = Û Σ Vᵀ`, and `U = Q Û`; the first `r` triplets are returned.
/// torch's `svd_lowrank(A, q=l, niter=iters)` is the same algorithm.
///
/// Cost: `O(mnl)` per pass over `A` (`2·iters + 2` passes) plus `O((m + n)l²)`
/// for the QRs and the small SVD. Errors unless `r ≤ l ≤ min(m, n)` and
/// `rows(Ω) = cols(A)`, and on NaN or infinite entries.
pub fn rsvd(a: &Matrix, r: usize, omega: &Matrix, iters: usize) -> Result<Svd> {
    check_rank("rsvd", a, r)?;
    a.require_finite("rsvd")?;
    if omega.rows() != a.cols() || omega.cols() < r || omega.cols() > a.rows().min(a.cols()) {
        return Err(Error::shapes("rsvd", a.shape(), omega.shape(), "Ω must be n×l with r ≤ l ≤ min(m, n)"));
    }
    if r == 0 {
        return Ok(Svd { u: Matrix::zeros(a.rows(), 0), s: vec![], v: Matrix::zeros(a.cols(), 0) });
    }
    let orth = |y: Matrix| -> Result<Matrix> { Ok(y.qr()?.q) };
    let (a, omega) = (a.as_faer(), omega.as_faer());
    let mut q = orth(product(a, omega))?;
    for _ in 0..iters {
        let z = orth(product(a.transpose(), q.as_faer()))?;
        q = orth(product(a, z.as_faer()))?;
    }
    let small = product(q.as_faer().transpose(), a).svd()?;
    Ok(truncate(Svd { u: product(q.as_faer(), small.u.as_faer()), s: small.s, v: small.v }, r))
}

/// `A·B` on faer's GEMM, reading a transposed view in place (`Aᵀ Q` makes
/// no transposed copy of `A`). The shapes are the caller's to match.
fn product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Matrix {
    let mut out = Mat::zeros(a.nrows(), b.ncols());
    gemm(out.as_mut(), Accum::Replace, a, b);
    Matrix::from_faer(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    /// An `m×n` matrix with singular values `σ` and random singular vectors.
    fn with_spectrum(rng: &mut Rng, m: usize, n: usize, sigma: &[f64]) -> Matrix {
        let u = rng.randn(m, sigma.len()).qr().unwrap().q;
        let v = rng.randn(n, sigma.len()).qr().unwrap().q;
        let us = Matrix::from_fn(m, sigma.len(), |i, j| u.at(i, j) * sigma[j]);
        us.matmul(&v.transpose()).unwrap()
    }

    #[test]
    fn an_exactly_low_rank_matrix_is_recovered() {
        let mut rng = Rng::seeded(1);
        let a = with_spectrum(&mut rng, 60, 40, &[5.0, 3.0, 2.0, 1.0]);
        let omega = rng.randn(40, 6);
        let d = rsvd(&a, 4, &omega, 0).unwrap();
        for (s, t) in d.s.iter().zip([5.0, 3.0, 2.0, 1.0]) {
            assert!((s - t).abs() < 1e-12, "{:?}", d.s);
        }
        let us = Matrix::from_fn(60, 4, |i, j| d.u.at(i, j) * d.s[j]);
        let back = us.matmul(&d.v.transpose()).unwrap();
        assert!(back.sub(&a).unwrap().norm_fro() < 1e-12 * a.norm_fro());
    }

    #[test]
    fn power_iterations_approach_the_truncated_svd() {
        let mut rng = Rng::seeded(2);
        let sigma: Vec<f64> = (0..30).map(|k| 0.8f64.powi(k)).collect();
        let a = with_spectrum(&mut rng, 80, 50, &sigma);
        let exact = truncated_svd("rsvd", &a, 5).unwrap();
        let omega = rng.randn(50, 15);
        let err = |iters| {
            let d = rsvd(&a, 5, &omega, iters).unwrap();
            d.s.iter().zip(&exact.s).map(|(s, t)| (s - t).abs()).fold(0.0, f64::max)
        };
        assert!(err(2) < 1e-6 && err(2) <= err(0), "{} {}", err(0), err(2));
    }

    #[test]
    fn a_rank_above_min_m_n_is_an_error() {
        let a = Matrix::zeros(3, 5);
        let e = rsvd(&a, 4, &Matrix::zeros(5, 4), 2).unwrap_err().to_string();
        assert_eq!(e, "rsvd: rank 4 is larger than min(m, n) = 3 of a 3×5 matrix");
    }
}
