//! Elementwise functions (`sqrt`, `exp`, `log`, `abs`, `sin`, `cos`, `tan`,
//! `floor`, `ceil`, `round`, `isnan`, `isfinite`) and reductions (`sum`,
//! `mean`, `median`, `max`, `min`, and `nanmean`, `nanmedian`, `nanmax`,
//! `nanmin`, which skip NaN as numpy's do).
//! A number gives a number, a matrix a matrix of the same shape.

use super::{as_matrix, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use tessera::device::Unary;
use tessera::Matrix;

/// `f` on a number or on every entry of a matrix.
fn map(args: &Args, f: fn(f64) -> f64) -> Result<Value> {
    let (v, span) = args.get(0);
    Ok(match v {
        Value::Number(x) => Value::Number(f(*x)),
        other => Value::matrix(as_matrix(other, span)?.map(f)),
    })
}

/// The kernel `op` on every entry of a gpu matrix (its device path).
fn map_gpu(args: &Args, op: Unary) -> Result<Value> {
    let (v, span) = args.get(0);
    match v {
        Value::Gpu(g) => Ok(crate::gpu::value(g.map(op)?)),
        other => Err(LangError::type_error(format!("expected a gpu matrix, got a {}", other.kind()), span)),
    }
}

macro_rules! elementwise {
    ($($name:ident: $f:expr, $op:ident, $formula:expr, $shows:expr;)*) => {
        mod on_gpu {
            use super::*;
            $(
                pub fn $name(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
                    map_gpu(&args, Unary::$op)
                }
            )*
        }
        $(
            fn $name(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
                map(&args, $f)
            }
        )*
        const ELEMENTWISE: &[Builtin] = &[$(
            Builtin {
                name: stringify!($name),
                signature: concat!(stringify!($name), "(x)"),
                summary: concat!(stringify!($name), " of a number, or of every entry of a matrix"),
                help: $formula,
                example: concat!(stringify!($name), "([0.25, 4])"),
                shows: $shows,
                arity: (1, Some(1)),
                keywords: &[],
                run: $name,
                device: Device::Gpu(on_gpu::$name),
            },
        )*];
    };
}

elementwise! {
    sqrt: f64::sqrt, Sqrt, "√x (nan for x < 0; sqrtm is the matrix square root).", "1×2 matrix:\n 0.5  2.0";
    exp: f64::exp, Exp, "eˣ entrywise (expm is the matrix exponential).", "1×2 matrix:\n 1.284  54.5982";
    log: f64::ln, Log, "the natural logarithm entrywise (nan for x < 0; logm is the matrix logarithm).", "1×2 matrix:\n -1.38629  1.38629";
    abs: f64::abs, Abs, "|x| entrywise.", "1×2 matrix:\n 0.25  4.0";
    sin: f64::sin, Sin, "sin x entrywise (radians).", "1×2 matrix:\n 0.247404  -0.756802";
    cos: f64::cos, Cos, "cos x entrywise (radians).", "1×2 matrix:\n 0.968912  -0.653644";
    tan: f64::tan, Tan, "tan x entrywise (radians).", "1×2 matrix:\n 0.25534  1.15782";
    floor: f64::floor, Floor, "the largest integer ≤ x, entrywise.", "1×2 matrix:\n 0  4";
    ceil: f64::ceil, Ceil, "the smallest integer ≥ x, entrywise.", "1×2 matrix:\n 1  4";
    round: f64::round, Round, "the nearest integer (halves away from zero), entrywise.", "1×2 matrix:\n 0  4";
    isnan: |x| f64::from(u8::from(x.is_nan())), IsNan, "1 where x is nan, else 0 (sum(isnan(A)) counts them).", "1×2 matrix:\n 0  0";
    isfinite: |x| f64::from(u8::from(x.is_finite())), IsFinite, "1 where x is neither nan nor ±inf, else 0.", "1×2 matrix:\n 1  1";
}

/// A reduction over all entries, or along an axis (0: down each column, 1:
/// along each row) given by the keyword `axis` or, for `sum` and `mean`, as
/// the second argument (numpy's `np.sum(A, 0)`).
fn reduce(args: &Args, axis: Option<(&Value, Span)>, f: impl Fn(&[f64]) -> f64) -> Result<Value> {
    let (v, vspan) = args.get(0);
    let m = as_matrix(v, vspan)?;
    let (axis, span) = match axis {
        None => return Ok(Value::Number(f(&m.to_row_major()))),
        Some((a, s)) => (super::as_size(a, s)?, s),
    };
    let column = |j: usize| (0..m.rows()).map(|i| m[(i, j)]).collect::<Vec<_>>();
    let row = |i: usize| (0..m.cols()).map(|j| m[(i, j)]).collect::<Vec<_>>();
    Ok(Value::matrix(match axis {
        0 => Matrix::from_fn(1, m.cols(), |_, j| f(&column(j))),
        1 => Matrix::from_fn(m.rows(), 1, |i, _| f(&row(i))),
        other => return Err(LangError::argument(format!("the axis is 0 (columns) or 1 (rows), got {other}"), span)),
    }))
}

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
        return Err(LangError::type_error(format!("expected a gpu matrix, got a {}", v.kind()), span));
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
    ELEMENTWISE.iter().chain(REDUCTIONS)
}
