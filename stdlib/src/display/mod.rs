//! Matrices as text, HTML and LaTeX, as numpy and Julia show them: a shape
//! header, aligned columns with about six significant digits (numpy's
//! `repr` rules choose between fixed and exponent notation for the whole
//! matrix), and the middle of a large matrix elided to fit the line. Scalars
//! stay exact: [`number`] is the shortest form that reads back. The REPL,
//! Jupyter and evcxr all show matrices through these functions.
//!
//! How many digits, and how wide a line, are [`PrintOptions`], set per thread
//! (`:format long|short` and `printopts(precision=, width=)` in the language,
//! as numpy's `set_printoptions`).

use crate::Matrix;
use std::cell::Cell;

mod operator;
pub use operator::{operator, operator_html, operator_lines, OPERATOR_SMALL};

/// Rows shown in full; beyond them the middle is elided.
const MAX_ROWS: usize = 20;
const EDGE_ROWS: usize = 5;

/// How matrices show their entries (build checked ones with [`PrintOptions::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintOptions {
    /// Significant digits of each entry; `None` shows every digit, the
    /// shortest form that reads back exactly (`:format long`).
    pub precision: Option<usize>,
    /// Characters per line of a matrix's text (and, estimated, of its HTML
    /// table); columns that do not fit are elided from the middle.
    pub width: usize,
}

impl Default for PrintOptions {
    /// Six significant digits on lines of 80 characters.
    fn default() -> Self {
        PrintOptions { precision: Some(6), width: 80 }
    }
}

thread_local! {
    static OPTIONS: Cell<PrintOptions> = Cell::new(PrintOptions::default());
}

/// This thread's print options.
pub fn print_options() -> PrintOptions {
    OPTIONS.with(Cell::get)
}

impl PrintOptions {
    /// Checked options: precision 1 to 17 significant digits (or `None`),
    /// a width of at least 20 characters.
    pub fn new(precision: Option<usize>, width: usize) -> crate::Result<PrintOptions> {
        if precision.is_some_and(|p| !(1..=17).contains(&p)) {
            return Err(crate::Error::invalid(
                "printopts",
                "precision is 1 to 17 significant digits (or inf: every digit)",
            ));
        }
        if width < 20 {
            return Err(crate::Error::invalid("printopts", format!("a width of {width} is too narrow (20 or more)")));
        }
        Ok(PrintOptions { precision, width })
    }
}

/// Sets this thread's print options (a session sets its own before each cell).
pub fn set_print_options(options: PrintOptions) {
    OPTIONS.with(|o| o.set(options));
}

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

/// How every entry of one matrix is written, chosen from all the entries
/// shown (numpy's `FloatingFormat`, with `precision` significant digits).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    /// Every digit ([`number`]).
    Exact,
    /// Whole numbers below 10¹⁶: `3`, `-12`.
    Integer,
    /// `decimals` digits after the point at most, trailing zeros blanked so
    /// that the points line up.
    Fixed { decimals: usize },
    /// `d.ddde±XX` with `decimals` mantissa digits at most, the same count for all.
    Exponent { decimals: usize },
}

impl Style {
    /// The style for `values`: integers when they all are; exponent notation
    /// when the largest magnitude is 10⁸ or more, the smallest non-zero one
    /// below 10⁻⁴, or their ratio above 10³ (numpy's rule); fixed otherwise.
    fn of(values: impl Iterator<Item = f64>, options: PrintOptions) -> Style {
        let Some(precision) = options.precision else { return Style::Exact };
        let finite: Vec<f64> = values.filter(|x| x.is_finite()).collect();
        let max = finite.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let min = finite.iter().filter(|x| **x != 0.0).fold(f64::INFINITY, |m, x| m.min(x.abs()));
        if finite.iter().all(|x| x.fract() == 0.0) && max < 1e16 {
            return Style::Integer;
        }
        let trimmed = |digits: &dyn Fn(f64) -> String| {
            finite.iter().map(|&x| digits(x).trim_end_matches('0').len()).max().unwrap_or(0)
        };
        if max >= 1e8 || min < 1e-4 || max / min > 1e3 {
            let mantissa = |x: f64| {
                let s = format!("{:.*e}", precision - 1, x.abs());
                s.split_once('e').map_or(String::new(), |(m, _)| m.split_once('.').map_or("", |(_, f)| f).to_string())
            };
            return Style::Exponent { decimals: trimmed(&mantissa).max(1) };
        }
        // Enough decimals for `precision` significant digits of the largest entry.
        let magnitude = if max > 0.0 { max.log10().floor() as i64 } else { 0 };
        let decimals = (precision as i64 - 1 - magnitude).max(0) as usize;
        let fraction = |x: f64| format!("{:.*}", decimals, x.abs()).split_once('.').map_or("", |(_, f)| f).to_string();
        Style::Fixed { decimals: trimmed(&fraction) }
    }

