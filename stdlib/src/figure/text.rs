//! Figures as Unicode text for a terminal, in the manner of UnicodePlots.
//!
//! `TextCanvas` is a plotters backend whose pixels are braille dots: each
//! character cell holds 2 × 4 dots (U+2800 + the dot bits) and one colour, and
//! text is placed as characters. The same chart code that draws the SVG and
//! PNG draws here, with sizes counted in cells; heatmaps and colour bars are
//! composited as half blocks (`▀`, foreground above, background below), and
//! non-zero patterns as braille dots.

use super::render::{draw, raster, Source, Style};
use super::Figure;
use crate::{Error, Result};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind, FontTransform};

/// What a cell shows.
#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Blank,
    /// Braille dot bits and the colour of the last dot drawn.
    Dots(u8, Option<[u8; 3]>),
    /// A character of text.
    Char(char, Option<[u8; 3]>),
    /// Two stacked samples: `▀` in the upper colour on the lower one.
    Halves(Option<[u8; 3]>, Option<[u8; 3]>),
}

/// A grid of character cells.
struct Grid {
    cols: usize,
    rows: usize,
    cells: Vec<Cell>,
}

/// The plotters backend drawing on a [`Grid`] (2 × 4 pixels a cell).
struct TextCanvas<'a>(&'a mut Grid);

/// The braille bit of dot `(dx, dy)` of a cell (`dx < 2`, `dy < 4`).
fn dot_bit(dx: usize, dy: usize) -> u8 {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    BITS[dx][dy]
}

/// A drawing colour, or none for white, near-white and faint (the paper and
/// the legend's frame: left blank)
/// and for black (the axes and text: drawn in the terminal's own colour).
fn ink(c: BackendColor) -> Option<Option<[u8; 3]>> {
    let (r, g, b) = c.rgb;
    if c.alpha < 0.5 || (r >= 235 && g >= 235 && b >= 235) {
        return None;
    }
    Some((r.max(g).max(b) > 60).then_some([r, g, b]))
}

impl Grid {
    fn new(cols: usize, rows: usize) -> Grid {
        Grid { cols, rows, cells: vec![Cell::Blank; cols * rows] }
    }

    fn cell_mut(&mut self, col: usize, row: usize) -> Option<&mut Cell> {
        (col < self.cols && row < self.rows).then(|| &mut self.cells[row * self.cols + col])
    }

    /// Puts `text` with its first character at cell `(col, row)`, going right
    /// (or down, for rotated text).
    fn put(&mut self, text: &str, col: i64, row: i64, down: bool, colour: Option<[u8; 3]>) {
        for (k, ch) in text.chars().enumerate() {
            let (c, r) = if down { (col, row + k as i64) } else { (col + k as i64, row) };
            if c >= 0 && r >= 0 {
                if let Some(cell) = self.cell_mut(c as usize, r as usize) {
                    *cell = Cell::Char(ch, colour);
                }
            }
        }
    }

    /// Composites a raster into pixels `x × y` of the canvas: patterns as
    /// braille dots, colour maps as half blocks.
    fn composite(&mut self, source: &Source, x: std::ops::Range<i32>, y: std::ops::Range<i32>) {
        let (c0, c1) = ((x.start.max(0) as usize).div_ceil(2), (x.end.max(0) as usize) / 2);
        let (r0, r1) = ((y.start.max(0) as usize).div_ceil(4), (y.end.max(0) as usize) / 4);
        let (w, h) = (c1.saturating_sub(c0), r1.saturating_sub(r0));
        if w == 0 || h == 0 {
            return;
        }
        if let Source::Spy(_) = source {
            let px = raster(source, 2 * w, 4 * h);
            for row in 0..h {
                for col in 0..w {
                    let mut bits = 0;
                    for dy in 0..4 {
                        for dx in 0..2 {
                            if px[(4 * row + dy) * 2 * w + 2 * col + dx].is_some() {
                                bits |= dot_bit(dx, dy);
                            }
                        }
                    }
                    let cell = if bits == 0 { Cell::Blank } else { Cell::Dots(bits, Some(super::render::SPY_COLOUR)) };
                    *self.cell_mut(c0 + col, r0 + row).expect("inside") = cell;
                }
            }
        } else {
            let px = raster(source, w, 2 * h);
            for row in 0..h {
                for col in 0..w {
                    let cell = Cell::Halves(px[2 * row * w + col], px[(2 * row + 1) * w + col]);
                    *self.cell_mut(c0 + col, r0 + row).expect("inside") = cell;
                }
            }
        }
    }

