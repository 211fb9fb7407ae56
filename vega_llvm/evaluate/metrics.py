"""Exact match and statement accuracy, computed the same way for every system (ours, ForkFlow, nearest neighbour).

Both work on the statement trees of tree-sitter-cpp (``vega_llvm.corpus.parse``), so whitespace, comments and
formatting never count. A *statement* is a node of the tree with its own head tokens (``return x ;``,
``case A :``, ``if ( c )``); statement accuracy is VEGA's: accurate statements / all statements of the ground
truth, where a ground-truth statement is accurate when the candidate has it too (multiset match).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..corpus.parse import parse_source, tree_tokens


def body_tree(body: str) -> dict[str, Any] | None:
    """The statement tree of a function body (``{ ... }``), or None when it does not parse as one."""
    parsed = parse_source(("void __vega_probe() " + body).encode("utf-8"))
    if not parsed.functions:
        return None
    return parsed.functions[0].tree


def statements(tree: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(node: dict[str, Any], root: bool) -> None:
        if not root and node.get("h") and node.get("k") != "compound_statement":
            out.append(" ".join(node["h"]))
        for ch in node.get("c", ()):
            walk(ch, False)
        if not root and node.get("t") and node.get("k") != "compound_statement":
            out.append(" ".join(node["t"]))

    walk(tree, True)
    return out


@lru_cache(maxsize=4096)
def _normal(body: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    tree = body_tree(body)
    if tree is None:
        return None
    return tuple(tree_tokens(tree)), tuple(statements(tree))


@dataclass
class Comparison:
    exact: bool
    accurate_statements: int
    truth_statements: int

    @property
    def statement_accuracy(self) -> float:
        return self.accurate_statements / self.truth_statements if self.truth_statements else float(self.exact)


def compare(candidate: str | None, truth: str) -> Comparison:
    t = _normal(truth)
    if t is None:
        raise ValueError("the ground truth does not parse")
    if candidate is None:
        return Comparison(False, 0, len(t[1]))
    c = _normal(candidate)
    if c is None:
        return Comparison(False, 0, len(t[1]))
    matched = sum((Counter(c[1]) & Counter(t[1])).values())
    return Comparison(c[0] == t[0], matched, len(t[1]))
