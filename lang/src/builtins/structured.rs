//! Structured operators: `kron`, `kronsum`, `blockdiag`, `monarch`,
//! `monarch_project`, `lowrank`, `perm`, `dense`, `storage`.

use super::{as_operator, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::ops::integer;
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::{Monarch, Operator};

fn all_operators(args: &Args) -> Result<Vec<Operator>> {
    args.positional().map(|(v, s)| as_operator(v, s)).collect()
}

fn kron(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Operator(Rc::new(Operator::kron(all_operators(&args)?)?)))
}

fn kronsum(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Operator(Rc::new(Operator::kronsum(args.operator(0)?, args.operator(1)?)?)))
}

fn blockdiag(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Operator(Rc::new(Operator::blockdiag(all_operators(&args)?))))
}

fn monarch(ctx: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let m = Monarch::random(args.size(0)?, args.size(1)?, &mut ctx.state().rng)?;
    Ok(Value::Operator(Rc::new(Operator::Monarch(m))))
}

fn monarch_project(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let m = Monarch::project(&*args.matrix(0)?, args.size(1)?)?;
    Ok(Value::Operator(Rc::new(Operator::Monarch(m))))
}

fn lowrank(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (u, v) = (args.matrix(0)?, args.matrix(1)?);
    Ok(Value::Operator(Rc::new(Operator::lowrank((*u).clone(), (*v).clone())?)))
}

fn perm(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (v, span) = args.get(0);
    let m = super::as_matrix(v, span)?;
    let mut p = Vec::with_capacity(m.len());
    for x in m.vector_values("perm")? {
        let i = integer(&Value::Number(x), "a permutation index").map_err(|e| e.at(span))?;
        p.push(usize::try_from(i).map_err(|_| LangError::argument(format!("{i} is not an index"), span))?);
    }
    Ok(Value::Operator(Rc::new(Operator::permutation(p)?)))
}

fn dense(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(args.operator(0)?.try_dense()?))
}

/// `dense(op)` of a gpu operator: formed on the device.
pub(super) fn dense_gpu(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let o = gpu_operator(&args)?;
    let s = o.1.shape();
    super::check_allocation(s.0, s.1, span)?;
    Ok(crate::gpu::value(o.1.dense()?))
}

fn storage(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(args.operator(0)?.storage() as f64))
}

fn storage_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(gpu_operator(&args)?.1.storage() as f64))
}

