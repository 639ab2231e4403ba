//! Every GPU kernel against its CPU twin, on whatever adapter the machine has
//! (lavapipe in CI): f32 to a relative 1e-5, f64 to 1e-12, at sizes that are
//! not multiples of the cube size, empty and 1×1.

use tessera::device::{Binary, Gpu, GpuMatrix, Precision, Unary};
use tessera::{Matrix, Rng};

/// The device, or a failure that says how to get one: CI installs lavapipe.
fn gpu() -> &'static Gpu {
    Gpu::get().unwrap_or_else(|e| panic!("{e}"))
}

fn precisions() -> Vec<(Precision, f64)> {
    let mut p = vec![(Precision::F32, 1e-5)];
    if gpu().supports_f64() {
        p.push((Precision::F64, 1e-12));
    }
    p
}

/// `‖a − b‖_max ≤ tol · max(1, ‖b‖_max)`, NaN where NaN.
fn assert_close(a: &Matrix, b: &Matrix, tol: f64, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes");
    let scale = b.to_row_major().iter().filter(|x| x.is_finite()).fold(1.0f64, |m, x| m.max(x.abs()));
    for (x, y) in a.to_row_major().iter().zip(b.to_row_major()) {
        let same = (x.is_nan() && y.is_nan()) || x == &y || (x - y).abs() <= tol * scale;
        assert!(same, "{what}: {x} vs {y} (tolerance {tol:e} × {scale})");
    }
}

/// An entrywise function and its CPU twin.
type UnaryCase = (Unary, fn(f64) -> f64);
/// An entrywise operation of two operands and its CPU twin.
type BinaryCase = (Binary, fn(f64, f64) -> f64);

const SHAPES: [(usize, usize); 6] = [(0, 0), (1, 1), (0, 3), (17, 33), (300, 257), (1, 513)];

#[test]
fn the_adapter_is_named() {
    assert!(!gpu().name().is_empty());
}

#[test]
fn uploads_and_downloads_round_trip() {
    let mut rng = Rng::seeded(1);
    for (r, c) in SHAPES {
        let a = rng.randn(r, c);
        for (p, tol) in precisions() {
            let back = GpuMatrix::upload(&a, p).unwrap().download().unwrap();
            assert_close(&back, &a, tol, &format!("round trip {r}×{c} {p:?}"));
        }
    }
    if gpu().supports_f64() {
        let exact = Matrix::from_rows(&[vec![0.1, 1e-300, -0.0, f64::NAN, f64::INFINITY]]).unwrap();
        let back = GpuMatrix::upload(&exact, Precision::F64).unwrap().download().unwrap();
        let bits = |m: &Matrix| m.to_row_major().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&exact), "f64 is bit-exact");
    }
}

#[test]
fn regions_bring_back_only_what_is_asked() {
    let a = Rng::seeded(2).randn(40, 30);
    for (p, tol) in precisions() {
        let g = GpuMatrix::upload(&a, p).unwrap();
        let (rows, cols) = (vec![0, 1, 38, 39], vec![0, 29]);
        assert_close(&g.region(&rows, &cols).unwrap(), &a.select(&rows, &cols).unwrap(), tol, "region");
        assert!(g.region(&[40], &[0]).is_err());
    }
}

#[test]
fn entrywise_functions_match_the_cpu() {
    let mut rng = Rng::seeded(3);
    let cases: [UnaryCase; 13] = [
        (Unary::Neg, |x| -x),
        (Unary::Sqrt, f64::sqrt),
        (Unary::Exp, f64::exp),
        (Unary::Log, f64::ln),
        (Unary::Abs, f64::abs),
        (Unary::Sin, f64::sin),
        (Unary::Cos, f64::cos),
        (Unary::Tan, f64::tan),
        (Unary::Floor, f64::floor),
        (Unary::Ceil, f64::ceil),
        (Unary::Round, f64::round),
        (Unary::IsNan, |x| f64::from(u8::from(x.is_nan()))),
        (Unary::IsFinite, |x| f64::from(u8::from(x.is_finite()))),
    ];
    for (r, c) in SHAPES {
        let mut a = rng.randn(r, c).scale(3.0);
        if r * c > 3 {
            a.set(0, 0, f64::NAN).unwrap();
            a.set(0, 1, f64::INFINITY).unwrap();
            a.set(0, 2, 2.5).unwrap();
        }
        for (p, tol) in precisions() {
            let g = GpuMatrix::upload(&a, p).unwrap();
            for (op, f) in cases {
                let got = g.map(op).unwrap().download().unwrap();
                // The twin sees the input the device holds (rounded to f32 when f32).
                let expected = a.map(|x| f(if p == Precision::F32 { f64::from(x as f32) } else { x }));
                assert_close(&got, &expected, tol, &format!("{op:?} {r}×{c} {p:?}"));
            }
        }
    }
}

