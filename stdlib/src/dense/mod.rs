//! The dense `f64` matrix: construction, indexing, slicing, elementwise
//! arithmetic with broadcasting, and products.
//!
//! Storage is faer's column-major [`Mat<f64>`]; conventions that a user sees
//! (fill order of [`Matrix::from_row_major`], [`Matrix::reshape`], flattening
//! in [`Matrix::to_row_major`]) are row-major, as in numpy, so that the
//! Kronecker vec-trick reads `(A ⊗ B) vec(X) = vec(A X Bᵀ)` with row-major `vec`.

pub(crate) mod decomp;
mod factor;
mod functions;

pub use decomp::{Eigh, LogAbsDet, Qr, Svd};
pub use factor::{Eig, Lu};

use crate::error::{Error, Result, Shape};
use faer::{Accum, Mat, MatMut, MatRef, Par};

/// A dense real matrix. Vectors are `n×1` (column) or `1×n` (row) matrices.
#[derive(Clone, PartialEq)]
pub struct Matrix {
    data: Mat<f64>,
}

impl std::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Matrix {} ", self.shape())?;
        f.debug_list().entries(self.row_vectors()).finish()
    }
}

/// Products at or below this many multiply-adds run on one thread: waking the
/// thread pool costs more than it saves.
const PARALLEL_FLOP_THRESHOLD: usize = 128 * 128 * 128;

/// A matrix–vector product of more entries than this (2 MiB of the matrix)
/// runs on every thread.
const PARALLEL_VECTOR_THRESHOLD: usize = 1 << 18;

/// `dst ← lhs · rhs` (or `dst += lhs · rhs` with [`Accum::Add`]) through faer's GEMM.
///
/// A large product whose output has both sides of at least
/// [`FAER_SPLIT_SIDE`] runs faer's own parallel split; one with a narrow
/// output is cut into a panel per thread along its longer side
/// ([`gemm_panels`]). On two cores (medians of ten processes) panels were 6%
/// faster for `4096×1024 · 1024×74` (the range finder of `rsvd`), and
/// faer's split 7–13% faster for `1024² · 1024²` and 35% for `256² · 256²`.
///
/// A matrix times a vector, or a row vector times a matrix, is
/// [`matvec`] or [`vecmat`] instead: faer's GEMM treats them as general
/// products, at about half the memory bandwidth that bounds them.
pub(crate) fn gemm(dst: MatMut<'_, f64>, accum: Accum, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>) {
    let work = lhs.nrows().saturating_mul(lhs.ncols()).saturating_mul(rhs.ncols());
    let threads = if work <= PARALLEL_FLOP_THRESHOLD { 1 } else { rayon::current_num_threads() };
    // A product with a vector reads each entry once: threads pay off sooner.
    let vector_threads = if work <= PARALLEL_VECTOR_THRESHOLD { 1 } else { rayon::current_num_threads() };
    let mut dst = dst;
    if dst.ncols() == 1 {
        if let (Some(a), Some(x)) = (lhs.try_as_col_major(), rhs.col(0).try_as_col_major()) {
            if let Some(y) = dst.as_mut().col_mut(0).try_as_col_major_mut() {
                return matvec(y.as_slice_mut(), accum, a, x.as_slice(), vector_threads);
            }
        }
    }
    if dst.nrows() == 1 {
        if let (Some(x), Some(a)) = (lhs.row(0).try_as_row_major(), rhs.try_as_col_major()) {
            if let Some(y) = dst.as_mut().row_mut(0).try_as_row_major_mut() {
                return vecmat(y.as_slice_mut(), accum, x.as_slice(), a, vector_threads);
            }
        }
    }
    if threads > 1 && dst.nrows().min(dst.ncols()) >= FAER_SPLIT_SIDE {
        faer::linalg::matmul::matmul(dst, accum, lhs, rhs, 1.0, Par::rayon(threads));
    } else {
        gemm_panels(dst, accum, lhs, rhs, threads);
    }
}

/// See [`gemm`].
const FAER_SPLIT_SIDE: usize = 256;

/// A column-major matrix view.
type Columns<'a> = MatRef<'a, f64, usize, usize, faer::ContiguousFwd>;

