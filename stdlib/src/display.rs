//! Matrices as text, HTML and LaTeX, as Julia and numpy show them: numbers in
//! their shortest round-trip form, a shape header, aligned columns, and the
//! middle of a large matrix elided. The REPL, Jupyter and evcxr all show
//! matrices through these functions.

use crate::{Matrix, Operator};

/// Rows and columns shown in full; beyond them the middle is elided.
const MAX_ROWS: usize = 20;
const MAX_COLS: usize = 10;
const EDGE_ROWS: usize = 5;
const EDGE_COLS: usize = 4;

/// The shortest decimal that reads back as exactly `x`: `2`, `0.1`, `1e-7`, `-inf`.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = x.abs();
    if a != 0.0 && !(1e-5..1e16).contains(&a) {
        return format!("{x:e}");
    }
    format!("{x}")
}

/// Row and column positions shown, with `None` where an ellipsis stands.
fn shown(len: usize, max: usize, edge: usize) -> Vec<Option<usize>> {
    if len <= max {
        return (0..len).map(Some).collect();
    }
    (0..edge).map(Some).chain(std::iter::once(None)).chain((len - edge..len).map(Some)).collect()
}

/// `m×n matrix` and the entries in right-aligned columns.
pub fn matrix(m: &Matrix) -> String {
    let header = format!("{} matrix", m.shape());
    if m.is_empty() {
        return header;
    }
    header + ":" + &table(m.rows(), m.cols(), |i, j| m[(i, j)])
}

/// The indices of the rows (`rows`) or columns that a display of `len` shows.
pub fn visible(len: usize, rows: bool) -> Vec<usize> {
    let (max, edge) = if rows { (MAX_ROWS, EDGE_ROWS) } else { (MAX_COLS, EDGE_COLS) };
    shown(len, max, edge).into_iter().flatten().collect()
}

/// The display body of a `rows × cols` matrix of which only `corner` (the
/// entries at [`visible`] rows and columns) is known.
pub fn elided(corner: &Matrix, rows: usize, cols: usize) -> String {
    let position = |shown: &[usize], i: usize| shown.iter().position(|&k| k == i).expect("a visible index");
    let (r, c) = (visible(rows, true), visible(cols, false));
    table(rows, cols, |i, j| corner[(position(&r, i), position(&c, j))])
}

/// The entries `entry(i, j)` of a `rows × cols` matrix in right-aligned
/// columns, one line each, the middle elided.
fn table(rows: usize, cols: usize, entry: impl Fn(usize, usize) -> f64) -> String {
    let rows = shown(rows, MAX_ROWS, EDGE_ROWS);
    let cols = shown(cols, MAX_COLS, EDGE_COLS);
    let cell = |i: Option<usize>, j: Option<usize>| match (i, j) {
        (Some(i), Some(j)) => number(entry(i, j)),
        (None, None) => "⋱".into(),
        (None, _) => "⋮".into(),
        (_, None) => "…".into(),
    };
    let table: Vec<Vec<String>> = rows.iter().map(|&i| cols.iter().map(|&j| cell(i, j)).collect()).collect();
    let widths: Vec<usize> =
        (0..cols.len()).map(|c| table.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in table {
        out.push('\n');
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(s, w)| format!("{}{s}", " ".repeat(w - s.chars().count()))).collect();
        out.push(' ');
        out.push_str(&cells.join("  "));
    }
    out
}

