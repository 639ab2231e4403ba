//! Linear algebra on dense matrices and structured operators alike: each
//! builtin takes the operator's structure-aware path when given an operator.

use super::{as_matrix, Args, Builtin, Device};
use crate::context::{long_shared, Ctx};
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::{c64, Matrix, Operator};

/// The first argument: `Err(matrix)` for a dense one, `Ok(operator)` for a structured one.
fn subject(args: &Args) -> Result<std::result::Result<Rc<Operator>, Rc<Matrix>>> {
    let (v, span) = args.get(0);
    Ok(match v {
        Value::Operator(op) => Ok(op.clone()),
        other => Err(as_matrix(other, span)?),
    })
}

fn column(values: Vec<f64>) -> Value {
    Value::matrix(Matrix::col(&values))
}

/// Real eigenvalues as a column; complex ones as a list of complex numbers.
fn spectrum(values: Vec<c64>) -> Value {
    if values.iter().all(|z| z.im == 0.0) {
        return column(values.iter().map(|z| z.re).collect());
    }
    Value::List(Rc::new(values.into_iter().map(Value::Complex).collect()))
}

fn transpose(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    crate::ops::transpose(args.get(0).0.clone())
}

/// The cubic cost (multiply-adds) of a decomposition of an `m×n` matrix: `m·n·min(m, n)`.
fn cubic(shape: tessera::Shape) -> usize {
    shape.0.saturating_mul(shape.1).saturating_mul(shape.0.min(shape.1))
}

/// `dense(A)` or `structured(A)` on the first argument, where Ctrl-C stops it
/// when it is long ([`long_shared`]; the cost is bounded by the dense one's).
fn on_subject<T: Send + 'static>(
    ctx: &dyn Ctx,
    args: &Args,
    span: Span,
    dense: impl FnOnce(&Matrix) -> tessera::Result<T> + Send + 'static,
    structured: impl FnOnce(&Operator) -> tessera::Result<T> + Send + 'static,
) -> Result<T> {
    match subject(args)? {
        Ok(op) => long_shared(ctx, span, cubic(op.shape()), [&op], |[op]| structured(op)),
        Err(m) => long_shared(ctx, span, cubic(m.shape()), [&m], |[m]| dense(m)),
    }
}

/// What a decomposition forms: a dense matrix or a structured operator.
enum Formed {
    Dense(Matrix),
    Structured(Operator),
}

impl From<Formed> for Value {
    fn from(s: Formed) -> Value {
        match s {
            Formed::Dense(m) => Value::matrix(m),
            Formed::Structured(op) => Value::operator(op),
        }
    }
}

fn inv(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let dense = |m: &Matrix| m.inv().map(Formed::Dense);
    Ok(on_subject(ctx, &args, span, dense, |op| op.inverse().map(Formed::Structured))?.into())
}

fn det(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(Value::Number(on_subject(ctx, &args, span, |m| m.det(), |op| op.det())?))
}

fn logdet(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(Value::Number(on_subject(ctx, &args, span, |m| m.logdet(), |op| op.logdet())?))
}

fn trace(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(match subject(&args)? {
        Ok(op) => op.trace()?,
        Err(m) => m.trace()?,
    }))
}

fn rank(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let s = match subject(&args)? {
        Ok(op) => op.svdvals()?,
        Err(m) => return Ok(Value::Number(m.rank()? as f64)),
    };
    let (m, n) = (args.operator(0)?.shape().0, args.operator(0)?.shape().1);
    let tol = m.max(n) as f64 * f64::EPSILON * s.first().copied().unwrap_or(0.0);
    Ok(Value::Number(s.iter().filter(|&&x| x > tol).count() as f64))
}

/// `norm(G)` of a gpu matrix: ‖G‖_F = √Σ gᵢⱼ², summed on the device; one number comes back.
fn norm_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    match (args.get(0), args.opt(1)) {
        ((Value::Gpu(g), _), None) => Ok(Value::Number(crate::gpu::number(&g.total(true)?)?.sqrt())),
        ((Value::Gpu(_), _), Some((_, s))) => Err(LangError::argument("the gpu computes the Frobenius norm only", s)
            .with_hint("norm(cpu(x), p) for another norm")),
        ((v, s), _) => Err(LangError::type_error(format!("expected a gpu matrix, got {}", v.a_kind()), s)),
    }
}

