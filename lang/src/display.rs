//! Text display of values, as Julia and numpy show them: numbers in their
//! shortest round-trip form, matrices with a shape header and aligned
//! columns (large ones elided in the middle; the stdlib's [`tessera::display`]
//! draws them), operators with their structure.

use crate::context::{PlotMode, Sink};
use crate::value::Value;
use tessera::c64;
use tessera::device::GpuMatrix;
pub use tessera::display::{elided, matrix, matrix_html, matrix_latex, number, operator, visible, LATEX_MAX};

/// `a + bim` (Julia's form).
pub fn complex(z: c64) -> String {
    let sign = if z.im.is_sign_negative() { "-" } else { "+" };
    format!("{} {sign} {}im", number(z.re), number(z.im.abs()))
}

/// What `print` writes for a value: strings without quotes.
pub fn print_form(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        other => plain(other),
    }
}

/// The `text/plain` display of a value.
pub fn plain(v: &Value) -> String {
    match v {
        Value::None => "none".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(x) => number(*x),
        Value::Complex(z) => complex(*z),
        Value::Str(s) => format!("{s:?}"),
        Value::Matrix(m) => matrix(m),
        Value::Gpu(g) => gpu_matrix(g),
        Value::GpuOperator(op) => {
            let s = op.1.shape();
            format!(
                "{s} {} on the gpu ({}), {} stored of {}",
                op.1.structure(),
                op.1.precision().name(),
                op.1.storage(),
                s.0 * s.1
            )
        }
        Value::Operator(op) => operator(op),
        Value::Range(a, b) => format!("{a}:{b}"),
        Value::List(items) => format!("list({})", inline_items(items)),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", inline(&items[0])),
        Value::Tuple(items) => format!("({})", inline_items(items)),
        Value::Record(r) => {
            let fields: Vec<String> = r.fields.iter().map(|(n, v)| format!("{n} = {}", inline(v))).collect();
            format!("({})", fields.join(", "))
        }
        Value::Function(f) => {
            let params: Vec<String> = f.def.params.iter().map(|p| p.name.to_string()).collect();
            format!("fn {}({})", f.def.name.as_deref().unwrap_or(""), params.join(", "))
        }
        Value::Builtin(b) => format!("builtin {}", b.signature),
        Value::Figure(f) => f.summary(),
    }
}

/// A one-line form for values inside lists, tuples and records.
fn inline(v: &Value) -> String {
    match v {
        Value::Matrix(m) if m.len() > 6 || m.rows() > 1 => format!("{} matrix", m.shape()),
        Value::Operator(op) => format!("{} {}", op.shape(), op.structure()),
        Value::Gpu(g) => format!("{} gpu matrix", g.shape()),
        Value::GpuOperator(op) => format!("{} gpu {}", op.1.shape(), op.1.structure()),
        Value::Figure(f) => format!("{} figure", f.kind()),
        Value::Matrix(m) => format!("[{}]", m.to_row_major().iter().map(|x| number(*x)).collect::<Vec<_>>().join(", ")),
        other => plain(other),
    }
}

fn inline_items(items: &[Value]) -> String {
    items.iter().map(inline).collect::<Vec<_>>().join(", ")
}

/// The `text/plain` display of a gpu matrix: the header and the entries that fit, read back
/// from the device (only those).
pub fn gpu_matrix(g: &GpuMatrix) -> String {
    let header = format!("{} gpu matrix ({})", g.shape(), g.precision().name());
    if g.is_empty() {
        return header;
    }
    let (rows, cols) = (visible(g.rows(), true), visible(g.cols(), false));
    match g.region(&rows, &cols) {
        Ok(corner) => {
            let body = elided(&corner, g.rows(), g.cols());
            format!("{header}:{body}")
        }
        Err(e) => format!("{header} (its entries could not be read: {e})"),
    }
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
            other => plain(other) + "\n",
        };
        self.stdout(&text);
    }
    fn page(&mut self, text: &str) {
        self.stdout(&(text.to_string() + "\n"));
    }
    fn clear_output(&mut self) {}
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&plain(self))
    }
}
