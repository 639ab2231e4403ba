//! The language end to end through `Session::execute`: syntax, semantics,
//! display, errors, and every builtin's documented example.

use tessera_lang::{display, ErrorKind, Session, Sink, Value};

/// Collects everything a cell writes.
#[derive(Default)]
struct Capture {
    out: String,
    err: String,
}

impl Sink for Capture {
    fn stdout(&mut self, text: &str) {
        self.out.push_str(text);
    }
    fn stderr(&mut self, text: &str) {
        self.err.push_str(text);
    }
    fn display(&mut self, value: &Value, _: tessera_lang::Figures) {
        self.out.push_str(&(display::plain(value) + "\n"));
    }
    fn page(&mut self, text: &str) {
        self.out.push_str(text);
    }
    fn clear_output(&mut self) {}
}

/// The displayed value of `code` in a fresh session.
/// Requests an interrupt of `s` `ms` milliseconds from now (join the handle).
fn interrupt_after(s: &Session, ms: u64) -> std::thread::JoinHandle<()> {
    let flag = s.interrupt_handle();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    })
}

fn show(code: &str) -> String {
    let mut s = Session::new();
    match s.execute(code, &mut Capture::default()) {
        Ok(Some(v)) => display::plain(&v),
        Ok(None) => "(nothing)".into(),
        Err(e) => panic!("{code}: {}", e.render(code)),
    }
}

fn error(code: &str) -> tessera_lang::LangError {
    let mut s = Session::new();
    s.execute(code, &mut Capture::default()).expect_err(code)
}

/// Each program fails, in a fresh session, with an error that mentions its text.
fn errors_mention(cases: &[(&str, &str)]) {
    for (code, message) in cases {
        let e = error(code);
        assert!(e.message.contains(message), "{code}: {}", e.message);
    }
}

#[test]
fn numbers_print_in_shortest_round_trip_form() {
    assert_eq!(show("1 + 1"), "2");
    assert_eq!(show("0.1"), "0.1");
    assert_eq!(show("0.1 + 0.2"), "0.30000000000000004");
    assert_eq!(show("1e-7"), "1e-7");
    assert_eq!(show("2.5e20"), "2.5e20");
    assert_eq!(show("-1/0"), "-inf");
    assert_eq!(show("true && !false"), "true");
    assert_eq!(show("\"a\" + \"b\""), "\"ab\"");
    assert_eq!(show("2im + 1"), "1 + 2im");
    assert_eq!(show("(1 - im) * im"), "1 + 1im");
}

#[test]
fn operator_precedence_follows_the_spec() {
    assert_eq!(show("-2^2"), "-4");
    assert_eq!(show("2^3^2"), "512");
    assert_eq!(show("2^-1"), "0.5");
    assert_eq!(show("1 + 2 * 3"), "7");
    assert_eq!(show("(1 + 2) * 3"), "9");
    assert_eq!(show("1 < 2 && 2 < 3 || false"), "true");
    assert_eq!(show("0:2+1"), "0:3");
    assert_eq!(show("[1, 2] * [3; 4]"), "11");
    assert_eq!(show("[1, 2; 3, 4]'[0, 1]"), "3");
    assert_eq!(show("[1, 2; 3, 4] \\ [5; 6]"), show("solve([1, 2; 3, 4], [5; 6])"));
    assert_eq!(show("[1, 2] .* [3, 4] ./ [1, 2]"), "1×2 matrix:\n 3  4");
    assert_eq!(show("[2, 3] .^ 2"), "1×2 matrix:\n 4  9");
    assert_eq!(show("8 / 2 / 2"), "2");
    assert_eq!(show("10 - 2 - 3"), "5");
}

#[test]
fn floored_modulo_stepped_ranges_and_bools_as_numbers() {
    // `%` is numpy's np.mod: the divisor's sign; it binds as `*` does, elementwise on matrices.
    assert_eq!(show("(-7 % 3, 7 % -3, -7 % -3, 6 % 3, 5.5 % 2)"), "(2, -2, -1, 0, 1.5)");
    assert_eq!(show("2 * 3 % 4"), "2");
    assert_eq!(show("1 + 7 % 4"), "4");
    assert_eq!(show("[5, -5; 7.5, 0] % 3"), "2×2 matrix:\n 2.0  1.0\n 1.5  0.0");
    assert_eq!(show("1 % 0"), "nan");
    assert!(error("\"a\" % 2").message.contains("`%`"));
    // Number in, number out: a bool is 0 or 1 in arithmetic; bools compare as bools.
    assert_eq!(
        show("(true + 1, true * 2.5, false - 1, true == 1, true == false, true + true)"),
        "(2, 2.5, -1, true, false, 2)"
    );
    // `a:s:b`, numpy's arange: exclusive end, numbers allowed, downwards with a negative step.
    assert_eq!(show("0:0.25:1"), "1×4 matrix:\n 0.0  0.25  0.5  0.75");
    assert_eq!(show("5:-1:0"), "1×5 matrix:\n 5  4  3  2  1");
    assert_eq!(show("0:2:9"), "1×5 matrix:\n 0  2  4  6  8");
    assert_eq!(show("size(1:0.5:1)"), "(1, 0)");
    assert_eq!(show("size(0:-1:5)"), "(1, 0)");
    assert_eq!(show("0:1:5"), "0:5", "a unit integer step stays a lazy range");
    assert_eq!(show("[10, 11, 12, 13, 14, 15][0:2:6]"), "1×3 matrix:\n 10  12  14");
    assert_eq!(show("s = 0; for x in 1:-0.5:-1 { s = s + x }; s"), "1");
    assert_eq!(show("n = 3; 0:n:2 * n + 1"), "1×3 matrix:\n 0  3  6");
    assert_eq!(error("0:0:1").message, "a range's step cannot be 0");
    assert!(error("0:inf:1").message.contains("not a finite range"));
    assert!(error("0:\"a\":1").message.contains("must be a number"));
}

#[test]
fn matrices_display_with_a_header_and_aligned_columns() {
    assert_eq!(show("[1, 2.5; -3, 4]"), "2×2 matrix:\n  1.0  2.5\n -3.0  4.0");
    assert_eq!(show("zeros(0, 3)"), "0×3 matrix");
    let big = show("reshape(0:600, 30, 20)");
    assert!(big.starts_with("30×20 matrix:"), "{big}");
    assert!(big.contains('⋮') && big.contains('…'), "{big}");
    assert_eq!(big.lines().count(), 1 + 11);
    // An operator up to 16×16 shows its parts; a larger one its summary alone.
    assert_eq!(
        show("kron(eye(2), ones(2, 4))"),
        "4×8 Kronecker (2×2 ⊗ 2×4), 12 stored of 32:\n A₁ = [1, 0; 0, 1]\n A₂ = [1, 1, 1, 1; 1, 1, 1, 1]"
    );
    assert_eq!(show("kron(eye(5), ones(4, 4))"), "20×20 Kronecker (5×5 ⊗ 4×4), 41 stored of 400");
}

/// The `text/html` display of a cell's value.
fn html(code: &str) -> Option<String> {
    let v =
        Session::new().execute(code, &mut Capture::default()).unwrap_or_else(|e| panic!("{code}: {}", e.render(code)));
    display::html(&v.expect("a value"))
}

#[test]
fn containers_of_matrices_show_as_nested_html_tables() {
    let tuple = html("(0.25, eye(2))").expect("a tuple holding a matrix has HTML");
    assert!(tuple.starts_with("<table class=\"tessera-items\"><caption"), "{tuple}");
    assert!(tuple.contains(">tuple of 2</caption>"), "{tuple}");
    assert!(tuple.contains("<th style=\"text-align:left;vertical-align:top;font-weight:normal\">0</th>"), "{tuple}");
    assert!(tuple.contains("<pre style=\"margin:0\">0.25</pre>"), "{tuple}");
    assert!(tuple.contains("<table class=\"tessera-matrix\"><caption"), "{tuple}");
    let record = html("(K = eye(2), name = \"<cam>\")").unwrap();
    assert!(record.contains(">record of 2</caption>") && record.contains(">K</th>"), "{record}");
    assert!(record.contains("<pre style=\"margin:0\">\"&lt;cam&gt;\"</pre>"), "{record}");
    let nested = html("list((1, kron(eye(2), [1, 2])))").unwrap();
    assert_eq!(nested.matches("<table").count(), 5, "list, tuple, operator, two factors: {nested}");
    // Nothing to nest: plain text serves.
    assert_eq!(html("(1, \"a\", [1, 2])").map(|h| h.contains("tessera-matrix")), Some(true));
    assert_eq!(html("(1, \"a\", true)"), None);
    assert_eq!(html("kron(eye(9), eye(2))"), None);
    let long = html("list(1, 2, 3, 4, 5, 6, 7, 8, eye(2))").unwrap();
    assert!(long.contains(">kind</th>") && long.contains(">2×2</td>"), "nine items: the kind/shape table: {long}");
}

#[test]
fn tuples_lists_and_records_show_their_small_matrices() {
    // camera.ipynb's cell: the number exact, the matrix as its literal.
    assert_eq!(
        show("K = [800, 0, 320; 0, 800, 240; 0, 0, 1]; (0.6144361234, K)"),
        "(0.6144361234, [800, 0, 320; 0, 800, 240; 0, 0, 1])"
    );
    assert_eq!(show("(err = 0.5, K = eye(2), name = \"cam\")"), "(err = 0.5, K = [1, 0; 0, 1], name = \"cam\")");
    assert_eq!(show("([1, 2.5],)"), "([1.0, 2.5],)");
    assert_eq!(
        show("list(1, [1e-5; 2], zeros(9, 9), zeros(0, 2))"),
        "list(1, [1.0e-05; 2.0e+00], 9×9 matrix, 0×2 matrix)"
    );
    // Too long for one line: one item per line, a matrix's rows aligned under each other.
    assert_eq!(
        show("(first = [1.5, -2.25; 0.125, 4; 1, 1; 2, 2; 3, 3; 4, 4; 5, 5; 6, 6], second = (1, [1, 2]))"),
        "(first = [1.5  , -2.25 ;\n          0.125,  4.0  ;\n          1.0  ,  1.0  ;\n          2.0  ,  2.0  ;\n          3.0  ,  3.0  ;\n          4.0  ,  4.0  ;\n          5.0  ,  5.0  ;\n          6.0  ,  6.0  ],\n second = (1, [1, 2]))"
    );
    // Operators inside: their summary, and a small one's parts.
    assert_eq!(
        show("(kron(eye(2), [1, 2]), 3)"),
        "(2×4 Kronecker (2×2 ⊗ 1×2), 6 stored of 8:\n  A₁ = [1, 0; 0, 1]\n  A₂ = [1, 2],\n 3)"
    );
}