fn norm(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let p = match args.opt(1) {
        Some((Value::Str(name), s)) => match &**name {
            "fro" => None,
            "nuc" => return nuclear(&args),
            other => {
                return Err(LangError::argument(format!("norm has no kind \"{other}\""), s)
                    .with_hint("the kinds: 1, 2, inf, \"fro\" (the default) and \"nuc\""))
            }
        },
        Some((v, s)) => Some(super::as_number(v, s)?),
        None => None,
    };
    Ok(Value::Number(match (subject(&args)?, p) {
        (Err(m), None) => m.norm_fro(),
        (Err(m), Some(p)) => m.norm_p(p)?,
        // ‖A‖_F² = Σ σᵢ², ‖A‖₂ = σ₁: through the structure's singular values.
        (Ok(op), None) => op.svdvals()?.iter().map(|s| s * s).sum::<f64>().sqrt(),
        (Ok(op), Some(2.0)) => op.svdvals()?.first().copied().unwrap_or(0.0),
        (Ok(op), Some(p)) => op.try_dense()?.norm_p(p)?,
    }))
}

/// `norm(A, "nuc")`: Σ σᵢ, through an operator's structure where it has one.
fn nuclear(args: &Args) -> Result<Value> {
    Ok(Value::Number(match subject(args)? {
        Err(m) => m.norm_nuclear()?,
        Ok(op) => op.svdvals()?.iter().sum(),
    }))
}

fn solve(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let b = args.matrix(1)?;
    Ok(Value::matrix(match subject(&args)? {
        Ok(op) => {
            let b = (*b).clone();
            long_shared(ctx, span, cubic(op.shape()), [&op], move |[op]| op.solve(&b))?
        }
        Err(m) => long_shared(ctx, span, cubic(m.shape()), [&m, &b], |[m, b]| m.solve(b))?,
    }))
}

fn chol(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let dense = |m: &Matrix| m.chol().map(Formed::Dense);
    Ok(on_subject(ctx, &args, span, dense, |op| op.chol().map(Formed::Structured))?.into())
}

fn qr(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let m = args.matrix(0)?;
    let d = long_shared(ctx, span, cubic(m.shape()), [&m], |[m]| m.qr())?;
    Ok(Value::tuple(vec![Value::matrix(d.q), Value::matrix(d.r)]))
}

fn svd(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let m = dense_of(&args)?;
    let d = long_shared(ctx, span, cubic(m.shape()), [&m], |[m]| m.svd())?;
    Ok(Value::tuple(vec![Value::matrix(d.u), column(d.s), Value::matrix(d.v)]))
}

fn svdvals(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(column(on_subject(ctx, &args, span, |m| m.svdvals(), |op| op.svdvals())?))
}

fn eigh(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let dense = |m: &Matrix| m.eigh().map(|e| (e.values, Formed::Dense(e.vectors)));
    let structured = |op: &Operator| op.eigh().map(|e| (e.values, Formed::Structured(e.vectors)));
    let (values, vectors) = on_subject(ctx, &args, span, dense, structured)?;
    Ok(Value::tuple(vec![column(values), vectors.into()]))
}

fn eigvals(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(spectrum(on_subject(ctx, &args, span, |m| m.eigvals(), |op| op.eigvals())?))
}

fn expm(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let dense = |m: &Matrix| m.expm().map(Formed::Dense);
    Ok(on_subject(ctx, &args, span, dense, |op| op.expm().map(Formed::Structured))?.into())
}

/// The dense matrix of the first argument (operators are formed).
fn dense_of(args: &Args) -> Result<Rc<Matrix>> {
    Ok(match subject(args)? {
        Ok(op) => Rc::new(op.try_dense()?),
        Err(m) => m,
    })
}

fn logm(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let m = dense_of(&args)?;
    Ok(Value::matrix(long_shared(ctx, span, cubic(m.shape()), [&m], |[m]| m.logm())?))
}

