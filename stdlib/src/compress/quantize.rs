//! Blockwise quantization of a weight matrix: NormalFloat as bitsandbytes
//! does it, and DeepSpeed's (ZeroQuant's) symmetric and asymmetric integers.
//!
//! The entries are taken in the row-major order of the `out × in` weight (the
//! order of `W.reshape(-1)` in PyTorch) and cut into blocks of `block`
//! consecutive entries; a ragged last block gets its own scale. All
//! arithmetic is in `f32`, as the reference code runs on `float32` weights:
//!
//! - NormalFloat (bitsandbytes `quantize_4bit`): `absmax_b = max |x|` over the
//!   block, `q = bucketize(clamp(x/absmax_b, −1, 1), midpoints)` (a value on a
//!   midpoint goes to the lower code), `x̂ = code[q]·absmax_b`. With double
//!   quantization (bitsandbytes' `compress_statistics`) the absmaxes are
//!   stored as `offset = mean(absmax)` plus an 8-bit blockwise code (blocks of
//!   256, the signed dynamic map) of `absmax − offset`.
//! - LQ-LoRA's blockwise NormalFloat (`quantization_utils_2.py`, the
//!   "blockwise-nf" that its bit allocation searches) quantizes the absmaxes
//!   uniformly instead: `offset = min(absmax)`, `s₂ = absmax − offset`; per
//!   group of `g` blocks `m = max s₂` rounded to `bf16`, `fp16` or `fp32`, and
//!   with `t = (2^{b₀} − 1)/m` (1 when `m ≤ 2⁻²⁴`) the `b₀`-bit code
//!   `clamp(round(s₂·t), 0, 2^{b₀} − 1)`. An entry is then rounded against its
//!   *dequantized* scale `s = offset + code/t`, by division (`s = 0` gives the
//!   code of 0). The reference needs `numel` divisible by `block·g`; here a
//!   ragged last block and group are allowed.
//! - Symmetric integers of `b` bits (DeepSpeed `SymQuantizer`):
//!   `s = 2·max|x| / 2^b`, `q = clamp(round(x/s), −2^{b−1}, 2^{b−1}−1)`,
//!   `x̂ = q·s`; the largest positive entry is clipped to `(2^{b−1}−1)·s`.
//! - Asymmetric integers (DeepSpeed `AsymQuantizer`): `s = (max − min)/2^b`,
//!   `z = round(min/s)·s`, `q = clamp(round((x − z)/s), 0, 2^b − 1)`,
//!   `x̂ = q·s + z`.
//!
//! `round` is to the nearest, ties to even (torch's `round`). Where DeepSpeed
//! divides by a zero scale (an all-zero or constant block), the block is kept
//! exactly instead of becoming NaN.
//!
//! Cost: `O(mn)` to quantize (`O(mn·2^k)` compares for NormalFloat), and
//! `O(mn)` to dequantize.

use super::codebook::{bucket, dynamic_map, midpoints, normal_float};
use crate::error::{Error, Result, Shape};
use crate::Matrix;
use half::{bf16, f16};
use rayon::prelude::*;

/// How entries are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Symmetric integers of `bits` bits.
    Int {
        /// Bits per entry.
        bits: u32,
    },
    /// Asymmetric integers of `bits` bits (a zero point per block).
    IntAsym {
        /// Bits per entry.
        bits: u32,
    },
    /// The NormalFloat code of `bits` bits.
    NormalFloat {
        /// Bits per entry.
        bits: u32,
    },
}

/// Every scheme by its name: the one list that parsing, help and errors use.
pub const SCHEMES: [(&str, Scheme); 7] = [
    ("int8", Scheme::Int { bits: 8 }),
    ("int4", Scheme::Int { bits: 4 }),
    ("int4-asym", Scheme::IntAsym { bits: 4 }),
    ("nf4", Scheme::NormalFloat { bits: 4 }),
    ("nf3", Scheme::NormalFloat { bits: 3 }),
    ("nf2", Scheme::NormalFloat { bits: 2 }),
    ("nf8", Scheme::NormalFloat { bits: 8 }),
];

impl Scheme {
    /// The scheme called `name` (one of [`SCHEMES`]).
    pub fn parse(name: &str) -> Result<Scheme> {
        by_name(&SCHEMES, name, ("scheme", "schemes"))
    }

    /// Its name in [`SCHEMES`].
    pub fn name(self) -> &'static str {
        name_of(&SCHEMES, self)
    }

    /// Bits per entry, without the scales.
    pub fn bits(self) -> u32 {
        match self {
            Scheme::Int { bits } | Scheme::IntAsym { bits } | Scheme::NormalFloat { bits } => bits,
        }
    }
}

