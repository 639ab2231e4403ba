//! The syntax tree. Every node carries the [`Span`] of the source it came from.

use crate::name::Name;
use crate::span::Span;
use std::rc::Rc;

/// An expression and its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// Binary operators, loosest first as SPEC.md lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    DirectSum,
    Mul,
    Div,
    LeftDiv,
    Kron,
    ElemMul,
    ElemDiv,
    Mod,
    Pow,
    ElemPow,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(&self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::DirectSum => "⊕",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::LeftDiv => "\\",
            BinOp::Kron => "⊗",
            BinOp::ElemMul => ".*",
            BinOp::ElemDiv => "./",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::ElemPow => ".^",
        }
    }
}

/// Unary prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// One argument of a call, positional or `name = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<Name>,
    pub value: Expr,
}

/// One subscript of an index: `:` (everything) or an expression (a number,
/// a range such as `0:2`, an open range `1:` or `:2`, or a vector of indices).
#[derive(Debug, Clone, PartialEq)]
pub enum Subscript {
    All(Span),
    Expr(Expr),
    /// `a:` or `:b` (one bound missing), inside an index only.
    OpenRange {
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
        span: Span,
    },
}

/// A function parameter with an optional default.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Name,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A function's definition (named or anonymous).
#[derive(Debug, Clone, PartialEq)]
pub struct FnDef {
    pub name: Option<Name>,
    pub params: Vec<Param>,
    pub body: Rc<Expr>,
    pub span: Span,
    /// The definition's source text (what `:save` stores).
    pub source: Rc<str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Str(Rc<str>),
    Bool(bool),
    Ident(Name),
    /// `[a, b; c, d]`: rows of entries (each entry a scalar or a block).
    Matrix(Vec<Vec<Expr>>),
    /// `(a, b)`; `()` is the empty tuple.
    Tuple(Vec<Expr>),
    /// `(name = value, ...)`: a record.
    Record(Vec<(Name, Expr)>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `a:b`, half-open.
    Range(Box<Expr>, Box<Expr>),
    /// `a:s:b`: from `a` towards `b` (exclusive) in steps of `s`.
    SteppedRange(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Postfix `'`.
    Transpose(Box<Expr>),
    Call(Box<Expr>, Vec<Arg>),
    Index(Box<Expr>, Vec<Subscript>),
    Field(Box<Expr>, Name),
    /// `{ statements }`: the value of the last expression.
    Block(Vec<Stmt>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// `fn (a, b) = e` as a value.
    Lambda(Rc<FnDef>),
    /// `?name`.
    Help(Name),
}

/// What an assignment writes to (and what a `for` loop binds).
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Name(Name, Span),
    /// A part of a named value, reached by indices and fields:
    /// `A[i, j]`, `r.a`, `r["k"]`, `layers[0].W[1, :]`.
    Path(Name, Vec<Step>, Span),
    Tuple(Vec<Target>, Span),
}

/// One step of a [`Target::Path`].
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Index(Vec<Subscript>, Span),
    Field(Name, Span),
}

/// A statement and its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An expression; `silent` when it ends with `;`.
    Expr {
        expr: Expr,
        silent: bool,
    },
    Assign {
        target: Target,
        value: Expr,
    },
    Fn(Rc<FnDef>),
    For {
        /// The loop variable, or a tuple pattern (`for (k, v) in r`).
        var: Target,
        iter: Expr,
        body: Box<Expr>,
    },
    While {
        cond: Expr,
        body: Box<Expr>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
}
