//! Devices: `gpu(A)`, `cpu(A)`, `device(A)`.

use super::{as_matrix, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::gpu;
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::device::Precision;

fn precision(args: &Args) -> Result<Option<Precision>> {
    match args.opt(1) {
        None => Ok(None),
        Some((Value::Str(s), _)) if &**s == "f32" => Ok(Some(Precision::F32)),
        Some((Value::Str(s), _)) if &**s == "f64" => Ok(Some(Precision::F64)),
        Some((_, span)) => Err(LangError::argument("the precision is \"f32\" or \"f64\"", span)),
    }
}

fn to_gpu(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let wanted = precision(&args)?;
    match args.get(0) {
        (Value::Gpu(g), _) if wanted.is_none_or(|p| p == g.precision()) => Ok(Value::Gpu(g.clone())),
        (Value::Gpu(g), _) => gpu::upload(&g.download()?, wanted),
        (Value::GpuOperator(o), _) if wanted.is_none_or(|p| p == o.1.precision()) => Ok(Value::GpuOperator(o.clone())),
        (Value::GpuOperator(o), _) => gpu::upload_operator(o.0.clone(), wanted),
        (Value::Operator(op), s) => gpu::upload_operator((**op).clone(), wanted)
            .map_err(|e| e.at(s).with_hint("gpu(dense(op)) moves its dense matrix instead")),
        (v, s) => gpu::upload(&*as_matrix(v, s)?, wanted).map_err(|e| e.at(span)),
    }
}

fn to_cpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    match args.get(0) {
        (Value::Gpu(g), _) => Ok(Value::matrix(g.download()?)),
        (Value::GpuOperator(o), _) => Ok(Value::Operator(Rc::new(o.0.clone()))),
        (v, _) => Ok(v.clone()),
    }
}

fn device(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::str(match args.get(0) {
        (Value::Gpu(_) | Value::GpuOperator(_), _) => "gpu",
        _ => "cpu",
    }))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "gpu",
        signature: "gpu(A, \"f64\" | \"f32\")",
        summary:
            "the matrix (or Kronecker, block-diagonal, Monarch, quantized operator) A on the GPU, in f64 where the device has it",
        help: "Operators on gpu matrices run on the device and give gpu matrices; numbers mix with them, cpu \
               matrices do not (move one with gpu or cpu). Runs on CUDA or, through wgpu, on Vulkan, Metal or \
               DirectX (lavapipe on a machine without a GPU). One upload.",
        example: "device(gpu([1, 2; 3, 4]) * 2)",
        shows: "\"gpu\"",
        arity: (1, Some(2)),
        keywords: &[],
        run: to_gpu,
        device: Device::Any,
    },
    Builtin {
        name: "cpu",
        signature: "cpu(A)",
        summary: "a gpu matrix brought back to the host (other values unchanged)",
        help: "One download; f32 entries become the f64 numbers they are.",
        example: "cpu(gpu([1, 2; 3, 4]) + 1)",
        shows: "2×2 matrix:\n 2  3\n 4  5",
        arity: (1, Some(1)),
        keywords: &[],
        run: to_cpu,
        device: Device::Any,
    },
    Builtin {
        name: "device",
        signature: "device(A)",
        summary: "where a value lives: \"gpu\" or \"cpu\"",
        help: "Every value that is not a gpu matrix is on the cpu.",
        example: "(device(ones(2, 2)), device(gpu(ones(2, 2))))",
        shows: "(\"cpu\", \"gpu\")",
        arity: (1, Some(1)),
        keywords: &[],
        run: device,
        device: Device::Any,
    },
];
