//! SPD geometry: `riemann_dist`, `logeuclid_dist`, `riemann_mean`,
//! `logeuclid_mean`, `tangent`, `untangent`, `mdm_fit`, `mdm_predict`.
//! A list of covariance matrices is a `list(...)`; an MDM model is a record
//! `(classes, means)`.

use super::{as_matrix, Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::record;
use crate::value::Value;
use std::rc::Rc;
use tessera::{spd, Matrix};

/// The Riemannian mean's tolerance on the gradient norm.
const MEAN_TOL: f64 = 1e-12;

fn matrix_list(v: &Value, span: Span) -> Result<Vec<Matrix>> {
    match v {
        Value::List(items) | Value::Tuple(items) => {
            items.iter().map(|x| as_matrix(x, span).map(|m| (*m).clone())).collect()
        }
        other => Err(LangError::type_error(format!("expected a list of matrices, got {}", other.a_kind()), span)),
    }
}

fn riemann_dist(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(spd::riemann_distance(&*args.matrix(0)?, &*args.matrix(1)?)?))
}

fn logeuclid_dist(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::Number(spd::logeuclid_distance(&*args.matrix(0)?, &*args.matrix(1)?)?))
}

fn riemann_mean(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (v, span) = args.get(0);
    Ok(Value::matrix(spd::riemann_mean(&matrix_list(v, span)?, MEAN_TOL, 500)?))
}

fn logeuclid_mean(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (v, span) = args.get(0);
    Ok(Value::matrix(spd::logeuclid_mean(&matrix_list(v, span)?)?))
}

fn tangent(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(spd::tangent(&*args.matrix(0)?, &*args.matrix(1)?)?))
}

fn untangent(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(spd::untangent(&*args.matrix(0)?, &*args.matrix(1)?)?))
}

fn mdm_fit(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let (v, span) = args.get(0);
    let covs = matrix_list(v, span)?;
    let (l, lspan) = args.get(1);
    let labels = as_matrix(l, lspan)?.vector_values("mdm_fit").map_err(|e| LangError::from(e).at(lspan))?;
    let model = spd::Mdm::fit(&covs, &labels, MEAN_TOL)?;
    Ok(record(vec![
        ("classes", Value::matrix(Matrix::col(&model.classes))),
        ("means", Value::List(Rc::new(model.means.into_iter().map(Value::matrix).collect()))),
    ]))
}

