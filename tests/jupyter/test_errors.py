"""Errors through the real kernel: each class of error has its own `ename`,
a bug in a builtin is an InternalError reply and the kernel lives on, and the
fuzzing round's reproducers end in errors with every variable kept.

The binary under test is the one `cargo test` built, which has the test-only
builtin `panic_for_test` (the `panic-builtin` feature of tessera-lang).
"""
import kernel_cells


class ErrorReplyTests(kernel_cells.OneKernel):
    def error(self, code):
        content, outputs = self.run_cell(code)
        self.assertEqual(content["status"], "error", content)
        [broadcast] = [o["content"] for o in outputs if o["msg_type"] == "error"]
        self.assertEqual(broadcast["ename"], content["ename"])
        return content

    def test_each_class_of_error_has_its_name(self):
        self.run_cell("kept = 7")
        for code, ename, evalue in [
            ("x = )", "SyntaxError", "expected an expression"),
            ("nosuch + 1", "NameError", "`nosuch` is not defined"),
            ("for i in 3.5 { }", "TypeError", "cannot loop over a number"),
            ("zeros(-1, 2)", "ArgumentError", "a size must not be negative"),
            ("[1, 2] * [3, 4]", "ShapeError", "*: shapes 1×2 and 1×2 do not match"),
            ("inv([1, 2; 2, 4])", "SingularError", "inv: matrix is singular"),
            ("chol([1, 2; 2, 1])", "DomainError", "chol: matrix is not symmetric positive definite"),
            ('load("/nonexistent/m.npy")', "FileError", 'load: cannot read "/nonexistent/m.npy"'),
            ("ones(1e6, 1e6)", "MemoryError", "ones: a 1000000×1000000 matrix would take 7.3 TiB"),
            ('panic_for_test("boom")', "InternalError", "internal error in `panic_for_test`: boom"),
        ]:
            with self.subTest(code=code):
                content = self.error(code)
                self.assertEqual(content["ename"], ename, content)
                self.assertIn(evalue, content["evalue"])
                self.assertTrue(any("at line 1, column" in line for line in content["traceback"]), content)
        self.assertEqual(self.value("kept"), "7")

    def test_a_panicking_builtin_leaves_the_kernel_and_the_variables(self):
        self.run_cell("before = 41")
        content = self.error('during = 1; panic_for_test("a bug on purpose")')
        self.assertEqual(content["ename"], "InternalError")
        self.assertIn("a bug on purpose (at lang/src/builtins/system.rs:", content["evalue"])
        self.assertIn("this is a bug in Tessera", "\n".join(content["traceback"]))
        self.assertEqual(self.value("before + during"), "42")
        self.assertTrue(self.km.is_alive())

    def test_an_error_three_calls_deep_lists_each_call_in_the_traceback(self):
        self.run_cell("fn h(x) = inv(x)\nfn g(x) = h(x) + 1")
        content = self.error("fn f(x) = 2 * g(x)\nf(zeros(2, 2))")
        self.assertEqual(content["ename"], "SingularError")
        calls = [line for line in content["traceback"] if line.startswith("  in ")]
        self.assertEqual(calls, [
            "  in h, called at line 2, column 11 of an earlier cell: fn g(x) = h(x) + 1",
            "  in g, called at line 1, column 15: fn f(x) = 2 * g(x)",
            "  in f, called at line 2, column 1: f(zeros(2, 2))",
        ])

    def test_fuzz_reproducers_end_in_errors(self):
        self.run_cell("kept = 7")
        self.run_cell("fn fz(x) = x + nosuch")
        content = self.error('"⊗⊗⊗⊗⊗⊗"; fz(1)')
        self.assertEqual(content["ename"], "NameError")
        self.assertIn("  at line 1, column 16 of an earlier cell", content["traceback"])
        self.assertIn("  1 | fn fz(x) = x + nosuch", content["traceback"])
        for code in ["sum(0:9e15)", "diagm(0:1e5)", "zeros(1e5, 1) + zeros(1, 1e5)", "rope_matrix(1e5, 1)",
                     "hist([1, 2], bins = 1e12)", "monarch(1e10, 1e5)", "zeros(0, 9e15)",
                     "K = kron(eye(1000), eye(1000)); svd(K)"]:
            with self.subTest(code=code):
                self.assertEqual(self.error(code)["ename"], "MemoryError")
        self.assertEqual(self.value("(0:9e15)[0]"), "0")
        self.assertEqual(self.value("size(K[0, :])"), "(1, 1000000)")
        self.assertEqual(self.value("kept"), "7")
