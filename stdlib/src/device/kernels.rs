//! The cubecl kernels. Matrices are row-major buffers; every kernel checks
//! its bounds, so any size runs with any cube size (the tests use sizes that
//! are not multiples of it, and empty and 1×1 matrices). Each kernel's CPU
//! twin is named in its doc comment.

use cubecl::prelude::*;

/// Units per cube for the one-dimensional kernels (WebGPU guarantees 256).
pub const CUBE: u32 = 256;
/// The side of a matrix-product tile: 16×16 units per cube.
pub const TILE: u32 = 16;

/// An entrywise function. CPU twin: the builtins of the same names on `Matrix::map`.
// The kernels take the operation as a compile-time argument and never build
// one on the device: no constructors (which would be undocumented public API).
#[derive(CubeType, Clone, Copy, Hash, PartialEq, Eq, Debug)]
#[cube(no_constructors)]
pub enum Unary {
    /// `−x`.
    Neg,
    /// `√x`.
    Sqrt,
    /// `eˣ`.
    Exp,
    /// The natural logarithm `ln x`.
    Log,
    /// `|x|`.
    Abs,
    /// `sin x`, `x` in radians.
    Sin,
    /// `cos x`, `x` in radians.
    Cos,
    /// `tan x`, `x` in radians.
    Tan,
    /// `⌊x⌋`.
    Floor,
    /// `⌈x⌉`.
    Ceil,
    /// Halves away from zero, as `f64::round` (not the GPU's halves to even).
    Round,
    /// 1 where `x` is NaN, else 0.
    IsNan,
    /// 1 where `x` is finite, else 0.
    IsFinite,
}

/// An entrywise operation of two operands. CPU twin: `Matrix::zip_with`.
#[derive(CubeType, Clone, Copy, Hash, PartialEq, Eq, Debug)]
#[cube(no_constructors)]
pub enum Binary {
    /// `a + b`.
    Add,
    /// `a − b`.
    Sub,
    /// `a · b`, entry by entry.
    Mul,
    /// `a / b`.
    Div,
    /// `aᵇ`.
    Pow,
    /// NaN if either is NaN, as numpy's `maximum`.
    Max,
    /// The smaller of `a` and `b`; NaN if either is NaN, as numpy's `minimum`.
    Min,
    /// 1 where `a = b`, else 0.
    Eq,
    /// 1 where `a ≠ b` (or either is NaN), else 0.
    Ne,
    /// 1 where `a < b`, else 0.
    Lt,
    /// 1 where `a ≤ b`, else 0.
    Le,
    /// 1 where `a > b`, else 0.
    Gt,
    /// 1 where `a ≥ b`, else 0.
    Ge,
}

#[cube]
fn indicator<F: Float>(condition: bool) -> F {
    let mut out = F::new(0.0);
    if condition {
        out = F::new(1.0);
    }
    out
}

/// NaN is the one value neither `≤ 0` nor `> 0` (ordered comparisons with
/// NaN are false on every backend; `x != x` is not reliable on all of them,
/// and WGSL has no literal for ∞).
#[cube]
fn is_nan<F: Float>(x: F) -> bool {
    !(x <= F::new(0.0) || x > F::new(0.0))
}

