//! Matrices resident on the GPU and the operations on them.

use super::kernels::{Binary, Unary, TILE};
use super::{count_download, count_upload, Gpu};
use super::{cubes, line};
use crate::error::{Error, Result};
use crate::{Matrix, Shape};
use cubecl::ir::{ElemType, FloatKind};
use cubecl::prelude::*;
use cubecl::server::Handle;

/// The element type of a device matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    /// 32-bit floats, `f32`.
    F32,
    /// 64-bit floats, `f64`.
    F64,
}

impl Precision {
    fn bytes(self) -> usize {
        match self {
            Precision::F32 => 4,
            Precision::F64 => 8,
        }
    }

    /// `f32` or `f64`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

/// A dense matrix in GPU memory: row-major, `rows × cols`, in `precision`.
/// Cloning shares the buffer (values are never written in place).
#[derive(Clone)]
pub struct GpuMatrix {
    pub(super) handle: Handle,
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) precision: Precision,
}

impl std::fmt::Debug for GpuMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuMatrix({}×{}, {})", self.rows, self.cols, self.precision.name())
    }
}

impl GpuMatrix {
    /// Copies `m` to the device (one upload).
    pub fn upload(m: &Matrix, precision: Precision) -> Result<GpuMatrix> {
        let gpu = Gpu::get()?;
        if precision == Precision::F64 && !gpu.supports_f64() {
            return Err(Error::Device { reason: format!("{} does not compute in f64; use f32", gpu.name()) });
        }
        let values = m.to_row_major();
        let handle = match precision {
            Precision::F64 => gpu.client().create_from_slice(f64::as_bytes(&values)),
            Precision::F32 => {
                let single: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                gpu.client().create_from_slice(f32::as_bytes(&single))
            }
        };
        count_upload();
        Ok(GpuMatrix { handle, rows: m.rows(), cols: m.cols(), precision })
    }

    /// Copies the matrix back to the host (one download).
    pub fn download(&self) -> Result<Matrix> {
        let values = read(&self.handle, self.precision, self.len())?;
        Matrix::from_row_major(self.rows, self.cols, &values)
    }

