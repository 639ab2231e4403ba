//! The operator catalogue: every structured operator against its dense form,
//! and every structure-aware algorithm against the dense algorithm on the same
//! operator (CoLA's `operator_market`, in Rust).

use tessera::{Matrix, Monarch, Operator, Rng};
use tessera_tests::*;

/// What an entry of the catalogue supports beyond apply/transpose/dense.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Square and nonsingular: det, inverse, solve, eigvals, expm.
    Invertible,
    /// Square, symmetric positive definite: also eigh and chol.
    Spd,
    /// Square but singular (det 0, no inverse).
    Singular,
    /// Rectangular.
    Rectangular,
}

fn dense(m: Matrix) -> Operator {
    Operator::Dense(m)
}

/// The operations the catalogue runs, for the entries' declarations of
/// which ones their structure answers without forming the dense matrix.
#[derive(Debug, Clone, Copy)]
enum Op {
    Det,
    Inverse,
    Solve,
    Trace,
    Eigvals,
    Eigh,
    Svdvals,
    Chol,
    Expm,
}

/// A catalogue entry: its name, the operator, what it supports, and the
/// operations that must stay structured (never densify it).
type Entry = (&'static str, Operator, Kind, &'static [Op]);

fn catalogue() -> Vec<Entry> {
    use Kind::*;
    use Op::*;
    // Dense operators, and operators whose every operation has a rule (or errors first).
    const EVERY: &[Op] = &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Svdvals, Chol, Expm];
    // A Kronecker product of square factors: everything goes through the factors.
    const FACTORWISE: &[Op] = &[Det, Inverse, Solve, Trace, Eigvals, Svdvals];
    // Pᵀ L P R: block-diagonal and permutation factors.
    const MONARCH: &[Op] = &[Det, Inverse, Solve, Trace];
    // diag(d) + U Vᵀ: the determinant lemma and Woodbury.
    const WOODBURY: &[Op] = &[Det, Inverse, Solve, Trace];
    let mut rng = Rng::seeded(20261127);
    let r = &mut rng;
    let wc = |r: &mut Rng, n: usize| dense(well_conditioned(r, n, 3.0));
    let sp = |r: &mut Rng, n: usize| dense(spd(r, n));
    let mut cat = vec![
        ("dense 5×5", wc(r, 5), Invertible, EVERY),
        ("dense 1×1", dense(Matrix::scalar(-2.5)), Invertible, EVERY),
        ("dense 0×0", dense(Matrix::zeros(0, 0)), Invertible, EVERY),
        ("dense 3×5", dense(r.randn(3, 5)), Rectangular, EVERY),
        ("diagonal", Operator::diagonal(vec![2.0, -0.5, 3.0, 1.5]), Invertible, EVERY),
        ("diagonal positive", Operator::diagonal(vec![2.0, 0.5, 3.0, 1.5]), Spd, EVERY),
        ("diagonal singular", Operator::diagonal(vec![2.0, 0.0, 3.0]), Singular, EVERY),
        (
            "permutation",
            Operator::permutation(vec![2, 0, 1, 4, 3, 5]).unwrap(),
            Invertible,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals],
        ),
        ("kron 3×3 ⊗ 4×4", Operator::kron(vec![wc(r, 3), wc(r, 4)]).unwrap(), Invertible, FACTORWISE),
        ("kron 2×2 ⊗ 3×3 ⊗ 2×2", Operator::kron(vec![wc(r, 2), wc(r, 3), wc(r, 2)]).unwrap(), Invertible, FACTORWISE),
        // rank(A ⊗ B) = rank A · rank B = 4 < 6
        (
            "kron 2×3 ⊗ 3×2",
            Operator::kron(vec![dense(r.randn(2, 3)), dense(r.randn(3, 2))]).unwrap(),
            Singular,
            &[Svdvals],
        ),
        (
            "kron 2×3 ⊗ 4×1",
            Operator::kron(vec![dense(r.randn(2, 3)), dense(r.randn(4, 1))]).unwrap(),
            Rectangular,
            EVERY,
        ),
        (
            "kron diagonal ⊗ permutation",
            Operator::kron(vec![Operator::diagonal(vec![1.5, -2.0]), Operator::permutation(vec![1, 2, 0]).unwrap()])
                .unwrap(),
            Invertible,
            FACTORWISE,
        ),
        (
            "kron spd ⊗ spd",
            Operator::kron(vec![sp(r, 3), sp(r, 2)]).unwrap(),
            Spd,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals, Chol, Eigh],
        ),
        ("kron 1×1 ⊗ 3×3", Operator::kron(vec![dense(Matrix::scalar(2.0)), wc(r, 3)]).unwrap(), Invertible, FACTORWISE),
        ("kronsum 3 ⊕ 2", Operator::kronsum(wc(r, 3), wc(r, 2)).unwrap(), Invertible, &[Det, Trace, Eigvals, Expm]),
        (
            "kronsum spd ⊕ spd",
            Operator::kronsum(sp(r, 3), sp(r, 4)).unwrap(),
            Spd,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Expm],
        ),
        (
            "blockdiag ragged",
            Operator::blockdiag(vec![wc(r, 2), wc(r, 3), dense(Matrix::scalar(4.0))]),
            Invertible,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals, Chol, Expm],
        ),
        ("blockdiag spd", Operator::blockdiag(vec![sp(r, 2), sp(r, 3)]), Spd, EVERY),
        (
            "blockdiag rectangular 2×3 ⊕ 3×2",
            Operator::blockdiag(vec![dense(r.randn(2, 3)), dense(r.randn(3, 2))]),
            Singular,
            &[Svdvals],
        ),
        (
            "blockdiag rectangular 2×3 ⊕ 1×2",
            Operator::blockdiag(vec![dense(r.randn(2, 3)), dense(r.randn(1, 2))]),
            Rectangular,
            EVERY,
        ),
        ("blockdiag empty", Operator::blockdiag(vec![]), Invertible, EVERY),
        ("monarch 16 / 4", Operator::Monarch(Monarch::random(16, 4, r).unwrap()), Invertible, MONARCH),
        ("monarch 12 / 3", Operator::Monarch(Monarch::random(12, 3, r).unwrap()), Invertible, MONARCH),
        ("monarch 6 / 6", Operator::Monarch(Monarch::random(6, 6, r).unwrap()), Invertible, MONARCH),
        ("monarch 5 / 1", Operator::Monarch(Monarch::random(5, 1, r).unwrap()), Invertible, MONARCH),
        (
            "lowrank 6×6 rank 2",
            Operator::lowrank(r.randn(6, 2), r.randn(6, 2)).unwrap(),
            Singular,
            &[Det, Inverse, Solve, Trace, Svdvals],
        ),
        ("lowrank 5×7 rank 2", Operator::lowrank(r.randn(5, 2), r.randn(7, 2)).unwrap(), Rectangular, EVERY),
        ("lowrank 3×3 rank 4", Operator::lowrank(r.randn(3, 4), r.randn(3, 4)).unwrap(), Invertible, &[Trace, Svdvals]),
        (
            "diag + lowrank",
            Operator::diag_plus_lowrank(vec![3.0, 2.0, 4.0, 5.0, 2.5, 3.5], r.randn(6, 2), r.randn(6, 2)).unwrap(),
            Invertible,
            WOODBURY,
        ),
        (
            "scaled kron",
            Operator::scaled(-1.5, Operator::kron(vec![wc(r, 2), wc(r, 3)]).unwrap()),
            Invertible,
            &[Det, Inverse, Solve, Trace, Eigvals, Svdvals],
        ),
        (
            "scaled spd",
            Operator::scaled(2.0, sp(r, 3)),
            Spd,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Svdvals, Chol],
        ),
        (
            "sum dense + kron",
            Operator::sum(wc(r, 6), Operator::kron(vec![wc(r, 2), wc(r, 3)]).unwrap()).unwrap(),
            Invertible,
            &[Trace],
        ),
        (
            "product kron · dense",
            Operator::product(Operator::kron(vec![wc(r, 2), wc(r, 3)]).unwrap(), wc(r, 6)).unwrap(),
            Invertible,
            &[Det, Inverse, Solve],
        ),
        (
            "product 3×5 · 5×4",
            Operator::product(dense(r.randn(3, 5)), dense(r.randn(5, 4))).unwrap(),
            Rectangular,
            &[Det, Inverse, Solve, Trace, Eigvals, Eigh, Chol, Expm],
        ),
    ];
    let m = Operator::Monarch(Monarch::random(9, 3, r).unwrap());
    cat.push(("transposed monarch", m.transpose(), Invertible, MONARCH));
    let u = r.randn(5, 2);
    let d = Operator::diagonal(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    cat.push((
        "diag + lowrank symmetric",
        Operator::sum(d, Operator::lowrank(u.clone(), u).unwrap()).unwrap(),
        Spd,
        WOODBURY,
    ));
    cat
}

