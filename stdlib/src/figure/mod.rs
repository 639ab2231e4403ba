//! Figures: line plots, scatter plots, histograms, heatmaps, non-zero
//! patterns (`spy`) and spectra, drawn with plotters as SVG, as PNG, or as
//! Unicode text for a terminal.
//!
//! A [`Figure`] is data (the series, the matrix, the pattern) plus its
//! labels; it is drawn only when it is shown or saved, at whatever size the
//! target asks for. Text in PNGs uses the bundled DejaVu Sans, so a figure
//! looks the same on every machine.
//!
//! ```
//! use tessera::figure::Figure;
//! use tessera::Matrix;
//!
//! let fig = Figure::heatmap(Matrix::eye(8))?.with_title("eye(8)");
//! let svg = fig.svg()?;
//! assert!(svg.starts_with("<svg") && svg.contains("eye(8)"));
//! let png = fig.png()?;
//! assert_eq!(&png[1..4], b"PNG");
//! # Ok::<(), tessera::Error>(())
//! ```

mod colour;
mod pattern;
mod render;
mod text;

pub use colour::ColourMap;
pub use pattern::Pattern;

use crate::{Error, Matrix, Operator, Result};

/// One line or point series: `y` against `x`, and its legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The abscissae.
    pub x: Vec<f64>,
    /// The ordinates, one per `x`.
    pub y: Vec<f64>,
    /// The legend entry; `None` leaves the series out of the legend.
    pub label: Option<String>,
}

/// What a figure draws.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Lines through each series' points; non-finite points break the line.
    Lines(Vec<Series>),
    /// Markers at each series' points.
    Points(Vec<Series>),
    /// Counts of values in `bins` equal bins from the smallest to the largest value.
    Histogram {
        /// The bin edges, increasing: one more than the bins.
        edges: Vec<f64>,
        /// The number of values in each bin.
        counts: Vec<usize>,
    },
    /// A matrix as coloured cells, row 0 at the top, with a colour bar.
    Heatmap {
        /// The matrix drawn.
        values: Matrix,
        /// How its values become colours.
        map: ColourMap,
    },
    /// The non-zero pattern of a matrix; `nonzeros` is known for dense matrices.
    Spy {
        /// Where the non-zeros are.
        pattern: Pattern,
        /// The count of non-zeros, shown as `nz = …` on the x axis; `None` when unknown.
        nonzeros: Option<usize>,
    },
    /// Values in decreasing order on a logarithmic axis; zeros are not drawn.
    Spectrum {
        /// The values, in decreasing order.
        values: Vec<f64>,
        /// What the values are.
        of: SpectrumOf,
    },
}

/// Figures of up to this many [`Figure::elements`] are SVG under
/// [`ImageFormat::Auto`]: a few hundred kilobytes at most, sharp at any zoom.
pub const SVG_MAX_ELEMENTS: usize = 10_000;

/// Which images a figure's MIME bundle carries (`:figure` in the language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageFormat {
    /// SVG while the figure draws at most [`SVG_MAX_ELEMENTS`] points, bins
    /// or cells (line plots, small heatmaps), PNG beyond (large rasters,
    /// dense scatter plots), whose size the pixels bound: one image, the
    /// lighter notebook.
    Auto,
    /// SVG alone (vectors; rasters embedded at one pixel per cell).
    Svg,
    /// PNG alone, at the figure's size.
    Png,
    /// Both, the default (SPEC v1's contract: every front end finds the
    /// one it shows).
    #[default]
    Both,
}

impl ImageFormat {
    /// Every format, for `:figure`'s choices.
    pub const ALL: [ImageFormat; 4] = [ImageFormat::Auto, ImageFormat::Svg, ImageFormat::Png, ImageFormat::Both];

    /// Its name in `:figure`.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Auto => "auto",
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
            ImageFormat::Both => "both",
        }
    }
}

/// What a spectrum's values are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpectrumOf {
    /// Singular values.
    SingularValues,
    /// Moduli of eigenvalues.
    Eigenvalues,
}

