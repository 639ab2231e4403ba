//! Geometry of symmetric positive definite matrices (the manifold of
//! covariance matrices), as pyriemann defines it.
//!
//! - affine-invariant distance `δ(A, B) = ‖log(A^{-1/2} B A^{-1/2})‖_F =
//!   √Σ log² λᵢ(A⁻¹B)`; log-Euclidean distance `‖log A − log B‖_F`;
//! - the log-Euclidean mean `exp(Σ wᵢ log Cᵢ)` and the Riemannian (Karcher)
//!   mean by pyriemann's gradient iteration with its step-size rule
//!   (Congedo et al., PLOS ONE 2015);
//! - the tangent space at `C_ref`: `upper(log(C_ref^{-1/2} C C_ref^{-1/2}))`,
//!   the upper triangle row by row with `√2` on the off-diagonal entries, and
//!   its inverse;
//! - minimum distance to mean (MDM) classification (Barachant et al., IEEE
//!   TBME 2012).
//!
//! Every function checks that its matrices are symmetric positive definite.

use crate::error::{Error, Result};
use crate::Matrix;

/// `V f(Λ) Vᵀ` of an SPD matrix (after checking it is one).
fn spd_function(c: &Matrix, op: &'static str, f: impl Fn(f64) -> f64) -> Result<Matrix> {
    let e = c.eigh().map_err(|e| crate::dense::decomp::rename(e, op))?;
    if let Some(&bad) = e.values.iter().find(|&&x| x <= 0.0) {
        return Err(Error::NotPositiveDefinite { op, detail: format!(" (an eigenvalue is {bad:e})") });
    }
    let scaled = Matrix::from_fn(c.rows(), c.cols(), |i, j| e.vectors.at(i, j) * f(e.values[j]));
    scaled.matmul(&e.vectors.transpose())
}

fn same_shape(op: &'static str, a: &Matrix, b: &Matrix) -> Result<()> {
    if a.shape() != b.shape() {
        return Err(Error::shapes(op, a.shape(), b.shape(), "the matrices must have the same size"));
    }
    Ok(())
}

/// The affine-invariant Riemannian distance.
pub fn riemann_distance(a: &Matrix, b: &Matrix) -> Result<f64> {
    same_shape("riemann_dist", a, b)?;
    let inv_sqrt = spd_function(a, "riemann_dist", |x| 1.0 / x.sqrt())?;
    spd_function(b, "riemann_dist", |x| x)?; // B must be SPD too
    let m = inv_sqrt.matmul(b)?.matmul(&inv_sqrt)?;
    let symmetric = m.add(&m.transpose())?.scale(0.5);
    Ok(symmetric.eigvalsh()?.iter().map(|l| l.ln().powi(2)).sum::<f64>().sqrt())
}

/// The log-Euclidean distance `‖log A − log B‖_F`.
pub fn logeuclid_distance(a: &Matrix, b: &Matrix) -> Result<f64> {
    same_shape("logeuclid_dist", a, b)?;
    let (la, lb) = (spd_function(a, "logeuclid_dist", f64::ln)?, spd_function(b, "logeuclid_dist", f64::ln)?);
    Ok(la.sub(&lb)?.norm_fro())
}

fn check_list(op: &'static str, covs: &[Matrix]) -> Result<usize> {
    let first = covs.first().ok_or_else(|| Error::invalid(op, "needs at least one matrix"))?;
    for c in covs {
        same_shape(op, first, c)?;
    }
    Ok(first.rows())
}

/// `exp(mean log Cᵢ)`.
pub fn logeuclid_mean(covs: &[Matrix]) -> Result<Matrix> {
    let n = check_list("logeuclid_mean", covs)?;
    let mut sum = Matrix::zeros(n, n);
    for c in covs {
        sum = sum.add(&spd_function(c, "logeuclid_mean", f64::ln)?)?;
    }
    let mean = sum.scale(1.0 / covs.len() as f64);
    spd_function(&mean.add(&mean.transpose())?.scale(0.5), "logeuclid_mean", f64::exp).or_else(|_| mean.expm())
}