    /// `x` in this style (padded on the right in fixed style, so that
    /// points line up in a right-aligned column).
    fn write(self, x: f64) -> String {
        if !x.is_finite() {
            return number(x);
        }
        match self {
            Style::Exact | Style::Integer => number(x),
            Style::Fixed { decimals: 0 } => format!("{x:.0}"),
            Style::Fixed { decimals } => {
                let s = format!("{x:.decimals$}");
                let kept = s.trim_end_matches('0');
                let kept = if kept.ends_with('.') { &s[..kept.len() + 1] } else { kept };
                format!("{kept}{}", " ".repeat(s.len() - kept.len()))
            }
            Style::Exponent { decimals } => {
                let s = format!("{x:.decimals$e}");
                let (mantissa, exponent) = s.split_once('e').expect("exponent notation");
                let (sign, digits) = exponent.strip_prefix('-').map_or(("+", exponent), |d| ("-", d));
                format!("{mantissa}e{sign}{digits:0>2}")
            }
        }
    }
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
    matrix_as(m, "matrix")
}

/// [`matrix`] with another noun in the header (`2×2 logical`).
pub fn matrix_as(m: &Matrix, noun: &str) -> String {
    let header = format!("{} {noun}", m.shape());
    if m.is_empty() {
        return header;
    }
    header + ":" + &table(m.rows(), m.cols(), |i, j| m[(i, j)])
}

/// The indices of the rows (`rows`) or columns that a display of `len` may
/// show (what a device matrix reads back for [`elided`]).
pub fn visible(len: usize, rows: bool) -> Vec<usize> {
    // Columns: as many from each end as a line could hold at their narrowest
    // (one digit and the gap); of them, those that fit are shown.
    let edge_cols = (print_options().width / 6).max(2);
    let (max, edge) = if rows { (MAX_ROWS, EDGE_ROWS) } else { (2 * edge_cols + 2, edge_cols) };
    shown(len, max, edge).into_iter().flatten().collect()
}

/// The display body of a `rows × cols` matrix of which only `corner` (the
/// entries at [`visible`] rows and columns) is known.
pub fn elided(corner: &Matrix, rows: usize, cols: usize) -> String {
    let position = |shown: &[usize], i: usize| shown.iter().position(|&k| k == i).expect("a visible index");
    let (r, c) = (visible(rows, true), visible(cols, false));
    table(rows, cols, |i, j| corner[(position(&r, i), position(&c, j))])
}

