"""`%%rust` cells on the real kernel: session matrices go in by name and come
back with session::set, compile errors point into the cell, panics are
errors, and in every case the session keeps its variables.

One kernel serves the whole class, so evcxr starts (and compiles the stdlib,
or finds it built) once.
"""
import time
import unittest

import kernel_cells
from jupyter_client.manager import start_new_kernel

# The first Rust cell of a machine compiles the stdlib and its dependencies.
FIRST_CELL_S = 1800


class RustCellTests(kernel_cells.OneKernel):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        content, _ = cls.run_cell("%%rust\n1 + 1", timeout=FIRST_CELL_S)
        assert content["status"] == "ok", content

    def streams(self, outputs, name):
        return "".join(o["content"]["text"] for o in outputs if o["msg_type"] == "stream" and o["content"]["name"] == name)

    def test_a_rust_cell_reads_a_session_matrix_and_hands_one_back(self):
        self.run_cell("A = [1, 2; 3, 4]")
        content, outputs = self.run_cell(
            '%%rust\nlet B = A.matmul(&A.transpose())?.scale(0.5);\nprintln!("{}", B.rows());\nsession::set("B", &B)?;'
        )
        self.assertEqual(content["status"], "ok", content)
        self.assertEqual(self.streams(outputs, "stdout"), "2\n")
        # B = A Aᵀ / 2 = [2.5, 5.5; 5.5, 12.5], computed on the Tessera side too.
        self.assertEqual(self.result("B")["text/plain"], "2×2 matrix:\n 2.5   5.5\n 5.5  12.5")
        self.assertEqual(self.result("norm(B - A * A' / 2)")["text/plain"], "0")

    def test_operators_and_numbers_cross_with_their_kinds(self):
        self.run_cell("K = kron(eye(2), [1, 2; 3, 4]); s = 0.25")
        content, _ = self.run_cell(
            '%%rust\nassert!(matches!(K, Operator::Kronecker { .. }));\n'
            'session::set("Kt", K.transpose())?;\nsession::set("t", s * 2.0)?;'
        )
        self.assertEqual(content["status"], "ok", content)
        self.assertEqual(self.result("Kt")["text/plain"],
                         "4×4 Kronecker (2×2 ⊗ 2×2), 8 stored of 16:\n A₁ = [1, 0; 0, 1]\n A₂ = [1, 3; 2, 4]")
        self.assertEqual(self.result("t")["text/plain"], "0.5")

    def test_rust_variables_live_on_between_cells(self):
        self.run_cell("%%rust\nlet mut count = 40;")
        self.assertEqual(self.result("%%rust\ncount += 2;\ncount")["text/plain"], "42")

    def test_a_compile_error_points_into_the_cell_and_the_session_survives(self):
        self.run_cell("kept = [7]")
        content, _ = self.run_cell("%%rust\nlet fine = 1;\nlet x: f64 = kept;")
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "RustError")
        self.assertIn("mismatched types [E0308]", content["evalue"])
        text = "\n".join(content["traceback"])
        # The span is the cell's third line (the %%rust line is the first), under `kept`.
        self.assertIn("at line 3, column 14", text)
        self.assertIn("3 | let x: f64 = kept;", text)
        self.assertIn("^^^^", text)
        self.assertEqual(self.result("kept")["text/plain"], "1×1 matrix:\n 7")
        self.assertEqual(self.result("%%rust\nkept.rows() + 1")["text/plain"], "2")

    def test_a_panic_is_an_error_and_the_session_survives(self):
        self.run_cell("kept2 = 3")
        content, _ = self.run_cell('%%rust\nlet v: Vec<f64> = Vec::new();\nif v.is_empty() { panic!("no data: {}", kept2) }')
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "RustError")
        self.assertEqual(content["evalue"], "the Rust cell panicked: no data: 3")
        self.assertEqual(self.result("kept2 + 1")["text/plain"], "4")
        self.assertEqual(self.result("%%rust\nkept2 * 2.0")["text/plain"], "6.0")

    def test_a_matrix_shows_as_html_and_latex(self):
        self.run_cell("M = [1, 2; 3, 4]")
        data = self.result("%%rust\nM.scale(2.0)")
        self.assertEqual(set(data), {"text/plain", "text/html", "text/latex"})
        self.assertIn(">2×2 matrix</caption>", data["text/html"])
        self.assertEqual(data["text/latex"], "$$\\begin{bmatrix} 2 & 4 \\\\ 6 & 8 \\end{bmatrix}$$")

    def test_a_figure_shows_as_svg_and_png(self):
        data = self.result("%%rust\ntessera::figure::Figure::heatmap(Matrix::eye(4))?")
        self.assertEqual(set(data), {"text/plain", "image/svg+xml", "image/png"})

    def test_a_question_mark_error_is_reported(self):
        content, outputs = self.run_cell('%%rust\nsession::set("2x", 1.0)?;')
        self.assertIn("not a variable name", self.streams(outputs, "stderr"))

    def test_bad_names_and_interrupts(self):
        self.run_cell("kept3 = 5")
        msg_id = self.kc.execute("%%rust\nloop { std::thread::sleep(std::time::Duration::from_millis(10)); }")
        time.sleep(3)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=60)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertEqual(self.result("kept3")["text/plain"], "5")
        # The Rust side starts again, without its old variables.
        self.assertEqual(self.result("%%rust\nkept3 + 1.0")["text/plain"], "6.0")

    def test_is_complete_follows_rust_brackets(self):
        def status(code):
            self.kc.is_complete(code)
            return self.kc.get_shell_msg(timeout=10)["content"]["status"]
        self.assertEqual(status("%%rust\nfn f() {"), "incomplete")
        self.assertEqual(status("%%rust\nfn f() {}"), "complete")

    def complete(self, code):
        self.kc.complete(code, len(code))
        return self.kc.get_shell_msg(timeout=60)["content"]

    def test_tab_in_a_rust_cell_completes_rust_with_session_variables_typed(self):
        self.run_cell("Mc = [1, 2; 3, 4]")
        code = "%%rust\n:fmt {:?}\nlet r = Mc.transp"
        content = self.complete(code)
        self.assertIn("transpose()", content["matches"])
        self.assertEqual(content["cursor_start"], len(code) - len("transp"))
        self.assertEqual(content["cursor_end"], len(code))
        # Tessera's own names are not offered in Rust, nor its documentation.
        self.assertNotIn("kron", self.complete("%%rust\nkro")["matches"])
        self.kc.inspect("%%rust\nMc.transpose()", 5)
        self.assertFalse(self.kc.get_shell_msg(timeout=60)["content"]["found"])


class RustCellsNotStarted(unittest.TestCase):
    def test_tab_before_any_rust_cell_offers_nothing_and_starts_nothing(self):
        km, kc = start_new_kernel(kernel_name="tessera")
        try:
            code = "%%rust\nlet v = vec![1];\nv.le"
            kc.complete(code, len(code))
            content = kc.get_shell_msg(timeout=10)["content"]
            self.assertEqual((content["matches"], content["cursor_start"]), ([], len(code)))
            kc.complete("kro", 3)
            self.assertIn("kron", kc.get_shell_msg(timeout=10)["content"]["matches"])
        finally:
            km.shutdown_kernel(now=True)