/// Rows of `y` that [`matvec`] updates together: 64 KiB of `y`, which
/// stays in L2 while the columns stream past it.
const MATVEC_ROWS: usize = 8192;

/// `y ← A·x` (or `y += A·x` with [`Accum::Add`]) for a column-major `A`
/// (`m×k`): each thread takes a run of whole columns, one stretch of
/// memory read in order, into a `y` of its own, in blocks of
/// [`MATVEC_ROWS`] rows, adding four columns at a time
/// (`y += a₀x₀ + a₁x₁ + a₂x₂ + a₃x₃`); then the threads' `y` are summed.
/// Cost: `2mk` flops in one pass over `A`, and `m` per thread to sum.
fn matvec(y: &mut [f64], accum: Accum, a: Columns<'_>, x: &[f64], threads: usize) {
    if matches!(accum, Accum::Replace) {
        y.fill(0.0);
    }
    // Runs of whole quads of columns, so only the last has a remainder.
    let run = x.len().div_ceil(4).div_ceil(threads.max(1)) * 4;
    let partial = |y: &mut [f64], c0: usize| {
        let cols = c0..(c0 + run).min(x.len());
        let part = a.subcols(cols.start, cols.len());
        for (b, block) in y.chunks_mut(MATVEC_ROWS).enumerate() {
            add_columns(block, part, &x[cols.clone()], b * MATVEC_ROWS);
        }
    };
    if threads <= 1 || run >= x.len() {
        partial(y, 0);
        return;
    }
    use rayon::prelude::*;
    let parts: Vec<Vec<f64>> = (0..x.len().div_ceil(run))
        .into_par_iter()
        .map(|t| {
            let mut part = vec![0.0; y.len()];
            partial(&mut part, t * run);
            part
        })
        .collect();
    for part in parts {
        y.iter_mut().zip(part).for_each(|(yi, p)| *yi += p);
    }
}

/// `y += A[r₀ .. r₀ + len(y), :]·x`, four columns at a time.
fn add_columns(y: &mut [f64], a: Columns<'_>, x: &[f64], r0: usize) {
    let rows = r0..r0 + y.len();
    let col = |j: usize| &a.col(j).as_slice()[rows.clone()];
    let quads = x.chunks_exact(4);
    let rest = quads.remainder();
    for (q, xq) in quads.enumerate() {
        let (c0, c1, c2, c3) = (col(4 * q), col(4 * q + 1), col(4 * q + 2), col(4 * q + 3));
        for ((((yi, p0), p1), p2), p3) in y.iter_mut().zip(c0).zip(c1).zip(c2).zip(c3) {
            *yi += p0 * xq[0] + p1 * xq[1] + p2 * xq[2] + p3 * xq[3];
        }
    }
    for (k, xj) in rest.iter().enumerate() {
        for (yi, p) in y.iter_mut().zip(col(x.len() - rest.len() + k)) {
            *yi += p * xj;
        }
    }
}

/// `yᵀ ← xᵀ·A` (or `yᵀ += xᵀ·A`) for a column-major `A` (`k×n`): entry `j`
/// is the dot product of `x` with column `j`, the columns split across
/// threads. Cost: `2kn` flops in one pass over `A`.
fn vecmat(y: &mut [f64], accum: Accum, x: &[f64], a: Columns<'_>, threads: usize) {
    let dot = |(j, yj): (usize, &mut f64)| {
        let d = dot4(x, a.col(j).as_slice());
        *yj = if matches!(accum, Accum::Replace) { d } else { *yj + d };
    };
    if threads <= 1 {
        y.iter_mut().enumerate().for_each(dot);
    } else {
        use rayon::prelude::*;
        y.par_iter_mut().enumerate().with_min_len(64).for_each(dot);
    }
}

