"""The Tessera lexer for Pygments.

Its words and operators come from ``vocabulary.json``, which the Rust test
``vocabulary_is_current`` generates from the language's own lexer table, the
builtin registry and the session-command list; nothing here is copied from
them. The rules mirror ``lang/src/lexer.rs``: ``#`` comments to the end of the
line, double-quoted strings with the escapes ``\\n \\t \\r \\0 \\\\ \\"``
(they may span lines), numbers such as ``1``, ``1.5``, ``.5``, ``2e-3`` (a
``.`` followed by ``*``, ``/``, ``^`` or ``'`` is an operator: ``1.*x``), and
the longest operator at each point. A cell that starts with ``:`` is a session
command; ``%%rust`` and ``:rust`` cells hold Rust.
"""

import json
import re
from importlib import resources

from pygments.lexer import RegexLexer, bygroups, default, using, words
from pygments.lexers.rust import RustLexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

VOCABULARY = json.loads(resources.files(__package__).joinpath("vocabulary.json").read_text(encoding="utf-8"))

_PUNCTUATION = {"(", ")", "[", "]", "{", "}", ",", ";"}
_CONSTANT_KEYWORDS = {"true", "false"}
_IDENT = r"[^\W\d]\w*"


def _alternation(texts):
    """A regex matching any of ``texts``, the longest first."""
    return "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))


def _rules():
    keywords = [k for k in VOCABULARY["keywords"] if k not in _CONSTANT_KEYWORDS]
    operators = [o for o in VOCABULARY["operators"] if o not in _PUNCTUATION]
    escapes = _alternation(VOCABULARY["string_escapes"])
    commands = _alternation(VOCABULARY["commands"])
    return {
        "root": [
            # A whole cell of Rust.
            (r"\A(\s*)(%%rust|:rust)([^\n]*\n?)([\s\S]*)", bygroups(Whitespace, Keyword.Pseudo, using(RustLexer), using(RustLexer))),
            # `:time CODE` times code; the other commands take a word or nothing.
            (r"\A(\s*)(:time)\b", bygroups(Whitespace, Keyword.Pseudo), "code"),
            (r"\A(\s*)(:(?:" + commands + r"))\b", bygroups(Whitespace, Keyword.Pseudo), "command"),
            default("code"),
        ],
        "command": [
            (r"[^\n]+", String.Other, "#pop"),
            (r"\n", Whitespace, "#pop"),
        ],
        "code": [
            (r"[ \t\r]+", Whitespace),
            (r"\n", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r'"', String.Double, "string"),
            (r"(?:\d+(?:\.(?![*/^'])\d*)?|\.\d+)(?:[eE][+-]?\d+)?", Number),
            (r"(fn)(\s+)(" + _IDENT + ")", bygroups(Keyword, Whitespace, Name.Function)),
            (words(keywords, suffix=r"\b"), Keyword),
            (words(sorted(_CONSTANT_KEYWORDS), suffix=r"\b"), Keyword.Constant),
            (words(VOCABULARY["constants"], suffix=r"\b"), Name.Constant),
            (words(VOCABULARY["builtins"], suffix=r"\b"), Name.Builtin),
            (_IDENT, Name),
            (_alternation(operators), Operator),
            (_alternation(_PUNCTUATION), Punctuation),
            (r".", Error),
        ],
        "string": [
            (r'"', String.Double, "#pop"),
            (escapes, String.Escape),
            (r"\\.", Error),
            (r'[^"\\]+', String.Double),
        ],
    }


class TesseraLexer(RegexLexer):
    """Tessera, the matrix language of the Tessera laboratory."""

    name = "Tessera"
    aliases = ["tessera", "tsr"]
    filenames = ["*.tsr"]
    mimetypes = ["text/x-tessera"]
    tokens = _rules()
