//! Drawing a figure with plotters on any backend (SVG, RGB pixels, text).
//!
//! The axes, ticks, labels, lines, markers and bars go through plotters;
//! matrix cells (heatmaps, patterns, the colour bar) are rasters composited
//! into the plotting area afterwards, at the resolution the target has, so a
//! 1000 × 1000 heatmap costs one pass over the pixels rather than a million
//! rectangles.

use super::colour::{series_colour, ColourMap};
use super::{Figure, Plot, Series};
use crate::{Error, Result};
use base64::Engine as _;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;
use std::sync::OnceLock;

/// The font every figure's text is drawn with: DejaVu Sans, bundled (see `assets/fonts/LICENSE`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font as plotters' "sans-serif" (once per process).
fn fonts() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("figure", "the bundled font could not be read"))
    }
}

/// A plotters error as a figure error.
pub(super) fn fail(e: impl std::fmt::Display) -> Error {
    Error::invalid("figure", e.to_string())
}

/// Sizes that differ between pixels and character cells.
pub(super) struct Style {
    pub caption: u32,
    pub label: u32,
    pub margin: u32,
    pub x_area: u32,
    pub y_area: u32,
    /// Width of the colour bar's strip (bar and its labels).
    pub bar: u32,
    pub mesh: bool,
    pub stroke: u32,
    pub marker: u32,
    pub x_ticks: usize,
    pub y_ticks: usize,
}

impl Style {
    /// Pixels (SVG and PNG): matplotlib-like proportions.
    pub fn pixels(size: (u32, u32)) -> Style {
        Style {
            caption: 18,
            label: 13,
            margin: 12,
            x_area: 44,
            y_area: 64,
            bar: 90,
            mesh: true,
            stroke: 2,
            marker: 3,
            x_ticks: (size.0 / 80).max(2) as usize,
            y_ticks: (size.1 / 60).max(2) as usize,
        }
    }
}

/// Matrix cells to composite into a rectangle of the drawing.
pub(super) enum Source<'a> {
    Heatmap(&'a crate::Matrix, ColourMap),
    ColourBar(ColourMap),
    Spy(&'a super::Pattern),
}

/// A raster's place: pixels `x0..x1 × y0..y1` of the drawing.
pub(super) struct Layer<'a> {
    pub source: Source<'a>,
    pub x: Range<i32>,
    pub y: Range<i32>,
}

/// The colour of a pattern's non-zeros.
pub(super) const SPY_COLOUR: [u8; 3] = [0x1f, 0x3a, 0x93];

/// `w × h` samples of a layer, row-major; `None` is transparent.
pub(super) fn raster(source: &Source, w: usize, h: usize) -> Vec<Option<[u8; 3]>> {
    let mut out = Vec::with_capacity(w * h);
    match source {
        Source::Heatmap(a, map) => {
            let f = a.as_faer();
            let cols: Vec<usize> = (0..w).map(|x| x * a.cols() / w).collect();
            for y in 0..h {
                let i = y * a.rows() / h;
                out.extend(cols.iter().map(|&j| map.colour(f[(i, j)])));
            }
        }
        Source::ColourBar(map) => {
            let (lo, hi) = map.range();
            for y in 0..h {
                let c = map.colour(hi - (y as f64 + 0.5) / h as f64 * (hi - lo));
                out.extend(std::iter::repeat_n(c, w));
            }
        }
        Source::Spy(p) => {
            // A sample is set when any cell it covers is: no non-zero is lost.
            let (gr, gc) = p.grid();
            let span = |k: usize, n: usize, g: usize| (k * g / n)..((k + 1) * g / n).max(k * g / n + 1).min(g);
            for y in 0..h {
                let rows = span(y, h, gr);
                for x in 0..w {
                    let cols = span(x, w, gc);
                    let set = rows.clone().any(|a| cols.clone().any(|b| p.is_set(a, b)));
                    out.push(set.then_some(SPY_COLOUR));
                }
            }
        }
    }
    out
}

/// The cells a layer has at most along each side (its matrix's shape).
pub(super) fn cells(source: &Source) -> (usize, usize) {
    match source {
        Source::Heatmap(a, _) => (a.cols(), a.rows()),
        Source::ColourBar(_) => (1, 256),
        Source::Spy(p) => (p.grid().1, p.grid().0),
    }
}

