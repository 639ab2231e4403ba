//! Lists and records as collections: `map`, `filter`, `reduce`, `reverse`,
//! `enumerate`, `zip`, `concat`, `keys`, `values`, `haskey`. A collection
//! is walked as `for` walks it ([`crate::ops::items`]): a list's or tuple's
//! items, a vector's entries, a matrix's rows, a record's `(name, value)`
//! pairs.

use super::{Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::ops::items;
use crate::span::Span;
use crate::value::{Record, Value};
use std::rc::Rc;
use tessera::Matrix;

/// The items of positional argument `i`.
fn walk(args: &Args, i: usize) -> Result<Vec<Value>> {
    let (v, span) = args.get(i);
    items(v).map_err(|e| e.at(span))
}

/// `f(args…)` through the evaluator.
fn call(ctx: &mut dyn Ctx, f: &Value, values: Vec<Value>, span: Span) -> Result<Value> {
    let mut args = Args::default();
    for v in values {
        args.push(None, v, span);
    }
    ctx.call(f.clone(), args, span)
}

fn list(values: Vec<Value>) -> Value {
    Value::List(Rc::new(values))
}

fn map(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let f = args.get(0).0;
    let out = walk(&args, 1)?.into_iter().map(|x| call(ctx, f, vec![x], span)).collect::<Result<Vec<_>>>()?;
    Ok(list(out))
}

fn filter(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let f = args.get(0).0;
    let mut kept = Vec::new();
    for x in walk(&args, 1)? {
        let verdict = call(ctx, f, vec![x.clone()], span)?;
        if crate::ops::truth(&verdict).map_err(|e| e.at(span))? {
            kept.push(x);
        }
    }
    Ok(list(kept))
}

fn reduce(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let f = args.get(0).0;
    let mut acc = args.get(2).0.clone();
    for x in walk(&args, 1)? {
        acc = call(ctx, f, vec![acc, x], span)?;
    }
    Ok(acc)
}

fn reverse(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (v, span) = args.get(0);
    let backwards = |xs: &[Value]| xs.iter().rev().cloned().collect::<Vec<_>>();
    Ok(match v {
        Value::List(xs) => list(backwards(xs)),
        Value::Tuple(xs) => Value::tuple(backwards(xs)),
        Value::Str(s) => Value::str(&s.chars().rev().collect::<String>()),
        other => {
            let m = super::as_matrix(other, span)?;
            let (r, c) = (m.rows(), m.cols());
            let flipped = if r == 1 {
                Matrix::from_fn(1, c, |_, j| m[(0, c - 1 - j)])
            } else {
                Matrix::from_fn(r, c, |i, j| m[(r - 1 - i, j)])
            };
            if matches!(other, Value::Logical(_)) {
                Value::logical(flipped)
            } else {
                Value::matrix(flipped)
            }
        }
    })
}

fn enumerate(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let pairs = walk(&args, 0)?.into_iter().enumerate().map(|(k, x)| Value::tuple(vec![Value::Number(k as f64), x]));
    Ok(list(pairs.collect()))
}

fn zip(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let walked = (0..args.positional().count()).map(|i| walk(&args, i)).collect::<Result<Vec<_>>>()?;
    let n = walked.iter().map(Vec::len).min().unwrap_or(0);
    Ok(list((0..n).map(|k| Value::tuple(walked.iter().map(|xs| xs[k].clone()).collect())).collect()))
}

fn concat(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let mut out = Vec::new();
    for (v, span) in args.positional() {
        match v {
            Value::List(xs) | Value::Tuple(xs) => out.extend(xs.iter().cloned()),
            other => {
                return Err(LangError::type_error(format!("concat joins lists, got {}", other.a_kind()), span)
                    .with_hint("hcat and vcat join matrices"))
            }
        }
    }
    Ok(list(out))
}

/// Positional argument `i` as a record.
fn record(args: &Args, i: usize) -> Result<&Record> {
    match args.get(i) {
        (Value::Record(r), _) => Ok(r),
        (other, span) => Err(LangError::type_error(format!("expected a record, got {}", other.a_kind()), span)),
    }
}

fn keys(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(list(record(&args, 0)?.fields.iter().map(|(n, _)| Value::str(n)).collect()))
}

fn values(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(list(record(&args, 0)?.fields.iter().map(|(_, v)| v.clone()).collect()))
}

fn haskey(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let r = record(&args, 0)?;
    match args.get(1) {
        (Value::Str(k), _) => Ok(Value::Bool(r.get(k).is_some())),
        (other, span) => Err(LangError::type_error(format!("a field name is a string, got {}", other.a_kind()), span)),
    }
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "map",
        signature: "map(f, xs)",
        summary: "the list of f(x) for each item x of xs",
        help: "xs is walked as for walks it: a list's items, a vector's entries, a matrix's rows, a record's (name, value) pairs.",
        example: "map(fn (x) = x^2, 1:4)",
        shows: "list(1, 4, 9)",
        arity: (2, Some(2)),
        keywords: &[],
        run: map,
        device: Device::Any,
    },
    Builtin {
        name: "filter",
        signature: "filter(f, xs)",
        summary: "the list of the items x of xs for which f(x) is true",
        help: "xs is walked as for walks it.",
        example: "filter(fn (x) = x % 2 == 0, 0:7)",
        shows: "list(0, 2, 4, 6)",
        arity: (2, Some(2)),
        keywords: &[],
        run: filter,
        device: Device::Any,
    },
    Builtin {
        name: "reduce",
        signature: "reduce(f, xs, init)",
        summary: "f(…f(f(init, x₀), x₁)…, xₙ₋₁): the items of xs folded from the left",
        help: "Python's functools.reduce with an initial value, Julia's foldl.",
        example: "reduce(fn (acc, x) = acc * x, 1:6, 1)",
        shows: "120",
        arity: (3, Some(3)),
        keywords: &[],
        run: reduce,
        device: Device::Any,
    },
    Builtin {
        name: "reverse",
        signature: "reverse(xs)",
        summary: "a list, tuple or string backwards; a vector's entries or a matrix's rows in reverse order",
        help: "Julia's reverse, numpy's flip along the first axis (a row vector along its entries).",
        example: "(reverse(list(1, 2, 3)), reverse([1, 2, 3]), reverse(\"abc\"))",
        shows: "(list(3, 2, 1), [3, 2, 1], \"cba\")",
        arity: (1, Some(1)),
        keywords: &[],
        run: reverse,
        device: Device::Any,
    },
    Builtin {
        name: "enumerate",
        signature: "enumerate(xs)",
        summary: "the list of pairs (i, x), i counting from 0: for (i, x) in enumerate(xs)",
        help: "Python's enumerate; xs is walked as for walks it.",
        example: "enumerate(list(\"a\", \"b\"))",
        shows: "list((0, \"a\"), (1, \"b\"))",
        arity: (1, Some(1)),
        keywords: &[],
        run: enumerate,
        device: Device::Any,
    },
    Builtin {
        name: "zip",
        signature: "zip(xs, ys, ...)",
        summary: "the list of tuples of the k-th items, as long as the shortest: for (a, b) in zip(xs, ys)",
        help: "Python's zip.",
        example: "zip(list(1, 2, 3), list(\"a\", \"b\"))",
        shows: "list((1, \"a\"), (2, \"b\"))",
        arity: (1, None),
        keywords: &[],
        run: zip,
        device: Device::Any,
    },
    Builtin {
        name: "concat",
        signature: "concat(xs, ys, ...)",
        summary: "the items of the lists (or tuples) one after another, as a list; also xs + ys",
        help: "Python's xs + ys, Julia's vcat of vectors; hcat and vcat join matrices.",
        example: "concat(list(1, 2), list(3))",
        shows: "list(1, 2, 3)",
        arity: (1, None),
        keywords: &[],
        run: concat,
        device: Device::Any,
    },
    Builtin {
        name: "keys",
        signature: "keys(r)",
        summary: "a record's field names, in order, as a list of strings",
        help: "Python's list(d.keys()), Julia's keys; r[k] reads the field named k.",
        example: "keys((a = 1, b = 2))",
        shows: "list(\"a\", \"b\")",
        arity: (1, Some(1)),
        keywords: &[],
        run: keys,
        device: Device::Any,
    },
    Builtin {
        name: "values",
        signature: "values(r)",
        summary: "a record's field values, in order, as a list",
        help: "Python's list(d.values()), Julia's values.",
        example: "values((a = 1, b = \"x\"))",
        shows: "list(1, \"x\")",
        arity: (1, Some(1)),
        keywords: &[],
        run: values,
        device: Device::Any,
    },
    Builtin {
        name: "haskey",
        signature: "haskey(r, \"k\")",
        summary: "whether the record has a field named k",
        help: "Julia's haskey, Python's k in d.",
        example: "(haskey((a = 1,), \"a\"), haskey((a = 1,), \"b\"))",
        shows: "(true, false)",
        arity: (2, Some(2)),
        keywords: &[],
        run: haskey,
        device: Device::Any,
    },
];
