//! Typed errors for user mistakes and numerical failures.
//!
//! Every fallible operation in the standard library returns [`Result`]. Each
//! error names the operation that failed and, where shapes are involved, the
//! shapes it was given, so the message reads as a complete sentence:
//! `solve: shapes 3×3 and 4×1 do not match (rows of A must equal rows of b)`.

use std::fmt;

/// A matrix shape, `rows × cols`, displayed as `3×4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape(pub usize, pub usize);

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}", self.0, self.1)
    }
}

/// What went wrong, with enough context to print a one-sentence message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Two operands whose shapes are incompatible for `op`.
    #[error("{op}: shapes {left} and {right} do not match ({rule})")]
    ShapeMismatch {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// The left operand's shape.
        left: Shape,
        /// The right operand's shape.
        right: Shape,
        /// The rule the shapes break, e.g. `rows of A must equal rows of b`.
        rule: &'static str,
    },
    /// An operation that needs a square matrix got a rectangular one.
    #[error("{op}: expected a square matrix, got {shape}")]
    NotSquare {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// The shape it was given.
        shape: Shape,
    },
    /// The matrix is singular (or numerically singular) where `op` needs an inverse.
    #[error("{op}: matrix is singular{detail}")]
    Singular {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// More about where it failed, as ` (…)` appended to the message, or empty.
        detail: String,
    },
    /// A Cholesky factor or SPD-only operation met a matrix that is not
    /// symmetric positive definite.
    #[error("{op}: matrix is not symmetric positive definite{detail}")]
    NotPositiveDefinite {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// More about where it failed, as ` (…)` appended to the message, or empty.
        detail: String,
    },
    /// A symmetric-only algorithm got a matrix that is not symmetric.
    #[error("{op}: matrix is not symmetric (max |A - Aᵀ| = {asymmetry:e})")]
    NotSymmetric {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// `max |A − Aᵀ|` over the entries.
        asymmetry: f64,
    },
    /// A decomposition was given NaN or infinite entries.
    #[error("{op}: input contains NaN or infinity")]
    NonFinite {
        /// The operation that failed, as the user called it.
        op: &'static str,
    },
    /// An argument outside the operation's domain (a bad size, index, count...).
    #[error("{op}: {reason}")]
    InvalidArgument {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// The sentence that says what is wrong.
        reason: String,
    },
    /// The result does not exist in real arithmetic (e.g. the real logarithm
    /// of a matrix with a negative eigenvalue).
    #[error("{op}: {reason}")]
    Domain {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// The sentence that says what is wrong.
        reason: String,
    },
    /// A file that cannot be read or written, or whose contents are malformed.
    #[error("{op}: {reason}")]
    File {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// The sentence that says what is wrong.
        reason: String,
    },
    /// The GPU is missing, cannot do what was asked, or failed.
    #[error("gpu: {reason}")]
    Device {
        /// The sentence that says what is wrong.
        reason: String,
    },
    /// A result larger than the memory this process can still allocate
    /// (see [`crate::memory`]).
    #[error("{op}: {what} would take {}, and {} is available", crate::memory::human(*.bytes), crate::memory::human(*.available))]
    OutOfMemory {
        /// The operation that failed, as the user called it.
        op: &'static str,
        /// What would have been allocated, e.g. `a 1000000×1000000 matrix`.
        what: String,
        /// Its size in bytes.
        bytes: u128,
        /// The bytes the process could still allocate.
        available: u128,
    },
    /// An iterative algorithm did not converge.
    #[error("{op}: the iteration did not converge")]
    NoConvergence {
        /// The operation that failed, as the user called it.
        op: &'static str,
    },
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(op: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument { op, reason: reason.into() }
    }

    /// Shorthand for [`Error::ShapeMismatch`].
    pub fn shapes(op: &'static str, left: Shape, right: Shape, rule: &'static str) -> Self {
        Error::ShapeMismatch { op, left, right, rule }
    }

    /// Shorthand for [`Error::Singular`] without further detail.
    pub fn singular(op: &'static str) -> Self {
        Error::Singular { op, detail: String::new() }
    }

    /// Shorthand for [`Error::File`].
    pub fn file(op: &'static str, reason: impl Into<String>) -> Self {
        Error::File { op, reason: reason.into() }
    }

    /// The operation the error names (`"gpu"` for device errors).
    pub fn op(&self) -> &'static str {
        match self {
            Error::ShapeMismatch { op, .. }
            | Error::NotSquare { op, .. }
            | Error::Singular { op, .. }
            | Error::NotPositiveDefinite { op, .. }
            | Error::NotSymmetric { op, .. }
            | Error::NonFinite { op }
            | Error::InvalidArgument { op, .. }
            | Error::Domain { op, .. }
            | Error::File { op, .. }
            | Error::OutOfMemory { op, .. }
            | Error::NoConvergence { op } => op,
            Error::Device { .. } => "gpu",
        }
    }

    /// The same error, naming `op` as the operation that failed (device
    /// errors keep their `gpu:`).
    pub fn named(self, op: &'static str) -> Self {
        crate::dense::decomp::rename(self, op)
    }

    /// Shorthand for [`Error::Domain`].
    pub fn domain(op: &'static str, reason: impl Into<String>) -> Self {
        Error::Domain { op, reason: reason.into() }
    }
}
