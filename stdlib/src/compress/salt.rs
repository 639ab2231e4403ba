//! SALT: singular-value adaptation with a low-rank update of the tail.

use super::rsvd::check_rank;
use crate::error::{Error, Result};
use crate::random::Rng;
use crate::Matrix;

/// SALT's parameters of a weight `W = U diag(s) Vᵀ` (thin, `k = min(m, n)`).
#[derive(Debug, Clone)]
pub struct Salt {
    /// `U`, `m × k`, frozen.
    pub u: Matrix,
    /// The singular values `s`, `k` of them, descending, frozen.
    pub s: Vec<f64>,
    /// `V`, `n × k`, frozen.
    pub v: Matrix,
    /// The scale `a` of the top `r` singular values, `r` entries.
    pub scale: Vec<f64>,
    /// The shift `b` of the top `r` singular values, `r` entries.
    pub shift: Vec<f64>,
    /// `X`, `(k − r) × r_lora`.
    pub x: Matrix,
    /// `Y`, `r_lora × (k − r)`.
    pub y: Matrix,
}

/// SALT (Elsayed et al., "SALT: Singular Value Adaptation with Low-Rank
/// Transformation", 2025), as its reference `SALT.py`: the thin SVD of `W`,
/// a scale `a = 1` and shift `b = 0` of the top `r` singular values, and a
/// LoRA pair `X Y` for the bottom `(k − r) × (k − r)` block of `Σ`. `X` is
/// Kaiming-uniform (`±1/√r_lora`) and `Y = 0`, as the SAM2 variant
/// initialises them, so [`salt_weight`] gives `W` back at the start (the
/// SAM1 variant draws both from N(0, 0.01²) and starts away from `W`).
/// Cost: one thin SVD. Errors unless `r ≤ min(m, n)`.
pub fn salt(w: &Matrix, r: usize, r_lora: usize, rng: &mut Rng) -> Result<Salt> {
    check_rank("salt", w, r)?;
    let svd = w.svd()?;
    let tail = svd.s.len() - r;
    let bound = 1.0 / (r_lora.max(1) as f64).sqrt();
    let x = rng.rand(tail, r_lora).map(|u| (2.0 * u - 1.0) * bound);
    Ok(Salt {
        u: svd.u,
        s: svd.s,
        v: svd.v,
        scale: vec![1.0; r],
        shift: vec![0.0; r],
        x,
        y: Matrix::zeros(r_lora, tail),
    })
}

/// SALT's weight `W′ = U · ReLU(Σ′) · Vᵀ`, where `Σ′` is `diag(s)` with its
/// top `r` diagonal entries replaced by `a ⊙ s + b` and `X Y` added to its
/// bottom `(k − r) × (k − r)` block; the ReLU is entrywise, off-diagonal
/// entries included, as the reference applies it (NaN stays NaN). With `a = 1`, `b = 0` and
/// `X Y = 0` this is `W`. Cost `O(k² (m + n) + k² r_lora)`.
/// Errors unless the parts' shapes fit together.
pub fn salt_weight(p: &Salt) -> Result<Matrix> {
    let k = p.s.len();
    let r = p.scale.len();
    let fits = p.u.cols() == k
        && p.v.cols() == k
        && r <= k
        && p.shift.len() == r
        && p.x.rows() == k - r
        && p.y.cols() == k - r
        && p.x.cols() == p.y.rows();
    if !fits {
        return Err(Error::invalid(
            "salt_weight",
            format!(
                "the parts do not fit: U has {} columns, V {}, s {} values, scale {} and shift {}, X is {}, Y is {}",
                p.u.cols(),
                p.v.cols(),
                k,
                r,
                p.shift.len(),
                p.x.shape(),
                p.y.shape()
            ),
        ));
    }
    let update = p.x.matmul(&p.y)?;
    let sigma = Matrix::from_fn(k, k, |i, j| {
        let entry = match (i < r, j < r) {
            (true, true) if i == j => p.scale[i] * p.s[i] + p.shift[i],
            (false, false) => update.at(i - r, j - r) + if i == j { p.s[i] } else { 0.0 },
            _ => 0.0,
        };
        if entry < 0.0 {
            0.0
        } else {
            entry
        }
    });
    p.u.matmul(&sigma)?.matmul(&p.v.transpose())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_update_gives_w_back() {
        let mut rng = Rng::seeded(11);
        let w = rng.randn(7, 5);
        let p = salt(&w, 2, 3, &mut rng).unwrap();
        assert_eq!((p.x.shape(), p.y.shape()), (crate::Shape(3, 3), crate::Shape(3, 3)));
        assert!(salt_weight(&p).unwrap().sub(&w).unwrap().norm_fro() < 1e-12);
    }

    #[test]
    fn the_top_values_scale_and_shift_and_the_relu_clips() {
        let w = Matrix::from_rows(&[vec![3.0, 0.0, 0.0], vec![0.0, 2.0, 0.0], vec![0.0, 0.0, 1.0]]).unwrap();
        let mut p = salt(&w, 1, 1, &mut Rng::seeded(1)).unwrap();
        (p.scale[0], p.shift[0]) = (2.0, 0.5);
        p.x = Matrix::col(&[1.0, 0.0]);
        p.y = Matrix::row(&[-5.0, 1.0]);
        // Σ′ = [6.5, 0, 0; 0, 2 − 5, 1; 0, 0, 1] and the ReLU zeroes the −3.
        let sigma = Matrix::from_rows(&[vec![6.5, 0.0, 0.0], vec![0.0, 0.0, 1.0], vec![0.0, 0.0, 1.0]]).unwrap();
        let expected = p.u.matmul(&sigma).unwrap().matmul(&p.v.transpose()).unwrap();
        assert!(salt_weight(&p).unwrap().sub(&expected).unwrap().norm_fro() < 1e-12);
        p.x = Matrix::zeros(1, 1);
        assert!(salt_weight(&p).unwrap_err().to_string().contains("do not fit"));
    }
}
