//! Device values in the language: `gpu(A)` moves a matrix to the GPU, `cpu(A)`
//! brings it back, and operators on GPU matrices run on the device and give
//! GPU matrices. Numbers mix freely with either; a GPU matrix and a CPU
//! matrix do not mix (as in PyTorch): the error says which to move. Full
//! reductions (`sum(G)`, `norm(G)`) return numbers, the one read-back they
//! need; display reads back only the entries it prints.

use crate::ast::{BinOp, UnOp};
use crate::error::{ErrorKind, LangError, Result};
use crate::value::Value;
use std::rc::Rc;
use tessera::device::{Binary, GpuMatrix, GpuOperator, Precision, Unary};
use tessera::{Matrix, Operator};

pub fn value(g: GpuMatrix) -> Value {
    Value::Gpu(Rc::new(g))
}

/// `m` on the device in `precision` (default: f64 where the device has it).
pub fn upload(m: &Matrix, precision: Option<Precision>) -> Result<Value> {
    let gpu = tessera::device::Gpu::get()?;
    Ok(value(GpuMatrix::upload(m, precision.unwrap_or_else(|| gpu.default_precision()))?))
}

/// A structured operator with its factors on the device.
pub fn upload_operator(op: Operator, precision: Option<Precision>) -> Result<Value> {
    let gpu = tessera::device::Gpu::get()?;
    let device = GpuOperator::upload(&op, precision.unwrap_or_else(|| gpu.default_precision()))?;
    Ok(Value::GpuOperator(Rc::new((op, device))))
}

fn mixed(op: &str) -> LangError {
    LangError::new(ErrorKind::Type, format!("`{op}` mixes a gpu matrix and a cpu matrix"), None)
        .with_hint("move one of them: gpu(x) or cpu(x)")
}

fn binary_op(op: BinOp) -> Option<Binary> {
    Some(match op {
        BinOp::Add => Binary::Add,
        BinOp::Sub => Binary::Sub,
        BinOp::ElemMul => Binary::Mul,
        BinOp::ElemDiv => Binary::Div,
        BinOp::ElemPow => Binary::Pow,
        BinOp::Eq => Binary::Eq,
        BinOp::Ne => Binary::Ne,
        BinOp::Lt => Binary::Lt,
        BinOp::Le => Binary::Le,
        BinOp::Gt => Binary::Gt,
        BinOp::Ge => Binary::Ge,
        _ => return None,
    })
}

/// `a op b` where at least one side is a GPU matrix.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value> {
    let unsupported = || {
        LangError::new(ErrorKind::Type, format!("`{}` is not available for gpu matrices yet", op.symbol()), None)
            .with_hint("bring the matrix back with cpu(x)")
    };
    let out = match (a, b) {
        (Value::GpuOperator(o), Value::Gpu(x)) if op == BinOp::Mul => o.1.apply(x)?,
        (Value::GpuOperator(_), Value::Matrix(_) | Value::Logical(_) | Value::Range(..)) if op == BinOp::Mul => {
            return Err(mixed("*"))
        }
        (Value::GpuOperator(_), _) | (_, Value::GpuOperator(_)) => return Err(unsupported()),
        (Value::Gpu(x), Value::Gpu(y)) => match op {
            BinOp::Mul if x.len() == 1 || y.len() == 1 => x.zip(y, Binary::Mul, "*")?,
            BinOp::Mul => x.matmul(y)?,
            BinOp::Div if y.len() == 1 => x.zip(y, Binary::Div, "/")?,
            _ => x.zip(y, binary_op(op).ok_or_else(unsupported)?, op.symbol())?,
        },
        (Value::Gpu(x), Value::Number(s)) => match op {
            // Integer powers by products: exact, and available in f64 everywhere.
            BinOp::ElemPow if s.fract() == 0.0 && s.abs() <= 1024.0 => x.powi(*s as i32)?,
            BinOp::Mul => x.with_scalar(*s, Binary::Mul, false)?,
            BinOp::Div => x.with_scalar(*s, Binary::Div, false)?,
            _ => x.with_scalar(*s, binary_op(op).ok_or_else(unsupported)?, false)?,
        },
        (Value::Number(s), Value::Gpu(y)) => match op {
            BinOp::Mul => y.with_scalar(*s, Binary::Mul, true)?,
            BinOp::LeftDiv => y.with_scalar(*s, Binary::Div, false)?,
            _ => y.with_scalar(*s, binary_op(op).ok_or_else(unsupported)?, true)?,
        },
        (Value::Gpu(_), Value::Matrix(_) | Value::Logical(_) | Value::Range(..) | Value::Operator(_))
        | (Value::Matrix(_) | Value::Logical(_) | Value::Range(..) | Value::Operator(_), Value::Gpu(_)) => {
            return Err(mixed(op.symbol()))
        }
        _ => {
            return Err(LangError::new(
                ErrorKind::Type,
                format!("`{}` is not defined for {} and {}", op.symbol(), a.a_kind(), b.a_kind()),
                None,
            ))
        }
    };
    Ok(value(out))
}

/// The value of a 1×1 device matrix (one read-back).
pub fn number(g: &GpuMatrix) -> Result<f64> {
    Ok(g.download()?[(0, 0)])
}

/// `sum` or `mean` of a gpu matrix: of everything (a number, one read-back)
/// or along an axis (a gpu matrix).
pub fn sum(g: &GpuMatrix, axis: Option<usize>, mean: bool) -> Result<Value> {
    match axis {
        None => {
            let total = number(&g.total(false)?)?;
            Ok(Value::Number(if mean { total / g.len() as f64 } else { total }))
        }
        Some(axis) => {
            let sums = g.sum_axis(axis, false)?;
            let count = if axis == 0 { g.rows() } else { g.cols() };
            Ok(value(if mean { sums.with_scalar(count as f64, Binary::Div, false)? } else { sums }))
        }
    }
}

/// Unary minus on the device.
pub fn unary(op: UnOp, g: &GpuMatrix) -> Result<Value> {
    match op {
        UnOp::Neg => Ok(value(g.map(Unary::Neg)?)),
        UnOp::Not => Err(LangError::new(ErrorKind::Type, "a gpu matrix is neither true nor false", None)),
    }
}
