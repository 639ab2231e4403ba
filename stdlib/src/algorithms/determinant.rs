//! `det`, `logdet` and `logabsdet` of structured operators.

use super::all_square;
use crate::dense::{decomp::logdet_from, LogAbsDet};
use crate::error::Result;
use crate::{c64, Operator};

/// A determinant as `sign · mantissa · 2^exponent`: products of factors are
/// exactly as rounded as a direct product, yet never overflow or underflow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Determinant {
    sign: f64,
    /// In `[0.5, 1)`, or 0 with `sign` 0.
    mantissa: f64,
    exponent: i64,
}

/// `|x| = m · 2^e` with `m ∈ [0.5, 1)`, for finite nonzero `x`.
fn frexp(x: f64) -> (f64, i64) {
    let (x, shift) = if x.abs() < f64::MIN_POSITIVE { (x.abs() * 2f64.powi(64), -64) } else { (x.abs(), 0) };
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1022;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent + shift)
}

/// `m · 2^e`, saturating to ∞ or 0 outside the range of `f64`.
fn ldexp(mut m: f64, mut e: i64) -> f64 {
    while e != 0 && m != 0.0 && m.is_finite() {
        let step = e.clamp(-1000, 1000);
        m *= 2f64.powi(step as i32);
        e -= step;
    }
    m
}

impl Determinant {
    /// The determinant whose value is `d`.
    pub fn of_value(d: f64) -> Determinant {
        if d == 0.0 {
            return Determinant { sign: 0.0, mantissa: 0.0, exponent: 0 };
        }
        if !d.is_finite() {
            return Determinant { sign: d.signum(), mantissa: d.abs(), exponent: 0 };
        }
        let (mantissa, exponent) = frexp(d);
        Determinant { sign: d.signum(), mantissa, exponent }
    }

    /// `Π xᵢ` of real factors (LU pivots, diagonal entries).
    pub fn product(xs: impl IntoIterator<Item = f64>) -> Determinant {
        xs.into_iter().fold(Determinant::of_value(1.0), |acc, x| acc.times(Determinant::of_value(x)))
    }

    /// The determinant of a product.
    pub fn times(self, other: Determinant) -> Determinant {
        if self.sign == 0.0 || other.sign == 0.0 {
            return Determinant::of_value(0.0);
        }
        let (m, e) = frexp(self.mantissa * other.mantissa);
        Determinant { sign: self.sign * other.sign, mantissa: m, exponent: self.exponent + other.exponent + e }
    }

    /// `dᵏ` by repeated squaring.
    pub fn power(self, mut k: usize) -> Determinant {
        let (mut base, mut acc) = (self, Determinant::of_value(1.0));
        while k > 0 {
            if k & 1 == 1 {
                acc = acc.times(base);
            }
            k >>= 1;
            if k > 0 {
                base = base.times(base);
            }
        }
        acc
    }

    /// `sign · e^log_abs` (for products of complex factors computed in log space).
    fn of_log(log_abs: f64, sign: f64) -> Determinant {
        if sign == 0.0 || log_abs == f64::NEG_INFINITY {
            return Determinant::of_value(0.0);
        }
        if !log_abs.is_finite() {
            return Determinant { sign, mantissa: log_abs, exponent: 0 }; // +∞ or NaN
        }
        let exponent = (log_abs / std::f64::consts::LN_2).floor() as i64 + 1;
        let (mantissa, shift) = frexp((log_abs - exponent as f64 * std::f64::consts::LN_2).exp());
        Determinant { sign, mantissa, exponent: exponent + shift }
    }

    /// The value (±∞ or 0 where it leaves the range of `f64`).
    pub fn value(self) -> f64 {
        if self.sign == 0.0 || !self.mantissa.is_finite() {
            return self.sign * self.mantissa;
        }
        self.sign * ldexp(self.mantissa, self.exponent)
    }

    /// `(log|d|, sign d)`.
    pub fn log_abs_det(self) -> LogAbsDet {
        if self.sign == 0.0 {
            return LogAbsDet { log_abs: f64::NEG_INFINITY, sign: 0.0 };
        }
        LogAbsDet { log_abs: self.mantissa.ln() + self.exponent as f64 * std::f64::consts::LN_2, sign: self.sign }
    }

    /// `Π zᵢ` for complex factors whose product is real (conjugate pairs).
    fn of_complex_product(zs: impl IntoIterator<Item = c64>) -> Determinant {
        let mut log_abs = 0.0;
        let mut phase = c64::new(1.0, 0.0);
        for z in zs {
            let r = z.norm();
            if r == 0.0 {
                return Determinant::of_value(0.0);
            }
            log_abs += r.ln();
            phase *= z / r;
        }
        Determinant::of_log(log_abs, if phase.re < 0.0 { -1.0 } else { 1.0 })
    }
}