/// `op(x)`; with `soft`, the transcendental functions from `+ − × ÷` (for
/// `f64` on devices whose shader functions are 32-bit).
#[cube]
fn apply_unary<F: Float>(x: F, #[comptime] op: Unary, #[comptime] soft: bool) -> F {
    match op {
        Unary::Neg => -x,
        Unary::Sqrt => x.sqrt(),
        Unary::Exp => {
            if soft {
                soft_exp::<F>(x)
            } else {
                x.exp()
            }
        }
        Unary::Log => {
            if soft {
                soft_log::<F>(x)
            } else {
                x.ln()
            }
        }
        Unary::Abs => x.abs(),
        Unary::Sin => {
            if soft {
                soft_sin::<F>(x, false)
            } else {
                x.sin()
            }
        }
        Unary::Cos => {
            if soft {
                soft_sin::<F>(x, true)
            } else {
                x.cos()
            }
        }
        Unary::Tan => {
            if soft {
                soft_sin::<F>(x, false) / soft_sin::<F>(x, true)
            } else {
                x.tan()
            }
        }
        Unary::Floor => x.floor(),
        Unary::Ceil => x.ceil(),
        Unary::Round => {
            let t = x.trunc();
            let mut r = t;
            if (x - t).abs() >= F::new(0.5) {
                if x > F::new(0.0) {
                    r = t + F::new(1.0);
                } else {
                    r = t - F::new(1.0);
                }
            }
            r
        }
        Unary::IsNan => indicator::<F>(is_nan::<F>(x)),
        Unary::IsFinite => indicator::<F>(x.abs() <= F::max_value()),
    }
}

#[cube]
fn apply_binary<F: Float>(a: F, b: F, #[comptime] op: Binary, #[comptime] soft: bool) -> F {
    match op {
        Binary::Add => a + b,
        Binary::Sub => a - b,
        Binary::Mul => a * b,
        Binary::Div => a / b,
        Binary::Pow => {
            if soft {
                soft_pow::<F>(a, b)
            } else {
                a.powf(b)
            }
        }
        Binary::Max => {
            let mut r = a;
            if b > a || is_nan::<F>(b) {
                r = b;
            }
            r
        }
        Binary::Min => {
            let mut r = a;
            if b < a || is_nan::<F>(b) {
                r = b;
            }
            r
        }
        Binary::Eq => indicator::<F>(a == b),
        // Not `a != b`: some backends compare ordered, which is false for NaN.
        Binary::Ne => indicator::<F>(!(a == b)),
        Binary::Lt => indicator::<F>(a < b),
        Binary::Le => indicator::<F>(a <= b),
        Binary::Gt => indicator::<F>(a > b),
        Binary::Ge => indicator::<F>(a >= b),
    }
}

/// `out = op(x)` entrywise.
#[cube(launch_unchecked)]
pub fn map<F: Float>(x: &[F], out: &mut [F], #[comptime] op: Unary, #[comptime] soft: bool) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = apply_unary::<F>(x[ABSOLUTE_POS], op, soft);
    }
}

/// `out[i, j] = op(a[i·ar + j·ac], b[i·br + j·bc])`: broadcasting as numpy,
/// a stride of 0 repeats a row or column.
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
pub fn zip<F: Float>(
    a: &[F],
    b: &[F],
    out: &mut [F],
    cols: usize,
    a_row: usize,
    a_col: usize,
    b_row: usize,
    b_col: usize,
    #[comptime] op: Binary,
    #[comptime] soft: bool,
) {
    if ABSOLUTE_POS < out.len() {
        let i = ABSOLUTE_POS / cols;
        let j = ABSOLUTE_POS % cols;
        out[ABSOLUTE_POS] = apply_binary::<F>(a[i * a_row + j * a_col], b[i * b_row + j * b_col], op, soft);
    }
}

/// `out = op(x, s)` (or `op(s, x)` when `scalar_first`) entrywise.
#[cube(launch_unchecked)]
pub fn with_scalar<F: Float>(
    x: &[F],
    out: &mut [F],
    scalar: InputScalar,
    #[comptime] op: Binary,
    #[comptime] scalar_first: bool,
    #[comptime] soft: bool,
) {
    if ABSOLUTE_POS < out.len() {
        let s = scalar.get::<F>();
        if scalar_first {
            out[ABSOLUTE_POS] = apply_binary::<F>(s, x[ABSOLUTE_POS], op, soft);
        } else {
            out[ABSOLUTE_POS] = apply_binary::<F>(x[ABSOLUTE_POS], s, op, soft);
        }
    }
}

