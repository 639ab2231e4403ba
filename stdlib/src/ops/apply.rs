//! `A X` and `Aᵀ X` for every structure, never forming `A`.
//!
//! Kronecker products use the mode-product form of the vec-trick: with `X`'s
//! rows indexed row-major by `(i₁, …, i_k)`, `(A₁ ⊗ … ⊗ A_k) X` multiplies
//! each mode `j` by `A_j` in turn, so for `A ⊗ B` and one column,
//! `(A ⊗ B) vec(X) = vec(A X Bᵀ)`: two small products instead of one huge one.

use super::Operator;
use crate::dense::gemm;
use crate::Matrix;
use faer::{Accum, Mat, MatMut, MatRef};

impl Operator {
    /// `A X` (or `Aᵀ X`), shapes already checked.
    pub(crate) fn apply_unchecked(&self, x: &Matrix, transposed: bool) -> Matrix {
        let c = x.cols();
        match self {
            Operator::Dense(a) => {
                let a = if transposed { a.as_faer().transpose() } else { a.as_faer() };
                let mut out = Mat::zeros(a.nrows(), c);
                gemm(out.as_mut(), Accum::Replace, a, x.as_faer());
                Matrix::from_faer(out)
            }
            Operator::Diagonal(d) => Matrix::from_fn(d.len(), c, |i, j| d[i] * x.at(i, j)),
            Operator::Permutation(p) => {
                let p = if transposed { super::invert_permutation(p) } else { p.clone() };
                Matrix::from_fn(p.len(), c, |i, j| x.at(p[i], j))
            }
            Operator::Kronecker(factors) => {
                let mut dims: Vec<usize> = factors.iter().map(|f| oriented(f, transposed).1).collect();
                let mut buf = to_row_major(x);
                for (mode, f) in factors.iter().enumerate().rev() {
                    buf = mode_product(&buf, &dims, c, mode, f, transposed);
                    dims[mode] = oriented(f, transposed).0;
                }
                from_row_major(&buf, dims.iter().product(), c)
            }
            Operator::KroneckerSum(a, b) => {
                let dims = [a.shape().0, b.shape().0];
                let buf = to_row_major(x);
                let left = mode_product(&buf, &dims, c, 0, a, transposed);
                let right = mode_product(&buf, &dims, c, 1, b, transposed);
                let sum: Vec<f64> = left.iter().zip(&right).map(|(l, r)| l + r).collect();
                from_row_major(&sum, dims[0] * dims[1], c)
            }
            Operator::BlockDiagonal(blocks) => {
                let mut parts = Vec::with_capacity(blocks.len());
                let mut row = 0;
                for b in blocks {
                    let (m, n) = oriented(b, transposed);
                    let xb = Matrix::from_faer(x.as_faer().subrows(row, n).to_owned());
                    parts.push(b.apply_unchecked(&xb, transposed));
                    row += n;
                    debug_assert!(parts.last().map(Matrix::rows) == Some(m));
                }
                let refs: Vec<&Matrix> = parts.iter().collect();
                if refs.is_empty() {
                    Matrix::zeros(0, c)
                } else {
                    Matrix::vcat(&refs).expect("blocks applied to equal column counts")
                }
            }
            Operator::Monarch(m) => m.apply(x, transposed),
            // Q X = dequantize(Q) X: O(mn) to dequantize, then the dense product.
            Operator::Quantized(q) => Operator::Dense(q.dequantize()).apply_unchecked(x, transposed),
            Operator::LowRank { u, v } => {
                let (left, right) = if transposed { (v, u) } else { (u, v) };
                low_rank_apply(left, right, x, None)
            }
            Operator::DiagonalPlusLowRank { d, u, v } => {
                let (left, right) = if transposed { (v, u) } else { (u, v) };
                low_rank_apply(left, right, x, Some(d))
            }
            Operator::Scaled(s, a) => a.apply_unchecked(x, transposed).scale(*s),
            Operator::Sum(terms) => {
                let mut acc = terms[0].apply_unchecked(x, transposed).into_faer();
                for t in &terms[1..] {
                    acc += t.apply_unchecked(x, transposed).into_faer();
                }
                Matrix::from_faer(acc)
            }
            Operator::Product(factors) => {
                let apply = |y: Matrix, f: &Operator| f.apply_unchecked(&y, transposed);
                if transposed {
                    factors.iter().fold(x.clone(), apply)
                } else {
                    factors.iter().rev().fold(x.clone(), apply)
                }
            }
            Operator::Transposed(a) => a.apply_unchecked(x, !transposed),
        }
    }
}