/// The value called `name` in a table of names, or an error that lists them
/// (`what`: the singular and plural of what the table holds).
fn by_name<T: Copy>(table: &[(&'static str, T)], name: &str, what: (&str, &str)) -> Result<T> {
    table.iter().find(|(n, _)| *n == name).map(|&(_, v)| v).ok_or_else(|| {
        let known: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
        Error::invalid("quantize", format!("unknown {} \"{name}\"; the {} are {}", what.0, what.1, known.join(", ")))
    })
}

/// The name of `value` in its table (every value is listed).
fn name_of<T: PartialEq>(table: &[(&'static str, T)], value: T) -> &'static str {
    table.iter().find(|(_, v)| *v == value).map(|(n, _)| *n).expect("every value is listed")
}

/// The float format in which LQ-LoRA's uniform second level stores each
/// group's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleDtype {
    /// bfloat16: 8 exponent bits, 7 mantissa bits.
    Bf16,
    /// IEEE half precision: 5 exponent bits, 10 mantissa bits (largest 65504).
    Fp16,
    /// IEEE single precision.
    Fp32,
}

/// Every scale format by its name, the one list.
pub const SCALE_DTYPES: [(&str, ScaleDtype); 3] =
    [("bf16", ScaleDtype::Bf16), ("fp16", ScaleDtype::Fp16), ("fp32", ScaleDtype::Fp32)];

impl ScaleDtype {
    /// The format called `name` (one of [`SCALE_DTYPES`]).
    pub fn parse(name: &str) -> Result<ScaleDtype> {
        by_name(&SCALE_DTYPES, name, ("scale format", "formats"))
    }

    /// Its name in [`SCALE_DTYPES`].
    pub fn name(self) -> &'static str {
        name_of(&SCALE_DTYPES, self)
    }

    /// Bits per stored number.
    pub fn bits(self) -> u32 {
        match self {
            ScaleDtype::Bf16 | ScaleDtype::Fp16 => 16,
            ScaleDtype::Fp32 => 32,
        }
    }

    /// `x` rounded to the format and back (to the nearest, ties to even, as
    /// torch's casts); `fp16` overflows to infinity above 65504.
    pub fn round(self, x: f32) -> f32 {
        match self {
            ScaleDtype::Bf16 => bf16::from_f32(x).to_f32(),
            ScaleDtype::Fp16 => f16::from_f32(x).to_f32(),
            ScaleDtype::Fp32 => x,
        }
    }
}

/// How the block scales are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleQuant {
    /// As `f32`.
    Plain,
    /// bitsandbytes' double quantization (NormalFloat only): a mean offset
    /// and the 8-bit dynamic code in groups of 256.
    Dynamic,
    /// LQ-LoRA's uniform second level (NormalFloat only): a minimum offset
    /// and `bits`-bit unsigned integers, one maximum in `dtype` per `group`
    /// blocks.
    Uniform {
        /// Bits per block scale (1 to 8).
        bits: u32,
        /// The format of each group's maximum.
        dtype: ScaleDtype,
        /// Blocks per group.
        group: usize,
    },
}

impl std::fmt::Display for ScaleQuant {
    /// `""`, `", double"`, or `", scales 8-bit fp16 per 256"`, as operator
    /// summaries append it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScaleQuant::Plain => Ok(()),
            ScaleQuant::Dynamic => write!(f, ", double"),
            ScaleQuant::Uniform { bits, dtype, group } => write!(f, ", scales {bits}-bit {} per {group}", dtype.name()),
        }
    }
}

/// The smallest group maximum that the uniform second level divides by
/// (pytorch-quantization's `epsilon`, 2⁻²⁴); below it the step is 1.
const UNIFORM_EPSILON: f32 = 1.0 / (1u32 << 24) as f32;

/// LQ-LoRA's uniform second level: block scales `offset + codes[i]/t_g`
/// with `t_g = (2^bits − 1)/amax[g]` for the group `g = i / group`.
#[derive(Debug, Clone, PartialEq)]
struct UniformQuant {
    bits: u32,
    dtype: ScaleDtype,
    group: usize,
    offset: f32,
    codes: Vec<u8>,
    amax: Vec<f32>,
}

impl UniformQuant {
    /// The multiplier `t = (2^bits − 1)/amax` of a group (1 for a tiny maximum).
    fn step(&self, amax: f32) -> f32 {
        if amax > UNIFORM_EPSILON {
            ((1u32 << self.bits) - 1) as f32 / amax
        } else {
            1.0
        }
    }

    /// Quantizes the block scales `absmax`. Errors when a group maximum does
    /// not fit in `dtype` (`fp16` above 65504).
    fn new(absmax: &[f32], bits: u32, dtype: ScaleDtype, group: usize) -> Result<UniformQuant> {
        let offset = absmax.iter().copied().reduce(f32::min).unwrap_or(0.0);
        let mut u = UniformQuant { bits, dtype, group, offset, codes: Vec::with_capacity(absmax.len()), amax: vec![] };
        let top = ((1u32 << bits) - 1) as f32;
        for chunk in absmax.chunks(group) {
            let amax = dtype.round(chunk.iter().fold(0f32, |m, &a| m.max(a - offset)));
            if !amax.is_finite() {
                return Err(Error::invalid(
                    "quantize",
                    format!(
                        "a block scale range does not fit in {}{}",
                        dtype.name(),
                        match dtype {
                            ScaleDtype::Fp16 => "; use bf16 or fp32",
                            _ => "",
                        }
                    ),
                ));
            }
            let t = u.step(amax);
            u.codes.extend(chunk.iter().map(|&a| ((a - offset) * t).round_ties_even().clamp(0.0, top) as u8));
            u.amax.push(amax);
        }
        Ok(u)
    }

    /// The dequantized block scales.
    fn scales(&self) -> Vec<f32> {
        self.codes
            .iter()
            .enumerate()
            .map(|(i, &c)| self.offset + f32::from(c) / self.step(self.amax[i / self.group]))
            .collect()
    }
}

/// The second level of double quantization: the first level's block scales
/// as `offset + dynamic[codes[i]]·absmax[i / 256]`.
#[derive(Debug, Clone, PartialEq)]
struct DoubleQuant {
    offset: f32,
    codes: Vec<u8>,
    absmax: Vec<f32>,
}

/// Block size of the second level, bitsandbytes' 256.
const SECOND_BLOCK: usize = 256;

/// What is stored per block.
#[derive(Debug, Clone, PartialEq)]
enum Scales {
    /// The absmax (NormalFloat) or the step `s` (symmetric integers), in `f32`.
    Plain(Vec<f32>),
    /// The step `s` and the zero point `z` of asymmetric integers.
    Asymmetric { step: Vec<f32>, zero: Vec<f32> },
    /// Double-quantized NormalFloat absmaxes.
    Double(DoubleQuant),
    /// NormalFloat absmaxes on LQ-LoRA's uniform second level.
    Uniform(UniformQuant),
}

/// A quantized matrix: one code per entry and the scales of its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    scheme: Scheme,
    shape: Shape,
    block: usize,
    /// One code per entry, in row-major order (unpacked; [`Quantized::bits`]
    /// counts them at the scheme's width).
    codes: Vec<u8>,
    scales: Scales,
}

/// Per block of `block` consecutive entries: the smallest and the largest.
fn block_ranges(x: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    x.par_chunks(block)
        .map(|xs| xs.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v))))
        .unzip()
}

