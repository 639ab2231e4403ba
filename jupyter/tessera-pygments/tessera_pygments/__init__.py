"""Pygments lexer for Tessera; the vocabulary is generated from the Rust lexer and registry."""

from .lexer import TesseraLexer

__all__ = ["TesseraLexer"]
