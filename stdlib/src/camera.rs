//! Pinhole camera geometry, with OpenCV's conventions: a world point `X`
//! (a row of an `N×3` matrix) projects to the pixel `x ~ P [X; 1]` with the
//! `3×4` projection matrix `P = K [R | t]`; `K` holds the focal lengths
//! `fx, fy` (pixels), the skew and the principal point `(px, py)`; `R` is a
//! rotation (`R Rᵀ = I`, `det R = 1`) and `t` the translation, so the camera
//! centre is `C = −Rᵀ t` (Hartley and Zisserman, *Multiple View Geometry*,
//! 2nd ed., ch. 6–7 and 12).
//!
//! - [`rodrigues`]: rotation vector ↔ rotation matrix, as `cv2.Rodrigues`;
//! - [`decompose`]: `P → K, R, t` by an RQ decomposition with the signs fixed
//!   so that the focal lengths are positive and `det R = +1`;
//! - [`calibrate_dlt`]: `P` from `N ≥ 6` correspondences by the
//!   Hartley-normalised direct linear transform;
//! - [`triangulate`]: the linear (DLT) triangulation of `cv2.triangulatePoints`;
//! - [`stereo_depth`]: `Z = f·b / (d + doffs)` for a rectified pair
//!   (Middlebury's convention: `doffs` is the difference of the principal
//!   points' x coordinates).
//!
//! The fixed-size work (3×3 rotations, 4×4 triangulation systems) is done
//! with nalgebra; the `2N×12` DLT system with faer.

use crate::error::{Error, Result};
use crate::Matrix;
use nalgebra::{Matrix3, Matrix3x4, Matrix4, Rotation3, UnitQuaternion, Vector3, Vector4};

/// The intrinsic matrix `K = [fx s px; 0 fy py; 0 0 1]`.
pub fn intrinsics(fx: f64, fy: f64, px: f64, py: f64, skew: f64) -> Result<Matrix> {
    if ![fx, fy, px, py, skew].iter().all(|v| v.is_finite()) || fx == 0.0 || fy == 0.0 {
        return Err(Error::invalid("intrinsics", "the focal lengths must be finite and non-zero, the rest finite"));
    }
    Ok(from_na3(&Matrix3::new(fx, skew, px, 0.0, fy, py, 0.0, 0.0, 1.0)))
}

/// The axis about which an elementary rotation turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// The `x` axis.
    X,
    /// The `y` axis.
    Y,
    /// The `z` axis.
    Z,
}

/// The right-handed rotation by `a` radians about one coordinate axis, e.g.
/// `rotx(a) = [1 0 0; 0 cos a −sin a; 0 sin a cos a]`.
pub fn axis_rotation(axis: Axis, a: f64) -> Matrix {
    let unit = match axis {
        Axis::X => Vector3::x_axis(),
        Axis::Y => Vector3::y_axis(),
        Axis::Z => Vector3::z_axis(),
    };
    from_na3(Rotation3::from_axis_angle(&unit, a).matrix())
}

/// Rodrigues' formula both ways, as `cv2.Rodrigues`: a 3-vector `v` (axis
/// `v/‖v‖`, angle `‖v‖`) gives `R = I + sin θ [k]ₓ + (1 − cos θ)[k]ₓ²`; a
/// rotation matrix gives back its rotation vector (angle in `[0, π]`, through
/// the unit quaternion, so accurate near `θ = π` too). A 3×3 matrix that is
/// not a rotation is refused.
pub fn rodrigues(v: &Matrix) -> Result<Matrix> {
    if v.shape() == crate::Shape(3, 3) {
        let r = to_na3(v);
        check_rotation("rodrigues", &r)?;
        let q = UnitQuaternion::from_rotation_matrix(&Rotation3::from_matrix_unchecked(r));
        let w = q.scaled_axis();
        return Ok(Matrix::col(w.as_slice()));
    }
    let w = vector3("rodrigues", v, "a rotation vector (3 entries) or a 3×3 rotation matrix")?;
    Ok(from_na3(Rotation3::new(w).matrix()))
}