#[test]
fn matrix_literals_concatenate_blocks_and_accept_newlines() {
    assert_eq!(show("A = [1, 2; 3, 4]; [A, A; A, A][3, 3]"), "4");
    assert_eq!(show("[eye(2), [5; 6]]"), "2×3 matrix:\n 1  0  5\n 0  1  6");
    assert_eq!(show("[1, 2\n 3, 4]"), "2×2 matrix:\n 1  2\n 3  4");
    assert_eq!(show("[1, 2,\n 3, 4,\n]"), "2×2 matrix:\n 1  2\n 3  4");
    assert_eq!(show("[]"), "0×0 matrix");
    assert!(error("[[1, 2], [3; 4]]").message.contains("hcat"));
}

#[test]
fn indexing_is_zero_based_with_negative_and_open_ranges() {
    let a = "A = reshape(0:12, 3, 4); ";
    assert_eq!(show(&format!("{a}A[0, 0]")), "0");
    assert_eq!(show(&format!("{a}A[-1, -1]")), "11");
    assert_eq!(show(&format!("{a}A[0:2, 1]")), "2×1 matrix:\n 1\n 5");
    assert_eq!(show(&format!("{a}A[:, -1]")), "3×1 matrix:\n  3\n  7\n 11");
    assert_eq!(show(&format!("{a}A[1:, :2]")), "2×2 matrix:\n 4  5\n 8  9");
    assert_eq!(show(&format!("{a}A[1]")), "1×4 matrix:\n 4  5  6  7");
    assert_eq!(show("v = [10, 20, 30]; v[-1] + v[0]"), "40");
    assert_eq!(show("v = [10; 20; 30]; v[[2, 0]]"), "2×1 matrix:\n 30\n 10");
    assert_eq!(show("xs = list(1, \"a\", [1, 2]); xs[1]"), "\"a\"");
    let e = error(&format!("{a}A[3, 0]"));
    assert_eq!(e.kind, ErrorKind::Argument);
    assert!(e.message.contains("index 3 is out of bounds for length 3"), "{}", e.message);
}

#[test]
fn assignment_destructuring_and_indexed_assignment() {
    assert_eq!(show("(a, b) = (1, 2); a - b"), "-1");
    assert_eq!(show("(U, S, V) = svd([3, 0; 0, 2]); S"), "2×1 matrix:\n 3\n 2");
    assert_eq!(show("A = zeros(2, 2); A[0, 1] = 5; A"), "2×2 matrix:\n 0  5\n 0  0");
    assert_eq!(show("A = zeros(2, 3); A[:, 1] = [7; 8]; A[1, 1]"), "8");
    assert_eq!(show("A = zeros(2, 2); B = A; B[0, 0] = 1; A[0, 0]"), "0", "value semantics");
    assert_eq!(show("xs = list(1, 2); xs[0] = 9; xs"), "list(9, 2)");
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("A = ones(2, 2)", &mut sink).unwrap();
    assert!(s.execute("A[5, 5] = 1", &mut sink).is_err());
    assert_eq!(display::plain(&s.get("A").unwrap()), "2×2 matrix:\n 1  1\n 1  1", "a failed write loses nothing");
}

#[test]
fn logical_matrices_select_and_assign() {
    // Comparisons of matrices give logical matrices; they count as 0/1.
    assert_eq!(show("[1, -2; 3, -4] > 0"), "2×2 logical:\n 1  0\n 1  0");
    assert_eq!(show("(sum([1, -2, 3] > 0), [1, 2] .* ([1, 2] > 1), -([1, 2] > 1))"), "(2, [0, 2], [-0, -1])");
    assert_eq!(show("!([1, 0, 2] > 0)"), "1×3 logical:\n 0  1  0");
    assert_eq!(show("([1, 2] > 1)'"), "2×1 logical:\n 0\n 1");
    // `A[M]`: the selected entries, row by row, as a column; `A[M] = v` writes them.
    assert_eq!(show("A = [1, -2; 3, -4]; A[A > 0]"), "2×1 matrix:\n 1\n 3");
    assert_eq!(show("A = [1, -2; 3, -4]; A[A < 0] = 0; A"), "2×2 matrix:\n 1  0\n 3  0");
    assert_eq!(show("A = [1, -2; 3, -4]; A[A < 0] = [10, 20]; A"), "2×2 matrix:\n 1  10\n 3  20");
    assert_eq!(show("A = [1, 2; 3, 4]; size(A[A > 9])"), "(0, 1)");
    // A logical vector along an axis selects the positions where it holds.
    assert_eq!(show("A = [1, 0, 3; 4, 0, 6]; A[:, sum(A, 0) > 0]"), "2×2 matrix:\n 1  3\n 4  6");
    assert_eq!(show("v = [5; 6; 7]; v[v != 6]"), "2×1 matrix:\n 5\n 7");
    // `&&` and `||` combine matrices entry by entry, and still short-circuit on scalars.
    assert_eq!(show("A = [1, 2, 3, 4]; A[A > 1 && A < 4]"), "2×1 matrix:\n 2\n 3");
    assert_eq!(show("[0, 1] || [0, 0]"), "1×2 logical:\n 0  1");
    assert_eq!(show("false && undefined_name"), "false");
    // A logical matrix stays logical while it holds truth values.
    assert_eq!(show("M = [1, 2] > 1; M[0] = 1; M"), "1×2 logical:\n 1  1");
    assert_eq!(show("M = [1, 2] > 1; M[0] = 5; M"), "1×2 matrix:\n 5  1");
    // Truths stay truths: bool literals, parts of a logical matrix, isnan, reverse, loops.
    assert_eq!(show("[true, false; false, true]"), "2×2 logical:\n 1  0\n 0  1");
    assert_eq!(show("[true, 2]"), "1×2 matrix:\n 1  2");
    assert_eq!(show("M = [1, 2, 3] > 1; (M[0], M[1:3], reverse(M), M[M])"), "(false, [1, 1], [1, 1, 0], [1; 1])");
    assert_eq!(show("M = [1, 2, 3] > 1; M[1:3]"), "1×2 logical:\n 1  1");
    assert_eq!(show("reverse([1, 2, 3] > 1)"), "1×3 logical:\n 1  1  0");
    assert_eq!(show("isnan([0.25, nan])"), "1×2 logical:\n 0  1");
    assert_eq!(show("(isnan(nan), isfinite(1 / 0))"), "(true, false)");
    assert_eq!(show("A = [1, nan, 3]; A[isnan(A)] = 0; A"), "1×3 matrix:\n 1  0  3");
    assert_eq!(show("s = \"\"; for b in [1, 0] > 0 { s = s + string(b) }; s"), "\"truefalse\"");
    // A number on the left of `&&` short-circuits, as Python's `and` and MATLAB's `&&` do.
    assert_eq!(show("false && ([1, 2] > 1)"), "false");
    // Errors name the problem and keep the variables.
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("A = [1, 2; 3, 4]", &mut sink).unwrap();
    let e = s.execute("A[A > 1] = [1, 2]", &mut sink).expect_err("count");
    assert!(e.message.contains("selects 3 entries but 2 values"), "{}", e.message);
    let e = s.execute("A[[1, 0, 1] > 0]", &mut sink).expect_err("length");
    assert!(e.message.contains("logical index of 3 entries"), "{}", e.message);
    let e = s.execute("if A > 0 { 1 }", &mut sink).expect_err("truth");
    assert!(e.message.contains("any(...) or all(...)"), "{}", e.message);
    assert_eq!(display::plain(&s.get("A").unwrap()), "2×2 matrix:\n 1  2\n 3  4");
    // where picks entrywise; three numbers give a number.
    assert_eq!(show("where([1, 0; 0, 1] > 0, 7, [1, 2; 3, 4])"), "2×2 matrix:\n 7  2\n 3  7");
    assert_eq!(show("where(true, 1, 2)"), "1");
}

#[test]
fn record_fields_assign_and_loops_destructure() {
    assert_eq!(show("r = (a = 1, b = 2); r.a = 5; r.c = [1, 2]; r"), "(a = 5, b = 2, c = [1, 2])");
    assert_eq!(show("r = (a = 1,); r[\"my key\"] = 3; r[\"my key\"] + r[\"a\"]"), "4");
    assert_eq!(show("r = (W = zeros(2, 2),); r.W[0, 1] = 7; r.W"), "2×2 matrix:\n 0  7\n 0  0");
    assert_eq!(show("r = (a = (b = 1,),); r.a.b = 2; r.a.b"), "2");
    assert_eq!(show("layers = list((W = 1,), (W = 2,)); layers[1].W = 9; layers"), "list((W = 1), (W = 9))");
    assert_eq!(show("r = (a = 1,); q = r; q.a = 2; r.a"), "1", "value semantics");
    // `for (k, v) in r` walks the fields in order; tuples destructure in `for`.
    assert_eq!(show("r = (x = 1, y = 2); s = \"\"; for (k, v) in r { s = s + k + string(v) }; s"), "\"x1y2\"");
    assert_eq!(show("t = 0; for (i, x) in enumerate([10, 20]) { t = t + i * x }; t"), "20");
    assert_eq!(show("t = 0; for (a, (b, c)) in list((1, (2, 3))) { t = a + b * c }; t"), "7");
    assert_eq!(show("t = 0; for (a, b) in zip(1:4, [10, 20]) { t = t + a * b }; t"), "50");
    // `(k)` is k in parentheses; a row of a matrix unpacks into its entries.
    assert_eq!(show("t = 0; for (k) in 1:4 { t = t + k }; t"), "6");
    assert_eq!(show("t = 0; for (a, b) in [1, 2; 3, 4] { t = t + a * b }; t"), "14");
    let e = error("for (a, b) in [1, 2, 3; 4, 5, 6] { }");
    assert!(e.message.contains("cannot unpack 3 values into 2 names"), "{}", e.message);
    let e = error("for (a, b) in list((1,)) { }");
    assert!(e.message.contains("cannot unpack 1 value into 2 names"), "{}", e.message);
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("r = (a = 1,); n = 2", &mut sink).unwrap();
    assert!(s.execute("r.a.b = 1", &mut sink).expect_err("number").message.contains("has no fields"));
    assert!(s.execute("r.zz.b = 1", &mut sink).expect_err("missing").message.contains("no field `zz`"));
    assert!(s.execute("n.a = 1", &mut sink).expect_err("number").message.contains("a number has no fields"));
    assert!(s.execute("for (a, b) in list(1) { }", &mut sink).expect_err("unpack").message.contains("cannot unpack"));
    assert_eq!(display::plain(&s.get("r").unwrap()), "(a = 1)");
}

