//! Construction and shape: `zeros`, `ones`, `eye`, `rand`, `randn`, `seed`,
//! `linspace`, `diagm`, `diag`, `reshape`, `hcat`, `vcat`, `size`, `rows`,
//! `cols`, `list`.

use super::{as_matrix, check_allocation, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::{Matrix, Rng};

/// `(m, n)` from `f(m, n)` or `f(n)` (square).
fn dims(args: &Args, span: Span) -> Result<(usize, usize)> {
    let m = args.size(0)?;
    let n = if args.opt(1).is_some() { args.size(1)? } else { m };
    check_allocation(m, n, span)?;
    Ok((m, n))
}

fn zeros(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (m, n) = dims(&args, span)?;
    Ok(Value::matrix(Matrix::zeros(m, n)))
}

fn ones(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (m, n) = dims(&args, span)?;
    Ok(Value::matrix(Matrix::ones(m, n)))
}

fn eye(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (m, n) = dims(&args, span)?;
    Ok(Value::matrix(Matrix::from_fn(m, n, |i, j| if i == j { 1.0 } else { 0.0 })))
}

fn rand(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (m, n) = dims(&args, span)?;
    Ok(Value::matrix(ctx.state().rng.rand(m, n)))
}

fn randn(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (m, n) = dims(&args, span)?;
    Ok(Value::matrix(ctx.state().rng.randn(m, n)))
}

fn seed(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let k = args.size(0)?;
    ctx.state().rng = Rng::seeded(k as u64);
    Ok(Value::None)
}

fn linspace(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let n = args.size(2)?;
    check_allocation(n, 1, span)?;
    Ok(Value::matrix(Matrix::linspace(args.number(0)?, args.number(1)?, n)))
}

fn diagm(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(Matrix::diagm(&*args.matrix(0)?)?))
}

fn diag(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(args.matrix(0)?.diag()))
}

fn reshape(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(args.matrix(0)?.reshape(args.size(1)?, args.size(2)?)?))
}

fn concatenate(args: &Args, join: fn(&[&Matrix]) -> tessera::Result<Matrix>) -> Result<Value> {
    let parts = args.positional().map(|(v, s)| as_matrix(v, s)).collect::<Result<Vec<_>>>()?;
    let refs: Vec<&Matrix> = parts.iter().map(|m| &**m).collect();
    Ok(Value::matrix(join(&refs)?))
}

fn hcat(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    concatenate(&args, Matrix::hcat)
}

fn vcat(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    concatenate(&args, Matrix::vcat)
}

/// `(rows, cols)` of a matrix or an operator.
fn shape_of(args: &Args) -> Result<(usize, usize)> {
    let (v, span) = args.get(0);
    Ok(match v {
        Value::Operator(op) => (op.shape().0, op.shape().1),
        Value::Gpu(g) => (g.rows(), g.cols()),
        Value::GpuOperator(o) => (o.1.shape().0, o.1.shape().1),
        // A range is a row vector, measured without forming it.
        Value::Range(a, b) => (1, b.saturating_sub(*a).max(0) as usize),
        other => {
            let m = as_matrix(other, span)?;
            (m.rows(), m.cols())
        }
    })
}

fn size(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (m, n) = shape_of(&args)?;
    Ok(Value::tuple(vec![Value::Number(m as f64), Value::Number(n as f64)]))
}

fn rows(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(shape_of(&args)?.0 as f64))
}

fn cols(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(shape_of(&args)?.1 as f64))
}

fn list(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::List(Rc::new(args.positional().map(|(v, _)| v.clone()).collect())))
}

fn push(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (first, span) = args.get(0);
    let Value::List(items) = first else {
        return Err(LangError::type_error(format!("push appends to a list, got {}", first.a_kind()), span)
            .with_hint("start from an empty list: xs = list()"));
    };
    let mut out = Vec::with_capacity(items.len() + args.positional().count() - 1);
    out.extend(items.iter().cloned());
    out.extend(args.positional().skip(1).map(|(v, _)| v.clone()));
    Ok(Value::List(Rc::new(out)))
}

