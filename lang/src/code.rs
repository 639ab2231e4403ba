//! Compilation: the syntax tree with every variable resolved, the form the
//! evaluator runs.
//!
//! A cell compiles against the globals, where each name it uses gets a
//! slot. A function compiles against its own names: its parameters, then
//! the names its body assigns (and the functions it defines), in order. Those
//! are slots of each call's scope; any other name is found by name in the
//! scopes around the function's definition when it is read. An unset slot
//! falls back to the same search, so a name read before its assignment reads
//! the scope around it, as it did when every scope was a map. A name bound
//! nowhere is a builtin or a constant (the evaluator looks it up).
//!
//! Cost: one walk of the tree; a function whose body reads a name before
//! assigning it compiles twice (the second time knowing all its names).

use crate::ast::{self, BinOp, FnDef, UnOp};
use crate::env::Env;
use crate::name::Name;
use crate::span::Span;
use crate::value::Value;
use std::cell::Cell;
use std::rc::Rc;

/// When less native stack than this is left, a walk of the tree (compiling
/// it, evaluating it) continues on a new segment, so a long chain of
/// operators compiles and deep recursion in user code reaches the call limit
/// (a clear error) on any thread instead of overflowing the stack...
pub(crate) const STACK_RED_ZONE: usize = 256 * 1024;
/// ...of this size.
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// A compiled expression.
#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum ExprKind {
    /// A number, string or truth value.
    Const(Value),
    Var(Var),
    Matrix(Vec<Vec<Expr>>),
    Tuple(Vec<Expr>),
    Record(Vec<(Name, Expr)>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Range(Box<Expr>, Box<Expr>),
    SteppedRange(Box<Expr>, Box<Expr>, Box<Expr>),
    Transpose(Box<Expr>),
    Call(Box<Expr>, Vec<Arg>),
    Index(Box<Expr>, Vec<Subscript>),
    Field(Box<Expr>, Name),
    Block(Vec<Stmt>),
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    Lambda(Rc<Function>),
    Help(Name),
}

/// A variable read.
#[derive(Debug)]
pub struct Var {
    pub name: Name,
    /// Its slot in the scope the code runs in; `None` for a name the code
    /// never assigns (found in the scopes around).
    pub slot: Option<usize>,
    /// Where a read of a name not set in the code's own scope last found it: the
    /// id of the growing scope around (see [`crate::env::Scope::id`]) and
    /// its slot there; `(0, 0)` before that.
    pub found: Cell<(u64, usize)>,
}

#[derive(Debug)]
pub struct Arg {
    pub name: Option<Name>,
    pub value: Expr,
}

#[derive(Debug)]
pub enum Subscript {
    All(Span),
    Expr(Expr),
    OpenRange { start: Option<Box<Expr>>, end: Option<Box<Expr>>, span: Span },
}

/// A compiled statement.
#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum StmtKind {
    Expr(Expr),
    Assign {
        target: Target,
        value: Expr,
    },
    /// `fn name(...)`: binds the function in slot `slot`.
    Fn {
        slot: usize,
        fun: Rc<Function>,
    },
    /// A loop's body is its block's statements; `scalar` is the loop as
    /// scalar code, once it has run.
    For {
        var: Target,
        iter: Expr,
        body: Vec<Stmt>,
        scalar: crate::scalar::Compiled,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
        scalar: crate::scalar::Compiled,
    },
    Break,
    Continue,
    Return(Option<Expr>),
}

/// A variable of the scope the code runs in (what assignments write).
#[derive(Debug, Clone)]
pub struct Local {
    pub name: Name,
    pub slot: usize,
}

#[derive(Debug)]
pub enum Target {
    Name(Local, Span),
    Path(Local, Vec<Step>, Span),
    Tuple(Vec<Target>, Span),
}

#[derive(Debug)]
pub enum Step {
    Index(Vec<Subscript>, Span),
    Field(Name, Span),
}

