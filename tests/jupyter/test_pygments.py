"""The Pygments lexer (jupyter/tessera-pygments): every example and every code
block of the docs lexes without an error token, its words agree with the
generated vocabulary, the kernel names it, and nbconvert highlights with it."""
import json
import pathlib
import re
import subprocess
import sys

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from kernel_cells import OneKernel

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEXER = get_lexer_by_name("tessera")
VOCABULARY = json.loads((ROOT / "jupyter/tessera-pygments/tessera_pygments/vocabulary.json").read_text())


def sources():
    """(where, code) of every Tessera text in the repository: scripts,
    notebook cells and the docs' ```tessera blocks."""
    for path in sorted(ROOT.glob("examples/**/*.tsr")):
        yield str(path.relative_to(ROOT)), path.read_text()
    for path in sorted(ROOT.glob("examples/**/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                yield f"{path.relative_to(ROOT)} cell {i}", "".join(cell["source"])
    for path in sorted(ROOT.glob("docs/*.md")):
        for i, block in enumerate(re.findall(r"```tessera\n(.*?)```", path.read_text(), re.S)):
            yield f"{path.relative_to(ROOT)} block {i}", block


SOURCES = list(sources())


def test_there_is_much_to_lex():
    kinds = {where.split(" ")[0].rsplit(".", 1)[-1] for where, _ in SOURCES}
    assert {"tsr", "ipynb", "md"} <= kinds
    assert len(SOURCES) > 200, len(SOURCES)


@pytest.mark.parametrize("where,code", SOURCES, ids=[w for w, _ in SOURCES])
def test_no_error_tokens(where, code):
    errors = [(i, v) for i, (t, v) in enumerate(LEXER.get_tokens(code)) if t in Error]
    assert not errors, f"{where}: {errors[:5]}"


def tokens(code):
    return [(t, v) for t, v in LEXER.get_tokens(code) if v.strip()]


def test_the_words_come_from_the_vocabulary():
    for word in VOCABULARY["keywords"]:
        [(kind, text)] = tokens(word)
        assert kind in Keyword and text == word, (word, kind)
    for name in VOCABULARY["builtins"]:
        [(kind, _)] = tokens(name)
        assert kind is Name.Builtin, (name, kind)
    for name in VOCABULARY["constants"]:
        assert tokens(name)[0][0] is Name.Constant, name
    # A builtin's name inside a longer name is a plain name.
    assert tokens("kronx")[0][0] is Name


def test_operators_are_taken_longest_first_as_the_lexer_does():
    assert tokens("A .^ 2") == [(Name, "A"), (Operator, ".^"), (Number, "2")]
    # `1.*x` is 1 .* x, and `1.5'` is a number and a transpose.
    assert tokens("1.*x") == [(Number, "1"), (Operator, ".*"), (Name, "x")]
    assert tokens("1.5'")[:2] == [(Number, "1.5"), (Operator, "'")]
    assert tokens("A ⊗ B ⊕ C")[1] == (Operator, "⊗")
    for op in VOCABULARY["operators"]:
        assert all(kind not in Error for kind, _ in tokens(f"a {op} b")), op


def test_strings_escapes_and_comments():
    kinds = dict((v, t) for t, v in tokens('print("a\\tb") # done'))
    assert kinds["\\t"] in String.Escape
    assert kinds["# done"] in Comment
    assert any(t in Error for t, _ in LEXER.get_tokens('"\\q"')), "an unknown escape is an error, as in Tessera"


def test_commands_and_rust_cells():
    assert tokens(":vars")[0] == (Keyword.Pseudo, ":vars")
    timed = tokens(":time svd(eye(3))")
    assert timed[0] == (Keyword.Pseudo, ":time") and (Name.Builtin, "svd") in timed
    rust = tokens("%%rust\nlet x: f64 = 1.0;")
    assert rust[0] == (Keyword.Pseudo, "%%rust") and (Keyword.Declaration, "let") in rust


def test_the_lexer_is_found_by_file_name():
    assert isinstance(get_lexer_for_filename("camera.tsr"), type(LEXER))


class KernelNamesTheLexer(OneKernel):
    def test_kernel_info_names_the_pygments_lexer(self):
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["content"]["language_info"]["pygments_lexer"], "tessera")


def test_nbconvert_highlights_the_tour(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(tmp_path), str(ROOT / "examples/tour.ipynb")],
        check=True,
        capture_output=True,
    )
    html = (tmp_path / "tour.html").read_text()
    # Pygments' classes: nb builtins, k keywords, mi/mf numbers, o operators.
    for css in ["nb", "o", "p"]:
        assert f'<span class="{css}">' in html, css
    assert re.search(r'<span class="nb">kron</span>', html)