#[test]
fn long_records_and_lists_show_as_tables() {
    let code = "r = (a = 1, b = [1, 2], c = zeros(300, 20), d = \"x\", e = list(1, 2), \
                f = kron(eye(2), eye(3)), g = true, h = (x = 1,), i = [5] > [1, 2]); r";
    assert_eq!(
        show(code),
        "record of 9 fields:\n name  kind      shape\n a     number    1\n b     matrix    1×2\n c     matrix    300×20\n \
         d     string    \"x\"\n e     list      2 items\n f     operator  6×6 Kronecker (2×2 ⊗ 3×3)\n g     bool      true\n \
         h     record    1 field\n i     logical   1×2"
    );
    assert!(show("list(1:20)").starts_with("list(1:20)"), "eight items or fewer stay on one line");
    assert_eq!(show("(1, map(fn (x) = x, 0:10))"), "(1, list of 10)");
    let table = html("map(fn (x) = 2 * x, 0:9)").expect("an HTML table");
    assert!(table.contains("<caption") && table.contains(">list of 9<") && table.contains(">index</th>"), "{table}");
    assert!(table.contains("<td style=\"text-align:left;white-space:pre\">16</td>"), "{table}");
    // Past 300 rows a table shows the first 200 and the last 20 around a count of the rest.
    let long = show("map(fn (x) = x, 0:1000)");
    let lines: Vec<&str> = long.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 200 + 1 + 20, "caption, header, head, gap, tail");
    assert_eq!(lines[201].split_whitespace().collect::<Vec<_>>(), ["199", "number", "199"]);
    assert_eq!(lines[202].split_whitespace().collect::<Vec<_>>(), ["⋮", "(780", "more)"]);
    assert_eq!(lines[203].split_whitespace().collect::<Vec<_>>(), ["980", "number", "980"]);
    let table = html("map(fn (x) = x, 0:1000)").expect("an HTML table");
    assert_eq!(table.matches("<tr>").count(), 1 + 200 + 1 + 20, "{table}");
    assert!(table.contains(">(780 more)<"), "{table}");
}

#[test]
fn operators_stay_structured_unless_mixed_with_dense_matrices() {
    for (code, structured) in [
        ("2 * K", true),
        ("K / 2", true),
        ("-K", true),
        ("K'", true),
        ("K + K", true),
        ("K .* 2", true),
        ("2 .* K", true),
        ("K ./ 2", true),
        ("K - 2 * K", true),
        ("K + eye(4)", false),
        ("eye(4) - K", false),
        ("K .* ones(4, 4)", false),
        ("K + 1", false),
    ] {
        let mut s = Session::new();
        let v = s.execute(&format!("K = kron(eye(2), 2 * eye(2)); {code}"), &mut Capture::default()).unwrap().unwrap();
        assert_eq!(matches!(v, Value::Operator(_)), structured, "{code} gives a {}", v.kind());
    }
    assert_eq!(show("K = kron(eye(2), 2 * eye(2)); trace(K + eye(4)) == trace(dense(K)) + 4"), "true");
}

#[test]
fn functions_defaults_keywords_and_closures() {
    assert_eq!(show("fn f(a, b = 2) = a * b\nf(3) + f(3, b = 10)"), "36");
    assert_eq!(show("fn g(x) {\n  y = x + 1\n  y * 2\n}\ng(4)"), "10");
    assert_eq!(show("fn h(x) { if x > 0 { return 1 }; -1 }\nh(5) + h(-5)"), "0");
    assert_eq!(show("fn adder(k) = fn (x) = x + k\nadd3 = adder(3); add3(4)"), "7");
    assert_eq!(show("fn fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }\nfact(10)"), "3628800");
    assert_eq!(show("sq = fn (x) = x^2; sq(9)"), "81");
    let e = error("fn f(a) = a\nf(1, 2)");
    assert!(e.message.contains("takes 1 argument, got 2"), "{}", e.message);
    assert!(error("fn f(a) = a\nf(b = 1)").message.contains("no parameter `b`"));
    assert!(error("fn f(a) = a\nf()").message.contains("missing argument `a`"));
    assert!(error("fn f(n) = f(n + 1)\nf(0)").message.contains("nested deeper"));
}

#[test]
fn control_flow() {
    assert_eq!(show("s = 0; for i in 0:5 { s = s + i }; s"), "10");
    assert_eq!(show("s = 0; for x in [1, 2, 3] { s = s + x }; s"), "6");
    assert_eq!(
        show("s = 0; i = 0; while true { i = i + 1; if i > 4 { break }; if i == 2 { continue }; s = s + i }; s"),
        "8"
    );
    assert_eq!(show("x = 3; if x > 5 { 1 } else if x > 2 { 2 } else { 3 }"), "2");
    assert_eq!(
        show(
            "n = 0; for row in eye(3) { n = n + sum_row(row) }; n"
                .replace("sum_row(row)", "row[0] + row[1] + row[2]")
                .as_str()
        ),
        "3"
    );
    assert!(error("break").message.contains("inside a loop"));
    assert!(error("return 1").message.contains("inside a function"));
}

#[test]
fn structured_operators_in_the_language() {
    assert_eq!(
        show("A = [2, 1; 1, 3]; B = eye(3) * 2; K = A ⊗ B; det(K)"),
        show("det(kron([2, 1; 1, 3], eye(3) * 2))")
    );
    assert_eq!(show("K = [1, 2; 3, 4] ⊗ eye(2); storage(K)"), "8");
    assert_eq!(show("D = [1, 0; 0, 2] ⊕ 3; det(D)"), "6");
    assert_eq!(
        show("D = [1, 0; 0, 2] ⊕ 3 ⊕ 4; D"),
        "4×4 block-diagonal (3 blocks), 6 stored of 16:\n B₁ = [1, 0; 0, 2]\n B₂ = [3]\n B₃ = [4]"
    );
    assert_eq!(
        show("eye(2) ⊗ eye(3) ⊗ [1, 2]"),
        "6×12 Kronecker (2×2 ⊗ 3×3 ⊗ 1×2), 15 stored of 72:\n A₁ = [1, 0; 0, 1]\n A₂ = [1, 0, 0; 0, 1, 0; 0, 0, 1]\n A₃ = [1, 2]"
    );
    assert_eq!(show("K = kron(eye(2), [1, 2; 3, 4]); K * [1; 1; 1; 1]"), "4×1 matrix:\n 3\n 7\n 3\n 7");
    assert_eq!(show("K = kron(eye(2), [1, 2; 3, 4]); (K')[1, 0]"), "2");
    assert_eq!(show("P = perm([2, 0, 1]); P * [10; 20; 30]"), "3×1 matrix:\n 30\n 10\n 20");
    assert_eq!(
        show("K = kron([2, 0; 0, 4], [1, 0; 0, 3]); inv(K)"),
        "4×4 Kronecker (2×2 ⊗ 2×2), 8 stored of 16:\n A₁ = [0.5, 0.0; 0.0, 0.25]\n A₂ = [1.0, 0.0; 0.0, 0.33333]"
    );
    assert_eq!(show("eigvals(kronsum([1, 0; 0, 2], [10, 0; 0, 20]))"), "4×1 matrix:\n 11\n 21\n 12\n 22");
    let e = error("kron(eye(2), eye(3)) * ones(5, 1)");
    assert!(e.message.contains("6×6 and 5×1"), "{}", e.message);
}

#[test]
fn linear_algebra_builtins() {
    assert_eq!(show("det([1, 2; 3, 4])"), "-2");
    assert_eq!(show("trace(eye(4))"), "4");
    assert_eq!(show("rank([1, 2; 2, 4])"), "1");
    assert_eq!(show("norm([3, 4])"), "5");
    assert_eq!(show("norm([1, -2; 3, 4], inf)"), "7");
    assert_eq!(show("size(zeros(2, 3))"), "(2, 3)");
    assert_eq!(show("eigvals([0, -1; 1, 0])"), "list(0 + 1im, 0 - 1im)");
    assert_eq!(show("(v, V) = eigh([2, 0; 0, 1]); v"), "2×1 matrix:\n 1\n 2");
    assert_eq!(show("abs(chol([4, 2; 2, 3])[1, 1] - 2^0.5) < 1e-15"), "true");
}

#[test]
fn errors_carry_kind_message_and_position() {
    let e = error("x = 1\ny = x + undefined_thing");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Name, "`undefined_thing` is not defined"));
    assert_eq!(error("kronsun(1)").hint.as_deref(), Some("did you mean `kronsum`?"));
    let rendered = e.render("x = 1\ny = x + undefined_thing");
    assert!(rendered.contains("line 2, column 9"), "{rendered}");
    assert!(rendered.contains("y = x + undefined_thing\n    |         ^^^^^^^^^^^^^^^"), "{rendered}");
    assert_eq!(error("solve([1, 2; 2, 4], [1; 1])").kind, ErrorKind::Singular);
    assert!(error("solve([1, 2; 2, 4], [1; 1])").message.contains("singular"));
    assert_eq!(error("1 +").kind, ErrorKind::Incomplete);
    assert_eq!(error("[1, 2").kind, ErrorKind::Incomplete);
    assert_eq!(error("1 + * 2").kind, ErrorKind::Syntax);
    assert_eq!(error("\"abc").kind, ErrorKind::Incomplete);
    let e = error("\"a\" * 2");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "`*` is not defined for a string and a number"));
    let e = error("1 + * 2");
    assert_eq!(e.message, "expected an expression, found `*`");
    let e = error("[1, 2");
    assert_eq!(e.message, "this `[` is never closed");
    let e = error("x = 1; x(2)");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "a number cannot be called"));
    let e = error("det([1, 2, 3])");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Shape, "det: expected a square matrix, got 1×3"));
    let e = error("zeros(1e6, 1e6)");
    assert!(e.message.contains("GiB"), "{}", e.message);
    let e = error("eigh([1, 2; 0, 1])");
    assert!(e.message.contains("not symmetric"), "{}", e.message);
    let e = error("zeros(1, 2, 3)");
    assert!(e.message.contains("zeros takes 1 to 2 arguments, got 3"), "{}", e.message);
    assert!(error("norm([1], q = 2)").message.contains("no keyword argument `q`"));
}

#[test]
fn an_error_in_a_function_lists_the_calls_it_passed_through() {
    // Three calls deep: the failing line with its caret, then one line per call, innermost first.
    let code = "fn h(x) { inv(x) }\nfn g(x) { h(x) + 1 }\nfn f(x) { 2 * g(x) }\nf(zeros(2, 2))";
    let e = error(code);
    assert_eq!(e.trace.len(), 3);
    let text = e.render(code);
    let lines: Vec<&str> = text.lines().skip(4).collect();
    assert_eq!(
        lines,
        [
            "  in h, called at line 2, column 11: fn g(x) { h(x) + 1 }",
            "  in g, called at line 3, column 15: fn f(x) { 2 * g(x) }",
            "  in f, called at line 4, column 1: f(zeros(2, 2))",
        ],
        "{text}"
    );
    assert!(text.starts_with("error: inv: matrix is singular"), "{text}");
    assert!(text.contains("  1 | fn h(x) { inv(x) }\n    |           ^^^^^^\n"), "{text}");
    // Recursion: a repeated call is shown once, with its count; the limit's error keeps its trace.
    let code = "fn r(n) = if n == 0 { nosuch } else { r(n - 1) }\nr(50)";
    let text = error(code).render(code);
    assert!(text.ends_with("  … that call 49 more times\n  in r, called at line 2, column 1: r(50)"), "{text}");
    // An anonymous function is a frame too; an error outside any function has none.
    let e = error("sq = fn (x) = x * [1, 2]\nsq([1, 2])");
    assert_eq!(e.trace.iter().map(|f| f.function.as_str()).collect::<Vec<_>>(), ["anonymous function"]);
    assert!(error("1 + nosuch").trace.is_empty());
}