/// The cells of a display: the shown rows (`None`: the elided middle) of
/// the columns that fit in `width` characters, each cell written in the
/// matrix's [`Style`], and `…` standing for the elided columns; `gap`
/// characters separate columns.
fn grid(rows: usize, cols: usize, entry: impl Fn(usize, usize) -> f64, width: usize, gap: usize) -> Vec<Vec<String>> {
    let options = print_options();
    let rows = shown(rows, MAX_ROWS, EDGE_ROWS);
    let candidates = visible(cols, false);
    let values = rows.iter().flatten().flat_map(|&i| candidates.iter().map(move |&j| (i, j)));
    let style = Style::of(values.map(|(i, j)| entry(i, j)), options);
    // A column keeps only the blank decimals that line up its own points.
    let column = |j: usize| -> Vec<String> {
        let mut cells: Vec<String> =
            rows.iter().map(|i| i.map_or_else(|| "⋮".to_string(), |i| style.write(entry(i, j)))).collect();
        let padded = |c: &String| c.contains('.');
        let blank = |c: &String| c.len() - c.trim_end().len();
        let common = cells.iter().filter(|c| padded(c)).map(blank).min().unwrap_or(0);
        for c in cells.iter_mut().filter(|c| padded(c)) {
            c.truncate(c.len() - common);
        }
        cells
    };
    let columns: Vec<Vec<String>> = candidates.iter().map(|&j| column(j)).collect();
    let wide = |c: &Vec<String>| c.iter().map(|s| s.chars().count()).max().unwrap_or(0) + gap;
    // All the columns when they fit; otherwise columns from both ends,
    // alternately, while the line has room beside the `…` column.
    let total: usize = columns.iter().map(wide).sum();
    let (mut left, mut right) = (columns.len(), columns.len());
    if total > width || cols > columns.len() {
        let (mut used, mut from_left) = (gap + 1, true);
        (left, right) = (0, columns.len());
        while left < right {
            let next = if from_left { left } else { right - 1 };
            if used + wide(&columns[next]) > width && left > 0 {
                break;
            }
            used += wide(&columns[next]);
            if from_left {
                left += 1;
            } else {
                right -= 1;
            }
            from_left = !from_left;
        }
    }
    let mut chosen: Vec<Vec<String>> = columns[..left].to_vec();
    if left < right || cols > columns.len() {
        chosen.push(rows.iter().map(|i| if i.is_some() { "…" } else { "⋱" }.to_string()).collect());
    }
    chosen.extend(columns[right..].iter().cloned());
    (0..rows.len()).map(|r| chosen.iter().map(|c| c[r].clone()).collect()).collect()
}

/// The entries `entry(i, j)` of a `rows × cols` matrix in right-aligned
/// columns, one line each, the middle elided to fit the line.
fn table(rows: usize, cols: usize, entry: impl Fn(usize, usize) -> f64) -> String {
    let cells = grid(rows, cols, entry, print_options().width.saturating_sub(1), 2);
    let count = cells.first().map_or(0, Vec::len);
    let widths: Vec<usize> =
        (0..count).map(|c| cells.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in cells {
        out.push('\n');
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(s, w)| format!("{}{s}", " ".repeat(w - s.chars().count()))).collect();
        out.push(' ');
        out.push_str(cells.join("  ").trim_end());
    }
    out
}

/// Escapes `&`, `<`, `>` for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// An HTML table with the shape as its caption (on one line), the entries
/// written as in [`matrix`], and as many columns as fit an output area of
/// about [`PrintOptions::width`] + 40 characters (JupyterLab's is about 120
/// of its table font).
pub fn matrix_html(m: &Matrix) -> String {
    matrix_html_as(m, "matrix")
}

/// [`matrix_html`] with another noun in the caption (`2×2 logical`).
pub fn matrix_html_as(m: &Matrix, noun: &str) -> String {
    let caption = format!("<caption style=\"white-space:nowrap;text-align:left\">{} {noun}</caption>", m.shape());
    let mut out = format!("<table class=\"tessera-matrix\">{caption}");
    if !m.is_empty() {
        for row in grid(m.rows(), m.cols(), |i, j| m[(i, j)], print_options().width + 40, 3) {
            out.push_str("<tr>");
            for cell in row {
                let cell = escape_html(&cell);
                out.push_str(&format!(
                    "<td style=\"text-align:right;white-space:pre;font-variant-numeric:tabular-nums\">{cell}</td>"
                ));
            }
            out.push_str("</tr>");
        }
    }
    out.push_str("</table>");
    out
}

/// Matrices up to this many rows and columns are small: they get a LaTeX
/// form, and show their entries inside tuples, lists, records and operators.
pub const SMALL: usize = 8;

/// Whether a matrix is [`SMALL`] (and not empty).
pub fn is_small(m: &Matrix) -> bool {
    !m.is_empty() && m.rows() <= SMALL && m.cols() <= SMALL
}

