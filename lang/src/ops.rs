//! Operators on values: arithmetic, comparison, products, solves, Kronecker
//! products (`⊗`, kept structured) and direct sums (`⊕`, block-diagonal).

use crate::ast::{BinOp, UnOp};
use crate::error::{ErrorKind, LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::scalar::floored_mod;
use tessera::{c64, Matrix, Operator};

fn type_error(message: String) -> LangError {
    LangError::new(ErrorKind::Type, message, None)
}

/// Whether a value counts as true in `if`, `while`, `&&`, `||`.
pub fn truth(v: &Value) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(x) => Ok(*x != 0.0),
        Value::Matrix(m) | Value::Logical(m) if m.len() == 1 => Ok(m[(0, 0)] != 0.0),
        Value::Matrix(_) | Value::Logical(_) => Err(type_error(format!(
            "a {} {} is neither true nor false; ask any(...) or all(...)",
            to_matrix(v).expect("matrix-like").shape(),
            v.kind()
        ))),
        other => Err(type_error(format!("{} is neither true nor false (use a bool or a number)", other.a_kind()))),
    }
}

/// An integer-valued number (indices, sizes, range bounds).
pub fn integer(v: &Value, what: &str) -> Result<i64> {
    let x = match v {
        Value::Number(x) => *x,
        Value::Matrix(m) | Value::Logical(m) if m.len() == 1 => m[(0, 0)],
        Value::Bool(b) => f64::from(u8::from(*b)),
        other => return Err(type_error(format!("{what} must be an integer, got {}", other.a_kind()))),
    };
    if !crate::value::whole(x) {
        return Err(LangError::new(ErrorKind::Argument, format!("{what} must be an integer, got {x}"), None));
    }
    Ok(x as i64)
}

/// A value read as a dense matrix: numbers are 1×1, ranges row vectors,
/// operators their dense form (only where a caller asks for it explicitly).
pub fn to_matrix(v: &Value) -> Option<Rc<Matrix>> {
    match v {
        Value::Matrix(m) | Value::Logical(m) => Some(m.clone()),
        Value::Number(x) => Some(Rc::new(Matrix::scalar(*x))),
        Value::Bool(b) => Some(Rc::new(Matrix::scalar(f64::from(u8::from(*b))))),
        Value::Range(a, b) => Some(Rc::new(range_vector(*a, *b))),
        _ => None,
    }
}

/// A number (a bool counts as 0 or 1, a 1×1 matrix as its entry).
pub fn number(v: &Value, what: &str) -> Result<f64> {
    match v {
        Value::Number(x) => Ok(*x),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        Value::Matrix(m) | Value::Logical(m) if m.len() == 1 => Ok(m[(0, 0)]),
        other => Err(type_error(format!("{what} must be a number, got {}", other.a_kind()))),
    }
}

/// `a:s:b`, numpy's `arange(a, b, s)`: the `⌈(b − a)/s⌉` values `a + k·s`
/// (none when the step leads away from `b`), a lazy range when all three
/// are integers and the step is 1, else a row vector.
pub fn stepped_range(a: f64, s: f64, b: f64) -> Result<Value> {
    if s == 0.0 || !s.is_finite() || !a.is_finite() || !b.is_finite() {
        let what = if s == 0.0 {
            "a range's step cannot be 0".to_string()
        } else {
            format!("{a}:{s}:{b} is not a finite range")
        };
        return Err(LangError::new(ErrorKind::Argument, what, None));
    }
    let whole = |x: f64| x.fract() == 0.0 && x.abs() <= 9.0e15;
    if s == 1.0 && whole(a) && whole(b) {
        return Ok(Value::Range(a as i64, b as i64));
    }
    let n = ((b - a) / s).ceil().max(0.0);
    if n > 9.0e15 {
        return Err(LangError::new(ErrorKind::Argument, format!("{a}:{s}:{b} has too many values ({n})"), None));
    }
    let n = n as usize;
    tessera::memory::check(":", 1, n)?;
    Ok(Value::matrix(Matrix::from_fn(1, n, |_, k| a + k as f64 * s)))
}

