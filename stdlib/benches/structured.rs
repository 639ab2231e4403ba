//! Structured against dense, side by side: Kronecker and Monarch matvecs,
//! block-diagonal solve, Kronecker logdet, RoPE over a token batch, the dense kernels that
//! `benches/compare_numpy.py` times in numpy (matmul, SVD, eigh at 1024), and the compression
//! kernels (`rsvd` rank 64 of 4096×1024, NF4 `quantize` of 4096×4096, `nearest_kron` of 1024×1024).
//!
//! `cargo bench -p tessera-stdlib --bench structured`; then
//! `python3 stdlib/benches/compare_numpy.py` prints the ratios table.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tessera::{Matrix, Monarch, Operator, Rng};

fn kron_matvec(c: &mut Criterion) {
    let mut g = c.benchmark_group("kron_matvec");
    for k in [32usize, 64] {
        let n = k * k;
        let mut r = Rng::seeded(1);
        let (a, b) = (r.randn(k, k), r.randn(k, k));
        let op = Operator::kron(vec![a.clone().into(), b.clone().into()]).unwrap();
        let dense = a.kron(&b);
        let x = r.randn(n, 1);
        g.bench_with_input(BenchmarkId::new("structured", n), &x, |bench, x| bench.iter(|| op.apply(black_box(x))));
        g.bench_with_input(BenchmarkId::new("dense", n), &x, |bench, x| bench.iter(|| dense.matmul(black_box(x))));
    }
    g.finish();
}

fn monarch_matvec(c: &mut Criterion) {
    let mut g = c.benchmark_group("monarch_matvec");
    for (n, blocks) in [(1024usize, 32usize), (4096, 64)] {
        let mut r = Rng::seeded(2);
        let op = Operator::Monarch(Monarch::random(n, blocks, &mut r).unwrap());
        let dense = op.dense();
        let x = r.randn(n, 1);
        g.bench_with_input(BenchmarkId::new("structured", n), &x, |bench, x| bench.iter(|| op.apply(black_box(x))));
        g.bench_with_input(BenchmarkId::new("dense", n), &x, |bench, x| bench.iter(|| dense.matmul(black_box(x))));
    }
    g.finish();
}

fn blockdiag_solve(c: &mut Criterion) {
    let mut g = c.benchmark_group("blockdiag_solve");
    g.sample_size(20);
    // 16 blocks of 64: n = 1024.
    let mut r = Rng::seeded(3);
    let blocks: Vec<Operator> =
        (0..16).map(|_| r.randn(64, 64).add(&Matrix::eye(64).scale(8.0)).unwrap().into()).collect();
    let op = Operator::blockdiag(blocks);
    let dense = op.dense();
    let b = r.randn(1024, 1);
    g.bench_function(BenchmarkId::new("structured", 1024), |bench| bench.iter(|| op.solve(black_box(&b)).unwrap()));
    g.bench_function(BenchmarkId::new("dense", 1024), |bench| bench.iter(|| dense.solve(black_box(&b)).unwrap()));
    g.finish();
}

fn kron_logdet(c: &mut Criterion) {
    let mut g = c.benchmark_group("kron_logdet");
    g.sample_size(10);
    let mut r = Rng::seeded(4);
    let (a, b) = (r.randn(32, 32).add(&Matrix::eye(32).scale(8.0)).unwrap(), r.randn(32, 32));
    let op = Operator::kron(vec![a.clone().into(), b.clone().into()]).unwrap();
    let dense = a.kron(&b);
    g.bench_function(BenchmarkId::new("structured", 1024), |bench| bench.iter(|| op.logabsdet().unwrap()));
    g.bench_function(BenchmarkId::new("dense", 1024), |bench| bench.iter(|| dense.logabsdet().unwrap()));
    g.finish();
}

fn dense_kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("dense_1024");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let mut r = Rng::seeded(5);
    let (a, b) = (r.randn(1024, 1024), r.randn(1024, 1024));
    let s = a.add(&a.transpose()).unwrap();
    g.bench_function("matmul", |bench| bench.iter(|| a.matmul(black_box(&b)).unwrap()));
    g.bench_function("svd", |bench| bench.iter(|| black_box(&a).svd().unwrap()));
    g.bench_function("svdvals", |bench| bench.iter(|| black_box(&a).svdvals().unwrap()));
    g.bench_function("eigh", |bench| bench.iter(|| black_box(&s).eigh().unwrap()));
    g.finish();
}

fn rope(c: &mut Criterion) {
    let mut g = c.benchmark_group("rope_apply");
    let mut r = Rng::seeded(6);
    let x = r.randn(4096, 128);
    let positions: Vec<f64> = (0..4096).map(f64::from).collect();
    g.bench_function("4096x128", |bench| {
        bench.iter(|| tessera::rope::rope_apply(black_box(&x), &positions, 10000.0).unwrap())
    });
    g.finish();
}

fn covariance(c: &mut Criterion) {
    let mut g = c.benchmark_group("cov");
    g.sample_size(20);
    let x = Rng::seeded(7).randn(100_000, 64);
    g.bench_function("100000x64", |bench| bench.iter(|| tessera::covariance::cov(black_box(&x)).unwrap()));
    g.finish();
}

fn compression(c: &mut Criterion) {
    use tessera::compress::{nearest_kron, rsvd, Quantized, Scheme};
    let mut g = c.benchmark_group("compress");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let mut r = Rng::seeded(8);
    let tall = r.randn(4096, 1024);
    let omega = r.randn(1024, 74);
    g.bench_function("rsvd_r64_4096x1024", |b| b.iter(|| rsvd(black_box(&tall), 64, &omega, 2).unwrap()));
    let square = r.randn(4096, 4096);
    let nf4 = Scheme::NormalFloat { bits: 4 };
    g.bench_function("nf4_4096x4096", |b| b.iter(|| Quantized::new(black_box(&square), nf4, 64, false).unwrap()));
    let w = r.randn(1024, 1024);
    g.bench_function("nearest_kron_1024", |b| b.iter(|| nearest_kron(black_box(&w), 32, 32, 1).unwrap()));
    g.finish();
}

criterion_group!(
    benches,
    kron_matvec,
    monarch_matvec,
    blockdiag_solve,
    kron_logdet,
    dense_kernels,
    rope,
    covariance,
    compression
);
criterion_main!(benches);