/// A small matrix as the literal that builds it, in the matrix's
/// [`Style`]: `[800, 0, 320; 0, 800, 240; 0, 0, 1]` on one line when that
/// fits in `width` characters, else one row per line with the columns
/// aligned (numpy's nested form):
///
/// ```text
/// [1.5  , -2.25;
///  0.125,  4   ]
/// ```
pub fn literal(m: &Matrix, width: usize) -> Vec<String> {
    let style = Style::of(m.to_row_major().into_iter(), print_options());
    let cells: Vec<Vec<String>> =
        (0..m.rows()).map(|i| (0..m.cols()).map(|j| style.write(m[(i, j)])).collect()).collect();
    let line: Vec<String> =
        cells.iter().map(|row| row.iter().map(|c| c.trim_end()).collect::<Vec<_>>().join(", ")).collect();
    let one = format!("[{}]", line.join("; "));
    if one.chars().count() <= width {
        return vec![one];
    }
    let widths: Vec<usize> =
        (0..m.cols()).map(|j| cells.iter().map(|r| r[j].chars().count()).max().unwrap_or(0)).collect();
    let last = m.rows() - 1;
    cells
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let padded: Vec<String> =
                row.iter().zip(&widths).map(|(c, w)| format!("{}{c}", " ".repeat(w - c.chars().count()))).collect();
            let (open, close) = (if i == 0 { "[" } else { " " }, if i == last { "]" } else { ";" });
            format!("{open}{}{close}", padded.join(", "))
        })
        .collect()
}

/// `\begin{bmatrix} … \end{bmatrix}` for a small matrix, `None` for a large
/// or empty one; entries as in [`matrix`], exponents as `\times 10^{k}`.
pub fn matrix_latex(m: &Matrix) -> Option<String> {
    if !is_small(m) {
        return None;
    }
    let style = Style::of(m.to_row_major().into_iter(), print_options());
    let entry = |x: f64| latex_number(style.write(x).trim_end());
    let rows: Vec<String> =
        (0..m.rows()).map(|i| (0..m.cols()).map(|j| entry(m[(i, j)])).collect::<Vec<_>>().join(" & ")).collect();
    Some(format!("$$\\begin{{bmatrix}} {} \\end{{bmatrix}}$$", rows.join(" \\\\ ")))
}

/// A written number in LaTeX: exponents as `\times 10^{k}`, `\infty`, `\mathrm{NaN}`.
fn latex_number(s: &str) -> String {
    match s {
        "inf" => "\\infty".into(),
        "-inf" => "-\\infty".into(),
        "nan" => "\\mathrm{NaN}".into(),
        s => match s.split_once('e') {
            Some((mantissa, exponent)) => {
                let k: i64 = exponent.parse().unwrap_or(0);
                format!("{mantissa} \\times 10^{{{k}}}")
            }
            None => s.to_string(),
        },
    }
}

impl Matrix {
    /// Its MIME bundle: `text/plain`, `text/html` and, up to 8×8, `text/latex`.
    pub fn mime_bundle(&self) -> Vec<(&'static str, String)> {
        self.mime_bundle_as("matrix")
    }

