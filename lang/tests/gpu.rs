//! GPU values in the language, on the machine's adapter (lavapipe in CI):
//! results agree with the CPU, chains of device operations make no round
//! trip (counted), `:device` places constructors' matrices, workspaces keep
//! gpu matrices. One test binary, so the transfer counters are this file's.

use tessera::device::transfers;
use tessera_lang::display::plain;
use tessera_lang::Placement;
use tessera_lang::{NullSink, Session, Value};

fn run(s: &mut Session, code: &str) -> Value {
    exec(s, code).expect("a value")
}

fn exec(s: &mut Session, code: &str) -> Option<Value> {
    s.execute(code, &mut NullSink).unwrap_or_else(|e| panic!("{code}: {}", e.render(code)))
}

fn number(v: Value) -> f64 {
    match v {
        Value::Number(x) => x,
        other => panic!("expected a number, got {}", plain(&other)),
    }
}

/// One test, so that no other test moves the transfer counters meanwhile.
#[test]
fn gpu_values_in_the_language() {
    device_values_behave();
    structured_values_behave();
    quantized_values_behave();
    workspaces_keep_gpu_matrices();
}

fn small(s: &mut Session, code: &str, tol: f64) {
    let err = number(run(s, code));
    assert!(err <= tol, "{code}: {err:e}");
}

fn structured_values_behave() {
    let mut s = Session::new();
    exec(&mut s, "seed(2); A = randn(16, 16); B = randn(8, 8); K = A ⊗ B; GK = gpu(K); x = randn(128, 1);");
    let (up, down) = transfers();
    exec(&mut s, "y = GK * gpu(x); z = GK * y;");
    assert_eq!(transfers(), (up + 1, down), "Kronecker apply stays on the device");
    small(&mut s, "norm(cpu(y) - K * x) / norm(K * x)", 1e-12);
    assert_eq!(
        plain(&run(&mut s, "(device(GK), size(GK), storage(GK), device(cpu(GK)))")),
        "(\"gpu\", (128, 128), 320, \"cpu\")"
    );
    small(&mut s, "norm(cpu(dense(GK)) - dense(K))", 1e-12);
    small(&mut s, "M = monarch(64, 8); v = x[0:64]; norm(cpu(gpu(M) * gpu(v)) - M * v)", 1e-12);
    small(
        &mut s,
        "D = blockdiag(randn(3, 3), randn(2, 4)); w = randn(7, 2); norm(cpu(gpu(D) * gpu(w)) - D * w)",
        1e-12,
    );
    small(&mut s, "X = randn(20, 8); norm(cpu(rope_apply(gpu(X), 0:20)) - rope_apply(X, 0:20))", 1e-12);
    small(&mut s, "Y = randn(50, 4); norm(cpu(cov(gpu(Y))) - cov(Y))", 1e-12);
    small(
        &mut s,
        "P = projection(intrinsics(800, 800, 320, 240), eye(3), [0; 0; 5]); W = randn(10, 3); \
                   norm(cpu(project(gpu(P), gpu(W))) - project(P, W))",
        1e-9,
    );
    let e = s.execute("GK * x", &mut NullSink).unwrap_err();
    assert!(e.message.contains("mixes a gpu matrix and a cpu matrix"), "{}", e.message);
}

fn quantized_values_behave() {
    let mut s = Session::new();
    exec(&mut s, "seed(3); W = randn(40, 30); X = randn(30, 3); Q = quantize(W, \"nf4\", double=true);");
    // Quantized on the device: the same operator as on the cpu, and it stays there.
    exec(&mut s, "G = gpu(W); GX = gpu(X);");
    let (up, down) = transfers();
    exec(&mut s, "GQ = quantize(G, \"nf4\", double=true);");
    let (up2, down2) = transfers();
    assert_eq!(down2 - down, 2, "the block ranges and the codes come back, nothing else");
    assert_eq!(up2 - up, 5, "the plan (a, b, midpoints), code values and scales go up; W is already there");
    exec(&mut s, "Y = GQ * GX; D = dequantize(GQ); E = dense(GQ);");
    assert_eq!(transfers(), (up2, down2), "the product and dequantization stay on the device");
    assert_eq!(
        plain(&run(&mut s, "(device(GQ), device(Y), device(D), size(GQ), norm(dense(cpu(GQ)) - dense(Q)))")),
        "(\"gpu\", \"gpu\", \"gpu\", (40, 30), 0)"
    );
    assert_eq!(plain(&run(&mut s, "(norm(cpu(D) - dense(Q)), norm(cpu(E) - dense(Q)))")), "(0, 0)");
    small(&mut s, "norm(cpu(Y) - Q * X) / norm(Q * X)", 1e-12);
    small(&mut s, "norm(cpu(gpu(Q) * GX) - Q * X) / norm(Q * X)", 1e-12);
    assert_eq!(plain(&run(&mut s, "bits(cpu(GQ)) == bits(Q)")), "true");
    // The transpose reads the same codes; an f32 operator meets an f64 matrix.
    small(&mut s, "Z = gpu(randn(40, 2)); norm(cpu(GQ' * Z) - Q' * cpu(Z)) / norm(Q' * cpu(Z))", 1e-12);
    small(&mut s, "norm(cpu(gpu(Q', \"f32\") * Z) - Q' * cpu(Z)) / norm(Q' * cpu(Z))", 1e-12);
    let e = s.execute("quantize(gpu([1, nan]), \"int8\")", &mut NullSink).unwrap_err();
    assert!(e.message.contains("input contains NaN"), "{}", e.message);
    let e = s.execute("dequantize(GX)", &mut NullSink).unwrap_err();
    assert!(e.message.contains("takes a quantized operator"), "{}", e.message);
}

