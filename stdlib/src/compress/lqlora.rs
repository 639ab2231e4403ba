//! LQ-LoRA: a weight split into a quantized part and a low-rank part.

use super::quantize::{Quantized, ScaleQuant, Scheme};
use super::rsvd::{check_rank, rsvd};
use crate::error::{Error, Result};
use crate::random::Rng;
use crate::Matrix;

/// The result of [`lqlora`]: `W ≈ Q + B A`.
#[derive(Debug, Clone)]
pub struct LqLora {
    /// The quantized part `Q`.
    pub q: Quantized,
    /// `A`, `r × in` (LQ-LoRA's `L2`).
    pub a: Matrix,
    /// `B`, `out × r` (LQ-LoRA's `L1`).
    pub b: Matrix,
    /// The (weighted) error `‖√F ⊙ (W − B A − Q)‖_F` of every iteration run;
    /// the last may be the rise that stopped the loop.
    pub errors: Vec<f64>,
}

/// How the quantized part is made: [`Quantized::with_scales`]`(W, scheme, block, scales)`.
#[derive(Debug, Clone, Copy)]
pub struct Quantizer {
    /// The code.
    pub scheme: Scheme,
    /// Entries per block.
    pub block: usize,
    /// How the block scales are stored.
    pub scales: ScaleQuant,
}

/// The two-sided Fisher weights of LQ-LoRA: `w1ᵢ = √(mean_j Fᵢⱼ)` per row and
/// `w2ⱼ = √(mean_i Fᵢⱼ)` per column. Errors unless `F` has `W`'s shape,
/// finite non-negative entries, and no row or column of zero mean.
fn fisher_weights(w: &Matrix, f: &Matrix) -> Result<(Vec<f64>, Vec<f64>)> {
    super::check_fisher("lqlora", w, f)?;
    let (m, n) = (w.rows(), w.cols());
    let rows: Vec<f64> = (0..m).map(|i| ((0..n).map(|j| f[(i, j)]).sum::<f64>() / n as f64).sqrt()).collect();
    let cols: Vec<f64> = (0..n).map(|j| ((0..m).map(|i| f[(i, j)]).sum::<f64>() / m as f64).sqrt()).collect();
    if rows.iter().chain(&cols).any(|&x| x == 0.0 || !x.is_finite()) {
        return Err(Error::invalid("lqlora", "the Fisher information must have every row and column of positive mean"));
    }
    Ok((rows, cols))
}

