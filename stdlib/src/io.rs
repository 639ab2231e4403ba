//! Matrices in files: numpy's `.npy` (one array; the header parsed by npyz),
//! Hugging Face's `.safetensors` (named tensors; parsed by the safetensors
//! crate) and comma-separated numbers (`.csv`, [`read_csv`]).
//!
//! Reading converts any real element type (floats of 16, 32 and 64 bits,
//! bfloat16, integers, booleans) to `f64`. A 0-d array is 1×1, a 1-d array of
//! `n` entries an `n×1` column, and an array of more than two dimensions is
//! matricised to `d₀ × (d₁⋯d_k)`, row-major, as numpy's `reshape(d₀, -1)`.
//! Writing stores little-endian `f64` in C order. Malformed files, complex or
//! structured arrays, pickled objects and data shorter than the header
//! promises are errors, never panics: the readers only ever index bytes that
//! they have checked are there.

mod csv;
mod mapped;

pub use self::csv::{read_csv, write_csv, Header, Table};
pub use self::mapped::{map_safetensors, MappedTensor};
use crate::error::{Error, Result};
use crate::Matrix;
use npyz::{DType, Order, TypeChar};
use safetensors::{Dtype, SafeTensors};

/// How an element is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    Float,
    BFloat,
    Int,
    Uint,
    Bool,
}

/// Decodes `count` elements of `width` bytes from `data` into `f64`.
fn decode(data: &[u8], element: Element, width: usize, big_endian: bool) -> Option<Vec<f64>> {
    let supported = match element {
        Element::Float => matches!(width, 2 | 4 | 8),
        Element::BFloat => width == 2,
        Element::Int | Element::Uint => matches!(width, 1 | 2 | 4 | 8),
        Element::Bool => width == 1,
    };
    if !supported || data.len() % width != 0 {
        return None;
    }
    let value = |chunk: &[u8]| -> f64 {
        let mut le = [0u8; 8];
        le[..width].copy_from_slice(chunk);
        if big_endian {
            le[..width].reverse();
        }
        let bits = u64::from_le_bytes(le);
        match (element, width) {
            (Element::Float, 2) => half::f16::from_bits(bits as u16).to_f64(),
            (Element::Float, 4) => f64::from(f32::from_bits(bits as u32)),
            (Element::Float, _) => f64::from_bits(bits),
            (Element::BFloat, _) => half::bf16::from_bits(bits as u16).to_f64(),
            // Sign-extend the integer from its width.
            (Element::Int, w) => ((bits << (64 - 8 * w)) as i64 >> (64 - 8 * w)) as f64,
            (Element::Uint | Element::Bool, _) => bits as f64,
        }
    };
    Some(data.chunks_exact(width).map(value).collect())
}

/// The matrix shape of an array of shape `dims`: see the module docs.
fn matrix_shape(dims: &[usize]) -> Option<(usize, usize)> {
    match dims {
        [] => Some((1, 1)),
        [n] => Some((*n, 1)),
        [m, rest @ ..] => Some((*m, rest.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))?)),
    }
}

fn malformed(format: &str, reason: impl std::fmt::Display) -> Error {
    Error::file("load", format!("not a valid {format} file: {reason}"))
}

/// The deepest bracket nesting a `.npy` header may have: a matrix's dtype
/// is a plain type (`'<f8'`), and a record's nests a level per field; the
/// header parser takes time that grows fast with the depth.
const MAX_HEADER_NESTING: usize = 16;