/// The projection matrix `P = K [R | t]` (3×4).
pub fn projection(k: &Matrix, r: &Matrix, t: &Matrix) -> Result<Matrix> {
    let (k, r) = (square3("projection", k, "K")?, square3("projection", r, "R")?);
    let t = vector3("projection", t, "the translation t (3 entries)")?;
    let mut rt = Matrix3x4::zeros();
    rt.fixed_view_mut::<3, 3>(0, 0).copy_from(&r);
    rt.set_column(3, &t);
    Ok(from_na34(&(k * rt)))
}

/// `P` as a 3×4 matrix, or an error naming `op`.
fn camera(op: &'static str, p: &Matrix) -> Result<Matrix3x4<f64>> {
    if p.shape() != crate::Shape(3, 4) {
        return Err(Error::invalid(op, format!("a projection matrix is 3×4, got {}", p.shape())));
    }
    if !p.is_finite() {
        return Err(Error::NonFinite { op });
    }
    Ok(Matrix3x4::from_fn(|i, j| p.at(i, j)))
}

/// World points: the rows of an `N×3` matrix (or `N×4` homogeneous), as homogeneous 4-vectors.
fn world_points(op: &'static str, x: &Matrix) -> Result<Vec<Vector4<f64>>> {
    match x.cols() {
        3 => Ok((0..x.rows()).map(|i| Vector4::new(x.at(i, 0), x.at(i, 1), x.at(i, 2), 1.0)).collect()),
        4 => Ok((0..x.rows()).map(|i| Vector4::from_fn(|j, _| x.at(i, j))).collect()),
        _ => Err(Error::invalid(op, format!("world points are the rows of an N×3 matrix, got {}", x.shape()))),
    }
}

/// Pixels: the rows of an `N×2` matrix.
fn pixels(op: &'static str, x: &Matrix) -> Result<Vec<[f64; 2]>> {
    if x.cols() != 2 {
        return Err(Error::invalid(op, format!("pixels are the rows of an N×2 matrix, got {}", x.shape())));
    }
    Ok((0..x.rows()).map(|i| [x.at(i, 0), x.at(i, 1)]).collect())
}

/// The pixels `(u, v) = (p₁·X̃ / p₃·X̃, p₂·X̃ / p₃·X̃)` of the rows of `X` (`N×2`;
/// `O(N)`). A point on the camera's principal plane (`p₃·X̃ = 0`) goes to
/// infinity, as the division says.
pub fn project(p: &Matrix, x: &Matrix) -> Result<Matrix> {
    let p = camera("project", p)?;
    let points = world_points("project", x)?;
    let mut out = Matrix::zeros(points.len(), 2);
    for (i, xh) in points.iter().enumerate() {
        let [u, v] = dehomogenise(&(p * xh));
        out.set(i, 0, u)?;
        out.set(i, 1, v)?;
    }
    Ok(out)
}

fn dehomogenise(h: &Vector3<f64>) -> [f64; 2] {
    [h[0] / h[2], h[1] / h[2]]
}

/// The root-mean-square distance in pixels between `project(P, X)` and `x`:
/// `√(Σᵢ ‖x̂ᵢ − xᵢ‖² / N)`, the figure OpenCV's calibration reports.
pub fn reproj_error(p: &Matrix, x_world: &Matrix, x_pixels: &Matrix) -> Result<f64> {
    let observed = pixels("reproj_error", x_pixels)?;
    if observed.len() != x_world.rows() {
        return Err(Error::shapes("reproj_error", x_world.shape(), x_pixels.shape(), "one pixel per world point"));
    }
    if observed.is_empty() {
        return Err(Error::invalid("reproj_error", "needs at least one point"));
    }
    let projected = project(p, x_world)?;
    let sum: f64 = observed
        .iter()
        .enumerate()
        .map(|(i, [u, v])| (projected.at(i, 0) - u).powi(2) + (projected.at(i, 1) - v).powi(2))
        .sum();
    Ok((sum / observed.len() as f64).sqrt())
}

