//! Monarch matrices (Dao et al., "Monarch: Expressive Structured Matrices for
//! Efficient and Accurate Training", ICML 2022).
//!
//! With `n = b·s`, index a vector by `(k, q)` ↦ `k·s + q`. A Monarch matrix is
//! `M = Pᵀ L P R`: `R` is block-diagonal with `b` blocks `R_k` of size `s×s`,
//! `P` is the "transpose" permutation taking `(k, q)` to position `q·b + k`,
//! and `L` is block-diagonal with `s` blocks `L_q` of size `b×b`. Entrywise,
//!
//! `M[(k′, q′), (k, q)] = L_{q′}[k′, k] · R_k[q′, q]`,
//!
//! so `M` stores `bs² + sb²` numbers and applies in `2n(b + s)` flops per
//! column, `O(n√n)` at `b = s = √n`.
//!
//! Projection: for fixed `(k, q′)` the entries above over `(k′, q)` form the
//! rank-one `b×s` matrix `L_{q′}[:, k] · R_k[q′, :]`, and these slices partition
//! the entries of `M`. The nearest Monarch matrix to a dense `W` in Frobenius
//! norm therefore takes the best rank-one approximation (leading singular
//! pair) of each slice of `W` independently (the paper's Theorem 1).

use super::Operator;
use crate::dense::gemm;
use crate::error::{Error, Result, Shape};
use crate::{Matrix, Rng};
use faer::{Accum, MatMut, MatRef};

/// A Monarch matrix `Pᵀ L P R` of size `n = nblocks · block_size`.
#[derive(Debug, Clone, PartialEq)]
pub struct Monarch {
    /// `R`'s blocks: `nblocks` matrices of size `block_size × block_size`.
    r: Vec<Matrix>,
    /// `L`'s blocks: `block_size` matrices of size `nblocks × nblocks`.
    l: Vec<Matrix>,
}

impl Monarch {
    /// Checks `n = nblocks · s` and returns `s`.
    fn block_size_for(op: &'static str, n: usize, nblocks: usize) -> Result<usize> {
        if nblocks == 0 || n % nblocks != 0 {
            return Err(Error::invalid(
                op,
                format!("the number of blocks ({nblocks}) must be positive and divide n = {n}"),
            ));
        }
        Ok(n / nblocks)
    }

    /// From its blocks: `r` holds `b` blocks `s×s`, `l` holds `s` blocks `b×b`.
    pub fn from_blocks(l: Vec<Matrix>, r: Vec<Matrix>) -> Result<Monarch> {
        let (b, s) = (r.len(), l.len());
        let bad = |m: &Matrix, want: usize| m.shape() != Shape(want, want);
        if let Some(m) = r.iter().find(|m| bad(m, s)) {
            return Err(Error::invalid("monarch", format!("R blocks must be {}, got {}", Shape(s, s), m.shape())));
        }
        if let Some(m) = l.iter().find(|m| bad(m, b)) {
            return Err(Error::invalid("monarch", format!("L blocks must be {}, got {}", Shape(b, b), m.shape())));
        }
        if b == 0 && s > 0 {
            return Err(Error::invalid("monarch", "needs at least one R block"));
        }
        Ok(Monarch { r, l })
    }

    /// A random `n×n` Monarch matrix with `nblocks` blocks in `R`: entries of
    /// `R_k` are `N(0, 1/s)` and of `L_q` are `N(0, 1/b)`, so `E‖Mx‖² = ‖x‖²`.
    pub fn random(n: usize, nblocks: usize, rng: &mut Rng) -> Result<Monarch> {
        let s = Monarch::block_size_for("monarch", n, nblocks)?;
        // b blocks of s×s and s of b×b: n·(s + b) numbers.
        let storage = n as u128 * (s as u128 + nblocks as u128);
        crate::memory::check_buffer("monarch", &format!("a {n}×{n} Monarch matrix ({storage} numbers)"), storage, 8)?;
        let r = (0..nblocks).map(|_| rng.randn(s, s).scale(1.0 / (s as f64).sqrt())).collect();
        let l = (0..s).map(|_| rng.randn(nblocks, nblocks).scale(1.0 / (nblocks as f64).sqrt())).collect();
        Ok(Monarch { r, l })
    }