#[test]
fn print_writes_values_separated_by_spaces() {
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("print(\"x =\", 0.1, [1, 2]); eprint(\"careful\")", &mut sink).unwrap();
    assert_eq!(sink.out, "x = 0.1 1×2 matrix:\n 1  2\n");
    assert_eq!(sink.err, "careful\n");
}

#[test]
fn the_session_keeps_variables_across_cells_and_after_errors() {
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("a = 41", &mut sink).unwrap();
    assert!(s.execute("a = a + nope", &mut sink).is_err());
    assert_eq!(display::plain(&s.execute("a + 1", &mut sink).unwrap().unwrap()), "42");
    assert!(s.execute("b = 1;", &mut sink).unwrap().is_none());
    assert_eq!(s.variable_names(), vec!["a", "b"]);
}

#[test]
fn random_numbers_follow_the_seed() {
    assert_eq!(show("seed(3); a = randn(2, 2); seed(3); b = randn(2, 2); a == b"), "2×2 logical:\n 1  1\n 1  1");
    assert_eq!(
        show("seed(3); a = rand(1, 4); seed(3); b = rand(2, 2); reshape(a, 2, 2) == b"),
        "2×2 logical:\n 1  1\n 1  1"
    );
}

#[test]
fn interrupt_stops_a_loop_and_keeps_variables() {
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("kept = 7", &mut sink).unwrap();
    let setter = interrupt_after(&s, 50);
    let e = s.execute("i = 0; while true { i = i + 1 }", &mut sink).unwrap_err();
    setter.join().unwrap();
    assert_eq!(e.kind, ErrorKind::Interrupted);
    assert_eq!(display::plain(&s.get("kept").unwrap()), "7");
    assert!(matches!(s.get("i"), Some(Value::Number(x)) if x > 0.0));
}

/// What a cell shows in the REPL: what it prints (to standard output, then
/// standard error), then its value.
fn shown(s: &mut Session, code: &str) -> String {
    let mut sink = Capture::default();
    let value = s.execute(code, &mut sink).unwrap_or_else(|e| panic!("{code}: {}", e.render(code)));
    let mut out = sink.out + &sink.err;
    if let Some(v) = value {
        out.push_str(&display::plain(&v));
    }
    out.trim_end().to_string()
}

#[test]
fn every_builtin_documents_itself_and_its_example_shows_its_value() {
    for b in tessera_lang::builtins::all() {
        assert!(!b.summary.is_empty() && !b.help.is_empty(), "{}", b.name);
        assert!(b.signature.starts_with(b.name), "{}", b.name);
        let mut s = Session::new();
        assert_eq!(shown(&mut s, b.example), b.shows, "the example of {}: {}", b.name, b.example);
        let mut sink = Capture::default();
        s.execute(&format!("?{}", b.name), &mut sink).unwrap();
        assert!(sink.out.contains(b.signature), "?{}", b.name);
    }
}

#[test]
fn is_complete_drives_continuation() {
    use tessera_lang::Completeness::*;
    let s = Session::new();
    assert_eq!(s.is_complete("x = 1"), Complete);
    assert_eq!(s.is_complete("x = [1, 2,"), Incomplete);
    assert_eq!(s.is_complete("fn f(x) {\n  x"), Incomplete);
    assert_eq!(s.is_complete("for i in 0:3 {"), Incomplete);
    assert_eq!(s.is_complete("\"open string"), Incomplete);
    assert!(matches!(s.is_complete("x = )"), Invalid(_)));
}

mod fuzz {
    use super::Capture;
    use proptest::prelude::*;
    use tessera_lang::Session;

    /// Fragments of Tessera, glued at random: valid programs, broken ones, and noise.
    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "x",
            "A",
            "1",
            "2.5",
            "-",
            "+",
            "*",
            "/",
            "\\",
            "^",
            ".*",
            "./",
            ".^",
            "'",
            "⊗",
            "⊕",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ";",
            "\n",
            ":",
            "=",
            "==",
            "<",
            "&&",
            "||",
            "!",
            "if",
            "else",
            "fn",
            "f",
            "return",
            "break",
            "continue",
            "\"s\"",
            "[1, 2; 3, 4]",
            "eye(2)",
            "kron(A, A)",
            "det",
            "inv(",
            "zeros(2, 3)",
            "A[0, :]",
            "A[-1]",
            "x = ",
            "A = [1, 2; 3, 4]\n",
            "fn f(a, b = 2) = a + b\n",
            "f(1, b = 3)",
            "?kron",
            "1e400",
            "nan",
            "im",
            "list(1, 2)",
            "(1, 2)",
            "svd(A)",
            "0:3",
            "A[1:, :2]",
            "reshape(0:6, 2, 3)",
            "monarch(4, 2)",
            "perm([1, 0])",
            "norm(A, inf)",
            "logm(A)",
            "expm(-A)",
            "1/0",
            "#c\n",
            "é",
            "\u{0}",
            "%",
            "r",
            "r.a",
            "r.a = ",
            "r[\"k\"]",
            "r.k[0, 1] = ",
            "(a = 1, b = A)",
            "for (k, v) in r { }",
            "for (i, y) in enumerate(A) { x = i }",
            "A > 0",
            "A[A > 1]",
            "A[A > 1] = ",
            "where(A > 2, A, 0)",
            "sort(A, axis=0)",
            "cumsum(A)",
            "argmax(A)",
            "pinv(A)",
            "lstsq(A, A)",
            "lu(A)",
            "eig(A)",
            "null(A)",
            "solve_sylvester(A, A, A)",
            "map(fn (z) = z, A)",
            "format(\"{:.2} {}\", x",
            "string(",
            "split(\"a.b\", \".\")",
            "0:0.5:2",
            "softmax(A)",
            "true + 1",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Parsing and running any glued program returns a value or an error.
        #[test]
        fn no_input_panics(parts in prop::collection::vec(fragment(), 0..24)) {
            let code: String = parts.concat();
            let mut s = Session::new();
            let _ = s.execute("A = [1, 2; 3, 4]; x = 1; r = (a = 1, k = A)", &mut Capture::default());
            let _ = s.execute(&code, &mut Capture::default());
            let _ = s.is_complete(&code);
        }

        #[test]
        fn arbitrary_text_never_panics_the_parser(code in "\\PC{0,64}") {
            let _ = tessera_lang::parser::parse(&code);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "(".repeat(5000) + &")".repeat(5000);
        assert!(tessera_lang::parser::parse(&deep).is_err());
        let minus = "-".repeat(5000) + "1";
        assert!(tessera_lang::parser::parse(&minus).is_err());
        let brackets = "[".repeat(3000);
        assert!(tessera_lang::parser::parse(&brackets).is_err());
    }
}

#[test]
fn a_long_chain_of_operators_compiles_and_runs_on_a_small_stack() {
    // The tree is as deep as the chain is long (the parser builds it in a
    // loop): compiling and evaluating it grow the stack as they go.
    // The same in a function of numbers, which is not compiled to scalar code.
    for code in [format!("1{}", " + 1".repeat(5_000)), format!("fn f(x) {{ x{} }}; f(1)", " + 1".repeat(5_000))] {
        let ran = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                display::plain(&Session::new().execute(&code, &mut tessera_lang::NullSink).unwrap().unwrap())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(ran, "5001");
    }
}

#[test]
fn interrupt_stops_a_long_matrix_product() {
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("A = ones(2000, 2000); kept = 1", &mut sink).unwrap();
    let setter = interrupt_after(&s, 20);
    let started = std::time::Instant::now();
    let e = s.execute("B = A * A * A", &mut sink).unwrap_err();
    setter.join().unwrap();
    assert_eq!(e.kind, ErrorKind::Interrupted, "{}", e.message);
    eprintln!("a 2000³ product interrupted after {:?}", started.elapsed());
    assert!(s.get("B").is_none());
    assert_eq!(display::plain(&s.get("kept").unwrap()), "1");
}

/// The helper of a long product reads the operands where they are; after
/// an interrupt it may still be reading them while the session changes its
/// variable (which then gets a copy of its own) and lets go of the old value.
#[test]
fn an_interrupted_product_leaves_its_operands_to_the_session() {
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("A = ones(3000, 3000)", &mut sink).unwrap();
    for _ in 0..2 {
        let setter = interrupt_after(&s, 20);
        let e = s.execute("B = A * A", &mut sink).unwrap_err();
        setter.join().unwrap();
        assert_eq!(e.kind, ErrorKind::Interrupted, "{}", e.message);
        let changed = s.execute("A[0, 0] = A[0, 0] + 1; A = A * 1; [A[0, 0], A[1, 1], sum(A)]", &mut sink);
        assert!(changed.is_ok(), "{changed:?}");
    }
    // A[0:3, 0:3] is M = [3 1 1; 1 1 1; 1 1 1], and sum(M²) = 1ᵀM·M1 = 5² + 3² + 3².
    for (code, value) in
        [("A[0, 0]", 3), ("A[1, 1]", 1), ("sum(A)", 3000 * 3000 + 2), ("sum(A[0:3, 0:3] * A[0:3, 0:3])", 43)]
    {
        let v = s.execute(code, &mut sink).unwrap().unwrap();
        assert_eq!(display::plain(&v), value.to_string(), "{code}");
    }
}