#[test]
fn binary_operations_broadcast_as_numpy() {
    let mut rng = Rng::seeded(4);
    let cases: [BinaryCase; 13] = [
        (Binary::Add, |a, b| a + b),
        (Binary::Sub, |a, b| a - b),
        (Binary::Mul, |a, b| a * b),
        (Binary::Div, |a, b| a / b),
        (Binary::Pow, |a, b| a.powf(b)),
        (Binary::Max, |a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }),
        (Binary::Min, |a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) }),
        (Binary::Eq, |a, b| f64::from(u8::from(a == b))),
        (Binary::Ne, |a, b| f64::from(u8::from(a != b))),
        (Binary::Lt, |a, b| f64::from(u8::from(a < b))),
        (Binary::Le, |a, b| f64::from(u8::from(a <= b))),
        (Binary::Gt, |a, b| f64::from(u8::from(a > b))),
        (Binary::Ge, |a, b| f64::from(u8::from(a >= b))),
    ];
    let pairs = [((17, 33), (17, 33)), ((17, 33), (1, 33)), ((17, 1), (1, 33)), ((0, 3), (1, 3)), ((1, 1), (5, 4))];
    for ((ar, ac), (br, bc)) in pairs {
        let (a, mut b) = (rng.randn(ar, ac), rng.randn(br, bc));
        if br * bc > 0 {
            b.set(0, 0, f64::NAN).unwrap();
        }
        for (p, tol) in precisions() {
            let (ga, gb) = (GpuMatrix::upload(&a, p).unwrap(), GpuMatrix::upload(&b, p).unwrap());
            for (op, f) in cases {
                // Pow of a negative base is NaN on both sides only for |a|; keep the base positive.
                let (x, gx) = if op == Binary::Pow {
                    (a.map(f64::abs), ga.map(Unary::Abs).unwrap())
                } else {
                    (a.clone(), ga.clone())
                };
                let expected = x.zip_with(&b, "op", f).unwrap();
                let got = gx.zip(&gb, op, "op").unwrap().download().unwrap();
                assert_close(&got, &expected, tol, &format!("{op:?} {ar}×{ac} with {br}×{bc} {p:?}"));
            }
            let scaled = ga.with_scalar(2.0, Binary::Div, true).unwrap().download().unwrap();
            assert_close(&scaled, &a.map(|x| 2.0 / x), tol, "2 ./ A");
        }
    }
    let g = GpuMatrix::upload(&Matrix::ones(2, 3), Precision::F32).unwrap();
    assert!(g.zip(&GpuMatrix::upload(&Matrix::ones(3, 2), Precision::F32).unwrap(), Binary::Add, "+").is_err());
}

#[test]
fn products_and_transposes_match_the_cpu() {
    let mut rng = Rng::seeded(5);
    for (m, k, n) in [(1, 1, 1), (17, 5, 33), (64, 64, 64), (100, 37, 3), (3, 0, 4), (0, 4, 2), (1, 300, 1)] {
        let (a, b) = (rng.randn(m, k), rng.randn(k, n));
        for (p, tol) in precisions() {
            let (ga, gb) = (GpuMatrix::upload(&a, p).unwrap(), GpuMatrix::upload(&b, p).unwrap());
            let expected = a.matmul(&b).unwrap();
            // The product's error grows with k: scale the tolerance by it.
            let t = tol * (k.max(1) as f64).sqrt() * 4.0;
            assert_close(&ga.matmul(&gb).unwrap().download().unwrap(), &expected, t, &format!("{m}×{k}×{n} {p:?}"));
            assert_close(&ga.transpose().unwrap().download().unwrap(), &a.transpose(), tol, "transpose");
        }
    }
    let g = GpuMatrix::upload(&Matrix::ones(2, 3), Precision::F32).unwrap();
    assert!(g.matmul(&g).is_err());
}

