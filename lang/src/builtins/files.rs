//! Files: `save(path, value)` and `load(path)` for numpy's `.npy` (one
//! matrix), `.safetensors` (a record of named matrices) and `.csv` (a matrix,
//! or a record of named columns). Relative paths are relative to the working
//! directory (a notebook's own folder in Jupyter).

use super::{as_matrix, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{ErrorKind, LangError, Result};
use crate::span::Span;
use crate::value::record;
use crate::value::Value;
use std::path::Path;
use std::rc::Rc;
use tessera::io;
use tessera::Matrix;

enum Format {
    Npy,
    Safetensors,
    Csv,
}

fn path_argument(args: &Args) -> Result<(String, Span)> {
    match args.get(0) {
        (Value::Str(s), span) => Ok((s.to_string(), span)),
        (other, span) => Err(LangError::type_error(format!("expected a file name, got {}", other.a_kind()), span)),
    }
}

fn format_of(op: &str, path: &str, span: Span) -> Result<Format> {
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("npy") => Ok(Format::Npy),
        Some("safetensors") => Ok(Format::Safetensors),
        Some("csv") => Ok(Format::Csv),
        _ => Err(LangError::argument(format!("{op}: cannot tell the format of \"{path}\""), span).with_hint(
            "use a name ending in .npy (one matrix), .safetensors (a record of matrices) or .csv (a matrix, or a record of columns)",
        )),
    }
}

fn load(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (path, pspan) = path_argument(&args)?;
    let format = format_of("load", &path, pspan)?;
    let header = args.keyword_bool("header")?;
    if let (Some(_), Format::Npy | Format::Safetensors) = (header, &format) {
        let (_, hspan) = args.keyword("header").expect("given");
        return Err(LangError::argument("header= applies to .csv files", hspan));
    }
    let in_file = |e: tessera::Error| LangError::from(e).at(span).with_hint(format!("while reading \"{path}\""));
    let bytes = || {
        std::fs::read(&path)
            .map_err(|e| LangError::new(ErrorKind::File, format!("load: cannot read \"{path}\": {e}"), Some(pspan)))
    };
    match format {
        Format::Npy => Ok(Value::matrix(io::read_npy(&bytes()?).map_err(in_file)?)),
        // Mapped, not read: each tensor is read when it is used.
        Format::Safetensors => {
            let tensors = io::map_safetensors(std::path::Path::new(&*path)).map_err(in_file)?;
            Ok(record(tensors.iter().map(|t| (t.name(), Value::Tensor(Rc::new(t.clone())))).collect()))
        }
        Format::Csv => {
            let mode = match header {
                None => io::Header::Auto,
                Some(true) => io::Header::Yes,
                Some(false) => io::Header::No,
            };
            let table = io::read_csv(&bytes()?, mode).map_err(in_file)?;
            match (header, table.names) {
                // An empty file is a record of no columns.
                (Some(true), names) => Ok(record(
                    names
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(j, name)| (name.as_str(), Value::matrix(table.values.column(j))))
                        .collect(),
                )),
                _ => Ok(Value::matrix(table.values)),
            }
        }
    }
}

/// The columns of a record of equal-length vectors, and their names.
fn columns(r: &crate::value::Record, span: Span) -> Result<(Vec<String>, Matrix)> {
    let mut names = Vec::with_capacity(r.fields.len());
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(r.fields.len());
    for (name, v) in &r.fields {
        let m = as_matrix(v, span)?;
        if m.rows() > 1 && m.cols() > 1 {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!("field `{name}` is a {}×{} matrix: a .csv column is a vector", m.rows(), m.cols()),
                Some(span),
            ));
        }
        if let Some(first) = columns.first() {
            if first.len() != m.len() {
                return Err(LangError::new(
                    ErrorKind::Shape,
                    format!(
                        "field `{name}` has {} where `{}` has {}: the columns of a .csv file have one length",
                        crate::display::counted(m.len(), "value"),
                        names[0],
                        first.len()
                    ),
                    Some(span),
                ));
            }
        }
        names.push(name.to_string());
        columns.push(m.to_row_major());
    }
    let rows = columns.first().map_or(0, |c| c.len());
    let mut values = Vec::with_capacity(rows * columns.len());
    for i in 0..rows {
        values.extend(columns.iter().map(|c| c[i]));
    }
    Ok((names, Matrix::from_row_major(rows, columns.len(), &values)?))
}