/// Refuses a header that nests brackets deeper than [`MAX_HEADER_NESTING`],
/// before the header parser sees it. The layout: magic (6 bytes), version (2),
/// header length (2 bytes in version 1, 4 in versions 2 and 3), header text.
fn check_npy_header(bytes: &[u8]) -> Result<()> {
    let (len_bytes, start) = match bytes.get(6) {
        Some(1) => (2, 10),
        Some(_) => (4, 12),
        None => return Ok(()), // too short: the parser says so
    };
    let Some(len) = bytes.get(8..8 + len_bytes) else { return Ok(()) };
    let len = len.iter().rev().fold(0usize, |acc, &b| acc << 8 | b as usize);
    let header = &bytes[start.min(bytes.len())..start.saturating_add(len).min(bytes.len())];
    let (mut depth, mut deepest) = (0usize, 0usize);
    for &b in header {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_HEADER_NESTING {
        return Err(malformed(".npy", format!("the header nests brackets {deepest} deep")));
    }
    Ok(())
}

/// The matrix stored in the bytes of an `.npy` file.
pub fn read_npy(bytes: &[u8]) -> Result<Matrix> {
    check_npy_header(bytes)?;
    let mut data = bytes;
    let header = npyz::NpyHeader::from_reader(&mut data).map_err(|e| malformed(".npy", e))?;
    let npy = npyz::NpyFile::with_header(header, data);
    let DType::Plain(ty) = npy.dtype() else {
        return Err(malformed(".npy", "structured or record arrays are not matrices"));
    };
    let element = match ty.type_char() {
        TypeChar::Float => Element::Float,
        TypeChar::Int => Element::Int,
        TypeChar::Uint => Element::Uint,
        TypeChar::Bool => Element::Bool,
        TypeChar::Complex => return Err(Error::invalid("load", "complex arrays are not supported: matrices are real")),
        other => return Err(malformed(".npy", format!("elements of type {ty} ({other:?}) are not numbers"))),
    };
    let dims: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| malformed(".npy", "a dimension does not fit in memory"))?;
    let (m, n) = matrix_shape(&dims).ok_or_else(|| malformed(".npy", "the shape overflows"))?;
    crate::memory::check("load", m, n)?;
    let width = usize::try_from(ty.size_field()).map_err(|_| malformed(".npy", "element size"))?;
    let needed =
        m.checked_mul(n).and_then(|c| c.checked_mul(width)).ok_or_else(|| malformed(".npy", "the shape overflows"))?;
    if data.len() < needed {
        return Err(malformed(
            ".npy",
            format!("the header promises {needed} bytes of data, the file has {}", data.len()),
        ));
    }
    let big_endian = ty.endianness() == npyz::Endianness::Big;
    let values = decode(&data[..needed], element, width, big_endian)
        .ok_or_else(|| malformed(".npy", format!("elements of type {ty} are not supported")))?;
    match npy.order() {
        Order::C => Matrix::from_row_major(m, n, &values),
        Order::Fortran => Ok(Matrix::from_row_major(n, m, &values)?.transpose()),
    }
}

/// `A` as the bytes of an `.npy` file: shape `(m, n)`, little-endian `f64`, C order.
pub fn write_npy(a: &Matrix) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128 + 8 * a.len());
    let io = |e: std::io::Error| Error::file("save", e.to_string());
    use npyz::WriterBuilder;
    let mut writer = npyz::WriteOptions::<f64>::new()
        .default_dtype()
        .shape(&[a.rows() as u64, a.cols() as u64])
        .writer(&mut out)
        .begin_nd()
        .map_err(io)?;
    writer.extend(a.to_row_major()).map_err(io)?;
    writer.finish().map_err(io)?;
    Ok(out)
}

/// How a safetensors element type is stored, or an error naming the tensor.
fn element_of(name: &str, dtype: Dtype) -> Result<(Element, usize)> {
    Ok(match dtype {
        Dtype::F64 => (Element::Float, 8),
        Dtype::F32 => (Element::Float, 4),
        Dtype::F16 => (Element::Float, 2),
        Dtype::BF16 => (Element::BFloat, 2),
        Dtype::I64 => (Element::Int, 8),
        Dtype::I32 => (Element::Int, 4),
        Dtype::I16 => (Element::Int, 2),
        Dtype::I8 => (Element::Int, 1),
        Dtype::U64 => (Element::Uint, 8),
        Dtype::U32 => (Element::Uint, 4),
        Dtype::U16 => (Element::Uint, 2),
        Dtype::U8 => (Element::Uint, 1),
        Dtype::BOOL => (Element::Bool, 1),
        other => {
            return Err(Error::invalid("load", format!("tensor `{name}`: elements of type {other} are not supported")))
        }
    })
}

/// One safetensors tensor's bytes as a matrix (matricised as [`matrix_shape`]).
fn tensor_matrix(name: &str, dtype: Dtype, dims: &[usize], data: &[u8]) -> Result<Matrix> {
    let (element, width) = element_of(name, dtype)?;
    let (m, n) = matrix_shape(dims).ok_or_else(|| malformed(".safetensors", "a shape overflows"))?;
    crate::memory::check("load", m, n)?;
    let values = decode(data, element, width, false)
        .filter(|v| v.len() == m * n)
        .ok_or_else(|| malformed(".safetensors", format!("tensor `{name}` has the wrong number of bytes")))?;
    Matrix::from_row_major(m, n, &values)
}

