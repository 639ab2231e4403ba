//! Compression and adaptation (`tessera::compress`): `rsvd`, `lora_init`,
//! `lora`, `pissa`, `quantize`, `dequantize`, `bits`, `lorc`, `fwsvd`,
//! `nearest_kron`, `phm`, `eva`, `eva_ranks`, `salt`, `salt_weight`, `lqlora`,
//! `lqlora_budget`. Weights are `out × in`, as safetensors stores them.

use super::{as_matrix, as_size, check_allocation, Args, Builtin, Device};
use crate::context::{long, long_shared, Ctx};
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::{record, Value};
use std::rc::Rc;
use tessera::compress::{self, Quantized, Salt, ScaleDtype, ScaleQuant, Scheme};
use tessera::device::{GpuOperator, GpuQuantized};
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
        (v, span) => {
            Err(LangError::type_error(format!("the scheme is a string such as \"nf4\", got {}", v.a_kind()), span))
        }
    }
}

/// How the block scales are stored, from the keywords `double`, or
/// `scale_bits` with `scale_dtype` ("fp32") and `scale_block` (256).
fn scale_quant(args: &Args) -> Result<ScaleQuant> {
    let double = args.keyword_bool("double")?.unwrap_or(false);
    let uniform = ["scale_bits", "scale_dtype", "scale_block"].iter().find_map(|k| args.keyword(k));
    match (double, uniform, args.keyword("scale_bits")) {
        (true, Some((_, span)), _) => Err(LangError::argument(
            "double=true is bitsandbytes' second level; scale_bits, scale_dtype and scale_block choose LQ-LoRA's instead",
            span,
        )),
        (true, None, _) => Ok(ScaleQuant::Dynamic),
        (false, None, _) => Ok(ScaleQuant::Plain),
        (false, Some((_, span)), None) => {
            Err(LangError::argument("scale_dtype and scale_block need scale_bits, the bits per block scale", span))
        }
        (false, Some(_), Some((v, span))) => {
            let dtype = match args.keyword("scale_dtype") {
                None => ScaleDtype::Fp32,
                Some((Value::Str(s), span)) => ScaleDtype::parse(s).map_err(|e| LangError::from(e).at(span))?,
                Some((v, span)) => {
                    return Err(LangError::type_error(
                        format!("scale_dtype is \"bf16\", \"fp16\" or \"fp32\", got {}", v.a_kind()),
                        span,
                    ))
                }
            };
            let bits = u32::try_from(as_size(v, span)?).unwrap_or(u32::MAX);
            Ok(ScaleQuant::Uniform { bits, dtype, group: keyword_size(args, "scale_block", 256)? })
        }
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
    let cost = pass(&a, omega.cols()).saturating_mul(iters.saturating_mul(2).saturating_add(2));
    let d = long_shared(ctx, span, cost, [&a], move |[a]| compress::rsvd(a, r, &omega, iters))?;
    Ok(Value::tuple(vec![Value::matrix(d.u), column(d.s), Value::matrix(d.v)]))
}

fn lora_init(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (w, r) = (args.matrix(0)?, args.size(1)?);
    if r == 0 {
        return Err(LangError::argument("lora_init: the rank r must be at least 1", args.get(1).1));
    }
    check_allocation(r, w.rows().max(w.cols()), span)?;
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
    let passes = iters.map_or(w.rows().min(w.cols()), |k| r.saturating_mul(k.saturating_mul(2).saturating_add(2)));
    let p = long_shared(ctx, span, pass(&w, 1).saturating_mul(passes), [&w], move |[w]| {
        let top = match (iters, omega) {
            (Some(k), Some(omega)) => compress::rsvd(w, r, &omega, k)?,
            _ => compress::truncated_svd("pissa", w, r)?,
        };
        compress::pissa(w, &top)
    })?;
    Ok(record(vec![("A", Value::matrix(p.a)), ("B", Value::matrix(p.b)), ("residual", Value::matrix(p.residual))]))
}

fn quantize(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (w, scheme) = (args.matrix(0)?, scheme(&args, 1)?);
    let block = keyword_size(&args, "block", 64)?;
    let q = Quantized::with_scales(&w, scheme, block, scale_quant(&args)?)?;
    Ok(Value::Operator(Rc::new(Operator::Quantized(Box::new(q)))))
}

/// `quantize(G, ...)` of a gpu matrix: both passes over the entries run on
/// the device, and the quantized operator stays there.
fn quantize_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let g = match args.get(0) {
        (Value::Gpu(g), _) => g.clone(),
        (v, span) => return Err(LangError::type_error(format!("quantize takes a matrix, got {}", v.a_kind()), span)),
    };
    let block = keyword_size(&args, "block", 64)?;
    let (q, device) = GpuQuantized::quantize(&g, scheme(&args, 1)?, block, scale_quant(&args)?)?;
    Ok(Value::GpuOperator(Rc::new((Operator::Quantized(Box::new(q)), GpuOperator::Quantized(Box::new(device))))))
}

