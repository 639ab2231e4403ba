//! Structured operators: matrices known by their structure, applied without
//! being formed.
//!
//! Each [`Operator`] knows its [`shape`](Operator::shape), applies itself to
//! a matrix ([`apply`](Operator::apply), [`apply_transpose`](Operator::apply_transpose)),
//! transposes into an operator of the same structure where one exists
//! ([`transpose`](Operator::transpose)), counts the numbers it stores
//! ([`storage`](Operator::storage)) and forms its dense matrix on request
//! ([`dense`](Operator::dense)). The algorithms that exploit structure live in
//! [`crate::algorithms`].

mod apply;
mod monarch;

pub use monarch::Monarch;

use crate::compress::Quantized;
use crate::error::{Error, Result, Shape};
use crate::Matrix;
use std::cell::Cell;

thread_local! {
    static DENSIFIED: Cell<u64> = const { Cell::new(0) };
}

/// How many times this thread has formed the dense matrix of a structured
/// (not `Dense`) operator: the algorithms' dense fallbacks, `dense()` and
/// everything that calls it. The catalogue test reads it around each
/// operation to check that the operations an operator's structure answers
/// never densify it.
pub fn densified() -> u64 {
    DENSIFIED.with(Cell::get)
}

/// A linear operator with known structure.
///
/// Variants with an invariant (a permutation, shapes that must agree, at
/// least one factor) are `#[non_exhaustive]`: outside this crate they are
/// built only through the validated constructors ([`Operator::kron`],
/// [`Operator::permutation`], …), and matched with `..`.
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    /// A dense matrix.
    Dense(Matrix),
    /// `diag(d)`.
    Diagonal(Vec<f64>),
    /// The permutation matrix `P` with `(P x)ᵢ = x_{p[i]}` (numpy's `eye(n)[p]`).
    #[non_exhaustive]
    Permutation(Vec<usize>),
    /// `A₁ ⊗ A₂ ⊗ … ⊗ A_k` (at least one factor), any shapes.
    #[non_exhaustive]
    Kronecker(Vec<Operator>),
    /// `A ⊕ B = A ⊗ I_m + I_n ⊗ B` for square `A` (`n×n`) and `B` (`m×m`).
    #[non_exhaustive]
    KroneckerSum(Box<Operator>, Box<Operator>),
    /// `blockdiag(B₁, …, B_k)`; blocks may be rectangular and of any sizes.
    BlockDiagonal(Vec<Operator>),
    /// A Monarch matrix `Pᵀ L P R` (see [`Monarch`]).
    Monarch(Monarch),
    /// `U Vᵀ` with `U` `m×k` and `V` `n×k`.
    #[non_exhaustive]
    LowRank {
        /// `U`, `m×k`.
        u: Matrix,
        /// `V`, `n×k`.
        v: Matrix,
    },
    /// `diag(d) + U Vᵀ` (square, `U` and `V` `n×k`).
    #[non_exhaustive]
    DiagonalPlusLowRank {
        /// The diagonal `d`, `n` entries.
        d: Vec<f64>,
        /// `U`, `n×k`.
        u: Matrix,
        /// `V`, `n×k`.
        v: Matrix,
    },
    /// A blockwise-quantized matrix (see [`crate::compress::Quantized`]).
    Quantized(Box<Quantized>),
    /// `s · A`.
    Scaled(f64, Box<Operator>),
    /// `A₁ + A₂ + …` (equal shapes, at least one term).
    #[non_exhaustive]
    Sum(Vec<Operator>),
    /// `A₁ · A₂ · … · A_k`, applied right to left (at least one factor).
    #[non_exhaustive]
    Product(Vec<Operator>),
    /// `Aᵀ` of an operator whose structure has no transpose of its own form.
    Transposed(Box<Operator>),
}

impl Operator {
    // ----- constructors (validated) -------------------------------------

    /// `A₁ ⊗ … ⊗ A_k`; a factor that is itself a Kronecker product contributes
    /// its factors, so `(A ⊗ B) ⊗ C` has three. Errors on an empty list.
    pub fn kron(factors: Vec<Operator>) -> Result<Operator> {
        if factors.is_empty() {
            return Err(Error::invalid("kron", "needs at least one factor"));
        }
        Ok(Operator::Kronecker(
            factors
                .into_iter()
                .flat_map(|f| match f {
                    Operator::Kronecker(inner) => inner,
                    other => vec![other],
                })
                .collect(),
        ))
    }

