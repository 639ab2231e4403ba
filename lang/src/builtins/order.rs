//! Order and reductions of the numpy/MATLAB vocabulary: `sort`, `argsort`,
//! `cumsum`, `cumprod`, `prod`, `any`, `all`, `argmax`, `argmin`, `std`,
//! `var`, `find`, `unique`, `numel`, `count`. The lane arithmetic is
//! [`tessera::lanes`]; numpy's conventions hold (stable sorts, NaN last,
//! the first of ties, `ddof=0`).

use super::elementwise::{axis_of, lane_axis, reduce, scan};
use super::{Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::lanes::{self, Axis};
use tessera::Matrix;

/// `sort` of a list: numbers, or strings (by their characters), never a mix.
fn sort_list(items: &[Value], span: Span) -> Result<Value> {
    let mut out = items.to_vec();
    if items.iter().all(|v| matches!(v, Value::Number(_))) {
        out.sort_by(|a, b| match (a, b) {
            (Value::Number(x), Value::Number(y)) => lanes::ascending(x, y),
            _ => unreachable!("numbers"),
        });
    } else if items.iter().all(|v| matches!(v, Value::Str(_))) {
        out.sort_by(|a, b| match (a, b) {
            (Value::Str(x), Value::Str(y)) => x.cmp(y),
            _ => unreachable!("strings"),
        });
    } else {
        return Err(LangError::type_error("sort takes a list of numbers or a list of strings", span));
    }
    Ok(Value::List(Rc::new(out)))
}

fn sort(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    if let Value::List(items) = args.get(0).0 {
        return sort_list(items, args.get(0).1.to(span));
    }
    scan(&args, lane_axis(&args)?, lanes::sorted)
}

fn argsort(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    scan(&args, lane_axis(&args)?, lanes::argsort)
}

fn cumsum(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    scan(&args, axis_of(args.keyword("axis"))?, lanes::cumsum)
}

fn cumprod(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    scan(&args, axis_of(args.keyword("axis"))?, lanes::cumprod)
}

fn prod(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, args.keyword("axis"), |xs| xs.iter().product())
}

/// `any`/`all`: a bool of all entries, or a logical row or column along an axis.
fn truth_of(args: &Args, f: fn(&[f64]) -> bool) -> Result<Value> {
    let out = reduce(args, args.keyword("axis"), |xs| f64::from(u8::from(f(xs))))?;
    Ok(match out {
        Value::Number(x) => Value::Bool(x != 0.0),
        Value::Matrix(m) => Value::Logical(m),
        other => other,
    })
}

fn any(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    truth_of(&args, |xs| xs.iter().any(|&x| x != 0.0))
}

fn all(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    truth_of(&args, |xs| xs.iter().all(|&x| x != 0.0))
}

/// `argmax`/`argmin`: the flat row-major position without an axis, else per lane.
fn position_of(args: &Args, name: &str, f: fn(&[f64]) -> Option<usize>, span: Span) -> Result<Value> {
    let m = args.matrix(0)?;
    let axis = axis_of(args.keyword("axis"))?;
    let empty = match axis {
        Axis::All => m.is_empty(),
        Axis::Columns => m.rows() == 0 && m.cols() > 0,
        Axis::Rows => m.cols() == 0 && m.rows() > 0,
    };
    if empty {
        return Err(LangError::argument(format!("{name} of an empty {} matrix has no position", m.shape()), span));
    }
    reduce(args, args.keyword("axis"), |xs| f(xs).map_or(f64::NAN, |k| k as f64))
}

fn argmax(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    position_of(&args, "argmax", lanes::argmax, span)
}

fn argmin(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    position_of(&args, "argmin", lanes::argmin, span)
}

fn var(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let ddof = args.keyword_number("ddof", 0.0)?;
    reduce(&args, args.keyword("axis"), |xs| lanes::var(xs, ddof))
}

fn std(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let ddof = args.keyword_number("ddof", 0.0)?;
    reduce(&args, args.keyword("axis"), |xs| lanes::var(xs, ddof).sqrt())
}