#[test]
fn figures_are_values_and_bad_plot_input_is_a_clear_error() {
    assert_eq!(show("heatmap(eye(8))"), "figure: heatmap of a 8×8 matrix (640×480 px)");
    assert_eq!(show("f = hist([1, 2, 2, 3], bins = 3); f"), "figure: hist 4 values in 3 bins (640×480 px)");
    assert_eq!(
        show("spy(eye(3) ⊕ ones(2, 2), title = \"blocks\")"),
        "figure: spy of a 5×5 matrix \"blocks\" (640×480 px)"
    );
    assert_eq!(show("list(plot([1, 2]))"), "list(plot figure)");
    let cases = [
        ("plot([1, 2], [1, 2, 3])", "plot: x has 2 values but y has 3"),
        ("savefig(1, \"a.svg\")", "savefig saves a figure, got a number"),
        ("savefig(heatmap(eye(2)), \"/tmp/a.jpg\")", "neither .svg nor .png"),
        ("hist([1, nan])", "NaN or infinity"),
        ("heatmap(eye(2), size = (1, 2))", "sides are 64 to 4096 pixels"),
        ("heatmap(eye(2), size = 3)", "size is a tuple (width, height)"),
        ("spectrum(zeros(3, 3))", "nothing to draw on a log scale"),
        ("spectrum(eye(3), kind = \"svd\")", "kind is \"sv\" or \"eig\""),
        ("scatter(ones(3, 3))", "scatter(P) takes N×2 points"),
        ("plot([1, 2], label = list(\"a\", \"b\"))", "2 labels for 1 series"),
        ("plot([1, 2], colour = 1)", "plot has no keyword argument `colour`"),
        ("scatter([1, 2], [3, 4], group = [0, 1], label = list(\"a\"))", "label= is a list of 2 names"),
        ("scatter([1, 2], [3, 4], group = [0, 1], label = list(\"a\", 2))", "label= holds strings, got a number"),
    ];
    errors_mention(&cases);
    // group names come from label=, in the groups' ascending order
    let svg = std::env::temp_dir().join(format!("tessera-groups-{}.svg", std::process::id()));
    show(&format!(
        "savefig(scatter([1, 2, 3], [3, 4, 5], group = [2, 0, 2], label = list(\"zeroth\", \"second\")), \"{}\")",
        svg.display()
    ));
    let text = std::fs::read_to_string(&svg).unwrap();
    std::fs::remove_file(&svg).unwrap();
    let (zeroth, second) = (text.find("zeroth").expect("named"), text.find("second").expect("named"));
    assert!(zeroth < second, "the legend lists the groups in order");
}

#[test]
fn the_plot_command_chooses_how_figures_are_shown() {
    let mut s = Session::new();
    assert_eq!(s.plot_mode(), tessera_lang::PlotMode::Inline);
    let mut out = Capture::default();
    s.execute(":plot text", &mut out).unwrap();
    assert_eq!(s.plot_mode(), tessera_lang::PlotMode::Text);
    assert!(out.out.contains("as text"), "{}", out.out);
    s.execute(":plot off", &mut out).unwrap();
    assert_eq!(s.plot_mode(), tessera_lang::PlotMode::Off);
    let e = s.execute(":plot sideways", &mut out).unwrap_err();
    assert!(e.message.contains(":plot is inline, text or off"), "{}", e.message);
    assert_eq!(s.plot_mode(), tessera_lang::PlotMode::Off);
}

#[test]
fn the_figure_command_chooses_the_images_and_keeps_the_plot_mode() {
    use tessera::figure::ImageFormat;
    let mut s = Session::new();
    assert_eq!(s.figures().format, ImageFormat::Both);
    assert_eq!(shown(&mut s, ":figure"), "figures are both SVG and PNG in Jupyter");
    assert_eq!(
        shown(&mut s, ":figure auto"),
        "figures are SVG up to 10000 points or cells, PNG beyond (auto) in Jupyter"
    );
    s.execute(":plot text", &mut Capture::default()).unwrap();
    assert_eq!(shown(&mut s, ":figure png"), "figures are PNG in Jupyter");
    assert_eq!(s.figures(), tessera_lang::Figures { plot: tessera_lang::PlotMode::Text, format: ImageFormat::Png });
    let e = s.execute(":figure jpeg", &mut Capture::default()).unwrap_err();
    assert_eq!(e.message, ":figure is auto, svg, png or both, got `jpeg`");
    assert_eq!(s.figures().format, ImageFormat::Png);
}

#[test]
fn format_and_printopts_change_how_this_session_shows_matrices() {
    let mut s = Session::new();
    assert_eq!(shown(&mut s, "[1/3, 1]"), "1×2 matrix:\n 0.33333  1.0");
    assert_eq!(shown(&mut s, ":format long"), "matrix entries show every digit, on lines of 80 characters");
    assert_eq!(shown(&mut s, "[1/3, 1]"), "1×2 matrix:\n 0.3333333333333333  1");
    assert_eq!(shown(&mut s, ":format short"), "matrix entries show 6 significant digits, on lines of 80 characters");
    assert_eq!(shown(&mut s, "printopts(precision = 3, width = 40)"), "(precision = 3, width = 40)");
    assert_eq!(shown(&mut s, "[1/3, 1]"), "1×2 matrix:\n 0.33  1.0");
    assert!(shown(&mut s, "rand(3, 30)").lines().all(|l| l.chars().count() <= 40));
    assert_eq!(shown(&mut s, "printopts()"), "(precision = 3, width = 40)");
    // Scalars keep every digit whatever the precision.
    assert_eq!(shown(&mut s, "1/3"), "0.3333333333333333");
    // Bad options are refused and change nothing; another session has its own.
    assert!(error_in(&mut s, "printopts(precision = 0)").message.contains("1 to 17"));
    assert!(error_in(&mut s, "printopts(width = 5)").message.contains("too narrow"));
    assert!(error_in(&mut s, ":format medium").message.contains("short or long"));
    assert_eq!(shown(&mut s, "printopts()"), "(precision = 3, width = 40)");
    assert_eq!(shown(&mut Session::new(), "[1/3, 1]"), "1×2 matrix:\n 0.33333  1.0");
    assert_eq!(shown(&mut s, "printopts(precision = inf)"), "(precision = inf, width = 40)");
}

fn error_in(s: &mut Session, code: &str) -> tessera_lang::LangError {
    s.execute(code, &mut tessera_lang::NullSink).expect_err(code)
}

/// A call of each builtin with numbers only: its value must be a number (or
/// a bool, string, tuple or none), never a 1×1 matrix (SPEC's "number in,
/// number out").
const NUMBER_CALLS: &[&str] = &[
    "bits(3)",
    "zeros_like(3)",
    "ones_like(3)",
    "triu(3)",
    "tril(3)",
    "outer(2, 3)",
    "dot(2, 3)",
    "cross",
    "where(1, 2, 3)",
    "sqrt(4)",
    "exp(1)",
    "log(2)",
    "abs(-1)",
    "sin(1)",
    "cos(1)",
    "tan(1)",
    "floor(1.5)",
    "ceil(1.5)",
    "round(1.5)",
    "isnan(1 % 0)",
    "isfinite(1)",
    "tanh(1)",
    "sinh(1)",
    "cosh(1)",
    "asin(1)",
    "acos(1)",
    "atan(1)",
    "sign(-2)",
    "log2(8)",
    "log10(100)",
    "log1p(1)",
    "expm1(1)",
    "erf(1)",
    "relu(-1)",
    "sigmoid(0)",
    "gelu(1)",
    "atan2(1, 1)",
    "hypot(3, 4)",
    "mod(-7, 3)",
    "rem(-7, 3)",
    "clip(5, 0, 1)",
    "softmax(3)",
    "logsumexp(3)",
    "sum(3)",
    "mean(3)",
    "max(3)",
    "min(3, 4)",
    "median(3)",
    "nanmean(3)",
    "nanmedian(3)",
    "nanmax(3)",
    "nanmin(3)",
    "sort(3)",
    "argsort(3)",
    "cumsum(3)",
    "cumprod(3)",
    "prod(3)",
    "any(3)",
    "all(0)",
    "argmax(3)",
    "argmin(3)",
    "std(3)",
    "var(3)",
    "find(3)",
    "unique(3)",
    "numel(3)",
    "count(3)",
    "reverse(3)",
    "string(3)",
    "format(\"{}\", 3)",
    "transpose(3)",
    "inv(2)",
    "det(2)",
    "logdet(2)",
    "trace(2)",
    "rank(2)",
    "norm(-2)",
    "solve(2, 4)",
    "chol(4)",
    "svdvals(2)",
    "eigvals(2)",
    "expm(0)",
    "logm(1)",
    "sqrtm(4)",
    "dense(2)",
    "storage(2)",
    "diag(3)",
    "stereo_depth(800, 0.1, 50)",
    "riemann_dist(2, 3)",
    "logeuclid_dist(2, 3)",
    "len(3)",
    "size(3)",
    "rows(3)",
    "cols(3)",
    "shuffle(3)",
    "pinv(2)",
    "lstsq(2, 4)",
    "cond(2)",
    "orth(2)",
    "solve_sylvester(1, 2, 6)",
    "randi(5)",
    "seed(1)",
    "print(1)",
    "eprint(1)",
    "display(1)",
    "tic()",
];

/// The builtins with no call of numbers alone that gives a number, and why.
const NO_NUMBER_CALL: &[(&str, &str)] = &[
    ("zeros", "builds the matrix of the shape it is given"),
    ("ones", "builds a shape"),
    ("eye", "builds a shape"),
    ("rand", "builds a shape"),
    ("randn", "builds a shape"),
    ("linspace", "builds a vector of n points"),
    ("diagm", "builds a square matrix"),
    ("reshape", "gives the shape asked for"),
    ("hcat", "concatenates"),
    ("vcat", "concatenates"),
    ("repeat", "tiles to a shape"),
    ("arange", "builds a row of values"),
    ("randperm", "builds a permutation vector"),
    ("randi", "randi(n, m, k) builds a shape; randi(n) is above"),
    ("list", "builds a list"),
    ("push", "takes a list"),
    ("cross", "takes 3-vectors"),
    ("map", "takes a function"),
    ("filter", "takes a function"),
    ("reduce", "takes a function"),
    ("enumerate", "gives a list"),
    ("zip", "gives a list"),
    ("concat", "takes lists"),
    ("keys", "takes a record"),
    ("values", "takes a record"),
    ("haskey", "takes a record"),
    ("join", "takes a list"),
    ("split", "takes strings"),
    ("replace", "takes strings"),
    ("qr", "gives the factors (Q, R)"),
    ("rsvd", "gives the factors (U, S, V)"),
    ("lora_init", "gives the record of factors (A, B, scale)"),
    ("pissa", "gives the record of factors (A, B, residual)"),
    ("lora", "gives an operator"),
    ("quantize", "gives a quantized operator"),
    ("dequantize", "takes a quantized operator and gives its matrix"),
    ("lorc", "gives an operator"),
    ("fwsvd", "gives a low-rank operator"),
    ("nearest_kron", "gives a Kronecker operator"),
    ("phm", "builds an operator of the shape it is given"),
    ("eva", "gives the record of factors (A, B, explained)"),
    ("eva_ranks", "takes a list"),
    ("salt", "gives the record of SALT's parameters"),
    ("salt_weight", "takes a record"),
    ("lqlora", "gives the record (Q, L, errors, A, B)"),
    ("lqlora_budget", "takes a list of matrices"),
    ("lu", "gives the factors (P, L, U)"),
    ("eig", "gives (values, vectors)"),
    ("null", "a number's null space is empty or the 1×1 basis [1]"),
    ("svd", "gives the factors (U, S, V)"),
    ("eigh", "gives (values, vectors)"),
    ("kron", "gives an operator"),
    ("kronsum", "gives an operator"),
    ("blockdiag", "gives an operator"),
    ("monarch", "gives an operator"),
    ("monarch_project", "gives an operator"),
    ("lowrank", "takes factor matrices"),
    ("perm", "gives an operator"),
    ("rope_matrix", "gives a rotation matrix"),
    ("rope_apply", "takes token rows"),
    ("comrope", "gives generators"),
    ("liere", "gives generators"),
    ("rotation", "takes generators"),
    ("commutator_norm", "takes generators"),
    ("cov", "takes observations as rows"),
    ("augment", "takes a signal"),
    ("riemann_mean", "takes a list"),
    ("logeuclid_mean", "takes a list"),
    ("tangent", "gives a vector"),
    ("untangent", "gives a matrix"),
    ("mdm_fit", "takes a list"),
    ("mdm_predict", "takes a model"),
    ("intrinsics", "gives a 3×3 matrix"),
    ("rotx", "gives a 3×3 matrix"),
    ("roty", "gives a 3×3 matrix"),
    ("rotz", "gives a 3×3 matrix"),
    ("rodrigues", "takes a 3-vector"),
    ("projection", "takes matrices"),
    ("project", "takes matrices"),
    ("decompose", "takes a 3×4 matrix"),
    ("calibrate_dlt", "takes point rows"),
    ("reproj_error", "takes point rows"),
    ("triangulate", "takes point rows"),
    ("plot", "draws a figure"),
    ("scatter", "draws a figure"),
    ("hist", "draws a figure"),
    ("heatmap", "draws a figure"),
    ("spy", "draws a figure"),
    ("spectrum", "draws a figure"),
    ("savefig", "takes a figure"),
    ("save", "takes a file name"),
    ("load", "takes a file name"),
    ("gpu", "gives a gpu matrix"),
    ("cpu", "takes a gpu value"),
    ("device", "names where a value lives"),
    ("clear_output", "takes nothing"),
    ("printopts", "takes options"),
    ("toc", "needs tic() first"),
    ("help", "takes a name"),
];

