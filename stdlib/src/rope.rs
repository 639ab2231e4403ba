//! Rotary position embeddings.
//!
//! - Standard RoPE (Su et al., "RoFormer", 2021): pairs `(x[2i], x[2i+1])`
//!   turn by `pos·θᵢ`, `θᵢ = base^(−2i/d)`; [`rope_matrix`] forms the `d×d`
//!   rotation, [`rope_apply`] rotates a batch of token vectors in `O(n·d)`
//!   without forming it.
//! - ComRoPE (Yu et al., "Scalable and Robust Rotary Position Embedding
//!   Parameterized by Trainable Commuting Angle Matrices", CVPR 2025):
//!   `R(x) = blockdiag_j exp(Σᵢ xᵢ B_ij)` over blocks of size `b`, with skew
//!   generators `B_ij`. When each block's generators commute,
//!   `R(x)ᵀ R(y) = R(y − x)`. [`RopeKind::Ap`]: block `j` is driven by axis
//!   `j mod N` alone; [`RopeKind::Ld`]: `B_ij = θ_ij S_j`, multiples of one
//!   skew matrix; [`RopeKind::Liere`] (LieRE, the non-commuting baseline): a
//!   free skew matrix per axis and block.

use crate::error::{Error, Result};
use crate::{Matrix, Operator, Rng};

/// `θᵢ = base^(−2i/d)` for `i < d/2`.
fn frequencies(d: usize, base: f64) -> Vec<f64> {
    (0..d / 2).map(|i| base.powf(-2.0 * i as f64 / d as f64)).collect()
}

fn check_even(op: &'static str, d: usize) -> Result<()> {
    if d % 2 != 0 {
        return Err(Error::invalid(op, format!("the dimension must be even, got {d}")));
    }
    Ok(())
}

/// The `d×d` RoPE rotation at position `pos`: 2×2 blocks
/// `[cos φᵢ, −sin φᵢ; sin φᵢ, cos φᵢ]`, `φᵢ = pos·θᵢ`.
pub fn rope_matrix(d: usize, pos: f64, base: f64) -> Result<Matrix> {
    check_even("rope_matrix", d)?;
    crate::memory::check("rope_matrix", d, d)?;
    let theta = frequencies(d, base);
    Ok(Matrix::from_fn(d, d, |r, c| {
        if r / 2 != c / 2 {
            return 0.0;
        }
        let (s, co) = (pos * theta[r / 2]).sin_cos();
        match (r % 2, c % 2) {
            (0, 0) | (1, 1) => co,
            (0, 1) => -s,
            _ => s,
        }
    }))
}

/// The preconditions of [`rope_apply`] on any device, for `X` of `rows × cols`
/// (one token per row): `cols` even and one position per token. Gives the
/// frequencies `θᵢ = base^(−2i/d)` both paths rotate by.
pub fn check_apply(rows: usize, cols: usize, positions: &[f64], base: f64) -> Result<Vec<f64>> {
    check_even("rope_apply", cols)?;
    if positions.len() != rows {
        return Err(Error::invalid(
            "rope_apply",
            format!("{} positions for {rows} tokens (one position per row of X)", positions.len()),
        ));
    }
    Ok(frequencies(cols, base))
}

