//! The evaluator: walks the compiled tree ([`crate::code`]) in a scope.

use crate::ast::BinOp;
use crate::builtins::{Args, Builtin, Device};
use crate::code::*;
use crate::context::{lend, Ctx, Sink, State, LONG_WORK};
use crate::display::counted;
use crate::env::{Env, Scope};
use crate::error::{ErrorKind, LangError, Result};
use crate::span::Span;
use crate::value::{Closure, Record, Value};
use crate::{index, ops, scalar};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;

/// How evaluation leaves a construct early.
pub enum Control {
    /// Boxed, so that the `Ok` path of every evaluation step stays small.
    Error(Box<LangError>),
    Break(Span),
    Continue(Span),
    Return(Value),
}

impl From<LangError> for Control {
    fn from(e: LangError) -> Self {
        Control::Error(Box::new(e))
    }
}

pub type Flow<T> = std::result::Result<T, Control>;

/// Function calls nested deeper than this are refused (runaway recursion).
const MAX_DEPTH: usize = 400;

/// One evaluation: the session state, the output sink and the interrupt flag.
pub struct Interp<'a> {
    pub state: &'a mut State,
    pub sink: &'a mut dyn Sink,
    pub interrupt: &'a AtomicBool,
    /// Nested function calls (bounded by MAX_DEPTH).
    depth: usize,
    /// Nested expression evaluations (for the stack check).
    nesting: usize,
    /// Scopes of finished calls, for the next calls to reuse.
    spare: Vec<Env>,
    /// Where calls of scalar code run ([`crate::scalar`]).
    machine: scalar::Machine,
    /// Whether calls may run as scalar code: not while a call that bailed
    /// runs again in the evaluator.
    scalar: bool,
}

impl<'a> Interp<'a> {
    pub fn new(state: &'a mut State, sink: &'a mut dyn Sink, interrupt: &'a AtomicBool) -> Self {
        let scalar = state.scalar_code;
        Interp { state, sink, interrupt, depth: 0, nesting: 0, spare: Vec::new(), machine: Default::default(), scalar }
    }