#[test]
fn number_in_number_out_for_every_builtin() {
    for b in tessera_lang::builtins::groups().into_iter().flat_map(|(_, bs)| bs) {
        let calls: Vec<&str> = NUMBER_CALLS.iter().copied().filter(|c| c.split('(').next() == Some(b.name)).collect();
        let exempt = NO_NUMBER_CALL.iter().any(|(n, _)| *n == b.name);
        assert!(!calls.is_empty() || exempt, "`{}` is not audited for number in, number out", b.name);
        for call in calls.into_iter().filter(|c| c.contains('(')) {
            let mut s = Session::new();
            let v = s.execute(call, &mut Capture::default()).unwrap_or_else(|e| panic!("{}", e.render(call)));
            let v = v.unwrap_or(Value::None);
            assert!(
                matches!(v, Value::Number(_) | Value::Bool(_) | Value::Str(_) | Value::Tuple(_) | Value::None),
                "{call} gives a {}: {}",
                v.kind(),
                display::plain(&v)
            );
        }
    }
}

#[test]
fn edge_cases_of_the_vocabulary_agree_with_numpy_and_refuse_cleanly() {
    // numpy: np.sign(-0.0) is 0.0, and pinv/lstsq of a zero matrix are +0.
    assert_eq!(show("sign(-0)"), "0");
    assert_eq!(show("pinv(zeros(2, 2))"), "2×2 matrix:\n 0  0\n 0  0");
    assert_eq!(show("lstsq(zeros(2, 1), [1; 2])"), "1×1 matrix:\n 0");
    // A placeholder's width and precision are capped; null and solve_sylvester
    // check their memory before they allocate; map checks the items of a range.
    let e = error("format(\"{:>99999999999}\", 1)");
    assert!(
        e.message.contains("is not a placeholder") && e.hint.as_deref().unwrap_or("").contains("up to 1000"),
        "{e:?}"
    );
    assert!(error("format(\"{:.5000}\", 1)").message.contains("is not a placeholder"));
    assert_eq!(show("format(\"{:>1000}\", 1)").len(), 1002);
    let mut s = Session::new();
    let mut sink = Capture::default();
    s.execute("x = 1", &mut sink).unwrap();
    for huge in [
        "null(zeros(1, 10000000))",
        "solve_sylvester(eye(3000), eye(3000), zeros(3000, 3000))",
        "map(fn (x) = x, 0:100000000000)",
    ] {
        let e = s.execute(huge, &mut sink).expect_err(huge);
        assert!(e.message.contains("would take") && e.message.contains("is available"), "{huge}: {}", e.message);
    }
    assert_eq!(display::plain(&s.get("x").unwrap()), "1");
}

