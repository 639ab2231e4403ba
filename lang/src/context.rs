//! The calling convention of builtins: what a builtin is ([`Builtin`], its
//! [`Run`] and [`Device`]), what it is given ([`Args`]), and what it sees of
//! an evaluation ([`Ctx`]: the session's state, the output sink, the interrupt
//! flag, and a way to call a function value). Builtins take a `&mut dyn Ctx`
//! instead of the evaluator, so that the registry sits below the evaluator
//! (which implements `Ctx`) and knows nothing of it. With [`crate::value`]
//! (a value can be a builtin) and [`crate::env`] this is the values layer.

use crate::error::{ErrorKind, LangError, Result};
use crate::name::Name;
use crate::span::Span;
use crate::value::Value;
use std::mem::ManuallyDrop;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tessera::Rng;

/// How figures are shown (`:plot inline|text|off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlotMode {
    /// As images: in Jupyter, and in terminals with an image protocol (kitty,
    /// iTerm2, sixel); as text in other terminals.
    #[default]
    Inline,
    /// As Unicode braille and block characters.
    Text,
    /// Not drawn: a one-line summary instead.
    Off,
}

/// How figures are shown: drawn or not (`:plot`), and in Jupyter as which
/// images (`:figure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    pub plot: PlotMode,
    pub format: tessera::figure::ImageFormat,
}

impl PlotMode {
    pub fn name(self) -> &'static str {
        match self {
            PlotMode::Inline => "inline",
            PlotMode::Text => "text",
            PlotMode::Off => "off",
        }
    }
}

/// Where a cell's output goes: streams, rich displays, help pages.
pub trait Sink {
    fn stdout(&mut self, text: &str);
    fn stderr(&mut self, text: &str);
    /// A value shown as a cell result would be (`display(x)`); figures are
    /// shown as `plot` says.
    fn display(&mut self, value: &Value, figures: Figures);
    /// A help page (`?kron`).
    fn page(&mut self, text: &str);
    fn clear_output(&mut self);
}

/// A sink that discards everything (for evaluations whose value is all that matters).
pub struct NullSink;

impl Sink for NullSink {
    fn stdout(&mut self, _: &str) {}
    fn stderr(&mut self, _: &str) {}
    fn display(&mut self, _: &Value, _: Figures) {}
    fn page(&mut self, _: &str) {}
    fn clear_output(&mut self) {}
}

/// Where new matrices from constructors go (`:device`, `--device`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    #[default]
    Cpu,
    Gpu,
}

impl Placement {
    pub fn name(self) -> &'static str {
        match self {
            Placement::Cpu => "cpu",
            Placement::Gpu => "gpu",
        }
    }
}

/// Mutable state that builtins reach: the random stream, the stopwatch and
/// where constructors place new matrices.
pub struct State {
    pub rng: Rng,
    pub tic: Option<Instant>,
    pub device: Placement,
    /// How figures are shown (`:plot`, `:figure`).
    pub figures: Figures,
    /// How matrices show their entries (`:format`, `printopts`).
    pub print: tessera::display::PrintOptions,
    /// Whether functions of numbers run as scalar code ([`crate::scalar`]);
    /// when false, everything runs in the evaluator (to compare the two).
    pub scalar_code: bool,
}

/// The evaluation as a builtin sees it.
pub trait Ctx {
    /// The random stream, the stopwatch, where new matrices go, how figures show.
    fn state(&mut self) -> &mut State;
    /// Where output goes.
    fn sink(&mut self) -> &mut dyn Sink;
    /// Set by Ctrl-C or Jupyter's interrupt: a long computation stops when it is.
    fn interrupt(&self) -> &AtomicBool;
    /// Calls a function value (a builtin or a user function) with evaluated
    /// arguments, as `map`, `filter` and `grad` do.
    fn call(&mut self, f: Value, args: Args, span: Span) -> Result<Value>;
}

/// What a builtin runs.
pub type Run = fn(&mut dyn Ctx, Args, Span) -> Result<Value>;

/// Where a builtin runs, which decides what a gpu argument does.
#[derive(Clone, Copy)]
pub enum Device {
    /// On the cpu: a gpu argument is refused, with the hint to bring it back
    /// with `cpu(x)`.
    Cpu,
    /// On the cpu, and on the device through this function when an argument
    /// is a gpu value.
    Gpu(Run),
    /// On values wherever they live (`size`, `print`, `cpu`, …): `run` takes both.
    Any,
    /// A constructor: under `:device gpu` its new matrix goes to the GPU
    /// (as PyTorch's default device places factory functions' tensors).
    Placed,
}

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
    /// What the example shows, as the REPL shows it: what it prints, then
    /// its value (a test checks it, so an identity that printed `false`
    /// would fail).
    pub shows: &'static str,
    /// Fewest and most positional arguments (`None`: any number).
    pub arity: (usize, Option<usize>),
    /// Keyword arguments it accepts.
    pub keywords: &'static [&'static str],
    pub run: Run,
    pub device: Device,
}

