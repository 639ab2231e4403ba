//! Helpers shared by the stdlib's integration tests.
#![allow(dead_code)]

use tessera::{c64, Matrix, Rng};

/// `‖a − b‖_F ≤ tol · max(1, ‖b‖_F)`, with a message naming `what`.
pub fn assert_close(a: &Matrix, b: &Matrix, tol: f64, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes differ");
    let err = a.sub(b).unwrap().norm_fro();
    let scale = b.norm_fro().max(1.0);
    assert!(err <= tol * scale, "{what}: ‖a − b‖ = {err:e} > {tol:e} · {scale:e}\na = {a:?}\nb = {b:?}");
}

/// Scalars: `|a − b| ≤ tol · max(1, |b|)`.
pub fn assert_close_scalar(a: f64, b: f64, tol: f64, what: &str) {
    let ok = (a == b) || (a - b).abs() <= tol * b.abs().max(1.0);
    assert!(ok, "{what}: {a:e} vs {b:e}");
}

/// Sorted real lists, elementwise, relative to the largest magnitude.
pub fn assert_close_values(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ: {a:?} vs {b:?}");
    let scale = b.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol * scale, "{what}: {a:?} vs {b:?}");
    }
}

/// Two multisets of complex numbers agree: each of `a` matched greedily to the
/// nearest unused element of `b`.
pub fn assert_same_spectrum(a: &[c64], b: &[c64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: counts differ");
    let scale = b.iter().fold(1.0f64, |m, z| m.max(z.norm()));
    let mut used = vec![false; b.len()];
    for z in a {
        let (best, dist) = b
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(i, w)| (i, (z - w).norm()))
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .unwrap();
        assert!(dist <= tol * scale, "{what}: {z} has no partner within {tol:e} (nearest {dist:e})\n{a:?}\n{b:?}");
        used[best] = true;
    }
}

/// A random matrix with singular values bounded away from zero: `randn + shift·I`.
pub fn well_conditioned(rng: &mut Rng, n: usize, shift: f64) -> Matrix {
    rng.randn(n, n).add(&Matrix::eye(n).scale(shift)).unwrap()
}

/// A random symmetric positive definite matrix `G Gᵀ + n I`.
pub fn spd(rng: &mut Rng, n: usize) -> Matrix {
    let g = rng.randn(n, n);
    g.matmul(&g.transpose()).unwrap().add(&Matrix::eye(n).scale(n as f64)).unwrap()
}