/// bitsandbytes' blockwise scales for an ascending code book, from the block
/// ranges of `n` entries: the absmax is stored, a full block multiplies by
/// the reciprocal of `max(absmax, 1e−38)`, and a ragged last one divides by
/// it and stores it, as `quantize_4bit` and `quantize_blockwise` do. Returns
/// the stored scales and each block's `(a, b)` of [`Rounding::Codebook`].
fn codebook_scales(lo: &[f32], hi: &[f32], n: usize, block: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let ragged = n % block != 0;
    let mut stored = Vec::with_capacity(lo.len());
    let (mut a, mut b) = (Vec::with_capacity(lo.len()), Vec::with_capacity(lo.len()));
    for (i, (&l, &h)) in lo.iter().zip(hi).enumerate() {
        let amax = l.abs().max(h.abs());
        let floor = amax.max(1e-38);
        if ragged && i + 1 == lo.len() {
            stored.push(floor);
            a.push(1.0);
            b.push(floor);
        } else {
            stored.push(amax);
            a.push(1.0 / floor);
            b.push(1.0);
        }
    }
    (stored, a, b)
}

/// `(hi − lo)/levels` in `f32`, through `f64` where `hi − lo` overflows.
fn asymmetric_step(lo: f32, hi: f32, levels: f32) -> f32 {
    match hi - lo {
        d if d.is_finite() => d / levels,
        _ => ((f64::from(hi) - f64::from(lo)) / f64::from(levels)) as f32,
    }
}

/// How an entry `x` of a block becomes its code, given the block's two
/// numbers `a` and `b`. The device's twin is the kernel `block_codes`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rounding {
    /// A code book: `bucket(clamp(x·a/b, −1, 1), midpoints)` (a value on a
    /// midpoint goes to the lower code), or the code `zero` where `b = 0`.
    Codebook {
        /// The code of 0.
        zero: u8,
    },
    /// Integers: `clamp(round((x − b)/a), min, max) + offset`, ties to even,
    /// or the code `fixed` where `a = 0`.
    Integer {
        /// The code of a block whose step is 0.
        fixed: u8,
        /// The smallest level.
        min: f32,
        /// The largest level.
        max: f32,
        /// What turns a level into a code.
        offset: f32,
    },
}

impl Rounding {
    /// The codes `qs` of the entries `xs` of one block. A code book of up to
    /// 16 bounds goes in runs of 64 entries, bound by bound over the run (loops
    /// the compiler vectorises across entries); larger ones by bisection.
    fn block(self, bounds: &[f32], xs: &[f32], qs: &mut [u8], a: f32, b: f32) {
        match self {
            Rounding::Codebook { zero } if b == 0.0 => qs.fill(zero),
            // x·a/1 is x·a: the division is left out of full blocks' loop.
            Rounding::Codebook { .. } if b == 1.0 => bucket_block(bounds, xs, qs, |v| (v * a).clamp(-1.0, 1.0)),
            Rounding::Codebook { .. } => bucket_block(bounds, xs, qs, |v| (v * a / b).clamp(-1.0, 1.0)),
            Rounding::Integer { fixed, .. } if a == 0.0 => qs.fill(fixed),
            Rounding::Integer { min, max, offset, .. } => {
                for (q, &v) in qs.iter_mut().zip(xs) {
                    *q = (((v - b) / a).round_ties_even().clamp(min, max) + offset) as u8;
                }
            }
        }
    }
}

/// `qs[k] = bucket(bounds, f(xs[k]))` for one block: up to 16 bounds, in
/// runs of 64 entries, `f` once per entry and then bound by bound over the
/// run; by bisection above.
fn bucket_block(bounds: &[f32], xs: &[f32], qs: &mut [u8], f: impl Fn(f32) -> f32) {
    if bounds.len() <= 16 {
        let mut y = [0f32; 64];
        for (qs, xs) in qs.chunks_mut(64).zip(xs.chunks(64)) {
            for (t, &v) in y.iter_mut().zip(xs) {
                *t = f(v);
            }
            qs.fill(0);
            for &b in bounds {
                for (q, &t) in qs.iter_mut().zip(&y) {
                    *q += u8::from(b < t);
                }
            }
        }
    } else {
        for (q, &v) in qs.iter_mut().zip(xs) {
            *q = bucket(bounds, f(v));
        }
    }
}

/// The codes of `x` in blocks of `block`, block `i` rounded with `(a[i], b[i])`.
fn round_blocks(x: &[f32], block: usize, rounding: Rounding, bounds: &[f32], a: &[f32], b: &[f32]) -> Vec<u8> {
    let mut codes = vec![0u8; x.len()];
    x.par_chunks(block).zip(codes.par_chunks_mut(block)).enumerate().for_each(|(i, (xs, qs))| {
        rounding.block(bounds, xs, qs, a[i], b[i]);
    });
    codes
}

/// A quantization with everything decided but the codes: each block's scale
/// as stored, and its `(a, b)` of [`Rounding`]. The CPU and the device both
/// find the codes from it.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// How entries round.
    pub(crate) rounding: Rounding,
    /// The midpoints of the code book (empty for integers).
    pub(crate) bounds: Vec<f32>,
    /// Per block, the first number of [`Rounding`].
    pub(crate) a: Vec<f32>,
    /// Per block, the second.
    pub(crate) b: Vec<f32>,
    scheme: Scheme,
    block: usize,
    scales: Scales,
}

impl Plan {
    /// The codes of the row-major entries `x` (on the CPU).
    fn codes(&self, x: &[f32]) -> Vec<u8> {
        round_blocks(x, self.block, self.rounding, &self.bounds, &self.a, &self.b)
    }

    /// The quantized matrix of `shape` with these `codes`.
    pub(crate) fn finish(self, shape: Shape, codes: Vec<u8>) -> Quantized {
        Quantized { scheme: self.scheme, shape, block: self.block, codes, scales: self.scales }
    }
}

