//! Functions of a matrix: `expm`, `logm`, `sqrtm`.
//!
//! A symmetric argument goes through its eigendecomposition,
//! `f(A) = V f(Λ) Vᵀ`, which is exact to rounding. A general argument uses
//! the classical real-arithmetic algorithms: scaling and squaring with Padé
//! approximants for `expm` (Higham 2005), the scaled Denman–Beavers iteration
//! for `sqrtm`, and inverse scaling and squaring for `logm`.

use super::Matrix;
use crate::error::{Error, Result};

/// Padé coefficients `b₀ … b_m` for `exp` and the 1-norm bound `θ_m` below which
/// degree `m` reaches unit roundoff (Higham 2005, Table 2.3).
const PADE: [(f64, &[f64]); 5] = [
    (1.495585217958292e-2, &[120., 60., 12., 1.]),
    (2.53939833006323e-1, &[30240., 15120., 3360., 420., 30., 1.]),
    (9.504178996162932e-1, &[17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.]),
    (
        2.097847961257068,
        &[17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880., 3960., 90., 1.],
    ),
    (
        5.371920351148152,
        &[
            64764752532480000.,
            32382376266240000.,
            7771770303897600.,
            1187353796428800.,
            129060195264000.,
            10559470521600.,
            670442572800.,
            33522128640.,
            1323241920.,
            40840800.,
            960960.,
            16380.,
            182.,
            1.,
        ],
    ),
];

/// `Σ cᵢ Mᵢ` over matching lists (all matrices the same shape).
fn combination(terms: &[(f64, &Matrix)]) -> Matrix {
    let (m, n) = (terms[0].1.rows(), terms[0].1.cols());
    Matrix::from_fn(m, n, |i, j| terms.iter().map(|(c, x)| c * x.at(i, j)).sum())
}

fn product(a: &Matrix, b: &Matrix) -> Matrix {
    a.matmul(b).expect("square factors of one size")
}

/// The matrix 1-norm (max absolute column sum).
fn norm1(a: &Matrix) -> f64 {
    (0..a.cols()).map(|j| (0..a.rows()).map(|i| a.at(i, j).abs()).sum::<f64>()).fold(0.0, f64::max)
}

impl Matrix {
    /// `f(A) = V f(Λ) Vᵀ` for symmetric `A = V Λ Vᵀ`.
    fn symmetric_function(&self, f: impl Fn(f64) -> f64) -> Result<Matrix> {
        let e = self.eigh()?;
        let scaled = Matrix::from_fn(self.rows(), self.cols(), |i, j| e.vectors.at(i, j) * f(e.values[j]));
        scaled.matmul(&e.vectors.transpose())
    }

    /// The matrix exponential `exp(A) = Σ Aᵏ/k!`.
    ///
    /// Symmetric `A`: `V exp(Λ) Vᵀ`. Otherwise scaling and squaring,
    /// `exp(A) = r(A/2ˢ)^(2ˢ)` with the lowest Padé degree `m ∈ {3,5,7,9,13}`
    /// whose bound `θ_m` covers `‖A‖₁` (Higham 2005). Cost about `(6 + s)·2n³` flops.
    ///
    /// ```
    /// use tessera::Matrix;
    /// let t = std::f64::consts::FRAC_PI_2;
    /// let generator = Matrix::from_rows(&[vec![0.0, -t], vec![t, 0.0]])?;
    /// let r = generator.expm()?; // rotation by π/2
    /// assert!(r.sub(&Matrix::from_rows(&[vec![0.0, -1.0], vec![1.0, 0.0]])?)?.max_abs() < 1e-15);
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn expm(&self) -> Result<Matrix> {
        let n = self.require_square("expm")?;
        self.require_finite("expm")?;
        if self.is_symmetric() {
            return self.symmetric_function(f64::exp).map_err(|e| super::decomp::rename(e, "expm"));
        }
        // ‖A‖₁ scaled by max|aᵢⱼ| first, so that it cannot overflow.
        let biggest = self.max_abs();
        let relative = if biggest == 0.0 { 0.0 } else { norm1(&self.scale(1.0 / biggest)) };
        let log2_norm = biggest.log2() + relative.log2();
        let norm = log2_norm.exp2();
        let eye = Matrix::eye(n);
        let a2 = product(self, self);
        for &(theta, b) in &PADE[..4] {
            if norm <= theta {
                // U = A Σ b_{2k+1} A^{2k}, V = Σ b_{2k} A^{2k}
                let mut powers = vec![eye.clone(), a2.clone()];
                while powers.len() < b.len().div_ceil(2) {
                    powers.push(product(powers.last().unwrap(), &a2));
                }
                let odd: Vec<_> = powers.iter().zip(b.iter().skip(1).step_by(2)).map(|(p, &c)| (c, p)).collect();
                let even: Vec<_> = powers.iter().zip(b.iter().step_by(2)).map(|(p, &c)| (c, p)).collect();
                return pade_quotient(&product(self, &combination(&odd)), &combination(&even));
            }
        }
        let (theta, b) = PADE[4];
        let s = if norm > theta { (log2_norm - theta.log2()).ceil() as i32 } else { 0 };
        // 2⁻ˢ in two factors: for ‖A‖₁ near f64::MAX, 2⁻ˢ alone underflows.
        let a = self.scale(0.5f64.powi(s / 2)).scale(0.5f64.powi(s - s / 2));
        let a2 = product(&a, &a);
        let a4 = product(&a2, &a2);
        let a6 = product(&a2, &a4);
        let u_inner = combination(&[(b[13], &a6), (b[11], &a4), (b[9], &a2)]);
        let u = product(
            &a,
            &product(&a6, &u_inner).add(&combination(&[(b[7], &a6), (b[5], &a4), (b[3], &a2), (b[1], &eye)]))?,
        );
        let v_inner = combination(&[(b[12], &a6), (b[10], &a4), (b[8], &a2)]);
        let v = product(&a6, &v_inner).add(&combination(&[(b[6], &a6), (b[4], &a4), (b[2], &a2), (b[0], &eye)]))?;
        let mut x = pade_quotient(&u, &v)?;
        for _ in 0..s {
            x = product(&x, &x);
        }
        Ok(x)
    }