    /// `A ⊕ B = A ⊗ I + I ⊗ B`. Errors unless both are square.
    pub fn kronsum(a: Operator, b: Operator) -> Result<Operator> {
        for x in [&a, &b] {
            if !x.is_square() {
                return Err(Error::NotSquare { op: "kronsum", shape: x.shape() });
            }
        }
        Ok(Operator::KroneckerSum(Box::new(a), Box::new(b)))
    }

    /// `blockdiag(B₁, …, B_k)`; a block that is itself block-diagonal
    /// contributes its blocks. No blocks gives the `0×0` operator.
    pub fn blockdiag(blocks: Vec<Operator>) -> Operator {
        Operator::BlockDiagonal(
            blocks
                .into_iter()
                .flat_map(|b| match b {
                    Operator::BlockDiagonal(inner) => inner,
                    other => vec![other],
                })
                .collect(),
        )
    }

    /// `diag(d)`.
    pub fn diagonal(d: Vec<f64>) -> Operator {
        Operator::Diagonal(d)
    }

    /// The permutation with `(P x)ᵢ = x_{p[i]}`. Errors unless `p` holds each of
    /// `0 … n−1` exactly once.
    pub fn permutation(p: Vec<usize>) -> Result<Operator> {
        let mut seen = vec![false; p.len()];
        for &i in &p {
            if i >= p.len() || std::mem::replace(&mut seen[i], true) {
                return Err(Error::invalid(
                    "perm",
                    format!("{p:?} is not a permutation of 0…{}", p.len().saturating_sub(1)),
                ));
            }
        }
        Ok(Operator::Permutation(p))
    }

    /// `U Vᵀ`. Errors unless `U` and `V` have the same number of columns.
    pub fn lowrank(u: Matrix, v: Matrix) -> Result<Operator> {
        if u.cols() != v.cols() {
            return Err(Error::shapes("lowrank", u.shape(), v.shape(), "U and V must have the same number of columns"));
        }
        Ok(Operator::LowRank { u, v })
    }

    /// `diag(d) + U Vᵀ`. Errors unless `U`, `V` are `n×k` with `n = len(d)`.
    pub fn diag_plus_lowrank(d: Vec<f64>, u: Matrix, v: Matrix) -> Result<Operator> {
        let n = d.len();
        if u.rows() != n || v.rows() != n || u.cols() != v.cols() {
            return Err(Error::shapes(
                "diag_plus_lowrank",
                u.shape(),
                v.shape(),
                "U and V must both be n×k with n the length of d",
            ));
        }
        Ok(Operator::DiagonalPlusLowRank { d, u, v })
    }

    /// `A + B`. A diagonal plus a square low-rank term becomes
    /// [`Operator::DiagonalPlusLowRank`], so Woodbury applies. Errors unless shapes are equal.
    pub fn sum(a: Operator, b: Operator) -> Result<Operator> {
        if a.shape() != b.shape() {
            return Err(Error::shapes("+", a.shape(), b.shape(), "operands must have the same shape"));
        }
        Ok(match (a, b) {
            (Operator::Diagonal(d), Operator::LowRank { u, v })
            | (Operator::LowRank { u, v }, Operator::Diagonal(d)) => Operator::DiagonalPlusLowRank { d, u, v },
            (Operator::Sum(mut xs), Operator::Sum(ys)) => {
                xs.extend(ys);
                Operator::Sum(xs)
            }
            (Operator::Sum(mut xs), y) => {
                xs.push(y);
                Operator::Sum(xs)
            }
            (x, y) => Operator::Sum(vec![x, y]),
        })
    }

    /// `A · B`, flattening nested products. Errors unless `cols(A) = rows(B)`.
    pub fn product(a: Operator, b: Operator) -> Result<Operator> {
        if a.shape().1 != b.shape().0 {
            return Err(Error::shapes("*", a.shape(), b.shape(), "columns of the left must equal rows of the right"));
        }
        let mut factors = match a {
            Operator::Product(xs) => xs,
            x => vec![x],
        };
        match b {
            Operator::Product(ys) => factors.extend(ys),
            y => factors.push(y),
        }
        Ok(Operator::Product(factors))
    }

    /// `s · A` (nested scalings multiply out).
    pub fn scaled(s: f64, a: Operator) -> Operator {
        match a {
            Operator::Scaled(t, inner) => Operator::Scaled(s * t, inner),
            other => Operator::Scaled(s, Box::new(other)),
        }
    }

    // ----- shape and storage --------------------------------------------

