//! The operator catalogue: one list of structured operators, each with what it
//! supports and which operations its structure must answer without forming the
//! dense matrix (CoLA's `operator_market`, in Rust). The operation suite
//! (`tests/catalogue.rs`), the figure suite (spy patterns) and the device suite
//! (GPU apply) all run over it, and a test fails when an [`Operator`] variant
//! has no entry.
//!
//! Building the catalogue costs a few milliseconds: the largest entry is
//! 272×272.

use crate::compress::{Quantized, Scheme};
use crate::{Matrix, Monarch, Operator, Result, Rng};

/// What an entry supports beyond apply, transpose and dense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Square and nonsingular: det, inverse, solve, eigvals, expm.
    Invertible,
    /// Square, symmetric positive definite: also eigh and chol.
    Spd,
    /// Square but singular (det 0, no inverse).
    Singular,
    /// Rectangular.
    Rectangular,
}

impl Kind {
    /// Whether the operator is square.
    pub fn is_square(self) -> bool {
        self != Kind::Rectangular
    }
}

/// The operations the catalogue runs, for the entries' declarations of which
/// ones their structure answers without densifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// [`Operator::det`].
    Det,
    /// [`Operator::inverse`].
    Inverse,
    /// [`Operator::solve`] against a column of ones.
    Solve,
    /// [`Operator::trace`].
    Trace,
    /// [`Operator::eigvals`].
    Eigvals,
    /// [`Operator::eigh`].
    Eigh,
    /// [`Operator::svdvals`].
    Svdvals,
    /// [`Operator::chol`].
    Chol,
    /// [`Operator::expm`].
    Expm,
}

impl Operation {
    /// Every operation.
    pub const ALL: &'static [Operation] = &[
        Operation::Det,
        Operation::Inverse,
        Operation::Solve,
        Operation::Trace,
        Operation::Eigvals,
        Operation::Eigh,
        Operation::Svdvals,
        Operation::Chol,
        Operation::Expm,
    ];

    /// Runs the operation on `op`, keeping only whether it succeeded.
    pub fn run(self, op: &Operator) -> Result<()> {
        match self {
            Operation::Det => op.det().map(drop),
            Operation::Inverse => op.inverse().map(drop),
            Operation::Solve => op.solve(&Matrix::ones(op.shape().0, 1)).map(drop),
            Operation::Trace => op.trace().map(drop),
            Operation::Eigvals => op.eigvals().map(drop),
            Operation::Eigh => op.eigh().map(drop),
            Operation::Svdvals => op.svdvals().map(drop),
            Operation::Chol => op.chol().map(drop),
            Operation::Expm => op.expm().map(drop),
        }
    }
}

/// One operator of the catalogue.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What it is, for failure messages ("kron 3×3 ⊗ 4×4").
    pub name: &'static str,
    /// The operator.
    pub op: Operator,
    /// What it supports.
    pub kind: Kind,
    /// The operations that must never form its dense matrix.
    pub structured: &'static [Operation],
}

/// The name of `op`'s variant. The match is exhaustive, so a new variant does
/// not compile until it is named here and in [`VARIANTS`].
pub fn variant(op: &Operator) -> &'static str {
    match op {
        Operator::Dense { .. } => "Dense",
        Operator::Diagonal { .. } => "Diagonal",
        Operator::Permutation { .. } => "Permutation",
        Operator::Kronecker { .. } => "Kronecker",
        Operator::KroneckerSum { .. } => "KroneckerSum",
        Operator::BlockDiagonal { .. } => "BlockDiagonal",
        Operator::Monarch { .. } => "Monarch",
        Operator::LowRank { .. } => "LowRank",
        Operator::DiagonalPlusLowRank { .. } => "DiagonalPlusLowRank",
        Operator::Quantized { .. } => "Quantized",
        Operator::Scaled { .. } => "Scaled",
        Operator::Sum { .. } => "Sum",
        Operator::Product { .. } => "Product",
        Operator::Transposed { .. } => "Transposed",
    }
}

/// Every variant name [`variant`] gives.
pub const VARIANTS: [&str; 14] = [
    "Dense",
    "Diagonal",
    "Permutation",
    "Kronecker",
    "KroneckerSum",
    "BlockDiagonal",
    "Monarch",
    "LowRank",
    "DiagonalPlusLowRank",
    "Quantized",
    "Scaled",
    "Sum",
    "Product",
    "Transposed",
];