#[test]
fn sums_match_the_cpu() {
    let mut rng = Rng::seeded(6);
    for (r, c) in SHAPES {
        let a = rng.randn(r, c);
        for (p, tol) in precisions() {
            let g = GpuMatrix::upload(&a, p).unwrap();
            let t = tol * ((r * c).max(1) as f64).sqrt();
            let columns = Matrix::from_fn(1, c, |_, j| (0..r).map(|i| a[(i, j)]).sum());
            let rows = Matrix::from_fn(r, 1, |i, _| (0..c).map(|j| a[(i, j)]).sum());
            assert_close(&g.sum_axis(0, false).unwrap().download().unwrap(), &columns, t, "column sums");
            assert_close(&g.sum_axis(1, false).unwrap().download().unwrap(), &rows, t, "row sums");
            let total = g.total(false).unwrap().download().unwrap();
            assert_close(&total, &Matrix::scalar(a.sum()), t, &format!("sum {r}×{c} {p:?}"));
            let squares = g.total(true).unwrap().download().unwrap();
            assert_close(&squares, &Matrix::scalar(a.norm_fro().powi(2)), t, "sum of squares");
        }
    }
}

#[test]
fn integer_powers_are_products() {
    let mut a = Rng::seeded(7).randn(9, 13);
    a.set(0, 0, f64::NAN).unwrap();
    for (p, tol) in precisions() {
        let g = GpuMatrix::upload(&a, p).unwrap();
        for k in [0, 1, 2, 3, 7, -1, -4] {
            let expected = a.map(|x| if p == Precision::F32 { f64::from(x as f32) } else { x }.powi(k));
            assert_close(&g.powi(k).unwrap().download().unwrap(), &expected, tol * 8.0, &format!("x.^{k} {p:?}"));
        }
    }
}

/// Every operator of the shared catalogue either has a device form that
/// applies and densifies as the CPU does, or is refused by name; the
/// Kronecker, block-diagonal, Monarch and quantized entries have one.
#[test]
fn structured_operators_apply_on_the_device_as_on_the_cpu() {
    use tessera::device::GpuOperator;
    let mut rng = Rng::seeded(8);
    let mut uploaded = std::collections::BTreeSet::new();
    for entry in tessera::testing::catalogue() {
        let (name, op) = (entry.name, &entry.op);
        if let Err(e) = GpuOperator::upload(op, Precision::F32) {
            assert!(e.to_string().contains("has no gpu form yet"), "{name}: {e}");
            continue;
        }
        uploaded.insert(tessera::testing::variant(op));
        let (rows, cols) = (op.shape().0, op.shape().1);
        for width in [1, 3] {
            let x = rng.randn(cols, width);
            let expected = op.apply(&x).unwrap();
            for (p, tol) in precisions() {
                let g = GpuOperator::upload(op, p).unwrap();
                assert_eq!((g.shape().0, g.shape().1), (rows, cols));
                let got = g.apply(&GpuMatrix::upload(&x, p).unwrap()).unwrap().download().unwrap();
                let t = tol * (cols.max(1) as f64).sqrt() * 4.0;
                assert_close(&got, &expected, t, &format!("{name} · x ({width} columns) {p:?}"));
                assert_close(&g.dense().unwrap().download().unwrap(), &op.dense(), t, &format!("dense {name}"));
            }
        }
    }
    assert_eq!(uploaded, ["BlockDiagonal", "Kronecker", "Monarch", "Quantized"].into_iter().collect());
}