/// Evaluated arguments of a call (up to four without an allocation).
#[derive(Default)]
pub struct Args {
    items: smallvec::SmallVec<[(Option<Name>, Value, Span); 4]>,
}

impl Args {
    pub fn push(&mut self, name: Option<Name>, value: Value, span: Span) {
        self.items.push((name, value, span));
    }

    /// Positional arguments with their spans.
    pub fn positional(&self) -> impl Iterator<Item = (&Value, Span)> {
        self.items.iter().filter(|(n, _, _)| n.is_none()).map(|(_, v, s)| (v, *s))
    }

    /// The first argument (positional or keyword) that lives on the GPU.
    pub fn first_gpu(&self) -> Option<(&Value, Span)> {
        self.items.iter().find(|(_, v, _)| v.on_gpu()).map(|(_, v, s)| (v, *s))
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
}

/// Errors with [`ErrorKind::Interrupted`] once an interrupt was requested
/// (and clears the request).
pub fn check_interrupt(interrupt: &AtomicBool, span: Span) -> Result<()> {
    if interrupt.load(Ordering::Relaxed) {
        interrupt.store(false, Ordering::Relaxed);
        return Err(LangError::new(ErrorKind::Interrupted, "interrupted", Some(span)));
    }
    Ok(())
}

/// Matrix products and decompositions above this many multiply-adds run
/// where Ctrl-C can interrupt them: on the 2-core development machine, a
/// product this size takes 3–5 ms, and a decomposition tens of ms.
pub const LONG_WORK: usize = 100_000_000;

/// Work of at least this many multiply-adds that is not long enough for
/// [`interruptible`] still runs on rayon's pool, and the session waits.
const POOL_WORK: usize = 1 << 20;

/// `work()` on a thread of rayon's pool when `cost` is at least
/// [`POOL_WORK`], here otherwise. faer's parallel kernels use the pool's
/// threads; called from any other thread they kept that one busy too, three
/// threads on two cores: `svd` of 400² took 24% longer than from the pool,
/// `eigh` 14%, and at 200² about 10% (medians of fifteen calls, on the
/// development machine).
fn in_pool<T: Send>(cost: usize, work: impl FnOnce() -> T + Send) -> T {
    if cost < POOL_WORK {
        return work();
    }
    rayon::join(work, || ()).0
}

/// Whether a computation of [`interruptible`] is running on rayon's pool.
static POOLED: AtomicBool = AtomicBool::new(false);

/// Runs a long computation on a helper thread, polling the interrupt flag,
/// so Ctrl-C returns to the prompt at once; an abandoned computation
/// finishes in the background and its result is dropped. A panic in it is
/// caught there ([`crate::boundary`]).
///
/// The helper is a thread of rayon's pool, where faer's and the stdlib's
/// parallel kernels run: from any other thread, a decomposition had that
/// thread and both of the pool's busy on two cores, and took longer
/// (`svdvals` of 1024² 17% longer, `svd` 12%, `eigh` 6%; medians of seven
/// calls each on the development machine). Its threads stay, so the pages
/// a computation frees serve the next. One computation at a time runs
/// there ([`POOLED`]): while an interrupted one is still running, the next
/// gets a thread of its own, and the pool stays free for the session's
/// other parallel work.
pub fn interruptible<T: Send + 'static>(
    interrupt: &AtomicBool,
    span: Span,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let (done, result) = channel();
    let pooled = POOLED.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok();
    let job = move || {
        let value = crate::boundary::catch(work);
        if pooled {
            POOLED.store(false, Ordering::Release);
        }
        let _ = done.send(value);
    };
    if pooled {
        rayon::spawn(job);
    } else {
        std::thread::spawn(job);
    }
    loop {
        match result.recv_timeout(std::time::Duration::from_millis(10)) {
            Ok(value) => return value.map_err(|caught| caught.into_error("a background computation").at(span)),
            Err(RecvTimeoutError::Timeout) => check_interrupt(interrupt, span)?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(LangError::new(
                    ErrorKind::Internal,
                    "a background computation ended without a result (please report it)",
                    Some(span),
                ))
            }
        }
    }
}

/// `work(input)`: on a helper thread where Ctrl-C stops it when `cost`
/// (multiply-adds) is above [`LONG_WORK`]; inline otherwise. For inputs the
/// session shares, [`long_shared`] saves the copy.
pub fn long<I: Send + 'static, T: Send + 'static>(
    ctx: &dyn Ctx,
    span: Span,
    cost: usize,
    input: I,
    work: impl FnOnce(I) -> tessera::Result<T> + Send + 'static,
) -> Result<T> {
    if cost <= LONG_WORK {
        return in_pool(cost, move || work(input)).map_err(LangError::from);
    }
    interruptible(ctx.interrupt(), span, move || work(input))?.map_err(LangError::from)
}

