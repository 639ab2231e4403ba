//! The operations over the operator catalogue (`tessera::testing`): every
//! structured operator against its dense form, and every structure-aware
//! algorithm against the dense algorithm on the same operator.

use tessera::testing::{catalogue, variant, Entry, Kind, VARIANTS};
use tessera::{Matrix, Monarch, Operator, Rng};
use tessera_tests::*;

const TOL: f64 = 1e-12;

#[test]
fn apply_matches_dense() {
    let mut rng = Rng::seeded(1);
    for Entry { name, op, .. } in catalogue() {
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

#[test]
fn determinant_matches_dense() {
    for Entry { name, op, kind, .. } in catalogue().into_iter().filter(|e| e.kind.is_square()) {
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
    for Entry { name, op, kind, .. } in catalogue() {
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
    for Entry { name, op, .. } in catalogue().into_iter().filter(|e| e.kind.is_square()) {
        let expected = op.dense().eigvals().unwrap();
        assert_same_spectrum(&op.eigvals().unwrap(), &expected, 1e-9, &format!("{name}: eigvals"));
    }
}

#[test]
fn singular_values_match_dense() {
    for Entry { name, op, .. } in catalogue() {
        let expected = op.dense().svdvals().unwrap();
        assert_close_values(&op.svdvals().unwrap(), &expected, 1e-12, &format!("{name}: svdvals"));
    }
}

#[test]
fn trace_matches_dense() {
    for Entry { name, op, .. } in catalogue().into_iter().filter(|e| e.kind.is_square()) {
        assert_close_scalar(op.trace().unwrap(), op.dense().trace().unwrap(), 1e-12, &format!("{name}: trace"));
    }
}

#[test]
fn symmetric_eigendecomposition_matches_dense() {
    for Entry { name, op, .. } in catalogue().into_iter().filter(|e| e.kind == Kind::Spd) {
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
    for Entry { name, op, kind, .. } in catalogue().into_iter().filter(|e| e.kind.is_square()) {
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
    for Entry { name, op, .. } in catalogue().into_iter().filter(|e| e.kind.is_square()) {
        let scaled = Operator::scaled(0.3, op.clone());
        let expected = scaled.dense().expm().unwrap();
        assert_close(&op.expm().unwrap().dense(), &op.dense().expm().unwrap(), 1e-11, &format!("{name}: expm"));
        assert_close(&scaled.expm().unwrap().dense(), &expected, 1e-11, &format!("{name}: expm(0.3 A)"));
    }
}

#[test]
fn algorithms_reject_rectangular_operators_with_the_shape() {
    for Entry { name, op, .. } in catalogue().into_iter().filter(|e| e.kind == Kind::Rectangular) {
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
    for Entry { name, op, structured, .. } in catalogue() {
        for &operation in structured {
            let before = tessera::ops::densified();
            let _ = operation.run(&op);
            assert_eq!(tessera::ops::densified(), before, "{name}: {operation:?} formed the dense matrix");
        }
    }
}

/// Every operator variant has an entry in the catalogue (`variant`'s match is
/// exhaustive, so a new variant must be named there first).
#[test]
fn every_operator_variant_is_catalogued() {
    let found: std::collections::BTreeSet<&str> = catalogue().iter().map(|e| variant(&e.op)).collect();
    assert_eq!(found, VARIANTS.into_iter().collect(), "the catalogue covers every variant, and only these");
}
