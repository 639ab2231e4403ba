//! Operations along an axis, numpy's `axis=` argument on two-dimensional
//! arrays: reductions (one number per lane), scans and orderings (a lane
//! for a lane), with numpy's conventions for NaN, ties and empty input.
//!
//! A lane is a run of entries taken together: every entry (`axis=None`,
//! read row by row), each column (`axis=0`) or each row (`axis=1`).

use std::borrow::Cow;

use faer::{ColMut, ColRef, MatMut, MatRef};

use crate::dense::Matrix;

/// Which entries an operation takes together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// All entries, in row-major order (numpy's `axis=None`).
    All,
    /// Down each column (numpy's `axis=0`).
    Columns,
    /// Along each row (numpy's `axis=1`).
    Rows,
}

impl Axis {
    /// The axis numpy's number names: 0 (columns) or 1 (rows).
    pub fn from_index(k: i64) -> Option<Axis> {
        match k {
            0 => Some(Axis::Columns),
            1 => Some(Axis::Rows),
            _ => None,
        }
    }
}

/// The lanes of `m` along `axis` as the columns of a matrix, which faer
/// stores contiguously: `m` itself for its columns (and for all the entries
/// of a column vector), its transpose for its rows (a tiled copy), and the
/// row-major entries as one column for all the entries of a matrix.
fn lane_columns(m: &Matrix, axis: Axis) -> Cow<'_, Matrix> {
    match axis {
        Axis::Columns => Cow::Borrowed(m),
        Axis::All if m.cols() == 1 => Cow::Borrowed(m),
        Axis::All => Cow::Owned(Matrix::col(&m.to_row_major())),
        Axis::Rows => Cow::Owned(m.transpose()),
    }
}

/// The entries of a faer column, which are contiguous in a `Mat` and in
/// any block of its rows.
fn slice(c: ColRef<'_, f64>) -> &[f64] {
    c.try_as_col_major().expect("faer columns are contiguous").as_slice()
}

fn slice_mut(c: ColMut<'_, f64>) -> &mut [f64] {
    c.try_as_col_major_mut().expect("faer columns are contiguous").as_slice_mut()
}

/// Lanes at or above this many entries in all are worked on by every core.
const PARALLEL_ENTRIES: usize = 1 << 16;

/// Whether the lanes of `m` are worth spreading over the cores (rayon).
fn in_parallel(m: &Matrix) -> bool {
    m.cols() > 1 && m.len() >= PARALLEL_ENTRIES
}

/// `f` of each lane, read in place for columns (a copy for rows and for all
/// the entries of a matrix), in parallel when there are several lanes and
/// many entries.
fn each_lane<T: Send>(m: &Matrix, axis: Axis, f: impl Fn(&[f64]) -> T + Sync) -> Vec<T> {
    use rayon::prelude::*;
    let lanes = lane_columns(m, axis);
    let data = lanes.as_faer();
    let lane = |j: usize| f(slice(data.col(j)));
    if in_parallel(&lanes) {
        (0..lanes.cols()).into_par_iter().map(lane).collect()
    } else {
        (0..lanes.cols()).map(lane).collect()
    }
}

/// `f` of each lane: a `1×1` matrix for [`Axis::All`], the `1×n` row of
/// column values for [`Axis::Columns`], the `m×1` column of row values for
/// [`Axis::Rows`]. `O(mn)` plus the cost of `f`.
pub fn reduce(m: &Matrix, axis: Axis, f: impl Fn(&[f64]) -> f64 + Sync) -> Matrix {
    let values = each_lane(m, axis, f);
    match axis {
        Axis::All => Matrix::scalar(values[0]),
        Axis::Columns => Matrix::row(&values),
        Axis::Rows => Matrix::col(&values),
    }
}

/// A lane for a lane (scans, orderings, softmax): `f(lane, out)` writes the
/// result of each lane into `out`, of the same length, straight into the
/// result's storage. The result has the shape of `m` along an axis; for
/// [`Axis::All`], the row-major result as a vector of `m`'s orientation, or
/// an `mn×1` column for a matrix (numpy's flattened result). `O(mn)` plus
/// `f`, and two tiled copies along rows.
pub fn scan(m: &Matrix, axis: Axis, f: impl Fn(&[f64], &mut [f64]) + Sync) -> Matrix {
    use rayon::prelude::*;
    let lanes = lane_columns(m, axis);
    let mut out = Matrix::zeros(lanes.rows(), lanes.cols());
    let data = lanes.as_faer();
    let lane = |(j, o): (usize, ColMut<'_, f64>)| f(slice(data.col(j)), slice_mut(o));
    if in_parallel(&lanes) {
        out.as_faer_mut().par_col_iter_mut().enumerate().for_each(lane);
    } else {
        out.as_faer_mut().col_iter_mut().enumerate().for_each(lane);
    }
    match axis {
        Axis::All if m.rows() == 1 => out.transpose(),
        Axis::Rows => out.transpose(),
        _ => out,
    }
}

/// numpy's sort order: ascending, NaN after everything (`-0` and `0` tie).
pub fn ascending(a: &f64, b: &f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(b).expect("numbers"),
        (a_nan, b_nan) => a_nan.cmp(&b_nan),
    }
}

