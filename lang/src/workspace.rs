//! `:save FILE` and `:load FILE`: the whole workspace, bit for bit.
//!
//! The file is CBOR (`ciborium`) holding a format tag, a version, and each
//! variable as a [`Saved`] value. Numbers are stored as their IEEE bits, so
//! NaN payloads and signed zeros come back exactly; matrices and operators
//! use the stdlib's bit-exact encoding (`tessera::encoding`), so operators
//! keep their structure; functions are stored as their source text together with the
//! variables they captured from enclosing function calls.

use crate::ast::{ExprKind, FnDef, StmtKind};
use crate::builtins;
use crate::env::{Env, Scope};
use crate::error::{ErrorKind, LangError, Result};
use crate::name::Name;
use crate::value::{Closure, Record, Value};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use tessera::figure::{Figure, Pattern, Plot, Series, SpectrumOf};
use tessera::{c64, Matrix, Operator, Shape};

const FORMAT: &str = "tessera-workspace";
const VERSION: u32 = 1;
/// Closures capturing closures deeper than this are refused (cycles).
const MAX_NESTING: usize = 32;

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    variables: Vec<(String, Saved)>,
}

#[derive(Serialize, Deserialize)]
enum Saved {
    None,
    Bool(bool),
    Number(u64),
    Complex(u64, u64),
    Str(String),
    Matrix(Matrix),
    Operator(Operator),
    Range(i64, i64),
    List(Vec<Saved>),
    Tuple(Vec<Saved>),
    Record(Vec<(String, Saved)>),
    /// Source text, and the scopes it captured from the innermost outwards.
    Function {
        source: String,
        captured: Vec<Vec<(String, Saved)>>,
    },
    Builtin(String),
    /// A gpu matrix: its entries (exact: f32 values widen exactly) and precision.
    Gpu {
        matrix: Matrix,
        single: bool,
    },
    /// A gpu operator: the host operator it came from, and its precision.
    GpuOperator {
        operator: Operator,
        single: bool,
    },
    Figure(Box<SavedFigure>),
    /// A logical matrix (entries 0 and 1).
    Logical(Matrix),
}

/// A figure: its data, labels and size (it is drawn again when shown).
#[derive(Serialize, Deserialize)]
struct SavedFigure {
    plot: SavedPlot,
    title: String,
    xlabel: String,
    ylabel: String,
    size: (u32, u32),
}

#[derive(Serialize, Deserialize)]
struct SavedSeries {
    x: Vec<u64>,
    y: Vec<u64>,
    label: Option<String>,
}

#[derive(Serialize, Deserialize)]
enum SavedPlot {
    Lines(Vec<SavedSeries>),
    Points(Vec<SavedSeries>),
    Histogram { edges: Vec<u64>, counts: Vec<usize> },
    Heatmap(Matrix),
    Spy { rows: usize, cols: usize, cell: usize, bits: Vec<bool>, nonzeros: Option<usize> },
    Spectrum { values: Vec<u64>, eigenvalues: bool },
}

fn save_figure(f: &Figure) -> SavedFigure {
    let series =
        |s: &[Series]| s.iter().map(|s| SavedSeries { x: bits(&s.x), y: bits(&s.y), label: s.label.clone() }).collect();
    let plot = match &f.plot {
        Plot::Lines(s) => SavedPlot::Lines(series(s)),
        Plot::Points(s) => SavedPlot::Points(series(s)),
        Plot::Histogram { edges, counts } => SavedPlot::Histogram { edges: bits(edges), counts: counts.clone() },
        Plot::Heatmap { values, .. } => SavedPlot::Heatmap(values.clone()),
        Plot::Spy { pattern, nonzeros } => {
            let Shape(rows, cols) = pattern.shape();
            SavedPlot::Spy { rows, cols, cell: pattern.cell(), bits: pattern.bits().to_vec(), nonzeros: *nonzeros }
        }
        Plot::Spectrum { values, of } => {
            SavedPlot::Spectrum { values: bits(values), eigenvalues: *of == SpectrumOf::Eigenvalues }
        }
    };
    SavedFigure { plot, title: f.title.clone(), xlabel: f.xlabel.clone(), ylabel: f.ylabel.clone(), size: f.size }
}

