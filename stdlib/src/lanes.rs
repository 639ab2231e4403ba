//! Operations along an axis, numpy's `axis=` argument on two-dimensional
//! arrays: reductions (one number per lane), scans and orderings (a lane
//! for a lane), with numpy's conventions for NaN, ties and empty input.
//!
//! A lane is a run of entries taken together: every entry (`axis=None`,
//! read row by row), each column (`axis=0`) or each row (`axis=1`).

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

/// The lanes of `m` along `axis`, each read from faer's column-major storage
/// in one pass: a column is a contiguous slice, rows are the transpose's columns.
fn lanes(m: &Matrix, axis: Axis) -> Vec<Vec<f64>> {
    let columns = |a: faer::MatRef<'_, f64>| -> Vec<Vec<f64>> {
        (0..a.ncols()).map(|j| a.col(j).iter().copied().collect()).collect()
    };
    match axis {
        Axis::All if m.cols() == 1 => columns(m.as_faer()),
        Axis::All => vec![m.to_row_major()],
        Axis::Columns => columns(m.as_faer()),
        Axis::Rows => columns(m.transpose().as_faer()),
    }
}

/// Lanes at or above this many entries in all are worked on by every core.
const PARALLEL_ENTRIES: usize = 1 << 16;

/// `f` of each lane, in parallel (rayon) when there are several lanes and
/// many entries.
fn each_lane<T: Send>(m: &Matrix, axis: Axis, f: impl Fn(&[f64]) -> T + Sync) -> Vec<T> {
    use rayon::prelude::*;
    let lanes = lanes(m, axis);
    if lanes.len() > 1 && m.len() >= PARALLEL_ENTRIES {
        lanes.par_iter().map(|l| f(l)).collect()
    } else {
        lanes.iter().map(|l| f(l)).collect()
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

/// `f` of each lane, a lane of the same length back (scans, orderings,
/// softmax): the shape of `m` along an axis; for [`Axis::All`], the
/// row-major result as a vector of `m`'s orientation, or an `mn×1`
/// column for a matrix (numpy's flattened result). `O(mn)` plus `f`.
pub fn scan(m: &Matrix, axis: Axis, f: impl Fn(&[f64]) -> Vec<f64> + Sync) -> Matrix {
    let out = each_lane(m, axis, f);
    match axis {
        Axis::All if m.rows() == 1 => Matrix::row(&out[0]),
        Axis::All => Matrix::col(&out[0]),
        // The lanes are columns: filled column by column, contiguously.
        Axis::Columns => Matrix::from_fn(m.rows(), m.cols(), |i, j| out[j][i]),
        Axis::Rows => Matrix::tiled(m.rows(), m.cols(), |i, j| out[i][j]),
    }
}

/// numpy's sort order: ascending, NaN after everything (`-0` and `0` tie).
pub fn ascending(a: &f64, b: &f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => a.partial_cmp(b).expect("numbers"),
        (a_nan, b_nan) => a_nan.cmp(&b_nan),
    }
}

/// The lane in ascending order, NaN last (`np.sort`). `O(n log n)`.
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut out = xs.to_vec();
    out.sort_by(ascending);
    out
}

/// The positions that sort the lane, ties in their original order
/// (`np.argsort(kind="stable")`). `O(n log n)`.
pub fn argsort(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&i, &j| ascending(&xs[i], &xs[j]));
    order.into_iter().map(|i| i as f64).collect()
}

/// The running sums `sₖ = x₀ + … + xₖ` (`np.cumsum`). `O(n)`.
pub fn cumsum(xs: &[f64]) -> Vec<f64> {
    xs.iter().scan(0.0, |s, x| Some(*s + x).inspect(|&t| *s = t)).collect()
}

/// The running products `pₖ = x₀ ⋯ xₖ` (`np.cumprod`). `O(n)`.
pub fn cumprod(xs: &[f64]) -> Vec<f64> {
    xs.iter().scan(1.0, |p, x| Some(*p * x).inspect(|&t| *p = t)).collect()
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

/// `eˣⁱ / Σ eˣʲ`, shifted by the largest entry (`scipy.special.softmax`). `O(n)`.
pub fn softmax(xs: &[f64]) -> Vec<f64> {
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = xs.iter().map(|x| (x - top).exp()).collect();
    let total: f64 = e.iter().sum();
    e.into_iter().map(|x| x / total).collect()
}

/// The distinct values in ascending order, one NaN last if any
/// (`np.unique`, whose `equal_nan` is true). `O(n log n)`.
pub fn unique(xs: &[f64]) -> Vec<f64> {
    let mut out = sorted(xs);
    out.dedup_by(|a, b| a == b || (a.is_nan() && b.is_nan()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderings_follow_numpy() {
        let nan = f64::NAN;
        let xs = [3.0, nan, -1.0, 3.0, 0.0];
        let s = sorted(&xs);
        assert_eq!(&s[..4], &[-1.0, 0.0, 3.0, 3.0]);
        assert!(s[4].is_nan());
        assert_eq!(argsort(&xs), vec![2.0, 4.0, 0.0, 3.0, 1.0]);
        assert_eq!(argmax(&[1.0, 5.0, 5.0]), Some(1));
        assert_eq!(argmax(&[1.0, nan, 7.0]), Some(1));
        assert_eq!(argmin(&[]), None);
        assert_eq!(unique(&[2.0, nan, 1.0, 2.0, nan]).len(), 3);
        assert_eq!(cumsum(&[1.0, 2.0, 3.0]), vec![1.0, 3.0, 6.0]);
        assert_eq!(cumprod(&[1.0, 2.0, 3.0]), vec![1.0, 2.0, 6.0]);
        assert_eq!(var(&[1.0, 2.0, 3.0, 4.0], 1.0), 5.0 / 3.0);
        assert!(var(&[1.0], 1.0).is_nan());
    }

    #[test]
    fn exponentials_do_not_overflow() {
        assert_eq!(logsumexp(&[1000.0, 1000.0]), 1000.0 + 2f64.ln());
        assert_eq!(logsumexp(&[f64::NEG_INFINITY; 2]), f64::NEG_INFINITY);
        assert_eq!(softmax(&[1000.0, 1000.0]), vec![0.5, 0.5]);
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
