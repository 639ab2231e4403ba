//! Scalar functions that numpy has and `f64` lacks, with numpy's
//! conventions at zeros, infinities and NaN.

/// The floored modulo `a mod b = a − b·⌊a/b⌋`, the sign of `b` (numpy's
/// `np.mod`, Python's `%`): `-7 mod 3 = 2`, `7 mod -3 = -2`. As numpy does,
/// it is NaN when `b` is 0 or `a` infinite, `a` itself when `b` is infinite
/// with `a`'s sign, and ±∞ (`b`) when their signs differ. Computed from
/// `fmod`, which is exact, and one correction.
///
/// ```
/// use tessera::scalar::floored_mod;
/// assert_eq!((floored_mod(-7.0, 3.0), floored_mod(7.0, -3.0), floored_mod(5.5, 2.0)), (2.0, -2.0, 1.5));
/// assert!(floored_mod(1.0, 0.0).is_nan());
/// ```
pub fn floored_mod(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 && (r < 0.0) != (b < 0.0) {
        r + b
    } else if r == 0.0 {
        0.0f64.copysign(b)
    } else {
        r
    }
}

/// The remainder with the sign of the dividend, `a − b·trunc(a/b)` (MATLAB's
/// `rem`, numpy's `np.fmod`, C's `fmod`): `rem(-7, 3) = -1`. Exact.
pub fn rem(a: f64, b: f64) -> f64 {
    a % b
}

/// The error function `erf x = 2/√π ∫₀ˣ e^{−t²} dt` (libm's, as C's `erf`).
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// The logistic sigmoid `1 / (1 + e^{−x})` (scipy's `expit`), computed
/// without overflow on either side: `eˣ / (1 + eˣ)` for `x < 0`.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `max(x, 0)`, NaN kept (numpy's `np.maximum(x, 0)`).
pub fn relu(x: f64) -> f64 {
    if x.is_nan() || x > 0.0 {
        x
    } else {
        0.0
    }
}

/// GELU in its exact (erf) form, `x·Φ(x) = x/2 · (1 + erf(x/√2))` (PyTorch's
/// `gelu` with `approximate="none"`).
pub fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + erf(x * std::f64::consts::FRAC_1_SQRT_2))
}

/// The sign: −1, 0 or 1, NaN for NaN (numpy's `np.sign`; `sign(-0) = 0`).
pub fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floored_mod_follows_numpy() {
        // Values from numpy 2.x: np.mod(a, b).
        let cases = [
            (-7.0, 3.0, 2.0),
            (7.0, -3.0, -2.0),
            (-7.0, -3.0, -1.0),
            (6.0, 3.0, 0.0),
            (-6.0, 3.0, 0.0),
            (0.75, 0.25, 0.0),
            (-3.0, f64::INFINITY, f64::INFINITY),
            (3.0, f64::INFINITY, 3.0),
            (3.0, f64::NEG_INFINITY, f64::NEG_INFINITY),
        ];
        for (a, b, want) in cases {
            assert_eq!(floored_mod(a, b), want, "mod({a}, {b})");
        }
        // Zeros take the divisor's sign; NaN where numpy gives NaN.
        assert!(floored_mod(-6.0, 3.0).is_sign_positive() && floored_mod(6.0, -3.0).is_sign_negative());
        for (a, b) in [(1.0, 0.0), (f64::INFINITY, 2.0), (f64::NAN, 2.0), (2.0, f64::NAN)] {
            assert!(floored_mod(a, b).is_nan(), "mod({a}, {b})");
        }
    }
}
