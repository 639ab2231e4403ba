//! Camera geometry: `intrinsics`, `rotx`, `roty`, `rotz`, `rodrigues`,
//! `projection`, `project`, `decompose`, `calibrate_dlt`, `reproj_error`,
//! `stereo_depth`, `triangulate`. Points are rows (`N×3` world, `N×2`
//! pixels); `decompose` returns a record `(K, R, t, center)`.

use super::{Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::record;
use crate::value::Value;
use tessera::camera::{self, Axis};

fn intrinsics(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (fx, fy, px, py) = (args.number(0)?, args.number(1)?, args.number(2)?, args.number(3)?);
    Ok(Value::matrix(camera::intrinsics(fx, fy, px, py, args.keyword_number("skew", 0.0)?)?))
}

fn rotx(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::axis_rotation(Axis::X, args.number(0)?)))
}

fn roty(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::axis_rotation(Axis::Y, args.number(0)?)))
}

fn rotz(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::axis_rotation(Axis::Z, args.number(0)?)))
}

fn rodrigues(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::rodrigues(&*args.matrix(0)?)?))
}

fn projection(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::projection(&*args.matrix(0)?, &*args.matrix(1)?, &*args.matrix(2)?)?))
}

/// `project(P, X)` with the camera and the points on the gpu.
fn project_gpu(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    match (args.get(0), args.get(1)) {
        ((Value::Gpu(p), _), (Value::Gpu(x), _)) => Ok(crate::gpu::value(x.project(p)?)),
        _ => Err(LangError::type_error("`project` mixes a gpu matrix and a cpu matrix", span)
            .with_hint("move both to the gpu (gpu(P), gpu(X)) or both back (cpu)")),
    }
}

fn project(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::project(&*args.matrix(0)?, &*args.matrix(1)?)?))
}

fn decompose(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let d = camera::decompose(&*args.matrix(0)?)?;
    Ok(record(vec![
        ("K", Value::matrix(d.k)),
        ("R", Value::matrix(d.r)),
        ("t", Value::matrix(d.t)),
        ("center", Value::matrix(d.center)),
    ]))
}

fn calibrate_dlt(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(camera::calibrate_dlt(&*args.matrix(0)?, &*args.matrix(1)?)?))
}

fn reproj_error(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(camera::reproj_error(&*args.matrix(0)?, &*args.matrix(1)?, &*args.matrix(2)?)?))
}

fn stereo_depth(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let doffs = match (args.opt(3), args.keyword("doffs")) {
        (Some(_), Some((_, span))) => return Err(LangError::argument("doffs is given twice", span)),
        (Some((v, span)), None) => super::as_number(v, span)?,
        (None, _) => args.keyword_number("doffs", 0.0)?,
    };
    Ok(Value::matrix(camera::stereo_depth(args.number(0)?, args.number(1)?, &*args.matrix(2)?, doffs)?))
}