/// [`long`] on values the session holds, read where they are ([`lend`]):
/// decompositions and matrix functions go through it.
pub fn long_shared<I: Sync + 'static, T: Send + 'static, const N: usize>(
    ctx: &dyn Ctx,
    span: Span,
    cost: usize,
    inputs: [&Rc<I>; N],
    work: impl FnOnce([&I; N]) -> tessera::Result<T> + Send + 'static,
) -> Result<T> {
    if cost <= LONG_WORK {
        let inputs = inputs.map(|input| &**input);
        return in_pool(cost, move || work(inputs)).map_err(LangError::from);
    }
    lend(ctx.interrupt(), span, inputs, work)?.map_err(LangError::from)
}

/// `work(inputs)` on a helper thread ([`interruptible`]) that reads the
/// inputs where they are: a 1024² product copied both operands first (16
/// MiB, and the page faults of fresh memory), a tenth of its time.
///
/// The helper reads the values through pointers while this thread holds
/// clones of their `Rc`s, from before the helper starts until it has
/// finished with them: so they are neither freed nor changed meanwhile
/// (safe code takes `&mut` to what an `Rc` holds only through its only
/// reference; a `Sync` value that changes through `&` synchronises that).
/// An interrupt returns before the helper finishes; the clones then wait
/// in [`LENT`], released by [`release_returned`] (at the next statement a
/// session runs) once it has.
pub fn lend<I: Sync + 'static, T: Send + 'static, const N: usize>(
    interrupt: &AtomicBool,
    span: Span,
    inputs: [&Rc<I>; N],
    work: impl FnOnce([&I; N]) -> T + Send + 'static,
) -> Result<T> {
    let returned = Arc::new(AtomicBool::new(false));
    let loans = inputs.map(|input| Loan {
        value: ManuallyDrop::new(input.clone() as Rc<dyn std::any::Any>),
        returned: returned.clone(),
    });
    let (pointers, done) = (Pointers(inputs.map(Rc::as_ptr)), Returned(returned.clone()));
    let result = interruptible(interrupt, span, move || {
        let _done = done;
        // SAFETY: `loans` keep the values alive and unchanged until `_done`
        // is dropped (after `work`, or while unwinding from it); `I: Sync`,
        // so this thread may read them while the session does.
        work(unsafe { pointers.get() })
    });
    if !returned.load(Ordering::Acquire) {
        LENT.with(|lent| lent.borrow_mut().extend(loans));
    }
    result
}

/// Releases this thread's lent values whose helpers are done with them.
pub fn release_returned() {
    let returned: Vec<Loan> = LENT.with(|lent| {
        let mut lent = lent.borrow_mut();
        let (returned, lent_still) = std::mem::take(&mut *lent).into_iter().partition(Loan::is_returned);
        *lent = lent_still;
        returned
    });
    // Dropped here, after the borrow: a value's drop may lend again.
    drop(returned);
}

thread_local! {
    /// The values that helpers interrupted by [`lend`] may still be reading.
    static LENT: std::cell::RefCell<Vec<Loan>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A clone of a lent value's `Rc`, and whether its helper is done with it.
struct Loan {
    value: ManuallyDrop<Rc<dyn std::any::Any>>,
    returned: Arc<AtomicBool>,
}

impl Loan {
    fn is_returned(&self) -> bool {
        self.returned.load(Ordering::Acquire)
    }
}

impl Drop for Loan {
    /// Releases the value once its helper is done; a value still lent when
    /// its thread ends is never freed.
    fn drop(&mut self) {
        if self.is_returned() {
            // SAFETY: dropped once, here, and never used again.
            unsafe { ManuallyDrop::drop(&mut self.value) }
        }
    }
}

/// Marks a loan returned when dropped (after the work, or by unwinding).
struct Returned(Arc<AtomicBool>);

impl Drop for Returned {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Lent values' addresses, sent to their helper.
struct Pointers<I, const N: usize>([*const I; N]);

// SAFETY: the pointees are `Sync`, and [`lend`] keeps them alive while the
// helper holds the pointers.
unsafe impl<I: Sync, const N: usize> Send for Pointers<I, N> {}

impl<I, const N: usize> Pointers<I, N> {
    /// The values (a method, so that the closure captures the whole `Pointers`).
    ///
    /// # Safety
    /// The values must be alive, and unchanged, for the references' lifetime.
    unsafe fn get<'a>(self) -> [&'a I; N] {
        self.0.map(|pointer| &*pointer)
    }
}