/// The items a collection is walked by, in `for` and in `map`, `filter`,
/// `zip`: a list's or tuple's items, a range's or a vector's entries, a
/// matrix's rows (1×n each), a record's `(name, value)` pairs.
pub fn items(v: &Value) -> Result<Vec<Value>> {
    Ok(match v {
        Value::Range(a, b) => {
            let n = range_len(*a, *b);
            let what = format!("the {n} items of {a}:{b}");
            tessera::memory::check_buffer("range", &what, n as u128, std::mem::size_of::<Value>() as u128)?;
            (*a..*b).map(|i| Value::Number(i as f64)).collect()
        }
        // A logical matrix's items are truths, like its entries.
        Value::Logical(m) if m.is_vector() => m.to_row_major().into_iter().map(|x| Value::Bool(x != 0.0)).collect(),
        Value::Matrix(m) if m.is_vector() => m.to_row_major().into_iter().map(Value::Number).collect(),
        Value::Matrix(m) | Value::Logical(m) => {
            let all: Vec<usize> = (0..m.cols()).collect();
            let row = |i: usize| {
                let r = m.select(&[i], &all)?;
                Ok(if matches!(v, Value::Logical(_)) { Value::logical(r) } else { Value::matrix(r) })
            };
            (0..m.rows()).map(row).collect::<tessera::Result<_>>()?
        }
        Value::List(xs) | Value::Tuple(xs) => xs.to_vec(),
        Value::Record(r) => r.fields.iter().map(|(n, x)| Value::tuple(vec![Value::str(n), x.clone()])).collect(),
        other => return Err(type_error(format!("cannot loop over {}", other.a_kind()))),
    })
}

/// The length of the range `a:b`.
pub fn range_len(a: i64, b: i64) -> usize {
    b.saturating_sub(a).max(0) as usize
}

/// `a:b` as a `1×n` row vector (refused by the memory guard when it would
/// not fit, as every matrix is).
pub fn range_vector(a: i64, b: i64) -> Matrix {
    Matrix::from_fn(1, range_len(a, b), |_, j| (a + j as i64) as f64)
}

/// Unary `-` and `!`.
pub fn unary(op: UnOp, v: Value) -> Result<Value> {
    match (op, v) {
        (UnOp::Neg, Value::Number(x)) => Ok(Value::Number(-x)),
        (UnOp::Neg, Value::Complex(z)) => Ok(Value::Complex(-z)),
        (UnOp::Neg, Value::Operator(a)) => Ok(Value::Operator(Rc::new(Operator::scaled(-1.0, (*a).clone())))),
        (UnOp::Neg, v @ (Value::Matrix(_) | Value::Logical(_) | Value::Range(..))) => {
            Ok(Value::matrix(to_matrix(&v).expect("matrix-like").scale(-1.0)))
        }
        (op, Value::Gpu(g)) => crate::gpu::unary(op, &g),
        // `!A` of a matrix is entrywise: 1 where an entry is 0 (MATLAB's `~A`, numpy's `~M`).
        (UnOp::Not, v @ (Value::Matrix(_) | Value::Logical(_) | Value::Range(..))) => {
            Ok(Value::logical(to_matrix(&v).expect("matrix-like").map(|x| bit(x == 0.0))))
        }
        (UnOp::Not, v) => Ok(Value::Bool(!truth(&v)?)),
        (UnOp::Neg, other) => Err(type_error(format!("cannot negate {}", other.a_kind()))),
    }
}

/// Postfix `'`: the transpose (structure kept for operators).
pub fn transpose(v: Value) -> Result<Value> {
    match v {
        Value::Number(_) | Value::Complex(_) | Value::Bool(_) => Ok(v),
        Value::Operator(a) => Ok(Value::Operator(Rc::new(a.transpose()))),
        Value::Logical(m) => Ok(Value::logical(m.transpose())),
        Value::Gpu(g) => Ok(crate::gpu::value(g.transpose()?)),
        Value::GpuOperator(o) => Ok(Value::GpuOperator(Rc::new((o.0.transpose(), o.1.transpose()?)))),
        Value::Matrix(_) | Value::Range(..) => Ok(Value::matrix(to_matrix(&v).expect("matrix-like").transpose())),
        other => Err(type_error(format!("cannot transpose {}", other.a_kind()))),
    }
}

/// A value as an operator, for the structured operators `⊗`, `⊕` and mixed products.
fn as_operator(v: &Value) -> Option<Operator> {
    match v {
        Value::Operator(a) => Some((**a).clone()),
        other => to_matrix(other).map(|m| Operator::Dense((*m).clone())),
    }
}