/// Values listed from a matrix: a row for a row vector, else a column (MATLAB's `find`).
fn listed(m: &Matrix, values: Vec<f64>) -> Value {
    Value::matrix(if m.rows() == 1 { Matrix::row(&values) } else { Matrix::col(&values) })
}

fn find(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let m = args.matrix(0)?;
    let at = m.to_row_major().iter().enumerate().filter(|(_, &x)| x != 0.0).map(|(k, _)| k as f64).collect();
    Ok(listed(&m, at))
}

fn unique(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let m = args.matrix(0)?;
    Ok(listed(&m, lanes::unique(&m.to_row_major())))
}

fn numel(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(args.matrix(0)?.len() as f64))
}

fn count(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    reduce(&args, args.keyword("axis"), |xs| xs.iter().filter(|&&x| x != 0.0).count() as f64)
}

/// Each with the lane rule of its summary; `axis=0` is down each column, `axis=1` along each row.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "sort",
        signature: "sort(A, axis=)",
        summary: "the entries in ascending order: a vector's entries, each row of a matrix, or along axis; a list of numbers or strings",
        help: "Stable, nan last (np.sort; a matrix sorts each row as numpy's default axis=-1, MATLAB sorts each column: \
               axis=0). argsort gives the positions. O(n log n).",
        example: "(sort([3, nan, 1, 2]), sort([3, 1; 2, 4], axis=0), sort(list(\"b\", \"a\")))",
        shows: "([1, 2, 3, nan], [2, 1; 3, 4], list(\"a\", \"b\"))",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: sort,
        device: Device::Cpu,
    },
    Builtin {
        name: "argsort",
        signature: "argsort(A, axis=)",
        summary: "the 0-based positions that sort A (as sort chooses its lanes)",
        help: "Stable: ties keep their order (np.argsort(kind=\"stable\")); nan last. A[argsort(A)] = sort(A) for a vector. O(n log n).",
        example: "argsort([3, 1, 2, 1])",
        shows: "1×4 matrix:\n 1  3  2  0",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: argsort,
        device: Device::Cpu,
    },
    Builtin {
        name: "cumsum",
        signature: "cumsum(A, axis=)",
        summary: "running sums: of all entries in row-major order, or along axis",
        help: "sₖ = a₀ + … + aₖ (np.cumsum). Without axis a vector keeps its shape and a matrix gives a column \
               (numpy's flattened result); the last entry is sum(A). O(mn).",
        example: "(cumsum([1, 2, 3]), cumsum([1, 2; 3, 4], axis=0))",
        shows: "([1, 3, 6], [1, 2; 4, 6])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: cumsum,
        device: Device::Cpu,
    },
    Builtin {
        name: "cumprod",
        signature: "cumprod(A, axis=)",
        summary: "running products: of all entries in row-major order, or along axis",
        help: "pₖ = a₀ ⋯ aₖ (np.cumprod), laid out as cumsum. O(mn).",
        example: "cumprod([1, 2, 3, 4])",
        shows: "1×4 matrix:\n 1  2  6  24",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: cumprod,
        device: Device::Cpu,
    },
    Builtin {
        name: "prod",
        signature: "prod(A, axis=)",
        summary: "the product of all entries, or along an axis",
        help: "Π aᵢⱼ (np.prod; 1 for no entries). O(mn).",
        example: "(prod([1, 2, 3, 4]), prod([1, 2; 3, 4], axis=0))",
        shows: "(24, [3, 8])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: prod,
        device: Device::Cpu,
    },
    Builtin {
        name: "any",
        signature: "any(A, axis=)",
        summary: "whether any entry is non-zero (a bool), or along an axis (a logical matrix)",
        help: "np.any: nan counts as true; false for no entries. O(mn).",
        example: "(any([0, 0, 1]), any([0, 1; 0, 0], axis=1))",
        shows: "(true, [1; 0])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: any,
        device: Device::Cpu,
    },
    Builtin {
        name: "all",
        signature: "all(A, axis=)",
        summary: "whether every entry is non-zero (a bool), or along an axis (a logical matrix)",
        help: "np.all: nan counts as true; true for no entries. O(mn).",
        example: "(all([1, 2, 3] > 0), all([1, 0; 1, 1], axis=0))",
        shows: "(true, [1, 0])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: all,
        device: Device::Cpu,
    },
    Builtin {
        name: "argmax",
        signature: "argmax(A, axis=)",
        summary: "the 0-based position of the largest entry (row-major over all entries), or along an axis",
        help: "The first of ties; the first nan if there is one (np.argmax). An error for no entries. O(mn).",
        example: "(argmax([1, 5; 7, 2]), argmax([1, 5; 7, 2], axis=1))",
        shows: "(2, [1; 0])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: argmax,
        device: Device::Cpu,
    },
    Builtin {
        name: "argmin",
        signature: "argmin(A, axis=)",
        summary: "the 0-based position of the smallest entry (row-major over all entries), or along an axis",
        help: "The first of ties; the first nan if there is one (np.argmin). An error for no entries. O(mn).",
        example: "(argmin([4, 1, 1]), argmin([1, 5; 7, 2], axis=0))",
        shows: "(1, [0, 1])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: argmin,
        device: Device::Cpu,
    },
    Builtin {
        name: "std",
        signature: "std(A, ddof=0, axis=)",
        summary: "the standard deviation of all entries, or along an axis",
        help: "√(Σ (aᵢ − ā)² / (n − ddof)); ddof=0 is numpy's default (MATLAB's std is ddof=1); nan when n ≤ ddof. O(mn).",
        example: "(std([1, 2, 3, 4]), std([1, 2, 3, 4], ddof=1))",
        shows: "(1.118033988749895, 1.2909944487358056)",
        arity: (1, Some(1)),
        keywords: &["ddof", "axis"],
        run: std,
        device: Device::Cpu,
    },
    Builtin {
        name: "var",
        signature: "var(A, ddof=0, axis=)",
        summary: "the variance of all entries, or along an axis",
        help: "Σ (aᵢ − ā)² / (n − ddof) (np.var; MATLAB's var is ddof=1); nan when n ≤ ddof. O(mn).",
        example: "var([1, 2; 3, 4], axis=0)",
        shows: "1×2 matrix:\n 1  1",
        arity: (1, Some(1)),
        keywords: &["ddof", "axis"],
        run: var,
        device: Device::Cpu,
    },
    Builtin {
        name: "find",
        signature: "find(A)",
        summary: "the 0-based row-major positions of the non-zero entries",
        help: "np.flatnonzero (nan is non-zero): positions count row by row, numpy's order, where MATLAB's find counts down the columns. The result is a row for a row vector, else a column. A[find(M)] = A[M] for a vector.",
        example: "find([0, 3, 0, -1])",
        shows: "1×2 matrix:\n 1  3",
        arity: (1, Some(1)),
        keywords: &[],
        run: find,
        device: Device::Cpu,
    },
    Builtin {
        name: "unique",
        signature: "unique(A)",
        summary: "the distinct entries in ascending order",
        help: "np.unique: one nan, last; a row for a row vector, else a column. O(n log n).",
        example: "unique([3, 1, 3, nan, 1])",
        shows: "1×3 matrix:\n 1  3  nan",
        arity: (1, Some(1)),
        keywords: &[],
        run: unique,
        device: Device::Cpu,
    },
    Builtin {
        name: "numel",
        signature: "numel(A)",
        summary: "the number of entries, rows × cols",
        help: "MATLAB's numel, numpy's A.size.",
        example: "numel(zeros(3, 4))",
        shows: "12",
        arity: (1, Some(1)),
        keywords: &[],
        run: numel,
        device: Device::Cpu,
    },
    Builtin {
        name: "count",
        signature: "count(A, axis=)",
        summary: "the number of non-zero entries, or along an axis",
        help: "np.count_nonzero (nan is non-zero); count(A > 0) counts the positive entries.",
        example: "(count([0, 2; 0, 5] > 1), count([0, 2; 0, 5], axis=0))",
        shows: "(2, [0, 2])",
        arity: (1, Some(1)),
        keywords: &["axis"],
        run: count,
        device: Device::Cpu,
    },
];