    /// Errors with [`ErrorKind::Interrupted`] once an interrupt was requested.
    #[inline(always)]
    pub fn check_interrupt(&self, span: Span) -> Result<()> {
        if self.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
            return crate::context::check_interrupt(self.interrupt, span);
        }
        Ok(())
    }

    /// Runs statements; the value is that of the last one if it is an expression.
    pub fn run(&mut self, stmts: &[Stmt], env: &Env) -> Flow<Value> {
        let Some((last, init)) = stmts.split_last() else { return Ok(Value::None) };
        for stmt in init {
            self.statement(stmt, env)?;
        }
        self.statement(last, env)
    }

    /// A statement: expressions and assignments to a name inline, the rest
    /// out of line ([`Interp::compound_statement`]).
    fn statement(&mut self, stmt: &Stmt, env: &Env) -> Flow<Value> {
        match &stmt.kind {
            StmtKind::Expr(expr) => self.expr(expr, env),
            StmtKind::Assign { target: Target::Name(local, _), value } => {
                let v = self.expr(value, env)?;
                env.set_slot(local.slot, v);
                Ok(Value::None)
            }
            _ => self.compound_statement(stmt, env),
        }
    }

    #[inline(never)]
    fn compound_statement(&mut self, stmt: &Stmt, env: &Env) -> Flow<Value> {
        match &stmt.kind {
            StmtKind::Expr(_) => self.statement(stmt, env),
            StmtKind::Assign { target, value } => {
                let v = self.expr(value, env)?;
                // `A[i, j] = x` of numbers in a loop: no position lists.
                if let (Target::Path(local, steps, _), Value::Number(x)) = (target, &v) {
                    if let [Step::Index(subs, _)] = &steps[..] {
                        if let Some((i, j)) = numbers(subs, env) {
                            let write = |slot: &mut Option<Value>| {
                                slot.as_mut().is_some_and(|m| index::write_entry(m, i, j, *x))
                            };
                            if env.with_slot(local.slot, write) {
                                return Ok(Value::None);
                            }
                        }
                    }
                }
                self.assign(target, v, env)?;
                Ok(Value::None)
            }
            StmtKind::Fn { slot, fun } => {
                env.set_slot(*slot, Value::Function(Rc::new(Closure { fun: fun.clone(), env: env.clone() })));
                Ok(Value::None)
            }
            // A loop's body is statements, not an expression: the stack is
            // checked here, so that loops nested deep grow it too.
            StmtKind::For { var, iter, body, scalar } => {
                if let Some(done) = self.scalar_loop(stmt, scalar, iter.span, env) {
                    return done;
                }
                let items = self.expr(iter, env)?;
                stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.for_loop(var, items, iter.span, body, env))?;
                Ok(Value::None)
            }
            StmtKind::While { cond, body, scalar } => {
                if let Some(done) = self.scalar_loop(stmt, scalar, stmt.span, env) {
                    return done;
                }
                stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.while_loop(cond, body, stmt.span, env))
            }
            StmtKind::Break => Err(Control::Break(stmt.span)),
            StmtKind::Continue => Err(Control::Continue(stmt.span)),
            StmtKind::Return(value) => {
                let v = match value {
                    Some(e) => self.expr(e, env)?,
                    None => Value::None,
                };
                Err(Control::Return(v))
            }
        }
    }

    fn while_loop(&mut self, cond: &Expr, body: &[Stmt], span: Span, env: &Env) -> Flow<Value> {
        loop {
            self.check_interrupt(span)?;
            if !self.truth(cond, env)? {
                break;
            }
            match self.run(body, env) {
                Ok(_) | Err(Control::Continue(_)) => {}
                Err(Control::Break(_)) => break,
                Err(other) => return Err(other),
            }
        }
        Ok(Value::None)
    }

    /// The loop `stmt` run as scalar code ([`scalar::compile_loop`]) where
    /// it is that and its variables hold numbers; `None` where the evaluator
    /// is to run it. A run that bails leaves the variables as they were, and
    /// the evaluator runs the loop again; an interrupt leaves them as the
    /// run left them, as the evaluator would (`span` is where it reports it).
    fn scalar_loop(&mut self, stmt: &Stmt, code: &scalar::Compiled, span: Span, env: &Env) -> Option<Flow<Value>> {
        let code = self.scalar.then(|| code.of_loop(stmt)).flatten()?;
        match self.machine.run_loop(code, env, self.depth, MAX_DEPTH, self.interrupt) {
            Ok(()) => Some(Ok(Value::None)),
            Err(scalar::Stop::Interrupted) => {
                Some(self.check_interrupt(span).map(|()| Value::None).map_err(Into::into))
            }
            Err(scalar::Stop::Bail) => {
                self.scalar = false;
                let evaluated = self.compound_statement(stmt, env);
                self.scalar = true;
                Some(evaluated)
            }
            Err(scalar::Stop::Unrunnable) => None,
        }
    }

    fn for_loop(&mut self, var: &Target, items: Value, span: Span, body: &[Stmt], env: &Env) -> Flow<()> {
        let step = |interp: &mut Self, item: Value| -> Flow<bool> {
            interp.check_interrupt(span)?;
            match var {
                Target::Name(local, _) => env.set_slot(local.slot, item),
                pattern => interp.assign(pattern, item, env)?,
            }
            match interp.run(body, env) {
                Ok(_) | Err(Control::Continue(_)) => Ok(true),
                Err(Control::Break(_)) => Ok(false),
                Err(other) => Err(other),
            }
        };
        match items {
            Value::Range(a, b) => {
                for i in a..b {
                    if !step(self, Value::Number(i as f64))? {
                        break;
                    }
                }
            }
            other => {
                for x in ops::items(&other).map_err(|e| e.at(span))? {
                    if !step(self, x)? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether a condition holds (a comparison of numbers without forming a value).
    fn truth(&mut self, cond: &Expr, env: &Env) -> Flow<bool> {
        if let ExprKind::Binary(op, l, r) = &cond.kind {
            if let (Some(x), Some(y)) = (number(l, env), number(r, env)) {
                if let Some(Value::Bool(b)) = ops::scalar_fast(*op, x, y) {
                    return Ok(b);
                }
            }
        }
        match self.expr(cond, env)? {
            Value::Bool(b) => Ok(b),
            v => Ok(ops::truth(&v).map_err(|e| e.at(cond.span))?),
        }
    }

    fn assign(&mut self, target: &Target, value: Value, env: &Env) -> Flow<()> {
        match target {
            Target::Name(local, _) => env.set_slot(local.slot, value),
            Target::Path(local, steps, span) => {
                // The subscripts are evaluated first, while the variable is in scope.
                let mut path = Vec::with_capacity(steps.len());
                for step in steps {
                    path.push(match step {
                        Step::Index(subs, s) => index::Place::Index(self.subscripts(subs, env)?, *s),
                        Step::Field(n, s) => index::Place::Field(n.clone(), *s),
                    });
                }
                // A variable of the scopes around is copied into this one.
                let Some(mut current) = env.take_slot(local.slot).or_else(|| outer(env, &local.name)) else {
                    return Err(self.unknown_name(&local.name, *span, env).into());
                };
                let written = index::write(&mut current, &path, value);
                env.set_slot(local.slot, current);
                written?;
            }
            Target::Tuple(targets, span) => {
                let items = match value {
                    Value::Tuple(xs) | Value::List(xs) => xs,
                    // A vector unpacks into its entries: `for (a, b) in [1, 2; 3, 4]`.
                    Value::Matrix(ref m) | Value::Logical(ref m) if m.is_vector() => {
                        Rc::new(ops::items(&value).map_err(|e| Control::from(e.at(*span)))?)
                    }
                    other => {
                        return Err(LangError::type_error(
                            format!("cannot unpack {} into {}", other.a_kind(), counted(targets.len(), "name")),
                            *span,
                        )
                        .into())
                    }
                };
                if items.len() != targets.len() {
                    let msg = format!(
                        "cannot unpack {} into {}",
                        counted(items.len(), "value"),
                        counted(targets.len(), "name")
                    );
                    return Err(LangError::argument(msg, *span).into());
                }
                for (t, v) in targets.iter().zip(items.iter()) {
                    self.assign(t, v.clone(), env)?;
                }
            }
        }
        Ok(())
    }

    fn unknown_name(&self, name: &str, span: Span, env: &Env) -> LangError {
        let mut candidates: Vec<String> = env.visible_names().iter().map(|n| n.to_string()).collect();
        candidates.extend(crate::builtins::names().map(String::from));
        let err = LangError::new(ErrorKind::Name, format!("`{name}` is not defined"), Some(span));
        match crate::suggest::nearest(name, candidates.iter().map(String::as_str)) {
            Some(best) => err.with_hint(format!("did you mean `{best}`?")),
            None => err,
        }
    }

    /// Evaluates an expression (on a native stack grown as nesting needs:
    /// checked every few levels, which keeps the check off the hot path).
    pub fn expr(&mut self, e: &Expr, env: &Env) -> Flow<Value> {
        self.nesting += 1;
        let result = if self.nesting % 16 == 0 {
            stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.expr_here(e, env))
        } else {
            self.expr_here(e, env)
        };
        self.nesting -= 1;
        result
    }

    /// The constructs of inner loops, inline: constants, variables, scalar
    /// arithmetic, conditions, blocks and calls. The rest are out of line
    /// ([`Interp::compound`]), so that this recursive frame stays small.
    fn expr_here(&mut self, e: &Expr, env: &Env) -> Flow<Value> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Var(var) => match var.slot.and_then(|s| env.get_slot(s)) {
                Some(Value::Tensor(_)) | None => self.var(var, e.span, env),
                Some(v) => Ok(v),
            },
            ExprKind::Binary(op, l, r) if !matches!(op, BinOp::And | BinOp::Or) => {
                if let (Some(x), Some(y)) = (number(l, env), number(r, env)) {
                    if let Some(v) = ops::scalar_fast(*op, x, y) {
                        return Ok(v);
                    }
                }
                let (a, b) = (self.expr(l, env)?, self.expr(r, env)?);
                if let (Value::Number(x), Value::Number(y)) = (&a, &b) {
                    if let Some(v) = ops::scalar_fast(*op, *x, *y) {
                        return Ok(v);
                    }
                }
                self.binary(*op, a, b, e.span)
            }
            ExprKind::Block(stmts) => self.run(stmts, env),
            ExprKind::If(cond, then, otherwise) => {
                if self.truth(cond, env)? {
                    self.expr(then, env)
                } else if let Some(e) = otherwise {
                    self.expr(e, env)
                } else {
                    Ok(Value::None)
                }
            }
            ExprKind::Call(callee, args) => self.call_expr(callee, args, e.span, env),
            _ => self.compound(e, env),
        }
    }

    /// A variable that is not a set slot of this scope: one of the scopes
    /// around, a builtin, a constant, or an unread tensor (a loop over a
    /// loaded record binds one), which is read where it is used.
    #[inline(never)]
    fn var(&mut self, var: &Var, span: Span, env: &Env) -> Flow<Value> {
        match var.slot.and_then(|s| env.get_slot(s)).or_else(|| free(var, env)) {
            Some(Value::Tensor(t)) => read_tensor(&t, span),
            Some(v) => Ok(v),
            None => match crate::builtins::lookup(&var.name) {
                Some(b) => Ok(Value::Builtin(b)),
                None => match crate::builtins::constant(&var.name) {
                    Some(c) => Ok(c),
                    None => Err(self.unknown_name(&var.name, span, env).into()),
                },
            },
        }
    }

    /// `a op b` beyond two numbers: a long matrix product runs where Ctrl-C
    /// can stop it, the rest is [`ops::binary`].
    #[inline(never)]
    fn binary(&mut self, op: BinOp, a: Value, b: Value, span: Span) -> Flow<Value> {
        let at = |err: LangError| Control::from(err.at(span));
        match (op, &a, &b) {
            (BinOp::Mul, Value::Matrix(x), Value::Matrix(y))
                if x.cols() == y.rows() && x.rows() * x.cols() * y.cols() > LONG_WORK =>
            {
                let product = lend(self.interrupt, span, [x, y], |[x, y]| x.matmul(y))?;
                Ok(Value::matrix(product.map_err(|e| at(e.into()))?))
            }
            _ => Ok(ops::binary(op, a, b).map_err(at)?),
        }
    }

    /// `callee(args)`. A function given exactly its parameters, by position,
    /// gets them evaluated straight into its call's scope.
    #[inline(never)]
    fn call_expr(&mut self, callee: &Expr, args: &[Arg], span: Span, env: &Env) -> Flow<Value> {
        let f = match &callee.kind {
            // A named function defined around (or a builtin): straight to the lookup.
            ExprKind::Var(var) if var.slot.is_none() => self.var(var, callee.span, env)?,
            _ => self.expr(callee, env)?,
        };
        if let Value::Function(closure) = &f {
            let fun = &closure.fun;
            if args.len() == fun.def.params.len() && args.iter().all(|a| a.name.is_none()) {
                let scope = Scope::frame(&fun.names, &closure.env, self.spare.pop());
                let bound = args.iter().enumerate().try_for_each(|(i, a)| {
                    scope.set_slot(i, self.expr(&a.value, env)?);
                    Ok(())
                });
                if let Err(flow) = bound.and_then(|()| self.admit(closure, span)) {
                    self.spare.extend(Scope::release(scope));
                    return Err(flow);
                }
                return self.body(closure, scope, span);
            }
        }
        let mut evaluated = Args::default();
        for a in args {
            let v = self.expr(&a.value, env)?;
            evaluated.push(a.name.clone(), v, a.value.span);
        }
        self.call(f, evaluated, span)
    }

    /// The other constructs (out of line, see [`Interp::expr_here`]).
    #[inline(never)]
    fn compound(&mut self, e: &Expr, env: &Env) -> Flow<Value> {
        let span = e.span;
        let at = |err: LangError| Control::from(err.at(span));
        Ok(match &e.kind {
            ExprKind::Matrix(rows) => {
                let mut values = Vec::with_capacity(rows.len());
                for row in rows {
                    let mut vs = Vec::with_capacity(row.len());
                    for item in row {
                        vs.push((self.expr(item, env)?, item.span));
                    }
                    values.push(vs);
                }
                ops::matrix_literal(values).map_err(at)?
            }
            ExprKind::Tuple(items) => {
                let vs = items.iter().map(|i| self.expr(i, env)).collect::<Flow<Vec<_>>>()?;
                Value::tuple(vs)
            }
            ExprKind::Record(fields) => {
                let mut values = Vec::with_capacity(fields.len());
                for (name, e) in fields {
                    values.push((name.clone(), self.expr(e, env)?));
                }
                Value::Record(Rc::new(Record { fields: values }))
            }
            ExprKind::Unary(op, inner) => {
                let v = self.expr(inner, env)?;
                ops::unary(*op, v).map_err(at)?
            }
            // A matrix on either side combines entry by entry; otherwise `&&`
            // and `||` short-circuit on the left side's truth.
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
                let a = self.expr(l, env)?;
                if !ops::entrywise_logic(&a) {
                    let left = ops::truth(&a).map_err(|e| Control::from(e.at(l.span)))?;
                    if left == (*op == BinOp::Or) {
                        return Ok(Value::Bool(left));
                    }
                }
                let b = self.expr(r, env)?;
                if ops::entrywise_logic(&a) || ops::entrywise_logic(&b) {
                    ops::logic(*op, &a, &b).map_err(at)?
                } else {
                    Value::Bool(ops::truth(&b).map_err(|e| Control::from(e.at(r.span)))?)
                }
            }
            ExprKind::Range(a, b) => {
                let (x, y) = (self.expr(a, env)?, self.expr(b, env)?);
                let lo = ops::integer(&x, "a range bound").map_err(|e| e.at(a.span))?;
                let hi = ops::integer(&y, "a range bound").map_err(|e| e.at(b.span))?;
                Value::Range(lo, hi)
            }
            ExprKind::SteppedRange(a, s, b) => {
                let number = |interp: &mut Self, e: &Expr| -> Flow<f64> {
                    let v = interp.expr(e, env)?;
                    Ok(ops::number(&v, "a range bound or step").map_err(|err| err.at(e.span))?)
                };
                let (lo, step, hi) = (number(self, a)?, number(self, s)?, number(self, b)?);
                ops::stepped_range(lo, step, hi).map_err(|err| err.at(span))?
            }
            ExprKind::Transpose(inner) => {
                let v = self.expr(inner, env)?;
                ops::transpose(v).map_err(at)?
            }
            ExprKind::Index(target, subs) => {
                // `A[i, j]` of numbers in a loop: no position lists, no copy of `A`.
                if let (ExprKind::Var(Var { slot: Some(s), .. }), Some((i, j))) = (&target.kind, numbers(subs, env)) {
                    if let Some(v) = env.with_slot(*s, |v| v.as_ref().and_then(|v| index::read_entry(v, i, j))) {
                        return Ok(v);
                    }
                }
                let v = self.expr(target, env)?;
                let resolved = self.subscripts(subs, env)?;
                match index::read(&v, &resolved, span).map_err(at)? {
                    Value::Tensor(t) => read_tensor(&t, span)?,
                    picked => picked,
                }
            }
            ExprKind::Field(target, name) => {
                let v = self.expr(target, env)?;
                match &v {
                    Value::Record(r) => match r.get(name) {
                        Some(Value::Tensor(t)) => read_tensor(t, span)?,
                        Some(x) => x.clone(),
                        None => return Err(index::no_field(r, name, span).into()),
                    },
                    other => {
                        return Err(LangError::type_error(
                            format!("{} has no fields (`.{name}`)", other.a_kind()),
                            span,
                        )
                        .into())
                    }
                }
            }
            ExprKind::Lambda(fun) => Value::Function(Rc::new(Closure { fun: fun.clone(), env: env.clone() })),
            ExprKind::Help(name) => {
                let text = crate::builtins::help::help_text(name, env).map_err(at)?;
                self.sink.page(&text);
                Value::None
            }
            ExprKind::Const(_)
            | ExprKind::Var(_)
            | ExprKind::Binary(..)
            | ExprKind::Block(_)
            | ExprKind::If(..)
            | ExprKind::Call(..) => return self.expr_here(e, env),
        })
    }

    /// Resolves the subscripts of an index against the value indexed.
    fn subscripts(&mut self, subs: &[Subscript], env: &Env) -> Flow<Vec<index::Sub>> {
        let mut out = Vec::with_capacity(subs.len());
        for s in subs {
            out.push(match s {
                Subscript::All(_) => index::Sub::All,
                Subscript::Expr(e) => index::Sub::Value(self.expr(e, env)?, e.span),
                Subscript::OpenRange { start, end, span } => {
                    let bound = |interp: &mut Self, e: &Option<Box<Expr>>| -> Flow<Option<i64>> {
                        match e {
                            Some(e) => {
                                let v = interp.expr(e, env)?;
                                Ok(Some(ops::integer(&v, "a range bound").map_err(|err| err.at(e.span))?))
                            }
                            None => Ok(None),
                        }
                    };
                    index::Sub::Open(bound(self, start)?, bound(self, end)?, *span)
                }
            });
        }
        Ok(out)
    }

    /// Calls a function value with evaluated arguments.
    pub fn call(&mut self, f: Value, args: Args, span: Span) -> Flow<Value> {
        match f {
            Value::Builtin(b) => self.call_builtin(b, args, span),
            Value::Function(closure) => self.call_closure(&closure, args, span),
            other => Err(LangError::type_error(format!("{} cannot be called", other.a_kind()), span).into()),
        }
    }

    fn call_builtin(&mut self, b: &'static Builtin, args: Args, span: Span) -> Flow<Value> {
        b.check(&args, span)?;
        let run = match (b.device, args.first_gpu()) {
            (Device::Gpu(on_device), Some(_)) => on_device,
            (Device::Cpu | Device::Placed, Some((v, s))) => {
                return Err(LangError::type_error(
                    format!("`{}` runs on the cpu, and this is {}", b.name, v.a_kind()),
                    s,
                )
                .with_hint(crate::builtins::gpu_hint())
                .into())
            }
            _ => b.run,
        };
        let placed = matches!(b.device, Device::Placed) && self.state.device == crate::context::Placement::Gpu;
        // Number in, number out: a 1×1 result of numbers is a number (except
        // from the builtins that build a matrix of the shape they are given).
        let numbers_in =
            args.positional().all(|(v, _)| matches!(v, Value::Number(_) | Value::Bool(_))) && !b.shapes_its_result();
        let result = crate::boundary::catch(|| run(self, args, span))
            .unwrap_or_else(|caught| Err(caught.into_error(&format!("`{}`", b.name))));
        result
            .and_then(|v| match v {
                Value::Matrix(m) if placed => crate::gpu::upload(&m, None),
                Value::Matrix(m) if numbers_in && m.len() == 1 => Ok(Value::Number(m[(0, 0)])),
                v => Ok(v),
            })
            .map_err(|e| Control::from(named_by(b, e.at(span))))
    }

    /// Whether a call of `closure` may start: the call depth is bounded, and
    /// an interrupt stops recursion too.
    fn admit(&self, closure: &Closure, span: Span) -> Flow<()> {
        if self.depth >= MAX_DEPTH {
            let name = closure.name();
            return Err(LangError::argument(format!("{name}: calls nested deeper than {MAX_DEPTH}"), span).into());
        }
        Ok(self.check_interrupt(span)?)
    }

    fn call_closure(&mut self, closure: &Rc<Closure>, args: Args, span: Span) -> Flow<Value> {
        self.admit(closure, span)?;
        let fun = &closure.fun;
        let name = closure.name();
        let params = &fun.def.params;
        let given = args.positional().count();
        if given > params.len() {
            let msg = format!("{name} takes {}, got {given}", counted(params.len(), "argument"));
            return Err(LangError::argument(msg, span).into());
        }
        for (k, _) in args.keywords() {
            match params.iter().position(|p| &*p.name == k) {
                None => return Err(LangError::argument(format!("{name} has no parameter `{k}`"), span).into()),
                Some(i) if i < given => {
                    return Err(LangError::argument(format!("{name}: `{k}` is given twice"), span).into())
                }
                Some(_) => {}
            }
        }
        // Parameter i is slot i of the call's scope.
        let scope = Scope::frame(&fun.names, &closure.env, self.spare.pop());
        let mut positional = args.positional();
        for (i, p) in params.iter().enumerate() {
            let value = if let Some((v, _)) = positional.next() {
                v.clone()
            } else if let Some((v, _)) = args.keyword(&p.name) {
                v.clone()
            } else if let Some(default) = &fun.defaults[i] {
                self.depth += 1;
                let v = self.expr(default, &scope);
                self.depth -= 1;
                v?
            } else {
                let msg = format!("{name}: missing argument `{}`", p.name);
                return Err(LangError::argument(msg, span).into());
            };
            scope.set_slot(i, value);
        }
        // The arguments are in the scope now: dropping these copies lets the
        // body update a parameter in place.
        drop(positional);
        drop(args);
        self.body(closure, scope, span)
    }

    /// Runs the body of `closure` in `scope`, its call's scope with the
    /// parameters bound, and keeps the scope for the next call. The body
    /// runs as scalar code where it is that and the arguments are numbers;
    /// where that run bails, the evaluator runs it (and the calls it makes).
    fn body(&mut self, closure: &Rc<Closure>, scope: Env, span: Span) -> Flow<Value> {
        let mut bailed = false;
        if let Some(code) = self.scalar.then(|| closure.fun.scalar.get(&closure.fun)).flatten() {
            let args = (0..closure.fun.def.params.len()).map(|i| scope.number(i));
            match self.machine.run(closure, code, args, self.depth + 1, MAX_DEPTH, self.interrupt) {
                Ok(x) => {
                    self.spare.extend(Scope::release(scope));
                    return Ok(Value::Number(x));
                }
                // (Only a loop reports an interrupt itself.)
                Err(scalar::Stop::Bail | scalar::Stop::Interrupted) => bailed = true,
                Err(scalar::Stop::Unrunnable) => {}
            }
        }
        self.scalar &= !bailed;
        self.depth += 1;
        let result = self.expr(&closure.fun.body, &scope);
        self.depth -= 1;
        self.scalar |= bailed;
        self.spare.extend(Scope::release(scope));
        match result {
            Ok(v) | Err(Control::Return(v)) => Ok(v),
            Err(flow) => Err(called(closure.name(), span, flow)),
        }
    }
}

