//! Scalar code: a function all of whose values are numbers, compiled to
//! instructions over a flat array of `f64` registers. A call whose
//! arguments are all numbers runs it (see [`Interp`](crate::eval::Interp)'s
//! `body`): numbers unboxed, no scopes, no reference counts, and calls
//! between such functions without native recursion.
//!
//! A function qualifies when its body uses only numbers, its parameters and
//! the names it assigns (each read after an assignment on every path to it),
//! arithmetic (`+ - * / \ % ^ .* ./ .^ ⊗` and negation), comparisons, `!`,
//! `&&` and `||` in conditions, `if`, blocks, `while`, `for` over a range
//! `a:b`, `break`, `continue`, `return x`, and calls by name with positional
//! arguments; its value, and that of every call it makes, is a number. Any
//! other function runs in the evaluator as before. A loop (in a cell, or in
//! a function that is not scalar code) qualifies in the same way, its
//! variables being registers read from its scope when it starts and written
//! back when it ends ([`compile_loop`]).
//!
//! Scalar code cannot change anything outside its own registers, so a run
//! that meets what only the evaluator handles (a range bound that is not an
//! integer, the call limit, an interrupt) stops ("bails") and the evaluator
//! runs the call (or the loop) again from its start, reporting what it finds
//! there with its spans and traces. (An interrupted loop writes its
//! variables back first: the state it stopped in is one the evaluator
//! passes through too.) Names called are resolved when a run starts, in the
//! scopes the evaluator would search; a run starts only if every function it
//! may reach is scalar code taking that many arguments.
//!
//! Cost: compiling is one walk of the body, once per function; a run costs
//! one dispatch per instruction (an operation, a jump, a call or a return).

