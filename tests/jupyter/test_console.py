"""`jupyter console` on the Tessera kernel under a pseudo-terminal: a cell
typed over several lines continues while it is incomplete (the kernel's
is_complete), then runs."""
import os
import shutil
import sys

import pexpect
import pytest

CONSOLE = shutil.which("jupyter-console", path=os.path.dirname(sys.executable))
ESC = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"


def prompt(kind, n=None):
    """A prompt as prompt_toolkit draws it, colour codes allowed between the characters."""
    if kind == "in":
        return "In " + ESC + r"\[" + ESC + str(n) + ESC + r"\]" + ESC + ": "
    return r"\.\.\." + ESC + ": "


@pytest.mark.skipif(CONSOLE is None, reason="jupyter-console is not installed")
def test_a_multi_line_cell_in_jupyter_console():
    child = pexpect.spawn(CONSOLE, ["--kernel", "tessera"], encoding="utf-8", timeout=30, dimensions=(40, 120))
    try:
        child.expect(prompt("in", 1))
        child.sendline("fn f(x) {")
        child.expect(prompt("more"))
        child.sendline("  x + 1")
        child.expect(prompt("more"))
        child.sendline("}")
        child.expect(prompt("in", 2))
        child.sendline("f(41)")
        child.expect("Out" + ESC + r"\[" + ESC + "2" + ESC + r"\]" + ESC + ": " + ESC + "42")
    finally:
        child.close(force=True)