/// `out = a b` for row-major `a` (m×k) and `b` (k×n): each 16×16 cube computes
/// one tile of `out`, staging 16×16 tiles of `a` and `b` in shared memory.
/// CPU twin: `Matrix::matmul`.
#[cube(launch_unchecked)]
pub fn matmul<F: Float>(a: &[F], b: &[F], out: &mut [F], m: usize, k: usize, n: usize) {
    let tile = comptime!(TILE as usize);
    let mut a_tile = Shared::<[F]>::new_slice(comptime!(tile * tile));
    let mut b_tile = Shared::<[F]>::new_slice(comptime!(tile * tile));
    let tx = UNIT_POS_X as usize;
    let ty = UNIT_POS_Y as usize;
    let row = CUBE_POS_Y as usize * tile + ty;
    let col = CUBE_POS_X as usize * tile + tx;
    let mut acc = F::new(0.0);
    let steps = k.div_ceil(tile);
    for step in 0..steps {
        let ka = step * tile + tx;
        let kb = step * tile + ty;
        let mut va = F::new(0.0);
        if row < m && ka < k {
            va = a[row * k + ka];
        }
        let mut vb = F::new(0.0);
        if kb < k && col < n {
            vb = b[kb * n + col];
        }
        a_tile[ty * tile + tx] = va;
        b_tile[ty * tile + tx] = vb;
        sync_cube();
        for p in 0..tile {
            acc += a_tile[ty * tile + p] * b_tile[p * tile + tx];
        }
        sync_cube();
    }
    if row < m && col < n {
        out[row * n + col] = acc;
    }
}

/// `out = xᵀ` (x is rows×cols). CPU twin: `Matrix::transpose`.
#[cube(launch_unchecked)]
pub fn transpose<F: Float>(x: &[F], out: &mut [F], rows: usize, cols: usize) {
    if ABSOLUTE_POS < out.len() {
        // out is cols×rows: entry (j, i) of out is x[i, j].
        let j = ABSOLUTE_POS / rows;
        let i = ABSOLUTE_POS % rows;
        out[ABSOLUTE_POS] = x[i * cols + j];
    }
}

/// `out[p] = x[index[p]]`: the entries a display needs, gathered on the device.
#[cube(launch_unchecked)]
pub fn gather<F: Float>(x: &[F], index: &[u32], out: &mut [F]) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = x[index[ABSOLUTE_POS] as usize];
    }
}

/// Sums along rows or columns of a rows×cols matrix: with `along_rows`,
/// `out[i] = Σⱼ x[i, j]` (one unit per row), else `out[j] = Σᵢ x[i, j]`.
/// `squares` sums `x²` instead (for norms). CPU twin: `sum(A, axis)`.
#[cube(launch_unchecked)]
pub fn sum_lines<F: Float>(
    x: &[F],
    out: &mut [F],
    rows: usize,
    cols: usize,
    #[comptime] along_rows: bool,
    #[comptime] squares: bool,
) {
    if ABSOLUTE_POS < out.len() {
        let mut acc = F::new(0.0);
        if along_rows {
            for j in 0..cols {
                let v = x[ABSOLUTE_POS * cols + j];
                if squares {
                    acc += v * v;
                } else {
                    acc += v;
                }
            }
        } else {
            for i in 0..rows {
                let v = x[i * cols + ABSOLUTE_POS];
                if squares {
                    acc += v * v;
                } else {
                    acc += v;
                }
            }
        }
        out[ABSOLUTE_POS] = acc;
    }
}

/// The mode product `out[o, r, i] = Σⱼ f[r, j] · x[o, j, i]` of a row-major
/// tensor viewed as `outer × mid × inner` with the `rows × mid` matrix `f`:
/// one factor of a Kronecker product applied along its mode.
/// CPU twin: `Operator::apply` of a Kronecker product (the vec-trick).
#[cube(launch_unchecked)]
pub fn mode_product<F: Float>(f: &[F], x: &[F], out: &mut [F], rows: usize, mid: usize, inner: usize) {
    if ABSOLUTE_POS < out.len() {
        let i = ABSOLUTE_POS % inner;
        let r = (ABSOLUTE_POS / inner) % rows;
        let o = ABSOLUTE_POS / (inner * rows);
        let mut acc = F::new(0.0);
        for j in 0..mid {
            acc += f[r * mid + j] * x[(o * mid + j) * inner + i];
        }
        out[ABSOLUTE_POS] = acc;
    }
}