/// `Σ xᵢyᵢ` in four interleaved sums (independent chains, so it vectorises).
fn dot4(x: &[f64], y: &[f64]) -> f64 {
    let (xq, yq) = (x.chunks_exact(4), y.chunks_exact(4));
    let tail: f64 = xq.remainder().iter().zip(yq.remainder()).map(|(a, b)| a * b).sum();
    let mut s = [0.0; 4];
    for (a, b) in xq.zip(yq) {
        for i in 0..4 {
            s[i] += a[i] * b[i];
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

/// Splits the output into `parts` panels and multiplies them in parallel.
fn gemm_panels(dst: MatMut<'_, f64>, accum: Accum, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, parts: usize) {
    let (m, n) = (dst.nrows(), dst.ncols());
    if parts <= 1 || m.max(n) < 2 {
        faer::linalg::matmul::matmul(dst, accum, lhs, rhs, 1.0, Par::Seq);
        return;
    }
    let left_parts = parts / 2;
    if n >= m {
        let cut = n * left_parts / parts;
        let (d1, d2) = dst.split_at_col_mut(cut);
        let (r1, r2) = rhs.split_at_col(cut);
        rayon::join(
            || gemm_panels(d1, accum, lhs, r1, left_parts),
            || gemm_panels(d2, accum, lhs, r2, parts - left_parts),
        );
    } else {
        let cut = m * left_parts / parts;
        let (d1, d2) = dst.split_at_row_mut(cut);
        let (l1, l2) = lhs.split_at_row(cut);
        rayon::join(
            || gemm_panels(d1, accum, l1, rhs, left_parts),
            || gemm_panels(d2, accum, l2, rhs, parts - left_parts),
        );
    }
}

impl Matrix {
    // ----- construction -------------------------------------------------

    /// Wraps a faer matrix.
    pub fn from_faer(data: Mat<f64>) -> Self {
        Matrix { data }
    }

    /// An `m×n` matrix whose `(i, j)` entry is `f(i, j)`.
    ///
    /// # Panics
    /// With an [`Error::OutOfMemory`] payload when the matrix cannot be
    /// allocated ([`crate::memory::guard`]), as every constructor here does.
    pub fn from_fn(m: usize, n: usize, f: impl FnMut(usize, usize) -> f64) -> Self {
        crate::memory::guard(m, n);
        Matrix::from_faer(Mat::from_fn(m, n, f))
    }

    /// The `m×n` zero matrix.
    pub fn zeros(m: usize, n: usize) -> Self {
        crate::memory::guard(m, n);
        Matrix::from_faer(Mat::zeros(m, n))
    }

    /// The `m×n` matrix of ones.
    pub fn ones(m: usize, n: usize) -> Self {
        Matrix::filled(m, n, 1.0)
    }

    /// The `m×n` matrix with every entry equal to `value`.
    pub fn filled(m: usize, n: usize, value: f64) -> Self {
        Matrix::from_fn(m, n, |_, _| value)
    }

    /// The `n×n` identity.
    pub fn eye(n: usize) -> Self {
        crate::memory::guard(n, n);
        Matrix::from_faer(Mat::identity(n, n))
    }

    /// A `1×1` matrix holding `x`.
    pub fn scalar(x: f64) -> Self {
        Matrix::filled(1, 1, x)
    }

    /// An `n×1` column vector.
    pub fn col(values: &[f64]) -> Self {
        Matrix::from_fn(values.len(), 1, |i, _| values[i])
    }

    /// A `1×n` row vector.
    pub fn row(values: &[f64]) -> Self {
        Matrix::from_fn(1, values.len(), |_, j| values[j])
    }

    /// An `m×n` matrix filled row by row from `values` (numpy's C order).
    ///
    /// Errors if `values.len() != m·n`.
    pub fn from_row_major(m: usize, n: usize, values: &[f64]) -> Result<Self> {
        if m.checked_mul(n) != Some(values.len()) {
            return Err(Error::invalid(
                "matrix",
                format!("{} values cannot fill a {} matrix", values.len(), Shape(m, n)),
            ));
        }
        Ok(Matrix::tiled(m, n, |i, j| values[i * n + j]))
    }

    /// A matrix from equal-length rows. Errors on ragged rows.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Self> {
        let n = rows.first().map_or(0, Vec::len);
        if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != n) {
            return Err(Error::invalid("matrix", format!("row {i} has {} entries but row 0 has {n}", r.len())));
        }
        Ok(Matrix::tiled(rows.len(), n, |i, j| rows[i][j]))
    }

    /// `n` evenly spaced points from `a` to `b` inclusive, as an `n×1` column
    /// (numpy's `linspace`: `a + k (b − a)/(n − 1)`, the last point exactly `b`).
    pub fn linspace(a: f64, b: f64, n: usize) -> Self {
        let step = if n > 1 { (b - a) / (n - 1) as f64 } else { 0.0 };
        Matrix::from_fn(n, 1, |i, _| if i + 1 == n && n > 1 { b } else { a + step * i as f64 })
    }

    /// The square matrix with `v` on its diagonal (`v` a vector of any orientation).
    pub fn diagm(v: &Matrix) -> Result<Self> {
        let values = v.vector_values("diagm")?;
        Ok(Matrix::from_fn(values.len(), values.len(), |i, j| if i == j { values[i] } else { 0.0 }))
    }

    // ----- shape and access ---------------------------------------------

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.data.nrows()
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.data.ncols()
    }

    /// `(rows, cols)` as a [`Shape`].
    pub fn shape(&self) -> Shape {
        Shape(self.rows(), self.cols())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.rows() * self.cols()
    }

    /// Whether the matrix has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether rows == cols.
    pub fn is_square(&self) -> bool {
        self.rows() == self.cols()
    }

    /// Whether the matrix is `n×1` or `1×n`.
    pub fn is_vector(&self) -> bool {
        self.rows() == 1 || self.cols() == 1
    }

    /// A borrowed faer view.
    pub fn as_faer(&self) -> MatRef<'_, f64> {
        self.data.as_ref()
    }

    /// A mutable faer view.
    pub fn as_faer_mut(&mut self) -> MatMut<'_, f64> {
        self.data.as_mut()
    }

    /// The owned faer matrix.
    pub fn into_faer(self) -> Mat<f64> {
        self.data
    }

    /// Entry `(i, j)`, or `None` out of range.
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.rows() && j < self.cols()).then(|| self.data[(i, j)])
    }

    /// Entry `(i, j)`; panics out of range (for crate-internal loops with checked bounds).
    pub(crate) fn at(&self, i: usize, j: usize) -> f64 {
        self.data[(i, j)]
    }

    /// Sets entry `(i, j)`. Errors out of range.
    pub fn set(&mut self, i: usize, j: usize, value: f64) -> Result<()> {
        if i >= self.rows() || j >= self.cols() {
            return Err(Error::invalid(
                "setindex",
                format!("index ({i}, {j}) is out of bounds for a {} matrix", self.shape()),
            ));
        }
        self.data[(i, j)] = value;
        Ok(())
    }

    /// The entries in row-major order.
    pub fn to_row_major(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        for i in 0..self.rows() {
            out.extend((0..self.cols()).map(|j| self.data[(i, j)]));
        }
        out
    }

    /// The rows as vectors.
    pub fn row_vectors(&self) -> Vec<Vec<f64>> {
        (0..self.rows()).map(|i| (0..self.cols()).map(|j| self.data[(i, j)]).collect()).collect()
    }

    /// The entries of a vector (`n×1` or `1×n`); errors for other shapes.
    pub fn vector_values(&self, op: &'static str) -> Result<Vec<f64>> {
        if !self.is_vector() && !self.is_empty() {
            return Err(Error::invalid(op, format!("expected a vector, got a {} matrix", self.shape())));
        }
        Ok(self.to_row_major())
    }

    /// Column `j` as an `n×1` matrix.
    pub fn column(&self, j: usize) -> Matrix {
        Matrix::from_fn(self.rows(), 1, |i, _| self.data[(i, j)])
    }

    /// The diagonal as an `min(m,n)×1` column.
    pub fn diag(&self) -> Matrix {
        let k = self.rows().min(self.cols());
        Matrix::from_fn(k, 1, |i, _| self.data[(i, i)])
    }

    /// The submatrix picking rows `rows` and columns `cols` (any order, repeats
    /// allowed: numpy's `A[np.ix_(rows, cols)]`). Errors on an out-of-range index.
    pub fn select(&self, rows: &[usize], cols: &[usize]) -> Result<Matrix> {
        let check = |idx: &[usize], bound: usize, what: &str| -> Result<()> {
            match idx.iter().find(|&&i| i >= bound) {
                Some(i) => Err(Error::invalid(
                    "index",
                    format!("{what} index {i} is out of bounds for a {} matrix", self.shape()),
                )),
                None => Ok(()),
            }
        };
        check(rows, self.rows(), "row")?;
        check(cols, self.cols(), "column")?;
        Ok(Matrix::from_fn(rows.len(), cols.len(), |i, j| self.data[(rows[i], cols[j])]))
    }

    /// Writes `values` into the rows `rows` and columns `cols`; `values` must be
    /// `rows.len() × cols.len()` or `1×1` (broadcast).
    pub fn assign(&mut self, rows: &[usize], cols: &[usize], values: &Matrix) -> Result<()> {
        let target = Shape(rows.len(), cols.len());
        let scalar = values.shape() == Shape(1, 1);
        if !scalar && values.shape() != target {
            return Err(Error::shapes(
                "setindex",
                target,
                values.shape(),
                "the value must match the selection or be 1×1",
            ));
        }
        self.select(rows, cols)?; // bounds check before any write
        for (a, &i) in rows.iter().enumerate() {
            for (b, &j) in cols.iter().enumerate() {
                self.data[(i, j)] = if scalar { values.at(0, 0) } else { values.at(a, b) };
            }
        }
        Ok(())
    }

    /// The positions `(i, j)` where `mask` is non-zero, in row-major order;
    /// `mask` must have this matrix's shape.
    fn mask_positions(&self, mask: &Matrix, op: &'static str) -> Result<Vec<(usize, usize)>> {
        if mask.shape() != self.shape() {
            return Err(Error::shapes(op, self.shape(), mask.shape(), "a mask must have the matrix's shape"));
        }
        let mut at = Vec::new();
        for i in 0..self.rows() {
            at.extend((0..self.cols()).filter(|&j| mask.data[(i, j)] != 0.0).map(|j| (i, j)));
        }
        Ok(at)
    }

    /// The entries where `mask` is non-zero, in row-major order, as a column
    /// (numpy's `A[M]`, MATLAB's `A(M)` read row by row). `O(mn)`.
    pub fn masked(&self, mask: &Matrix) -> Result<Matrix> {
        let at = self.mask_positions(mask, "index")?;
        Ok(Matrix::from_fn(at.len(), 1, |k, _| self.data[at[k]]))
    }

    /// Writes `values` where `mask` is non-zero, in row-major order (numpy's
    /// `A[M] = v`): `values` is `1×1` (broadcast) or has one entry per selected
    /// position. Nothing is written when the count does not match. `O(mn)`.
    pub fn assign_masked(&mut self, mask: &Matrix, values: &Matrix) -> Result<()> {
        let at = self.mask_positions(mask, "setindex")?;
        let entries = values.to_row_major();
        if entries.len() != 1 && entries.len() != at.len() {
            return Err(Error::invalid(
                "setindex",
                format!("the mask selects {} entries but {} values were given", at.len(), entries.len()),
            ));
        }
        for (k, &p) in at.iter().enumerate() {
            self.data[p] = if entries.len() == 1 { entries[0] } else { entries[k] };
        }
        Ok(())
    }

    /// Reads the entries in row-major order into an `m×n` matrix (numpy's
    /// `reshape`, C order). Errors unless `m·n` equals the number of entries.
    pub fn reshape(&self, m: usize, n: usize) -> Result<Matrix> {
        if m.checked_mul(n) != Some(self.len()) {
            return Err(Error::invalid(
                "reshape",
                format!("cannot reshape a {} matrix ({} entries) into {}", self.shape(), self.len(), Shape(m, n)),
            ));
        }
        Matrix::from_row_major(m, n, &self.to_row_major())
    }

    /// The transpose `Aᵀ`, copied in tiles ([`Matrix::tiled`]). `O(mn)`.
    pub fn transpose(&self) -> Matrix {
        let columns: Vec<&[f64]> = (0..self.cols()).map(|j| self.data.col_as_slice(j)).collect();
        Matrix::tiled(self.cols(), self.rows(), |i, j| columns[i][j])
    }

    /// The `m×n` matrix of `get(i, j)`, filled in 32×32 tiles: for a `get`
    /// that reads along rows (row-major data, the columns of a transpose), the
    /// reads and the column-major writes both stay in cache, where an
    /// entry-by-entry fill misses it on one side. A 4096×1024 transpose took
    /// 53 ms entry by entry and 34–42 ms tiled on a 2-core EPYC, most of the
    /// rest being the first touch of the new 32 MB. `O(mn)`.
    pub(crate) fn tiled(m: usize, n: usize, get: impl Fn(usize, usize) -> f64) -> Matrix {
        const TILE: usize = 32;
        crate::memory::guard(m, n);
        let mut out = Mat::<f64>::zeros(m, n);
        for i0 in (0..m).step_by(TILE) {
            let i1 = (i0 + TILE).min(m);
            for j0 in (0..n).step_by(TILE) {
                for j in j0..(j0 + TILE).min(n) {
                    for (i, d) in (i0..i1).zip(&mut out.col_as_slice_mut(j)[i0..i1]) {
                        *d = get(i, j);
                    }
                }
            }
        }
        Matrix::from_faer(out)
    }

    /// Side-by-side concatenation `[A B ...]`; all must have the same number of rows.
    pub fn hcat(parts: &[&Matrix]) -> Result<Matrix> {
        Matrix::concatenate(parts, Axis::Columns)
    }

    /// Stacked concatenation `[A; B; ...]`; all must have the same number of columns.
    pub fn vcat(parts: &[&Matrix]) -> Result<Matrix> {
        Matrix::concatenate(parts, Axis::Rows)
    }

    /// Concatenates along `axis`; no parts give the `0×0` matrix.
    fn concatenate(parts: &[&Matrix], axis: Axis) -> Result<Matrix> {
        let Some(first) = parts.first() else {
            return Ok(Matrix::zeros(0, 0));
        };
        // (length along the axis, the extent that must agree)
        let split = |m: &Matrix| match axis {
            Axis::Rows => (m.rows(), m.cols()),
            Axis::Columns => (m.cols(), m.rows()),
        };
        let extent = split(first).1;
        if let Some(bad) = parts.iter().find(|p| split(p).1 != extent) {
            let (op, rule) = match axis {
                Axis::Rows => ("vcat", "all parts must have the same number of columns"),
                Axis::Columns => ("hcat", "all parts must have the same number of rows"),
            };
            return Err(Error::shapes(op, first.shape(), bad.shape(), rule));
        }
        let total: usize = parts.iter().map(|p| split(p).0).sum();
        let mut out = match axis {
            Axis::Rows => Mat::zeros(total, extent),
            Axis::Columns => Mat::zeros(extent, total),
        };
        let mut offset = 0;
        for p in parts {
            let mut target = match axis {
                Axis::Rows => out.as_mut().submatrix_mut(offset, 0, p.rows(), p.cols()),
                Axis::Columns => out.as_mut().submatrix_mut(0, offset, p.rows(), p.cols()),
            };
            target.copy_from(p.as_faer());
            offset += split(p).0;
        }
        Ok(Matrix::from_faer(out))
    }

    /// The matrix repeated `m` times down and `n` times across (numpy's
    /// `np.tile(A, (m, n))`, MATLAB's `repmat`). `O(mn·len)`.
    pub fn tile(&self, m: usize, n: usize) -> Result<Matrix> {
        let (r, c) = (self.rows(), self.cols());
        crate::memory::check("repeat", r.saturating_mul(m), c.saturating_mul(n))?;
        Ok(Matrix::from_fn(r * m, c * n, |i, j| self.data[(i % r, j % c)]))
    }

    /// The entries on and above diagonal `k` (0 the main one, `k > 0` above,
    /// `k < 0` below), zeros elsewhere (`np.triu(A, k)`). `O(mn)`.
    pub fn triu(&self, k: i64) -> Matrix {
        Matrix::from_fn(self.rows(), self.cols(), |i, j| if j as i64 - i as i64 >= k { self.data[(i, j)] } else { 0.0 })
    }

    /// The entries on and below diagonal `k`, zeros elsewhere (`np.tril(A, k)`). `O(mn)`.
    pub fn tril(&self, k: i64) -> Matrix {
        Matrix::from_fn(self.rows(), self.cols(), |i, j| if j as i64 - i as i64 <= k { self.data[(i, j)] } else { 0.0 })
    }

    // ----- elementwise --------------------------------------------------

    /// `f` applied to every entry.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Matrix {
        Matrix::from_fn(self.rows(), self.cols(), |i, j| f(self.data[(i, j)]))
    }

    /// `f(a, b)` entrywise with numpy broadcasting: a dimension of size 1
    /// stretches to match the other operand (so scalars, rows and columns broadcast).
    pub fn zip_with(&self, other: &Matrix, op: &'static str, f: impl Fn(f64, f64) -> f64) -> Result<Matrix> {
        let dim = |a: usize, b: usize| match (a, b) {
            _ if a == b => Some(a),
            (1, b) => Some(b),
            (a, 1) => Some(a),
            _ => None,
        };
        let (Some(m), Some(n)) = (dim(self.rows(), other.rows()), dim(self.cols(), other.cols())) else {
            return Err(Error::shapes(op, self.shape(), other.shape(), "each dimension must be equal or 1"));
        };
        crate::memory::check(op, m, n)?;
        let pick = |x: &Matrix, i: usize, j: usize| {
            x.data[(if x.rows() == 1 { 0 } else { i }, if x.cols() == 1 { 0 } else { j })]
        };
        Ok(Matrix::from_fn(m, n, |i, j| f(pick(self, i, j), pick(other, i, j))))
    }

    /// `A + B` with broadcasting.
    pub fn add(&self, other: &Matrix) -> Result<Matrix> {
        self.zip_with(other, "+", |a, b| a + b)
    }

    /// `A − B` with broadcasting.
    pub fn sub(&self, other: &Matrix) -> Result<Matrix> {
        self.zip_with(other, "-", |a, b| a - b)
    }

    /// `A .* B` (Hadamard product) with broadcasting.
    pub fn mul_elem(&self, other: &Matrix) -> Result<Matrix> {
        self.zip_with(other, ".*", |a, b| a * b)
    }

    /// `A ./ B` with broadcasting.
    pub fn div_elem(&self, other: &Matrix) -> Result<Matrix> {
        self.zip_with(other, "./", |a, b| a / b)
    }

    /// `A .^ B` with broadcasting.
    pub fn pow_elem(&self, other: &Matrix) -> Result<Matrix> {
        self.zip_with(other, ".^", f64::powf)
    }

    /// `s·A`.
    pub fn scale(&self, s: f64) -> Matrix {
        self.map(|x| s * x)
    }

    /// Whether every entry is finite.
    pub fn is_finite(&self) -> bool {
        (0..self.cols()).all(|j| self.data.col(j).iter().all(|x| x.is_finite()))
    }

    /// Errors with [`Error::NonFinite`] if any entry is NaN or infinite.
    pub(crate) fn require_finite(&self, op: &'static str) -> Result<()> {
        if self.is_finite() {
            Ok(())
        } else {
            Err(Error::NonFinite { op })
        }
    }

    /// Errors with [`Error::NotSquare`] unless the matrix is square.
    pub(crate) fn require_square(&self, op: &'static str) -> Result<usize> {
        if self.is_square() {
            Ok(self.rows())
        } else {
            Err(Error::NotSquare { op, shape: self.shape() })
        }
    }

    /// Sum of all entries.
    pub fn sum(&self) -> f64 {
        self.data.sum()
    }

    /// Largest absolute entry (0 for an empty matrix).
    pub fn max_abs(&self) -> f64 {
        self.data.norm_max()
    }

    // ----- products -----------------------------------------------------

    /// The matrix product `A·B`. Cost `2mkn` flops; runs on faer's GEMM,
    /// in parallel above a small size.
    pub fn matmul(&self, other: &Matrix) -> Result<Matrix> {
        if self.cols() != other.rows() {
            return Err(Error::shapes(
                "*",
                self.shape(),
                other.shape(),
                "columns of the left must equal rows of the right",
            ));
        }
        crate::memory::check("*", self.rows(), other.cols())?;
        let mut out = Mat::zeros(self.rows(), other.cols());
        gemm(out.as_mut(), Accum::Replace, self.as_faer(), other.as_faer());
        Ok(Matrix::from_faer(out))
    }

    /// The dense Kronecker product `A ⊗ B` (`mp×nq`), entry
    /// `(i·p + k, j·q + l) = A[i,j]·B[k,l]`.
    pub fn kron(&self, other: &Matrix) -> Matrix {
        let (p, q) = (other.rows(), other.cols());
        Matrix::from_fn(self.rows().saturating_mul(p), self.cols().saturating_mul(q), |r, c| {
            self.data[(r / p, c / q)] * other.data[(r % p, c % q)]
        })
    }

    /// `trace(A) = Σ Aᵢᵢ`; errors unless square.
    pub fn trace(&self) -> Result<f64> {
        self.require_square("trace")?;
        Ok((0..self.rows()).map(|i| self.data[(i, i)]).sum())
    }

    /// `max |A − Aᵀ|` for a square matrix.
    pub(crate) fn asymmetry(&self) -> f64 {
        let n = self.rows();
        let mut worst = 0.0f64;
        for j in 0..n {
            for i in 0..j {
                worst = worst.max((self.data[(i, j)] - self.data[(j, i)]).abs());
            }
        }
        worst
    }

    /// Whether the matrix is square and symmetric to within
    /// `√ε · max|A|` (rounding left by products such as `XᵀX` is accepted).
    pub fn is_symmetric(&self) -> bool {
        self.is_square() && self.asymmetry() <= f64::EPSILON.sqrt() * self.max_abs()
    }
}

