//! Structured operators, rotary embeddings, covariance and projection on the
//! device. A structured operator keeps its factors on the GPU and applies
//! itself with mode products and batched block products, never forming its
//! dense matrix unless [`GpuOperator::dense`] is asked for.

use super::matrix::{GpuMatrix, Precision};
use super::{cubes, line, Gpu, GpuQuantized};
use crate::error::{Error, Result};
use crate::{Matrix, Operator, Shape};
use cubecl::prelude::*;
use cubecl::server::Handle;

/// Block-diagonal blocks on the device: one buffer of all blocks (row-major,
/// one after another) and the per-block table the kernel reads.
#[derive(Clone, Debug)]
pub struct GpuBlocks {
    data: GpuMatrix,
    meta: Handle,
    shapes: Vec<(usize, usize)>,
}

impl GpuBlocks {
    fn upload(blocks: &[Matrix], precision: Precision) -> Result<GpuBlocks> {
        let values: Vec<f64> = blocks.iter().flat_map(|b| b.to_row_major()).collect();
        let data = GpuMatrix::upload(&Matrix::row(&values), precision)?;
        let (mut offset, mut row, mut col) = (0usize, 0usize, 0usize);
        let mut meta = Vec::with_capacity(5 * blocks.len());
        for b in blocks {
            let entry = [b.rows(), b.cols(), offset, row, col];
            meta.extend(entry.iter().map(|&v| u32::try_from(v)));
            offset += b.len();
            row += b.rows();
            col += b.cols();
        }
        let meta: Vec<u32> = meta
            .into_iter()
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| Error::invalid("gpu", "the blocks are too large to index with 32 bits"))?;
        let meta = Gpu::get()?.client().create_from_slice(u32::as_bytes(&meta));
        Ok(GpuBlocks { data, meta, shapes: blocks.iter().map(|b| (b.rows(), b.cols())).collect() })
    }

    fn shape(&self) -> Shape {
        Shape(self.shapes.iter().map(|s| s.0).sum(), self.shapes.iter().map(|s| s.1).sum())
    }

    /// `blockdiag(B₁, …) x`: one launch, one unit per output entry.
    fn apply(&self, x: &GpuMatrix) -> Result<GpuMatrix> {
        let Shape(rows, cols) = self.shape();
        if x.rows != cols {
            return Err(Error::shapes("*", self.shape(), x.shape(), "columns of A must equal rows of B"));
        }
        let out = x.empty_like(rows, x.cols)?;
        if out.is_empty() {
            return Ok(out);
        }
        launch!(
            x.precision,
            block_apply(
                Gpu::get()?.client(),
                cubes(out.len()),
                line(),
                self.data.arg(),
                BufferArg::from_raw_parts(self.meta.clone(), 5 * self.shapes.len()),
                x.arg(),
                out.arg(),
                self.shapes.len(),
                x.cols,
            )
        );
        Ok(out)
    }
}

/// A Monarch matrix on the device: its two block-diagonal factors, the
/// permutation `P` and its inverse as index tables, and its size.
#[derive(Clone, Debug)]
pub struct GpuMonarch {
    l: GpuBlocks,
    r: GpuBlocks,
    perm: Handle,
    inverse: Handle,
    n: usize,
}

/// A structured operator whose factors live on the GPU.
#[derive(Clone, Debug)]
pub enum GpuOperator {
    /// `A₁ ⊗ … ⊗ A_k`.
    Kronecker(Vec<GpuMatrix>),
    /// `blockdiag(B₁, …, B_k)`.
    BlockDiagonal(GpuBlocks),
    /// `Pᵀ L P R` with `R`, `L` block-diagonal and `P` the Monarch permutation.
    Monarch(Box<GpuMonarch>),
    /// A blockwise-quantized matrix, applied from its codes.
    Quantized(Box<GpuQuantized>),
}