/// Rotates each row `t` of `X` (`n×d`, one token per row) by `R(positions[t])`:
/// `y[2i] = x[2i] cos φ − x[2i+1] sin φ`, `y[2i+1] = x[2i] sin φ + x[2i+1] cos φ`.
/// `O(n·d)`, never forming a `d×d` matrix; the pairs are shared out over the
/// cores, and for evenly spaced positions (the usual `0, 1, 2, …`) the angles
/// advance by complex multiplication, re-anchored exactly every
/// [`ANCHOR`] tokens so the error stays at a few ulps.
pub fn rope_apply(x: &Matrix, positions: &[f64], base: f64) -> Result<Matrix> {
    use rayon::prelude::*;
    let (n, d) = (x.rows(), x.cols());
    let theta = check_apply(n, d, positions, base)?;
    let step = evenly_spaced(positions);
    let src = x.as_faer();
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = theta
        .par_iter()
        .enumerate()
        .map(|(i, &t)| {
            let (a, b) = (src.col(2 * i), src.col(2 * i + 1));
            let mut even = Vec::with_capacity(n);
            let mut odd = Vec::with_capacity(n);
            let mut rotate = |k: usize, s: f64, c: f64| {
                let (u, v) = (a[k], b[k]);
                even.push(u * c - v * s);
                odd.push(u * s + v * c);
            };
            match step {
                Some(delta) => {
                    let (ds, dc) = (delta * t).sin_cos();
                    let (mut s, mut c) = (0.0, 1.0);
                    for (k, &p) in positions.iter().enumerate() {
                        if k % ANCHOR == 0 {
                            (s, c) = (p * t).sin_cos();
                        }
                        rotate(k, s, c);
                        (s, c) = (s * dc + c * ds, c * dc - s * ds);
                    }
                }
                None => {
                    for (k, &p) in positions.iter().enumerate() {
                        let (s, c) = (p * t).sin_cos();
                        rotate(k, s, c);
                    }
                }
            }
            (even, odd)
        })
        .collect();
    let mut out = faer::Mat::<f64>::zeros(n, d);
    for (i, (even, odd)) in pairs.iter().enumerate() {
        out.col_mut(2 * i).iter_mut().zip(even).for_each(|(o, v)| *o = *v);
        out.col_mut(2 * i + 1).iter_mut().zip(odd).for_each(|(o, v)| *o = *v);
    }
    Ok(Matrix::from_faer(out))
}

/// Tokens between exact evaluations of the angle in [`rope_apply`].
const ANCHOR: usize = 32;

/// `Some(Δ)` when `positions[k] = positions[0] + k·Δ` exactly for every `k`.
fn evenly_spaced(positions: &[f64]) -> Option<f64> {
    let (first, second) = (*positions.first()?, *positions.get(1)?);
    let delta = second - first;
    positions.iter().enumerate().all(|(k, &p)| p == first + k as f64 * delta).then_some(delta)
}

/// How a [`ComRope`]'s generators are tied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeKind {
    /// Axis-partitioned: block `j` turns with axis `j mod N` only.
    Ap,
    /// Linearly dependent: block `j`'s generators are `θ_ij S_j`.
    Ld,
    /// LieRE: a free skew generator for every axis and block (not commuting).
    Liere,
}

impl RopeKind {
    /// The lowercase name: `ap`, `ld` or `liere`.
    pub fn name(&self) -> &'static str {
        match self {
            RopeKind::Ap => "ap",
            RopeKind::Ld => "ld",
            RopeKind::Liere => "liere",
        }
    }
}

/// A rotary embedding with trainable generators: `generators[j][i]` is `B_ij`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComRope {
    /// How the generators are tied.
    pub kind: RopeKind,
    /// The embedding dimension `d`.
    pub dim: usize,
    /// The side `b` of each rotation block; `b` divides `d`.
    pub block: usize,
    /// The skew-symmetric `b×b` generators: `d/b` blocks, each with one per position axis.
    pub generators: Vec<Vec<Matrix>>,
}

/// A random skew-symmetric `b×b` matrix `(G − Gᵀ)/√2`, `G` standard normal / √b.
fn random_skew(b: usize, rng: &mut Rng) -> Matrix {
    let g = rng.randn(b, b).scale(1.0 / (b as f64).sqrt());
    g.sub(&g.transpose()).expect("square").scale(std::f64::consts::FRAC_1_SQRT_2)
}

