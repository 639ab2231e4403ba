//! Compression and adaptation (`tessera::compress`): `rsvd`, `lora_init`,
//! `lora`, `pissa`, `quantize`, `dequantize`, `bits`, `lorc`, `fwsvd`,
//! `nearest_kron`. Weights are `out × in`, as safetensors stores them.
//!
//! DRAFT (unbuilt): written while CI ran; build, test and fill in the
//! examples' `shows` from a checked run before merging.

use super::{as_size, Args, Builtin, Device};
use crate::context::{long, Ctx};
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::{record, Value};
use std::rc::Rc;
use tessera::compress::{self, Quantized, Scheme};
use tessera::{Matrix, Operator};

/// `m·n·r`, the cost of a rank-`r` pass over an `m×n` matrix.
fn pass(m: &Matrix, r: usize) -> usize {
    m.rows().saturating_mul(m.cols()).saturating_mul(r.max(1))
}

fn column(values: Vec<f64>) -> Value {
    Value::matrix(Matrix::col(&values))
}

/// Keyword `name` as a size, or `default`.
fn keyword_size(args: &Args, name: &str, default: usize) -> Result<usize> {
    args.keyword(name).map_or(Ok(default), |(v, s)| as_size(v, s))
}

/// Argument `i` as a scheme name.
fn scheme(args: &Args, i: usize) -> Result<Scheme> {
    match args.get(i) {
        (Value::Str(s), span) => Scheme::parse(s).map_err(|e| LangError::from(e).at(span)),
        (v, span) => Err(LangError::type_error(format!("the scheme is a string such as \"nf4\", got a {}", v.kind()), span)),
    }
}

/// The Gaussian test matrix of `rsvd`, drawn from the session's stream.
fn sketch(ctx: &mut dyn Ctx, a: &Matrix, r: usize, oversample: usize) -> Matrix {
    let l = (r + oversample).min(a.rows().min(a.cols()));
    ctx.state().rng.randn(a.cols(), l)
}

fn rsvd(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (a, r) = (args.matrix(0)?, args.size(1)?);
    let omega = sketch(ctx, &a, r, keyword_size(&args, "oversample", 10)?);
    let iters = keyword_size(&args, "iters", 2)?;
    let d = long(ctx, span, pass(&a, omega.cols()) * (2 * iters + 2), (*a).clone(), move |a| {
        compress::rsvd(&a, r, &omega, iters)
    })?;
    Ok(Value::tuple(vec![Value::matrix(d.u), column(d.s), Value::matrix(d.v)]))
}

fn lora_init(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (w, r) = (args.matrix(0)?, args.size(1)?);
    let alpha = args.keyword_number("alpha", r as f64)?;
    let (a, b) = compress::lora_init(w.rows(), w.cols(), r, &mut ctx.state().rng);
    Ok(record(vec![("A", Value::matrix(a)), ("B", Value::matrix(b)), ("scale", Value::Number(alpha / r as f64))]))
}

fn lora(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (w, a, b, s) = (args.matrix(0)?, args.matrix(1)?, args.matrix(2)?, args.number(3)?);
    Ok(Value::operator(compress::lora((*w).clone(), &a, &b, s)?))
}

fn pissa(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (w, r) = (args.matrix(0)?, args.size(1)?);
    let iters = match args.keyword("iters") {
        None | Some((Value::None, _)) => None,
        Some((v, s)) => Some(as_size(v, s)?),
    };
    // PEFT's pissa_niter_k: svd_lowrank(W, q=r, niter=k), no oversampling.
    let omega = iters.map(|_| sketch(ctx, &w, r, 0));
    let p = long(ctx, span, pass(&w, w.rows().min(w.cols())), (*w).clone(), move |w| {
        let top = match (iters, omega) {
            (Some(k), Some(omega)) => compress::rsvd(&w, r, &omega, k)?,
            _ => compress::truncated_svd("pissa", &w, r)?,
        };
        compress::pissa(&w, &top)
    })?;
    Ok(record(vec![
        ("A", Value::matrix(p.a)),
        ("B", Value::matrix(p.b)),
        ("residual", Value::matrix(p.residual)),
    ]))
}

fn quantize(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (w, scheme) = (args.matrix(0)?, scheme(&args, 1)?);
    let block = keyword_size(&args, "block", 64)?;
    let double = args.keyword_bool("double")?.unwrap_or(false);
    Ok(Value::Operator(Rc::new(Operator::Quantized(Box::new(Quantized::new(&w, scheme, block, double)?)))))
}

fn dequantize(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    match args.get(0) {
        (Value::Operator(op), _) if matches!(**op, Operator::Quantized(_)) => Ok(Value::matrix(op.dense())),
        (v, span) => Err(LangError::type_error(format!("dequantize takes a quantized operator, got a {}", v.kind()), span)
            .with_hint("quantize(W, \"nf4\") makes one; dense(op) forms any operator")),
    }
}

fn lorc(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (w, scheme, r) = (args.matrix(0)?, scheme(&args, 1)?, args.size(2)?);
    let q = Quantized::new(&w, scheme, keyword_size(&args, "block", 64)?, false)?;
    Ok(Value::operator(compress::lorc(&w, q, r)?))
}

fn fwsvd(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (w, f, r) = (args.matrix(0)?, args.matrix(1)?, args.size(2)?);
    Ok(Value::operator(compress::fwsvd(&w, &f, r, keyword_size(&args, "axis", 1)?)?))
}

fn nearest_kron(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let w = args.matrix(0)?;
    let (m1, n1) = match args.get(1) {
        (Value::Tuple(t), span) if t.len() == 2 => (as_size(&t[0], span)?, as_size(&t[1], span)?),
        (v, span) => {
            return Err(LangError::type_error(format!("the factor shape is a pair (m1, n1), got a {}", v.kind()), span))
        }
    };
    Ok(Value::operator(compress::nearest_kron(&w, m1, n1, keyword_size(&args, "terms", 1)?)?))
}

pub const BUILTINS: &[Builtin] = &[
    // TODO: one entry per function above, with help naming the paper, the
    // reference code followed, where Tessera differs, and a checked example.
];