impl Operator {
    /// `det A` through the structure, as an overflow-free [`Determinant`].
    pub fn determinant(&self) -> Result<Determinant> {
        let n = self.require_square("det")?;
        if n == 0 {
            return Ok(Determinant::of_value(1.0)); // the empty product
        }
        match self {
            // det A = ± Π Uᵢᵢ of the LU factors.
            Operator::Dense(m) => {
                let (pivots, sign) = m.lu_pivots("det")?;
                Ok(Determinant::of_value(sign).times(Determinant::product(pivots)))
            }
            // det diag(d) = Π dᵢ
            Operator::Diagonal(d) => Ok(Determinant::product(d.iter().copied())),
            // det P = (−1)^(number of even-length cycles)
            Operator::Permutation(p) => {
                Ok(Determinant::of_value(if crate::dense::decomp::permutation_parity(p) { -1.0 } else { 1.0 }))
            }
            // det(A₁ ⊗ … ⊗ A_k) = Π det(Aᵢ)^(N/nᵢ)
            Operator::Kronecker(fs) if all_square(fs) => fs
                .iter()
                .try_fold(Determinant::of_value(1.0), |acc, f| Ok(acc.times(f.determinant()?.power(n / f.shape().0)))),
            // det(A ⊕ B) = Π_{i,j} (λᵢ(A) + μⱼ(B))
            Operator::KroneckerSum(a, b) => {
                let (la, mb) = (a.eigvals()?, b.eigvals()?);
                Ok(Determinant::of_complex_product(la.iter().flat_map(|&l| mb.iter().map(move |&m| l + m))))
            }
            // det blockdiag(Bᵢ) = Π det Bᵢ
            Operator::BlockDiagonal(bs) if all_square(bs) => {
                bs.iter().try_fold(Determinant::of_value(1.0), |acc, b| Ok(acc.times(b.determinant()?)))
            }
            // det(Pᵀ L P R) = det L · det R
            Operator::Monarch(m) => m.as_product().determinant(),
            // rank(U Vᵀ) ≤ k < n, so det = 0
            Operator::LowRank { u, .. } if u.cols() < n => Ok(Determinant::of_value(0.0)),
            // det(D + U Vᵀ) = det D · det(I_k + Vᵀ D⁻¹ U)   (matrix determinant lemma)
            Operator::DiagonalPlusLowRank { d, u, v } if d.iter().all(|&x| x != 0.0) => {
                let capacitance = super::inverse::capacitance(d, u, v);
                Ok(Operator::Diagonal(d.clone()).determinant()?.times(Operator::Dense(capacitance).determinant()?))
            }
            // det(s A) = sⁿ det A
            Operator::Scaled(s, a) => Ok(Determinant::of_value(*s).power(n).times(a.determinant()?)),
            // det(A₁ ⋯ A_k) = Π det Aᵢ
            Operator::Product(fs) if all_square(fs) => {
                fs.iter().try_fold(Determinant::of_value(1.0), |acc, f| Ok(acc.times(f.determinant()?)))
            }
            // det Aᵀ = det A
            Operator::Transposed(a) => a.determinant(),
            // No rule (or a guard above failed): LU of the dense matrix.
            Operator::Kronecker(_)
            | Operator::BlockDiagonal(_)
            | Operator::LowRank { .. }
            | Operator::DiagonalPlusLowRank { .. }
            | Operator::Quantized(_)
            | Operator::Sum(_)
            | Operator::Product(_) => Operator::Dense(self.dense()).determinant(),
        }
    }

    /// `log|det A|` and the sign of `det A`, through the structure.
    pub fn logabsdet(&self) -> Result<LogAbsDet> {
        Ok(self.determinant().map_err(|e| crate::dense::decomp::rename(e, "logdet"))?.log_abs_det())
    }

    /// `det A` through the structure (±∞ or 0 where it leaves the range of `f64`).
    pub fn det(&self) -> Result<f64> {
        Ok(self.determinant()?.value())
    }

    /// `log det A`; errors when `det A ≤ 0`.
    pub fn logdet(&self) -> Result<f64> {
        logdet_from(self.logabsdet()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;

    #[test]
    fn products_are_exact_and_never_overflow() {
        assert_eq!(Determinant::product([2.0, 3.0, 4.0, -1.0]).value(), -24.0);
        assert_eq!(Determinant::of_value(0.75).power(3).value(), 0.421875);
        let huge = Determinant::of_value(1e300).power(4);
        assert_eq!(huge.value(), f64::INFINITY);
        assert!((huge.log_abs_det().log_abs - 1200.0 * std::f64::consts::LN_10).abs() < 1e-9);
        let tiny =
            Determinant::of_value(1e-300).times(Determinant::of_value(1e-300)).times(Determinant::of_value(1e300));
        assert_eq!(tiny.value(), 1e-300);
        assert_eq!(Determinant::of_value(5e-324).value(), 5e-324, "subnormal");
        assert!((Determinant::of_log(24f64.ln(), -1.0).value() + 24.0).abs() < 1e-13);
        assert_eq!(Determinant::of_log(f64::INFINITY, -1.0).value(), f64::NEG_INFINITY);
        assert!(Determinant::of_log(f64::NAN, 1.0).value().is_nan());
    }

    #[test]
    fn a_kronecker_determinant_beyond_f64_keeps_its_logarithm() {
        // det(1e100·I₄ ⊗ I₄) = 1e1600: not an f64, but log|det| is.
        let k = Operator::kron(vec![Operator::Dense(Matrix::eye(4).scale(1e100)), Operator::Dense(Matrix::eye(4))])
            .unwrap();
        assert_eq!(k.det().unwrap(), f64::INFINITY);
        let d = k.logabsdet().unwrap();
        assert_eq!(d.sign, 1.0);
        assert!((d.log_abs - 1600.0 * std::f64::consts::LN_10).abs() < 1e-9);
    }
}
