//! Factorisations and subspaces of the numpy/MATLAB vocabulary, on faer's
//! decompositions: the pseudo-inverse and minimum-norm least squares, null
//! space, range, condition number and nuclear norm (from the SVD), `P L U`
//! (partial pivoting), the general eigendecomposition, and the Sylvester
//! equation.

use super::Matrix;
use crate::error::{Error, Result};
use faer::c64;

/// `A = P L U` with partial pivoting: `P` `m×m` a permutation, `L` `m×k` unit
/// lower triangular, `U` `k×n` upper triangular, `k = min(m, n)`
/// (`scipy.linalg.lu`).
#[derive(Debug, Clone)]
pub struct Lu {
    /// The row permutation `P`.
    pub p: Matrix,
    /// `L`, unit lower triangular (trapezoidal when `m > n`).
    pub l: Matrix,
    /// `U`, upper triangular (trapezoidal when `m < n`).
    pub u: Matrix,
}

/// The eigendecomposition `A V = V diag(λ)` of a general square matrix, in
/// real and imaginary parts (all zero for a real spectrum); each column of
/// `V` has unit 2-norm, as numpy's `eig` gives them.
#[derive(Debug, Clone)]
pub struct Eig {
    /// `Re λ`, `n` values.
    pub values_re: Vec<f64>,
    /// `Im λ`.
    pub values_im: Vec<f64>,
    /// `Re V`, `n×n`.
    pub vectors_re: Matrix,
    /// `Im V`.
    pub vectors_im: Matrix,
}

impl Eig {
    /// Whether every eigenvalue and eigenvector is real.
    pub fn is_real(&self) -> bool {
        self.values_im.iter().all(|&x| x == 0.0) && self.vectors_im.to_row_major().iter().all(|&x| x == 0.0)
    }
}

impl Matrix {
    /// The numerical rank of an SVD: the singular values above `rtol · σ₁`.
    fn rank_above(s: &[f64], rtol: f64) -> usize {
        let cutoff = rtol * s.first().copied().unwrap_or(0.0);
        s.iter().filter(|&&x| x > cutoff).count()
    }

    /// numpy's default relative cut-off, `max(m, n) · ε`.
    pub fn default_rtol(&self) -> f64 {
        self.rows().max(self.cols()) as f64 * f64::EPSILON
    }

    /// The Moore–Penrose pseudo-inverse `A⁺ = V diag(1/σᵢ) Uᵀ` over the
    /// singular values `σᵢ > rtol · σ₁` (numpy's `pinv(A, rtol=)`). `O(mn·min(m, n))`.
    pub fn pinv(&self, rtol: f64) -> Result<Matrix> {
        let svd = self.svd().map_err(|e| super::decomp::rename(e, "pinv"))?;
        let r = Self::rank_above(&svd.s, rtol);
        // A⁺ = (V_r diag(1/σ)) U_rᵀ: one matrix product.
        // (An empty product, rank 0, is +0 as numpy has it.)
        let v_scaled = Matrix::from_fn(self.cols(), r, |i, k| svd.v[(i, k)] / svd.s[k]);
        Ok(Matrix::from_faer(v_scaled.as_faer() * svd.u.as_faer().subcols(0, r).transpose()))
    }

    /// The minimum-norm least-squares solution `x = A⁺ b` of `A x ≈ b`
    /// (numpy's `lstsq(A, b, rcond=None)`: singular values below
    /// `max(m, n) · ε · σ₁` count as zero). `O(mn·min(m, n))`.
    pub fn lstsq(&self, b: &Matrix) -> Result<Matrix> {
        if b.rows() != self.rows() {
            return Err(Error::shapes("lstsq", self.shape(), b.shape(), "A and b must have the same number of rows"));
        }
        b.require_finite("lstsq")?;
        let svd = self.svd().map_err(|e| super::decomp::rename(e, "lstsq"))?;
        let r = Self::rank_above(&svd.s, self.default_rtol());
        // x = V_r (diag(1/σ) (U_rᵀ b)), applied factor by factor with faer's products.
        let mut ut_b = svd.u.as_faer().subcols(0, r).transpose() * b.as_faer();
        for (k, &s) in svd.s[..r].iter().enumerate() {
            ut_b.row_mut(k).iter_mut().for_each(|x| *x /= s);
        }
        Ok(Matrix::from_faer(svd.v.as_faer().subcols(0, r) * ut_b))
    }