/// A saved figure, rebuilt through the checking constructors.
fn load_figure(f: SavedFigure) -> Result<Figure> {
    let series = |s: Vec<SavedSeries>| -> Vec<Series> {
        s.into_iter().map(|s| Series { x: floats(s.x), y: floats(s.y), label: s.label }).collect()
    };
    let fig = match f.plot {
        SavedPlot::Lines(s) => Figure::lines(series(s))?,
        SavedPlot::Points(s) => Figure::scatter(series(s))?,
        SavedPlot::Histogram { edges, counts } => Figure::histogram_counts(floats(edges), counts)?,
        SavedPlot::Heatmap(m) => Figure::heatmap(m)?,
        SavedPlot::Spy { rows, cols, cell, bits, nonzeros } => {
            Figure::pattern(Pattern::from_bits(Shape(rows, cols), cell, bits)?, nonzeros)
        }
        SavedPlot::Spectrum { values, eigenvalues } => {
            let of = if eigenvalues { SpectrumOf::Eigenvalues } else { SpectrumOf::SingularValues };
            Figure::spectrum(floats(values), of)?
        }
    };
    Ok(fig.with_title(&f.title).with_xlabel(&f.xlabel).with_ylabel(&f.ylabel).with_size(f.size.0, f.size.1)?)
}

fn bad(message: impl Into<String>) -> LangError {
    LangError::new(ErrorKind::File, message, None)
}

fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

fn floats(bs: Vec<u64>) -> Vec<f64> {
    bs.into_iter().map(f64::from_bits).collect()
}

fn save_value(v: &Value, depth: usize) -> Result<Saved> {
    if depth > MAX_NESTING {
        return Err(bad("a closure captures itself (or nests too deeply) and cannot be saved"));
    }
    let all = |xs: &[Value]| xs.iter().map(|x| save_value(x, depth + 1)).collect::<Result<Vec<_>>>();
    Ok(match v {
        Value::None => Saved::None,
        Value::Bool(b) => Saved::Bool(*b),
        Value::Number(x) => Saved::Number(x.to_bits()),
        Value::Complex(z) => Saved::Complex(z.re.to_bits(), z.im.to_bits()),
        Value::Str(s) => Saved::Str(s.to_string()),
        Value::Matrix(m) => Saved::Matrix((**m).clone()),
        Value::Logical(m) => Saved::Logical((**m).clone()),
        Value::Operator(op) => Saved::Operator((**op).clone()),
        Value::Gpu(g) => Saved::Gpu { matrix: g.download()?, single: g.precision() == tessera::device::Precision::F32 },
        Value::GpuOperator(op) => {
            Saved::GpuOperator { operator: op.0.clone(), single: op.1.precision() == tessera::device::Precision::F32 }
        }
        Value::Range(a, b) => Saved::Range(*a, *b),
        Value::List(xs) => Saved::List(all(xs)?),
        Value::Tuple(xs) => Saved::Tuple(all(xs)?),
        Value::Record(r) => Saved::Record(
            r.fields.iter().map(|(n, x)| Ok((n.to_string(), save_value(x, depth + 1)?))).collect::<Result<_>>()?,
        ),
        Value::Function(f) => {
            let mut captured = Vec::new();
            let mut scope: &Env = &f.env;
            while let Some(parent) = scope.parent() {
                let vars = scope
                    .names()
                    .iter()
                    .map(|n| Ok((n.to_string(), save_value(&scope.own(n).expect("listed"), depth + 1)?)))
                    .collect::<Result<Vec<_>>>()?;
                captured.push(vars);
                scope = parent;
            }
            Saved::Function { source: f.fun.def.source.to_string(), captured }
        }
        Value::Builtin(b) => Saved::Builtin(b.name.to_string()),
        Value::Figure(f) => Saved::Figure(Box::new(save_figure(f))),
        // A workspace is self-contained: an unread tensor is saved as its matrix.
        Value::Tensor(t) => Saved::Matrix(t.read()?),
    })
}

/// The definition in a function's saved source.
fn parse_function(source: &str) -> Result<Rc<FnDef>> {
    let stmts = crate::parser::parse(source)?;
    match stmts.into_iter().next().map(|s| s.kind) {
        Some(StmtKind::Fn(def)) => Ok(def),
        Some(StmtKind::Expr { expr, .. }) => match expr.kind {
            ExprKind::Lambda(def) => Ok(def),
            _ => Err(bad("a saved function's source is not a function")),
        },
        _ => Err(bad("a saved function's source is not a function")),
    }
}

