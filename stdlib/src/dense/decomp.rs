//! Dense decompositions and the quantities computed from them, on faer.
//!
//! Every function checks its preconditions first (shape, finiteness) and
//! returns a typed [`Error`] instead of letting faer assert.

use super::Matrix;
use crate::error::{Error, Result};
use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{c64, Side};

/// `A = U diag(S) Vᵀ`, thin: `U` is `m×k`, `S` holds `k = min(m, n)` values in
/// descending order, `V` is `n×k`.
#[derive(Debug, Clone)]
pub struct Svd {
    /// `U`, `m×k` with orthonormal columns: the left singular vectors.
    pub u: Matrix,
    /// The singular values `S`, `k` of them, descending.
    pub s: Vec<f64>,
    /// `V`, `n×k` with orthonormal columns: the right singular vectors.
    pub v: Matrix,
}

/// `A = Q R`, reduced: `Q` is `m×k` with orthonormal columns, `R` is `k×n`
/// upper triangular, `k = min(m, n)`.
#[derive(Debug, Clone)]
pub struct Qr {
    /// `Q`, `m×k` with orthonormal columns.
    pub q: Matrix,
    /// `R`, `k×n` upper triangular.
    pub r: Matrix,
}

/// Symmetric eigendecomposition `A = V diag(λ) Vᵀ`, `λ` ascending.
#[derive(Debug, Clone)]
pub struct Eigh {
    /// The eigenvalues `λ`, ascending.
    pub values: Vec<f64>,
    /// `V`: column `i` is a unit eigenvector for `λᵢ`.
    pub vectors: Matrix,
}

/// `det(A) = sign · exp(log_abs)`; `sign` is 0 for a singular matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogAbsDet {
    /// `ln |det A|`; `−∞` for a singular matrix.
    pub log_abs: f64,
    /// The sign of `det A`: `±1`, or 0 for a singular matrix.
    pub sign: f64,
}

/// Relative pivot size below which an LU factor is treated as singular.
fn singular_tolerance(n: usize) -> f64 {
    n.max(1) as f64 * f64::EPSILON
}

impl Matrix {
    fn require_square_finite(&self, op: &'static str) -> Result<usize> {
        let n = self.require_square(op)?;
        self.require_finite(op)?;
        Ok(n)
    }

    /// LU with partial pivoting, refusing numerically singular matrices
    /// (a pivot below `n·ε·max|pivot|`).
    fn nonsingular_lu(&self, op: &'static str) -> Result<faer::linalg::solvers::PartialPivLu<f64>> {
        let n = self.require_square_finite(op)?;
        let lu = self.as_faer().partial_piv_lu();
        let u = lu.U();
        let pivots: Vec<f64> = (0..n).map(|i| u[(i, i)].abs()).collect();
        let largest = pivots.iter().copied().fold(0.0, f64::max);
        if let Some(i) = pivots.iter().position(|&p| p <= singular_tolerance(n) * largest || p == 0.0) {
            return Err(Error::Singular {
                op,
                detail: format!(" (pivot {i} is {:.3e} against a largest pivot of {largest:.3e})", pivots[i]),
            });
        }
        Ok(lu)
    }

    /// Solves `A X = B` for square `A` by LU with partial pivoting (`⅔n³ + 2n²k` flops).
    ///
    /// Errors: `A` not square, rows of `A` ≠ rows of `B`, non-finite input, singular `A`.
    pub fn solve(&self, b: &Matrix) -> Result<Matrix> {
        self.require_square("solve")?;
        if self.rows() != b.rows() {
            return Err(Error::shapes("solve", self.shape(), b.shape(), "rows of A must equal rows of b"));
        }
        b.require_finite("solve")?;
        let lu = self.nonsingular_lu("solve")?;
        Ok(Matrix::from_faer(lu.solve(b.as_faer())))
    }

    /// `A⁻¹` by LU with partial pivoting (`2n³` flops). Errors on singular input.
    pub fn inv(&self) -> Result<Matrix> {
        let lu = self.nonsingular_lu("inv")?;
        Ok(Matrix::from_faer(lu.inverse()))
    }

    /// The LU pivots `Uᵢᵢ` and the sign of the row permutation: `det A = sign · Π Uᵢᵢ`.
    pub(crate) fn lu_pivots(&self, op: &'static str) -> Result<(Vec<f64>, f64)> {
        let n = self.require_square_finite(op)?;
        let lu = self.as_faer().partial_piv_lu();
        let sign = if permutation_parity(lu.P().arrays().0) { -1.0 } else { 1.0 };
        Ok(((0..n).map(|i| lu.U()[(i, i)]).collect(), sign))
    }