    /// The full SVD's right singular vectors, `n×n`.
    fn right_vectors(&self, op: &'static str) -> Result<(Vec<f64>, Matrix)> {
        self.require_finite(op)?;
        crate::memory::check(op, self.cols(), self.cols())?;
        if self.is_empty() {
            return Ok((vec![], Matrix::eye(self.cols())));
        }
        let svd = self.as_faer().svd().map_err(|_| Error::NoConvergence { op })?;
        let s = svd.S().column_vector().iter().copied().collect();
        Ok((s, Matrix::from_faer(svd.V().to_owned())))
    }

    /// An orthonormal basis of the null space `{x : A x = 0}`, as columns:
    /// the right singular vectors past the numerical rank (`σ > rtol · σ₁`,
    /// `rtol = max(m, n) · ε`), as `scipy.linalg.null_space`. `O(n²·m)`.
    pub fn null_space(&self) -> Result<Matrix> {
        let (s, v) = self.right_vectors("null")?;
        let r = Self::rank_above(&s, self.default_rtol());
        let all: Vec<usize> = (0..v.rows()).collect();
        v.select(&all, &(r..v.cols()).collect::<Vec<_>>())
    }

    /// An orthonormal basis of the range (column space), as columns: the left
    /// singular vectors up to the numerical rank (`scipy.linalg.orth`). `O(mn·min(m, n))`.
    pub fn orth(&self) -> Result<Matrix> {
        let svd = self.svd().map_err(|e| super::decomp::rename(e, "orth"))?;
        let r = Self::rank_above(&svd.s, self.default_rtol());
        let all: Vec<usize> = (0..self.rows()).collect();
        svd.u.select(&all, &(0..r).collect::<Vec<_>>())
    }

    /// The 2-norm condition number `σ₁ / σₖ` (∞ when `σₖ = 0`; numpy's `cond`).
    pub fn cond(&self) -> Result<f64> {
        let s = self.svdvals().map_err(|e| super::decomp::rename(e, "cond"))?;
        match (s.first(), s.last()) {
            (Some(&top), Some(&bottom)) if bottom > 0.0 => Ok(top / bottom),
            (Some(_), Some(_)) => Ok(f64::INFINITY),
            _ => Err(Error::invalid("cond", "the condition number of an empty matrix is undefined")),
        }
    }

    /// The nuclear norm `Σ σᵢ` (numpy's `norm(A, "nuc")`).
    pub fn norm_nuclear(&self) -> Result<f64> {
        Ok(self.svdvals().map_err(|e| super::decomp::rename(e, "norm"))?.iter().sum())
    }

    /// `A = P L U` with partial pivoting, any shape (faer's partial-pivoting
    /// LU; `scipy.linalg.lu`). `O(mn·min(m, n))`.
    pub fn lu(&self) -> Result<Lu> {
        self.require_finite("lu")?;
        let (m, k) = (self.rows(), self.rows().min(self.cols()));
        if k == 0 {
            return Ok(Lu { p: Matrix::eye(m), l: Matrix::zeros(m, 0), u: Matrix::zeros(0, self.cols()) });
        }
        let lu = self.as_faer().partial_piv_lu();
        // faer's P A = L U: row i of P A is row fwd[i] of A, so A = Pᵀ L U.
        let (fwd, _) = lu.P().arrays();
        let p = Matrix::from_fn(m, m, |r, c| if fwd[c] == r { 1.0 } else { 0.0 });
        Ok(Lu { p, l: Matrix::from_faer(lu.L().to_owned()), u: Matrix::from_faer(lu.U().to_owned()) })
    }

