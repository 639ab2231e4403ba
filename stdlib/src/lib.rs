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
//!
//! ```
//! use tessera::prelude::*;
//!
//! let mut rng = Rng::seeded(7);
//! let (a, b) = (rng.randn(64, 64), rng.randn(64, 64));
//! let k = Operator::kron(vec![a.clone().into(), b.clone().into()])?;
//! assert_eq!(k.storage(), 2 * 64 * 64);
//! let x = rng.randn(4096, 1);
//! let y = k.apply(&x)?; // (A ⊗ B) vec(X) = vec(A X Bᵀ)
//! let direct = a.matmul(&x.reshape(64, 64)?)?.matmul(&b.transpose())?.reshape(4096, 1)?;
//! assert!(y.sub(&direct)?.norm_fro() <= 1e-12 * direct.norm_fro());
//! let d = k.logabsdet()?; // 64·log|det A| + 64·log|det B|
//! let expected = 64.0 * (a.logabsdet()?.log_abs + b.logabsdet()?.log_abs);
//! assert!((d.log_abs - expected).abs() <= 1e-12 * expected.abs());
//! assert!(matches!(k.inverse()?, Operator::Kronecker { .. })); // A⁻¹ ⊗ B⁻¹
//! # Ok::<(), tessera::Error>(())
//! ```

#![warn(missing_docs)]

pub mod algorithms;
pub mod camera;
pub mod compress;
pub mod covariance;
pub mod dense;
#[cfg(feature = "gpu")]
pub mod device;
pub mod display;
#[cfg(feature = "serde")]
pub mod encoding;
pub mod error;
#[cfg(feature = "evcxr")]
pub mod evcxr;
pub mod figure;
pub mod io;
pub mod lanes;
pub mod memory;
pub mod ops;
pub mod random;
pub mod rope;
pub mod scalar;
#[cfg(feature = "evcxr")]
pub mod session;
pub mod spd;
pub mod testing;

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