/// Binary operators other than `&&` and `||` (which short-circuit in the evaluator).
pub fn binary(op: BinOp, a: Value, b: Value) -> Result<Value> {
    use BinOp::*;
    match (&a, &b) {
        (Value::Number(x), Value::Number(y)) => return scalar(op, *x, *y),
        // Number in, number out: a bool is 0 or 1 (`true + 1` is 2), as in numpy and Julia.
        (Value::Bool(_), Value::Number(_)) | (Value::Number(_), Value::Bool(_)) | (Value::Bool(_), Value::Bool(_))
            if !(matches!((&a, &b), (Value::Bool(_), Value::Bool(_))) && matches!(op, Eq | Ne)) =>
        {
            let bit = |v: &Value| number(v, "an operand").expect("a number or a bool");
            return scalar(op, bit(&a), bit(&b));
        }
        (Value::Complex(_), Value::Number(_) | Value::Complex(_)) | (Value::Number(_), Value::Complex(_)) => {
            return complex(op, as_complex(&a), as_complex(&b))
        }
        (Value::Str(x), Value::Str(y)) => {
            return match op {
                Add => Ok(Value::Str(Rc::from(format!("{x}{y}").as_str()))),
                Eq => Ok(Value::Bool(x == y)),
                Ne => Ok(Value::Bool(x != y)),
                _ => Err(unsupported(op, &a, &b)),
            }
        }
        (Value::Bool(x), Value::Bool(y)) if matches!(op, Eq | Ne) => return Ok(Value::Bool((x == y) == (op == Eq))),
        (Value::List(x), Value::List(y)) if op == Add => {
            return Ok(Value::List(Rc::new(x.iter().chain(y.iter()).cloned().collect())));
        }
        _ => {}
    }
    if matches!(a, Value::Gpu(_) | Value::GpuOperator(_)) || matches!(b, Value::Gpu(_) | Value::GpuOperator(_)) {
        return crate::gpu::binary(op, &a, &b);
    }
    if matches!(a, Value::Operator(_)) || matches!(b, Value::Operator(_)) || matches!(op, Kron | DirectSum) {
        return structured(op, &a, &b);
    }
    let (Some(x), Some(y)) = (to_matrix(&a), to_matrix(&b)) else {
        return Err(unsupported(op, &a, &b));
    };
    let scalar_of = |m: &Matrix| (m.len() == 1).then(|| m[(0, 0)]);
    let m = match op {
        Add => x.add(&y)?,
        Sub => x.sub(&y)?,
        ElemMul => x.mul_elem(&y)?,
        ElemDiv => x.div_elem(&y)?,
        ElemPow => x.pow_elem(&y)?,
        Mul => match (scalar_of(&x), scalar_of(&y)) {
            (Some(s), _) => y.scale(s),
            (_, Some(s)) => x.scale(s),
            // A 1×1 product (a row times a column) is a number, as in MATLAB.
            _ => match x.matmul(&y)? {
                p if p.len() == 1 && (x.len() > 1 || y.len() > 1) => return Ok(Value::Number(p[(0, 0)])),
                p => p,
            },
        },
        // Division by a scalar divides each entry (x·(1/s) is not always x/s).
        Div => match scalar_of(&y) {
            Some(s) => x.map(|v| v / s),
            // A / B = A B⁻¹, computed as (Bᵀ \ Aᵀ)ᵀ.
            None => y.transpose().solve(&x.transpose())?.transpose(),
        },
        LeftDiv => match scalar_of(&x) {
            Some(s) => y.map(|v| v / s),
            None => x.solve(&y)?,
        },
        Pow => match (scalar_of(&x), scalar_of(&y)) {
            (Some(s), Some(t)) => Matrix::scalar(s.powf(t)),
            (_, Some(t)) => matrix_power(&x, t)?,
            _ => return Err(type_error("`^` needs a scalar exponent; use `.^` for elementwise powers".into())),
        },
        Mod => x.zip_with(&y, "%", floored_mod)?,
        Eq | Ne | Lt | Le | Gt | Ge => {
            return Ok(Value::logical(x.zip_with(&y, op.symbol(), |p, q| bit(compare(op, p, q)))?));
        }
        And | Or | Kron | DirectSum => unreachable!("handled before"),
    };
    Ok(Value::matrix(m))
}

