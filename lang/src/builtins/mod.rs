//! The builtin registry. Each builtin is declared once, with its signature,
//! keyword arguments, help text (formula, example, source) and
//! implementation; help, completion and signature hints are generated from
//! these entries, and every entry's example runs as a test.

mod camera;
mod construct;
mod covariance;
mod devices;
mod elementwise;
mod figures;
mod files;
mod linalg;
mod rope;
mod spd;
mod structured;
mod system;

use crate::error::{ErrorKind, LangError, Result};
use crate::eval::Interp;
use crate::name::Name;
use crate::ops::{integer, to_matrix};
use crate::span::Span;
use crate::value::Value;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;
use tessera::{Matrix, Operator};

/// A builtin function.
pub struct Builtin {
    pub name: &'static str,
    /// How it is called, e.g. `norm(A, p=2)`.
    pub signature: &'static str,
    /// One line.
    pub summary: &'static str,
    /// The formula, cost and source (paper or reference).
    pub help: &'static str,
    /// A snippet that runs (it is executed by the tests).
    pub example: &'static str,
    /// Fewest and most positional arguments (`None`: any number).
    pub arity: (usize, Option<usize>),
    /// Keyword arguments it accepts.
    pub keywords: &'static [&'static str],
    pub run: fn(&mut Interp, Args, Span) -> Result<Value>,
}

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

fn registry() -> &'static HashMap<&'static str, &'static Builtin> {
    static REGISTRY: OnceLock<HashMap<&'static str, &'static Builtin>> = OnceLock::new();
    REGISTRY.get_or_init(|| all().map(|b| (b.name, b)).collect())
}

/// Every builtin, in declaration order.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    construct::BUILTINS
        .iter()
        .chain(elementwise::builtins())
        .chain(linalg::BUILTINS)
        .chain(structured::BUILTINS)
        .chain(rope::BUILTINS)
        .chain(covariance::BUILTINS)
        .chain(spd::BUILTINS)
        .chain(camera::BUILTINS)
        .chain(figures::BUILTINS)
        .chain(files::BUILTINS)
        .chain(devices::BUILTINS)
        .chain(system::BUILTINS)
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

/// Evaluated arguments of a call.
#[derive(Default)]
pub struct Args {
    items: Vec<(Option<Name>, Value, Span)>,
}

impl Args {
    pub fn push(&mut self, name: Option<Name>, value: Value, span: Span) {
        self.items.push((name, value, span));
    }

    /// Positional arguments with their spans.
    pub fn positional(&self) -> impl Iterator<Item = (&Value, Span)> {
        self.items.iter().filter(|(n, _, _)| n.is_none()).map(|(_, v, s)| (v, *s))
    }

    /// Keyword arguments with their spans.
    pub fn keywords(&self) -> impl Iterator<Item = (&str, (&Value, Span))> {
        self.items.iter().filter_map(|(n, v, s)| n.as_deref().map(|n| (n, (v, *s))))
    }

    /// The keyword argument `name`, if given.
    pub fn keyword(&self, name: &str) -> Option<(&Value, Span)> {
        self.keywords().find(|(k, _)| *k == name).map(|(_, vs)| vs)
    }

    /// The `i`-th positional argument (the arity check has run).
    pub fn get(&self, i: usize) -> (&Value, Span) {
        self.positional().nth(i).expect("arity checked")
    }

    /// Positional argument `i` if given.
    pub fn opt(&self, i: usize) -> Option<(&Value, Span)> {
        self.positional().nth(i)
    }

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
}

pub fn as_matrix(v: &Value, span: Span) -> Result<Rc<Matrix>> {
    to_matrix(v).ok_or_else(|| match v {
        Value::Operator(op) => {
            LangError::type_error(format!("expected a dense matrix, got a {} operator", op.structure()), span)
                .with_hint("dense(op) forms the matrix")
        }
        Value::GpuOperator(o) => LangError::type_error(format!("this needs a cpu matrix, got a {} gpu operator", o.1.shape()), span)
            .with_hint("a gpu operator multiplies gpu matrices, dense(op) forms it on the gpu, cpu(op) brings it back"),
        Value::Gpu(g) => LangError::type_error(format!("this needs a cpu matrix, got a {} gpu matrix", g.shape()), span)
            .with_hint("cpu(x) brings it back (the gpu runs +, -, *, .*, ./, .^, comparisons, entrywise functions, sum, mean, norm, cov, rope_apply, project)"),
        other => LangError::type_error(format!("expected a matrix, got a {}", other.kind()), span),
    })
}

pub fn as_number(v: &Value, span: Span) -> Result<f64> {
    match v {
        Value::Number(x) => Ok(*x),
        Value::Matrix(m) if m.len() == 1 => Ok(m[(0, 0)]),
        other => Err(LangError::type_error(format!("expected a number, got a {}", other.kind()), span)),
    }
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

/// The machine's memory in bytes (`MemTotal` of /proc/meminfo), or 64 GiB where
/// it cannot be read.
fn machine_memory() -> u128 {
    static MEMORY: OnceLock<u128> = OnceLock::new();
    *MEMORY.get_or_init(|| {
        let kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u128>().ok()
        });
        kib.map_or(1 << 36, |k| k * 1024)
    })
}

/// Refuses a matrix of `m×n` numbers larger than the machine's memory, naming
/// the size it would need, instead of letting the allocation abort the process.
pub fn check_allocation(m: usize, n: usize, span: Span) -> Result<()> {
    let bytes = m as u128 * n as u128 * 8;
    let memory = machine_memory();
    if bytes > memory {
        let gib = |b: u128| b as f64 / (1u128 << 30) as f64;
        return Err(LangError::new(
            ErrorKind::Argument,
            format!("a {m}×{n} matrix needs {:.4} GiB; this machine has {:.1} GiB", gib(bytes), gib(memory)),
            Some(span),
        ));
    }
    Ok(())
}
