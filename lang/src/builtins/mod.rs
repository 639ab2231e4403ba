//! The builtin registry, the one list of builtins. Each is declared once,
//! with its signature, keyword arguments, help text (formula, example,
//! source), implementation and [`Device`]; help, completion, signature
//! hints, GPU dispatch, the `cpu(x)` hint, `:device`, `--help` and
//! `docs/reference.md` are generated from these entries, and every entry's
//! example runs as a test.

mod arrays;
mod camera;
mod compress;
mod construct;
mod covariance;
mod devices;
mod elementwise;
mod factor;
mod figures;
mod files;
pub mod help;
mod linalg;
mod lists;
mod order;
mod rope;
mod spd;
mod strings;
mod structured;
mod system;

pub use crate::context::{Args, Builtin, Device, Run};
use crate::error::{LangError, Result};
use crate::ops::{integer, to_matrix};
use crate::span::Span;
use crate::value::Value;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;
use tessera::{Matrix, Operator};

impl Builtin {
    /// Checks the argument count and keyword names before running.
    pub fn check(&self, args: &Args, span: Span) -> Result<()> {
        let n = args.positional().count();
        let (lo, hi) = self.arity;
        if n < lo || hi.is_some_and(|hi| n > hi) {
            let wanted = match hi {
                Some(hi) if hi == lo => format!("{lo}"),
                Some(hi) => format!("{lo} to {hi}"),
                None => format!("at least {lo}"),
            };
            return Err(LangError::argument(
                format!("{} takes {wanted} argument{}, got {n}", self.name, if wanted == "1" { "" } else { "s" }),
                span,
            )
            .with_hint(format!("usage: {}", self.signature)));
        }
        for (k, (_, s)) in args.keywords() {
            if !self.keywords.contains(&k) {
                let e = LangError::argument(format!("{} has no keyword argument `{k}`", self.name), s);
                return Err(match self.keywords {
                    [] => e,
                    ks => e.with_hint(format!("its keywords: {}", ks.join(", "))),
                });
            }
        }
        Ok(())
    }
}

/// The builtins that build a matrix of a shape their numbers give (besides
/// the constructors `:device gpu` places): given numbers, they still return
/// a matrix, where every other builtin returns a number for a 1×1 result.
const SHAPED: [&str; 6] = ["reshape", "hcat", "vcat", "repeat", "randi", "randperm"];

impl Builtin {
    /// Whether the builtin's result has the shape its arguments ask for, even 1×1.
    pub fn shapes_its_result(&self) -> bool {
        matches!(self.device, Device::Placed) || SHAPED.contains(&self.name)
    }
}

fn registry() -> &'static HashMap<&'static str, &'static Builtin> {
    static REGISTRY: OnceLock<HashMap<&'static str, &'static Builtin>> = OnceLock::new();
    REGISTRY.get_or_init(|| all().map(|b| (b.name, b)).collect())
}

/// Every builtin by topic, in declaration order: the one list that lookup,
/// completion, help and the reference are made from.
pub fn groups() -> [(&'static str, Vec<&'static Builtin>); 18] {
    [
        ("Construction and shape", construct::BUILTINS.iter().collect()),
        ("Patterns, vector products and random integers", arrays::BUILTINS.iter().collect()),
        ("Entrywise functions and reductions", elementwise::builtins().collect()),
        ("Order and reductions", order::BUILTINS.iter().collect()),
        ("Lists and records", lists::BUILTINS.iter().collect()),
        ("Strings", strings::BUILTINS.iter().collect()),
        ("Linear algebra", linalg::BUILTINS.iter().collect()),
        ("Factorisations and subspaces", factor::BUILTINS.iter().collect()),
        ("Structured operators", structured::BUILTINS.iter().collect()),
        ("Rotary position embeddings", rope::BUILTINS.iter().collect()),
        ("Covariance", covariance::BUILTINS.iter().collect()),
        ("SPD geometry", spd::BUILTINS.iter().collect()),
        ("Camera geometry", camera::BUILTINS.iter().collect()),
        ("Compression and adaptation", compress::BUILTINS.iter().collect()),
        ("Figures", figures::BUILTINS.iter().collect()),
        ("Files", files::BUILTINS.iter().collect()),
        ("Devices", devices::BUILTINS.iter().collect()),
        ("Output, timing and help", system::BUILTINS.iter().collect()),
    ]
}

/// Every builtin, in declaration order (and, in test builds, `panic_for_test`).
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    static ALL: OnceLock<Vec<&'static Builtin>> = OnceLock::new();
    let all = ALL.get_or_init(|| groups().into_iter().flat_map(|(_, bs)| bs).chain(system::TEST_BUILTINS).collect());
    all.iter().copied()
}

/// The builtins with a device path.
pub fn on_gpu() -> impl Iterator<Item = &'static Builtin> {
    all().filter(|b| matches!(b.device, Device::Gpu(_)))
}

/// The constructors that `:device gpu` places on the GPU.
pub fn placed() -> impl Iterator<Item = &'static Builtin> {
    all().filter(|b| matches!(b.device, Device::Placed))
}

