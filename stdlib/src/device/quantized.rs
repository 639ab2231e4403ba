//! Blockwise quantization on the device: quantizing a resident matrix,
//! dequantizing, and the product of a quantized matrix (or its transpose)
//! with a device matrix, which dequantizes each entry as it reads it (the
//! dense matrix is never formed). CPU twin: [`crate::compress::Quantized`],
//! whose scale arithmetic the device path calls rather than repeats.
//!
//! - Codes: one byte per entry, four to a `u32` word (entry `k` is byte
//!   `k mod 4` of word `⌊k/4⌋`).
//! - Entry `k` of block `b` is `value[code_k] · scale_b` (`+ zero_b` for
//!   asymmetric integers), in `f32` as on the CPU, then converted to the
//!   precision of the matrix it meets. The one exception: a device may fuse
//!   the zero point's multiply-add (CUDA does by default), which can move the
//!   last bit of an asymmetric entry.
//! - Quantizing reads the entries twice on the device: the range of each
//!   block (one unit per block, so a block as long as a whole row is read by
//!   one unit), then the codes. In between, the host turns the block ranges
//!   into scales with the CPU path's own functions (`O(mn/block)` numbers
//!   each way), so the scales agree bit for bit, and so do the codes wherever
//!   the device's `f32` multiply, divide and compare are IEEE with subnormals
//!   kept (lavapipe's are; a ragged last block divides by at least `1e−38`,
//!   a subnormal).
//! - The transpose reads the same codes with the strides swapped.

use super::matrix::{read, read_bytes, GpuMatrix, Precision};
use super::{count_upload, cubes, line, Gpu};
use crate::compress::{Quantized, Rounding, ScaleQuant, Scheme};
use crate::error::{Error, Result, Shape};
use cubecl::prelude::*;
use cubecl::server::Handle;

/// A quantized matrix on the device: packed codes, the value of each code,
/// and the scale (and zero point) of each block.
#[derive(Clone, Debug)]
pub struct GpuQuantized {
    codes: Handle,
    values: Handle,
    /// Codes: 2^bits.
    levels: usize,
    scale: Handle,
    /// Asymmetric integers only.
    zero: Option<Handle>,
    /// `(rows, cols)` of the stored (untransposed) matrix.
    stored: Shape,
    /// Whether it acts as the transpose of the stored matrix.
    transposed: bool,
    block: usize,
    precision: Precision,
    storage: usize,
    structure: String,
}

impl GpuQuantized {
    /// Uploads `q`: its codes packed four to a word, the value of each code,
    /// and its block scales as dequantization uses them. `dense` gives
    /// `precision`; a product takes the precision of its matrix.
    pub fn upload(q: &Quantized, precision: Precision) -> Result<GpuQuantized> {
        let words: Vec<u32> = q
            .codes()
            .chunks(4)
            .map(|c| c.iter().enumerate().fold(0u32, |w, (k, &b)| w | u32::from(b) << (8 * k)))
            .collect();
        let codes = create(u32::as_bytes(&words))?;
        GpuQuantized::with_codes(q, codes, precision)
    }

    /// The device twin of `q`, whose codes are already on the device.
    fn with_codes(q: &Quantized, codes: Handle, precision: Precision) -> Result<GpuQuantized> {
        let gpu = Gpu::get()?;
        if precision == Precision::F64 && !gpu.supports_f64() {
            return Err(Error::Device { reason: format!("{} does not compute in f64; use f32", gpu.name()) });
        }
        let (zeros, values) = (q.zeros(), q.values());
        Ok(GpuQuantized {
            codes,
            values: create(f32::as_bytes(&values))?,
            levels: values.len(),
            scale: create(f32::as_bytes(&q.scales()))?,
            zero: if zeros.is_empty() { None } else { Some(create(f32::as_bytes(zeros))?) },
            stored: q.shape(),
            transposed: false,
            block: q.block(),
            precision,
            storage: q.storage(),
            structure: q.structure(),
        })
    }