fn device_values_behave() {
    let mut s = Session::new();
    // The product on the device equals the product on the cpu (f64 here; 2048² by hand: 1.6e-15).
    let err =
        run(&mut s, "seed(1); X = randn(512, 512); A = gpu(X); B = A * A; C = cpu(B); norm(C - X * X) / norm(X * X)");
    assert!(number(err) < 1e-13);

    // A chain of device operations makes no host round trip: one upload, one download.
    let (up, down) = transfers();
    exec(&mut s, "G = gpu(randn(300, 200)); H = (G' * G + 1) .* 2 - G' * G; K = sqrt(abs(H)) / 3; K2 = K .^ 2;");
    assert_eq!(transfers(), (up + 1, down), "the chain stayed on the device");
    let total = number(run(&mut s, "sum(K2)"));
    assert_eq!(transfers(), (up + 1, down + 1), "a full sum reads back one number");
    let on_cpu = number(run(&mut s, "Gc = cpu(G); Hc = (Gc' * Gc + 1) .* 2 - Gc' * Gc; sum((sqrt(abs(Hc)) / 3) .^ 2)"));
    assert!((total - on_cpu).abs() <= 1e-9 * on_cpu.abs(), "{total} vs {on_cpu}");

    // Display reads back only the corners it prints.
    let (_, down) = transfers();
    let shown = plain(&run(&mut s, "K"));
    assert!(shown.starts_with("200×200 gpu matrix (f64):") && shown.contains('⋱'), "{shown}");
    assert_eq!(transfers().1, down + 1);

    // Devices do not mix silently; numbers do.
    let e = s.execute("G + ones(300, 200)", &mut NullSink).unwrap_err();
    assert!(e.message.contains("mixes a gpu matrix and a cpu matrix"), "{}", e.message);
    assert_eq!(plain(&run(&mut s, "device(2 * G + 1)")), "\"gpu\"");

    // :device gpu places constructors' matrices; literals and other values stay put.
    s.set_device(Placement::Gpu).unwrap();
    assert_eq!(
        plain(&run(&mut s, "(device(zeros(2, 2)), device(randn(3, 1)), device(eye(2)), device([1, 2]))")),
        "(\"gpu\", \"gpu\", \"gpu\", \"cpu\")"
    );
    s.set_device(Placement::Cpu).unwrap();
    assert_eq!(plain(&run(&mut s, "device(zeros(2, 2))")), "\"cpu\"");

    // f32 on request; size, rows, len without a transfer.
    assert_eq!(
        plain(&run(&mut s, "F = gpu([1, 2, 3], \"f32\"); (size(F), len(F), cpu(exp(F)) - exp([1, 2, 3]) < 1e-6)")),
        "((1, 3), 3, [1, 1, 1])"
    );
}

fn workspaces_keep_gpu_matrices() {
    let mut s = Session::new();
    exec(&mut s, "A = gpu([1.5, -2; 0.25, 1e-300]); F = gpu([0.1, 2], \"f32\"); K = gpu(kron(eye(2), [1, 2; 3, 4]));");
    let path = std::env::temp_dir().join(format!("tessera-gpu-{}.tsw", std::process::id()));
    s.execute(&format!(":save {}", path.display()), &mut NullSink).unwrap();
    let mut t = Session::new();
    t.execute(&format!(":load {}", path.display()), &mut NullSink).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(
        plain(&run(&mut t, "(device(A), device(F), cpu(A) == [1.5, -2; 0.25, 1e-300], cpu(F))")),
        plain(&run(&mut s, "(device(A), device(F), cpu(A) == [1.5, -2; 0.25, 1e-300], cpu(F))"))
    );
}