impl Quantized {
    /// Quantizes `w` with `scheme` in blocks of `block` consecutive row-major
    /// entries; `double` quantizes the NormalFloat block scales again, as
    /// bitsandbytes does ([`Quantized::with_scales`] with
    /// [`ScaleQuant::Dynamic`]).
    ///
    /// Errors on NaN or infinite entries, a block of 0, and `double` with an
    /// integer scheme.
    ///
    /// ```
    /// use tessera::compress::{Quantized, Scheme};
    /// use tessera::Matrix;
    /// let w = Matrix::from_row_major(1, 4, &[0.5, -1.0, 0.25, 0.0])?;
    /// let q = Quantized::new(&w, Scheme::NormalFloat { bits: 4 }, 64, false)?;
    /// // absmax 1: 0.5 lies below the midpoint 0.5017 of the codes 0.4407 and 0.5626
    /// assert_eq!(q.dequantize().get(0, 0), Some(0.44070982933044434));
    /// assert_eq!(q.bits(), 4.0 + 32.0 / 4.0);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn new(w: &Matrix, scheme: Scheme, block: usize, double: bool) -> Result<Quantized> {
        Quantized::with_scales(w, scheme, block, if double { ScaleQuant::Dynamic } else { ScaleQuant::Plain })
    }

    /// Quantizes `w` with `scheme` in blocks of `block`, storing the block
    /// scales as `scales` says.
    ///
    /// Errors on NaN or infinite entries, a block or group of 0, scales
    /// quantized with an integer scheme or to other than 1 to 8 bits, and a
    /// group maximum that overflows `fp16`.
    ///
    /// ```
    /// use tessera::compress::{Quantized, ScaleDtype, ScaleQuant, Scheme};
    /// use tessera::Matrix;
    /// let w = Matrix::from_row_major(1, 4, &[0.5, -1.0, 0.25, 2.0])?;
    /// let scales = ScaleQuant::Uniform { bits: 2, dtype: ScaleDtype::Fp32, group: 16 };
    /// let q = Quantized::with_scales(&w, Scheme::NormalFloat { bits: 4 }, 2, scales)?;
    /// // absmaxes 1 and 2: offset 1, and the second is 1 + 3/(3/1)
    /// assert_eq!(q.scales(), [1.0, 2.0]);
    /// assert_eq!(q.bits(), 4.0 + (2.0 * 2.0 + 32.0 + 32.0) / 4.0);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn with_scales(w: &Matrix, scheme: Scheme, block: usize, scales: ScaleQuant) -> Result<Quantized> {
        let (x, in_range) = row_major_f32(w);
        if !in_range {
            w.require_finite("quantize")?;
            return Err(Quantized::beyond_f32());
        }
        Quantized::check_parameters(scheme, block, scales)?;
        let (lo, hi) = block_ranges(&x, block);
        let plan = Quantized::plan(scheme, x.len(), block, scales, &lo, &hi)?;
        let codes = plan.codes(&x);
        Ok(plan.finish(w.shape(), codes))
    }

    /// The error for entries beyond `f32`'s range.
    pub(crate) fn beyond_f32() -> Error {
        Error::invalid("quantize", "entries beyond f32's range cannot be quantized in f32")
    }

    /// Errors on a block of 0, quantized scales with an integer scheme, and
    /// a uniform second level of other than 1 to 8 bits or a group of 0.
    pub(crate) fn check_parameters(scheme: Scheme, block: usize, scales: ScaleQuant) -> Result<()> {
        if block == 0 {
            return Err(Error::invalid("quantize", "block must be at least 1"));
        }
        if scales != ScaleQuant::Plain && !matches!(scheme, Scheme::NormalFloat { .. }) {
            return Err(Error::invalid(
                "quantize",
                format!("quantized scales are for the NormalFloat schemes, not {}", scheme.name()),
            ));
        }
        if let ScaleQuant::Uniform { bits, group, .. } = scales {
            if !(1..=8).contains(&bits) || group == 0 {
                return Err(Error::invalid(
                    "quantize",
                    format!("the scales take 1 to 8 bits in groups of at least 1 block, not {bits} bits per {group}"),
                ));
            }
        }
        Ok(())
    }

    /// The plan for `n` entries in blocks of `block` whose ranges are
    /// `lo`, `hi` (`O(n/block)`). Errors when a uniform second level's group
    /// maximum overflows its format.
    pub(crate) fn plan(
        scheme: Scheme,
        n: usize,
        block: usize,
        scales: ScaleQuant,
        lo: &[f32],
        hi: &[f32],
    ) -> Result<Plan> {
        let plan = |rounding, bounds, a, b, scales| Plan { rounding, bounds, a, b, scheme, block, scales };
        Ok(match scheme {
            Scheme::NormalFloat { bits } => {
                let bounds = midpoints(&normal_float(bits));
                let (stored, a, b) = codebook_scales(lo, hi, n, block);
                let zero = bucket(&bounds, 0.0);
                match scales {
                    ScaleQuant::Plain => plan(Rounding::Codebook { zero }, bounds, a, b, Scales::Plain(stored)),
                    ScaleQuant::Dynamic => {
                        plan(Rounding::Codebook { zero }, bounds, a, b, Scales::Double(double_quantize(&stored)))
                    }
                    // LQ-LoRA rounds against the dequantized scales, by division.
                    ScaleQuant::Uniform { bits, dtype, group } => {
                        let u = UniformQuant::new(&stored, bits, dtype, group)?;
                        let b = u.scales();
                        plan(Rounding::Codebook { zero }, bounds, vec![1.0; b.len()], b, Scales::Uniform(u))
                    }
                }
            }
            Scheme::Int { bits } => {
                let levels = (1u32 << bits) as f32;
                let half = levels / 2.0;
                // 2·max/2^b as DeepSpeed has it, as max/2^{b−1}: the same number, without overflow.
                let step: Vec<f32> = lo.iter().zip(hi).map(|(&l, &h)| l.abs().max(h.abs()) / half).collect();
                let rounding = Rounding::Integer { fixed: half as u8, min: -half, max: half - 1.0, offset: half };
                plan(rounding, vec![], step.clone(), vec![0.0; step.len()], Scales::Plain(step))
            }
            Scheme::IntAsym { bits } => {
                let levels = (1u32 << bits) as f32;
                let (step, zero): (Vec<f32>, Vec<f32>) = lo
                    .iter()
                    .zip(hi)
                    .map(|(&l, &h)| match asymmetric_step(l, h, levels) {
                        0.0 => (0.0, l),
                        step => (step, (l / step).round_ties_even() * step),
                    })
                    .unzip();
                let rounding = Rounding::Integer { fixed: 0, min: 0.0, max: levels - 1.0, offset: 0.0 };
                plan(rounding, vec![], step.clone(), zero.clone(), Scales::Asymmetric { step, zero })
            }
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `(rows, cols)` of the quantized matrix.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The block length.
    pub fn block(&self) -> usize {
        self.block
    }

    /// How the block scales are stored.
    pub fn scale_quant(&self) -> ScaleQuant {
        match &self.scales {
            Scales::Plain(_) | Scales::Asymmetric { .. } => ScaleQuant::Plain,
            Scales::Double(_) => ScaleQuant::Dynamic,
            Scales::Uniform(u) => ScaleQuant::Uniform { bits: u.bits, dtype: u.dtype, group: u.group },
        }
    }

    /// The codes, one per entry in row-major order: indices into the
    /// NormalFloat code, or `q + 2^{b−1}` for symmetric integers, `q` for
    /// asymmetric ones.
    pub fn codes(&self) -> &[u8] {
        &self.codes
    }

    /// Each entry's integer as its scheme defines it, row-major: the code
    /// index (NormalFloat), the signed `q ∈ [−2^{b−1}, 2^{b−1})` (symmetric
    /// integers) or `q ∈ [0, 2^b)` (asymmetric).
    pub fn levels(&self) -> impl Iterator<Item = i32> + '_ {
        let offset = match self.scheme {
            Scheme::Int { bits } => 1 << (bits - 1),
            _ => 0,
        };
        self.codes.iter().map(move |&c| i32::from(c) - offset)
    }

    /// Each block's scale as dequantization uses it: the absmax
    /// (NormalFloat, after the second level when its scales are quantized)
    /// or the step `s`.
    pub fn scales(&self) -> Vec<f32> {
        match &self.scales {
            Scales::Plain(s) | Scales::Asymmetric { step: s, .. } => s.clone(),
            Scales::Double(d) => {
                let dynamic = dynamic_map();
                d.codes
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| dynamic[c as usize] * d.absmax[i / SECOND_BLOCK] + d.offset)
                    .collect()
            }
            Scales::Uniform(u) => u.scales(),
        }
    }

    /// The dense matrix `x̂` (in `f32` arithmetic, as the reference
    /// dequantizes). Cost `O(mn)`.
    ///
    /// Entry `k` of block `b` is `value[code_k]·scale_b` ([`Quantized::values`],
    /// [`Quantized::scales`]), plus `zero_b` for asymmetric integers.
    pub fn dequantize(&self) -> Matrix {
        let Shape(m, n) = self.shape;
        let (values, scales, zeros, block) = (self.values(), self.scales(), self.zeros(), self.block);
        Matrix::tiled(m, n, |i, j| {
            let k = i * n + j;
            let v = values[self.codes[k] as usize] * scales[k / block];
            f64::from(if zeros.is_empty() { v } else { v + zeros[k / block] })
        })
    }

    /// The value of each code before scaling: the NormalFloat code book,
    /// `c − 2^{b−1}` for symmetric integers, `c` for asymmetric ones.
    pub fn values(&self) -> Vec<f32> {
        match self.scheme {
            Scheme::NormalFloat { bits } => normal_float(bits),
            Scheme::Int { bits } => (0..1u32 << bits).map(|c| c as f32 - (1u32 << (bits - 1)) as f32).collect(),
            Scheme::IntAsym { bits } => (0..1u32 << bits).map(|c| c as f32).collect(),
        }
    }

    /// Each block's zero point (asymmetric integers; empty otherwise).
    pub fn zeros(&self) -> &[f32] {
        match &self.scales {
            Scales::Asymmetric { zero, .. } => zero,
            _ => &[],
        }
    }

    /// What it is, e.g. `quantized (nf4, block 64, double)`.
    pub fn structure(&self) -> String {
        format!("quantized ({}, block {}{})", self.scheme.name(), self.block, self.scale_quant())
    }

    /// How many numbers it stores: a code per entry, and per block a scale
    /// (and a zero point for asymmetric integers); double quantization stores
    /// per block a code, and per 256 blocks a scale, and one offset; the
    /// uniform second level per block a code, per group a maximum, and one
    /// offset.
    pub fn storage(&self) -> usize {
        self.codes.len()
            + match &self.scales {
                Scales::Plain(s) => s.len(),
                Scales::Asymmetric { step, zero } => step.len() + zero.len(),
                Scales::Double(d) => d.codes.len() + d.absmax.len() + 1,
                Scales::Uniform(u) => u.codes.len() + u.amax.len() + 1,
            }
    }

    /// Bits per entry, scales included: `b + 32/block` (64/block with zero
    /// points), and `b + 8/block + 32/(256·block)` (plus 32 bits once) with
    /// double quantization; with the uniform second level of `b₀` bits in
    /// groups of `g` in a format of `d` bits, `b + b₀/block + d/(g·block)`
    /// (plus 32 bits once; LQ-LoRA's allocation leaves that out). NF4 at
    /// block 64 is 4.5 bits, 4.127 double. An empty matrix gives the code's `b`.
    pub fn bits(&self) -> f64 {
        let b = f64::from(self.scheme.bits());
        let n = self.codes.len();
        if n == 0 {
            return b;
        }
        let extra = match &self.scales {
            Scales::Plain(s) => 32 * s.len(),
            Scales::Asymmetric { step, zero } => 32 * (step.len() + zero.len()),
            Scales::Double(d) => 8 * d.codes.len() + 32 * (d.absmax.len() + 1),
            Scales::Uniform(u) => u.bits as usize * u.codes.len() + u.dtype.bits() as usize * u.amax.len() + 32,
        };
        b + extra as f64 / n as f64
    }
}

