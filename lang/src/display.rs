//! Display of values, as Julia and numpy show them: numbers in their
//! shortest round-trip form, matrices with a shape header and aligned
//! columns (large ones elided in the middle; the stdlib's [`tessera::display`]
//! draws them), operators with their structure (and small ones with their
//! parts). Tuples, lists and records show their small matrices as literals,
//! on one line when it fits and one item per line when not, and as nested
//! HTML tables.

use crate::context::{Figures, PlotMode, Sink};
use crate::value::Value;
use tessera::c64;
use tessera::device::GpuMatrix;
pub use tessera::display::{
    elided, matrix, matrix_as, matrix_html, matrix_html_as, matrix_latex, number, operator, visible,
};
use tessera::display::{escape_html, is_small, literal, operator_html, operator_lines, print_options, SMALL};

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
        Value::Logical(m) => matrix_as(m, "logical"),
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
        Value::List(_) | Value::Tuple(_) | Value::Record(_) => match entries(v) {
            Some((caption, rows)) => table_text(&caption, &rows),
            None => lines(v, print_options().width).join("\n"),
        },
        Value::Function(f) => {
            let params: Vec<String> = f.fun.def.params.iter().map(|p| p.name.to_string()).collect();
            format!("fn {}({})", f.fun.def.name.as_deref().unwrap_or(""), params.join(", "))
        }
        Value::Builtin(b) => format!("builtin {}", b.signature),
        Value::Figure(f) => f.summary(),
        Value::Tensor(_) => summary(v),
    }
}

/// What a value is, in a few words: `3×3 matrix`, `4×4 Kronecker (2×2 ⊗
/// 2×2)`, `fn f(x)`, `number` (completion's signatures, and the large
/// values inside a tuple, list or record).
pub fn summary(v: &Value) -> String {
    match v {
        Value::Matrix(m) => format!("{} matrix", m.shape()),
        Value::Logical(m) => format!("{} logical", m.shape()),
        Value::Operator(op) => format!("{} {}", op.shape(), op.structure()),
        Value::Gpu(g) => format!("{} gpu matrix", g.shape()),
        Value::GpuOperator(op) => format!("{} gpu {}", op.1.shape(), op.1.structure()),
        Value::Figure(f) => format!("{} figure", f.kind()),
        Value::Tensor(t) => format!("{} {} tensor (unread)", t.shape(), t.dtype()),
        Value::List(xs) => format!("list of {}", xs.len()),
        Value::Tuple(xs) => format!("tuple of {}", xs.len()),
        Value::Record(r) => format!("record of {}", counted(r.fields.len(), "field")),
        Value::Function(_) | Value::Builtin(_) => plain(v),
        other => other.kind().to_string(),
    }
}

/// A value inside a list, tuple or record, in lines of at most `width`
/// characters where its entries allow: a small matrix as its literal, a
/// larger one as its shape, an operator as its summary (and a small one's
/// parts), a container laid out by [`container`].
fn lines(v: &Value, width: usize) -> Vec<String> {
    match v {
        Value::Matrix(m) | Value::Logical(m) if is_small(m) => literal(m, width),
        Value::Operator(op) => operator_lines(op, width),
        Value::Matrix(_)
        | Value::Logical(_)
        | Value::Gpu(_)
        | Value::GpuOperator(_)
        | Value::Figure(_)
        | Value::Tensor(_) => vec![summary(v)],
        Value::List(_) | Value::Tuple(_) | Value::Record(_) if entries(v).is_some() => vec![summary(v)],
        Value::List(items) => container("list(", ")", items.iter().map(|v| ("", v)), width),
        Value::Tuple(items) => {
            let close = if items.len() == 1 { ",)" } else { ")" };
            container("(", close, items.iter().map(|v| ("", v)), width)
        }
        Value::Record(r) => {
            let names: Vec<String> = r.fields.iter().map(|(n, _)| format!("{n} = ")).collect();
            container("(", ")", names.iter().map(String::as_str).zip(r.fields.iter().map(|(_, v)| v)), width)
        }
        other => vec![plain(other)],
    }
}

