"""JupyterLab in a real browser (Debian's headless Chromium, driven by
selenium through chromedriver) on the Tessera kernel, with the Tessera
extension (jupyter/tessera-jupyterlab) installed: cells are highlighted by
token class, Shift-Tab inside a call shows its help, a wide matrix's table
fits its output area, and the camera notebook's tuple shows K inline. One
server and one browser serve the module; every notebook opens in a workspace
of its own, so that none restores another."""
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request
import uuid

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
# Chromium's flags for a root user on a machine with no network beyond localhost.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1000",
]
# JupyterLab's user settings for the test: every cell attached to the page
# (the default content-visibility windowing may leave editors unrendered), no
# news, update checks or toasts (which could cover a cell).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}
WAIT_S = 60
RUN_ALL_S = 180


def empty_notebook(cells):
    """A notebook of `cells` empty code cells on the Tessera kernel; its
    language comes from the kernel's kernel_info, as for a new notebook."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "tessera", "display_name": "Tessera", "language": "tessera"}},
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": "", "outputs": [],
                   "execution_count": None} for i in range(cells)],
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server and a browser on it."""

    def __init__(self, tmp):
        self.root = tmp / "notebooks"
        self.root.mkdir()
        # camera.ipynb loads data/motorcycle_disparity.npy.
        shutil.copy(EXAMPLES / "camera.ipynb", self.root)
        (self.root / "data").mkdir()
        shutil.copy(EXAMPLES / "data" / "motorcycle_disparity.npy", self.root / "data")
        (self.root / "scratch.ipynb").write_text(json.dumps(empty_notebook(3)))
        for name, values in SETTINGS.items():
            path = tmp / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        for name in ("config", "data", "runtime"):
            (tmp / name).mkdir()
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
        self.token = uuid.uuid4().hex
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(tmp / "jupyter-lab.log", "w")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={tmp / 'settings'}",
             f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        # WebDriverWait polls any callable; here, the server until it answers.
        WebDriverWait(self, WAIT_S, ignored_exceptions=(OSError,)).until(lambda _: self.serving())
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp / 'chromium'}"]:
            options.add_argument(flag)
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))

    def serving(self):
        if self.server.poll() is not None:
            log = pathlib.Path(self.log.name).read_text()
            raise RuntimeError(f"jupyter lab exited with {self.server.returncode}:\n{log[-3000:]}")
        with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5) as r:
            return r.status == 200

    def open(self, name):
        """Opens notebook `name` in a workspace of its own; its panel, once
        every code cell is a Tessera editor and the kernel is idle."""
        cells = sum(c["cell_type"] == "code" for c in json.loads((self.root / name).read_text())["cells"])
        workspace = re.sub(r"\W", "-", name)
        self.driver.get(f"{self.url}/lab/workspaces/{workspace}/tree/{name}?token={self.token}")
        panel = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel"))
        # CodeMirror names the language of an editor in data-language.
        self.wait(lambda _: len(panel.find_elements(
            By.CSS_SELECTOR, ".jp-CodeCell .cm-content[data-language='tessera']")) == cells)
        self.wait(lambda d: "Tessera | Idle" in d.find_element(By.ID, "jp-main-statusbar").text)
        return panel

    def wait(self, condition, timeout=WAIT_S):
        return WebDriverWait(self.driver, timeout).until(condition)

    def close(self):
        self.driver.quit()
        self.server.terminate()
        self.server.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def lab():
    if not (CHROMIUM and CHROMEDRIVER):
        reason = "chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with tempfile.TemporaryDirectory(prefix="tessera-lab-") as tmp:
        lab = Lab(pathlib.Path(tmp))
        try:
            yield lab
        finally:
            lab.close()


@pytest.fixture(scope="module")
def scratch(lab):
    """The panel of scratch.ipynb, three empty cells, one for each test that types."""
    return lab.open("scratch.ipynb")


def type_into(lab, panel, cell, text):
    """Types `text` into code cell number `cell` of `panel`; that cell's element."""
    element = panel.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")[cell]
    element.find_element(By.CSS_SELECTOR, ".cm-content").click()
    lab.wait(lambda _: element.find_element(By.CSS_SELECTOR, ".cm-editor.cm-focused"))
    ActionChains(lab.driver).send_keys(text).perform()
    return element