/// `out = a ⊗ b` for `a` (m×n) and `b` (p×q), formed densely (mp × nq).
/// CPU twin: `Matrix::kron`.
#[cube(launch_unchecked)]
pub fn kron<F: Float>(a: &[F], b: &[F], out: &mut [F], n: usize, p: usize, q: usize) {
    if ABSOLUTE_POS < out.len() {
        let width = n * q;
        let r = ABSOLUTE_POS / width;
        let c = ABSOLUTE_POS % width;
        out[ABSOLUTE_POS] = a[(r / p) * n + c / q] * b[(r % p) * q + c % q];
    }
}

/// `out = blockdiag(B₁, …, B_k) x` for `x` with `width` columns. The blocks
/// lie one after another, row-major, in `blocks`; `meta` holds five numbers
/// per block: rows, columns, data offset, row offset, column offset. Each unit
/// finds its block by a scan of the (few) row offsets.
/// CPU twin: `Operator::apply` of a block-diagonal operator.
#[cube(launch_unchecked)]
pub fn block_apply<F: Float>(blocks: &[F], meta: &[u32], x: &[F], out: &mut [F], nblocks: usize, width: usize) {
    if ABSOLUTE_POS < out.len() {
        let row = ABSOLUTE_POS / width;
        let c = ABSOLUTE_POS % width;
        let mut b = 0usize;
        for k in 0..nblocks {
            if meta[5 * k + 3] as usize <= row {
                b = k;
            }
        }
        let local = row - meta[5 * b + 3] as usize;
        let cols = meta[5 * b + 1] as usize;
        let data = meta[5 * b + 2] as usize;
        let first = meta[5 * b + 4] as usize;
        let mut acc = F::new(0.0);
        for j in 0..cols {
            acc += blocks[data + local * cols + j] * x[(first + j) * width + c];
        }
        out[ABSOLUTE_POS] = acc;
    }
}

/// `out[r, :] = x[index[r], :]` for `width` columns: a row permutation.
#[cube(launch_unchecked)]
pub fn gather_rows<F: Float>(x: &[F], index: &[u32], out: &mut [F], width: usize) {
    if ABSOLUTE_POS < out.len() {
        let r = ABSOLUTE_POS / width;
        out[ABSOLUTE_POS] = x[index[r] as usize * width + ABSOLUTE_POS % width];
    }
}

/// Rotary embedding of token rows: for each token `t` and pair `i`,
/// `(x₂ᵢ, x₂ᵢ₊₁) ↦ (x₂ᵢ c − x₂ᵢ₊₁ s, x₂ᵢ s + x₂ᵢ₊₁ c)` with `c, s` the
/// cosine and sine tables (tokens × d/2). CPU twin: `rope::rope_apply`.
#[cube(launch_unchecked)]
pub fn rope_rotate<F: Float>(x: &[F], cos: &[F], sin: &[F], out: &mut [F], half: usize) {
    if ABSOLUTE_POS < cos.len() {
        let t = ABSOLUTE_POS / half;
        let i = ABSOLUTE_POS % half;
        let (c, s) = (cos[ABSOLUTE_POS], sin[ABSOLUTE_POS]);
        let base = t * 2 * half + 2 * i;
        let (a, b) = (x[base], x[base + 1]);
        out[base] = a * c - b * s;
        out[base + 1] = a * s + b * c;
    }
}