/// `a, b and c`.
pub fn and_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What the GPU runs, for the hint of an error about a gpu value.
pub fn gpu_hint() -> String {
    format!(
        "cpu(x) brings it back; the gpu runs + - * / .* ./ .^ ', comparisons, and {}",
        and_list(on_gpu().map(|b| b.name))
    )
}

/// The builtin called `name`.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    registry().get(name).copied()
}

/// The names of all builtins.
pub fn names() -> impl Iterator<Item = &'static str> {
    all().map(|b| b.name)
}

/// The constants `pi`, `inf`, `nan`, `im`, `none`.
pub fn constant(name: &str) -> Option<Value> {
    Some(match name {
        "pi" => Value::Number(std::f64::consts::PI),
        "inf" => Value::Number(f64::INFINITY),
        "nan" => Value::Number(f64::NAN),
        "im" => Value::Complex(tessera::c64::new(0.0, 1.0)),
        "none" => Value::None,
        _ => return None,
    })
}

/// The names of the constants (`none` is the value of "nothing").
pub const CONSTANTS: [&str; 5] = ["pi", "inf", "nan", "im", "none"];

/// The typed readers of arguments: conversions that know the registry's
/// hints (a gpu value, an operator where a matrix is wanted).
impl Args {
    /// Positional argument `i` as a dense matrix (numbers are 1×1).
    pub fn matrix(&self, i: usize) -> Result<Rc<Matrix>> {
        let (v, span) = self.get(i);
        as_matrix(v, span)
    }

    /// Positional argument `i` as a number.
    pub fn number(&self, i: usize) -> Result<f64> {
        let (v, span) = self.get(i);
        as_number(v, span)
    }

    /// Positional argument `i` as a non-negative integer (a size or count).
    pub fn size(&self, i: usize) -> Result<usize> {
        let (v, span) = self.get(i);
        as_size(v, span)
    }

    /// Positional argument `i` as an operator (a matrix becomes a dense operator).
    pub fn operator(&self, i: usize) -> Result<Operator> {
        let (v, span) = self.get(i);
        as_operator(v, span)
    }

    /// Keyword `name` as a number, or `default`.
    pub fn keyword_number(&self, name: &str, default: f64) -> Result<f64> {
        self.keyword(name).map_or(Ok(default), |(v, s)| as_number(v, s))
    }

    /// Keyword `name` as `true` or `false`, or `None` when it is not given.
    pub fn keyword_bool(&self, name: &str) -> Result<Option<bool>> {
        match self.keyword(name) {
            None => Ok(None),
            Some((Value::Bool(b), _)) => Ok(Some(*b)),
            Some((v, s)) => Err(LangError::type_error(format!("{name}= is true or false, got {}", v.a_kind()), s)),
        }
    }
}

pub fn as_matrix(v: &Value, span: Span) -> Result<Rc<Matrix>> {
    if let Value::Tensor(t) = v {
        return t.read().map(Rc::new).map_err(|e| LangError::from(e).at(span));
    }
    to_matrix(v).ok_or_else(|| match v {
        Value::Operator(op) => {
            LangError::type_error(format!("expected a dense matrix, got a {} operator", op.structure()), span)
                .with_hint("dense(op) forms the matrix")
        }
        Value::GpuOperator(o) => {
            LangError::type_error(format!("this needs a cpu matrix, got a {} gpu operator", o.1.shape()), span)
                .with_hint(
                    "a gpu operator multiplies gpu matrices, dense(op) forms it on the gpu, cpu(op) brings it back",
                )
        }
        Value::Gpu(g) => {
            LangError::type_error(format!("this needs a cpu matrix, got a {} gpu matrix", g.shape()), span)
                .with_hint(gpu_hint())
        }
        other => LangError::type_error(format!("expected a matrix, got {}", other.a_kind()), span),
    })
}

pub fn as_number(v: &Value, span: Span) -> Result<f64> {
    crate::ops::number(v, "this argument")
        .map_err(|_| LangError::type_error(format!("expected a number, got {}", v.a_kind()), span))
}

pub fn as_size(v: &Value, span: Span) -> Result<usize> {
    let n = integer(v, "a size").map_err(|e| e.at(span))?;
    usize::try_from(n).map_err(|_| LangError::argument(format!("a size must not be negative, got {n}"), span))
}

pub fn as_operator(v: &Value, span: Span) -> Result<Operator> {
    match v {
        Value::Operator(op) => Ok((**op).clone()),
        other => Ok(Operator::Dense((*as_matrix(other, span)?).clone())),
    }
}

/// Refuses a matrix of `m×n` numbers that this process cannot allocate
/// ([`tessera::memory`]), naming the size it would need, instead of letting
/// the allocation abort the process.
pub fn check_allocation(m: usize, n: usize, span: Span) -> Result<()> {
    tessera::memory::check("matrix", m, n).map_err(|e| LangError::from(e).at(span))
}