/// The tensors stored in the bytes of a `.safetensors` file, as matrices,
/// sorted by name.
pub fn read_safetensors(bytes: &[u8]) -> Result<Vec<(String, Matrix)>> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| malformed(".safetensors", e))?;
    let mut out = Vec::with_capacity(file.len());
    for (name, view) in file.tensors() {
        let m = tensor_matrix(&name, view.dtype(), view.shape(), view.data())?;
        out.push((name, m));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Named matrices as the bytes of a `.safetensors` file (`f64`, shape `(m, n)`).
pub fn write_safetensors(tensors: &[(String, Matrix)]) -> Result<Vec<u8>> {
    let bytes: Vec<Vec<u8>> =
        tensors.iter().map(|(_, m)| m.to_row_major().iter().flat_map(|x| x.to_le_bytes()).collect()).collect();
    let views = tensors
        .iter()
        .zip(&bytes)
        .map(|((name, m), data)| {
            safetensors::tensor::TensorView::new(Dtype::F64, vec![m.rows(), m.cols()], data)
                .map(|view| (name.as_str(), view))
                .map_err(|e| Error::file("save", e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(views, None).map_err(|e| Error::file("save", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;

    #[test]
    fn npy_round_trips_bit_for_bit() {
        let mut rng = Rng::seeded(1);
        for (m, n) in [(3, 4), (1, 1), (0, 3), (5, 0)] {
            let mut a = rng.randn(m, n);
            if m * n > 2 {
                a.set(0, 0, f64::NAN).unwrap();
                a.set(0, 1, -0.0).unwrap();
            }
            let back = read_npy(&write_npy(&a).unwrap()).unwrap();
            assert_eq!(back.shape(), a.shape());
            let bits = |m: &Matrix| m.to_row_major().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&back), bits(&a));
        }
    }

    #[test]
    fn safetensors_round_trip_sorted_by_name() {
        let mut rng = Rng::seeded(2);
        let tensors = vec![("w".to_string(), rng.randn(3, 2)), ("b".to_string(), rng.randn(1, 2))];
        let back = read_safetensors(&write_safetensors(&tensors).unwrap()).unwrap();
        assert_eq!(back, vec![tensors[1].clone(), tensors[0].clone()]);
    }

    #[test]
    fn element_types_decode() {
        let ints: Vec<u8> = [-3i16, 7, -32768].iter().flat_map(|x| x.to_be_bytes()).collect();
        assert_eq!(decode(&ints, Element::Int, 2, true).unwrap(), vec![-3.0, 7.0, -32768.0]);
        let halves: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|&x| half::f16::from_f32(x).to_le_bytes()).collect();
        assert_eq!(decode(&halves, Element::Float, 2, false).unwrap(), vec![1.5, -2.0]);
        let bf: Vec<u8> = half::bf16::from_f32(0.25).to_le_bytes().to_vec();
        assert_eq!(decode(&bf, Element::BFloat, 2, false).unwrap(), vec![0.25]);
        assert_eq!(decode(&[1, 0], Element::Bool, 1, false).unwrap(), vec![1.0, 0.0]);
        assert!(decode(&[0; 3], Element::Float, 4, false).is_none());
        assert_eq!(matrix_shape(&[2, 3, 4]), Some((2, 12)));
        assert_eq!(matrix_shape(&[2, usize::MAX, 2]), None);
    }

    #[test]
    fn malformed_files_are_errors() {
        let good = write_npy(&Matrix::ones(4, 4)).unwrap();
        assert!(read_npy(&good[..good.len() - 1]).unwrap_err().to_string().contains("promises"));
        assert!(read_npy(b"not a numpy file").is_err());
        assert!(read_npy(&[]).is_err());
        let st = write_safetensors(&[("a".into(), Matrix::ones(2, 2))]).unwrap();
        assert!(read_safetensors(&st[..st.len() - 3]).is_err());
        assert!(read_safetensors(&[0xff; 16]).is_err());
    }
}