fn triangulate(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (p1, p2, x1, x2) = (args.matrix(0)?, args.matrix(1)?, args.matrix(2)?, args.matrix(3)?);
    Ok(Value::matrix(camera::triangulate(&p1, &p2, &x1, &x2)?))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "intrinsics",
        signature: "intrinsics(fx, fy, px, py, skew=0)",
        summary: "the camera intrinsic matrix K = [fx skew px; 0 fy py; 0 0 1]",
        help: "Focal lengths and principal point in pixels, as OpenCV's camera matrix. Hartley and Zisserman, \
               Multiple View Geometry, 2nd ed., §6.1.",
        example: "intrinsics(800, 800, 320, 240)",
        shows: "3×3 matrix:\n 800    0  320\n   0  800  240\n   0    0    1",
        arity: (4, Some(4)),
        keywords: &["skew"],
        run: intrinsics,
        device: Device::Cpu,
    },
    Builtin {
        name: "rotx",
        signature: "rotx(a)",
        summary: "the rotation by a radians about the x axis (pitch): [1 0 0; 0 cos a −sin a; 0 sin a cos a]",
        help: "Right-handed; rotx(a)' = rotx(-a).",
        example: "rotx(pi / 2) * [0; 1; 0]",
        shows: "3×1 matrix:\n 0.00000e+00\n 6.12323e-17\n 1.00000e+00",
        arity: (1, Some(1)),
        keywords: &[],
        run: rotx,
        device: Device::Cpu,
    },
    Builtin {
        name: "roty",
        signature: "roty(a)",
        summary: "the rotation by a radians about the y axis: [cos a 0 sin a; 0 1 0; −sin a 0 cos a]",
        help: "Right-handed; roty(a)' = roty(-a).",
        example: "roty(pi / 2) * [0; 0; 1]",
        shows: "3×1 matrix:\n 1.00000e+00\n 0.00000e+00\n 6.12323e-17",
        arity: (1, Some(1)),
        keywords: &[],
        run: roty,
        device: Device::Cpu,
    },
    Builtin {
        name: "rotz",
        signature: "rotz(a)",
        summary: "the rotation by a radians about the z axis: [cos a −sin a 0; sin a cos a 0; 0 0 1]",
        help: "Right-handed; rotz(a)' = rotz(-a).",
        example: "rotz(pi / 2) * [1; 0; 0]",
        shows: "3×1 matrix:\n 6.12323e-17\n 1.00000e+00\n 0.00000e+00",
        arity: (1, Some(1)),
        keywords: &[],
        run: rotz,
        device: Device::Cpu,
    },
    Builtin {
        name: "rodrigues",
        signature: "rodrigues(v)",
        summary: "rotation vector → rotation matrix, and a 3×3 rotation → its rotation vector (as cv2.Rodrigues)",
        help: "R = I + sin θ [k]ₓ + (1 − cos θ)[k]ₓ² with θ = ‖v‖, k = v/θ. Given a rotation matrix it returns \
               the vector (angle in [0, π]) and refuses a matrix that is not a rotation.",
        example: "v = [0.1; -0.2; 0.3]; norm(rodrigues(rodrigues(v)) - v) < 1e-15",
        shows: "true",
        arity: (1, Some(1)),
        keywords: &[],
        run: rodrigues,
        device: Device::Cpu,
    },
    Builtin {
        name: "projection",
        signature: "projection(K, R, t)",
        summary: "the 3×4 projection matrix P = K [R | t]",
        help: "A world point X projects to the pixel (p₁·X̃, p₂·X̃) / p₃·X̃; the camera centre is −Rᵀt. \
               Hartley and Zisserman, Multiple View Geometry, 2nd ed., §6.1.",
        example: "projection(intrinsics(800, 800, 320, 240), eye(3), [0; 0; 5])",
        shows: "3×4 matrix:\n 800    0  320  1600\n   0  800  240  1200\n   0    0    1     5",
        arity: (3, Some(3)),
        keywords: &[],
        run: projection,
        device: Device::Cpu,
    },
    Builtin {
        name: "project",
        signature: "project(P, X)",
        summary: "the pixels (N×2) of the world points in the rows of X (N×3, or N×4 homogeneous)",
        help: "(u, v) = (p₁·X̃ / p₃·X̃, p₂·X̃ / p₃·X̃), O(N); as cv2.projectPoints without distortion.",
        example: "P = projection(intrinsics(800, 800, 320, 240), eye(3), [0; 0; 5]); project(P, [0, 0, 0; 1, 1, 0])",
        shows: "2×2 matrix:\n 320  240\n 480  400",
        arity: (2, Some(2)),
        keywords: &[],
        run: project,
        device: Device::Gpu(project_gpu),
    },
    Builtin {
        name: "decompose",
        signature: "decompose(P)",
        summary: "P = λ K [R | t] taken apart: a record (K, R, t, center) with positive focal lengths and det R = 1",
        help: "RQ decomposition of P's left 3×3 block with the signs fixed (P is negated when its determinant is \
               negative; K is scaled to K[2,2] = 1); center = −Rᵀt. As cv2.decomposeProjectionMatrix. \
               Hartley and Zisserman, Multiple View Geometry, 2nd ed., §6.2.4.",
        example: "P = projection(intrinsics(800, 790, 320, 240), rotx(0.1), [0.2; 0; 5]); round(decompose(P).K)",
        shows: "3×3 matrix:\n 800    0  320\n   0  790  240\n   0    0    1",
        arity: (1, Some(1)),
        keywords: &[],
        run: decompose,
        device: Device::Cpu,
    },
    Builtin {
        name: "calibrate_dlt",
        signature: "calibrate_dlt(X, x)",
        summary: "the projection matrix that maps world points X (N×3) to pixels x (N×2), N ≥ 6 not coplanar",
        help: "Hartley-normalised direct linear transform (Multiple View Geometry, alg. 7.1): normalise both point \
               sets, solve the 2N×12 system by SVD, undo the normalisations; P is scaled so that the third row \
               of its left block has norm 1 and its determinant is positive.",
        example: "seed(1); X = randn(8, 3); P = projection(intrinsics(800, 800, 320, 240), rotx(0.2), [0; 0; 6]); \
                  reproj_error(calibrate_dlt(X, project(P, X)), X, project(P, X)) < 1e-9",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &[],
        run: calibrate_dlt,
        device: Device::Cpu,
    },
    Builtin {
        name: "reproj_error",
        signature: "reproj_error(P, X, x)",
        summary: "the root-mean-square reprojection error in pixels: √(Σ‖project(P, X)ᵢ − xᵢ‖² / N)",
        help: "The figure OpenCV's calibrateCamera reports.",
        example:
            "P = projection(intrinsics(800, 800, 320, 240), eye(3), [0; 0; 5]); reproj_error(P, [0, 0, 0], [321, 240])",
        shows: "1",
        arity: (3, Some(3)),
        keywords: &[],
        run: reproj_error,
        device: Device::Cpu,
    },
    Builtin {
        name: "stereo_depth",
        signature: "stereo_depth(f, baseline, disparity, doffs=0)",
        summary: "depth Z = f·baseline / (d + doffs) of each disparity d (NaN where d + doffs ≤ 0 or d is ∞)",
        help: "For a rectified pair: f in pixels, the baseline in the unit of the result, doffs the difference of \
               the principal points' x coordinates (Middlebury's calib.txt convention; Scharstein et al., GCPR 2014).",
        example: "stereo_depth(994.978, 193.001, [100, 50, inf], doffs=31.086)",
        shows: "1×3 matrix:\n 1464.93  2368.25  nan",
        arity: (3, Some(4)),
        keywords: &["doffs"],
        run: stereo_depth,
        device: Device::Cpu,
    },
    Builtin {
        name: "triangulate",
        signature: "triangulate(P1, P2, x1, x2)",
        summary: "the world points (N×3) seen at pixels x1 by camera P1 and x2 by P2 (linear triangulation)",
        help: "For each pair, the null vector of [u₁p₁³ − p₁¹; v₁p₁³ − p₁²; u₂p₂³ − p₂¹; v₂p₂³ − p₂²] by SVD, \
               dehomogenised; as cv2.triangulatePoints. Hartley and Zisserman, Multiple View Geometry, \
               2nd ed., §12.2.",
        example: "K = intrinsics(800, 800, 320, 240); P1 = projection(K, eye(3), [0; 0; 0]); \
                  P2 = projection(K, eye(3), [-0.5; 0; 0]); X = [0.1, 0.2, 4]; \
                  round(1e9 * triangulate(P1, P2, project(P1, X), project(P2, X))) / 1e9",
        shows: "1×3 matrix:\n 0.1  0.2  4.0",
        arity: (4, Some(4)),
        keywords: &[],
        run: triangulate,
        device: Device::Cpu,
    },
];
