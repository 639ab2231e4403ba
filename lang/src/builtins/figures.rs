//! Figures: `plot`, `scatter`, `hist`, `heatmap`, `spy`, `spectrum` and
//! `savefig`. A figure is a value; it is drawn when it is shown (inline in
//! Jupyter and the terminal) or saved.

use super::{as_matrix, as_operator, as_size, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use std::rc::Rc;
use tessera::figure::{Figure, Series, SpectrumOf};
use tessera::Matrix;

/// The keywords every figure takes.
const COMMON: [&str; 4] = ["title", "xlabel", "ylabel", "size"];

fn string_keyword(args: &Args, name: &str) -> Result<Option<String>> {
    match args.keyword(name) {
        None => Ok(None),
        Some((Value::Str(s), _)) => Ok(Some(s.to_string())),
        Some((other, span)) => Err(LangError::type_error(format!("{name} is a string, got {}", other.a_kind()), span)),
    }
}

/// Applies `title=`, `xlabel=`, `ylabel=` and `size=(width, height)`.
fn finish(mut fig: Figure, args: &Args) -> Result<Value> {
    if let Some(t) = string_keyword(args, "title")? {
        fig = fig.with_title(&t);
    }
    if let Some(l) = string_keyword(args, "xlabel")? {
        fig = fig.with_xlabel(&l);
    }
    if let Some(l) = string_keyword(args, "ylabel")? {
        fig = fig.with_ylabel(&l);
    }
    if let Some((v, span)) = args.keyword("size") {
        let (w, h) = match v {
            Value::Tuple(items) if items.len() == 2 => (as_size(&items[0], span)?, as_size(&items[1], span)?),
            other => {
                return Err(LangError::type_error(
                    format!("size is a tuple (width, height) in pixels, got {}", other.a_kind()),
                    span,
                ))
            }
        };
        let side = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        fig = fig.with_size(side(w), side(h)).map_err(|e| LangError::from(e).at(span))?;
    }
    Ok(Value::Figure(Rc::new(fig)))
}

/// The values of a vector argument.
fn vector(v: &Value, span: Span, what: &str) -> Result<Vec<f64>> {
    let m = as_matrix(v, span)?;
    if !m.is_vector() {
        return Err(LangError::argument(format!("{what} is a vector, got a {} matrix", m.shape()), span));
    }
    Ok(m.to_row_major())
}

/// The series of a matrix: a vector is one series, otherwise each column is one.
fn columns(m: &Matrix) -> Vec<Vec<f64>> {
    if m.is_vector() {
        return vec![m.to_row_major()];
    }
    (0..m.cols()).map(|j| m.column(j).to_row_major()).collect()
}

/// The legend labels of `label=` (a string, or a list of strings, one per series).
fn labels(args: &Args, count: usize) -> Result<Vec<Option<String>>> {
    let Some((v, span)) = args.keyword("label") else { return Ok(vec![None; count]) };
    let given: Vec<String> = match v {
        Value::Str(s) => vec![s.to_string()],
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .map(|x| match x {
                Value::Str(s) => Ok(s.to_string()),
                other => Err(LangError::type_error(format!("labels are strings, got {}", other.a_kind()), span)),
            })
            .collect::<Result<_>>()?,
        other => {
            return Err(LangError::type_error(
                format!("label is a string or a list of strings, got {}", other.a_kind()),
                span,
            ))
        }
    };
    if given.len() != count {
        return Err(LangError::argument(format!("{} labels for {count} series", given.len()), span));
    }
    Ok(given.into_iter().map(Some).collect())
}

/// The series of `plot(y)` or `plot(x, y)`: each column of `y` against `x`
/// (or against 0, 1, 2, …).
fn series(args: &Args, op: &str) -> Result<Vec<Series>> {
    let (y, yspan) = args.opt(1).unwrap_or(args.get(0));
    let ys = columns(&*as_matrix(y, yspan)?);
    let x = match args.opt(1) {
        Some(_) => Some(vector(args.get(0).0, args.get(0).1, "x")?),
        None => None,
    };
    let names = labels(args, ys.len())?;
    ys.into_iter()
        .zip(names)
        .map(|(y, label)| {
            let x = x.clone().unwrap_or_else(|| (0..y.len()).map(|i| i as f64).collect());
            if x.len() != y.len() {
                return Err(LangError::argument(
                    format!("{op}: x has {} values but y has {}", x.len(), y.len()),
                    yspan,
                )
                .with_hint("y's rows pair with x's values; each column of y is one series"));
            }
            Ok(Series { x, y, label })
        })
        .collect()
}

fn plot(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    finish(Figure::lines(series(&args, "plot")?)?, &args)
}

fn scatter(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    // scatter(P) with P an N×2 matrix of points (rows), as camera pixels are.
    let points = match (args.opt(1), args.get(0)) {
        (None, (v, s)) => {
            let p = as_matrix(v, s)?;
            if p.cols() != 2 {
                return Err(LangError::argument(format!("scatter(P) takes N×2 points, got a {} matrix", p.shape()), s)
                    .with_hint("or scatter(x, y) with two vectors"));
            }
            Some((p.column(0).to_row_major(), p.column(1).to_row_major()))
        }
        _ => None,
    };
    let (x, y) = match points {
        Some(xy) => xy,
        None => (vector(args.get(0).0, args.get(0).1, "x")?, vector(args.get(1).0, args.get(1).1, "y")?),
    };
    if x.len() != y.len() {
        return Err(LangError::argument(format!("scatter: x has {} values but y has {}", x.len(), y.len()), span));
    }
    let series = match args.keyword("group") {
        None => vec![Series { x, y, label: string_keyword(&args, "label")? }],
        Some((g, gspan)) => {
            let groups = vector(g, gspan, "group")?;
            if groups.len() != x.len() {
                return Err(LangError::argument(
                    format!("group has {} values for {} points", groups.len(), x.len()),
                    gspan,
                ));
            }
            let mut keys: Vec<f64> = groups.clone();
            keys.sort_by(f64::total_cmp);
            keys.dedup();
            let names = group_names(&args, &keys)?;
            keys.iter()
                .zip(names)
                .map(|(&k, label)| {
                    let pick = |v: &[f64]| v.iter().zip(&groups).filter(|(_, &g)| g == k).map(|(a, _)| *a).collect();
                    Series { x: pick(&x), y: pick(&y), label: Some(label) }
                })
                .collect()
        }
    };
    finish(Figure::scatter(series)?, &args)
}

/// The legend entry of each group (`keys`, ascending): the strings of
/// `label=` in that order, or the group values themselves.
fn group_names(args: &Args, keys: &[f64]) -> Result<Vec<String>> {
    match args.keyword("label") {
        None => Ok(keys.iter().map(|&k| crate::display::number(k)).collect()),
        Some((Value::List(xs), span)) if xs.len() == keys.len() => xs
            .iter()
            .map(|x| match x {
                Value::Str(s) => Ok(s.to_string()),
                other => Err(LangError::type_error(format!("label= holds strings, got {}", other.a_kind()), span)),
            })
            .collect(),
        Some((v, span)) => Err(LangError::argument(
            format!(
                "with group=, label= is a list of {} names, one per group in ascending order, got {}",
                keys.len(),
                v.a_kind()
            ),
            span,
        )),
    }
}

fn hist(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let values = args.matrix(0)?.to_row_major();
    let bins = match args.keyword("bins") {
        Some((v, span)) => as_size(v, span)?,
        None => 10,
    };
    finish(Figure::histogram(&values, bins)?, &args)
}

fn heatmap(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    finish(Figure::heatmap((*args.matrix(0)?).clone())?, &args)
}

fn spy(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let fig = match args.get(0) {
        (Value::Operator(op), _) => Figure::spy_operator(op)?,
        (Value::GpuOperator(op), _) => Figure::spy_operator(&op.0)?,
        (v, span) => Figure::spy(&*as_matrix(v, span)?)?,
    };
    finish(fig, &args)
}

fn spectrum(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (v, span) = args.get(0);
    let op = as_operator(v, span)?;
    let of = match string_keyword(&args, "kind")?.as_deref() {
        None | Some("sv") => SpectrumOf::SingularValues,
        Some("eig") => SpectrumOf::Eigenvalues,
        Some(other) => {
            let s = args.keyword("kind").expect("given").1;
            return Err(LangError::argument(format!("kind is \"sv\" or \"eig\", got \"{other}\""), s));
        }
    };
    let values = match of {
        SpectrumOf::SingularValues => op.svdvals()?,
        SpectrumOf::Eigenvalues => op.eigvals()?.iter().map(|z| z.norm()).collect(),
    };
    finish(Figure::spectrum(values, of).map_err(|e| LangError::from(e).at(span))?, &args)
}

fn savefig(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (fig, fspan) = args.get(0);
    let Value::Figure(fig) = fig else {
        return Err(LangError::type_error(format!("savefig saves a figure, got {}", fig.a_kind()), fspan)
            .with_hint("make one with plot, scatter, hist, heatmap, spy or spectrum"));
    };
    let (path, pspan) = match args.get(1) {
        (Value::Str(s), span) => (s.to_string(), span),
        (other, span) => {
            return Err(LangError::type_error(format!("expected a file name, got {}", other.a_kind()), span))
        }
    };
    fig.save(std::path::Path::new(&path)).map_err(|e| LangError::from(e).at(pspan))?;
    Ok(Value::None)
}

const PLOT_KEYWORDS: &[&str] = &["title", "xlabel", "ylabel", "size", "label"];
const SCATTER_KEYWORDS: &[&str] = &["title", "xlabel", "ylabel", "size", "label", "group"];
const HIST_KEYWORDS: &[&str] = &["title", "xlabel", "ylabel", "size", "bins"];
const SPECTRUM_KEYWORDS: &[&str] = &["title", "xlabel", "ylabel", "size", "kind"];

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "plot",
        signature: "plot(y) | plot(x, y, label=, title=, xlabel=, ylabel=, size=(w, h))",
        summary: "a line plot: y against x (or its index); each column of y is a series",
        help: "Lines through the points (x[i], y[i, k]) for each column k of y; a vector y is one \
               series. label= names the series (a string, or a list of strings) for the legend. \
               NaN and inf break the line. Every figure takes title=, xlabel=, ylabel= and \
               size=(width, height) in pixels (default (640, 480)).",
        example: "x = linspace(0, 2 * pi, 50)\nf = plot(x, [sin(x), cos(x)], label = list(\"sin\", \"cos\"), title = \"waves\")\nf",
        shows: "figure: plot 2 series, 100 points \"waves\" (640×480 px)",
        arity: (1, Some(2)),
        keywords: PLOT_KEYWORDS,
        run: plot,
        device: Device::Cpu,
    },
    Builtin {
        name: "scatter",
        signature: "scatter(x, y) | scatter(P, group=, label=, title=, xlabel=, ylabel=, size=)",
        summary: "markers at the points (x[i], y[i]), or at the rows of an N×2 matrix P",
        help: "group= is a vector of class labels, one per point: each class gets its own colour \
               and legend entry (as for tangent vectors of covariance matrices per class), named by its value or, \
               with label= a list of strings, by the k-th name for the k-th smallest value.",
        example: "seed(1); P = randn(100, 2)\nf = scatter(P, group = P[:, 0] > 0, title = \"two classes\")\nf",
        shows: "figure: scatter 2 series, 100 points \"two classes\" (640×480 px)",
        arity: (1, Some(2)),
        keywords: SCATTER_KEYWORDS,
        run: scatter,
        device: Device::Cpu,
    },
    Builtin {
        name: "hist",
        signature: "hist(x, bins=10, title=, xlabel=, ylabel=, size=)",
        summary: "a histogram of the entries of x in equal bins from their minimum to maximum",
        help: "The counts are numpy's histogram(x, bins): each bin holds [left, right) except \
               the last, which holds its right edge. NaN or inf entries are an error.",
        example: "seed(0); f = hist(randn(1000, 1), bins = 30); f",
        shows: "figure: hist 1000 values in 30 bins (640×480 px)",
        arity: (1, Some(1)),
        keywords: HIST_KEYWORDS,
        run: hist,
        device: Device::Cpu,
    },
    Builtin {
        name: "heatmap",
        signature: "heatmap(A, title=, xlabel=, ylabel=, size=)",
        summary: "the entries of A as coloured cells (row 0 at the top) with a colour bar",
        help: "A signed matrix gets a diverging blue–white–red map centred on zero (so zero is \
               white); otherwise viridis over [min, max]. NaN entries are left blank. A large \
               matrix is sampled to the pixels it covers: rendering costs O(pixels), not O(m·n).",
        example: "f = heatmap(rope_matrix(16, 3), title = \"R(3)\"); f",
        shows: "figure: heatmap of a 16×16 matrix \"R(3)\" (640×480 px)",
        arity: (1, Some(1)),
        keywords: &COMMON,
        run: heatmap,
        device: Device::Cpu,
    },
    Builtin {
        name: "spy",
        signature: "spy(A, title=, xlabel=, ylabel=, size=)",
        summary: "the non-zero pattern of a matrix or structured operator",
        help: "For a structured operator the pattern comes from its structure (a Kronecker \
               product repeats its second factor's pattern at the first's non-zeros, a \
               block-diagonal places its blocks, products multiply Boolean patterns), so \
               spy(kron(eye(1000), ones(1000, 1000))) never forms the 10⁶×10⁶ matrix. \
               Above 512 rows or columns a cell of the picture covers several entries and is \
               drawn when any of them is non-zero. After MATLAB's spy.",
        example: "f = spy(kron(eye(4), ones(2, 2))); f",
        shows: "figure: spy of a 8×8 matrix (640×480 px)",
        arity: (1, Some(1)),
        keywords: &COMMON,
        run: spy,
        device: Device::Any,
    },
    Builtin {
        name: "spectrum",
        signature: "spectrum(A, kind=\"sv\"|\"eig\", title=, xlabel=, ylabel=, size=)",
        summary: "singular values (or eigenvalue moduli) in decreasing order, on a log scale",
        help: "kind=\"sv\" (default) draws svdvals(A); kind=\"eig\" draws |eigvals(A)|. Structured \
               operators use their structure (a Kronecker product's singular values are the \
               products of its factors'). Zeros cannot be drawn on a log axis and are left out.",
        example: "seed(0); f = spectrum(randn(40, 40) * diagm(linspace(1, 0.01, 40))); f",
        shows: "figure: spectrum 40 singular values (640×480 px)",
        arity: (1, Some(1)),
        keywords: SPECTRUM_KEYWORDS,
        run: spectrum,
        device: Device::Cpu,
    },
    Builtin {
        name: "savefig",
        signature: "savefig(fig, \"file.svg\" | \"file.png\")",
        summary: "writes a figure as SVG or PNG, as the file name's extension says",
        help: "PNG text is drawn with the bundled DejaVu Sans, so a figure looks the same on \
               every machine. Relative paths are relative to the working directory (a \
               notebook's own folder in Jupyter).",
        example: "f = heatmap(eye(8)); savefig(f, \"/tmp/tessera-eye.svg\")",
        shows: "",
        arity: (2, Some(2)),
        keywords: &[],
        run: savefig,
        device: Device::Cpu,
    },
];
