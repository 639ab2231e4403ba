//! Rotary position embeddings: `rope_matrix`, `rope_apply`, `comrope`,
//! `liere`, `rotation`, `commutator_norm`. A ComRoPE or LieRE embedding is a
//! record `(kind, d, block, axes, generators)`, `generators[j][i]` being the
//! skew generator of block `j` for axis `i`.

use super::{as_matrix, as_size, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::record;
use crate::value::Value;
use std::rc::Rc;
use tessera::rope::{self, ComRope, RopeKind};

fn base(args: &Args) -> Result<f64> {
    args.keyword_number("base", 10000.0)
}

fn rope_matrix(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(rope::rope_matrix(args.size(0)?, args.number(1)?, base(&args)?)?))
}

fn rope_apply(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (p, span) = args.get(1);
    let positions = as_matrix(p, span)?.vector_values("rope_apply").map_err(|e| LangError::from(e).at(span))?;
    let x = args.matrix(0)?;
    Ok(Value::matrix(rope::rope_apply(&x, &positions, base(&args)?)?))
}

/// `rope_apply(G, positions)` with `G` on the gpu (the positions are host numbers).
fn rope_apply_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (p, span) = args.get(1);
    let positions = as_matrix(p, span)?.vector_values("rope_apply").map_err(|e| LangError::from(e).at(span))?;
    match args.get(0) {
        (Value::Gpu(g), _) => Ok(crate::gpu::value(g.rope_apply(&positions, base(&args)?)?)),
        (v, s) => Err(LangError::type_error(format!("expected a gpu matrix, got {}", v.a_kind()), s)),
    }
}

/// The embedding as a language record.
fn to_record(r: &ComRope) -> Value {
    let generators = r
        .generators
        .iter()
        .map(|gs| Value::List(Rc::new(gs.iter().map(|g| Value::matrix(g.clone())).collect())))
        .collect();
    record(vec![
        ("kind", Value::str(r.kind.name())),
        ("d", Value::Number(r.dim as f64)),
        ("block", Value::Number(r.block as f64)),
        ("axes", Value::Number(r.axes() as f64)),
        ("generators", Value::List(Rc::new(generators))),
    ])
}

/// A record back into an embedding, checking every field.
fn from_record(v: &Value, span: Span) -> Result<ComRope> {
    let bad =
        |why: &str| LangError::type_error(format!("expected a rotary embedding from comrope or liere: {why}"), span);
    let Value::Record(r) = v else { return Err(bad(&format!("got {}", v.a_kind()))) };
    let field = |name: &str| r.get(name).ok_or_else(|| bad(&format!("no field `{name}`")));
    let kind = match field("kind")? {
        Value::Str(s) if &**s == "ap" => RopeKind::Ap,
        Value::Str(s) if &**s == "ld" => RopeKind::Ld,
        Value::Str(s) if &**s == "liere" => RopeKind::Liere,
        _ => return Err(bad("`kind` is not \"ap\", \"ld\" or \"liere\"")),
    };
    let (dim, block) = (as_size(field("d")?, span)?, as_size(field("block")?, span)?);
    let Value::List(blocks) = field("generators")? else { return Err(bad("`generators` is not a list")) };
    let mut generators = Vec::with_capacity(blocks.len());
    for b in blocks.iter() {
        let Value::List(gs) = b else { return Err(bad("each block's generators must be a list")) };
        let mats = gs.iter().map(|g| as_matrix(g, span).map(|m| (*m).clone())).collect::<Result<Vec<_>>>()?;
        if mats.iter().any(|m| m.shape() != tessera::Shape(block, block)) {
            return Err(bad("a generator is not block×block"));
        }
        generators.push(mats);
    }
    let axes = generators.first().map_or(0, Vec::len);
    if generators.len() * block != dim || generators.iter().any(|g| g.len() != axes) {
        return Err(bad("the generators do not match d, block and axes"));
    }
    Ok(ComRope { kind, dim, block, generators })
}

fn build(ctx: &mut dyn Ctx, args: &Args, kind: RopeKind) -> Result<Value> {
    let block = match args.keyword("block") {
        Some((v, s)) => as_size(v, s)?,
        None => 2,
    };
    let r = ComRope::random(args.size(0)?, args.size(1)?, block, kind, &mut ctx.state().rng)?;
    Ok(to_record(&r))
}

fn comrope(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let kind = match args.keyword("kind") {
        None => RopeKind::Ap,
        Some((Value::Str(s), _)) if &**s == "ap" => RopeKind::Ap,
        Some((Value::Str(s), _)) if &**s == "ld" => RopeKind::Ld,
        Some((_, s)) => return Err(LangError::argument("kind must be \"ap\" or \"ld\"", s)),
    };
    build(ctx, &args, kind)
}