/// Draws `fig` on `root` and returns the rasters still to composite.
pub(super) fn draw<'a, DB: DrawingBackend>(
    fig: &'a Figure,
    root: &DrawingArea<DB, Shift>,
    style: &Style,
) -> Result<Vec<Layer<'a>>> {
    fonts()?;
    root.fill(&WHITE).map_err(fail)?;
    let labels = Labels { x: &fig.xlabel, y: &fig.ylabel };
    match &fig.plot {
        Plot::Lines(series) => {
            let (x, y) = bounds(series);
            let marks: Vec<Mark> = series.iter().enumerate().map(|(k, s)| Mark::Line(s, k)).collect();
            xy_chart(root, fig, style, &labels, x, y, &marks)
        }
        Plot::Points(series) => {
            let (x, y) = bounds(series);
            let marks: Vec<Mark> = series.iter().enumerate().map(|(k, s)| Mark::Dots(s, k)).collect();
            xy_chart(root, fig, style, &labels, x, y, &marks)
        }
        Plot::Histogram { edges, counts } => {
            let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.05;
            let x = axis(edges[0], edges[edges.len() - 1], 0.0);
            xy_chart(root, fig, style, &labels, x, 0.0..top.max(1.0), &[Mark::Bars(edges, counts)])
        }
        Plot::Spectrum { values, .. } => {
            // At most 40 decades below the largest value: smaller ones sit on the axis.
            let top = values
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max)
                .clamp(1.0 / AXIS_LIMIT, AXIS_LIMIT);
            let floor = (top * 1e-40).max(1.0 / AXIS_LIMIT);
            let positive: Vec<f64> =
                values.iter().filter(|v| v.is_finite() && **v > 0.0).map(|v| v.clamp(floor, top)).collect();
            let (lo, hi) = positive.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            let s = Series { x: (0..positive.len()).map(|i| i as f64).collect(), y: positive, label: None };
            let x = -0.5..(s.x.len() as f64 - 0.5).max(0.5);
            xy_chart(
                root,
                fig,
                style,
                &labels,
                x,
                log_axis(lo, hi).log_scale(),
                &[Mark::Line(&s, 0), Mark::Dots(&s, 0)],
            )
        }
        Plot::Heatmap { values, map } => {
            let (main, bar) = root.split_horizontally(root.dim_in_pixel().0.saturating_sub(style.bar));
            let (m, n) = (values.rows(), values.cols());
            let mut layers = vec![cell_chart(&main, fig, style, &labels, m, n, Source::Heatmap(values, *map))?];
            layers.push(colour_bar(&bar, style, *map)?);
            Ok(layers)
        }
        Plot::Spy { pattern, nonzeros } => {
            let s = pattern.shape();
            let xlabel = match nonzeros {
                Some(nz) if fig.xlabel == "column" => format!("column (nz = {nz})"),
                _ => fig.xlabel.clone(),
            };
            let labels = Labels { x: &xlabel, y: &fig.ylabel };
            Ok(vec![cell_chart(root, fig, style, &labels, s.0, s.1, Source::Spy(pattern))?])
        }
    }
}

struct Labels<'a> {
    x: &'a str,
    y: &'a str,
}

/// Something drawn on x–y axes.
enum Mark<'a> {
    Line(&'a Series, usize),
    Dots(&'a Series, usize),
    Bars(&'a [f64], &'a [usize]),
}

/// A coordinate held within the axis limits (beyond them it would overflow pixel arithmetic).
fn held(v: f64) -> f64 {
    v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
}

/// The finite points of a series, held within the axis limits.
fn finite(s: &Series) -> impl Iterator<Item = (f64, f64)> + '_ {
    s.x.iter().zip(&s.y).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(&x, &y)| (held(x), held(y)))
}

/// The largest magnitude an axis spans: beyond it the axis arithmetic
/// (widths, tick steps) would overflow.
const AXIS_LIMIT: f64 = 1e300;

/// An axis over `[lo, hi]` with `air` of its width added either side. Ends
/// are clamped to ±1e300, and a range too narrow for its magnitude (or empty)
/// is widened, so ticks can always be placed.
pub(super) fn axis(lo: f64, hi: f64, air: f64) -> Range<f64> {
    if lo > hi || lo.is_nan() || hi.is_nan() {
        return 0.0..1.0;
    }
    let (lo, hi) = (lo.clamp(-AXIS_LIMIT, AXIS_LIMIT), hi.clamp(-AXIS_LIMIT, AXIS_LIMIT));
    let scale = lo.abs().max(hi.abs());
    if hi - lo <= scale * 1e-9 || hi - lo < 1e-200 {
        let half = (scale * 1e-3).max(1.0);
        return (lo - half)..(hi + half);
    }
    (lo - air * (hi - lo))..(hi + air * (hi - lo))
}

/// A logarithmic axis over positive `[lo, hi]`, a third of a decade of air
/// around it (at least a factor of 2 either side of one value), within 1e±300.
fn log_axis(lo: f64, hi: f64) -> Range<f64> {
    let (lo, hi) = (lo.clamp(1.0 / AXIS_LIMIT, AXIS_LIMIT), hi.clamp(1.0 / AXIS_LIMIT, AXIS_LIMIT));
    if hi <= lo * (1.0 + 1e-9) {
        (lo / 2.0)..(hi * 2.0)
    } else {
        (lo / 1.5)..(hi * 1.5)
    }
}

