//! # tessera — structured matrices as first-class objects
//!
//! The mathematics behind Tessera, with no knowledge of the language:
//!
//! - [`Matrix`]: a dense `f64` matrix on faer, with the decompositions and
//!   matrix functions (`solve`, `det`, `chol`, `qr`, `svd`, `eigh`, `expm`, …).
//! - [`Operator`]: structured operators (Kronecker products and sums,
//!   block-diagonal, Monarch, low-rank, diagonal, permutation, and sums,
//!   products, scalings and transposes of these) that apply themselves without
//!   forming the dense matrix.
//! - [`algorithms`]: determinant, inverse, solve, eigenvalues, singular
//!   values, trace, Cholesky and the exponential, each choosing the rule that
//!   the structure allows and falling back to dense faer otherwise.
//! - [`Rng`]: seeded random numbers, identical on every platform.
//!
//! Every user mistake is a typed [`Error`]; nothing here panics on bad input.

pub mod algorithms;
pub mod dense;
pub mod error;
pub mod ops;
pub mod random;

pub use dense::Matrix;
pub use error::{Error, Result, Shape};
pub use faer::c64;
pub use ops::{Monarch, Operator};
pub use random::Rng;

/// Everything a user of the library needs in scope.
pub mod prelude {
    pub use crate::dense::{Eigh, LogAbsDet, Qr, Svd};
    pub use crate::{c64, Error, Matrix, Monarch, Operator, Result, Rng, Shape};
}
