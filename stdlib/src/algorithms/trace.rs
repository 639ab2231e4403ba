//! `trace` of structured operators.

use super::all_square;
use crate::error::Result;
use crate::Operator;

impl Operator {
    /// `tr A = Σ Aᵢᵢ`, through the structure. Errors unless square.
    pub fn trace(&self) -> Result<f64> {
        self.require_square("trace")?;
        match self {
            Operator::Dense(m) => m.trace(),
            // tr diag(d) = Σ dᵢ
            Operator::Diagonal(d) => Ok(d.iter().sum()),
            // tr P = number of fixed points
            Operator::Permutation(p) => Ok(p.iter().enumerate().filter(|(i, &j)| *i == j).count() as f64),
            // tr(A₁ ⊗ … ⊗ A_k) = Π tr Aᵢ
            Operator::Kronecker(fs) if all_square(fs) => fs.iter().try_fold(1.0, |acc, f| Ok(acc * f.trace()?)),
            // tr(A ⊕ B) = m tr A + n tr B   (A n×n, B m×m)
            Operator::KroneckerSum(a, b) => Ok(b.shape().0 as f64 * a.trace()? + a.shape().0 as f64 * b.trace()?),
            // tr blockdiag(Bᵢ) = Σ tr Bᵢ
            Operator::BlockDiagonal(bs) if all_square(bs) => bs.iter().map(Operator::trace).sum(),
            // tr M = Σ_{k,q} L_q[k,k] R_k[q,q]   (the diagonal entries of Pᵀ L P R)
            Operator::Monarch(m) => {
                let (l, r) = (m.left_blocks(), m.right_blocks());
                Ok((0..m.nblocks()).flat_map(|k| (0..m.block_size()).map(move |q| l[q].at(k, k) * r[k].at(q, q))).sum())
            }
            // tr(U Vᵀ) = Σᵢⱼ Uᵢⱼ Vᵢⱼ
            Operator::LowRank { u, v } => Ok(u.mul_elem(v)?.sum()),
            // tr(D + U Vᵀ) = Σ dᵢ + Σᵢⱼ Uᵢⱼ Vᵢⱼ
            Operator::DiagonalPlusLowRank { d, u, v } => Ok(d.iter().sum::<f64>() + u.mul_elem(v)?.sum()),
            // tr(s A) = s tr A
            Operator::Scaled(s, a) => Ok(s * a.trace()?),
            // tr(Σ Aᵢ) = Σ tr Aᵢ
            Operator::Sum(xs) => xs.iter().map(Operator::trace).sum(),
            // tr Aᵀ = tr A
            Operator::Transposed(a) => a.trace(),
            // No rule (or rectangular factors): the dense diagonal.
            Operator::Kronecker(_) | Operator::BlockDiagonal(_) | Operator::Quantized(_) | Operator::Product(_) => {
                self.dense().trace()
            }
        }
    }
}
