//! Elementwise functions (`sqrt`, `exp`, `log`, `abs`, `sin`, `cos`, `tan`,
//! `floor`, `ceil`, `round`, `isnan`, `isfinite`) and reductions (`sum`,
//! `mean`, `median`, `max`, `min`, and `nanmean`, `nanmedian`, `nanmax`,
//! `nanmin`, which skip NaN as numpy's do).
//! A number gives a number, a matrix a matrix of the same shape.

use super::{as_matrix, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::ops::integer;
use crate::span::Span;
use crate::value::Value;
use tessera::device::Unary;
use tessera::lanes::{self, Axis};

/// `f` on a number or on every entry of a matrix.
fn map(args: &Args, f: fn(f64) -> f64) -> Result<Value> {
    let (v, span) = args.get(0);
    Ok(match v {
        Value::Number(x) => Value::Number(f(*x)),
        other => Value::matrix(as_matrix(other, span)?.map(f)),
    })
}

/// An entrywise result as it is: numbers.
fn numbers(v: Value) -> Value {
    v
}

/// An entrywise result as truth values: a bool, or a logical matrix.
fn truths(v: Value) -> Value {
    match v {
        Value::Number(x) => Value::Bool(x != 0.0),
        Value::Matrix(m) => Value::Logical(m),
        other => other,
    }
}

/// The kernel `op` on every entry of a gpu matrix (its device path).
fn map_gpu(args: &Args, op: Unary) -> Result<Value> {
    let (v, span) = args.get(0);
    match v {
        Value::Gpu(g) => Ok(crate::gpu::value(g.map(op)?)),
        other => Err(LangError::type_error(format!("expected a gpu matrix, got {}", other.a_kind()), span)),
    }
}

macro_rules! elementwise {
    ($($name:ident: $f:expr, [$($op:ident)?], $kind:ident, $formula:expr, $example:expr, $shows:expr;)*) => {
        mod on_gpu {
            use super::*;
            $($(
                pub fn $name(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
                    map_gpu(&args, Unary::$op)
                }
            )?)*
        }
        $(
            fn $name(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
                map(&args, $f).map($kind)
            }
        )*
        const ELEMENTWISE: &[Builtin] = &[$(
            Builtin {
                name: stringify!($name),
                signature: concat!(stringify!($name), "(x)"),
                summary: concat!(stringify!($name), " of a number, or of every entry of a matrix"),
                help: $formula,
                example: $example,
                shows: $shows,
                arity: (1, Some(1)),
                keywords: &[],
                run: $name,
                device: elementwise!(@device $name $($op)?),
            },
        )*];
    };
    (@device $name:ident $op:ident) => { Device::Gpu(on_gpu::$name) };
    (@device $name:ident) => { Device::Cpu };
}

elementwise! {
    sqrt: f64::sqrt, [Sqrt], numbers, "√x (nan for x < 0; sqrtm is the matrix square root).", "sqrt([0.25, 4])", "1×2 matrix:\n 0.5  2.0";
    exp: f64::exp, [Exp], numbers, "eˣ entrywise (expm is the matrix exponential).", "exp([0.25, 4])", "1×2 matrix:\n 1.284  54.5982";
    log: f64::ln, [Log], numbers, "the natural logarithm entrywise (nan for x < 0; logm is the matrix logarithm).", "log([0.25, 4])", "1×2 matrix:\n -1.38629  1.38629";
    abs: f64::abs, [Abs], numbers, "|x| entrywise.", "abs([0.25, 4])", "1×2 matrix:\n 0.25  4.0";
    sin: f64::sin, [Sin], numbers, "sin x entrywise (radians).", "sin([0.25, 4])", "1×2 matrix:\n 0.247404  -0.756802";
    cos: f64::cos, [Cos], numbers, "cos x entrywise (radians).", "cos([0.25, 4])", "1×2 matrix:\n 0.968912  -0.653644";
    tan: f64::tan, [Tan], numbers, "tan x entrywise (radians).", "tan([0.25, 4])", "1×2 matrix:\n 0.25534  1.15782";
    floor: f64::floor, [Floor], numbers, "the largest integer ≤ x, entrywise.", "floor([0.25, 4])", "1×2 matrix:\n 0  4";
    ceil: f64::ceil, [Ceil], numbers, "the smallest integer ≥ x, entrywise.", "ceil([0.25, 4])", "1×2 matrix:\n 1  4";
    round: f64::round, [Round], numbers, "the nearest integer (halves away from zero), entrywise.", "round([0.25, 4])", "1×2 matrix:\n 0  4";
    isnan: |x| f64::from(u8::from(x.is_nan())), [IsNan], truths, "true where x is nan: a logical matrix (A[isnan(A)] = 0 clears them, count(isnan(A)) counts them).", "isnan([0.25, nan])", "1×2 logical:\n 0  1";
    isfinite: |x| f64::from(u8::from(x.is_finite())), [IsFinite], truths, "true where x is neither nan nor ±inf: a logical matrix.", "isfinite([0.25, inf])", "1×2 logical:\n 1  0";
    tanh: f64::tanh, [], numbers, "the hyperbolic tangent (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) entrywise (np.tanh).", "tanh([0, 1, inf])", "1×3 matrix:\n 0.0  0.76159  1.0";
    sinh: f64::sinh, [], numbers, "the hyperbolic sine (eˣ − e⁻ˣ)/2 entrywise (np.sinh).", "sinh([0, 1])", "1×2 matrix:\n 0.0  1.1752";
    cosh: f64::cosh, [], numbers, "the hyperbolic cosine (eˣ + e⁻ˣ)/2 entrywise (np.cosh).", "cosh([0, 1])", "1×2 matrix:\n 1.0  1.54308";
    asin: f64::asin, [], numbers, "the inverse sine in [−π/2, π/2] entrywise, nan outside [−1, 1] (np.arcsin, MATLAB's asin).", "asin([0, 1, 2])", "1×3 matrix:\n 0.0  1.5708  nan";
    acos: f64::acos, [], numbers, "the inverse cosine in [0, π] entrywise, nan outside [−1, 1] (np.arccos).", "acos([1, 0])", "1×2 matrix:\n 0.0  1.5708";
    atan: f64::atan, [], numbers, "the inverse tangent in (−π/2, π/2) entrywise (np.arctan; atan2(y, x) for the quadrant).", "atan([1, inf])", "1×2 matrix:\n 0.7854  1.5708";
    sign: tessera::scalar::sign, [], numbers, "−1, 0 or 1 by the sign of x, nan for nan (np.sign).", "sign([-2, 0, 3])", "1×3 matrix:\n -1  0  1";
    log2: f64::log2, [], numbers, "log₂ x entrywise (np.log2).", "log2([1, 8, 0])", "1×3 matrix:\n 0  3  -inf";
    log10: f64::log10, [], numbers, "log₁₀ x entrywise (np.log10).", "log10([1, 1000])", "1×2 matrix:\n 0  3";
    log1p: f64::ln_1p, [], numbers, "log(1 + x), accurate for small x (np.log1p).", "log1p(1e-10)", "9.999999999500001e-11";
    expm1: f64::exp_m1, [], numbers, "eˣ − 1, accurate for small x (np.expm1).", "expm1(1e-10)", "1.00000000005e-10";
    erf: tessera::scalar::erf, [], numbers, "the error function 2/√π ∫₀ˣ e^(−t²) dt entrywise (scipy.special.erf, MATLAB's erf).", "erf([0, 1])", "1×2 matrix:\n 0.0  0.842701";
    relu: tessera::scalar::relu, [], numbers, "max(x, 0) entrywise, nan kept (np.maximum(x, 0)).", "relu([-1, 0.5, nan])", "1×3 matrix:\n 0.0  0.5  nan";
    sigmoid: tessera::scalar::sigmoid, [], numbers, "1/(1 + e⁻ˣ) entrywise, without overflow for large |x| (scipy.special.expit).", "sigmoid([0, 2, -800])", "1×3 matrix:\n 0.5  0.880797  0.0";
    gelu: tessera::scalar::gelu, [], numbers, "GELU in its exact form x·Φ(x) = x/2·(1 + erf(x/√2)) (PyTorch's gelu, approximate=\"none\").", "gelu([-1, 0, 1])", "1×3 matrix:\n -0.158655  0.0  0.841345";
}

/// The axis an argument names: none (every entry), 0 (down each column) or
/// 1 (along each row).
pub(super) fn axis_of(axis: Option<(&Value, Span)>) -> Result<Axis> {
    let Some((v, span)) = axis else {
        return Ok(Axis::All);
    };
    let k = integer(v, "the axis").map_err(|e| e.at(span))?;
    Axis::from_index(k)
        .ok_or_else(|| LangError::argument(format!("the axis is 0 (columns) or 1 (rows), got {k}"), span))
}

/// The axis of a lane-wise function (`sort`, `softmax`): the keyword
/// `axis`, or without it a vector's entries and a matrix's rows (numpy's
/// default `axis=-1`).
pub(super) fn lane_axis(args: &Args) -> Result<Axis> {
    match args.keyword("axis") {
        None if args.matrix(0)?.is_vector() => Ok(Axis::All),
        None => Ok(Axis::Rows),
        given => axis_of(given),
    }
}

/// A reduction over all entries (a number), or along an axis (0: down each
/// column, 1: along each row) given by the keyword `axis` or, for `sum` and
/// `mean`, as the second argument (numpy's `np.sum(A, 0)`).
pub(super) fn reduce(args: &Args, axis: Option<(&Value, Span)>, f: impl Fn(&[f64]) -> f64 + Sync) -> Result<Value> {
    let m = args.matrix(0)?;
    let axis = axis_of(axis)?;
    let out = lanes::reduce(&m, axis, f);
    Ok(if axis == Axis::All { Value::Number(out[(0, 0)]) } else { Value::matrix(out) })
}

/// A lane for a lane along `axis` (`cumsum`, `sort`, `softmax`); a number
/// gives a number.
pub(super) fn scan(args: &Args, axis: Axis, f: impl Fn(&[f64], &mut [f64]) + Sync) -> Result<Value> {
    if let Value::Number(x) = args.get(0).0 {
        let mut out = [0.0];
        f(&[*x], &mut out);
        return Ok(Value::Number(out[0]));
    }
    Ok(Value::matrix(lanes::scan(&*args.matrix(0)?, axis, f)))
}

/// A number or a bool as a number (what makes a call "number in, number out").
pub(super) fn scalar_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(x) => Some(*x),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// `f` entry by entry of two values, broadcast as `.*` does; two numbers give a number.
fn map2(args: &Args, op: &'static str, f: impl Fn(f64, f64) -> f64, span: Span) -> Result<Value> {
    let (a, b) = (args.get(0).0, args.get(1).0);
    if let (Some(x), Some(y)) = (scalar_of(a), scalar_of(b)) {
        return Ok(Value::Number(f(x, y)));
    }
    let (x, y) = (args.matrix(0)?, args.matrix(1)?);
    Ok(Value::matrix(x.zip_with(&y, op, f).map_err(|e| LangError::from(e).at(span))?))
}

fn atan2(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    map2(&args, "atan2", f64::atan2, span)
}

fn hypot(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    map2(&args, "hypot", f64::hypot, span)
}

fn modulo(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    map2(&args, "mod", tessera::scalar::floored_mod, span)
}

fn rem(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    map2(&args, "rem", tessera::scalar::rem, span)
}

fn clip(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (lo, hi) = (args.number(1)?, args.number(2)?);
    if lo > hi {
        return Err(LangError::argument(format!("clip needs lo ≤ hi, got {lo} and {hi}"), span));
    }
    let f = |x: f64| smaller(larger(x, lo), hi);
    match scalar_of(args.get(0).0) {
        Some(x) => Ok(Value::Number(f(x))),
        None => Ok(Value::matrix(args.matrix(0)?.map(f))),
    }
}

fn softmax(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    match (lane_axis(&args)?, args.get(0).0) {
        (Axis::Rows, Value::Matrix(m)) => Ok(Value::matrix(lanes::softmax_rows(m))),
        (axis, _) => scan(&args, axis, lanes::softmax),
    }
}

fn logsumexp(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, args.keyword("axis"), lanes::logsumexp)
}