/// The numbers a [`Quantized`] stores, for serialisation: `scales` and
/// `zeros` per block (empty where the scheme has none), or with quantized
/// scales `second = (offset, codes, absmax)` and no `scales`: bitsandbytes'
/// dynamic code, or with `uniform = (bits, dtype, group)` LQ-LoRA's uniform one.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedParts {
    /// The scheme.
    pub scheme: Scheme,
    /// `(rows, cols)`.
    pub shape: Shape,
    /// The block length.
    pub block: usize,
    /// One code per entry, row-major.
    pub codes: Vec<u8>,
    /// Per block: the absmax or the step.
    pub scales: Vec<f32>,
    /// Per block: the zero point of asymmetric integers.
    pub zeros: Vec<f32>,
    /// The second level of quantized scales.
    pub second: Option<(f32, Vec<u8>, Vec<f32>)>,
    /// The uniform second level's bits, maximum format and group.
    pub uniform: Option<(u32, ScaleDtype, usize)>,
}

impl Quantized {
    /// Its stored numbers.
    pub fn to_parts(&self) -> QuantizedParts {
        let (scales, zeros, second, uniform) = match &self.scales {
            Scales::Plain(s) => (s.clone(), vec![], None, None),
            Scales::Asymmetric { step, zero } => (step.clone(), zero.clone(), None, None),
            Scales::Double(d) => (vec![], vec![], Some((d.offset, d.codes.clone(), d.absmax.clone())), None),
            Scales::Uniform(u) => {
                (vec![], vec![], Some((u.offset, u.codes.clone(), u.amax.clone())), Some((u.bits, u.dtype, u.group)))
            }
        };
        QuantizedParts {
            scheme: self.scheme,
            shape: self.shape,
            block: self.block,
            codes: self.codes.clone(),
            scales,
            zeros,
            second,
            uniform,
        }
    }