impl ComRope {
    /// Random generators for `d` dimensions, `axes` position axes, blocks of `block`.
    pub fn random(d: usize, axes: usize, block: usize, kind: RopeKind, rng: &mut Rng) -> Result<ComRope> {
        if block < 2 || d % block != 0 {
            return Err(Error::invalid(
                "comrope",
                format!("the block size ({block}) must be at least 2 and divide d = {d}"),
            ));
        }
        if axes == 0 {
            return Err(Error::invalid("comrope", "needs at least one position axis"));
        }
        // (d / block)·axes generators of block×block, each a small allocation of its own.
        let count = (d / block) as u128 * axes as u128;
        let each = (block * block * 8 + 64) as u128;
        crate::memory::check_buffer("comrope", &format!("{count} generators of {block}×{block}"), count, each)?;
        let generators = (0..d / block)
            .map(|j| match kind {
                RopeKind::Ap => {
                    let a = random_skew(block, rng);
                    (0..axes).map(|i| if i == j % axes { a.clone() } else { Matrix::zeros(block, block) }).collect()
                }
                RopeKind::Ld => {
                    let s = random_skew(block, rng);
                    (0..axes).map(|_| s.scale(rng.normal())).collect()
                }
                RopeKind::Liere => (0..axes).map(|_| random_skew(block, rng)).collect(),
            })
            .collect();
        Ok(ComRope { kind, dim: d, block, generators })
    }

    /// The number of position axes `N`.
    pub fn axes(&self) -> usize {
        self.generators.first().map_or(0, Vec::len)
    }