/// The lane in ascending order, NaN last (`np.sort`), into `out`. `O(n log n)`.
pub fn sorted(xs: &[f64], out: &mut [f64]) {
    out.copy_from_slice(xs);
    out.sort_by(ascending);
}

/// The positions that sort the lane, ties in their original order
/// (`np.argsort(kind="stable")`), into `out`. `O(n log n)`.
pub fn argsort(xs: &[f64], out: &mut [f64]) {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&i, &j| ascending(&xs[i], &xs[j]));
    for (o, i) in out.iter_mut().zip(order) {
        *o = i as f64;
    }
}

/// The running sums `sₖ = x₀ + … + xₖ` (`np.cumsum`), into `out`. `O(n)`.
/// They start from `-0`, for which `-0 + x = x` always (so `-0` stays `-0`).
pub fn cumsum(xs: &[f64], out: &mut [f64]) {
    running(xs, out, -0.0, |s, x| s + x);
}

/// The running products `pₖ = x₀ ⋯ xₖ` (`np.cumprod`), into `out`. `O(n)`.
pub fn cumprod(xs: &[f64], out: &mut [f64]) {
    running(xs, out, 1.0, |p, x| p * x);
}

/// `outₖ = op(outₖ₋₁, xₖ)`, starting from `start`.
fn running(xs: &[f64], out: &mut [f64], start: f64, op: impl Fn(f64, f64) -> f64) {
    let mut acc = start;
    for (o, &x) in out.iter_mut().zip(xs) {
        acc = op(acc, x);
        *o = acc;
    }
}

/// `Σ (xᵢ − x̄)² / (n − ddof)` (`np.var`): NaN when `n ≤ ddof`. Two
/// passes, `O(n)`.
pub fn var(xs: &[f64], ddof: f64) -> f64 {
    let n = xs.len() as f64;
    if n - ddof <= 0.0 {
        return f64::NAN;
    }
    let mean = xs.iter().sum::<f64>() / n;
    xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - ddof)
}

/// The position of the first largest entry, or of the first NaN
/// (`np.argmax`); `None` for no entries. `O(n)`.
pub fn argmax(xs: &[f64]) -> Option<usize> {
    first_extreme(xs, |x, best| x > best)
}

/// The position of the first smallest entry, or of the first NaN (`np.argmin`).
pub fn argmin(xs: &[f64]) -> Option<usize> {
    first_extreme(xs, |x, best| x < best)
}

fn first_extreme(xs: &[f64], better: fn(f64, f64) -> bool) -> Option<usize> {
    if let Some(k) = xs.iter().position(|x| x.is_nan()) {
        return Some(k);
    }
    let mut best = None;
    for (k, &x) in xs.iter().enumerate() {
        if best.is_none_or(|b: usize| better(x, xs[b])) {
            best = Some(k);
        }
    }
    best
}

/// `log Σ eˣⁱ`, shifted by the largest entry so that nothing overflows
/// (`scipy.special.logsumexp`): `-inf` for no entries or all `-inf`. `O(n)`.
pub fn logsumexp(xs: &[f64]) -> f64 {
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if xs.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    if top.is_infinite() {
        return top;
    }
    top + xs.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
}

/// `eˣⁱ / Σ eˣʲ`, shifted by the largest entry (`scipy.special.softmax`),
/// into `out`. `O(n)`, one exponential per entry.
pub fn softmax(xs: &[f64], out: &mut [f64]) {
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for (o, x) in out.iter_mut().zip(xs) {
        *o = (x - top).exp();
    }
    let total: f64 = out.iter().sum();
    for o in out.iter_mut() {
        *o /= total;
    }
}

/// [`softmax`] of every row of `m`, in sweeps down the columns that faer
/// stores contiguously instead of through two transposed copies: the rows'
/// maxima, then `eᵃⁱʲ⁻ᵐⁱ` and the rows' sums, then the division. The same
/// operations in the same order as [`softmax`], so the same bits. `O(mn)`,
/// in parallel over blocks of at most 256 rows.
pub fn softmax_rows(m: &Matrix) -> Matrix {
    use rayon::prelude::*;
    let rows_per_block = m.rows().div_ceil(rayon::current_num_threads()).clamp(1, 256);
    let block = |(a, mut out): (MatRef<'_, f64>, MatMut<'_, f64>)| {
        let mut top = vec![f64::NEG_INFINITY; a.nrows()];
        for x in a.col_iter() {
            top.iter_mut().zip(slice(x)).for_each(|(t, &x)| *t = t.max(x));
        }
        let mut total = vec![-0.0; a.nrows()];
        for (x, o) in a.col_iter().zip(out.as_mut().col_iter_mut()) {
            for (((o, s), x), t) in slice_mut(o).iter_mut().zip(&mut total).zip(slice(x)).zip(&top) {
                *o = (x - t).exp();
                *s += *o;
            }
        }
        for o in out.col_iter_mut() {
            slice_mut(o).iter_mut().zip(&total).for_each(|(o, s)| *o /= s);
        }
    };
    let mut out = Matrix::zeros(m.rows(), m.cols());
    let (a, o) = (m.as_faer(), out.as_faer_mut());
    if m.rows() > 1 && m.len() >= PARALLEL_ENTRIES {
        a.par_row_chunks(rows_per_block).zip(o.par_row_chunks_mut(rows_per_block)).for_each(block);
    } else {
        block((a, o));
    }
    out
}