    /// The principal square root `X` with `X² = A` and eigenvalues in the right half plane.
    ///
    /// Symmetric `A`: `V √Λ Vᵀ` (requires `λ ≥ 0`). Otherwise the scaled
    /// Denman–Beavers iteration `Y ← (μY + (μZ)⁻¹)/2`, `Z ← (μZ + (μY)⁻¹)/2`,
    /// `μ = |det Y det Z|^(−1/2n)`, about `4n³` flops per step and 6–10 steps.
    /// Errors when `A` has an eigenvalue on the closed negative real axis (no
    /// real principal root) or is singular and not symmetric.
    pub fn sqrtm(&self) -> Result<Matrix> {
        self.require_square("sqrtm")?;
        self.require_finite("sqrtm")?;
        if self.is_symmetric() {
            let e = self.eigh().map_err(|e| super::decomp::rename(e, "sqrtm"))?;
            let floor = -(self.rows() as f64) * f64::EPSILON * e.values.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            if let Some(&bad) = e.values.iter().find(|&&x| x < floor) {
                return Err(Error::domain(
                    "sqrtm",
                    format!("the symmetric matrix has a negative eigenvalue ({bad:e}); its square root is not real"),
                ));
            }
            return self.symmetric_function(|x| x.max(0.0).sqrt());
        }
        self.require_no_negative_real_eigenvalues("sqrtm")?;
        denman_beavers(self)
    }

    /// The principal logarithm `X` with `exp(X) = A`.
    ///
    /// Symmetric `A`: `V log(Λ) Vᵀ` (requires `λ > 0`). Otherwise inverse
    /// scaling and squaring: take `k` square roots until `‖A^(1/2ᵏ) − I‖₁ ≤ ¼`,
    /// then `log A = 2ᵏ · 2 atanh(Z)`, `Z = (B − I)(B + I)⁻¹`, summing the atanh
    /// series to rounding. Errors when `A` has an eigenvalue on the closed
    /// negative real axis (the real principal logarithm does not exist).
    pub fn logm(&self) -> Result<Matrix> {
        let n = self.require_square("logm")?;
        self.require_finite("logm")?;
        if self.is_symmetric() {
            let e = self.eigh().map_err(|e| super::decomp::rename(e, "logm"))?;
            if let Some(&bad) = e.values.iter().find(|&&x| x <= 0.0) {
                return Err(Error::domain(
                    "logm",
                    format!("the symmetric matrix has a non-positive eigenvalue ({bad:e}); its logarithm is not real"),
                ));
            }
            return self.symmetric_function(f64::ln);
        }
        self.require_no_negative_real_eigenvalues("logm")?;
        let eye = Matrix::eye(n);
        let mut b = self.clone();
        let mut k = 0;
        while norm1(&b.sub(&eye)?) > 0.25 {
            if k == 64 {
                return Err(Error::NoConvergence { op: "logm" });
            }
            b = denman_beavers(&b)?;
            k += 1;
        }
        let z = b.add(&eye)?.transpose().solve(&b.sub(&eye)?.transpose())?.transpose();
        let z2 = product(&z, &z);
        let mut term = z.clone();
        let mut sum = z;
        for j in 1.. {
            term = product(&term, &z2);
            let contribution = term.scale(1.0 / (2 * j + 1) as f64);
            sum = sum.add(&contribution)?;
            if contribution.max_abs() <= f64::EPSILON * sum.max_abs() || j == 200 {
                break;
            }
        }
        Ok(sum.scale(2f64.powi(k + 1)))
    }

