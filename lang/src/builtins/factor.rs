//! Factorisations and subspaces of the numpy/MATLAB vocabulary (`pinv`,
//! `lstsq`, `lu`, `eig`, `cond`, `null`, `orth`, `solve_sylvester`), on the
//! stdlib's faer decompositions; Ctrl-C stops the long ones.

use super::{Args, Builtin, Device};
use crate::context::{long_shared, Ctx};
use crate::error::Result;
use crate::span::Span;
use crate::value::{record, Value};
use tessera::Matrix;

/// `m·n·min(m, n)`: the flops of one decomposition of an `m×n` matrix, roughly.
fn cubic(m: &Matrix) -> usize {
    m.rows().saturating_mul(m.cols()).saturating_mul(m.rows().min(m.cols()))
}

/// `work` on argument 0, stoppable when it is long.
fn on_matrix<T: Send + 'static>(
    ctx: &dyn Ctx,
    args: &Args,
    span: Span,
    work: impl FnOnce(&Matrix) -> tessera::Result<T> + Send + 'static,
) -> Result<T> {
    let m = args.matrix(0)?;
    long_shared(ctx, span, cubic(&m), [&m], |[m]| work(m))
}

fn pinv(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let a = args.matrix(0)?;
    let rtol = args.keyword_number("rtol", a.default_rtol())?;
    Ok(Value::matrix(on_matrix(ctx, &args, span, move |m| m.pinv(rtol))?))
}

fn lstsq(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (a, b) = (args.matrix(0)?, args.matrix(1)?);
    Ok(Value::matrix(long_shared(ctx, span, cubic(&a), [&a, &b], |[a, b]| a.lstsq(b))?))
}

fn lu(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let f = on_matrix(ctx, &args, span, |m| m.lu())?;
    Ok(Value::tuple(vec![Value::matrix(f.p), Value::matrix(f.l), Value::matrix(f.u)]))
}

fn eig(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let e = on_matrix(ctx, &args, span, |m| m.eig())?;
    if e.is_real() {
        return Ok(Value::tuple(vec![Value::matrix(Matrix::col(&e.values_re)), Value::matrix(e.vectors_re)]));
    }
    let parts = |re: Matrix, im: Matrix| record(vec![("re", Value::matrix(re)), ("im", Value::matrix(im))]);
    Ok(Value::tuple(vec![
        parts(Matrix::col(&e.values_re), Matrix::col(&e.values_im)),
        parts(e.vectors_re, e.vectors_im),
    ]))
}

fn cond(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(Value::Number(on_matrix(ctx, &args, span, |m| m.cond())?))
}

fn null(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(Value::matrix(on_matrix(ctx, &args, span, |m| m.null_space())?))
}

fn orth(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    Ok(Value::matrix(on_matrix(ctx, &args, span, |m| m.orth())?))
}