/// A compiled function: its definition (name, parameters, source), the
/// names of its call scope's slots (the parameters first), the compiled
/// defaults of its parameters, its body, and its body as scalar code
/// ([`crate::scalar`]) once a call has asked for it.
#[derive(Debug)]
pub struct Function {
    pub def: Rc<FnDef>,
    pub names: Rc<[Name]>,
    pub defaults: Vec<Option<Expr>>,
    pub body: Expr,
    pub scalar: crate::scalar::Compiled,
}

/// Compiles a cell's statements to run in `globals`.
pub fn cell(stmts: &[ast::Stmt], globals: &Env) -> Vec<Stmt> {
    let mut c = Compiler { names: Names::Globals(globals), read_free: vec![] };
    stmts.iter().map(|s| c.stmt(s)).collect()
}

/// Compiles a function definition (its body runs in a scope of its own).
pub fn function(def: &Rc<FnDef>) -> Rc<Function> {
    let params: Vec<Name> = def.params.iter().map(|p| p.name.clone()).collect();
    let mut known = params.clone();
    loop {
        let mut c = Compiler { names: Names::Function(known.clone()), read_free: vec![] };
        let defaults = def.params.iter().map(|p| p.default.as_ref().map(|d| c.expr(d))).collect();
        let body = c.body(&def.body);
        let Names::Function(names) = c.names else { unreachable!("compiled as a function") };
        // A name read as free and assigned later: compile again knowing it.
        if c.read_free.iter().any(|n| names.contains(n)) && names.len() > known.len() {
            known = names;
            continue;
        }
        return Rc::new(Function { def: def.clone(), names: names.into(), defaults, body, scalar: Default::default() });
    }
}

/// Where names resolve.
enum Names<'a> {
    /// Every name is a global slot.
    Globals(&'a Env),
    /// A function's slots so far: parameters, then assigned names.
    Function(Vec<Name>),
}

struct Compiler<'a> {
    names: Names<'a>,
    /// Names read before any assignment to them was seen.
    read_free: Vec<Name>,
}