/// A control flow leaving a call of the function `name` at `span`: an error
/// gains the call in its trace, and `break` or `continue` are errors there.
#[cold]
fn called(name: &str, span: Span, flow: Control) -> Control {
    let mut e = match flow {
        Control::Break(s) | Control::Continue(s) => {
            Box::new(LangError::syntax("`break` and `continue` belong inside a loop", s))
        }
        Control::Error(e) => e,
        Control::Return(_) => unreachable!("a return ends the call"),
    };
    e.called(name, span);
    Control::Error(e)
}

impl Ctx for Interp<'_> {
    fn state(&mut self) -> &mut State {
        self.state
    }
    fn sink(&mut self) -> &mut dyn Sink {
        self.sink
    }
    fn interrupt(&self) -> &AtomicBool {
        self.interrupt
    }
    fn call(&mut self, f: Value, args: Args, span: Span) -> Result<Value> {
        Interp::call(self, f, args, span).map_err(|flow| match flow {
            Control::Error(e) => *e,
            Control::Break(s) | Control::Continue(s) => {
                LangError::syntax("`break` and `continue` belong inside a loop", s)
            }
            Control::Return(_) => LangError::syntax("`return` belongs inside a function", span),
        })
    }
}

/// A standard-library error as the builtin `b` reports it: the memory guard's
/// refusal takes the builtin's name, other errors are prefixed by it unless they
/// already name it (`kron: *: shapes …`). The language's own errors are as they are.
fn named_by(b: &Builtin, e: LangError) -> LangError {
    match &e.source {
        Some(source) if source.op() != b.name => match &**source {
            tessera::Error::OutOfMemory { .. } => LangError {
                span: e.span,
                hint: e.hint,
                trace: e.trace,
                ..LangError::from((**source).clone().named(b.name))
            },
            _ => LangError { message: format!("{}: {}", b.name, e.message), ..e },
        },
        _ => e,
    }
}