use crate::ast::{BinOp, UnOp};
use crate::code::{Expr, ExprKind, Function, Stmt, StmtKind, Target};
use crate::env::Env;
use crate::name::Name;
use crate::value::{Closure, Value};
use std::cell::{Cell, OnceCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A register of a call's frame.
type Reg = u8;

/// The registers a frame may use: all of them, so that a register index
/// needs no bounds check. A frame is a window of this many registers at its
/// base (the windows of callers and callees overlap, a callee's starting at
/// its arguments).
const WINDOW: usize = Reg::MAX as usize + 1;

/// The position of an instruction in a function's code.
type Pc = u32;

/// A constant of a function's code (an index into [`Code::consts`]).
type K = u8;

/// An instruction. `d` is the register written, `a` and `b` those read, `k`
/// a constant; a comparison jumps to `to` when its truth is `when`.
#[derive(Debug, Clone, Copy)]
enum Ins {
    Add(Reg, Reg, Reg),
    Sub(Reg, Reg, Reg),
    Mul(Reg, Reg, Reg),
    Div(Reg, Reg, Reg),
    /// Floored modulo, as `%` of numbers.
    Mod(Reg, Reg, Reg),
    Pow(Reg, Reg, Reg),
    AddK(Reg, Reg, K),
    SubK(Reg, Reg, K),
    MulK(Reg, Reg, K),
    DivK(Reg, Reg, K),
    Neg(Reg, Reg),
    Move(Reg, Reg),
    Load(Reg, K),
    Lt {
        a: Reg,
        b: Reg,
        when: bool,
        to: Pc,
    },
    Le {
        a: Reg,
        b: Reg,
        when: bool,
        to: Pc,
    },
    Eq {
        a: Reg,
        b: Reg,
        when: bool,
        to: Pc,
    },
    LtK {
        a: Reg,
        k: K,
        when: bool,
        to: Pc,
    },
    LeK {
        a: Reg,
        k: K,
        when: bool,
        to: Pc,
    },
    GtK {
        a: Reg,
        k: K,
        when: bool,
        to: Pc,
    },
    GeK {
        a: Reg,
        k: K,
        when: bool,
        to: Pc,
    },
    EqK {
        a: Reg,
        k: K,
        when: bool,
        to: Pc,
    },
    Jump(Pc),
    /// A loop's back edge: an interrupt stops the run here.
    Loop(Pc),
    /// A `for` over `lo:hi` starts: both bounds must be integers.
    Range {
        lo: Reg,
        hi: Reg,
    },
    /// A `for` steps: to `exit` once `at` reached `end`, else `var = at` and `at += 1`.
    Next {
        at: Reg,
        end: Reg,
        var: Reg,
        exit: Pc,
    },
    /// Calls the function of call site `site` with the arguments in the
    /// registers from `args` (they become its parameters: its frame starts
    /// there) and puts its value in `dst`.
    Call {
        site: u16,
        args: Reg,
        dst: Reg,
    },
    Return(Reg),
}

/// A function (or a loop, see [`compile_loop`]) compiled to scalar code.
#[derive(Debug)]
pub struct Code {
    ins: Vec<Ins>,
    /// The constants, as many as a [`K`] can name (so that reading one
    /// needs no bounds check).
    consts: Box<[f64; WINDOW]>,
    /// The name each call site calls, and its number of arguments.
    sites: Vec<(Name, usize)>,
    /// A loop's variables: the slot of the scope around that each of its
    /// first registers stands for, and whether it must hold a number when
    /// the loop starts (all but the variables only a `for` sets). Empty for
    /// a function, whose slots are its registers.
    vars: Vec<(usize, bool)>,
    /// The names of a loop's variables: a function it calls may not call
    /// one of them, which the loop may rebind (the run would not see it).
    var_names: Vec<Name>,
    /// A loop's `for` variables that need not hold a number when it starts:
    /// the register, and one that a `for` setting it makes nonzero (such a
    /// variable goes back to the scope only if it was set).
    counted: Vec<(Reg, Reg)>,
    /// Cleared when a run could not start because of what a name called
    /// here is (a builtin, a function that is not scalar code): the function
    /// runs in the evaluator from then on.
    runnable: Cell<bool>,
}

/// A function's scalar code, compiled on its first call (`None`: it does not
/// qualify).
#[derive(Debug, Default)]
pub struct Compiled(OnceCell<Option<Rc<Code>>>);

impl Compiled {
    /// The scalar code of `fun`, compiling it on first use.
    pub fn get(&self, fun: &Function) -> Option<&Rc<Code>> {
        self.0.get_or_init(|| compile(fun).map(Rc::new)).as_ref().filter(|c| c.runnable.get())
    }

    /// The scalar code of the loop `stmt`, compiling it on first use.
    pub fn of_loop(&self, stmt: &Stmt) -> Option<&Rc<Code>> {
        self.0.get_or_init(|| compile_loop(stmt).map(Rc::new)).as_ref().filter(|c| c.runnable.get())
    }
}

/// Why a run did not give a value.
pub enum Stop {
    /// It could not start (nothing ran).
    Unrunnable,
    /// It met what only the evaluator handles (the call is to run again there).
    Bail,
    /// A loop was interrupted; its variables are as it left them.
    Interrupted,
}

/// The registers, suspended calls and functions of runs, kept between them
/// so that a run allocates nothing once they have grown.
#[derive(Default)]
pub struct Machine {
    regs: Vec<f64>,
    frames: Vec<Frame>,
    /// The code a run may reach, the called function or the loop run first.
    funs: Vec<Linked>,
    /// For each call site of each function, the index in `funs` of the one it calls.
    targets: Vec<u32>,
}

/// Code of a run: the function (none for a loop), the scope its names are
/// found in, its code, and where its call sites' entries in `targets` start.
struct Linked {
    closure: Option<Rc<Closure>>,
    env: Env,
    code: Rc<Code>,
    sites_at: usize,
}

/// A suspended caller: its function, where it goes on, its frame and the
/// register the callee's value goes to.
struct Frame {
    fun: u32,
    pc: Pc,
    base: u32,
    dst: Reg,
}

impl Machine {
    /// Runs `closure` (whose scalar code is `code`) on `args`, its
    /// arguments if they are all numbers, as a call at call depth `depth`:
    /// calls `limit` deep, and an interrupt, bail.
    pub fn run(
        &mut self,
        closure: &Rc<Closure>,
        code: &Rc<Code>,
        args: impl Iterator<Item = Option<f64>>,
        depth: usize,
        limit: usize,
        interrupt: &AtomicBool,
    ) -> Result<f64, Stop> {
        if interrupt.load(Ordering::Relaxed) {
            return Err(Stop::Bail);
        }
        for (reg, x) in window(&mut self.regs, 0).iter_mut().zip(args) {
            *reg = x.ok_or(Stop::Unrunnable)?;
        }
        self.funs.push(Linked {
            closure: Some(closure.clone()),
            env: closure.env.clone(),
            code: code.clone(),
            sites_at: 0,
        });
        let result = self.link(&[]).and_then(|()| self.execute(depth, limit, interrupt));
        self.clear();
        result
    }

    /// Runs the loop whose scalar code is `code` in `env`, at call depth
    /// `depth`, its variables read from `env` and written back when it ends
    /// (or is interrupted; nothing is written when it bails).
    pub fn run_loop(
        &mut self,
        code: &Rc<Code>,
        env: &Env,
        depth: usize,
        limit: usize,
        interrupt: &AtomicBool,
    ) -> Result<(), Stop> {
        if interrupt.load(Ordering::Relaxed) {
            return Err(Stop::Bail);
        }
        let w = window(&mut self.regs, 0);
        for (reg, &(slot, required)) in w.iter_mut().zip(&code.vars) {
            if required {
                *reg = env.number(slot).ok_or(Stop::Unrunnable)?;
            }
        }
        for &(_, set) in &code.counted {
            w[set as usize] = 0.0;
        }
        self.funs.push(Linked { closure: None, env: env.clone(), code: code.clone(), sites_at: 0 });
        let result = match self.link(&code.var_names).and_then(|()| self.execute(depth, limit, interrupt)) {
            Err(Stop::Bail) if interrupt.load(Ordering::Relaxed) => Err(Stop::Interrupted),
            other => other.map(|_| ()),
        };
        if matches!(result, Ok(()) | Err(Stop::Interrupted)) {
            let w = window(&mut self.regs, 0);
            for (reg, &(slot, required)) in code.vars.iter().enumerate() {
                let set = |&(var, set): &(Reg, Reg)| var as usize == reg && w[set as usize] != 0.0;
                if required || code.counted.iter().any(set) {
                    env.set_slot(slot, Value::Number(w[reg]));
                }
            }
        }
        self.clear();
        result
    }

    fn clear(&mut self) {
        self.funs.clear();
        self.targets.clear();
        self.frames.clear();
    }

    /// Resolves the call sites of the code run first and of every function
    /// it reaches; none may call a name of `rebound` (a loop's variables).
    fn link(&mut self, rebound: &[Name]) -> Result<(), Stop> {
        let mut next = 0;
        while next < self.funs.len() {
            let (env, caller_code) = (self.funs[next].env.clone(), self.funs[next].code.clone());
            self.funs[next].sites_at = self.targets.len();
            for (name, count) in &caller_code.sites {
                if rebound.contains(name) {
                    return Err(Stop::Unrunnable);
                }
                let callee = match env.lookup(name) {
                    Some(Value::Function(f)) if f.fun.def.params.len() == *count => f,
                    _ => return Err(unrunnable(&caller_code)),
                };
                let Some(code) = callee.fun.scalar.get(&callee.fun).cloned() else {
                    return Err(unrunnable(&caller_code));
                };
                let same = |l: &Linked| l.closure.as_ref().is_some_and(|c| Rc::ptr_eq(c, &callee));
                let index = match self.funs.iter().position(same) {
                    Some(i) => i,
                    None => {
                        let env = callee.env.clone();
                        self.funs.push(Linked { closure: Some(callee), env, code, sites_at: 0 });
                        self.funs.len() - 1
                    }
                };
                self.targets.push(index as u32);
            }
            next += 1;
        }
        Ok(())
    }

    /// Runs the linked functions from the first, whose frame is in place at
    /// register 0, to its value. Calls do not nest on the native stack: a
    /// call suspends its caller in `frames`.
    fn execute(&mut self, depth: usize, limit: usize, interrupt: &AtomicBool) -> Result<f64, Stop> {
        let stopped = || interrupt.load(Ordering::Relaxed);
        // The calls that may be suspended before one reaches the limit.
        let room = limit.saturating_sub(depth);
        let Machine { regs, frames, funs, targets } = self;
        let (mut f, mut base, mut pc) = (0, 0, 0);
        let (mut code, mut sites_at) = (&*funs[0].code, funs[0].sites_at);
        // The registers of the running call.
        let mut w = window(regs, 0);
        loop {
            let ins = code.ins[pc];
            pc += 1;
            match ins {
                Ins::Add(d, a, b) => w[d as usize] = w[a as usize] + w[b as usize],
                Ins::Sub(d, a, b) => w[d as usize] = w[a as usize] - w[b as usize],
                Ins::Mul(d, a, b) => w[d as usize] = w[a as usize] * w[b as usize],
                Ins::Div(d, a, b) => w[d as usize] = w[a as usize] / w[b as usize],
                Ins::Mod(d, a, b) => w[d as usize] = tessera::scalar::floored_mod(w[a as usize], w[b as usize]),
                Ins::Pow(d, a, b) => w[d as usize] = w[a as usize].powf(w[b as usize]),
                Ins::AddK(d, a, k) => w[d as usize] = w[a as usize] + code.consts[k as usize],
                Ins::SubK(d, a, k) => w[d as usize] = w[a as usize] - code.consts[k as usize],
                Ins::MulK(d, a, k) => w[d as usize] = w[a as usize] * code.consts[k as usize],
                Ins::DivK(d, a, k) => w[d as usize] = w[a as usize] / code.consts[k as usize],
                Ins::Neg(d, a) => w[d as usize] = -w[a as usize],
                Ins::Move(d, a) => w[d as usize] = w[a as usize],
                Ins::Load(d, k) => w[d as usize] = code.consts[k as usize],
                Ins::Lt { a, b, when, to } => jump_if((w[a as usize] < w[b as usize]) == when, to, &mut pc),
                Ins::Le { a, b, when, to } => jump_if((w[a as usize] <= w[b as usize]) == when, to, &mut pc),
                Ins::Eq { a, b, when, to } => jump_if((w[a as usize] == w[b as usize]) == when, to, &mut pc),
                Ins::LtK { a, k, when, to } => jump_if((w[a as usize] < code.consts[k as usize]) == when, to, &mut pc),
                Ins::LeK { a, k, when, to } => jump_if((w[a as usize] <= code.consts[k as usize]) == when, to, &mut pc),
                Ins::GtK { a, k, when, to } => jump_if((w[a as usize] > code.consts[k as usize]) == when, to, &mut pc),
                Ins::GeK { a, k, when, to } => jump_if((w[a as usize] >= code.consts[k as usize]) == when, to, &mut pc),
                Ins::EqK { a, k, when, to } => jump_if((w[a as usize] == code.consts[k as usize]) == when, to, &mut pc),
                Ins::Jump(to) => pc = to as usize,
                Ins::Loop(to) => {
                    if stopped() {
                        return Err(Stop::Bail);
                    }
                    pc = to as usize;
                }
                Ins::Range { lo, hi } => {
                    if !(crate::value::whole(w[lo as usize]) && crate::value::whole(w[hi as usize])) {
                        return Err(Stop::Bail);
                    }
                    // The evaluator counts in integers: a start of -0 is 0.
                    w[lo as usize] += 0.0;
                }
                Ins::Next { at, end, var, exit } => {
                    let i = w[at as usize];
                    if i >= w[end as usize] {
                        pc = exit as usize;
                    } else {
                        w[var as usize] = i;
                        w[at as usize] = i + 1.0;
                    }
                }
                Ins::Call { site, args, dst } => {
                    // The evaluator's `admit`: the caller runs at `depth + frames.len()`.
                    if frames.len() >= room || stopped() {
                        return Err(Stop::Bail);
                    }
                    let callee = targets[sites_at + site as usize] as usize;
                    frames.push(Frame { fun: f as u32, pc: pc as Pc, base: base as u32, dst });
                    if callee != f {
                        f = callee;
                        (code, sites_at) = (&funs[f].code, funs[f].sites_at);
                    }
                    (base, pc) = (base + args as usize, 0);
                    w = window(regs, base);
                }
                Ins::Return(x) => {
                    let value = w[x as usize];
                    let Some(caller) = frames.pop() else { return Ok(value) };
                    if caller.fun as usize != f {
                        f = caller.fun as usize;
                        (code, sites_at) = (&funs[f].code, funs[f].sites_at);
                    }
                    (base, pc) = (caller.base as usize, caller.pc as usize);
                    w = window(regs, base);
                    w[caller.dst as usize] = value;
                }
            }
        }
    }
}

/// The registers of a frame at `base` (room made for them).
#[inline(always)]
fn window(regs: &mut Vec<f64>, base: usize) -> &mut [f64; WINDOW] {
    if regs.len() < base + WINDOW {
        regs.resize(base + WINDOW, 0.0);
    }
    (&mut regs[base..base + WINDOW]).try_into().expect("a window")
}

/// A conditional jump: to `to` if `taken`.
#[inline(always)]
fn jump_if(taken: bool, to: Pc, pc: &mut usize) {
    if taken {
        *pc = to as usize;
    }
}

/// Marks `code` as not runnable: what it calls is not scalar code.
fn unrunnable(code: &Code) -> Stop {
    code.runnable.set(false);
    Stop::Unrunnable
}

/// A construct scalar code does not cover.
struct Unfit;

type Fit<T> = Result<T, Unfit>;

/// Compiles `fun` to scalar code, if it qualifies.
fn compile(fun: &Function) -> Option<Code> {
    if !shallow(&fun.body, MAX_NESTING) {
        return None;
    }
    let slots = fun.names.len();
    let mut set = vec![false; slots];
    set[..fun.def.params.len()].iter_mut().for_each(|s| *s = true);
    let mut c = Compiler::new((0..slots).collect(), set, 0);
    c.tail(&fun.body).ok()?;
    c.finish(vec![], vec![])
}

/// Compiles a loop (`for` or `while`) to scalar code that runs in the
/// scope of the code around it, if it qualifies: its body as a function's
/// would, with the variables it names (all of that scope: no name from
/// around) as registers, no `return`, and calls found by name in that
/// scope. Its variables must hold numbers when it starts, but for those
/// only a `for` sets.
pub fn compile_loop(stmt: &Stmt) -> Option<Code> {
    if !shallow_statement(stmt, MAX_NESTING) {
        return None;
    }
    let mut names = Mentions::default();
    names.statement(stmt).ok()?;
    let only_counted = |slot: &usize| names.counted.contains(slot) && !names.assigned.contains(slot);
    let required: Vec<bool> = names.slots.iter().map(|slot| !only_counted(slot)).collect();
    let vars = names.slots.iter().copied().zip(required.iter().copied()).collect();
    let mut c = Compiler::new(names.slots, required, names.fors);
    c.returns = false;
    c.stmt(stmt).ok()?;
    // The run ends here (its value is not used).
    let end = c.temp();
    c.emit(Ins::Return(end));
    c.finish(vars, names.names)
}

/// The variables a loop names, in order, and what sets them.
#[derive(Default)]
struct Mentions {
    slots: Vec<usize>,
    names: Vec<Name>,
    assigned: Vec<usize>,
    /// Variables of `for`s.
    counted: Vec<usize>,
    fors: usize,
}

impl Mentions {
    fn slot(&mut self, slot: usize, name: &Name) {
        if !self.slots.contains(&slot) {
            self.slots.push(slot);
            self.names.push(name.clone());
        }
    }

    fn expr(&mut self, e: &Expr) -> Fit<()> {
        match &e.kind {
            ExprKind::Const(_) => {}
            ExprKind::Var(var) => self.slot(var.slot.ok_or(Unfit)?, &var.name),
            ExprKind::Unary(_, x) => self.expr(x)?,
            ExprKind::Binary(_, l, r) | ExprKind::Range(l, r) => {
                self.expr(l)?;
                self.expr(r)?;
            }
            ExprKind::If(c, t, f) => {
                self.expr(c)?;
                self.expr(t)?;
                f.as_deref().map_or(Ok(()), |f| self.expr(f))?;
            }
            ExprKind::Block(stmts) => stmts.iter().try_for_each(|s| self.statement(s))?,
            // The callee is found by name when the loop starts.
            ExprKind::Call(_, args) => args.iter().try_for_each(|a| self.expr(&a.value))?,
            _ => return Err(Unfit),
        }
        Ok(())
    }

    fn statement(&mut self, s: &Stmt) -> Fit<()> {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Assign { target: Target::Name(local, _), value } => {
                self.expr(value)?;
                self.slot(local.slot, &local.name);
                self.assigned.push(local.slot);
                Ok(())
            }
            StmtKind::For { var: Target::Name(local, _), iter, body, .. } => {
                self.expr(iter)?;
                self.slot(local.slot, &local.name);
                self.counted.push(local.slot);
                self.fors += 1;
                body.iter().try_for_each(|s| self.statement(s))
            }
            StmtKind::While { cond, body, .. } => {
                self.expr(cond)?;
                body.iter().try_for_each(|s| self.statement(s))
            }
            StmtKind::Break | StmtKind::Continue => Ok(()),
            _ => Err(Unfit),
        }
    }
}