    /// `(rows, cols)`.
    pub fn shape(&self) -> Shape {
        match self {
            Operator::Dense(m) => m.shape(),
            Operator::Diagonal(d) => Shape(d.len(), d.len()),
            Operator::Permutation(p) => Shape(p.len(), p.len()),
            Operator::Kronecker(fs) => fs.iter().fold(Shape(1, 1), |s, f| Shape(s.0 * f.shape().0, s.1 * f.shape().1)),
            Operator::KroneckerSum(a, b) => {
                let n = a.shape().0 * b.shape().0;
                Shape(n, n)
            }
            Operator::BlockDiagonal(bs) => {
                bs.iter().fold(Shape(0, 0), |s, b| Shape(s.0 + b.shape().0, s.1 + b.shape().1))
            }
            Operator::Monarch(m) => Shape(m.size(), m.size()),
            Operator::LowRank { u, v } => Shape(u.rows(), v.rows()),
            Operator::DiagonalPlusLowRank { d, .. } => Shape(d.len(), d.len()),
            Operator::Quantized(q) => q.shape(),
            Operator::Scaled(_, a) => a.shape(),
            Operator::Sum(xs) => xs[0].shape(),
            Operator::Product(xs) => Shape(xs[0].shape().0, xs[xs.len() - 1].shape().1),
            Operator::Transposed(a) => {
                let Shape(m, n) = a.shape();
                Shape(n, m)
            }
        }
    }

    /// Whether rows == cols.
    pub fn is_square(&self) -> bool {
        let Shape(m, n) = self.shape();
        m == n
    }

    /// How many numbers the operator stores (a permutation stores its `n` indices).
    pub fn storage(&self) -> usize {
        match self {
            Operator::Dense(m) => m.len(),
            Operator::Diagonal(d) => d.len(),
            Operator::Permutation(p) => p.len(),
            Operator::Kronecker(xs) | Operator::BlockDiagonal(xs) | Operator::Sum(xs) | Operator::Product(xs) => {
                xs.iter().map(Operator::storage).sum()
            }
            Operator::KroneckerSum(a, b) => a.storage() + b.storage(),
            Operator::Monarch(m) => m.storage(),
            Operator::LowRank { u, v } => u.len() + v.len(),
            Operator::DiagonalPlusLowRank { d, u, v } => d.len() + u.len() + v.len(),
            Operator::Quantized(q) => q.storage(),
            Operator::Scaled(_, a) => 1 + a.storage(),
            Operator::Transposed(a) => a.storage(),
        }
    }

    /// A short name of the structure, e.g. `Kronecker (2×2 ⊗ 4×4)`.
    pub fn structure(&self) -> String {
        let join = |xs: &[Operator], sep: &str| xs.iter().map(|x| x.shape().to_string()).collect::<Vec<_>>().join(sep);
        match self {
            Operator::Dense(_) => "dense".into(),
            Operator::Diagonal(_) => "diagonal".into(),
            Operator::Permutation(_) => "permutation".into(),
            Operator::Kronecker(xs) => format!("Kronecker ({})", join(xs, " ⊗ ")),
            Operator::KroneckerSum(a, b) => format!("Kronecker sum ({} ⊕ {})", a.shape(), b.shape()),
            Operator::BlockDiagonal(xs) => format!("block-diagonal ({} blocks)", xs.len()),
            Operator::Monarch(m) => format!(
                "Monarch ({} blocks of {}, {} of {})",
                m.nblocks(),
                Shape(m.block_size(), m.block_size()),
                m.block_size(),
                Shape(m.nblocks(), m.nblocks())
            ),
            Operator::LowRank { u, .. } => format!("low-rank (rank ≤ {})", u.cols()),
            Operator::DiagonalPlusLowRank { u, .. } => format!("diagonal plus low-rank (rank ≤ {})", u.cols()),
            Operator::Quantized(q) => q.structure(),
            Operator::Scaled(s, a) => format!("scaled ({s} · {})", a.structure()),
            Operator::Sum(xs) => format!("sum of {}", xs.len()),
            Operator::Product(xs) => format!("product ({})", join(xs, " · ")),
            Operator::Transposed(a) => format!("transposed {}", a.structure()),
        }
    }

    // ----- transpose and dense ------------------------------------------