    /// Quantizes the device matrix `x` as [`Quantized::with_scales`] does,
    /// on the device, and returns the result on the device with its host twin
    /// (whose codes are read back once). The errors are the CPU path's, in
    /// its order: NaN or infinite entries, entries beyond `f32`, then bad
    /// parameters.
    pub fn quantize(
        x: &GpuMatrix,
        scheme: Scheme,
        block: usize,
        scales: ScaleQuant,
    ) -> Result<(Quantized, GpuQuantized)> {
        let n = x.len();
        let client = Gpu::get()?.client();
        // Pass 1: per block the smallest and largest entry (in f32) and a
        // flag. A block of 0 is refused after the entries are checked.
        let nblocks = n.div_ceil(block.max(1));
        let range = client.empty((3 * nblocks).max(1) * 4);
        if n > 0 {
            launch!(
                x.precision,
                block_range(client, cubes(nblocks), line(), x.arg(), buffer(&range, 3 * nblocks), block.max(1))
            );
        }
        let range = if n > 0 { read(&range, Precision::F32, 3 * nblocks)? } else { vec![] };
        let flag = range.chunks(3).map(|r| r[2]).fold(0.0, f64::max);
        if flag == 2.0 {
            return Err(Error::NonFinite { op: "quantize" });
        }
        if flag == 1.0 {
            return Err(Quantized::beyond_f32());
        }
        Quantized::check_parameters(scheme, block, scales)?;
        // Exact: the device wrote f32.
        let lo: Vec<f32> = range.chunks(3).map(|r| r[0] as f32).collect();
        let hi: Vec<f32> = range.chunks(3).map(|r| r[1] as f32).collect();
        // The host: scales and how each block rounds, as the CPU path has them.
        let plan = Quantized::plan(scheme, n, block, scales, &lo, &hi)?;
        // Pass 2: the codes, four to a word.
        let words = n.div_ceil(4);
        let codes = client.empty(words.max(1) * 4);
        if n > 0 {
            let (a, b) = (create(f32::as_bytes(&plan.a))?, create(f32::as_bytes(&plan.b))?);
            let bounds = create(f32::as_bytes(&plan.bounds))?;
            let codebook = matches!(plan.rounding, Rounding::Codebook { .. });
            let (fixed, qmin, qmax, offset) = match plan.rounding {
                Rounding::Codebook { zero } => (zero, 0.0, 0.0, 0.0),
                Rounding::Integer { fixed, min, max, offset } => (fixed, min, max, offset),
            };
            launch!(
                x.precision,
                block_codes(
                    client,
                    cubes(words),
                    line(),
                    x.arg(),
                    buffer(&a, nblocks),
                    buffer(&b, nblocks),
                    buffer(&bounds, plan.bounds.len().max(1)),
                    buffer(&codes, words),
                    plan.bounds.len(),
                    block,
                    u32::from(fixed),
                    qmin,
                    qmax,
                    offset,
                    codebook,
                )
            );
        }
        let codes_back = if n > 0 { read_bytes(&codes)? } else { vec![] };
        let q = plan.finish(x.shape(), codes_back[..n].to_vec());
        let device = GpuQuantized::with_codes(&q, codes, x.precision)?;
        Ok((q, device))
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> Shape {
        let Shape(r, c) = self.stored;
        if self.transposed {
            Shape(c, r)
        } else {
            Shape(r, c)
        }
    }

    /// What it is, as its host twin describes itself.
    pub fn structure(&self) -> String {
        if self.transposed {
            format!("transposed {}", self.structure)
        } else {
            self.structure.clone()
        }
    }

    /// The precision `dense` gives.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Numbers stored, counted as the host twin counts them.
    pub fn storage(&self) -> usize {
        self.storage
    }

    /// The transpose: the same codes, read with the strides swapped.
    pub fn transpose(&self) -> GpuQuantized {
        GpuQuantized { transposed: !self.transposed, ..self.clone() }
    }

    /// The dequantized matrix, formed on the device (one launch, and a
    /// transpose for a transposed one).
    pub fn dense(&self) -> Result<GpuMatrix> {
        let Shape(m, n) = self.stored;
        let out = GpuMatrix::empty(m, n, self.precision)?;
        if !out.is_empty() {
            let [codes, values, scale, zero] = self.args();
            launch!(
                self.precision,
                dequantize(
                    Gpu::get()?.client(),
                    cubes(out.len()),
                    line(),
                    codes,
                    values,
                    scale,
                    zero,
                    out.arg(),
                    self.block,
                    self.zero.is_some(),
                )
            );
        }
        if self.transposed {
            out.transpose()
        } else {
            Ok(out)
        }
    }

    /// `self · x`, dequantizing each entry as it is read: one unit per entry
    /// of the product, `O(mnc)` work, the quantized matrix read as codes, in
    /// the precision of `x`.
    pub fn apply(&self, x: &GpuMatrix) -> Result<GpuMatrix> {
        let Shape(m, n) = self.shape();
        if x.rows != n {
            return Err(Error::shapes("*", self.shape(), x.shape(), "columns of A must equal rows of B"));
        }
        // Entry (i, j) is stored at i·row + j·col.
        let (row, col) = if self.transposed { (1, self.stored.1) } else { (self.stored.1, 1) };
        let out = x.empty_like(m, x.cols)?;
        if !out.is_empty() {
            let [codes, values, scale, zero] = self.args();
            launch!(
                x.precision,
                quantized_product(
                    Gpu::get()?.client(),
                    cubes(out.len()),
                    line(),
                    codes,
                    values,
                    scale,
                    zero,
                    x.arg(),
                    out.arg(),
                    n,
                    x.cols,
                    row,
                    col,
                    self.block,
                    self.zero.is_some(),
                )
            );
        }
        Ok(out)
    }

    /// The four buffers the kernels read: the codes (four to a word), the
    /// value of each code, the block scales, and the zero points (or, unread,
    /// the scales in their place).
    fn args(&self) -> [BufferArg; 4] {
        let entries = self.stored.0 * self.stored.1;
        let nblocks = entries.div_ceil(self.block).max(1);
        [
            buffer(&self.codes, entries.div_ceil(4).max(1)),
            buffer(&self.values, self.levels),
            buffer(&self.scale, nblocks),
            buffer(self.zero.as_ref().unwrap_or(&self.scale), nblocks),
        ]
    }
}

/// A device buffer holding `bytes` (one upload), or one zero word for none
/// (a zero-byte buffer is not a valid binding).
fn create(bytes: &[u8]) -> Result<Handle> {
    let handle = Gpu::get()?.client().create_from_slice(if bytes.is_empty() { &[0; 4] } else { bytes });
    count_upload();
    Ok(handle)
}

/// A kernel argument of `len` elements in `handle`.
fn buffer(handle: &Handle, len: usize) -> BufferArg {
    // SAFETY: every caller passes a buffer it made with at least `len` elements.
    unsafe { BufferArg::from_raw_parts(handle.clone(), len) }
}