/// The cosine and sine tables of RoPE: `angle = position[t] · θ[i]` (`soft`:
/// from `+ − × ÷`, for `f64` on devices with 32-bit trigonometry).
#[cube(launch_unchecked)]
pub fn rope_tables<F: Float>(
    positions: &[F],
    theta: &[F],
    cos: &mut [F],
    sin: &mut [F],
    half: usize,
    #[comptime] soft: bool,
) {
    if ABSOLUTE_POS < cos.len() {
        let angle = positions[ABSOLUTE_POS / half] * theta[ABSOLUTE_POS % half];
        if soft {
            cos[ABSOLUTE_POS] = soft_sin::<F>(angle, true);
            sin[ABSOLUTE_POS] = soft_sin::<F>(angle, false);
        } else {
            cos[ABSOLUTE_POS] = angle.cos();
            sin[ABSOLUTE_POS] = angle.sin();
        }
    }
}

/// Pixels of world points: `out[i] = (p₁·X̃ᵢ, p₂·X̃ᵢ) / p₃·X̃ᵢ` for the rows of
/// `x` (`N × cols`, `cols` 3, or 4 when homogeneous) and the 3×4 matrix `p`.
/// CPU twin: `camera::project`.
#[cube(launch_unchecked)]
pub fn project<F: Float>(p: &[F], x: &[F], out: &mut [F], cols: usize) {
    let n = out.len() / 2;
    if ABSOLUTE_POS < n {
        let row = ABSOLUTE_POS * cols;
        let mut w = F::new(1.0);
        if cols == 4 {
            w = x[row + 3];
        }
        let (x0, x1, x2) = (x[row], x[row + 1], x[row + 2]);
        let u = p[0] * x0 + p[1] * x1 + p[2] * x2 + p[3] * w;
        let v = p[4] * x0 + p[5] * x1 + p[6] * x2 + p[7] * w;
        let h = p[8] * x0 + p[9] * x1 + p[10] * x2 + p[11] * w;
        out[2 * ABSOLUTE_POS] = u / h;
        out[2 * ABSOLUTE_POS + 1] = v / h;
    }
}

/// `c = m · 2^s` with an integer `m < 2⁵³` and `2^s` a normal `f32`: how cube
/// code writes an exact `f64` constant (`F::new` takes an `f32`).
fn exact(c: f64) -> (i64, f32) {
    if c == 0.0 {
        return (0, 1.0);
    }
    let s = c.abs().log2().floor() as i32 - 52;
    ((c / 2f64.powi(s)).round() as i64, 2f32.powi(s))
}

// ln 2 and π/2 split so that the leading parts have trailing zero bits and
// their products with the reduction multiple k are exact (fdlibm's values).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const PIO2_1: f64 = f64::from_bits(0x3ff9_21fb_5440_0000);
const PIO2_2: f64 = f64::from_bits(0x3dd0_b461_1a60_0000);
const PIO2_3: f64 = f64::from_bits(0x3ba3_198a_2e00_0000);

/// `2ᵏ` for an integer-valued `k` with `|k| < 1024`, by squaring (exact).
#[cube]
fn pow2<F: Float>(k: F) -> F {
    let mut e = k.abs();
    let mut base = F::new(2.0);
    let mut out = F::new(1.0);
    for _ in 0..10u32 {
        let half = (e * F::new(0.5)).floor();
        if e - half * F::new(2.0) > F::new(0.5) {
            out *= base;
        }
        base *= base;
        e = half;
    }
    if k < F::new(0.0) {
        out = F::new(1.0) / out;
    }
    out
}

