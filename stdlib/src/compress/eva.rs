//! EVA: LoRA initialised from the principal components of a layer's inputs.

use super::rsvd::check_rank;
use crate::error::{Error, Result};
use crate::Matrix;

/// An EVA adapter: `A` (`r × in`) the top principal directions as rows,
/// `B` (`out × r`) zeros, and the explained-variance ratio of every component.
#[derive(Debug, Clone)]
pub struct Eva {
    /// `A`, `r × in`.
    pub a: Matrix,
    /// `B`, `out × r`, zeros.
    pub b: Matrix,
    /// `σᵢ² / Σⱼ σⱼ²` of the centred activations, descending, one per
    /// component (`min(tokens, in)` of them).
    pub explained: Vec<f64>,
}

/// EVA (Paischer et al., "One Initialization to Rule them All: Fine-tuning
/// via Explained Variance Adaptation", 2024), as PEFT's `eva` init of one
/// layer: with the activations `X` (`tokens × in`) centred by their column
/// means, `X̄ = U Σ Vᵀ`, `A = V_rᵀ` and `B = 0`; `explained` is scikit-learn
/// PCA's `explained_variance_ratio_`. Signs as scikit-learn's `svd_flip`
/// with `u_based_decision=False`: each row of `A` has its largest-magnitude
/// entry positive. Cost: one thin SVD, `O(tokens·in·min(tokens, in))`.
///
/// PEFT fits an incremental PCA over batches until the components settle;
/// this is the PCA of all of `X` at once, which that process approximates.
/// Errors unless `X` has at least 2 rows, variance, finite entries and
/// `r ≤ min(tokens, in)`.
pub fn eva(x: &Matrix, r: usize, out: usize) -> Result<Eva> {
    x.require_finite("eva")?;
    check_rank("eva", x, r)?;
    if x.rows() < 2 {
        return Err(Error::invalid("eva", format!("X needs at least 2 rows (tokens), got {}", x.rows())));
    }
    let means: Vec<f64> = (0..x.cols()).map(|j| x.as_faer().col(j).iter().sum::<f64>() / x.rows() as f64).collect();
    let centred = Matrix::from_fn(x.rows(), x.cols(), |i, j| x.at(i, j) - means[j]);
    let svd = centred.svd()?;
    let total: f64 = svd.s.iter().map(|s| s * s).sum();
    if total == 0.0 {
        return Err(Error::invalid("eva", "X has no variance: every row is the same"));
    }
    let flip: Vec<f64> = (0..r)
        .map(|t| {
            let column = svd.v.as_faer().col(t);
            let largest = column.iter().fold(0.0f64, |best, &v| if v.abs() > best.abs() { v } else { best });
            if largest < 0.0 {
                -1.0
            } else {
                1.0
            }
        })
        .collect();
    Ok(Eva {
        a: Matrix::from_fn(r, x.cols(), |t, j| flip[t] * svd.v.at(j, t)),
        b: Matrix::zeros(out, r),
        explained: svd.s.iter().map(|s| s * s / total).collect(),
    })
}

/// EVA's rank allocation: pool every layer's explained-variance ratios and
/// keep the `budget` largest; a layer's rank is how many of its ratios were
/// kept (0 drops its adapter), as PEFT's `_get_rank_distribution`. Equal
/// ratios go to the earlier layer, then the earlier component. The ranks add
/// up to `budget`. Cost `O(N log N)` for `N` ratios in all.
/// Errors unless `budget ≤ N` and every ratio is a number.
pub fn eva_ranks(explained: &[Vec<f64>], budget: usize) -> Result<Vec<usize>> {
    let mut pooled: Vec<(f64, usize)> =
        explained.iter().enumerate().flat_map(|(layer, ratios)| ratios.iter().map(move |&v| (v, layer))).collect();
    if pooled.iter().any(|(v, _)| v.is_nan()) {
        return Err(Error::invalid("eva_ranks", "an explained-variance ratio is NaN"));
    }
    if budget > pooled.len() {
        return Err(Error::invalid(
            "eva_ranks",
            format!("the budget {budget} is more than the {} components there are", pooled.len()),
        ));
    }
    pooled.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut ranks = vec![0; explained.len()];
    for &(_, layer) in &pooled[..budget] {
        ranks[layer] += 1;
    }
    Ok(ranks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    #[test]
    fn components_are_orthonormal_rows_and_ratios_sum_to_one() {
        let x = Rng::seeded(3).randn(40, 6);
        let e = eva(&x, 4, 5).unwrap();
        let gram = e.a.matmul(&e.a.transpose()).unwrap();
        assert!(gram.sub(&Matrix::eye(4)).unwrap().norm_fro() < 1e-12);
        assert_eq!((e.b.shape(), e.explained.len()), (crate::Shape(5, 4), 6));
        assert!((e.explained.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        assert!(e.explained.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn ranks_take_the_global_top_and_add_up_to_the_budget() {
        let ratios = vec![vec![0.5, 0.3, 0.2], vec![0.6, 0.25, 0.1, 0.05], vec![0.3, 0.3]];
        // 0.6, 0.5, then three ratios of 0.3: the earlier layer's first.
        assert_eq!(eva_ranks(&ratios, 4).unwrap(), vec![2, 1, 1]);
        assert_eq!(eva_ranks(&ratios, 5).unwrap(), vec![2, 1, 2]);
        assert_eq!(eva_ranks(&ratios, 0).unwrap(), vec![0, 0, 0]);
        assert!(eva_ranks(&ratios, 10).unwrap_err().to_string().contains("more than the 9"));
    }

    #[test]
    fn bad_activations_are_refused() {
        assert!(eva(&Matrix::ones(1, 3), 1, 2).unwrap_err().to_string().contains("at least 2 rows"));
        assert!(eva(&Matrix::ones(4, 3), 1, 2).unwrap_err().to_string().contains("no variance"));
        assert!(eva(&Matrix::ones(4, 3), 4, 2).unwrap_err().to_string().contains("rank 4"));
    }
}