fn sqrtm(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let m = dense_of(&args)?;
    Ok(Value::matrix(long_shared(ctx, span, cubic(m.shape()), [&m], |[m]| m.sqrtm())?))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "transpose",
        signature: "transpose(A)",
        summary: "Aᵀ (also A'); operators keep their structure",
        help: "(Aᵀ)ᵢⱼ = Aⱼᵢ; (A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ.",
        example: "transpose([1, 2; 3, 4])",
        shows: "2×2 matrix:\n 1  3\n 2  4",
        arity: (1, Some(1)),
        keywords: &[],
        run: transpose,
        device: Device::Gpu(transpose),
    },
    Builtin {
        name: "inv",
        signature: "inv(A)",
        summary: "A⁻¹; for an operator, an operator of the same structure where one exists",
        help: "Dense: LU with partial pivoting (2n³ flops); refuses numerically singular matrices. \
               (A ⊗ B)⁻¹ = A⁻¹ ⊗ B⁻¹; blockwise for block-diagonal; Woodbury for diagonal plus low rank.",
        example: "inv([2, 1; 1, 3])",
        shows: "2×2 matrix:\n  0.6  -0.2\n -0.2   0.4",
        arity: (1, Some(1)),
        keywords: &[],
        run: inv,
        device: Device::Cpu,
    },
    Builtin {
        name: "det",
        signature: "det(A)",
        summary: "the determinant, through the structure for operators",
        help: "Dense: ± Π Uᵢᵢ of the LU factors. det(A ⊗ B) = det(A)^m det(B)^n (A n×n, B m×m); \
               det(A ⊕ B) = Π(λᵢ + μⱼ) for the Kronecker sum; blockwise products; Monarch det L · det R.",
        example: "det([1, 2; 3, 4])",
        shows: "-2",
        arity: (1, Some(1)),
        keywords: &[],
        run: det,
        device: Device::Cpu,
    },
    Builtin {
        name: "logdet",
        signature: "logdet(A)",
        summary: "log det A (an error when det A ≤ 0), through the structure for operators",
        help: "Σ log|Uᵢᵢ| of the LU factors; log det(A ⊗ B) = m log det A + n log det B.",
        example: "logdet(eye(3) * 2)",
        shows: "2.0794415416798357",
        arity: (1, Some(1)),
        keywords: &[],
        run: logdet,
        device: Device::Cpu,
    },
    Builtin {
        name: "trace",
        signature: "trace(A)",
        summary: "Σ Aᵢᵢ, through the structure for operators",
        help: "tr(A ⊗ B) = tr A · tr B; tr(A ⊕ B) = m tr A + n tr B.",
        example: "trace([1, 2; 3, 4])",
        shows: "5",
        arity: (1, Some(1)),
        keywords: &[],
        run: trace,
        device: Device::Cpu,
    },
    Builtin {
        name: "rank",
        signature: "rank(A)",
        summary: "the numerical rank: singular values above max(m, n)·ε·σ₁ (numpy's matrix_rank)",
        help: "Counts σᵢ > max(m, n) ε σ₁.",
        example: "rank([1, 2; 2, 4])",
        shows: "1",
        arity: (1, Some(1)),
        keywords: &[],
        run: rank,
        device: Device::Cpu,
    },
    Builtin {
        name: "norm",
        signature: "norm(A, p)",
        summary: "the Frobenius norm, or the 1-, 2-, ∞- or nuclear norm (vector norms for vectors)",
        help: "‖A‖_F = √Σaᵢⱼ² (also norm(A, \"fro\")); ‖A‖₁ = max column sum; ‖A‖₂ = σ₁; ‖A‖∞ = max row sum; \
               norm(A, \"nuc\") = Σσᵢ (numpy's). For a vector: Σ|xᵢ|, √Σxᵢ², max|xᵢ| (MATLAB's convention).",
        example: "norm([3, 4])",
        shows: "5",
        arity: (1, Some(2)),
        keywords: &[],
        run: norm,
        device: Device::Gpu(norm_gpu),
    },
    Builtin {
        name: "solve",
        signature: "solve(A, b)",
        summary: "x with A x = b (also A \\ b), through the structure for operators",
        help:
            "Dense: LU with partial pivoting (⅔n³ flops). Block-diagonal: blockwise; Kronecker: factor-wise inverses.",
        example: "solve([2, 0; 0, 4], [2; 4])",
        shows: "2×1 matrix:\n 1\n 1",
        arity: (2, Some(2)),
        keywords: &[],
        run: solve,
        device: Device::Cpu,
    },
    Builtin {
        name: "chol",
        signature: "chol(A)",
        summary: "the lower-triangular L with A = L Lᵀ (A symmetric positive definite)",
        help: "⅓n³ flops; chol(A ⊗ B) = chol A ⊗ chol B; blockwise for block-diagonal.",
        example: "chol([4, 2; 2, 3])",
        shows: "2×2 matrix:\n 2.0  0.0\n 1.0  1.41421",
        arity: (1, Some(1)),
        keywords: &[],
        run: chol,
        device: Device::Cpu,
    },
    Builtin {
        name: "qr",
        signature: "qr(A)",
        summary: "(Q, R), reduced: A = Q R with orthonormal columns in Q and R upper triangular",
        help: "Householder reflections, 2mn² − ⅔n³ flops.",
        example: "A = [1, 2; 3, 4]; (Q, R) = qr(A); (norm(Q * R - A) < 1e-12, norm(Q' * Q - eye(2)) < 1e-12, R[1, 0])",
        shows: "(true, true, 0)",
        arity: (1, Some(1)),
        keywords: &[],
        run: qr,
        device: Device::Cpu,
    },
    Builtin {
        name: "svd",
        signature: "svd(A)",
        summary: "(U, S, V), thin, with A = U * diagm(S) * V' and S descending",
        help: "Bidiagonalisation and divide and conquer (faer).",
        example:
            "A = [1, 2; 3, 4]; (U, S, V) = svd(A); (norm(U * diagm(S) * V' - A) < 1e-12, norm(U' * U - eye(2)) < 1e-12)",
        shows: "(true, true)",
        arity: (1, Some(1)),
        keywords: &[],
        run: svd,
        device: Device::Cpu,
    },
    Builtin {
        name: "svdvals",
        signature: "svdvals(A)",
        summary: "the singular values, descending, through the structure for operators",
        help: "σ(A ⊗ B) = {σᵢ(A) τⱼ(B)}; σ(U Vᵀ) from the k×k core R_U R_Vᵀ.",
        example: "svdvals([3, 0; 0, 4])",
        shows: "2×1 matrix:\n 4\n 3",
        arity: (1, Some(1)),
        keywords: &[],
        run: svdvals,
        device: Device::Cpu,
    },
    Builtin {
        name: "eigh",
        signature: "eigh(A)",
        summary: "(values, vectors) of a symmetric matrix, values ascending",
        help: "A = V diag(λ) Vᵀ. For A ⊗ B the vectors stay a Kronecker product (times a sorting permutation).",
        example: "(vals, vecs) = eigh([2, 1; 1, 2]); vals",
        shows: "2×1 matrix:\n 1\n 3",
        arity: (1, Some(1)),
        keywords: &[],
        run: eigh,
        device: Device::Cpu,
    },
    Builtin {
        name: "eigvals",
        signature: "eigvals(A)",
        summary: "the eigenvalues (a column when real, else a list of complex numbers)",
        help: "Hessenberg QR (faer). λ(A ⊗ B) = {λᵢ μⱼ}, λ(A ⊕ B) = {λᵢ + μⱼ} for the Kronecker sum.",
        example: "eigvals([0, -1; 1, 0])",
        shows: "list(0 + 1im, 0 - 1im)",
        arity: (1, Some(1)),
        keywords: &[],
        run: eigvals,
        device: Device::Cpu,
    },
    Builtin {
        name: "expm",
        signature: "expm(A)",
        summary: "the matrix exponential",
        help: "Scaling and squaring with Padé approximants (Higham, SIAM J. Matrix Anal. Appl. 26, 2005); \
               V exp(Λ) Vᵀ for symmetric A; exp(A ⊕ B) = exp A ⊗ exp B.",
        example: "expm([0, 1; -1, 0])",
        shows: "2×2 matrix:\n  0.540302  0.841471\n -0.841471  0.540302",
        arity: (1, Some(1)),
        keywords: &[],
        run: expm,
        device: Device::Cpu,
    },
    Builtin {
        name: "logm",
        signature: "logm(A)",
        summary: "the principal matrix logarithm (real; an error when it is not real)",
        help: "Symmetric: V log(Λ) Vᵀ. Otherwise inverse scaling and squaring with the Denman–Beavers \
               square root (Higham, Functions of Matrices, 2008, ch. 11).",
        example: "A = [0, 1; -1, 0]; norm(logm(expm(A)) - A) < 1e-12",
        shows: "true",
        arity: (1, Some(1)),
        keywords: &[],
        run: logm,
        device: Device::Cpu,
    },
    Builtin {
        name: "sqrtm",
        signature: "sqrtm(A)",
        summary: "the principal matrix square root (real; an error when it is not real)",
        help: "Symmetric: V √Λ Vᵀ. Otherwise the scaled Denman–Beavers iteration \
               (Denman and Beavers 1976; Higham 2008, §6.3).",
        example: "sqrtm([4, 0; 0, 9])",
        shows: "2×2 matrix:\n 2  0\n 0  3",
        arity: (1, Some(1)),
        keywords: &[],
        run: sqrtm,
        device: Device::Cpu,
    },
];