fn mdm_predict(_: &mut dyn Ctx, args: Args, span: Span) -> Result<Value> {
    let (m, mspan) = args.get(0);
    let bad = || LangError::type_error("expected an MDM model from mdm_fit", mspan);
    let Value::Record(r) = m else { return Err(bad()) };
    let classes = as_matrix(r.get("classes").ok_or_else(bad)?, mspan)?.vector_values("mdm_predict")?;
    let means = matrix_list(r.get("means").ok_or_else(bad)?, mspan)?;
    if classes.len() != means.len() {
        return Err(bad());
    }
    let (v, vspan) = args.get(1);
    let predicted =
        spd::Mdm { classes, means }.predict(&matrix_list(v, vspan)?).map_err(|e| LangError::from(e).at(span))?;
    Ok(Value::matrix(Matrix::col(&predicted)))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "riemann_dist",
        signature: "riemann_dist(A, B)",
        summary: "the affine-invariant distance between SPD matrices",
        help: "δ(A, B) = ‖log(A^{-1/2} B A^{-1/2})‖_F = √Σ log² λᵢ(A⁻¹B); invariant under A ↦ G A Gᵀ and inversion. \
               Pennec, Fillard and Ayache, IJCV 2006; as pyriemann's distance_riemann.",
        example: "riemann_dist(eye(2), [4, 0; 0, 1])",
        shows: "1.3862943611198906",
        arity: (2, Some(2)),
        keywords: &[],
        run: riemann_dist,
        device: Device::Cpu,
    },
    Builtin {
        name: "logeuclid_dist",
        signature: "logeuclid_dist(A, B)",
        summary: "the log-Euclidean distance ‖log A − log B‖_F",
        help: "Arsigny et al., SIAM J. Matrix Anal. Appl. 2007; as pyriemann's distance_logeuclid.",
        example: "logeuclid_dist(eye(2), [4, 0; 0, 1])",
        shows: "1.3862943611198906",
        arity: (2, Some(2)),
        keywords: &[],
        run: logeuclid_dist,
        device: Device::Cpu,
    },
    Builtin {
        name: "riemann_mean",
        signature: "riemann_mean(list)",
        summary: "the Riemannian (Karcher) mean of SPD matrices, to 1e-12",
        help: "M ← M^{1/2} exp(ν J) M^{1/2}, J = mean log(M^{-1/2} Cᵢ M^{-1/2}), from the arithmetic mean, \
               as pyriemann's mean_riemann (Congedo et al., PLOS ONE 2015).",
        example: "riemann_mean(list([1, 0; 0, 4], [4, 0; 0, 1]))",
        shows: "2×2 matrix:\n 2  0\n 0  2",
        arity: (1, Some(1)),
        keywords: &[],
        run: riemann_mean,
        device: Device::Cpu,
    },
    Builtin {
        name: "logeuclid_mean",
        signature: "logeuclid_mean(list)",
        summary: "the log-Euclidean mean exp(mean log Cᵢ)",
        help: "Arsigny et al. 2007; as pyriemann's mean_logeuclid.",
        example: "logeuclid_mean(list([1, 0; 0, 4], [4, 0; 0, 1]))",
        shows: "2×2 matrix:\n 2  0\n 0  2",
        arity: (1, Some(1)),
        keywords: &[],
        run: logeuclid_mean,
        device: Device::Cpu,
    },
    Builtin {
        name: "tangent",
        signature: "tangent(C, Cref)",
        summary: "the tangent vector of C at Cref: the upper triangle of log(Cref^{-1/2} C Cref^{-1/2}), √2 off the diagonal",
        help: "A column of n(n+1)/2 entries, row by row, as pyriemann's tangent_space (Tuzel et al. 2008).",
        example: "round(1e9 * tangent([2, 1; 1, 2], eye(2))) / 1e9",
        shows: "3×1 matrix:\n 0.549306\n 0.776836\n 0.549306",
        arity: (2, Some(2)),
        keywords: &[],
        run: tangent,
        device: Device::Cpu,
    },
    Builtin {
        name: "untangent",
        signature: "untangent(v, Cref)",
        summary: "the SPD matrix whose tangent vector at Cref is v (the inverse of tangent)",
        help: "Cref^{1/2} exp(T) Cref^{1/2} with T rebuilt from v, as pyriemann's untangent_space.",
        example: "C = [2, 1; 1, 2]; norm(untangent(tangent(C, eye(2)), eye(2)) - C) < 1e-12",
        shows: "true",
        arity: (2, Some(2)),
        keywords: &[],
        run: untangent,
        device: Device::Cpu,
    },
    Builtin {
        name: "mdm_fit",
        signature: "mdm_fit(covs, labels)",
        summary: "a minimum-distance-to-mean classifier: the Riemannian mean of each class (a record)",
        help: "Barachant et al., \"Multiclass brain–computer interface classification by Riemannian geometry\", \
               IEEE TBME 2012; as pyriemann's MDM.",
        example: "m = mdm_fit(list(eye(2), eye(2) * 1.1, eye(2) * 9, eye(2) * 10), [0, 0, 1, 1]); mdm_predict(m, list(eye(2) * 8))",
        shows: "1×1 matrix:\n 1",
        arity: (2, Some(2)),
        keywords: &[],
        run: mdm_fit,
        device: Device::Cpu,
    },
    Builtin {
        name: "mdm_predict",
        signature: "mdm_predict(model, covs)",
        summary: "the class of the nearest mean (affine-invariant distance) for each matrix, as a column",
        help: "argmin_k δ(M_k, C).",
        example: "m = mdm_fit(list(eye(2), eye(2) * 9), [0, 1]); mdm_predict(m, list(eye(2) * 2, eye(2) * 7))",
        shows: "2×1 matrix:\n 0\n 1",
        arity: (2, Some(2)),
        keywords: &[],
        run: mdm_predict,
        device: Device::Cpu,
    },
];
