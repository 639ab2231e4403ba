//! Files: `save(path, value)` and `load(path)` for numpy's `.npy` (one
//! matrix) and `.safetensors` (a record of named matrices). Relative paths
//! are relative to the working directory (a notebook's own folder in Jupyter).

use super::{as_matrix, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{ErrorKind, LangError, Result};
use crate::span::Span;
use crate::value::record;
use crate::value::Value;
use std::path::Path;
use tessera::io;

enum Format {
    Npy,
    Safetensors,
}

fn path_argument(args: &Args) -> Result<(String, Span)> {
    match args.get(0) {
        (Value::Str(s), span) => Ok((s.to_string(), span)),
        (other, span) => Err(LangError::type_error(format!("expected a file name, got a {}", other.kind()), span)),
    }
}

fn format_of(op: &str, path: &str, span: Span) -> Result<Format> {
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("npy") => Ok(Format::Npy),
        Some("safetensors") => Ok(Format::Safetensors),
        _ => Err(LangError::argument(format!("{op}: cannot tell the format of \"{path}\""), span)
            .with_hint("use a name ending in .npy (one matrix) or .safetensors (a record of matrices)")),
    }
}

fn load(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (path, pspan) = path_argument(&args)?;
    let format = format_of("load", &path, pspan)?;
    let bytes = std::fs::read(&path)
        .map_err(|e| LangError::new(ErrorKind::File, format!("load: cannot read \"{path}\": {e}"), Some(pspan)))?;
    let in_file = |e: tessera::Error| LangError::from(e).at(span).with_hint(format!("while reading \"{path}\""));
    match format {
        Format::Npy => Ok(Value::matrix(io::read_npy(&bytes).map_err(in_file)?)),
        Format::Safetensors => {
            let tensors = io::read_safetensors(&bytes).map_err(in_file)?;
            Ok(record(tensors.iter().map(|(name, m)| (name.as_str(), Value::matrix(m.clone()))).collect()))
        }
    }
}

fn save(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (path, pspan) = path_argument(&args)?;
    let (value, vspan) = args.get(1);
    let bytes = match format_of("save", &path, pspan)? {
        Format::Npy => io::write_npy(&*as_matrix(value, vspan)?)?,
        Format::Safetensors => {
            let Value::Record(r) = value else {
                return Err(LangError::type_error(
                    format!("a .safetensors file holds a record of matrices, got a {}", value.kind()),
                    vspan,
                )
                .with_hint("name it: save(\"file.safetensors\", (A = A))"));
            };
            let tensors = r
                .fields
                .iter()
                .map(|(name, v)| as_matrix(v, vspan).map(|m| (name.to_string(), (*m).clone())))
                .collect::<Result<Vec<_>>>()?;
            io::write_safetensors(&tensors).map_err(|e| LangError::from(e).at(span))?
        }
    };
    std::fs::write(&path, bytes)
        .map_err(|e| LangError::new(ErrorKind::File, format!("save: cannot write \"{path}\": {e}"), Some(pspan)))?;
    Ok(Value::None)
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "save",
        signature: "save(\"file.npy\" | \"file.safetensors\", value)",
        summary: "writes a matrix to a .npy file, or a record of matrices to a .safetensors file (f64)",
        help: "numpy reads it back with np.load, PyTorch with safetensors.torch.load_file; load reads either.",
        example: "save(\"/tmp/tessera-example.npy\", [1, 2; 3, 4]); load(\"/tmp/tessera-example.npy\")",
        shows: "2×2 matrix:\n 1  2\n 3  4",
        arity: (2, Some(2)),
        keywords: &[],
        run: save,
        device: Device::Cpu,
    },
    Builtin {
        name: "load",
        signature: "load(\"file.npy\" | \"file.safetensors\")",
        summary: "a matrix from a .npy file, or a record of matrices (by tensor name) from a .safetensors file",
        help: "Any real element type becomes f64. A 1-d array of n entries is an n×1 column; more than two \
               dimensions are matricised to d₀ × (d₁⋯d_k), row-major, as numpy's reshape(d₀, -1). \
               A field whose name is not an identifier reads as r[\"layer.0.weight\"].",
        example: "save(\"/tmp/tessera-example.safetensors\", (w = eye(2), b = [1, 2])); \
                  load(\"/tmp/tessera-example.safetensors\").b",
        shows: "1×2 matrix:\n 1  2",
        arity: (1, Some(1)),
        keywords: &[],
        run: load,
        device: Device::Placed,
    },
];