    /// [`Matrix::mime_bundle`] with another noun in the header (`logical`).
    pub fn mime_bundle_as(&self, noun: &str) -> Vec<(&'static str, String)> {
        let mut bundle = vec![("text/plain", matrix_as(self, noun)), ("text/html", matrix_html_as(self, noun))];
        bundle.extend(matrix_latex(self).map(|latex| ("text/latex", latex)));
        bundle
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

    fn show(rows: &[Vec<f64>]) -> String {
        matrix(&Matrix::from_rows(rows).unwrap())
    }

    #[test]
    fn matrices_show_six_significant_digits_in_numpys_styles() {
        // Exponent notation for the whole matrix when a magnitude is below 10⁻⁴ …
        let tiny: Vec<Vec<f64>> = vec![vec![1e-5, 2e-5], vec![3.0 * 1e-5, 4e-5]];
        assert_eq!(tiny[1][0], 3.0000000000000004e-05);
        assert_eq!(show(&tiny), "2×2 matrix:\n 1.0e-05  2.0e-05\n 3.0e-05  4.0e-05");
        // … or the magnitudes span more than 10³, or reach 10⁸.
        assert_eq!(show(&[vec![1.0, 2.5], vec![-3.0, 1e-9]]), "2×2 matrix:\n  1.0e+00  2.5e+00\n -3.0e+00  1.0e-09");
        assert_eq!(show(&[vec![1.5, 2e8]]), "1×2 matrix:\n 1.5e+00  2.0e+08");
        assert_eq!(show(&[vec![1.0, 2000.5]]), "1×2 matrix:\n 1.0000e+00  2.0005e+03");
        // Fixed notation otherwise: the points line up, trailing zeros blanked.
        assert_eq!(show(&[vec![0.5], vec![12.345678]]), "2×1 matrix:\n  0.5\n 12.3457");
        assert_eq!(show(&[vec![0.5, 12.345678]]), "1×2 matrix:\n 0.5  12.3457");
        assert_eq!(show(&[vec![1.0 / 3.0, -2.0 / 3.0]]), "1×2 matrix:\n 0.333333  -0.666667");
        // Whole numbers as integers, negative zero kept; NaN and infinities as numpy writes them.
        assert_eq!(show(&[vec![1.0, -0.0], vec![3.0, 4.0]]), "2×2 matrix:\n 1  -0\n 3   4");
        assert_eq!(show(&[vec![1.5, f64::NAN], vec![f64::INFINITY, -2.0]]), "2×2 matrix:\n 1.5   nan\n inf  -2.0");
        assert_eq!(show(&[vec![f64::NAN, f64::NEG_INFINITY]]), "1×2 matrix:\n nan  -inf");
    }

    #[test]
    fn format_long_shows_every_digit_and_options_are_checked() {
        let m = Matrix::from_rows(&[vec![0.1 + 0.2, 1e-5]]).unwrap();
        let before = print_options();
        set_print_options(PrintOptions::new(None, 80).unwrap());
        assert_eq!(matrix(&m), "1×2 matrix:\n 0.30000000000000004  0.00001");
        set_print_options(PrintOptions::new(Some(3), 80).unwrap());
        assert_eq!(matrix(&m), "1×2 matrix:\n 3.0e-01  1.0e-05");
        assert!(PrintOptions::new(Some(0), 80).is_err() && PrintOptions::new(Some(18), 80).is_err());
        assert!(PrintOptions::new(Some(6), 5).is_err());
        set_print_options(before);
    }

    #[test]
    fn wide_matrices_are_elided_to_the_line() {
        let m = crate::Rng::seeded(1).randn(20, 30);
        let text = matrix(&m);
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{} characters: {line}", line.chars().count());
        }
        assert!(text.lines().nth(1).unwrap().contains('…'), "{text}");
        // A narrow matrix is shown whole; a 1×30 row of digits fits.
        assert!(!matrix(&Matrix::from_fn(1, 20, |_, j| j as f64)).contains('…'));
        let before = print_options();
        set_print_options(PrintOptions::new(Some(6), 200).unwrap());
        let wide = matrix(&m);
        set_print_options(before);
        let count = |t: &str| t.lines().nth(1).unwrap().split_whitespace().count();
        assert!(count(&wide) > count(&text) + 5, "{wide}");
    }

    #[test]
    fn html_and_latex_forms() {
        let m = Matrix::from_rows(&[vec![1.0, 2.5], vec![-3.0, 0.125]]).unwrap();
        let html = matrix_html(&m);
        assert!(html.contains("<caption style=\"white-space:nowrap;text-align:left\">2×2 matrix</caption>"), "{html}");
        assert!(html.contains(">2.5  </td>") && html.contains(">0.125</td>"), "{html}");
        assert_eq!(matrix_latex(&m).unwrap(), "$$\\begin{bmatrix} 1.0 & 2.5 \\\\ -3.0 & 0.125 \\end{bmatrix}$$");
        let e = Matrix::from_rows(&[vec![1.0, 1e-9]]).unwrap();
        assert_eq!(
            matrix_latex(&e).unwrap(),
            "$$\\begin{bmatrix} 1.0 \\times 10^{0} & 1.0 \\times 10^{-9} \\end{bmatrix}$$"
        );
        let big = Matrix::zeros(30, 30);
        assert!(matrix_latex(&big).is_none());
        let html = matrix_html(&big);
        assert!(html.contains('⋮') && html.contains('…') && html.contains('⋱'));
        assert_eq!(html.matches("<tr>").count(), 2 * EDGE_ROWS + 1);
        // A 20×30 randn table fits an output area: fewer columns than 30.
        let wide = matrix_html(&crate::Rng::seeded(2).randn(20, 30));
        let first_row = wide.split("</tr>").next().unwrap();
        assert!(first_row.matches("<td").count() < 16, "{first_row}");
    }
}
