"""Exact match and statement accuracy: the one implementation every scorer uses (``generate``, ``eval``, baselines).

Both read text with tree-sitter-cpp (``vega_llvm.corpus.parse``), so whitespace, comments and formatting never count,
and both read the *whole* candidate: text after the function's body (a model that ran on) is part of the candidate,
never cut away.

- A candidate is a bare body (``{ ... }``; its signature is the real one, which is what a swap compiles) or a
  function with its own signature.
- Exact match: the candidate's tokens equal the real function's: the real body's for a bare body, the real signature
  and body's for a candidate with a signature.
- A statement is a node of the statement tree with its own head (or closing) tokens: ``return x ;``, ``case A :``,
  ``if ( c )``. The signature and lines of braces only (``{``, ``}``) are not statements.
- Statement accuracy is VEGA's: the real body's statements the candidate also has (multiset match) / all statements
  of the real body.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..corpus.parse import make_parser, parse_source, statement_tree, tree_tokens

# A bare body is read as the body of this function; its tokens are dropped again.
_PROBE = "void __vega_probe() "
_PROBE_TOKENS = 4
_BRACES = frozenset("{}")


@dataclass(frozen=True)
class Reading:
    """A text as the metrics see it."""

    bare: bool  # a body without signature
    tokens: tuple[str, ...]  # every token, comments dropped
    statements: tuple[str, ...]  # statements in source order


def statements(tree: dict[str, Any]) -> list[str]:
    """The statements of a statement tree: neither the unit, blocks, top-level function signatures, nor braces."""
    out: list[str] = []

    def add(tokens: list[str]) -> None:
        if tokens and not set(tokens) <= _BRACES:
            out.append(" ".join(tokens))

    def walk(node: dict[str, Any], parent: str) -> None:
        kind = node.get("k")
        own = kind not in ("translation_unit", "compound_statement") and not (
            kind == "function_definition" and parent in ("", "translation_unit"))
        if own:
            add(node.get("h", []))
        for ch in node.get("c", ()):
            walk(ch, kind or "")
        if own:
            add(node.get("t", []))

    walk(tree, "")
    return out


@lru_cache(maxsize=1)
def _parser() -> Any:
    return make_parser()


@lru_cache(maxsize=8192)
def read(text: str, bare: bool | None = None) -> Reading:
    """Tokens and statements of ``text`` read whole (``bare``: as a body; default: when it opens with ``{``).

    The whole text is one translation unit, so what follows the first balanced body (``{ a(); } } b();``) stays
    in: its tokens break exact match and its statements count like any other."""
    if bare is None:
        bare = text.lstrip().startswith("{")
    src = ((_PROBE if bare else "") + text).encode("utf-8")
    tree = statement_tree(_parser().parse(src).root_node, src)
    toks = tree_tokens(tree)
    return Reading(bare, tuple(toks[_PROBE_TOKENS:] if bare else toks), tuple(statements(tree)))


def extract_body(code: str) -> str:
    """What is judged in the real function's place: the body when ``code`` is exactly one function (signature
    optional), else the whole of ``code``.

    Never a cut: a generated text that runs on past its body is compiled (and charged) as written, not trimmed to
    its first balanced block."""
    text = code.strip()
    bare = text.startswith("{")
    parsed = parse_source(((_PROBE if bare else "") + text).encode("utf-8"))
    if len(parsed.functions) != 1:
        return text
    fn = parsed.functions[0]
    whole = read(fn.body, True).tokens if bare else read(f"{fn.signature} {fn.body}", False).tokens
    return fn.body if whole == read(text, bare).tokens else text


@dataclass
class Comparison:
    exact: bool
    accurate_statements: int
    truth_statements: int

    @property
    def statement_accuracy(self) -> float:
        return self.accurate_statements / self.truth_statements if self.truth_statements else float(self.exact)


def compare(candidate: str | None, body: str, signature: str) -> Comparison:
    """A candidate text (None: no candidate) against the real function (its ``body`` and ``signature``)."""
    truth = read(body, True)
    if candidate is None:
        return Comparison(False, 0, len(truth.statements))
    cand = read(candidate)
    real = truth.tokens if cand.bare else read(f"{signature} {body}", False).tokens
    matched = sum((Counter(cand.statements) & Counter(truth.statements)).values())
    return Comparison(cand.tokens == real, matched, len(truth.statements))