/// A truth value as the entry of a logical matrix.
fn bit(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// Whether `&&` and `||` combine a value entry by entry (a matrix that is not
/// 1×1) instead of short-circuiting on its truth.
pub fn entrywise_logic(v: &Value) -> bool {
    matches!(v, Value::Matrix(m) | Value::Logical(m) if m.len() != 1)
}

/// `a && b` and `a || b` entry by entry, with broadcasting (nan counts as
/// true, as any non-zero): a logical matrix
/// (numpy's `&` and `|` on boolean arrays, MATLAB's `&` and `|`).
pub fn logic(op: BinOp, a: &Value, b: &Value) -> Result<Value> {
    let side = |v: &Value| to_matrix(v).ok_or_else(|| unsupported(op, a, b));
    let (x, y) = (side(a)?, side(b)?);
    let both = |p: f64, q: f64| bit(if op == BinOp::And { p != 0.0 && q != 0.0 } else { p != 0.0 || q != 0.0 });
    Ok(Value::logical(x.zip_with(&y, op.symbol(), both)?))
}

fn unsupported(op: BinOp, a: &Value, b: &Value) -> LangError {
    type_error(format!("`{}` is not defined for {} and {}", op.symbol(), a.a_kind(), b.a_kind()))
}

fn compare(op: BinOp, x: f64, y: f64) -> bool {
    match op {
        BinOp::Eq => x == y,
        BinOp::Ne => x != y,
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        _ => unreachable!("comparison"),
    }
}

/// Arithmetic and comparison of two numbers, the interpreter's hot path
/// (`None` for the operators that need more than a number).
#[inline(always)]
pub fn scalar_fast(op: BinOp, x: f64, y: f64) -> Option<Value> {
    use BinOp::*;
    Some(match op {
        Add => Value::Number(x + y),
        Sub => Value::Number(x - y),
        Mul | ElemMul => Value::Number(x * y),
        Div | ElemDiv => Value::Number(x / y),
        Lt => Value::Bool(x < y),
        Le => Value::Bool(x <= y),
        Gt => Value::Bool(x > y),
        Ge => Value::Bool(x >= y),
        Eq => Value::Bool(x == y),
        Ne => Value::Bool(x != y),
        _ => return None,
    })
}

fn scalar(op: BinOp, x: f64, y: f64) -> Result<Value> {
    use BinOp::*;
    Ok(match op {
        Add => Value::Number(x + y),
        Sub => Value::Number(x - y),
        Mul | ElemMul => Value::Number(x * y),
        Div | ElemDiv => Value::Number(x / y),
        LeftDiv => Value::Number(y / x),
        Mod => Value::Number(floored_mod(x, y)),
        Pow | ElemPow => Value::Number(x.powf(y)),
        Eq | Ne | Lt | Le | Gt | Ge => Value::Bool(compare(op, x, y)),
        Kron => Value::Number(x * y),
        DirectSum => Value::matrix(Matrix::diagm(&Matrix::col(&[x, y]))?),
        And | Or => unreachable!("short-circuit operators"),
    })
}

fn as_complex(v: &Value) -> c64 {
    match v {
        Value::Complex(z) => *z,
        Value::Number(x) => c64::new(*x, 0.0),
        _ => unreachable!("complex operands"),
    }
}

/// Arithmetic on complex numbers; a result with zero imaginary part stays complex.
fn complex(op: BinOp, x: c64, y: c64) -> Result<Value> {
    use BinOp::*;
    Ok(match op {
        Add => Value::Complex(x + y),
        Sub => Value::Complex(x - y),
        Mul | ElemMul => Value::Complex(x * y),
        Div | ElemDiv => Value::Complex(x / y),
        LeftDiv => Value::Complex(y / x),
        Pow | ElemPow => Value::Complex(x.powc(y)),
        Eq => Value::Bool(x == y),
        Ne => Value::Bool(x != y),
        _ => return Err(type_error(format!("`{}` is not defined for complex numbers", op.symbol()))),
    })
}

/// `Aⁿ` for square `A` and integer `n` (negative: powers of `A⁻¹`), by repeated squaring.
fn matrix_power(a: &Matrix, t: f64) -> Result<Matrix> {
    if t.fract() != 0.0 || t.abs() > 1e9 {
        return Err(LangError::new(
            ErrorKind::Argument,
            format!("a matrix power needs an integer exponent, got {t}; use expm/logm for real powers"),
            None,
        ));
    }
    if !a.is_square() {
        return Err(tessera::Error::NotSquare { op: "^", shape: a.shape() }.into());
    }
    let mut base = if t < 0.0 { a.inv()? } else { a.clone() };
    let mut n = t.abs() as u64;
    let mut acc = Matrix::eye(a.rows());
    while n > 0 {
        if n & 1 == 1 {
            acc = acc.matmul(&base)?;
        }
        n >>= 1;
        if n > 0 {
            base = base.matmul(&base)?;
        }
    }
    Ok(acc)
}

/// Operators where at least one side is structured, and `⊗`/`⊕` on anything.
fn structured(op: BinOp, a: &Value, b: &Value) -> Result<Value> {
    use BinOp::*;
    // A + A = 2A and A − A = 0·A: a loop that doubles an operator keeps one
    // term instead of a sum that doubles with every step.
    if let (Add | Sub, Value::Operator(p), Value::Operator(q)) = (op, a, b) {
        if Rc::ptr_eq(p, q) {
            let s = if op == Add { 2.0 } else { 0.0 };
            return Ok(Value::Operator(Rc::new(Operator::scaled(s, (**p).clone()))));
        }
    }
    let number = |v: &Value| match v {
        Value::Number(x) => Some(*x),
        _ => None,
    };
    match (op, number(a), number(b)) {
        // A number times an operator, with `*` or `.*`, scales it; so does `/ s` or `./ s`.
        (Mul | ElemMul, Some(s), _) => return Ok(Value::Operator(Rc::new(Operator::scaled(s, as_op(b)?)))),
        (Mul | ElemMul | Div | ElemDiv, _, Some(s)) => {
            let s = if matches!(op, Div | ElemDiv) { 1.0 / s } else { s };
            return Ok(Value::Operator(Rc::new(Operator::scaled(s, as_op(a)?))));
        }
        _ => {}
    }
    // An operator with a dense matrix under `+ - .* ./ .^` is dense (SPEC v1):
    // the sum of a structure and an arbitrary matrix has no structure to keep.
    let one_dense = !matches!(a, Value::Operator(_)) || !matches!(b, Value::Operator(_));
    if matches!(op, ElemMul | ElemDiv | ElemPow) || (one_dense && matches!(op, Add | Sub)) {
        let dense = |v: &Value| -> Result<Value> {
            Ok(match v {
                Value::Operator(o) => Value::matrix(o.try_dense()?),
                other => other.clone(),
            })
        };
        return binary(op, dense(a)?, dense(b)?);
    }
    let (x, y) = (as_op(a)?, as_op(b)?);
    Ok(match op {
        Kron => Value::Operator(Rc::new(Operator::kron(vec![x, y])?)),
        DirectSum => Value::Operator(Rc::new(Operator::blockdiag(vec![x, y]))),
        Add => Value::operator(Operator::sum(x, y)?),
        Sub => Value::operator(Operator::sum(x, Operator::scaled(-1.0, y))?),
        // An operator times a dense matrix applies the operator; two operators make a product.
        Mul => match (a, b) {
            (Value::Operator(op), _) if !matches!(b, Value::Operator(_)) => {
                Value::matrix(op.apply(&to_matrix(b).expect("matrix-like"))?)
            }
            (_, Value::Operator(op)) if !matches!(a, Value::Operator(_)) => {
                Value::matrix(op.apply_transpose(&to_matrix(a).expect("matrix-like").transpose())?.transpose())
            }
            _ => Value::Operator(Rc::new(Operator::product(x, y)?)),
        },
        LeftDiv => Value::matrix(x.solve(&y.dense())?),
        _ => return Err(unsupported(op, a, b)),
    })
}

fn as_op(v: &Value) -> Result<Operator> {
    as_operator(v).ok_or_else(|| type_error(format!("{} is not a matrix or an operator", v.a_kind())))
}

/// Builds a matrix literal from rows of values: numbers and blocks
/// concatenate (`[A, b; c', d]`), as in MATLAB.
pub fn matrix_literal(rows: Vec<Vec<(Value, Span)>>) -> Result<Value> {
    // Truths alone (bools and logical matrices) make a logical matrix.
    let entries = || rows.iter().flatten().map(|(v, _)| v);
    let truths = entries().next().is_some() && entries().all(|v| matches!(v, Value::Bool(_) | Value::Logical(_)));
    let mut row_blocks = Vec::with_capacity(rows.len());
    for row in rows {
        let mut parts = Vec::with_capacity(row.len());
        for (v, span) in row {
            let m = to_matrix(&v)
                .ok_or_else(|| LangError::type_error(format!("{} cannot be an entry of a matrix", v.a_kind()), span))?;
            parts.push((m, span));
        }
        let refs: Vec<&Matrix> = parts.iter().map(|(m, _)| &**m).collect();
        let joined = Matrix::hcat(&refs).map_err(|e| {
            let span = parts.iter().map(|(_, s)| *s).reduce(Span::to).unwrap_or_default();
            LangError::from(e).at(span)
        })?;
        row_blocks.push(joined);
    }
    let refs: Vec<&Matrix> = row_blocks.iter().collect();
    let m = Matrix::vcat(&refs)?;
    Ok(if truths { Value::logical(m) } else { Value::matrix(m) })
}
