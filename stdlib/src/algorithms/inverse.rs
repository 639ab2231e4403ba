//! The inverse as an operator, and `solve`.

use super::all_square;
use crate::dense::decomp::rename;
use crate::error::{Error, Result};
use crate::{Matrix, Operator};

/// The capacitance matrix `C = I_k + Vᵀ D⁻¹ U` of `D + U Vᵀ`.
pub(crate) fn capacitance(d: &[f64], u: &Matrix, v: &Matrix) -> Matrix {
    let d_inv_u = Matrix::from_fn(u.rows(), u.cols(), |i, j| u.at(i, j) / d[i]);
    Matrix::eye(u.cols()).add(&v.transpose().matmul(&d_inv_u).expect("n×k factors")).expect("k×k")
}

impl Operator {
    /// `A⁻¹` as an operator of the same structure where a rule exists.
    /// Errors unless `A` is square and nonsingular.
    pub fn inverse(&self) -> Result<Operator> {
        self.require_square("inv")?;
        match self.structured_inverse() {
            Some(result) => result,
            None => Ok(Operator::Dense(self.dense().inv()?)),
        }
    }

    /// The structure's rule for the inverse, or `None` where only the dense
    /// inverse helps.
    fn structured_inverse(&self) -> Option<Result<Operator>> {
        let n = self.shape().0;
        let inverses = |xs: &[Operator]| xs.iter().map(Operator::inverse).collect::<Result<Vec<_>>>();
        Some(match self {
            // LU with partial pivoting.
            Operator::Dense(m) => m.inv().map(Operator::Dense),
            // diag(d)⁻¹ = diag(1/d)
            Operator::Diagonal(d) => match d.iter().position(|&x| x == 0.0) {
                Some(i) => Err(Error::Singular { op: "inv", detail: format!(" (diagonal entry {i} is zero)") }),
                None => Ok(Operator::Diagonal(d.iter().map(|x| 1.0 / x).collect())),
            },
            // P⁻¹ = Pᵀ
            Operator::Permutation(_) => Ok(self.transpose()),
            // (A₁ ⊗ … ⊗ A_k)⁻¹ = A₁⁻¹ ⊗ … ⊗ A_k⁻¹
            Operator::Kronecker(fs) if all_square(fs) => inverses(fs).map(Operator::Kronecker),
            // (A ⊕ B)⁻¹ = (V_A ⊗ V_B) diag(1/(λᵢ + μⱼ)) (V_A ⊗ V_B)ᵀ  for symmetric A, B
            Operator::KroneckerSum(..) if self.is_symmetric_by_structure() => (|| {
                let e = self.eigh()?;
                if let Some(i) = e.values.iter().position(|&x| x == 0.0) {
                    return Err(Error::Singular {
                        op: "inv",
                        detail: format!(" (eigenvalue {i} of the Kronecker sum is zero)"),
                    });
                }
                let middle = Operator::Diagonal(e.values.iter().map(|x| 1.0 / x).collect());
                Ok(Operator::Product(vec![e.vectors.clone(), middle, e.vectors.transpose()]))
            })(),
            // blockdiag(Bᵢ)⁻¹ = blockdiag(Bᵢ⁻¹)
            Operator::BlockDiagonal(bs) if all_square(bs) => inverses(bs).map(Operator::BlockDiagonal),
            // (Pᵀ L P R)⁻¹ = R⁻¹ Pᵀ L⁻¹ P
            Operator::Monarch(m) => m.as_product().inverse(),
            // rank(U Vᵀ) ≤ k < n: singular
            Operator::LowRank { u, .. } if u.cols() < n => Err(Error::Singular {
                op: "inv",
                detail: format!(" (a {} operator of rank at most {})", self.shape(), u.cols()),
            }),
            // (D + U Vᵀ)⁻¹ = D⁻¹ − D⁻¹ U C⁻¹ Vᵀ D⁻¹,  C = I + Vᵀ D⁻¹ U   (Woodbury)
            Operator::DiagonalPlusLowRank { d, u, v } if d.iter().all(|&x| x != 0.0) => (|| {
                let c_inv = capacitance(d, u, v).inv().map_err(|e| rename(e, "inv"))?;
                let d_inv_u = Matrix::from_fn(u.rows(), u.cols(), |i, j| u.at(i, j) / d[i]);
                let left = d_inv_u.matmul(&c_inv)?.scale(-1.0);
                let right = Matrix::from_fn(v.rows(), v.cols(), |i, j| v.at(i, j) / d[i]);
                Ok(Operator::DiagonalPlusLowRank { d: d.iter().map(|x| 1.0 / x).collect(), u: left, v: right })
            })(),
            // (s A)⁻¹ = s⁻¹ A⁻¹
            Operator::Scaled(s, a) => {
                if *s == 0.0 {
                    Err(Error::Singular { op: "inv", detail: " (scaled by zero)".into() })
                } else {
                    a.inverse().map(|ai| Operator::scaled(1.0 / s, ai))
                }
            }
            // (A₁ ⋯ A_k)⁻¹ = A_k⁻¹ ⋯ A₁⁻¹
            Operator::Product(fs) if all_square(fs) => {
                fs.iter().rev().map(Operator::inverse).collect::<Result<Vec<_>>>().map(Operator::Product)
            }
            // (Aᵀ)⁻¹ = (A⁻¹)ᵀ
            Operator::Transposed(a) => a.inverse().map(|ai| ai.transpose()),
            // No rule (or a guard above failed): only the dense inverse helps.
            Operator::Kronecker(_)
            | Operator::KroneckerSum(..)
            | Operator::Quantized(_)
            | Operator::BlockDiagonal(_)
            | Operator::LowRank { .. }
            | Operator::DiagonalPlusLowRank { .. }
            | Operator::Sum(_)
            | Operator::Product(_) => return None,
        })
    }