fn len(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let n = match args.get(0) {
        (Value::List(items) | Value::Tuple(items), _) => items.len(),
        (Value::Str(s), _) => s.chars().count(),
        (Value::Record(r), _) => r.fields.len(),
        (Value::Gpu(g), _) => g.len(),
        (Value::Range(a, b), _) => b.saturating_sub(*a).max(0) as usize,
        (v, span) => as_matrix(v, span)?.len(),
    };
    Ok(Value::Number(n as f64))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "zeros",
        signature: "zeros(m, n)",
        summary: "the m×n matrix of zeros (zeros(n) is n×n)",
        help: "Aᵢⱼ = 0.",
        example: "zeros(2, 3)",
        shows: "2×3 matrix:\n 0  0  0\n 0  0  0",
        arity: (1, Some(2)),
        keywords: &[],
        run: zeros,
        device: Device::Placed,
    },
    Builtin {
        name: "ones",
        signature: "ones(m, n)",
        summary: "the m×n matrix of ones (ones(n) is n×n)",
        help: "Aᵢⱼ = 1.",
        example: "ones(2, 2)",
        shows: "2×2 matrix:\n 1  1\n 1  1",
        arity: (1, Some(2)),
        keywords: &[],
        run: ones,
        device: Device::Placed,
    },
    Builtin {
        name: "eye",
        signature: "eye(n)",
        summary: "the n×n identity (eye(m, n) is m×n with ones on the diagonal)",
        help: "Iᵢⱼ = 1 if i = j else 0.",
        example: "eye(3)",
        shows: "3×3 matrix:\n 1  0  0\n 0  1  0\n 0  0  1",
        arity: (1, Some(2)),
        keywords: &[],
        run: eye,
        device: Device::Placed,
    },
    Builtin {
        name: "rand",
        signature: "rand(m, n)",
        summary: "uniform random numbers in [0, 1), m×n",
        help: "ChaCha8 stream of the session (see seed); each number is the top 53 bits of a u64 times 2⁻⁵³. \
               Filled row by row, so rand(2, 3) holds the numbers of rand(1, 6).",
        example: "seed(1); rand(2, 2)",
        shows: "2×2 matrix:\n 0.402486  0.080384\n 0.59656   0.219325",
        arity: (1, Some(2)),
        keywords: &[],
        run: rand,
        device: Device::Placed,
    },
    Builtin {
        name: "randn",
        signature: "randn(m, n)",
        summary: "standard normal random numbers, m×n",
        help: "Ziggurat sampling (rand_distr's StandardNormal) on the session's ChaCha8 stream; row by row.",
        example: "seed(1); randn(2, 2)",
        shows: "2×2 matrix:\n -0.23485  -1.41082\n  0.33303  -1.12677",
        arity: (1, Some(2)),
        keywords: &[],
        run: randn,
        device: Device::Placed,
    },
    Builtin {
        name: "seed",
        signature: "seed(k)",
        summary: "restarts the random stream from seed k (same seed, same numbers, on every platform)",
        help: "ChaCha8Rng::seed_from_u64(k).",
        example: "seed(42); a = rand(1, 3); seed(42); a == rand(1, 3)",
        shows: "1×3 logical:\n 1  1  1",
        arity: (1, Some(1)),
        keywords: &[],
        run: seed,
        device: Device::Cpu,
    },
    Builtin {
        name: "linspace",
        signature: "linspace(a, b, n)",
        summary: "n evenly spaced points from a to b inclusive, as an n×1 column",
        help: "xₖ = a + k (b − a)/(n − 1), k = 0 … n−1; the last point is exactly b (numpy's linspace).",
        example: "linspace(0, 1, 5)",
        shows: "5×1 matrix:\n 0.0\n 0.25\n 0.5\n 0.75\n 1.0",
        arity: (3, Some(3)),
        keywords: &[],
        run: linspace,
        device: Device::Placed,
    },
    Builtin {
        name: "diagm",
        signature: "diagm(v)",
        summary: "the square matrix with the vector v on its diagonal",
        help: "Dᵢᵢ = vᵢ, zero elsewhere.",
        example: "diagm([1, 2, 3])",
        shows: "3×3 matrix:\n 1  0  0\n 0  2  0\n 0  0  3",
        arity: (1, Some(1)),
        keywords: &[],
        run: diagm,
        device: Device::Placed,
    },
    Builtin {
        name: "diag",
        signature: "diag(A)",
        summary: "the diagonal of A as a column",
        help: "dᵢ = Aᵢᵢ, i < min(m, n).",
        example: "diag([1, 2; 3, 4])",
        shows: "2×1 matrix:\n 1\n 4",
        arity: (1, Some(1)),
        keywords: &[],
        run: diag,
        device: Device::Cpu,
    },
    Builtin {
        name: "reshape",
        signature: "reshape(A, m, n)",
        summary: "the entries of A, read row by row, as an m×n matrix (numpy's C order)",
        help: "Needs m·n = the number of entries of A.",
        example: "reshape(1:7, 2, 3)",
        shows: "2×3 matrix:\n 1  2  3\n 4  5  6",
        arity: (3, Some(3)),
        keywords: &[],
        run: reshape,
        device: Device::Cpu,
    },
    Builtin {
        name: "hcat",
        signature: "hcat(A, B, ...)",
        summary: "side-by-side concatenation [A, B, ...]",
        help: "All parts need the same number of rows.",
        example: "hcat([1; 2], [3; 4])",
        shows: "2×2 matrix:\n 1  3\n 2  4",
        arity: (1, None),
        keywords: &[],
        run: hcat,
        device: Device::Cpu,
    },
    Builtin {
        name: "vcat",
        signature: "vcat(A, B, ...)",
        summary: "stacked concatenation [A; B; ...]",
        help: "All parts need the same number of columns.",
        example: "vcat([1, 2], [3, 4])",
        shows: "2×2 matrix:\n 1  2\n 3  4",
        arity: (1, None),
        keywords: &[],
        run: vcat,
        device: Device::Cpu,
    },
    Builtin {
        name: "size",
        signature: "size(A)",
        summary: "the tuple (rows, cols) of a matrix or an operator",
        help: "(m, n) for an m×n matrix.",
        example: "(m, n) = size(zeros(2, 3)); m + n",
        shows: "5",
        arity: (1, Some(1)),
        keywords: &[],
        run: size,
        device: Device::Any,
    },
    Builtin {
        name: "rows",
        signature: "rows(A)",
        summary: "the number of rows",
        help: "m for an m×n matrix.",
        example: "rows(zeros(2, 3))",
        shows: "2",
        arity: (1, Some(1)),
        keywords: &[],
        run: rows,
        device: Device::Any,
    },
    Builtin {
        name: "cols",
        signature: "cols(A)",
        summary: "the number of columns",
        help: "n for an m×n matrix.",
        example: "cols(zeros(2, 3))",
        shows: "3",
        arity: (1, Some(1)),
        keywords: &[],
        run: cols,
        device: Device::Any,
    },
    Builtin {
        name: "list",
        signature: "list(x, y, ...)",
        summary: "a list of any values",
        help: "Indexed from 0 like matrices: list(1, \"a\")[1] is \"a\".",
        example: "xs = list(1, [1, 2], \"three\"); xs[1]",
        shows: "1×2 matrix:\n 1  2",
        arity: (0, None),
        keywords: &[],
        run: list,
        device: Device::Any,
    },
    Builtin {
        name: "push",
        signature: "push(list, x, ...)",
        summary: "the list with x (and any further values) appended; the list itself is unchanged",
        help: "Values are immutable, so grow a list by rebinding it: xs = push(xs, x). O(n) per call.",
        example: "xs = list(); for i in 0:3 { xs = push(xs, i^2) }; xs",
        shows: "list(0, 1, 4)",
        arity: (1, None),
        keywords: &[],
        run: push,
        device: Device::Any,
    },
    Builtin {
        name: "len",
        signature: "len(x)",
        summary: "the number of items of a list, tuple or record, characters of a string, or entries of a matrix",
        help: "As Python's len for collections; for a matrix m·n (numpy's size).",
        example: "(len(list(1, 2, 3)), len(\"héllo\"), len(ones(2, 3)))",
        shows: "(3, 5, 6)",
        arity: (1, Some(1)),
        keywords: &[],
        run: len,
        device: Device::Any,
    },
];
