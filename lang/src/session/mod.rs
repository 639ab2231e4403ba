//! The session: variables, settings and the interrupt flag, driven through
//! one interface by the REPL, the script runner and the Jupyter kernel
//! (execute a cell, complete at a cursor, inspect a name, say whether code is
//! complete, interrupt).

mod command;

use crate::ast::StmtKind;
pub use crate::context::{Figures, NullSink, Placement, PlotMode, Sink, State};
pub use crate::display::StdSink;
use crate::env::{Env, Scope};
use crate::error::{LangError, Result};
use crate::eval::{Control, Interp};
use crate::parser;
use crate::value::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tessera::figure::ImageFormat;
use tessera::Rng;

/// Whether a cell is ready to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Completeness {
    Complete,
    /// Still open (a bracket, a block, a string): continue on the next line.
    Incomplete,
    Invalid(LangError),
}

/// One user's workspace.
pub struct Session {
    globals: Env,
    state: State,
    interrupt: Arc<AtomicBool>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// Where constructors place new matrices.
    pub fn device(&self) -> Placement {
        self.state.device
    }

    /// Places new matrices on `device`; choosing the GPU first finds it, and
    /// without one says so and changes nothing.
    pub fn set_device(&mut self, device: Placement) -> Result<()> {
        if device == Placement::Gpu {
            tessera::device::Gpu::get()?;
        }
        self.state.device = device;
        Ok(())
    }

    /// How figures are shown: drawn or not, and as which images.
    pub fn figures(&self) -> Figures {
        self.state.figures
    }

    pub fn plot_mode(&self) -> PlotMode {
        self.state.figures.plot
    }

    pub fn set_plot_mode(&mut self, mode: PlotMode) {
        self.state.figures.plot = mode;
    }

    pub fn set_figure_format(&mut self, format: ImageFormat) {
        self.state.figures.format = format;
    }

    /// Whether functions of numbers run as scalar code (the default), or
    /// everything in the evaluator: the results are the same, only the speed
    /// differs (see [`crate::scalar`]).
    pub fn set_scalar_code(&mut self, on: bool) {
        self.state.scalar_code = on;
    }

    /// How matrices show their entries; the session applies them (on this
    /// thread) before each cell, so its displays follow them.
    pub fn print_options(&self) -> tessera::display::PrintOptions {
        self.state.print
    }

    pub fn set_print_options(&mut self, options: tessera::display::PrintOptions) {
        self.state.print = options;
        tessera::display::set_print_options(options);
    }

    /// An empty workspace; the random stream starts from seed 0.
    pub fn new() -> Session {
        Session {
            globals: Scope::global(),
            state: State {
                rng: Rng::seeded(0),
                tic: None,
                device: Default::default(),
                figures: Default::default(),
                print: Default::default(),
                scalar_code: true,
            },
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A handle that stops the running evaluation when set (from a signal
    /// handler or another thread); the session keeps its variables.
    pub fn interrupt_handle(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Runs a cell. Returns the value to show: that of the last statement when
    /// it is an expression not ended by `;` and not `none`.
    pub fn execute(&mut self, code: &str, sink: &mut dyn Sink) -> Result<Option<Value>> {
        tessera::display::set_print_options(self.state.print);
        if code.trim_start().starts_with(':') {
            let ran = crate::boundary::catch(|| command::run(self, code, sink));
            return ran.unwrap_or_else(|caught| Err(caught.into_error("a session command")));
        }
        let stmts = parser::parse(code)?;
        self.run(&stmts, sink)
    }

    /// Runs parsed statements (what `execute` does after parsing): the value
    /// to show, as for [`Session::execute`].
    pub fn run(&mut self, stmts: &[crate::ast::Stmt], sink: &mut dyn Sink) -> Result<Option<Value>> {
        tessera::display::set_print_options(self.state.print);
        self.interrupt.store(false, Ordering::Relaxed);
        crate::context::release_returned();
        let show_last = matches!(stmts.last().map(|s| &s.kind), Some(StmtKind::Expr { silent: false, .. }));
        let code = crate::code::cell(stmts, &self.globals);
        let mut interp = Interp::new(&mut self.state, sink, &self.interrupt);
        let mut last = Value::None;
        for stmt in &code {
            let ran = crate::boundary::catch(|| interp.run(std::slice::from_ref(stmt), &self.globals));
            let ran = ran.unwrap_or_else(|caught| Err(caught.into_error("the evaluator").at(stmt.span).into()));
            last = match ran {
                Ok(v) => v,
                // An error that names no place is about its statement.
                Err(Control::Error(e)) => return Err((*e).at(stmt.span)),
                Err(Control::Return(_)) => {
                    return Err(LangError::syntax("`return` belongs inside a function", stmt.span))
                }
                Err(Control::Break(s)) | Err(Control::Continue(s)) => {
                    return Err(LangError::syntax("`break` and `continue` belong inside a loop", s))
                }
            };
        }
        Ok(match last {
            Value::None => None,
            v if show_last => Some(v),
            _ => None,
        })
    }

    /// Whether `code` is complete, still open, or invalid.
    pub fn is_complete(&self, code: &str) -> Completeness {
        match parser::is_complete(code) {
            Ok(true) => Completeness::Complete,
            Ok(false) => Completeness::Incomplete,
            Err(e) => Completeness::Invalid(e),
        }
    }

    /// Completions of the word before `cursor` (a byte offset).
    pub fn complete(&self, code: &str, cursor: usize) -> crate::complete::Completion {
        crate::complete::complete(code, cursor, &self.globals)
    }

    /// The help or value of the name at `cursor`, if there is one.
    pub fn inspect(&self, code: &str, cursor: usize) -> Option<String> {
        crate::complete::inspect(code, cursor, &self.globals)
    }

    /// The global scope.
    pub fn globals(&self) -> &Env {
        &self.globals
    }

    /// The value of a variable.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.globals.get(name)
    }

    /// Binds a variable.
    pub fn set(&mut self, name: &str, value: Value) {
        self.globals.set(name.into(), value);
    }

    /// The workspace's variable names, sorted.
    pub fn variable_names(&self) -> Vec<String> {
        self.globals.names().iter().map(|n| n.to_string()).collect()
    }

    /// Removes every variable.
    pub fn clear(&mut self) {
        self.globals.clear();
    }
}
