//! Runtime values.
//!
//! Values have value semantics: assigning a matrix and then changing one
//! entry of the copy (`B = A; B[0, 0] = 1`) leaves `A` alone. Large values are
//! shared behind `Rc` and copied only when written (`Rc::make_mut`).

use crate::code::Function;
use crate::context::Builtin;
use crate::env::Env;
use crate::name::Name;
use std::rc::Rc;
use tessera::device::{GpuMatrix, GpuOperator};
use tessera::figure::Figure;
use tessera::io::MappedTensor;
use tessera::{c64, Matrix, Operator};

/// A Tessera value.
#[derive(Clone)]
pub enum Value {
    None,
    Bool(bool),
    Number(f64),
    Complex(c64),
    Str(Rc<str>),
    Matrix(Rc<Matrix>),
    /// A matrix of truth values (entries 0 and 1), what comparisons of
    /// matrices give: 0/1 in arithmetic, a selection as an index (`A[A > 0]`).
    Logical(Rc<Matrix>),
    Operator(Rc<Operator>),
    /// A dense matrix resident on the GPU.
    Gpu(Rc<GpuMatrix>),
    /// A structured operator with its factors on the GPU, and the host
    /// operator it came from (what `cpu` gives back and `:save` writes).
    GpuOperator(Rc<(Operator, GpuOperator)>),
    /// The half-open integer range `start:end`, kept lazy so `for i in 0:n` allocates nothing.
    Range(i64, i64),
    List(Rc<Vec<Value>>),
    Tuple(Rc<Vec<Value>>),
    Record(Rc<Record>),
    Function(Rc<Closure>),
    Builtin(&'static Builtin),
    /// A plot, drawn when it is shown or saved.
    Figure(Rc<Figure>),
    /// A tensor of a memory-mapped `.safetensors` file, not yet read: what
    /// `load` puts in its record. Taking it out (`m.x`, `m["x"]`, an index
    /// into `values(m)`) or naming a variable bound to it (`for (k, v) in m`)
    /// reads it, each time; the record keeps it unread.
    Tensor(Rc<MappedTensor>),
}

/// Named fields, in the order they were given.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub fields: Vec<(Name, Value)>,
}

impl Record {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| &**n == name).map(|(_, v)| v)
    }
}

/// A user function, compiled, and the scope it was defined in.
pub struct Closure {
    pub fun: Rc<Function>,
    pub env: Env,
}

impl Closure {
    /// The function's name, as errors and traces give it.
    pub fn name(&self) -> &str {
        self.fun.def.name.as_deref().unwrap_or("anonymous function")
    }
}

impl Value {
    /// Whether the value lives on the GPU (a gpu matrix or operator).
    pub fn on_gpu(&self) -> bool {
        matches!(self, Value::Gpu(_) | Value::GpuOperator(_))
    }

    /// The kind of value, as `:vars` and error messages name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::Complex(_) => "complex",
            Value::Str(_) => "string",
            Value::Matrix(_) => "matrix",
            Value::Logical(_) => "logical",
            Value::Operator(_) => "operator",
            Value::Gpu(_) => "gpu matrix",
            Value::GpuOperator(_) => "gpu operator",
            Value::Range(..) => "range",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Record(_) => "record",
            Value::Function(_) | Value::Builtin(_) => "function",
            Value::Figure(_) => "figure",
            Value::Tensor(_) => "unread tensor",
        }
    }

    /// The kind with its article, for messages: `a matrix`, `an operator`.
    pub fn a_kind(&self) -> String {
        let kind = self.kind();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        format!("{article} {kind}")
    }

    pub fn matrix(m: Matrix) -> Value {
        Value::Matrix(Rc::new(m))
    }

    /// The value itself, or an unread tensor read into its matrix: what a
    /// record's field gives when it is taken out.
    pub fn read(self) -> tessera::Result<Value> {
        match self {
            Value::Tensor(t) => Ok(Value::matrix(t.read()?)),
            other => Ok(other),
        }
    }

    /// A logical matrix from a matrix whose entries are 0 or 1.
    pub fn logical(m: Matrix) -> Value {
        Value::Logical(Rc::new(m))
    }

    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// A structured result as a value: a dense operator is just a matrix.
    pub fn operator(op: Operator) -> Value {
        match op {
            Operator::Dense(m) => Value::matrix(m),
            other => Value::Operator(Rc::new(other)),
        }
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(items))
    }
}

/// Whether `x` is a number a range bound or a position may be: whole,
/// finite and at most 9·10¹⁵ in size (below 2⁵³, so that it and its
/// neighbours are exact).
pub fn whole(x: f64) -> bool {
    x.fract() == 0.0 && x.is_finite() && x.abs() <= 9.0e15
}

/// A record from named values.
pub fn record(fields: Vec<(&str, Value)>) -> Value {
    Value::Record(Rc::new(Record { fields: fields.into_iter().map(|(n, v)| (Name::new(n), v)).collect() }))
}
