//! `det`, `logdet` and `logabsdet` of structured operators.

use super::all_square;
use crate::dense::{decomp::logdet_from, LogAbsDet};
use crate::error::Result;
use crate::{c64, Operator};

impl LogAbsDet {
    /// The determinant `d` as `(log|d|, sign d)`.
    pub fn of_value(d: f64) -> LogAbsDet {
        if d == 0.0 {
            LogAbsDet { log_abs: f64::NEG_INFINITY, sign: 0.0 }
        } else {
            LogAbsDet { log_abs: d.abs().ln(), sign: d.signum() }
        }
    }

    /// The determinant of a product: logs add, signs multiply.
    pub fn times(self, other: LogAbsDet) -> LogAbsDet {
        if self.sign == 0.0 || other.sign == 0.0 {
            return LogAbsDet::of_value(0.0);
        }
        LogAbsDet { log_abs: self.log_abs + other.log_abs, sign: self.sign * other.sign }
    }

    /// `dᵏ`.
    pub fn power(self, k: usize) -> LogAbsDet {
        if k == 0 {
            return LogAbsDet::of_value(1.0);
        }
        if self.sign == 0.0 {
            return self;
        }
        let sign = if k % 2 == 0 { 1.0 } else { self.sign };
        LogAbsDet { log_abs: self.log_abs * k as f64, sign }
    }

    /// `sign · exp(log|d|)`.
    pub fn value(self) -> f64 {
        if self.sign == 0.0 {
            0.0
        } else {
            self.sign * self.log_abs.exp()
        }
    }

    /// `Π zᵢ` for complex factors whose product is real (conjugate pairs).
    fn of_complex_product(zs: impl IntoIterator<Item = c64>) -> LogAbsDet {
        let mut log_abs = 0.0;
        let mut phase = c64::new(1.0, 0.0);
        for z in zs {
            let r = z.norm();
            if r == 0.0 {
                return LogAbsDet::of_value(0.0);
            }
            log_abs += r.ln();
            phase *= z / r;
        }
        LogAbsDet { log_abs, sign: if phase.re < 0.0 { -1.0 } else { 1.0 } }
    }
}

impl Operator {
    /// `log|det A|` and the sign of `det A`, through the structure.
    pub fn logabsdet(&self) -> Result<LogAbsDet> {
        let n = self.require_square("logdet")?;
        if n == 0 {
            return Ok(LogAbsDet::of_value(1.0)); // the empty product
        }
        match self {
            // LU pivots.
            Operator::Dense(m) => m.logabsdet(),
            // det diag(d) = Π dᵢ
            Operator::Diagonal(d) => {
                Ok(d.iter().fold(LogAbsDet::of_value(1.0), |acc, &x| acc.times(LogAbsDet::of_value(x))))
            }
            // det P = (−1)^(number of even-length cycles)
            Operator::Permutation(p) => {
                Ok(LogAbsDet::of_value(if crate::dense::decomp::permutation_parity(p) { -1.0 } else { 1.0 }))
            }
            // det(A₁ ⊗ … ⊗ A_k) = Π det(Aᵢ)^(N/nᵢ)
            Operator::Kronecker(fs) if all_square(fs) => fs
                .iter()
                .try_fold(LogAbsDet::of_value(1.0), |acc, f| Ok(acc.times(f.logabsdet()?.power(n / f.shape().0)))),
            // det(A ⊕ B) = Π_{i,j} (λᵢ(A) + μⱼ(B))
            Operator::KroneckerSum(a, b) => {
                let (la, mb) = (a.eigvals()?, b.eigvals()?);
                Ok(LogAbsDet::of_complex_product(la.iter().flat_map(|&l| mb.iter().map(move |&m| l + m))))
            }
            // det blockdiag(Bᵢ) = Π det Bᵢ
            Operator::BlockDiagonal(bs) if all_square(bs) => {
                bs.iter().try_fold(LogAbsDet::of_value(1.0), |acc, b| Ok(acc.times(b.logabsdet()?)))
            }
            // det(Pᵀ L P R) = det L · det R
            Operator::Monarch(m) => m.as_product().logabsdet(),
            // rank(U Vᵀ) ≤ k < n, so det = 0
            Operator::LowRank { u, .. } if u.cols() < n => Ok(LogAbsDet::of_value(0.0)),
            // det(D + U Vᵀ) = det D · det(I_k + Vᵀ D⁻¹ U)   (matrix determinant lemma)
            Operator::DiagonalPlusLowRank { d, u, v } if d.iter().all(|&x| x != 0.0) => {
                let capacitance = super::inverse::capacitance(d, u, v);
                Ok(Operator::Diagonal(d.clone()).logabsdet()?.times(capacitance.logabsdet()?))
            }
            // det(s A) = sⁿ det A
            Operator::Scaled(s, a) => Ok(LogAbsDet::of_value(*s).power(n).times(a.logabsdet()?)),
            // det(A₁ ⋯ A_k) = Π det Aᵢ
            Operator::Product(fs) if all_square(fs) => {
                fs.iter().try_fold(LogAbsDet::of_value(1.0), |acc, f| Ok(acc.times(f.logabsdet()?)))
            }
            // det Aᵀ = det A
            Operator::Transposed(a) => a.logabsdet(),
            // No rule: LU of the dense matrix.
            _ => self.dense().logabsdet(),
        }
    }

    /// `det A` through the structure (a dense operator keeps the exact pivot product).
    pub fn det(&self) -> Result<f64> {
        match self {
            Operator::Dense(m) => m.det(),
            _ => Ok(self.logabsdet().map_err(|e| crate::dense::decomp::rename(e, "det"))?.value()),
        }
    }

    /// `log det A`; errors when `det A ≤ 0`.
    pub fn logdet(&self) -> Result<f64> {
        logdet_from(self.logabsdet()?)
    }
}
