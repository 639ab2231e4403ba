//! Matrices made from other matrices, products of vectors, and random
//! integers: `zeros_like`, `ones_like`, `repeat`, `triu`, `tril`, `outer`,
//! `dot`, `cross`, `where`, `arange`, `randi`, `randperm`, `shuffle`.

use super::elementwise::scalar_of;
use super::{check_allocation, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::ops::{integer, stepped_range, to_matrix, truth};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::Matrix;

fn zeros_like(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let m = args.matrix(0)?;
    Ok(Value::matrix(Matrix::zeros(m.rows(), m.cols())))
}

fn ones_like(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let m = args.matrix(0)?;
    Ok(Value::matrix(Matrix::ones(m.rows(), m.cols())))
}

fn repeat(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let a = args.matrix(0)?;
    let (m, n) = (args.size(1)?, args.size(2)?);
    Ok(Value::matrix(a.tile(m, n).map_err(|e| LangError::from(e).at(span))?))
}

/// The diagonal `k=` of `triu`/`tril` (0 when not given).
fn diagonal(args: &Args) -> Result<i64> {
    args.keyword("k").map_or(Ok(0), |(v, s)| integer(v, "k").map_err(|e| e.at(s)))
}

fn triu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(args.matrix(0)?.triu(diagonal(&args)?)))
}

fn tril(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(args.matrix(0)?.tril(diagonal(&args)?)))
}

/// The entries of vector argument `i`.
fn entries(args: &Args, i: usize, name: &'static str) -> Result<Vec<f64>> {
    let span = args.get(i).1;
    args.matrix(i)?.vector_values(name).map_err(|e| LangError::from(e).at(span))
}

fn outer(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (u, v) = (entries(&args, 0, "outer")?, entries(&args, 1, "outer")?);
    check_allocation(u.len(), v.len(), span)?;
    Ok(Value::matrix(Matrix::from_fn(u.len(), v.len(), |i, j| u[i] * v[j])))
}

fn dot(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (u, v) = (entries(&args, 0, "dot")?, entries(&args, 1, "dot")?);
    if u.len() != v.len() {
        return Err(LangError::argument(format!("dot of vectors of {} and {} entries", u.len(), v.len()), span));
    }
    Ok(Value::Number(u.iter().zip(&v).map(|(a, b)| a * b).sum()))
}

fn cross(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (u, v) = (entries(&args, 0, "cross")?, entries(&args, 1, "cross")?);
    let ([a1, a2, a3], [b1, b2, b3]) = (&u[..], &v[..]) else {
        return Err(LangError::argument(
            format!("cross takes two 3-vectors, got {} and {} entries", u.len(), v.len()),
            span,
        ));
    };
    let w = [a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1];
    let shape = args.matrix(0)?.shape();
    Ok(Value::matrix(if shape.0 == 1 { Matrix::row(&w) } else { Matrix::col(&w) }))
}

/// `where(C, X, Y)`: X where C is non-zero, else Y, broadcast as `.*`.
fn where_(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (c, x, y) = (args.get(0).0, args.get(1).0, args.get(2).0);
    if let (Some(_), Some(a), Some(b)) = (scalar_of(c), scalar_of(x), scalar_of(y)) {
        return Ok(Value::Number(if truth(c)? { a } else { b }));
    }
    let (c, x, y) = (args.matrix(0)?, args.matrix(1)?, args.matrix(2)?);
    // numpy's broadcasting of three: each extent equal, or 1.
    let extent = |ds: [usize; 3]| {
        let mut big = ds.into_iter().filter(|&d| d != 1);
        let first = big.next().unwrap_or(1);
        big.all(|d| d == first).then_some(first)
    };
    let (Some(m), Some(n)) = (extent([c.rows(), x.rows(), y.rows()]), extent([c.cols(), x.cols(), y.cols()])) else {
        let shapes = format!("{}, {} and {}", c.shape(), x.shape(), y.shape());
        return Err(LangError::argument(format!("where: shapes {shapes} do not broadcast"), span));
    };
    check_allocation(m, n, span)?;
    let pick =
        |z: &Matrix, i: usize, j: usize| z[(if z.rows() == 1 { 0 } else { i }, if z.cols() == 1 { 0 } else { j })];
    Ok(Value::matrix(Matrix::from_fn(m, n, |i, j| if pick(&c, i, j) != 0.0 { pick(&x, i, j) } else { pick(&y, i, j) })))
}

