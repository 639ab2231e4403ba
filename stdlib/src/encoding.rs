//! `serde` for [`Matrix`] and [`Operator`] (cargo feature `serde`), bit for bit.
//!
//! A matrix is `{rows, cols, bits}` with its entries row-major as IEEE-754
//! bit patterns (`u64`), so NaN payloads and signed zeros survive any serde
//! format; an operator keeps its structure (one externally tagged variant per
//! kind, factors nested). Reading goes through the checking constructors, so
//! a malformed or forged input is a deserialisation error, never an invalid
//! operator. Tessera's workspace files (`:save`) and the Rust-cell bridge are
//! this encoding in CBOR. Cost: one copy of the entries each way.

use crate::compress::{Quantized, QuantizedParts, ScaleDtype, Scheme};
use crate::{Matrix, Monarch, Operator};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
struct SavedMatrix {
    rows: usize,
    cols: usize,
    /// Row-major IEEE bits.
    bits: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
enum SavedOperator {
    Dense(SavedMatrix),
    Diagonal(Vec<u64>),
    Permutation(Vec<usize>),
    Kronecker(Vec<SavedOperator>),
    KroneckerSum(Box<SavedOperator>, Box<SavedOperator>),
    BlockDiagonal(Vec<SavedOperator>),
    Monarch {
        l: Vec<SavedMatrix>,
        r: Vec<SavedMatrix>,
    },
    LowRank {
        u: SavedMatrix,
        v: SavedMatrix,
    },
    DiagonalPlusLowRank {
        d: Vec<u64>,
        u: SavedMatrix,
        v: SavedMatrix,
    },
    /// Scales as `f32` bits; `second` is `(offset, codes, absmax)` of quantized
    /// scales, and `uniform` the `(bits, format, group)` of LQ-LoRA's uniform ones.
    Quantized {
        scheme: String,
        rows: usize,
        cols: usize,
        block: usize,
        codes: Vec<u8>,
        scales: Vec<u32>,
        zeros: Vec<u32>,
        second: Option<(u32, Vec<u8>, Vec<u32>)>,
        #[serde(default)]
        uniform: Option<(u32, String, usize)>,
    },
    Scaled(u64, Box<SavedOperator>),
    Sum(Vec<SavedOperator>),
    Product(Vec<SavedOperator>),
    Transposed(Box<SavedOperator>),
}

fn bits(xs: &[f64]) -> Vec<u64> {
    xs.iter().map(|x| x.to_bits()).collect()
}

fn floats(bs: Vec<u64>) -> Vec<f64> {
    bs.into_iter().map(f64::from_bits).collect()
}

impl From<&Matrix> for SavedMatrix {
    fn from(m: &Matrix) -> Self {
        SavedMatrix { rows: m.rows(), cols: m.cols(), bits: bits(&m.to_row_major()) }
    }
}

impl TryFrom<SavedMatrix> for Matrix {
    type Error = crate::Error;
    fn try_from(m: SavedMatrix) -> crate::Result<Matrix> {
        crate::memory::check("load", m.rows, m.cols)?;
        Matrix::from_row_major(m.rows, m.cols, &floats(m.bits))
    }
}

impl From<&Operator> for SavedOperator {
    fn from(op: &Operator) -> Self {
        let all = |xs: &[Operator]| xs.iter().map(SavedOperator::from).collect();
        let boxed = |a: &Operator| Box::new(SavedOperator::from(a));
        match op {
            Operator::Dense(m) => SavedOperator::Dense(m.into()),
            Operator::Diagonal(d) => SavedOperator::Diagonal(bits(d)),
            Operator::Permutation { 0: p, .. } => SavedOperator::Permutation(p.clone()),
            Operator::Kronecker { 0: fs, .. } => SavedOperator::Kronecker(all(fs)),
            Operator::KroneckerSum { 0: a, 1: b, .. } => SavedOperator::KroneckerSum(boxed(a), boxed(b)),
            Operator::BlockDiagonal(bs) => SavedOperator::BlockDiagonal(all(bs)),
            Operator::Monarch(m) => SavedOperator::Monarch {
                l: m.left_blocks().iter().map(SavedMatrix::from).collect(),
                r: m.right_blocks().iter().map(SavedMatrix::from).collect(),
            },
            Operator::LowRank { u, v, .. } => SavedOperator::LowRank { u: u.into(), v: v.into() },
            Operator::DiagonalPlusLowRank { d, u, v, .. } => {
                SavedOperator::DiagonalPlusLowRank { d: bits(d), u: u.into(), v: v.into() }
            }
            Operator::Quantized(q) => {
                let p = q.to_parts();
                let f32_bits = |xs: &[f32]| xs.iter().map(|x| x.to_bits()).collect();
                SavedOperator::Quantized {
                    scheme: p.scheme.name().into(),
                    rows: p.shape.0,
                    cols: p.shape.1,
                    block: p.block,
                    scales: f32_bits(&p.scales),
                    zeros: f32_bits(&p.zeros),
                    second: p.second.map(|(offset, codes, absmax)| (offset.to_bits(), codes, f32_bits(&absmax))),
                    uniform: p.uniform.map(|(bits, dtype, group)| (bits, dtype.name().into(), group)),
                    codes: p.codes,
                }
            }
            Operator::Scaled(s, a) => SavedOperator::Scaled(s.to_bits(), boxed(a)),
            Operator::Sum { 0: xs, .. } => SavedOperator::Sum(all(xs)),
            Operator::Product { 0: xs, .. } => SavedOperator::Product(all(xs)),
            Operator::Transposed(a) => SavedOperator::Transposed(boxed(a)),
        }
    }
}

impl TryFrom<SavedOperator> for Operator {
    type Error = crate::Error;
    /// Rebuilds through the checking constructors (shapes, permutations, Monarch blocks).
    fn try_from(op: SavedOperator) -> crate::Result<Operator> {
        let all = |xs: Vec<SavedOperator>| xs.into_iter().map(Operator::try_from).collect::<crate::Result<Vec<_>>>();
        let matrices = |ms: Vec<SavedMatrix>| ms.into_iter().map(Matrix::try_from).collect::<crate::Result<Vec<_>>>();
        let fold = |xs: Vec<SavedOperator>, join: fn(Operator, Operator) -> crate::Result<Operator>| {
            let mut ops = all(xs)?.into_iter();
            let first = ops.next().ok_or_else(|| crate::Error::InvalidArgument {
                op: "deserialise",
                reason: "an empty sum or product".into(),
            })?;
            ops.try_fold(first, join)
        };
        Ok(match op {
            SavedOperator::Dense(m) => Operator::Dense(m.try_into()?),
            SavedOperator::Diagonal(d) => Operator::diagonal(floats(d)),
            SavedOperator::Permutation(p) => Operator::permutation(p)?,
            SavedOperator::Kronecker(fs) => Operator::kron(all(fs)?)?,
            SavedOperator::KroneckerSum(a, b) => Operator::kronsum((*a).try_into()?, (*b).try_into()?)?,
            SavedOperator::BlockDiagonal(bs) => Operator::blockdiag(all(bs)?),
            SavedOperator::Monarch { l, r } => Operator::Monarch(Monarch::from_blocks(matrices(l)?, matrices(r)?)?),
            SavedOperator::LowRank { u, v } => Operator::lowrank(u.try_into()?, v.try_into()?)?,
            SavedOperator::DiagonalPlusLowRank { d, u, v } => {
                Operator::diag_plus_lowrank(floats(d), u.try_into()?, v.try_into()?)?
            }
            SavedOperator::Quantized { scheme, rows, cols, block, codes, scales, zeros, second, uniform } => {
                let f32s = |xs: Vec<u32>| xs.into_iter().map(f32::from_bits).collect();
                Operator::Quantized(Box::new(Quantized::from_parts(QuantizedParts {
                    scheme: Scheme::parse(&scheme)?,
                    shape: crate::Shape(rows, cols),
                    block,
                    codes,
                    scales: f32s(scales),
                    zeros: f32s(zeros),
                    second: second.map(|(offset, codes, absmax)| (f32::from_bits(offset), codes, f32s(absmax))),
                    uniform: match uniform {
                        Some((bits, dtype, group)) => Some((bits, ScaleDtype::parse(&dtype)?, group)),
                        None => None,
                    },
                })?))
            }
            SavedOperator::Scaled(s, a) => Operator::scaled(f64::from_bits(s), (*a).try_into()?),
            SavedOperator::Sum(xs) => fold(xs, Operator::sum)?,
            SavedOperator::Product(xs) => fold(xs, Operator::product)?,
            SavedOperator::Transposed(a) => Operator::try_from(*a)?.transpose(),
        })
    }
}

impl Serialize for Matrix {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SavedMatrix::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Matrix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Matrix, D::Error> {
        Matrix::try_from(SavedMatrix::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

impl Serialize for Operator {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SavedOperator::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Operator {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Operator, D::Error> {
        Operator::try_from(SavedOperator::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}
