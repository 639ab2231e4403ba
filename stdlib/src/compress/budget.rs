//! LQ-LoRA's bit allocation: one quantization configuration per matrix,
//! chosen by integer linear programming under an average-bit budget.

use super::lqlora::{lqlora, Quantizer};
use super::quantize::{Quantized, ScaleDtype, ScaleQuant, Scheme};
use super::rsvd::check_rank;
use crate::error::{Error, Result};
use crate::random::Rng;
use crate::Matrix;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
use rayon::prelude::*;

/// One point of the reference's grid: NF`bits` codes in blocks of `block`,
/// their absmaxes on `scale_bits`-bit uniform codes with one `dtype`
/// maximum per `group` blocks ([`ScaleQuant::Uniform`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Bits per entry `b`.
    pub bits: u32,
    /// Bits per block scale `b₀`.
    pub scale_bits: u32,
    /// The format of each group's maximum.
    pub dtype: ScaleDtype,
    /// Entries per block `B₀`.
    pub block: usize,
    /// Blocks per group `B₁`.
    pub group: usize,
}

impl Config {
    /// Its quantizer.
    pub fn quantizer(self) -> Quantizer {
        Quantizer {
            scheme: Scheme::NormalFloat { bits: self.bits },
            block: self.block,
            scales: ScaleQuant::Uniform { bits: self.scale_bits, dtype: self.dtype, group: self.group },
        }
    }
}

/// The reference's 432 configurations (`allocation_utils`), in its order:
/// `b ∈ {2, 3, 4, 8}` × `b₀ ∈ {2, 3, 4, 8}` × bf16/fp16/fp32 ×
/// `B₀ ∈ {16, 32, 64}` × `B₁ ∈ {16, 64, 256}`.
pub fn grid() -> Vec<Config> {
    let mut out = Vec::with_capacity(432);
    for bits in [2, 3, 4, 8] {
        for scale_bits in [2, 3, 4, 8] {
            for dtype in [ScaleDtype::Bf16, ScaleDtype::Fp16, ScaleDtype::Fp32] {
                for block in [16, 32, 64] {
                    for group in [16, 64, 256] {
                        out.push(Config { bits, scale_bits, dtype, block, group });
                    }
                }
            }
        }
    }
    out
}

/// One matrix's share of [`lqlora_budget`]: `W ≈ Q + B A` with `Q` in
/// `config`.
#[derive(Debug, Clone)]
pub struct Allocation {
    /// The configuration chosen.
    pub config: Config,
    /// The quantized part.
    pub q: Quantized,
    /// `B`, `out × r` (empty at rank 0).
    pub b: Matrix,
    /// `A`, `r × in`.
    pub a: Matrix,
    /// `‖√F ⊙ (W − B A − Q)‖_F`.
    pub error: f64,
}

/// The decomposition of `w` in `config`: [`lqlora`] at rank `r`, or at rank 0
/// plain quantization. Deterministic in `seed`.
fn decompose(w: &Matrix, r: usize, config: Config, fisher: Option<&Matrix>, seed: u64) -> Result<Allocation> {
    let quantizer = config.quantizer();
    if r > 0 {
        let p = lqlora(w, r, quantizer, 100, fisher, &mut Rng::seeded(seed))?;
        let error = p.errors.iter().copied().fold(f64::INFINITY, f64::min);
        return Ok(Allocation { config, q: p.q, b: p.b, a: p.a, error });
    }
    let q = Quantized::with_scales(w, quantizer.scheme, quantizer.block, quantizer.scales)?;
    let d = w.sub(&q.dequantize())?;
    let error = match fisher {
        Some(f) => Matrix::from_fn(w.rows(), w.cols(), |i, j| f[(i, j)].sqrt() * d[(i, j)]).norm_fro(),
        None => d.norm_fro(),
    };
    Ok(Allocation { config, q, b: Matrix::zeros(w.rows(), 0), a: Matrix::zeros(0, w.cols()), error })
}