fn dequantize(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    match args.get(0) {
        (Value::Operator(op), _) if matches!(**op, Operator::Quantized(_)) => Ok(Value::matrix(op.dense())),
        (v, span) => Err(not_quantized(v, span)),
    }
}

/// `dequantize` of a quantized gpu operator: its `dense`, formed on the device.
fn dequantize_gpu(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    match args.get(0) {
        (Value::GpuOperator(o), _) if matches!(o.1, GpuOperator::Quantized(_)) => {}
        (v, span) => return Err(not_quantized(v, span)),
    }
    super::structured::dense_gpu(ctx, args, span)
}

fn not_quantized(v: &Value, span: Span) -> LangError {
    LangError::type_error(format!("dequantize takes a quantized operator, got {}", v.a_kind()), span)
        .with_hint("quantize(W, \"nf4\") makes one; dense(op) forms any operator")
}

fn bits(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let op = args.operator(0)?;
    Ok(Value::Number(compress::bits(&op, args.keyword_number("float_bits", 16.0)?)))
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
            return Err(LangError::type_error(format!("the factor shape is a pair (m1, n1), got {}", v.a_kind()), span))
        }
    };
    Ok(Value::operator(compress::nearest_kron(&w, m1, n1, keyword_size(&args, "terms", 1)?)?))
}

fn phm(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (n, rows, cols) = (args.size(0)?, args.size(1)?, args.size(2)?);
    let rank = keyword_size(&args, "rank", 1)?;
    Ok(Value::operator(compress::phm(n, rows, cols, rank, &mut ctx.state().rng)?))
}

fn eva(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (x, r, out) = (args.matrix(0)?, args.size(1)?, args.size(2)?);
    check_allocation(out, r, span)?;
    let e = long_shared(ctx, span, pass(&x, x.rows().min(x.cols())), [&x], move |[x]| compress::eva(x, r, out))?;
    Ok(record(vec![("A", Value::matrix(e.a)), ("B", Value::matrix(e.b)), ("explained", column(e.explained))]))
}

fn eva_ranks(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let explained = match args.get(0) {
        (Value::List(xs), span) => xs
            .iter()
            .map(|x| as_matrix(x, span)?.vector_values("eva_ranks").map_err(|e| LangError::from(e).at(span)))
            .collect::<Result<Vec<_>>>()?,
        (v, span) => {
            return Err(LangError::type_error(
                format!("eva_ranks takes a list of explained-variance vectors, got {}", v.a_kind()),
                span,
            ))
        }
    };
    let ranks = compress::eva_ranks(&explained, args.size(1)?)?;
    Ok(Value::List(Rc::new(ranks.into_iter().map(|r| Value::Number(r as f64)).collect())))
}

/// A list argument's matrices, or `none` as no list.
fn matrices(v: &Value, span: Span, what: &str) -> Result<Vec<Matrix>> {
    match v {
        Value::List(xs) => xs.iter().map(|x| Ok((*as_matrix(x, span)?).clone())).collect(),
        v => Err(LangError::type_error(format!("{what} is a list of matrices, got {}", v.a_kind()), span)),
    }
}

