//! Eigenvalues, symmetric eigendecompositions and singular values of
//! structured operators.

use super::all_square;
use crate::error::Result;
use crate::ops::{cycle_lengths, invert_permutation};
use crate::{c64, Operator};

/// `A = V diag(λ) Vᵀ` with `λ` ascending; `V` keeps the structure
/// (for `A ⊗ B` it is `(V_A ⊗ V_B) Q` with `Q` the sorting permutation).
#[derive(Debug, Clone)]
pub struct OperatorEigh {
    /// The eigenvalues `λ`, ascending.
    pub values: Vec<f64>,
    /// The orthogonal `V` whose columns are the eigenvectors, in the order of `values`.
    pub vectors: Operator,
}

impl OperatorEigh {
    /// Sorts unsorted eigenpairs: the columns of `vectors` follow `values`;
    /// the result has `λ` ascending and `V Q` with `Q` the sorting permutation.
    fn sorted(values: Vec<f64>, vectors: Operator) -> OperatorEigh {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let sorted_values = order.iter().map(|&i| values[i]).collect();
        // Column j of V Q is column order[j] of V: Q = eye[:, order], i.e. (Q x)[order[j]] = x[j].
        let q = Operator::Permutation(invert_permutation(&order));
        OperatorEigh { values: sorted_values, vectors: Operator::Product(vec![vectors, q]) }
    }
}

/// `{ f(aᵢ, bⱼ) }` in row-major order of `(i, j)` (the order of `A ⊗ B`'s basis).
fn outer<T: Copy>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> Vec<T> {
    a.iter().flat_map(|&x| b.iter().map(move |&y| (x, y))).map(|(x, y)| f(x, y)).collect()
}

/// Descending order, padded with zeros up to `k` values.
fn descending_padded(mut s: Vec<f64>, k: usize) -> Vec<f64> {
    s.sort_by(|a, b| b.total_cmp(a));
    s.resize(k, 0.0);
    s
}

impl Operator {
    /// Eigenvalues (complex where needed; order unspecified).
    pub fn eigvals(&self) -> Result<Vec<c64>> {
        self.require_square("eigvals")?;
        let n = self.shape().0;
        crate::memory::check_buffer("eigvals", &format!("a list of {n} eigenvalues"), n as u128, 16)?;
        let real = |v: &[f64]| v.iter().map(|&x| c64::new(x, 0.0)).collect::<Vec<_>>();
        match self {
            // Hessenberg QR (or the symmetric solver for symmetric input).
            Operator::Dense(m) => m.eigvals(),
            // λ(diag(d)) = d
            Operator::Diagonal(d) => Ok(real(d)),
            // Each cycle of length L contributes the L-th roots of unity.
            Operator::Permutation(p) => Ok(cycle_lengths(p)
                .into_iter()
                .flat_map(|len| {
                    (0..len).map(move |k| c64::from_polar(1.0, std::f64::consts::TAU * k as f64 / len as f64))
                })
                .collect()),
            // λ(A ⊗ B) = { λᵢ(A) μⱼ(B) }
            Operator::Kronecker(fs) if all_square(fs) => {
                fs.iter().try_fold(vec![c64::new(1.0, 0.0)], |acc, f| Ok(outer(&acc, &f.eigvals()?, |x, y| x * y)))
            }
            // λ(A ⊕ B) = { λᵢ(A) + μⱼ(B) }
            Operator::KroneckerSum(a, b) => Ok(outer(&a.eigvals()?, &b.eigvals()?, |x, y| x + y)),
            // λ(blockdiag(Bᵢ)) = ∪ λ(Bᵢ)
            Operator::BlockDiagonal(bs) if all_square(bs) => {
                bs.iter().map(Operator::eigvals).collect::<Result<Vec<_>>>().map(|v| v.concat())
            }
            // λ(s A) = s λ(A)
            Operator::Scaled(s, a) => Ok(a.eigvals()?.into_iter().map(|z| z * s).collect()),
            // λ(Aᵀ) = λ(A)
            Operator::Transposed(a) => a.eigvals(),
            // No rule (or rectangular factors): eigenvalues of the dense matrix.
            Operator::Kronecker(_)
            | Operator::BlockDiagonal(_)
            | Operator::Monarch(_)
            | Operator::Quantized(_)
            | Operator::LowRank { .. }
            | Operator::DiagonalPlusLowRank { .. }
            | Operator::Sum(_)
            | Operator::Product(_) => self.dense().eigvals(),
        }
    }