/// The number `e` is when it is a number constant or a variable of this
/// scope holding a number: what arithmetic reads without evaluating (or
/// cloning) a value.
#[inline(always)]
fn number(e: &Expr, env: &Env) -> Option<f64> {
    match &e.kind {
        ExprKind::Const(Value::Number(x)) => Some(*x),
        ExprKind::Var(Var { slot: Some(s), .. }) => env.number(*s),
        _ => None,
    }
}

/// The numbers of two subscripts `[i, j]` that [`number`] reads.
fn numbers(subs: &[Subscript], env: &Env) -> Option<(f64, f64)> {
    match subs {
        [Subscript::Expr(i), Subscript::Expr(j)] => Some((number(i, env)?, number(j, env)?)),
        _ => None,
    }
}

/// The value of the variable `var` in the scopes around `env`. Where the
/// scope just around is one that grows (the globals, or a scope rebuilt by
/// name), the slot it was found in last time is read first.
fn free(var: &Var, env: &Env) -> Option<Value> {
    let parent = env.parent()?;
    let (id, slot) = var.found.get();
    if id != 0 && parent.id() == id {
        if let Some(v) = parent.get_slot(slot) {
            return Some(v);
        }
    }
    let v = parent.lookup(&var.name);
    if v.is_some() && parent.id() != 0 {
        if let Some(slot) = parent.slot(&var.name) {
            var.found.set((parent.id(), slot));
        }
    }
    v
}

/// The value of `name` in the scopes around `env` (where a name the code
/// never assigns, or has not assigned yet, is found).
fn outer(env: &Env, name: &crate::name::Name) -> Option<Value> {
    env.parent().and_then(|p| p.lookup(name))
}

/// An unread tensor's matrix, where an expression takes it out of a record or
/// a variable. Out of line, so that the evaluator's recursive frame stays
/// small.
#[cold]
#[inline(never)]
fn read_tensor(t: &tessera::io::MappedTensor, span: Span) -> Flow<Value> {
    t.read().map(Value::matrix).map_err(|e| Control::from(LangError::from(e).at(span)))
}
