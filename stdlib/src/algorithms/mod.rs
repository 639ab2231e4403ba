//! Structure-aware algorithms.
//!
//! Each operation is one `match` over [`Operator`]'s structures, with the
//! identity it uses written beside its arm and a dense fallback (faer on
//! [`Operator::dense`]) as the last arm for structures where no rule helps.
//! The results agree with the dense algorithm on the same operator; the
//! operator catalogue tests hold every rule to that.
//!
//! | operation | file |
//! |---|---|
//! | `det`, `logdet`, `logabsdet` | [`determinant`] |
//! | `inverse` (an operator), `solve` | [`inverse`] |
//! | `eigvals`, `eigh`, `svdvals` | [`spectrum`] |
//! | `trace` | [`trace`] |
//! | `chol` | [`cholesky`] |
//! | `expm` | [`exponential`] |

pub mod cholesky;
pub mod determinant;
pub mod exponential;
pub mod inverse;
pub mod spectrum;
pub mod trace;

pub use determinant::Determinant;
pub use spectrum::OperatorEigh;

use crate::error::{Error, Result};
use crate::Operator;

impl Operator {
    /// The side length of a square operator; errors with [`Error::NotSquare`] otherwise.
    pub(crate) fn require_square(&self, op: &'static str) -> Result<usize> {
        if self.is_square() {
            Ok(self.shape().0)
        } else {
            Err(Error::NotSquare { op, shape: self.shape() })
        }
    }

    /// Whether the structure alone shows the operator is symmetric (a
    /// sufficient test: `A ⊗ B` with both factors skew is symmetric too, and
    /// goes to the dense path, which checks the entries).
    pub fn is_symmetric_by_structure(&self) -> bool {
        match self {
            Operator::Dense(m) => m.is_symmetric(),
            Operator::Diagonal(_) => true,
            Operator::Permutation(p) => p.iter().enumerate().all(|(i, &j)| p[j] == i),
            Operator::Kronecker(xs) | Operator::Sum(xs) => xs.iter().all(Operator::is_symmetric_by_structure),
            Operator::BlockDiagonal(xs) => xs.iter().all(|x| x.is_square() && x.is_symmetric_by_structure()),
            Operator::KroneckerSum(a, b) => a.is_symmetric_by_structure() && b.is_symmetric_by_structure(),
            Operator::LowRank { u, v } | Operator::DiagonalPlusLowRank { u, v, .. } => u == v,
            Operator::Scaled(_, a) | Operator::Transposed(a) => a.is_symmetric_by_structure(),
            Operator::Monarch(_) | Operator::Quantized(_) | Operator::Product(_) => false,
        }
    }
}

/// Whether every operator in the list is square.
pub(crate) fn all_square(xs: &[Operator]) -> bool {
    xs.iter().all(Operator::is_square)
}
