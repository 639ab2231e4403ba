//! The numpy/MATLAB vocabulary against numpy and scipy: each case of the
//! `vocabulary` section of `tests/fixtures/oracle.json` is a Tessera
//! expression and the value numpy or scipy gives for the same inputs, written
//! by `tests/fixtures/generate.py` with the pinned versions of
//! `tests/fixtures/requirements.txt`. The kind must agree too: numbers in
//! give a number out, comparisons give logical matrices. The `csv` section
//! holds CSV files and what numpy's `loadtxt` reads from them.

use serde_json::Value as J;
use tessera::Matrix;
use tessera_lang::{display, NullSink, Session, Value};

fn cases(section: &str) -> Vec<J> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/oracle.json");
    let text = std::fs::read_to_string(path).expect("tests/fixtures/oracle.json");
    let all: J = serde_json::from_str(&text).expect("valid JSON");
    all[section].as_array().unwrap_or_else(|| panic!("a {section} section")).clone()
}

/// An encoded number: a JSON number, or "nan", "inf", "-inf".
fn number(j: &J) -> f64 {
    match j {
        J::String(s) => s.parse().unwrap_or_else(|_| panic!("a number, got {s:?}")),
        other => other.as_f64().unwrap_or_else(|| panic!("a number, got {other}")),
    }
}

/// Rows of encoded numbers, with the shape for empty ones.
fn matrix(rows: &J, shape: &J) -> Matrix {
    let (m, n) = (shape[0].as_u64().expect("rows") as usize, shape[1].as_u64().expect("cols") as usize);
    let values: Vec<f64> =
        rows.as_array().expect("rows").iter().flat_map(|r| r.as_array().expect("a row").iter().map(number)).collect();
    Matrix::from_row_major(m, n, &values).expect("as many values as the shape says")
}

/// Whether `got` is `want` to `rtol`, relative to `scale` (the largest
/// entry of the expected matrix): nan matches nan, infinities match exactly.
fn close(got: f64, want: f64, rtol: f64, scale: f64) -> bool {
    if want.is_nan() || want.is_infinite() {
        return got.is_nan() && want.is_nan() || got == want;
    }
    (got - want).abs() <= rtol * scale.max(want.abs()) || (got - want).abs() <= 1e-300
}

fn largest(m: &Matrix) -> f64 {
    m.to_row_major().into_iter().filter(|x| x.is_finite()).fold(0.0, |a, x| a.max(x.abs()))
}

fn same_matrix(got: &Matrix, want: &Matrix, rtol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: the shape");
    let scale = largest(want);
    for (g, w) in got.to_row_major().into_iter().zip(want.to_row_major()) {
        assert!(close(g, w, rtol, scale), "{what}: {g} against numpy's {w}\n{}", display::matrix(got));
    }
}

/// `got` against the encoded `want`, kind included.
fn check(got: &Value, want: &J, rtol: f64, what: &str) {
    let field = |k: &str| want.get(k);
    match (got, want) {
        (Value::Number(x), J::Number(_) | J::String(_)) => {
            let w = number(want);
            assert!(close(*x, w, rtol, w.abs()), "{what}: {x} against numpy's {w}");
        }
        (Value::Str(s), _) if field("string").is_some() => {
            assert_eq!(&**s, field("string").unwrap().as_str().unwrap(), "{what}")
        }
        (Value::Bool(b), _) if field("bool").is_some() => {
            assert_eq!(*b, field("bool").unwrap().as_bool().unwrap(), "{what}")
        }
        (Value::Matrix(m), _) if field("matrix").is_some() => {
            same_matrix(m, &matrix(&want["matrix"], &want["shape"]), rtol, what)
        }
        (Value::Logical(m), _) if field("logical").is_some() => {
            same_matrix(m, &matrix(&want["logical"], &want["shape"]), 0.0, what)
        }
        (Value::List(xs), _) if field("list").is_some() => items(xs, &want["list"], rtol, what),
        (Value::Tuple(xs), _) if field("tuple").is_some() => items(xs, &want["tuple"], rtol, what),
        (Value::Record(r), _) if field("record").is_some() => {
            let fields = want["record"].as_array().expect("fields");
            assert_eq!(r.fields.len(), fields.len(), "{what}: the fields");
            for ((name, v), f) in r.fields.iter().zip(fields) {
                assert_eq!(&**name, f[0].as_str().unwrap(), "{what}");
                check(v, &f[1], rtol, &format!("{what}.{name}"));
            }
        }
        (other, _) => panic!("{what}: got the {} {}, numpy gives {want}", other.kind(), display::plain(other)),
    }
}