/// Entrywise functions of two values, and of a lane.
const ENTRYWISE: &[Builtin] = &[
    Builtin {
        name: "atan2",
        signature: "atan2(y, x)",
        summary: "the angle of the point (x, y) in (−π, π], entry by entry",
        help: "atan2(y, x) = arg(x + iy), the quadrant from both signs (np.arctan2, MATLAB's atan2); broadcasts as .*.",
        example: "atan2([1, -1], -1)",
        shows: "1×2 matrix:\n 2.35619  -2.35619",
        arity: (2, Some(2)),
        keywords: &[],
        run: atan2,
        device: Device::Cpu,
    },
    Builtin {
        name: "hypot",
        signature: "hypot(a, b)",
        summary: "√(a² + b²) entry by entry, without overflow",
        help: "√(a² + b²) scaled so that no square overflows (np.hypot); inf if either is ±inf, even with nan.",
        example: "hypot(3, [4, 1e300])",
        shows: "1×2 matrix:\n 5.0e+00  1.0e+300",
        arity: (2, Some(2)),
        keywords: &[],
        run: hypot,
        device: Device::Cpu,
    },
    Builtin {
        name: "mod",
        signature: "mod(a, b)",
        summary: "the floored modulo a − b·⌊a/b⌋ (the sign of b), entry by entry; also a % b",
        help: "numpy's np.mod and Python's %: mod(-7, 3) = 2, mod(7, -3) = -2; nan for b = 0 (MATLAB's mod(a, 0) is a).                rem keeps the sign of a instead.",
        example: "(mod(-7, 3), mod([5, -5], 3))",
        shows: "(2, [2, 1])",
        arity: (2, Some(2)),
        keywords: &[],
        run: modulo,
        device: Device::Cpu,
    },
    Builtin {
        name: "rem",
        signature: "rem(a, b)",
        summary: "the remainder a − b·trunc(a/b) (the sign of a), entry by entry",
        help: "MATLAB's rem, numpy's np.fmod, C's fmod: rem(-7, 3) = -1; nan for b = 0. Exact.",
        example: "(rem(-7, 3), rem([5, -5], 3))",
        shows: "(-1, [2, -2])",
        arity: (2, Some(2)),
        keywords: &[],
        run: rem,
        device: Device::Cpu,
    },
    Builtin {
        name: "clip",
        signature: "clip(A, lo, hi)",
        summary: "each entry limited to [lo, hi]",
        help: "min(max(x, lo), hi) entrywise, nan kept (np.clip with number bounds; MATLAB's min(max(A, lo), hi)).",
        example: "clip([-2, 0.5, 7], 0, 1)",
        shows: "1×3 matrix:\n 0.0  0.5  1.0",
        arity: (3, Some(3)),
        keywords: &[],
        run: clip,
        device: Device::Cpu,
    },
    Builtin {
        name: "softmax",
        signature: "softmax(A, axis=1)",
        summary: "e^aᵢ / Σⱼ e^aⱼ along each row (axis=1, the default), each column (axis=0), or a vector's entries",
        help: "Shifted by each lane's largest entry, so large inputs do not overflow (scipy.special.softmax,                PyTorch's softmax(dim=-1)). Without axis a vector is one lane. O(mn).",
        example: "softmax([1, 2; 1000, 1000])",
        shows: "2×2 matrix:\n 0.268941  0.731059\n 0.5       0.5",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: softmax,
        device: Device::Cpu,
    },
    Builtin {
        name: "logsumexp",
        signature: "logsumexp(A, axis=)",
        summary: "log Σ e^aᵢⱼ of all entries (a number), or along an axis (0: each column, 1: each row)",
        help: "max + log Σ e^(a − max), so large entries do not overflow (scipy.special.logsumexp); -inf for no entries. O(mn).",
        example: "(logsumexp([1000, 1000]), logsumexp([0, 0; 1, 1], axis=1))",
        shows: "(1000.6931471805599, [0.69315; 1.69315])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: logsumexp,
        device: Device::Cpu,
    },
];