    /// `Aᵀ`, keeping the structure: `(A⊗B)ᵀ = Aᵀ⊗Bᵀ`, `(U Vᵀ)ᵀ = V Uᵀ`,
    /// `Pᵀ = P⁻¹`, `(AB)ᵀ = BᵀAᵀ`, and so on.
    pub fn transpose(&self) -> Operator {
        let all = |xs: &[Operator]| xs.iter().map(Operator::transpose).collect::<Vec<_>>();
        match self {
            Operator::Dense(m) => Operator::Dense(m.transpose()),
            Operator::Diagonal(_) => self.clone(),
            Operator::Permutation(p) => Operator::Permutation(invert_permutation(p)),
            Operator::Kronecker(xs) => Operator::Kronecker(all(xs)),
            Operator::KroneckerSum(a, b) => Operator::KroneckerSum(Box::new(a.transpose()), Box::new(b.transpose())),
            Operator::BlockDiagonal(xs) => Operator::BlockDiagonal(all(xs)),
            Operator::Monarch(_) | Operator::Quantized(_) => Operator::Transposed(Box::new(self.clone())),
            Operator::LowRank { u, v } => Operator::LowRank { u: v.clone(), v: u.clone() },
            Operator::DiagonalPlusLowRank { d, u, v } => {
                Operator::DiagonalPlusLowRank { d: d.clone(), u: v.clone(), v: u.clone() }
            }
            Operator::Scaled(s, a) => Operator::Scaled(*s, Box::new(a.transpose())),
            Operator::Sum(xs) => Operator::Sum(all(xs)),
            Operator::Product(xs) => Operator::Product(xs.iter().rev().map(Operator::transpose).collect()),
            Operator::Transposed(a) => (**a).clone(),
        }
    }

    /// The dense matrix (`A · I`; cost of one apply to `n` columns).
    ///
    /// # Panics
    /// With an [`Error::OutOfMemory`] payload when the matrix cannot be
    /// allocated ([`crate::memory::guard`]); [`Operator::try_dense`] returns it.
    pub fn dense(&self) -> Matrix {
        match self {
            Operator::Dense(m) => m.clone(),
            Operator::Quantized(q) => {
                DENSIFIED.with(|c| c.set(c.get() + 1));
                q.dequantize()
            }
            _ => {
                let Shape(m, n) = self.shape();
                crate::memory::guard(m, n);
                DENSIFIED.with(|c| c.set(c.get() + 1));
                self.apply_unchecked(&Matrix::eye(n), false)
            }
        }
    }

    /// The dense matrix, or [`Error::OutOfMemory`] when it cannot be allocated.
    pub fn try_dense(&self) -> Result<Matrix> {
        let Shape(m, n) = self.shape();
        crate::memory::check("dense", m, n)?;
        Ok(self.dense())
    }

    /// `A X`. Cost is the structure's: `O(N Σ nᵢ)` for a Kronecker product of
    /// square factors, `O(n(b + n/b))` for a Monarch matrix, `O((m+n)k)` for
    /// low rank, per column of `X`. Errors unless `rows(X) = cols(A)`.
    pub fn apply(&self, x: &Matrix) -> Result<Matrix> {
        self.check_apply(x, false)?;
        Ok(self.apply_unchecked(x, false))
    }

    /// `Aᵀ X` without forming `Aᵀ`. Errors unless `rows(X) = rows(A)`.
    pub fn apply_transpose(&self, x: &Matrix) -> Result<Matrix> {
        self.check_apply(x, true)?;
        Ok(self.apply_unchecked(x, true))
    }

    fn check_apply(&self, x: &Matrix, transposed: bool) -> Result<()> {
        let Shape(m, n) = self.shape();
        let inner = if transposed { m } else { n };
        if x.rows() != inner {
            let shape = if transposed { Shape(n, m) } else { Shape(m, n) };
            return Err(Error::shapes("*", shape, x.shape(), "columns of the left must equal rows of the right"));
        }
        Ok(())
    }
}

/// `p⁻¹`, so that `q[p[i]] = i`.
pub(crate) fn invert_permutation(p: &[usize]) -> Vec<usize> {
    let mut q = vec![0; p.len()];
    for (i, &pi) in p.iter().enumerate() {
        q[pi] = i;
    }
    q
}

impl From<Matrix> for Operator {
    fn from(m: Matrix) -> Self {
        Operator::Dense(m)
    }
}

/// The lengths of the cycles of a permutation.
pub(crate) fn cycle_lengths(p: &[usize]) -> Vec<usize> {
    let mut seen = vec![false; p.len()];
    let mut lengths = vec![];
    for start in 0..p.len() {
        let mut len = 0;
        let mut i = start;
        while !seen[i] {
            seen[i] = true;
            i = p[i];
            len += 1;
        }
        if len > 0 {
            lengths.push(len);
        }
    }
    lengths
}