/// The direction of a concatenation.
#[derive(Clone, Copy)]
enum Axis {
    Rows,
    Columns,
}

impl std::ops::Index<(usize, usize)> for Matrix {
    type Output = f64;
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        &self.data[(i, j)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `A·B` by the definition, entry by entry.
    fn product(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
        Mat::from_fn(a.nrows(), b.ncols(), |i, j| (0..a.ncols()).map(|k| a[(i, k)] * b[(k, j)]).sum())
    }

    fn close(x: MatRef<'_, f64>, y: MatRef<'_, f64>) -> bool {
        (x.nrows(), x.ncols()) == (y.nrows(), y.ncols())
            && (0..x.nrows())
                .all(|i| (0..x.ncols()).all(|j| (x[(i, j)] - y[(i, j)]).abs() <= 1e-12 * (1.0 + y[(i, j)].abs())))
    }

    #[test]
    fn matrix_vector_products_are_the_definition() {
        let entry = |i: usize, j: usize| ((i * 7 + j * 13) % 17) as f64 - 8.0 + 0.25 * ((i + j) % 3) as f64;
        // Column counts with and without a remainder of four; one thread and
        // several (3000·800 multiply-adds are above the threshold).
        for (m, k) in [(1, 1), (5, 3), (1037, 13), (3000, 800), (4, 0)] {
            let a = Mat::from_fn(m, k, entry);
            let x = Mat::from_fn(k, 1, |i, _| entry(i, 5) / 3.0);
            for accum in [Accum::Replace, Accum::Add] {
                let mut y = Mat::from_fn(m, 1, |i, _| i as f64);
                gemm(y.as_mut(), accum, a.as_ref(), x.as_ref());
                let mut want = product(a.as_ref(), x.as_ref());
                if matches!(accum, Accum::Add) {
                    want += Mat::from_fn(m, 1, |i, _| i as f64);
                }
                assert!(close(y.as_ref(), want.as_ref()), "A·x, {m}×{k}");
                // xᵀ·Aᵀ, with Aᵀ stored column-major, is the row vector (A·x)ᵀ.
                let at = a.transpose().to_owned();
                let mut row = Mat::from_fn(1, m, |_, j| j as f64);
                gemm(row.as_mut(), accum, x.transpose(), at.as_ref());
                assert!(close(row.as_ref(), want.transpose()), "xᵀ·Aᵀ, {m}×{k}");
            }
            // A transposed view (no unit row stride) takes the general product.
            let at = a.transpose().to_owned();
            let mut y = Mat::zeros(m, 1);
            gemm(y.as_mut(), Accum::Replace, at.transpose(), x.as_ref());
            assert!(close(y.as_ref(), product(a.as_ref(), x.as_ref()).as_ref()));
        }
    }
}