/// The axis of `sum` and `mean`: positional or keyword, not both.
fn sum_axis(args: &Args) -> Result<Option<(&Value, Span)>> {
    match (args.opt(1), args.keyword("axis")) {
        (Some(_), Some((_, s))) => Err(LangError::argument("the axis is given twice", s)),
        (positional, keyword) => Ok(positional.or(keyword)),
    }
}

/// `sum`/`mean` of a gpu matrix (their device path).
fn gpu_sum(args: &Args, mean: bool) -> Result<Value> {
    let (v, span) = args.get(0);
    let Value::Gpu(g) = v else {
        return Err(LangError::type_error(format!("expected a gpu matrix, got {}", v.a_kind()), span));
    };
    let axis = match sum_axis(args)? {
        Some((v, s)) => Some(super::as_size(v, s)?),
        None => None,
    };
    crate::gpu::sum(g, axis, mean)
}

fn sum(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, |xs| xs.iter().sum())
}

fn sum_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    gpu_sum(&args, false)
}

fn mean(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, mean_of)
}

/// The larger of two numbers; NaN if either is NaN (as numpy's maximum).
fn larger(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// The smaller of two numbers; NaN if either is NaN (as numpy's minimum).
fn smaller(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// `max`/`min`: of one matrix (all entries, or along `axis=`), or of two
/// values entry by entry with broadcasting (`max(A, 0)` clips at zero, as
/// MATLAB's `max(A, B)` and numpy's `maximum`).
fn extreme(args: &Args, op: &'static str, pick: fn(f64, f64) -> f64, empty: f64) -> Result<Value> {
    let Some((b, bspan)) = args.opt(1) else {
        return reduce(args, args.keyword("axis"), |xs| xs.iter().copied().fold(empty, pick));
    };
    if let Some((_, s)) = args.keyword("axis") {
        return Err(LangError::argument(format!("{op} of two values takes no axis"), s));
    }
    let (a, aspan) = args.get(0);
    if let (Value::Number(x), Value::Number(y)) = (a, b) {
        return Ok(Value::Number(pick(*x, *y)));
    }
    let (a, b) = (as_matrix(a, aspan)?, as_matrix(b, bspan)?);
    Ok(Value::matrix(a.zip_with(&b, op, pick)?))
}

/// The median (mean of the middle two for an even count; nan for no entries
/// or if any is nan, as numpy). `O(n log n)`.
fn median_of(xs: &[f64]) -> f64 {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// `f` over the entries that are not NaN (nan if there are none).
fn without_nan(xs: &[f64], f: impl Fn(&[f64]) -> f64) -> f64 {
    let kept: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    if kept.is_empty() {
        f64::NAN
    } else {
        f(&kept)
    }
}

fn mean_of(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn mean_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    gpu_sum(&args, true)
}

fn median(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, median_of)
}

fn nanmean(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, |xs| without_nan(xs, mean_of))
}

fn nanmedian(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, |xs| without_nan(xs, median_of))
}