    /// Errors if `A` has a real eigenvalue `λ ≤ 0`, where no real principal
    /// square root or logarithm exists.
    fn require_no_negative_real_eigenvalues(&self, op: &'static str) -> Result<()> {
        let values = self.eigvals().map_err(|e| super::decomp::rename(e, op))?;
        let scale = values.iter().fold(0.0f64, |m, z| m.max(z.norm()));
        let tol = self.rows() as f64 * f64::EPSILON * scale.max(f64::MIN_POSITIVE);
        match values.iter().find(|z| z.im.abs() <= tol && z.re <= tol) {
            Some(z) if z.re.abs() <= tol => Err(Error::Singular {
                op,
                detail: " (a singular non-symmetric matrix has no principal root or logarithm computed here)".into(),
            }),
            Some(z) => Err(Error::domain(
                op,
                format!("the matrix has the negative eigenvalue {:e}; the principal result is not real", z.re),
            )),
            None => Ok(()),
        }
    }
}

/// `(V − U)⁻¹ (V + U)`, the Padé approximant `r_m(A)`.
fn pade_quotient(u: &Matrix, v: &Matrix) -> Result<Matrix> {
    v.sub(u)?.solve(&v.add(u)?).map_err(|e| super::decomp::rename(e, "expm"))
}

/// Scaled Denman–Beavers iteration for the principal square root.
fn denman_beavers(a: &Matrix) -> Result<Matrix> {
    let n = a.rows() as f64;
    let mut y = a.clone();
    let mut z = Matrix::eye(a.rows());
    let mut previous_change = f64::INFINITY;
    for _ in 0..100 {
        let (ly, lz) = (y.logabsdet()?, z.logabsdet()?);
        let mu = (-(ly.log_abs + lz.log_abs) / (2.0 * n)).exp();
        let (yi, zi) = (y.inv()?, z.inv()?);
        let next_y = y.scale(mu).add(&zi.scale(1.0 / mu))?.scale(0.5);
        let next_z = z.scale(mu).add(&yi.scale(1.0 / mu))?.scale(0.5);
        let change = next_y.sub(&y)?.norm_fro();
        y = next_y;
        z = next_z;
        let size = y.norm_fro();
        // Converged, or stagnated at rounding level after quadratic convergence.
        if change <= 10.0 * n * f64::EPSILON * size || (change <= 1e-8 * size && change > previous_change / 2.0) {
            return Ok(y);
        }
        previous_change = change;
    }
    Err(Error::NoConvergence { op: "sqrtm" })
}

#[cfg(test)]
mod tests {
    use crate::{Matrix, Rng};

    fn close(a: &Matrix, b: &Matrix, tol: f64) -> bool {
        a.sub(b).unwrap().norm_fro() <= tol * b.norm_fro().max(1.0)
    }

    /// A non-symmetric matrix with eigenvalues away from the negative real axis.
    fn general(rng: &mut Rng, n: usize) -> Matrix {
        rng.randn(n, n).scale(0.4).add(&Matrix::eye(n).scale(2.0)).unwrap()
    }

    #[test]
    fn exp_of_minus_a_is_the_inverse() {
        let mut rng = Rng::seeded(11);
        for n in [1, 2, 5, 9] {
            for scale in [0.001, 0.5, 4.0, 60.0] {
                let a = rng.randn(n, n).scale(scale / n as f64);
                let (e, e_minus) = (a.expm().unwrap(), a.scale(-1.0).expm().unwrap());
                // Rounding in the product alone is of order ε ‖e^A‖ ‖e^−A‖.
                let tol = 100.0 * f64::EPSILON * e.norm_fro() * e_minus.norm_fro();
                assert!(close(&e.matmul(&e_minus).unwrap(), &Matrix::eye(n), tol), "n={n}, scale={scale}");
            }
        }
    }

    #[test]
    fn nilpotent_exponential_is_a_finite_series() {
        // exp(N) = I + N + N²/2 for N strictly upper triangular 3×3.
        let n = Matrix::from_rows(&[vec![0.0, 2.0, 3.0], vec![0.0, 0.0, 5.0], vec![0.0, 0.0, 0.0]]).unwrap();
        let n2 = n.matmul(&n).unwrap();
        let expected = Matrix::eye(3).add(&n).unwrap().add(&n2.scale(0.5)).unwrap();
        assert!(close(&n.expm().unwrap(), &expected, 1e-15));
    }

    #[test]
    fn square_root_squares_back_and_logarithm_exponentiates_back() {
        let mut rng = Rng::seeded(12);
        for n in [1, 2, 4, 7] {
            let a = general(&mut rng, n);
            let r = a.sqrtm().unwrap();
            assert!(close(&r.matmul(&r).unwrap(), &a, 1e-12), "sqrtm² = A, n={n}");
            let l = a.logm().unwrap();
            assert!(close(&l.expm().unwrap(), &a, 1e-12), "exp(logm A) = A, n={n}");
        }
    }

    #[test]
    fn logarithm_of_a_rotation_is_its_generator() {
        let t: f64 = 0.7;
        let rotation = Matrix::from_rows(&[vec![t.cos(), -t.sin()], vec![t.sin(), t.cos()]]).unwrap();
        let generator = Matrix::from_rows(&[vec![0.0, -t], vec![t, 0.0]]).unwrap();
        assert!(close(&rotation.logm().unwrap(), &generator, 1e-14));
    }
}
