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
#[derive(CubeType, Clone, Copy, Hash, PartialEq, Eq, Debug)]
pub enum Unary {
    Neg,
    Sqrt,
    Exp,
    Log,
    Abs,
    Sin,
    Cos,
    Tan,
    Floor,
    Ceil,
    /// Halves away from zero, as `f64::round` (not the GPU's halves to even).
    Round,
    IsNan,
    IsFinite,
}

/// An entrywise operation of two operands. CPU twin: `Matrix::zip_with`.
#[derive(CubeType, Clone, Copy, Hash, PartialEq, Eq, Debug)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    /// NaN if either is NaN, as numpy's `maximum`.
    Max,
    Min,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
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

#[cube]
fn apply_unary<F: Float>(x: F, #[comptime] op: Unary) -> F {
    match op {
        Unary::Neg => -x,
        Unary::Sqrt => x.sqrt(),
        Unary::Exp => x.exp(),
        Unary::Log => x.ln(),
        Unary::Abs => x.abs(),
        Unary::Sin => x.sin(),
        Unary::Cos => x.cos(),
        Unary::Tan => x.tan(),
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
fn apply_binary<F: Float>(a: F, b: F, #[comptime] op: Binary) -> F {
    match op {
        Binary::Add => a + b,
        Binary::Sub => a - b,
        Binary::Mul => a * b,
        Binary::Div => a / b,
        Binary::Pow => a.powf(b),
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
pub fn map<F: Float>(x: &[F], out: &mut [F], #[comptime] op: Unary) {
    if ABSOLUTE_POS < out.len() {
        out[ABSOLUTE_POS] = apply_unary::<F>(x[ABSOLUTE_POS], op);
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
) {
    if ABSOLUTE_POS < out.len() {
        let i = ABSOLUTE_POS / cols;
        let j = ABSOLUTE_POS % cols;
        out[ABSOLUTE_POS] = apply_binary::<F>(a[i * a_row + j * a_col], b[i * b_row + j * b_col], op);
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
) {
    if ABSOLUTE_POS < out.len() {
        let s = scalar.get::<F>();
        if scalar_first {
            out[ABSOLUTE_POS] = apply_binary::<F>(s, x[ABSOLUTE_POS], op);
        } else {
            out[ABSOLUTE_POS] = apply_binary::<F>(x[ABSOLUTE_POS], s, op);
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

impl Unary {
    /// Exponential, logarithm and trigonometric functions: on Vulkan, Metal
    /// and WebGPU these exist for 32-bit floats only.
    pub fn is_transcendental(self) -> bool {
        matches!(self, Unary::Exp | Unary::Log | Unary::Sin | Unary::Cos | Unary::Tan)
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

/// The cosine and sine tables of RoPE: `angle = position[t] · θ[i]`.
#[cube(launch_unchecked)]
pub fn rope_tables<F: Float>(positions: &[F], theta: &[F], cos: &mut [F], sin: &mut [F], half: usize) {
    if ABSOLUTE_POS < cos.len() {
        let angle = positions[ABSOLUTE_POS / half] * theta[ABSOLUTE_POS % half];
        cos[ABSOLUTE_POS] = angle.cos();
        sin[ABSOLUTE_POS] = angle.sin();
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