fn items(got: &[Value], want: &J, rtol: f64, what: &str) {
    let want = want.as_array().expect("items");
    assert_eq!(got.len(), want.len(), "{what}: the number of items");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        check(g, w, rtol, &format!("{what}[{k}]"));
    }
}

fn evaluate(s: &mut Session, code: &str) -> Value {
    s.execute(code, &mut NullSink).unwrap_or_else(|e| panic!("{}", e.render(code))).expect("a value")
}

/// The argument of a one-argument call `f(A)`, as source.
fn argument<'a>(code: &'a str, f: &str) -> &'a str {
    code.strip_prefix(f).and_then(|c| c.strip_prefix('(')).and_then(|c| c.strip_suffix(')')).expect("f(A)")
}

/// `eig`: the spectrum numpy gives, as a multiset, and A v = λ v for each
/// returned pair (eigenvectors are unique only up to scale).
fn check_eig(s: &mut Session, code: &str, got: &Value, want: &J, rtol: f64) {
    let a = match evaluate(s, argument(code, "eig")) {
        Value::Matrix(m) => m,
        other => panic!("{code}: the argument is a {}", other.kind()),
    };
    let Value::Tuple(pair) = got else { panic!("{code}: eig gives (values, vectors)") };
    let parts = |v: &Value| -> (Matrix, Matrix) {
        match v {
            Value::Matrix(m) => ((**m).clone(), Matrix::zeros(m.rows(), m.cols())),
            Value::Record(r) => {
                let part = |k: &str| match r.get(k) {
                    Some(Value::Matrix(m)) => (**m).clone(),
                    _ => panic!("{code}: a complex result is (re = , im = )"),
                };
                (part("re"), part("im"))
            }
            other => panic!("{code}: got a {}", other.kind()),
        }
    };
    let ((lr, li), (vr, vi)) = (parts(&pair[0]), parts(&pair[1]));
    let n = a.rows();
    let mut expected: Vec<(f64, f64)> =
        want["list"].as_array().unwrap().iter().map(|p| (number(&p[0]), number(&p[1]))).collect();
    let scale = largest(&a);
    for k in 0..n {
        let (re, im) = (lr[(k, 0)], li[(k, 0)]);
        let at = expected
            .iter()
            .position(|&(r, i)| (r - re).hypot(i - im) <= 1e-10 * scale.max(1.0))
            .unwrap_or_else(|| panic!("{code}: λ = {re} + {im}i is not in numpy's spectrum {expected:?}"));
        expected.remove(at);
        // (A − λ) v = 0 in complex arithmetic: A(vr + i vi) = (re + i im)(vr + i vi).
        for i in 0..n {
            let (mut yr, mut yi) = (0.0, 0.0);
            for j in 0..n {
                yr += a[(i, j)] * vr[(j, k)];
                yi += a[(i, j)] * vi[(j, k)];
            }
            let (wr, wi) = (re * vr[(i, k)] - im * vi[(i, k)], re * vi[(i, k)] + im * vr[(i, k)]);
            assert!(
                (yr - wr).hypot(yi - wi) <= rtol.max(1e-10) * scale.max(1.0) * n as f64,
                "{code}: A v = λ v, pair {k}"
            );
        }
    }
}

/// `null`/`orth`: the same subspace as numpy's basis (the projectors Q Qᵀ agree).
fn check_subspace(got: &Value, want: &J, rtol: f64, code: &str) {
    let Value::Matrix(q) = got else { panic!("{code}: got a {}", got.kind()) };
    let e = matrix(&want["matrix"], &want["shape"]);
    assert_eq!(q.shape(), e.shape(), "{code}: the basis's shape");
    let projector = |m: &Matrix| m.matmul(&m.transpose()).unwrap();
    same_matrix(&projector(q), &projector(&e), rtol.max(1e-10), code);
}

#[test]
fn vocabulary_matches_numpy_and_scipy() {
    let cases = cases("vocabulary");
    assert!(cases.len() > 100, "the vocabulary section has {} cases", cases.len());
    // Every case runs, and the test reports all the disagreements at once.
    let mut failed = Vec::new();
    for case in &cases {
        let code = case["code"].as_str().expect("code");
        let rtol = case.get("rtol").map_or(1e-12, number);
        let outcome = std::panic::catch_unwind(|| {
            let mut s = Session::new();
            let got = evaluate(&mut s, code);
            match case.get("compare").and_then(J::as_str) {
                None => check(&got, &case["expect"], rtol, code),
                Some("eig") => check_eig(&mut s, code, &got, &case["expect"], rtol),
                Some("subspace") => check_subspace(&got, &case["expect"], rtol, code),
                Some(other) => panic!("{code}: unknown comparison {other}"),
            }
        });
        if let Err(e) = outcome {
            let message =
                e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            failed.push(message.unwrap_or_else(|| code.to_string()));
        }
    }
    assert!(failed.is_empty(), "{} of {} cases disagree with numpy:\n{}", failed.len(), cases.len(), failed.join("\n"));
}