fn load_value(v: Saved, globals: &Env) -> Result<Value> {
    let all = |xs: Vec<Saved>| xs.into_iter().map(|x| load_value(x, globals)).collect::<Result<Vec<_>>>();
    Ok(match v {
        Saved::None => Value::None,
        Saved::Bool(b) => Value::Bool(b),
        Saved::Number(x) => Value::Number(f64::from_bits(x)),
        Saved::Complex(re, im) => Value::Complex(c64::new(f64::from_bits(re), f64::from_bits(im))),
        Saved::Str(s) => Value::str(&s),
        Saved::Matrix(m) => Value::matrix(m),
        Saved::Logical(m) if m.to_row_major().iter().all(|&x| x == 0.0 || x == 1.0) => Value::logical(m),
        Saved::Logical(_) => return Err(bad("a saved logical matrix holds entries other than 0 and 1")),
        Saved::Operator(op) => Value::Operator(Rc::new(op)),
        Saved::Gpu { matrix, single } => {
            let precision = if single { tessera::device::Precision::F32 } else { tessera::device::Precision::F64 };
            crate::gpu::upload(&matrix, Some(precision))
                .map_err(|e| bad(format!("the workspace holds a gpu matrix and {}", e.message)))?
        }
        Saved::GpuOperator { operator, single } => {
            let precision = if single { tessera::device::Precision::F32 } else { tessera::device::Precision::F64 };
            crate::gpu::upload_operator(operator, Some(precision))
                .map_err(|e| bad(format!("the workspace holds a gpu operator and {}", e.message)))?
        }
        Saved::Range(a, b) => Value::Range(a, b),
        Saved::Figure(f) => Value::Figure(Rc::new(load_figure(*f)?)),
        Saved::List(xs) => Value::List(Rc::new(all(xs)?)),
        Saved::Tuple(xs) => Value::tuple(all(xs)?),
        Saved::Record(fields) => Value::Record(Rc::new(Record {
            fields: fields
                .into_iter()
                .map(|(n, x)| Ok((Name::new(&n), load_value(x, globals)?)))
                .collect::<Result<_>>()?,
        })),
        Saved::Function { source, captured } => {
            let def = parse_function(&source)?;
            let mut env = globals.clone();
            for vars in captured.into_iter().rev() {
                let scope = Scope::child(&env);
                for (n, x) in vars {
                    scope.set(Name::new(&n), load_value(x, globals)?);
                }
                env = scope;
            }
            Value::Function(Rc::new(Closure { fun: crate::code::function(&def), env }))
        }
        Saved::Builtin(name) => {
            Value::Builtin(builtins::lookup(&name).ok_or_else(|| bad(format!("unknown builtin `{name}` in the file")))?)
        }
    })
}

/// The workspace's variables as file bytes.
pub fn save(globals: &Env) -> Result<Vec<u8>> {
    let variables = globals
        .names()
        .iter()
        .map(|n| Ok((n.to_string(), save_value(&globals.own(n).expect("listed"), 0)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::new();
    ciborium::into_writer(&File { format: FORMAT.into(), version: VERSION, variables }, &mut out)
        .map_err(|e| bad(format!("cannot encode the workspace: {e}")))?;
    Ok(out)
}

/// Reads a saved workspace into `globals` (all or nothing: a malformed file changes nothing).
pub fn load(bytes: &[u8], globals: &Env) -> Result<usize> {
    let mut rest = bytes;
    let file: File =
        ciborium::from_reader(&mut rest).map_err(|e| bad(format!("not a Tessera workspace file ({e})")))?;
    if !rest.is_empty() {
        let extra = if rest.len() == 1 { "1 byte".to_string() } else { format!("{} bytes", rest.len()) };
        return Err(bad(format!("not a Tessera workspace file ({extra} after its end)")));
    }
    if file.format != FORMAT {
        return Err(bad(format!("not a Tessera workspace file (format `{}`)", file.format)));
    }
    if file.version != VERSION {
        return Err(bad(format!("workspace format version {} is not supported (this is {VERSION})", file.version)));
    }
    let values =
        file.variables.into_iter().map(|(n, v)| Ok((n, load_value(v, globals)?))).collect::<Result<Vec<_>>>()?;
    let count = values.len();
    for (n, v) in values {
        globals.set(Name::new(&n), v);
    }
    Ok(count)
}