/// `eˣ` in `f64` from `+ − × ÷` alone (for devices whose `exp` is 32-bit):
/// `x = k ln 2 + r`, `|r| ≤ ln 2 / 2` (Cody–Waite: ln 2 in two parts), `eʳ` by
/// its Taylor series to `r¹³/13!` (< 1e-17), then `2ᵏ` in two exact halves so
/// that neither overflows early. Relative error ≈ 1e-16.
#[cube]
pub fn soft_exp<F: Float>(x: F) -> F {
    let mut out = x;
    if !is_nan::<F>(x) {
        let mut y = x;
        if y > F::new(710.0) {
            y = F::new(710.0);
        }
        if y < F::new(-746.0) {
            y = F::new(-746.0);
        }
        let k = (y * F::new(core::f32::consts::LOG2_E) + F::new(0.5)).floor();
        let r = (y - k * (F::from_int(comptime!(exact(LN2_HI).0)) * F::new(comptime!(exact(LN2_HI).1))))
            - k * (F::from_int(comptime!(exact(LN2_LO).0)) * F::new(comptime!(exact(LN2_LO).1)));
        let mut p = F::new(1.0);
        let mut n = F::new(13.0);
        for _ in 0..13u32 {
            p = F::new(1.0) + r * p / n;
            n -= F::new(1.0);
        }
        let k1 = (k * F::new(0.5)).floor();
        out = p * pow2::<F>(k1) * pow2::<F>(k - k1);
    }
    out
}

/// `ln x` in `f64` from `+ − × ÷ √` alone: `x = 2ᵉ m` with `m ∈ [√½, √2]`
/// (found by halving powers of two), `ln m = 2 atanh s`, `s = (m − 1)/(m + 1)`,
/// `|s| ≤ 0.172`, by its series to `s²³`; `e ln 2` in two parts.
#[cube]
pub fn soft_log<F: Float>(x: F) -> F {
    let zero = F::new(0.0);
    let mut out = x; // NaN and +∞ are their own logarithms
                     // NaN and ∞ come from runtime values: a literal would be folded into a
                     // constant that WGSL cannot spell.
    if x < zero {
        out = x.sqrt(); // NaN
    } else if x == zero {
        out = F::new(-1.0) / x.abs(); // −∞
    } else if x <= F::max_value() {
        let mut m = x;
        let mut e = zero;
        // 2⁵¹² and down by square roots (exact for even powers of two).
        let mut big = F::new(18446744073709551616.0); // 2⁶⁴
        big = big * big;
        big = big * big;
        big = big * big;
        let mut p = F::new(512.0);
        if m < F::new(1.0) / big {
            m *= big;
            e -= p;
        }
        for _ in 0..10u32 {
            if m >= big {
                m /= big;
                e += p;
            }
            if m * big < F::new(2.0) {
                m *= big;
                e -= p;
            }
            big = big.sqrt();
            p *= F::new(0.5);
        }
        if m > F::new(core::f32::consts::SQRT_2) {
            m *= F::new(0.5);
            e += F::new(1.0);
        }
        let s = (m - F::new(1.0)) / (m + F::new(1.0));
        let s2 = s * s;
        let mut series = zero;
        let mut odd = F::new(23.0);
        for _ in 0..12u32 {
            series = series * s2 + F::new(1.0) / odd;
            odd -= F::new(2.0);
        }
        out = e * (F::from_int(comptime!(exact(LN2_HI).0)) * F::new(comptime!(exact(LN2_HI).1)))
            + (F::new(2.0) * s * series
                + e * (F::from_int(comptime!(exact(LN2_LO).0)) * F::new(comptime!(exact(LN2_LO).1))));
    }
    out
}