    /// The Monarch matrix nearest to `W` in Frobenius norm: one leading
    /// singular pair per `b×s` slice (`n` small SVDs, `O(n · b · s · min(b, s))`).
    ///
    /// ```
    /// use tessera::prelude::*;
    /// let mut rng = Rng::seeded(1);
    /// let m = Operator::Monarch(Monarch::random(16, 4, &mut rng)?);
    /// // A Monarch matrix is its own projection.
    /// let p = Operator::Monarch(Monarch::project(&m.dense(), 4)?);
    /// assert!(p.dense().sub(&m.dense())?.norm_fro() < 1e-12);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn project(w: &Matrix, nblocks: usize) -> Result<Monarch> {
        let n = w.require_square("monarch_project")?;
        w.require_finite("monarch_project")?;
        let s = Monarch::block_size_for("monarch_project", n, nblocks)?;
        let b = nblocks;
        let storage = n as u128 * (s as u128 + b as u128);
        crate::memory::check_buffer("monarch_project", &format!("a Monarch matrix of {storage} numbers"), storage, 8)?;
        let mut r = vec![Matrix::zeros(s, s); b];
        let mut l = vec![Matrix::zeros(b, b); s];
        for (k, rk) in r.iter_mut().enumerate() {
            for (q2, lq) in l.iter_mut().enumerate() {
                let slice = Matrix::from_fn(b, s, |k2, q| w.at(k2 * s + q2, k * s + q));
                let svd = slice.svd()?;
                let root = svd.s[0].sqrt();
                for k2 in 0..b {
                    lq.set(k2, k, root * svd.u.at(k2, 0))?;
                }
                for q in 0..s {
                    rk.set(q2, q, root * svd.v.at(q, 0))?;
                }
            }
        }
        Ok(Monarch { r, l })
    }

    /// `n`.
    pub fn size(&self) -> usize {
        self.r.len() * self.l.len()
    }

    /// `b`, the number of blocks in `R`.
    pub fn nblocks(&self) -> usize {
        self.r.len()
    }

    /// `s = n / b`, the size of `R`'s blocks (and the number of `L`'s).
    pub fn block_size(&self) -> usize {
        self.l.len()
    }

    /// `b s² + s b²`.
    pub fn storage(&self) -> usize {
        let (b, s) = (self.nblocks(), self.block_size());
        b * s * s + s * b * b
    }

    /// `L`'s blocks.
    pub fn left_blocks(&self) -> &[Matrix] {
        &self.l
    }

    /// `R`'s blocks.
    pub fn right_blocks(&self) -> &[Matrix] {
        &self.r
    }

    /// `P` as an index vector: `(P x)[q·b + k] = x[k·s + q]`.
    pub fn permutation(&self) -> Vec<usize> {
        let (b, s) = (self.nblocks(), self.block_size());
        let mut p = vec![0; b * s];
        for k in 0..b {
            for q in 0..s {
                p[q * b + k] = k * s + q;
            }
        }
        p
    }

    /// `M` as the product `Pᵀ · L · P · R` of simpler operators, for the
    /// algorithms (determinant, inverse, solve) that follow products.
    pub fn as_product(&self) -> Operator {
        let dense_blocks = |bs: &[Matrix]| Operator::BlockDiagonal(bs.iter().cloned().map(Operator::Dense).collect());
        let p = Operator::Permutation(self.permutation());
        Operator::Product(vec![p.transpose(), dense_blocks(&self.l), p, dense_blocks(&self.r)])
    }

    /// `M X` or `Mᵀ X` (`X` has `n` rows), by two batches of block products.
    pub(crate) fn apply(&self, x: &Matrix, transposed: bool) -> Matrix {
        let (b, s, c) = (self.nblocks(), self.block_size(), x.cols());
        if c == 1 && !transposed {
            let y = self.apply_vector(x.as_faer().col(0).iter().copied().collect());
            return Matrix::col(&y);
        }
        let mut buf = x.to_row_major();
        let mut tmp = vec![0.0; buf.len()];
        if transposed {
            self.apply_left(&buf, &mut tmp, c, true);
            self.apply_right(&tmp, &mut buf, c, true);
            return Matrix::from_row_major(b * s, c, &buf).expect("n·c values");
        }
        self.apply_right(&buf, &mut tmp, c, false);
        self.apply_left(&tmp, &mut buf, c, false);
        Matrix::from_row_major(b * s, c, &buf).expect("n·c values")
    }

    /// `M x` for one vector, with the block products as contiguous column
    /// sweeps (`y += A[:, j] xⱼ`, which the compiler vectorises): for the small
    /// blocks of a Monarch matrix this beats one GEMM call per block.
    fn apply_vector(&self, x: Vec<f64>) -> Vec<f64> {
        let (b, s) = (self.nblocks(), self.block_size());
        let mut z = vec![0.0; b * s];
        batched_matvec(&self.r, &x, &mut z, s);
        // P z: regroup by q, so that L's blocks act on contiguous slices.
        let mut grouped = vec![0.0; b * s];
        for k in 0..b {
            for q in 0..s {
                grouped[q * b + k] = z[k * s + q];
            }
        }
        let mut w = vec![0.0; b * s];
        batched_matvec(&self.l, &grouped, &mut w, b);
        // Pᵀ w.
        for k in 0..b {
            for q in 0..s {
                z[k * s + q] = w[q * b + k];
            }
        }
        z
    }

    /// `out[k] = R_k · input[k]` on the row-major `(b, s, c)` tensor.
    fn apply_right(&self, input: &[f64], out: &mut [f64], c: usize, transposed: bool) {
        let s = self.block_size();
        if s == 0 || c == 0 {
            return;
        }
        for ((block, xi), yi) in self.r.iter().zip(input.chunks_exact(s * c)).zip(out.chunks_exact_mut(s * c)) {
            let a = if transposed { block.as_faer().transpose() } else { block.as_faer() };
            gemm(MatMut::from_row_major_slice_mut(yi, s, c), Accum::Replace, a, MatRef::from_row_major_slice(xi, s, c));
        }
    }

    /// `out[(·, q), :] = L_q · input[(·, q), :]`: the `b` rows with the same `q`
    /// are the `q`-th column group of the `b × (s·c)` row-major view.
    fn apply_left(&self, input: &[f64], out: &mut [f64], c: usize, transposed: bool) {
        let (b, s) = (self.nblocks(), self.block_size());
        if b == 0 || s == 0 || c == 0 {
            return;
        }
        let x = MatRef::from_row_major_slice(input, b, s * c);
        let mut y = MatMut::from_row_major_slice_mut(out, b, s * c);
        for (q, block) in self.l.iter().enumerate() {
            let a = if transposed { block.as_faer().transpose() } else { block.as_faer() };
            gemm(y.as_mut().subcols_mut(q * c, c), Accum::Replace, a, x.subcols(q * c, c));
        }
    }
}