/// `(rows, cols)` of `A` or `Aᵀ`.
fn oriented(a: &Operator, transposed: bool) -> (usize, usize) {
    let s = a.shape();
    if transposed {
        (s.1, s.0)
    } else {
        (s.0, s.1)
    }
}

/// `left (rightᵀ X)` plus `diag(d) X` when `d` is given: `O((m + n) k c)`.
fn low_rank_apply(left: &Matrix, right: &Matrix, x: &Matrix, d: Option<&Vec<f64>>) -> Matrix {
    let mut inner = Mat::zeros(right.cols(), x.cols());
    gemm(inner.as_mut(), Accum::Replace, right.as_faer().transpose(), x.as_faer());
    let mut out = match d {
        Some(d) => Mat::from_fn(d.len(), x.cols(), |i, j| d[i] * x.at(i, j)),
        None => Mat::zeros(left.rows(), x.cols()),
    };
    gemm(out.as_mut(), Accum::Add, left.as_faer(), inner.as_ref());
    Matrix::from_faer(out)
}

/// The entries of `X` in row-major order.
fn to_row_major(x: &Matrix) -> Vec<f64> {
    if x.cols() == 1 {
        return x.as_faer().col(0).iter().copied().collect();
    }
    x.to_row_major()
}

/// An `m×c` matrix from row-major entries.
fn from_row_major(buf: &[f64], m: usize, c: usize) -> Matrix {
    Matrix::from_faer(MatRef::from_row_major_slice(buf, m, c).to_owned())
}

/// Multiplies mode `mode` of the row-major tensor `buf` (dimensions `dims`,
/// then `c` columns) by `f` (or `fᵀ`): viewing `buf` as `(pre, n, post)`, each
/// `n × post` slab becomes `f · slab`. When `post = 1` the slabs are the
/// columns of one `n × pre` column-major matrix, and one product does them all.
fn mode_product(buf: &[f64], dims: &[usize], c: usize, mode: usize, f: &Operator, transposed: bool) -> Vec<f64> {
    let (m, n) = oriented(f, transposed);
    let pre: usize = dims[..mode].iter().product();
    let post: usize = dims[mode + 1..].iter().product::<usize>() * c;
    let mut out = vec![0.0; pre * m * post];
    if out.is_empty() || n == 0 {
        return out; // nothing to compute, or a product with an empty inner dimension: zeros
    }
    if post == 1 {
        let input = MatRef::from_column_major_slice(buf, n, pre);
        let output = MatMut::from_column_major_slice_mut(&mut out, m, pre);
        apply_into(f, transposed, input, output);
    } else {
        for (slab_in, slab_out) in buf.chunks_exact(n * post).zip(out.chunks_exact_mut(m * post)) {
            let input = MatRef::from_row_major_slice(slab_in, n, post);
            let output = MatMut::from_row_major_slice_mut(slab_out, m, post);
            apply_into(f, transposed, input, output);
        }
    }
    out
}

/// `out ← f · input` (or `fᵀ · input`), straight through GEMM for a dense `f`.
fn apply_into(f: &Operator, transposed: bool, input: MatRef<'_, f64>, mut out: MatMut<'_, f64>) {
    match f {
        Operator::Dense(a) => {
            let a = if transposed { a.as_faer().transpose() } else { a.as_faer() };
            gemm(out, Accum::Replace, a, input);
        }
        _ => {
            let y = f.apply_unchecked(&Matrix::from_faer(input.to_owned()), transposed);
            out.copy_from(y.as_faer());
        }
    }
}