const TOL: f64 = 1e-12;

#[test]
fn apply_matches_dense() {
    let mut rng = Rng::seeded(1);
    for (name, op, _, _) in catalogue() {
        let a = op.dense();
        assert_eq!(a.shape(), op.shape(), "{name}: shape");
        for cols in [1, 3] {
            let x = rng.randn(a.cols(), cols);
            assert_close(&op.apply(&x).unwrap(), &a.matmul(&x).unwrap(), TOL, &format!("{name}: A x"));
            let y = rng.randn(a.rows(), cols);
            let at = a.transpose();
            assert_close(&op.apply_transpose(&y).unwrap(), &at.matmul(&y).unwrap(), TOL, &format!("{name}: Aᵀ y"));
            assert_close(&op.transpose().apply(&y).unwrap(), &at.matmul(&y).unwrap(), TOL, &format!("{name}: (Aᵀ) y"));
        }
        assert_close(&op.transpose().dense(), &a.transpose(), TOL, &format!("{name}: transpose"));
        assert_close(&op.transpose().transpose().dense(), &a, TOL, &format!("{name}: double transpose"));
    }
}

#[test]
fn dense_form_matches_independent_construction() {
    let mut r = Rng::seeded(2);
    let (a, b, c) = (r.randn(2, 3), r.randn(3, 2), r.randn(2, 2));
    let k = Operator::kron(vec![a.clone().into(), b.clone().into(), c.clone().into()]).unwrap();
    assert_close(&k.dense(), &a.kron(&b).kron(&c), 1e-15, "kron dense");
    let bd = Operator::blockdiag(vec![a.clone().into(), b.clone().into()]).dense();
    let expected = Matrix::from_fn(5, 5, |i, j| match (i, j) {
        (0..=1, 0..=2) => a[(i, j)],
        (2..=4, 3..=4) => b[(i - 2, j - 3)],
        _ => 0.0,
    });
    assert_eq!(bd, expected);
    let ks = Operator::kronsum(c.clone().into(), Operator::Dense(a.matmul(&b).unwrap())).unwrap().dense();
    let expected = c.kron(&Matrix::eye(2)).add(&Matrix::eye(2).kron(&a.matmul(&b).unwrap())).unwrap();
    assert_close(&ks, &expected, 0.0, "kronsum dense");
    let p = Operator::permutation(vec![2, 0, 1]).unwrap().dense();
    assert_eq!(p, Matrix::eye(3).select(&[2, 0, 1], &[0, 1, 2]).unwrap());
}