/// LQ-LoRA (Guo et al., "LQ-LoRA: Low-rank plus Quantized Matrix
/// Decomposition for Efficient Language Model Finetuning", ICLR 2024), as
/// its reference `lq_utils.py`: from `Q = 0`, alternate the rank-`r`
/// factorisation `B A` of `W − Q` (randomized SVD with `min(r + 10, m, n)` columns and
/// 2 power iterations, as `torch.svd_lowrank`; `B = U√Σ`, `A = √Σ Vᵀ`) and
/// `Q = quant(W − B A)`, for at most `iters` iterations. With a Fisher
/// information `F`, the SVD is of `w1 ⊙ (W − Q) ⊙ w2` (the two-sided row and
/// column weights), then `B /= w1` and `A /= w2`, and the error is
/// `‖√F ⊙ (W − B A − Q)‖_F`.
///
/// The loop stops when the error rises. The reference returns that worse
/// iterate; this returns the one before it, whose error is the smallest,
/// and `errors` still ends with the rise. The quantizer is any of
/// [`Quantized`]'s: the reference's blockwise NormalFloat is
/// [`ScaleQuant::Uniform`], bitsandbytes' is `Plain` or `Dynamic`.
///
/// Cost per iteration: `O(mn(r + 10))` for the sketch and its 6 passes, plus
/// `O(mn)` for the quantization. `Ω` is drawn from `rng` each iteration.
/// Errors unless `r ≤ min(m, n)` and `iters ≥ 1`, on non-finite `W`, and as the quantizer
/// and [`fisher_weights`] do.
pub fn lqlora(
    w: &Matrix,
    r: usize,
    quantizer: Quantizer,
    iters: usize,
    fisher: Option<&Matrix>,
    rng: &mut Rng,
) -> Result<LqLora> {
    check_rank("lqlora", w, r)?;
    w.require_finite("lqlora")?;
    if iters == 0 {
        return Err(Error::invalid("lqlora", "iters must be at least 1"));
    }
    let (m, n) = (w.rows(), w.cols());
    let (w1, w2) = match fisher {
        Some(f) => fisher_weights(w, f)?,
        None => (vec![1.0; m], vec![1.0; n]),
    };
    let sqrt_f = |i: usize, j: usize| fisher.map_or(1.0, |f| f[(i, j)].sqrt());
    let quant = |x: &Matrix| Quantized::with_scales(x, quantizer.scheme, quantizer.block, quantizer.scales);
    let sketch = (r + 10).min(m.min(n));
    let mut q_dense = Matrix::zeros(m, n);
    let mut best: Option<LqLora> = None;
    let mut errors = Vec::new();
    for _ in 0..iters {
        let target = Matrix::from_fn(m, n, |i, j| w1[i] * (w[(i, j)] - q_dense[(i, j)]) * w2[j]);
        let top = rsvd(&target, r, &rng.randn(n, sketch), 2)?;
        let b = Matrix::from_fn(m, r, |i, t| top.u[(i, t)] * top.s[t].sqrt() / w1[i]);
        let a = Matrix::from_fn(r, n, |t, j| top.s[t].sqrt() * top.v[(j, t)] / w2[j]);
        let low = b.matmul(&a)?;
        let q = quant(&w.sub(&low)?)?;
        q_dense = q.dequantize();
        let error = Matrix::from_fn(m, n, |i, j| sqrt_f(i, j) * (w[(i, j)] - low[(i, j)] - q_dense[(i, j)])).norm_fro();
        let rose = errors.last().is_some_and(|&last| error > last);
        errors.push(error);
        if rose {
            break;
        }
        best = Some(LqLora { q, a, b, errors: vec![] });
        if error == 0.0 {
            break;
        }
    }
    let mut out = best.expect("the first iteration is kept");
    out.errors = errors;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NF4: Quantizer = Quantizer { scheme: Scheme::NormalFloat { bits: 4 }, block: 64, scales: ScaleQuant::Plain };

    fn error(w: &Matrix, p: &LqLora) -> f64 {
        w.sub(&p.b.matmul(&p.a).unwrap()).unwrap().sub(&p.q.dequantize()).unwrap().norm_fro()
    }

    #[test]
    fn errors_do_not_rise_until_the_stop_and_the_kept_iterate_is_the_best() {
        let mut rng = Rng::seeded(5);
        let w = rng.randn(32, 24);
        let p = lqlora(&w, 4, NF4, 100, None, &mut rng).unwrap();
        let e = &p.errors;
        let kept = if e.len() > 1 && e[e.len() - 1] > e[e.len() - 2] { e.len() - 2 } else { e.len() - 1 };
        assert!(e[..=kept].windows(2).all(|x| x[1] <= x[0]), "{e:?}");
        assert!((error(&w, &p) - e[kept]).abs() <= 1e-12 * e[kept]);
        assert!(e[kept] == e.iter().copied().fold(f64::INFINITY, f64::min));
        // Better than quantizing W alone.
        let plain = w.sub(&Quantized::new(&w, NF4.scheme, 64, false).unwrap().dequantize()).unwrap().norm_fro();
        assert!(e[kept] < plain, "{} vs {plain}", e[kept]);
    }

    #[test]
    fn a_constant_fisher_weighs_every_entry_alike() {
        let w = Rng::seeded(6).randn(16, 12);
        let plain = lqlora(&w, 3, NF4, 5, None, &mut Rng::seeded(1)).unwrap();
        let weighted =
            lqlora(&w, 3, NF4, 5, Some(&Matrix::ones(16, 12).map(|x| 4.0 * x)), &mut Rng::seeded(1)).unwrap();
        assert_eq!(plain.errors.len(), weighted.errors.len());
        for (a, b) in plain.errors.iter().zip(&weighted.errors) {
            // √F = 2 doubles the error and leaves the factorisation alone.
            assert!((2.0 * a - b).abs() <= 1e-12 * b, "{a} vs {b}");
        }
        let zero_row = Matrix::from_fn(16, 12, |i, _| if i == 0 { 0.0 } else { 1.0 });
        let e = lqlora(&w, 3, NF4, 5, Some(&zero_row), &mut Rng::seeded(1)).unwrap_err();
        assert!(e.to_string().contains("positive mean"), "{e}");
    }
}
