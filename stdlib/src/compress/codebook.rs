//! The code books that quantized values are rounded to.
//!
//! - NormalFloat (Dettmers et al., "QLoRA: Efficient Finetuning of Quantized
//!   LLMs", NeurIPS 2023): `2^k` quantiles of the standard normal, scaled to
//!   `[−1, 1]`, with an exact zero. With `δ = 0.9677083` (bitsandbytes'
//!   `create_normal_map` offset) the positive half is
//!   `Φ⁻¹(linspace(δ, ½, 2^{k−1}+1)[:−1]) / Φ⁻¹(δ)` and the negative half is
//!   `−Φ⁻¹(linspace(δ, ½, 2^{k−1})[:−1]) / Φ⁻¹(δ)`, which is the form LQ-LoRA
//!   generalises to any `k`. NF4 is bitsandbytes' shipped 16-value table.
//! - The signed 8-bit dynamic-exponent code (Dettmers, "8-Bit Approximations
//!   for Parallelism in Deep Learning", ICLR 2016), bitsandbytes'
//!   `create_dynamic_map(signed=True)`, which double quantization uses for
//!   the block scales.
//!
//! Code values are `f32`, as bitsandbytes stores them.

use crate::Matrix;

/// bitsandbytes' NF4 table (`bitsandbytes/backends/utils.py`), ascending.
pub const NF4: [f32; 16] = [
    -1.0,
    -0.696_192_8,
    -0.525_073_05,
    -0.394_917_5,
    -0.284_441_38,
    -0.184_773_43,
    -0.091_050_036,
    0.0,
    0.079_580_3,
    0.160_930_2,
    0.246_112_3,
    0.337_915_24,
    0.440_709_83,
    0.562_617,
    0.722_956_84,
    1.0,
];

/// bitsandbytes' NormalFloat offset `δ`: the outermost quantile used.
const NF_OFFSET: f64 = 0.967_708_3;

/// The NormalFloat code of `bits` bits (2 to 8), ascending: bitsandbytes'
/// table for 4 bits, the closed form above for the others.
pub fn normal_float(bits: u32) -> Vec<f32> {
    if bits == 4 {
        return NF4.to_vec();
    }
    let half = 1usize << (bits - 1);
    let top = normal_quantile(NF_OFFSET);
    let positive = Matrix::linspace(NF_OFFSET, 0.5, half + 1).to_row_major();
    let negative = Matrix::linspace(NF_OFFSET, 0.5, half).to_row_major();
    let mut code: Vec<f64> = positive[..half].iter().map(|&p| normal_quantile(p) / top).collect();
    code.extend(negative[..half - 1].iter().map(|&p| -normal_quantile(p) / top));
    code.push(0.0);
    code.sort_by(f64::total_cmp);
    code.into_iter().map(|c| c as f32).collect()
}

/// bitsandbytes' signed dynamic map (`create_dynamic_map(signed=True,
/// max_exponent_bits=7, total_bits=8)`): for each exponent `e = 0…6`, the
/// `2^e` midpoints of `linspace(0.1, 1, 2^e + 1)` scaled by `10^(e−6)`, both
/// signs, then 0 and 1; 256 values, ascending. Computed in `f32` as torch does
/// it (its `linspace` fills the second half from the end).
pub fn dynamic_map() -> Vec<f32> {
    let mut data = Vec::with_capacity(256);
    for e in 0..7 {
        let items = (1usize << e) + 1;
        let bounds = torch_linspace(0.1, 1.0, items);
        let scale = 10f64.powi(e - 6) as f32;
        let means: Vec<f32> = bounds.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect();
        data.extend(means.iter().map(|&m| scale * m));
        data.extend(means.iter().map(|&m| -(scale * m)));
    }
    data.push(0.0);
    data.push(1.0);
    data.sort_by(f32::total_cmp);
    data
}

/// torch's `linspace` in `f32`: `step = (b − a)/(n − 1)`, entries below the
/// half as `a + i·step`, the rest as `b − (n − 1 − i)·step`.
fn torch_linspace(a: f32, b: f32, n: usize) -> Vec<f32> {
    let step = (b - a) / (n - 1) as f32;
    let half = n / 2;
    (0..n).map(|i| if i < half { a + step * i as f32 } else { b - step * (n - 1 - i) as f32 }).collect()
}

/// The decision boundaries of an ascending code: the midpoints
/// `(cᵢ + cᵢ₊₁)/2` in `f32`, as bitsandbytes computes them.
pub fn midpoints(code: &[f32]) -> Vec<f32> {
    code.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
}

/// The index of the code nearest to `x` given the code's [`midpoints`]:
/// the number of midpoints below `x` (torch's `bucketize`, `right=False`),
/// so a value exactly on a midpoint goes to the lower code. Up to 16 bounds
/// it counts them all, branch-free; above, it bisects. At most 255 bounds.
pub fn bucket(bounds: &[f32], x: f32) -> u8 {
    if bounds.len() <= 16 {
        bounds.iter().map(|&b| u8::from(b < x)).sum()
    } else {
        bounds.partition_point(|&b| b < x) as u8
    }
}

/// The standard normal quantile `Φ⁻¹(p)` for `0 < p < 1`: Acklam's rational
/// approximation (relative error below 1.2·10⁻⁹), refined by one Halley step
/// on `Φ(x) − p` with `erfc`, which brings it to full double precision.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let poly = |cs: &[f64], x: f64| cs.iter().fold(0.0, |acc, &c| acc * x + c);
    let tail = |q: f64| poly(&C, q) / (poly(&D, q) * q + 1.0);
    const LOW: f64 = 0.024_25;
    let x = if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        poly(&A, r) * q / (poly(&B, r) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ascending_with_an_exact_zero_and_end_at_one() {
        for bits in [2, 3, 4] {
            let code = normal_float(bits);
            assert_eq!(code.len(), 1 << bits);
            assert!(code.windows(2).all(|w| w[0] < w[1]), "{code:?}");
            assert_eq!((code[0], code[code.len() - 1]), (-1.0, 1.0));
            assert!(code.contains(&0.0));
        }
        let dynamic = dynamic_map();
        assert_eq!(dynamic.len(), 256);
        assert!(dynamic.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(dynamic[255], 1.0);
    }

    #[test]
    fn a_value_on_a_midpoint_goes_to_the_lower_code() {
        let bounds = midpoints(&NF4);
        assert_eq!(bucket(&bounds, bounds[7]), 7);
        assert_eq!(bucket(&bounds, f32::from_bits(bounds[7].to_bits() + 1)), 8);
        assert_eq!(bucket(&bounds, -1.0), 0);
        assert_eq!(bucket(&bounds, 1.0), 15);
    }

    #[test]
    fn the_quantile_inverts_the_normal_cdf() {
        for p in [1e-12, 1e-3, 0.02, 0.3, 0.5, 0.7, 0.99, 1.0 - 1e-9] {
            let x = normal_quantile(p);
            let back = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
            assert!((back - p).abs() <= 1e-15 * p.max(1e-3), "{p}: {back}");
        }
    }
}
