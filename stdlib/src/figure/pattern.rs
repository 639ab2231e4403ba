//! The non-zero pattern of a matrix or structured operator, on a grid of
//! square cells small enough to draw (`spy`).
//!
//! A pattern is found from the structure, never from the dense matrix: each
//! structure lists rectangles that cover its non-zeros, and those lists are
//! coarsened to the drawing grid whenever they outgrow it, so the work is
//! bounded by the stored numbers and the grid, not by `m · n`:
//!
//! - dense, diagonal, permutation: their non-zero entries;
//! - `A ⊗ B`: B's rectangles repeated at every non-zero of A, shifted by
//!   `(i·p, j·q)`; a `B` smaller than a cell contributes its bounding box;
//! - `A ⊕ B = A ⊗ I + I ⊗ B`, sums and `D + U Vᵀ`: the union of the terms
//!   (structural: cancellation is not looked for);
//! - block-diagonal: each block's rectangles at its offset;
//! - `U Vᵀ`: for each rank-one term k, the rows where `U[:, k] ≠ 0` times the
//!   rows where `V[:, k] ≠ 0`;
//! - products (and Monarch, `Pᵀ L P R`): the Boolean product of the factors'
//!   cell grids, which is exact at one entry per cell and a superset beyond.

use crate::{Matrix, Operator, Shape};

/// The most cells a pattern has along either side.
pub const MAX_CELLS: usize = 512;

/// Rows `r .. r + h` and columns `c .. c + w`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    r: usize,
    c: usize,
    h: usize,
    w: usize,
}

/// A grid of Boolean cells over an `m × n` matrix; cell `(a, b)` covers rows
/// `a·cell ..` and columns `b·cell ..` and is set when one of them is non-zero.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    shape: Shape,
    cell: usize,
    grid_rows: usize,
    grid_cols: usize,
    set: Vec<bool>,
}

impl Pattern {
    /// The empty pattern of an `m × n` matrix, with cells of `cell × cell` entries.
    fn empty(shape: Shape, cell: usize) -> Pattern {
        let (grid_rows, grid_cols) = (shape.0.div_ceil(cell), shape.1.div_ceil(cell));
        Pattern { shape, cell, grid_rows, grid_cols, set: vec![false; grid_rows * grid_cols] }
    }

    /// The cell side that fits an `m × n` matrix into [`MAX_CELLS`] per side.
    fn cell_for(shape: Shape) -> usize {
        shape.0.max(shape.1).div_ceil(MAX_CELLS).max(1)
    }

    /// The pattern of a dense matrix (exact, one entry per cell up to 512 × 512)
    /// and its number of non-zeros, in one pass. Cost: `O(m · n)`.
    pub fn of_matrix(a: &Matrix) -> (Pattern, usize) {
        let mut p = Pattern::empty(a.shape(), Pattern::cell_for(a.shape()));
        let mut count = 0;
        for (i, j) in nonzeros(a) {
            p.mark(Rect { r: i, c: j, h: 1, w: 1 });
            count += 1;
        }
        (p, count)
    }

    /// The pattern of a structured operator, from its structure (see the module
    /// documentation). Cost: about the operator's storage plus the grid's cells.
    pub fn of_operator(op: &Operator) -> Pattern {
        let shape = op.shape();
        let cell = Pattern::cell_for(shape);
        let mut p = Pattern::empty(shape, cell);
        for r in rects(op, cell) {
            p.mark(r);
        }
        p
    }

    /// A pattern from its parts (as [`Pattern::bits`] gives them back);
    /// errors when the cells do not fit the shape.
    pub fn from_bits(shape: Shape, cell: usize, bits: Vec<bool>) -> crate::Result<Pattern> {
        // The cell side is the one the matrix's shape gives, which keeps the
        // grid within MAX_CELLS a side whatever the shape.
        if cell != Pattern::cell_for(shape) {
            let expected = Pattern::cell_for(shape);
            return Err(crate::Error::invalid("spy", format!("a {shape} pattern has cells of {expected}, not {cell}")));
        }
        let mut p = Pattern::empty(shape, cell);
        if bits.len() != p.set.len() {
            return Err(crate::Error::invalid("spy", format!("{} cells do not fit a {shape} pattern", bits.len())));
        }
        p.set = bits;
        Ok(p)
    }

    /// The cells, row-major over the grid.
    pub fn bits(&self) -> &[bool] {
        &self.set
    }

    /// The matrix's shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Entries per cell side (1 when the matrix has at most 512 rows and columns).
    pub fn cell(&self) -> usize {
        self.cell
    }

    /// `(rows, cols)` of the grid.
    pub fn grid(&self) -> (usize, usize) {
        (self.grid_rows, self.grid_cols)
    }

