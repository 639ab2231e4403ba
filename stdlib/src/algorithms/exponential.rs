//! The matrix exponential of structured operators.

use super::all_square;
use crate::error::Result;
use crate::Operator;

impl Operator {
    /// `exp A`, structured where the structure gives it. Errors unless square.
    pub fn expm(&self) -> Result<Operator> {
        self.require_square("expm")?;
        match self {
            // Scaling and squaring with Padé approximants.
            Operator::Dense(m) => m.expm().map(Operator::Dense),
            // exp diag(d) = diag(exp d)
            Operator::Diagonal(d) => Ok(Operator::Diagonal(d.iter().map(|x| x.exp()).collect())),
            // exp(A ⊕ B) = exp A ⊗ exp B   (A ⊗ I and I ⊗ B commute)
            Operator::KroneckerSum(a, b) => Ok(Operator::Kronecker(vec![a.expm()?, b.expm()?])),
            // exp blockdiag(Bᵢ) = blockdiag(exp Bᵢ)
            Operator::BlockDiagonal(bs) if all_square(bs) => {
                bs.iter().map(Operator::expm).collect::<Result<Vec<_>>>().map(Operator::BlockDiagonal)
            }
            // exp Aᵀ = (exp A)ᵀ
            Operator::Transposed(a) => Ok(a.expm()?.transpose()),
            // No rule (or rectangular blocks): the dense exponential.
            Operator::Permutation(_)
            | Operator::Kronecker(_)
            | Operator::BlockDiagonal(_)
            | Operator::Monarch(_)
            | Operator::Quantized(_)
            | Operator::LowRank { .. }
            | Operator::DiagonalPlusLowRank { .. }
            | Operator::Scaled(..)
            | Operator::Sum(_)
            | Operator::Product(_) => self.dense().expm().map(Operator::Dense),
        }
    }
}
