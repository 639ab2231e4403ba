"""Every notebook in examples/ runs headless (nbclient) on the Tessera kernel,
in its own folder, without error; the tour shows what it should, and the
domain notebooks agree with the reference libraries (oracle.json, written by
tests/fixtures/generate.py)."""
import functools
import json
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
ORACLE = json.loads((EXAMPLES.parent / "tests" / "fixtures" / "oracle.json").read_text())
RUST = sorted(EXAMPLES.glob("rust/*.ipynb"))
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb")) + sorted(EXAMPLES.glob("figures/*.ipynb")) + RUST
FIGURES = sorted(EXAMPLES.glob("figures/*.ipynb"))
# A notebook's first Rust cell may compile the stdlib (on a machine's first use).
RUST_TIMEOUT_S = 1800


@functools.lru_cache(maxsize=None)
def run(path):
    """The notebook executed, once per test session (several tests read it)."""
    nb = nbformat.read(path, as_version=4)
    timeout = RUST_TIMEOUT_S if path in RUST else 120
    NotebookClient(nb, timeout=timeout, kernel_name="tessera", allow_errors=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def texts(cell):
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] in ("execute_result", "display_data"):
            out.append(o["data"]["text/plain"])
        elif o["output_type"] == "stream":
            out.append(o["text"])
    return out


def test_there_are_example_notebooks():
    assert NOTEBOOKS, "examples/*.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_error(path):
    run(path)


def test_the_tour_shows_its_results():
    nb = run(EXAMPLES / "tour.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert texts(code[0]) == ["2×2 matrix:\n 4  1\n 1  3"]
    assert "text/html" in code[0]["outputs"][0]["data"] and "text/latex" in code[0]["outputs"][0]["data"]
    assert texts(code[1]) == ["(11, 7, 1)"]
    assert texts(code[3]) == ["4096×4096 Kronecker (64×64 ⊗ 64×64), 8192 stored of 16777216"]
    assert texts(code[4]) == ["true"]
    assert texts(code[6]) == ["(24, 5)"]
    assert texts(code[8]) == ["true"]
    assert texts(code[-1]) == ["done: 2\n"]


def test_a_cubecl_kernel_written_in_a_rust_cell_agrees_with_tessera():
    cells = code_cells("rust/cubecl_kernel.ipynb")
    [shown] = [o for o in cells[2]["outputs"] if o["output_type"] == "execute_result"]
    assert shown["data"]["text/plain"].startswith("3×3 matrix:")
    assert "text/html" in shown["data"]
    assert texts(cells[-1]) == ["true"]


def code_cells(name):
    return [c for c in run(EXAMPLES / name).cells if c.cell_type == "code"]


def test_the_covariance_notebook_scores_as_pyriemann():
    code = code_cells("covariance.ipynb")
    assert texts(code[1]) == ["(92, 24)"]
    assert texts(code[3]) == [str(ORACLE["basic_motions"]["accuracy"])]


def test_the_camera_notebook_finds_numpys_depths():
    code = code_cells("camera.ipynb")
    m = ORACLE["motorcycle"]
    expected = f"((250, 371), {m['valid']}, {m['nearest_mm']!r}, {m['median_mm']!r}, {m['farthest_mm']!r})"
    assert texts(code[-1]) == [expected]


def test_the_rope_notebook_shows_liere_breaking_relativity():
    code = code_cells("rope.ipynb")
    (ap, ld, lie) = (float(x) for x in texts(code[2])[0].strip("()").split(", "))
    assert ap < 1e-12 and ld < 1e-12 and lie > 0.1


def test_the_minilm_notebook_ranks_the_real_weights_as_numpy():
    table, ranking, decay = code_cells("minilm.ipynb")
    [shown] = [o for o in table["outputs"] if o["output_type"] == "execute_result"]
    assert "record of 104 fields" in shown["data"]["text/plain"]
    assert "embeddings.word_embeddings.weight" in shown["data"]["text/html"]
    lines = "".join(texts(ranking)).splitlines()
    assert lines[0].startswith("rank-32 relative error")
    ranked = [(name, float(error)) for name, error in (line.split() for line in lines[1:])]
    numpy = ORACLE["minilm"]["errors"]
    assert [name for name, _ in ranked] == sorted(numpy, key=lambda n: -numpy[n])
    assert all(abs(error - numpy[name]) <= 5e-7 for name, error in ranked)
    [figure] = [o for o in decay["outputs"] if o["output_type"] == "display_data"]
    assert figure["data"]["text/plain"].startswith("figure: plot 6 series")
    assert "image/png" in figure["data"] or "image/svg+xml" in figure["data"]


def test_there_is_a_figure_notebook_per_kind():
    assert [p.stem for p in FIGURES] == ["heatmap", "hist", "plot", "scatter", "spectrum", "spy"]


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.name)
def test_figure_notebooks_show_each_figure_as_svg_and_png(path):
    import base64
    import xml.dom.minidom
    nb = run(path)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        shown = [o for o in cell.outputs if o["output_type"] == "display_data"]
        assert shown, f"{path.name}: a figure cell shows a figure: {cell.source}"
        assert not [o for o in cell.outputs if o["output_type"] == "execute_result"], "figures are display_data"
        for o in shown:
            data = o["data"]
            assert data["text/plain"].startswith(f"figure: {path.stem}")
            svg = xml.dom.minidom.parseString(data["image/svg+xml"])
            assert svg.documentElement.tagName == "svg"
            png = base64.b64decode(data["image/png"])
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
