//! Loading the oracle fixtures (`fixtures/oracle.json`, written by
//! `fixtures/generate.py` from pinned numpy and scipy) and comparing against them.

use serde_json::Value;
use tessera::{c64, Matrix};

/// The parsed fixture file.
pub fn oracle() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/oracle.json");
    let text = std::fs::read_to_string(path).expect("fixtures/oracle.json (run fixtures/generate.py)");
    serde_json::from_str(&text).expect("valid JSON")
}

/// A matrix stored as a list of rows.
pub fn matrix(v: &Value) -> Matrix {
    let rows: Vec<Vec<f64>> =
        v.as_array().expect("rows").iter().map(|r| r.as_array().expect("row").iter().map(number).collect()).collect();
    Matrix::from_rows(&rows).expect("rectangular")
}

/// A list of numbers.
pub fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().expect("list").iter().map(number).collect()
}

/// A list of `[re, im]` pairs.
pub fn complexes(v: &Value) -> Vec<c64> {
    v.as_array().expect("list").iter().map(|p| c64::new(number(&p[0]), number(&p[1]))).collect()
}

/// One number.
pub fn number(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

/// A list of matrices.
pub fn matrices(v: &Value) -> Vec<Matrix> {
    v.as_array().expect("list").iter().map(matrix).collect()
}

/// `‖a − b‖_F ≤ tol · max(1, ‖b‖_F)`.
pub fn assert_close(a: &Matrix, b: &Matrix, tol: f64, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes differ");
    let err = a.sub(b).unwrap().norm_fro();
    let scale = b.norm_fro().max(1.0);
    assert!(err <= tol * scale, "{what}: relative error {:e} > {tol:e}", err / scale);
}

/// `|a − b| ≤ tol · max(1, |b|)`.
pub fn assert_close_scalar(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol * b.abs().max(1.0), "{what}: {a:e} vs {b:e}");
}

/// Equal-length lists, elementwise, relative to the largest magnitude.
pub fn assert_close_values(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    let scale = b.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol * scale, "{what}: {a:?} vs {b:?}");
    }
}

/// Equal multisets of complex numbers (greedy nearest matching).
pub fn assert_same_spectrum(a: &[c64], b: &[c64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: counts differ");
    let scale = b.iter().fold(1.0f64, |m, z| m.max(z.norm()));
    let mut used = vec![false; b.len()];
    for z in a {
        let (best, dist) = (0..b.len())
            .filter(|&i| !used[i])
            .map(|i| (i, (z - b[i]).norm()))
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .expect("as many values");
        assert!(dist <= tol * scale, "{what}: {z} unmatched (nearest at {dist:e})");
        used[best] = true;
    }
}

/// Flips the sign of each column of `a` so its largest-magnitude entry is
/// positive: eigen- and singular vectors are defined up to sign.
pub fn canonical_signs(a: &Matrix) -> Matrix {
    let signs: Vec<f64> = (0..a.cols())
        .map(|j| {
            let col = a.column(j).to_row_major();
            let big = col.iter().copied().fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                -1.0
            } else {
                1.0
            }
        })
        .collect();
    Matrix::from_fn(a.rows(), a.cols(), |i, j| a[(i, j)] * signs[j])
}

/// Flips rows of an upper-triangular `R` so its diagonal is non-negative
/// (QR is unique up to these signs).
pub fn positive_diagonal_rows(r: &Matrix) -> Matrix {
    Matrix::from_fn(r.rows(), r.cols(), |i, j| if r[(i, i)] < 0.0 { -r[(i, j)] } else { r[(i, j)] })
}

pub use tessera::testing::{spd, well_conditioned};