/// A projection matrix taken apart: `P = λ K [R | t]` with `λ > 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// Upper triangular, positive diagonal, `K[2,2] = 1`.
    pub k: Matrix,
    /// A rotation: `R Rᵀ = I`, `det R = +1`.
    pub r: Matrix,
    /// The translation (3×1).
    pub t: Matrix,
    /// The camera centre `C = −Rᵀ t` (3×1), the null vector of `P`.
    pub center: Matrix,
}

/// `P = λ K [R | t]` by the RQ decomposition of its left 3×3 block `M`
/// (`O(1)`): with the row-reversing permutation `J`, the QR factorisation
/// `(J M)ᵀ = Q̃ R̃` gives `M = (J R̃ᵀ J)(J Q̃ᵀ)`. The signs are then fixed so that
/// `K` has a positive diagonal, and `P` is negated when `det M < 0` (it is
/// defined up to scale), so that `det R = +1`; `K` is scaled to `K[2,2] = 1`.
/// Errors if `M` is singular (a camera at infinity).
pub fn decompose(p: &Matrix) -> Result<Decomposition> {
    let mut p = camera("decompose", p)?;
    let mut m: Matrix3<f64> = p.fixed_view::<3, 3>(0, 0).into();
    let det = m.determinant();
    if det == 0.0 || !det.is_finite() || det.abs() <= 1e-14 * m.norm().powi(3) {
        return Err(Error::Singular {
            op: "decompose",
            detail: " (the left 3×3 block of P must be invertible: a finite camera)".into(),
        });
    }
    if det < 0.0 {
        p = -p;
        m = -m;
    }
    let j = Matrix3::new(0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0);
    let qr = (j * m).transpose().qr();
    let (q, r) = (qr.q(), qr.r());
    let mut k = j * r.transpose() * j;
    let mut rot = j * q.transpose();
    // M = K R = (K D)(D R) for any D = diag(±1): make K's diagonal positive.
    let d = Matrix3::from_diagonal(&Vector3::from_fn(|i, _| k[(i, i)].signum()));
    k *= d;
    rot = d * rot;
    let t = k.lu().solve(&p.column(3).into_owned()).ok_or_else(|| Error::singular("decompose"))?;
    let center = -rot.transpose() * t;
    let k = k / k[(2, 2)];
    Ok(Decomposition {
        k: from_na3(&k),
        r: from_na3(&rot),
        t: Matrix::col(t.as_slice()),
        center: Matrix::col(center.as_slice()),
    })
}

/// Hartley's normalising similarity for `d`-dimensional points: translate
/// the centroid to the origin and scale the mean distance from it to `√d`.
/// Returns `(scale, centroid)`; errors if every point is the same.
fn normalisation<const D: usize>(op: &'static str, points: &[[f64; D]]) -> Result<(f64, [f64; D])> {
    let n = points.len() as f64;
    let centroid: [f64; D] = std::array::from_fn(|k| points.iter().map(|p| p[k]).sum::<f64>() / n);
    let mean_distance =
        points.iter().map(|p| p.iter().zip(&centroid).map(|(a, c)| (a - c).powi(2)).sum::<f64>().sqrt()).sum::<f64>()
            / n;
    if !(mean_distance > 0.0 && mean_distance.is_finite()) {
        return Err(Error::invalid(op, "the points must be finite and not all equal"));
    }
    Ok(((D as f64).sqrt() / mean_distance, centroid))
}

