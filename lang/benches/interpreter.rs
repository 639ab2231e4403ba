//! The interpreter's overhead, side by side with the work itself: a builtin
//! call on a small matrix against the same stdlib call from Rust, and the
//! evaluator's hot paths (arithmetic in a loop, calls, indexing, closures).

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

const FIB: &str = "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }; fib(20)";

/// The evaluator's hot paths, one small program each, run whole (compiling
/// included, as a cell is): a loop of arithmetic, calls (as scalar code, and
/// in the evaluator alone), indexed reads and writes.
fn hot_paths(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluator");
    let cases = [
        ("loop s = s + i, 1e5 iterations", "s = 0; for i in 0:100000 { s = s + i }"),
        ("arithmetic x = (x * 0.5 + i) / 1.5 - 1, 1e5", "x = 0; for i in 0:100000 { x = (x * 0.5 + i) / 1.5 - 1 }"),
        ("calls: fib(20)", FIB),
        ("loop in a function, 1e5 iterations", "fn sum(n) { s = 0; for i in 0:n { s = s + i }; s }; sum(100000)"),
        (
            "index write A[i, j] = i * j, 100x100",
            "A = zeros(100, 100); for i in 0:100 { for j in 0:100 { A[i, j] = i * j } }",
        ),
        ("index read s = s + A[i, j], 100x100", "s = 0; for i in 0:100 { for j in 0:100 { s = s + A[i, j] } }"),
        ("closure map over 1e4 items", "k = 3; ys = map(fn (x) = x * k + 1, 0:10000)"),
    ];
    let mut session = Session::new();
    session.execute("A = zeros(100, 100)", &mut NullSink).unwrap();
    for (name, source) in cases {
        let code = parser::parse(source).unwrap();
        g.bench_function(name, |bench| bench.iter(|| session.run(black_box(&code), &mut NullSink).unwrap()));
    }
    let mut evaluator = Session::new();
    evaluator.set_scalar_code(false);
    let fib = parser::parse(FIB).unwrap();
    g.bench_function("calls: fib(20), evaluator alone", |bench| {
        bench.iter(|| evaluator.run(black_box(&fib), &mut NullSink).unwrap())
    });
    g.finish();
}

criterion_group!(benches, builtin_call, hot_paths);
criterion_main!(benches);