    /// Whether grid cell `(a, b)` holds a non-zero.
    pub fn is_set(&self, a: usize, b: usize) -> bool {
        self.set[a * self.grid_cols + b]
    }

    fn mark(&mut self, r: Rect) {
        if r.h == 0 || r.w == 0 {
            return;
        }
        let (a1, b1) = ((r.r + r.h - 1) / self.cell, (r.c + r.w - 1) / self.cell);
        for a in r.r / self.cell..=a1.min(self.grid_rows - 1) {
            for b in r.c / self.cell..=b1.min(self.grid_cols - 1) {
                self.set[a * self.grid_cols + b] = true;
            }
        }
    }

    /// One rectangle per set cell, clipped to the matrix.
    fn into_rects(self) -> Vec<Rect> {
        let (m, n, c) = (self.shape.0, self.shape.1, self.cell);
        let mut out = Vec::new();
        for a in 0..self.grid_rows {
            for b in 0..self.grid_cols {
                if self.set[a * self.grid_cols + b] {
                    out.push(Rect { r: a * c, c: b * c, h: c.min(m - a * c), w: c.min(n - b * c) });
                }
            }
        }
        out
    }
}

/// The positions of a dense matrix's non-zero (or NaN) entries.
fn nonzeros(a: &Matrix) -> impl Iterator<Item = (usize, usize)> + '_ {
    let f = a.as_faer();
    (0..a.cols()).flat_map(move |j| (0..a.rows()).filter(move |&i| f[(i, j)] != 0.0).map(move |i| (i, j)))
}

/// Rectangles covering `op`'s non-zeros, at most about one per cell.
fn rects(op: &Operator, cell: usize) -> Vec<Rect> {
    let unit = |(i, j): (usize, usize)| Rect { r: i, c: j, h: 1, w: 1 };
    let out: Vec<Rect> = match op {
        Operator::Dense(a) => nonzeros(a).map(unit).collect(),
        Operator::Diagonal(d) => (0..d.len()).filter(|&i| d[i] != 0.0).map(|i| unit((i, i))).collect(),
        Operator::Permutation(p) => p.iter().enumerate().map(|(i, &j)| unit((i, j))).collect(),
        Operator::Kronecker(factors) => kron_factors(factors, cell),
        Operator::KroneckerSum(a, b) => {
            let (n, m) = (a.shape().0, b.shape().0);
            let identity = |k: usize, cell| rects(&Operator::Diagonal(vec![1.0; k]), cell);
            let mut out = kron(|c| rects(a, c), identity(m, cell), Shape(m, m), cell);
            out.extend(kron(|c| identity(n, c), rects(b, cell), Shape(m, m), cell));
            out
        }
        Operator::BlockDiagonal(blocks) => {
            let (mut r0, mut c0, mut out) = (0, 0, Vec::new());
            for b in blocks {
                out.extend(rects(b, cell).into_iter().map(|r| Rect { r: r.r + r0, c: r.c + c0, ..r }));
                let s = b.shape();
                (r0, c0) = (r0 + s.0, c0 + s.1);
            }
            out
        }
        Operator::Monarch(m) => rects(&m.as_product(), cell),
        Operator::Quantized(q) => nonzeros(&q.dequantize()).map(unit).collect(),
        Operator::LowRank { u, v } => low_rank(u, v),
        Operator::DiagonalPlusLowRank { d, u, v } => {
            let mut out = rects(&Operator::Diagonal(d.clone()), cell);
            out.extend(low_rank(u, v));
            out
        }
        Operator::Scaled(s, a) => {
            if *s == 0.0 {
                Vec::new()
            } else {
                rects(a, cell)
            }
        }
        Operator::Sum(terms) => terms.iter().flat_map(|t| rects(t, cell)).collect(),
        Operator::Product(factors) => product(factors, cell).into_rects(),
        Operator::Transposed(a) => {
            rects(a, cell).into_iter().map(|r| Rect { r: r.c, c: r.r, h: r.w, w: r.h }).collect()
        }
    };
    coarsen(out, op.shape(), cell)
}

/// Replaces a list longer than the grid has cells by one rectangle per set cell.
fn coarsen(rects: Vec<Rect>, shape: Shape, cell: usize) -> Vec<Rect> {
    let cells = shape.0.div_ceil(cell) * shape.1.div_ceil(cell);
    if rects.len() <= cells {
        return rects;
    }
    let mut p = Pattern::empty(shape, cell);
    for r in rects {
        p.mark(r);
    }
    p.into_rects()
}