/// The x and y ranges holding every finite point, with 2% of air around x and 5% around y.
fn bounds(series: &[Series]) -> (Range<f64>, Range<f64>) {
    let mut b = [f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY];
    for (x, y) in series.iter().flat_map(finite) {
        b = [b[0].min(x), b[1].max(x), b[2].min(y), b[3].max(y)];
    }
    (axis(b[0], b[1], 0.02), axis(b[2], b[3], 0.05))
}

/// A chart of lines, markers and bars; `y` is linear or logarithmic.
#[allow(clippy::too_many_arguments)]
fn xy_chart<'a, DB: DrawingBackend, Y>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    style: &Style,
    labels: &Labels,
    x: Range<f64>,
    y: Y,
    marks: &[Mark],
) -> Result<Vec<Layer<'a>>>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut builder = ChartBuilder::on(root);
    builder.margin(style.margin).x_label_area_size(style.x_area).y_label_area_size(style.y_area);
    if !fig.title.is_empty() {
        builder.caption(&fig.title, ("sans-serif", style.caption));
    }
    let mut chart = builder.build_cartesian_2d(x, y).map_err(fail)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(labels.x)
        .y_desc(labels.y)
        .label_style(("sans-serif", style.label))
        .axis_desc_style(("sans-serif", style.label))
        .x_labels(style.x_ticks)
        .y_labels(style.y_ticks)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .light_line_style(WHITE.mix(0.0));
    if !style.mesh {
        mesh.disable_mesh().set_all_tick_mark_size(1);
    } else {
        mesh.bold_line_style(BLACK.mix(0.12));
    }
    mesh.draw().map_err(fail)?;
    let mut legend = false;
    for mark in marks {
        match mark {
            Mark::Line(s, k) => {
                let colour = series_colour(*k);
                // Non-finite points break the line into pieces.
                let mut pieces: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
                for (&px, &py) in s.x.iter().zip(&s.y) {
                    if px.is_finite() && py.is_finite() {
                        pieces.last_mut().expect("one piece").push((held(px), held(py)));
                    } else if !pieces.last().expect("one piece").is_empty() {
                        pieces.push(Vec::new());
                    }
                }
                for (i, piece) in pieces.into_iter().enumerate() {
                    let drawn =
                        chart.draw_series(LineSeries::new(piece, colour.stroke_width(style.stroke))).map_err(fail)?;
                    if let (0, Some(label)) = (i, &s.label) {
                        legend = true;
                        let w = 4 * style.stroke as i32 * 2 + 4;
                        drawn.label(label).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + w, y)], colour.stroke_width(style.stroke))
                        });
                    }
                }
            }
            Mark::Dots(s, k) => {
                let colour = series_colour(*k);
                let r = style.marker;
                let drawn = chart.draw_series(finite(s).map(|p| Circle::new(p, r, colour.filled()))).map_err(fail)?;
                if let Some(label) = &s.label {
                    legend = true;
                    drawn.label(label).legend(move |(x, y)| Circle::new((x + r as i32, y), r, colour.filled()));
                }
            }
            Mark::Bars(edges, counts) => {
                let colour = series_colour(0);
                chart
                    .draw_series(counts.iter().enumerate().map(|(k, &c)| {
                        Rectangle::new(
                            [(held(edges[k]), 0.0), (held(edges[k + 1]), c as f64)],
                            colour.mix(0.85).filled(),
                        )
                    }))
                    .map_err(fail)?;
            }
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", style.label))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(fail)?;
    }
    Ok(Vec::new())
}

/// Axes over an `m × n` matrix (row 0 at the top) whose cells are a raster.
#[allow(clippy::too_many_arguments)]
fn cell_chart<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
    style: &Style,
    labels: &Labels,
    m: usize,
    n: usize,
    source: Source<'a>,
) -> Result<Layer<'a>> {
    let mut builder = ChartBuilder::on(root);
    builder.margin(style.margin).x_label_area_size(style.x_area).y_label_area_size(style.y_area);
    if !fig.title.is_empty() {
        builder.caption(&fig.title, ("sans-serif", style.caption));
    }
    // Row i sits at y = −i, so the top is row 0 and the ticks fall on round rows.
    let mut chart = builder.build_cartesian_2d(0.0..n as f64, -(m as f64)..0.0).map_err(fail)?;
    let flip = |v: &f64| index_label(-v);
    let across = |v: &f64| index_label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .label_style(("sans-serif", style.label))
        .axis_desc_style(("sans-serif", style.label))
        .x_labels(style.x_ticks.min(n + 1))
        .y_labels(style.y_ticks.min(m + 1))
        .x_label_formatter(&across)
        .y_label_formatter(&flip);
    if !style.mesh {
        mesh.set_all_tick_mark_size(1);
    }
    mesh.draw().map_err(fail)?;
    let (x, y) = chart.plotting_area().get_pixel_range();
    Ok(Layer { source, x, y })
}