/// Escapes `&`, `<`, `>` for HTML.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An HTML table with the shape as its caption; the middle of a large
/// matrix is elided as in [`matrix`].
pub fn matrix_html(m: &Matrix) -> String {
    let mut out = format!("<table class=\"tessera-matrix\"><caption>{} matrix</caption>", m.shape());
    let rows = shown(m.rows(), MAX_ROWS, EDGE_ROWS);
    let cols = shown(m.cols(), MAX_COLS, EDGE_COLS);
    for &i in &rows {
        out.push_str("<tr>");
        for &j in &cols {
            let cell = match (i, j) {
                (Some(i), Some(j)) => escape_html(&number(m[(i, j)])),
                (None, None) => "⋱".into(),
                (None, _) => "⋮".into(),
                (_, None) => "…".into(),
            };
            out.push_str(&format!("<td style=\"text-align:right\">{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// Matrices up to this many rows and columns also get a LaTeX form.
pub const LATEX_MAX: usize = 8;

/// `\begin{bmatrix} … \end{bmatrix}` for a small matrix, `None` for a large or empty one.
pub fn matrix_latex(m: &Matrix) -> Option<String> {
    if m.is_empty() || m.rows() > LATEX_MAX || m.cols() > LATEX_MAX {
        return None;
    }
    let rows: Vec<String> =
        (0..m.rows()).map(|i| (0..m.cols()).map(|j| latex_number(m[(i, j)])).collect::<Vec<_>>().join(" & ")).collect();
    Some(format!("$$\\begin{{bmatrix}} {} \\end{{bmatrix}}$$", rows.join(" \\\\ ")))
}

/// A number in LaTeX: exponents as `\times 10^{k}`, `\infty`, `\mathrm{NaN}`.
fn latex_number(x: f64) -> String {
    match number(x) {
        s if s == "inf" => "\\infty".into(),
        s if s == "-inf" => "-\\infty".into(),
        s if s == "nan" => "\\mathrm{NaN}".into(),
        s => match s.split_once('e') {
            Some((mantissa, exponent)) => format!("{mantissa} \\times 10^{{{exponent}}}"),
            None => s,
        },
    }
}

/// `m×n structure, s stored of m·n`: an operator in one line.
pub fn operator(op: &Operator) -> String {
    let s = op.shape();
    format!("{s} {}, {} stored of {}", op.structure(), op.storage(), s.0 * s.1)
}

impl Matrix {
    /// Its MIME bundle: `text/plain`, `text/html` and, up to 8×8, `text/latex`.
    pub fn mime_bundle(&self) -> Vec<(&'static str, String)> {
        let mut bundle = vec![("text/plain", matrix(self)), ("text/html", matrix_html(self))];
        bundle.extend(matrix_latex(self).map(|latex| ("text/latex", latex)));
        bundle
    }
}

impl Operator {
    /// Its MIME bundle: `text/plain`, the line of [`operator`].
    pub fn mime_bundle(&self) -> Vec<(&'static str, String)> {
        vec![("text/plain", operator(self))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_exactly() {
        for x in [0.1, 2.0, -0.0, 1e-7, 2.5e20, 123456.789, f64::MIN_POSITIVE, f64::MAX, 1.0 / 3.0] {
            assert_eq!(number(x).parse::<f64>().unwrap().to_bits(), x.to_bits(), "{x}");
        }
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.1), "0.1");
    }

    #[test]
    fn html_and_latex_forms() {
        let m = Matrix::from_rows(&[vec![1.0, 2.5], vec![-3.0, 1e-9]]).unwrap();
        let html = matrix_html(&m);
        assert!(html.starts_with("<table class=\"tessera-matrix\"><caption>2×2 matrix</caption>"), "{html}");
        assert!(html.contains(">2.5</td>") && html.contains(">1e-9</td>"), "{html}");
        assert_eq!(
            matrix_latex(&m).unwrap(),
            "$$\\begin{bmatrix} 1 & 2.5 \\\\ -3 & 1 \\times 10^{-9} \\end{bmatrix}$$"
        );
        let big = Matrix::zeros(30, 30);
        assert!(matrix_latex(&big).is_none());
        let html = matrix_html(&big);
        assert!(html.contains('⋮') && html.contains('…') && html.contains('⋱'));
        assert_eq!(html.matches("<tr>").count(), 2 * EDGE_ROWS + 1);
    }
}