    /// Rebuilds from stored numbers, checking every length and code, so a
    /// forged input is an error rather than an invalid operator.
    pub fn from_parts(p: QuantizedParts) -> Result<Quantized> {
        let bad = |what: String| Err(Error::invalid("quantized", what));
        let n = p.shape.0.checked_mul(p.shape.1);
        if p.block == 0 || n != Some(p.codes.len()) {
            return bad(format!("{} codes with block {} do not fill a {} matrix", p.codes.len(), p.block, p.shape));
        }
        if p.codes.iter().any(|&c| u32::from(c) >> p.scheme.bits() != 0) {
            return bad(format!("a code is out of range for {}", p.scheme.name()));
        }
        let nblocks = p.codes.len().div_ceil(p.block);
        let asymmetric = matches!(p.scheme, Scheme::IntAsym { .. });
        let second_level = matches!(p.scheme, Scheme::NormalFloat { .. }) && p.scales.is_empty() && p.zeros.is_empty();
        let scales = match (p.second, p.uniform) {
            (Some((offset, codes, amax)), Some((bits, dtype, group)))
                if second_level
                    && (1..=8).contains(&bits)
                    && group > 0
                    && codes.len() == nblocks
                    && amax.len() == nblocks.div_ceil(group)
                    && codes.iter().all(|&c| u32::from(c) >> bits == 0) =>
            {
                Scales::Uniform(UniformQuant { bits, dtype, group, offset, codes, amax })
            }
            (Some((offset, codes, absmax)), None)
                if second_level && codes.len() == nblocks && absmax.len() == nblocks.div_ceil(SECOND_BLOCK) =>
            {
                Scales::Double(DoubleQuant { offset, codes, absmax })
            }
            (None, None) if p.scales.len() == nblocks && asymmetric => {
                if p.zeros.len() != nblocks {
                    return bad(format!("{} zero points for {nblocks} blocks", p.zeros.len()));
                }
                Scales::Asymmetric { step: p.scales, zero: p.zeros }
            }
            (None, None) if p.scales.len() == nblocks && p.zeros.is_empty() => Scales::Plain(p.scales),
            _ => return bad(format!("the scales do not match {nblocks} blocks of {}", p.scheme.name())),
        };
        Ok(Quantized { scheme: p.scheme, shape: p.shape, block: p.block, codes: p.codes, scales })
    }
}

/// bitsandbytes' second level: `offset = mean(absmax)`, then the blockwise
/// dynamic code of `absmax − offset` in blocks of 256. The mean is summed in
/// `f64` and rounded to `f32` (torch sums in `f32`, which may differ in the
/// last bit).
fn double_quantize(absmax: &[f32]) -> DoubleQuant {
    let offset = if absmax.is_empty() {
        0.0
    } else {
        (absmax.iter().map(|&a| f64::from(a)).sum::<f64>() / absmax.len() as f64) as f32
    };
    let centred: Vec<f32> = absmax.iter().map(|&a| a - offset).collect();
    let (lo, hi) = block_ranges(&centred, SECOND_BLOCK);
    let (absmax, a, b) = codebook_scales(&lo, &hi, centred.len(), SECOND_BLOCK);
    let bounds = midpoints(&dynamic_map());
    let rounding = Rounding::Codebook { zero: bucket(&bounds, 0.0) };
    let codes = round_blocks(&centred, SECOND_BLOCK, rounding, &bounds, &a, &b);
    DoubleQuant { offset, codes, absmax }
}