#[test]
fn rope_covariance_and_projection_match_the_cpu() {
    let mut rng = Rng::seeded(9);
    for (n, d) in [(1, 2), (37, 16), (300, 64), (0, 4)] {
        let x = rng.randn(n, d);
        let positions: Vec<f64> = (0..n).map(|t| t as f64 * 1.5 - 7.0).collect();
        let expected = tessera::rope::rope_apply(&x, &positions, 10000.0).unwrap();
        for (p, tol) in precisions() {
            let got = GpuMatrix::upload(&x, p).unwrap().rope_apply(&positions, 10000.0).unwrap().download().unwrap();
            // f32 angles of up to 450 radians keep about 5e-5 of absolute accuracy.
            let t = if p == Precision::F32 { 1e-4 } else { tol };
            assert_close(&got, &expected, t, &format!("rope_apply {n}×{d} {p:?}"));
        }
    }
    assert!(GpuMatrix::upload(&Matrix::ones(2, 3), Precision::F32).unwrap().rope_apply(&[0.0, 1.0], 1e4).is_err());
    for (n, c) in [(2, 1), (100, 7), (1000, 33)] {
        let x = rng.randn(n, c).add(&Matrix::filled(1, c, 3.0)).unwrap();
        let expected = tessera::covariance::cov(&x).unwrap();
        for (p, tol) in precisions() {
            let got = GpuMatrix::upload(&x, p).unwrap().cov().unwrap().download().unwrap();
            assert_close(&got, &expected, tol * (n as f64).sqrt() * 10.0, &format!("cov {n}×{c} {p:?}"));
        }
    }
    let k = tessera::camera::intrinsics(800.0, 780.0, 320.0, 240.0, 1.0).unwrap();
    let cam = tessera::camera::projection(
        &k,
        &tessera::camera::rodrigues(&Matrix::col(&[0.1, -0.2, 0.3])).unwrap(),
        &Matrix::col(&[0.2, 0.1, 6.0]),
    )
    .unwrap();
    for n in [0, 1, 257] {
        let world = rng.randn(n, 3);
        let homogeneous = Matrix::hcat(&[&world, &Matrix::ones(n, 1)]).unwrap();
        let expected = tessera::camera::project(&cam, &world).unwrap();
        for (p, tol) in precisions() {
            let gp = GpuMatrix::upload(&cam, p).unwrap();
            for w in [&world, &homogeneous] {
                let got = GpuMatrix::upload(w, p).unwrap().project(&gp).unwrap().download().unwrap();
                assert_close(&got, &expected, tol * 10.0, &format!("project {n} points {p:?}"));
            }
        }
    }
}

#[test]
fn f64_functions_are_accurate_over_their_range() {
    // Where the device's f64 exp, log and trigonometry are computed from + − × ÷,
    // hold them to the CPU across magnitudes, signs, subnormals and the edges.
    if !gpu().supports_f64() {
        return;
    }
    let mut values =
        vec![0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 5e-324, 1e300, f64::MAX, 709.7, -745.0, 710.0, -800.0];
    values.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e5, -1e5, 123456.789, std::f64::consts::PI]);
    let mut rng = Rng::seeded(10);
    for scale in [1e-8, 1e-3, 1.0, 30.0, 700.0] {
        values.extend(rng.randn(1, 40).scale(scale).to_row_major());
    }
    let x = Matrix::row(&values);
    let g = GpuMatrix::upload(&x, Precision::F64).unwrap();
    let relative = |got: f64, want: f64| {
        if got.is_nan() && want.is_nan() || got == want {
            0.0
        } else {
            (got - want).abs() / want.abs().max(f64::MIN_POSITIVE)
        }
    };
    let cases: [(UnaryCase, f64); 5] = [
        // exp's condition number is |x|: at x = 709.7 one ulp of x is 1.6e-13 of the result.
        ((Unary::Exp, f64::exp), 1e-12),
        ((Unary::Log, f64::ln), 1e-14),
        ((Unary::Sin, f64::sin), 1e-12),
        ((Unary::Cos, f64::cos), 1e-12),
        ((Unary::Tan, f64::tan), 1e-12),
    ];
    for ((op, f), tol) in cases {
        let got = g.map(op).unwrap().download().unwrap().to_row_major();
        for (x, y) in values.iter().zip(got) {
            let want = f(*x);
            // Trigonometry of huge arguments is outside the documented range (|x| < 10⁶).
            if matches!(op, Unary::Sin | Unary::Cos | Unary::Tan) && x.abs() > 1e6 {
                continue;
            }
            // Absolute error for results near zero (sin near kπ).
            let err = if want.abs() < 1e-3 { (y - want).abs() } else { relative(y, want) };
            assert!(err <= tol || (y.is_nan() && want.is_nan()), "{op:?}({x:e}) = {y:e}, want {want:e}");
        }
    }
}

