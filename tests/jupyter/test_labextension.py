"""The prebuilt JupyterLab extension (jupyter/tessera-jupyterlab/labextension,
committed so that installing it needs no node) is built from the current
sources, and JupyterLab finds it enabled in this environment."""
import hashlib
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "jupyter" / "tessera-jupyterlab"
VOCABULARY = "../tessera-pygments/tessera_pygments/vocabulary.json"


def inputs():
    """The build's inputs, relative to the extension, in the order build.sh hashes them."""
    sources = sorted(p.relative_to(EXTENSION).as_posix() for p in (EXTENSION / "src").iterdir() if p.is_file())
    return sources + ["package.json", "package-lock.json", "tsconfig.json", VOCABULARY]


def test_the_prebuilt_extension_is_built_from_the_current_sources():
    expected = "".join(f"{hashlib.sha256((EXTENSION / name).read_bytes()).hexdigest()}  {name}\n" for name in inputs())
    recorded = (EXTENSION / "labextension.sha256").read_text()
    assert recorded == expected, "the prebuilt extension is stale: rebuild with jupyter/tessera-jupyterlab/build.sh"
    built = json.loads((EXTENSION / "labextension" / "package.json").read_text())
    assert (EXTENSION / "labextension" / built["jupyterlab"]["_build"]["load"]).is_file()


def test_jupyterlab_lists_the_extension_enabled():
    listing = subprocess.run([sys.executable, "-m", "jupyterlab.labextensions", "list"], capture_output=True,
                             text=True, check=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(r"tessera-jupyterlab v\S+ enabled OK", text), text