/// A random matrix with singular values bounded away from zero: `randn + shift·I`.
pub fn well_conditioned(rng: &mut Rng, n: usize, shift: f64) -> Matrix {
    rng.randn(n, n).add(&Matrix::eye(n).scale(shift)).expect("equal shapes")
}

/// A random symmetric positive definite matrix `G Gᵀ + n I`.
pub fn spd(rng: &mut Rng, n: usize) -> Matrix {
    let g = rng.randn(n, n);
    g.matmul(&g.transpose()).expect("conformable").add(&Matrix::eye(n).scale(n as f64)).expect("equal shapes")
}

/// A random `m×n` matrix with about 38% of its entries non-zero (those of
/// `randn` above 0.3), for non-zero patterns: random values never cancel.
pub fn sparse(rng: &mut Rng, m: usize, n: usize) -> Matrix {
    rng.randn(m, n).map(|x| if x > 0.3 { x } else { 0.0 })
}

/// The catalogue, from a fixed seed.
pub fn catalogue() -> Vec<Entry> {
    use Kind::*;
    use Operation::*;
    // Operators whose every operation has a rule (or errors before densifying).
    const EVERY: &[Operation] = Operation::ALL;
    // A Kronecker product of square factors: everything goes through the factors.
    const FACTORWISE: &[Operation] = &[Det, Inverse, Solve, Trace, Eigvals, Svdvals];
    // Pᵀ L P R: block-diagonal and permutation factors.
    const MONARCH: &[Operation] = &[Det, Inverse, Solve, Trace];
    // diag(d) + U Vᵀ: the determinant lemma and Woodbury.
    const WOODBURY: &[Operation] = &[Det, Inverse, Solve, Trace];
    let mut rng = Rng::seeded(20261127);
    let r = &mut rng;
    let dense = Operator::Dense;
    let wc = |r: &mut Rng, n: usize| dense(well_conditioned(r, n, 3.0));
    let sp = |r: &mut Rng, n: usize| dense(spd(r, n));
    let kron = |factors: Vec<Operator>| Operator::kron(factors).expect("non-empty factors");
    let entry = |name, op, kind, structured| Entry { name, op, kind, structured };
    let mut cat = vec![
        entry("dense 5×5", wc(r, 5), Invertible, EVERY),
        entry("dense 1×1", dense(Matrix::scalar(-2.5)), Invertible, EVERY),
        entry("dense 0×0", dense(Matrix::zeros(0, 0)), Invertible, EVERY),
        entry("dense 3×5", dense(r.randn(3, 5)), Rectangular, EVERY),
        entry("diagonal", Operator::diagonal(vec![2.0, -0.5, 3.0, 1.5]), Invertible, EVERY),
        entry("diagonal positive", Operator::diagonal(vec![2.0, 0.5, 3.0, 1.5]), Spd, EVERY),
        entry("diagonal singular", Operator::diagonal(vec![2.0, 0.0, 3.0]), Singular, EVERY),
        entry(
            "permutation",
            Operator::permutation(vec![2, 0, 1, 4, 3, 5]).expect("a permutation"),
            Invertible,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals],
        ),
        entry("kron 3×3 ⊗ 4×4", kron(vec![wc(r, 3), wc(r, 4)]), Invertible, FACTORWISE),
        entry("kron 2×2 ⊗ 3×3 ⊗ 2×2", kron(vec![wc(r, 2), wc(r, 3), wc(r, 2)]), Invertible, FACTORWISE),
        // Sides that are not multiples of a GPU cube.
        entry("kron 17×17 ⊗ 16×16", kron(vec![wc(r, 17), wc(r, 16)]), Invertible, FACTORWISE),
        // rank(A ⊗ B) = rank A · rank B = 4 < 6
        entry("kron 2×3 ⊗ 3×2", kron(vec![dense(r.randn(2, 3)), dense(r.randn(3, 2))]), Singular, &[Svdvals]),
        entry("kron 2×3 ⊗ 4×1", kron(vec![dense(r.randn(2, 3)), dense(r.randn(4, 1))]), Rectangular, EVERY),
        entry(
            "kron 2×2 ⊗ 1×3 ⊗ 3×3",
            kron(vec![dense(r.randn(2, 2)), dense(r.randn(1, 3)), dense(r.randn(3, 3))]),
            Rectangular,
            EVERY,
        ),
        entry(
            "kron of sparse 4×3 ⊗ 5×6",
            kron(vec![dense(sparse(r, 4, 3)), dense(sparse(r, 5, 6))]),
            Rectangular,
            EVERY,
        ),
        entry(
            "kron diagonal ⊗ permutation",
            kron(vec![
                Operator::diagonal(vec![1.5, -2.0]),
                Operator::permutation(vec![1, 2, 0]).expect("a permutation"),
            ]),
            Invertible,
            FACTORWISE,
        ),
        entry(
            "kron spd ⊗ spd",
            kron(vec![sp(r, 3), sp(r, 2)]),
            Spd,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals, Chol, Eigh],
        ),
        entry("kron 1×1 ⊗ 3×3", kron(vec![dense(Matrix::scalar(2.0)), wc(r, 3)]), Invertible, FACTORWISE),
        entry(
            "kronsum 3 ⊕ 2",
            Operator::kronsum(wc(r, 3), wc(r, 2)).expect("square terms"),
            Invertible,
            &[Det, Trace, Eigvals, Expm],
        ),
        entry(
            "kronsum spd ⊕ spd",
            Operator::kronsum(sp(r, 3), sp(r, 4)).expect("square terms"),
            Spd,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Expm],
        ),
        entry(
            "kronsum of sparse 4 ⊕ 5 (+ 3I each)",
            Operator::kronsum(dense(shifted(sparse(r, 4, 4))), dense(shifted(sparse(r, 5, 5)))).expect("square terms"),
            Invertible,
            &[Det, Trace, Eigvals, Expm],
        ),
        entry(
            "blockdiag ragged",
            Operator::blockdiag(vec![wc(r, 2), wc(r, 3), dense(Matrix::scalar(4.0))]),
            Invertible,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals, Chol, Expm],
        ),
        entry("blockdiag spd", Operator::blockdiag(vec![sp(r, 2), sp(r, 3)]), Spd, EVERY),
        entry(
            "blockdiag rectangular 2×3 ⊕ 3×2",
            Operator::blockdiag(vec![dense(r.randn(2, 3)), dense(r.randn(3, 2))]),
            Singular,
            &[Svdvals],
        ),
        entry(
            "blockdiag rectangular 2×3 ⊕ 1×2",
            Operator::blockdiag(vec![dense(r.randn(2, 3)), dense(r.randn(1, 2))]),
            Rectangular,
            EVERY,
        ),
        entry(
            "blockdiag with empty blocks 0×2 ⊕ 5×5 ⊕ 3×0",
            Operator::blockdiag(vec![dense(r.randn(0, 2)), wc(r, 5), dense(r.randn(3, 0))]),
            Rectangular,
            EVERY,
        ),
        entry(
            "blockdiag of sparse 3×5 ⊕ diagonal ⊕ 4×2",
            Operator::blockdiag(vec![
                dense(sparse(r, 3, 5)),
                Operator::diagonal(vec![1.0, 0.0, 2.0]),
                dense(sparse(r, 4, 2)),
            ]),
            Singular,
            &[Svdvals],
        ),
        entry("blockdiag empty", Operator::blockdiag(vec![]), Invertible, EVERY),
        entry("monarch 16 / 4", monarch(r, 16, 4), Invertible, MONARCH),
        entry("monarch 12 / 3", monarch(r, 12, 3), Invertible, MONARCH),
        entry("monarch 64 / 8", monarch(r, 64, 8), Invertible, MONARCH),
        entry("monarch 6 / 6", monarch(r, 6, 6), Invertible, MONARCH),
        entry("monarch 5 / 1", monarch(r, 5, 1), Invertible, MONARCH),
        entry(
            "lowrank 6×6 rank 2",
            Operator::lowrank(r.randn(6, 2), r.randn(6, 2)).expect("equal ranks"),
            Singular,
            &[Det, Inverse, Solve, Trace, Svdvals],
        ),
        entry(
            "lowrank 5×7 rank 2",
            Operator::lowrank(r.randn(5, 2), r.randn(7, 2)).expect("equal ranks"),
            Rectangular,
            EVERY,
        ),
        entry(
            "lowrank of sparse 9×7 rank 2",
            Operator::lowrank(sparse(r, 9, 2), sparse(r, 7, 2)).expect("equal ranks"),
            Rectangular,
            EVERY,
        ),
        entry(
            "lowrank 3×3 rank 4",
            Operator::lowrank(r.randn(3, 4), r.randn(3, 4)).expect("equal ranks"),
            Invertible,
            &[Trace, Svdvals],
        ),
        entry(
            "diag + lowrank",
            Operator::diag_plus_lowrank(vec![3.0, 2.0, 4.0, 5.0, 2.5, 3.5], r.randn(6, 2), r.randn(6, 2))
                .expect("conformable"),
            Invertible,
            WOODBURY,
        ),
        entry(
            "scaled kron",
            Operator::scaled(-1.5, kron(vec![wc(r, 2), wc(r, 3)])),
            Invertible,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals],
        ),
        entry(
            "scaled spd",
            Operator::scaled(2.0, sp(r, 3)),
            Spd,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Svdvals, Chol],
        ),
        entry(
            "sum dense + kron",
            Operator::sum(wc(r, 6), kron(vec![wc(r, 2), wc(r, 3)])).expect("equal shapes"),
            Invertible,
            &[Trace],
        ),
        entry(
            "product kron · dense",
            Operator::product(kron(vec![wc(r, 2), wc(r, 3)]), wc(r, 6)).expect("conformable"),
            Invertible,
            &[Det, Inverse, Solve],
        ),
        entry(
            "product 3×5 · 5×4",
            Operator::product(dense(r.randn(3, 5)), dense(r.randn(5, 4))).expect("conformable"),
            Rectangular,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Chol, Expm],
        ),
        entry(
            "product of sparse 6×4 · 4×7",
            Operator::product(dense(sparse(r, 6, 4)), dense(sparse(r, 4, 7))).expect("conformable"),
            Rectangular,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Chol, Expm],
        ),
    ];
    cat.push(entry("transposed monarch", monarch(r, 9, 3).transpose(), Invertible, MONARCH));
    let t = kron(vec![dense(sparse(r, 3, 4)), dense(sparse(r, 2, 5))]).transpose();
    cat.push(entry("transposed kron of sparse 3×4 ⊗ 2×5", t, Rectangular, EVERY));
    let u = r.randn(5, 2);
    let d = Operator::diagonal(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    let symmetric = Operator::sum(d, Operator::lowrank(u.clone(), u).expect("equal ranks")).expect("equal shapes");
    cat.push(entry("diag + lowrank symmetric", symmetric, Spd, WOODBURY));
    // Quantized operators have no rules: every operation dequantizes.
    let quantized = |w: &Matrix, scheme, block, double| {
        Quantized::new(w, scheme, block, double).expect("finite entries and a block of at least 1")
    };
    let nf4 = quantized(&well_conditioned(r, 5, 3.0), Scheme::NormalFloat { bits: 4 }, 8, true);
    cat.push(entry("quantized nf4 5×5, double", Operator::Quantized(Box::new(nf4)), Invertible, &[]));
    let asym = quantized(&r.randn(3, 5), Scheme::IntAsym { bits: 4 }, 4, false);
    cat.push(entry("quantized int4-asym 3×5", Operator::Quantized(Box::new(asym)), Rectangular, &[]));
    let w = r.randn(4, 6);
    let lorc =
        crate::compress::lorc(&w, quantized(&w, Scheme::NormalFloat { bits: 2 }, 6, false), 2).expect("rank 2 ≤ 4");
    cat.push(entry("lorc nf2 4×6 + rank 2", lorc, Rectangular, &[]));
    let scales = crate::compress::ScaleQuant::Uniform { bits: 3, dtype: crate::compress::ScaleDtype::Bf16, group: 2 };
    let nf3 = Quantized::with_scales(&r.randn(3, 7), Scheme::NormalFloat { bits: 3 }, 4, scales).expect("finite");
    cat.push(entry("quantized nf3 3×7, uniform scales", Operator::Quantized(Box::new(nf3)), Rectangular, &[]));
    cat
}

/// `A + 3I`: a sparse square matrix made safely nonsingular.
fn shifted(a: Matrix) -> Matrix {
    a.add(&Matrix::eye(a.rows()).scale(3.0)).expect("square")
}

fn monarch(r: &mut Rng, n: usize, blocks: usize) -> Operator {
    Operator::Monarch(Monarch::random(n, blocks, r).expect("blocks divide n"))
}