#[test]
fn storage_counts_numbers_kept() {
    let mut r = Rng::seeded(3);
    let k = Operator::kron(vec![r.randn(2, 2).into(), r.randn(4, 4).into()]).unwrap();
    assert_eq!(k.storage(), 20);
    assert_eq!(k.structure(), "Kronecker (2×2 ⊗ 4×4)");
    let m = Operator::Monarch(Monarch::random(4096, 64, &mut r).unwrap());
    assert_eq!(m.storage(), 2 * 64 * 64 * 64);
    assert_eq!(Operator::lowrank(r.randn(10, 3), r.randn(8, 3)).unwrap().storage(), 54);
    assert_eq!(Operator::diagonal(vec![1.0; 7]).storage(), 7);
}

fn square(kind: Kind) -> bool {
    kind != Kind::Rectangular
}

#[test]
fn determinant_matches_dense() {
    for (name, op, kind, _) in catalogue().into_iter().filter(|c| square(c.2)) {
        let a = op.dense();
        let expected = a.det().unwrap();
        let got = op.det().unwrap();
        if kind == Kind::Singular {
            assert!(
                got.abs() <= 1e-12 * a.norm_fro().powi(a.rows() as i32).max(1.0),
                "{name}: det {got:e} of a singular operator"
            );
            continue;
        }
        assert_close_scalar(got, expected, 1e-11, &format!("{name}: det"));
        let (s, e) = (op.logabsdet().unwrap(), a.logabsdet().unwrap());
        assert_eq!(s.sign, e.sign, "{name}: sign of det");
        assert_close_scalar(s.log_abs, e.log_abs, 1e-11, &format!("{name}: log|det|"));
    }
}