/// `sin x` (or `cos x` when `cosine`) in `f64` from `+ − × ÷`: `x = k π/2 + r`
/// with `π/2` in three parts (Cody–Waite; accurate for `|x| < 10⁶`), then the
/// Taylor series of `sin r` and `cos r` on `|r| ≤ π/4` chosen by the quadrant.
#[cube]
pub fn soft_sin<F: Float>(x: F, #[comptime] cosine: bool) -> F {
    let k = (x * F::new(core::f32::consts::FRAC_2_PI) + F::new(0.5)).floor();
    let r = ((x - k * (F::from_int(comptime!(exact(PIO2_1).0)) * F::new(comptime!(exact(PIO2_1).1))))
        - k * (F::from_int(comptime!(exact(PIO2_2).0)) * F::new(comptime!(exact(PIO2_2).1))))
        - k * (F::from_int(comptime!(exact(PIO2_3).0)) * F::new(comptime!(exact(PIO2_3).1)));
    let r2 = r * r;
    // sin r = r (1 − r²/(2·3) (1 − r²/(4·5) (…))), cos r = 1 − r²/(1·2) (1 − r²/(3·4) (…)).
    let mut sin = F::new(1.0);
    let mut cos = F::new(1.0);
    let mut n = F::new(20.0);
    for _ in 0..10u32 {
        sin = F::new(1.0) - r2 * sin / (n * (n + F::new(1.0)));
        cos = F::new(1.0) - r2 * cos / ((n - F::new(1.0)) * n);
        n -= F::new(2.0);
    }
    sin *= r;
    let mut quadrant = k - F::new(4.0) * (k * F::new(0.25)).floor();
    if cosine {
        quadrant += F::new(1.0);
        if quadrant > F::new(3.5) {
            quadrant = F::new(0.0);
        }
    }
    let mut out = sin;
    if quadrant > F::new(0.5) && quadrant < F::new(1.5) {
        out = cos;
    } else if quadrant > F::new(1.5) && quadrant < F::new(2.5) {
        out = -sin;
    } else if quadrant > F::new(2.5) {
        out = -cos;
    }
    out
}

/// `aᵇ` in `f64` as `e^(b ln |a|)` with `powf`'s signs: a negative base needs an
/// integer exponent (odd ones negate), and `a⁰ = 1`.
#[cube]
pub fn soft_pow<F: Float>(a: F, b: F) -> F {
    let mut out = soft_exp::<F>(b * soft_log::<F>(a.abs()));
    if a < F::new(0.0) {
        if b == b.floor() {
            if b - F::new(2.0) * (b * F::new(0.5)).floor() > F::new(0.5) {
                out = -out;
            }
        } else {
            out = a.sqrt(); // NaN, from a runtime value
        }
    }
    if b == F::new(0.0) {
        out = F::new(1.0);
    }
    out
}

/// Per block of `block` consecutive entries of `x`: `out[3b]`, `out[3b+1]`
/// the smallest and largest entry as `f32`, and `out[3b+2]` a flag, 2 if an
/// entry is NaN or infinite, else 1 if one lies beyond `f32`'s range, else 0.
/// One unit per block. CPU twin: `block_ranges` in `compress::quantize`
/// (and the checks of `Quantized::with_scales`).
// Kernels index; they cannot iterate.
#[allow(clippy::needless_range_loop)]
#[cube(launch_unchecked)]
pub fn block_range<F: Float>(x: &[F], out: &mut [f32], block: usize) {
    if ABSOLUTE_POS * 3 < out.len() {
        let start = ABSOLUTE_POS * block;
        let mut end = start + block;
        if end > x.len() {
            end = x.len();
        }
        let first = f32::cast_from(x[start]);
        let mut lo = first;
        let mut hi = first;
        let mut flag = 0.0f32;
        for k in start..end {
            let v = x[k];
            if is_nan::<F>(v) || v.abs() > F::max_value() {
                flag = 2.0f32;
            } else if v.abs() > F::new(3.402_823_5e38) && flag == 0.0f32 {
                flag = 1.0f32;
            }
            let s = f32::cast_from(v);
            if s < lo {
                lo = s;
            }
            if s > hi {
                hi = s;
            }
        }
        out[3 * ABSOLUTE_POS] = lo;
        out[3 * ABSOLUTE_POS + 1] = hi;
        out[3 * ABSOLUTE_POS + 2] = flag;
    }
}

/// `round(t)` with halves to even, from `floor` and exact differences (so
/// the same on every backend), for `|t| < 2²³`.
#[cube]
fn round_even(t: f32) -> f32 {
    let r = t.floor();
    let d = t - r;
    let mut out = r;
    if d > 0.5f32 {
        out = r + 1.0f32;
    } else if d == 0.5f32 {
        let odd = r - 2.0f32 * (r * 0.5f32).floor();
        out = r + odd;
    }
    out
}

