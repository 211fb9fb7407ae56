"""Ground truth: a target's real functions, read from the corpus, that generated functions are scored against.

Scoring itself (exact match, VEGA's statement accuracy) is ``vega_llvm.evaluate.metrics``, the one implementation
``generate`` and ``eval`` share, so the two never report different figures for the same output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..corpus.records import FunctionRecord
from ..jsonl import target_rows


def first_definitions(records: Iterable[FunctionRecord]) -> dict[tuple[str, str], FunctionRecord]:
    """Group key -> the group's first definition in its own file order (path, then line).

    The one rule for choosing among a target's overloads of a group: it reads nothing but that target's own files,
    so a baseline that copies a donor's function never looks at the held-out function it is judged against."""
    out: dict[tuple[str, str], FunctionRecord] = {}
    for r in records:
        if r.key not in out or (r.path, r.line) < (out[r.key].path, out[r.key].line):
            out[r.key] = r
    return out


def ground_truth(corpus: Path, target: str) -> dict[tuple[str, str], FunctionRecord]:
    """(abstracted file, qualified name) -> the target's first implementation (by file and line) in the corpus."""
    path = Path(corpus)
    if path.is_dir():
        path = path / "functions.jsonl"
    if not path.is_file():
        return {}
    return first_definitions(FunctionRecord.from_dict(row) for row in target_rows(path, target))