/// `open item, item, …close` on one line when every item is one line and the
/// whole fits in `width`; otherwise one item per line, aligned after
/// `open`, numpy's nested layout. Each item is `(prefix, value)`: records
/// prefix their field names (`K = `).
fn container<'a>(
    open: &str,
    close: &str,
    items: impl Iterator<Item = (&'a str, &'a Value)>,
    width: usize,
) -> Vec<String> {
    let indent = " ".repeat(open.chars().count());
    let items: Vec<(&str, Vec<String>)> = items
        .map(|(prefix, v)| (prefix, lines(v, width.saturating_sub(indent.len() + prefix.chars().count()))))
        .collect();
    let flat: Vec<String> = items.iter().filter(|(_, l)| l.len() == 1).map(|(p, l)| format!("{p}{}", l[0])).collect();
    let one = format!("{open}{}{close}", flat.join(", "));
    if flat.len() == items.len() && one.chars().count() <= width {
        return vec![one];
    }
    let mut out = Vec::new();
    let last = items.len().saturating_sub(1);
    for (k, (prefix, body)) in items.iter().enumerate() {
        let lead = if k == 0 { open.to_string() } else { indent.clone() };
        let hanging = " ".repeat(indent.len() + prefix.chars().count());
        for (i, line) in body.iter().enumerate() {
            let start = if i == 0 { format!("{lead}{prefix}") } else { hanging.clone() };
            let end = match (i + 1 == body.len(), k == last) {
                (true, true) => close,
                (true, false) => ",",
                _ => "",
            };
            out.push(format!("{start}{line}{end}"));
        }
    }
    if items.is_empty() {
        out.push(format!("{open}{close}"));
    }
    out
}

/// The rows of a tuple, list or record of more than [`SMALL`] items, shown
/// as a table (name or index, kind, shape or value) instead of one long
/// line: a caption and `(name, item)` pairs.
fn entries(v: &Value) -> Option<(String, Vec<(String, &Value)>)> {
    let (caption, rows): (String, Vec<(String, &Value)>) = match v {
        Value::List(xs) => {
            (format!("list of {}", xs.len()), xs.iter().enumerate().map(|(k, x)| (k.to_string(), x)).collect())
        }
        Value::Tuple(xs) => {
            (format!("tuple of {}", xs.len()), xs.iter().enumerate().map(|(k, x)| (k.to_string(), x)).collect())
        }
        Value::Record(r) => (
            format!("record of {}", counted(r.fields.len(), "field")),
            r.fields.iter().map(|(n, x)| (n.to_string(), x)).collect(),
        ),
        _ => return None,
    };
    (rows.len() > SMALL).then_some((caption, rows))
}

/// `n` and the noun, singular for one: "1 item", "3 items".
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// An item's row in a table: its kind, and its shape (a matrix or operator),
/// size (a container) or value (a number, bool or short string).
fn describe(v: &Value) -> (String, String) {
    let shape = match v {
        Value::Matrix(m) | Value::Logical(m) => m.shape().to_string(),
        Value::Operator(op) => format!("{} {}", op.shape(), op.structure()),
        Value::Gpu(g) => g.shape().to_string(),
        Value::GpuOperator(op) => op.1.shape().to_string(),
        Value::Tensor(t) => format!("{} {}", t.shape(), t.dtype()),
        Value::List(xs) | Value::Tuple(xs) => counted(xs.len(), "item"),
        Value::Record(r) => counted(r.fields.len(), "field"),
        Value::Str(s) if s.chars().count() > 40 => format!("{} characters", s.chars().count()),
        Value::Function(_) | Value::Builtin(_) | Value::Figure(_) => summary(v),
        other => plain(other),
    };
    (v.kind().to_string(), shape)
}

/// The most rows a table shows; a longer one shows its first [`HEAD_ROWS`]
/// and last [`TAIL_ROWS`] around a row that counts the rest.
const MOST_ROWS: usize = 300;
const HEAD_ROWS: usize = 200;
const TAIL_ROWS: usize = 20;

/// A table's rows as (name, kind, shape): every item, or, past [`MOST_ROWS`],
/// the head, a row that counts the items left out, and the tail.
fn table_rows(rows: &[(String, &Value)]) -> Vec<(String, String, String)> {
    let row = |(n, v): &(String, &Value)| {
        let (kind, shape) = describe(v);
        (n.clone(), kind, shape)
    };
    if rows.len() <= MOST_ROWS {
        return rows.iter().map(row).collect();
    }
    let tail = rows.len() - TAIL_ROWS;
    let gap = ("⋮".to_string(), format!("({} more)", tail - HEAD_ROWS), String::new());
    rows[..HEAD_ROWS].iter().map(row).chain(std::iter::once(gap)).chain(rows[tail..].iter().map(row)).collect()
}