/// How deep the tree of a function compiled to scalar code may nest: the
/// compiler recurses as deep on the native stack, without growing it.
const MAX_NESTING: usize = 100;

/// Whether `e` nests at most `room` deep (looking no deeper).
fn shallow(e: &Expr, room: usize) -> bool {
    let Some(room) = room.checked_sub(1) else { return false };
    match &e.kind {
        ExprKind::Unary(_, x) => shallow(x, room),
        ExprKind::Binary(_, l, r) | ExprKind::Range(l, r) => shallow(l, room) && shallow(r, room),
        ExprKind::If(c, t, f) => shallow(c, room) && shallow(t, room) && f.as_deref().is_none_or(|f| shallow(f, room)),
        ExprKind::Block(stmts) => stmts.iter().all(|s| shallow_statement(s, room)),
        ExprKind::Call(_, args) => args.iter().all(|a| shallow(&a.value, room)),
        _ => true,
    }
}

fn shallow_statement(s: &Stmt, room: usize) -> bool {
    match &s.kind {
        StmtKind::Expr(e) | StmtKind::Assign { value: e, .. } | StmtKind::Return(Some(e)) => shallow(e, room),
        StmtKind::For { iter: e, body, .. } | StmtKind::While { cond: e, body, .. } => {
            shallow(e, room) && body.iter().all(|s| shallow_statement(s, room.saturating_sub(1)))
        }
        _ => true,
    }
}