    /// The entries at `rows × cols` (a display's corners), gathered on the
    /// device so that only they come back.
    pub fn region(&self, rows: &[usize], cols: &[usize]) -> Result<Matrix> {
        if rows.iter().any(|&i| i >= self.rows) || cols.iter().any(|&j| j >= self.cols) {
            return Err(Error::invalid("region", "an index is out of bounds"));
        }
        let index: Vec<u32> = rows
            .iter()
            .flat_map(|&i| cols.iter().map(move |&j| u32::try_from(i * self.cols + j)))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| Error::invalid("region", "the matrix is too large to index with 32 bits"))?;
        let gpu = Gpu::get()?;
        let idx = gpu.client().create_from_slice(u32::as_bytes(&index));
        let out = self.empty_like(rows.len(), cols.len())?;
        launch!(
            self.precision,
            gather(
                gpu.client(),
                cubes(index.len()),
                line(),
                self.arg(),
                BufferArg::from_raw_parts(idx, index.len()),
                out.arg(),
            )
        );
        out.download()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)` as a [`Shape`].
    pub fn shape(&self) -> Shape {
        Shape(self.rows, self.cols)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Whether the matrix has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type of the entries.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Bytes of device memory the entries take.
    pub fn bytes(&self) -> usize {
        self.len() * self.precision.bytes()
    }

    pub(super) fn arg(&self) -> BufferArg {
        // SAFETY: the handle holds exactly rows·cols elements of this precision.
        unsafe { BufferArg::from_raw_parts(self.handle.clone(), self.len()) }
    }

    /// A new, uninitialised matrix of this precision.
    pub(super) fn empty_like(&self, rows: usize, cols: usize) -> Result<GpuMatrix> {
        GpuMatrix::empty(rows, cols, self.precision)
    }

    /// A new, uninitialised matrix.
    pub(super) fn empty(rows: usize, cols: usize, precision: Precision) -> Result<GpuMatrix> {
        let gpu = Gpu::get()?;
        // A zero-byte buffer is not a valid binding: keep one element.
        let handle = gpu.client().empty((rows * cols).max(1) * precision.bytes());
        Ok(GpuMatrix { handle, rows, cols, precision })
    }

    /// Whether this matrix's transcendental functions must be computed from
    /// `+ − × ÷` (`f64` on a device whose shader functions are 32-bit).
    pub(super) fn soft(&self) -> Result<bool> {
        Ok(self.precision == Precision::F64 && !Gpu::get()?.f64_functions())
    }

    /// `op` on every entry.
    pub fn map(&self, op: Unary) -> Result<GpuMatrix> {
        let out = self.empty_like(self.rows, self.cols)?;
        let soft = self.soft()?;
        launch!(self.precision, map(Gpu::get()?.client(), cubes(self.len()), line(), self.arg(), out.arg(), op, soft));
        Ok(out)
    }

    /// `op(self, other)` entry by entry with numpy broadcasting (a 1×n row or
    /// m×1 column repeats; a 1×1 matrix is a scalar).
    pub fn zip(&self, other: &GpuMatrix, op: Binary, name: &'static str) -> Result<GpuMatrix> {
        if self.precision != other.precision {
            return Err(Error::Device {
                reason: format!(
                    "{name}: the operands are {} and {} on the device; convert one",
                    self.precision.name(),
                    other.precision.name()
                ),
            });
        }
        let dim = |a: usize, b: usize| match (a, b) {
            _ if a == b => Some(a),
            (1, n) | (n, 1) => Some(n),
            _ => None,
        };
        let (Some(rows), Some(cols)) = (dim(self.rows, other.rows), dim(self.cols, other.cols)) else {
            return Err(Error::shapes(name, self.shape(), other.shape(), "each dimension must be equal or 1"));
        };
        let strides = |m: &GpuMatrix| (if m.rows == 1 { 0 } else { m.cols }, if m.cols == 1 { 0 } else { 1 });
        let ((ar, ac), (br, bc)) = (strides(self), strides(other));
        let out = self.empty_like(rows, cols)?;
        launch!(
            self.precision,
            zip(
                Gpu::get()?.client(),
                cubes(rows * cols),
                line(),
                self.arg(),
                other.arg(),
                out.arg(),
                cols.max(1),
                ar,
                ac,
                br,
                bc,
                op,
                self.soft()?,
            )
        );
        Ok(out)
    }

    /// `op(self, s)` entry by entry, or `op(s, self)` when `scalar_first`.
    pub fn with_scalar(&self, s: f64, op: Binary, scalar_first: bool) -> Result<GpuMatrix> {
        let out = self.empty_like(self.rows, self.cols)?;
        let scalar = match self.precision {
            Precision::F32 => InputScalar::new(s as f32, ElemType::Float(FloatKind::F32)),
            Precision::F64 => InputScalar::new(s, ElemType::Float(FloatKind::F64)),
        };
        launch!(
            self.precision,
            with_scalar(
                Gpu::get()?.client(),
                cubes(self.len()),
                line(),
                self.arg(),
                out.arg(),
                scalar,
                op,
                scalar_first,
                self.soft()?
            )
        );
        Ok(out)
    }

    /// `self .^ k` for an integer `k` by repeated squaring (`O(log |k|)`
    /// launches of products, exact where the powers are), so integer powers
    /// need no `pow` function and work in `f64` everywhere.
    pub fn powi(&self, k: i32) -> Result<GpuMatrix> {
        if k == 0 {
            // x⁰ = 1 for every x, NaN included (as numpy): isnan(x)·0 + 1.
            return self.map(Unary::IsNan)?.with_scalar(0.0, Binary::Mul, false)?.with_scalar(1.0, Binary::Add, false);
        }
        let mut result: Option<GpuMatrix> = None;
        let mut base = self.clone();
        let mut e = k.unsigned_abs();
        while e > 0 {
            if e & 1 == 1 {
                result = Some(match result {
                    None => base.clone(),
                    Some(r) => r.zip(&base, Binary::Mul, ".^")?,
                });
            }
            e >>= 1;
            if e > 0 {
                base = base.zip(&base, Binary::Mul, ".^")?;
            }
        }
        let result = result.expect("k ≠ 0 has a set bit");
        if k < 0 {
            return result.with_scalar(1.0, Binary::Div, true);
        }
        Ok(result)
    }

    /// The matrix product, tiled in shared memory (`O(mnk)` work).
    pub fn matmul(&self, other: &GpuMatrix) -> Result<GpuMatrix> {
        if self.cols != other.rows {
            return Err(Error::shapes("*", self.shape(), other.shape(), "columns of A must equal rows of B"));
        }
        if self.precision != other.precision {
            return self.zip(other, Binary::Mul, "*");
        }
        let (m, k, n) = (self.rows, self.cols, other.cols);
        let out = self.empty_like(m, n)?;
        if m * n == 0 {
            return Ok(out);
        }
        if k == 0 {
            return GpuMatrix::upload(&Matrix::zeros(m, n), self.precision);
        }
        let count = CubeCount::Static((n as u32).div_ceil(TILE), (m as u32).div_ceil(TILE), 1);
        launch!(
            self.precision,
            matmul(
                Gpu::get()?.client(),
                count,
                CubeDim::new_2d(TILE, TILE),
                self.arg(),
                other.arg(),
                out.arg(),
                m,
                k,
                n
            )
        );
        Ok(out)
    }

    /// The transpose.
    pub fn transpose(&self) -> Result<GpuMatrix> {
        let out = self.empty_like(self.cols, self.rows)?;
        launch!(
            self.precision,
            transpose(Gpu::get()?.client(), cubes(self.len()), line(), self.arg(), out.arg(), self.rows, self.cols)
        );
        Ok(out)
    }

    /// Sums along an axis: `axis = 0` gives the 1×n row of column sums,
    /// `axis = 1` the m×1 column of row sums (`squares`: sums of squares).
    pub fn sum_axis(&self, axis: usize, squares: bool) -> Result<GpuMatrix> {
        let along_rows = match axis {
            0 => false,
            1 => true,
            other => return Err(Error::invalid("sum", format!("the axis is 0 (columns) or 1 (rows), got {other}"))),
        };
        let (rows, cols) = if along_rows { (self.rows, 1) } else { (1, self.cols) };
        let out = self.empty_like(rows, cols)?;
        launch!(
            self.precision,
            sum_lines(
                Gpu::get()?.client(),
                cubes(rows * cols),
                line(),
                self.arg(),
                out.arg(),
                self.rows,
                self.cols,
                along_rows,
                squares,
            )
        );
        Ok(out)
    }

    /// The sum of all entries (`squares`: of their squares), as a 1×1 device matrix.
    pub fn total(&self, squares: bool) -> Result<GpuMatrix> {
        if self.is_empty() {
            return GpuMatrix::upload(&Matrix::zeros(1, 1), self.precision);
        }
        self.sum_axis(1, squares)?.sum_axis(0, false)
    }
}

/// The bytes of `handle` (one download).
pub(super) fn read_bytes(handle: &Handle) -> Result<Vec<u8>> {
    let bytes = Gpu::get()?
        .client()
        .read_one(handle.clone())
        .map_err(|e| Error::Device { reason: format!("reading back from the device failed: {e:?}") })?;
    count_download();
    Ok(bytes.to_vec())
}

/// The first `len` elements of `handle` as `f64` (one download).
pub(super) fn read(handle: &Handle, precision: Precision, len: usize) -> Result<Vec<f64>> {
    let bytes = read_bytes(handle)?;
    // By chunks: a `Vec<u8>` need not be aligned for a cast.
    Ok(match precision {
        Precision::F64 => {
            bytes.chunks_exact(8).take(len).map(|b| f64::from_ne_bytes(b.try_into().expect("8 bytes"))).collect()
        }
        Precision::F32 => bytes
            .chunks_exact(4)
            .take(len)
            .map(|b| f64::from(f32::from_ne_bytes(b.try_into().expect("4 bytes"))))
            .collect(),
    })
}