/// `.safetensors` files load as a record of unread tensors: shown by shape
/// and element type, read when taken out or used, written into after a
/// read; once the file is saved over, its unread tensors are a clear error
/// and the session keeps what was read.
#[test]
fn safetensors_files_load_lazily_and_refuse_reads_after_being_saved_over() {
    let dir = std::env::temp_dir().join(format!("tessera-st-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.safetensors").display().to_string();
    let mut s = Session::new();
    shown(&mut s, &format!("save(\"{path}\", (w = [1, 2; 3, 4], b = [5, 6])); m = load(\"{path}\")"));
    assert_eq!(shown(&mut s, "m"), "(b = 1×2 f64 tensor (unread), w = 2×2 f64 tensor (unread))");
    assert_eq!(shown(&mut s, "(m.w, m[\"b\"], norm(values(m)[0]))"), "([1, 2; 3, 4], [5, 6], 7.810249675906654)");
    assert_eq!(shown(&mut s, "values(m)"), "list(1×2 f64 tensor (unread), 2×2 f64 tensor (unread))");
    shown(&mut s, "m.w[0, 0] = 9; b = m.b");
    assert_eq!(shown(&mut s, "m"), "(b = 1×2 f64 tensor (unread), w = [9, 2; 3, 4])");
    assert_eq!(shown(&mut s, "for (k, v) in m { if k == \"b\" { b2 = 2 * v } }; b2"), "1×2 matrix:\n 10  12");
    shown(&mut s, &format!("save(\"{path}\", (w = 2 * m.w))"));
    let e = error_in(&mut s, "m.b");
    assert!(e.message.contains("has changed since it was loaded; load it again"), "{}", e.message);
    assert_eq!(shown(&mut s, &format!("(m.w, b, load(\"{path}\").w)")), "([9, 2; 3, 4], [5, 6], [18, 4; 6, 8])");
    std::fs::write(&path, b"damaged").unwrap();
    let e = error_in(&mut s, &format!("load(\"{path}\")"));
    assert!(e.message.contains("not a valid .safetensors file"), "{}", e.message);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `.csv` files: a matrix, or a record of columns with `header=true`, back
/// as written; a damaged file, a record that is not columns and `header=`
/// on another format are errors that say where, and the session goes on.
#[test]
fn csv_files_save_and_load_matrices_and_named_columns() {
    let dir = std::env::temp_dir().join(format!("tessera-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| dir.join(name).display().to_string();
    let mut s = Session::new();
    let (a, t) = (file("a.csv"), file("t.csv"));
    shown(&mut s, &format!("A = [0.1, -2; 1e-7, nan; inf, 3]; save(\"{a}\", A)"));
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "0.1,-2\n1e-7,nan\ninf,3\n");
    assert_eq!(shown(&mut s, &format!("B = load(\"{a}\"); all(B[[0, 2], :] == A[[0, 2], :])")), "true");
    assert_eq!(shown(&mut s, "(isnan(B[1, 1]), B[1, 0] == 1e-7)"), "(true, true)");
    shown(&mut s, &format!("save(\"{t}\", (step = [1, 2, 3], loss = [0.5; 0.25; 0.125]))"));
    assert_eq!(std::fs::read_to_string(&t).unwrap(), "step,loss\n1,0.5\n2,0.25\n3,0.125\n");
    assert_eq!(shown(&mut s, &format!("log = load(\"{t}\", header=true); keys(log)")), "list(\"step\", \"loss\")");
    assert_eq!(shown(&mut s, "log.loss'"), "1×3 matrix:\n 0.5  0.25  0.125");
    assert_eq!(shown(&mut s, &format!("size(load(\"{t}\"))")), "(3, 2)");

    std::fs::write(file("empty.csv"), "").unwrap();
    assert_eq!(shown(&mut s, &format!("keys(load(\"{}\", header=true))", file("empty.csv"))), "list()");
    std::fs::write(file("ragged.csv"), "a,b\n1,2\n3\n").unwrap();
    std::fs::write(file("words.csv"), "1,2\n3,four\n").unwrap();
    let mut message = |code: String| -> String {
        let e = error_in(&mut s, &code);
        format!("{} {}", e.render(&code), e.kind.name())
    };
    let ragged = message(format!("load(\"{}\")", file("ragged.csv")));
    assert!(ragged.contains("line 3 has 1 field where line 1 has 2") && ragged.contains("ragged.csv"), "{ragged}");
    let words = message(format!("load(\"{}\")", file("words.csv")));
    assert!(words.contains("line 2, field 2: `four` is not a number"), "{words}");
    let unequal = message(format!("save(\"{t}\", (a = [1, 2], b = [1, 2, 3]))"));
    assert!(unequal.contains("field `b` has 3 values where `a` has 2"), "{unequal}");
    let square = message(format!("save(\"{t}\", (a = eye(2)))"));
    assert!(square.contains("a .csv column is a vector"), "{square}");
    let npy = message(format!("load(\"{}\", header=true)", file("x.npy")));
    assert!(npy.contains("header= applies to .csv files"), "{npy}");
    let flag = message(format!("load(\"{a}\", header=1)"));
    assert!(flag.contains("header= is true or false"), "{flag}");
    assert_eq!(shown(&mut s, "log.step'"), "1×3 matrix:\n 1  2  3");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The compression builtins through the language: each identity its paper
/// states, on random weights (out × in).
#[test]
fn compression_builtins_keep_their_identities() {
    let mut s = Session::new();
    shown(&mut s, "seed(2); W = randn(9, 7); r = 3; s = svdvals(W)");
    // PiSSA: W = residual + B A, and ‖residual‖² = Σ_{i>r} σᵢ² (Eckart–Young).
    assert_eq!(
        shown(&mut s, "p = pissa(W, r); (size(p.A), size(p.B), norm(p.residual + p.B * p.A - W) < 1e-12)"),
        "((3, 7), (9, 3), true)"
    );
    assert_eq!(shown(&mut s, "abs(norm(p.residual)^2 - sum(s[r:] .^ 2)) < 1e-12"), "true");
    // The randomized path of a full-rank request is exact.
    assert_eq!(shown(&mut s, "norm(pissa(W, 7, iters=1).residual) < 1e-10"), "true");
    // rsvd recovers an exactly rank-3 matrix and its singular values.
    assert_eq!(
        shown(&mut s, "A = randn(30, 3) * randn(3, 20); (U, S, V) = rsvd(A, 3); (norm(U * diagm(S) * V' - A) < 1e-9, norm(S - svdvals(A)[:3]) < 1e-9)"),
        "(true, true)"
    );
    // LoRA starts at W and applies W x + scale·B (A x) without forming it.
    assert_eq!(
        shown(&mut s, "q = lora_init(W, 2); L = lora(W, q.A, q.B, q.scale); (all(dense(L) == W), q.scale)"),
        "(true, 1)"
    );
    assert_eq!(
        shown(
            &mut s,
            "B = randn(9, 2); x = randn(7, 1); norm(lora(W, q.A, B, 0.5) * x - (W * x + 0.5 * B * (q.A * x))) < 1e-12"
        ),
        "true"
    );
    // LoRC: error² = Σ_{k>r} σₖ(W − Q)².
    assert_eq!(
        shown(&mut s, "E = W - dequantize(quantize(W, \"int4\")); abs(norm(W - dense(lorc(W, \"int4\", 2)))^2 - sum(svdvals(E)[2:] .^ 2)) < 1e-12"),
        "true"
    );
    // FWSVD: a constant Fisher gives the truncated SVD, and any Fisher's
    // weighted error is no larger than the plain SVD's.
    shown(&mut s, "(U, S, V) = svd(W); Ws = U[:, :r] * diagm(S[:r]) * V[:, :r]'");
    assert_eq!(shown(&mut s, "norm(dense(fwsvd(W, 3 * ones(9, 7), r)) - Ws) < 1e-12"), "true");
    assert_eq!(
        shown(&mut s, "F = rand(9, 7); I = diagm(sqrt(sum(F, axis=1))); norm(I * (W - dense(fwsvd(W, F, r)))) <= norm(I * (W - Ws))"),
        "true"
    );
    // nearest_kron: exact for A ⊗ B; with t terms the error² is the dropped σ² of the rearrangement.
    assert_eq!(
        shown(&mut s, "A = randn(2, 4); B = randn(3, 2); K = nearest_kron(dense(A ⊗ B), (2, 4)); norm(dense(K) - dense(A ⊗ B)) < 1e-12"),
        "true"
    );
    assert_eq!(
        shown(&mut s, "X = randn(6, 8); e = map(fn (t) = norm(dense(nearest_kron(X, (2, 4), terms=t)) - X), [1, 2, 6]); (e[0] > e[1], e[2] < 1e-12)"),
        "(true, true)"
    );
    // Bits per entry: NF4 at block 64 is 4.5 and 4.127 with double
    // quantization; dense numbers count 16 bits unless told otherwise.
    assert_eq!(
        shown(&mut s, "Z = zeros(256, 256); (bits(quantize(Z, \"nf4\")), round(1000 * bits(quantize(Z, \"nf4\", double=true))) / 1000, bits(W), bits(W, float_bits=32))"),
        "(4.5, 4.127, 16, 32)"
    );
    // EVA's ranks add up to the budget; SALT with no update gives W back.
    assert_eq!(
        shown(&mut s, "X = randn(50, 7); es = map(fn (k) = eva(X[:, :k], 2, 4).explained, [7, 5, 3]); r = eva_ranks(es, 6); (sum(r[0] + r[1] + r[2]), size(eva(X, 2, 4).A))"),
        "(6, (2, 7))"
    );
    assert_eq!(shown(&mut s, "norm(salt_weight(salt(W, 2, 4)) - W) < 1e-12"), "true");
    assert_eq!(shown(&mut s, "H = phm(2, 6, 4, rank=2); (size(H), storage(H), norm(dense(nearest_kron(dense(H), (2, 2), terms=2)) - dense(H)) < 1e-12)"), "((6, 4), 28, true)");
    // LQ-LoRA's errors do not rise until its stop, and Q + L is the kept iterate.
    assert_eq!(
        shown(&mut s, "p = lqlora(W, 2, scheme=\"nf3\", block=16); e = p.errors; n = len(e); k = n - 1; if n > 1 && e[n - 1] > e[n - 2] { k = n - 2 }; (all(e[1:k + 1] <= e[:k]), abs(norm(W - dense(p.Q) - p.B * p.A) - e[k]) < 1e-12, size(p.L))"),
        "(true, true, (9, 7))"
    );
    // LQ-LoRA's uniform second level: absmaxes 1 and 2 from the offset 1 on 2 bits;
    // its bits are 4 + (2·2 scale bits + a bf16 maximum + the f32 offset)/4.
    assert_eq!(
        shown(&mut s, "Q = quantize([0.5, -1, 0.25, 2], \"nf4\", block=2, scale_bits=2, scale_dtype=\"bf16\"); (dense(Q), bits(Q))"),
        "([0.44071, -1.0, 0.32186, 2.0], 17)"
    );
    // The budgeted allocation meets its budget; r=0 is plain quantization.
    assert_eq!(
        shown(&mut s, "ws = list(W, 0.1 * randn(8, 8)); a = lqlora_budget(ws, 3, r=0); (bits(a[0].Q) * 63 + bits(a[1].Q) * 64 <= 3 * 127, abs(a[1].error - norm(ws[1] - dense(a[1].Q))) < 1e-12, storage(a[0].L))"),
        "(true, true, 0)"
    );
    // Symmetric integer codes show signed.
    assert_eq!(
        shown(&mut s, "quantize([1, -2, 0.3, 2], \"int4\", block=4)"),
        "1×4 quantized (int4, block 4), 5 stored of 4:\n codes = [4, -8, 1, 7]\n scales = [0.25]"
    );
}

#[test]
fn compression_errors_are_clear_and_keep_the_session() {
    let mut s = Session::new();
    shown(&mut s, "W = ones(3, 2)");
    for (code, message) in [
        ("quantize(W, \"nf5\")", "unknown scheme \"nf5\"; the schemes are int8, int4, int4-asym, nf4, nf3, nf2, nf8"),
        ("quantize(W, \"nf4\", double=true, scale_bits=8)", "double=true is bitsandbytes' second level"),
        ("quantize(W, \"nf4\", scale_block=4)", "scale_dtype and scale_block need scale_bits"),
        (
            "quantize(W, \"nf4\", scale_bits=8, scale_dtype=\"fp8\")",
            "unknown scale format \"fp8\"; the formats are bf16, fp16, fp32",
        ),
        (
            "quantize(W, \"nf4\", scale_bits=8, scale_dtype=8)",
            "scale_dtype is \"bf16\", \"fp16\" or \"fp32\", got a number",
        ),
        ("quantize(W, \"int8\", scale_bits=8)", "quantized scales are for the NormalFloat schemes, not int8"),
        ("quantize(W, \"nf4\", scale_bits=9)", "1 to 8 bits"),
        ("lqlora_budget(W, 4)", "the first argument is a list of matrices, got a matrix"),
        ("lqlora_budget(list(W), 1, r=0)", "avg_bits = 1 is below the 10.33"),
        ("lqlora_budget(list(W), 12, r=0, fisher=list(ones(2, 3)))", "the Fisher information must have W's shape"),
        ("lqlora_budget(list(W), 12, r=0, fisher=list(-ones(3, 2)))", "finite and non-negative"),
        ("lqlora_budget(list(W), 4, fisher=list())", "0 Fisher matrices for 1 weights"),
        ("lqlora_budget(list(W), 12, r=1, fisher=list(zeros(3, 2)))", "every row and column of positive mean"),
        ("lqlora_budget(list(W), 4, r=3)", "rank 3 is larger than min(m, n) = 2"),
        ("lqlora_budget(list(W), nan, r=1)", "avg_bits must be a finite number"),
        ("lqlora_budget(list(W), 4)", "lqlora_budget: rank 64 is larger than min(m, n) = 2"),
        ("quantize(W, 4)", "the scheme is a string such as \"nf4\", got a number"),
        ("quantize(W, \"nf4\", block=0)", "block must be at least 1"),
        ("quantize([1, nan], \"nf4\")", "NaN or infinity"),
        ("pissa(W, 3)", "rank 3 is larger than min(m, n) = 2 of a 3×2 matrix"),
        ("rsvd(W, 3)", "rank 3 is larger than min(m, n) = 2"),
        ("dequantize(W)", "dequantize takes a quantized operator, got a matrix"),
        ("nearest_kron(ones(6, 6), (4, 4))", "the factor shape 4×4 must divide the 6×6 matrix's shape"),
        ("nearest_kron(ones(6, 6), 4)", "the factor shape is a pair (m1, n1), got a number"),
        ("lora(W, [1, 1, 1], [1; 0; 0], 2)", "B must be out×r and A r×in"),
        ("fwsvd(W, ones(2, 3), 1)", "the Fisher information must have W's shape"),
        ("fwsvd(W, ones(3, 2), 1, axis=2)", "axis must be 0 or 1, got 2"),
        ("quantize(W, \"nf4\").codes", "an operator has no fields"),
        ("lqlora(W, 1, scheme=4)", "scheme= is a string such as \"nf4\", got a number"),
        ("lqlora(W, 1, fisher=zeros(3, 2))", "every row and column of positive mean"),
        ("lqlora(W, 3)", "rank 3 is larger than min(m, n) = 2"),
        ("eva(W, 1, 2)", "no variance"),
        ("eva_ranks(list([0.5; 0.5]), 3)", "the budget 3 is more than the 2 components there are"),
        ("salt_weight(3)", "salt_weight takes the record salt(W, r, r_lora) gives, got a number"),
        ("phm(3, 8, 12)", "n = 3 must divide rows = 8 and cols = 12"),
        ("phm(3000, 0, 0)", "n = 3000 must divide rows = 0 and cols = 0"),
        ("phm(2000, 2000, 2000)", "would take"),
        ("lqlora(W, 1, iters=0)", "iters must be at least 1"),
        ("lora_init(W, 0)", "the rank r must be at least 1"),
        ("lora_init(zeros(1, 1), 10^12)", "would take"),
        ("salt(eye(2), 0, 10^12)", "would take"),
        ("eva([1, 2; 3, 5], 1, 10^12)", "would take"),
        ("nearest_kron(zeros(0, 0), (10^15, 10^15))", "must divide"),
    ] {
        let e = error_in(&mut s, code);
        assert!(e.message.contains(message), "{code}: {}", e.message);
    }
    assert_eq!(shown(&mut s, "W"), "3×2 matrix:\n 1  1\n 1  1\n 1  1");
}

/// The evaluator's fast paths (entries read and written by number, numbers
/// read from slots, a free name remembered where it was found) give what the
/// general paths give, and their edge cases reach the general errors.
#[test]
fn the_fast_paths_agree_with_the_general_ones() {
    // A write into a shared matrix copies it; the other keeps its entries.
    assert_eq!(
        show("A = zeros(2, 2); B = A; for i in 0:2 { A[i, -1] = i + 1 }; (A, B)"),
        show("([0, 1; 0, 2], zeros(2, 2))")
    );
    // A logical matrix written with a number other than 0 or 1 becomes numeric.
    assert_eq!(show("L = [1, 2] > 1; i = 0; L[i, 0] = 3; L"), "1×2 matrix:\n 3  1");
    assert_eq!(show("L = [1, 2] > 1; i = 0; j = 1; L[i, j]"), "true");
    assert_eq!(show("A = [1, 2; 3, 4]; i = -1; j = 0; A[i, j]"), "3");
    errors_mention(&[
        ("A = zeros(2, 2); i = 2; A[i, 0]", "index 2 is out of bounds for length 2"),
        ("A = zeros(2, 2); i = 0.5; A[i, 0] = 1", "0.5"),
        ("A = zeros(2, 2); i = 0 / 0; A[0, i]", "NaN"),
        // -0.9999999999999999 + 2 rounds to 1: still not an index.
        ("A = [1, 2; 3, 4]; A[-0.9999999999999999, 0]", "integer"),
        ("A = [1, 2; 3, 4]; i = -0.9999999999999999; A[i, 0] = 9", "integer"),
        ("x = 1; i = 0; x[i, i] = 2", "cannot be assigned into"),
    ]);
    // A global read from a function follows the global as it changes, and
    // an enclosing call's variable shadows it once it is set.
    assert_eq!(show("x = 1; f = fn () = x; a = f(); x = 2; (a, f())"), "(1, 2)");
    assert_eq!(show("x = 1; fn g() { f = fn () = x; a = f(); x = 5; (a, f()) }; g()"), "(1, 5)");
    assert_eq!(show("fn h(n) { if n < 1 { 0 } else { n + h(n - 1) } }; h(100)"), "5050");
    // A block of one expression keeps its own span in errors.
    let e = error("x = true && { \"a\" }");
    assert_eq!(e.span.map(|s| (s.start, s.end)), Some((12, 19)), "{}", e.message);
    // A loop body of one statement, with break and continue.
    assert_eq!(show("s = 0; for i in 0:10 { if i == 7 { break } else if i % 2 == 0 { continue }; s = s + i }; s"), "9");
}

/// What `code` shows, or the error it ends in (rendered against the code),
/// with functions of numbers run as scalar code or in the evaluator alone.
fn outcome(code: &str, scalar_code: bool) -> String {
    let mut s = Session::new();
    s.set_scalar_code(scalar_code);
    match s.execute(code, &mut Capture::default()) {
        Ok(v) => v.map_or("(nothing)".into(), |v| display::plain(&v)),
        Err(e) => format!("error: {}", e.render(code)),
    }
}

#[test]
fn scalar_code_gives_what_the_evaluator_gives() {
    let fib = "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }; ";
    for (code, expected) in [
        (format!("{fib}fib(20)"), "6765"),
        ("fn tri(n) { s = 0; for i in 0:n + 1 { s = s + i }; s }; tri(100)".into(), "5050"),
        // Collatz: 27 takes 111 steps to reach 1.
        (
            "fn steps(n) { k = 0; while n != 1 { if n % 2 == 0 { n = n / 2 } else { n = 3 * n + 1 }; k = k + 1 }; k }; steps(27)"
                .into(),
            "111",
        ),
        ("fn gcd(a, b) { while b != 0 { t = b; b = a % b; a = t }; a }; gcd(1071, 462)".into(), "21"),
        // Mutual recursion, and a function defined after its caller.
        ("fn even(n) { if n == 0 { 1 } else { odd(n - 1) } }; fn odd(n) { if n == 0 { 0 } else { even(n - 1) } }; even(10) + odd(7)".into(), "2"),
        ("fn over(x) { for i in 0:1000 { if i * i <= x { continue }; return i }; -1 }; [over(50), over(1e9)]".into(), "1×2 matrix:\n 8  -1"),
        ("fn upto(n) { k = 0; while true { k = k + 1; if k >= n { break } }; k }; upto(5)".into(), "5"),
        ("fn g(x, y) { if x > 0 && !(y < 0) || x == -1 { 1 } else { 0 } }; [g(1, 1), g(1, -1), g(-1, -5), g(0 / 0, 1)]".into(), "1×4 matrix:\n 1  0  1  0"),
        ("fn nan(x) { if x < 1 { 1 } else if !(x < 1) { 2 } else { 3 } }; [nan(0 / 0), nan(0), nan(2)]".into(), "1×3 matrix:\n 2  1  2"),
        // Each operator of numbers, with constants on either side.
        (
            "fn a(x) { 2 \\ x }; fn b(x) { x % 3 }; fn c(x) { 2 ^ x }; fn d(x) { 1 ./ x }; fn e(x) { 1 - x }; fn f(x) { -x .^ 2 }; fn g(x) { 2 ⊗ x .* 3 }; [a(4), b(-7), c(3), d(4), e(3), f(3), g(2)]"
                .into(),
            "1×7 matrix:\n 2.0  2.0  8.0  0.25  -2.0  -9.0  12.0",
        ),
        // A range from -0 counts from 0, as integers do.
        ("fn f(a) { s = 0; for i in -a:1 { s = s + 1 / i }; s }; f(0)".into(), "inf"),
        // A call from a function of 256 slots (its callee's frame would start past them).
        (format!("fn g() {{ 7 }}; fn f(a) {{ {} z = g(); a }}; f(1)", (1..255).map(|i| format!("v{i} = 0;")).collect::<String>()), "1"),
        // A block assigning what the other operand read: the read comes first.
        ("fn f(x) { x + { x = 10; 1 } }; f(1)".into(), "2"),
        // Resolved at each call: a function redefined between calls.
        ("fn f(x) { g(x) + 1 }; fn g(x) { x }; a = f(1); fn g(x) { 10 * x }; (a, f(1))".into(), "(2, 11)"),
        // What scalar code leaves to the evaluator: builtins, globals, reads
        // before assignment, bools, matrices.
        ("fn h(x) { sqrt(x) + 1 }; h(4)".into(), "3"),
        ("k = 3; fn m(x) { x * k }; m(2)".into(), "6"),
        ("y = 5; fn p(x) { if x > 0 { y = 1 }; y }; (p(1), p(0))".into(), "(1, 5)"),
        ("fn lt(a, b) { a < b }; lt(1, 2)".into(), "true"),
        ("fn sq(x) { x * x }; sq([1, 2; 3, 4])".into(), "2×2 matrix:\n  7  10\n 15  22"),
        ("fn sq(x) { x * x }; sq(true)".into(), "1"),
    ] {
        assert_eq!(outcome(&code, true), expected, "{code}");
        assert_eq!(outcome(&code, false), expected, "{code} in the evaluator");
    }
    // What stops scalar code ends as the evaluator ends it: the same error,
    // span and trace.
    for code in [
        "fn f(x) { s = 0; for i in 0:x { s = s + i }; s }; f(2.5)",
        "fn r(n) { 1 + r(n + 1) }; r(0)",
        &format!("{fib}fn deep(n) {{ if n == 0 {{ fib(n) }} else {{ deep(n - 1) }} }}; deep(398) + deep(399)"),
    ] {
        let (fast, slow) = (outcome(code, true), outcome(code, false));
        assert!(fast.starts_with("error: "), "{code}: {fast}");
        assert_eq!(fast, slow, "{code}");
    }
}

/// The values of `after` once `code` ran (to its end or to an error), with
/// loops of numbers run as scalar code or in the evaluator alone.
fn state_after(code: &str, after: &str, scalar_code: bool) -> String {
    let mut s = Session::new();
    s.set_scalar_code(scalar_code);
    let ran = match s.execute(code, &mut Capture::default()) {
        Ok(_) => "ran".to_string(),
        Err(e) => format!("error: {}", e.render(code)),
    };
    let value = s.execute(after, &mut Capture::default()).map_or_else(|e| e.message, |v| display::plain(&v.unwrap()));
    format!("{ran}; {value}")
}

#[test]
fn loops_of_numbers_leave_the_variables_the_evaluator_leaves() {
    for (code, after, expected) in [
        ("s = 0; for i in 0:1000 { s = s + i }", "(s, i)", "ran; (499500, 999)"),
        // A loop that does not run leaves its variable unset (or as it was).
        ("for j in 0:0 { }", "j", "ran; `j` is not defined"),
        ("j = 7; for j in 5:5 { }", "j", "ran; 7"),
        // An inner loop that runs last with no iteration keeps its variable's last value.
        ("n = 0; for i in 0:3 { for j in 0:2 - i { n = n + 1 } }", "(n, i, j)", "ran; (3, 2, 0)"),
        (
            "i = 0; s = 0; while i < 10 { i = i + 1; if i == 5 { continue }; if i == 9 { break }; s = s + i }",
            "(i, s)",
            "ran; (9, 31)",
        ),
        // A function called from a loop, and a loop inside a function's loop.
        ("fn sq(x) { x * x }; t = 0; for k in 1:4 { t = t + sq(k) }", "t", "ran; 14"),
        // An error part way leaves what the evaluator leaves.
        ("s = 10; for i in 1:3 { s = s + i; for k in 0:s / 4 { } }", "(s, i)", "error; (11, 1)"),
        // A loop rebinding a name that a function it calls calls.
        ("fn g(x) { x }; fn f(x) { g(x) }; t = 0; for g in 0:2 { t = t + f(g) }", "(t, g)", "error; (0, 0)"),
        // What the evaluator keeps: a matrix, a string, a name from around.
        ("A = zeros(1, 3); for i in 0:3 { A[0, i] = i }", "A", "ran; 1×3 matrix:\n 0  1  2"),
        ("s = \"\"; for i in 0:2 { s = s + \"a\" }", "s", "ran; \"aa\""),
    ] {
        let fast = state_after(code, after, true);
        assert_eq!(fast, state_after(code, after, false), "{code}");
        match expected.strip_prefix("error") {
            // An error (its message checked elsewhere), and the values after it.
            Some(values) => assert!(fast.starts_with("error: ") && fast.ends_with(values), "{code}: {fast}"),
            None => assert_eq!(fast, expected, "{code}"),
        }
    }
    // The errors' messages.
    let bound = state_after("s = 10; for i in 1:3 { s = s + i; for k in 0:s / 4 { } }", "s", true);
    assert!(bound.contains("must be an integer"), "{bound}");
    let rebound = state_after("fn g(x) { x }; fn f(x) { g(x) }; for g in 0:2 { f(g) }", "g", true);
    assert!(rebound.contains("cannot be called"), "{rebound}");
}

#[test]
fn interrupt_stops_scalar_code() {
    for code in [
        "fn spin(n) { if n < 0 { 0 } else { spin(n - 1) + spin(n - 2) } }; spin(80)",
        "fn forever(x) { while true { x = x + 1 }; x }; forever(0)",
        "for i in 0:1e15 { }",
    ] {
        let mut s = Session::new();
        let setter = interrupt_after(&s, 50);
        let e = s.execute(code, &mut Capture::default()).unwrap_err();
        setter.join().unwrap();
        assert_eq!(e.kind, ErrorKind::Interrupted, "{code}: {}", e.render(code));
        if code.starts_with("for") {
            // The loop's variable is where the interrupt found it.
            assert!(matches!(s.get("i"), Some(Value::Number(x)) if x > 0.0), "{code}");
        }
    }
}