impl Compiler<'_> {
    /// The slot an assignment to `name` writes.
    fn local(&mut self, name: &Name) -> Local {
        let slot = match &mut self.names {
            Names::Globals(env) => env.intern(name).expect("the globals grow"),
            Names::Function(names) => names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.clone());
                names.len() - 1
            }),
        };
        Local { name: name.clone(), slot }
    }

    /// A read of `name`.
    fn var(&mut self, name: &Name) -> Var {
        let slot = match &mut self.names {
            Names::Globals(env) => env.intern(name),
            Names::Function(names) => names.iter().position(|n| n == name),
        };
        if slot.is_none() {
            self.read_free.push(name.clone());
        }
        Var { name: name.clone(), slot, found: Cell::new((0, 0)) }
    }

    fn stmt(&mut self, s: &ast::Stmt) -> Stmt {
        use ast::StmtKind as S;
        let kind = match &s.kind {
            S::Expr { expr, .. } => StmtKind::Expr(self.expr(expr)),
            // The value is compiled first: it is evaluated before the target.
            S::Assign { target, value } => {
                let value = self.expr(value);
                StmtKind::Assign { target: self.target(target), value }
            }
            S::Fn(def) => {
                let name = def.name.clone().expect("named function statement");
                StmtKind::Fn { slot: self.local(&name).slot, fun: function(def) }
            }
            S::For { var, iter, body } => {
                let iter = self.expr(iter);
                StmtKind::For { var: self.target(var), iter, body: self.block(body), scalar: Default::default() }
            }
            S::While { cond, body } => {
                StmtKind::While { cond: self.expr(cond), body: self.block(body), scalar: Default::default() }
            }
            S::Break => StmtKind::Break,
            S::Continue => StmtKind::Continue,
            S::Return(value) => StmtKind::Return(value.as_ref().map(|e| self.expr(e))),
        };
        Stmt { kind, span: s.span }
    }

    /// The statements of a loop's body (a block, as the parser makes it).
    fn block(&mut self, body: &ast::Expr) -> Vec<Stmt> {
        match &body.kind {
            ast::ExprKind::Block(stmts) => stmts.iter().map(|s| self.stmt(s)).collect(),
            _ => vec![Stmt { kind: StmtKind::Expr(self.expr(body)), span: body.span }],
        }
    }

    fn target(&mut self, t: &ast::Target) -> Target {
        match t {
            ast::Target::Name(name, span) => Target::Name(self.local(name), *span),
            ast::Target::Path(name, steps, span) => {
                let steps = steps
                    .iter()
                    .map(|step| match step {
                        ast::Step::Index(subs, s) => Step::Index(self.subscripts(subs), *s),
                        ast::Step::Field(n, s) => Step::Field(n.clone(), *s),
                    })
                    .collect();
                Target::Path(self.local(name), steps, *span)
            }
            ast::Target::Tuple(targets, span) => Target::Tuple(targets.iter().map(|t| self.target(t)).collect(), *span),
        }
    }

    fn subscripts(&mut self, subs: &[ast::Subscript]) -> Vec<Subscript> {
        subs.iter()
            .map(|s| match s {
                ast::Subscript::All(span) => Subscript::All(*span),
                ast::Subscript::Expr(e) => Subscript::Expr(self.expr(e)),
                ast::Subscript::OpenRange { start, end, span } => Subscript::OpenRange {
                    start: start.as_ref().map(|e| self.boxed(e)),
                    end: end.as_ref().map(|e| self.boxed(e)),
                    span: *span,
                },
            })
            .collect()
    }

    /// A function's body or a branch of `if`: a block of one expression is
    /// that expression. (Only here: nothing reports an error at the span of
    /// a body or a branch, while an operand's block keeps its own span.)
    fn body(&mut self, e: &ast::Expr) -> Expr {
        match &e.kind {
            ast::ExprKind::Block(stmts) => match &stmts[..] {
                [ast::Stmt { kind: ast::StmtKind::Expr { expr, .. }, .. }] => self.expr(expr),
                _ => self.expr(e),
            },
            _ => self.expr(e),
        }
    }

    fn boxed(&mut self, e: &ast::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn expr(&mut self, e: &ast::Expr) -> Expr {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.expr_here(e))
    }

    fn expr_here(&mut self, e: &ast::Expr) -> Expr {
        use ast::ExprKind as E;
        let kind = match &e.kind {
            E::Number(x) => ExprKind::Const(Value::Number(*x)),
            E::Str(s) => ExprKind::Const(Value::Str(s.clone())),
            E::Bool(b) => ExprKind::Const(Value::Bool(*b)),
            E::Ident(name) => ExprKind::Var(self.var(name)),
            E::Matrix(rows) => {
                ExprKind::Matrix(rows.iter().map(|row| row.iter().map(|x| self.expr(x)).collect()).collect())
            }
            E::Tuple(items) => ExprKind::Tuple(items.iter().map(|x| self.expr(x)).collect()),
            E::Record(fields) => ExprKind::Record(fields.iter().map(|(n, x)| (n.clone(), self.expr(x))).collect()),
            E::Unary(op, x) => ExprKind::Unary(*op, self.boxed(x)),
            E::Binary(op, l, r) => ExprKind::Binary(*op, self.boxed(l), self.boxed(r)),
            E::Range(a, b) => ExprKind::Range(self.boxed(a), self.boxed(b)),
            E::SteppedRange(a, s, b) => ExprKind::SteppedRange(self.boxed(a), self.boxed(s), self.boxed(b)),
            E::Transpose(x) => ExprKind::Transpose(self.boxed(x)),
            E::Call(f, args) => ExprKind::Call(
                self.boxed(f),
                args.iter().map(|a| Arg { name: a.name.clone(), value: self.expr(&a.value) }).collect(),
            ),
            E::Index(x, subs) => ExprKind::Index(self.boxed(x), self.subscripts(subs)),
            E::Field(x, name) => ExprKind::Field(self.boxed(x), name.clone()),
            E::Block(stmts) => ExprKind::Block(stmts.iter().map(|s| self.stmt(s)).collect()),
            E::If(c, t, f) => {
                ExprKind::If(self.boxed(c), Box::new(self.body(t)), f.as_ref().map(|f| Box::new(self.body(f))))
            }
            E::Lambda(def) => ExprKind::Lambda(function(def)),
            E::Help(name) => ExprKind::Help(name.clone()),
        };
        Expr { kind, span: e.span }
    }
}