/// The entries of `w` in row-major order as `f32` (PyTorch's
/// `W.reshape(-1).float()`), and whether every entry lies within `f32`'s
/// range (`false` on NaN and ±∞ too), found in the same pass. The
/// column-major storage is transposed in tiles of 64 × 64 through a local
/// tile (columns read in runs, rows written in runs), 64 rows of tiles per
/// parallel task. `O(mn)`.
fn row_major_f32(w: &Matrix) -> (Vec<f32>, bool) {
    const TILE: usize = 64;
    let (m, n) = (w.rows(), w.cols());
    let mut out = vec![0f32; m * n];
    if out.is_empty() {
        return (out, true);
    }
    let a = w.as_faer();
    let in_range = out
        .par_chunks_mut(TILE * n)
        .enumerate()
        .map(|(t, rows)| {
            let (i0, height) = (t * TILE, rows.len() / n);
            let mut tile = [0f32; TILE * TILE];
            let mut in_range = true;
            for j0 in (0..n).step_by(TILE) {
                let width = (n - j0).min(TILE);
                for jj in 0..width {
                    let column = a.col(j0 + jj).try_as_col_major().expect("owned matrices have contiguous columns");
                    for (i, &v) in column.as_slice()[i0..i0 + height].iter().enumerate() {
                        in_range &= v.abs() <= f64::from(f32::MAX);
                        tile[i * TILE + jj] = v as f32;
                    }
                }
                for (row, t) in rows.chunks_exact_mut(n).zip(tile.chunks_exact(TILE)) {
                    row[j0..j0 + width].copy_from_slice(&t[..width]);
                }
            }
            in_range
        })
        .reduce(|| true, |a, b| a && b);
    (out, in_range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    const NF4: Scheme = Scheme::NormalFloat { bits: 4 };

    #[test]
    fn normal_float_values_lie_on_absmax_times_code_and_round_to_the_nearest() {
        let mut rng = Rng::seeded(3);
        let w = rng.randn(7, 19); // 133 entries: two full blocks of 64 and a ragged 5
        for bits in [2, 3, 4] {
            let q = Quantized::new(&w, Scheme::NormalFloat { bits }, 64, false).unwrap();
            let (x, code, scales) = (row_major_f32(&w).0, normal_float(bits), q.scales());
            assert_eq!(scales.len(), 3);
            let back = q.dequantize().to_row_major();
            for (k, &v) in x.iter().enumerate() {
                let s = scales[k / 64];
                assert_eq!(s, x[k / 64 * 64..((k / 64 + 1) * 64).min(133)].iter().fold(0f32, |m, v| m.max(v.abs())));
                let c = code[q.codes()[k] as usize];
                assert_eq!(back[k], f64::from(c * s));
                let nearest = code.iter().map(|&d| (d - v / s).abs()).fold(f32::INFINITY, f32::min);
                assert!((c - v / s).abs() <= nearest + 1e-6, "{bits} bits, entry {k}");
            }
        }
    }

    #[test]
    fn bits_count_the_f32_scales_as_bitsandbytes_stores_them() {
        let mut rng = Rng::seeded(4);
        let w = rng.randn(256, 256);
        let plain = Quantized::new(&w, NF4, 64, false).unwrap();
        assert_eq!(plain.bits(), 4.5);
        let double = Quantized::new(&w, NF4, 64, true).unwrap();
        assert_eq!(double.bits(), 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0) + 32.0 / 65536.0);
        assert_eq!(double.storage(), 65536 + 1024 + 4 + 1);
        assert_eq!(Quantized::new(&w, Scheme::IntAsym { bits: 4 }, 64, false).unwrap().bits(), 5.0);
        assert_eq!(Quantized::new(&w, Scheme::Int { bits: 8 }, 256, false).unwrap().bits(), 8.125);
        // the second level changes each absmax by at most its 8-bit step
        let (a, b) = (plain.scales(), double.scales());
        let spread = a.iter().fold(0f32, |m, &x| m.max(x)) - a.iter().fold(f32::INFINITY, |m, &x| m.min(x));
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= spread / 64.0), "{a:?} {b:?}");
    }

    #[test]
    fn integers_follow_deepspeed_and_keep_zero_and_constant_blocks() {
        let w = Matrix::from_row_major(2, 4, &[0.0, 0.0, 0.0, 0.0, 1.0, -2.0, 0.5, 0.25]).unwrap();
        let q = Quantized::new(&w, Scheme::Int { bits: 4 }, 4, false).unwrap();
        // s = 2·2/16 = 0.25: 1 → 4, −2 → −8, 0.5 → 2, 0.25 → 1
        assert_eq!(q.scales(), [0.0, 0.25]);
        assert_eq!(q.dequantize().to_row_major(), [0.0, 0.0, 0.0, 0.0, 1.0, -2.0, 0.5, 0.25]);
        // the largest positive entry is clipped to 7·s
        let w = Matrix::from_row_major(1, 2, &[2.0, -1.0]).unwrap();
        assert_eq!(
            Quantized::new(&w, Scheme::Int { bits: 4 }, 2, false).unwrap().dequantize().to_row_major(),
            [1.75, -1.0]
        );
        let w = Matrix::filled(1, 3, -0.7);
        let q = Quantized::new(&w, Scheme::IntAsym { bits: 4 }, 64, false).unwrap();
        assert_eq!(q.dequantize().to_row_major(), [f64::from(-0.7f32); 3]);
        // asymmetric: s = (1 − (−1))/16 = 0.125, z = round(−8)·s = −1
        let w = Matrix::from_row_major(1, 3, &[-1.0, 0.3, 1.0]).unwrap();
        let q = Quantized::new(&w, Scheme::IntAsym { bits: 4 }, 64, false).unwrap();
        assert_eq!(q.codes(), [0, 10, 15]);
        assert_eq!(q.dequantize().to_row_major(), [-1.0, 0.25, 0.875]);
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let w = Matrix::from_row_major(1, 2, &[1.0, f64::NAN]).unwrap();
        assert_eq!(
            Quantized::new(&w, NF4, 64, false).unwrap_err().to_string(),
            "quantize: input contains NaN or infinity"
        );
        let w = Matrix::eye(2);
        assert_eq!(Quantized::new(&w, NF4, 0, false).unwrap_err().to_string(), "quantize: block must be at least 1");
        let e = Quantized::new(&w, Scheme::Int { bits: 8 }, 64, true).unwrap_err().to_string();
        assert_eq!(e, "quantize: quantized scales are for the NormalFloat schemes, not int8");
        let e = Scheme::parse("fp4").unwrap_err().to_string();
        assert_eq!(e, "quantize: unknown scheme \"fp4\"; the schemes are int8, int4, int4-asym, nf4, nf3, nf2, nf8");
        let e = ScaleDtype::parse("fp8").unwrap_err().to_string();
        assert_eq!(e, "quantize: unknown scale format \"fp8\"; the formats are bf16, fp16, fp32");
        let wide = Matrix::from_row_major(1, 2, &[1.0, 1e5]).unwrap();
        let fp16 = ScaleQuant::Uniform { bits: 8, dtype: ScaleDtype::Fp16, group: 16 };
        let e = Quantized::with_scales(&wide, NF4, 1, fp16).unwrap_err().to_string();
        assert_eq!(e, "quantize: a block scale range does not fit in fp16; use bf16 or fp32");
        let e = Quantized::with_scales(&w, NF4, 1, ScaleQuant::Uniform { bits: 9, dtype: ScaleDtype::Fp32, group: 1 });
        assert_eq!(
            e.unwrap_err().to_string(),
            "quantize: the scales take 1 to 8 bits in groups of at least 1 block, not 9 bits per 1"
        );
    }

    #[test]
    fn parts_round_trip_and_forged_parts_are_refused() {
        let mut rng = Rng::seeded(5);
        let w = rng.randn(3, 300);
        let uniform = ScaleQuant::Uniform { bits: 3, dtype: ScaleDtype::Bf16, group: 7 };
        for (scheme, scales) in [
            (NF4, ScaleQuant::Dynamic),
            (NF4, uniform),
            (NF4, ScaleQuant::Plain),
            (Scheme::IntAsym { bits: 4 }, ScaleQuant::Plain),
        ] {
            let q = Quantized::with_scales(&w, scheme, 3, scales).unwrap();
            assert_eq!(Quantized::from_parts(q.to_parts()).unwrap(), q);
        }
        let mut p = Quantized::with_scales(&w, NF4, 3, uniform).unwrap().to_parts();
        p.second.as_mut().unwrap().1[0] = 8; // a 4-bit scale code on 3 bits
        assert!(Quantized::from_parts(p.clone()).is_err());
        p.second.as_mut().unwrap().1[0] = 0;
        p.uniform = None; // the dynamic second level needs one maximum per 256 blocks
        assert!(Quantized::from_parts(p).is_err());
        let mut p = Quantized::new(&w, Scheme::NormalFloat { bits: 2 }, 64, false).unwrap().to_parts();
        p.codes[0] = 4;
        assert!(Quantized::from_parts(p.clone()).is_err());
        p.codes[0] = 0;
        p.scales.pop();
        assert!(Quantized::from_parts(p).is_err());
        let empty = Quantized::new(&Matrix::zeros(0, 3), NF4, 64, true).unwrap();
        assert_eq!((empty.bits(), empty.dequantize().shape()), (4.0, Shape(0, 3)));
    }

    #[test]
    fn the_uniform_second_level_rounds_the_absmaxes_from_their_minimum() {
        let mut rng = Rng::seeded(6);
        let w = rng.randn(5, 40); // 200 entries: 12 blocks of 16 and a ragged 8
        let x = row_major_f32(&w).0;
        let absmax: Vec<f32> = x.chunks(16).map(|c| c.iter().fold(0f32, |m, v| m.max(v.abs()))).collect();
        let code = normal_float(4);
        for (bits, dtype, group) in [(2, ScaleDtype::Bf16, 4), (8, ScaleDtype::Fp16, 16), (3, ScaleDtype::Fp32, 5)] {
            let q = Quantized::with_scales(&w, NF4, 16, ScaleQuant::Uniform { bits, dtype, group }).unwrap();
            let (offset, codes, amax) = q.to_parts().second.unwrap();
            assert_eq!(offset, absmax.iter().copied().fold(f32::INFINITY, f32::min));
            assert_eq!(amax.len(), 13usize.div_ceil(group));
            let top = ((1u32 << bits) - 1) as f32;
            let scales = q.scales();
            for (i, &a) in absmax.iter().enumerate() {
                let g = i / group;
                let range = absmax[g * group..((g + 1) * group).min(13)].iter().fold(0f32, |m, &v| m.max(v - offset));
                assert_eq!(amax[g], dtype.round(range));
                assert_eq!(codes[i], ((a - offset) * (top / amax[g])).round_ties_even().min(top) as u8);
                assert_eq!(scales[i], offset + f32::from(codes[i]) / (top / amax[g]));
                assert!((scales[i] - a).abs() <= amax[g] / (2.0 * top) + (range - amax[g]).abs() + 1e-6);
            }
            let back = q.dequantize().to_row_major();
            for (k, &v) in x.iter().enumerate() {
                let s = scales[k / 16];
                let c = code[q.codes()[k] as usize];
                assert_eq!(back[k], f64::from(c * s));
                let t = (v / s).clamp(-1.0, 1.0);
                let nearest = code.iter().map(|&d| (d - t).abs()).fold(f32::INFINITY, f32::min);
                assert!((c - t).abs() <= nearest + 1e-6, "{bits} bits, entry {k}");
            }
            let scale_bits = f64::from(bits) * 13.0 + f64::from(dtype.bits()) * amax.len() as f64 + 32.0;
            assert_eq!(q.bits(), 4.0 + scale_bits / 200.0);
            assert_eq!(q.storage(), 200 + 13 + amax.len() + 1);
        }
        // a zero scale rounds every entry of its block to the code of 0
        let w = Matrix::from_row_major(1, 4, &[0.0, 0.0, 1e-9, -3.0]).unwrap();
        let q = Quantized::with_scales(&w, NF4, 2, ScaleQuant::Uniform { bits: 2, dtype: ScaleDtype::Fp32, group: 2 });
        let q = q.unwrap();
        assert_eq!(q.scales(), [0.0, 3.0]);
        assert_eq!(q.dequantize().to_row_major(), [0.0, 0.0, 0.0, -3.0]);
    }
}
