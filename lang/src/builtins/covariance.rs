//! Covariance: `cov` (with `estimator="scm"|"lwf"|"oas"`) and `augment`.

use super::{Args, Builtin, Device};
use crate::context::Ctx;
use crate::error::{LangError, Result};
use crate::span::Span;
use crate::value::Value;
use tessera::covariance;

/// `cov(G)` of a gpu matrix: centring and XᵀX on the device.
fn cov_gpu(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    match (args.get(0), args.keyword("estimator")) {
        ((Value::Gpu(g), _), None) => Ok(crate::gpu::value(g.cov()?)),
        ((Value::Gpu(_), _), Some((_, s))) => {
            Err(LangError::argument("the gpu computes the sample covariance only", s)
                .with_hint("cov(cpu(x), estimator=...) for the shrinkage estimators"))
        }
        ((v, s), _) => Err(LangError::type_error(format!("expected a gpu matrix, got {}", v.a_kind()), s)),
    }
}

fn cov(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    let x = args.matrix(0)?;
    let estimate = match args.keyword("estimator") {
        None => covariance::cov(&x)?,
        Some((Value::Str(s), _)) if &**s == "scm" => covariance::scm(&x)?,
        Some((Value::Str(s), _)) if &**s == "lwf" => covariance::ledoit_wolf(&x)?.0,
        Some((Value::Str(s), _)) if &**s == "oas" => covariance::oas(&x)?.0,
        Some((_, span)) => return Err(LangError::argument("estimator must be \"scm\", \"lwf\" or \"oas\"", span)),
    };
    Ok(Value::matrix(estimate))
}

fn augment(_: &mut dyn Ctx, args: Args, _: Span) -> Result<Value> {
    Ok(Value::matrix(covariance::augment(&*args.matrix(0)?, args.size(1)?, args.size(2)?)?))
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "cov",
        signature: "cov(X, estimator=\"scm\"|\"lwf\"|\"oas\")",
        summary: "the covariance of the columns of X (rows are observations); n−1 unless an estimator is named",
        help: "cov: (X − x̄)ᵀ(X − x̄)/(n − 1), as np.cov(X, rowvar=False). scm: the same over n. lwf, oas: \
               (1 − α) S + α (tr S / p) I with scikit-learn's shrinkage α (Ledoit and Wolf 2004; Chen et al. 2010).",
        example: "seed(0); X = randn(100, 3); norm(cov(X) - cov(X, estimator=\"scm\") * 100 / 99) < 1e-12",
        shows: "true",
        arity: (1, Some(1)),
        keywords: &["estimator"],
        run: cov,
        device: Device::Gpu(cov_gpu),
    },
    Builtin {
        name: "augment",
        signature: "augment(X, order, lag)",
        summary: "the delay embedding for the augmented covariance matrix: (T − order·lag) × (C·order)",
        help: "The row windows X[p·lag : T − (order − p)·lag, :] for p = 0 … order−1, side by side, as MOABB's \
               AugmentedDataset builds them. Carrara and Papadopoulo, \"Classification of BCI-EEG based on \
               augmented covariance matrix\", 2023.",
        example: "augment(reshape(0:12, 6, 2), 2, 1)",
        shows: "4×4 matrix:\n 0  1  2  3\n 2  3  4  5\n 4  5  6  7\n 6  7  8  9",
        arity: (3, Some(3)),
        keywords: &[],
        run: augment,
        device: Device::Cpu,
    },
];