/// The distinct values in ascending order, one NaN last if any
/// (`np.unique`, whose `equal_nan` is true). `O(n log n)`.
pub fn unique(xs: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; xs.len()];
    sorted(xs, &mut out);
    out.dedup_by(|a, b| a == b || (a.is_nan() && b.is_nan()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f` of one lane, as a new vector.
    fn of(f: fn(&[f64], &mut [f64]), xs: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; xs.len()];
        f(xs, &mut out);
        out
    }

    #[test]
    fn orderings_follow_numpy() {
        let nan = f64::NAN;
        let xs = [3.0, nan, -1.0, 3.0, 0.0];
        let s = of(sorted, &xs);
        assert_eq!(&s[..4], &[-1.0, 0.0, 3.0, 3.0]);
        assert!(s[4].is_nan());
        assert_eq!(of(argsort, &xs), vec![2.0, 4.0, 0.0, 3.0, 1.0]);
        assert_eq!(argmax(&[1.0, 5.0, 5.0]), Some(1));
        assert_eq!(argmax(&[1.0, nan, 7.0]), Some(1));
        assert_eq!(argmin(&[]), None);
        assert_eq!(unique(&[2.0, nan, 1.0, 2.0, nan]).len(), 3);
        assert_eq!(of(cumsum, &[1.0, 2.0, 3.0]), vec![1.0, 3.0, 6.0]);
        assert!(of(cumsum, &[-0.0])[0].is_sign_negative(), "np.cumsum([-0.0]) is [-0.]");
        assert_eq!(of(cumprod, &[1.0, 2.0, 3.0]), vec![1.0, 2.0, 6.0]);
        assert_eq!(var(&[1.0, 2.0, 3.0, 4.0], 1.0), 5.0 / 3.0);
        assert!(var(&[1.0], 1.0).is_nan());
    }

    #[test]
    fn exponentials_do_not_overflow() {
        assert_eq!(logsumexp(&[1000.0, 1000.0]), 1000.0 + 2f64.ln());
        assert_eq!(logsumexp(&[f64::NEG_INFINITY; 2]), f64::NEG_INFINITY);
        assert_eq!(of(softmax, &[1000.0, 1000.0]), vec![0.5, 0.5]);
    }

    #[test]
    fn softmax_of_rows_is_softmax_of_each_row_bit_for_bit() {
        let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let special = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        // Enough rows and entries for the parallel paths of both; rows 5, 6
        // and 7 hold a NaN, an inf and a -inf.
        let m = Matrix::from_fn(600, 110, |i, j| match (i, j) {
            (5..=7, 3) => special[i - 5],
            _ => ((i * 7 + j * 13) % 17) as f64 - 8.0 + 1e3 * (i % 3) as f64,
        });
        let rows = softmax_rows(&m).row_vectors();
        for (got, row) in rows.iter().zip(m.row_vectors()) {
            assert_eq!(bits(got), bits(&of(softmax, &row)));
        }
        assert_eq!(bits(&softmax_rows(&m).to_row_major()), bits(&scan(&m, Axis::Rows, softmax).to_row_major()));
        // Few long rows are split over the cores too; no rows or no columns stay empty.
        let wide = Matrix::from_fn(2, 40_000, |i, j| (i + j % 9) as f64);
        assert_eq!(bits(&softmax_rows(&wide).to_row_major()), bits(&scan(&wide, Axis::Rows, softmax).to_row_major()));
        assert_eq!(softmax_rows(&Matrix::zeros(0, 3)).shape(), crate::Shape(0, 3));
        assert_eq!(softmax_rows(&Matrix::zeros(3, 0)).shape(), crate::Shape(3, 0));
    }

    #[test]
    fn lanes_keep_numpy_shapes() {
        let m = Matrix::from_rows(&[vec![3.0, 1.0], vec![2.0, 4.0]]).unwrap();
        assert_eq!(reduce(&m, Axis::Columns, |l| l.iter().sum()).to_row_major(), vec![5.0, 5.0]);
        assert_eq!(reduce(&m, Axis::Rows, |l| l.iter().sum()).shape(), crate::Shape(2, 1));
        assert_eq!(scan(&m, Axis::All, cumsum).shape(), crate::Shape(4, 1));
        assert_eq!(scan(&m, Axis::Columns, sorted).to_row_major(), vec![2.0, 1.0, 3.0, 4.0]);
    }
}