/// Whether evaluating `e` may run statements (a block), which may assign a
/// variable read earlier in the same expression.
fn runs_statements(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Block(_) => true,
        ExprKind::Unary(_, x) => runs_statements(x),
        ExprKind::Binary(_, l, r) => runs_statements(l) || runs_statements(r),
        ExprKind::If(c, t, f) => runs_statements(c) || runs_statements(t) || f.as_deref().is_some_and(runs_statements),
        ExprKind::Call(_, args) => args.iter().any(|a| runs_statements(&a.value)),
        _ => false,
    }
}

/// A value an instruction reads: a register or a constant.
#[derive(Clone, Copy)]
enum Operand {
    Reg(Reg),
    Const(f64),
}

/// An arithmetic operator on numbers: its instruction on two registers,
/// on a register and a constant (for `+ - * /`), and whether it may take
/// its operands the other way round (`+` and `*`). `x \ y` is `y / x`.
struct Arith {
    regs: fn(Reg, Reg, Reg) -> Ins,
    with_const: Option<fn(Reg, Reg, K) -> Ins>,
    commutes: bool,
}

fn arithmetic(op: BinOp) -> Fit<(Arith, bool)> {
    use BinOp::*;
    let arith = |regs, with_const, commutes| Arith { regs, with_const, commutes };
    Ok(match op {
        Add => (arith(Ins::Add, Some(Ins::AddK), true), false),
        Sub => (arith(Ins::Sub, Some(Ins::SubK), false), false),
        // `⊗` of two numbers is their product.
        Mul | ElemMul | Kron => (arith(Ins::Mul, Some(Ins::MulK), true), false),
        Div | ElemDiv => (arith(Ins::Div, Some(Ins::DivK), false), false),
        LeftDiv => (arith(Ins::Div, Some(Ins::DivK), false), true),
        Mod => (arith(Ins::Mod, None, false), false),
        Pow | ElemPow => (arith(Ins::Pow, None, false), false),
        _ => return Err(Unfit),
    })
}

