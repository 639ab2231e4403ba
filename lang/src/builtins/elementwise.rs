//! Elementwise functions (`sqrt`, `exp`, `log`, `abs`, `sin`, `cos`, `tan`,
//! `floor`, `ceil`, `round`) and reductions (`sum`, `mean`, `max`, `min`).
//! A number gives a number, a matrix a matrix of the same shape.

use super::{as_matrix, Args, Builtin};
use crate::error::{LangError, Result};
use crate::eval::Interp;
use crate::span::Span;
use crate::value::Value;
use tessera::Matrix;

/// `f` on a number or on every entry of a matrix.
fn map(args: &Args, f: fn(f64) -> f64) -> Result<Value> {
    let (v, span) = args.get(0);
    Ok(match v {
        Value::Number(x) => Value::Number(f(*x)),
        other => Value::matrix(as_matrix(other, span)?.map(f)),
    })
}

macro_rules! elementwise {
    ($($name:ident: $f:expr, $formula:expr;)*) => {
        $(
            fn $name(_: &mut Interp, args: Args, _: Span) -> Result<Value> {
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
                arity: (1, Some(1)),
                keywords: &[],
                run: $name,
            },
        )*];
    };
}

elementwise! {
    sqrt: f64::sqrt, "√x (nan for x < 0; sqrtm is the matrix square root).";
    exp: f64::exp, "eˣ entrywise (expm is the matrix exponential).";
    log: f64::ln, "the natural logarithm entrywise (nan for x < 0; logm is the matrix logarithm).";
    abs: f64::abs, "|x| entrywise.";
    sin: f64::sin, "sin x entrywise (radians).";
    cos: f64::cos, "cos x entrywise (radians).";
    tan: f64::tan, "tan x entrywise (radians).";
    floor: f64::floor, "the largest integer ≤ x, entrywise.";
    ceil: f64::ceil, "the smallest integer ≥ x, entrywise.";
    round: f64::round, "the nearest integer (halves away from zero), entrywise.";
}

/// A reduction over all entries, or along an axis (0: down each column, 1: along each row).
fn reduce(args: &Args, span: Span, f: fn(&[f64]) -> f64) -> Result<Value> {
    let (v, vspan) = args.get(0);
    let m = as_matrix(v, vspan)?;
    let axis = match args.opt(1) {
        None => return Ok(Value::Number(f(&m.to_row_major()))),
        Some((a, s)) => super::as_size(a, s)?,
    };
    let column = |j: usize| (0..m.rows()).map(|i| m[(i, j)]).collect::<Vec<_>>();
    let row = |i: usize| (0..m.cols()).map(|j| m[(i, j)]).collect::<Vec<_>>();
    Ok(Value::matrix(match axis {
        0 => Matrix::from_fn(1, m.cols(), |_, j| f(&column(j))),
        1 => Matrix::from_fn(m.rows(), 1, |i, _| f(&row(i))),
        other => return Err(LangError::argument(format!("the axis is 0 (columns) or 1 (rows), got {other}"), span)),
    }))
}

fn sum(_: &mut Interp, args: Args, span: Span) -> Result<Value> {
    reduce(&args, span, |xs| xs.iter().sum())
}

fn mean(_: &mut Interp, args: Args, span: Span) -> Result<Value> {
    reduce(&args, span, |xs| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn max(_: &mut Interp, args: Args, span: Span) -> Result<Value> {
    reduce(&args, span, |xs| xs.iter().copied().fold(f64::NEG_INFINITY, f64::max))
}

fn min(_: &mut Interp, args: Args, span: Span) -> Result<Value> {
    reduce(&args, span, |xs| xs.iter().copied().fold(f64::INFINITY, f64::min))
}

const REDUCTIONS: &[Builtin] = &[
    Builtin {
        name: "sum",
        signature: "sum(A, axis)",
        summary: "the sum of all entries, or along an axis (0: each column, 1: each row)",
        help: "Σᵢⱼ aᵢⱼ; sum(A, 0) is the 1×n row of column sums (numpy's axis=0).",
        example: "sum([1, 2; 3, 4], 0)",
        arity: (1, Some(2)),
        keywords: &[],
        run: sum,
    },
    Builtin {
        name: "mean",
        signature: "mean(A, axis)",
        summary: "the mean of all entries, or along an axis (0: each column, 1: each row)",
        help: "Σ aᵢⱼ / count (nan for no entries).",
        example: "mean([1, 2; 3, 4])",
        arity: (1, Some(2)),
        keywords: &[],
        run: mean,
    },
    Builtin {
        name: "max",
        signature: "max(A, axis)",
        summary: "the largest entry, or along an axis (0: each column, 1: each row)",
        help: "max aᵢⱼ (-inf for no entries).",
        example: "max([1, 5; 3, 4], 1)",
        arity: (1, Some(2)),
        keywords: &[],
        run: max,
    },
    Builtin {
        name: "min",
        signature: "min(A, axis)",
        summary: "the smallest entry, or along an axis (0: each column, 1: each row)",
        help: "min aᵢⱼ (inf for no entries).",
        example: "min([1, 5; 3, 4])",
        arity: (1, Some(2)),
        keywords: &[],
        run: min,
    },
];

/// The elementwise functions and the reductions.
pub fn builtins() -> impl Iterator<Item = &'static Builtin> {
    ELEMENTWISE.iter().chain(REDUCTIONS)
}