/// The projection matrix that maps the rows of `X` (`N×3`) to the pixels `x`
/// (`N×2`), by the normalised direct linear transform (Hartley and Zisserman,
/// alg. 7.1): normalise both point sets (centroid at the origin, mean
/// distance `√3` and `√2`), take the right singular vector of the smallest
/// singular value of the `2N×12` system `[X̃ᵀ 0 −uX̃ᵀ; 0 X̃ᵀ −vX̃ᵀ] p = 0`,
/// and undo the normalisations: `P = T⁻¹ P̃ U`. `P` is scaled so that its
/// third row's first three entries have norm 1 (the third row of `R`) and
/// `det P[:, 0:3] > 0`. Cost `O(N)`. Needs at least 6 points, not all on one
/// plane.
pub fn calibrate_dlt(x_world: &Matrix, x_pixels: &Matrix) -> Result<Matrix> {
    const OP: &str = "calibrate_dlt";
    let image = pixels(OP, x_pixels)?;
    if x_world.cols() != 3 {
        return Err(Error::invalid(OP, format!("world points are the rows of an N×3 matrix, got {}", x_world.shape())));
    }
    if x_world.rows() != image.len() {
        return Err(Error::shapes(OP, x_world.shape(), x_pixels.shape(), "one pixel per world point"));
    }
    if image.len() < 6 {
        return Err(Error::invalid(
            OP,
            format!("needs at least 6 correspondences (11 unknowns, 2 equations each), got {}", image.len()),
        ));
    }
    let world: Vec<[f64; 3]> =
        (0..x_world.rows()).map(|i| [x_world.at(i, 0), x_world.at(i, 1), x_world.at(i, 2)]).collect();
    let (sw, cw) = normalisation(OP, &world)?;
    let (si, ci) = normalisation(OP, &image)?;
    let centred = Matrix::from_fn(world.len(), 3, |i, k| sw * (world[i][k] - cw[k]));
    let spread = centred.svdvals()?;
    if spread[2] <= 1e-9 * spread[0] {
        return Err(Error::invalid(
            OP,
            "the world points lie on one plane (or a line); the DLT needs points in general position in 3-D",
        ));
    }
    let mut a = Matrix::zeros(2 * world.len(), 12);
    for (i, ([u, v], x)) in image.iter().zip(&world).enumerate() {
        let xh = [sw * (x[0] - cw[0]), sw * (x[1] - cw[1]), sw * (x[2] - cw[2]), 1.0];
        let (u, v) = (si * (u - ci[0]), si * (v - ci[1]));
        for (k, &c) in xh.iter().enumerate() {
            a.set(2 * i, k, c)?;
            a.set(2 * i, 8 + k, -u * c)?;
            a.set(2 * i + 1, 4 + k, c)?;
            a.set(2 * i + 1, 8 + k, -v * c)?;
        }
    }
    let svd = a.svd()?;
    let smallest = (0..svd.s.len()).min_by(|&i, &j| svd.s[i].total_cmp(&svd.s[j])).expect("12 singular values");
    let normalised = Matrix3x4::from_fn(|i, j| svd.v.at(4 * i + j, smallest));
    let t_inv = Matrix3::new(1.0 / si, 0.0, ci[0], 0.0, 1.0 / si, ci[1], 0.0, 0.0, 1.0);
    #[rustfmt::skip]
    let u = Matrix4::from_row_slice(&[
        sw, 0.0, 0.0, -sw * cw[0],
        0.0, sw, 0.0, -sw * cw[1],
        0.0, 0.0, sw, -sw * cw[2],
        0.0, 0.0, 0.0, 1.0,
    ]);
    let p = t_inv * normalised * u;
    let m: Matrix3<f64> = p.fixed_view::<3, 3>(0, 0).into();
    let scale = m.row(2).norm() * m.determinant().signum();
    if scale == 0.0 || !scale.is_finite() {
        return Err(Error::invalid(OP, "the correspondences do not determine a finite camera"));
    }
    Ok(from_na34(&(p / scale)))
}