fn save(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (path, pspan) = path_argument(&args)?;
    let (value, vspan) = args.get(1);
    let bytes = match format_of("save", &path, pspan)? {
        Format::Npy => io::write_npy(&*as_matrix(value, vspan)?)?,
        Format::Safetensors => {
            let Value::Record(r) = value else {
                return Err(LangError::type_error(
                    format!("a .safetensors file holds a record of matrices, got {}", value.a_kind()),
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
        Format::Csv => {
            let written = match value {
                Value::Record(r) => {
                    let (names, a) = columns(r, vspan)?;
                    io::write_csv(Some(&names), &a)
                }
                other => io::write_csv(None, &*as_matrix(other, vspan)?),
            };
            written.map_err(|e| LangError::from(e).at(vspan))?
        }
    };
    std::fs::write(&path, bytes)
        .map_err(|e| LangError::new(ErrorKind::File, format!("save: cannot write \"{path}\": {e}"), Some(pspan)))?;
    Ok(Value::None)
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "save",
        signature: "save(\"file.npy\" | \"file.safetensors\" | \"file.csv\", value)",
        summary: "writes a matrix to a .npy or .csv file, a record of matrices to a .safetensors file, or a record \
                  of equal-length columns to a .csv file with a header line",
        help: "numpy reads it back with np.load (or np.loadtxt(f, delimiter=\",\") for .csv), PyTorch with \
               safetensors.torch.load_file, pandas with pd.read_csv; load reads each. A .csv file holds the \
               shortest decimals that read back exactly (0.1, 1e-07 as 1e-7, nan, -inf), so it round-trips.",
        example: "save(\"/tmp/tessera-example.npy\", [1, 2; 3, 4]); load(\"/tmp/tessera-example.npy\")",
        shows: "2×2 matrix:\n 1  2\n 3  4",
        arity: (2, Some(2)),
        keywords: &[],
        run: save,
        device: Device::Cpu,
    },
    Builtin {
        name: "load",
        signature: "load(\"file.npy\" | \"file.safetensors\" | \"file.csv\", header=true|false)",
        summary: "a matrix from a .npy or .csv file, a record of matrices (by tensor name) from a .safetensors \
                  file, or a record of columns from a .csv file with header=true",
        help: "Any real element type becomes f64. A 1-d array of n entries is an n×1 column; more than two \
               dimensions are matricised to d₀ × (d₁⋯d_k), row-major, as numpy's reshape(d₀, -1). \
               A field whose name is not an identifier reads as r[\"layer.0.weight\"].\n\n\
               A .safetensors file is memory-mapped and only its header read: the record holds unread tensors, \
               shown by shape and element type, and each is converted to f64 when it is taken out (r.w, \
               r[\"w\"]) or used, then dropped when nothing refers to it; its pages are released after each \
               read, so walking a model larger than memory keeps about one tensor resident. A tensor read \
               after its file was rewritten (by save, torch.save, ...) is an error: load the file again.\n\n\
               A .csv file reads as numpy's loadtxt(f, delimiter=\",\"): whitespace around a field is \
               ignored, # starts a comment to the end of its line (outside quotes), blank lines are skipped, \
               nan and inf are numbers, and every \
               line has as many fields as the first (a ragged or damaged line is an error naming it). Without \
               header=, a first line that is not all numbers (a field neither a number nor blank) is taken \
               for column names and skipped, so a damaged first line is skipped too (header=false makes it \
               an error); header=true returns a record of n×1 columns by name (pandas' read_csv; a blank \
               name is column_k, from 0), header=false reads every line as numbers. A UTF-8 byte-order mark \
               is ignored.",
        example: "save(\"/tmp/tessera-example.csv\", (x = [1; 2], y = [0.5; -3])); \
                  load(\"/tmp/tessera-example.csv\", header=true).y",
        shows: "2×1 matrix:\n  0.5\n -3.0",
        arity: (1, Some(1)),
        keywords: &["header"],
        run: load,
        device: Device::Placed,
    },
];