# The class attribute and colour of every highlighted token of a cell, and the
# colour of its unhighlighted text.
TOKENS_JS = """
const spans = [...arguments[0].querySelectorAll('.cm-line span')];
return {
  plain: getComputedStyle(arguments[0].querySelector('.cm-line')).color,
  spans: spans.map(s => [s.textContent, s.className, getComputedStyle(s).color]),
};
"""


def test_a_tessera_cell_is_highlighted_by_token_class(lab, scratch):
    cell = type_into(lab, scratch, 0, "for i in 1:3 { x = kron(eye(2), [1, 2]) # note")
    # The language arrives with the kernel's kernel_info; wait for its spans.
    want = {"keyword": "for", "builtin": "kron", "number": "1", "comment": "# note"}

    def highlighted(driver):
        tokens = driver.execute_script(TOKENS_JS, cell)
        return tokens if set(want.values()) <= {text for text, _, _ in tokens["spans"]} else None

    tokens = lab.wait(highlighted)
    spans = {text: (cls, colour) for text, cls, colour in tokens["spans"]}
    classes = {kind: spans[text][0] for kind, text in want.items()}
    assert all(classes.values()) and len(set(classes.values())) == len(want), classes
    uncoloured = [text for text in want.values() if spans[text][1] == tokens["plain"]]
    assert not uncoloured, f"tokens in the plain text colour {tokens['plain']}: {uncoloured}"


def test_shift_tab_inside_a_call_shows_its_help(lab, scratch):
    type_into(lab, scratch, 1, "kron(")
    ActionChains(lab.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    tooltip = lab.wait(lambda d: d.find_element(By.CSS_SELECTOR, ".jp-Tooltip"))
    lab.wait(lambda _: tooltip.text.strip())
    assert "kron(A, B" in tooltip.text and "Kronecker product" in tooltip.text, tooltip.text
    # Escape closes it (it would cover the next cell).
    ActionChains(lab.driver).send_keys(Keys.ESCAPE).perform()
    lab.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, ".jp-Tooltip"))


def test_a_wide_matrix_table_fits_its_output_area(lab, scratch):
    cell = type_into(lab, scratch, 2, "randn(20, 30)")
    ActionChains(lab.driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    table = lab.wait(lambda _: cell.find_element(By.CSS_SELECTOR, ".jp-OutputArea-output table"))
    widths = lab.driver.execute_script(
        "return [arguments[0].getBoundingClientRect().width,"
        " arguments[0].closest('.jp-OutputArea-output').getBoundingClientRect().width];", table)
    assert widths[0] <= widths[1], f"table {widths[0]} px wide in an output area of {widths[1]} px"


def test_the_camera_notebook_shows_k_inside_its_tuple(lab):
    panel = lab.open("camera.ipynb")
    menu = lab.wait(lambda d: d.find_element(By.XPATH, "//li[contains(@class, 'lm-MenuBar-item')][.='Run']"))
    menu.click()
    lab.wait(lambda d: d.find_element(
        By.XPATH, "//li[contains(@class, 'lm-Menu-item')][.//div[contains(@class, 'lm-Menu-itemLabel')]"
                  "[.='Run All Cells']]")).click()
    # Every code cell has run once its prompt shows an execution count.
    lab.wait(lambda _: all(re.fullmatch(r"\[\d+\]:", p.text.strip())
                           for p in panel.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")), RUN_ALL_S)
    lab.wait(lambda d: "Tessera | Idle" in d.find_element(By.ID, "jp-main-statusbar").text)
    [cell] = [c for c in panel.find_elements(By.CSS_SELECTOR, ".jp-CodeCell")
              if "(reproj_error(P_hat, X, x), d.K)" in [line.text for line in c.find_elements(By.CSS_SELECTOR, ".cm-line")]]
    shown = cell.find_element(By.CSS_SELECTOR, ".jp-OutputArea-output").text
    # K = intrinsics(1000, 990, 640, 360), estimated from noisy pixels: its
    # focal lengths and principal point, each within 5%.
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", shown)]
    missing = [k for k in (1000, 990, 640, 360) if not any(abs(n - k) < 0.05 * k for n in numbers)]
    assert not missing, f"the tuple does not show K's entries near {missing}: {shown!r}"
