//! Fitting sums of Kronecker products to a matrix.

use super::rsvd::truncated_svd;
use crate::error::{Error, Result};
use crate::ops::Operator;
use crate::random::Rng;
use crate::Matrix;

/// The nearest sum of `terms` Kronecker products `Σ_t A_t ⊗ B_t` to `W`
/// (`m × n`) in Frobenius norm, `A_t` `m1 × n1` and `B_t` `m2 × n2` with
/// `m = m1 m2`, `n = n1 n2` (Van Loan and Pitsianis, "Approximation with
/// Kronecker products", 1993). The rearrangement `R` (`m1 n1 × m2 n2`) has
/// row `i·n1 + j` equal to block `(i, j)` of `W` flattened row-major; it is
/// an isometry, so with `R`'s SVD `A_t = √σ_t u_t` and `B_t = √σ_t v_t`
/// (reshaped row-major) and the error² is `Σ_{t > terms} σ_t²`. A `W` that
/// is exactly `A ⊗ B` is recovered. Cost: one SVD of `R`,
/// `O(mn·min(m1 n1, m2 n2))`.
///
/// Errors unless `m1` divides `m`, `n1` divides `n`, and
/// `1 ≤ terms ≤ min(m1 n1, m2 n2)`.
pub fn nearest_kron(w: &Matrix, m1: usize, n1: usize, terms: usize) -> Result<Operator> {
    let (m, n) = (w.rows(), w.cols());
    if m1 == 0 || n1 == 0 || m % m1 != 0 || n % n1 != 0 || m1.checked_mul(n1).is_none() {
        return Err(Error::invalid(
            "nearest_kron",
            format!("the factor shape {m1}×{n1} must divide the {} matrix's shape", w.shape()),
        ));
    }
    let (m2, n2) = (m / m1, n / n1);
    let most = (m1 * n1).min(m2 * n2);
    if terms == 0 || terms > most {
        return Err(Error::invalid(
            "nearest_kron",
            format!("terms must be between 1 and {most} for {m1}×{n1} ⊗ {m2}×{n2} factors, got {terms}"),
        ));
    }
    let r = Matrix::tiled(m1 * n1, m2 * n2, |row, col| {
        let (i, j, k, l) = (row / n1, row % n1, col / n2, col % n2);
        w.at(i * m2 + k, j * n2 + l)
    });
    let top = truncated_svd("nearest_kron", &r, terms)?;
    let mut products = (0..terms).map(|t| {
        let root = top.s[t].sqrt();
        let a = Matrix::from_fn(m1, n1, |i, j| root * top.u.at(i * n1 + j, t));
        let b = Matrix::from_fn(m2, n2, |k, l| root * top.v.at(k * n2 + l, t));
        Operator::kron(vec![a.into(), b.into()])
    });
    let first = products.next().expect("at least one term")?;
    products.try_fold(first, |sum, t| Operator::sum(sum, t?))
}