    /// Symmetric eigendecomposition, with structured eigenvectors where the
    /// structure gives them. Errors unless the operator is symmetric.
    pub fn eigh(&self) -> Result<OperatorEigh> {
        self.require_square("eigh")?;
        let n = self.shape().0;
        crate::memory::check_buffer("eigh", &format!("a list of {n} eigenvalues"), n as u128, 8)?;
        let symmetric = self.is_symmetric_by_structure();
        let parts = |xs: &[Operator]| xs.iter().map(Operator::eigh).collect::<Result<Vec<_>>>();
        match self {
            // Symmetric tridiagonal QR on the dense matrix.
            Operator::Dense(m) => {
                m.eigh().map(|e| OperatorEigh { values: e.values, vectors: Operator::Dense(e.vectors) })
            }
            // diag(d) = I diag(d) Iᵀ
            Operator::Diagonal(d) => Ok(OperatorEigh::sorted(d.clone(), Operator::Diagonal(vec![1.0; d.len()]))),
            // A ⊗ B = (V_A ⊗ V_B) (Λ ⊗ M) (V_A ⊗ V_B)ᵀ
            Operator::Kronecker(fs) if symmetric => {
                let es = parts(fs)?;
                let values = es.iter().fold(vec![1.0], |acc, e| outer(&acc, &e.values, |x, y| x * y));
                Ok(OperatorEigh::sorted(values, Operator::Kronecker(es.into_iter().map(|e| e.vectors).collect())))
            }
            // A ⊕ B = (V_A ⊗ V_B) (Λ ⊕ M) (V_A ⊗ V_B)ᵀ
            Operator::KroneckerSum(a, b) if symmetric => {
                let (ea, eb) = (a.eigh()?, b.eigh()?);
                let values = outer(&ea.values, &eb.values, |x, y| x + y);
                Ok(OperatorEigh::sorted(values, Operator::Kronecker(vec![ea.vectors, eb.vectors])))
            }
            // blockdiag(Bᵢ) = blockdiag(Vᵢ) blockdiag(Λᵢ) blockdiag(Vᵢ)ᵀ
            Operator::BlockDiagonal(bs) if symmetric => {
                let es = parts(bs)?;
                let values = es.iter().flat_map(|e| e.values.iter().copied()).collect();
                Ok(OperatorEigh::sorted(values, Operator::BlockDiagonal(es.into_iter().map(|e| e.vectors).collect())))
            }
            // s A = V (s Λ) Vᵀ
            Operator::Scaled(s, a) if symmetric => {
                let e = a.eigh()?;
                Ok(OperatorEigh::sorted(e.values.iter().map(|x| s * x).collect(), e.vectors))
            }
            // Aᵀ = A
            Operator::Transposed(a) if symmetric => a.eigh(),
            // No rule (or not symmetric by structure): the dense symmetric solver
            // (which checks symmetry).
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
            | Operator::Transposed(_) => Operator::Dense(self.dense()).eigh(),
        }
    }

    /// Singular values, descending (`min(m, n)` of them).
    pub fn svdvals(&self) -> Result<Vec<f64>> {
        let crate::Shape(m, n) = self.shape();
        let k = m.min(n);
        crate::memory::check_buffer("svdvals", &format!("a list of {k} singular values"), k as u128, 8)?;
        let unions = |xs: &[Operator]| xs.iter().map(Operator::svdvals).collect::<Result<Vec<_>>>();
        match self {
            // Bidiagonalisation and QR on the dense matrix.
            Operator::Dense(a) => a.svdvals(),
            // σ(diag(d)) = |d|
            Operator::Diagonal(d) => Ok(descending_padded(d.iter().map(|x| x.abs()).collect(), k)),
            // A permutation is orthogonal: every σ = 1.
            Operator::Permutation(p) => Ok(vec![1.0; p.len()]),
            // σ(A ⊗ B) = { σᵢ(A) τⱼ(B) }, zeros for the rest
            Operator::Kronecker(fs) => {
                let all = unions(fs)?;
                Ok(descending_padded(all.iter().fold(vec![1.0], |acc, s| outer(&acc, s, |x, y| x * y)), k))
            }
            // σ(blockdiag(Bᵢ)) = ∪ σ(Bᵢ), zeros for the rest
            Operator::BlockDiagonal(bs) => Ok(descending_padded(unions(bs)?.concat(), k)),
            // U Vᵀ = Q_U (R_U R_Vᵀ) Q_Vᵀ: the singular values of the k×k core
            Operator::LowRank { u, v } => {
                let (qu, qv) = (u.qr()?, v.qr()?);
                let core = qu.r.matmul(&qv.r.transpose())?;
                Ok(descending_padded(core.svdvals()?, k))
            }
            // σ(s A) = |s| σ(A)
            Operator::Scaled(s, a) => Ok(a.svdvals()?.into_iter().map(|x| s.abs() * x).collect()),
            // σ(Aᵀ) = σ(A)
            Operator::Transposed(a) => a.svdvals(),
            // No rule: singular values of the dense matrix.
            Operator::KroneckerSum(..)
            | Operator::Monarch(_)
            | Operator::Quantized(_)
            | Operator::DiagonalPlusLowRank { .. }
            | Operator::Sum(_)
            | Operator::Product(_) => self.dense().svdvals(),
        }
    }
}