fn arange(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (a, b) = match args.opt(1) {
        Some(_) => (args.number(0)?, args.number(1)?),
        None => (0.0, args.number(0)?),
    };
    let step = args.keyword_number("step", 1.0)?;
    let v = stepped_range(a, step, b).map_err(|e| e.at(span))?;
    Ok(Value::matrix((*to_matrix(&v).expect("a range is a matrix")).clone()))
}

fn randi(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let n = args.size(0)?;
    if n == 0 {
        return Err(LangError::argument("randi(n, ...) needs n ≥ 1", span));
    }
    let (rows, cols) = match (args.opt(1), args.opt(2)) {
        (None, _) => return Ok(Value::Number(ctx.state().rng.below(n as u64) as f64)),
        (Some(_), None) => (args.size(1)?, args.size(1)?),
        (Some(_), Some(_)) => (args.size(1)?, args.size(2)?),
    };
    check_allocation(rows, cols, span)?;
    let rng = &mut ctx.state().rng;
    let draws: Vec<f64> = (0..rows * cols).map(|_| rng.below(n as u64) as f64).collect();
    Ok(Value::matrix(Matrix::from_row_major(rows, cols, &draws)?))
}

fn randperm(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let n = args.size(0)?;
    check_allocation(n, 1, span)?;
    let p: Vec<f64> = ctx.state().rng.permutation(n).into_iter().map(|k| k as f64).collect();
    Ok(Value::matrix(Matrix::col(&p)))
}