/// The first argument as a gpu operator.
fn gpu_operator(args: &Args) -> Result<&(tessera::Operator, tessera::device::GpuOperator)> {
    match args.get(0) {
        (Value::GpuOperator(o), _) => Ok(o),
        (v, s) => Err(LangError::type_error(format!("expected a gpu operator, got {}", v.a_kind()), s)
            .with_hint("gpu(op) moves a Kronecker, block-diagonal, Monarch or quantized operator")),
    }
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "kron",
        signature: "kron(A, B, ...)",
        summary: "the Kronecker product A ⊗ B ⊗ … as a structured operator (never formed)",
        help: "(A ⊗ B)[(i,k),(j,l)] = Aᵢⱼ Bₖₗ; applied by the vec-trick (A ⊗ B) vec(X) = vec(A X Bᵀ) \
               with row-major vec. Van Loan, \"The ubiquitous Kronecker product\", J. Comput. Appl. Math. 123 (2000).",
        example: "K = kron(eye(2), [1, 2; 3, 4]); K * [1; 1; 1; 1]",
        shows: "4×1 matrix:\n 3\n 7\n 3\n 7",
        arity: (1, None),
        keywords: &[],
        run: kron,
        device: Device::Cpu,
    },
    Builtin {
        name: "kronsum",
        signature: "kronsum(A, B)",
        summary: "the Kronecker sum A ⊗ I + I ⊗ B (square A, B) as a structured operator",
        help: "Eigenvalues λᵢ(A) + μⱼ(B); exp(kronsum(A, B)) = exp(A) ⊗ exp(B). \
               Horn and Johnson, Topics in Matrix Analysis, §4.4.",
        example: "eigvals(kronsum([1, 0; 0, 2], [10, 0; 0, 20]))",
        shows: "4×1 matrix:\n 11\n 21\n 12\n 22",
        arity: (2, Some(2)),
        keywords: &[],
        run: kronsum,
        device: Device::Cpu,
    },
    Builtin {
        name: "blockdiag",
        signature: "blockdiag(A, B, ...)",
        summary: "the block-diagonal operator with blocks A, B, … (also A ⊕ B); blocks may be ragged",
        help: "det, inverse, solve, eigenvalues and singular values work block by block.",
        example: "det(blockdiag([2, 0; 0, 3], 4))",
        shows: "24",
        arity: (0, None),
        keywords: &[],
        run: blockdiag,
        device: Device::Cpu,
    },
    Builtin {
        name: "monarch",
        signature: "monarch(n, nblocks)",
        summary: "a random n×n Monarch matrix Pᵀ L P R with nblocks blocks in R",
        help: "R: nblocks blocks of s×s (s = n/nblocks), L: s blocks of nblocks×nblocks, entries N(0, 1/size); \
               applies in O(n (nblocks + s)). Dao et al., \"Monarch: Expressive Structured Matrices for \
               Efficient and Accurate Training\", ICML 2022.",
        example: "seed(0); M = monarch(16, 4); storage(M)",
        shows: "128",
        arity: (2, Some(2)),
        keywords: &[],
        run: monarch,
        device: Device::Cpu,
    },
    Builtin {
        name: "monarch_project",
        signature: "monarch_project(W, nblocks)",
        summary: "the Monarch matrix nearest to W in Frobenius norm",
        help: "One leading singular pair per nblocks×s slice of W (Dao et al., ICML 2022, Theorem 1).",
        example: "seed(0); W = randn(8, 8); M = monarch_project(W, 2); norm(W - dense(M)) < norm(W)",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &[],
        run: monarch_project,
        device: Device::Cpu,
    },
    Builtin {
        name: "lowrank",
        signature: "lowrank(U, V)",
        summary: "the low-rank operator U V' (U m×k, V n×k)",
        help: "Applies in O((m + n) k); adding a diagonal gives D + U Vᵀ, inverted by Woodbury.",
        example: "L = lowrank([1; 2], [3; 4]); dense(L)",
        shows: "2×2 matrix:\n 3  4\n 6  8",
        arity: (2, Some(2)),
        keywords: &[],
        run: lowrank,
        device: Device::Cpu,
    },
    Builtin {
        name: "perm",
        signature: "perm(p)",
        summary: "the permutation matrix P with (P x)ᵢ = x[p[i]] (p a 0-based index vector)",
        help: "P = eye(n)[p, :]; P⁻¹ = Pᵀ; det P = ±1 by the parity of p.",
        example: "perm([2, 0, 1]) * [10; 20; 30]",
        shows: "3×1 matrix:\n 30\n 10\n 20",
        arity: (1, Some(1)),
        keywords: &[],
        run: perm,
        device: Device::Cpu,
    },
    Builtin {
        name: "dense",
        signature: "dense(op)",
        summary: "the dense matrix of an operator",
        help: "Forms all m·n entries (one apply of the operator to the identity).",
        example: "dense(kron([1, 2], [1; 1]))",
        shows: "2×2 matrix:\n 1  2\n 1  2",
        arity: (1, Some(1)),
        keywords: &[],
        run: dense,
        device: Device::Gpu(dense_gpu),
    },
    Builtin {
        name: "storage",
        signature: "storage(op)",
        summary: "how many numbers an operator stores (m·n for a dense matrix)",
        help: "Σ of the factors' storage for ⊗ and ⊕; b s² + s b² for a Monarch matrix.",
        example: "storage(kron(eye(2), eye(4)))",
        shows: "20",
        arity: (1, Some(1)),
        keywords: &[],
        run: storage,
        device: Device::Gpu(storage_gpu),
    },
];