/// A tick label: the shortest decimal of the value rounded to nine places
/// (`2`, `0.5`, `-1.25`), in scientific notation when very large or small.
fn tick(v: &f64) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { *v };
    if v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        return format!("{v:e}");
    }
    format!("{}", (v * 1e9).round() / 1e9)
}

/// An axis position as a row or column index: whole numbers only.
fn index_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// The colour bar: a strip of the map with the value axis on its right.
fn colour_bar<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    map: ColourMap,
) -> Result<Layer<'a>> {
    let (lo, hi) = map.range();
    let top = style.margin + if style.mesh { style.caption + 8 } else { 4 };
    let mut chart = ChartBuilder::on(root)
        .margin_top(top)
        .margin_bottom(style.x_area + style.margin)
        .margin_right(style.margin)
        .right_y_label_area_size(style.bar.saturating_sub(style.bar / 3 + style.margin))
        .build_cartesian_2d(0.0..1.0, axis(lo, hi, 0.0))
        .map_err(fail)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(style.y_ticks)
        .y_label_formatter(&tick)
        .label_style(("sans-serif", style.label))
        .set_all_tick_mark_size(if style.mesh { 4 } else { 1 })
        .draw()
        .map_err(fail)?;
    let (x, y) = chart.plotting_area().get_pixel_range();
    Ok(Layer { source: Source::ColourBar(map), x, y })
}

/// The figure as `width × height` RGB pixels.
pub(super) fn rgb(fig: &Figure) -> Result<Vec<u8>> {
    let (w, h) = fig.size;
    let mut buf = vec![255u8; 3 * w as usize * h as usize];
    let layers = {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        let layers = draw(fig, &root, &Style::pixels(fig.size))?;
        root.present().map_err(fail)?;
        layers
    };
    for layer in &layers {
        let (lw, lh) = ((layer.x.end - layer.x.start).max(0) as usize, (layer.y.end - layer.y.start).max(0) as usize);
        let px = raster(&layer.source, lw, lh);
        for (row, y) in (layer.y.start..layer.y.end).enumerate() {
            for (col, x) in (layer.x.start..layer.x.end).enumerate() {
                if let Some(c) = px[row * lw + col] {
                    let at = 3 * (y as usize * w as usize + x as usize);
                    buf[at..at + 3].copy_from_slice(&c);
                }
            }
        }
    }
    Ok(buf)
}

/// The figure as an SVG document; rasters become embedded PNG images with one
/// pixel per cell (up to the pixels they cover), scaled without smoothing.
pub(super) fn svg(fig: &Figure) -> Result<String> {
    let mut out = String::new();
    let layers = {
        let root = SVGBackend::with_string(&mut out, fig.size).into_drawing_area();
        let layers = draw(fig, &root, &Style::pixels(fig.size))?;
        root.present().map_err(fail)?;
        layers
    };
    let mut images = String::new();
    for layer in &layers {
        let (pw, ph) = ((layer.x.end - layer.x.start) as usize, (layer.y.end - layer.y.start) as usize);
        let (cw, ch) = cells(&layer.source);
        let (w, h) = (cw.min(pw).max(1), ch.min(ph).max(1));
        let px = raster(&layer.source, w, h);
        let rgba: Vec<u8> = px.iter().flat_map(|p| p.map_or([0, 0, 0, 0], |[r, g, b]| [r, g, b, 255])).collect();
        let png = encode_png(w as u32, h as u32, &rgba, true)?;
        images.push_str(&format!(
            "<image x=\"{}\" y=\"{}\" width=\"{pw}\" height=\"{ph}\" preserveAspectRatio=\"none\" \
             style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{}\"/>\n",
            layer.x.start,
            layer.y.start,
            base64::engine::general_purpose::STANDARD.encode(png)
        ));
    }
    let end = out.rfind("</svg>").ok_or_else(|| fail("plotters wrote no closing </svg>"))?;
    out.insert_str(end, &images);
    Ok(out)
}

/// PNG bytes of `width × height` pixels, RGB or (with `alpha`) RGBA.
pub(super) fn encode_png(width: u32, height: u32, pixels: &[u8], alpha: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(if alpha { png::ColorType::Rgba } else { png::ColorType::Rgb });
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(pixels).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}
