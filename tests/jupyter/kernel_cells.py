"""One real Tessera kernel for a whole test class, and its cells run as a
notebook would run them (execute_interactive, outputs collected)."""
import unittest

from jupyter_client.manager import start_new_kernel


class OneKernel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="tessera")

    @classmethod
    def tearDownClass(cls):
        cls.km.shutdown_kernel(now=True)

    @classmethod
    def run_cell(cls, code, timeout=120):
        """The reply's content and every iopub message of the cell."""
        outputs = []
        reply = cls.kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append)
        return reply["content"], outputs

    def result(self, code):
        """The MIME bundle of the cell's value (it must succeed and have one)."""
        content, outputs = self.run_cell(code)
        self.assertEqual(content["status"], "ok", content)
        [data] = [o["content"]["data"] for o in outputs if o["msg_type"] == "execute_result"]
        return data

    def value(self, code):
        """The cell's value as text."""
        return self.result(code)["text/plain"]