/// `shuffle(xs)`: a list's items, a vector's entries or a matrix's rows in a random order.
fn shuffle(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (v, vspan) = args.get(0);
    if let Value::List(items) = v {
        let p = ctx.state().rng.permutation(items.len());
        return Ok(Value::List(Rc::new(p.into_iter().map(|k| items[k].clone()).collect())));
    }
    let m = super::as_matrix(v, vspan)?;
    let all = |n: usize| (0..n).collect::<Vec<_>>();
    let out = if m.rows() == 1 {
        m.select(&[0], &ctx.state().rng.permutation(m.cols()))
    } else {
        m.select(&ctx.state().rng.permutation(m.rows()), &all(m.cols()))
    };
    Ok(Value::matrix(out.map_err(|e| LangError::from(e).at(span))?))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "zeros_like",
        signature: "zeros_like(A)",
        summary: "zeros of A's shape",
        help: "np.zeros_like; zeros(rows(A), cols(A)).",
        example: "zeros_like([1, 2, 3])",
        shows: "1×3 matrix:\n 0  0  0",
        arity: (1, Some(1)),
        keywords: &[],
        run: zeros_like,
        device: Device::Cpu,
    },
    Builtin {
        name: "ones_like",
        signature: "ones_like(A)",
        summary: "ones of A's shape",
        help: "np.ones_like; ones(rows(A), cols(A)).",
        example: "ones_like(zeros(2, 2))",
        shows: "2×2 matrix:\n 1  1\n 1  1",
        arity: (1, Some(1)),
        keywords: &[],
        run: ones_like,
        device: Device::Cpu,
    },
    Builtin {
        name: "repeat",
        signature: "repeat(A, m, n)",
        summary: "A tiled m times down and n times across",
        help: "np.tile(A, (m, n)), MATLAB's repmat(A, m, n). O(mn·numel(A)).",
        example: "repeat([1, 2], 2, 2)",
        shows: "2×4 matrix:\n 1  2  1  2\n 1  2  1  2",
        arity: (3, Some(3)),
        keywords: &[],
        run: repeat,
        device: Device::Cpu,
    },
    Builtin {
        name: "triu",
        signature: "triu(A, k=0)",
        summary: "the upper triangle of A from diagonal k (k > 0 above the main one), zeros below",
        help: "aᵢⱼ where j − i ≥ k, else 0 (np.triu, MATLAB's triu); any shape.",
        example: "triu([1, 2, 3; 4, 5, 6; 7, 8, 9], k=1)",
        shows: "3×3 matrix:\n 0  2  3\n 0  0  6\n 0  0  0",
        arity: (1, Some(1)),
        keywords: &["k"],
        run: triu,
        device: Device::Cpu,
    },
    Builtin {
        name: "tril",
        signature: "tril(A, k=0)",
        summary: "the lower triangle of A to diagonal k (k < 0 below the main one), zeros above",
        help: "aᵢⱼ where j − i ≤ k, else 0 (np.tril, MATLAB's tril); any shape.",
        example: "tril([1, 2, 3; 4, 5, 6; 7, 8, 9])",
        shows: "3×3 matrix:\n 1  0  0\n 4  5  0\n 7  8  9",
        arity: (1, Some(1)),
        keywords: &["k"],
        run: tril,
        device: Device::Cpu,
    },
    Builtin {
        name: "outer",
        signature: "outer(u, v)",
        summary: "the outer product u vᵀ of two vectors, m×n",
        help: "(u vᵀ)ᵢⱼ = uᵢ vⱼ for vectors of any orientation (np.outer). O(mn).",
        example: "outer([1, 2], [1, 10, 100])",
        shows: "2×3 matrix:\n 1  10  100\n 2  20  200",
        arity: (2, Some(2)),
        keywords: &[],
        run: outer,
        device: Device::Cpu,
    },
    Builtin {
        name: "dot",
        signature: "dot(u, v)",
        summary: "the inner product Σ uᵢ vᵢ of two vectors of equal length, a number",
        help: "For vectors of any orientation (np.dot of 1-d arrays, MATLAB's dot). O(n).",
        example: "dot([1, 2, 3], [4; 5; 6])",
        shows: "32",
        arity: (2, Some(2)),
        keywords: &[],
        run: dot,
        device: Device::Cpu,
    },
    Builtin {
        name: "cross",
        signature: "cross(u, v)",
        summary: "the cross product u × v of two 3-vectors, oriented as u",
        help: "(u₂v₃ − u₃v₂, u₃v₁ − u₁v₃, u₁v₂ − u₂v₁) (np.cross).",
        example: "cross([1, 0, 0], [0, 1, 0])",
        shows: "1×3 matrix:\n 0  0  1",
        arity: (2, Some(2)),
        keywords: &[],
        run: cross,
        device: Device::Cpu,
    },
    Builtin {
        name: "where",
        signature: "where(C, X, Y)",
        summary: "entry by entry, X where C is true (non-zero) and Y elsewhere",
        help: "np.where(C, X, Y): C, X and Y broadcast as .* does (numbers stretch); three numbers give a number.",
        example: "where([1, -2, 3] > 0, [1, -2, 3], 0)",
        shows: "1×3 matrix:\n 1  0  3",
        arity: (3, Some(3)),
        keywords: &[],
        run: where_,
        device: Device::Cpu,
    },
    Builtin {
        name: "arange",
        signature: "arange(a, b, step=1)",
        summary: "a, a + step, … up to b (exclusive), as a 1×n row; arange(n) is 0 … n−1",
        help: "np.arange: ⌈(b − a)/step⌉ values a + k·step; the range a:step:b as a matrix.",
        example: "arange(0, 1, step=0.25)",
        shows: "1×4 matrix:\n 0.0  0.25  0.5  0.75",
        arity: (1, Some(2)),
        keywords: &["step"],
        run: arange,
        device: Device::Placed,
    },
    Builtin {
        name: "randi",
        signature: "randi(n, rows, cols)",
        summary: "random integers 0 … n−1, uniform, rows×cols (randi(n) is one number, randi(n, m) is m×m)",
        help: "Drawn by rejection from the session's stream (seed(k) repeats them), row by row; \
               numpy's integers(0, n, size), MATLAB's randi(n) − 1.",
        example: "numel(randi(10, 2, 3))",
        shows: "6",
        arity: (1, Some(3)),
        keywords: &[],
        run: randi,
        device: Device::Cpu,
    },
    Builtin {
        name: "randperm",
        signature: "randperm(n)",
        summary: "a random permutation of 0 … n−1, as an n×1 column",
        help: "Fisher–Yates on the session's stream (numpy's permutation(n), MATLAB's randperm(n) − 1). O(n).",
        example: "sort(randperm(4))",
        shows: "4×1 matrix:\n 0\n 1\n 2\n 3",
        arity: (1, Some(1)),
        keywords: &[],
        run: randperm,
        device: Device::Cpu,
    },
    Builtin {
        name: "shuffle",
        signature: "shuffle(xs)",
        summary: "a list's items, a row's entries, or a matrix's rows in a random order",
        help: "A random permutation (randperm) applied along the first axis, as numpy's shuffle; the argument is unchanged.",
        example: "sort(shuffle([3, 1, 2]))",
        shows: "1×3 matrix:\n 1  2  3",
        arity: (1, Some(1)),
        keywords: &[],
        run: shuffle,
        device: Device::Cpu,
    },
];