/// LQ-LoRA's mixed-precision allocation (Guo et al., ICLR 2024,
/// `allocation_utils` and `lq_utils.mip_solve`): for every matrix `Wᵢ` and
/// configuration `j` of [`grid`], the cost `cᵢⱼ = ‖√Fᵢ ⊙ (Wᵢ − Lᵢⱼ − Qᵢⱼ)‖²`
/// of its [`lqlora`] decomposition at rank `r` (100 iterations at most,
/// stopping when the error rises) and the size `sᵢⱼ = bits(Qᵢⱼ)·numelᵢ`;
/// then the choice minimising `Σ cᵢⱼ xᵢⱼ` subject to `Σ sᵢⱼ xᵢⱼ ≤
/// avg_bits·Σ numelᵢ` and one configuration per matrix, by [`allocate`].
///
/// Where the reference differs: its sizes leave out the 32-bit offset that
/// [`Quantized::bits`] counts, it needs `numel` divisible by `B₀·B₁` where
/// here a ragged block or group is allowed, it solves with Gurobi (or
/// scipy's `milp`) under a time limit, and it returns the iterate whose
/// error rose. The low-rank factors are not counted in the budget, as in
/// the reference: they are the trained adapter.
///
/// Cost: 432 LQ-LoRA decompositions per matrix (`O(mn(r + 10))` each per
/// iteration), run in parallel; then the ILP over each matrix's Pareto front
/// of (size, cost), at most 432 binaries per matrix. Each decomposition
/// draws its test matrices from its own stream seeded from `rng`, so the
/// chosen one is recomputed exactly. Errors when `fisher` is not one
/// finite non-negative matrix per weight of its shape, when `avg_bits` is below what every
/// matrix at its smallest configuration needs, and as [`lqlora`] does.
pub fn lqlora_budget(
    ws: &[Matrix],
    avg_bits: f64,
    r: usize,
    fisher: Option<&[Matrix]>,
    rng: &mut Rng,
) -> Result<Vec<Allocation>> {
    if let Some(fs) = fisher {
        if fs.len() != ws.len() {
            return Err(Error::invalid(
                "lqlora_budget",
                format!("{} Fisher matrices for {} weights; give one per weight", fs.len(), ws.len()),
            ));
        }
        for (w, f) in ws.iter().zip(fs) {
            super::check_fisher("lqlora_budget", w, f)?;
        }
    }
    for w in ws {
        check_rank("lqlora_budget", w, r)?;
        w.require_finite("lqlora_budget")?;
    }
    if !avg_bits.is_finite() {
        return Err(Error::invalid("lqlora_budget", "avg_bits must be a finite number"));
    }
    let seeds = draw_seeds(ws.len(), rng);
    let (costs, sizes) = table(ws, r, fisher, &seeds)?;
    let total: f64 = ws.iter().map(|w| w.len() as f64).sum();
    let smallest: f64 = sizes.iter().map(|s| s.iter().copied().fold(f64::INFINITY, f64::min)).sum();
    if smallest > avg_bits * total {
        return Err(Error::invalid(
            "lqlora_budget",
            format!(
                "avg_bits = {avg_bits} is below the {} bits per entry of the smallest configurations",
                smallest / total
            ),
        ));
    }
    let choice = allocate(&costs, &sizes, avg_bits * total)?;
    let configs = grid();
    choice
        .iter()
        .enumerate()
        .map(|(i, &j)| decompose(&ws[i], r, configs[j], fisher.map(|f| &f[i]), seeds[i][j]))
        .collect()
}

/// A number per matrix and configuration.
type Table = Vec<Vec<f64>>;

/// One seed per matrix and configuration, drawn from `rng`.
fn draw_seeds(matrices: usize, rng: &mut Rng) -> Vec<Vec<u64>> {
    (0..matrices).map(|_| (0..grid().len()).map(|_| rng.below(u64::MAX)).collect()).collect()
}