    /// `log|det A|` and the sign of `det A`, from the LU pivots (numpy's `slogdet`).
    pub fn logabsdet(&self) -> Result<LogAbsDet> {
        let (pivots, mut sign) = self.lu_pivots("logdet")?;
        let mut log_abs = 0.0;
        for p in pivots {
            if p == 0.0 {
                return Ok(LogAbsDet { log_abs: f64::NEG_INFINITY, sign: 0.0 });
            }
            sign *= p.signum();
            log_abs += p.abs().ln();
        }
        Ok(LogAbsDet { log_abs, sign })
    }

    /// `det A = ± Π Uᵢᵢ` from the LU pivots (`⅔n³` flops); the `0×0` determinant is 1.
    /// The product is taken in log space only where it would overflow or underflow.
    pub fn det(&self) -> Result<f64> {
        let (pivots, sign) = self.lu_pivots("det")?;
        let product: f64 = pivots.iter().product();
        if product.is_finite() && (product != 0.0 || pivots.contains(&0.0)) {
            return Ok(sign * product);
        }
        let d = self.logabsdet()?;
        Ok(d.sign * d.log_abs.exp())
    }

    /// `log det A` (Julia's `logdet`). Errors with [`Error::Domain`] when
    /// `det A < 0` (use [`Matrix::logabsdet`]) and [`Error::Singular`] when it is 0.
    pub fn logdet(&self) -> Result<f64> {
        logdet_from(self.logabsdet()?)
    }

    /// Numerical rank: the number of singular values above
    /// `max(m, n)·ε·σ₁` (numpy's `matrix_rank`).
    pub fn rank(&self) -> Result<usize> {
        let s = self.svdvals().map_err(|e| rename(e, "rank"))?;
        let tol = self.rows().max(self.cols()) as f64 * f64::EPSILON * s.first().copied().unwrap_or(0.0);
        Ok(s.iter().filter(|&&x| x > tol).count())
    }

    /// The Frobenius norm `√Σ aᵢⱼ²` (for vectors, the Euclidean norm).
    pub fn norm_fro(&self) -> f64 {
        self.as_faer().norm_l2()
    }

    /// `norm(A, p)` for `p ∈ {1, 2, ∞}`. For matrices: the induced norms
    /// (max column sum, largest singular value, max row sum); for vectors
    /// (`n×1` or `1×n`): `Σ|xᵢ|`, `√Σxᵢ²`, `max|xᵢ|`, as MATLAB does.
    pub fn norm_p(&self, p: f64) -> Result<f64> {
        if self.is_vector() {
            let v = self.to_row_major();
            return match p {
                1.0 => Ok(v.iter().map(|x| x.abs()).sum()),
                2.0 => Ok(self.norm_fro()),
                f64::INFINITY => Ok(v.iter().fold(0.0, |m, x| m.max(x.abs()))),
                _ if p > 0.0 => Ok(v.iter().map(|x| x.abs().powf(p)).sum::<f64>().powf(1.0 / p)),
                _ => Err(Error::invalid("norm", format!("p must be positive, got {p}"))),
            };
        }
        let abs_sums = |m: &Matrix| -> f64 {
            (0..m.cols()).map(|j| (0..m.rows()).map(|i| m.at(i, j).abs()).sum::<f64>()).fold(0.0, f64::max)
        };
        match p {
            1.0 => Ok(abs_sums(self)),
            f64::INFINITY => Ok(abs_sums(&self.transpose())),
            2.0 => Ok(self.svdvals().map_err(|e| rename(e, "norm"))?.first().copied().unwrap_or(0.0)),
            _ => Err(Error::invalid("norm", format!("matrix norm p must be 1, 2 or inf, got {p}"))),
        }
    }