/// The codes of the entries of `x` in blocks of `block`, four to a word:
/// unit `w` writes word `w`, byte `k` the code of entry `4w + k`. Entry `x` of block
/// `b` (as `f32`): with `codebook`, `#{bounds < clamp(x·a_b/b_b, −1, 1)}`, or
/// `fixed` where `b_b = 0`; else `clamp(round((x − b_b)/a_b), qmin, qmax) +
/// offset`, ties to even, or `fixed` where `a_b = 0`.
/// CPU twin: `Rounding::block` in `compress::quantize`.
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn block_codes<F: Float>(
    x: &[F],
    a: &[f32],
    b: &[f32],
    bounds: &[f32],
    codes: &mut [u32],
    nbounds: usize,
    block: usize,
    fixed: u32,
    qmin: f32,
    qmax: f32,
    offset: f32,
    #[comptime] codebook: bool,
) {
    if ABSOLUTE_POS < codes.len() {
        let mut word = 0u32;
        for k in 0..4usize {
            let e = ABSOLUTE_POS * 4 + k;
            if e < x.len() {
                let blk = e / block;
                let v = f32::cast_from(x[e]);
                let (sa, sb) = (a[blk], b[blk]);
                let mut c = fixed;
                if codebook {
                    if sb != 0.0f32 {
                        let t = (v * sa / sb).clamp(-1.0f32, 1.0f32);
                        c = 0u32;
                        for i in 0..nbounds {
                            if bounds[i] < t {
                                c += 1;
                            }
                        }
                    }
                } else if sa != 0.0f32 {
                    c = u32::cast_from(round_even((v - sb) / sa).clamp(qmin, qmax) + offset);
                }
                word |= c << (8 * k as u32);
            }
        }
        codes[ABSOLUTE_POS] = word;
    }
}

/// Entry `e` of a quantized matrix: `values[code_e]·scale_b (+ zero_b)`.
#[cube]
fn quantized_entry(
    codes: &[u32],
    values: &[f32],
    scale: &[f32],
    zero: &[f32],
    e: usize,
    block: usize,
    #[comptime] affine: bool,
) -> f32 {
    let c = (codes[e / 4] >> (8 * (e % 4) as u32)) & 255u32;
    let blk = e / block;
    let mut v = values[c as usize] * scale[blk];
    if affine {
        v += zero[blk];
    }
    v
}

/// `out = dequantize(Q)`, one unit per entry. CPU twin: `Quantized::dequantize`.
#[cube(launch_unchecked)]
pub fn dequantize<F: Float>(
    codes: &[u32],
    values: &[f32],
    scale: &[f32],
    zero: &[f32],
    out: &mut [F],
    block: usize,
    #[comptime] affine: bool,
) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = F::cast_from(quantized_entry(codes, values, scale, zero, ABSOLUTE_POS, block, affine));
    }
}

/// `out = Q x` for the quantized `Q` (m×n, entry `(i, j)` stored at
/// `i·row + j·col`: a transpose swaps the strides) and `x` (n×width), each
/// entry of `Q` dequantized as it is read; one unit per entry of `out`.
/// CPU twin: `Operator::apply` of a quantized operator.
#[cube(launch_unchecked)]
#[allow(clippy::too_many_arguments)]
pub fn quantized_product<F: Float>(
    codes: &[u32],
    values: &[f32],
    scale: &[f32],
    zero: &[f32],
    x: &[F],
    out: &mut [F],
    n: usize,
    width: usize,
    row: usize,
    col: usize,
    block: usize,
    #[comptime] affine: bool,
) {
    if ABSOLUTE_POS < out.len() {
        let i = ABSOLUTE_POS / width;
        let c = ABSOLUTE_POS % width;
        let mut acc = F::new(0.0);
        for j in 0..n {
            let q = F::cast_from(quantized_entry(codes, values, scale, zero, i * row + j * col, block, affine));
            acc += q * x[j * width + c];
        }
        out[ABSOLUTE_POS] = acc;
    }
}