/// 13×37 entries: an all-zero row, a constant row, and a row of exact ties
/// for int4 per row (`0.25k + 0.125` under a maximum of 2, so `x/s` ends in ½).
fn quantization_input() -> Matrix {
    let mut v = Rng::seeded(9).randn(13, 37).to_row_major();
    for j in 0..37 {
        v[2 * 37 + j] = 0.0;
        v[5 * 37 + j] = -0.75;
        v[7 * 37 + j] = if j == 36 { 2.0 } else { 0.25 * ((j % 16) as f64 - 8.0) + 0.125 };
    }
    Matrix::from_row_major(13, 37, &v).unwrap()
}

#[test]
fn quantization_on_the_device_matches_the_cpu() {
    use tessera::compress::{Quantized, ScaleDtype, ScaleQuant, SCHEMES};
    use tessera::device::GpuQuantized;
    let w = quantization_input();
    let x = Rng::seeded(10).randn(37, 5);
    let uniform = ScaleQuant::Uniform { bits: 3, dtype: ScaleDtype::Bf16, group: 4 };
    for (p, tol) in precisions() {
        let g = GpuMatrix::upload(&w, p).unwrap();
        let gx = GpuMatrix::upload(&x, p).unwrap();
        for (name, scheme) in SCHEMES {
            let nf = name.starts_with("nf");
            let scales =
                if nf { vec![ScaleQuant::Plain, ScaleQuant::Dynamic, uniform] } else { vec![ScaleQuant::Plain] };
            for (block, scales) in [64, 37, 1, 1000].into_iter().flat_map(|b| scales.iter().map(move |&s| (b, s))) {
                let what = format!("{name}, block {block}, {scales:?}, {p:?}");
                let cpu = Quantized::with_scales(&w, scheme, block, scales).unwrap();
                let (twin, device) = GpuQuantized::quantize(&g, scheme, block, scales).unwrap();
                assert_eq!(twin, cpu, "{what}: codes and scales bit for bit");
                let dense = cpu.dequantize();
                // a·s (+ z) in f32 on both; the device may fuse the multiply-add of the zero point.
                let exact = if name.contains("asym") { 1e-6 } else { 0.0 };
                assert_close(&device.dense().unwrap().download().unwrap(), &dense, exact, &format!("{what}: dense"));
                let uploaded = GpuQuantized::upload(&cpu, p).unwrap();
                assert_close(&uploaded.dense().unwrap().download().unwrap(), &dense, exact, &format!("{what}: upload"));
                let product = device.apply(&gx).unwrap().download().unwrap();
                assert_close(&product, &dense.matmul(&x).unwrap(), tol.max(exact), &format!("{what}: product"));
                let t = device.transpose();
                assert_eq!(t.shape(), tessera::Shape(37, 13));
                let y = Rng::seeded(11).randn(13, 2);
                let gy = GpuMatrix::upload(&y, p).unwrap();
                let back = t.apply(&gy).unwrap().download().unwrap();
                assert_close(&back, &dense.transpose().matmul(&y).unwrap(), tol.max(exact), &format!("{what}: Qᵀ y"));
                assert_close(
                    &t.dense().unwrap().download().unwrap(),
                    &dense.transpose(),
                    exact,
                    &format!("{what}: Qᵀ"),
                );
            }
        }
    }
}

/// Subnormal entries and a ragged last block whose absmax is below the
/// `1e−38` floor (itself subnormal in f32): codes as the CPU's.
#[test]
fn quantization_on_the_device_keeps_subnormals() {
    use tessera::compress::{Quantized, ScaleQuant, Scheme};
    use tessera::device::GpuQuantized;
    let w = Matrix::from_rows(&[vec![1e-39, -3e-40, 1.0, 5e-41, 2e-45]]).unwrap();
    for (p, _) in precisions() {
        let g = GpuMatrix::upload(&w, p).unwrap();
        for (scheme, block) in [(Scheme::NormalFloat { bits: 4 }, 2), (Scheme::IntAsym { bits: 4 }, 2)] {
            let cpu = Quantized::with_scales(&w, scheme, block, ScaleQuant::Plain).unwrap();
            let (twin, _) = GpuQuantized::quantize(&g, scheme, block, ScaleQuant::Plain).unwrap();
            assert_eq!(twin, cpu, "{scheme:?} {p:?}");
        }
    }
}