/// Depth from disparity in a rectified stereo pair, entry by entry:
/// `Z = f·b / (d + doffs)` (units of the baseline `b`). Entries where
/// `d + doffs ≤ 0` or `d` is not finite (Middlebury marks unknown
/// disparities with ∞) have no depth and give NaN.
pub fn stereo_depth(f: f64, baseline: f64, disparity: &Matrix, doffs: f64) -> Result<Matrix> {
    if !(f > 0.0 && f.is_finite() && baseline > 0.0 && baseline.is_finite() && doffs.is_finite()) {
        return Err(Error::invalid(
            "stereo_depth",
            "the focal length and baseline must be positive and finite, doffs finite",
        ));
    }
    Ok(disparity.map(|d| {
        let shifted = d + doffs;
        if shifted > 0.0 && d.is_finite() {
            f * baseline / shifted
        } else {
            f64::NAN
        }
    }))
}

/// The world points (`N×3`) seen at the pixels `x1` by `P1` and `x2` by `P2`,
/// by linear triangulation as `cv2.triangulatePoints` does it: for each pair
/// the right singular vector of the smallest singular value of
/// `[u₁p₁³ − p₁¹; v₁p₁³ − p₁²; u₂p₂³ − p₂¹; v₂p₂³ − p₂²]`, dehomogenised.
/// Cost `O(N)`.
pub fn triangulate(p1: &Matrix, p2: &Matrix, x1: &Matrix, x2: &Matrix) -> Result<Matrix> {
    const OP: &str = "triangulate";
    let (p1, p2) = (camera(OP, p1)?, camera(OP, p2)?);
    let (a, b) = (pixels(OP, x1)?, pixels(OP, x2)?);
    if a.len() != b.len() {
        return Err(Error::shapes(OP, x1.shape(), x2.shape(), "one pixel in each view per point"));
    }
    let mut out = Matrix::zeros(a.len(), 3);
    for (i, ([u1, v1], [u2, v2])) in a.iter().zip(&b).enumerate() {
        let rows = [
            p1.row(2) * *u1 - p1.row(0),
            p1.row(2) * *v1 - p1.row(1),
            p2.row(2) * *u2 - p2.row(0),
            p2.row(2) * *v2 - p2.row(1),
        ];
        let system = Matrix4::from_rows(&rows);
        let svd = system.svd(false, true);
        let v_t = svd.v_t.ok_or(Error::NoConvergence { op: OP })?;
        let smallest = svd.singular_values.imin();
        let x = v_t.row(smallest);
        for k in 0..3 {
            out.set(i, k, x[k] / x[3])?;
        }
    }
    Ok(out)
}

fn check_rotation(op: &'static str, r: &Matrix3<f64>) -> Result<()> {
    let orthogonality = (r * r.transpose() - Matrix3::identity()).amax();
    let det = r.determinant();
    if !(orthogonality <= 1e-6 && (det - 1.0).abs() <= 1e-6) {
        return Err(Error::invalid(
            op,
            format!("not a rotation matrix (max |R Rᵀ − I| = {orthogonality:.3e}, det R = {det})"),
        ));
    }
    Ok(())
}

fn square3(op: &'static str, m: &Matrix, name: &str) -> Result<Matrix3<f64>> {
    if m.shape() != crate::Shape(3, 3) {
        return Err(Error::invalid(op, format!("{name} must be 3×3, got {}", m.shape())));
    }
    Ok(to_na3(m))
}

fn vector3(op: &'static str, v: &Matrix, what: &str) -> Result<Vector3<f64>> {
    match v.vector_values(op) {
        Ok(values) if values.len() == 3 => Ok(Vector3::new(values[0], values[1], values[2])),
        _ => Err(Error::invalid(op, format!("expected {what}, got a {} matrix", v.shape()))),
    }
}