/// A random parameterized-hypercomplex (PHM) layer, as Compacter's
/// `PHMLinear` (Karimi Mahabadi, Henderson and Ruder, "Compacter: Efficient
/// Low-Rank Hypercomplex Adapter Layers", NeurIPS 2021): the `rows × cols`
/// operator `Σ_{i=1}^{n} A_i ⊗ B_i` with `A_i` `n × n` and
/// `B_i = L_i R_iᵀ` low-rank, `L_i` `(rows/n) × rank` and `R_i`
/// `(cols/n) × rank` (in Compacter's `in × out` layout, `R_i` is
/// `W_left[i]` and `L_iᵀ` is `W_right[i]`).
/// Every factor is Glorot-uniform, `±√(6 / (fan_in + fan_out))`; Compacter
/// draws its rule matrices `A_i` from a small normal instead. It stores
/// `n³ + rank·(rows + cols)` numbers against `rows·cols`. Compacter's
/// `H` is `in × out` for `x H`; this is its transpose, `out × in`.
/// Errors unless `1 ≤ n ≤ min(rows, cols)` divides `rows` and `cols`,
/// `rank ≥ 1`, and the factors fit in memory.
pub fn phm(n: usize, rows: usize, cols: usize, rank: usize, rng: &mut Rng) -> Result<Operator> {
    if n == 0 || rank == 0 {
        return Err(Error::invalid("phm", format!("n and rank must be at least 1, got n = {n} and rank = {rank}")));
    }
    if rows % n != 0 || cols % n != 0 || n > rows.min(cols) {
        return Err(Error::invalid("phm", format!("n = {n} must divide rows = {rows} and cols = {cols}")));
    }
    let stored = (n as u128).pow(3) + (rank as u128).saturating_mul((rows + cols) as u128);
    crate::memory::check_buffer("phm", &format!("a PHM operator of {stored} numbers"), stored, 8)?;
    let mut glorot = |m: usize, k: usize| {
        let bound = (6.0 / (m + k).max(1) as f64).sqrt();
        rng.rand(m, k).map(|u| (2.0 * u - 1.0) * bound)
    };
    let mut terms = (0..n).map(|_| {
        let rule = glorot(n, n);
        let (left, right) = (glorot(rows / n, rank), glorot(cols / n, rank));
        Operator::kron(vec![rule.into(), Operator::lowrank(left, right)?])
    });
    let first = terms.next().expect("n ≥ 1 terms")?;
    terms.try_fold(first, |sum, t| Operator::sum(sum, t?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    #[test]
    fn a_kronecker_product_is_recovered_and_the_error_is_the_dropped_spectrum() {
        let mut rng = Rng::seeded(10);
        let (a, b) = (rng.randn(3, 2), rng.randn(4, 5));
        let w = Operator::kron(vec![a.into(), b.into()]).unwrap().dense();
        let fit = nearest_kron(&w, 3, 2, 1).unwrap();
        assert!(fit.dense().sub(&w).unwrap().norm_fro() < 1e-12 * w.norm_fro());
        let w = rng.randn(12, 10);
        let r = Matrix::tiled(6, 20, |row, col| w.at(row / 2 * 4 + col / 5, row % 2 * 5 + col % 5));
        let s = r.svdvals().unwrap();
        for terms in [1, 3, 6] {
            let err = nearest_kron(&w, 3, 2, terms).unwrap().dense().sub(&w).unwrap().norm_fro().powi(2);
            let dropped: f64 = s[terms..].iter().map(|x| x * x).sum();
            assert!((err - dropped).abs() < 1e-10 * w.norm_fro().powi(2), "{terms}: {err} {dropped}");
        }
        let e = nearest_kron(&w, 5, 2, 1).unwrap_err().to_string();
        assert_eq!(e, "nearest_kron: the factor shape 5×2 must divide the 12×10 matrix's shape");
        let e = nearest_kron(&w, 3, 2, 7).unwrap_err().to_string();
        assert_eq!(e, "nearest_kron: terms must be between 1 and 6 for 3×2 ⊗ 4×5 factors, got 7");
    }

    #[test]
    fn phm_is_a_sum_of_n_kronecker_products_with_low_rank_right_factors() {
        let op = phm(4, 8, 12, 1, &mut Rng::seeded(2)).unwrap();
        assert_eq!(op.shape(), crate::Shape(8, 12));
        assert_eq!(op.storage(), 4 * (16 + 2 + 3));
        assert!(op.structure().starts_with("sum of 4"), "{}", op.structure());
        let dense = op.dense();
        // Each term has rank-1 right factors, so the rearrangement of the sum has rank ≤ n.
        let fitted = nearest_kron(&dense, 4, 4, 4).unwrap().dense();
        assert!(fitted.sub(&dense).unwrap().norm_fro() < 1e-10 * dense.norm_fro());
        assert!(phm(3, 8, 12, 1, &mut Rng::seeded(2)).unwrap_err().to_string().contains("divide"));
    }
}
