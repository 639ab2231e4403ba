//! Cholesky factors of structured operators.

use super::all_square;
use crate::error::{Error, Result};
use crate::Operator;

impl Operator {
    /// The lower-triangular factor `L` with `A = L Lᵀ`, structured where the
    /// structure gives it. Errors unless `A` is symmetric positive definite.
    pub fn chol(&self) -> Result<Operator> {
        self.require_square("chol")?;
        let factorwise = |xs: &[Operator]| xs.iter().map(Operator::chol).collect::<Result<Vec<_>>>();
        let dense = || self.dense().chol().map(Operator::Dense);
        match self {
            Operator::Dense(m) => m.chol().map(Operator::Dense),
            // chol diag(d) = diag(√d)
            Operator::Diagonal(d) => match d.iter().position(|&x| x <= 0.0 || x.is_nan()) {
                Some(i) => {
                    Err(Error::NotPositiveDefinite { op: "chol", detail: format!(" (diagonal entry {i} is {})", d[i]) })
                }
                None => Ok(Operator::Diagonal(d.iter().map(|x| x.sqrt()).collect())),
            },
            // chol(A ⊗ B) = chol A ⊗ chol B (a Kronecker product of lower-triangular
            // factors is lower triangular). Two negative definite factors make an SPD
            // product although neither factor has a Cholesky factor: then the dense one.
            Operator::Kronecker(fs) if all_square(fs) => factorwise(fs).map(Operator::Kronecker).or_else(|_| dense()),
            // chol blockdiag(Bᵢ) = blockdiag(chol Bᵢ)
            Operator::BlockDiagonal(bs) if all_square(bs) => factorwise(bs).map(Operator::BlockDiagonal),
            // chol(s A) = √s chol A   (s > 0)
            Operator::Scaled(s, a) if *s > 0.0 => a.chol().map(|l| Operator::scaled(s.sqrt(), l)),
            // No rule (or a guard above failed): the dense factor.
            Operator::Permutation(_)
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
            | Operator::Transposed(_) => dense(),
        }
    }
}