/// Blocks stored above this many numbers are applied on all cores.
const PARALLEL_STORAGE: usize = 1 << 16;

/// `y[i] = blocks[i] · x[i]` over consecutive slices of length `size`, on
/// all cores when the blocks are large enough to pay for it.
fn batched_matvec(blocks: &[Matrix], x: &[f64], y: &mut [f64], size: usize) {
    if size == 0 {
        return;
    }
    let work = |((block, xi), yi): ((&Matrix, &[f64]), &mut [f64])| block_matvec(block, xi, yi);
    if blocks.len() * size * size > PARALLEL_STORAGE {
        use rayon::prelude::*;
        blocks.par_iter().zip(x.par_chunks_exact(size)).zip(y.par_chunks_exact_mut(size)).for_each(work);
    } else {
        blocks.iter().zip(x.chunks_exact(size)).zip(y.chunks_exact_mut(size)).for_each(work);
    }
}

/// `y = A x` for a small dense block, as a sweep over `A`'s contiguous columns.
fn block_matvec(a: &Matrix, x: &[f64], y: &mut [f64]) {
    y.fill(0.0);
    let a = a.as_faer();
    for (j, &xj) in x.iter().enumerate() {
        let column = a.col(j).try_as_col_major().expect("owned matrices have contiguous columns").as_slice();
        for (yi, aij) in y.iter_mut().zip(column) {
            *yi += aij * xj;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_the_transpose_of_a_b_by_s_grid() {
        let m = Monarch::random(6, 2, &mut Rng::seeded(1)).unwrap();
        // x = (k, q) for k < 2, q < 3 in row-major order; P x lists it column by column.
        assert_eq!(m.permutation(), vec![0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn entries_follow_the_formula() {
        let m = Monarch::random(12, 3, &mut Rng::seeded(2)).unwrap();
        let dense = Operator::Monarch(m.clone()).dense();
        let (b, s) = (m.nblocks(), m.block_size());
        for (k2, q2, k, q) in (0..b)
            .flat_map(|k2| (0..s).flat_map(move |q2| (0..b).flat_map(move |k| (0..s).map(move |q| (k2, q2, k, q)))))
        {
            let formula = m.left_blocks()[q2].at(k2, k) * m.right_blocks()[k].at(q2, q);
            assert!((dense.at(k2 * s + q2, k * s + q) - formula).abs() < 1e-15);
        }
    }

    #[test]
    fn blocks_of_the_wrong_size_are_refused() {
        assert!(Monarch::from_blocks(vec![Matrix::eye(2); 3], vec![Matrix::eye(3); 2]).is_ok());
        assert!(Monarch::from_blocks(vec![Matrix::eye(2); 3], vec![Matrix::eye(2); 2]).is_err());
        assert!(Monarch::from_blocks(vec![Matrix::eye(3); 3], vec![Matrix::eye(3); 2]).is_err());
    }
}