    /// `R(x) = blockdiag_j exp(Σᵢ xᵢ B_ij)` as a block-diagonal operator.
    pub fn rotation(&self, x: &[f64]) -> Result<Operator> {
        if x.len() != self.axes() {
            return Err(Error::invalid(
                "rotation",
                format!("a position needs {} coordinates, got {}", self.axes(), x.len()),
            ));
        }
        let blocks = self
            .generators
            .iter()
            .map(|gs| {
                let angle = gs.iter().zip(x).fold(Matrix::zeros(self.block, self.block), |acc, (g, &xi)| {
                    acc.add(&g.scale(xi)).expect("equal blocks")
                });
                skew_exp(&angle).map(Operator::Dense)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Operator::blockdiag(blocks))
    }

    /// `sqrt(Σ_j Σ_{i<k} ‖B_ij B_kj − B_kj B_ij‖_F²)`: zero exactly when every
    /// block's generators commute (AP and LD), positive for LieRE.
    pub fn commutator_norm(&self) -> f64 {
        let mut total = 0.0;
        for gs in &self.generators {
            for i in 0..gs.len() {
                for k in i + 1..gs.len() {
                    let ab = gs[i].matmul(&gs[k]).expect("square");
                    let ba = gs[k].matmul(&gs[i]).expect("square");
                    total += ab.sub(&ba).expect("square").norm_fro().powi(2);
                }
            }
        }
        total.sqrt()
    }
}

/// `exp(A)` for skew-symmetric `A`: the closed-form rotation for 2×2,
/// Rodrigues' formula for 3×3, Padé scaling-and-squaring otherwise.
pub fn skew_exp(a: &Matrix) -> Result<Matrix> {
    match a.rows() {
        2 => {
            let (s, c) = a[(1, 0)].sin_cos();
            Matrix::from_rows(&[vec![c, -s], vec![s, c]])
        }
        3 => {
            // exp(K) = I + sin θ/θ K + (1 − cos θ)/θ² K², θ = |k| for K = [k]ₓ.
            let theta = (a[(2, 1)].powi(2) + a[(0, 2)].powi(2) + a[(1, 0)].powi(2)).sqrt();
            if theta == 0.0 {
                return Ok(Matrix::eye(3));
            }
            let k2 = a.matmul(a)?;
            let (p, q) = (theta.sin() / theta, (1.0 - theta.cos()) / (theta * theta));
            Matrix::eye(3).add(&a.scale(p))?.add(&k2.scale(q))
        }
        _ => a.expm(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &Matrix, b: &Matrix, tol: f64) -> bool {
        a.sub(b).unwrap().norm_fro() <= tol * b.norm_fro().max(1.0)
    }

    #[test]
    fn rope_apply_matches_the_matrix_and_is_relative() {
        let mut rng = Rng::seeded(1);
        let x = rng.randn(5, 8);
        let pos = [0.0, 1.0, 2.5, -3.0, 100.0];
        let fast = rope_apply(&x, &pos, 10000.0).unwrap();
        // Evenly spaced positions take the recurrence: still exact to a few ulps.
        let many: Vec<f64> = (0..1000).map(f64::from).collect();
        let z = rng.randn(1000, 8);
        let y = rope_apply(&z, &many, 10000.0).unwrap();
        for t in [0usize, 1, 31, 32, 33, 500, 999] {
            let row = z.select(&[t], &(0..8).collect::<Vec<_>>()).unwrap().transpose();
            let direct = rope_matrix(8, many[t], 10000.0).unwrap().matmul(&row).unwrap().transpose();
            let got = y.select(&[t], &(0..8).collect::<Vec<_>>()).unwrap();
            assert!(close(&got, &direct, 1e-14), "token {t}");
        }
        for (t, &p) in pos.iter().enumerate() {
            let row = x.select(&[t], &(0..8).collect::<Vec<_>>()).unwrap().transpose();
            let slow = rope_matrix(8, p, 10000.0).unwrap().matmul(&row).unwrap().transpose();
            let got = fast.select(&[t], &(0..8).collect::<Vec<_>>()).unwrap();
            assert!(close(&got, &slow, 1e-14));
        }
        // R(m)ᵀ R(n) = R(n − m)
        let (m, n) = (rope_matrix(8, 3.0, 10000.0).unwrap(), rope_matrix(8, 7.5, 10000.0).unwrap());
        assert!(close(&m.transpose().matmul(&n).unwrap(), &rope_matrix(8, 4.5, 10000.0).unwrap(), 1e-14));
        assert!(rope_apply(&x, &pos[..4], 10000.0).is_err());
        assert!(rope_matrix(7, 1.0, 10000.0).is_err());
    }

    #[test]
    fn commuting_generators_give_relative_positions_and_liere_does_not() {
        let mut rng = Rng::seeded(2);
        for (kind, block) in [(RopeKind::Ap, 2), (RopeKind::Ap, 4), (RopeKind::Ld, 3), (RopeKind::Ld, 4)] {
            let r = ComRope::random(12, 3, block, kind, &mut rng).unwrap();
            assert!(r.commutator_norm() < 1e-13, "{kind:?}");
            let (x, y) = ([0.3, -1.2, 2.0], [1.7, 0.4, -0.5]);
            let rx = r.rotation(&x).unwrap().dense();
            let ry = r.rotation(&y).unwrap().dense();
            let diff: Vec<f64> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
            let rd = r.rotation(&diff).unwrap().dense();
            assert!(close(&rx.transpose().matmul(&ry).unwrap(), &rd, 1e-12), "{kind:?} b={block}");
            assert!(close(&rx.transpose().matmul(&rx).unwrap(), &Matrix::eye(12), 1e-13), "orthogonal");
            assert!((rx.det().unwrap() - 1.0).abs() < 1e-12, "det 1");
        }
        let liere = ComRope::random(12, 3, 3, RopeKind::Liere, &mut rng).unwrap();
        assert!(liere.commutator_norm() > 1e-3);
        let (x, y) = ([0.3, -1.2, 2.0], [1.7, 0.4, -0.5]);
        let lhs = liere.rotation(&x).unwrap().dense().transpose().matmul(&liere.rotation(&y).unwrap().dense()).unwrap();
        let rd = liere.rotation(&[1.4, 1.6, -2.5]).unwrap().dense();
        assert!(lhs.sub(&rd).unwrap().norm_fro() > 1e-3, "LieRE breaks the relative property");
    }

    #[test]
    fn skew_exponentials_are_exact_rotations() {
        let mut rng = Rng::seeded(3);
        for b in [2, 3, 5] {
            let a = random_skew(b, &mut rng).scale(3.0);
            let e = skew_exp(&a).unwrap();
            assert!(close(&e, &a.expm().unwrap(), 1e-13), "b={b}");
            assert!(close(&e.transpose().matmul(&e).unwrap(), &Matrix::eye(b), 1e-14), "b={b}");
        }
    }
}