impl SpectrumOf {
    /// The axis label.
    pub fn label(self) -> &'static str {
        match self {
            SpectrumOf::SingularValues => "singular value",
            SpectrumOf::Eigenvalues => "|eigenvalue|",
        }
    }
}

/// A figure: a plot, its title and axis labels, and its size in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What is drawn.
    pub plot: Plot,
    /// The title above the plot; empty for none.
    pub title: String,
    /// The x-axis label.
    pub xlabel: String,
    /// The y-axis label.
    pub ylabel: String,
    /// `(width, height)` of the SVG and PNG, in pixels.
    pub size: (u32, u32),
}

/// The default size of a figure, as matplotlib's (6.4 × 4.8 inches at 100 dpi).
pub const DEFAULT_SIZE: (u32, u32) = (640, 480);

impl Figure {
    fn new(plot: Plot, xlabel: &str, ylabel: &str) -> Figure {
        Figure { plot, title: String::new(), xlabel: xlabel.into(), ylabel: ylabel.into(), size: DEFAULT_SIZE }
    }

    /// Lines through each series' points. Errors when there is no series, or
    /// a series' `x` and `y` differ in length or are empty.
    pub fn lines(series: Vec<Series>) -> Result<Figure> {
        check_series("plot", &series)?;
        Ok(Figure::new(Plot::Lines(series), "", ""))
    }

    /// Markers at each series' points (same checks as [`Figure::lines`]).
    pub fn scatter(series: Vec<Series>) -> Result<Figure> {
        check_series("scatter", &series)?;
        Ok(Figure::new(Plot::Points(series), "", ""))
    }