/// A quantized operator's numbers are f32: it multiplies matrices of either precision.
#[test]
fn a_quantized_operator_meets_either_precision() {
    use tessera::compress::{Quantized, ScaleQuant, Scheme};
    use tessera::device::GpuOperator;
    if !gpu().supports_f64() {
        return;
    }
    let w = Rng::seeded(12).randn(6, 5);
    let q = Quantized::with_scales(&w, Scheme::Int { bits: 8 }, 5, ScaleQuant::Plain).unwrap();
    let op = GpuOperator::upload(&tessera::Operator::Quantized(Box::new(q.clone())), Precision::F32).unwrap();
    let x = Rng::seeded(13).randn(5, 2);
    let y = op.apply(&GpuMatrix::upload(&x, Precision::F64).unwrap()).unwrap();
    assert_eq!(y.precision(), Precision::F64);
    assert_close(&y.download().unwrap(), &q.dequantize().matmul(&x).unwrap(), 1e-12, "f32 operator, f64 matrix");
    let t =
        GpuOperator::upload(&tessera::Operator::Quantized(Box::new(q.clone())).transpose(), Precision::F64).unwrap();
    assert_eq!(t.structure(), "transposed quantized (int8, block 5)");
    assert_close(&t.dense().unwrap().download().unwrap(), &q.dequantize().transpose(), 0.0, "gpu(Qᵀ)");
}

#[test]
fn quantization_on_the_device_refuses_what_the_cpu_refuses() {
    use tessera::compress::{Quantized, ScaleQuant, Scheme};
    use tessera::device::GpuQuantized;
    let nf4 = Scheme::NormalFloat { bits: 4 };
    let mut bad = vec![Matrix::from_rows(&[vec![1.0, f64::NAN]]).unwrap()];
    bad.push(Matrix::from_rows(&[vec![f64::INFINITY, 1.0]]).unwrap());
    if gpu().supports_f64() {
        bad.push(Matrix::from_rows(&[vec![1.0, 1e39]]).unwrap());
    }
    for w in bad {
        let cpu = Quantized::with_scales(&w, nf4, 64, ScaleQuant::Plain).unwrap_err();
        let g = GpuMatrix::upload(&w, gpu().default_precision()).unwrap();
        let device = GpuQuantized::quantize(&g, nf4, 64, ScaleQuant::Plain).unwrap_err();
        assert_eq!(device.to_string(), cpu.to_string());
    }
    // In the CPU's order: the entries first, then the parameters.
    let nan = Matrix::from_rows(&[vec![f64::NAN]]).unwrap();
    let g = GpuMatrix::upload(&nan, Precision::F32).unwrap();
    for block in [0, 64] {
        let cpu = Quantized::with_scales(&nan, Scheme::Int { bits: 8 }, block, ScaleQuant::Dynamic).unwrap_err();
        let device = GpuQuantized::quantize(&g, Scheme::Int { bits: 8 }, block, ScaleQuant::Dynamic).unwrap_err();
        assert_eq!(device.to_string(), cpu.to_string());
    }
    let g = GpuMatrix::upload(&Matrix::eye(2), Precision::F32).unwrap();
    let int = GpuQuantized::quantize(&g, Scheme::Int { bits: 8 }, 64, ScaleQuant::Dynamic).unwrap_err();
    assert!(int.to_string().contains("for the NormalFloat schemes"), "{int}");
    assert!(GpuQuantized::quantize(&g, nf4, 0, ScaleQuant::Plain).is_err());
    // Empty: no entries, no blocks.
    let empty = GpuMatrix::upload(&Matrix::zeros(0, 3), Precision::F32).unwrap();
    let (q, device) = GpuQuantized::quantize(&empty, nf4, 64, ScaleQuant::Plain).unwrap();
    assert_eq!((q.codes().len(), device.dense().unwrap().shape()), (0, tessera::Shape(0, 3)));
}
