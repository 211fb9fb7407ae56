"""Checks over corpus records: records whose body is not exactly their function's.

A record's body must be one block, ``{`` to its matching ``}``, and no two records of a file may share lines. A parse
that tree-sitter's error recovery confused breaks this (``parse.py`` repairs the cases it recognises); ``overlapping``
finds what is left, from the records alone (no source files needed), so ``vega-llvm corpus`` can report the count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .records import FunctionRecord

_OPEN = frozenset("([{")
_CLOSE = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class Overlap:
    id: str  # the record whose body is wrong
    reason: str  # what is wrong, e.g. "its body runs past its closing brace" or "contains RISCV/X.cpp:12"


def block_error(rec: FunctionRecord) -> str | None:
    """Why the body of ``rec`` is not one block, by its tokens (comments and strings are single tokens or gone), or
    None. A function-try-block (``try { } catch (...) { }``) is several blocks and passes."""
    children = rec.tree.get("c", ())
    toks = [t for ch in children for t in _tokens(ch)] + list(rec.tree.get("t", ()))
    stack: list[str] = []
    for i, tok in enumerate(toks):
        if tok in _OPEN:
            stack.append(tok)
        elif tok in _CLOSE:
            if not stack or stack.pop() != _CLOSE[tok]:
                return f"unmatched '{tok}' (token {i})"
            if not stack and i + 1 < len(toks) and toks[:1] != ["try"]:
                return f"its body runs past its closing brace ({len(toks) - i - 1} more tokens)"
    if stack:
        return f"its body ends before its closing brace ('{stack[0]}' never closed)"
    return None


def _tokens(tree: dict) -> list[str]:
    out = list(tree.get("h", ()))
    for ch in tree.get("c", ()):
        out += _tokens(ch)
    return out + list(tree.get("t", ()))


def overlapping(records: Iterable[FunctionRecord]) -> list[Overlap]:
    """Records whose body is not their function's alone, one entry per record: not one block (``block_error``), or,
    among the records of one source file sorted by line, another starts before its body has ended.

    A record's last line is at least ``line`` plus the newlines of its body (the signature may take more lines), so
    the line test never flags two definitions that share only a line (``} void g() {``)."""
    why: dict[str, list[str]] = defaultdict(list)
    by_file: dict[tuple[str, str], list[FunctionRecord]] = defaultdict(list)
    for r in records:
        by_file[(r.target, r.path)].append(r)
        err = block_error(r)
        if err:
            why[r.id].append(err)
    for recs in by_file.values():
        recs.sort(key=lambda r: r.line)
        for i, a in enumerate(recs):
            last = a.line + a.body.count("\n")
            inside = [b for b in recs[i + 1 :] if a.line < b.line < last]
            if inside:
                why[a.id].append(f"another record starts inside it: {', '.join(b.id for b in inside)}")
    return [Overlap(i, "; ".join(reasons)) for i, reasons in sorted(why.items())]