    /// The eigenvalues and unit eigenvectors of a general square matrix
    /// (faer's Hessenberg–Schur eigensolver; the symmetric solver, exactly
    /// real and orthonormal, for a symmetric input), as numpy's `eig`. `O(n³)`.
    pub fn eig(&self) -> Result<Eig> {
        let n = self.rows();
        if self.is_symmetric() || self.is_empty() {
            let e = self.eigh().map_err(|e| super::decomp::rename(e, "eig"))?;
            return Ok(Eig {
                values_re: e.values,
                values_im: vec![0.0; n],
                vectors_re: e.vectors,
                vectors_im: Matrix::zeros(n, n),
            });
        }
        self.require_square("eig")?;
        self.require_finite("eig")?;
        let e = self.as_faer().eigen().map_err(|_| Error::NoConvergence { op: "eig" })?;
        let (u, s) = (e.U(), e.S().column_vector());
        let norms: Vec<f64> = (0..n).map(|j| (0..n).map(|i| u[(i, j)].norm_sqr()).sum::<f64>().sqrt()).collect();
        let part = |f: fn(&c64) -> f64| Matrix::from_fn(n, n, |i, j| f(&u[(i, j)]) / norms[j]);
        Ok(Eig {
            values_re: s.iter().map(|z| z.re).collect(),
            values_im: s.iter().map(|z| z.im).collect(),
            vectors_re: part(|z| z.re),
            vectors_im: part(|z| z.im),
        })
    }

    /// The solution `X` (`m×n`) of the Sylvester equation `A X + X B = C` for
    /// square `A` (`m×m`) and `B` (`n×n`), as `scipy.linalg.solve_sylvester`.
    ///
    /// Solved in its Kronecker form `(Iₙ ⊗ A + Bᵀ ⊗ Iₘ) vec X = vec C` by
    /// faer's LU, so `O((mn)³)` and `(mn)²` numbers of memory: for `mn` up
    /// to a few thousand. (Bartels–Stewart's `O(m³ + n³)` needs a real Schur
    /// form, which faer 0.24 does not export.) A unique solution exists iff
    /// no eigenvalue of `A` is the negative of one of `B`; otherwise this is
    /// a singular-matrix error.
    pub fn solve_sylvester(a: &Matrix, b: &Matrix, c: &Matrix) -> Result<Matrix> {
        let (m, n) = (a.require_square("solve_sylvester")?, b.require_square("solve_sylvester")?);
        if c.shape() != crate::Shape(m, n) {
            return Err(Error::invalid(
                "solve_sylvester",
                format!("C must be {m}×{n} for A {m}×{m} and B {n}×{n}, got {}", c.shape()),
            ));
        }
        let size = m * n;
        // The system matrix and faer's LU of it: two (mn)² buffers.
        let system = format!("a {size}×{size} Kronecker system and its LU");
        crate::memory::check_buffer("solve_sylvester", &system, 2 * (size as u128).pow(2), 8)?;
        // Column-major vec: entry (i, j) of X is unknown i + m·j.
        let k = Matrix::from_fn(size, size, |r, s| {
            let (i, j, p, q) = (r % m, r / m, s % m, s / m);
            let from_a = if j == q { a[(i, p)] } else { 0.0 };
            let from_b = if i == p { b[(q, j)] } else { 0.0 };
            from_a + from_b
        });
        let rhs = Matrix::from_fn(size, 1, |r, _| c[(r % m, r / m)]);
        let x = k.solve(&rhs).map_err(|e| super::decomp::rename(e, "solve_sylvester"))?;
        Ok(Matrix::from_fn(m, n, |i, j| x[(i + m * j, 0)]))
    }
}
