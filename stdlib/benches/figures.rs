//! Rendering cost: a 1000 × 1000 heatmap as PNG, as SVG and as terminal text,
//! and the pattern of a 10⁶ × 10⁶ Kronecker product (never formed).
//!
//! `cargo bench -p tessera-stdlib --bench figures`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tessera::figure::Figure;
use tessera::{Matrix, Operator, Rng};

fn heatmap(c: &mut Criterion) {
    let mut g = c.benchmark_group("heatmap_1000x1000");
    let fig = Figure::heatmap(Rng::seeded(1).randn(1000, 1000)).unwrap();
    g.bench_function("png", |b| b.iter(|| black_box(&fig).png().unwrap()));
    g.bench_function("svg", |b| b.iter(|| black_box(&fig).svg().unwrap()));
    g.bench_function("text_120x40", |b| b.iter(|| black_box(&fig).text(120, 40, true).unwrap()));
    g.finish();
}

fn spy(c: &mut Criterion) {
    let mut g = c.benchmark_group("spy");
    let op = Operator::kron(vec![Matrix::eye(1000).into(), Matrix::ones(1000, 1000).into()]).unwrap();
    g.bench_function("kron_eye1000_ones1000_pattern_and_png", |b| {
        b.iter(|| Figure::spy_operator(black_box(&op)).unwrap().png().unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).sample_size(20);
    targets = heatmap, spy
}
criterion_main!(benches);