    /// A histogram with `bins` equal bins over `[min, max]` of the values, as
    /// numpy's `histogram(values, bins)`: each bin is half-open except the
    /// last, which holds the maximum. Cost: `O(len)`.
    pub fn histogram(values: &[f64], bins: usize) -> Result<Figure> {
        if values.is_empty() {
            return Err(Error::invalid("hist", "there are no values to count"));
        }
        if bins == 0 {
            return Err(Error::invalid("hist", "bins must be at least 1"));
        }
        // Edges and counts: two numbers a bin.
        crate::memory::check_buffer("hist", &format!("a histogram of {bins} bins"), bins as u128, 16)?;
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { op: "hist" });
        }
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let (lo, hi) = if lo == hi { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
        if !(hi - lo).is_finite() {
            return Err(Error::invalid("hist", "the values span more than the largest number"));
        }
        // numpy's edges (`linspace`: k·step + lo, the last exactly hi) and bin
        // rule: the index from the scaled value, corrected against the edges.
        let step = (hi - lo) / bins as f64;
        let mut edges: Vec<f64> = (0..=bins).map(|k| k as f64 * step + lo).collect();
        edges[bins] = hi;
        let norm = bins as f64 / (hi - lo);
        let mut counts = vec![0; bins];
        for &v in values {
            let mut k = (((v - lo) * norm) as usize).min(bins - 1);
            if v < edges[k] {
                k -= 1;
            } else if k + 1 < bins && v >= edges[k + 1] {
                k += 1;
            }
            counts[k] += 1;
        }
        Figure::histogram_counts(edges, counts)
    }

    /// A histogram from its bin edges (finite, increasing) and counts (one fewer).
    pub fn histogram_counts(edges: Vec<f64>, counts: Vec<usize>) -> Result<Figure> {
        if edges.len() != counts.len() + 1 || counts.is_empty() {
            return Err(Error::invalid("hist", format!("{} edges for {} bins", edges.len(), counts.len())));
        }
        if edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid("hist", "bin edges must be finite and increasing"));
        }
        Ok(Figure::new(Plot::Histogram { edges, counts }, "value", "count"))
    }

    /// A heatmap of `a` with a colour bar: a diverging map centred on zero when
    /// the finite values have both signs, viridis otherwise. Non-finite
    /// entries are left blank.
    pub fn heatmap(a: Matrix) -> Result<Figure> {
        if a.is_empty() {
            return Err(Error::invalid("heatmap", "the matrix is empty"));
        }
        let map = ColourMap::for_values(&a);
        Ok(Figure::new(Plot::Heatmap { values: a, map }, "column", "row"))
    }

    /// The non-zero pattern of a dense matrix.
    pub fn spy(a: &Matrix) -> Result<Figure> {
        if a.is_empty() {
            return Err(Error::invalid("spy", "the matrix is empty"));
        }
        let (pattern, nonzeros) = Pattern::of_matrix(a);
        Ok(Figure::pattern(pattern, Some(nonzeros)))
    }

    /// The non-zero pattern of a structured operator, from its structure
    /// (see [`Pattern::of_operator`]); the dense matrix is never formed.
    pub fn spy_operator(op: &Operator) -> Result<Figure> {
        if let Operator::Dense(a) = op {
            return Figure::spy(a);
        }
        let s = op.shape();
        if s.0 == 0 || s.1 == 0 {
            return Err(Error::invalid("spy", "the operator is empty"));
        }
        Ok(Figure::pattern(Pattern::of_operator(op), None))
    }

    /// A figure of a non-zero pattern (and its count of non-zeros, when known).
    pub fn pattern(pattern: Pattern, nonzeros: Option<usize>) -> Figure {
        Figure::new(Plot::Spy { pattern, nonzeros }, "column", "row")
    }

    /// A spectrum: `values` (singular values, or eigenvalue moduli, as `of`
    /// says) in decreasing order on a log scale. Errors when no value is
    /// positive and finite.
    pub fn spectrum(mut values: Vec<f64>, of: SpectrumOf) -> Result<Figure> {
        if !values.iter().any(|v| v.is_finite() && *v > 0.0) {
            return Err(Error::invalid("spectrum", "no value is positive, so there is nothing to draw on a log scale"));
        }
        values.sort_by(|a, b| b.total_cmp(a));
        Ok(Figure::new(Plot::Spectrum { values, of }, "index", of.label()))
    }

    /// Sets the title (empty for none).
    pub fn with_title(mut self, title: &str) -> Figure {
        self.title = title.into();
        self
    }

    /// Sets the x-axis label.
    pub fn with_xlabel(mut self, label: &str) -> Figure {
        self.xlabel = label.into();
        self
    }

    /// Sets the y-axis label.
    pub fn with_ylabel(mut self, label: &str) -> Figure {
        self.ylabel = label.into();
        self
    }

    /// Sets the size in pixels; each side must be between 64 and 4096.
    pub fn with_size(mut self, width: u32, height: u32) -> Result<Figure> {
        for side in [width, height] {
            if !(64..=4096).contains(&side) {
                return Err(Error::invalid("figure", format!("sides are 64 to 4096 pixels, got {width}×{height}")));
            }
        }
        self.size = (width, height);
        Ok(self)
    }

    /// The kind of plot, as the language names its builtin.
    pub fn kind(&self) -> &'static str {
        match self.plot {
            Plot::Lines(_) => "plot",
            Plot::Points(_) => "scatter",
            Plot::Histogram { .. } => "hist",
            Plot::Heatmap { .. } => "heatmap",
            Plot::Spy { .. } => "spy",
            Plot::Spectrum { .. } => "spectrum",
        }
    }

    /// One line that says what the figure shows, e.g. `figure: heatmap of a 8×8 matrix`.
    pub fn summary(&self) -> String {
        let series = |s: &[Series]| {
            let points: usize = s.iter().map(|s| s.x.len()).sum();
            let n = s.len();
            format!("{n} series, {points} points")
        };
        let what = match &self.plot {
            Plot::Lines(s) | Plot::Points(s) => series(s),
            Plot::Histogram { counts, .. } => {
                format!("{} values in {} bins", counts.iter().sum::<usize>(), counts.len())
            }
            Plot::Heatmap { values, .. } => format!("of a {} matrix", values.shape()),
            Plot::Spy { pattern, .. } => format!("of a {} matrix", pattern.shape()),
            Plot::Spectrum { values, of } => format!("{} {}s", values.len(), of.label()),
        };
        let title = if self.title.is_empty() { String::new() } else { format!(" \"{}\"", self.title) };
        format!("figure: {} {what}{title} ({}×{} px)", self.kind(), self.size.0, self.size.1)
    }

    /// The figure as an SVG document. Heatmaps and patterns are embedded as
    /// PNG images (one pixel per cell, drawn without smoothing).
    pub fn svg(&self) -> Result<String> {
        render::svg(self)
    }

    /// How many things it draws: points (line plots, scatter plots,
    /// spectra), bins (histograms) or cells (heatmaps, spy patterns); what
    /// [`ImageFormat::Auto`] weighs.
    pub fn elements(&self) -> usize {
        match &self.plot {
            Plot::Lines(s) | Plot::Points(s) => s.iter().map(|s| s.x.len()).sum(),
            Plot::Histogram { counts, .. } => counts.len(),
            Plot::Heatmap { values, .. } => values.len(),
            Plot::Spy { pattern, .. } => pattern.grid().0 * pattern.grid().1,
            Plot::Spectrum { values, .. } => values.len(),
        }
    }

    /// Its MIME bundle with the default images (both SVG and PNG).
    pub fn mime_bundle(&self) -> Vec<(&'static str, String)> {
        self.mime_bundle_in(ImageFormat::default())
    }

    /// Its MIME bundle: `text/plain` (the summary), and `image/svg+xml`,
    /// `image/png` (base64) or both as `format` says; the summary and the
    /// reason when it cannot be drawn.
    pub fn mime_bundle_in(&self, format: ImageFormat) -> Vec<(&'static str, String)> {
        use base64::Engine as _;
        let summary = self.summary();
        let (svg, png) = match format {
            ImageFormat::Auto if self.elements() <= SVG_MAX_ELEMENTS => (true, false),
            ImageFormat::Auto | ImageFormat::Png => (false, true),
            ImageFormat::Svg => (true, false),
            ImageFormat::Both => (true, true),
        };
        let images = || -> Result<Vec<(&'static str, String)>> {
            let mut images = Vec::new();
            if svg {
                images.push(("image/svg+xml", self.svg()?));
            }
            if png {
                images.push(("image/png", base64::engine::general_purpose::STANDARD.encode(self.png()?)));
            }
            Ok(images)
        };
        match images() {
            Ok(images) => std::iter::once(("text/plain", summary)).chain(images).collect(),
            Err(e) => vec![("text/plain", format!("{summary} (cannot be drawn: {e})"))],
        }
    }

    /// The figure as a PNG file's bytes (8-bit RGB).
    pub fn png(&self) -> Result<Vec<u8>> {
        let (w, h) = self.size;
        render::encode_png(w, h, &self.rgb()?, false)
    }

    /// The figure as `width × height` 8-bit RGB pixels, row-major.
    pub fn rgb(&self) -> Result<Vec<u8>> {
        render::rgb(self)
    }

    /// The figure drawn with Unicode braille and block characters in a
    /// `cols × rows` character grid, with 24-bit ANSI colours when `colour`.
    pub fn text(&self, cols: usize, rows: usize, colour: bool) -> Result<String> {
        text::render(self, cols, rows, colour)
    }

    /// Writes the figure to `path` as SVG or PNG, chosen by its extension.
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let bytes = match ext.as_deref() {
            Some("svg") => self.svg()?.into_bytes(),
            Some("png") => self.png()?,
            _ => {
                return Err(Error::invalid(
                    "savefig",
                    format!("{} is neither .svg nor .png; say which format by the extension", path.display()),
                ))
            }
        };
        std::fs::write(path, bytes)
            .map_err(|e| Error::invalid("savefig", format!("cannot write {}: {e}", path.display())))
    }
}

/// Checks that there are series and that each pairs `x` and `y` of one non-zero length.
fn check_series(op: &'static str, series: &[Series]) -> Result<()> {
    if series.is_empty() {
        return Err(Error::invalid(op, "there is nothing to draw"));
    }
    for s in series {
        if s.x.len() != s.y.len() {
            return Err(Error::invalid(op, format!("x has {} values but y has {}", s.x.len(), s.y.len())));
        }
        if s.x.is_empty() {
            return Err(Error::invalid(op, "a series has no points"));
        }
    }
    Ok(())
}
