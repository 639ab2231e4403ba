//! What a builtin sees of an evaluation: the session's state, the output
//! sink, the interrupt flag, and a way to call a function value. Builtins
//! take a `&mut dyn` [`Ctx`] instead of the evaluator, so that the registry
//! sits below the evaluator (which implements `Ctx`) and knows nothing of it.

use crate::builtins::Args;
use crate::error::{ErrorKind, LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::sync::atomic::{AtomicBool, Ordering};
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
    fn display(&mut self, value: &Value, plot: PlotMode);
    /// A help page (`?kron`).
    fn page(&mut self, text: &str);
    fn clear_output(&mut self);
}

/// A sink that writes to the process's standard output and error.
pub struct StdSink;

impl Sink for StdSink {
    fn stdout(&mut self, text: &str) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    fn stderr(&mut self, text: &str) {
        eprint!("{text}");
    }
    /// Figures as text, 80 columns by 24 rows, unless plots are off.
    fn display(&mut self, value: &Value, plot: PlotMode) {
        let text = match value {
            Value::Figure(f) if plot != PlotMode::Off => f.text(80, 24, false).unwrap_or_else(|e| e.to_string()),
            other => crate::display::plain(other) + "\n",
        };
        self.stdout(&text);
    }
    fn page(&mut self, text: &str) {
        self.stdout(&(text.to_string() + "\n"));
    }
    fn clear_output(&mut self) {}
}

/// A sink that discards everything (for evaluations whose value is all that matters).
pub struct NullSink;

impl Sink for NullSink {
    fn stdout(&mut self, _: &str) {}
    fn stderr(&mut self, _: &str) {}
    fn display(&mut self, _: &Value, _: PlotMode) {}
    fn page(&mut self, _: &str) {}
    fn clear_output(&mut self) {}
}

/// Mutable state that builtins reach: the random stream, the stopwatch and
/// where constructors place new matrices.
pub struct State {
    pub rng: Rng,
    pub tic: Option<Instant>,
    pub device: crate::gpu::Placement,
    pub plot: PlotMode,
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

/// Errors with [`ErrorKind::Interrupted`] once an interrupt was requested
/// (and clears the request).
pub fn check_interrupt(interrupt: &AtomicBool, span: Span) -> Result<()> {
    if interrupt.load(Ordering::Relaxed) {
        interrupt.store(false, Ordering::Relaxed);
        return Err(LangError::new(ErrorKind::Interrupted, "interrupted", Some(span)));
    }
    Ok(())
}

/// Matrix products and decompositions above this many multiply-adds (about a
/// tenth of a second) run where Ctrl-C can interrupt them.
pub const LONG_WORK: usize = 100_000_000;

/// Runs a long computation on a helper thread, polling the interrupt flag,
/// so Ctrl-C returns to the prompt at once; an abandoned computation
/// finishes in the background and its result is dropped. A panic in it is
/// caught there ([`crate::boundary`]).
pub fn interruptible<T: Send + 'static>(
    interrupt: &AtomicBool,
    span: Span,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let (done, result) = channel();
    std::thread::spawn(move || {
        let _ = done.send(crate::boundary::catch(work));
    });
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
/// (multiply-adds) is above [`LONG_WORK`]; inline otherwise. Decompositions
/// and matrix functions go through it.
pub fn long<I: Send + 'static, T: Send + 'static>(
    ctx: &dyn Ctx,
    span: Span,
    cost: usize,
    input: I,
    work: impl FnOnce(I) -> tessera::Result<T> + Send + 'static,
) -> Result<T> {
    if cost <= LONG_WORK {
        return work(input).map_err(LangError::from);
    }
    interruptible(ctx.interrupt(), span, move || work(input))?.map_err(LangError::from)
}