#[test]
fn inverse_and_solve_match_dense() {
    let mut rng = Rng::seeded(4);
    for (name, op, kind, _) in catalogue() {
        let a = op.dense();
        match kind {
            Kind::Rectangular => assert!(op.inverse().is_err(), "{name}: inverse of a rectangular operator"),
            Kind::Singular => {
                assert!(op.inverse().is_err(), "{name}: inverse of a singular operator");
                assert!(op.solve(&Matrix::ones(a.rows(), 1)).is_err(), "{name}: solve with a singular operator");
            }
            Kind::Invertible | Kind::Spd => {
                let inv = op.inverse().unwrap();
                assert_close(&inv.dense(), &a.inv().unwrap(), 1e-11, &format!("{name}: inverse"));
                let b = rng.randn(a.rows(), 2);
                assert_close(&op.solve(&b).unwrap(), &a.solve(&b).unwrap(), 1e-11, &format!("{name}: solve"));
            }
        }
    }
}

#[test]
fn eigenvalues_match_dense() {
    for (name, op, _, _) in catalogue().into_iter().filter(|c| square(c.2)) {
        let expected = op.dense().eigvals().unwrap();
        assert_same_spectrum(&op.eigvals().unwrap(), &expected, 1e-9, &format!("{name}: eigvals"));
    }
}

#[test]
fn singular_values_match_dense() {
    for (name, op, _, _) in catalogue() {
        let expected = op.dense().svdvals().unwrap();
        assert_close_values(&op.svdvals().unwrap(), &expected, 1e-12, &format!("{name}: svdvals"));
    }
}

#[test]
fn trace_matches_dense() {
    for (name, op, _, _) in catalogue().into_iter().filter(|c| square(c.2)) {
        assert_close_scalar(op.trace().unwrap(), op.dense().trace().unwrap(), 1e-12, &format!("{name}: trace"));
    }
}

#[test]
fn symmetric_eigendecomposition_matches_dense() {
    for (name, op, _, _) in catalogue().into_iter().filter(|c| c.2 == Kind::Spd) {
        let a = op.dense();
        let e = op.eigh().unwrap();
        assert_close_values(&e.values, &a.eigh().unwrap().values, 1e-12, &format!("{name}: eigh values"));
        assert!(e.values.windows(2).all(|w| w[0] <= w[1]), "{name}: ascending");
        let v = e.vectors.dense();
        let n = a.rows();
        assert_close(&v.transpose().matmul(&v).unwrap(), &Matrix::eye(n), 1e-12, &format!("{name}: VᵀV = I"));
        let rebuilt =
            v.matmul(&Matrix::diagm(&Matrix::col(&e.values)).unwrap()).unwrap().matmul(&v.transpose()).unwrap();
        assert_close(&rebuilt, &a, 1e-12, &format!("{name}: V Λ Vᵀ = A"));
    }
}

