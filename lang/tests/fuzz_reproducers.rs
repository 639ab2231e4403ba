//! What a fuzzing round of about 7,000 inputs against the release binary
//! found (issue 14), one test per finding: each input now ends in a clear
//! error (or its right value), rendered with its line and column, and the
//! session keeps its variables.

use tessera_lang::{display, ErrorKind, NullSink, Session};

/// A session holding `kept = 7`.
fn session() -> Session {
    let mut s = Session::new();
    s.execute("kept = 7", &mut NullSink).unwrap();
    s
}

/// Runs `code` in `s`: it must fail with `kind`, render with a line and column,
/// and leave `kept` as it was. Returns the rendered error.
fn fails_in(s: &mut Session, code: &str, kind: ErrorKind) -> String {
    let e = s.execute(code, &mut NullSink).expect_err(code);
    let text = e.render(code);
    assert_eq!(e.kind, kind, "{code}: {text}");
    assert!(text.contains("at line "), "{code}: no place in {text}");
    assert_eq!(display::plain(&s.get("kept").expect("kept")), "7", "{code}");
    text
}

fn fails(code: &str, kind: ErrorKind) -> String {
    fails_in(&mut session(), code, kind)
}

fn shows(code: &str) -> String {
    let v = session().execute(code, &mut NullSink).unwrap_or_else(|e| panic!("{code}: {}", e.render(code)));
    display::plain(&v.expect(code))
}

#[test]
fn huge_ranges_are_measured_and_indexed_without_being_formed() {
    assert_eq!(shows("(0:9e15)[0]"), "0");
    assert_eq!(shows("(0:9e15)[-1]"), "8999999999999999");
    assert_eq!(shows("size(0:9e15)"), "(1, 9000000000000000)");
    assert_eq!(shows("len(3:9e15)"), "8999999999999997");
    let text = fails("sum(0:9e15)", ErrorKind::Memory);
    assert!(text.contains("error: sum: a 1×9000000000000000 matrix would take 63.9 PiB, and "), "{text}");
}

#[test]
fn results_larger_than_memory_are_refused_before_they_are_allocated() {
    for (code, op) in [
        ("diagm(0:1e5)", "diagm"),
        ("ones(1e5, 1) * ones(1, 1e5)", "*"),
        ("zeros(1e5, 1) + zeros(1, 1e5)", "+"),
        ("rope_matrix(1e5, 1)", "rope_matrix"),
        ("hist([1, 2], bins = 1e12)", "hist"),
        ("monarch(1e10, 1e5)", "monarch"),
        ("comrope(1e9, 1)", "comrope"),
    ] {
        let text = fails(code, ErrorKind::Memory);
        assert!(text.starts_with(&format!("error: {op}: ")), "{code}: {text}");
        assert!(text.contains(" would take ") && text.contains(" is available"), "{code}: {text}");
    }
}

#[test]
fn a_huge_kronecker_product_is_read_through_its_factors_or_refused() {
    let mut s = session();
    s.execute("K = kron(eye(1000), eye(1000))", &mut NullSink).unwrap();
    // A row of a 10⁶×10⁶ operator is one apply of its transpose.
    let row = s.execute("r = K[0, :]; (size(r), sum(r), r[0])", &mut NullSink).unwrap().unwrap();
    assert_eq!(display::plain(&row), "((1, 1000000), 1, 1)");
    assert!(fails_in(&mut s, "svd(K)", ErrorKind::Memory).starts_with("error: svd: a 1000000×1000000 matrix"));
    assert!(fails_in(&mut s, "expm(K)", ErrorKind::Memory).starts_with("error: expm: a 1000000×1000000 matrix"));
    s.execute("K40 = eye(2); for i in 0:39 { K40 = kron(K40, eye(2)) }", &mut NullSink).unwrap();
    let text = fails_in(&mut s, "svdvals(K40)", ErrorKind::Memory);
    assert!(text.starts_with("error: svdvals: a list of 1099511627776 singular values would take 8.0 TiB"), "{text}");
}

#[test]
fn an_error_in_a_function_of_an_earlier_cell_points_into_that_cell() {
    let mut s = session();
    s.execute("fn fz(x) = x + nosuch", &mut NullSink).unwrap();
    let code = "\"⊗⊗⊗⊗⊗⊗\"; fz(1)";
    let text = fails_in(&mut s, code, ErrorKind::Name);
    assert_eq!(
        text,
        "error: `nosuch` is not defined\n  at line 1, column 16 of an earlier cell\n  1 | fn fz(x) = x + nosuch\n    |                ^^^^^^\n  in fz, called at line 1, column 11: \"⊗⊗⊗⊗⊗⊗\"; fz(1)"
    );
    // The same error from an ASCII cell points at the same column.
    assert!(fails_in(&mut s, "1; fz(2)", ErrorKind::Name).contains("column 16 of an earlier cell"));
}

#[test]
fn time_points_its_caret_into_the_line_as_typed() {
    let text = fails(":time 1 + nosuch", ErrorKind::Name);
    assert!(text.contains("at line 1, column 11\n  1 | :time 1 + nosuch\n    |           ^^^^^^"), "{text}");
}

#[test]
fn empty_matrices_with_impossible_sides_are_refused_at_once() {
    for code in ["zeros(0, 9e15)", "ones(0, 9e15)", "rand(0, 9e15)", "randn(0, 9e15)", "zeros(9e15, 0)"] {
        let text = fails(code, ErrorKind::Memory);
        assert!(text.contains("one side alone, 9000000000000000 numbers long"), "{code}: {text}");
    }
}

#[test]
fn session_commands_and_assignments_name_their_place() {
    for (code, kind, column) in [
        (":load /nonexistent", ErrorKind::File, 7),
        (":device tpu", ErrorKind::Argument, 9),
        (":plot zz", ErrorKind::Argument, 7),
        (":nosuch", ErrorKind::Name, 2),
        ("A = eye(3); A[0, 0] = eye(2)", ErrorKind::Shape, 13),
    ] {
        let text = fails(code, kind);
        assert!(text.contains(&format!("at line 1, column {column}\n")), "{code}: {text}");
    }
}

#[test]
fn doubling_an_operator_in_a_loop_keeps_one_term() {
    let mut s = session();
    s.execute("K = kron(eye(2), [1, 2; 3, 4]); for i in 0:100000 { K = K + K }", &mut NullSink).unwrap();
    let k = display::plain(&s.get("K").unwrap());
    assert!(k.starts_with("4×4 scaled (inf · Kronecker"), "{k}");
    s.execute("J = kron(eye(2), eye(2)); for i in 0:10 { J = J + J }", &mut NullSink).unwrap();
    assert_eq!(display::plain(&s.execute("trace(J)", &mut NullSink).unwrap().unwrap()), "4096");
}

/// An interrupt 0.2 s into a decomposition of several seconds was lost until
/// it finished. Now the decomposition runs where the interrupt reaches it.
#[test]
fn an_interrupt_stops_a_long_decomposition() {
    let mut s = session();
    s.execute("seed(1); A = randn(1200, 1200)", &mut NullSink).unwrap();
    for code in ["s = svd(A)", "e = eigvals(A)"] {
        let flag = s.interrupt_handle();
        let setter = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        let e = s.execute(code, &mut NullSink).expect_err(code);
        setter.join().unwrap();
        assert_eq!(e.kind, ErrorKind::Interrupted, "{code}: {}", e.render(code));
        assert_eq!(display::plain(&s.get("kept").unwrap()), "7", "{code}");
    }
}
