//! Identities that must hold for every shape, including 1×1 and empty ones.

use proptest::prelude::*;
use tessera::{Matrix, Monarch, Operator, Rng};
use tessera_tests::*;

/// Dimensions from 0 to 4: empty, 1×1 and small rectangular cases alike.
fn dim() -> impl Strategy<Value = usize> {
    0usize..5
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn kronecker_apply_matches_dense(seed: u64, shapes in prop::collection::vec((dim(), dim()), 1..4), c in 0usize..3) {
        let mut r = Rng::seeded(seed);
        let factors: Vec<Matrix> = shapes.iter().map(|&(m, n)| r.randn(m, n)).collect();
        let dense = factors.iter().skip(1).fold(factors[0].clone(), |k, f| k.kron(f));
        let op = Operator::kron(factors.into_iter().map(Operator::Dense).collect()).unwrap();
        prop_assert_eq!(op.shape(), dense.shape());
        let x = r.randn(dense.cols(), c);
        assert_close(&op.apply(&x).unwrap(), &dense.matmul(&x).unwrap(), 1e-12, "K x");
        let y = r.randn(dense.rows(), c);
        assert_close(&op.apply_transpose(&y).unwrap(), &dense.transpose().matmul(&y).unwrap(), 1e-12, "Kᵀ y");
    }

    /// (A ⊗ B) vec(X) = vec(A X Bᵀ), with row-major vec.
    #[test]
    fn vec_trick(seed: u64, m in dim(), n in dim(), p in dim(), q in dim()) {
        let mut r = Rng::seeded(seed);
        let (a, b, x) = (r.randn(m, n), r.randn(p, q), r.randn(n, q));
        let k = Operator::kron(vec![a.clone().into(), b.clone().into()]).unwrap();
        let lhs = k.apply(&x.reshape(n * q, 1).unwrap()).unwrap();
        let rhs = a.matmul(&x).unwrap().matmul(&b.transpose()).unwrap().reshape(m * p, 1).unwrap();
        assert_close(&lhs, &rhs, 1e-12, "vec trick");
    }

    /// (A ⊗ B)(C ⊗ D) = (AC) ⊗ (BD).
    #[test]
    fn mixed_product(seed: u64, m in dim(), n in dim(), k in dim(), p in dim(), q in dim(), l in dim()) {
        let mut r = Rng::seeded(seed);
        let (a, b, c, d) = (r.randn(m, n), r.randn(p, q), r.randn(n, k), r.randn(q, l));
        let left = Operator::product(
            Operator::kron(vec![a.clone().into(), b.clone().into()]).unwrap(),
            Operator::kron(vec![c.clone().into(), d.clone().into()]).unwrap(),
        ).unwrap();
        let right = a.matmul(&c).unwrap().kron(&b.matmul(&d).unwrap());
        assert_close(&left.dense(), &right, 1e-12, "mixed product");
    }

    /// det(A ⊗ B) = det(A)^m det(B)^n for A n×n and B m×m.
    #[test]
    fn kronecker_determinant(seed: u64, n in 1usize..5, m in 1usize..5) {
        let mut r = Rng::seeded(seed);
        let (a, b) = (well_conditioned(&mut r, n, 2.0), well_conditioned(&mut r, m, 2.0));
        let k = Operator::kron(vec![a.clone().into(), b.clone().into()]).unwrap();
        let expected = a.det().unwrap().powi(m as i32) * b.det().unwrap().powi(n as i32);
        assert_close_scalar(k.det().unwrap(), expected, 1e-11, "det(A⊗B)");
    }

    /// λ(A ⊕ B) = λ(A) + λ(B) and exp(A ⊕ B) = exp(A) ⊗ exp(B).
    #[test]
    fn kronecker_sum_spectrum_and_exponential(seed: u64, n in 0usize..4, m in 0usize..4) {
        let mut r = Rng::seeded(seed);
        let (a, b) = (spd(&mut r, n), spd(&mut r, m));
        let ks = Operator::kronsum(a.clone().into(), b.clone().into()).unwrap();
        let (ea, eb) = (a.eigh().unwrap().values, b.eigh().unwrap().values);
        let mut sums: Vec<f64> = ea.iter().flat_map(|x| eb.iter().map(move |y| x + y)).collect();
        sums.sort_by(f64::total_cmp);
        assert_close_values(&ks.eigh().unwrap().values, &sums, 1e-12, "λ(A⊕B)");
        let scaled = Operator::kronsum(a.scale(0.1).into(), b.scale(0.1).into()).unwrap();
        let product = a.scale(0.1).expm().unwrap().kron(&b.scale(0.1).expm().unwrap());
        assert_close(&scaled.expm().unwrap().dense(), &product, 1e-12, "exp(A⊕B)");
        assert_close(&scaled.dense().expm().unwrap(), &product, 1e-12, "dense exp(A⊕B)");
    }

    #[test]
    fn block_diagonal_with_ragged_blocks(seed: u64, shapes in prop::collection::vec((dim(), dim()), 0..4), c in 0usize..3) {
        let mut r = Rng::seeded(seed);
        let blocks: Vec<Matrix> = shapes.iter().map(|&(m, n)| r.randn(m, n)).collect();
        let op = Operator::blockdiag(blocks.iter().cloned().map(Operator::Dense).collect());
        let dense = op.dense();
        let (mut row, mut col) = (0, 0);
        for b in &blocks {
            for i in 0..b.rows() {
                for j in 0..b.cols() {
                    prop_assert_eq!(dense[(row + i, col + j)], b[(i, j)]);
                }
            }
            row += b.rows();
            col += b.cols();
        }
        prop_assert_eq!(dense.rows(), row);
        prop_assert_eq!(dense.cols(), col);
        assert_close_scalar(dense.norm_fro().powi(2), blocks.iter().map(|b| b.norm_fro().powi(2)).sum(), 1e-14, "no other entries");
        let x = r.randn(dense.cols(), c);
        assert_close(&op.apply(&x).unwrap(), &dense.matmul(&x).unwrap(), 1e-12, "blockdiag x");
    }

    #[test]
    fn monarch_apply_and_projection(seed: u64, b in 1usize..6, s in 1usize..6, c in 0usize..3) {
        let mut r = Rng::seeded(seed);
        let m = Monarch::random(b * s, b, &mut r).unwrap();
        let op = Operator::Monarch(m);
        let dense = op.dense();
        let x = r.randn(b * s, c);
        assert_close(&op.apply(&x).unwrap(), &dense.matmul(&x).unwrap(), 1e-12, "M x");
        assert_close(&op.apply_transpose(&x).unwrap(), &dense.transpose().matmul(&x).unwrap(), 1e-12, "Mᵀ x");
        // Projection: idempotent on Monarch matrices, and never farther from W than
        // any other Monarch matrix (here: the projection of W plus a perturbation).
        assert_close(&Operator::Monarch(Monarch::project(&dense, b).unwrap()).dense(), &dense, 1e-10, "P(M) = M");
        let w = r.randn(b * s, b * s);
        let best = Operator::Monarch(Monarch::project(&w, b).unwrap()).dense();
        let other = Operator::Monarch(Monarch::random(b * s, b, &mut r).unwrap()).dense();
        let nudged = best.add(&other.scale(1e-3)).unwrap();
        let nudged = Operator::Monarch(Monarch::project(&nudged, b).unwrap()).dense();
        prop_assert!(w.sub(&best).unwrap().norm_fro() <= w.sub(&nudged).unwrap().norm_fro() + 1e-12);
    }

    #[test]
    fn low_rank_and_woodbury(seed: u64, n in 1usize..7, k in 0usize..4) {
        let mut r = Rng::seeded(seed);
        let (u, v) = (r.randn(n, k), r.randn(n, k));
        let d: Vec<f64> = (0..n).map(|i| 2.0 + i as f64).collect();
        let dense = Matrix::diagm(&Matrix::col(&d)).unwrap().add(&u.matmul(&v.transpose()).unwrap()).unwrap();
        let op = Operator::sum(Operator::diagonal(d), Operator::lowrank(u, v).unwrap()).unwrap();
        prop_assert!(matches!(op, Operator::DiagonalPlusLowRank { .. }), "diagonal + low rank is recognised");
        assert_close(&op.dense(), &dense, 1e-13, "D + U Vᵀ");
        if dense.rank().unwrap() == n && dense.svdvals().unwrap()[n - 1] > 1e-6 {
            assert_close(&op.inverse().unwrap().dense(), &dense.inv().unwrap(), 1e-9, "Woodbury");
            assert_close_scalar(op.det().unwrap(), dense.det().unwrap(), 1e-9, "determinant lemma");
        }
    }

    #[test]
    fn permutation_inverse_is_transpose(seed: u64, n in 0usize..8) {
        let mut r = Rng::seeded(seed);
        let p = Operator::permutation(r.permutation(n)).unwrap();
        let product = Operator::product(p.clone(), p.inverse().unwrap()).unwrap().dense();
        prop_assert_eq!(product, Matrix::eye(n));
        prop_assert_eq!(p.inverse().unwrap().dense(), p.dense().transpose());
        prop_assert_eq!(p.det().unwrap().abs(), 1.0);
    }

    #[test]
    fn same_seed_same_numbers(seed: u64, m in dim(), n in dim()) {
        let a = Rng::seeded(seed).randn(m, n);
        let b = Rng::seeded(seed).randn(m, n);
        prop_assert_eq!(a, b);
        let u = Rng::seeded(seed).rand(m, n);
        prop_assert!(u.to_row_major().iter().all(|&x| (0.0..1.0).contains(&x)));
    }
}

/// The stream is ChaCha8 seeded by `seed_from_u64`, uniform numbers are the top
/// 53 bits of each `u64`, normal numbers are `rand_distr`'s `StandardNormal`,
/// matrices fill row by row: derived here from the generator crates directly.
#[test]
fn random_stream_is_chacha8_as_documented() {
    use rand_chacha::rand_core::{Rng as _, SeedableRng};
    use rand_distr::Distribution;
    let mut reference = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut r = Rng::seeded(42);
    let u = r.rand(2, 3).to_row_major();
    for x in u {
        assert_eq!(x, (reference.next_u64() >> 11) as f64 / (1u64 << 53) as f64);
    }
    let z = r.randn(3, 2).to_row_major();
    for x in z {
        let expected: f64 = rand_distr::StandardNormal.sample(&mut reference);
        assert_eq!(x, expected);
    }
}