/// The costs `‖√F ⊙ (W − L − Q)‖²` and sizes `bits(Q)·numel` of every matrix
/// in every configuration, the configurations in parallel; both infinite
/// for a configuration that cannot quantize the matrix.
fn table(ws: &[Matrix], r: usize, fisher: Option<&[Matrix]>, seeds: &[Vec<u64>]) -> Result<(Table, Table)> {
    let configs = grid();
    let mut costs = Vec::with_capacity(ws.len());
    let mut sizes = Vec::with_capacity(ws.len());
    for (i, w) in ws.iter().enumerate() {
        let numel = w.len() as f64;
        let row: Vec<Result<(f64, f64)>> = configs
            .par_iter()
            .zip(&seeds[i])
            .map(|(&c, &seed)| {
                let a = decompose(w, r, c, fisher.map(|f| &f[i]), seed)?;
                Ok((a.error * a.error, a.q.bits() * numel))
            })
            .collect();
        // A configuration that cannot hold this matrix (its scale range
        // overflows fp16) is not an option; when none can, the first says why.
        if row.iter().all(Result::is_err) {
            return Err(row.into_iter().find_map(Result::err).expect("432 configurations"));
        }
        let row = row.into_iter().map(|x| x.unwrap_or((f64::INFINITY, f64::INFINITY)));
        let (c, s): (Vec<f64>, Vec<f64>) = row.unzip();
        costs.push(c);
        sizes.push(s);
    }
    Ok((costs, sizes))
}

/// The indices of the finite `(cost, size)` options on the Pareto front, by
/// ascending size; of equal options the first is kept. `O(k log k)`.
fn front(costs: &[f64], sizes: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| sizes[a].total_cmp(&sizes[b]).then(costs[a].total_cmp(&costs[b])).then(a.cmp(&b)));
    let mut best = f64::INFINITY;
    order
        .into_iter()
        .filter(|&j| {
            let better = costs[j] < best && sizes[j].is_finite();
            best = best.min(costs[j]);
            better
        })
        .collect()
}

/// The multiple-choice knapsack of [`lqlora_budget`]: one option `j` per
/// matrix `i`, minimising `Σ costs[i][j]` with `Σ sizes[i][j] ≤ budget`, as
/// a 0–1 ILP solved by microlp's branch and bound with a proof of optimality.
///
/// An option that another of the same matrix matches or beats in both cost
/// and size can be swapped for it in any solution, so only each matrix's
/// Pareto front enters the ILP: an exact reduction. An infinite cost or size
/// marks an option that is not available. When every matrix's cheapest
/// option fits, that is the answer; otherwise the ILP sees each cost less
/// its matrix's cheapest (which every choice pays), scaled by the largest
/// such excess, and sizes scaled by the budget. The choice meets the
/// budget exactly (asked again with `2·10⁻⁷` to spare when microlp's `10⁻⁷`
/// row tolerance left it over) and is optimal to microlp's tolerances
/// (`10⁻⁹` of the largest excess in cost). Errors on rows of unequal or zero length, NaN or
/// negative entries, a matrix with no available option, and a budget below
/// the sum of the smallest sizes.
pub fn allocate(costs: &[Vec<f64>], sizes: &[Vec<f64>], budget: f64) -> Result<Vec<usize>> {
    let bad = |why: String| Err(Error::invalid("lqlora_budget", why));
    if costs.len() != sizes.len() || costs.iter().zip(sizes).any(|(c, s)| c.len() != s.len() || c.is_empty()) {
        return bad("every matrix needs as many costs as sizes, and at least one option".into());
    }
    if costs.iter().chain(sizes).flatten().any(|&x| x.is_nan() || x < 0.0) {
        return bad("costs and sizes must be non-negative numbers".into());
    }
    let fronts: Vec<Vec<usize>> = costs.iter().zip(sizes).map(|(c, s)| front(c, s)).collect();
    if fronts.iter().any(Vec::is_empty) {
        return bad("a matrix has no option of finite cost and size".into());
    }
    // Along a front sizes ascend and costs descend: its first option is the
    // smallest, its last the cheapest.
    let smallest: f64 = fronts.iter().zip(sizes).map(|(f, s)| s[f[0]]).sum();
    if budget.is_nan() || smallest > budget {
        return bad(format!("the budget {budget} is below the smallest possible total {smallest}"));
    }
    let cheapest: Vec<usize> = fronts.iter().map(|f| f[f.len() - 1]).collect();
    if cheapest.iter().zip(sizes).map(|(&j, s)| s[j]).sum::<f64>() <= budget {
        return Ok(cheapest);
    }
    // Each matrix's cheapest cost is paid whatever the choice: only the
    // excess over it enters the ILP, scaled by the largest excess.
    let floor: Vec<f64> = cheapest.iter().zip(costs).map(|(&j, c)| c[j]).collect();
    let cmax = fronts
        .iter()
        .zip(costs)
        .zip(&floor)
        .flat_map(|((f, c), &m)| f.iter().map(move |&j| c[j] - m))
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let scale = budget.max(f64::MIN_POSITIVE);
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let mut size_row = LinearExpr::empty();
    let mut vars = Vec::with_capacity(costs.len());
    for (((c, s), keep), &m) in costs.iter().zip(sizes).zip(fronts).zip(&floor) {
        let mut one = LinearExpr::empty();
        let row: Vec<_> = keep
            .into_iter()
            .map(|j| {
                let v = problem.add_binary_var((c[j] - m) / cmax);
                one.add(v, 1.0);
                size_row.add(v, s[j] / scale);
                (j, v)
            })
            .collect();
        problem.add_constraint(one, ComparisonOp::Eq, 1.0);
        vars.push(row);
    }
    // microlp meets rows to 1e-7: when its choice is over the budget by
    // that much, ask again for that much less.
    for slack in [0.0, 2e-7] {
        let mut problem = problem.clone();
        problem.add_constraint(size_row.clone(), ComparisonOp::Le, budget / scale * (1.0 - slack));
        let choice = solve(&problem, &vars)?;
        if choice.iter().zip(sizes).map(|(&j, s)| s[j]).sum::<f64>() <= budget {
            return Ok(choice);
        }
    }
    bad(format!("the ILP's choice stays over the budget {budget}"))
}