#[test]
fn cholesky_matches_dense() {
    for (name, op, kind, _) in catalogue().into_iter().filter(|c| square(c.2)) {
        let a = op.dense();
        match kind {
            Kind::Spd => {
                let l = op.chol().unwrap().dense();
                // The Cholesky factor with a positive diagonal is unique.
                assert_close(&l, &a.chol().unwrap(), 1e-12, &format!("{name}: chol"));
            }
            _ if !a.is_symmetric() => assert!(op.chol().is_err(), "{name}: chol of a non-symmetric operator"),
            _ => {}
        }
    }
}

#[test]
fn exponential_matches_dense() {
    for (name, op, _, _) in catalogue().into_iter().filter(|c| square(c.2)) {
        let scaled = Operator::scaled(0.3, op.clone());
        let expected = scaled.dense().expm().unwrap();
        assert_close(&op.expm().unwrap().dense(), &op.dense().expm().unwrap(), 1e-11, &format!("{name}: expm"));
        assert_close(&scaled.expm().unwrap().dense(), &expected, 1e-11, &format!("{name}: expm(0.3 A)"));
    }
}

#[test]
fn algorithms_reject_rectangular_operators_with_the_shape() {
    for (name, op, _, _) in catalogue().into_iter().filter(|c| c.2 == Kind::Rectangular) {
        for result in [op.det().err(), op.trace().err(), op.logdet().err()] {
            let e = result.unwrap_or_else(|| panic!("{name}: accepted a rectangular operator"));
            assert!(e.to_string().contains(&op.shape().to_string()), "{name}: {e}");
        }
        assert!(op.eigvals().is_err() && op.eigh().is_err() && op.chol().is_err() && op.expm().is_err(), "{name}");
    }
}

/// Every operation an entry declares structured runs without forming the
/// dense matrix: removing a structured rule from an algorithm fails here,
/// by the entry's name and the operation.
#[test]
fn structured_operations_never_densify() {
    let b = |op: &Operator| Matrix::ones(op.shape().0, 1);
    for (name, op, _, structured) in catalogue() {
        for &operation in structured {
            let before = tessera::ops::densified();
            let _ = match operation {
                Op::Det => op.det().map(drop),
                Op::Inverse => op.inverse().map(drop),
                Op::Solve => op.solve(&b(&op)).map(drop),
                Op::Trace => op.trace().map(drop),
                Op::Eigvals => op.eigvals().map(drop),
                Op::Eigh => op.eigh().map(drop),
                Op::Svdvals => op.svdvals().map(drop),
                Op::Chol => op.chol().map(drop),
                Op::Expm => op.expm().map(drop),
            };
            assert_eq!(tessera::ops::densified(), before, "{name}: {operation:?} formed the dense matrix");
        }
    }
}

/// Every operator variant has an entry in the catalogue.
#[test]
fn every_operator_variant_is_catalogued() {
    // Exhaustive: a new variant does not compile here until it is named, and
    // then fails below until the catalogue has an entry of it.
    fn variant(op: &Operator) -> &'static str {
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
            Operator::Scaled { .. } => "Scaled",
            Operator::Sum { .. } => "Sum",
            Operator::Product { .. } => "Product",
            Operator::Transposed { .. } => "Transposed",
        }
    }
    let found: std::collections::BTreeSet<&str> = catalogue().iter().map(|(_, op, _, _)| variant(op)).collect();
    let all = [
        "Dense",
        "Diagonal",
        "Permutation",
        "Kronecker",
        "KroneckerSum",
        "BlockDiagonal",
        "Monarch",
        "LowRank",
        "DiagonalPlusLowRank",
        "Scaled",
        "Sum",
        "Product",
        "Transposed",
    ];
    assert_eq!(found, all.into_iter().collect(), "the catalogue covers every variant, and only these");
}