    /// The canvas as lines of text, trailing blanks removed.
    fn finish(&self, colour: bool) -> String {
        let mut out = String::new();
        for row in self.cells.chunks(self.cols) {
            let mut line = String::new();
            for cell in row {
                let (ch, fg, bg) = match *cell {
                    Cell::Blank => (' ', None, None),
                    Cell::Dots(bits, c) => (char::from_u32(0x2800 + bits as u32).expect("braille"), c, None),
                    Cell::Char(ch, c) => (ch, c, None),
                    Cell::Halves(None, None) => (' ', None, None),
                    Cell::Halves(up, down) if colour => ('▀', up.or(down), down.or(up)),
                    // Without colour a half-block says nothing: shade by brightness instead.
                    Cell::Halves(up, down) => (shade(up.or(down).expect("one is set")), None, None),
                };
                match (colour, fg, bg) {
                    (true, Some(f), Some(b)) => line.push_str(&format!(
                        "\x1b[38;2;{};{};{}m\x1b[48;2;{};{};{}m{ch}\x1b[0m",
                        f[0], f[1], f[2], b[0], b[1], b[2]
                    )),
                    (true, Some(f), None) => {
                        line.push_str(&format!("\x1b[38;2;{};{};{}m{ch}\x1b[0m", f[0], f[1], f[2]))
                    }
                    _ => line.push(ch),
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A shade character for a colour's brightness, darkest densest.
fn shade([r, g, b]: [u8; 3]) -> char {
    let luma = (0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64) / 255.0;
    ['█', '▓', '▒', '░', '·'][((luma * 5.0) as usize).min(4)]
}

/// Errors of the text canvas (it has none of its own).
#[derive(Debug)]
pub struct NoError;

impl std::fmt::Display for NoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("text canvas")
    }
}

impl std::error::Error for NoError {}

impl DrawingBackend for TextCanvas<'_> {
    type ErrorType = NoError;

    fn get_size(&self) -> (u32, u32) {
        (2 * self.0.cols as u32, 4 * self.0.rows as u32)
    }

    fn ensure_prepared(&mut self) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        Ok(())
    }

    fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        c: BackendColor,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        let Some(colour) = ink(c) else { return Ok(()) };
        if x < 0 || y < 0 {
            return Ok(());
        }
        let (x, y) = (x as usize, y as usize);
        if let Some(cell) = self.0.cell_mut(x / 2, y / 4) {
            let bit = dot_bit(x % 2, y % 4);
            *cell = match *cell {
                Cell::Dots(bits, _) => Cell::Dots(bits | bit, colour),
                Cell::Char(..) => return Ok(()),
                _ => Cell::Dots(bit, colour),
            };
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> std::result::Result<(), DrawingErrorKind<NoError>> {
        let Some(colour) = ink(style.color()) else { return Ok(()) };
        let len = text.chars().count() as i64;
        let down = matches!(style.transform(), FontTransform::Rotate90 | FontTransform::Rotate270);
        let anchor = style.anchor();
        let (mut col, mut row) = (i64::from(x) / 2, i64::from(y) / 4);
        // Along the text, the anchor's position; across it, one cell.
        let shift = |pos_is_start: bool, pos_is_end: bool| {
            if pos_is_start {
                0
            } else if pos_is_end {
                len - 1
            } else {
                (len - 1) / 2
            }
        };
        if down {
            row -= shift(matches!(anchor.h_pos, HPos::Left), matches!(anchor.h_pos, HPos::Right));
        } else {
            col -= shift(matches!(anchor.h_pos, HPos::Left), matches!(anchor.h_pos, HPos::Right));
            if matches!(anchor.v_pos, VPos::Bottom) && i64::from(y) % 4 == 0 {
                row -= 1;
            }
        }
        self.0.put(text, col, row, down, colour);
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        _: &S,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<NoError>> {
        Ok((2 * text.chars().count() as u32, 4))
    }
}

impl Style {
    /// Character cells: one-row captions and labels, no grid lines.
    fn cells(cols: usize, rows: usize) -> Style {
        Style {
            caption: 4,
            label: 4,
            margin: 2,
            x_area: 8,
            y_area: 16,
            bar: 22,
            mesh: false,
            stroke: 1,
            marker: 0,
            x_ticks: (cols / 12).max(2),
            y_ticks: (rows / 4).max(2),
        }
    }
}

/// `fig` drawn in `cols × rows` character cells.
pub(super) fn render(fig: &Figure, cols: usize, rows: usize, colour: bool) -> Result<String> {
    if !(20..=1000).contains(&cols) || !(6..=1000).contains(&rows) {
        return Err(Error::invalid(
            "figure",
            format!("text figures are 20 to 1000 columns by 6 to 1000 rows, got {cols}×{rows}"),
        ));
    }
    let mut grid = Grid::new(cols, rows);
    let layers = {
        let root = TextCanvas(&mut grid).into_drawing_area();
        draw(fig, &root, &Style::cells(cols, rows))?
    };
    for layer in &layers {
        grid.composite(&layer.source, layer.x.clone(), layer.y.clone());
    }
    Ok(grid.finish(colour))
}