/// The table of [`entries`] as text: a caption line, then aligned columns.
fn table_text(caption: &str, rows: &[(String, &Value)]) -> String {
    let described = table_rows(rows);
    let key = if caption.starts_with("record") { "name" } else { "index" };
    let header = (key.to_string(), "kind".to_string(), "shape".to_string());
    let all: Vec<&(String, String, String)> = std::iter::once(&header).chain(described.iter()).collect();
    let width =
        |f: fn(&(String, String, String)) -> &String| all.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(|r| &r.0), width(|r| &r.1));
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w - s.chars().count()));
    let mut out = format!("{caption}:");
    for (n, k, sh) in all {
        out.push_str(format!("\n {}  {}  {sh}", pad(n, w0), pad(k, w1)).trim_end());
    }
    out
}

/// The table of [`entries`] as HTML.
fn table_html(caption: &str, rows: &[(String, &Value)]) -> String {
    let cell = "style=\"text-align:left;white-space:pre\"";
    let key = if caption.starts_with("record") { "name" } else { "index" };
    let mut out = format!(
        "<table class=\"tessera-items\"><caption style=\"white-space:nowrap;text-align:left\">{caption}</caption>\
         <tr><th {cell}>{key}</th><th {cell}>kind</th><th {cell}>shape</th></tr>"
    );
    for (name, kind, shape) in table_rows(rows) {
        out.push_str(&format!(
            "<tr><td {cell}>{}</td><td {cell}>{}</td><td {cell}>{}</td></tr>",
            escape_html(&name),
            escape_html(&kind),
            escape_html(&shape)
        ));
    }
    out.push_str("</table>");
    out
}

/// The `text/html` display of a value, when it has one: a matrix's table, a
/// small operator's parts, and a tuple, list or record of up to eight items
/// holding either, as a table of its items (index or field name, then the
/// item) with the matrices nested.
pub fn html(v: &Value) -> Option<String> {
    if let Some((caption, rows)) = entries(v) {
        return Some(table_html(&caption, &rows));
    }
    match v {
        Value::Matrix(m) => Some(matrix_html(m)),
        Value::Logical(m) => Some(matrix_html_as(m, "logical")),
        Value::Operator(op) => operator_html(op),
        Value::List(items) => {
            items_html(&format!("list of {}", items.len()), items.iter().enumerate().map(|(k, v)| (k.to_string(), v)))
        }
        Value::Tuple(items) => {
            items_html(&format!("tuple of {}", items.len()), items.iter().enumerate().map(|(k, v)| (k.to_string(), v)))
        }
        Value::Record(r) => {
            items_html(&format!("record of {}", r.fields.len()), r.fields.iter().map(|(n, v)| (n.to_string(), v)))
        }
        _ => None,
    }
}

/// A table of items with `caption`, when there are at most [`SMALL`] of
/// them and any has an HTML form (the others show their text).
fn items_html<'a>(caption: &str, items: impl ExactSizeIterator<Item = (String, &'a Value)>) -> Option<String> {
    if items.len() > SMALL {
        return None;
    }
    let items: Vec<(String, &Value, Option<String>)> = items.map(|(k, v)| (k, v, html(v))).collect();
    if items.iter().all(|(_, _, h)| h.is_none()) {
        return None;
    }
    let mut out = format!(
        "<table class=\"tessera-items\"><caption style=\"white-space:nowrap;text-align:left\">{caption}</caption>"
    );
    for (key, v, h) in items {
        let cell = h.unwrap_or_else(|| format!("<pre style=\"margin:0\">{}</pre>", escape_html(&plain(v))));
        out.push_str(&format!(
            "<tr><th style=\"text-align:left;vertical-align:top;font-weight:normal\">{}</th><td style=\"text-align:left\">{cell}</td></tr>",
            escape_html(&key)
        ));
    }
    out.push_str("</table>");
    Some(out)
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
    fn display(&mut self, value: &Value, figures: Figures) {
        let text = match value {
            Value::Figure(f) if figures.plot != PlotMode::Off => {
                f.text(80, 24, false).unwrap_or_else(|e| e.to_string())
            }
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