/// The option of each matrix that `problem`'s proven optimum picks.
fn solve(problem: &Problem, vars: &[Vec<(usize, microlp::Variable)>]) -> Result<Vec<usize>> {
    let bad = |why: &str| Err(Error::invalid("lqlora_budget", why));
    let outcome = problem.solve().map_err(|e| Error::invalid("lqlora_budget", format!("the ILP failed: {e}")))?;
    let solution = match outcome.solution() {
        Some(s) if s.status() == microlp::SolutionStatus::Optimal => s,
        _ => return bad("the ILP solver stopped before proving its choice optimal"),
    };
    let choice: Vec<usize> = vars
        .iter()
        .map(|row| {
            row.iter().max_by(|a, b| solution.var_value(a.1).total_cmp(&solution.var_value(b.1))).map_or(0, |v| v.0)
        })
        .collect();
    Ok(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every assignment, by enumeration: the exact optimum of a tiny instance.
    fn brute_force(costs: &[Vec<f64>], sizes: &[Vec<f64>], budget: f64) -> f64 {
        let mut best = f64::INFINITY;
        let mut pick = vec![0; costs.len()];
        loop {
            let size: f64 = pick.iter().zip(sizes).map(|(&j, s)| s[j]).sum();
            if size <= budget {
                best = best.min(pick.iter().zip(costs).map(|(&j, c)| c[j]).sum());
            }
            let Some(i) = (0..pick.len()).find(|&i| pick[i] + 1 < costs[i].len()) else { return best };
            pick[i] += 1;
            pick[..i].fill(0);
        }
    }

    #[test]
    fn the_ilp_finds_the_enumerated_optimum_within_the_budget() {
        let mut rng = Rng::seeded(11);
        for case in 0..20 {
            let (m, k) = (2 + case % 3, 2 + case % 4);
            let sizes: Vec<Vec<f64>> = (0..m).map(|_| (0..k).map(|_| 1.0 + rng.below(9) as f64).collect()).collect();
            let costs: Vec<Vec<f64>> = (0..m).map(|_| (0..k).map(|_| rng.uniform()).collect()).collect();
            let budget = sizes.iter().map(|s| s.iter().sum::<f64>() / k as f64).sum::<f64>();
            let Ok(choice) = allocate(&costs, &sizes, budget) else {
                let smallest: f64 = sizes.iter().map(|s| s.iter().copied().fold(f64::INFINITY, f64::min)).sum();
                assert!(smallest > budget, "case {case}");
                continue;
            };
            let size: f64 = choice.iter().zip(&sizes).map(|(&j, s)| s[j]).sum();
            let cost: f64 = choice.iter().zip(&costs).map(|(&j, c)| c[j]).sum();
            assert!(size <= budget, "case {case}");
            assert!((cost - brute_force(&costs, &sizes, budget)).abs() < 1e-12, "case {case}");
        }
    }

    #[test]
    fn bad_instances_are_clear_errors() {
        let e = allocate(&[vec![1.0, 2.0]], &[vec![4.0, 3.0]], 2.0).unwrap_err().to_string();
        assert_eq!(e, "lqlora_budget: the budget 2 is below the smallest possible total 3");
        let e = allocate(&[vec![1.0]], &[vec![]], 2.0).unwrap_err().to_string();
        assert_eq!(e, "lqlora_budget: every matrix needs as many costs as sizes, and at least one option");
        let e = allocate(&[vec![f64::NAN]], &[vec![1.0]], 2.0).unwrap_err().to_string();
        assert_eq!(e, "lqlora_budget: costs and sizes must be non-negative numbers");
        let e = allocate(&[vec![f64::INFINITY]], &[vec![1.0]], 2.0).unwrap_err().to_string();
        assert_eq!(e, "lqlora_budget: a matrix has no option of finite cost and size");
        // an unavailable option is skipped; a budget that fits the cheapest needs no ILP
        let (costs, sizes) = (vec![vec![1.0, 0.0, 5.0]], vec![vec![1.0, f64::INFINITY, 0.5]]);
        assert_eq!(allocate(&costs, &sizes, 0.75).unwrap(), [2]);
        assert_eq!(allocate(&costs, &sizes, f64::INFINITY).unwrap(), [0]);
        assert_eq!(allocate(&[], &[], 0.0).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn the_grid_is_the_reference_one() {
        let g = grid();
        assert_eq!(g.len(), 432);
        assert_eq!(g[0], Config { bits: 2, scale_bits: 2, dtype: ScaleDtype::Bf16, block: 16, group: 16 });
        assert_eq!(g[431], Config { bits: 8, scale_bits: 8, dtype: ScaleDtype::Fp32, block: 64, group: 256 });
        assert_eq!(g[1].group, 64);
        assert_eq!(g[3].block, 32);
    }

    #[test]
    fn the_budgeted_choice_meets_the_budget_and_beats_every_single_configuration() {
        let mut rng = Rng::seeded(12);
        let ws = vec![rng.randn(16, 32), rng.randn(32, 16).scale(0.1), rng.randn(8, 64)];
        let total: f64 = ws.iter().map(|w| w.len() as f64).sum();
        let avg_bits = 3.5;
        let picks = lqlora_budget(&ws, avg_bits, 2, None, &mut Rng::seeded(1)).unwrap();
        let used: f64 = picks.iter().zip(&ws).map(|(p, w)| p.q.bits() * w.len() as f64).sum();
        assert!(used <= avg_bits * total);
        for (p, w) in picks.iter().zip(&ws) {
            let d = w.sub(&p.b.matmul(&p.a).unwrap()).unwrap().sub(&p.q.dequantize()).unwrap();
            assert!((d.norm_fro() - p.error).abs() <= 1e-12 * (1.0 + p.error));
        }
        // the same table as the allocation saw, from the same seeds
        let seeds = draw_seeds(ws.len(), &mut Rng::seeded(1));
        let (costs, sizes) = table(&ws, 2, None, &seeds).unwrap();
        let chosen: f64 = picks.iter().map(|p| p.error * p.error).sum();
        let configs = grid();
        for (p, c) in picks.iter().zip(&costs) {
            let j = configs.iter().position(|&g| g == p.config).unwrap();
            assert_eq!(c[j], p.error * p.error);
        }
        // no single configuration for every matrix that fits does better
        let mut fitting = 0;
        for (j, c) in configs.iter().enumerate() {
            let size: f64 = sizes.iter().map(|s| s[j]).sum();
            if size <= avg_bits * total {
                fitting += 1;
                let cost: f64 = costs.iter().map(|k| k[j]).sum();
                assert!(chosen <= cost, "{c:?}: {chosen} > {cost}");
            }
        }
        assert!(fitting > 0);
    }
}
