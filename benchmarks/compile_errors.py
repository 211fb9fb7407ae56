"""Why a system's functions do not compile in one eval run: the compiler's first error per function, by kind, and
whether generation knew (docs/RESULTS.md, "what does not compile").

    .venv/bin/python benchmarks/compile_errors.py RUN_DIR [SYSTEM]   # an `eval --model` output folder; default vega-llvm

Each compile error of the system's tested functions is put in a kind: the compiler's message with the names taken
out (``'X' was not declared in this scope``). For vega-llvm the rows say whether generate's identifier check had
flagged the chosen code (``undeclared`` in generated.jsonl: every candidate named something the target does not
declare) or not (the check missed it). The most frequent names of each kind are listed, so that a rule can be
judged by how many functions it would reach.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

_QUOTED = re.compile(r"[‘'][^’']*[’']")


def kind_of(detail: str) -> tuple[str, str]:
    """(the message with quoted names as ``'X'``, the first quoted name)."""
    if "the body's brackets" in detail:  # found before any build (``swap.bracket_error``)
        return "the body's brackets do not pair up", ""
    m = re.search(r"error: (.*)", detail)
    msg = m.group(1) if m else detail.split(": ", 1)[-1]
    names = _QUOTED.findall(msg)
    return _QUOTED.sub("'X'", msg)[:90], (names[0].strip("‘’'") if names else "")


def main(run: Path, system: str = "vega-llvm") -> None:
    flagged: dict[str, bool] = {}
    gen = run / "generated.jsonl"
    if gen.is_file():
        for line in gen.read_text().splitlines():
            row = json.loads(line)
            flagged.setdefault(row.get("vega_code") or "", bool(row.get("undeclared")))
    kinds: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    total = 0
    for line in (run / "result.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["system"] != system or not row["tested"] or row["status"] != "compile_error":
            continue
        total += 1
        kind, name = kind_of(row.get("detail") or "")
        known = "flagged" if flagged.get(row.get("Code") or "") else "not flagged" if system == "vega-llvm" else "-"
        kinds[(known, kind)] += 1
        names[(known, kind)][name] += 1
    print(f"{system}: {total} tested functions that do not compile\n")
    print("| identifier check | first error | functions | most frequent names |")
    print("|---|---|---|---|")
    for (known, kind), n in kinds.most_common():
        top = ", ".join(f"`{k}` {v}" for k, v in names[(known, kind)].most_common(4) if k)
        print(f"| {known} | {kind.replace('|', '/')} | {n} | {top} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