impl GpuOperator {
    /// The operator with its factors uploaded: Kronecker products and
    /// block-diagonals of dense factors, Monarch matrices, and quantized
    /// matrices (their codes).
    pub fn upload(op: &Operator, precision: Precision) -> Result<GpuOperator> {
        let dense = |ops: &[Operator]| -> Option<Vec<Matrix>> {
            ops.iter().map(|o| if let Operator::Dense(m) = o { Some(m.clone()) } else { None }).collect()
        };
        let unsupported = || {
            Error::invalid(
                "gpu",
                format!(
                    "a {} operator has no gpu form yet (Kronecker, block-diagonal, Monarch and quantized do)",
                    op.structure()
                ),
            )
        };
        match op {
            Operator::Kronecker(factors) => {
                let factors = dense(factors).ok_or_else(unsupported)?;
                Ok(GpuOperator::Kronecker(
                    factors.iter().map(|f| GpuMatrix::upload(f, precision)).collect::<Result<_>>()?,
                ))
            }
            Operator::BlockDiagonal(blocks) => {
                Ok(GpuOperator::BlockDiagonal(GpuBlocks::upload(&dense(blocks).ok_or_else(unsupported)?, precision)?))
            }
            Operator::Monarch(m) => {
                let client = Gpu::get()?.client();
                let index = |p: &[usize]| -> Handle {
                    let p: Vec<u32> = p.iter().map(|&i| i as u32).collect();
                    client.create_from_slice(u32::as_bytes(&p))
                };
                let l = GpuBlocks::upload(m.left_blocks(), precision)?;
                let r = GpuBlocks::upload(m.right_blocks(), precision)?;
                let perm = m.permutation();
                let inverse = crate::ops::invert_permutation(&perm);
                Ok(GpuOperator::Monarch(Box::new(GpuMonarch {
                    l,
                    r,
                    perm: index(&perm),
                    inverse: index(&inverse),
                    n: m.size(),
                })))
            }
            Operator::Quantized(q) => Ok(GpuOperator::Quantized(Box::new(GpuQuantized::upload(q, precision)?))),
            Operator::Transposed(inner) if matches!(**inner, Operator::Quantized(_)) => {
                Ok(GpuOperator::upload(inner, precision)?.transpose()?)
            }
            _ => Err(unsupported()),
        }
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> Shape {
        match self {
            GpuOperator::Kronecker(factors) => {
                factors.iter().fold(Shape(1, 1), |Shape(r, c), f| Shape(r * f.rows, c * f.cols))
            }
            GpuOperator::BlockDiagonal(b) => b.shape(),
            GpuOperator::Monarch(m) => Shape(m.n, m.n),
            GpuOperator::Quantized(q) => q.shape(),
        }
    }

    /// What the structure is called, for display.
    pub fn structure(&self) -> String {
        match self {
            GpuOperator::Kronecker(f) => {
                format!("Kronecker ({})", f.iter().map(|m| m.shape().to_string()).collect::<Vec<_>>().join(" ⊗ "))
            }
            GpuOperator::BlockDiagonal(b) => format!("block-diagonal ({} blocks)", b.shapes.len()),
            GpuOperator::Monarch(m) => format!("Monarch ({} blocks)", m.r.shapes.len()),
            GpuOperator::Quantized(q) => q.structure(),
        }
    }

    /// The transpose, on the device: a Kronecker product of the transposed
    /// factors, or a quantized matrix read with its strides swapped.
    /// Block-diagonal and Monarch operators have none yet.
    pub fn transpose(&self) -> Result<GpuOperator> {
        match self {
            GpuOperator::Kronecker(factors) => {
                Ok(GpuOperator::Kronecker(factors.iter().map(GpuMatrix::transpose).collect::<Result<_>>()?))
            }
            GpuOperator::Quantized(q) => Ok(GpuOperator::Quantized(Box::new(q.transpose()))),
            other => Err(Error::invalid(
                "gpu",
                format!("a {} gpu operator has no transpose on the device yet (Kronecker and quantized do); gpu(op') moves the cpu transpose", other.structure()),
            )),
        }
    }

    /// The element type of the factors.
    pub fn precision(&self) -> Precision {
        match self {
            GpuOperator::Kronecker(f) => f.first().map_or(Precision::F64, |m| m.precision),
            GpuOperator::BlockDiagonal(b) => b.data.precision,
            GpuOperator::Monarch(m) => m.r.data.precision,
            GpuOperator::Quantized(q) => q.precision(),
        }
    }

    /// Numbers stored on the device.
    pub fn storage(&self) -> usize {
        match self {
            GpuOperator::Kronecker(f) => f.iter().map(GpuMatrix::len).sum(),
            GpuOperator::BlockDiagonal(b) => b.data.len(),
            GpuOperator::Monarch(m) => m.l.data.len() + m.r.data.len(),
            GpuOperator::Quantized(q) => q.storage(),
        }
    }

    /// `self · x` for a device matrix `x`. Kronecker: the vec-trick as one
    /// mode product per factor (`O(N Σ nᵢ)` work for `N` entries, never the
    /// dense matrix); block-diagonal: one launch; Monarch: `R`, `P`, `L`, `Pᵀ`
    /// as four launches (`O(n√n)`); quantized: one launch, dequantizing as
    /// it reads (`O(mnc)`).
    pub fn apply(&self, x: &GpuMatrix) -> Result<GpuMatrix> {
        let Shape(_, cols) = self.shape();
        if x.rows != cols {
            return Err(Error::shapes("*", self.shape(), x.shape(), "columns of A must equal rows of B"));
        }
        // A quantized operator's numbers are f32 whatever the precision it meets.
        if x.precision != self.precision() && !matches!(self, GpuOperator::Quantized(_)) {
            return Err(Error::Device { reason: "the operator and the matrix have different precisions".into() });
        }
        match self {
            GpuOperator::Kronecker(factors) => {
                // x (N × c, row-major) is the tensor (n₁, …, n_k, c); factor i acts on mode i.
                let mut dims: Vec<usize> = factors.iter().map(|f| f.cols).collect();
                dims.push(x.cols);
                let mut current = x.clone();
                for (i, f) in factors.iter().enumerate() {
                    let outer: usize = dims[..i].iter().product();
                    let inner: usize = dims[i + 1..].iter().product();
                    dims[i] = f.rows;
                    let out = current.empty_like(outer * f.rows * inner / x.cols.max(1), x.cols)?;
                    if out.is_empty() {
                        current = out;
                        continue;
                    }
                    launch!(
                        x.precision,
                        mode_product(
                            Gpu::get()?.client(),
                            cubes(out.len()),
                            line(),
                            f.arg(),
                            current.arg(),
                            out.arg(),
                            f.rows,
                            f.cols,
                            inner,
                        )
                    );
                    current = out;
                }
                Ok(current)
            }
            GpuOperator::BlockDiagonal(b) => b.apply(x),
            GpuOperator::Quantized(q) => q.apply(x),
            GpuOperator::Monarch(m) => {
                let (l, r, perm, inverse, n) = (&m.l, &m.r, &m.perm, &m.inverse, &m.n);
                let permute = |y: &GpuMatrix, index: &Handle| -> Result<GpuMatrix> {
                    let out = y.empty_like(y.rows, y.cols)?;
                    if !out.is_empty() {
                        launch!(
                            y.precision,
                            gather_rows(
                                Gpu::get()?.client(),
                                cubes(out.len()),
                                line(),
                                y.arg(),
                                BufferArg::from_raw_parts(index.clone(), *n),
                                out.arg(),
                                y.cols,
                            )
                        );
                    }
                    Ok(out)
                };
                let y = permute(&r.apply(x)?, perm)?;
                permute(&l.apply(&y)?, inverse)
            }
        }
    }

    /// The dense matrix, formed on the device (Kronecker: one launch per
    /// factor; quantized: one launch; others: the operator applied to the
    /// identity).
    pub fn dense(&self) -> Result<GpuMatrix> {
        match self {
            GpuOperator::Kronecker(factors) => {
                let mut acc = factors[0].clone();
                for f in &factors[1..] {
                    let out = acc.empty_like(acc.rows * f.rows, acc.cols * f.cols)?;
                    if !out.is_empty() {
                        launch!(
                            acc.precision,
                            kron(
                                Gpu::get()?.client(),
                                cubes(out.len()),
                                line(),
                                acc.arg(),
                                f.arg(),
                                out.arg(),
                                acc.cols,
                                f.rows,
                                f.cols,
                            )
                        );
                    }
                    acc = out;
                }
                Ok(acc)
            }
            GpuOperator::Quantized(q) => q.dense(),
            other => {
                let Shape(_, cols) = other.shape();
                other.apply(&GpuMatrix::upload(&Matrix::eye(cols), other.precision())?)
            }
        }
    }
}

impl GpuMatrix {
    /// Rotary position embedding of the token rows (`n × d`, `d` even) at
    /// `positions`, `θᵢ = base^(−2i/d)`, as [`crate::rope::rope_apply`]: the
    /// cosine/sine tables are computed on the device, then the pairs turn.
    pub fn rope_apply(&self, positions: &[f64], base: f64) -> Result<GpuMatrix> {
        let (n, d) = (self.rows, self.cols);
        let theta = crate::rope::check_apply(n, d, positions, base)?;
        let half = d / 2;
        let gpu = Gpu::get()?;
        let p = GpuMatrix::upload(&Matrix::row(positions), self.precision)?;
        let t = GpuMatrix::upload(&Matrix::row(&theta), self.precision)?;
        let (cos, sin) = (self.empty_like(1, n * half)?, self.empty_like(1, n * half)?);
        if n * half > 0 {
            let soft = self.soft()?;
            launch!(
                self.precision,
                rope_tables(gpu.client(), cubes(n * half), line(), p.arg(), t.arg(), cos.arg(), sin.arg(), half, soft)
            );
        }
        let out = self.empty_like(n, d)?;
        if n * half > 0 {
            launch!(
                self.precision,
                rope_rotate(gpu.client(), cubes(n * half), line(), self.arg(), cos.arg(), sin.arg(), out.arg(), half)
            );
        }
        Ok(out)
    }

