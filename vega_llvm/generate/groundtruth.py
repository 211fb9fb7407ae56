"""Ground truth and scoring: a target's real functions (from the corpus) in the form generated code takes.

Why lines: ``templates.instantiate`` writes one line per statement head and per closing token group; the corpus
statement tree renders the same way here, so exact match (whitespace-normalised equality of the whole function, as
the templates' round trip defines it) and statement accuracy (VEGA: accurate statements / all statements of the
ground truth, matched in order) compare like with like.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..templates import normalise


def tree_lines(tree: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def visit(n: dict[str, Any]) -> None:
        if n.get("h"):
            out.append(" ".join(n["h"]))
        for c in n.get("c", ()):
            visit(c)
        if n.get("t"):
            out.append(" ".join(n["t"]))

    visit(tree)
    return out


def code_lines(code: str) -> list[str]:
    return [" ".join(line.split()) for line in code.splitlines() if line.strip()]


@dataclass
class Score:
    exact: bool
    correct: int  # ground-truth statements reproduced (in order)
    total: int  # ground-truth statements


def score(generated: str, truth_lines: list[str]) -> Score:
    gen = code_lines(generated)
    sm = difflib.SequenceMatcher(None, truth_lines, gen, autojunk=False)
    correct = sum(b.size for b in sm.get_matching_blocks())
    return Score(normalise(generated) == normalise(" ".join(truth_lines)), correct, len(truth_lines))


def ground_truth(corpus: Path, target: str) -> dict[tuple[str, str], Any]:
    """(abstracted file, qualified name) -> the target's first implementation (by file and line) in the corpus."""
    from ..corpus.records import FunctionRecord

    path = Path(corpus)
    if path.is_dir():
        path = path / "functions.jsonl"
    if not path.is_file():
        return {}
    out: dict[tuple[str, str], Any] = {}
    needle = f'"target":"{target}"'
    with open(path, encoding="utf-8") as fh:
        import json

        for line in fh:
            if needle not in line:
                continue
            r = FunctionRecord.from_dict(json.loads(line))
            if r.target != target:
                continue
            if r.key not in out or (r.path, r.line) < (out[r.key].path, out[r.key].line):
                out[r.key] = r
    return out
