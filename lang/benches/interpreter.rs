//! The interpreter's overhead, side by side with the work itself: a builtin
//! call on a small matrix against the same stdlib call from Rust, and the
//! `s = s + i` loop per iteration.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tessera_lang::{parser, NullSink, Session, Value};

fn builtin_call(c: &mut Criterion) {
    let mut g = c.benchmark_group("builtin_call_4x4");
    let mut session = Session::new();
    session.execute("seed(1); A = randn(4, 4); B = randn(4, 4)", &mut NullSink).unwrap();
    let a = match session.get("A") {
        Some(Value::Matrix(m)) => m,
        _ => unreachable!(),
    };
    let b = match session.get("B") {
        Some(Value::Matrix(m)) => m,
        _ => unreachable!(),
    };
    let det = parser::parse("det(A)").unwrap();
    let product = parser::parse("A * B").unwrap();
    g.bench_function("tessera det(A)", |bench| bench.iter(|| session.run(black_box(&det), &mut NullSink).unwrap()));
    g.bench_function("rust A.det()", |bench| bench.iter(|| black_box(&a).det().unwrap()));
    g.bench_function("tessera A * B", |bench| bench.iter(|| session.run(black_box(&product), &mut NullSink).unwrap()));
    g.bench_function("rust A.matmul(B)", |bench| bench.iter(|| black_box(&a).matmul(&b).unwrap()));
    g.finish();
}

fn loop_iterations(c: &mut Criterion) {
    let mut session = Session::new();
    let code = parser::parse("s = 0; for i in 0:100000 { s = s + i }").unwrap();
    c.bench_function("loop s = s + i, 1e5 iterations", |bench| {
        bench.iter(|| session.run(black_box(&code), &mut NullSink).unwrap())
    });
}

criterion_group!(benches, builtin_call, loop_iterations);
criterion_main!(benches);