fn nanmax(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, |xs| without_nan(xs, |k| k.iter().copied().fold(f64::NEG_INFINITY, f64::max)))
}

fn nanmin(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, sum_axis(&args)?, |xs| without_nan(xs, |k| k.iter().copied().fold(f64::INFINITY, f64::min)))
}

fn max(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    extreme(&args, "max", larger, f64::NEG_INFINITY)
}

fn min(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    extreme(&args, "min", smaller, f64::INFINITY)
}

const REDUCTIONS: &[Builtin] = &[
    Builtin {
        name: "sum",
        signature: "sum(A, axis)",
        summary: "the sum of all entries, or along an axis (0: each column, 1: each row)",
        help: "Σᵢⱼ aᵢⱼ; sum(A, 0) is the 1×n row of column sums (numpy's axis=0).",
        example: "sum([1, 2; 3, 4], 0)",
        shows: "1×2 matrix:\n 4  6",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: sum,
        device: Device::Gpu(sum_gpu),
    },
    Builtin {
        name: "mean",
        signature: "mean(A, axis)",
        summary: "the mean of all entries, or along an axis (0: each column, 1: each row)",
        help: "Σ aᵢⱼ / count (nan for no entries).",
        example: "mean([1, 2; 3, 4], axis=1)",
        shows: "2×1 matrix:\n 1.5\n 3.5",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: mean,
        device: Device::Gpu(mean_gpu),
    },
    Builtin {
        name: "max",
        signature: "max(A, axis=), max(A, B)",
        summary: "the largest entry, or along an axis (0: each column, 1: each row); of two values, entry by entry",
        help: "max aᵢⱼ (-inf for no entries; nan if any entry is nan, as numpy). max(A, B) broadcasts as .*: \
               max(A, 0) clips at zero (MATLAB's max(A, B), numpy's maximum).",
        example: "(max([1, 5; 3, 4], axis=1), max([1, -2, 3], 0), max(2, 7))",
        shows: "([5; 4], [1, 0, 3], 7)",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: max,
        device: Device::Cpu,
    },
    Builtin {
        name: "min",
        signature: "min(A, axis=), min(A, B)",
        summary: "the smallest entry, or along an axis (0: each column, 1: each row); of two values, entry by entry",
        help: "min aᵢⱼ (inf for no entries; nan if any entry is nan, as numpy). min(A, B) broadcasts as .*.",
        example: "(min([1, 5; 3, 4]), min([1, 5; 3, 4], axis=0), min([1, -2, 3], 0))",
        shows: "(1, [1, 4], [0, -2, 0])",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: min,
        device: Device::Cpu,
    },
    Builtin {
        name: "median",
        signature: "median(A, axis)",
        summary: "the median of all entries, or along an axis (0: each column, 1: each row)",
        help: "The middle value, or the mean of the middle two; nan if any entry is nan (as np.median). O(n log n).",
        example: "(median([3, 1, 2]), median([1, 2; 3, 4; 10, 0], 0))",
        shows: "(2, [3, 2])",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: median,
        device: Device::Cpu,
    },
    Builtin {
        name: "nanmean",
        signature: "nanmean(A, axis)",
        summary: "the mean of the entries that are not nan, or along an axis",
        help: "As np.nanmean: nan only where every entry is nan.",
        example: "nanmean([1, nan, 3])",
        shows: "2",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: nanmean,
        device: Device::Cpu,
    },
    Builtin {
        name: "nanmedian",
        signature: "nanmedian(A, axis)",
        summary: "the median of the entries that are not nan, or along an axis",
        help: "As np.nanmedian: nan only where every entry is nan.",
        example: "nanmedian([1, nan, 3, 10])",
        shows: "3",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: nanmedian,
        device: Device::Cpu,
    },
    Builtin {
        name: "nanmax",
        signature: "nanmax(A, axis)",
        summary: "the largest entry that is not nan, or along an axis",
        help: "As np.nanmax: nan only where every entry is nan.",
        example: "nanmax([1, nan, 3; nan, nan, 0], 1)",
        shows: "2×1 matrix:\n 3\n 0",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: nanmax,
        device: Device::Cpu,
    },
    Builtin {
        name: "nanmin",
        signature: "nanmin(A, axis)",
        summary: "the smallest entry that is not nan, or along an axis",
        help: "As np.nanmin: nan only where every entry is nan.",
        example: "nanmin([1, nan, 3])",
        shows: "1",
        arity: (1, Some(2)),
        keywords: &["axis"],
        run: nanmin,
        device: Device::Cpu,
    },
];

/// The elementwise functions and the reductions.
pub fn builtins() -> impl Iterator<Item = &'static Builtin> {
    ELEMENTWISE.iter().chain(ENTRYWISE).chain(REDUCTIONS)
}