    /// The covariance of the columns (rows are observations), divided by
    /// `n − 1`: centre by the column means, then `Xcᵀ Xc` (all on the device).
    /// CPU twin: [`crate::covariance::cov`].
    pub fn cov(&self) -> Result<GpuMatrix> {
        if self.rows < 2 {
            return Err(Error::invalid("cov", format!("needs at least 2 observations, got {}", self.rows)));
        }
        let means = self.sum_axis(0, false)?.with_scalar(self.rows as f64, super::Binary::Div, false)?;
        let centred = self.zip(&means, super::Binary::Sub, "cov")?;
        centred.transpose()?.matmul(&centred)?.with_scalar((self.rows - 1) as f64, super::Binary::Div, false)
    }

    /// The pixels (`N × 2`) of the world points in the rows of `self` (`N × 3`,
    /// or `N × 4` homogeneous) under the 3×4 camera `p`. CPU twin:
    /// [`crate::camera::project`].
    pub fn project(&self, p: &GpuMatrix) -> Result<GpuMatrix> {
        if p.shape() != Shape(3, 4) {
            return Err(Error::invalid("project", format!("a projection matrix is 3×4, got {}", p.shape())));
        }
        if self.cols != 3 && self.cols != 4 {
            return Err(Error::invalid(
                "project",
                format!("world points are the rows of an N×3 matrix, got {}", self.shape()),
            ));
        }
        let out = self.empty_like(self.rows, 2)?;
        if self.rows > 0 {
            launch!(
                self.precision,
                project(Gpu::get()?.client(), cubes(self.rows), line(), p.arg(), self.arg(), out.arg(), self.cols)
            );
        }
        Ok(out)
    }
}