/// `A₁ ⊗ (A₂ ⊗ …)`.
fn kron_factors(factors: &[Operator], cell: usize) -> Vec<Rect> {
    match factors {
        [] => Vec::new(),
        [a] => rects(a, cell),
        [a, tail @ ..] => {
            let tail_shape = tail.iter().fold(Shape(1, 1), |s, f| Shape(s.0 * f.shape().0, s.1 * f.shape().1));
            kron(|c| rects(a, c), kron_factors(tail, cell), tail_shape, cell)
        }
    }
}

/// `A ⊗ B` from B's rectangles (B is `p × q`) and A's, which `a_rects` gives
/// for a cell size of A's own (a cell of the result spans `cell / p` rows of A).
fn kron(a_rects: impl Fn(usize) -> Vec<Rect>, b: Vec<Rect>, Shape(p, q): Shape, cell: usize) -> Vec<Rect> {
    if b.is_empty() || p == 0 || q == 0 {
        return Vec::new();
    }
    let a = a_rects((cell / p.max(q)).max(1));
    let mut out = Vec::new();
    if p <= cell && q <= cell {
        // B fits in a cell: its bounding box, stretched over A's rectangles.
        let (r0, c0) = (b.iter().map(|r| r.r).min().unwrap_or(0), b.iter().map(|r| r.c).min().unwrap_or(0));
        let r1 = b.iter().map(|r| r.r + r.h).max().unwrap_or(0);
        let c1 = b.iter().map(|r| r.c + r.w).max().unwrap_or(0);
        for ra in a {
            out.push(Rect {
                r: ra.r * p + r0,
                c: ra.c * q + c0,
                h: (ra.h - 1) * p + r1 - r0,
                w: (ra.w - 1) * q + c1 - c0,
            });
        }
        return out;
    }
    for ra in a {
        for i in ra.r..ra.r + ra.h {
            for j in ra.c..ra.c + ra.w {
                out.extend(b.iter().map(|rb| Rect { r: i * p + rb.r, c: j * q + rb.c, ..*rb }));
            }
        }
    }
    out
}

/// `U Vᵀ`: for each column k, the runs of non-zero rows of `U[:, k]` times those of `V[:, k]`.
fn low_rank(u: &Matrix, v: &Matrix) -> Vec<Rect> {
    let runs = |m: &Matrix, k: usize| {
        let f = m.as_faer();
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in (0..m.rows()).filter(|&i| f[(i, k)] != 0.0) {
            match out.last_mut() {
                Some((start, len)) if *start + *len == i => *len += 1,
                _ => out.push((i, 1)),
            }
        }
        out
    };
    let mut out = Vec::new();
    for k in 0..u.cols() {
        let cols = runs(v, k);
        for (r, h) in runs(u, k) {
            out.extend(cols.iter().map(|&(c, w)| Rect { r, c, h, w }));
        }
    }
    out
}

/// The Boolean product of the factors' patterns. Each factor is read on a
/// grid whose outer sides have cells of `cell` entries and whose shared
/// sides have cells fitting their length into [`MAX_CELLS`], so consecutive
/// grids agree. Cost: `O(Σ grid_m · grid_k · grid_n)` Boolean operations.
fn product(factors: &[Operator], cell: usize) -> Pattern {
    let last = factors.len() - 1;
    let inner = |t: usize| Pattern::cell_for(Shape(factors[t].shape().1, 1));
    let grid = |t: usize| {
        let (rc, cc) = (if t == 0 { cell } else { inner(t - 1) }, if t == last { cell } else { inner(t) });
        let s = factors[t].shape();
        let (gr, gc) = (s.0.div_ceil(rc), s.1.div_ceil(cc));
        let mut g = vec![false; gr * gc];
        for r in rects(&factors[t], rc.min(cc)).into_iter().filter(|r| r.h > 0 && r.w > 0) {
            for a in r.r / rc..=((r.r + r.h - 1) / rc).min(gr - 1) {
                for b in r.c / cc..=((r.c + r.w - 1) / cc).min(gc - 1) {
                    g[a * gc + b] = true;
                }
            }
        }
        (gr, gc, g)
    };
    let (gr, mut gc, mut g) = grid(0);
    for t in 1..=last {
        let (_, bc, bg) = grid(t);
        let mut out = vec![false; gr * bc];
        for a in 0..gr {
            for l in (0..gc).filter(|&l| g[a * gc + l]) {
                for b in (0..bc).filter(|&b| bg[l * bc + b]) {
                    out[a * bc + b] = true;
                }
            }
        }
        (gc, g) = (bc, out);
    }
    let shape = Shape(factors[0].shape().0, factors[last].shape().1);
    Pattern { shape, cell, grid_rows: gr, grid_cols: gc, set: g }
}