fn lqlora_budget(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (ws, span0) = args.get(0);
    let ws = matrices(ws, span0, "the first argument")?;
    let avg_bits = args.number(1)?;
    let r = keyword_size(&args, "r", 64)?;
    let fisher = match args.keyword("fisher") {
        None | Some((Value::None, _)) => None,
        Some((v, span)) => Some(matrices(v, span, "fisher=")?),
    };
    let grid = compress::grid().len();
    let cost = ws.iter().fold(0usize, |c, w| c.saturating_add(pass(w, r + 10).saturating_mul(6 * grid)));
    let rng = ctx.state().rng.clone();
    let (picks, rng) = long(ctx, span, cost, (ws, fisher, rng), move |(ws, fisher, mut rng)| {
        let picks = compress::lqlora_budget(&ws, avg_bits, r, fisher.as_deref(), &mut rng)?;
        Ok((picks, rng))
    })?;
    ctx.state().rng = rng;
    let records = picks
        .into_iter()
        .map(|p| {
            let c = p.config;
            let low = Operator::lowrank(p.b, p.a.transpose())?;
            Ok(record(vec![
                ("scheme", Value::Str(Scheme::NormalFloat { bits: c.bits }.name().into())),
                ("block", Value::Number(c.block as f64)),
                ("scale_bits", Value::Number(f64::from(c.scale_bits))),
                ("scale_dtype", Value::Str(c.dtype.name().into())),
                ("scale_block", Value::Number(c.group as f64)),
                ("bits", Value::Number(p.q.bits())),
                ("error", Value::Number(p.error)),
                ("Q", Value::Operator(Rc::new(Operator::Quantized(Box::new(p.q))))),
                ("L", Value::operator(low)),
            ]))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Value::List(Rc::new(records)))
}

fn salt(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (w, r, r_lora) = (args.matrix(0)?, args.size(1)?, args.size(2)?);
    check_allocation(w.rows().min(w.cols()).saturating_sub(r), r_lora, span)?;
    let p = compress::salt(&w, r, r_lora, &mut ctx.state().rng)?;
    Ok(record(vec![
        ("U", Value::matrix(p.u)),
        ("S", column(p.s)),
        ("V", Value::matrix(p.v)),
        ("scale", column(p.scale)),
        ("shift", column(p.shift)),
        ("X", Value::matrix(p.x)),
        ("Y", Value::matrix(p.y)),
    ]))
}

fn salt_weight(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (Value::Record(r), span) = args.get(0) else {
        let (v, span) = args.get(0);
        return Err(LangError::type_error(
            format!("salt_weight takes the record salt(W, r, r_lora) gives, got {}", v.a_kind()),
            span,
        ));
    };
    let field = |name: &str| -> Result<Rc<Matrix>> {
        let v =
            r.get(name).ok_or_else(|| LangError::argument(format!("the SALT record has no field `{name}`"), span))?;
        as_matrix(v, span)
    };
    let values = |name: &str| -> Result<Vec<f64>> {
        field(name)?.vector_values("salt_weight").map_err(|e| LangError::from(e).at(span))
    };
    let p = Salt {
        u: (*field("U")?).clone(),
        s: values("S")?,
        v: (*field("V")?).clone(),
        scale: values("scale")?,
        shift: values("shift")?,
        x: (*field("X")?).clone(),
        y: (*field("Y")?).clone(),
    };
    Ok(Value::matrix(compress::salt_weight(&p)?))
}

fn lqlora(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (w, r) = (args.matrix(0)?, args.size(1)?);
    let scheme = match args.keyword("scheme") {
        None => Scheme::NormalFloat { bits: 4 },
        Some((Value::Str(s), span)) => Scheme::parse(s).map_err(|e| LangError::from(e).at(span))?,
        Some((v, span)) => {
            return Err(LangError::type_error(format!("scheme= is a string such as \"nf4\", got {}", v.a_kind()), span))
        }
    };
    let quantizer =
        compress::Quantizer { scheme, block: keyword_size(&args, "block", 64)?, scales: scale_quant(&args)? };
    let iters = keyword_size(&args, "iters", 100)?;
    let fisher = match args.keyword("fisher") {
        None | Some((Value::None, _)) => None,
        Some((v, span)) => Some((*as_matrix(v, span)?).clone()),
    };
    let rng = ctx.state().rng.clone();
    let cost = pass(&w, r + 10).saturating_mul(6 * iters.max(1));
    let (p, rng) = long(ctx, span, cost, ((*w).clone(), fisher, rng), move |(w, fisher, mut rng)| {
        let p = compress::lqlora(&w, r, quantizer, iters, fisher.as_ref(), &mut rng)?;
        Ok((p, rng))
    })?;
    ctx.state().rng = rng;
    let low = Operator::lowrank(p.b.clone(), p.a.transpose())?;
    Ok(record(vec![
        ("Q", Value::Operator(Rc::new(Operator::Quantized(Box::new(p.q))))),
        ("L", Value::operator(low)),
        ("errors", column(p.errors)),
        ("A", Value::matrix(p.a)),
        ("B", Value::matrix(p.b)),
    ]))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "rsvd",
        signature: "rsvd(A, r, oversample=10, iters=2)",
        summary: "randomized SVD: (U, S, V) of the top r singular triplets, from the session's random stream",
        help: "Q = orth(A Ω) with Ω n×min(r + oversample, m, n) Gaussian, then `iters` power iterations Q ← orth(A orth(Aᵀ Q)), \
               then the SVD of Qᵀ A. Cost O(mn(r + p)) per pass, 2·iters + 2 passes. torch.svd_lowrank(A, q, niter) \
               is the same algorithm. Halko, Martinsson and Tropp, \"Finding structure with randomness\", SIAM Review 53 (2011).",
        example: "seed(0); A = randn(40, 6) * randn(6, 30); (U, S, V) = rsvd(A, 6); norm(U * diagm(S) * V' - A) < 1e-9",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["oversample", "iters"],
        run: rsvd,
        device: Device::Cpu,
    },
    Builtin {
        name: "lora_init",
        signature: "lora_init(W, r, alpha=r)",
        summary: "a fresh LoRA pair for W (out×in): record (A r×in Kaiming-uniform, B out×r zeros, scale alpha/r)",
        help: "As PEFT's default init: A ~ U(±1/√in) (kaiming_uniform_ with a = √5), B = 0, so W + scale·B·A = W at \
               the start. Hu et al., \"LoRA: Low-Rank Adaptation of Large Language Models\", ICLR 2022.",
        example: "seed(0); p = lora_init(zeros(4, 9), 2, alpha=8); (size(p.A), p.scale, max(abs(p.A)) <= 1/3)",
        shows: "((2, 9), 4, true)",
        arity: (2, Some(2)),
        keywords: &["alpha"],
        run: lora_init,
        device: Device::Cpu,
    },
    Builtin {
        name: "lora",
        signature: "lora(W, A, B, scale)",
        summary: "the LoRA operator W + scale·B·A (dense plus scaled low-rank, never formed)",
        help: "Applies in O(out·in + r(out + in)) per column; dense(op) forms W + scale·B·A.",
        example: "L = lora(eye(2), [1, 1], [1; 0], 2); dense(L)",
        shows: "2×2 matrix:\n 3  2\n 0  1",
        arity: (4, Some(4)),
        keywords: &[],
        run: lora,
        device: Device::Cpu,
    },
    Builtin {
        name: "pissa",
        signature: "pissa(W, r, iters=none)",
        summary: "PiSSA adapter from W's top r singular triplets: record (A, B, residual) with W = residual + B*A",
        help: "A = diag(√σ) V_rᵀ (r×in), B = U_r diag(√σ) (out×r), residual = W − B A, as PEFT's pissa_init with \
               scale 1; ‖residual‖² = Σ_{i>r} σᵢ². iters=k uses the randomized SVD with k power iterations and no \
               oversampling, as PEFT's pissa_niter_k. Meng, Wang and Zhang, \"PiSSA\", NeurIPS 2024.",
        example: "seed(0); W = randn(6, 5); p = pissa(W, 2); norm(p.residual + p.B * p.A - W) < 1e-12",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["iters"],
        run: pissa,
        device: Device::Cpu,
    },
    Builtin {
        name: "quantize",
        signature: "quantize(W, scheme, block=64, double=false, scale_bits=none, scale_dtype=\"fp32\", scale_block=256)",
        summary: "blockwise quantization of W: \"int8\", \"int4\", \"int4-asym\", \"nf4\", \"nf3\", \"nf2\" or \"nf8\"",
        help: "Blocks of `block` consecutive row-major entries (a ragged last block has its own scale), in f32. \
               block=size(W, 2) quantizes per row, a smaller block per group (ZeroQuant's groups). \
               NormalFloat as bitsandbytes' quantize_4bit: x̂ = code[q]·absmax, q the nearest code of x/absmax (ties to \
               the lower code; NF4 is bitsandbytes' table, NF2/NF3/NF8 the same Φ⁻¹ construction); double=true stores the \
               absmaxes as their mean plus an 8-bit dynamic code in blocks of 256 (compress_statistics). \
               scale_bits=b₀ stores them as LQ-LoRA's blockwise NormalFloat does instead: offset = min absmax, then per \
               scale_block blocks the maximum m of absmax − offset in scale_dtype (\"bf16\", \"fp16\" or \"fp32\") and \
               b₀-bit unsigned codes round((absmax − offset)·(2^b₀ − 1)/m); entries are rounded against the dequantized \
               scales (a zero scale gives the code of 0), and a ragged last block or group is allowed where the \
               reference needs numel divisible by block·scale_block. Integers as \
               DeepSpeed's ZeroQuant quantizers: symmetric s = 2·max|x|/2^b, q = clamp(round(x/s), −2^{b−1}, 2^{b−1}−1) \
               (the positive maximum is clipped); asymmetric s = (max − min)/2^b with a zero point. Unlike DeepSpeed, an \
               all-zero block (symmetric) or constant block (asymmetric) is kept exactly, where DeepSpeed divides \
               by zero. The result is a quantized \
               operator: it applies (dequantizing, O(mn)), dense/dequantize form it, bits(Q) counts bits per entry \
               with f32 scales (NF4 block 64: 4.5, double: 4.127). On a gpu matrix both passes over the entries run \
               on the device (the block ranges, then the codes; the host turns the ranges into scales as on the cpu) \
               and Q is a gpu operator: Q * G multiplies on the device, dequantizing each entry as it reads its \
               code, dense(Q) and dequantize(Q) form it there, cpu(Q) brings it back, and gpu(Q) moves a cpu one. \
               Dettmers et al., \"QLoRA\", NeurIPS 2023; Yao et al., \"ZeroQuant-V2\", 2023.",
        example: "Q = quantize([0.5, -1, 0.25, 0], \"nf4\"); dequantize(Q)",
        shows: "1×4 matrix:\n 0.44071  -1.0  0.24611  0.0",
        arity: (2, Some(2)),
        keywords: &["block", "double", "scale_bits", "scale_dtype", "scale_block"],
        run: quantize,
        device: Device::Gpu(quantize_gpu),
    },
    Builtin {
        name: "dequantize",
        signature: "dequantize(Q)",
        summary: "the dense matrix of a quantized operator",
        help: "x̂ entry by entry in f32, as the references dequantize: code[q]·absmax (NormalFloat), q·s (symmetric \
               integers: here max|x| = 2 gives s = 0.25, so 0.3 rounds to 0.25 and 2 clips to 7·s = 1.75), q·s + zero \
               (asymmetric). The same as dense(Q); O(mn). A gpu Q is dequantized on the device.",
        example: "dequantize(quantize([1, -2, 0.3, 2], \"int4\", block=4))",
        shows: "1×4 matrix:\n 1.0  -2.0  0.25  1.75",
        arity: (1, Some(1)),
        keywords: &[],
        run: dequantize,
        device: Device::Gpu(dequantize_gpu),
    },
    Builtin {
        name: "bits",
        signature: "bits(A, float_bits=16)",
        summary: "bits per entry of a matrix or operator: quantized codes with their f32 scales, other numbers at float_bits",
        help: "Total bits over rows·cols. A quantized part counts b bits per code plus its scales as bitsandbytes \
               stores them, f32 (NF4 at block 64 is 4 + 32/64 = 4.5; with double quantization 4 + 8/64 + 32/(64·256) \
               plus one f32 offset, 4.127 for a large matrix). Every other stored number (a dense entry, a low-rank \
               factor, a scale) counts float_bits, 16 by default as for bf16 weights; sums add their terms, so LoRC's \
               Q + U Vᵀ pays for both.",
        example: "(bits(quantize(zeros(64, 64), \"nf4\")), bits(zeros(3, 3)), bits(lowrank(ones(8, 1), ones(8, 1)), float_bits=32))",
        shows: "(4.5, 16, 8)",
        arity: (1, Some(1)),
        keywords: &["float_bits"],
        run: bits,
        device: Device::Cpu,
    },
    Builtin {
        name: "lorc",
        signature: "lorc(W, scheme, r, block=64)",
        summary: "ZeroQuant-V2's low-rank compensation: quantize(W) plus the rank-r SVD of its error",
        help: "With E = W − Q = U Σ Vᵀ: Q + (U_r Σ_r^½)(Σ_r^½ V_rᵀ); its error² is Σ_{k>r} σ_k(E)². The factors stay \
               in full precision (the paper may quantize them too). Yao et al., \"ZeroQuant-V2\", 2023.",
        example: "seed(0); W = randn(8, 8); norm(W - dense(lorc(W, \"nf2\", 8))) < 1e-9",
        shows: "true",
        arity: (3, Some(3)),
        keywords: &["block"],
        run: lorc,
        device: Device::Cpu,
    },
    Builtin {
        name: "fwsvd",
        signature: "fwsvd(W, F, r, axis=1)",
        summary: "Fisher-weighted rank-r factorisation minimising ‖Î(W − Ŵ)‖, Î = diag(√ row sums of F)",
        help: "Ŵ = Î⁻¹ SVD_r(Î W) = (W V_r) V_rᵀ with V_r the top right singular vectors of Î W (which also holds for \
               rows whose Fisher sum is 0); axis=0 weights columns instead. A low-rank operator. Hsu et al., \
               \"Language model compression with weighted low-rank factorization\", ICLR 2022 (no official code; \
               the row axis is a parameter).",
        example: "seed(0); W = randn(6, 4); norm(dense(fwsvd(W, ones(6, 4), 4)) - W) < 1e-12",
        shows: "true",
        arity: (3, Some(3)),
        keywords: &["axis"],
        run: fwsvd,
        device: Device::Cpu,
    },
    Builtin {
        name: "nearest_kron",
        signature: "nearest_kron(W, (m1, n1), terms=1)",
        summary: "the nearest sum of `terms` Kronecker products A ⊗ B to W, A m1×n1 (Van Loan–Pitsianis)",
        help: "Row i·n1 + j of the rearrangement R is block (i, j) of W flattened row-major; from R's SVD, \
               A_t = √σ_t u_t and B_t = √σ_t v_t reshaped. The error² is Σ_{t>terms} σ_t², and W = A ⊗ B is recovered \
               exactly. Cost: one SVD of R (m1·n1 × m2·n2). Van Loan and Pitsianis, \"Approximation with Kronecker \
               products\", 1993.",
        example: "W = dense(kron([1, 2; 3, 4], [0, 1; 1, 0])); norm(dense(nearest_kron(W, (2, 2))) - W) < 1e-12",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &["terms"],
        run: nearest_kron,
        device: Device::Cpu,
    },
    Builtin {
        name: "phm",
        signature: "phm(n, rows, cols, rank=1)",
        summary: "a random Compacter/PHM operator Σᵢ Aᵢ ⊗ Bᵢ (rows×cols) with n terms, Aᵢ n×n, Bᵢ of rank `rank`",
        help: "Bᵢ = Lᵢ Rᵢᵀ with Lᵢ (rows/n)×rank and Rᵢ (cols/n)×rank, as Compacter's PHMLinear (there Rᵢ is \
               W_left[i] and Lᵢᵀ is W_right[i]); it stores n³ + rank·(rows + cols) numbers. Every factor is Glorot-uniform, drawn from the \
               session's stream; Compacter draws the rule matrices Aᵢ from a small normal instead. Compacter's H is \
               in×out for x H; this is its transpose, out×in. nearest_kron(W, (n, n), terms=n) fits n Kronecker terms \
               with full-rank Bᵢ to W, and recovers a PHM operator exactly. \
               Karimi Mahabadi, Henderson and Ruder, \"Compacter\", NeurIPS 2021.",
        example: "seed(0); H = phm(4, 8, 12); (size(H), storage(H))",
        shows: "((8, 12), 84)",
        arity: (3, Some(3)),
        keywords: &["rank"],
        run: phm,
        device: Device::Cpu,
    },
    Builtin {
        name: "eva",
        signature: "eva(X, r, out)",
        summary: "EVA adapter from activations X (tokens×in): record (A r×in principal directions, B out×r zeros, explained)",
        help: "With X centred by its column means, X̄ = U Σ Vᵀ: A = V_rᵀ, B = zeros(out, r), explained = σᵢ²/Σσⱼ² of \
               every component, scikit-learn PCA's explained_variance_ratio_; each row of A has its largest-magnitude \
               entry positive (svd_flip, u_based_decision=False). PEFT fits an incremental PCA over batches until its \
               components settle (rho, tau); this is the PCA of all of X at once, and whiten is not offered. \
               Paischer et al., \"One Initialization to Rule them All: Explained Variance Adaptation\", 2024; PEFT's eva.",
        example: "X = [1, 0; 3, 0; 5, 0]; e = eva(X, 1, 2); (e.A, e.B, e.explained)",
        shows: "([1, 0], [0; 0], [1; 0])",
        arity: (3, Some(3)),
        keywords: &[],
        run: eva,
        device: Device::Cpu,
    },
    Builtin {
        name: "eva_ranks",
        signature: "eva_ranks(list_of_explained, budget)",
        summary: "EVA's ranks per layer: how many of each layer's ratios are among the budget largest of all",
        help: "Pools the explained-variance ratios of every layer and keeps the `budget` largest, as PEFT's \
               _get_rank_distribution; a layer's rank is its count (0 drops the adapter), and the ranks add up to \
               budget. Equal ratios go to the earlier layer. PEFT offers each layer round(r·rho) candidates: pass \
               e.explained[:k] to do the same.",
        example: "eva_ranks(list([0.5; 0.3; 0.2], [0.6; 0.25; 0.15]), 3)",
        shows: "list(2, 1)",
        arity: (2, Some(2)),
        keywords: &[],
        run: eva_ranks,
        device: Device::Cpu,
    },
    Builtin {
        name: "salt",
        signature: "salt(W, r, r_lora)",
        summary: "SALT parameters of W: record (U, S, V, scale, shift, X, Y) for salt_weight",
        help: "The thin SVD W = U diag(S) Vᵀ (k = min(m, n)), the scale a = 1 and shift b = 0 of the top r singular \
               values, and a LoRA pair X ((k−r)×r_lora, Kaiming-uniform ±1/√r_lora) and Y (r_lora×(k−r), zeros) for the \
               bottom block of Σ, so salt_weight gives W back at the start, as SALT's SAM2 variant initialises; the \
               SAM1 variant draws X and Y from N(0, 0.01²). Elsayed et al., \"SALT: Singular Value Adaptation with \
               Low-Rank Transformation\", 2025 (SALT.py).",
        example: "seed(0); W = randn(5, 4); p = salt(W, 2, 3); (size(p.X), size(p.Y), norm(salt_weight(p) - W) < 1e-12)",
        shows: "((2, 3), (3, 2), true)",
        arity: (3, Some(3)),
        keywords: &[],
        run: salt,
        device: Device::Cpu,
    },
    Builtin {
        name: "salt_weight",
        signature: "salt_weight(p)",
        summary: "SALT's weight U · relu(Σ′) · Vᵀ from the record salt gives",
        help: "Σ′ is diag(S) with its top r diagonal entries a ⊙ s + b and X Y added to its bottom (k−r)×(k−r) block; the \
               ReLU is entrywise, off-diagonal entries included, as SALT.py applies it. O(k²(m + n)).",
        example: "p = salt([3, 0; 0, 1], 1, 1); p.shift = [-4]; salt_weight(p)",
        shows: "2×2 matrix:\n 0  0\n 0  1",
        arity: (1, Some(1)),
        keywords: &[],
        run: salt_weight,
        device: Device::Cpu,
    },
    Builtin {
        name: "lqlora",
        signature: "lqlora(W, r, scheme=\"nf4\", iters=100, fisher=none, block=64, double=false, scale_bits=none, scale_dtype=\"fp32\", scale_block=256)",
        summary: "LQ-LoRA: W ≈ Q + L, quantized plus rank r, by alternating; record (Q, L, errors, A, B) with L = B*A",
        help: "From Q = 0: the rank-r factorisation L = B A of W − Q by the randomized SVD (min(r + 10, m, n) columns, 2 power \
               iterations, as torch.svd_lowrank; B = U√Σ, A = √Σ Vᵀ), then Q = quantize(W − L, scheme, block, …) with quantize's scale keywords, \
               at most `iters` times. fisher=F weighs the SVD by the two-sided row and column weights \
               w1 = √mean_j F, w2 = √mean_i F (then B ./= w1, A ./= w2) and the error by √F ⊙ (W − L − Q). The loop \
               stops when the error rises: errors lists every iteration's ‖√F ⊙ (W − L − Q)‖_F and may end with that \
               rise; Q and L are the iterate before it, the best, where the reference returns the worse one. The \
               reference quantizes with its blockwise NormalFloat, which scale_bits selects (a uniform second level \
               from the minimum); by default the scales are f32, as bitsandbytes stores them. A and B are the LoRA \
               pair to train on the frozen Q. \
               Ω is drawn from the session's stream. Cost O(mn(r + 10)) per iteration. Guo et al., \"LQ-LoRA\", \
               ICLR 2024 (lq_utils.py).",
        example: "seed(0); W = randn(32, 24); p = lqlora(W, 4); (size(p.A), size(p.B), norm(W - dense(p.Q) - dense(p.L)) < norm(W - dequantize(quantize(W, \"nf4\"))))",
        shows: "((4, 24), (32, 4), true)",
        arity: (2, Some(2)),
        keywords: &["scheme", "iters", "fisher", "block", "double", "scale_bits", "scale_dtype", "scale_block"],
        run: lqlora,
        device: Device::Cpu,
    },
    Builtin {
        name: "lqlora_budget",
        signature: "lqlora_budget(list_of_W, avg_bits, r=64, fisher=none)",
        summary: "LQ-LoRA's bit allocation: one quantization configuration per matrix under an average-bit budget, by ILP",
        help: "For every matrix and each of the reference's 432 configurations (NF2/3/4/8 codes; block 16, 32 or 64; \
               block scales on 2, 3, 4 or 8 bits in groups of 16, 64 or 256 with bf16, fp16 or fp32 maxima, as \
               quantize's scale_bits stores them), the cost ‖√F ⊙ (W − L − Q)‖² of its lqlora at rank r \
               (r=0: plain quantization) and the size bits(Q)·numel; then the choice of one configuration per matrix \
               minimising the total cost with the total size at most avg_bits times the total numel, solved to \
               proven optimality (microlp's branch and bound on each matrix's Pareto front, to its 1e-9 cost \
               tolerance); a configuration that cannot hold a matrix (fp16 overflow) is left out. fisher is a list of one Fisher matrix per W. \
               Returns a list of records (scheme, block, scale_bits, scale_dtype, scale_block, bits, error, Q, L), \
               L = B·A the rank-r part. The low-rank factors are not counted in the budget, as in the reference. \
               Unlike the reference, sizes count the 32-bit offset, a ragged block is allowed, the solver has no time \
               limit, and each L is the best iterate rather than the first worse one. Cost: 432 lqlora runs per \
               matrix, O(mn(r + 10)) per iteration, in parallel. Guo et al., \"LQ-LoRA\", ICLR 2024 \
               (allocation_utils.py, lq_utils.mip_solve).",
        example: "seed(0); ws = list(randn(16, 32), 0.1 * randn(32, 16)); a = lqlora_budget(ws, 3.5, r=2); (a[0].scheme, a[1].scheme, (a[0].bits + a[1].bits) * 512 <= 3.5 * 1024)",
        shows: "(\"nf4\", \"nf2\", true)",
        arity: (2, Some(2)),
        keywords: &["r", "fisher"],
        run: lqlora_budget,
        device: Device::Cpu,
    },
];