/// Every number of `got` has the bits of numpy's (the sign of zero and
/// subnormals included; NaN is any NaN), through records of columns.
fn same_bits(got: &Value, want: &J, what: &str) {
    match got {
        Value::Record(r) => {
            for ((name, v), f) in r.fields.iter().zip(want["record"].as_array().expect("fields")) {
                same_bits(v, &f[1], &format!("{what}.{name}"));
            }
        }
        Value::Matrix(m) => {
            let want = matrix(&want["matrix"], &want["shape"]);
            for (g, w) in m.to_row_major().into_iter().zip(want.to_row_major()) {
                assert!(g.to_bits() == w.to_bits() || g.is_nan() && w.is_nan(), "{what}: {g:e} against numpy's {w:e}");
            }
        }
        other => panic!("{what}: a {}", other.kind()),
    }
}

/// Each file numpy's `loadtxt(f, delimiter=",")` reads, `load` reads to the
/// same numbers, bit for bit; with `header=true`, to a record of the columns
/// by the names Python's `csv` module splits from the first line.
#[test]
fn csv_files_read_as_numpy_reads_them() {
    let cases = cases("csv");
    assert!(cases.len() >= 10, "the csv section has {} cases", cases.len());
    let dir = std::env::temp_dir().join(format!("tessera-csv-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (k, case) in cases.iter().enumerate() {
        let path = dir.join(format!("case{k}.csv"));
        std::fs::write(&path, case["text"].as_str().expect("text")).unwrap();
        let header = match case.get("header").and_then(J::as_bool) {
            None => String::new(),
            Some(h) => format!(", header={h}"),
        };
        let code = format!("load(\"{}\"{header})", path.display());
        let got = evaluate(&mut Session::new(), &code);
        let what = format!("csv case {k} ({:?})", case["text"]);
        check(&got, &case["expect"], 0.0, &what);
        same_bits(&got, &case["expect"], &what);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

mod properties {
    //! Identities of the vocabulary over random inputs, through the language.
    use super::*;
    use proptest::prelude::*;

    /// A Tessera literal of an `m×n` matrix of the given entries.
    fn literal(m: usize, n: usize, xs: &[f64]) -> String {
        if m * n == 0 {
            return format!("zeros({m}, {n})");
        }
        let rows: Vec<String> =
            (0..m).map(|i| (0..n).map(|j| format!("{:?}", xs[i * n + j])).collect::<Vec<_>>().join(", ")).collect();
        format!("[{}]", rows.join("; "))
    }

    /// A matrix of 1 to 5 rows and columns, entries in [−10, 10] (a few repeated, for ties).
    fn matrix() -> impl Strategy<Value = (usize, usize, Vec<f64>)> {
        (1usize..6, 1usize..6).prop_flat_map(|(m, n)| {
            let entry = prop_oneof![4 => -10.0..10.0f64, 1 => Just(1.0), 1 => Just(-2.5)];
            (Just(m), Just(n), proptest::collection::vec(entry, m * n))
        })
    }

    /// Runs statements for their effect.
    fn run(s: &mut Session, code: &str) {
        s.execute(code, &mut NullSink).unwrap_or_else(|e| panic!("{}", e.render(code)));
    }

    fn number(s: &mut Session, code: &str) -> f64 {
        match evaluate(s, code) {
            Value::Number(x) => x,
            other => panic!("{code}: a {}", other.kind()),
        }
    }

    fn truth(s: &mut Session, code: &str) -> bool {
        match evaluate(s, code) {
            Value::Bool(b) => b,
            other => panic!("{code}: a {}", other.kind()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn sort_is_an_ordered_permutation((m, n, xs) in matrix()) {
            let mut s = Session::new();
            run(&mut s, &format!("A = {}", literal(m, n, &xs)));
            // Each row sorted: ordered, and the same multiset as the row.
            prop_assert!(truth(&mut s, "S = sort(A, axis=1); all(S[:, 1:] >= S[:, :-1])"));
            let mut sorted: Vec<f64> = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let Value::Matrix(all) = evaluate(&mut s, "sort(reshape(A, 1, numel(A)))") else { panic!("a row") };
            prop_assert_eq!(all.to_row_major(), sorted);
            // argsort gives the permutation that sorts.
            prop_assert!(truth(&mut s, "v = reshape(A, 1, numel(A)); all(v[argsort(v)] == sort(v))"));
        }

        #[test]
        fn cumsum_ends_at_sum((m, n, xs) in matrix()) {
            let mut s = Session::new();
            run(&mut s, &format!("A = {}", literal(m, n, &xs)));
            let (last, total) = (number(&mut s, "cumsum(A)[-1]"), number(&mut s, "sum(A)"));
            prop_assert!((last - total).abs() <= 1e-12 * (1.0 + total.abs()));
            prop_assert!(truth(&mut s, "all(abs(cumsum(A, axis=0)[-1, :] - sum(A, 0)) <= 1e-12 * (1 + abs(sum(A, 0))))"));
        }

        #[test]
        fn pinv_satisfies_the_moore_penrose_conditions((m, n, xs) in matrix()) {
            let mut s = Session::new();
            run(&mut s, &format!("A = {}; X = pinv(A)", literal(m, n, &xs)));
            for condition in ["A * X * A - A", "X * A * X - X", "(A * X)' - A * X", "(X * A)' - X * A"] {
                let r = number(&mut s, &format!("norm({condition}) / (1 + norm(A) * norm(X))^2"));
                prop_assert!(r <= 1e-10, "{}: {}", condition, r);
            }
        }

        #[test]
        fn lstsq_satisfies_the_normal_equations((m, n, xs) in matrix(), b in proptest::collection::vec(-5.0..5.0f64, 5)) {
            let mut s = Session::new();
            run(&mut s, &format!("A = {}; b = {}; x = lstsq(A, b)", literal(m, n, &xs), literal(m, 1, &b)));
            let r = number(&mut s, "norm(A' * (A * x - b)) / (1 + norm(A)^2 * (norm(x) + norm(b)))");
            prop_assert!(r <= 1e-10, "Aᵀ(Ax − b) = {}", r);
        }

        #[test]
        fn lu_rebuilds_a((m, n, xs) in matrix()) {
            let mut s = Session::new();
            run(&mut s, &format!("A = {}; (P, L, U) = lu(A)", literal(m, n, &xs)));
            prop_assert!(number(&mut s, "norm(P * L * U - A)") <= 1e-12 * (1.0 + number(&mut s, "norm(A)")));
            prop_assert!(truth(&mut s, "all(sum(P, 0) == 1) && all(sum(P, 1) == 1) && all(triu(L, k=1) == 0) && all(tril(U, k=-1) == 0)"));
        }

        #[test]
        fn null_is_an_orthonormal_kernel((m, n, xs) in matrix(), rank in 1usize..4) {
            let mut s = Session::new();
            // A product of rank ≤ `rank`, so the kernel is not empty for most shapes.
            let k = rank.min(m).min(n);
            run(&mut s, &format!("B = {}; A = B[:, 0:{k}] * B[0:{k}, :]", literal(m, n, &xs)));
            let q = number(&mut s, "cols(null(A))");
            prop_assert!(q >= (n - k) as f64);
            if q > 0.0 {
                prop_assert!(number(&mut s, "N = null(A); norm(A * N)") <= 1e-10 * (1.0 + number(&mut s, "norm(A)")));
                prop_assert!(number(&mut s, "norm(N' * N - eye(cols(N)))") <= 1e-12);
            }
        }

        #[test]
        fn solve_sylvester_satisfies_its_equation((m, _, xs) in matrix(), (n, _, ys) in matrix(), cs in proptest::collection::vec(-5.0..5.0f64, 25)) {
            let mut s = Session::new();
            // Shifted so that no eigenvalue of A is minus one of B.
            let (a, b) = (literal(m, m, &[xs.clone(), vec![0.5; 25]].concat()), literal(n, n, &[ys.clone(), vec![0.5; 25]].concat()));
            run(&mut s, &format!("A = {a} + 60 * eye({m}); B = {b} + 60 * eye({n}); C = {}", literal(m, n, &cs)));
            let r = number(&mut s, "X = solve_sylvester(A, B, C); norm(A * X + X * B - C) / (1 + norm(C))");
            prop_assert!(r <= 1e-12, "residual {}", r);
        }

        #[test]
        fn masked_assignment_of_itself_changes_nothing((m, n, xs) in matrix(), cut in -10.0..10.0f64) {
            let mut s = Session::new();
            run(&mut s, &format!("A = {}; B = A; M = A > {cut:?}; B[M] = B[M]", literal(m, n, &xs)));
            prop_assert!(truth(&mut s, "all(A == B)"));
            prop_assert!(truth(&mut s, "numel(A[M]) == count(M)"));
        }
    }
}