    /// Cholesky factor: lower-triangular `L` with `A = L Lᵀ` (`⅓n³` flops).
    /// Errors unless `A` is symmetric positive definite.
    pub fn chol(&self) -> Result<Matrix> {
        self.require_square_finite("chol")?;
        self.require_symmetric("chol")?;
        let llt = self.as_faer().llt(Side::Lower).map_err(|e| Error::NotPositiveDefinite {
            op: "chol",
            detail: match e {
                faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index } => {
                    format!(" (pivot {index} is not positive)")
                }
            },
        })?;
        Ok(Matrix::from_faer(llt.L().to_owned()))
    }

    /// Reduced QR by Householder reflections (`2mn² − ⅔n³` flops).
    pub fn qr(&self) -> Result<Qr> {
        self.require_finite("qr")?;
        let k = self.rows().min(self.cols());
        if k == 0 {
            return Ok(Qr { q: Matrix::zeros(self.rows(), 0), r: Matrix::zeros(0, self.cols()) });
        }
        let qr = self.as_faer().qr();
        let r = qr.thin_R().to_owned();
        Ok(Qr { q: Matrix::from_faer(qr.compute_thin_Q()), r: Matrix::from_faer(r) })
    }

    /// Thin singular value decomposition (`O(mn·min(m,n))`).
    pub fn svd(&self) -> Result<Svd> {
        self.require_finite("svd")?;
        let k = self.rows().min(self.cols());
        if k == 0 {
            return Ok(Svd { u: Matrix::zeros(self.rows(), 0), s: vec![], v: Matrix::zeros(self.cols(), 0) });
        }
        let svd = self.as_faer().thin_svd().map_err(|_| Error::NoConvergence { op: "svd" })?;
        let s = svd.S().column_vector().iter().copied().collect();
        Ok(Svd { u: Matrix::from_faer(svd.U().to_owned()), s, v: Matrix::from_faer(svd.V().to_owned()) })
    }

    /// Singular values in descending order (cheaper than [`Matrix::svd`]: no vectors).
    pub fn svdvals(&self) -> Result<Vec<f64>> {
        self.require_finite("svdvals")?;
        if self.is_empty() {
            return Ok(vec![]);
        }
        let mut s = self.as_faer().singular_values().map_err(|_| Error::NoConvergence { op: "svdvals" })?;
        s.sort_by(|a, b| b.total_cmp(a));
        Ok(s)
    }

    fn require_symmetric(&self, op: &'static str) -> Result<()> {
        if self.is_symmetric() {
            Ok(())
        } else {
            Err(Error::NotSymmetric { op, asymmetry: self.asymmetry() })
        }
    }

    /// Symmetric eigendecomposition (eigenvalues ascending, orthonormal
    /// eigenvectors as columns). Errors unless `A` is symmetric.
    pub fn eigh(&self) -> Result<Eigh> {
        self.require_square_finite("eigh")?;
        self.require_symmetric("eigh")?;
        if self.is_empty() {
            return Ok(Eigh { values: vec![], vectors: Matrix::zeros(0, 0) });
        }
        let evd = self.as_faer().self_adjoint_eigen(Side::Lower).map_err(|_| Error::NoConvergence { op: "eigh" })?;
        Ok(Eigh {
            values: evd.S().column_vector().iter().copied().collect(),
            vectors: Matrix::from_faer(evd.U().to_owned()),
        })
    }

    /// Eigenvalues of the symmetric matrix, ascending (no vectors).
    pub fn eigvalsh(&self) -> Result<Vec<f64>> {
        self.require_square_finite("eigvalsh")?;
        self.require_symmetric("eigvalsh")?;
        if self.is_empty() {
            return Ok(vec![]);
        }
        self.as_faer().self_adjoint_eigenvalues(Side::Lower).map_err(|_| Error::NoConvergence { op: "eigvalsh" })
    }

    /// Eigenvalues of a general square matrix, complex where needed (Hessenberg
    /// QR; a symmetric input takes the symmetric path and is exactly real).
    pub fn eigvals(&self) -> Result<Vec<c64>> {
        self.require_square_finite("eigvals")?;
        if self.is_empty() || self.is_symmetric() {
            return Ok(self.eigvalsh()?.into_iter().map(|x| c64::new(x, 0.0)).collect());
        }
        self.as_faer().eigenvalues().map_err(|_| Error::NoConvergence { op: "eigvals" })
    }
}

/// `log det` from `(log|det|, sign)`, refusing negative and zero determinants.
pub(crate) fn logdet_from(d: LogAbsDet) -> Result<f64> {
    if d.sign > 0.0 {
        Ok(d.log_abs)
    } else if d.sign == 0.0 {
        Err(Error::singular("logdet"))
    } else {
        Err(Error::domain("logdet", "the determinant is negative; use logabsdet for log|det|"))
    }
}

/// Whether the permutation (given as its forward index array) is odd: a cycle
/// of length `L` is `L − 1` transpositions, so odd iff the number of
/// even-length cycles is odd.
pub(crate) fn permutation_parity(p: &[usize]) -> bool {
    crate::ops::cycle_lengths(p).iter().filter(|&&len| len % 2 == 0).count() % 2 == 1
}

/// Gives an error produced by a helper the name of the operation the user called.
pub(crate) fn rename(e: Error, op: &'static str) -> Error {
    match e {
        Error::ShapeMismatch { left, right, rule, .. } => Error::ShapeMismatch { op, left, right, rule },
        Error::NotSquare { shape, .. } => Error::NotSquare { op, shape },
        Error::Singular { detail, .. } => Error::Singular { op, detail },
        Error::NotPositiveDefinite { detail, .. } => Error::NotPositiveDefinite { op, detail },
        Error::NotSymmetric { asymmetry, .. } => Error::NotSymmetric { op, asymmetry },
        Error::NonFinite { .. } => Error::NonFinite { op },
        Error::InvalidArgument { reason, .. } => Error::InvalidArgument { op, reason },
        Error::Domain { reason, .. } => Error::Domain { op, reason },
        Error::NoConvergence { .. } => Error::NoConvergence { op },
        Error::OutOfMemory { what, bytes, available, .. } => Error::OutOfMemory { op, what, bytes, available },
        Error::File { reason, .. } => Error::File { op, reason },
        device @ Error::Device { .. } => device,
    }
}