/// The Riemannian (Karcher) mean to tolerance `tol` on `‖J‖_F`, pyriemann's
/// iteration: `M ← M^{1/2} exp(ν J) M^{1/2}`, `J = mean log(M^{-1/2} Cᵢ M^{-1/2})`,
/// from the arithmetic mean, with ν shrunk by 0.95 or halved as the step
/// succeeds or fails. Errors if it has not converged after `max_iter` steps.
pub fn riemann_mean(covs: &[Matrix], tol: f64, max_iter: usize) -> Result<Matrix> {
    let n = check_list("riemann_mean", covs)?;
    let w = 1.0 / covs.len() as f64;
    let mut m = covs.iter().try_fold(Matrix::zeros(n, n), |acc, c| acc.add(&c.scale(w)))?;
    let (mut nu, mut tau) = (1.0, f64::MAX);
    for _ in 0..max_iter {
        let sqrt = spd_function(&m, "riemann_mean", f64::sqrt)?;
        let inv_sqrt = spd_function(&m, "riemann_mean", |x| 1.0 / x.sqrt())?;
        let mut j = Matrix::zeros(n, n);
        for c in covs {
            let inner = inv_sqrt.matmul(c)?.matmul(&inv_sqrt)?;
            let inner = inner.add(&inner.transpose())?.scale(0.5);
            j = j.add(&spd_function(&inner, "riemann_mean", f64::ln)?.scale(w))?;
        }
        let step = spd_function(&j.scale(nu), "riemann_mean", f64::exp).or_else(|_| j.scale(nu).expm())?;
        let next = sqrt.matmul(&step)?.matmul(&sqrt)?;
        m = next.add(&next.transpose())?.scale(0.5);
        let crit = j.norm_fro();
        let h = nu * crit;
        if h < tau {
            nu *= 0.95;
            tau = h;
        } else {
            nu *= 0.5;
        }
        if crit <= tol || nu <= tol {
            return Ok(m);
        }
    }
    Err(Error::NoConvergence { op: "riemann_mean" })
}

/// `upper(T)`: the upper triangle row by row, off-diagonal entries times `√2`,
/// so that `‖upper(T)‖₂ = ‖T‖_F`.
fn upper(t: &Matrix) -> Matrix {
    let n = t.rows();
    let mut v = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            v.push(if i == j { t.at(i, j) } else { std::f64::consts::SQRT_2 * t.at(i, j) });
        }
    }
    Matrix::col(&v)
}

/// The tangent vector of `C` at `C_ref`: `upper(log(C_ref^{-1/2} C C_ref^{-1/2}))`.
pub fn tangent(c: &Matrix, reference: &Matrix) -> Result<Matrix> {
    same_shape("tangent", c, reference)?;
    let inv_sqrt = spd_function(reference, "tangent", |x| 1.0 / x.sqrt())?;
    let inner = inv_sqrt.matmul(c)?.matmul(&inv_sqrt)?;
    Ok(upper(&spd_function(&inner.add(&inner.transpose())?.scale(0.5), "tangent", f64::ln)?))
}

/// The inverse of [`tangent`]: `C_ref^{1/2} exp(unupper(v)) C_ref^{1/2}`.
pub fn untangent(v: &Matrix, reference: &Matrix) -> Result<Matrix> {
    let n = reference.rows();
    let values = v.vector_values("untangent")?;
    if values.len() != n * (n + 1) / 2 {
        return Err(Error::invalid(
            "untangent",
            format!(
                "a tangent vector at a {} matrix has {} entries, got {}",
                reference.shape(),
                n * (n + 1) / 2,
                values.len()
            ),
        ));
    }
    let mut t = Matrix::zeros(n, n);
    let mut k = 0;
    for i in 0..n {
        for j in i..n {
            let x = if i == j { values[k] } else { values[k] / std::f64::consts::SQRT_2 };
            t.set(i, j, x)?;
            t.set(j, i, x)?;
            k += 1;
        }
    }
    let sqrt = spd_function(reference, "untangent", f64::sqrt)?;
    let e = t.expm()?;
    let out = sqrt.matmul(&e)?.matmul(&sqrt)?;
    out.add(&out.transpose()).map(|m| m.scale(0.5))
}

/// A minimum-distance-to-mean classifier: one Riemannian mean per class.
#[derive(Debug, Clone)]
pub struct Mdm {
    /// The distinct labels, ascending.
    pub classes: Vec<f64>,
    /// The Riemannian mean of each class's matrices, in the order of `classes`.
    pub means: Vec<Matrix>,
}

impl Mdm {
    /// The class means of `covs` grouped by `labels`.
    pub fn fit(covs: &[Matrix], labels: &[f64], tol: f64) -> Result<Mdm> {
        if covs.len() != labels.len() {
            return Err(Error::invalid("mdm_fit", format!("{} matrices but {} labels", covs.len(), labels.len())));
        }
        let mut classes: Vec<f64> = labels.to_vec();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        let means = classes
            .iter()
            .map(|&k| {
                let members: Vec<Matrix> =
                    covs.iter().zip(labels).filter(|(_, &l)| l == k).map(|(c, _)| c.clone()).collect();
                riemann_mean(&members, tol, 200)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Mdm { classes, means })
    }

    /// The class whose mean is nearest (affine-invariant distance) to each matrix.
    pub fn predict(&self, covs: &[Matrix]) -> Result<Vec<f64>> {
        covs.iter()
            .map(|c| {
                let mut best = (f64::INFINITY, f64::NAN);
                for (k, m) in self.classes.iter().zip(&self.means) {
                    let d = riemann_distance(m, c)?;
                    if d < best.0 {
                        best = (d, *k);
                    }
                }
                Ok(best.1)
            })
            .collect()
    }
}