    /// Solves `A X = B`: blockwise for a block-diagonal operator, factor by factor
    /// for a product, through the structured inverse where one exists, and by LU
    /// on the dense matrix otherwise.
    ///
    /// ```
    /// use tessera::prelude::*;
    /// let d = Operator::diagonal(vec![2.0, 4.0]);
    /// let a = Operator::blockdiag(vec![d, Matrix::scalar(5.0).into()]);
    /// let x = a.solve(&Matrix::col(&[2.0, 4.0, 10.0]))?;
    /// assert_eq!(x, Matrix::col(&[1.0, 1.0, 2.0]));
    /// assert!(a.solve(&Matrix::ones(2, 1)).is_err()); // 3×3 against 2×1
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn solve(&self, b: &Matrix) -> Result<Matrix> {
        let n = self.require_square("solve")?;
        if b.rows() != n {
            return Err(Error::shapes("solve", self.shape(), b.shape(), "rows of A must equal rows of b"));
        }
        b.require_finite("solve")?;
        match self {
            // LU with partial pivoting.
            Operator::Dense(m) => m.solve(b),
            // Bᵢ xᵢ = bᵢ block by block.
            Operator::BlockDiagonal(bs) if all_square(bs) => {
                let mut parts = Vec::with_capacity(bs.len());
                let mut row = 0;
                for block in bs {
                    let k = block.shape().0;
                    parts.push(block.solve(&Matrix::from_faer(b.as_faer().subrows(row, k).to_owned()))?);
                    row += k;
                }
                if parts.is_empty() {
                    return Ok(Matrix::zeros(0, b.cols()));
                }
                Matrix::vcat(&parts.iter().collect::<Vec<_>>())
            }
            // A₁ ⋯ A_k x = b: solve with A₁, then A₂, …
            Operator::Product(fs) if all_square(fs) => fs.iter().try_fold(b.clone(), |y, f| f.solve(&y)),
            // The structured inverse applied to b where there is one, else LU of the dense matrix.
            Operator::Diagonal(_)
            | Operator::Permutation(_)
            | Operator::Kronecker(_)
            | Operator::KroneckerSum(..)
            | Operator::BlockDiagonal(_)
            | Operator::Monarch(_)
            | Operator::Quantized(_)
            | Operator::LowRank { .. }
            | Operator::DiagonalPlusLowRank { .. }
            | Operator::Scaled(..)
            | Operator::Sum(_)
            | Operator::Product(_)
            | Operator::Transposed(_) => match self.structured_inverse() {
                Some(inverse) => Ok(inverse.map_err(|e| rename(e, "solve"))?.apply_unchecked(b, false)),
                None => self.dense().solve(b),
            },
        }
    }
}