fn liere(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    build(ctx, &args, RopeKind::Liere)
}

fn rotation(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (r, rspan) = args.get(0);
    let embedding = from_record(r, rspan)?;
    let (x, xspan) = args.get(1);
    let position = as_matrix(x, xspan)?.vector_values("rotation").map_err(|e| LangError::from(e).at(xspan))?;
    Ok(Value::matrix(embedding.rotation(&position)?.dense()))
}

fn commutator_norm(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (r, span) = args.get(0);
    Ok(Value::Number(from_record(r, span)?.commutator_norm()))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "rope_matrix",
        signature: "rope_matrix(d, pos, base=10000)",
        summary: "the d×d RoPE rotation at position pos",
        help: "Pairs (x[2i], x[2i+1]) turn by pos·θᵢ, θᵢ = base^(−2i/d): 2×2 blocks [cos, −sin; sin, cos]. \
               R(m)ᵀ R(n) = R(n − m). Su et al., \"RoFormer: Enhanced Transformer with Rotary Position Embedding\", 2021.",
        example: "R = rope_matrix(8, 3); norm(R' * R - eye(8)) < 1e-14",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["base"],
        run: rope_matrix,
        device: Device::Cpu,
    },
    Builtin {
        name: "rope_apply",
        signature: "rope_apply(X, positions, base=10000)",
        summary: "RoPE applied to every row of X (one token per row) at its position, without forming d×d matrices",
        help: "y[2i] = x[2i] cos φ − x[2i+1] sin φ, y[2i+1] = x[2i] sin φ + x[2i+1] cos φ, φ = pos·base^(−2i/d); \
               O(n·d) for n tokens.",
        example: "X = randn(4, 8); Y = rope_apply(X, [0, 1, 2, 3]); norm(Y[1] - X[1] * rope_matrix(8, 1)') < 1e-12",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["base"],
        run: rope_apply,
        device: Device::Gpu(rope_apply_gpu),
    },
    Builtin {
        name: "comrope",
        signature: "comrope(d, axes, block=2, kind=\"ap\"|\"ld\")",
        summary: "a commuting-angle rotary embedding with random trainable generators (a record)",
        help: "R(x) = blockdiag_j exp(Σᵢ xᵢ B_ij) over blocks of size block; AP: block j turns with axis j mod N; \
               LD: B_ij = θ_ij S_j. Commuting generators give R(x)ᵀR(y) = R(y − x). Yu et al., \"Scalable and Robust \
               Rotary Position Embedding Parameterized by Trainable Commuting Angle Matrices\", CVPR 2025.",
        example: "r = comrope(8, 2, block=4, kind=\"ld\"); (x, y) = ([0.5, -1], [2, 0.25]); norm(rotation(r, x)' * rotation(r, y) - rotation(r, y - x)) < 1e-12",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["block", "kind"],
        run: comrope,
        device: Device::Cpu,
    },
    Builtin {
        name: "liere",
        signature: "liere(d, axes, block=2)",
        summary: "LieRE: a free skew generator per axis and block (the non-commuting baseline of ComRoPE)",
        help: "R(x) = blockdiag_j exp(Σᵢ xᵢ B_ij) with unrelated B_ij, so R(x)ᵀR(y) ≠ R(y − x) in general. \
               Ostmeier et al., \"LieRE: Generalizing Rotary Position Encodings\", 2024.",
        example: "r = liere(6, 2, block=3); commutator_norm(r) > 0",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["block"],
        run: liere,
        device: Device::Cpu,
    },
    Builtin {
        name: "rotation",
        signature: "rotation(r, x)",
        summary: "the d×d matrix R(x) of a rotary embedding at the position vector x",
        help: "blockdiag_j exp(Σᵢ xᵢ B_ij); each block's exponential is exact (closed form for 2×2 and 3×3 blocks, \
               Padé scaling and squaring otherwise).",
        example: "r = comrope(4, 1); R = rotation(r, [2]); abs(det(R) - 1) < 1e-12",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &[],
        run: rotation,
        device: Device::Cpu,
    },
    Builtin {
        name: "commutator_norm",
        signature: "commutator_norm(r)",
        summary: "how far a rotary embedding's generators are from commuting",
        help: "sqrt(Σ_j Σ_{i<k} ‖B_ij B_kj − B_kj B_ij‖²_F): 0 for AP and LD, positive for LieRE.",
        example: "commutator_norm(comrope(8, 3, kind=\"ap\"))",
        shows: "0",
        arity: (1, Some(1)),
        keywords: &[],
        run: commutator_norm,
        device: Device::Cpu,
    },
];