/// The comparison `op` seen from its other side (`a < b` is `b > a`).
fn mirrored(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Gt => BinOp::Lt,
        BinOp::Le => BinOp::Ge,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

/// The jump (to be patched) taken when the comparison `op` of registers `a`
/// and `b` is `when`; `>` and `>=` are `<` and `<=` the other way round, and
/// `!=` is `==` not holding (which is exact, NaN included).
fn branch(op: BinOp, when: bool, a: Reg, b: Reg) -> Ins {
    use BinOp::*;
    match op {
        Lt => Ins::Lt { a, b, when, to: 0 },
        Gt => Ins::Lt { a: b, b: a, when, to: 0 },
        Le => Ins::Le { a, b, when, to: 0 },
        Ge => Ins::Le { a: b, b: a, when, to: 0 },
        Eq => Ins::Eq { a, b, when, to: 0 },
        Ne => Ins::Eq { a, b, when: !when, to: 0 },
        _ => unreachable!("a comparison"),
    }
}

/// [`branch`] of a register `a` and a constant `k`.
fn branch_const(op: BinOp, when: bool, a: Reg, k: K) -> Ins {
    use BinOp::*;
    match op {
        Lt => Ins::LtK { a, k, when, to: 0 },
        Le => Ins::LeK { a, k, when, to: 0 },
        Gt => Ins::GtK { a, k, when, to: 0 },
        Ge => Ins::GeK { a, k, when, to: 0 },
        Eq => Ins::EqK { a, k, when, to: 0 },
        Ne => Ins::EqK { a, k, when: !when, to: 0 },
        _ => unreachable!("a comparison"),
    }
}

/// The jumps out of a loop being compiled, to patch at its end.
#[derive(Default)]
struct Exits {
    breaks: Vec<usize>,
    continues: Vec<usize>,
}

struct Compiler {
    ins: Vec<Ins>,
    consts: Vec<f64>,
    /// The slot each of the first registers stands for.
    slots: Vec<usize>,
    /// Which of those registers are set on every path to the code being
    /// compiled. Of a loop's, those not set when it starts are the variables
    /// only `for`s set, counted in `counted`.
    set: Vec<bool>,
    counted: Vec<(Reg, Reg)>,
    /// The registers for `counted`, after the slots' (one per `for`), not yet taken.
    flags: std::ops::Range<usize>,
    /// Whether `return` may end the code (not a loop's).
    returns: bool,
    sites: Vec<(Name, usize)>,
    /// The first free temporary register.
    top: usize,
    /// The registers used so far.
    size: usize,
    loops: Vec<Exits>,
}

impl Compiler {
    /// A compiler for code whose first registers stand for `slots`, those
    /// of `set` set at its start, with `fors` registers for `counted`.
    fn new(slots: Vec<usize>, set: Vec<bool>, fors: usize) -> Compiler {
        let first_temp = slots.len() + fors;
        Compiler {
            ins: vec![],
            consts: vec![],
            flags: slots.len()..first_temp,
            slots,
            set,
            counted: vec![],
            returns: true,
            sites: vec![],
            top: first_temp,
            size: first_temp,
            loops: vec![],
        }
    }

    /// The code, if it fits the limits of registers, constants and call sites.
    fn finish(self, vars: Vec<(usize, bool)>, var_names: Vec<Name>) -> Option<Code> {
        let fits = self.size <= WINDOW
            && self.consts.len() <= WINDOW
            && self.sites.len() <= u16::MAX as usize
            && self.ins.len() <= Pc::MAX as usize;
        if !fits {
            return None;
        }
        let mut consts = Box::new([0.0; WINDOW]);
        consts[..self.consts.len()].copy_from_slice(&self.consts);
        let runnable = Cell::new(true);
        Some(Code { ins: self.ins, consts, sites: self.sites, vars, var_names, counted: self.counted, runnable })
    }

    /// The register of `slot`, if the code has one for it.
    fn register_of(&self, slot: usize) -> Option<Reg> {
        self.slots.iter().position(|&s| s == slot).map(|r| r as Reg)
    }

    fn emit(&mut self, ins: Ins) -> usize {
        self.ins.push(ins);
        self.ins.len() - 1
    }

    fn here(&self) -> Pc {
        self.ins.len() as Pc
    }

    /// Points the jumps `at` here.
    fn patch(&mut self, at: Vec<usize>) {
        let here = self.here();
        for i in at {
            match &mut self.ins[i] {
                Ins::Lt { to, .. }
                | Ins::Le { to, .. }
                | Ins::Eq { to, .. }
                | Ins::LtK { to, .. }
                | Ins::LeK { to, .. }
                | Ins::GtK { to, .. }
                | Ins::GeK { to, .. }
                | Ins::EqK { to, .. }
                | Ins::Jump(to)
                | Ins::Next { exit: to, .. } => *to = here,
                _ => unreachable!("a jump"),
            }
        }
    }

    fn temp(&mut self) -> Reg {
        self.top += 1;
        self.size = self.size.max(self.top);
        (self.top - 1) as Reg
    }

    /// The constant `x` (each value once, by bits).
    fn konst(&mut self, x: f64) -> K {
        let k = self.consts.iter().position(|c| c.to_bits() == x.to_bits()).unwrap_or_else(|| {
            self.consts.push(x);
            self.consts.len() - 1
        });
        // Past the limit, `compile` refuses the function.
        k as K
    }

    /// What holds the value of `e`: a constant or a set slot as it is,
    /// anything else computed into a temporary.
    fn operand(&mut self, e: &Expr) -> Fit<Operand> {
        match &e.kind {
            ExprKind::Const(Value::Number(x)) => Ok(Operand::Const(*x)),
            ExprKind::Var(var) => match var.slot.and_then(|s| self.register_of(s)) {
                Some(r) if self.set[r as usize] => Ok(Operand::Reg(r)),
                // Unset here, the evaluator would read the scopes around.
                _ => Err(Unfit),
            },
            _ => {
                let t = self.temp();
                self.value(e, t)?;
                Ok(Operand::Reg(t))
            }
        }
    }

    /// The register holding the value of `e` (a constant loaded into a temporary).
    fn register(&mut self, e: &Expr) -> Fit<Reg> {
        let operand = self.operand(e)?;
        Ok(self.in_register(operand))
    }

    fn in_register(&mut self, operand: Operand) -> Reg {
        match operand {
            Operand::Reg(r) => r,
            Operand::Const(x) => {
                let (t, k) = (self.temp(), self.konst(x));
                self.emit(Ins::Load(t, k));
                t
            }
        }
    }

    /// What holds `l` and `r`, evaluated in that order: `l` is copied first
    /// if `r` may assign it.
    fn operands(&mut self, l: &Expr, r: &Expr) -> Fit<(Operand, Operand)> {
        let a = if runs_statements(r) {
            let t = self.temp();
            self.value(l, t)?;
            Operand::Reg(t)
        } else {
            self.operand(l)?
        };
        Ok((a, self.operand(r)?))
    }

    /// `d = a op b` of arithmetic.
    fn arith(&mut self, op: &Arith, d: Reg, a: Operand, b: Operand) {
        let ins = match (a, b, op.with_const) {
            (Operand::Reg(a), Operand::Reg(b), _) => (op.regs)(d, a, b),
            (Operand::Reg(a), Operand::Const(x), Some(with_const)) => with_const(d, a, self.konst(x)),
            (Operand::Const(x), Operand::Reg(b), Some(with_const)) if op.commutes => with_const(d, b, self.konst(x)),
            (a, b, _) => {
                let (a, b) = (self.in_register(a), self.in_register(b));
                (op.regs)(d, a, b)
            }
        };
        self.emit(ins);
    }

    /// Code putting the value of `e`, a number, in `dst`.
    fn value(&mut self, e: &Expr, dst: Reg) -> Fit<()> {
        let top = self.top;
        match &e.kind {
            ExprKind::Const(Value::Number(x)) => {
                let k = self.konst(*x);
                self.emit(Ins::Load(dst, k));
            }
            ExprKind::Var(_) => {
                let a = self.register(e)?;
                self.emit(Ins::Move(dst, a));
            }
            ExprKind::Unary(UnOp::Neg, x) => {
                let a = self.register(x)?;
                self.emit(Ins::Neg(dst, a));
            }
            ExprKind::Binary(op, l, r) => {
                let (arith, swapped) = arithmetic(*op)?;
                let (a, b) = self.operands(l, r)?;
                let (a, b) = if swapped { (b, a) } else { (a, b) };
                self.arith(&arith, dst, a, b);
            }
            ExprKind::If(c, t, Some(f)) => self.branches(c, t, f, |s, e| s.value(e, dst))?,
            ExprKind::Block(stmts) => self.block(stmts, |s, e| s.value(e, dst))?,
            ExprKind::Call(callee, args) => self.call(callee, args, dst)?,
            _ => return Err(Unfit),
        }
        self.top = top;
        Ok(())
    }

    /// Code returning the value of `e`, a function's body.
    fn tail(&mut self, e: &Expr) -> Fit<()> {
        match &e.kind {
            ExprKind::If(c, t, Some(f)) => self.branches(c, t, f, Self::tail),
            ExprKind::Block(stmts) => self.block(stmts, Self::tail),
            _ => {
                let top = self.top;
                let r = self.register(e)?;
                self.emit(Ins::Return(r));
                self.top = top;
                Ok(())
            }
        }
    }

    /// Code for `e` whose value is not used.
    fn effect(&mut self, e: &Expr) -> Fit<()> {
        match &e.kind {
            ExprKind::If(c, t, None) => {
                let skip = self.cond(c, false)?;
                let before = self.set.clone();
                self.effect(t)?;
                self.set = before;
                self.patch(skip);
                Ok(())
            }
            ExprKind::If(c, t, Some(f)) => self.branches(c, t, f, Self::effect),
            ExprKind::Block(stmts) => stmts.iter().try_for_each(|s| self.stmt(s)),
            _ => {
                let top = self.top;
                let t = self.temp();
                self.value(e, t)?;
                self.top = top;
                Ok(())
            }
        }
    }

    /// `if c { t } else { f }`, each branch compiled by `each`; a slot is set
    /// after it if both branches set it.
    fn branches(&mut self, c: &Expr, t: &Expr, f: &Expr, each: impl Fn(&mut Self, &Expr) -> Fit<()>) -> Fit<()> {
        let otherwise = self.cond(c, false)?;
        let before = self.set.clone();
        each(self, t)?;
        let then_set = std::mem::replace(&mut self.set, before);
        let done = self.emit(Ins::Jump(0));
        self.patch(otherwise);
        each(self, f)?;
        self.set.iter_mut().zip(then_set).for_each(|(s, t)| *s &= t);
        self.patch(vec![done]);
        Ok(())
    }

    /// A block's statements, the last one (its value) compiled by `last`
    /// unless it is a `return`.
    fn block(&mut self, stmts: &[Stmt], last: impl Fn(&mut Self, &Expr) -> Fit<()>) -> Fit<()> {
        let Some((end, init)) = stmts.split_last() else { return Err(Unfit) };
        init.iter().try_for_each(|s| self.stmt(s))?;
        match &end.kind {
            StmtKind::Expr(e) => last(self, e),
            StmtKind::Return(_) => self.stmt(end),
            // Its value would be `none`.
            _ => Err(Unfit),
        }
    }

    /// Jumps taken when the condition `e` is `when` (to patch); otherwise
    /// the code goes on.
    fn cond(&mut self, e: &Expr, when: bool) -> Fit<Vec<usize>> {
        use BinOp::*;
        match &e.kind {
            ExprKind::Binary(op @ (Eq | Ne | Lt | Le | Gt | Ge), l, r) => {
                let top = self.top;
                let ins = match self.operands(l, r)? {
                    (Operand::Reg(a), Operand::Reg(b)) => branch(*op, when, a, b),
                    (Operand::Reg(a), Operand::Const(x)) => branch_const(*op, when, a, self.konst(x)),
                    (Operand::Const(x), Operand::Reg(b)) => branch_const(mirrored(*op), when, b, self.konst(x)),
                    (Operand::Const(x), b) => {
                        let a = self.in_register(Operand::Const(x));
                        let b = self.in_register(b);
                        branch(*op, when, a, b)
                    }
                };
                self.top = top;
                Ok(vec![self.emit(ins)])
            }
            ExprKind::Unary(UnOp::Not, x) => self.cond(x, !when),
            ExprKind::Binary(op @ (And | Or), l, r) => {
                // The value of `l` that decides: false for `&&`, true for `||`.
                let decisive = *op == Or;
                let before_r = self.set.clone();
                let jumps = if when == decisive {
                    let mut jumps = self.cond(l, when)?;
                    jumps.extend(self.cond(r, when)?);
                    jumps
                } else {
                    let decided = self.cond(l, decisive)?;
                    let jumps = self.cond(r, when)?;
                    self.patch(decided);
                    jumps
                };
                // `r` may not run: what it assigns is not set after.
                self.set = before_r;
                Ok(jumps)
            }
            ExprKind::Const(Value::Bool(b)) => Ok(if *b == when { vec![self.emit(Ins::Jump(0))] } else { vec![] }),
            _ => Err(Unfit),
        }
    }

    fn stmt(&mut self, s: &Stmt) -> Fit<()> {
        match &s.kind {
            StmtKind::Expr(e) => self.effect(e),
            StmtKind::Assign { target: Target::Name(local, _), value } => {
                let r = self.register_of(local.slot).ok_or(Unfit)?;
                self.value(value, r)?;
                self.set[r as usize] = true;
                Ok(())
            }
            StmtKind::For { var: Target::Name(local, _), iter, body, .. } => {
                let ExprKind::Range(lo, hi) = &iter.kind else { return Err(Unfit) };
                let var = self.register_of(local.slot).ok_or(Unfit)?;
                let top = self.top;
                let (at, end) = (self.temp(), self.temp());
                self.value(lo, at)?;
                self.value(hi, end)?;
                self.emit(Ins::Range { lo: at, hi: end });
                if !self.set[var as usize] && !self.returns {
                    // A loop's variable that only `for`s set: mark it set
                    // if this one runs at least once.
                    let flag = self.flags.next().ok_or(Unfit)? as Reg;
                    self.counted.push((var, flag));
                    let skip = self.emit(branch(BinOp::Lt, false, at, end));
                    let one = self.konst(1.0);
                    self.emit(Ins::Load(flag, one));
                    self.patch(vec![skip]);
                }
                let next = self.emit(Ins::Next { at, end, var, exit: 0 });
                let before = self.set.clone();
                self.set[var as usize] = true;
                self.looped(body, next as Pc, vec![next])?;
                self.set = before;
                self.top = top;
                Ok(())
            }
            StmtKind::While { cond, body, .. } => {
                let start = self.here();
                let exits = self.cond(cond, false)?;
                let before = self.set.clone();
                self.looped(body, start, exits)?;
                self.set = before;
                Ok(())
            }
            StmtKind::Break => {
                let jump = self.emit(Ins::Jump(0));
                self.loops.last_mut().ok_or(Unfit)?.breaks.push(jump);
                Ok(())
            }
            StmtKind::Continue => {
                let jump = self.emit(Ins::Jump(0));
                self.loops.last_mut().ok_or(Unfit)?.continues.push(jump);
                Ok(())
            }
            StmtKind::Return(Some(e)) if self.returns => {
                let top = self.top;
                let r = self.register(e)?;
                self.emit(Ins::Return(r));
                self.top = top;
                Ok(())
            }
            _ => Err(Unfit),
        }
    }

    /// A loop's body, its back edge to `start`, and its exits (`exits`, and
    /// its `break`s) patched to after it.
    fn looped(&mut self, body: &[Stmt], start: Pc, mut exits: Vec<usize>) -> Fit<()> {
        self.loops.push(Exits::default());
        let compiled = body.iter().try_for_each(|s| self.stmt(s));
        let Exits { breaks, continues } = self.loops.pop().expect("pushed above");
        compiled?;
        self.patch(continues);
        self.emit(Ins::Loop(start));
        exits.extend(breaks);
        self.patch(exits);
        Ok(())
    }

    /// `callee(args)` of a name and positional arguments: the arguments go in
    /// consecutive temporaries, where the callee's frame will start.
    fn call(&mut self, callee: &Expr, args: &[crate::code::Arg], dst: Reg) -> Fit<()> {
        let ExprKind::Var(var) = &callee.kind else { return Err(Unfit) };
        // (A callee that is a variable here is a number, or unset.)
        if var.slot.and_then(|s| self.register_of(s)).is_some() || args.iter().any(|a| a.name.is_some()) {
            return Err(Unfit);
        }
        // The callee's frame starts here, inside this one's window.
        let first = Reg::try_from(self.top).map_err(|_| Unfit)?;
        for a in args {
            let t = self.temp();
            self.value(&a.value, t)?;
        }
        let key = (var.name.clone(), args.len());
        let site = match self.sites.iter().position(|s| *s == key) {
            Some(i) => i,
            None => {
                self.sites.push(key);
                self.sites.len() - 1
            }
        };
        self.emit(Ins::Call { site: site as u16, args: first, dst });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scalar code of the function `source` defines, if it qualifies.
    fn compiled(source: &str) -> Option<Code> {
        let stmts = crate::parser::parse(source).expect("parses");
        let crate::ast::StmtKind::Fn(def) = &stmts[0].kind else { panic!("{source}: not a function") };
        compile(&crate::code::function(def))
    }

    #[test]
    fn functions_of_numbers_compile_and_others_do_not() {
        for source in [
            "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }",
            "fn tri(n) { s = 0; for i in 0:n + 1 { s = s + i }; s }",
            "fn gcd(a, b) { while b != 0 { t = b; b = a % b; a = t }; a }",
            "fn f(x) { for i in 0:10 { if i * i <= x { continue }; return i }; -1 }",
            "fn g(x, y) { if x > 0 && !(y < 0) || x == -1 { 1 } else { 0 } }",
            "fn h(x) { 2 \\ x + 1 - x ^ 2 % 3 ⊗ -x }",
            "fn k(x) { y = { z = x; z * 2 }; y + z }",
            // The examples of docs/language.md that say they are scalar code.
            "fn fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }",
            "fn sign_of(x) {\n    if x < 0 { return -1 }\n    if x == 0 { 0 } else { 1 }\n}",
        ] {
            assert!(compiled(source).is_some(), "{source}");
        }
        for source in [
            // A bool, a matrix, a string, none.
            "fn f(a, b) { a < b }",
            "fn f(x) { [x, x] }",
            "fn f(x) { \"x\" }",
            "fn f(x) { if x > 0 { 1 } }",
            "fn f(x) { while x > 0 { x = x - 1 } }",
            // A name of the scopes around, or read before it is set on some path.
            "fn f(x) { x * k }",
            "fn f(x) { if x > 0 { y = 1 }; y }",
            "fn f(x) { for i in 0:x { y = i }; y }",
            "fn f(x) { if x > 0 && { y = 1; y } > 0 { 0 }; y }",
            // A keyword argument, a call of a local, a closure, a loop over a matrix.
            "fn f(x) { g(x = 1) }",
            "fn f(x) { g = x; g(1) }",
            "fn f(x) { fn (y) = y + x }",
            "fn f(x) { s = 0; for v in [1, 2] { s = s + v }; s }",
        ] {
            assert!(compiled(source).is_none(), "{source}");
        }
    }

    /// `f(args)` run on the machine, `f` the function `source` defines
    /// (with the others it calls) in a scope of its own.
    fn run(source: &str, name: &str, args: &[f64]) -> Result<f64, Stop> {
        let globals = crate::env::Scope::global();
        for stmt in crate::parser::parse(source).expect("parses") {
            let crate::ast::StmtKind::Fn(def) = &stmt.kind else { panic!("{source}: not a function") };
            let closure = Closure { fun: crate::code::function(def), env: globals.clone() };
            globals.set(def.name.clone().expect("named"), Value::Function(Rc::new(closure)));
        }
        let Some(Value::Function(f)) = globals.get(name) else { panic!("{name} is defined") };
        let code = f.fun.scalar.get(&f.fun).expect("scalar code").clone();
        let interrupt = AtomicBool::new(false);
        Machine::default().run(&f, &code, args.iter().map(|x| Some(*x)), 1, 400, &interrupt)
    }

    #[test]
    fn the_machine_runs_calls_loops_and_bails() {
        let fib = "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }";
        assert!(matches!(run(fib, "fib", &[20.0]), Ok(6765.0)));
        let parity =
            "fn even(n) { if n == 0 { 1 } else { odd(n - 1) } }\nfn odd(n) { if n == 0 { 0 } else { even(n - 1) } }";
        assert!(matches!(run(parity, "even", &[10.0]), Ok(1.0)));
        let tri = "fn tri(n) { s = 0; for i in 0:n { s = s + i }; s }";
        assert!(matches!(run(tri, "tri", &[101.0]), Ok(5050.0)));
        // What the evaluator is to report: a bound that is not an integer, the call limit.
        assert!(matches!(run(tri, "tri", &[2.5]), Err(Stop::Bail)));
        assert!(matches!(run(parity, "even", &[500.0]), Err(Stop::Bail)));
        // A builtin called: the function runs in the evaluator from then on.
        let root = "fn root(x) { sqrt(x) }";
        assert!(matches!(run(root, "root", &[4.0]), Err(Stop::Unrunnable)));
    }

    #[test]
    fn comparisons_keep_nan_apart() {
        // `!(x < 1)` is not `x >= 1`: NaN is neither.
        let code = compiled("fn f(x) { if !(x < 1) { 1 } else { 0 } }").expect("compiles");
        assert!(code.ins.iter().any(|i| matches!(i, Ins::LtK { when: true, .. })), "{:?}", code.ins);
    }
}