fn solve_sylvester(ctx: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (a, b, c) = (args.matrix(0)?, args.matrix(1)?, args.matrix(2)?);
    let size = a.rows().saturating_mul(b.rows()).saturating_pow(3);
    let x = long_shared(ctx, span, size, [&a, &b, &c], |[a, b, c]| Matrix::solve_sylvester(a, b, c))?;
    Ok(Value::matrix(x))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "pinv",
        signature: "pinv(A, rtol=)",
        summary: "the Moore–Penrose pseudo-inverse A⁺, n×m",
        help: "A⁺ = V diag(1/σᵢ) Uᵀ over the singular values σᵢ > rtol·σ₁, rtol = max(m, n)·ε by default \
               (numpy's pinv(A, rtol=), MATLAB's pinv). A A⁺ A = A, A⁺ A A⁺ = A⁺, and A A⁺, A⁺ A are symmetric. \
               One SVD (faer's), O(mn·min(m, n)).",
        example: "pinv([1, 2; 2, 4])",
        shows: "2×2 matrix:\n 0.04  0.08\n 0.08  0.16",
        arity: (1, Some(1)),
        keywords: &["rtol"],
        run: pinv,
        device: Device::Cpu,
    },
    Builtin {
        name: "lstsq",
        signature: "lstsq(A, b)",
        summary: "the minimum-norm least-squares solution x of A x ≈ b",
        help: "x = A⁺ b minimises ‖A x − b‖, and among minimisers ‖x‖ (numpy's lstsq(A, b, rcond=None)[0]: \
               singular values below max(m, n)·ε·σ₁ count as zero); Aᵀ(A x − b) = 0. One SVD, O(mn·min(m, n)).",
        example: "lstsq([1, 0; 1, 1; 1, 2], [1; 2; 4])",
        shows: "2×1 matrix:\n 0.83333\n 1.5",
        arity: (2, Some(2)),
        keywords: &[],
        run: lstsq,
        device: Device::Cpu,
    },
    Builtin {
        name: "lu",
        signature: "lu(A)",
        summary: "(P, L, U) with A = P * L * U: a permutation, unit lower and upper triangular factors",
        help: "Partial pivoting, any shape: P m×m, L m×k, U k×n, k = min(m, n) (scipy.linalg.lu; MATLAB's \
               [L, U, P] = lu(A) has A = Pᵀ L U). faer's LU, O(mn·min(m, n)).",
        example: "lu([1, 2; 3, 4])",
        shows: "([0, 1; 1, 0], [1.0, 0.0; 0.33333, 1.0], [3.0, 4.0; 0.0, 0.66667])",
        arity: (1, Some(1)),
        keywords: &[],
        run: lu,
        device: Device::Cpu,
    },
    Builtin {
        name: "eig",
        signature: "eig(A)",
        summary: "(values, vectors) of a general square matrix: A V = V diag(values), unit columns",
        help: "numpy's eig: real results are a column and a matrix; complex ones are records (re = , im = ) of \
               their real and imaginary parts. A symmetric A takes the symmetric solver (ascending, orthonormal; \
               eigh). faer's eigensolver, O(n³); the order of a non-symmetric spectrum is the solver's, as in numpy.",
        example: "eig([2, 0; 0, 3])",
        shows: "([2; 3], [1, 0; 0, 1])",
        arity: (1, Some(1)),
        keywords: &[],
        run: eig,
        device: Device::Cpu,
    },
    Builtin {
        name: "cond",
        signature: "cond(A)",
        summary: "the 2-norm condition number σ₁/σₖ (inf for a singular matrix)",
        help: "numpy's cond(A), MATLAB's cond: the ratio of the largest to the smallest singular value. One SVD.",
        example: "cond([1, 0; 0, 1e-3])",
        shows: "1000",
        arity: (1, Some(1)),
        keywords: &[],
        run: cond,
        device: Device::Cpu,
    },
    Builtin {
        name: "null",
        signature: "null(A)",
        summary: "an orthonormal basis of the null space {x : A x = 0}, as columns",
        help: "The right singular vectors past the numerical rank (σ > max(m, n)·ε·σ₁), as scipy.linalg.null_space \
               and MATLAB's null: A * null(A) ≈ 0 and null(A)' * null(A) = I. The full SVD, O(n²·m).",
        example: "null([1, 1])",
        shows: "2×1 matrix:\n -0.707107\n  0.707107",
        arity: (1, Some(1)),
        keywords: &[],
        run: null,
        device: Device::Cpu,
    },
    Builtin {
        name: "orth",
        signature: "orth(A)",
        summary: "an orthonormal basis of the range (column space) of A, as columns",
        help: "The left singular vectors up to the numerical rank (scipy.linalg.orth, MATLAB's orth). One SVD.",
        example: "size(orth([1, 2; 2, 4]))",
        shows: "(2, 1)",
        arity: (1, Some(1)),
        keywords: &[],
        run: orth,
        device: Device::Cpu,
    },
    Builtin {
        name: "solve_sylvester",
        signature: "solve_sylvester(A, B, C)",
        summary: "X with A X + X B = C, for square A (m×m) and B (n×n)",
        help: "scipy.linalg.solve_sylvester. Solved in the Kronecker form (Iₙ ⊗ A + Bᵀ ⊗ Iₘ) vec X = vec C by \
               faer's LU: O((mn)³) time and (mn)² memory, for mn up to a few thousand (Bartels–Stewart, O(m³ + n³), \
               needs a real Schur form that faer 0.24 does not export). Unique iff no eigenvalue of A is minus one of B; \
               otherwise a singular-matrix error.",
        example: "solve_sylvester([1, 0; 0, 2], [3], [4; 10])",
        shows: "2×1 matrix:\n 1\n 2",
        arity: (3, Some(3)),
        keywords: &[],
        run: solve_sylvester,
        device: Device::Cpu,
    },
];
