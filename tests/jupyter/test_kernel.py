"""The Tessera kernel under the community's conformance suite
(jupyter_kernel_test) and jupyter_client: interrupt, forged signatures,
restart, and a parent that dies.

Run by scripts/test with JUPYTER_PATH pointing at a kernelspec installed by
`tessera kernel install --prefix`.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import jupyter_kernel_test as jkt
from jupyter_client.manager import start_new_kernel


class TesseraKernelTests(jkt.KernelTests):
    kernel_name = "tessera"
    language_name = "tessera"
    file_extension = ".tsr"

    code_hello_world = 'print("hello, world")'
    code_stderr = 'eprint("careful")'
    completion_samples = [
        {"text": "kronsu", "matches": {"kronsum"}},
        {"text": "x = svdv", "matches": {"svdvals"}},
    ]
    complete_code_samples = ["1 + 1", "A = [1, 2; 3, 4]", "fn f(x) = x^2"]
    incomplete_code_samples = ["A = [1, 2", "fn f(x) {", "for i in 0:3 {"]
    invalid_code_samples = ["x = )", "1 + * 2"]
    code_page_something = "?kron"
    code_generate_error = "undefined_thing + 1"
    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "det([1, 2; 3, 4])", "result": "-2"},
        {"code": "kron(eye(5), ones(4, 4))", "result": "20×20 Kronecker (5×5 ⊗ 4×4), 41 stored of 400"},
        {"code": "kron(eye(2), [1, 2])", "result": "2×4 Kronecker (2×2 ⊗ 1×2), 6 stored of 8:\n A₁ = [1, 0; 0, 1]\n A₂ = [1, 2]"},
    ]
    code_display_data = [
        {"code": "display(eye(2))", "mime": "text/html"},
        {"code": "display(eye(2))", "mime": "text/latex"},
        {"code": "heatmap(eye(8))", "mime": "image/svg+xml"},
        {"code": "f = spy(kron(eye(4), ones(2, 2))); display(f)", "mime": "image/png"},
    ]
    code_history_pattern = "det(*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "kron"
    code_clear_output = "clear_output()"


class ClientTests(unittest.TestCase):
    def setUp(self):
        self.km, self.kc = start_new_kernel(kernel_name="tessera")

    def tearDown(self):
        if self.km.is_alive():
            self.km.shutdown_kernel(now=True)

    def run_cell(self, code):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=30, output_hook=outputs.append)
        return reply["content"], outputs

    def test_interrupt_stops_a_loop_and_keeps_variables(self):
        self.run_cell("kept = 41")
        msg_id = self.kc.execute("i = 0; while true { i = i + 1 }")
        time.sleep(0.5)
        started = time.time()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        self.assertLess(time.time() - started, 5)
        content, outputs = self.run_cell("kept + 1")
        self.assertEqual(content["status"], "ok")
        results = [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"]
        self.assertEqual(results, ["42"])

    def test_plot_modes_choose_images_text_or_a_summary(self):
        def shown(code):
            content, outputs = self.run_cell(code)
            self.assertEqual(content["status"], "ok")
            return [o["content"]["data"] for o in outputs if o["msg_type"] == "display_data"]
        # Both images by default (SPEC v1); under :figure auto a line plot is SVG
        # and a large raster PNG; :figure png is PNG alone.
        [inline] = shown("hist([1, 2, 2, 3])")
        self.assertEqual(set(inline), {"text/plain", "image/svg+xml", "image/png"})
        shown(":figure auto")
        [vector] = shown("hist([1, 2, 2, 3])")
        self.assertEqual(set(vector), {"text/plain", "image/svg+xml"})
        [raster] = shown("heatmap(randn(1000, 1000))")
        self.assertEqual(set(raster), {"text/plain", "image/png"})
        shown(":figure png")
        [png] = shown("hist([1, 2, 2, 3])")
        self.assertEqual(set(png), {"text/plain", "image/png"})
        shown(":figure both")
        shown(":plot text")
        [text] = shown("spy(eye(4))")
        self.assertEqual(set(text), {"text/plain"})
        self.assertIn("⣿", text["text/plain"])
        shown(":plot off")
        [off] = shown("spy(eye(4))")
        self.assertEqual(off, {"text/plain": "figure: spy of a 4×4 matrix (640×480 px)"})

    def test_shift_tab_inside_an_open_call_shows_the_callee(self):
        self.run_cell("A = eye(2)")
        for code in ["kron(", "kron(A, ", "y = kron(A, ", "norm(A, ", "θ = kron(A, ["]:
            self.kc.inspect(code, len(code))  # cursor_pos counts characters
            reply = self.kc.get_shell_msg(timeout=10)["content"]
            self.assertEqual(reply["status"], "ok")
            self.assertTrue(reply["found"], code)
            name = code.split("(")[0].split()[-1]
            self.assertTrue(reply["data"]["text/plain"].startswith(name + "("), (code, reply["data"]))
        # On a variable outside a call: its value.
        self.kc.inspect("A", 1)
        reply = self.kc.get_shell_msg(timeout=10)["content"]
        self.assertTrue(reply["found"] and reply["data"]["text/plain"].startswith("A: matrix"), reply)

    def complete(self, code):
        self.kc.complete(code, len(code))
        return self.kc.get_shell_msg(timeout=10)["content"]

    def test_completion_reports_each_matchs_kind_and_signature(self):
        self.run_cell("kron_data = eye(3)")
        reply = self.complete("kro")
        self.assertEqual(reply["matches"], ["kron", "kron_data", "kronsum"])
        types = reply["metadata"]["_jupyter_types_experimental"]
        self.assertEqual([(t["text"], t["type"], t["signature"]) for t in types], [
            ("kron", "builtin", "kron(A, B, ...)"),
            ("kron_data", "variable", "3×3 matrix"),
            ("kronsum", "builtin", "kronsum(A, B)"),
        ])
        self.assertTrue(all((t["start"], t["end"]) == (0, 3) for t in types), types)
        self.assertEqual(self.complete(":ti")["metadata"]["_jupyter_types_experimental"][0]["type"], "command")
        # A cell magic at the start of a cell.
        reply = self.complete("%%ru")
        self.assertEqual((reply["matches"], reply["cursor_start"], reply["cursor_end"]), (["%%rust"], 0, 4))
        self.assertEqual(reply["metadata"]["_jupyter_types_experimental"][0]["type"], "magic")

    def test_an_open_cell_continues_indented_by_its_open_brackets(self):
        for code, indent in [("for i in 0:3 {", 4), ("for i in 0:3 {\n    if i > 1 {", 8),
                             ("for i in 0:3 {\n    if i > 1 {\n        x = i\n        }", 4),
                             ("A = [1, 2,", 4), ('s = "{ not a bracket', 4)]:
            self.kc.is_complete(code)
            reply = self.kc.get_shell_msg(timeout=10)["content"]
            self.assertEqual((reply["status"], reply["indent"]), ("incomplete", " " * indent), code)

    def test_user_expressions(self):
        self.run_cell("A = [1, 2; 3, 4]")
        reply = self.kc.execute_interactive("b = 2", user_expressions={"d": "det(A)", "bad": "nope"}, timeout=30)
        e = reply["content"]["user_expressions"]
        self.assertEqual(e["d"]["status"], "ok")
        self.assertEqual(e["d"]["data"]["text/plain"], "-2")
        self.assertEqual(e["bad"]["status"], "error")
        self.assertEqual(e["bad"]["ename"], "NameError")

    def test_sigint_interrupts_too(self):
        self.run_cell("kept = 1")
        self.kc.execute("while true { kept = kept + 1 }")
        time.sleep(0.5)
        os.kill(self.km.provisioner.process.pid, signal.SIGINT)
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        content, outputs = self.run_cell("kept > 1")
        results = [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"]
        self.assertEqual(results, ["true"])

    def test_kernelspec_has_its_logos_and_argv(self):
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("tessera")
        self.assertEqual(spec.display_name, "Tessera")
        self.assertEqual(spec.language, "tessera")
        self.assertEqual(spec.argv[1:], ["kernel", "--connection-file", "{connection_file}"])
        for logo in ("logo-32x32.png", "logo-64x64.png"):
            with open(os.path.join(spec.resource_dir, logo), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_forged_signature_gets_no_reply_and_the_kernel_lives_on(self):
        session = self.kc.session
        real_key = session.key
        session.key = b"not-the-key"
        try:
            self.kc.execute("forged = 1")
            with self.assertRaises(Exception):
                self.kc.get_shell_msg(timeout=1.5)
        finally:
            session.key = real_key
        content, outputs = self.run_cell("1 + 1")
        self.assertEqual(content["status"], "ok")
        content, _ = self.run_cell("forged")
        self.assertEqual(content["status"], "error", "the forged cell must not have run")

    def test_restart_gives_a_fresh_session(self):
        self.run_cell("before_restart = 1")
        self.km.restart_kernel(now=True)
        self.kc.stop_channels()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)
        content, _ = self.run_cell("before_restart")
        self.assertEqual(content["status"], "error")
        content, _ = self.run_cell("1 + 1")
        self.assertEqual(content["status"], "ok")


class OrphanTest(unittest.TestCase):
    def test_kernel_exits_when_its_parent_dies(self):
        """A parent process starts the kernel and is killed; the kernel must exit."""
        with tempfile.TemporaryDirectory() as tmp:
            pid_file = os.path.join(tmp, "kernel.pid")
            parent = subprocess.Popen([sys.executable, "-c", _PARENT, pid_file])
            for _ in range(100):
                if os.path.exists(pid_file) and open(pid_file).read().strip():
                    break
                time.sleep(0.1)
            kernel_pid = int(open(pid_file).read())
            parent.kill()
            parent.wait()
            for _ in range(100):
                try:
                    os.kill(kernel_pid, 0)
                except ProcessLookupError:
                    return
                try:
                    os.waitpid(kernel_pid, os.WNOHANG)
                except ChildProcessError:
                    pass
                time.sleep(0.1)
            os.kill(kernel_pid, signal.SIGKILL)
            self.fail("the kernel outlived its parent by 10 s")


_PARENT = r"""
import json, sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name="tessera")
km.start_kernel()
open(sys.argv[1], "w").write(str(km.provisioner.process.pid))
time.sleep(600)
"""


if __name__ == "__main__":
    unittest.main()