fn to_na3(m: &Matrix) -> Matrix3<f64> {
    Matrix3::from_fn(|i, j| m.at(i, j))
}

fn from_na3(m: &Matrix3<f64>) -> Matrix {
    Matrix::from_fn(3, 3, |i, j| m[(i, j)])
}

fn from_na34(m: &Matrix3x4<f64>) -> Matrix {
    Matrix::from_fn(3, 4, |i, j| m[(i, j)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;

    fn close(a: &Matrix, b: &Matrix, tol: f64) -> bool {
        a.shape() == b.shape() && a.sub(b).unwrap().max_abs() <= tol * b.max_abs().max(1.0)
    }

    /// A camera looking at the origin from about 6 units away, and 10 points around the origin.
    fn scene(rng: &mut Rng) -> (Matrix, Matrix, Matrix, Matrix) {
        let k = intrinsics(900.0, 870.0, 330.0, 250.0, 1.5).unwrap();
        let v = rng.randn(3, 1).scale(0.3);
        let r = rodrigues(&v).unwrap();
        let t = Matrix::col(&[0.2, -0.1, 6.0]);
        (k, r, t, rng.randn(10, 3))
    }

    #[test]
    fn rotations_are_rotations_and_agree_with_rodrigues() {
        for (axis, unit) in [(Axis::X, [1.0, 0.0, 0.0]), (Axis::Y, [0.0, 1.0, 0.0]), (Axis::Z, [0.0, 0.0, 1.0])] {
            for a in [0.0, 0.3, -2.0, 3.0] {
                let r = axis_rotation(axis, a);
                assert!(close(&r.matmul(&r.transpose()).unwrap(), &Matrix::eye(3), 1e-15));
                assert!((r.det().unwrap() - 1.0).abs() <= 1e-15);
                let v = Matrix::col(&unit.map(|u| u * a));
                assert!(close(&rodrigues(&v).unwrap(), &r, 1e-15));
            }
        }
        let r = axis_rotation(Axis::X, 0.5);
        assert!(close(&axis_rotation(Axis::X, -0.5), &r.transpose(), 0.0));
        // rotx(a) turns y towards z.
        assert!(close(
            &axis_rotation(Axis::X, std::f64::consts::FRAC_PI_2).matmul(&Matrix::col(&[0.0, 1.0, 0.0])).unwrap(),
            &Matrix::col(&[0.0, 0.0, 1.0]),
            1e-16
        ));
    }

    #[test]
    fn noiseless_views_give_back_the_camera() {
        let mut rng = Rng::seeded(5);
        for _ in 0..5 {
            let (k, r, t, world) = scene(&mut rng);
            let p = projection(&k, &r, &t).unwrap();
            let pixels = project(&p, &world).unwrap();
            // Every pixel moved by (3, 4): the RMS error is the length of that move, 5.
            let moved = pixels.add(&Matrix::row(&[3.0, 4.0])).unwrap();
            assert!((reproj_error(&p, &world, &moved).unwrap() - 5.0).abs() <= 1e-9);
            let estimated = calibrate_dlt(&world, &pixels).unwrap();
            assert!(reproj_error(&estimated, &world, &pixels).unwrap() <= 1e-10);
            let d = decompose(&estimated).unwrap();
            assert!(close(&d.k, &k, 1e-9), "K {:?}", d.k);
            assert!(close(&d.r, &r, 1e-9));
            assert!(close(&d.t, &t, 1e-9));
            let center = r.transpose().matmul(&t).unwrap().scale(-1.0);
            assert!(close(&d.center, &center, 1e-9));
            // The centre is P's null vector.
            let homogeneous = Matrix::vcat(&[&d.center, &Matrix::ones(1, 1)]).unwrap();
            assert!(p.matmul(&homogeneous).unwrap().max_abs() <= 1e-9 * p.max_abs());
        }
    }

    #[test]
    fn decompose_fixes_signs_and_scale() {
        let mut rng = Rng::seeded(9);
        let (k, r, t, _) = scene(&mut rng);
        let p = projection(&k, &r, &t).unwrap();
        for lambda in [-3.0, -1e-3, 1e4] {
            let d = decompose(&p.scale(lambda)).unwrap();
            assert!(close(&d.k, &k, 1e-12) && close(&d.r, &r, 1e-12) && close(&d.t, &t, 1e-12), "λ = {lambda}");
            assert!((d.r.det().unwrap() - 1.0).abs() <= 1e-14);
        }
    }

    #[test]
    fn triangulation_inverts_projection() {
        let mut rng = Rng::seeded(2);
        let (k, r, t, world) = scene(&mut rng);
        let p1 = projection(&k, &r, &t).unwrap();
        let t2 = t.sub(&r.matmul(&Matrix::col(&[0.5, 0.0, 0.0])).unwrap()).unwrap();
        let p2 = projection(&k, &r, &t2).unwrap();
        let back = triangulate(&p1, &p2, &project(&p1, &world).unwrap(), &project(&p2, &world).unwrap()).unwrap();
        assert!(close(&back, &world, 1e-10));
    }

    #[test]
    fn depth_from_disparity() {
        let z = stereo_depth(1000.0, 0.2, &Matrix::row(&[100.0, 0.0, f64::INFINITY, -5.0, f64::NAN]), 5.0).unwrap();
        assert_eq!(z.at(0, 0), 1000.0 * 0.2 / 105.0);
        assert!(z.at(0, 1) == 40.0 && z.at(0, 2).is_nan() && z.at(0, 3).is_nan() && z.at(0, 4).is_nan());
        assert!(stereo_depth(0.0, 1.0, &Matrix::ones(1, 1), 0.0).is_err());
    }

    #[test]
    fn bad_input_is_refused_clearly() {
        let mut rng = Rng::seeded(3);
        let message = |e: Error| e.to_string();
        assert!(message(calibrate_dlt(&rng.randn(5, 3), &rng.randn(5, 2)).unwrap_err()).contains("at least 6"));
        let plane = Matrix::hcat(&[&rng.randn(9, 2), &Matrix::zeros(9, 1)]).unwrap();
        assert!(message(calibrate_dlt(&plane, &rng.randn(9, 2)).unwrap_err()).contains("one plane"));
        assert!(calibrate_dlt(&Matrix::ones(8, 3), &rng.randn(8, 2)).is_err());
        assert!(calibrate_dlt(&rng.randn(8, 3), &rng.randn(7, 2)).is_err());
        assert!(calibrate_dlt(&rng.randn(8, 2), &rng.randn(8, 2)).is_err());
        assert!(message(rodrigues(&Matrix::ones(3, 3)).unwrap_err()).contains("not a rotation"));
        assert!(rodrigues(&Matrix::ones(2, 1)).is_err());
        assert!(message(decompose(&Matrix::zeros(3, 4)).unwrap_err()).contains("singular"));
        assert!(decompose(&Matrix::ones(3, 3)).is_err());
        assert!(project(&Matrix::ones(3, 4), &Matrix::ones(2, 2)).is_err());
        assert!(project(&Matrix::ones(3, 4).scale(f64::NAN), &Matrix::ones(2, 3)).is_err());
        assert!(reproj_error(&Matrix::ones(3, 4), &Matrix::zeros(0, 3), &Matrix::zeros(0, 2)).is_err());
        assert!(
            triangulate(&Matrix::ones(3, 4), &Matrix::ones(3, 4), &Matrix::ones(2, 2), &Matrix::ones(3, 2)).is_err()
        );
        assert!(intrinsics(0.0, 1.0, 0.0, 0.0, 0.0).is_err());
        assert!(projection(&Matrix::eye(3), &Matrix::eye(3), &Matrix::ones(4, 1)).is_err());
    }
}
